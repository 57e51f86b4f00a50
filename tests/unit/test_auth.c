/* Unit tests for accounts, password hashing, sessions, CSRF tokens,
 * throttling, API tokens and the permission table. */
#include "testutil.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/demo.h"
#include "core/org.h"
#include "util/arena.h"
#include "util/vault.h"

#define PW "ett-bra-losenord"
#define T0 1800000000LL

static int setup(void **state)
{
	struct testdb *t = calloc(1, sizeof *t);
	testdb_open(t);
	struct field_error e;
	assert_int_equal(auth_user_add(t->db, &test_actor, "anna.berg", "Anna Berg", ROLE_DIRECTOR,
	                               PW, NULL, &e),
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

/* The one test of hashing at the real cost, which is what the finsam
 * binary always uses (nothing under src/ calls crypto_set_test_cost). */
static void password_hash_is_argon2id_and_verifies(void **state)
{
	(void)state;
	assert_int_equal(crypto_setup(), 0);
	crypto_set_test_cost(0);
	char h[CRYPTO_PWHASH_LEN];
	assert_int_equal(crypto_password_hash("hemligt-lösen", h), RC_OK);
	assert_memory_equal(h, "$argon2id$", 10);
	/* libsodium's interactive cost: 64 MiB, two passes. */
	assert_non_null(strstr(h, "$m=65536,t=2,"));
	assert_true(crypto_password_verify(h, "hemligt-lösen"));
	assert_false(crypto_password_verify(h, "hemligt-losen"));
	char h2[CRYPTO_PWHASH_LEN];
	assert_int_equal(crypto_password_hash("hemligt-lösen", h2), RC_OK);
	assert_string_not_equal(h, h2); /* salted */
	/* The dummy hash is made once per process, at the cost of the
	 * moment: cheap for the tests that follow. */
	crypto_set_test_cost(1);
	assert_false(crypto_password_verify("", "x"));
}

/* The test cost is the lowest libsodium allows, and a hash made at either
 * cost verifies at the cost written in it. */
static void test_cost_is_cheap_and_switchable(void **state)
{
	(void)state;
	assert_int_equal(crypto_setup(), 0);
	char cheap[CRYPTO_PWHASH_LEN], real[CRYPTO_PWHASH_LEN];
	crypto_set_test_cost(1);
	assert_int_equal(crypto_password_hash("hemligt-lösen", cheap), RC_OK);
	assert_non_null(strstr(cheap, "$m=8,t=1,"));
	crypto_set_test_cost(0);
	assert_int_equal(crypto_password_hash("hemligt-lösen", real), RC_OK);
	assert_non_null(strstr(real, "$m=65536,t=2,"));
	crypto_set_test_cost(1);
	assert_true(crypto_password_verify(cheap, "hemligt-lösen"));
	assert_true(crypto_password_verify(real, "hemligt-lösen"));
	assert_false(crypto_password_verify(real, "hemligt-losen"));
}

static void user_add_validates_fields(void **state)
{
	struct testdb *t = *state;
	struct field_error e;
	assert_int_equal(
	    auth_user_add(t->db, &test_actor, "Anna Berg", "x", ROLE_ADMIN, PW, NULL, &e),
	    RC_INVALID);
	assert_string_equal(e.field, "username");
	assert_int_equal(
	    auth_user_add(t->db, &test_actor, "kalle", "Kalle", ROLE_ADMIN, "kort", NULL, &e),
	    RC_INVALID);
	assert_string_equal(e.field, "password");
	assert_int_equal(auth_user_add(t->db, &test_actor, "kalle", "", ROLE_ADMIN, PW, NULL, &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "display_name");
	assert_int_equal(
	    auth_user_add(t->db, &test_actor, "kalle", "Kalle", ROLE_NONE, PW, NULL, &e),
	    RC_INVALID);
	assert_string_equal(e.field, "role");
	/* Every wrong field at once; a display name is one line without
	 * invisible direction characters. */
	assert_int_equal(auth_user_add(t->db, &test_actor, "Anna Berg", "Anna\xe2\x80\xae grebnA",
	                               ROLE_NONE, "kort", NULL, &e),
	                 RC_INVALID);
	assert_int_equal(field_error_count(&e), 4);
	assert_non_null(field_error_for(&e, "username"));
	assert_non_null(strstr(field_error_for(&e, "display_name"), "osynliga"));
	assert_non_null(field_error_for(&e, "role"));
	assert_non_null(field_error_for(&e, "password"));
	assert_int_equal(
	    auth_user_add(t->db, &test_actor, "kalle", "Kalle\r\nAdmin", ROLE_ADMIN, PW, NULL, &e),
	    RC_INVALID);
	assert_string_equal(e.field, "display_name");
	assert_int_equal(
	    auth_user_add(t->db, &test_actor, "anna.berg", "Anna", ROLE_ADMIN, PW, NULL, &e),
	    RC_INVALID);
	assert_string_equal(e.field, "username");
}

static void login_creates_session_stored_hashed(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	assert_int_equal(strlen(tok), CRYPTO_TOKEN_LEN);
	assert_int_equal(p.role, ROLE_DIRECTOR);
	assert_int_equal(strlen(p.csrf), AUTH_CSRF_LEN);
	assert_string_not_equal(p.csrf, tok);
	/* The token itself is nowhere in the store. */
	struct db_stmt *q;
	assert_int_equal(
	    db_prepare(t->db, "SELECT count(*) FROM session WHERE token_hash = $1", &q), RC_OK);
	db_bind_text(q, 1, tok);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_col_int64(q, 0), 0);
	db_finalize(q);

	struct principal again;
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + 10, &again), RC_OK);
	assert_string_equal(again.name, "anna.berg");
	assert_string_equal(again.csrf, p.csrf);
	assert_int_equal(auth_session_lookup(t->db, "x", T0, &again), RC_NOT_FOUND);
}

static void each_session_has_its_own_csrf_token(void **state)
{
	struct testdb *t = *state;
	char t1[CRYPTO_TOKEN_LEN + 1], t2[CRYPTO_TOKEN_LEN + 1];
	struct principal p1, p2;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, t1, &p1), RC_OK);
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, t2, &p2), RC_OK);
	assert_string_not_equal(t1, t2);
	assert_string_not_equal(p1.csrf, p2.csrf);
}

static void session_expires_when_idle(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + AUTH_IDLE_SECONDS - 5, &p), RC_OK);
	/* Use moved the idle clock on. */
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + 2 * AUTH_IDLE_SECONDS - 10, &p),
	                 RC_OK);
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + 3 * AUTH_IDLE_SECONDS, &p),
	                 RC_NOT_FOUND);
}

static void session_expires_absolutely(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	int64_t now = T0;
	while (now + AUTH_IDLE_SECONDS / 2 <= T0 + AUTH_ABSOLUTE_SECONDS) {
		now += AUTH_IDLE_SECONDS / 2;
		assert_int_equal(auth_session_lookup(t->db, tok, now, &p), RC_OK);
	}
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + AUTH_ABSOLUTE_SECONDS + 1, &p),
	                 RC_NOT_FOUND);
}

static void logout_ends_the_session(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	assert_int_equal(auth_logout(t->db, &test_actor, tok), RC_OK);
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + 1, &p), RC_NOT_FOUND);
}

static void wrong_password_and_unknown_user_are_denied_alike(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", "fel-losenord", "10.0.0.1", T0, tok, &p),
	                 RC_DENIED);
	assert_int_equal(auth_login(t->db, "ingen.alls", PW, "10.0.0.1", T0, tok, &p), RC_DENIED);
	assert_string_equal(tok, "");
}

/* Rows in the audit log with this action (and detail, if given). */
static int64_t audit_count(struct db *db, const char *action, const char *detail)
{
	struct db_stmt *q;
	assert_int_equal(db_prepare(db,
	                            "SELECT count(*) FROM audit_log WHERE action = $1"
	                            " AND (detail = $2 OR $2 = '*')",
	                            &q),
	                 RC_OK);
	db_bind_text(q, 1, action);
	db_bind_text(q, 2, detail ? detail : "*");
	assert_int_equal(db_step(q), DB_ROW);
	int64_t n = db_col_int64(q, 0);
	db_finalize(q);
	return n;
}

static enum rc login_at(struct testdb *t, const char *user, const char *pw, const char *addr,
                        int64_t now)
{
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	return auth_login(t->db, user, pw, addr, now, tok, &p);
}

static void account_and_address_pair_is_locked_after_repeated_failures(void **state)
{
	struct testdb *t = *state;
	for (int i = 0; i < AUTH_PAIR_MAX_FAILURES; i++)
		assert_int_equal(login_at(t, "anna.berg", "fel-losenord", "10.0.0.9", T0 + i),
		                 RC_DENIED);
	/* From that address even the right password is refused while locked. */
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.9", T0 + 10), RC_THROTTLED);
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.9", T0 + 10 + AUTH_LOCK_SECONDS),
	                 RC_OK);
}

static void anonymous_failures_do_not_lock_out_the_owner(void **state)
{
	struct testdb *t = *state;
	/* Anna has logged in from the office before. */
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.1", T0), RC_OK);
	/* Someone elsewhere guesses her password. */
	for (int i = 0; i < AUTH_PAIR_MAX_FAILURES; i++)
		assert_int_equal(login_at(t, "anna.berg", "fel-losenord", "10.6.6.6", T0 + 10 + i),
		                 RC_DENIED);
	assert_int_equal(login_at(t, "anna.berg", PW, "10.6.6.6", T0 + 20), RC_THROTTLED);
	/* The guesser locked only themselves: Anna logs in from the office and
	 * from a new place alike. */
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.1", T0 + 30), RC_OK);
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.2", T0 + 31), RC_OK);
}

static void locked_account_passes_only_right_password_from_known_address(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.1", T0), RC_OK);
	/* A spread-out attack: few failures per address, many in all. */
	char addr[32];
	for (int i = 0; i < AUTH_ACCOUNT_MAX_FAILURES; i++) {
		snprintf(addr, sizeof addr, "10.7.%d.%d", i / 200, i % 200);
		assert_int_equal(login_at(t, "anna.berg", "fel-losenord", addr, T0 + 10 + i),
		                 RC_DENIED);
	}
	int64_t now = T0 + 10 + AUTH_ACCOUNT_MAX_FAILURES;
	/* Locked: the right password from a new address, and any wrong one,
	 * get the same answer, so the lock tells an attacker nothing. */
	assert_int_equal(login_at(t, "anna.berg", PW, "10.8.0.1", now), RC_THROTTLED);
	assert_int_equal(login_at(t, "anna.berg", "fel-losenord", "10.0.0.1", now), RC_THROTTLED);
	/* The right password from where Anna logged in before passes, and the
	 * audit log says it passed a lock. */
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.1", now + 1), RC_OK);
	assert_int_equal(audit_count(t->db, "login", "genom spärr, känd adress"), 1);
	assert_int_equal(login_at(t, "anna.berg", PW, "10.8.0.1", now + 1 + AUTH_LOCK_SECONDS),
	                 RC_OK);
}

static void busy_address_locks_only_accounts_new_to_it(void **state)
{
	struct testdb *t = *state;
	struct field_error e;
	assert_int_equal(
	    auth_user_add(t->db, &test_actor, "bo.ek", "Bo Ek", ROLE_AUDITOR, PW, NULL, &e), RC_OK);
	/* Anna works behind the office's one address (NAT). */
	assert_int_equal(login_at(t, "anna.berg", PW, "192.0.2.1", T0), RC_OK);
	char name[32];
	for (int i = 0; i < AUTH_ADDRESS_MAX_FAILURES; i++) {
		snprintf(name, sizeof name, "gissning%d", i);
		assert_int_equal(login_at(t, name, "x-x-x-x-x-x", "192.0.2.1", T0 + i), RC_DENIED);
	}
	int64_t now = T0 + AUTH_ADDRESS_MAX_FAILURES;
	assert_int_equal(login_at(t, "anna.berg", PW, "192.0.2.1", now), RC_OK);
	assert_int_equal(login_at(t, "bo.ek", PW, "192.0.2.1", now), RC_THROTTLED);
	assert_int_equal(login_at(t, "bo.ek", PW, "192.0.2.2", now), RC_OK);
}

/* Every outcome of a login costs exactly one argon2id computation, so the
 * time taken does not tell an unknown name from a wrong password, a
 * disabled account or a locked one. */
static void every_login_path_costs_one_argon2(void **state)
{
	struct testdb *t = *state;
	struct field_error e;
	assert_int_equal(
	    auth_user_add(t->db, &test_actor, "bo.ek", "Bo Ek", ROLE_AUDITOR, PW, NULL, &e), RC_OK);
	assert_int_equal(auth_user_set_disabled(t->db, &test_actor, "bo.ek", 1), RC_OK);
	assert_int_equal(login_at(t, "anna.berg", PW, "10.0.0.1", T0), RC_OK); /* warm */
	char long_name[80];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	const struct {
		const char *user, *pw, *addr;
		enum rc want;
	} cases[] = {
	    {"ingen.alls", PW, "10.0.0.1", RC_DENIED},            /* unknown name */
	    {"anna.berg", "fel-losenord", "10.0.0.1", RC_DENIED}, /* wrong password */
	    {"bo.ek", PW, "10.0.0.1", RC_DENIED},                 /* disabled */
	    {long_name, PW, "10.0.0.1", RC_DENIED},               /* over-long name */
	    {"anna.berg", PW, "10.0.0.1", RC_OK},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned long before = crypto_argon2_count();
		assert_int_equal(login_at(t, cases[i].user, cases[i].pw, cases[i].addr, T0 + 1),
		                 cases[i].want);
		assert_int_equal(crypto_argon2_count() - before, 1);
	}
	/* Locked, with the right and the wrong password. */
	for (int i = 0; i < AUTH_PAIR_MAX_FAILURES; i++)
		login_at(t, "anna.berg", "fel-losenord", "10.6.6.6", T0 + 2);
	for (int right = 0; right < 2; right++) {
		unsigned long before = crypto_argon2_count();
		assert_int_equal(login_at(t, "anna.berg", right ? PW : "fel", "10.6.6.6", T0 + 3),
		                 RC_THROTTLED);
		assert_int_equal(crypto_argon2_count() - before, 1);
	}
}

/* ---- the argon2id work holds no write lock ------------------------------ */

struct bg_call {
	struct testdb *t;
	int what; /* 0: a failing login, 1: an own password change */
	enum rc rc;
};

static void *bg_run(void *v)
{
	struct bg_call *c = v;
	if (c->what == 0) {
		c->rc = login_at(c->t, "anna.berg", "fel-losenord", "10.0.0.1", T0);
	} else {
		struct actor me = {1, "anna.berg", "10.0.0.1", ROLE_DIRECTOR, 0};
		struct field_error e;
		c->rc = auth_user_change_password(c->t->db, &me, 0, PW, "ett-annat-losen", &e);
	}
	return NULL;
}

struct probe {
	const char *action;
	int64_t seen; /* rows with that action when the probe committed */
};

static enum rc probe_tx(struct db *db, void *v)
{
	struct probe *p = v;
	p->seen = audit_count(db, p->action, NULL);
	return audit_append(db, &test_actor, "probe", "test", 0, "");
}

/* A hook that holds the nth argon2id computation inside its slot, just
 * before the hash, until the test releases it (or 20 s pass, so a broken
 * build fails instead of hanging). */
struct pause {
	pthread_mutex_t m;
	pthread_cond_t cv;
	int calls, at, inside, released;
};

static void pause_hook(void *v)
{
	struct pause *ps = v;
	pthread_mutex_lock(&ps->m);
	if (++ps->calls == ps->at) {
		ps->inside = 1;
		pthread_cond_broadcast(&ps->cv);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 20;
		while (!ps->released && pthread_cond_timedwait(&ps->cv, &ps->m, &until) == 0)
			;
	}
	pthread_mutex_unlock(&ps->m);
}

/* Starts the call in a thread and, while its last argon2id computation is
 * held inside the hash by the hook, commits a write on a second
 * connection.  The write must commit and must not see the call's audit
 * entry: it did not wait for the hashing.  Were the hash inside the
 * call's transaction, the write would wait for the lock until its busy
 * timeout (RC_BUSY) or until the hook gave up, and then see the entry. */
static void writes_pass_while_hashing(struct testdb *t, int what, const char *action,
                                      int computations)
{
	char err[300] = "";
	struct db *db2;
	assert_int_equal(db_open(t->path, DB_OPEN_EXISTING, &db2, err, sizeof err), RC_OK);
	/* The same key as the first connection: audit entries are signed. */
	db_set_vault(db2, (struct vault *)db_vault(t->db), 0);
	crypto_password_dummy_hash();
	struct pause ps = {
	    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, computations, 0, 0};
	struct bg_call c = {t, what, RC_DB};
	struct probe p = {action, -1};
	int64_t before_rows = audit_count(t->db, action, NULL);
	crypto_set_test_hash_hook(pause_hook, &ps);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, bg_run, &c), 0);
	pthread_mutex_lock(&ps.m);
	while (!ps.inside)
		pthread_cond_wait(&ps.cv, &ps.m);
	pthread_mutex_unlock(&ps.m);
	enum rc probe_rc = db_tx(db2, probe_tx, &p);
	pthread_mutex_lock(&ps.m);
	ps.released = 1;
	pthread_cond_broadcast(&ps.cv);
	pthread_mutex_unlock(&ps.m);
	pthread_join(th, NULL);
	crypto_set_test_hash_hook(NULL, NULL);
	db_close(db2);
	assert_int_equal(probe_rc, RC_OK);
	assert_int_equal(p.seen, before_rows);
	assert_int_equal(audit_count(t->db, action, NULL), before_rows + 1);
}

static void login_hashes_without_holding_the_write_lock(void **state)
{
	writes_pass_while_hashing(*state, 0, "login_failed", 1);
}

static void password_change_hashes_without_holding_the_write_lock(void **state)
{
	/* The new hash, then the check of the current password. */
	writes_pass_while_hashing(*state, 1, "password", 2);
}

/* ---- at most crypto_hash_slots() argon2id computations at once ---------- */

#define PARALLEL_LOGINS 6

struct gate {
	atomic_int entered;
};

/* Every computation, once inside its slot, waits until every login is
 * either past this point or queued for a slot: without the bound all of
 * them would be in here together. */
static void gate_hook(void *v)
{
	struct gate *g = v;
	atomic_fetch_add(&g->entered, 1);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct crypto_hash_stats st;
		crypto_test_hash_stats(&st);
		if ((int)st.waiting + atomic_load(&g->entered) >= PARALLEL_LOGINS)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 20)
			break;
		sched_yield();
	}
}

struct par_login {
	const char *path;
	struct vault *v;
	int i;
	enum rc rc;
};

static void *par_login_run(void *v)
{
	struct par_login *pl = v;
	char err[300] = "", addr[32], tok[CRYPTO_TOKEN_LEN + 1];
	struct db *db;
	pl->rc = db_open(pl->path, DB_OPEN_EXISTING, &db, err, sizeof err);
	if (pl->rc)
		return NULL;
	db_set_vault(db, pl->v, 0);
	snprintf(addr, sizeof addr, "10.1.0.%d", pl->i + 1);
	struct principal p;
	pl->rc = auth_login(db, "anna.berg", PW, addr, T0, tok, &p);
	db_close(db);
	return NULL;
}

static void parallel_logins_hash_within_the_bound_and_all_get_in(void **state)
{
	struct testdb *t = *state;
	unsigned slots = crypto_hash_slots();
	assert_true(slots >= 1 && slots < PARALLEL_LOGINS);
	crypto_password_dummy_hash();
	struct gate g = {0};
	crypto_test_hash_stats_reset();
	crypto_set_test_hash_hook(gate_hook, &g);
	pthread_t th[PARALLEL_LOGINS];
	struct par_login pl[PARALLEL_LOGINS];
	for (int i = 0; i < PARALLEL_LOGINS; i++) {
		pl[i] = (struct par_login){t->path, (struct vault *)db_vault(t->db), i, RC_DB};
		assert_int_equal(pthread_create(&th[i], NULL, par_login_run, &pl[i]), 0);
	}
	for (int i = 0; i < PARALLEL_LOGINS; i++)
		pthread_join(th[i], NULL);
	crypto_set_test_hash_hook(NULL, NULL);
	struct crypto_hash_stats st;
	crypto_test_hash_stats(&st);
	/* A login that waited for a slot was let in, not refused. */
	for (int i = 0; i < PARALLEL_LOGINS; i++)
		assert_int_equal(pl[i].rc, RC_OK);
	assert_int_equal(atomic_load(&g.entered), PARALLEL_LOGINS);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.waiting, 0);
	assert_true(st.max_running >= 1 && st.max_running <= slots);
}

/* The demo adds its accounts inside its one transaction, so it hashes
 * their shared password once, before that transaction. */
static void demo_hashes_its_password_once_before_its_transaction(void **state)
{
	(void)state;
	struct testdb t;
	testdb_open(&t);
	char key[160];
	snprintf(key, sizeof key, "%s.key", t.path);
	assert_int_equal(crypto_key_create(key), RC_OK);
	struct vault *v;
	assert_int_equal(vault_open(key, &v), RC_OK);
	struct field_error e;
	assert_int_equal(org_association_create(t.db, &test_actor, "Förbundet", NULL, &e), RC_OK);
	unsigned long before = crypto_argon2_count();
	assert_int_equal(demo_create(t.db, v, &test_actor), RC_OK);
	assert_int_equal(crypto_argon2_count() - before, 1);
	vault_close(v);
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	for (int i = 0; i < demo_account_count; i++)
		assert_int_equal(auth_login(t.db, demo_accounts[i].username, DEMO_PASSWORD,
		                            "10.0.0.1", T0, tok, &p),
		                 RC_OK);
	testdb_close(&t);
}

static void disabling_and_new_password_end_sessions(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	struct field_error e;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	assert_int_equal(auth_user_passwd(t->db, &test_actor, "anna.berg", "ett-nytt-losenord", &e),
	                 RC_OK);
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + 1, &p), RC_NOT_FOUND);
	assert_int_equal(
	    auth_login(t->db, "anna.berg", "ett-nytt-losenord", "10.0.0.1", T0, tok, &p), RC_OK);
	assert_int_equal(auth_user_set_disabled(t->db, &test_actor, "anna.berg", 1), RC_OK);
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + 1, &p), RC_NOT_FOUND);
	assert_int_equal(
	    auth_login(t->db, "anna.berg", "ett-nytt-losenord", "10.0.0.1", T0, tok, &p),
	    RC_DENIED);
	assert_int_equal(auth_user_set_disabled(t->db, &test_actor, "anna.berg", 0), RC_OK);
	assert_int_equal(
	    auth_login(t->db, "anna.berg", "ett-nytt-losenord", "10.0.0.1", T0, tok, &p), RC_OK);
}

static void own_password_change_needs_the_current_one(void **state)
{
	struct testdb *t = *state;
	struct field_error e;
	struct actor me = {1, "anna.berg", "10.0.0.1", ROLE_DIRECTOR, 0};
	assert_int_equal(auth_user_change_password(t->db, &me, 0, "fel", "ett-annat-losen", &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "current");
	assert_int_equal(auth_user_change_password(t->db, &me, 0, PW, "ett-annat-losen", &e),
	                 RC_OK);
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", "ett-annat-losen", "10.0.0.1", T0, tok, &p),
	                 RC_OK);
}

static void own_password_change_ends_the_other_sessions(void **state)
{
	struct testdb *t = *state;
	char mine[CRYPTO_TOKEN_LEN + 1], other[CRYPTO_TOKEN_LEN + 1];
	struct principal p, q;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, mine, &p), RC_OK);
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.2", T0, other, &q), RC_OK);
	/* The web layer passes the id of the session the request came with. */
	assert_int_equal(auth_session_lookup(t->db, mine, T0 + 1, &p), RC_OK);
	assert_true(p.session_id > 0);
	struct actor me = {p.user_id, "anna.berg", "10.0.0.1", ROLE_DIRECTOR, 0};
	struct field_error e;
	assert_int_equal(
	    auth_user_change_password(t->db, &me, p.session_id, PW, "ett-annat-losen", &e), RC_OK);
	assert_int_equal(auth_session_lookup(t->db, mine, T0 + 2, &p), RC_OK);
	assert_int_equal(auth_session_lookup(t->db, other, T0 + 2, &q), RC_NOT_FOUND);
}

static void api_tokens_are_hashed_and_revocable(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	int64_t id;
	struct field_error e;
	struct principal p;
	assert_int_equal(
	    auth_token_create(t->db, &test_actor, "Ekonomisystemet", ROLE_API, tok, &id, &e),
	    RC_OK);
	assert_int_equal(auth_token_lookup(t->db, tok, T0, &p), RC_OK);
	assert_int_equal(p.role, ROLE_API);
	assert_string_equal(p.name, "api:Ekonomisystemet");
	assert_int_equal(p.user_id, 0);
	assert_int_equal(auth_token_revoke(t->db, &test_actor, id), RC_OK);
	assert_int_equal(auth_token_lookup(t->db, tok, T0, &p), RC_NOT_FOUND);
	assert_int_equal(auth_token_revoke(t->db, &test_actor, id), RC_NOT_FOUND);
	assert_int_equal(auth_token_create(t->db, &test_actor, "x", ROLE_ADMIN, tok, &id, &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "role");
}

/* Counts the tests read: constant SQL, one integer each. */
enum count { SESSIONS, USERS, LIVE_KEYS, ENABLED_USERS, AUDIT_ENTRIES };
static const char *const count_sql[] = {
    [SESSIONS] = "SELECT count(*) FROM session",
    [USERS] = "SELECT count(*) FROM app_user",
    [LIVE_KEYS] = "SELECT count(*) FROM api_token WHERE revoked_at IS NULL",
    [ENABLED_USERS] = "SELECT count(*) FROM app_user WHERE disabled_at IS NULL",
    [AUDIT_ENTRIES] = "SELECT count(*) FROM audit_log",
};

static int64_t count_of(struct db *db, enum count k)
{
	struct db_stmt *q;
	int64_t v = -1;
	assert_int_equal(db_prepare(db, count_sql[k], &q), RC_OK);
	assert_int_equal(db_one_int64(q, &v), RC_OK);
	return v;
}

/* The session touch is a write in db_tx: a busy store on its first step
 * is retried, and the touch lands (the idle clock moved on). */
static void session_touch_runs_in_a_transaction(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	for (int n = 1; n <= 3; n++) {
		int64_t at = T0 + n * (AUTH_IDLE_SECONDS - 60);
		db_test_fail_step(t->db, n);
		struct principal again;
		assert_int_equal(auth_session_lookup(t->db, tok, at, &again), RC_OK);
		/* The failure fired: the touch ran inside a transaction. */
		assert_false(db_test_fail_pending(t->db));
		assert_int_equal(again.session_id, p.session_id);
		struct db_stmt *q;
		assert_int_equal(
		    db_prepare(t->db, "SELECT last_seen FROM session WHERE id = $1", &q), RC_OK);
		db_bind_int64(q, 1, p.session_id);
		assert_int_equal(db_step(q), DB_ROW);
		assert_int_equal(db_col_int64(q, 0), at);
		db_finalize(q);
	}
	db_test_fail_step(t->db, 0);
}

/* The API key's last use is recorded in db_tx, at the clock passed in. */
static void token_use_is_recorded_in_a_transaction_at_the_clock_given(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	int64_t id;
	struct field_error e;
	struct principal p;
	assert_int_equal(
	    auth_token_create(t->db, &test_actor, "Ekonomisystemet", ROLE_API, tok, &id, &e),
	    RC_OK);
	db_test_fail_step(t->db, 2);
	assert_int_equal(auth_token_lookup(t->db, tok, TEST_NOW, &p), RC_OK);
	assert_false(db_test_fail_pending(t->db));
	assert_int_equal(p.token_id, id);
	struct arena *a = arena_new(0);
	struct api_token_info *list;
	size_t n;
	assert_int_equal(auth_token_list(t->db, a, &list, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].last_used_at, "2026-11-23T12:00:00Z");
	assert_false(list[0].revoked);
	/* Once a day: a later use the same day writes nothing. */
	db_test_fail_step(t->db, 1);
	assert_int_equal(auth_token_lookup(t->db, tok, TEST_NOW + 3600, &p), RC_OK);
	assert_true(db_test_fail_pending(t->db));
	db_test_fail_step(t->db, 0);
	assert_int_equal(auth_token_list(t->db, a, &list, &n), RC_OK);
	assert_string_equal(list[0].last_used_at, "2026-11-23T12:00:00Z");
	arena_free(a);
}

/* A login retried after a busy step, at every step it has, makes one
 * session, and the token and principal handed out are that session's. */
static void login_retried_hands_out_the_committed_session(void **state)
{
	struct testdb *t = *state;
	int fired = 1;
	for (int n = 1; fired; n++) {
		char tok[CRYPTO_TOKEN_LEN + 1];
		struct principal p;
		int64_t before = count_of(t->db, SESSIONS);
		db_test_fail_step(t->db, n);
		assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p),
		                 RC_OK);
		fired = !db_test_fail_pending(t->db);
		db_test_fail_step(t->db, 0);
		assert_int_equal(count_of(t->db, SESSIONS), before + 1);
		struct principal again;
		assert_int_equal(auth_session_lookup(t->db, tok, T0 + 1, &again), RC_OK);
		assert_int_equal(again.session_id, p.session_id);
		assert_string_equal(again.csrf, p.csrf);
	}
}

/* When the login's transaction fails, no token or principal is handed
 * out: they would name a session that was never stored. */
static void failed_login_transaction_hands_out_nothing(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(db_exec(t->db, "CREATE TRIGGER refuse BEFORE INSERT ON login_known_address"
	                                " BEGIN SELECT RAISE(ABORT, 'refused'); END"),
	                 RC_OK);
	char tok[CRYPTO_TOKEN_LEN + 1] = "unchanged";
	struct principal p;
	memset(&p, 0x5a, sizeof p);
	struct principal sentinel = p;
	assert_int_not_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	assert_string_equal(tok, "");
	assert_memory_equal(&p, &sentinel, sizeof p);
	assert_int_equal(count_of(t->db, SESSIONS), 0);
}

/* The same for an API key: its text is shown only once it is stored. */
static void failed_token_create_hands_out_nothing(void **state)
{
	struct testdb *t = *state;
	assert_int_equal(db_exec(t->db, "CREATE TRIGGER refuse AFTER INSERT ON api_token"
	                                " BEGIN SELECT RAISE(ABORT, 'refused'); END"),
	                 RC_OK);
	char tok[CRYPTO_TOKEN_LEN + 1] = "unchanged";
	int64_t id = -1;
	struct field_error e;
	assert_int_not_equal(
	    auth_token_create(t->db, &test_actor, "Ekonomisystemet", ROLE_API, tok, &id, &e),
	    RC_OK);
	assert_string_equal(tok, "");
	assert_int_equal(id, -1);
}

/* Account and key administration is checked in core, not only by the
 * route table: a förbundschef (no PERM_USER_ADMIN) is refused everything
 * and nothing changes; a user still changes their own password. */
static void account_administration_needs_the_permission_in_core(void **state)
{
	struct testdb *t = *state;
	struct field_error e;
	char tok[CRYPTO_TOKEN_LEN + 1];
	int64_t key;
	assert_int_equal(auth_token_create(t->db, &test_actor, "Nyckel", ROLE_API, tok, &key, &e),
	                 RC_OK);
	int64_t audit_before = count_of(t->db, AUDIT_ENTRIES);
	const struct actor anna = {1, "anna.berg", "10.0.0.1", ROLE_DIRECTOR, TEST_NOW};
	const struct actor nobody = {0, "anonym", "10.0.0.1", ROLE_NONE, TEST_NOW};
	const struct actor *refused[] = {&anna, &nobody, NULL};
	for (size_t i = 0; i < 3; i++) {
		const struct actor *who = refused[i];
		int64_t id = -1;
		assert_int_equal(
		    auth_user_add(t->db, who, "ny.chef", "Ny Chef", ROLE_ADMIN, PW, &id, &e),
		    RC_DENIED);
		assert_int_equal(id, -1);
		assert_int_equal(auth_user_add_hashed(t->db, who, "ny.chef", "Ny Chef", ROLE_ADMIN,
		                                      "$argon2id$x", &id, &e),
		                 RC_DENIED);
		assert_int_equal(auth_user_passwd(t->db, who, "anna.berg", "ett-nytt-losen", &e),
		                 RC_DENIED);
		assert_int_equal(auth_user_set_disabled(t->db, who, "anna.berg", 1), RC_DENIED);
		tok[0] = 'x';
		assert_int_equal(auth_token_create(t->db, who, "Egen", ROLE_API, tok, &id, &e),
		                 RC_DENIED);
		assert_string_equal(tok, "");
		assert_int_equal(auth_token_revoke(t->db, who, key), RC_DENIED);
	}
	assert_int_equal(count_of(t->db, USERS), 1);
	assert_int_equal(count_of(t->db, LIVE_KEYS), 1);
	assert_int_equal(count_of(t->db, ENABLED_USERS), 1);
	assert_int_equal(count_of(t->db, AUDIT_ENTRIES), audit_before);
	char s[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0, s, &p), RC_OK);
	/* Her own password, with the current one. */
	assert_int_equal(auth_user_change_password(t->db, &anna, 0, PW, "ett-nytt-losen", &e),
	                 RC_OK);
}

/* A display name of 120 characters comes back whole, also in letters that
 * take two bytes each. */
static void long_display_name_is_not_cut(void **state)
{
	struct testdb *t = *state;
	char name[AUTH_DISPLAY_NAME_MAX * 2 + 1];
	for (int i = 0; i < AUTH_DISPLAY_NAME_MAX; i++)
		memcpy(name + 2 * i, "\xc3\xb6", 2); /* ö */
	name[AUTH_DISPLAY_NAME_MAX * 2] = '\0';
	struct field_error e;
	int64_t id;
	assert_int_equal(auth_user_add(t->db, &test_actor, "oe", name, ROLE_AUDITOR, PW, &id, &e),
	                 RC_OK);
	struct user u;
	assert_int_equal(auth_user_get(t->db, id, &u), RC_OK);
	assert_string_equal(u.display_name, name);
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "oe", PW, "10.0.0.1", T0, tok, &p), RC_OK);
	assert_string_equal(p.display_name, name);
	assert_int_equal(auth_session_lookup(t->db, tok, T0 + 1, &p), RC_OK);
	assert_string_equal(p.display_name, name);
}

/* Every role against every permission, as the README's table says (an
 * API token's role "api" is for integrations).  Changing a role means
 * changing this table, the README and docs/architecture.md together. */
static void permission_table_matches_the_roles(void **state)
{
	(void)state;
	_Static_assert(PERM_COUNT == 11, "a new permission needs a column below");
	/* One character per enum perm, in its order: public, logged in,
	 * org read, org write, user admin, audit read, insats read, insats
	 * write, participant write, extract, codes admin.  1 = allowed. */
	static const struct {
		enum role role;
		const char *perms;
	} want[] = {
	    {ROLE_NONE, "10000000000"},       {ROLE_ADMIN, "11111111011"},
	    {ROLE_DIRECTOR, "11110111000"},   {ROLE_INTERVENTION_LEAD, "11100011000"},
	    {ROLE_CASEWORKER, "11100010100"}, {ROLE_BOARD, "11100000000"},
	    {ROLE_AUDITOR, "11100110000"},    {ROLE_API, "11110011000"},
	};
	assert_int_equal(sizeof want / sizeof want[0], ROLE_COUNT);
	for (size_t i = 0; i < ROLE_COUNT; i++) {
		assert_int_equal(want[i].role, i);
		int p = 0;
		for (const char *c = want[i].perms; *c; c++) {
			if (auth_allows(want[i].role, (enum perm)p) != (*c == '1'))
				fail_msg("role %s, permission %d: expected %c",
				         auth_role_code(want[i].role), p, *c);
			p++;
		}
		assert_int_equal(p, PERM_COUNT);
	}
	/* Every signed-in role may reach its own account page and change its
	 * password: the route /konto needs only PERM_LOGGED_IN. */
	for (int r = 1; r < ROLE_COUNT; r++)
		assert_true(auth_allows((enum role)r, PERM_LOGGED_IN));
	assert_false(auth_allows(ROLE_COUNT, PERM_PUBLIC));
	for (int r = 1; r < ROLE_COUNT; r++)
		assert_int_equal(auth_role_parse(auth_role_code((enum role)r)), r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(password_hash_is_argon2id_and_verifies),
	    cmocka_unit_test(test_cost_is_cheap_and_switchable),
	    cmocka_unit_test_setup_teardown(user_add_validates_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(login_creates_session_stored_hashed, setup, teardown),
	    cmocka_unit_test_setup_teardown(each_session_has_its_own_csrf_token, setup, teardown),
	    cmocka_unit_test_setup_teardown(session_expires_when_idle, setup, teardown),
	    cmocka_unit_test_setup_teardown(session_expires_absolutely, setup, teardown),
	    cmocka_unit_test_setup_teardown(logout_ends_the_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(wrong_password_and_unknown_user_are_denied_alike, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        account_and_address_pair_is_locked_after_repeated_failures, setup, teardown),
	    cmocka_unit_test_setup_teardown(anonymous_failures_do_not_lock_out_the_owner, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        locked_account_passes_only_right_password_from_known_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(busy_address_locks_only_accounts_new_to_it, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(every_login_path_costs_one_argon2, setup, teardown),
	    cmocka_unit_test_setup_teardown(login_hashes_without_holding_the_write_lock, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(password_change_hashes_without_holding_the_write_lock,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(parallel_logins_hash_within_the_bound_and_all_get_in,
	                                    setup, teardown),
	    cmocka_unit_test(demo_hashes_its_password_once_before_its_transaction),
	    cmocka_unit_test_setup_teardown(disabling_and_new_password_end_sessions, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(own_password_change_needs_the_current_one, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(own_password_change_ends_the_other_sessions, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(api_tokens_are_hashed_and_revocable, setup, teardown),
	    cmocka_unit_test_setup_teardown(session_touch_runs_in_a_transaction, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        token_use_is_recorded_in_a_transaction_at_the_clock_given, setup, teardown),
	    cmocka_unit_test_setup_teardown(login_retried_hands_out_the_committed_session, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(failed_login_transaction_hands_out_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(failed_token_create_hands_out_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(account_administration_needs_the_permission_in_core,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(long_display_name_is_not_cut, setup, teardown),
	    cmocka_unit_test(permission_table_matches_the_roles),
	};
	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
