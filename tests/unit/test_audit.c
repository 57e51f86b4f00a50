/* Unit tests for the hash-chained audit log: an intact chain verifies, any
 * change or removal is found, and the store refuses edits. */
#include <sqlite3.h>

#include "testutil.h"
#include "core/audit.h"
#include "util/arena.h"

static int setup(void **state)
{
	struct testdb *t = calloc(1, sizeof *t);
	testdb_open(t);
	for (int i = 1; i <= 4; i++)
		assert_int_equal(audit_append(t->db, &test_actor, "update", "member", i, "namn"),
		                 RC_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	testdb_close(*state);
	free(*state);
	return 0;
}

/* Changes the file behind finsam's back, as someone with file access
 * could: drops the guarding triggers and runs sql. */
static void tamper(struct testdb *t, const char *sql)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open(t->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
	                              "DROP TRIGGER audit_log_no_update;"
	                              "DROP TRIGGER audit_log_no_delete;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void intact_chain_verifies(void **state)
{
	struct testdb *t = *state;
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_OK);
	assert_int_equal(n, 4);
	assert_int_equal(bad, 0);
}

static void entries_are_listed_newest_first(void **state)
{
	struct testdb *t = *state;
	struct arena *a = arena_new(0);
	struct audit_entry *e;
	size_t n;
	assert_int_equal(audit_list(t->db, a, 0, 3, &e, &n), RC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].id, 4);
	assert_string_equal(e[0].actor, "test");
	assert_string_equal(e[0].address, "127.0.0.1");
	assert_string_equal(e[0].object_id, "4");
	assert_int_equal(audit_list(t->db, a, 2, 10, &e, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].id, 1);
	arena_free(a);
}

static void store_refuses_update_and_delete(void **state)
{
	struct testdb *t = *state;
	assert_int_not_equal(db_exec(t->db, "UPDATE audit_log SET actor = 'x' WHERE id = 2"),
	                     RC_OK);
	assert_int_not_equal(db_exec(t->db, "DELETE FROM audit_log WHERE id = 2"), RC_OK);
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_OK);
}

static void changed_entry_breaks_the_chain(void **state)
{
	struct testdb *t = *state;
	tamper(t, "UPDATE audit_log SET actor = 'någon annan' WHERE id = 2");
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_CONFLICT);
	assert_int_equal(bad, 2);
}

static void removed_entry_breaks_the_chain(void **state)
{
	struct testdb *t = *state;
	tamper(t, "DELETE FROM audit_log WHERE id = 3");
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_CONFLICT);
	assert_int_equal(bad, 4);
}

static void removed_first_entry_breaks_the_chain(void **state)
{
	struct testdb *t = *state;
	tamper(t, "DELETE FROM audit_log WHERE id = 1");
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_CONFLICT);
	assert_int_equal(bad, 2);
}

static void rehashed_entry_still_breaks_the_next(void **state)
{
	struct testdb *t = *state;
	/* Someone who changes an entry and its own hash still leaves the next
	 * entry's prev_hash pointing at the old one. */
	tamper(t, "UPDATE audit_log SET detail = 'x', hash = 'ab' WHERE id = 2");
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_CONFLICT);
	assert_int_equal(bad, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(intact_chain_verifies, setup, teardown),
	    cmocka_unit_test_setup_teardown(entries_are_listed_newest_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(store_refuses_update_and_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(changed_entry_breaks_the_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(removed_entry_breaks_the_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(removed_first_entry_breaks_the_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(rehashed_entry_still_breaks_the_next, setup, teardown),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
