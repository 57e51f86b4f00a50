/*
 * server.c — libmicrohttpd glue: connection state, body caps, the
 * dispatcher (route → authentication → permission → CSRF → handler),
 * security headers, the request log, and the database connection pool.
 *
 * MHD runs a pool of worker threads.  Each request takes one database
 * connection from the pool for the time its handler runs and gives it back
 * before the response is queued.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../core/audit.h"
#include "../core/auth.h"
#include "../core/keycheck.h"
#include "../db/db.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "../util/vault.h"
#include "logsafe.h"
#include "multipart.h"
#include "pages.h"
#include "web.h"

#define BODY_MAX (1u << 20) /* 1 MiB: forms and JSON */
/* A body over BODY_MAX but under this is read and thrown away so the client
 * receives its 413 (most clients fail to read an answer sent while they are
 * still uploading); a larger one is answered at once and the connection
 * closed. */
#define BODY_DISCARD_MAX (16u << 20)
#define RESPONSE_MAX     (32u << 20)
#define SESSION_COOKIE   "finsam_session"
#define LOGIN_COOKIE     "finsam_login"

/* ---- connection pool ------------------------------------------------------ */

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db **free;
	size_t nfree;
	struct db **all;
	size_t nall;
	atomic_ulong checkouts; /* connections handed out, ever (a test hook reads it) */
};

static struct db *pool_get(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->nfree == 0)
		pthread_cond_wait(&p->cv, &p->mu);
	struct db *db = p->free[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	atomic_fetch_add_explicit(&p->checkouts, 1, memory_order_relaxed);
	db_failure_clear(db); /* a failure is reported to the request that met it */
	return db;
}

static void pool_put(struct pool *p, struct db *db)
{
	pthread_mutex_lock(&p->mu);
	p->free[p->nfree++] = db;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void pool_close(struct pool *p)
{
	for (size_t i = 0; i < p->nall; i++)
		db_close(p->all[i]);
	free(p->all);
	free(p->free);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

/* Static files have their answers made once, at start:
 * [file][304?][over https?], see serve_static. */
#define STATIC_MAX 4

struct app {
	const struct serve_options *opt;
	struct pool pool;
	struct vault *vault;
	struct MHD_Response *static_resp[STATIC_MAX][2][2];
	/* Test hook: FINSAM_TEST_POOL_CHECKOUTS in the environment at start
	 * makes every answer from a handler carry X-Finsam-Pool-Checkouts,
	 * the pool's count of connections handed out so far. */
	int test_pool_header;
};

/* ---- request helpers ---------------------------------------------------------- */

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct req *r, const char *name)
{
	return kv_get(&r->query, name);
}

void req_set_cookie(struct req *r, const char *name, const char *value, int max_age)
{
	if (r->ncookies_out >= sizeof r->cookies_out / sizeof r->cookies_out[0])
		return;
	r->cookies_out[r->ncookies_out++] =
	    arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
	                 r->secure ? "; Secure" : "", max_age == 0 ? "; Max-Age=0" : "");
}

void req_redirect(struct req *r, const char *path)
{
	r->status = 303;
	r->location = arena_strdup(r->arena, path);
	buf_reset(&r->out);
}

/* ---- per-connection state -------------------------------------------------------- */

struct conn_state {
	struct req r;
	struct buf body;
	int too_large;
	size_t discarded; /* bytes thrown away from a too-large body */
	struct timespec start;
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
	(void)kind;
	struct req *r = cls;
	if (r->query.n >= KV_MAX_PAIRS)
		return MHD_NO;
	/* Grow in the arena, doubling. */
	if ((r->query.n & (r->query.n - 1)) == 0) {
		size_t cap = r->query.n ? r->query.n * 2 : 4;
		struct kv *items = arena_alloc(r->arena, cap * sizeof *items);
		if (!items)
			return MHD_NO;
		if (r->query.n)
			memcpy(items, r->query.items, r->query.n * sizeof *items);
		r->query.items = items;
	}
	r->query.items[r->query.n].name = arena_strdup(r->arena, key);
	r->query.items[r->query.n].value = arena_strdup(r->arena, value ? value : "");
	r->query.n++;
	return MHD_YES;
}

static void client_address(struct req *r, struct MHD_Connection *c, int behind_proxy)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	str_copy(r->address, sizeof r->address, "okänd");
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->address,
			          sizeof r->address);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
			          r->address, sizeof r->address);
	}
	if (behind_proxy) {
		const char *fwd = req_header(r, "X-Forwarded-For");
		if (fwd && *fwd) {
			/* The last hop is the one our proxy added. */
			const char *last = strrchr(fwd, ',');
			last = last ? last + 1 : fwd;
			while (*last == ' ')
				last++;
			str_copy(r->address, sizeof r->address, last);
		}
		const char *proto = req_header(r, "X-Forwarded-Proto");
		r->secure = proto && strcmp(proto, "https") == 0;
	}
}

/* ---- multipart ------------------------------------------------------------------ */

/* Collects a multipart/form-data body, as libmicrohttpd's post processor
 * hands it over in pieces: text fields into r->form, the first file into
 * r->upload. */
struct multipart {
	struct req *r;
	struct buf file;
	char file_key[64];
	struct buf field;
	char field_key[64];
	size_t cap;
	int failed;
};

static void multipart_flush_field(struct multipart *m)
{
	struct req *r = m->r;
	if (!m->field_key[0])
		return;
	if (r->form.n >= KV_MAX_PAIRS) {
		m->failed = 1;
		return;
	}
	if (r->form.n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 8;
		struct kv *items = arena_alloc(r->arena, nc * sizeof *items);
		if (!items) {
			m->failed = 1;
			return;
		}
		if (r->form.n)
			memcpy(items, r->form.items, r->form.n * sizeof *items);
		r->form.items = items;
		m->cap = nc;
	}
	r->form.items[r->form.n].name = arena_strdup(r->arena, m->field_key);
	r->form.items[r->form.n].value = arena_strndup(r->arena, buf_cstr(&m->field), m->field.len);
	r->form.n++;
	buf_reset(&m->field);
	m->field_key[0] = '\0';
}

static enum MHD_Result multipart_piece(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *filename, const char *content_type,
                                       const char *transfer_encoding, const char *data,
                                       uint64_t off, size_t size)
{
	(void)kind, (void)content_type, (void)transfer_encoding, (void)off;
	struct multipart *m = cls;
	if (!key)
		return MHD_YES;
	if (filename) {
		if (!m->file_key[0]) {
			str_copy(m->file_key, sizeof m->file_key, key);
			m->r->upload_name = arena_strdup(m->r->arena, filename);
		}
		if (strcmp(m->file_key, key) == 0)
			buf_append(&m->file, data, size);
		return buf_failed(&m->file) ? MHD_NO : MHD_YES;
	}
	if (strcmp(m->field_key, key) != 0) {
		multipart_flush_field(m);
		str_copy(m->field_key, sizeof m->field_key, key);
	}
	buf_append(&m->field, data, size);
	return buf_failed(&m->field) || m->failed ? MHD_NO : MHD_YES;
}

/* Parses the buffered body as multipart: 0 on success, MULTIPART_BAD if
 * it cannot be read, MULTIPART_CUT if it ends before its closing boundary:
 * then no file is kept, only the text fields (the CSRF token comes before
 * the file), and the handler must refuse the request. */
enum { MULTIPART_BAD = -1, MULTIPART_CUT = -2 };
static int parse_multipart(struct req *r, const char *body, size_t len)
{
	/* libmicrohttpd's post processor hands over the parts of a cut body as
	 * if they were whole; check the end ourselves. */
	int complete = multipart_complete(r->content_type, body, len);
	struct multipart m;
	memset(&m, 0, sizeof m);
	m.r = r;
	buf_init(&m.file, BODY_MAX);
	buf_init(&m.field, 64 * 1024);
	struct MHD_PostProcessor *pp = MHD_create_post_processor((struct MHD_Connection *)r->conn,
	                                                         16 * 1024, multipart_piece, &m);
	int ok = pp && MHD_post_process(pp, body, len) == MHD_YES;
	/* It also says whether the body ended where it should. */
	if (pp && MHD_destroy_post_processor(pp) != MHD_YES)
		complete = 0;
	multipart_flush_field(&m);
	if (ok && complete && !m.failed && m.file_key[0]) {
		r->upload_len = m.file.len;
		r->upload = arena_strndup(r->arena, buf_cstr(&m.file), m.file.len);
	}
	buf_release(&m.file);
	buf_release(&m.field);
	if (!complete)
		return MULTIPART_CUT;
	if (!ok || m.failed) {
		r->form.n = 0;
		return MULTIPART_BAD;
	}
	return 0;
}

/* ---- dispatch ------------------------------------------------------------------ */

/* 1 if the request carries the right CSRF token for its policy. */
static int csrf_ok(struct req *r, enum csrf_policy policy)
{
	if (policy == CSRF_NONE)
		return 1;
	if (policy == CSRF_LOGIN) {
		const char *cookie = kv_get(&r->cookies, LOGIN_COOKIE);
		const char *field = kv_get(&r->form, "csrf");
		return cookie && field && strlen(cookie) == CRYPTO_TOKEN_LEN &&
		       str_ct_equal(cookie, field);
	}
	if (!r->authed)
		return 0;
	if (r->who.token_id)
		return 1; /* API token: no ambient authority to forge */
	const char *sent = r->is_api ? req_header(r, "X-CSRF-Token") : kv_get(&r->form, "csrf");
	return sent && r->who.csrf[0] && str_ct_equal(sent, r->who.csrf);
}

/* 1 for a field whose value is never written back into a page. */
static int secret_field(const char *name)
{
	return strcmp(name, "csrf") == 0 || strstr(name, "password") || strstr(name, "losenord");
}

/*
 * The answer to a browser form sent by a signed-in person whose page was
 * out of date (its CSRF token missing or from an earlier session): nothing
 * was saved, but nothing typed is lost either.  The page carries every
 * field sent, except passwords and the old token, as hidden inputs with the
 * session's current token, so "Skicka igen" sends it again.  A file cannot
 * be carried over: the page says so.
 */
static void respond_stale_form(struct req *r, int upload)
{
	struct buf *b = &r->out;
	size_t idx, nids;
	int64_t ids[ROUTER_MAX_IDS];
	const char *back = router_match(web_routes, web_route_count, sizeof web_routes[0], "GET",
	                                r->path, &idx, ids, &nids) == ROUTER_OK
	                       ? r->path
	                       : "/";
	buf_reset(b);
	r->status = 403;
	page_begin(r, "Sidan var inaktuell");
	html_printf(b, "<h1>Sidan var inaktuell</h1><p>Sidan du skickade från hade hunnit bli "
	               "inaktuell (den kan ha öppnats före en ny inloggning eller i en annan "
	               "flik) och formulärets säkerhetstoken stämde inte längre, så ingenting har "
	               "sparats ännu.</p>");
	if (upload) {
		html_printf(b,
		            "<p>En fil kan inte skickas igen härifrån. <a href=\"%s\">Gå tillbaka"
		            "</a> och välj filen igen.</p>",
		            back);
		page_end(r);
		return;
	}
	int dropped = 0;
	html_printf(b,
	            "<form method=\"post\" action=\"%s\"><input type=\"hidden\" name=\"csrf\" "
	            "value=\"%s\">",
	            r->path, r->who.csrf);
	for (size_t i = 0; i < r->form.n; i++) {
		const struct kv *f = &r->form.items[i];
		if (secret_field(f->name)) {
			dropped |= strcmp(f->name, "csrf") != 0;
			continue;
		}
		html_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", f->name,
		            f->value);
	}
	html_printf(b, "<p>Det du fyllde i finns kvar. Skicka det igen om det fortfarande "
	               "stämmer.</p>");
	if (dropped)
		html_printf(b, "<p>Lösenord skickas inte vidare: fyll i dem igen när formuläret "
		               "visas.</p>");
	html_printf(b,
	            "<div class=\"actions\"><button type=\"submit\">Skicka igen</button> "
	            "<a href=\"%s\">Tillbaka utan att skicka</a></div></form>",
	            back);
	page_end(r);
}

static void authenticate(struct req *r)
{
	const char *authz = req_header(r, "Authorization");
	int64_t now = (int64_t)time(NULL);
	if (authz && strncmp(authz, "Bearer ", 7) == 0) {
		if (r->is_api && auth_token_lookup(r->db, authz + 7, now, &r->who) == RC_OK)
			r->authed = 1;
	} else {
		const char *tok = kv_get(&r->cookies, SESSION_COOKIE);
		if (tok && auth_session_lookup(r->db, tok, now, &r->who) == RC_OK)
			r->authed = 1;
	}
	r->actor.user_id = r->who.user_id;
	r->actor.name = r->authed ? r->who.name : "anonym";
	r->actor.address = r->address;
	r->actor.role = r->authed ? r->who.role : ROLE_NONE;
	r->actor.now = now;
}

static int has_content_type(struct req *r, const char *type)
{
	const char *ct = r->content_type;
	size_t n = strlen(type);
	return ct && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* 1 for a handler that takes a file upload and, when the body ended before
 * its closing boundary (r->upload_cut), says so on its own page.  For every
 * other route the dispatcher refuses a cut multipart body itself. */
static int reports_cut_upload(const struct route *rt)
{
	return rt->fn == page_import_post;
}

static void dispatch(struct req *r, const char *body, size_t body_len)
{
	size_t idx = 0;
	enum router_result m = router_match(web_routes, web_route_count, sizeof web_routes[0],
	                                    r->method, r->path, &idx, r->ids, &r->nids);
	if (m == ROUTER_NOT_FOUND) {
		authenticate(r);
		respond_error(r, 404, "Sidan finns inte.");
		return;
	}
	if (m == ROUTER_BAD_METHOD) {
		authenticate(r);
		respond_error(r, 405, "Den här adressen tar inte emot den sortens förfrågan.");
		return;
	}
	const struct route *rt = &web_routes[idx];
	r->route = rt;
	authenticate(r);

	if (rt->perm != PERM_PUBLIC && !r->authed) {
		if (r->is_api) {
			respond_api_error(
			    r, 401, NULL, NULL,
			    "Inloggning krävs: skicka en API-nyckel som Bearer-token.");
		} else if (strcmp(r->method, "GET") == 0) {
			req_redirect(r, "/logga-in");
		} else {
			page_login_again(
			    r, 401,
			    "Du är inte inloggad längre (inloggningen har gått ut), så "
			    "det du skickade har inte sparats. Logga in och gör om "
			    "det.");
		}
		return;
	}
	if (!auth_allows(r->authed ? r->who.role : ROLE_NONE, rt->perm)) {
		respond_error(r, 403, "Du har inte behörighet till detta.");
		return;
	}

	/* Parse the body before the CSRF check: the token travels in it. */
	if (body_len > 0 || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0) {
		if (r->is_api &&
		    (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0)) {
			if (!has_content_type(r, "application/json")) {
				respond_api_error(r, 415, NULL, NULL,
				                  "Skicka innehållet som application/json.");
				return;
			}
			json_error_t je;
			r->json = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &je);
			if (!r->json) {
				char msg[200];
				snprintf(msg, sizeof msg, "Ogiltig JSON på rad %d, kolumn %d.",
				         je.line, je.column);
				respond_api_error(r, 400, "bad_json", NULL, msg);
				return;
			}
		} else if (!r->is_api && has_content_type(r, "multipart/form-data")) {
			int mp = parse_multipart(r, body, body_len);
			if (mp == MULTIPART_CUT && reports_cut_upload(rt)) {
				/* The handler says so on its own page; the CSRF
				 * check below still runs on the fields kept. */
				r->upload_cut = 1;
			} else if (mp == MULTIPART_CUT) {
				respond_error(r, 400,
				              "Formuläret kom inte fram helt: överföringen avbröts "
				              "innan den var klar. Ingenting har sparats. Gå "
				              "tillbaka och skicka formuläret igen.");
				return;
			} else if (mp != 0) {
				respond_error(
				    r, 400, "Formuläret kunde inte läsas. Ingenting har sparats.");
				return;
			}
		} else if (!r->is_api) {
			if (body_len > 0 &&
			    !has_content_type(r, "application/x-www-form-urlencoded")) {
				respond_error(r, 415,
				              "Formuläret skickades i ett format som inte stöds.");
				return;
			}
			if (kv_parse_urlencoded(r->arena, body, body_len, &r->form) != 0) {
				respond_error(r, 413, "Formuläret innehöll för många fält.");
				return;
			}
		}
	}
	if (!csrf_ok(r, rt->csrf)) {
		if (rt->csrf == CSRF_LOGIN) {
			/* Two login tabs, or a cookie that expired: a fresh form. */
			page_login_again(r, 403,
			                 "Inloggningssidan hade hunnit bli inaktuell. Fyll i "
			                 "lösenordet igen och logga in.");
			return;
		}
		if (!r->is_api && r->authed && !r->who.token_id) {
			respond_stale_form(r, has_content_type(r, "multipart/form-data"));
			return;
		}
		respond_error(
		    r, 403,
		    "Formuläret kunde inte kontrolleras (säkerhetstoken saknas eller är fel). "
		    "Ladda om sidan och försök igen.");
		return;
	}
	rt->fn(r);
	if (r->status == 0)
		r->status = 200;
}

/* ---- response --------------------------------------------------------------------- */

/* The headers every answer carries, pages and static files alike. */
static void add_security_headers(struct MHD_Response *resp, int secure)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
	                        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
	                        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
	                        "camera=(), microphone=(), geolocation=()");
	if (secure)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct req *r)
{
	if (buf_failed(&r->out)) {
		buf_reset(&r->out);
		r->is_api = 1; /* the plainest error we can still write */
		respond_api_error(r, 500, NULL, NULL, "Svaret blev för stort.");
	}
	size_t len;
	char *data = buf_detach(&r->out, &len);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	                        r->resp_type ? r->resp_type : "text/plain; charset=utf-8");
	add_security_headers(resp, r->secure);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->app && r->app->test_pool_header) {
		char n[24];
		snprintf(n, sizeof n, "%lu",
		         atomic_load_explicit(&r->app->pool.checkouts, memory_order_relaxed));
		MHD_add_response_header(resp, "X-Finsam-Pool-Checkouts", n);
	}
	if (r->location)
		MHD_add_response_header(resp, "Location", r->location);
	for (size_t i = 0; i < r->ncookies_out; i++)
		MHD_add_response_header(resp, "Set-Cookie", r->cookies_out[i]);
	if (r->status == 405)
		MHD_add_response_header(resp, "Allow", "GET, POST, PUT");
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* One line per request: time, method, path without query, status, µs.
 * Nothing personal: no address, no query, no user, no personnummer in the
 * path; control characters escaped so a path cannot forge a line. */
static void log_line(const char *method_in, const char *path_in, int status,
                     const struct timespec *start)
{
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	long long us = (long long)(end.tv_sec - start->tv_sec) * 1000000LL +
	               (end.tv_nsec - start->tv_nsec) / 1000;
	/* The log is stamped with the wall clock, in UTC. */
	char now[21], today[11], method[LOGSAFE_MAX], path[LOGSAFE_MAX];
	int64_t t = (int64_t)time(NULL);
	svtime_iso(t, now);
	svtime_today(t, today);
	fprintf(stderr, "%s %s %s %d %lldus\n", now, logsafe_text(method_in, today, method),
	        logsafe_text(path_in, today, path), status, us);
}

static void log_request(struct conn_state *s)
{
	log_line(s->r.method, s->r.path, s->r.status, &s->start);
}

/* ---- static files ------------------------------------------------------------------ */

/* The con_cls of a request answered from memory: nothing to free. */
static char static_marker;

/* Makes every static file's answers once: 200 with the body, 304 without,
 * each plain and with HSTS (for https behind a proxy).  libmicrohttpd
 * counts the references of a response, so one object serves every
 * connection; the bodies are static and never copied.  0, or -1. */
static int static_build(struct app *app)
{
	size_t n;
	const struct static_file *f = static_files(&n);
	if (n > STATIC_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (int notmod = 0; notmod < 2; notmod++)
			for (int secure = 0; secure < 2; secure++) {
				struct MHD_Response *resp = MHD_create_response_from_buffer(
				    f[i].len, (void *)f[i].body, MHD_RESPMEM_PERSISTENT);
				if (!resp)
					return -1;
				add_security_headers(resp, secure);
				if (!notmod)
					MHD_add_response_header(resp, "Content-Type", f[i].type);
				MHD_add_response_header(resp, "ETag", f[i].etag);
				MHD_add_response_header(resp, "Cache-Control", f[i].cache_control);
				app->static_resp[i][notmod][secure] = resp;
			}
	return 0;
}

static void static_free(struct app *app)
{
	for (size_t i = 0; i < STATIC_MAX; i++)
		for (int notmod = 0; notmod < 2; notmod++)
			for (int secure = 0; secure < 2; secure++)
				if (app->static_resp[i][notmod][secure])
					MHD_destroy_response(app->static_resp[i][notmod][secure]);
}

/* A GET or HEAD of a static file, answered before anything else: no
 * request state, no session, no database connection; 304 when the
 * browser's If-None-Match names the file's ETag.  (libmicrohttpd leaves
 * the body out of an answer to HEAD itself.)  Called once the request is
 * read: an answer queued at the first call would close the connection. */
static enum MHD_Result serve_static(const struct app *app, struct MHD_Connection *c,
                                    const struct static_file *f, const char *method,
                                    const char *url)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	size_t n;
	size_t i = (size_t)(f - static_files(&n));
	int notmod = static_etag_matches(
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match"), f->etag);
	int secure = 0;
	if (app->opt->behind_proxy) {
		const char *proto =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
		secure = proto && strcmp(proto, "https") == 0;
	}
	int status = notmod ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
	enum MHD_Result ok =
	    MHD_queue_response(c, (unsigned)status, app->static_resp[i][notmod][secure]);
	log_line(method, url, status, &start);
	return ok;
}

/* libmicrohttpd's own messages may quote what a client sent: they pass
 * through the same escaping as the request log. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[LOGSAFE_MAX], today[11], safe[LOGSAFE_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	svtime_today((int64_t)time(NULL), today);
	/* One client opening thousands of connections makes libmicrohttpd
	 * complain once per connection: a few lines a minute, then a count. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct logsafe_limit limit;
	unsigned long dropped;
	pthread_mutex_lock(&lock);
	int allow = logsafe_limit_allow(&limit, (int64_t)time(NULL), &dropped);
	pthread_mutex_unlock(&lock);
	if (dropped)
		fprintf(stderr,
		        "finsam: libmicrohttpd: %lu meddelanden till utelämnades den senaste "
		        "minuten\n",
		        dropped);
	if (allow)
		fprintf(stderr, "finsam: libmicrohttpd: %s\n", logsafe_message(msg, today, safe));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct app *app = cls;
	/* A static file: marked at the first call, answered at the last. */
	if (*con_cls == &static_marker) {
		if (*upload_size) {
			*upload_size = 0; /* a body sent with a GET is ignored */
			return MHD_YES;
		}
		return serve_static(app, c, static_find(url), method, url);
	}
	if (!*con_cls &&
	    (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	     strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) &&
	    static_find(url)) {
		*con_cls = &static_marker;
		return MHD_YES;
	}
	struct conn_state *s = *con_cls;
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &s->start);
		s->r.arena = arena_new(0);
		if (!s->r.arena) {
			free(s);
			return MHD_NO;
		}
		*con_cls = s;
		buf_init(&s->body, BODY_MAX);
		buf_init(&s->r.out, RESPONSE_MAX);
		s->r.app = app;
		s->r.vault = app->vault;
		s->r.conn = c;
		s->r.method = arena_strdup(s->r.arena, method);
		/* Never log or route on the query string: MHD hands us the
		 * path alone in url. */
		s->r.path = arena_strdup(s->r.arena, url);
		s->r.is_api = strncmp(url, "/api/", 5) == 0;
		s->r.content_type = req_header(&s->r, "Content-Type");
		client_address(&s->r, c, app->opt->behind_proxy);
		const char *cl = req_header(&s->r, "Content-Length");
		unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
		if (len > BODY_MAX)
			s->too_large = 1;
		if (len > BODY_DISCARD_MAX) {
			respond_error(&s->r, 413, "Förfrågan är för stor (högst 1 MiB).");
			enum MHD_Result ok = send_response(c, &s->r);
			log_request(s);
			return ok;
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!s->too_large) {
			buf_append(&s->body, upload, *upload_size);
			if (buf_failed(&s->body))
				s->too_large = 1;
		} else {
			s->discarded += *upload_size;
			if (s->discarded > BODY_DISCARD_MAX)
				return MHD_NO; /* a chunked body without end: hang up */
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (s->too_large && s->r.status == 413)
		return MHD_YES; /* already answered */

	struct req *r = &s->r;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, r);
	kv_parse_cookies(r->arena, req_header(r, "Cookie"), &r->cookies);
	if (s->too_large) {
		respond_error(r, 413, "Förfrågan är för stor (högst 1 MiB).");
	} else {
		r->db = pool_get(&app->pool);
		/* What a GET shows, it reads from one snapshot (db.h); a write
		 * it makes (a session's touch, an audited look) ends it first. */
		int reads = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
		if (reads)
			(void)db_read_begin(r->db);
		dispatch(r, s->body.data ? s->body.data : "", s->body.len);
		db_read_end(r->db);
		pool_put(&app->pool, r->db);
		r->db = NULL;
	}
	if (strcmp(r->method, "HEAD") == 0)
		buf_reset(&r->out);
	enum MHD_Result ok = send_response(c, r);
	log_request(s);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct conn_state *s = *con_cls;
	if (!s || *con_cls == &static_marker) {
		*con_cls = NULL;
		return;
	}
	json_decref(s->r.json);
	buf_release(&s->r.out);
	buf_release(&s->body);
	arena_free(s->r.arena);
	free(s);
	*con_cls = NULL;
}

/* ---- start and stop --------------------------------------------------------------- */

/* How often the server gathers the planner's statistics anew: a förbund's
 * data grows slowly, and the statistics gathered at start would otherwise
 * describe the database as it was then (docs/architecture.md, "Storage"). */
#define STATISTICS_EVERY_SECONDS (24 * 3600)

/* Gathers statistics on one connection of the pool; every connection plans
 * with them from its next statement (db.h).  Errors are told to the log
 * only: the old statistics still give right answers. */
static void refresh_statistics(struct pool *p)
{
	struct db *db = pool_get(p);
	enum rc rc = db_analyze(db);
	if (rc != RC_OK)
		fprintf(stderr,
		        "finsam: statistikinsamlingen misslyckades (%s); försöker igen om ett "
		        "dygn\n",
		        db_errmsg(db));
	pool_put(p, db);
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int web_serve(const struct serve_options *o)
{
	struct app app = {.opt = o};
	app.test_pool_header = getenv("FINSAM_TEST_POOL_CHECKOUTS") != NULL;
	int threads = o->threads > 0 ? o->threads : 4;
	/* Connections: one per worker thread plus one spare. */
	size_t nconn = (size_t)threads + 1;
	pthread_mutex_init(&app.pool.mu, NULL);
	pthread_cond_init(&app.pool.cv, NULL);
	app.pool.all = calloc(nconn, sizeof *app.pool.all);
	app.pool.free = calloc(nconn, sizeof *app.pool.free);
	if (!app.pool.all || !app.pool.free) {
		pool_close(&app.pool);
		vault_close(app.vault);
		return 1;
	}
	/* A database from before the key check is upgraded by the first
	 * connection only under a key that opens what it holds. */
	char msg[1200], note[1200];
	if (keycheck_before_upgrade(o->db_path, msg, sizeof msg) != RC_OK) {
		fprintf(stderr, "finsam: %s\n", msg);
		pool_close(&app.pool);
		return 1;
	}
	for (size_t i = 0; i < nconn; i++) {
		char err[300] = "";
		struct db *db;
		if (db_open(o->db_path, DB_OPEN_EXISTING, &db, err, sizeof err) != RC_OK) {
			fprintf(stderr, "finsam: %s\n", err);
			pool_close(&app.pool);
			vault_close(app.vault);
			return 1;
		}
		app.pool.all[app.pool.nall++] = db;
		app.pool.free[app.pool.nfree++] = db;
	}
	/* A database that cannot be written would let the server start and
	 * then fail every login: refuse at once. */
	enum rc wrc = db_check_writable(app.pool.all[0]);
	if (wrc != RC_OK) {
		fprintf(
		    stderr,
		    "finsam: Databasfilen %s går inte att skriva till: kontrollera ägare och "
		    "rättigheter för filen och mappen den ligger i (servern behöver kunna skriva "
		    "i båda)%s.\n",
		    o->db_path, wrc == RC_DB_FULL ? ", och att disken inte är full" : "");
		pool_close(&app.pool);
		return 1;
	}
	/* The key file must be the database's own (keycheck.h), and the audit
	 * log's anchor must match its last entry, before anything is served. */
	if (keycheck_attach(app.pool.all[0], o->db_path, KEYCHECK_MAY_ADOPT, &app.vault, msg,
	                    sizeof msg, note, sizeof note) != RC_OK) {
		fprintf(stderr, "finsam: %s\n", msg);
		pool_close(&app.pool);
		return 1;
	}
	if (note[0])
		fprintf(stderr, "finsam: %s\n", note);
	for (size_t i = 0; i < app.pool.nall; i++)
		db_set_vault(app.pool.all[i], app.vault, 0);
	enum audit_anchor_state anchor;
	if (audit_anchor_check(app.pool.all[0], &anchor) != RC_OK ||
	    anchor == AUDIT_ANCHOR_BROKEN) {
		fprintf(stderr,
		        "finsam: granskningsloggens ankare stämmer inte med loggens sista post: "
		        "poster kan ha tagits bort eller ändrats utan nyckeln. Kör 'finsam audit "
		        "verify %s' och återställ databasen från en säkerhetskopia.\n",
		        o->db_path);
		pool_close(&app.pool);
		vault_close(app.vault);
		return 1;
	}

	/* Plans made with statistics of the database as it is now (a few
	 * hundred milliseconds at 5 000 000 participations, see "Storage"). */
	refresh_statistics(&app.pool);

	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	/* MHD_USE_AUTO: epoll on Linux, so hundreds of sockets cost little. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	const char *listen = o->listen ? o->listen : "127.0.0.1";
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, listen, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)o->port);
	} else if (inet_pton(AF_INET6, listen, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)o->port);
		flags |= MHD_USE_IPv6;
	} else {
		fprintf(stderr, "finsam: %s är ingen IP-adress att lyssna på.\n", listen);
		pool_close(&app.pool);
		vault_close(app.vault);
		return 2;
	}

	/* Idle connections are closed soon, and one address may hold only so
	 * many, so a client that opens hundreds of idle sockets cannot take
	 * every slot.  Behind a proxy every connection has the proxy's
	 * address: then no cap unless asked for (the proxy limits clients). */
	unsigned idle =
	    (unsigned)(o->idle_timeout > 0 ? o->idle_timeout : WEB_IDLE_TIMEOUT_DEFAULT);
	unsigned per_address = o->per_address > 0   ? (unsigned)o->per_address
	                       : o->per_address < 0 ? 0
	                       : o->behind_proxy    ? 0
	                                            : WEB_PER_ADDRESS_DEFAULT;
	if (static_build(&app) != 0) {
		fprintf(stderr, "finsam: minnet räckte inte för att starta servern.\n");
		static_free(&app);
		pool_close(&app.pool);
		vault_close(app.vault);
		return 1;
	}
	/* Each connection's memory (libmicrohttpd's pool, WEB_CONNECTION_MEMORY)
	 * is zeroed after every request on it: its size is paid per request
	 * and, for up to WEB_CONNECTIONS_MAX connections, in memory. */
	struct MHD_Daemon *d = MHD_start_daemon(
	    /* The logger first: libmicrohttpd logs while reading the options. */
	    flags, (uint16_t)o->port, NULL, NULL, on_request, &app, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, idle, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)WEB_CONNECTIONS_MAX, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONNECTION_MEMORY, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "finsam: kunde inte lyssna på %s port %d (upptagen?).\n", listen,
		        o->port);
		static_free(&app);
		pool_close(&app.pool);
		vault_close(app.vault);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "finsam: serverar %s på http://%s%s%s:%d/\n", o->db_path,
	        strchr(listen, ':') ? "[" : "", listen, strchr(listen, ':') ? "]" : "", o->port);
	time_t next_statistics = time(NULL) + STATISTICS_EVERY_SECONDS;
	while (!stop_requested) {
		sleep(1); /* a signal ends the sleep early */
		if (time(NULL) >= next_statistics) {
			refresh_statistics(&app.pool);
			next_statistics = time(NULL) + STATISTICS_EVERY_SECONDS;
		}
	}
	fprintf(stderr, "finsam: stänger\n");
	MHD_stop_daemon(d);
	static_free(&app);
	pool_close(&app.pool);
	vault_close(app.vault);
	return 0;
}
