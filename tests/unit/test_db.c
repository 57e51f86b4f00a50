/* Unit tests for the storage interface: $N binding, transactions,
 * constraints and schema migrations. */
#include <sqlite3.h>
#include <sys/stat.h>

#include "testutil.h"
#include "util/arena.h"

static int setup(void **state)
{
	struct testdb *t = calloc(1, sizeof *t);
	testdb_open(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	testdb_close(*state);
	free(*state);
	return 0;
}

static void binds_dollar_placeholders_by_number(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	/* SQLite numbers $2 first here; the backend must bind by name. */
	assert_int_equal(db_prepare(t->db, "SELECT $2, $1, $2 || $1", &q), RC_OK);
	db_bind_text(q, 1, "a");
	db_bind_text(q, 2, "b");
	assert_int_equal(db_step(q), DB_ROW);
	assert_string_equal(db_col_text(q, 0), "b");
	assert_string_equal(db_col_text(q, 1), "a");
	assert_string_equal(db_col_text(q, 2), "ba");
	assert_int_equal(db_step(q), DB_DONE);
	db_finalize(q);
}

/* Two-digit numbers, numbers out of order and gaps: $n is bound to the
 * placeholder named $n, whatever SQLite's index for it; a number the
 * statement lacks (a gap, 0, one past the highest) fails the step. */
static void binds_two_digit_and_gapped_placeholders(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	for (int missing = 0; missing <= 4; missing++) {
		assert_int_equal(db_prepare(t->db, "SELECT $11, $2, $1, $10 || $11", &q), RC_OK);
		db_bind_text(q, 1, "a");
		db_bind_text(q, 2, "b");
		db_bind_text(q, 10, "x");
		db_bind_text(q, 11, "y");
		int wrong[] = {0, 3, 9, 12, 0};
		if (missing < 4)
			db_bind_text(q, wrong[missing], "z");
		if (missing < 4) {
			assert_int_equal(db_step(q), DB_ERROR);
		} else {
			assert_int_equal(db_step(q), DB_ROW);
			assert_string_equal(db_col_text(q, 0), "y");
			assert_string_equal(db_col_text(q, 1), "b");
			assert_string_equal(db_col_text(q, 2), "a");
			assert_string_equal(db_col_text(q, 3), "xy");
		}
		db_finalize(q);
	}
}

static void binds_int_and_null(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db, "SELECT $1 + 1, $2 IS NULL, $3", &q), RC_OK);
	db_bind_int64(q, 1, 9000000000LL);
	db_bind_null(q, 2);
	db_bind_text(q, 3, NULL);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_col_int64(q, 0), 9000000001LL);
	assert_int_equal(db_col_int64(q, 1), 1);
	assert_true(db_col_is_null(q, 2));
	assert_null(db_col_text(q, 2));
	db_finalize(q);
}

static void bind_to_missing_placeholder_fails_the_step(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db, "SELECT $1", &q), RC_OK);
	db_bind_text(q, 1, "x");
	db_bind_text(q, 2, "y");
	assert_int_equal(db_step(q), DB_ERROR);
	db_finalize(q);
}

static void store_runs_in_wal_with_foreign_keys(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db, "PRAGMA journal_mode", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_string_equal(db_col_text(q, 0), "wal");
	db_finalize(q);
	/* A member of a förbund that does not exist violates a foreign key. */
	assert_int_equal(
	    db_prepare(t->db,
	               "INSERT INTO member (association_id, kind, name) VALUES (999, 'fk', 'x')",
	               &q),
	    RC_OK);
	assert_int_equal(db_step(q), DB_CONSTRAINT);
	db_finalize(q);
}

static enum rc insert_then(struct db *db, void *ctx)
{
	enum rc outcome = *(enum rc *)ctx;
	if (db_exec(db, "INSERT INTO association (name, created_at) VALUES ('T', '2026-01-01')"))
		return RC_DB;
	return outcome;
}

static int64_t count_associations(struct db *db)
{
	struct db_stmt *q;
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM association", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	int64_t n = db_col_int64(q, 0);
	db_finalize(q);
	return n;
}

static void transaction_commits_or_rolls_back_whole(void **state)
{
	struct testdb *t = *state;
	enum rc fail = RC_INVALID, ok = RC_OK;
	assert_int_equal(db_tx(t->db, insert_then, &fail), RC_INVALID);
	assert_int_equal(count_associations(t->db), 0);
	assert_int_equal(db_tx(t->db, insert_then, &ok), RC_OK);
	assert_int_equal(count_associations(t->db), 1);
}

static enum rc nested(struct db *db, void *ctx)
{
	enum rc ok = RC_OK;
	(void)ctx;
	if (db_tx(db, insert_then, &ok))
		return RC_DB;
	return RC_CONFLICT; /* the outer callback fails after the inner one */
}

static void nested_transaction_rolls_back_with_outer(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(db_tx(t->db, nested, NULL), RC_CONFLICT);
	assert_int_equal(count_associations(t->db), 0);
}

/* The lists staff use daily stay fast only with these indexes (see
 * docs/architecture.md, "Fast by construction"); each partial index must
 * keep its WHERE clause. */
static void list_indexes_exist_and_are_partial(void **state)
{
	struct testdb *t = *state;
	static const char *const partial[] = {
	    "participation_anonymous_open", "participation_end_missing", "participation_queue_all",
	    "participation_queue_area",     "participation_queue_both",  "participation_identity"};
	for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++) {
		struct db_stmt *q;
		assert_int_equal(
		    db_prepare(t->db, "SELECT sql FROM sqlite_master WHERE name = $1", &q), RC_OK);
		db_bind_text(q, 1, partial[i]);
		assert_int_equal(db_step(q), DB_ROW);
		assert_non_null(strstr(db_col_text(q, 0), " WHERE "));
		db_finalize(q);
	}
	assert_int_equal(
	    db_exec(t->db, "SELECT 1 FROM participation INDEXED BY participation_newest"), RC_OK);
	assert_int_equal(db_exec(t->db, "SELECT 1 FROM participation_tally"), RC_OK);
}

static void older_database_opens_in_newer_build(void **state)
{
	(void)state;
	struct testdb t;
	assert_int_equal(crypto_setup(), 0);
	snprintf(t.dir, sizeof t.dir, "/tmp/finsam-test-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(t.path, sizeof t.path, "%s/old.db", t.dir);
	char err[300] = "";
	/* Build the database as the first release left it, with data. */
	assert_int_equal(db_open_at_version(t.path, 1, &t.db, err, sizeof err), RC_OK);
	assert_int_equal(db_schema_version(t.db), 1);
	assert_int_equal(db_exec(t.db, "INSERT INTO association (name, created_at)"
	                               " VALUES ('Gammalt förbund', '2020-01-01')"),
	                 RC_OK);
	assert_int_equal(db_exec(t.db, "INSERT INTO member (association_id, kind, name)"
	                               " VALUES (1, 'fk', 'Försäkringskassan')"),
	                 RC_OK);
	db_close(t.db);
	/* This build opens it, migrates, and keeps the data. */
	assert_int_equal(db_open(t.path, DB_OPEN_EXISTING, &t.db, err, sizeof err), RC_OK);
	assert_int_equal(db_schema_version(t.db), db_schema_latest());
	struct db_stmt *q;
	assert_int_equal(db_prepare(t.db,
	                            "SELECT m.name, a.name FROM member m JOIN association a"
	                            " ON a.id = m.association_id",
	                            &q),
	                 RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_string_equal(db_col_text(q, 0), "Försäkringskassan");
	assert_string_equal(db_col_text(q, 1), "Gammalt förbund");
	db_finalize(q);
	/* The tables of later migrations exist. */
	assert_int_equal(db_exec(t.db, "SELECT count(*) FROM app_user"), RC_OK);
	testdb_close(&t);
}

static void newer_database_is_refused(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(db_exec(t->db, "INSERT INTO schema_migration (version, name, applied_at)"
	                                " VALUES (9999, 'from the future', '2030-01-01')"),
	                 RC_OK);
	struct db *db2;
	char err[300] = "";
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &db2, err, sizeof err), RC_CONFLICT);
	assert_null(db2);
	assert_non_null(strstr(err, "nyare version"));
}

static void missing_database_is_not_created_by_open(void **state)
{
	(void)state;
	struct db *db;
	char err[300] = "";
	assert_int_equal(
	    db_open("/tmp/finsam-no-such-dir/x.db", DB_OPEN_EXISTING, &db, err, sizeof err),
	    RC_NOT_FOUND);
	assert_non_null(strstr(err, "finsam init"));
}

/* An existing file that is empty, not SQLite, or another program's
 * database is refused and left as it was, never given a schema. */
static void empty_or_foreign_file_is_refused_and_left_alone(void **state)
{
	(void)state;
	char dir[] = "/tmp/finsam-test-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/x.db", dir);
	struct db *db;
	char err[300] = "";
	struct stat st;

	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, &db, err, sizeof err), RC_INVALID);
	assert_null(db);
	assert_non_null(strstr(err, "är tom"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);

	f = fopen(path, "w");
	fputs("inte en databas, men lång nog att likna en fil med något i\n", f);
	fclose(f);
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, &db, err, sizeof err), RC_INVALID);
	assert_non_null(strstr(err, "ingen finsam-databas"));

	unlink(path);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t (x INTEGER)", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, &db, err, sizeof err), RC_INVALID);
	assert_non_null(strstr(err, "ingen finsam-databas"));
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master", -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1); /* only t: no schema was made */
	sqlite3_finalize(q);
	sqlite3_close(h);

	/* A directory is no database either. */
	assert_int_equal(db_open(dir, DB_OPEN_EXISTING, &db, err, sizeof err), RC_INVALID);
	unlink(path);
	rmdir(dir);
}

static enum rc insert_blob(struct db *db, void *ctx)
{
	(void)ctx;
	return db_exec(db, "INSERT INTO filler (b) VALUES (randomblob(200000))");
}

static void full_store_is_told_apart(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(db_exec(t->db, "CREATE TABLE filler (b BLOB)"), RC_OK);
	/* No room for another page: as when the disk is full.  (A limit
	 * below the current size leaves it at the current size.) */
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db, "PRAGMA max_page_count = 1", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	db_finalize(q);
	assert_int_equal(db_tx(t->db, insert_blob, NULL), RC_DB_FULL);
	assert_int_equal(db_failure(t->db), RC_DB_FULL);
	assert_int_equal(db_refine(t->db, RC_DB), RC_DB_FULL);
	assert_int_equal(db_refine(t->db, RC_NOT_FOUND), RC_NOT_FOUND);
	db_failure_clear(t->db);
	assert_int_equal(db_failure(t->db), RC_OK);
	assert_int_equal(db_refine(t->db, RC_DB), RC_DB);
}

static void read_only_store_is_told_apart(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(db_exec(t->db, "CREATE TABLE filler (b BLOB)"), RC_OK);
	assert_int_equal(db_exec(t->db, "PRAGMA query_only = 1"), RC_OK);
	assert_int_equal(db_tx(t->db, insert_blob, NULL), RC_DB_READONLY);
	assert_int_equal(db_failure(t->db), RC_DB_READONLY);
	/* A bug stays a bug: a statement that does not compile is RC_DB. */
	db_failure_clear(t->db);
	assert_int_equal(db_exec(t->db, "SELECT * FROM no_such_table"), RC_DB);
}

/* ---- helpers (db_exists, db_one_*, db_run, db_fetch_all, binds) ---- */

/* A small table of n rows: id 1..n, name 'r<id>' (NULL for id 2), flag id odd. */
static void make_rows(struct db *db, int n)
{
	assert_int_equal(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE,"
	                             " flag INTEGER NOT NULL)"),
	                 RC_OK);
	for (int i = 1; i <= n; i++) {
		struct db_stmt *q;
		assert_int_equal(
		    db_prepare(db, "INSERT INTO t (id, name, flag) VALUES ($1, $2, $3)", &q),
		    RC_OK);
		char name[16];
		snprintf(name, sizeof name, "r%d", i);
		db_bind_int64(q, 1, i);
		db_bind_text(q, 2, i == 2 ? NULL : name);
		db_bind_bool(q, 3, i % 2);
		assert_int_equal(db_run(q), RC_OK);
	}
}

static void exists_and_one_value_helpers(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 3);
	struct db_stmt *q;
	int found = -1;
	assert_int_equal(db_prepare(t->db, "SELECT 1 FROM t WHERE id = $1", &q), RC_OK);
	db_bind_int64(q, 1, 3);
	assert_int_equal(db_exists(q, &found), RC_OK);
	assert_int_equal(found, 1);
	assert_int_equal(db_prepare(t->db, "SELECT 1 FROM t WHERE id = $1", &q), RC_OK);
	db_bind_int64(q, 1, 9);
	assert_int_equal(db_exists(q, &found), RC_OK);
	assert_int_equal(found, 0);

	int64_t v = -1;
	assert_int_equal(db_prepare(t->db, "SELECT count(*) FROM t", &q), RC_OK);
	assert_int_equal(db_one_int64(q, &v), RC_OK);
	assert_int_equal(v, 3);
	assert_int_equal(db_prepare(t->db, "SELECT id FROM t WHERE id > 5", &q), RC_OK);
	assert_int_equal(db_one_int64(q, &v), RC_NOT_FOUND);
	assert_int_equal(v, 0);

	struct arena *a = arena_new(0);
	const char *s = "x";
	assert_int_equal(db_prepare(t->db, "SELECT name FROM t WHERE id = $1", &q), RC_OK);
	db_bind_int64(q, 1, 3);
	assert_int_equal(db_one_text(q, a, &s), RC_OK);
	assert_string_equal(s, "r3");
	assert_int_equal(db_prepare(t->db, "SELECT name FROM t WHERE id = $1", &q), RC_OK);
	db_bind_int64(q, 1, 2);
	s = "x";
	assert_int_equal(db_one_text(q, a, &s), RC_OK); /* SQL NULL */
	assert_null(s);
	assert_int_equal(db_prepare(t->db, "SELECT name FROM t WHERE id = $1", &q), RC_OK);
	db_bind_int64(q, 1, 7);
	s = "x";
	assert_int_equal(db_one_text(q, a, &s), RC_NOT_FOUND);
	assert_null(s);
	assert_false(arena_failed(a));
	arena_free(a);
}

/* A statement that fails at run time on its third row: abs() of the
 * smallest integer overflows. */
#define FAILS_AT_ROW_3                                               \
	"SELECT id, name, flag FROM t WHERE CASE WHEN id < 3 THEN 1" \
	" ELSE abs(-9223372036854775807 - 1) END ORDER BY id"

static void single_step_helpers_report_step_errors(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 3);
	struct db_stmt *q;
	int64_t v = 0;
	int found = 0;
	struct arena *a = arena_new(0);
	const char *s = NULL;
#define FAILS "SELECT abs(-9223372036854775807 - 1)"
	assert_int_equal(db_prepare(t->db, FAILS, &q), RC_OK);
	assert_int_equal(db_one_int64(q, &v), RC_DB);
	assert_int_equal(db_prepare(t->db, FAILS, &q), RC_OK);
	assert_int_equal(db_exists(q, &found), RC_DB);
	assert_int_equal(found, 0);
	assert_int_equal(db_prepare(t->db, FAILS, &q), RC_OK);
	assert_int_equal(db_one_text(q, a, &s), RC_DB);
	/* db_run: a refused write is a conflict, rows are a misuse. */
	assert_int_equal(
	    db_prepare(t->db, "INSERT INTO t (id, name, flag) VALUES (9, 'r1', 0)", &q), RC_OK);
	assert_int_equal(db_run(q), RC_CONFLICT);
	assert_int_equal(db_prepare(t->db, "SELECT 1", &q), RC_OK);
	assert_int_equal(db_run(q), RC_DB);
	/* A statement that does not prepare leaves no statement behind. */
	q = (struct db_stmt *)&v;
	assert_int_equal(db_prepare(t->db, "SELECT * FROM no_such_table", &q), RC_DB);
	assert_null(q);
	arena_free(a);
#undef FAILS
}

static void optional_and_boolean_binds(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db,
	                            "SELECT $1 IS NULL, $2 IS NULL, $3, $4 IS NULL, $5 IS NULL, $6,"
	                            " $7, $8, $9 IS NULL, 2 > 1, 1 > 2, NULL",
	                            &q),
	                 RC_OK);
	db_bind_text_opt(q, 1, NULL);
	db_bind_text_opt(q, 2, "");
	db_bind_text_opt(q, 3, "a");
	db_bind_id_opt(q, 4, 0);
	db_bind_id_opt(q, 5, -3);
	db_bind_id_opt(q, 6, 42);
	db_bind_bool(q, 7, 5);
	db_bind_bool(q, 8, 0);
	db_bind_bool(q, 9, 1);
	assert_int_equal(db_step(q), DB_ROW);
	assert_true(db_col_bool(q, 0));
	assert_true(db_col_bool(q, 1));
	assert_string_equal(db_col_text(q, 2), "a");
	assert_true(db_col_bool(q, 3));
	assert_true(db_col_bool(q, 4));
	assert_int_equal(db_col_int64(q, 5), 42);
	assert_int_equal(db_col_bool(q, 6), 1);
	assert_int_equal(db_col_bool(q, 7), 0);
	assert_false(db_col_bool(q, 8));
	assert_int_equal(db_col_bool(q, 9), 1);
	assert_int_equal(db_col_bool(q, 10), 0);
	assert_int_equal(db_col_bool(q, 11), 0);
	db_finalize(q);
}

struct row {
	int64_t id;
	const char *name;
	int flag;
};

static void read_row(struct db_stmt *q, struct arena *a, void *elem)
{
	struct row *r = elem;
	r->id = db_col_int64(q, 0);
	r->name = db_col_dup(q, 1, a);
	r->flag = db_col_bool(q, 2);
}

/* Prepares constant SQL and fetches every row of it into struct row. */
#define fetch(db, a, SQL, limit, out, n, truncated)                                            \
	(db_prepare((db), SQL, &fq) ? RC_DB                                                    \
	                            : db_fetch_all(fq, (a), read_row, sizeof **(out), (limit), \
	                                           (void **)(out), (n), (truncated)))

static void fetch_all_reads_every_row_and_reports_truncation(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 40); /* past the first array capacity (16) */
	struct arena *a = arena_new(0);
	struct row *r;
	size_t n;
	int tr = -1;
	struct db_stmt *fq;
#define ALL "SELECT id, name, flag FROM t ORDER BY id"
	assert_int_equal(fetch(t->db, a, ALL, 0, &r, &n, &tr), RC_OK);
	assert_int_equal(n, 40);
	assert_int_equal(tr, 0);
	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof name, "r%d", (int)i + 1);
		assert_int_equal(r[i].id, (int64_t)i + 1);
		if (i == 1)
			assert_null(r[i].name);
		else
			assert_string_equal(r[i].name, name);
		assert_int_equal(r[i].flag, (int)((i + 1) % 2));
	}
	/* Exactly at the limit: whole, not truncated. */
	assert_int_equal(fetch(t->db, a, ALL, 40, &r, &n, &tr), RC_OK);
	assert_int_equal(n, 40);
	assert_int_equal(tr, 0);
	/* Below it: the rows up to the limit, and the caller is told. */
	assert_int_equal(fetch(t->db, a, ALL, 17, &r, &n, &tr), RC_OK);
	assert_int_equal(n, 17);
	assert_int_equal(tr, 1);
	assert_int_equal(r[16].id, 17);
	/* Nobody to tell: an error, never a shorter answer. */
	assert_int_equal(fetch(t->db, a, ALL, 17, &r, &n, NULL), RC_NOMEM);
	assert_int_equal(n, 0);
	assert_null(r);
	/* No rows: RC_OK, empty. */
	assert_int_equal(
	    fetch(t->db, a, "SELECT id, name, flag FROM t WHERE id < 0", 5, &r, &n, &tr), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(tr, 0);
	arena_free(a);
#undef ALL
}

static void fetch_all_step_error_midway_is_an_error(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 5);
	struct arena *a = arena_new(0);
	struct db_stmt *fq;
	struct row *r;
	size_t n = 9;
	int tr = -1;
	assert_int_equal(fetch(t->db, a, FAILS_AT_ROW_3, 0, &r, &n, &tr), RC_DB);
	assert_int_equal(n, 0);
	assert_null(r);
	assert_int_equal(tr, 0);
	/* Also with a limit above the failing row. */
	assert_int_equal(fetch(t->db, a, FAILS_AT_ROW_3, 4, &r, &n, &tr), RC_DB);
	assert_int_equal(n, 0);
	arena_free(a);
}

static void fetch_all_out_of_memory_is_nomem(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 3);
	/* An arena of one block: the array fits, a 10 000-byte name does not. */
	assert_int_equal(db_exec(t->db, "UPDATE t SET name = printf('%.10000c', 'x') WHERE id = 3"),
	                 RC_OK);
	struct arena *a = arena_new(8192);
	struct db_stmt *fq;
	struct row *r;
	size_t n = 9;
	int tr = 0;
	assert_int_equal(
	    fetch(t->db, a, "SELECT id, name, flag FROM t ORDER BY id", 0, &r, &n, &tr), RC_NOMEM);
	assert_int_equal(n, 0);
	assert_true(arena_failed(a));
	arena_free(a);
	/* The single-value helper says so too, rather than answering NULL. */
	a = arena_new(8192);
	struct db_stmt *q;
	const char *s = "x";
	assert_int_equal(db_prepare(t->db, "SELECT name FROM t WHERE id = 3", &q), RC_OK);
	assert_int_equal(db_one_text(q, a, &s), RC_NOMEM);
	assert_null(s);
	arena_free(a);
	/* An arena too small for the array itself. */
	a = arena_new(64);
	assert_int_equal(fetch(t->db, a, "SELECT id, name, flag FROM t", 0, &r, &n, &tr), RC_NOMEM);
	arena_free(a);
}

static void col_dup_tells_null_from_failure(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	struct arena *a = arena_new(8192);
	assert_int_equal(db_prepare(t->db, "SELECT NULL, printf('%.9000c', 'y'), 'z'", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_null(db_col_dup(q, 0, a));
	assert_false(arena_failed(a)); /* NULL for SQL NULL is no failure */
	assert_string_equal(db_col_dup(q, 2, a), "z");
	assert_null(db_col_dup(q, 1, a));
	assert_true(arena_failed(a)); /* the failed copy is remembered */
	db_finalize(q);
	arena_free(a);
}

/* ---- the busy hook and db_tx's retry ---- */

struct retry_ctx {
	int runs;
	int ignore_errors; /* a careless callback: carries on after a failed step */
};

/* Inserts two rows; counts its runs (test bookkeeping outside the database,
 * which a real callback must not do). */
static enum rc insert_two(struct db *db, void *ctx)
{
	struct retry_ctx *c = ctx;
	c->runs++;
	for (int i = 0; i < 2; i++) {
		struct db_stmt *q;
		enum rc rc;
		if ((rc = db_prepare(db, "INSERT INTO t (name, flag) VALUES ($1, $2)", &q)))
			return rc;
		db_bind_text(q, 1, i ? "b" : "a");
		db_bind_bool(q, 2, i);
		rc = db_run(q);
		if (rc && !c->ignore_errors)
			return rc;
	}
	return RC_OK;
}

static int64_t count_rows(struct db *db)
{
	struct db_stmt *q;
	int64_t n = -1;
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM t", &q), RC_OK);
	assert_int_equal(db_one_int64(q, &n), RC_OK);
	return n;
}

static void busy_hook_reruns_the_transaction(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 0);
	/* Steps of one attempt: BEGIN, two INSERTs, COMMIT. */
	for (int nth = 1; nth <= 4; nth++) {
		assert_int_equal(db_exec(t->db, "DELETE FROM t"), RC_OK);
		struct retry_ctx c = {0, 0};
		db_test_fail_step(t->db, nth);
		assert_true(db_test_fail_pending(t->db));
		assert_int_equal(db_tx(t->db, insert_two, &c), RC_OK);
		assert_false(db_test_fail_pending(t->db));
		/* BEGIN failing never reaches the callback. */
		assert_int_equal(c.runs, nth == 1 ? 1 : 2);
		assert_int_equal(count_rows(t->db), 2);
	}
	/* Past the last step: the hook does not fire and stays pending. */
	assert_int_equal(db_exec(t->db, "DELETE FROM t"), RC_OK);
	struct retry_ctx c = {0, 0};
	db_test_fail_step(t->db, 5);
	assert_int_equal(db_tx(t->db, insert_two, &c), RC_OK);
	assert_int_equal(c.runs, 1);
	assert_true(db_test_fail_pending(t->db));
	db_test_fail_step(t->db, 0);
	assert_false(db_test_fail_pending(t->db));
}

static void busy_hook_ignores_steps_outside_transactions(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 1);
	db_test_fail_step(t->db, 1);
	/* A read outside db_tx is not counted. */
	assert_int_equal(count_rows(t->db), 1);
	assert_true(db_test_fail_pending(t->db));
	struct retry_ctx c = {0, 0};
	assert_int_equal(db_tx(t->db, insert_two, &c), RC_OK);
	assert_false(db_test_fail_pending(t->db));
	assert_int_equal(count_rows(t->db), 3);
}

/* A callback that carries on after a busy step and returns RC_OK must not
 * commit half its work: the attempt is doomed and runs again. */
static void busy_step_dooms_the_attempt_even_if_ignored(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 0);
	struct retry_ctx c = {0, 1};
	db_test_fail_step(t->db, 2); /* the first INSERT */
	assert_int_equal(db_tx(t->db, insert_two, &c), RC_OK);
	assert_int_equal(c.runs, 2);
	assert_int_equal(count_rows(t->db), 2);
	struct db_stmt *q;
	int found = 0;
	assert_int_equal(db_prepare(t->db, "SELECT 1 FROM t WHERE name = 'a'", &q), RC_OK);
	assert_int_equal(db_exists(q, &found), RC_OK);
	assert_true(found);
}

static enum rc always_busy(struct db *db, void *ctx)
{
	(*(int *)ctx)++;
	db_test_fail_step(db, 1);
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT 1", &q)))
		return rc;
	int found;
	return db_exists(q, &found);
}

/* Busy through every attempt is told apart from a failure of the store
 * (RC_DB_BUSY: the web answers 503 "Databasen är upptagen", not "internal
 * error"; review of issue 8). */
static void busy_that_persists_gives_up_with_rc_db_busy(void **state)
{
	struct testdb *t = *state;
	int runs = 0;
	assert_int_equal(db_tx(t->db, always_busy, &runs), RC_DB_BUSY);
	assert_int_equal(db_failure(t->db), RC_DB_BUSY);
	assert_int_equal(runs, 6);
	/* The connection is usable afterwards (the transaction was closed). */
	make_rows(t->db, 1);
	assert_int_equal(count_rows(t->db), 1);
}

static void arena_remembers_a_failed_allocation(void **state)
{
	(void)state;
	struct arena *a = arena_new(100);
	assert_false(arena_failed(a));
	assert_null(arena_strdup(a, NULL)); /* NULL in, NULL out: no failure */
	assert_false(arena_failed(a));
	assert_null(arena_alloc(a, 10)); /* one block is 8 KiB: past the cap */
	assert_true(arena_failed(a));
	arena_free(a);
	a = arena_new(0);
	assert_non_null(arena_alloc(a, 100));
	size_t cap = 1;
	assert_null(arena_grow(a, NULL, &cap, 1, SIZE_MAX / 2));
	assert_true(arena_failed(a));
	arena_free(a);
	assert_false(arena_failed(NULL));
}

/* The startup write check: a writable database says so and keeps
 * nothing of the probe; a read-only one is refused. */
static void check_writable_leaves_nothing_and_refuses_read_only(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	int64_t before = -1, after = -1;
	assert_int_equal(db_prepare(t->db, "SELECT count(*) FROM schema_migration", &q), RC_OK);
	assert_int_equal(db_one_int64(q, &before), RC_OK);
	assert_int_equal(db_check_writable(t->db), RC_OK);
	assert_int_equal(db_prepare(t->db, "SELECT count(*) FROM schema_migration", &q), RC_OK);
	assert_int_equal(db_one_int64(q, &after), RC_OK);
	assert_int_equal(after, before);
	assert_int_equal(db_exec(t->db, "PRAGMA query_only = ON"), RC_OK);
	assert_int_not_equal(db_check_writable(t->db), RC_OK);
	assert_int_equal(db_exec(t->db, "PRAGMA query_only = OFF"), RC_OK);
}

/* ---- read snapshots (db_read_begin / db_read_end) ---- */

static int64_t count_t(struct db *db)
{
	struct db_stmt *q;
	int64_t v = -1;
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM t", &q), RC_OK);
	assert_int_equal(db_one_int64(q, &v), RC_OK);
	return v;
}

static enum rc insert_and_count(struct db *db, void *ctx)
{
	enum rc rc = db_exec(db, "INSERT INTO t (flag) VALUES (0)");
	if (rc)
		return rc;
	*(int64_t *)ctx = count_t(db);
	return RC_OK;
}

/* Between db_read_begin and db_read_end every read sees one state; a
 * write through db_tx ends the snapshot and sees the newest state (with
 * the snapshot kept, SQLite would refuse the write as busy: the snapshot
 * is older than another connection's commit). */
static void read_snapshot_is_one_state_and_a_write_ends_it(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 3);
	struct db *other;
	char err[300] = "";
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &other, err, sizeof err), RC_OK);

	assert_int_equal(db_read_begin(t->db), RC_OK);
	assert_int_equal(count_t(t->db), 3);
	assert_int_equal(db_exec(other, "INSERT INTO t (flag) VALUES (1)"), RC_OK);
	assert_int_equal(count_t(t->db), 3);           /* the snapshot */
	assert_int_equal(db_read_begin(t->db), RC_OK); /* already open: no-op */
	assert_int_equal(count_t(t->db), 3);
	db_read_end(t->db);
	assert_int_equal(count_t(t->db), 4);
	db_read_end(t->db); /* none open: no-op */

	assert_int_equal(db_read_begin(t->db), RC_OK);
	assert_int_equal(count_t(t->db), 4);
	assert_int_equal(db_exec(other, "INSERT INTO t (flag) VALUES (1)"), RC_OK);
	int64_t seen = 0;
	assert_int_equal(db_tx(t->db, insert_and_count, &seen), RC_OK);
	assert_int_equal(seen, 6);
	assert_int_equal(count_t(t->db), 6); /* no snapshot after the write */
	db_read_end(t->db);
	assert_int_equal(count_t(other), 6);
	db_close(other);
}

/* Inside a transaction db_read_begin changes nothing: the transaction's
 * own writes stay and commit. */
static enum rc snapshot_inside_tx(struct db *db, void *ctx)
{
	(void)ctx;
	assert_int_equal(db_read_begin(db), RC_OK);
	enum rc rc = db_exec(db, "INSERT INTO t (flag) VALUES (0)");
	db_read_end(db);
	return rc;
}

static void read_snapshot_inside_a_transaction_is_a_no_op(void **state)
{
	struct testdb *t = *state;
	make_rows(t->db, 1);
	assert_int_equal(db_tx(t->db, snapshot_inside_tx, NULL), RC_OK);
	assert_int_equal(count_t(t->db), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(binds_dollar_placeholders_by_number, setup, teardown),
	    cmocka_unit_test_setup_teardown(binds_two_digit_and_gapped_placeholders, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(binds_int_and_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(bind_to_missing_placeholder_fails_the_step, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(store_runs_in_wal_with_foreign_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(transaction_commits_or_rolls_back_whole, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(nested_transaction_rolls_back_with_outer, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(list_indexes_exist_and_are_partial, setup, teardown),
	    cmocka_unit_test(older_database_opens_in_newer_build),
	    cmocka_unit_test_setup_teardown(newer_database_is_refused, setup, teardown),
	    cmocka_unit_test(missing_database_is_not_created_by_open),
	    cmocka_unit_test(empty_or_foreign_file_is_refused_and_left_alone),
	    cmocka_unit_test_setup_teardown(full_store_is_told_apart, setup, teardown),
	    cmocka_unit_test_setup_teardown(read_only_store_is_told_apart, setup, teardown),
	    cmocka_unit_test_setup_teardown(exists_and_one_value_helpers, setup, teardown),
	    cmocka_unit_test_setup_teardown(single_step_helpers_report_step_errors, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(optional_and_boolean_binds, setup, teardown),
	    cmocka_unit_test_setup_teardown(fetch_all_reads_every_row_and_reports_truncation, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(fetch_all_step_error_midway_is_an_error, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(fetch_all_out_of_memory_is_nomem, setup, teardown),
	    cmocka_unit_test_setup_teardown(col_dup_tells_null_from_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(busy_hook_reruns_the_transaction, setup, teardown),
	    cmocka_unit_test_setup_teardown(busy_hook_ignores_steps_outside_transactions, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(busy_step_dooms_the_attempt_even_if_ignored, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(busy_that_persists_gives_up_with_rc_db_busy, setup,
	                                    teardown),
	    cmocka_unit_test(arena_remembers_a_failed_allocation),
	    cmocka_unit_test_setup_teardown(read_snapshot_is_one_state_and_a_write_ends_it, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(read_snapshot_inside_a_transaction_is_a_no_op, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(check_writable_leaves_nothing_and_refuses_read_only,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
