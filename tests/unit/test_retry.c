/*
 * test_retry.c — every write function in core is safe to retry.
 *
 * db_tx may run its callback more than once (db.h, the transaction rule).
 * This table holds one row per write function of src/core/ (every exported
 * function that reaches db_tx; scripts/check-retry-table lists them and
 * fails the build for one without a row).  For each row:
 *
 *   1. setup() builds the fixture once (hook off) into a template file; the
 *      vault key and the actor's clock are fixed, so the fixture is the same
 *      every time;
 *   2. run() calls the function once on a copy of the template: the clean
 *      result (rc, and the text run() writes into fx->out — ids and other
 *      results the caller is handed) and the database state (every row of
 *      every table) are the reference; a second clean run on another copy
 *      finds the columns that legitimately differ between runs (see
 *      "Volatile columns" below);
 *   3. for n = 1, 2, … a fresh copy, db_test_fail_step(db, n) — the n-th step
 *      inside a transaction fails as busy/serialization failure, db_tx rolls
 *      back and runs the callback again — then run(): the rc, fx->out and
 *      the state must equal the clean run's.  The loop stops when the hook
 *      no longer fires (n is past the last step of the clean run).  Rows
 *      with more than MAX_FULL steps (demo_create: some 48 000) are
 *      sampled — the first 4, 4 spread evenly, the last 2: each run is the
 *      whole demo — and say so in the output; RETRY_FULL=1 in the
 *      environment tries every step.
 *
 * Volatile columns: a column whose value differs between two clean runs
 * (random tokens and their hashes, password hashes, sealed identities
 * with their random nonces) is compared only for NULL or not; the test
 * prints which columns those were.  A cell holding the wall clock (a time
 * within a day of now: a function that reads time(NULL) instead of the
 * actor's clock) is compared as "<now>".
 *
 * ADDING A ROW: write setup_X (may be NULL) and run_X, and add
 * RETRY(function_name, setup_X, run_X) to the table at the end.  run_X
 * calls the function once with fx->who and records what the caller is
 * handed in fx->out (out_printf).  A write that is reached only through
 * another function (audit_append inside a caller's transaction) is a row
 * RETRY_EXTRA(name, setup, run), which the build check does not require.
 */
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"
#include "core/audit.h"
#include "core/codes.h"
#include "core/demo.h"
#include "core/keycheck.h"
#include "core/org.h"
#include "core/auth.h"
#include "core/import.h"
#include "core/intervention.h"
#include "core/participation.h"
#include "core/personal_data.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/str.h"

/* 2025-03-14 10:00:00 UTC: the fixture's clock, far from the wall clock. */
#define FIXTURE_NOW 1741946400
#define MAX_FULL    300

struct fx {
	struct db *db;
	struct actor who;
	int64_t id[8]; /* ids setup() made, for run() */
	char out[512]; /* what run() was handed, compared between runs */
};

static void out_printf(struct fx *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct fx *fx, const char *fmt, ...)
{
	size_t len = strlen(fx->out);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fx->out + len, sizeof fx->out - len, fmt, ap);
	va_end(ap);
}

typedef void (*setup_fn)(struct fx *fx);
typedef enum rc (*run_fn)(struct fx *fx);

struct retry_row {
	const char *name;
	setup_fn setup;
	run_fn run;
	int version; /* the template's schema version; 0 = the newest */
};
#define RETRY(fn, setup, run)      \
	{                          \
#fn, setup, run, 0 \
	}
/* A row whose template is a database an older release left (version v):
 * opening the copy migrates it before the run. */
#define RETRY_AT(fn, v, setup, run) \
	{                           \
#fn, setup, run, v  \
	}
#define RETRY_EXTRA(fn, setup, run) \
	{                           \
#fn, setup, run, 0  \
	}

/* ---- fixture files ---- */

static char dir[64];

static void attach_fixed_vault(struct db *db)
{
	unsigned char key[32];
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)(i * 7 + 1);
	struct vault *v;
	assert_int_equal(vault_from_key(key, &v), RC_OK);
	db_set_vault(db, v, 1);
}

static void remove_db(const char *path)
{
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char b[65536];
	size_t n;
	while ((n = fread(b, 1, sizeof b, in)) > 0)
		assert_int_equal(fwrite(b, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static struct db *open_path(const char *path, int create)
{
	struct db *db;
	char err[300] = "";
	if (db_open(path, create ? DB_OPEN_CREATE : DB_OPEN_EXISTING, &db, err, sizeof err)) {
		print_error("open %s: %s\n", path, err);
		fail();
	}
	attach_fixed_vault(db);
	return db;
}

static void init_fx(struct fx *fx, struct db *db)
{
	fx->db = db;
	fx->who = (struct actor){1, "test", "127.0.0.1", ROLE_ADMIN, FIXTURE_NOW};
	fx->out[0] = '\0';
}

/* Builds the row's template: a new database, then setup(). */
static void build_template(const struct retry_row *row, const char *tpl, struct fx *fx)
{
	remove_db(tpl);
	struct db *db;
	if (row->version) {
		char err[300] = "";
		assert_int_equal(db_open_at_version(tpl, row->version, &db, err, sizeof err),
		                 RC_OK);
		attach_fixed_vault(db);
	} else {
		db = open_path(tpl, 1);
	}
	init_fx(fx, db);
	memset(fx->id, 0, sizeof fx->id);
	if (row->setup)
		row->setup(fx);
	db_close(db); /* checkpoints: the template is one file */
	struct stat st;
	snprintf(fx->out, sizeof fx->out, "%s-wal", tpl);
	assert_true(stat(fx->out, &st) != 0 || st.st_size == 0);
	fx->out[0] = '\0';
}

/* ---- snapshots ---- */

struct snap_row {
	const char *table;
	int ncols;
	const char **cols;
	const char **vals; /* NULL for SQL NULL */
};

struct snap {
	struct arena *a;
	struct snap_row *rows;
	size_t n, cap;
};

static int near_now(const char *v)
{
	time_t now = time(NULL);
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, s = 0;
	if (strlen(v) >= 10 && sscanf(v, "%4d-%2d-%2d", &y, &mo, &d) == 3 && v[4] == '-' &&
	    v[7] == '-') {
		if (strlen(v) >= 19)
			sscanf(v + 11, "%2d:%2d:%2d", &h, &mi, &s);
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
		time_t t = timegm(&tm);
		return t > now - 2 * 86400 && t < now + 2 * 86400;
	}
	char *end;
	long long n = strtoll(v, &end, 10);
	return *v && !*end && n > (long long)now - 86400 && n < (long long)now + 86400;
}

/* Every row of every table of the database file at path, tables by name,
 * rows in storage order. */
static void snapshot(const char *path, struct snap *sn)
{
	memset(sn, 0, sizeof *sn);
	sn->a = arena_new(0);
	sqlite3 *h;
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *tq;
	assert_int_equal(sqlite3_prepare_v2(h,
	                                    "SELECT name FROM sqlite_master WHERE type = 'table'"
	                                    " AND name NOT LIKE 'sqlite_%' ORDER BY name",
	                                    -1, &tq, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(tq) == SQLITE_ROW) {
		const char *table = arena_strdup(sn->a, (const char *)sqlite3_column_text(tq, 0));
		struct buf b;
		buf_init(&b, 4096);
		buf_puts(&b, "SELECT * FROM \"");
		buf_puts(&b, table);
		buf_puts(&b, "\"");
		sqlite3_stmt *rq;
		assert_int_equal(sqlite3_prepare_v2(h, buf_cstr(&b), -1, &rq, NULL), SQLITE_OK);
		buf_release(&b);
		int nc = sqlite3_column_count(rq);
		const char **cols = arena_alloc(sn->a, sizeof *cols * (size_t)(nc ? nc : 1));
		for (int i = 0; i < nc; i++)
			cols[i] = arena_strdup(sn->a, sqlite3_column_name(rq, i));
		int s;
		while ((s = sqlite3_step(rq)) == SQLITE_ROW) {
			sn->rows = arena_grow(sn->a, sn->rows, &sn->cap, sn->n, sizeof *sn->rows);
			assert_non_null(sn->rows);
			struct snap_row *r = &sn->rows[sn->n++];
			r->table = table;
			r->ncols = nc;
			r->cols = cols;
			r->vals = arena_alloc(sn->a, sizeof *r->vals * (size_t)(nc ? nc : 1));
			for (int i = 0; i < nc; i++) {
				const char *v = (const char *)sqlite3_column_text(rq, i);
				r->vals[i] = v && near_now(v) ? "<now>" : arena_strdup(sn->a, v);
			}
		}
		assert_int_equal(s, SQLITE_DONE);
		sqlite3_finalize(rq);
	}
	sqlite3_finalize(tq);
	sqlite3_close(h);
}

#define MAX_VOLATILE 64
struct volatile_cols {
	int n;
	char name[MAX_VOLATILE][96];
};

static int is_volatile(const struct volatile_cols *vc, const char *table, const char *col)
{
	char k[96];
	snprintf(k, sizeof k, "%s.%s", table, col);
	for (int i = 0; i < vc->n; i++)
		if (strcmp(vc->name[i], k) == 0)
			return 1;
	return 0;
}

static int same(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Compares b with the reference a; returns 0 and describes the first
 * difference in why, or 1.  With learn set, a column that differs becomes
 * volatile instead (two clean runs). */
static int compare(const struct snap *a, const struct snap *b, struct volatile_cols *vc, int learn,
                   char *why, size_t whylen)
{
	if (a->n != b->n) {
		/* Find the first table whose row count differs. */
		size_t i = 0;
		while (i < a->n && i < b->n && strcmp(a->rows[i].table, b->rows[i].table) == 0)
			i++;
		snprintf(why, whylen,
		         "%zu rows in all instead of %zu (first difference in table %s)", b->n,
		         a->n,
		         i < a->n   ? a->rows[i].table
		         : i < b->n ? b->rows[i].table
		                    : "?");
		return 0;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct snap_row *x = &a->rows[i], *y = &b->rows[i];
		if (strcmp(x->table, y->table) != 0) {
			snprintf(why, whylen, "row %zu is in %s instead of %s", i, y->table,
			         x->table);
			return 0;
		}
		for (int c = 0; c < x->ncols; c++) {
			if (same(x->vals[c], y->vals[c]))
				continue;
			if (is_volatile(vc, x->table, x->cols[c])) {
				if (!x->vals[c] == !y->vals[c])
					continue;
			} else if (learn && vc->n < MAX_VOLATILE) {
				snprintf(vc->name[vc->n++], sizeof vc->name[0], "%s.%s", x->table,
				         x->cols[c]);
				continue;
			}
			snprintf(why, whylen, "%s.%s is '%s' instead of '%s'", x->table, x->cols[c],
			         y->vals[c] ? y->vals[c] : "NULL",
			         x->vals[c] ? x->vals[c] : "NULL");
			return 0;
		}
	}
	return 1;
}

/* ---- one run ---- */

struct result {
	enum rc rc;
	int fired;
	int steps; /* steps inside transactions (only when counting) */
	char out[512];
	struct snap snap;
};

#define COUNT_STEPS 1000000000

/* Copies the template, arms the hook (nth 0: off; COUNT_STEPS: count
 * without failing), runs the row, snapshots the result. */
static void run_once(const struct retry_row *row, const char *tpl, const char *path,
                     const struct fx *proto, int nth, struct result *res)
{
	remove_db(path);
	copy_file(tpl, path);
	struct db *db = open_path(path, 0);
	struct fx fx = *proto;
	init_fx(&fx, db);
	db_test_fail_step(db, nth);
	res->rc = row->run(&fx);
	int left = db_test_fail_pending(db);
	res->fired = nth > 0 && left == 0;
	res->steps = nth == COUNT_STEPS ? COUNT_STEPS - left : 0;
	db_test_fail_step(db, 0);
	str_copy(res->out, sizeof res->out, fx.out);
	db_close(db);
	snapshot(path, &res->snap);
}

static int want_step(int n, int steps)
{
	static int full = -1;
	if (full < 0)
		full = getenv("RETRY_FULL") != NULL;
	if (full || steps <= MAX_FULL || n <= 4 || n > steps - 2)
		return 1;
	return n % (steps / 5 + 1) == 0;
}

static void check_row(const struct retry_row *row)
{
	char tpl[128], path[128], why[512];
	snprintf(tpl, sizeof tpl, "%s/template.db", dir);
	snprintf(path, sizeof path, "%s/run.db", dir);
	struct fx proto;
	build_template(row, tpl, &proto);

	struct result ref, again, r;
	run_once(row, tpl, path, &proto, COUNT_STEPS, &ref);
	run_once(row, tpl, path, &proto, 0, &again);
	struct volatile_cols vc = {0};
	if (!compare(&ref.snap, &again.snap, &vc, 1, why, sizeof why) || ref.rc != again.rc ||
	    strcmp(ref.out, again.out) != 0) {
		print_error("%s: two clean runs differ: %s (rc %d/%d, out '%s'/'%s')\n", row->name,
		            why, ref.rc, again.rc, ref.out, again.out);
		fail();
	}
	arena_free(again.snap.a);
	printf("[ retry    ] %s: rc %d, %d steps%s", row->name, ref.rc, ref.steps,
	       ref.steps > MAX_FULL ? " (sampled)" : "");
	for (int i = 0; i < vc.n; i++)
		printf("%s%s", i ? ", " : "; volatile: ", vc.name[i]);
	if (ref.out[0])
		printf("; handed out: %s", ref.out);
	printf("\n");
	if (ref.steps == 0) {
		print_error(
		    "%s: the clean run made no step inside a transaction: is this a write?\n",
		    row->name);
		fail();
	}

	int n;
	for (n = 1;; n++) {
		if (n <= ref.steps && !want_step(n, ref.steps))
			continue;
		run_once(row, tpl, path, &proto, n, &r);
		if (!r.fired) {
			arena_free(r.snap.a);
			break;
		}
		int ok = compare(&ref.snap, &r.snap, &vc, 0, why, sizeof why);
		if (ok && r.rc != ref.rc) {
			snprintf(why, sizeof why, "returned rc %d instead of %d", r.rc, ref.rc);
			ok = 0;
		}
		if (ok && strcmp(r.out, ref.out) != 0) {
			snprintf(why, sizeof why, "handed out '%.200s' instead of '%.200s'", r.out,
			         ref.out);
			ok = 0;
		}
		arena_free(r.snap.a);
		if (!ok) {
			print_error("%s: with step %d of %d failing busy: %s\n", row->name, n,
			            ref.steps, why);
			fail();
		}
	}
	/* The hook fires exactly for the steps of the clean run. */
	assert_int_equal(n, ref.steps + 1);
	arena_free(ref.snap.a);
	remove_db(tpl);
	remove_db(path);
}

/* ---- rows: audit and the key check (db) ---- */

static enum rc append_tx(struct db *db, void *ctx)
{
	struct fx *fx = ctx;
	enum rc rc = audit_append(db, &fx->who, "update", "member", 7, "namn");
	return rc ? rc : audit_append(db, &fx->who, "update", "member", 8, "");
}

static void setup_audit_chain(struct fx *fx)
{
	struct keycheck_result kr;
	assert_int_equal(keycheck_run(fx->db, db_vault(fx->db), &kr), RC_OK);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(db_tx(fx->db, append_tx, fx), RC_OK);
}

/* Two entries in one transaction, after a chain of six. */
static enum rc run_audit_append(struct fx *fx)
{
	enum rc rc = db_tx(fx->db, append_tx, fx);
	int64_t n, bad;
	if (!rc && (rc = audit_verify(fx->db, &n, &bad)) == RC_OK)
		out_printf(fx, "entries %lld", (long long)n);
	return rc;
}

/* A database from before the key check adopts the key: the check and the
 * anchor of the empty log are written in one transaction. */
static enum rc run_keycheck_run(struct fx *fx)
{
	struct keycheck_result kr = {0};
	enum rc rc = keycheck_run(fx->db, db_vault(fx->db), &kr);
	out_printf(fx, "outcome %d", (int)kr.outcome);
	return rc;
}

static enum rc run_keycheck_check(struct fx *fx)
{
	struct keycheck_result kr = {0};
	enum rc rc = keycheck_check(fx->db, db_vault(fx->db), KEYCHECK_MAY_ADOPT, &kr);
	out_printf(fx, "outcome %d", (int)kr.outcome);
	return rc;
}

/* ---- rows: personal data (personal) ---- */

/* A synthetic personnummer from nine digits plus its check digit. */
static void personal_pnr(const char *nine, char out[14])
{
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		int v = nine[i] - '0';
		if (i % 2 == 0 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	snprintf(out, 14, "%.6s-%.3s%d", nine, nine + 6, (10 - sum % 10) % 10);
}

/* The deltagaransvarig of the fixture's first insats (user fx->id[2]). */
static struct actor personal_caseworker(const struct fx *fx)
{
	return (struct actor){fx->id[2], "dr", "127.0.0.1", ROLE_CASEWORKER, FIXTURE_NOW};
}

/* A förbund (id[0]) with two insatser (id[1] staffed by the caseworker
 * id[2], id[5] by nobody); the same person referred with consent in both
 * (id[3] in the first, id[6] in the second); an anonymous participation
 * id[4] in the first. */
static void setup_personal(struct fx *fx)
{
	struct keycheck_result kr;
	struct field_error e = {0};
	assert_int_equal(keycheck_run(fx->db, db_vault(fx->db), &kr), RC_OK);
	assert_int_equal(org_association_create(fx->db, &fx->who, "Förbundet", &fx->id[0], &e),
	                 RC_OK);
	struct area k = {0};
	k.association_id = fx->id[0];
	k.kind = "kommun";
	k.name = "Ekeby";
	assert_int_equal(org_area_save(fx->db, &fx->who, &k, &e), RC_OK);
	const char *names[] = {"Steget vidare", "Ungdomsspåret"};
	int64_t *ids[] = {&fx->id[1], &fx->id[5]};
	for (int i = 0; i < 2; i++) {
		struct intervention x = {0};
		x.association_id = fx->id[0];
		x.name = names[i];
		x.orientation = "individ";
		x.method = "person";
		x.start_on = "2024-01-01";
		assert_int_equal(intervention_save(fx->db, &fx->who, &x, &e), RC_OK);
		*ids[i] = x.id;
	}
	assert_int_equal(auth_user_add(fx->db, &fx->who, "dr", "Del Ansvarig", ROLE_CASEWORKER,
	                               "langt-losenord", &fx->id[2], &e),
	                 RC_OK);
	assert_int_equal(intervention_staff_set(fx->db, &fx->who, fx->id[1], fx->id[2],
	                                        "deltagaransvarig", 1, &e),
	                 RC_OK);
	char pnr[14];
	personal_pnr("900101238", pnr);
	struct referral r = {0};
	r.intervention_id = fx->id[1];
	r.referred_on = "2025-03-01";
	r.source = "fk";
	r.home_area_id = k.id;
	r.pnr = pnr;
	r.name = "Testa Testsson";
	r.consent_on = "2025-03-01";
	r.consent_form = "2024:1";
	struct actor cli = {0, "cli", "cli", ROLE_ADMIN, FIXTURE_NOW};
	assert_int_equal(participation_refer(fx->db, db_vault(fx->db), &cli, &r, &fx->id[3], &e),
	                 RC_OK);
	r.intervention_id = fx->id[5];
	assert_int_equal(participation_refer(fx->db, db_vault(fx->db), &cli, &r, &fx->id[6], &e),
	                 RC_OK);
	struct referral anon = {0};
	anon.intervention_id = fx->id[1];
	anon.referred_on = "2025-02-01";
	anon.source = "egen";
	anon.sex = "K";
	assert_int_equal(participation_refer(fx->db, db_vault(fx->db), &cli, &anon, &fx->id[4], &e),
	                 RC_OK);
}

static enum rc run_personal_withdraw_consent(struct fx *fx)
{
	struct actor dr = personal_caseworker(fx);
	struct field_error e = {0};
	return personal_withdraw_consent(fx->db, &dr, fx->id[3], "2025-03-10", &e);
}

/* Protection of a person who also has a participation elsewhere: the
 * caller's is erased and a request goes to the administrator. */
static enum rc run_personal_protect(struct fx *fx)
{
	struct actor dr = personal_caseworker(fx);
	return personal_protect(fx->db, &dr, fx->id[3]);
}

static enum rc run_personal_consent_add(struct fx *fx)
{
	struct actor dr = personal_caseworker(fx);
	struct field_error e = {0};
	char pnr[14];
	personal_pnr("850615113", pnr);
	struct consent_in in = {"2025-03-05", "2024:1", pnr, "Annan Person"};
	return personal_consent_add(fx->db, db_vault(fx->db), &dr, fx->id[4], &in, &e);
}

/* The protection request from a caseworker, then applied everywhere. */
static void setup_personal_request(struct fx *fx)
{
	setup_personal(fx);
	struct actor dr = personal_caseworker(fx);
	assert_int_equal(personal_protect(fx->db, &dr, fx->id[3]), RC_OK);
	struct arena *a = arena_new(0);
	struct protect_request *req;
	size_t n;
	assert_int_equal(personal_protect_requests(fx->db, a, &fx->who, fx->id[0], &req, &n),
	                 RC_OK);
	assert_int_equal(n, 1);
	fx->id[7] = req[0].id;
	arena_free(a);
}

static enum rc run_personal_protect_apply(struct fx *fx)
{
	size_t erased = 99;
	enum rc rc = personal_protect_apply(fx->db, &fx->who, fx->id[7], &erased);
	out_printf(fx, "erased %zu", erased);
	return rc;
}

/* The audited looks: what is handed out, and one audit entry. */
static enum rc run_personal_identity(struct fx *fx)
{
	struct actor dr = personal_caseworker(fx);
	struct arena *a = arena_new(0);
	const char *pnr = NULL, *name = NULL;
	enum rc rc =
	    personal_identity(fx->db, db_vault(fx->db), &dr, fx->id[3], "kontakt", a, &pnr, &name);
	out_printf(fx, "%s %s", pnr ? pnr : "-", name ? name : "-");
	arena_free(a);
	return rc;
}

static enum rc run_personal_find_by_pnr(struct fx *fx)
{
	struct actor dr = personal_caseworker(fx);
	struct arena *a = arena_new(0);
	struct field_error e = {0};
	struct participation *out;
	size_t n;
	char pnr[14];
	personal_pnr("900101238", pnr);
	enum rc rc = personal_find_by_pnr(fx->db, db_vault(fx->db), &dr, fx->id[0], pnr, "kontakt",
	                                  a, &out, &n, &e);
	out_printf(fx, "%zu:", n);
	for (size_t i = 0; i < n; i++)
		out_printf(fx, " %lld %s", (long long)out[i].id, out[i].intervention_name);
	arena_free(a);
	return rc;
}

static enum rc run_personal_extract(struct fx *fx)
{
	struct arena *a = arena_new(0);
	struct field_error e = {0};
	struct register_extract x;
	char pnr[14];
	personal_pnr("900101238", pnr);
	enum rc rc = personal_extract(fx->db, db_vault(fx->db), &fx->who, pnr, a, &x, &e);
	out_printf(fx, "%s %s %zu:", x.pnr, x.name ? x.name : "-", x.nparts);
	for (size_t i = 0; i < x.nparts; i++)
		out_printf(fx, " %lld/%zu/%zu/%zu", (long long)x.parts[i].id, x.parts[i].nconsents,
		           x.parts[i].nhistory, x.parts[i].nanswers);
	arena_free(a);
	return rc;
}

/* ---- rows: accounts, sessions, API keys, import, key file (auth) ---- */

#define RETRY_PW "ett-bra-losenord"
/* A session and an API key whose text the tests know; only their SHA-256
 * is stored, as auth.c does. */
static const char fixed_session[] = "SESSIONSESSIONSESSIONSESSIONSESSIONSESSION1";
static const char fixed_key[] = "APIKEYAPIKEYAPIKEYAPIKEYAPIKEYAPIKEYAPIKEY1";

/* An account "anna" (fx->id[0]) with a live session of fixed_session
 * (fx->id[1]), last used ten minutes before the fixture's now. */
static void setup_account(struct fx *fx)
{
	crypto_set_test_cost(1);
	struct field_error e;
	assert_int_equal(auth_user_add(fx->db, &fx->who, "anna", "Anna Berg", ROLE_DIRECTOR,
	                               RETRY_PW, &fx->id[0], &e),
	                 RC_OK);
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_sha256_hex(fixed_session, strlen(fixed_session), h);
	struct db_stmt *q;
	assert_int_equal(
	    db_prepare(
	        fx->db,
	        "INSERT INTO session (token_hash, user_id, csrf_token, created_at, last_seen)"
	        " VALUES ($1, $2, 'csrf', $3, $3) RETURNING id",
	        &q),
	    RC_OK);
	db_bind_text(q, 1, h);
	db_bind_int64(q, 2, fx->id[0]);
	db_bind_int64(q, 3, FIXTURE_NOW - 600);
	assert_int_equal(db_one_int64(q, &fx->id[1]), RC_OK);
}

/* An API key of fixed_key (fx->id[2]), never used. */
static void setup_account_and_key(struct fx *fx)
{
	setup_account(fx);
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_sha256_hex(fixed_key, strlen(fixed_key), h);
	struct db_stmt *q;
	assert_int_equal(db_prepare(fx->db,
	                            "INSERT INTO api_token (name, token_hash, role, created_at)"
	                            " VALUES ('Ekonomi', $1, 'api', '2025-01-01T00:00:00Z')"
	                            " RETURNING id",
	                            &q),
	                 RC_OK);
	db_bind_text(q, 1, h);
	assert_int_equal(db_one_int64(q, &fx->id[2]), RC_OK);
}

static enum rc run_auth_user_add(struct fx *fx)
{
	struct field_error e = {0};
	int64_t id = 0;
	enum rc rc = auth_user_add(fx->db, &fx->who, "ny.person", "Ny Person", ROLE_AUDITOR,
	                           RETRY_PW, &id, &e);
	out_printf(fx, "id %lld", (long long)id);
	return rc;
}

static enum rc run_auth_user_add_hashed(struct fx *fx)
{
	struct field_error e = {0};
	int64_t id = 0;
	enum rc rc = auth_user_add_hashed(fx->db, &fx->who, "ny.person", "Ny Person", ROLE_AUDITOR,
	                                  "$argon2id$v=19$m=8,t=1,p=1$fast$hash", &id, &e);
	out_printf(fx, "id %lld", (long long)id);
	return rc;
}

/* The same name twice: the second add is refused as taken, every run. */
static enum rc run_auth_user_add_taken(struct fx *fx)
{
	struct field_error e = {0};
	enum rc rc =
	    auth_user_add(fx->db, &fx->who, "anna", "Anna Igen", ROLE_AUDITOR, RETRY_PW, NULL, &e);
	out_printf(fx, "field %s", e.field);
	return rc;
}

static enum rc run_auth_user_passwd(struct fx *fx)
{
	struct field_error e = {0};
	return auth_user_passwd(fx->db, &fx->who, "anna", "ett-nytt-losenord", &e);
}

static enum rc run_auth_user_set_disabled(struct fx *fx)
{
	return auth_user_set_disabled(fx->db, &fx->who, "anna", 1);
}

static enum rc run_auth_user_change_password(struct fx *fx)
{
	struct actor anna = {fx->id[0], "anna", "127.0.0.1", ROLE_DIRECTOR, FIXTURE_NOW};
	struct field_error e = {0};
	return auth_user_change_password(fx->db, &anna, fx->id[1], RETRY_PW, "ett-nytt-losenord",
	                                 &e);
}

static enum rc run_auth_login(struct fx *fx)
{
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p = {0};
	enum rc rc = auth_login(fx->db, "anna", RETRY_PW, "10.0.0.1", FIXTURE_NOW, tok, &p);
	out_printf(fx, "session %lld user %lld token %zu csrf %zu", (long long)p.session_id,
	           (long long)p.user_id, strlen(tok), strlen(p.csrf));
	return rc;
}

/* A wrong password: the failure counters and the audit entry, every run. */
static enum rc run_auth_login_failed(struct fx *fx)
{
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p = {0};
	enum rc rc = auth_login(fx->db, "anna", "fel-losenord", "10.0.0.1", FIXTURE_NOW, tok, &p);
	out_printf(fx, "token %zu", strlen(tok));
	return rc;
}

/* The touch: last used ten minutes ago, so the lookup writes. */
static enum rc run_auth_session_lookup(struct fx *fx)
{
	struct principal p = {0};
	enum rc rc = auth_session_lookup(fx->db, fixed_session, FIXTURE_NOW, &p);
	out_printf(fx, "session %lld user %lld", (long long)p.session_id, (long long)p.user_id);
	return rc;
}

static enum rc run_auth_logout(struct fx *fx)
{
	struct actor anna = {fx->id[0], "anna", "127.0.0.1", ROLE_DIRECTOR, FIXTURE_NOW};
	return auth_logout(fx->db, &anna, fixed_session);
}

static enum rc run_auth_token_create(struct fx *fx)
{
	char tok[CRYPTO_TOKEN_LEN + 1];
	int64_t id = 0;
	struct field_error e = {0};
	enum rc rc = auth_token_create(fx->db, &fx->who, "Ekonomi", ROLE_API, tok, &id, &e);
	out_printf(fx, "id %lld token %zu", (long long)id, strlen(tok));
	return rc;
}

static enum rc run_auth_token_revoke(struct fx *fx)
{
	return auth_token_revoke(fx->db, &fx->who, fx->id[2]);
}

/* The first use: recorded. */
static enum rc run_auth_token_lookup(struct fx *fx)
{
	struct principal p = {0};
	enum rc rc = auth_token_lookup(fx->db, fixed_key, FIXTURE_NOW, &p);
	out_printf(fx, "key %lld %s", (long long)p.token_id, p.name);
	return rc;
}

/* A förbund with an insats and a kommun (fx->id[0]: the förbund). */
static void setup_import(struct fx *fx)
{
	struct field_error e;
	assert_int_equal(org_association_create(fx->db, &fx->who, "Förbundet", &fx->id[0], &e),
	                 RC_OK);
	struct area k = {0};
	k.association_id = fx->id[0];
	k.kind = "kommun";
	k.name = "Ekeby";
	assert_int_equal(org_area_save(fx->db, &fx->who, &k, &e), RC_OK);
	struct intervention x = {0};
	x.association_id = fx->id[0];
	x.name = "Steget vidare";
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(fx->db, &fx->who, &x, &e), RC_OK);
}

static const char import_file[] =
    "Insats;Anmäld;Anmäld av;Kön;Hemkommun;Startdatum;Försörjning före;Sysselsättning före;"
    "Slutdatum;Avslutsorsak\n"
    "Steget vidare;2025-01-10;FK;K;Ekeby;2025-02-01;Försörjningsstöd;övrigt;2025-03-01;arbete\n"
    "Steget vidare;2025-01-11;AF;M;;;;;;\n";

/* The command line's administrator, who may register in any insats. */
static const struct actor import_actor = {0, "cli", "cli", ROLE_ADMIN, FIXTURE_NOW};

static void import_out(struct fx *fx, enum rc rc, const struct import_result *r)
{
	out_printf(fx, "rows %zu starts %zu ends %zu errors %zu", r->rows, r->starts, r->ends,
	           r->errors_total);
	if (rc && r->nerrors)
		out_printf(fx, ": %s", r->errors[0].message);
}

static enum rc run_import_participations(struct fx *fx)
{
	struct arena *a = arena_new(0);
	struct import_result r;
	enum rc rc =
	    import_participations(fx->db, db_vault(fx->db), &import_actor, fx->id[0],
	                          "deltagare.csv", import_file, strlen(import_file), a, &r);
	import_out(fx, rc, &r);
	arena_free(a);
	return rc;
}

static ssize_t mem_read(void *ctx, char *buf, size_t n)
{
	return csv_mem_read(ctx, buf, n);
}

static int mem_rewind(void *ctx)
{
	((struct csv_mem *)ctx)->pos = 0;
	return 0;
}

static enum rc run_import_participations_from(struct fx *fx)
{
	struct arena *a = arena_new(0);
	struct import_result r;
	struct csv_mem m = {import_file, strlen(import_file), 0};
	struct import_input in = {mem_read, mem_rewind, &m, 0, 0, "deltagare.csv"};
	enum rc rc = import_participations_from(fx->db, db_vault(fx->db), &import_actor, fx->id[0],
	                                        &in, a, &r);
	import_out(fx, rc, &r);
	arena_free(a);
	return rc;
}

/* The key file beside the run's copy holds the fixture's key, so
 * keycheck_attach adopts it in a database from before the check. */
static void setup_keyfile(struct fx *fx)
{
	(void)fx;
	char path[160], hex[80];
	snprintf(path, sizeof path, "%s/run.db.key", dir);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned)(i * 7 + 1) & 0xffu);
	unlink(path);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", hex);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

static enum rc run_keycheck_attach(struct fx *fx)
{
	char path[160], msg[600], note[600];
	snprintf(path, sizeof path, "%s/run.db", dir);
	struct vault *v = NULL;
	enum rc rc = keycheck_attach(fx->db, path, KEYCHECK_MAY_ADOPT, &v, msg, sizeof msg, note,
	                             sizeof note);
	out_printf(fx, "%s%s", msg, note);
	if (v)
		db_set_vault(fx->db, v, 1); /* released with the connection */
	return rc;
}

/* ---- rows: participations (part) ---- */

/* A synthetic personnummer from nine digits plus its check digit. */
static void part_pnr(const char *nine, char out[14])
{
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		int v = nine[i] - '0';
		if (i % 2 == 0 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	snprintf(out, 14, "%.6s-%.3s%d", nine, nine + 6, (10 - sum % 10) % 10);
}

/* The deltagaransvarig of the fixture's insats (user fx->id[2]). */
static struct actor part_caseworker(const struct fx *fx)
{
	return (struct actor){fx->id[2], "dr", "127.0.0.1", ROLE_CASEWORKER, FIXTURE_NOW};
}

static const struct answer part_start_answers[] = {
    {"support", "forsorjningsstod", 100},
    {"employment", "ovrigt", -1},
};
static const struct answer part_end_answers[] = {
    {"support", "lon", 100},
    {"employment", "forvarvsarbete", -1},
};

/* A förbund (id[0]) with a kommun (id[7]) and an insats (id[1]) whose
 * deltagaransvarig is id[2]; in it, anonymous participations id[3]
 * (queued), id[4] (active) and id[5] (ended). */
static void setup_part(struct fx *fx)
{
	struct keycheck_result kr;
	struct field_error e = {0};
	assert_int_equal(keycheck_run(fx->db, db_vault(fx->db), &kr), RC_OK);
	assert_int_equal(org_association_create(fx->db, &fx->who, "Förbundet", &fx->id[0], &e),
	                 RC_OK);
	struct area k = {0};
	k.association_id = fx->id[0];
	k.kind = "kommun";
	k.name = "Ekeby";
	assert_int_equal(org_area_save(fx->db, &fx->who, &k, &e), RC_OK);
	fx->id[7] = k.id;
	struct intervention x = {0};
	x.association_id = fx->id[0];
	x.name = "Steget vidare";
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(fx->db, &fx->who, &x, &e), RC_OK);
	fx->id[1] = x.id;
	assert_int_equal(auth_user_add(fx->db, &fx->who, "dr", "Del Ansvarig", ROLE_CASEWORKER,
	                               "langt-losenord", &fx->id[2], &e),
	                 RC_OK);
	assert_int_equal(intervention_staff_set(fx->db, &fx->who, fx->id[1], fx->id[2],
	                                        "deltagaransvarig", 1, &e),
	                 RC_OK);
	struct actor dr = part_caseworker(fx);
	for (int i = 3; i <= 5; i++) {
		struct referral r = {0};
		r.intervention_id = fx->id[1];
		r.referred_on = "2025-01-10";
		r.source = "egen";
		r.sex = i == 4 ? "M" : "K";
		r.home_area_id = fx->id[7];
		assert_int_equal(
		    participation_refer(fx->db, db_vault(fx->db), &dr, &r, &fx->id[i], &e), RC_OK);
	}
	struct registration s = {"2025-02-01", NULL, part_start_answers, 2};
	assert_int_equal(participation_start(fx->db, &dr, fx->id[4], &s, &e), RC_OK);
	assert_int_equal(participation_start(fx->db, &dr, fx->id[5], &s, &e), RC_OK);
	struct registration end = {"2025-03-01", "arbete", part_end_answers, 2};
	assert_int_equal(participation_end(fx->db, &dr, fx->id[5], &end, &e), RC_OK);
}

/* A referral with consent: the participation, its sealed identity, the
 * consent, the tally, the history and the audit entry in one. */
static enum rc run_participation_refer(struct fx *fx)
{
	struct actor dr = part_caseworker(fx);
	struct field_error e = {0};
	char pnr[14];
	part_pnr("900101238", pnr);
	struct referral r = {0};
	r.intervention_id = fx->id[1];
	r.referred_on = "2025-03-01";
	r.source = "fk";
	r.home_area_id = fx->id[7];
	r.pnr = pnr;
	r.name = "Testa Testsson";
	r.consent_on = "2025-03-01";
	r.consent_form = "2024:1";
	int64_t id = 0;
	enum rc rc = participation_refer(fx->db, db_vault(fx->db), &dr, &r, &id, &e);
	out_printf(fx, "id %lld", (long long)id);
	return rc;
}

/* A referral with a one-time key: the key is stored in the same
 * transaction, and the answer says it is not a replay. */
static enum rc run_participation_refer_once(struct fx *fx)
{
	struct actor dr = part_caseworker(fx);
	struct field_error e = {0};
	struct referral r = {0};
	r.intervention_id = fx->id[1];
	r.referred_on = "2025-03-02";
	r.source = "egen";
	r.sex = "M";
	r.once_key = "formular-nyckel-1";
	int64_t id = 0;
	int replayed = -1;
	enum rc rc =
	    participation_refer_once(fx->db, db_vault(fx->db), &dr, &r, &id, &replayed, &e);
	out_printf(fx, "id %lld replayed %d", (long long)id, replayed);
	return rc;
}

static enum rc run_participation_start(struct fx *fx)
{
	struct actor dr = part_caseworker(fx);
	struct field_error e = {0};
	struct registration s = {"2025-03-03", NULL, part_start_answers, 2};
	return participation_start(fx->db, &dr, fx->id[3], &s, &e);
}

static enum rc run_participation_end(struct fx *fx)
{
	struct actor dr = part_caseworker(fx);
	struct field_error e = {0};
	struct registration end = {"2025-03-10", "arbete", part_end_answers, 2};
	return participation_end(fx->db, &dr, fx->id[4], &end, &e);
}

static enum rc run_participation_cancel(struct fx *fx)
{
	struct actor dr = part_caseworker(fx);
	struct field_error e = {0};
	return participation_cancel(fx->db, &dr, fx->id[3], "2025-03-10", "felregistrering", &e);
}

/* A corrected end reason that takes the episode out of the statistics. */
static enum rc run_participation_correct(struct fx *fx)
{
	struct actor dr = part_caseworker(fx);
	struct field_error e = {0};
	return participation_correct(fx->db, &dr, fx->id[5], "end_reason", "felregistrering", &e);
}

static enum rc run_participation_attendance_set(struct fx *fx)
{
	struct actor dr = part_caseworker(fx);
	struct field_error e = {0};
	return participation_attendance_set(fx->db, &dr, fx->id[4], "2025-02", 456, &e);
}

/* ---- rows: code lists and the demo (db) ---- */

static enum rc run_codes_update(struct fx *fx)
{
	struct field_error e = {0};
	enum rc rc = codes_update(fx->db, &fx->who, "target_group", "unga_vuxna", "Unga", 0, &e);
	enum rc rc2 = codes_update(fx->db, &fx->who, "target_group", "ny_grupp", "Ny grupp", 1, &e);
	out_printf(fx, "rc2 %d", (int)rc2);
	return rc;
}

/* What `finsam init` leaves: the key check and a förbund. */
static void setup_init(struct fx *fx)
{
	struct keycheck_result kr;
	struct field_error e = {0};
	assert_int_equal(keycheck_run(fx->db, db_vault(fx->db), &kr), RC_OK);
	assert_int_equal(
	    org_association_create(fx->db, &fx->who, "Nytt samordningsförbund", NULL, &e), RC_OK);
}

/* The whole demo in one transaction: every rerun must store the same
 * people and participations. */
static enum rc run_demo_create(struct fx *fx)
{
	struct actor cli = {0, "cli", "cli", ROLE_ADMIN, FIXTURE_NOW};
	return demo_create(fx->db, db_vault(fx->db), &cli);
}

/* ---- rows: organisation and insatser (db, for core) ---- */

/* A förbund id[0]; kommun area id[1]; member kommun id[2]; body id[3];
 * person id[4]; insats id[5] (method volym); user id[6] (insatsansvarig
 * to be). */
static void setup_org(struct fx *fx)
{
	struct keycheck_result kr;
	struct field_error e = {0};
	assert_int_equal(keycheck_run(fx->db, db_vault(fx->db), &kr), RC_OK);
	assert_int_equal(org_association_create(fx->db, &fx->who, "Förbundet", &fx->id[0], &e),
	                 RC_OK);
	struct area k = {0};
	k.association_id = fx->id[0];
	k.kind = "kommun";
	k.name = "Ekeby";
	assert_int_equal(org_area_save(fx->db, &fx->who, &k, &e), RC_OK);
	fx->id[1] = k.id;
	struct member m = {0};
	m.association_id = fx->id[0];
	m.kind = "kommun";
	m.name = "Ekeby kommun";
	m.area_id = k.id;
	assert_int_equal(org_member_save(fx->db, &fx->who, &m, &e), RC_OK);
	fx->id[2] = m.id;
	struct body b = {0};
	b.association_id = fx->id[0];
	b.kind = "styrelse";
	b.name = "Styrelsen";
	assert_int_equal(org_body_save(fx->db, &fx->who, &b, &e), RC_OK);
	fx->id[3] = b.id;
	struct person p = {0};
	p.association_id = fx->id[0];
	p.name = "Per Persson";
	assert_int_equal(org_person_save(fx->db, &fx->who, &p, &e), RC_OK);
	fx->id[4] = p.id;
	struct intervention x = {0};
	x.association_id = fx->id[0];
	x.name = "Samverkansteam";
	x.orientation = "struktur";
	x.method = "volym";
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(fx->db, &fx->who, &x, &e), RC_OK);
	fx->id[5] = x.id;
	assert_int_equal(auth_user_add(fx->db, &fx->who, "ia", "Insats Ansvarig",
	                               ROLE_INTERVENTION_LEAD, "langt-losenord", &fx->id[6], &e),
	                 RC_OK);
}

static void err_out(struct fx *fx, enum rc rc, const struct field_error *e)
{
	if (rc == RC_INVALID)
		out_printf(fx, " field %s", e->field);
}

static enum rc run_org_association_create(struct fx *fx)
{
	struct field_error e = {0};
	int64_t id = 0;
	enum rc rc = org_association_create(fx->db, &fx->who, "Andra förbundet", &id, &e);
	out_printf(fx, "id %lld", (long long)id);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_org_association_update(struct fx *fx)
{
	struct field_error e = {0};
	struct association as = {fx->id[0], "Förbundet i Ekeby", "222000-0000"};
	enum rc rc = org_association_update(fx->db, &fx->who, &as, &e);
	err_out(fx, rc, &e);
	return rc;
}

/* Creates a stadsdel, then renames it: the create's id is handed out only
 * after commit, and the update finds it. */
static enum rc run_org_area_save(struct fx *fx)
{
	struct field_error e = {0};
	struct area a = {0};
	a.association_id = fx->id[0];
	a.kind = "stadsdel";
	a.name = "Norr";
	a.parent_id = fx->id[1];
	enum rc rc = org_area_save(fx->db, &fx->who, &a, &e);
	out_printf(fx, "id %lld", (long long)a.id);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	a.name = "Norra Ekeby";
	rc = org_area_save(fx->db, &fx->who, &a, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_org_member_save(struct fx *fx)
{
	struct field_error e = {0};
	struct member m = {0};
	m.association_id = fx->id[0];
	m.kind = "fk";
	m.name = "Försäkringskassan";
	m.joined_on = "2020-01-01";
	enum rc rc = org_member_save(fx->db, &fx->who, &m, &e);
	out_printf(fx, "id %lld", (long long)m.id);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	m.left_on = "2025-12-31";
	rc = org_member_save(fx->db, &fx->who, &m, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_org_population_set(struct fx *fx)
{
	struct field_error e = {0};
	enum rc rc = org_population_set(fx->db, &fx->who, fx->id[2], 2025, 12345, &e);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	rc = org_population_set(fx->db, &fx->who, fx->id[2], 2025, 12400, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_org_body_save(struct fx *fx)
{
	struct field_error e = {0};
	struct body b = {0};
	b.association_id = fx->id[0];
	b.kind = "beredningsgrupp";
	b.name = "Beredningsgruppen";
	enum rc rc = org_body_save(fx->db, &fx->who, &b, &e);
	out_printf(fx, "id %lld", (long long)b.id);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	b.description = "Bereder styrelsens ärenden.";
	rc = org_body_save(fx->db, &fx->who, &b, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_org_person_save(struct fx *fx)
{
	struct field_error e = {0};
	struct person p = {0};
	p.association_id = fx->id[0];
	p.name = "Anna Andersson";
	p.employer_member_id = fx->id[2];
	enum rc rc = org_person_save(fx->db, &fx->who, &p, &e);
	out_printf(fx, "id %lld", (long long)p.id);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	p.title = "Ordförande";
	rc = org_person_save(fx->db, &fx->who, &p, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_org_mandate_save(struct fx *fx)
{
	struct field_error e = {0};
	struct mandate m = {0};
	m.body_id = fx->id[3];
	m.person_id = fx->id[4];
	m.role = "ledamot";
	m.member_id = fx->id[2];
	m.start_on = "2025-01-01";
	enum rc rc = org_mandate_save(fx->db, &fx->who, &m, &e);
	out_printf(fx, "id %lld", (long long)m.id);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	m.end_on = "2026-12-31";
	rc = org_mandate_save(fx->db, &fx->who, &m, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_intervention_save(struct fx *fx)
{
	struct field_error e = {0};
	struct intervention x = {0};
	x.association_id = fx->id[0];
	x.name = "Steget vidare";
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2025-01-01";
	enum rc rc = intervention_save(fx->db, &fx->who, &x, &e);
	out_printf(fx, "id %lld", (long long)x.id);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	x.description = "Stöd till arbete.";
	rc = intervention_save(fx->db, &fx->who, &x, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_intervention_year_set(struct fx *fx)
{
	struct field_error e = {0};
	struct intervention_year y = {2025, 40, 500000, 0, -1, -1};
	enum rc rc = intervention_year_set(fx->db, &fx->who, fx->id[5], &y, &e);
	err_out(fx, rc, &e);
	if (rc)
		return rc;
	y.outcome_cost = 480000;
	y.outcome_esf_cost = 0;
	rc = intervention_year_set(fx->db, &fx->who, fx->id[5], &y, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_intervention_staff_set(struct fx *fx)
{
	struct field_error e = {0};
	enum rc rc =
	    intervention_staff_set(fx->db, &fx->who, fx->id[5], fx->id[6], "insatsansvarig", 1, &e);
	err_out(fx, rc, &e);
	return rc;
}

static enum rc run_intervention_volume_add(struct fx *fx)
{
	struct field_error e = {0};
	struct volume_count v = {0, "2025-01-01", "2025-03-31", 12, 9};
	enum rc rc = intervention_volume_add(fx->db, &fx->who, fx->id[5], &v, &e);
	err_out(fx, rc, &e);
	return rc;
}

/* The identity stored at referral (personal_store_identity, in the
 * referral's transaction): a caseworker refers a new person with consent. */
static enum rc run_personal_store_identity(struct fx *fx)
{
	struct actor dr = personal_caseworker(fx);
	struct field_error e = {0};
	char pnr[14];
	personal_pnr("850615113", pnr);
	struct referral r = {0};
	r.intervention_id = fx->id[1];
	r.referred_on = "2025-03-02";
	r.source = "fk";
	r.pnr = pnr;
	r.name = "Annan Person";
	r.consent_on = "2025-03-02";
	r.consent_form = "2024:1";
	int64_t id = 0;
	enum rc rc = participation_refer(fx->db, db_vault(fx->db), &dr, &r, &id, &e);
	out_printf(fx, "participation %lld", (long long)id);
	return rc;
}

static const struct retry_row rows[] = {
    RETRY_EXTRA(audit_append, setup_audit_chain, run_audit_append),
    RETRY_AT(keycheck_run, KEYCHECK_SCHEMA - 1, NULL, run_keycheck_run),
    RETRY_AT(keycheck_check, KEYCHECK_SCHEMA - 1, NULL, run_keycheck_check),
    RETRY(codes_update, NULL, run_codes_update),
    RETRY(demo_create, setup_init, run_demo_create),
    RETRY(org_association_create, setup_org, run_org_association_create),
    RETRY(org_association_update, setup_org, run_org_association_update),
    RETRY(org_area_save, setup_org, run_org_area_save),
    RETRY(org_member_save, setup_org, run_org_member_save),
    RETRY(org_population_set, setup_org, run_org_population_set),
    RETRY(org_body_save, setup_org, run_org_body_save),
    RETRY(org_person_save, setup_org, run_org_person_save),
    RETRY(org_mandate_save, setup_org, run_org_mandate_save),
    RETRY(intervention_save, setup_org, run_intervention_save),
    RETRY(intervention_year_set, setup_org, run_intervention_year_set),
    RETRY(intervention_staff_set, setup_org, run_intervention_staff_set),
    RETRY(intervention_volume_add, setup_org, run_intervention_volume_add),
    RETRY(personal_withdraw_consent, setup_personal, run_personal_withdraw_consent),
    RETRY(personal_protect, setup_personal, run_personal_protect),
    RETRY(personal_consent_add, setup_personal, run_personal_consent_add),
    RETRY(personal_protect_apply, setup_personal_request, run_personal_protect_apply),
    RETRY(personal_identity, setup_personal, run_personal_identity),
    RETRY(personal_find_by_pnr, setup_personal, run_personal_find_by_pnr),
    RETRY(personal_extract, setup_personal, run_personal_extract),
    RETRY(auth_user_add, setup_account, run_auth_user_add),
    RETRY(auth_user_add_hashed, setup_account, run_auth_user_add_hashed),
    RETRY_EXTRA(auth_user_add_taken, setup_account, run_auth_user_add_taken),
    RETRY(auth_user_passwd, setup_account, run_auth_user_passwd),
    RETRY(auth_user_set_disabled, setup_account, run_auth_user_set_disabled),
    RETRY(auth_user_change_password, setup_account, run_auth_user_change_password),
    RETRY(auth_login, setup_account, run_auth_login),
    RETRY_EXTRA(auth_login_failed, setup_account, run_auth_login_failed),
    RETRY(auth_session_lookup, setup_account, run_auth_session_lookup),
    RETRY(auth_logout, setup_account, run_auth_logout),
    RETRY(auth_token_create, setup_account, run_auth_token_create),
    RETRY(auth_token_revoke, setup_account_and_key, run_auth_token_revoke),
    RETRY(auth_token_lookup, setup_account_and_key, run_auth_token_lookup),
    RETRY(import_participations, setup_import, run_import_participations),
    RETRY(import_participations_from, setup_import, run_import_participations_from),
    RETRY_AT(keycheck_attach, KEYCHECK_SCHEMA - 1, setup_keyfile, run_keycheck_attach),
    RETRY(participation_refer, setup_part, run_participation_refer),
    RETRY(participation_refer_once, setup_part, run_participation_refer_once),
    RETRY(participation_start, setup_part, run_participation_start),
    RETRY(participation_end, setup_part, run_participation_end),
    RETRY(participation_cancel, setup_part, run_participation_cancel),
    RETRY(participation_correct, setup_part, run_participation_correct),
    RETRY(participation_attendance_set, setup_part, run_participation_attendance_set),
    RETRY_EXTRA(personal_store_identity, setup_personal, run_personal_store_identity),
};

static void retry_row_test(void **state)
{
	check_row(*state);
}

int main(void)
{
	assert_int_equal(crypto_setup(), 0);
	snprintf(dir, sizeof dir, "/tmp/finsam-retry-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	enum { N = sizeof rows / sizeof rows[0] };
	struct CMUnitTest tests[N];
	for (size_t i = 0; i < N; i++)
		tests[i] =
		    (struct CMUnitTest){rows[i].name, retry_row_test, NULL, NULL, (void *)&rows[i]};
	int failed = _cmocka_run_group_tests("retry", tests, N, NULL, NULL);
	rmdir(dir);
	return failed;
}
