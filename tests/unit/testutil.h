/*
 * testutil.h — shared set-up for the unit tests: a fresh SQLite database in
 * a private temporary folder, removed again at the end.
 */
#ifndef FINSAM_TESTUTIL_H
#define FINSAM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/actor.h"
#include "db/db.h"
#include "util/crypto.h"
#include "util/vault.h"

struct testdb {
	char dir[64];
	char path[128];
	struct db *db;
};

/* A fixed moment for tests that pass the clock in: 2026-11-23T12:00:00Z. */
#define TEST_NOW ((int64_t)1795435200)
/* now 0: the wall clock, until a test fixes it. */
static const struct actor test_actor = {0, "test", "127.0.0.1", ROLE_ADMIN, 0};

/* Attaches a vault of a random key to db, owned by it, as the command line
 * and the server do: audit entries are anchored with it. */
static inline void testdb_attach_vault(struct db *db)
{
	unsigned char key[32];
	struct vault *v;
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)rand();
	assert_int_equal(vault_from_key(key, &v), RC_OK);
	db_set_vault(db, v, 1);
}

/* Creates a fresh database; fails the test if it cannot.  Also makes
 * password hashing cheap for the rest of the process (see crypto.h). */
static inline void testdb_open(struct testdb *t)
{
	assert_int_equal(crypto_setup(), 0);
	/* Passwords hashed at the lowest argon2id cost: a test that needs
	 * the real cost sets it back with crypto_set_test_cost(0). */
	crypto_set_test_cost(1);
	snprintf(t->dir, sizeof t->dir, "/tmp/finsam-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
	char err[300] = "";
	assert_int_equal(db_open(t->path, DB_OPEN_CREATE, &t->db, err, sizeof err), RC_OK);
	testdb_attach_vault(t->db);
}

/*
 * Runs the block once for n = 1, 2, ... with the nth step inside a db_tx
 * attempt on db failing as busy (db_test_fail_step), so db_tx runs the
 * callback again; the block's assertions must hold for every n.  Stops
 * after the first n whose failure never fired (the write has fewer
 * steps), and fails past 199 steps.
 */
#define EVERY_RETRY(db, n, ...)                         \
	for (int n = 1; n < 200; n++) {                 \
		db_test_fail_step((db), n);             \
		__VA_ARGS__;                            \
		int fired_ = !db_test_fail_pending(db); \
		db_test_fail_step((db), 0);             \
		if (!fired_)                            \
			break;                          \
		assert_true(n < 199);                   \
	}

static inline void testdb_close(struct testdb *t)
{
	db_close(t->db);
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm", ".key"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

#endif
