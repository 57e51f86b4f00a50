/* Unit tests for the storage interface: $N binding, transactions,
 * constraints and schema migrations. */
#include <sqlite3.h>
#include <sys/stat.h>

#include "testutil.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(binds_dollar_placeholders_by_number, setup, teardown),
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
	};
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
