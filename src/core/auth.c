/*
 * auth.c — users, roles, permissions, sessions, API tokens, throttling;
 * see auth.h.
 */
#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
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
                        P(PERM_INSATS_READ) | P(PERM_INSATS_WRITE) | P(PERM_EXTRACT) |
                        P(PERM_CODES_ADMIN)},
    [ROLE_FORBUNDSCHEF] = {"forbundschef", "Förbundschef",
                           BASE | P(PERM_ORG_WRITE) | P(PERM_AUDIT_READ) | P(PERM_INSATS_READ) |
                               P(PERM_INSATS_WRITE)},
    [ROLE_INSATSANSVARIG] = {"insatsansvarig", "Insatsansvarig",
                             BASE | P(PERM_INSATS_READ) | P(PERM_INSATS_WRITE)},
    [ROLE_DELTAGARANSVARIG] = {"deltagaransvarig", "Deltagaransvarig",
                               BASE | P(PERM_INSATS_READ) | P(PERM_PARTICIPANT_WRITE)},
    /* The board reads aggregates and protocols, not participations. */
    [ROLE_STYRELSE] = {"styrelse", "Styrelse", BASE},
    [ROLE_REVISOR] = {"revisor", "Revisor", BASE | P(PERM_AUDIT_READ) | P(PERM_INSATS_READ)},
    [ROLE_API] = {"api", "API-klient",
                  BASE | P(PERM_ORG_WRITE) | P(PERM_INSATS_READ) | P(PERM_INSATS_WRITE)},
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

/* ---- users ------------------------------------------------------------ */

struct user_add_ctx {
	const struct actor *who;
	const char *username, *display_name, *hash;
	enum role role;
	int64_t id;
};

static enum rc user_add_tx(struct db *db, void *vctx)
{
	struct user_add_ctx *c = vctx;
	struct db_stmt *q;
	char now[21];
	str_now_iso(now);
	if (db_prepare(
	        db,
	        "INSERT INTO app_user (username, display_name, role, password_hash, created_at)"
	        " VALUES ($1, $2, $3, $4, $5) RETURNING id",
	        &q))
		return RC_DB;
	db_bind_text(q, 1, c->username);
	db_bind_text(q, 2, c->display_name);
	db_bind_text(q, 3, auth_role_code(c->role));
	db_bind_text(q, 4, c->hash);
	db_bind_text(q, 5, now);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		c->id = db_col_int64(q, 0);
	db_finalize(q);
	if (s != DB_ROW)
		return db_step_rc(s) == RC_OK ? RC_DB : db_step_rc(s);
	return audit_append(db, c->who, "create", "user", c->id, auth_role_code(c->role));
}

enum rc auth_user_add(struct db *db, const struct actor *who, const char *username,
                      const char *display_name, enum role role, const char *password,
                      int64_t *id_out, struct field_error *err)
{
	struct field_error one = {0};
	field_error_clear(err);
	enum rc rc = RC_OK;
	if (check_username(username, &one))
		rc = field_error_merge(err, &one);
	const char *why = display_name ? str_line_problem(display_name) : NULL;
	if (why)
		rc = field_error_add(err, "display_name", why);
	else if (str_blank(display_name) || str_utf8_len(display_name) > 120)
		rc = field_error_add(err, "display_name", "Ange ett namn på högst 120 tecken.");
	if (role == ROLE_NONE || role == ROLE_API)
		rc = field_error_add(err, "role", "Välj en roll för kontot.");
	field_error_clear(&one);
	if (auth_password_acceptable(password, &one))
		rc = field_error_merge(err, &one);
	if (rc)
		return rc;
	char hash[CRYPTO_PWHASH_LEN];
	if ((rc = crypto_password_hash(password, hash)))
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

struct user_upd_ctx {
	const struct actor *who;
	const char *username;
	const char *hash; /* set for passwd */
	int disable;      /* for enable/disable */
};

static enum rc find_user_id(struct db *db, const char *username, int64_t *id)
{
	struct db_stmt *q;
	if (db_prepare(db, "SELECT id FROM app_user WHERE username = $1", &q))
		return RC_DB;
	db_bind_text(q, 1, username);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		*id = db_col_int64(q, 0);
	db_finalize(q);
	return s == DB_ROW ? RC_OK : s == DB_DONE ? RC_NOT_FOUND : RC_DB;
}

static enum rc user_passwd_tx(struct db *db, void *vctx)
{
	struct user_upd_ctx *c = vctx;
	int64_t id;
	enum rc rc = find_user_id(db, c->username, &id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if (db_prepare(db, "UPDATE app_user SET password_hash = $1 WHERE id = $2", &q))
		return RC_DB;
	db_bind_text(q, 1, c->hash);
	db_bind_int64(q, 2, id);
	rc = db_step_rc(db_step(q));
	db_finalize(q);
	/* A new password ends every session of the account. */
	if (!rc && !(rc = db_prepare(db, "DELETE FROM session WHERE user_id = $1", &q))) {
		db_bind_int64(q, 1, id);
		rc = db_step_rc(db_step(q));
		db_finalize(q);
	}
	if (!rc)
		rc = audit_append(db, c->who, "password", "user", id, "");
	return rc;
}

enum rc auth_user_passwd(struct db *db, const struct actor *who, const char *username,
                         const char *password, struct field_error *err)
{
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
	str_now_iso(now);
	if (db_prepare(db, "UPDATE app_user SET disabled_at = $1 WHERE id = $2", &q))
		return RC_DB;
	db_bind_text(q, 1, c->disable ? now : NULL);
	db_bind_int64(q, 2, id);
	rc = db_step_rc(db_step(q));
	db_finalize(q);
	if (!rc && c->disable &&
	    !(rc = db_prepare(db, "DELETE FROM session WHERE user_id = $1", &q))) {
		db_bind_int64(q, 1, id);
		rc = db_step_rc(db_step(q));
		db_finalize(q);
	}
	if (!rc)
		rc = audit_append(db, c->who, c->disable ? "disable" : "enable", "user", id, "");
	return rc;
}

enum rc auth_user_set_disabled(struct db *db, const struct actor *who, const char *username,
                               int disable)
{
	struct user_upd_ctx c = {who, username, NULL, disable};
	return db_tx(db, user_disable_tx, &c);
}

enum rc auth_user_get(struct db *db, int64_t id, struct user *u)
{
	struct db_stmt *q;
	if (db_prepare(
	        db,
	        "SELECT id, username, display_name, role, disabled_at IS NOT NULL, created_at"
	        " FROM app_user WHERE id = $1",
	        &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		u->id = db_col_int64(q, 0);
		str_copy(u->username, sizeof u->username, db_col_text(q, 1));
		str_copy(u->display_name, sizeof u->display_name, db_col_text(q, 2));
		u->role = auth_role_parse(db_col_text(q, 3));
		u->disabled = (int)db_col_int64(q, 4);
		str_copy(u->created_at, sizeof u->created_at, db_col_text(q, 5));
	}
	db_finalize(q);
	return s == DB_ROW ? RC_OK : s == DB_DONE ? RC_NOT_FOUND : RC_DB;
}

struct own_pw_ctx {
	const struct actor *who;
	const char *current;
	const char *hash;
	struct field_error *err;
};

static enum rc own_password_tx(struct db *db, void *vctx)
{
	struct own_pw_ctx *c = vctx;
	struct db_stmt *q;
	if (db_prepare(db, "SELECT password_hash FROM app_user WHERE id = $1", &q))
		return RC_DB;
	db_bind_int64(q, 1, c->who->user_id);
	enum db_step s = db_step(q);
	int ok = s == DB_ROW && crypto_password_verify(db_col_text(q, 0), c->current);
	db_finalize(q);
	if (s == DB_DONE)
		return RC_NOT_FOUND;
	if (!ok)
		return field_error_set(c->err, "current", "Det nuvarande lösenordet stämmer inte.");
	if (db_prepare(db, "UPDATE app_user SET password_hash = $1 WHERE id = $2", &q))
		return RC_DB;
	db_bind_text(q, 1, c->hash);
	db_bind_int64(q, 2, c->who->user_id);
	enum rc rc = db_step_rc(db_step(q));
	db_finalize(q);
	if (rc)
		return rc;
	return audit_append(db, c->who, "password", "user", c->who->user_id, "eget byte");
}

enum rc auth_user_change_password(struct db *db, const struct actor *who, const char *current,
                                  const char *password, struct field_error *err)
{
	if (!who || !who->user_id)
		return RC_DENIED;
	enum rc rc = auth_password_acceptable(password, err);
	if (rc)
		return rc;
	char hash[CRYPTO_PWHASH_LEN];
	if ((rc = crypto_password_hash(password, hash)))
		return rc;
	struct own_pw_ctx c = {who, current ? current : "", hash, err};
	return db_tx(db, own_password_tx, &c);
}

enum rc auth_user_list(struct db *db, struct arena *a, struct user **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	if (db_prepare(db, "SELECT count(*) FROM app_user", &q))
		return RC_DB;
	size_t cap = db_step(q) == DB_ROW ? (size_t)db_col_int64(q, 0) : 0;
	db_finalize(q);
	struct user *u = arena_alloc(a, (cap ? cap : 1) * sizeof *u);
	if (!u)
		return RC_NOMEM;
	if (db_prepare(
	        db,
	        "SELECT id, username, display_name, role, disabled_at IS NOT NULL, created_at"
	        " FROM app_user ORDER BY username",
	        &q))
		return RC_DB;
	size_t i = 0;
	while (i < cap && db_step(q) == DB_ROW) {
		u[i].id = db_col_int64(q, 0);
		str_copy(u[i].username, sizeof u[i].username, db_col_text(q, 1));
		str_copy(u[i].display_name, sizeof u[i].display_name, db_col_text(q, 2));
		u[i].role = auth_role_parse(db_col_text(q, 3));
		u[i].disabled = (int)db_col_int64(q, 4);
		str_copy(u[i].created_at, sizeof u[i].created_at, db_col_text(q, 5));
		i++;
	}
	db_finalize(q);
	*out = u;
	*n = i;
	return RC_OK;
}

/* ---- throttling --------------------------------------------------------- */

static void throttle_key(const char *kind, const char *value, char out[CRYPTO_HASH_HEX_LEN + 1])
{
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s:%s", kind, value ? value : "");
	crypto_sha256_hex(tmp, strlen(tmp), out);
}

/* 1 if the key is locked at time now. */
static int throttle_locked(struct db *db, const char *key, int64_t now)
{
	struct db_stmt *q;
	int locked = 0;
	if (db_prepare(db, "SELECT locked_until FROM login_throttle WHERE key_hash = $1", &q))
		return 0;
	db_bind_text(q, 1, key);
	if (db_step(q) == DB_ROW)
		locked = db_col_int64(q, 0) > now;
	db_finalize(q);
	return locked;
}

/* Counts one failure for key; locks it when max is reached in the window. */
static enum rc throttle_fail(struct db *db, const char *key, int64_t now, int max)
{
	struct db_stmt *q;
	if (db_prepare(db,
	               "INSERT INTO login_throttle (key_hash, failures, window_start, locked_until)"
	               " VALUES ($1, 1, $2, 0)"
	               " ON CONFLICT (key_hash) DO UPDATE SET"
	               "  failures = CASE WHEN login_throttle.window_start < $2 - $3 THEN 1"
	               "                  ELSE login_throttle.failures + 1 END,"
	               "  window_start = CASE WHEN login_throttle.window_start < $2 - $3 THEN $2"
	               "                  ELSE login_throttle.window_start END",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, key);
	db_bind_int64(q, 2, now);
	db_bind_int64(q, 3, AUTH_THROTTLE_WINDOW);
	enum rc rc = db_step_rc(db_step(q));
	db_finalize(q);
	if (rc)
		return rc;
	if (db_prepare(db,
	               "UPDATE login_throttle SET locked_until = $2 + $3, failures = 0,"
	               " window_start = $2 WHERE key_hash = $1 AND failures >= $4",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, key);
	db_bind_int64(q, 2, now);
	db_bind_int64(q, 3, AUTH_LOCK_SECONDS);
	db_bind_int64(q, 4, max);
	rc = db_step_rc(db_step(q));
	db_finalize(q);
	return rc;
}

static enum rc throttle_clear(struct db *db, const char *key)
{
	struct db_stmt *q;
	if (db_prepare(db, "DELETE FROM login_throttle WHERE key_hash = $1", &q))
		return RC_DB;
	db_bind_text(q, 1, key);
	enum rc rc = db_step_rc(db_step(q));
	db_finalize(q);
	return rc;
}

/* ---- login and sessions ---------------------------------------------------- */

struct login_ctx {
	const char *username, *password, *address;
	int64_t now;
	char *token_out;
	struct principal *p;
	enum rc outcome; /* what to tell the caller once the tx committed */
};

static enum rc login_tx(struct db *db, void *vctx)
{
	struct login_ctx *c = vctx;
	char ukey[CRYPTO_HASH_HEX_LEN + 1], akey[CRYPTO_HASH_HEX_LEN + 1];
	throttle_key("user", c->username, ukey);
	throttle_key("addr", c->address, akey);
	struct actor who = {0, c->username, c->address, ROLE_NONE};

	if (throttle_locked(db, ukey, c->now) || throttle_locked(db, akey, c->now)) {
		c->outcome = RC_THROTTLED;
		who.name = "okänd";
		return audit_append(db, &who, "login_throttled", "user", 0, "");
	}

	struct db_stmt *q;
	if (db_prepare(
	        db,
	        "SELECT id, username, display_name, role, password_hash, disabled_at IS NOT NULL"
	        " FROM app_user WHERE username = $1",
	        &q))
		return RC_DB;
	db_bind_text(q, 1, c->username);
	enum db_step s = db_step(q);
	int ok = 0;
	int64_t uid = 0;
	if (s == DB_ROW) {
		uid = db_col_int64(q, 0);
		int disabled = (int)db_col_int64(q, 5);
		ok = crypto_password_verify(db_col_text(q, 4), c->password) && !disabled;
		if (ok) {
			memset(c->p, 0, sizeof *c->p);
			c->p->user_id = uid;
			str_copy(c->p->name, sizeof c->p->name, db_col_text(q, 1));
			str_copy(c->p->display_name, sizeof c->p->display_name, db_col_text(q, 2));
			c->p->role = auth_role_parse(db_col_text(q, 3));
		}
	} else {
		/* Spend the same time as a real check so that response times do
		 * not tell which usernames exist. */
		char dummy[CRYPTO_PWHASH_LEN];
		if (crypto_password_hash("finsam-no-such-user", dummy) == RC_OK)
			crypto_password_verify(dummy, c->password);
	}
	db_finalize(q);
	if (s != DB_ROW && s != DB_DONE)
		return RC_DB;

	enum rc rc;
	if (!ok) {
		c->outcome = RC_DENIED;
		if ((rc = throttle_fail(db, ukey, c->now, AUTH_ACCOUNT_MAX_FAILURES)) ||
		    (rc = throttle_fail(db, akey, c->now, AUTH_ADDRESS_MAX_FAILURES)))
			return rc;
		if (!uid)
			who.name = "okänd";
		return audit_append(db, &who, "login_failed", "user", uid, "");
	}

	char token_hash[CRYPTO_HASH_HEX_LEN + 1];
	crypto_token(c->token_out);
	crypto_token(c->p->csrf);
	crypto_sha256_hex(c->token_out, strlen(c->token_out), token_hash);
	if (db_prepare(
	        db,
	        "INSERT INTO session (token_hash, user_id, csrf_token, created_at, last_seen)"
	        " VALUES ($1, $2, $3, $4, $4)",
	        &q))
		return RC_DB;
	db_bind_text(q, 1, token_hash);
	db_bind_int64(q, 2, uid);
	db_bind_text(q, 3, c->p->csrf);
	db_bind_int64(q, 4, c->now);
	rc = db_step_rc(db_step(q));
	db_finalize(q);
	if (rc)
		return rc;
	/* Old sessions of anyone are swept here, so the table stays small
	 * without a background job. */
	if (db_prepare(db, "DELETE FROM session WHERE last_seen < $1 OR created_at < $2", &q))
		return RC_DB;
	db_bind_int64(q, 1, c->now - AUTH_IDLE_SECONDS);
	db_bind_int64(q, 2, c->now - AUTH_ABSOLUTE_SECONDS);
	rc = db_step_rc(db_step(q));
	db_finalize(q);
	if (rc || (rc = throttle_clear(db, ukey)))
		return rc;
	c->outcome = RC_OK;
	who.user_id = uid;
	who.role = c->p->role;
	return audit_append(db, &who, "login", "user", uid, "");
}

enum rc auth_login(struct db *db, const char *username, const char *password, const char *address,
                   int64_t now, char token_out[CRYPTO_TOKEN_LEN + 1], struct principal *p)
{
	if (!username || !password || strlen(username) > 60 || strlen(password) > AUTH_PASSWORD_MAX)
		return RC_DENIED;
	struct login_ctx c = {username, password, address ? address : "", now, token_out, p, RC_DB};
	token_out[0] = '\0';
	enum rc rc = db_tx(db, login_tx, &c);
	if (rc)
		return rc;
	return c.outcome;
}

enum rc auth_session_lookup(struct db *db, const char *token, int64_t now, struct principal *p)
{
	if (!token || strlen(token) != CRYPTO_TOKEN_LEN)
		return RC_NOT_FOUND;
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_sha256_hex(token, strlen(token), h);
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT s.id, s.csrf_token, s.created_at, s.last_seen, u.id, u.username,"
	               " u.display_name, u.role"
	               " FROM session s JOIN app_user u ON u.id = s.user_id"
	               " WHERE s.token_hash = $1 AND u.disabled_at IS NULL",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, h);
	enum db_step s = db_step(q);
	if (s != DB_ROW) {
		db_finalize(q);
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;
	}
	int64_t sid = db_col_int64(q, 0);
	int64_t created = db_col_int64(q, 2), seen = db_col_int64(q, 3);
	if (now - seen > AUTH_IDLE_SECONDS || now - created > AUTH_ABSOLUTE_SECONDS) {
		db_finalize(q);
		return RC_NOT_FOUND;
	}
	memset(p, 0, sizeof *p);
	str_copy(p->csrf, sizeof p->csrf, db_col_text(q, 1));
	p->user_id = db_col_int64(q, 4);
	str_copy(p->name, sizeof p->name, db_col_text(q, 5));
	str_copy(p->display_name, sizeof p->display_name, db_col_text(q, 6));
	p->role = auth_role_parse(db_col_text(q, 7));
	db_finalize(q);
	/* Touch at most once a minute: most requests stay read-only. */
	if (now - seen >= 60) {
		if (db_prepare(db, "UPDATE session SET last_seen = $1 WHERE id = $2", &q))
			return RC_DB;
		db_bind_int64(q, 1, now);
		db_bind_int64(q, 2, sid);
		db_step(q); /* a busy store only delays the touch; not an error */
		db_finalize(q);
	}
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
	if (db_prepare(db, "DELETE FROM session WHERE token_hash = $1", &q))
		return RC_DB;
	db_bind_text(q, 1, c->hash);
	enum rc rc = db_step_rc(db_step(q));
	db_finalize(q);
	if (rc)
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
	int64_t id;
};

static enum rc token_create_tx(struct db *db, void *vctx)
{
	struct token_ctx *c = vctx;
	struct db_stmt *q;
	char now[21];
	str_now_iso(now);
	if (db_prepare(db,
	               "INSERT INTO api_token (name, token_hash, role, created_by, created_at)"
	               " VALUES ($1, $2, $3, $4, $5) RETURNING id",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, c->name);
	db_bind_text(q, 2, c->hash);
	db_bind_text(q, 3, auth_role_code(c->role));
	if (c->who && c->who->user_id)
		db_bind_int64(q, 4, c->who->user_id);
	else
		db_bind_null(q, 4);
	db_bind_text(q, 5, now);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		c->id = db_col_int64(q, 0);
	db_finalize(q);
	if (s != DB_ROW)
		return RC_DB;
	return audit_append(db, c->who, "create", "api_token", c->id, auth_role_code(c->role));
}

enum rc auth_token_create(struct db *db, const struct actor *who, const char *name, enum role role,
                          char token_out[CRYPTO_TOKEN_LEN + 1], int64_t *id_out,
                          struct field_error *err)
{
	if (str_blank(name) || strlen(name) > 70 || str_line_problem(name))
		return field_error_set(err, "name",
		                       str_blank(name) || strlen(name) > 70
		                           ? "Ge nyckeln ett namn på högst 70 tecken."
		                           : str_line_problem(name));
	if (role != ROLE_API && role != ROLE_REVISOR)
		return field_error_set(err, "role",
		                       "En API-nyckel kan ha rollen API-klient eller Revisor.");
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_token(token_out);
	crypto_sha256_hex(token_out, strlen(token_out), h);
	struct token_ctx c = {who, name, role, h, 0};
	enum rc rc = db_tx(db, token_create_tx, &c);
	if (rc == RC_OK && id_out)
		*id_out = c.id;
	return rc;
}

static enum rc token_revoke_tx(struct db *db, void *vctx)
{
	struct token_ctx *c = vctx;
	struct db_stmt *q;
	char now[21];
	str_now_iso(now);
	if (db_prepare(db,
	               "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
	               " RETURNING id",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, now);
	db_bind_int64(q, 2, c->id);
	enum db_step s = db_step(q);
	db_finalize(q);
	if (s == DB_DONE)
		return RC_NOT_FOUND;
	if (s != DB_ROW)
		return RC_DB;
	return audit_append(db, c->who, "revoke", "api_token", c->id, "");
}

enum rc auth_token_revoke(struct db *db, const struct actor *who, int64_t id)
{
	struct token_ctx c = {who, NULL, ROLE_NONE, NULL, id};
	return db_tx(db, token_revoke_tx, &c);
}

enum rc auth_token_list(struct db *db, struct arena *a, struct api_token_info **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	if (db_prepare(db, "SELECT count(*) FROM api_token", &q))
		return RC_DB;
	size_t cap = db_step(q) == DB_ROW ? (size_t)db_col_int64(q, 0) : 0;
	db_finalize(q);
	struct api_token_info *t = arena_alloc(a, (cap ? cap : 1) * sizeof *t);
	if (!t)
		return RC_NOMEM;
	if (db_prepare(db,
	               "SELECT id, name, role, created_at, coalesce(last_used_at, ''),"
	               " revoked_at IS NOT NULL FROM api_token ORDER BY id",
	               &q))
		return RC_DB;
	size_t i = 0;
	while (i < cap && db_step(q) == DB_ROW) {
		t[i].id = db_col_int64(q, 0);
		str_copy(t[i].name, sizeof t[i].name, db_col_text(q, 1));
		t[i].role = auth_role_parse(db_col_text(q, 2));
		str_copy(t[i].created_at, sizeof t[i].created_at, db_col_text(q, 3));
		str_copy(t[i].last_used_at, sizeof t[i].last_used_at, db_col_text(q, 4));
		t[i].revoked = (int)db_col_int64(q, 5);
		i++;
	}
	db_finalize(q);
	*out = t;
	*n = i;
	return RC_OK;
}

enum rc auth_token_lookup(struct db *db, const char *token, struct principal *p)
{
	if (!token || strlen(token) != CRYPTO_TOKEN_LEN)
		return RC_NOT_FOUND;
	char h[CRYPTO_HASH_HEX_LEN + 1];
	crypto_sha256_hex(token, strlen(token), h);
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT id, name, role, coalesce(last_used_at, '') FROM api_token"
	               " WHERE token_hash = $1 AND revoked_at IS NULL",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, h);
	enum db_step s = db_step(q);
	if (s != DB_ROW) {
		db_finalize(q);
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;
	}
	memset(p, 0, sizeof *p);
	p->token_id = db_col_int64(q, 0);
	snprintf(p->name, sizeof p->name, "api:%s", db_col_text(q, 1));
	str_copy(p->display_name, sizeof p->display_name, db_col_text(q, 1));
	p->role = auth_role_parse(db_col_text(q, 2));
	char last[21];
	str_copy(last, sizeof last, db_col_text(q, 3));
	db_finalize(q);
	/* Record use once a day at most, so reads stay reads. */
	char today[11];
	str_today(today);
	if (strncmp(last, today, 10) != 0 &&
	    !db_prepare(db, "UPDATE api_token SET last_used_at = $1 WHERE id = $2", &q)) {
		char now[21];
		str_now_iso(now);
		db_bind_text(q, 1, now);
		db_bind_int64(q, 2, p->token_id);
		db_step(q);
		db_finalize(q);
	}
	return RC_OK;
}
