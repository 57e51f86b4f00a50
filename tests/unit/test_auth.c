/* Unit tests for accounts, password hashing, sessions, CSRF tokens,
 * throttling, API tokens and the permission table. */
#include "testutil.h"
#include "core/auth.h"
#include "util/arena.h"

#define PW "ett-bra-losenord"
#define T0 1800000000LL

static int setup(void **state)
{
	struct testdb *t = calloc(1, sizeof *t);
	testdb_open(t);
	struct field_error e;
	assert_int_equal(auth_user_add(t->db, &test_actor, "anna.berg", "Anna Berg",
	                               ROLE_FORBUNDSCHEF, PW, NULL, &e),
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

static void password_hash_is_argon2id_and_verifies(void **state)
{
	(void)state;
	assert_int_equal(crypto_setup(), 0);
	char h[CRYPTO_PWHASH_LEN];
	assert_int_equal(crypto_password_hash("hemligt-lösen", h), RC_OK);
	assert_memory_equal(h, "$argon2id$", 10);
	assert_true(crypto_password_verify(h, "hemligt-lösen"));
	assert_false(crypto_password_verify(h, "hemligt-losen"));
	assert_false(crypto_password_verify("", "x"));
	char h2[CRYPTO_PWHASH_LEN];
	assert_int_equal(crypto_password_hash("hemligt-lösen", h2), RC_OK);
	assert_string_not_equal(h, h2); /* salted */
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
	assert_int_equal(p.role, ROLE_FORBUNDSCHEF);
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

static void account_is_throttled_after_repeated_failures(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	for (int i = 0; i < AUTH_ACCOUNT_MAX_FAILURES; i++)
		assert_int_equal(
		    auth_login(t->db, "anna.berg", "fel-losenord", "10.0.0.9", T0 + i, tok, &p),
		    RC_DENIED);
	/* Even the right password is refused while locked, from anywhere. */
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.7", T0 + 10, tok, &p),
	                 RC_THROTTLED);
	assert_int_equal(
	    auth_login(t->db, "anna.berg", PW, "10.0.0.7", T0 + 10 + AUTH_LOCK_SECONDS, tok, &p),
	    RC_OK);
}

static void address_is_throttled_across_accounts(void **state)
{
	struct testdb *t = *state;
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	char name[32];
	for (int i = 0; i < AUTH_ADDRESS_MAX_FAILURES; i++) {
		snprintf(name, sizeof name, "gissning%d", i);
		assert_int_equal(
		    auth_login(t->db, name, "x-x-x-x-x-x", "10.6.6.6", T0 + i, tok, &p), RC_DENIED);
	}
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.6.6.6", T0 + 60, tok, &p),
	                 RC_THROTTLED);
	assert_int_equal(auth_login(t->db, "anna.berg", PW, "10.0.0.1", T0 + 60, tok, &p), RC_OK);
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
	struct actor me = {1, "anna.berg", "10.0.0.1", ROLE_FORBUNDSCHEF};
	assert_int_equal(auth_user_change_password(t->db, &me, "fel", "ett-annat-losen", &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "current");
	assert_int_equal(auth_user_change_password(t->db, &me, PW, "ett-annat-losen", &e), RC_OK);
	char tok[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	assert_int_equal(auth_login(t->db, "anna.berg", "ett-annat-losen", "10.0.0.1", T0, tok, &p),
	                 RC_OK);
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
	assert_int_equal(auth_token_lookup(t->db, tok, &p), RC_OK);
	assert_int_equal(p.role, ROLE_API);
	assert_string_equal(p.name, "api:Ekonomisystemet");
	assert_int_equal(p.user_id, 0);
	assert_int_equal(auth_token_revoke(t->db, &test_actor, id), RC_OK);
	assert_int_equal(auth_token_lookup(t->db, tok, &p), RC_NOT_FOUND);
	assert_int_equal(auth_token_revoke(t->db, &test_actor, id), RC_NOT_FOUND);
	assert_int_equal(auth_token_create(t->db, &test_actor, "x", ROLE_ADMIN, tok, &id, &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "role");
}

static void permission_table_matches_the_roles(void **state)
{
	(void)state;
	/* The administrator may do everything but register participants:
	 * only a deltagaransvarig works with people's data day to day. */
	for (int p = 0; p < PERM_COUNT; p++)
		assert_int_equal(auth_allows(ROLE_ADMIN, (enum perm)p),
		                 p != PERM_PARTICIPANT_WRITE);
	for (int r = 1; r < ROLE_COUNT; r++) {
		assert_int_equal(auth_allows((enum role)r, PERM_PARTICIPANT_WRITE),
		                 r == ROLE_DELTAGARANSVARIG);
		assert_int_equal(auth_allows((enum role)r, PERM_EXTRACT), r == ROLE_ADMIN);
		assert_int_equal(auth_allows((enum role)r, PERM_CODES_ADMIN), r == ROLE_ADMIN);
	}
	assert_false(auth_allows(ROLE_STYRELSE, PERM_INSATS_READ));
	assert_true(auth_allows(ROLE_REVISOR, PERM_INSATS_READ));
	assert_false(auth_allows(ROLE_REVISOR, PERM_INSATS_WRITE));
	assert_true(auth_allows(ROLE_INSATSANSVARIG, PERM_INSATS_WRITE));
	assert_false(auth_allows(ROLE_DELTAGARANSVARIG, PERM_INSATS_WRITE));
	assert_true(auth_allows(ROLE_NONE, PERM_PUBLIC));
	assert_false(auth_allows(ROLE_NONE, PERM_LOGGED_IN));
	assert_true(auth_allows(ROLE_FORBUNDSCHEF, PERM_ORG_WRITE));
	assert_false(auth_allows(ROLE_FORBUNDSCHEF, PERM_USER_ADMIN));
	assert_false(auth_allows(ROLE_DELTAGARANSVARIG, PERM_ORG_WRITE));
	assert_false(auth_allows(ROLE_INSATSANSVARIG, PERM_AUDIT_READ));
	assert_true(auth_allows(ROLE_STYRELSE, PERM_ORG_READ));
	assert_false(auth_allows(ROLE_STYRELSE, PERM_ORG_WRITE));
	assert_true(auth_allows(ROLE_REVISOR, PERM_AUDIT_READ));
	assert_false(auth_allows(ROLE_REVISOR, PERM_ORG_WRITE));
	assert_false(auth_allows(ROLE_API, PERM_USER_ADMIN));
	assert_false(auth_allows(ROLE_COUNT, PERM_PUBLIC));
	for (int r = 1; r < ROLE_COUNT; r++)
		assert_int_equal(auth_role_parse(auth_role_code((enum role)r)), r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(password_hash_is_argon2id_and_verifies),
	    cmocka_unit_test_setup_teardown(user_add_validates_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(login_creates_session_stored_hashed, setup, teardown),
	    cmocka_unit_test_setup_teardown(each_session_has_its_own_csrf_token, setup, teardown),
	    cmocka_unit_test_setup_teardown(session_expires_when_idle, setup, teardown),
	    cmocka_unit_test_setup_teardown(session_expires_absolutely, setup, teardown),
	    cmocka_unit_test_setup_teardown(logout_ends_the_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(wrong_password_and_unknown_user_are_denied_alike, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(account_is_throttled_after_repeated_failures, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(address_is_throttled_across_accounts, setup, teardown),
	    cmocka_unit_test_setup_teardown(disabling_and_new_password_end_sessions, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(own_password_change_needs_the_current_one, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(api_tokens_are_hashed_and_revocable, setup, teardown),
	    cmocka_unit_test(permission_table_matches_the_roles),
	};
	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
