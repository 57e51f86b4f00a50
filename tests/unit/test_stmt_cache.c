/* Unit tests for the statement cache of the storage interface (db.c):
 * statements compiled once per connection, handed to one caller at a time,
 * reset when handed back, evicted when the cache is full. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "db/db_impl.h"
#include "util/arena.h"

static int setup(void **state)
{
	struct testdb *t = calloc(1, sizeof *t);
	testdb_open(t);
	assert_int_equal(
	    db_exec(t->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"), RC_OK);
	assert_int_equal(
	    db_exec(t->db, "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')"), RC_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	testdb_close(*state);
	free(*state);
	return 0;
}

static struct db_cache_stats stats(struct db *db)
{
	struct db_cache_stats s;
	db_cache_stats(db, &s);
	return s;
}

static int64_t one_int(struct db *db, const char *sql, int64_t bind)
{
	struct db_stmt *q;
	int64_t v = -1;
	assert_int_equal(db_prepare(db, sql, &q), RC_OK);
	if (bind)
		db_bind_int64(q, 1, bind);
	assert_int_equal(db_one_int64(q, &v), RC_OK);
	return v;
}

#define BY_ID "SELECT id * 10 FROM t WHERE id = $1"

static void same_text_is_compiled_once(void **state)
{
	struct testdb *t = *state;
	struct db_cache_stats before = stats(t->db);
	assert_int_equal(one_int(t->db, BY_ID, 1), 10);
	assert_int_equal(one_int(t->db, BY_ID, 2), 20);
	assert_int_equal(one_int(t->db, BY_ID, 3), 30);
	struct db_cache_stats after = stats(t->db);
	assert_int_equal(after.misses - before.misses, 1);
	assert_int_equal(after.hits - before.hits, 2);
}

static void a_handed_back_statement_starts_clean(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *q;
	/* Bound but never stepped: the binding must not survive. */
	assert_int_equal(db_prepare(t->db, "SELECT $1 IS NULL", &q), RC_OK);
	db_bind_text(q, 1, "kvar");
	db_finalize(q);
	assert_int_equal(db_prepare(t->db, "SELECT $1 IS NULL", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_true(db_col_bool(q, 0));
	db_finalize(q);
	/* Left after its first row: the next use starts from the first. */
	assert_int_equal(db_prepare(t->db, "SELECT id FROM t ORDER BY id", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_col_int64(q, 0), 2);
	db_finalize(q);
	assert_int_equal(db_prepare(t->db, "SELECT id FROM t ORDER BY id", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_col_int64(q, 0), 1);
	db_finalize(q);
	/* A bind to a placeholder the statement lacks fails that use only. */
	assert_int_equal(db_prepare(t->db, BY_ID, &q), RC_OK);
	db_bind_int64(q, 2, 1);
	assert_int_equal(db_step(q), DB_ERROR);
	db_finalize(q);
	assert_int_equal(one_int(t->db, BY_ID, 2), 20);
	/* A refused write leaves a statement that works for the next. */
	assert_int_equal(db_prepare(t->db, "INSERT INTO t (id, name) VALUES ($1, $2)", &q), RC_OK);
	db_bind_int64(q, 1, 9);
	db_bind_text(q, 2, "a");
	assert_int_equal(db_run(q), RC_CONFLICT);
	assert_int_equal(db_prepare(t->db, "INSERT INTO t (id, name) VALUES ($1, $2)", &q), RC_OK);
	db_bind_int64(q, 1, 9);
	db_bind_text(q, 2, "i");
	assert_int_equal(db_run(q), RC_OK);
	assert_int_equal(one_int(t->db, BY_ID, 9), 90);
}

/* A statement handed back mid-rows must not keep its read transaction:
 * another connection's write is seen by this connection's next read. */
static void a_handed_back_statement_releases_its_snapshot(void **state)
{
	struct testdb *t = *state;
	struct db *other;
	char err[300] = "";
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &other, err, sizeof err), RC_OK);
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db, "SELECT id FROM t ORDER BY id", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	db_finalize(q);
	assert_int_equal(db_exec(other, "INSERT INTO t (id, name) VALUES (4, 'd')"), RC_OK);
	assert_int_equal(one_int(t->db, "SELECT count(*) FROM t", 0), 4);
	db_close(other);
}

/* A row loop that calls code preparing the same text gets a second
 * statement; neither disturbs the other. */
static void text_in_use_gets_a_second_statement(void **state)
{
	struct testdb *t = *state;
	struct db_stmt *outer, *inner;
	const char *sql = "SELECT id FROM t ORDER BY id";
	assert_int_equal(db_prepare(t->db, sql, &outer), RC_OK);
	int64_t seen = 0;
	while (db_step(outer) == DB_ROW) {
		seen = seen * 10 + db_col_int64(outer, 0);
		assert_int_equal(db_prepare(t->db, sql, &inner), RC_OK);
		assert_ptr_not_equal(inner, outer);
		int64_t sum = 0;
		while (db_step(inner) == DB_ROW)
			sum += db_col_int64(inner, 0);
		assert_int_equal(sum, 6);
		db_finalize(inner);
	}
	db_finalize(outer);
	assert_int_equal(seen, 123);
	/* Both are kept: two callers at once find two idle statements. */
	struct db_cache_stats before = stats(t->db);
	assert_int_equal(db_prepare(t->db, sql, &outer), RC_OK);
	assert_int_equal(db_prepare(t->db, sql, &inner), RC_OK);
	assert_ptr_not_equal(inner, outer);
	db_finalize(inner);
	db_finalize(outer);
	assert_int_equal(stats(t->db).hits - before.hits, 2);
	assert_int_equal(stats(t->db).misses, before.misses);
}

/* The key is the text, not where it lives: a caller's buffer reused for
 * other SQL gets the statement for the new text. */
static void key_is_the_text_not_its_address(void **state)
{
	struct testdb *t = *state;
	char buf[64];
	snprintf(buf, sizeof buf, "SELECT %d", 11);
	assert_int_equal(one_int(t->db, buf, 0), 11);
	snprintf(buf, sizeof buf, "SELECT %d", 12);
	assert_int_equal(one_int(t->db, buf, 0), 12);
	snprintf(buf, sizeof buf, "SELECT %d", 11);
	struct db_cache_stats before = stats(t->db);
	assert_int_equal(one_int(t->db, buf, 0), 11);
	assert_int_equal(stats(t->db).hits - before.hits, 1);
}

static void full_cache_evicts_the_oldest_idle_statement(void **state)
{
	struct testdb *t = *state;
	char sql[64];
	int n = DB_STMT_CACHE_MAX + 10;
	struct db_cache_stats before = stats(t->db);
	for (int i = 0; i < n; i++) {
		snprintf(sql, sizeof sql, "SELECT %d + 1000", i);
		assert_int_equal(one_int(t->db, sql, 0), i + 1000);
	}
	struct db_cache_stats after = stats(t->db);
	assert_int_equal(after.kept, DB_STMT_CACHE_MAX);
	assert_true(after.evictions - before.evictions >= 10);
	/* The newest are still kept, the oldest compile again, and every
	 * answer is right either way. */
	before = after;
	snprintf(sql, sizeof sql, "SELECT %d + 1000", n - 1);
	assert_int_equal(one_int(t->db, sql, 0), n - 1 + 1000);
	assert_int_equal(stats(t->db).hits - before.hits, 1);
	snprintf(sql, sizeof sql, "SELECT %d + 1000", 0);
	assert_int_equal(one_int(t->db, sql, 0), 1000);
	assert_int_equal(stats(t->db).misses - before.misses, 1);
}

/* With every kept statement in use, a new one is an ordinary statement:
 * it works and is destroyed when finalized (ASan checks nothing leaks). */
static void all_in_use_still_prepares(void **state)
{
	struct testdb *t = *state;
	struct db_stmt **held = calloc(DB_STMT_CACHE_MAX, sizeof *held);
	assert_non_null(held);
	char sql[64];
	for (int i = 0; i < DB_STMT_CACHE_MAX; i++) {
		snprintf(sql, sizeof sql, "SELECT %d + 2000", i);
		assert_int_equal(db_prepare(t->db, sql, &held[i]), RC_OK);
	}
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db, "SELECT 7", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_col_int64(q, 0), 7);
	db_finalize(q);
	assert_int_equal(stats(t->db).kept, DB_STMT_CACHE_MAX);
	for (int i = 0; i < DB_STMT_CACHE_MAX; i++) {
		assert_int_equal(db_step(held[i]), DB_ROW);
		assert_int_equal(db_col_int64(held[i], 0), i + 2000);
		db_finalize(held[i]);
	}
	free(held);
	/* Closing with statements kept (and one in use) frees them all. */
	assert_int_equal(db_prepare(t->db, "SELECT 8", &q), RC_OK);
	(void)q;
}

/* The index the planner of connection db takes for "a = ? AND b = ?" on
 * t2 now.  EXPLAIN shows the plan made when the statement was prepared,
 * so each look prepares a text of its own (n). */
static const char *plan_index(struct db *db, int n, char *buf, size_t len)
{
	char sql[120];
	snprintf(sql, sizeof sql,
	         "EXPLAIN QUERY PLAN SELECT id FROM t2 WHERE a = $1 AND b = $2 -- %d", n);
	struct db_stmt *q;
	assert_int_equal(db_prepare(db, sql, &q), RC_OK);
	db_bind_int64(q, 1, 5);
	db_bind_int64(q, 2, 1);
	assert_int_equal(db_step(q), DB_ROW);
	const char *detail = db_col_text(q, 3);
	snprintf(buf, len, "%s",
	         strstr(detail, "t2_a")   ? "t2_a"
	         : strstr(detail, "t2_b") ? "t2_b"
	                                  : detail);
	db_finalize(q);
	return buf;
}

/* Statistics gathered on one connection reach every other by its next
 * statement, without that connection taking a lock: here a third
 * connection holds the write lock all the while (a long import), and the
 * reader neither waits nor fails.  (Kept statements are prepared again by
 * SQLite when the schema's version changed, which the analysis does.) */
static void new_statistics_reach_every_connection_without_a_lock(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(
	    db_exec(t->db, "CREATE TABLE t2 (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)"),
	    RC_OK);
	assert_int_equal(db_exec(t->db, "CREATE INDEX t2_a ON t2 (a)"), RC_OK);
	assert_int_equal(db_exec(t->db, "CREATE INDEX t2_b ON t2 (b)"), RC_OK);
	/* First b tells rows apart and a does not: analysed, the planner takes
	 * t2_b.  Then the other way round: analysed again, t2_a. */
	assert_int_equal(db_exec(t->db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
	                                " FROM n WHERE i < 2000) INSERT INTO t2 (a, b) SELECT 1, i"
	                                " FROM n"),
	                 RC_OK);
	struct db *analyser, *writer;
	char err[300] = "";
	char buf[200];
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &analyser, err, sizeof err), RC_OK);
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &writer, err, sizeof err), RC_OK);
	assert_int_equal(db_analyze(analyser), RC_OK);
	assert_string_equal(plan_index(t->db, 1, buf, sizeof buf), "t2_b");
	assert_int_equal(db_exec(t->db, "UPDATE t2 SET a = id, b = 1"), RC_OK);
	assert_string_equal(plan_index(t->db, 2, buf, sizeof buf), "t2_b"); /* old statistics */
	int64_t version_before = one_int(t->db, "PRAGMA schema_version", 0);
	assert_int_equal(db_analyze(analyser), RC_OK);
	assert_int_equal(db_exec(writer, "BEGIN IMMEDIATE"), RC_OK);
	/* A kept statement runs at once, with the write lock held elsewhere. */
	assert_int_equal(one_int(t->db, BY_ID, 2), 20);
	assert_true(one_int(t->db, "PRAGMA schema_version", 0) > version_before);
	assert_string_equal(plan_index(t->db, 3, buf, sizeof buf), "t2_a");
	assert_int_equal(db_exec(writer, "COMMIT"), RC_OK);
	assert_string_equal(plan_index(analyser, 4, buf, sizeof buf), "t2_a");
	db_close(writer);
	db_close(analyser);
}

/* Finalizing twice would hand one statement to two callers: the program
 * stops instead (before the cache it was a double free). */
static void double_finalize_stops_the_program(void **state)
{
	struct testdb *t = *state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct db_stmt *q;
		if (db_prepare(t->db, "SELECT 1", &q))
			_exit(2);
		db_finalize(q);
		freopen("/dev/null", "w", stderr);
		db_finalize(q);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(same_text_is_compiled_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_handed_back_statement_starts_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_handed_back_statement_releases_its_snapshot, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(text_in_use_gets_a_second_statement, setup, teardown),
	    cmocka_unit_test_setup_teardown(key_is_the_text_not_its_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(full_cache_evicts_the_oldest_idle_statement, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(all_in_use_still_prepares, setup, teardown),
	    cmocka_unit_test_setup_teardown(new_statistics_reach_every_connection_without_a_lock,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(double_finalize_stops_the_program, setup, teardown),
	};
	return cmocka_run_group_tests_name("stmt_cache", tests, NULL, NULL);
}
