/*
 * test_storage_setup.c — SQLite is set up for a server (docs/architecture.md,
 * "Storage"): memory statistics off for the process, and every fresh
 * connection with its page cache and memory map sized, in WAL mode with
 * foreign keys on.  The settings are read back from the connection.
 */
#include <sqlite3.h>

#include "testutil.h"
#include "core/demo.h"
#include "core/org.h"
#include "util/arena.h"
#include "util/buf.h"

/* The one integer the statement prepared into *q answers (finalized). */
static int64_t one_int(enum rc prepared, struct db_stmt **q)
{
	assert_int_equal(prepared, RC_OK);
	int64_t v = -1;
	assert_int_equal(db_one_int64(*q, &v), RC_OK);
	return v;
}

/* SQL stays constant text at every db_prepare (scripts/check-style). */
#define PRAGMA_INT(db, SQL) one_int(db_prepare(db, SQL, &q), &q)

/* Runs first, before anything else in this process used SQLite: opening a
 * connection does the process-wide set-up if main() did not, and SQLite's
 * memory statistics are then off (sqlite3_memory_used stays 0 however much
 * the connection allocates; with them on it counts every byte). */
static void memory_statistics_are_off(void **state)
{
	(void)state;
	struct testdb t;
	struct db_stmt *q;
	testdb_open(&t);
	assert_true(PRAGMA_INT(t.db, "SELECT count(*) FROM schema_migration") > 0);
	assert_int_equal(sqlite3_memory_used(), 0);
	/* The set-up ran once and worked; calling again says so. */
	assert_int_equal(db_global_init(), RC_OK);
	testdb_close(&t);
}

static void fresh_connection_has_server_settings(void **state)
{
	(void)state;
	struct testdb t;
	struct db_stmt *q;
	testdb_open(&t);
	/* Page cache: 8 MiB (a negative size is in KiB). */
	assert_int_equal(PRAGMA_INT(t.db, "PRAGMA cache_size"), -8192);
	/* Memory map: 2 GiB asked; SQLite clamps it to its compile-time
	 * maximum, at least 2 GiB less 64 KiB (0x7fff0000) by default. */
	int64_t mmap = PRAGMA_INT(t.db, "PRAGMA mmap_size");
	assert_true(mmap >= 0x7fff0000);
	assert_true(mmap <= 2147483648LL);
	assert_int_equal(PRAGMA_INT(t.db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(PRAGMA_INT(t.db, "PRAGMA synchronous"), 1); /* NORMAL */
	/* Statement journals and RETURNING's tables in memory, not files. */
	assert_int_equal(PRAGMA_INT(t.db, "PRAGMA temp_store"), 2); /* MEMORY */
	assert_int_equal(db_prepare(t.db, "PRAGMA journal_mode", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_string_equal(db_col_text(q, 0), "wal");
	db_finalize(q);
	testdb_close(&t);
}

/* An existing database opened again (as the server's pool does) gets the
 * same settings: they belong to the connection, not to the file. */
static void reopened_connection_has_server_settings(void **state)
{
	(void)state;
	struct testdb t;
	struct db_stmt *q;
	testdb_open(&t);
	struct db *again;
	char err[300] = "";
	assert_int_equal(db_open(t.path, DB_OPEN_EXISTING, &again, err, sizeof err), RC_OK);
	assert_int_equal(PRAGMA_INT(again, "PRAGMA cache_size"), -8192);
	assert_true(PRAGMA_INT(again, "PRAGMA mmap_size") >= 0x7fff0000);
	assert_int_equal(PRAGMA_INT(again, "PRAGMA temp_store"), 2);
	db_close(again);
	testdb_close(&t);
}

/* The indexes without statistics, names joined by spaces, in a. */
static const char *unmeasured_indexes(struct db *db, struct arena *a)
{
	struct db_stmt *q;
	assert_int_equal(
	    db_prepare(db,
	               "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT"
	               " IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
	               " ORDER BY name",
	               &q),
	    RC_OK);
	struct buf b;
	buf_init(&b, BUF_DEFAULT_MAX);
	while (db_step(q) == DB_ROW) {
		buf_puts(&b, db_col_text(q, 0));
		buf_putc(&b, ' ');
	}
	db_finalize(q);
	const char *out = arena_strdup(a, buf_cstr(&b));
	buf_release(&b);
	return out;
}

/* A database analysed by an older release and then migrated gets
 * statistics for the indexes the migrations added: the same set of
 * indexes is measured as a full ANALYZE of the same rows would measure.
 * (Migration 16 adds the list indexes; without statistics beside the old
 * ones' the planner sorted whole lists.) */
static void migrating_an_analysed_database_measures_new_indexes(void **state)
{
	(void)state;
	struct testdb t;
	testdb_open(&t); /* for its folder; the database is made anew */
	db_close(t.db);
	unlink(t.path);
	char err[300] = "";
	struct db *db;
	assert_int_equal(db_open_at_version(t.path, 15, &db, err, sizeof err), RC_OK);
	testdb_attach_vault(db);
	struct actor who = test_actor;
	who.now = TEST_NOW;
	struct field_error e = {0};
	assert_int_equal(org_association_create(db, &who, "Förbundet", NULL, &e), RC_OK);
	assert_int_equal(demo_create(db, db_vault(db), &who), RC_OK);
	assert_int_equal(db_exec(db, "ANALYZE"), RC_OK);
	db_close(db);

	assert_int_equal(db_open(t.path, DB_OPEN_EXISTING, &db, err, sizeof err), RC_OK);
	struct arena *a = arena_new(0);
	const char *after_migration = unmeasured_indexes(db, a);
	assert_int_equal(db_exec(db, "ANALYZE"), RC_OK);
	const char *full = unmeasured_indexes(db, a);
	assert_string_equal(after_migration, full);
	/* and the list indexes of migration 16 are among the measured */
	assert_null(strstr(after_migration, "participation_running "));
	arena_free(a);
	t.db = db;
	testdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(memory_statistics_are_off),
	    cmocka_unit_test(fresh_connection_has_server_settings),
	    cmocka_unit_test(reopened_connection_has_server_settings),
	    cmocka_unit_test(migrating_an_analysed_database_measures_new_indexes),
	};
	return cmocka_run_group_tests_name("storage_setup", tests, NULL, NULL);
}
