/*
 * auth.c — users, roles, permissions, sessions, API tokens, throttling;
 * see auth.h.
 */
#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "audit.h"

/* ---- roles and permissions: the one table ---------------------------- */

#define P(x) (1u << (x))
#define BASE (P(PERM_PUBLIC) | P(PERM_LOGGED_IN) | P(PERM_ORG_READ))

static const struct {
	const char *code;
	const char *label;
	unsigned perms;
} roles[ROLE_COUNT] = {
    [ROLE_NONE] = {"", "Ej inloggad", P(PERM_PUBLIC)},
    [ROLE_ADMIN] = {"admin", "Administratör",
                    BASE | P(PERM_ORG_WRITE) | P(PERM_USER_ADMIN) | P(PERM_AUDIT_READ) |
                        P(PERM_INTERVENTION_READ) | P(PERM_INTERVENTION_WRITE) | P(PERM_EXTRACT) |
                        P(PERM_CODES_ADMIN)},
    [ROLE_DIRECTOR] = {"forbundschef", "Förbundschef",
                       BASE | P(PERM_ORG_WRITE) | P(PERM_AUDIT_READ) | P(PERM_INTERVENTION_READ) |
                           P(PERM_INTERVENTION_WRITE)},
    [ROLE_INTERVENTION_LEAD] = {"insatsansvarig", "Insatsansvarig",
                                BASE | P(PERM_INTERVENTION_READ) | P(PERM_INTERVENTION_WRITE)},
    [ROLE_CASEWORKER] = {"deltagaransvarig", "Deltagaransvarig",
                         BASE | P(PERM_INTERVENTION_READ) | P(PERM_PARTICIPANT_WRITE)},
    /* The board reads aggregates and protocols, not participations. */
    [ROLE_BOARD] = {"styrelse", "Styrelse", BASE},
    [ROLE_AUDITOR] = {"revisor", "Revisor", BASE | P(PERM_AUDIT_READ) | P(PERM_INTERVENTION_READ)},
    [ROLE_API] = {"api", "API-klient",
                  BASE | P(PERM_ORG_WRITE) | P(PERM_INTERVENTION_READ) |
                      P(PERM_INTERVENTION_WRITE)},
};

const char *auth_role_code(enum role r)
{
	return r < ROLE_COUNT ? roles[r].code : "";
}

const char *auth_role_label(enum role r)
{
	return r < ROLE_COUNT ? roles[r].label : "";
}

enum role auth_role_parse(const char *code)
{
	if (!code || !*code)
		return ROLE_NONE;
	for (int r = 1; r < ROLE_COUNT; r++)
		if (strcmp(roles[r].code, code) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

int auth_allows(enum role r, enum perm p)
{
	if (r >= ROLE_COUNT || p >= PERM_COUNT)
		return 0;
	return (roles[r].perms >> p) & 1u;
}

/* ---- validation ------------------------------------------------------- */

static enum rc check_username(const char *u, struct field_error *err)
{
	size_t n = u ? strlen(u) : 0;
	if (n < 2 || n > 60)
		return field_error_set(err, "username",
		                       "Användarnamnet ska vara 2–60 tecken långt.");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		if (!(islower(c) || isdigit(c) || c == '.' || c == '-' || c == '_'))
			return field_error_set(
			    err, "username",
			    "Användarnamnet får bara innehålla små bokstäver a–z, "
			    "siffror, punkt, bindestreck och understreck.");
	}
	return RC_OK;
}

enum rc auth_password_acceptable(const char *pw, struct field_error *err)
{
	if (!pw || str_utf8_len(pw) < AUTH_PASSWORD_MIN)
		return field_error_set(err, "password",
		                       "Lösenordet ska vara minst 10 tecken långt.");
	if (strlen(pw) > AUTH_PASSWORD_MAX)
		return field_error_set(err, "password",
		                       "Lösenordet får vara högst 200 tecken långt.");
	if (!str_valid_utf8_text(pw))
		return field_error_set(err, "password", "Lösenordet innehåller otillåtna tecken.");
	return RC_OK;
}

/* ---- who may administer accounts ------------------------------------- */

/* Accounts and API keys are administered by a role with PERM_USER_ADMIN
 * (the route table asks the same first); a signed-in user changes only
 * their own password, through auth_user_change_password. */
static int may_admin(const struct actor *who)
{
	return who && auth_allows(who->role, PERM_USER_ADMIN);
}

/* ---- users ------------------------------------------------------------ */

struct user_add_ctx {
	const struct actor *who;
	const char *username, *display_name, *hash;
	enum role role;
	int64_t id; /* out: overwritten by every run */
};

static enum rc user_add_tx(struct db *db, void *vctx)
{
	struct user_add_ctx *c = vctx;
	struct db_stmt *q;
	char now[21];
	enum rc rc;
	svtime_iso(actor_now(c->who), now);
	if ((rc = db_prepare(
	         db,
	         "INSERT INTO app_user (username, display_name, role, password_hash, created_at)"
	         " VALUES ($1, $2, $3, $4, $5) RETURNING id",
	         &q)))
		return rc;
	db_bind_text(q, 1, c->username);
	db_bind_text(q, 2, c->display_name);
	db_bind_text(q, 3, auth_role_code(c->role));
	db_bind_text(q, 4, c->hash);
	db_bind_text(q, 5, now);
	if ((rc = db_one_int64(q, &c->id)))
		return rc;
	return audit_append(db, c->who, "create", "user", c->id, auth_role_code(c->role));
}

/* Checks an account's fields, every wrong one at once; password may be
 * NULL when the caller brings a hash. */
static enum rc check_user(const char *username, const char *display_name, enum role role,
                          const char *password, struct field_error *err)
{
	struct field_error one = {0};
	field_error_clear(err);
	enum rc rc = RC_OK;
	if (check_username(username, &one))
		rc = field_error_merge(err, &one);
	const char *why = display_name ? str_line_problem(display_name) : NULL;
	if (why)
		rc = field_error_add(err, "display_name", why);
	else if (str_blank(display_name) || str_utf8_len(display_name) > AUTH_DISPLAY_NAME_MAX)
		rc = field_error_add(err, "display_name", "Ange ett namn på högst 120 tecken.");
	if (role == ROLE_NONE || role == ROLE_API)
		rc = field_error_add(err, "role", "Välj en roll för kontot.");
	field_error_clear(&one);
	if (password && auth_password_acceptable(password, &one))
		rc = field_error_merge(err, &one);
	return rc;
}

enum rc auth_user_add_hashed(struct db *db, const struct actor *who, const char *username,
                             const char *display_name, enum role role, const char *hash,
                             int64_t *id_out, struct field_error *err)
{
	if (!may_admin(who))
		return RC_DENIED;
	enum rc rc = check_user(username, display_name, role, NULL, err);
	if (rc)
		return rc;
	struct user_add_ctx c = {who, username, display_name, hash, role, 0};
	rc = db_tx(db, user_add_tx, &c);
	if (rc == RC_CONFLICT)
		return field_error_set(err, "username",
		                       "Det finns redan ett konto med det användarnamnet.");
	if (rc == RC_OK && id_out)
		*id_out = c.id;
	return rc;
}

enum rc auth_user_add(struct db *db, const struct actor *who, const char *username,
                      const char *display_name, enum role role, const char *password,
                      int64_t *id_out, struct field_error *err)
{
	/* The permission and the checks first, so a refusal costs no hash. */
	if (!may_admin(who))
		return RC_DENIED;
	enum rc rc = check_user(username, display_name, role, password, err);
	if (rc)
		return rc;
	char hash[CRYPTO_PWHASH_LEN];
	if ((rc = crypto_password_hash(password, hash)))
		return rc;
	return auth_user_add_hashed(db, who, username, display_name, role, hash, id_out, err);
}

struct user_upd_ctx {
	const struct actor *who;
	const char *username;
	const char *hash; /* set for passwd */
	int disable;      /* for enable/disable */
};

static enum rc find_user_id(struct db *db, const char *username, int64_t *id)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT id FROM app_user WHERE username = $1", &q)))
		return rc;
	db_bind_text(q, 1, username);
	return db_one_int64(q, id);
}

/* Ends every session of user id. */
static enum rc end_sessions(struct db *db, int64_t id)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "DELETE FROM session WHERE user_id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	return db_run(q);
}

static enum rc user_passwd_tx(struct db *db, void *vctx)
{
	struct user_upd_ctx *c = vctx;
	int64_t id;
	enum rc rc = find_user_id(db, c->username, &id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if ((rc = db_prepare(db, "UPDATE app_user SET password_hash = $1 WHERE id = $2", &q)))
		return rc;
	db_bind_text(q, 1, c->hash);
	db_bind_int64(q, 2, id);
	/* A new password ends every session of the account. */
	if ((rc = db_run(q)) || (rc = end_sessions(db, id)))
		return rc;
	return audit_append(db, c->who, "password", "user", id, "");
}

enum rc auth_user_passwd(struct db *db, const struct actor *who, const char *username,
                         const char *password, struct field_error *err)
{
	if (!may_admin(who))
		return RC_DENIED;
	enum rc rc = auth_password_acceptable(password, err);
	if (rc)
		return rc;
	char hash[CRYPTO_PWHASH_LEN];
	if ((rc = crypto_password_hash(password, hash)))
		return rc;
	struct user_upd_ctx c = {who, username, hash, 0};
	rc = db_tx(db, user_passwd_tx, &c);
	if (rc == RC_NOT_FOUND)
		field_error_set(err, "username", "Det finns inget konto med det användarnamnet.");
	return rc;
}

static enum rc user_disable_tx(struct db *db, void *vctx)
{
	struct user_upd_ctx *c = vctx;
	int64_t id;
	enum rc rc = find_user_id(db, c->username, &id);
	if (rc)
		return rc;
	struct db_stmt *q;
	char now[21];
	svtime_iso(actor_now(c->who), now);
	if ((rc = db_prepare(db, "UPDATE app_user SET disabled_at = $1 WHERE id = $2", &q)))
		return rc;
	db_bind_text(q, 1, c->disable ? now : NULL);
	db_bind_int64(q, 2, id);
	if ((rc = db_run(q)) || (c->disable && (rc = end_sessions(db, id))))
		return rc;
	return audit_append(db, c->who, c->disable ? "disable" : "enable", "user", id, "");
}

enum rc auth_user_set_disabled(struct db *db, const struct actor *who, const char *username,
                               int disable)
{
	if (!may_admin(who))
		return RC_DENIED;
	struct user_upd_ctx c = {who, username, NULL, disable};
	return db_tx(db, user_disable_tx, &c);
}

/* The columns every user read selects, in the order read_user reads. */
#define USER_COLUMNS "id, username, display_name, role, disabled_at IS NOT NULL, created_at"

static void read_user(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	struct user *u = elem;
	u->id = db_col_int64(q, 0);
	str_copy(u->username, sizeof u->username, db_col_text(q, 1));
	str_copy(u->display_name, sizeof u->display_name, db_col_text(q, 2));
	u->role = auth_role_parse(db_col_text(q, 3));
	u->disabled = db_col_bool(q, 4);
	str_copy(u->created_at, sizeof u->created_at, db_col_text(q, 5));
}

enum rc auth_user_get(struct db *db, int64_t id, struct user *u)
{
	struct db_stmt *q;
	enum rc rc;
	memset(u, 0, sizeof *u);
	if ((rc = db_prepare(db, "SELECT " USER_COLUMNS " FROM app_user WHERE id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		read_user(q, NULL, u);
	db_finalize(q);
	return s == DB_ROW ? RC_OK : s == DB_DONE ? RC_NOT_FOUND : db_refine(db, db_step_rc(s));
}

/* The stored password hash of user id into out; RC_NOT_FOUND if none.
 * Read outside any transaction: the caller verifies against it with no
 * lock held and the transaction then checks it is still the same. */
static enum rc password_hash_of(struct db *db, int64_t id, char out[CRYPTO_PWHASH_LEN])
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT password_hash FROM app_user WHERE id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		str_copy(out, CRYPTO_PWHASH_LEN, db_col_text(q, 0));
	db_finalize(q);
	return s == DB_ROW ? RC_OK : s == DB_DONE ? RC_NOT_FOUND : db_refine(db, db_step_rc(s));
}

struct own_pw_ctx {
	const struct actor *who;
	int64_t keep_session;
	const char *verified; /* the hash the current password was checked against */
	const char *hash;     /* the new one */
	int stale;            /* out: the password changed since it was checked */
};

static enum rc own_password_tx(struct db *db, void *vctx)
{
	struct own_pw_ctx *c = vctx;
	struct db_stmt *q;
	enum rc rc;
	c->stale = 0;
	if ((rc = db_prepare(
	         db,
	         "UPDATE app_user SET password_hash = $1 WHERE id = $2 AND password_hash = $3"
	         " RETURNING id",
	         &q)))
		return rc;
	db_bind_text(q, 1, c->hash);
	db_bind_int64(q, 2, c->who->user_id);
	db_bind_text(q, 3, c->verified);
	int64_t id;
	rc = db_one_int64(q, &id);
	if (rc == RC_NOT_FOUND) {
		c->stale = 1;
		return RC_OK;
	}
	if (rc)
		return rc;
	/* A new password ends every other session of the account: one opened
	 * with the old password somewhere else must not live on. */
	if ((rc = db_prepare(db, "DELETE FROM session WHERE user_id = $1 AND id <> $2", &q)))
		return rc;
	db_bind_int64(q, 1, c->who->user_id);
	db_bind_int64(q, 2, c->keep_session);
	if ((rc = db_run(q)))
		return rc;
	return audit_append(db, c->who, "password", "user", c->who->user_id, "eget byte");
}

enum rc auth_user_change_password(struct db *db, const struct actor *who, int64_t keep_session,
                                  const char *current, const char *password,
                                  struct field_error *err)
{
	if (!who || !who->user_id)
		return RC_DENIED;
	enum rc rc = auth_password_acceptable(password, err);
	if (rc)
		return rc;
	char hash[CRYPTO_PWHASH_LEN];
	if ((rc = crypto_password_hash(password, hash)))
		return rc;
	/* Both argon2id computations run here, with no transaction open, so
	 * other writers are not held up for their length. */
	for (int attempt = 0; attempt < 3; attempt++) {
		char stored[CRYPTO_PWHASH_LEN];
		if ((rc = password_hash_of(db, who->user_id, stored)))
			return rc;
		if (!crypto_password_verify(stored, current ? current : ""))
			return field_error_set(err, "current",
			                       "Det nuvarande lösenordet stämmer inte.");
		struct own_pw_ctx c = {who, keep_session, stored, hash, 0};
		if ((rc = db_tx(db, own_password_tx, &c)) || !c.stale)
			return rc;
	}
	return field_error_set(err, "current",
	                       "Lösenordet ändrades samtidigt från ett annat håll. Försök igen.");
}

enum rc auth_user_list(struct db *db, struct arena *a, struct user **out, size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare(db, "SELECT " USER_COLUMNS " FROM app_user ORDER BY username", &q)))
		return rc;
	/* Every account: a förbund has tens, and a short list would hide one. */
	return db_fetch_all(q, a, read_user, sizeof **out, 0, (void **)out, n, NULL);
}

/* ---- throttling --------------------------------------------------------- */

/* The key of a throttle counter: SHA-256 over its kind and values, so the
 * table holds no usernames or addresses. */
static void throttle_key(const char *kind, const char *a, const char *b,
                         char out[CRYPTO_HASH_HEX_LEN + 1])
{
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s:%s\n%s", kind, a ? a : "", b ? b : "");
	crypto_sha256_hex(tmp, strlen(tmp), out);
}

/* *locked = 1 if the key is locked at time now. */
static enum rc throttle_locked(struct db *db, const char *key, int64_t now, int *locked)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(
	         db, "SELECT 1 FROM login_throttle WHERE key_hash = $1 AND locked_until > $2", &q)))
		return rc;
	db_bind_text(q, 1, key);
	db_bind_int64(q, 2, now);
	return db_exists(q, locked);
}

/* Counts one failure for key; locks it when max is reached in the window.
 * The times are computed here, so the SQL compares columns with values of
 * their own type. */
static enum rc throttle_fail(struct db *db, const char *key, int64_t now, int max)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(
	         db,
	         "INSERT INTO login_throttle (key_hash, failures, window_start, locked_until)"
	         " VALUES ($1, 1, $2, 0)"
	         " ON CONFLICT (key_hash) DO UPDATE SET"
	         "  failures = CASE WHEN login_throttle.window_start < $3 THEN 1"
	         "                  ELSE login_throttle.failures + 1 END,"
	         "  window_start = CASE WHEN login_throttle.window_start < $3 THEN $2"
	         "                  ELSE login_throttle.window_start END",
	         &q)))
		return rc;
	db_bind_text(q, 1, key);
	db_bind_int64(q, 2, now);
	db_bind_int64(q, 3, now - AUTH_THROTTLE_WINDOW);
	if ((rc = db_run(q)))
		return rc;
	if ((rc = db_prepare(db,
	                     "UPDATE login_throttle SET locked_until = $2, failures = 0,"
	                     " window_start = $3 WHERE key_hash = $1 AND failures >= $4",
	                     &q)))
		return rc;
	db_bind_text(q, 1, key);
	db_bind_int64(q, 2, now + AUTH_LOCK_SECONDS);
	db_bind_int64(q, 3, now);
	db_bind_int64(q, 4, max);
	return db_run(q);
}

static enum rc throttle_clear(struct db *db, const char *key)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "DELETE FROM login_throttle WHERE key_hash = $1", &q)))
		return rc;
	db_bind_text(q, 1, key);
	return db_run(q);
}

/* *known = 1 if user uid logged in successfully from the address (key)
 * within AUTH_KNOWN_SECONDS. */
static enum rc address_known(struct db *db, int64_t uid, const char *key, int64_t now, int *known)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "SELECT 1 FROM login_known_address"
	                     " WHERE user_id = $1 AND address_hash = $2 AND last_login > $3",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, uid);
	db_bind_text(q, 2, key);
	db_bind_int64(q, 3, now - AUTH_KNOWN_SECONDS);
	return db_exists(q, known);
}

static enum rc address_remember(struct db *db, int64_t uid, const char *key, int64_t now)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "INSERT INTO login_known_address (user_id, address_hash, last_login)"
	                     " VALUES ($1, $2, $3)"
	                     " ON CONFLICT (user_id, address_hash) DO UPDATE SET last_login = $3",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, uid);
	db_bind_text(q, 2, key);
	db_bind_int64(q, 3, now);
	return db_run(q);
}

/* Deletes rows that no longer matter, so the tables stay small without a
 * background job: expired sessions of anyone, counters whose window and
 * lock have passed, addresses no longer counted as known. */
static enum rc login_sweep(struct db *db, int64_t now)
{
	const struct {
		const char *sql;
		int n;
		int64_t arg[2];
	} sweep[] = {
	    {"DELETE FROM session WHERE last_seen < $1 OR created_at < $2",
	     2,
	     {now - AUTH_IDLE_SECONDS, now - AUTH_ABSOLUTE_SECONDS}},
	    {"DELETE FROM login_throttle WHERE window_start < $1 AND locked_until < $2",
	     2,
	     {now - AUTH_THROTTLE_WINDOW, now}},
	    {"DELETE FROM login_known_address WHERE last_login < $1",
	     1,
	     {now - AUTH_KNOWN_SECONDS, 0}},
	};
	for (size_t i = 0; i < sizeof sweep / sizeof sweep[0]; i++) {
		struct db_stmt *q;
		enum rc rc;
		if ((rc = db_prepare(db, sweep[i].sql, &q)))
			return rc;
		for (int k = 0; k < sweep[i].n; k++)
			db_bind_int64(q, k + 1, sweep[i].arg[k]);
		if ((rc = db_run(q)))
			return rc;
	}
	return RC_OK;
}

/* ---- login and sessions ---------------------------------------------------- */

/* The account row a login reads before it verifies the password. */
struct login_user {
	int64_t id; /* 0: no such username */
	char hash[CRYPTO_PWHASH_LEN];
	char username[64];
	char display_name[AUTH_DISPLAY_NAME_SIZE];
	enum role role;
	int disabled;
};

static enum rc login_user_read(struct db *db, const char *username, struct login_user *u)
{
	struct db_stmt *q;
	enum rc rc;
	memset(u, 0, sizeof *u);
	if ((rc = db_prepare(
	         db,
	         "SELECT id, username, display_name, role, password_hash, disabled_at IS NOT NULL"
	         " FROM app_user WHERE username = $1",
	         &q)))
		return rc;
	db_bind_text(q, 1, username);
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		u->id = db_col_int64(q, 0);
		str_copy(u->username, sizeof u->username, db_col_text(q, 1));
		str_copy(u->display_name, sizeof u->display_name, db_col_text(q, 2));
		u->role = auth_role_parse(db_col_text(q, 3));
		str_copy(u->hash, sizeof u->hash, db_col_text(q, 4));
		u->disabled = db_col_bool(q, 5);
	}
	db_finalize(q);
	return s == DB_ROW || s == DB_DONE ? RC_OK : db_refine(db, db_step_rc(s));
}

struct login_ctx {
	const char *username, *address;
	int64_t now;
	const struct login_user *seen; /* read before the password was verified */
	int password_ok;               /* the verification's result */
	/* Out, overwritten in full by every run; the caller hands them on only
	 * after the transaction committed. */
	char token[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	enum rc outcome; /* what to tell the caller */
	int stale;       /* the account changed between the check and the tx */
};

static enum rc login_tx(struct db *db, void *vctx)
{
	struct login_ctx *c = vctx;
	c->stale = 0;
	c->outcome = RC_DB;
	c->token[0] = '\0';
	memset(&c->p, 0, sizeof c->p);
	/* The verification is only good for the hash it was made against. */
	struct login_user u;
	enum rc rc = login_user_read(db, c->username, &u);
	if (rc)
		return rc;
	if (u.id != c->seen->id || strcmp(u.hash, c->seen->hash) != 0) {
		c->stale = 1;
		return RC_OK;
	}

	char pkey[CRYPTO_HASH_HEX_LEN + 1], ukey[CRYPTO_HASH_HEX_LEN + 1],
	    akey[CRYPTO_HASH_HEX_LEN + 1], known_key[CRYPTO_HASH_HEX_LEN + 1];
	throttle_key("pair", c->username, c->address, pkey);
	throttle_key("user", c->username, "", ukey);
	throttle_key("addr", c->address, "", akey);
	throttle_key("known", u.username, c->address, known_key);
	int pair_locked, user_locked, addr_locked, known = 0;
	int ok = u.id && c->password_ok && !u.disabled;
	if ((rc = throttle_locked(db, pkey, c->now, &pair_locked)) ||
	    (rc = throttle_locked(db, ukey, c->now, &user_locked)) ||
	    (rc = throttle_locked(db, akey, c->now, &addr_locked)) ||
	    (ok && (rc = address_known(db, u.id, known_key, c->now, &known))))
		return rc;
	struct actor who = {u.id, u.id ? u.username : "okänd", c->address, ROLE_NONE, c->now};

	/* The pair is locked outright; a locked account or address lets in
	 * only the right password from an address the account knows. */
	int throttled = pair_locked || ((user_locked || addr_locked) && !(ok && known));
	if (!ok || throttled) {
		c->outcome = throttled ? RC_THROTTLED : RC_DENIED;
		if (!ok && ((rc = throttle_fail(db, pkey, c->now, AUTH_PAIR_MAX_FAILURES)) ||
		            (rc = throttle_fail(db, ukey, c->now, AUTH_ACCOUNT_MAX_FAILURES)) ||
		            (rc = throttle_fail(db, akey, c->now, AUTH_ADDRESS_MAX_FAILURES))))
			return rc;
		return audit_append(db, &who, throttled ? "login_throttled" : "login_failed",
		                    "user", u.id, "");
	}

	c->p.user_id = u.id;
	str_copy(c->p.name, sizeof c->p.name, u.username);
	str_copy(c->p.display_name, sizeof c->p.display_name, u.display_name);
	c->p.role = u.role;
	char token_hash[CRYPTO_HASH_HEX_LEN + 1];
	crypto_token(c->token);
	crypto_token(c->p.csrf);
	crypto_sha256_hex(c->token, strlen(c->token), token_hash);
	struct db_stmt *q;
	if ((rc = db_prepare(
	         db,
	         "INSERT INTO session (token_hash, user_id, csrf_token, created_at, last_seen)"
	         " VALUES ($1, $2, $3, $4, $4) RETURNING id",
	         &q)))
		return rc;
	db_bind_text(q, 1, token_hash);
	db_bind_int64(q, 2, u.id);
	db_bind_text(q, 3, c->p.csrf);
	db_bind_int64(q, 4, c->now);
	if ((rc = db_one_int64(q, &c->p.session_id)))
		return rc;
	if ((rc = login_sweep(db, c->now)) || (rc = throttle_clear(db, pkey)) ||
	    (rc = address_remember(db, u.id, known_key, c->now)))
		return rc;
	c->outcome = RC_OK;
	who.role = u.role;
	return audit_append(db, &who, "login", "user", u.id,
	                    user_locked || addr_locked ? "genom spärr, känd adress" : "");
}

enum rc auth_login(struct db *db, const char *username, const char *password, const char *address,
                   int64_t now, char token_out[CRYPTO_TOKEN_LEN + 1], struct principal *p)
{
	token_out[0] = '\0';
	/* Made once per process before anything is timed, so the first login
	 * for an unknown name does not pay for it. */
	const char *dummy = crypto_password_dummy_hash();
	if (!username || !password || strlen(username) > 60 ||
	    strlen(password) > AUTH_PASSWORD_MAX) {
		crypto_password_verify(dummy, "");
		return RC_DENIED;
	}
	for (int attempt = 0; attempt < 3; attempt++) {
		struct login_user u;
		enum rc rc = login_user_read(db, username, &u);
		if (rc)
			return rc;
		/* The argon2id work, with no transaction open: exactly one
		 * verification whether the account exists, is disabled or is
		 * locked, so response times tell none of these apart. */
		int ok = crypto_password_verify(u.id ? u.hash : dummy, password);
		struct login_ctx c = {.username = username,
		                      .address = address ? address : "",
		                      .now = now,
		                      .seen = &u,
		                      .password_ok = ok};
		rc = db_tx(db, login_tx, &c);
		if (rc == RC_OK && !c.stale) {
			/* Committed: only now is the session real. */
			if (c.outcome == RC_OK) {
				str_copy(token_out, CRYPTO_TOKEN_LEN + 1, c.token);
				*p = c.p;
			}
			return c.outcome;
		}
		if (rc)
			return rc;
	}
	return RC_DENIED; /* the account kept changing under us */
}

struct touch_ctx {
	int64_t id, now;
};

/* Marks session id used at now; a later touch never moves it back. */
static enum rc session_touch_tx(struct db *db, void *vctx)
{
	struct touch_ctx *c = vctx;
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(
	         db, "UPDATE session SET last_seen = $1 WHERE id = $2 AND last_seen < $1", &q)))
		return rc;
	db_bind_int64(q, 1, c->now);
	db_bind_int64(q, 2, c->id);
	return db_run(q);
}

enum rc auth_session_lookup(struct db *db, const char *token, int64_t now, struct principal *p)
{
	if (!token || strlen(token) != CRYPTO_TOKEN_LEN)
		return RC_NOT_FOUND;
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_sha256_hex(token, strlen(token), h);
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(
	         db,
	         "SELECT s.id, s.csrf_token, s.created_at, s.last_seen, u.id, u.username,"
	         " u.display_name, u.role"
	         " FROM session s JOIN app_user u ON u.id = s.user_id"
	         " WHERE s.token_hash = $1 AND u.disabled_at IS NULL",
	         &q)))
		return rc;
	db_bind_text(q, 1, h);
	enum db_step s = db_step(q);
	if (s != DB_ROW) {
		db_finalize(q);
		return s == DB_DONE ? RC_NOT_FOUND : db_refine(db, db_step_rc(s));
	}
	struct principal found = {0};
	int64_t created = db_col_int64(q, 2), seen = db_col_int64(q, 3);
	found.session_id = db_col_int64(q, 0);
	str_copy(found.csrf, sizeof found.csrf, db_col_text(q, 1));
	found.user_id = db_col_int64(q, 4);
	str_copy(found.name, sizeof found.name, db_col_text(q, 5));
	str_copy(found.display_name, sizeof found.display_name, db_col_text(q, 6));
	found.role = auth_role_parse(db_col_text(q, 7));
	db_finalize(q);
	if (now - seen > AUTH_IDLE_SECONDS || now - created > AUTH_ABSOLUTE_SECONDS)
		return RC_NOT_FOUND;
	/* Touch at most once a minute, so most requests stay read-only; the
	 * touch is a write like any other, in its own transaction.  If it
	 * fails (the store stayed busy through the retries, or cannot be
	 * written), last_seen stays older: the session can only end sooner,
	 * never live longer, so the lookup still answers. */
	if (now - seen >= 60) {
		struct touch_ctx c = {found.session_id, now};
		(void)db_tx(db, session_touch_tx, &c);
	}
	*p = found;
	return RC_OK;
}

struct logout_ctx {
	const struct actor *who;
	const char *hash;
};

static enum rc logout_tx(struct db *db, void *vctx)
{
	struct logout_ctx *c = vctx;
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "DELETE FROM session WHERE token_hash = $1", &q)))
		return rc;
	db_bind_text(q, 1, c->hash);
	if ((rc = db_run(q)))
		return rc;
	return audit_append(db, c->who, "logout", "user", c->who ? c->who->user_id : 0, "");
}

enum rc auth_logout(struct db *db, const struct actor *who, const char *token)
{
	if (!token)
		return RC_OK;
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_sha256_hex(token, strlen(token), h);
	struct logout_ctx c = {who, h};
	return db_tx(db, logout_tx, &c);
}

/* ---- API tokens ------------------------------------------------------------- */

struct token_ctx {
	const struct actor *who;
	const char *name;
	enum role role;
	const char *hash;
	int64_t id; /* create: out, overwritten by every run; revoke: in */
};

static enum rc token_create_tx(struct db *db, void *vctx)
{
	struct token_ctx *c = vctx;
	struct db_stmt *q;
	char now[21];
	enum rc rc;
	svtime_iso(actor_now(c->who), now);
	if ((rc =
	         db_prepare(db,
	                    "INSERT INTO api_token (name, token_hash, role, created_by, created_at)"
	                    " VALUES ($1, $2, $3, $4, $5) RETURNING id",
	                    &q)))
		return rc;
	db_bind_text(q, 1, c->name);
	db_bind_text(q, 2, c->hash);
	db_bind_text(q, 3, auth_role_code(c->role));
	db_bind_id_opt(q, 4, c->who ? c->who->user_id : 0);
	db_bind_text(q, 5, now);
	if ((rc = db_one_int64(q, &c->id)))
		return rc;
	return audit_append(db, c->who, "create", "api_token", c->id, auth_role_code(c->role));
}

enum rc auth_token_create(struct db *db, const struct actor *who, const char *name, enum role role,
                          char token_out[CRYPTO_TOKEN_LEN + 1], int64_t *id_out,
                          struct field_error *err)
{
	token_out[0] = '\0';
	if (!may_admin(who))
		return RC_DENIED;
	if (str_blank(name) || strlen(name) > 70 || str_line_problem(name))
		return field_error_set(err, "name",
		                       str_blank(name) || strlen(name) > 70
		                           ? "Ge nyckeln ett namn på högst 70 tecken."
		                           : str_line_problem(name));
	if (role != ROLE_API && role != ROLE_AUDITOR)
		return field_error_set(err, "role",
		                       "En API-nyckel kan ha rollen API-klient eller Revisor.");
	/* Made before the transaction (every run stores the same hash) and
	 * handed out only once the key is stored. */
	char token[CRYPTO_TOKEN_LEN + 1], h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_token(token);
	crypto_sha256_hex(token, strlen(token), h);
	struct token_ctx c = {who, name, role, h, 0};
	enum rc rc = db_tx(db, token_create_tx, &c);
	if (rc == RC_OK) {
		str_copy(token_out, CRYPTO_TOKEN_LEN + 1, token);
		if (id_out)
			*id_out = c.id;
	}
	return rc;
}

static enum rc token_revoke_tx(struct db *db, void *vctx)
{
	struct token_ctx *c = vctx;
	struct db_stmt *q;
	char now[21];
	enum rc rc;
	svtime_iso(actor_now(c->who), now);
	if ((rc = db_prepare(
	         db,
	         "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
	         " RETURNING id",
	         &q)))
		return rc;
	db_bind_text(q, 1, now);
	db_bind_int64(q, 2, c->id);
	int64_t id;
	if ((rc = db_one_int64(q, &id)))
		return rc;
	return audit_append(db, c->who, "revoke", "api_token", c->id, "");
}

enum rc auth_token_revoke(struct db *db, const struct actor *who, int64_t id)
{
	if (!may_admin(who))
		return RC_DENIED;
	struct token_ctx c = {who, NULL, ROLE_NONE, NULL, id};
	return db_tx(db, token_revoke_tx, &c);
}

static void read_token(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	struct api_token_info *t = elem;
	t->id = db_col_int64(q, 0);
	str_copy(t->name, sizeof t->name, db_col_text(q, 1));
	t->role = auth_role_parse(db_col_text(q, 2));
	str_copy(t->created_at, sizeof t->created_at, db_col_text(q, 3));
	str_copy(t->last_used_at, sizeof t->last_used_at, db_col_text(q, 4));
	t->revoked = db_col_bool(q, 5);
}

enum rc auth_token_list(struct db *db, struct arena *a, struct api_token_info **out, size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare(db,
	                     "SELECT id, name, role, created_at, coalesce(last_used_at, ''),"
	                     " revoked_at IS NOT NULL FROM api_token ORDER BY id",
	                     &q)))
		return rc;
	/* Every key, revoked ones too: the list is what an administrator
	 * audits, so it is never cut short. */
	return db_fetch_all(q, a, read_token, sizeof **out, 0, (void **)out, n, NULL);
}

struct used_ctx {
	int64_t id;
	const char *at, *day; /* the moment, and its date: "YYYY-MM-DD" */
};

/* Records that token id was used at c->at, unless it already was that
 * day: the condition is read inside the transaction, so a second run
 * writes the same. */
static enum rc token_used_tx(struct db *db, void *vctx)
{
	struct used_ctx *c = vctx;
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "UPDATE api_token SET last_used_at = $1 WHERE id = $2"
	                     " AND (last_used_at IS NULL OR substr(last_used_at, 1, 10) <> $3)",
	                     &q)))
		return rc;
	db_bind_text(q, 1, c->at);
	db_bind_int64(q, 2, c->id);
	db_bind_text(q, 3, c->day);
	return db_run(q);
}

enum rc auth_token_lookup(struct db *db, const char *token, int64_t now, struct principal *p)
{
	if (!token || strlen(token) != CRYPTO_TOKEN_LEN)
		return RC_NOT_FOUND;
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_sha256_hex(token, strlen(token), h);
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "SELECT id, name, role, coalesce(last_used_at, '') FROM api_token"
	                     " WHERE token_hash = $1 AND revoked_at IS NULL",
	                     &q)))
		return rc;
	db_bind_text(q, 1, h);
	enum db_step s = db_step(q);
	if (s != DB_ROW) {
		db_finalize(q);
		return s == DB_DONE ? RC_NOT_FOUND : db_refine(db, db_step_rc(s));
	}
	struct principal found = {0};
	found.token_id = db_col_int64(q, 0);
	snprintf(found.name, sizeof found.name, "api:%s", db_col_text(q, 1));
	str_copy(found.display_name, sizeof found.display_name, db_col_text(q, 1));
	found.role = auth_role_parse(db_col_text(q, 2));
	char last[21];
	str_copy(last, sizeof last, db_col_text(q, 3));
	db_finalize(q);
	/* Record use once a (UTC) day at most, so reads stay reads.  As with
	 * a session's touch, a failed record does not refuse the key. */
	char at[21], day[11];
	svtime_iso(now, at);
	str_copy(day, sizeof day, at);
	if (strncmp(last, day, 10) != 0) {
		struct used_ctx c = {found.token_id, at, day};
		(void)db_tx(db, token_used_tx, &c);
	}
	*p = found;
	return RC_OK;
}
