# Shared by bench/http-pages and bench/scale (sourced, not run): start the
# server, sign in, and measure one page with wrk at 8 and 64 connections,
# side by side with nginx serving the same bytes when nginx is installed.
# Tools: scripts/install-deps --bench (wrk, nginx, sqlite3, curl); never
# needed by the tests or CI.
#
# Variables: top, dir (a private temporary folder), secs (per measurement),
# bin (the finsam binary: $FINSAM_BIN or ./finsam), conns ("8 64" unless
# CONNS is set).

bin=${FINSAM_BIN:-$top/finsam}
conns=${CONNS:-8 64}
nginx_pid=
finsam_pid=

bench_need() {
  for t in "$@"; do
    command -v "$t" >/dev/null || { echo "bench: $t is missing: run scripts/install-deps --bench"; exit 1; }
  done
  if [ -z "${FINSAM_BIN:-}" ] && [ ! -x "$top/finsam" ]; then make -C "$top" finsam >/dev/null; fi
  nginx_bin=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
}

# bench_memory: the server's peak resident memory and what it holds now,
# anonymous (its own) apart from file pages (the memory-mapped database,
# shared with the OS page cache).
bench_memory() {
  [ -r "/proc/$finsam_pid/status" ] || return 0
  awk '/^VmHWM|^RssAnon|^RssFile/ { v[$1] = sprintf("%.1f MB", $2 / 1024) }
       END { printf "finsam memory: peak resident %s; now anonymous %s, file-backed %s\n",
             v["VmHWM:"], v["RssAnon:"], v["RssFile:"] }' "/proc/$finsam_pid/status"
}

bench_stop() {
  if [ -n "$finsam_pid" ]; then kill "$finsam_pid" 2>/dev/null; wait "$finsam_pid" 2>/dev/null; fi
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; fi
  finsam_pid= nginx_pid=
}

# bench_serve DB: finsam on a random loopback port, four threads, no cap on
# connections per address (wrk opens 64 from one address).  Sets base.
bench_serve() {
  local port=$((20000 + RANDOM % 20000))
  "$bin" serve "$1" --port "$port" --threads 4 --per-address 0 2>/dev/null &
  finsam_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 200); do curl -sf "$base/logga-in" -o /dev/null && return 0; sleep 0.1; done
  echo "bench: finsam did not start"; exit 1
}

# bench_login USER [TAG]: signs in, prints the session cookie's value.
# TAG keeps the cookie jars of logins run at the same time apart.
bench_login() {
  local jar="$dir/jar-$1${2:-}" csrf
  csrf=$(curl -s -c "$jar" "$base/logga-in" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&username=$1&password=finsam-demo" "$base/logga-in"
  awk '$6 == "finsam_session" { print $7 }' "$jar"
}

# bench_stylesheet COOKIE: the stylesheet's address as the pages link it.
bench_stylesheet() {
  curl -s -H "Cookie: finsam_session=$1" "$base/" | sed -n 's/.*<link rel="stylesheet" href="\([^"]*\)".*/\1/p' | head -1
}

# bench_pages HEADER PATH...: fetches each page once (status, type, bytes,
# and "shown of total" rows for a list), copies its bytes and type for
# nginx, and starts nginx on them.  Pages are numbered in the order given.
bench_pages() {
  local hdr=$1; shift
  mkdir -p "$dir/www" "$dir/nginx/logs"
  local conf="$dir/nginx/nginx.conf" i=0 nport=$((20000 + RANDOM % 20000))
  {
    echo "worker_processes auto; pid $dir/nginx/nginx.pid; error_log $dir/nginx/logs/error.log;"
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "events { worker_connections 1024; }"
    echo "http { access_log /dev/null; sendfile on; tcp_nopush on; keepalive_requests 1000000;"
    echo "  keepalive_timeout 60; open_file_cache max=64; types {}"
    echo "  client_body_temp_path $dir/nginx/body; proxy_temp_path $dir/nginx/proxy;"
    echo "  fastcgi_temp_path $dir/nginx/fcgi; uwsgi_temp_path $dir/nginx/uwsgi; scgi_temp_path $dir/nginx/scgi;"
    echo "  server { listen 127.0.0.1:$nport;"
  } >"$conf"
  page_hdr=() page_info=()
  for path in "$@"; do
    i=$((i + 1))
    local h=$hdr
    case "$path" in /api/*) h=$API_HEADER ;; esac
    page_hdr[$i]=$h
    local meta
    meta=$(curl -s -o "$dir/www/p$i" -w '%{http_code} %{content_type}' -H "$h" "$base$path")
    local code=${meta%% *} type=${meta#* }
    # Rows shown of the total, from each list's "Visar 1–50 av 522."
    # (three on the work lists' page; "Inget att göra här just nu." and
    # the like for an empty one), or from an API list's items and total.
    local shown
    shown=$({ LC_ALL=C grep -o '<p class="list-summary">[^<]*' "$dir/www/p$i" || true; } |
      LC_ALL=C sed 's/.*">//; s/\xc2\xa0//g; s/\xe2\x80\xaf//g; s/&nbsp;//g; s/\xe2\x80\x93/-/;
        s/^Visar \(.*\) av \(.*\)\.$/rows \1 of \2/; s/fler \xc3\xa4n/more than/' | paste -sd';' | sed 's/;/; /g')
    case "$path" in /api/*)
      shown="$({ grep -o '"id": *[0-9]' "$dir/www/p$i" || true; } | wc -l) items of total $(sed -n 's/.*"total": *\([0-9a-z]*\).*/\1/p' "$dir/www/p$i" | head -1)"
      if grep -q '"total_more_than"' "$dir/www/p$i"; then
        shown="$shown (more than $(sed -n 's/.*"total_more_than": *\([0-9]*\).*/\1/p' "$dir/www/p$i" | head -1))"
      fi ;;
    esac
    # Otherwise the table rows on the page (headings included).
    case "$type" in text/html*)
      if [ -z "$shown" ]; then shown="$({ grep -o '<tr' "$dir/www/p$i" || true; } | wc -l) table rows"; fi ;;
    esac
    page_info[$i]="$code, $type, $(wc -c <"$dir/www/p$i") bytes${shown:+, $shown}"
    # nginx answers /pN with the same bytes and type (its own path, as
    # one location cannot tell query strings apart).
    printf '    location = /p%s { alias %s; default_type "%s"; }\n' "$i" "$dir/www/p$i" "$type" >>"$conf"
  done
  echo "  } }" >>"$conf"
  nginx_base=
  if [ -n "$nginx_bin" ]; then
    "$nginx_bin" -p "$dir/nginx" -c "$conf" -g 'daemon off;' 2>"$dir/nginx/start.log" &
    nginx_pid=$!
    for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$nport/p1" && nginx_base="http://127.0.0.1:$nport" && break; sleep 0.1; done
    [ -n "$nginx_base" ] || { echo "bench: nginx did not start: $(cat "$dir/nginx/start.log")"; kill "$nginx_pid"; nginx_pid=; }
  fi
}

# wrk_run BASE PATH HEADER CONNECTIONS: prints "req/s p50 p99 errors".
wrk_run() {
  local out
  out=$(wrk -t2 -c"$4" -d"${secs}s" --latency -H "$3" "$1$2")
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  bad=$(echo "$out" | awk '/Non-2xx|Socket errors/ { sub(/^ */, ""); printf "%s; ", $0 }')
  echo "$rps $p50 $p99 ${bad:-}"
}

bench_header() {
  printf '%-30s %5s %11s %9s %9s %11s %9s %9s %7s\n' page conns 'finsam r/s' p50 p99 'nginx r/s' p50 p99 ratio
}

# bench_measure PATH...: every page given to bench_pages, at each
# connection count, finsam then nginx on the same bytes.
bench_measure() {
  local i=0
  for path in "$@"; do
    i=$((i + 1))
    echo "$path: ${page_info[$i]}"
    for c in $conns; do
      read -r f_rps f_p50 f_p99 f_bad <<<"$(wrk_run "$base" "$path" "${page_hdr[$i]}" "$c")"
      local n_rps=- n_p50=- n_p99=- n_bad= ratio=-
      if [ -n "$nginx_base" ]; then
        read -r n_rps n_p50 n_p99 n_bad <<<"$(wrk_run "$nginx_base" "/p$i" "${page_hdr[$i]}" "$c")"
        ratio=$(awk -v a="$f_rps" -v b="$n_rps" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }')
      fi
      printf '%-30s %5s %11s %9s %9s %11s %9s %9s %7s\n' "" "$c" "$f_rps" "$f_p50" "$f_p99" "$n_rps" "$n_p50" "$n_p99" "$ratio"
      if [ -n "$f_bad" ]; then echo "    finsam: $f_bad"; fi
      if [ -n "$n_bad" ]; then echo "    nginx: $n_bad"; fi
    done
  done
}
