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
	                              "DROP TRIGGER IF EXISTS audit_log_no_update;"
	                              "DROP TRIGGER IF EXISTS audit_log_no_delete;",
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

static enum audit_anchor_state anchor(struct testdb *t)
{
	enum audit_anchor_state st;
	assert_int_equal(audit_anchor_check(t->db, &st), RC_OK);
	return st;
}

static void anchor_signs_the_newest_entry(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(anchor(t), AUDIT_ANCHOR_OK);
	struct audit_head h;
	assert_int_equal(audit_head(t->db, &h), RC_OK);
	assert_int_equal(h.id, 4);
	assert_int_equal(audit_find(t->db, 4, h.hash), RC_OK);
	assert_int_equal(audit_find(t->db, 3, h.hash), RC_CONFLICT);
	assert_int_equal(audit_find(t->db, 9, h.hash), RC_NOT_FOUND);
}

/* Every remaining entry still hashes right when the newest are gone; the
 * head row (which names entry 4) and the anchor show it. */
static void removed_newest_entries_break_the_anchor(void **state)
{
	struct testdb *t = *state;
	struct audit_head h;
	assert_int_equal(audit_head(t->db, &h), RC_OK);
	tamper(t, "DELETE FROM audit_log WHERE id >= 3");
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_CONFLICT);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 3);
	assert_int_equal(anchor(t), AUDIT_ANCHOR_BROKEN);
	assert_int_equal(audit_find(t->db, h.id, h.hash), RC_NOT_FOUND);
	/* Appending would sign the shortened chain: refused. */
	assert_int_equal(audit_append(t->db, &test_actor, "update", "member", 1, ""), RC_CONFLICT);
	assert_int_equal(anchor(t), AUDIT_ANCHOR_BROKEN);
}

static void emptied_log_breaks_the_anchor(void **state)
{
	struct testdb *t = *state;
	tamper(t, "DELETE FROM audit_log");
	assert_int_equal(anchor(t), AUDIT_ANCHOR_BROKEN);
}

static void anchor_rewritten_without_the_key_is_found(void **state)
{
	struct testdb *t = *state;
	/* Someone without the key moves the anchor to the shortened head: the
	 * MAC no longer fits. */
	tamper(t, "DELETE FROM audit_log WHERE id = 4;"
	          "UPDATE audit_anchor SET head_id = 3,"
	          " head_hash = (SELECT hash FROM audit_log WHERE id = 3)");
	assert_int_equal(anchor(t), AUDIT_ANCHOR_BROKEN);
}

static void removed_anchor_is_found_once_the_key_is_checked(void **state)
{
	struct testdb *t = *state;
	tamper(t, "DELETE FROM audit_anchor");
	/* Without a key check the database looks as one from before anchors. */
	assert_int_equal(anchor(t), AUDIT_ANCHOR_UNSET);
	tamper(t, "INSERT INTO key_check (id, key_id, stored_at) VALUES (1, 'x', 'y')");
	assert_int_equal(anchor(t), AUDIT_ANCHOR_BROKEN);
}

static void another_key_does_not_fit_the_anchor(void **state)
{
	struct testdb *t = *state;
	testdb_attach_vault(t->db); /* a new random key replaces the old */
	assert_int_equal(anchor(t), AUDIT_ANCHOR_BROKEN);
}

static void append_without_a_key_is_refused(void **state)
{
	struct testdb *t = *state;
	db_set_vault(t->db, NULL, 0);
	assert_int_equal(audit_append(t->db, &test_actor, "update", "member", 1, ""), RC_DENIED);
}

/* ---- the head row: several writers ---- */

static void fixed_vault(struct db *db)
{
	unsigned char key[32];
	memset(key, 0x5a, sizeof key);
	struct vault *v;
	assert_int_equal(vault_from_key(key, &v), RC_OK);
	db_set_vault(db, v, 1);
}

struct append_ctx {
	const char *who;
	int64_t object;
};

static enum rc append_tx(struct db *db, void *ctx)
{
	struct append_ctx *c = ctx;
	struct actor a = {0, c->who, "127.0.0.1", ROLE_ADMIN, 0};
	return audit_append(db, &a, "update", "member", c->object, "");
}

/* Two connections to one file take turns appending, each through db_tx:
 * every entry gets the next number after the other connection's, and the
 * chain and the anchor verify after. */
static void two_connections_append_interleaved(void **state)
{
	struct testdb *t = *state;
	struct db *b;
	char err[300];
	fixed_vault(t->db);
	/* Re-anchor the four entries of setup under the fixed key. */
	tamper(t, "DELETE FROM audit_anchor");
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &b, err, sizeof err), RC_OK);
	fixed_vault(b);
	for (int i = 0; i < 25; i++) {
		struct append_ctx ca = {"a", i}, cb = {"b", i};
		assert_int_equal(db_tx(t->db, append_tx, &ca), RC_OK);
		assert_int_equal(db_tx(b, append_tx, &cb), RC_OK);
	}
	/* Once more with the hook: B's append retried after a busy step
	 * between A's appends. */
	struct append_ctx ca = {"a", 99}, cb = {"b", 99};
	db_test_fail_step(b, 3);
	assert_int_equal(db_tx(b, append_tx, &cb), RC_OK);
	assert_false(db_test_fail_pending(b));
	assert_int_equal(db_tx(t->db, append_tx, &ca), RC_OK);
	db_close(b);
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_OK);
	assert_int_equal(n, 4 + 50 + 2);
	assert_int_equal(bad, 0);
	assert_int_equal(anchor(t), AUDIT_ANCHOR_OK);
	struct arena *a = arena_new(0);
	struct audit_entry *e;
	size_t k;
	assert_int_equal(audit_list(t->db, a, 0, 4, &e, &k), RC_OK);
	assert_int_equal(k, 4);
	assert_int_equal(e[0].id, 56);
	assert_string_equal(e[0].actor, "a");
	assert_string_equal(e[1].actor, "b");
	assert_string_equal(e[2].actor, "b");
	assert_string_equal(e[3].actor, "a");
	arena_free(a);
}

/* A database from before the head: the migration starts the head from the
 * chain as it stands, and appends go on from there. */
static void head_is_started_from_the_existing_chain(void **state)
{
	struct testdb *t = *state;
	db_close(t->db);
	/* Make the file what the previous release left: no head table, not
	 * recorded as migrated. */
	sqlite3 *h;
	assert_int_equal(sqlite3_open(t->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
	                              "DROP TABLE audit_head;"
	                              "DELETE FROM schema_migration WHERE version >= 14;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(h);
	char err[300];
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &t->db, err, sizeof err), RC_OK);
	assert_int_equal(db_opened_version(t->db), 13);
	testdb_attach_vault(t->db);
	struct db_stmt *q;
	assert_int_equal(db_prepare(t->db, "SELECT seq FROM audit_head", &q), RC_OK);
	int64_t seq;
	assert_int_equal(db_one_int64(q, &seq), RC_OK);
	assert_int_equal(seq, 4);
	/* The anchor was made with setup's random key, now replaced: drop it
	 * as a database before anchors would have none. */
	tamper(t, "DELETE FROM audit_anchor");
	assert_int_equal(audit_append(t->db, &test_actor, "update", "member", 5, ""), RC_OK);
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_OK);
	assert_int_equal(n, 5);
}

/* Without an anchor (a database whose key was never checked) only the
 * head shows that the newest entry was removed: appending to the
 * shortened chain is refused and verify reports it. */
static void head_finds_a_removed_tail_without_an_anchor(void **state)
{
	struct testdb *t = *state;
	tamper(t, "DELETE FROM audit_anchor; DELETE FROM audit_log WHERE id = 4");
	assert_int_equal(anchor(t), AUDIT_ANCHOR_UNSET);
	assert_int_equal(audit_append(t->db, &test_actor, "update", "member", 1, ""), RC_CONFLICT);
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_CONFLICT);
	assert_int_equal(n, 3);
	assert_int_equal(bad, 4);
}

/* An entry added behind finsam's back leaves the head behind it. */
static void head_behind_the_log_is_found(void **state)
{
	struct testdb *t = *state;
	tamper(t,
	       "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE id = 3)");
	int64_t n, bad;
	assert_int_equal(audit_verify(t->db, &n, &bad), RC_CONFLICT);
	assert_int_equal(bad, 4);
	assert_int_equal(audit_append(t->db, &test_actor, "update", "member", 1, ""), RC_CONFLICT);
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
	    cmocka_unit_test_setup_teardown(anchor_signs_the_newest_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(removed_newest_entries_break_the_anchor, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(emptied_log_breaks_the_anchor, setup, teardown),
	    cmocka_unit_test_setup_teardown(anchor_rewritten_without_the_key_is_found, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(removed_anchor_is_found_once_the_key_is_checked, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(another_key_does_not_fit_the_anchor, setup, teardown),
	    cmocka_unit_test_setup_teardown(append_without_a_key_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(two_connections_append_interleaved, setup, teardown),
	    cmocka_unit_test_setup_teardown(head_is_started_from_the_existing_chain, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(head_finds_a_removed_tail_without_an_anchor, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(head_behind_the_log_is_found, setup, teardown),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
