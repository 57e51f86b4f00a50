/* Unit tests for the key check and the key file: a database refuses a key
 * file that is not its own, a database from before the check adopts a key
 * only if it opens every stored identity, and each fault of a key file is
 * told apart. */
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>

#include "testutil.h"
#include "core/audit.h"
#include "core/keycheck.h"
#include "util/arena.h"

struct fx {
	struct testdb t;
	struct vault *right, *wrong;
	struct arena *a;
};

static struct vault *random_vault(void)
{
	unsigned char key[32];
	randombytes_buf(key, sizeof key);
	struct vault *v;
	assert_int_equal(vault_from_key(key, &v), RC_OK);
	return v;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	testdb_open(&f->t);
	f->right = random_vault();
	f->wrong = random_vault();
	/* As the command line does: the key being checked is the one attached. */
	db_set_vault(f->t.db, f->right, 0);
	f->a = arena_new(0);
	assert_int_equal(db_exec(f->t.db, "INSERT INTO association (id, name, created_at)"
	                                  " VALUES (1, 'Förbundet', '2024-01-01')"),
	                 RC_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	testdb_close(&f->t);
	vault_close(f->right);
	vault_close(f->wrong);
	arena_free(f->a);
	free(f);
	return 0;
}

/* Stores an identity sealed with v, as participation.c does (each owned by its
 * own participation, migration 10). */
static void add_identity(struct fx *f, const struct vault *v, const char *pnr)
{
	char hash[VAULT_HASH_HEX_LEN + 1];
	vault_hash(v, pnr, hash);
	struct db_stmt *q;
	assert_int_equal(
	    db_prepare(f->t.db,
	               "INSERT INTO identity (association_id, participation_id, pnr_hash,"
	               " sealed_pnr, sealed_name, created_at) VALUES (1,"
	               " (SELECT coalesce(max(participation_id), 0) + 1 FROM identity),"
	               " $1, $2, $3, '2024-01-01')",
	               &q),
	    RC_OK);
	db_bind_text(q, 1, hash);
	db_bind_text(q, 2, vault_seal(v, f->a, pnr));
	db_bind_text(q, 3, vault_seal(v, f->a, "Test Testsson"));
	assert_int_equal(db_step(q), DB_DONE);
	db_finalize(q);
}

static int64_t key_checks(struct fx *f)
{
	struct db_stmt *q;
	assert_int_equal(db_prepare(f->t.db, "SELECT count(*) FROM key_check", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	int64_t n = db_col_int64(q, 0);
	db_finalize(q);
	return n;
}

static void new_database_stores_the_key_and_refuses_another(void **state)
{
	struct fx *f = *state;
	struct keycheck_result r;
	assert_int_equal(keycheck_run(f->t.db, f->right, &r), RC_OK);
	assert_int_equal(r.outcome, KEYCHECK_STORED);
	/* The empty log is anchored at once, so emptying it later shows. */
	enum audit_anchor_state st;
	assert_int_equal(audit_anchor_check(f->t.db, &st), RC_OK);
	assert_int_equal(st, AUDIT_ANCHOR_OK);
	assert_int_equal(db_exec(f->t.db, "DELETE FROM audit_anchor"), RC_OK);
	assert_int_equal(audit_anchor_check(f->t.db, &st), RC_OK);
	assert_int_equal(st, AUDIT_ANCHOR_BROKEN);
	assert_int_equal(audit_append(f->t.db, &test_actor, "update", "member", 1, ""),
	                 RC_CONFLICT);
	assert_int_equal(db_exec(f->t.db, "DELETE FROM key_check"), RC_OK);
	assert_int_equal(keycheck_run(f->t.db, f->right, &r), RC_OK);
	assert_int_equal(keycheck_run(f->t.db, f->right, &r), RC_OK);
	assert_int_equal(r.outcome, KEYCHECK_MATCH);
	assert_int_equal(keycheck_run(f->t.db, f->wrong, &r), RC_DENIED);
	assert_int_equal(r.outcome, KEYCHECK_WRONG);
	assert_int_equal(key_checks(f), 1);
}

static void old_database_adopts_a_key_that_opens_every_identity(void **state)
{
	struct fx *f = *state;
	add_identity(f, f->right, "19121212-1212");
	add_identity(f, f->right, "19850101-0008");
	struct keycheck_result r;
	assert_int_equal(keycheck_run(f->t.db, f->wrong, &r), RC_DENIED);
	assert_int_equal(r.outcome, KEYCHECK_UNOPENED);
	assert_int_equal(r.identities, 2);
	assert_int_equal(r.unopened, 2);
	assert_int_equal(key_checks(f), 0); /* nothing adopted */
	assert_int_equal(keycheck_run(f->t.db, f->right, &r), RC_OK);
	assert_int_equal(r.outcome, KEYCHECK_ADOPTED);
	assert_int_equal(r.identities, 2);
	assert_int_equal(key_checks(f), 1);
	/* From now on the stored check decides. */
	assert_int_equal(keycheck_run(f->t.db, f->wrong, &r), RC_DENIED);
	assert_int_equal(r.outcome, KEYCHECK_WRONG);
	/* The adoption is in the audit log, and anchors it. */
	enum audit_anchor_state st;
	assert_int_equal(audit_anchor_check(f->t.db, &st), RC_OK);
	assert_int_equal(st, AUDIT_ANCHOR_OK);
}

static void old_database_with_identities_under_two_keys_adopts_neither(void **state)
{
	struct fx *f = *state;
	/* What the old bug left behind: new identities sealed under a wrong key. */
	add_identity(f, f->right, "19121212-1212");
	add_identity(f, f->wrong, "19850101-0008");
	struct keycheck_result r;
	assert_int_equal(keycheck_run(f->t.db, f->right, &r), RC_DENIED);
	assert_int_equal(r.unopened, 1);
	assert_int_equal(keycheck_run(f->t.db, f->wrong, &r), RC_DENIED);
	assert_int_equal(r.unopened, 1);
	assert_int_equal(key_checks(f), 0);
}

/* A database that had key_check and audit_anchor when it was opened, with
 * the newest log entries, the anchor and the check deleted (no key needed):
 * not adopted again, but refused; read-only checks never adopt. */
static void removed_check_in_a_current_database_is_refused(void **state)
{
	struct fx *f = *state;
	struct keycheck_result r;
	assert_int_equal(keycheck_run(f->t.db, f->right, &r), RC_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(audit_append(f->t.db, &test_actor, "update", "member", 1, ""),
		                 RC_OK);
	db_close(f->t.db);
	char err[300] = "";
	assert_int_equal(db_open(f->t.path, DB_OPEN_EXISTING, &f->t.db, err, sizeof err), RC_OK);
	db_set_vault(f->t.db, f->right, 0);
	assert_int_equal(db_opened_version(f->t.db), db_schema_latest());
	assert_int_equal(db_exec(f->t.db, "DROP TRIGGER audit_log_no_delete"), RC_OK);
	assert_int_equal(
	    db_exec(f->t.db,
	            "DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)"),
	    RC_OK);
	assert_int_equal(db_exec(f->t.db, "DELETE FROM audit_anchor"), RC_OK);
	assert_int_equal(db_exec(f->t.db, "DELETE FROM key_check"), RC_OK);
	assert_int_equal(keycheck_check(f->t.db, f->right, KEYCHECK_READ_ONLY, &r), RC_DENIED);
	assert_int_equal(r.outcome, KEYCHECK_MISSING);
	assert_int_equal(keycheck_run(f->t.db, f->right, &r), RC_DENIED);
	assert_int_equal(r.outcome, KEYCHECK_MISSING);
	assert_int_equal(key_checks(f), 0); /* nothing adopted, no new anchor */
	struct db_stmt *q;
	assert_int_equal(db_prepare(f->t.db, "SELECT count(*) FROM audit_anchor", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_col_int64(q, 0), 0);
	db_finalize(q);
}

/* A database from before the check, upgraded by this very open, adopts;
 * the same database checked read-only does not. */
static void database_upgraded_in_this_open_adopts(void **state)
{
	struct fx *f = *state;
	char path[200], err[300] = "";
	snprintf(path, sizeof path, "%s/old.db", f->t.dir);
	struct db *db;
	assert_int_equal(db_open_at_version(path, KEYCHECK_SCHEMA - 1, &db, err, sizeof err),
	                 RC_OK);
	db_close(db);
	assert_int_equal(db_open(path, DB_OPEN_AS_IS, &db, err, sizeof err), RC_OK);
	assert_int_equal(db_schema_version(db), KEYCHECK_SCHEMA - 1);
	db_close(db);
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, &db, err, sizeof err), RC_OK);
	assert_int_equal(db_opened_version(db), KEYCHECK_SCHEMA - 1);
	db_set_vault(db, f->right, 0);
	struct keycheck_result r;
	assert_int_equal(keycheck_check(db, f->right, KEYCHECK_READ_ONLY, &r), RC_OK);
	assert_int_equal(r.outcome, KEYCHECK_UNCHECKED);
	assert_int_equal(keycheck_run(db, f->right, &r), RC_OK);
	assert_int_equal(r.outcome, KEYCHECK_STORED);
	db_close(db);
	unlink(path);
	snprintf(path + strlen(path), sizeof path - strlen(path), "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	snprintf(path + strlen(path), sizeof path - strlen(path), "-shm");
	unlink(path);
}

/* ---- the key file ---- */

static void write_file(const char *path, const char *text, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void key_file_faults_are_told_apart(void **state)
{
	struct fx *f = *state;
	char key[160], target[160];
	snprintf(key, sizeof key, "%s/k.key", f->t.dir);
	snprintf(target, sizeof target, "%s/target.key", f->t.dir);
	unsigned char k[CRYPTO_KEY_BYTES];
	const char *hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	char text[80];

	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_MISSING);
	assert_int_equal(mkdir(key, 0755), 0);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_NOT_FILE);
	assert_int_equal(rmdir(key), 0);
	assert_int_equal(mkfifo(key, 0600), 0); /* must not block */
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_NOT_FILE);
	unlink(key);

	snprintf(text, sizeof text, "%s\n", hex);
	write_file(key, text, 0600);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_OK);
	assert_int_equal(k[1], 0x11);
	write_file(key, hex, 0600);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_OK);
	snprintf(text, sizeof text, "%s\r\n", hex);
	write_file(key, text, 0600);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_OK);
	write_file(key, text, 0640);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_EXPOSED);
	write_file(key, text, 0602);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_EXPOSED);

	const char *bad[] = {
	    "",
	    "0011",
	    "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0\n",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff x",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n\n\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(key, bad[i], 0600);
		assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_FORMAT);
		for (size_t j = 0; j < sizeof k; j++)
			assert_int_equal(k[j], 0); /* nothing half-read is left */
	}

	/* A symbolic link is followed; its target is what is checked. */
	unlink(key);
	snprintf(text, sizeof text, "%s\n", hex);
	write_file(target, text, 0600);
	assert_int_equal(symlink(target, key), 0);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_OK);
	assert_int_equal(chmod(target, 0644), 0);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_EXPOSED);
	unlink(target);
	assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_MISSING);
	unlink(key);

	if (geteuid() != 0) { /* root reads anything */
		write_file(key, text, 0000);
		assert_int_equal(crypto_key_load(key, k), CRYPTO_KEY_NO_ACCESS);
		unlink(key);
	}
	/* Every fault has its own words; a directory is not called exposed. */
	assert_null(strstr(crypto_key_problem_text(CRYPTO_KEY_NOT_FILE), "andra"));
	assert_non_null(strstr(crypto_key_problem_text(CRYPTO_KEY_EXPOSED), "chmod 600"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(new_database_stores_the_key_and_refuses_another, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(old_database_adopts_a_key_that_opens_every_identity,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        old_database_with_identities_under_two_keys_adopts_neither, setup, teardown),
	    cmocka_unit_test_setup_teardown(removed_check_in_a_current_database_is_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(database_upgraded_in_this_open_adopts, setup, teardown),
	    cmocka_unit_test_setup_teardown(key_file_faults_are_told_apart, setup, teardown),
	};
	return cmocka_run_group_tests_name("keycheck", tests, NULL, NULL);
}
