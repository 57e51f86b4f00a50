/*
 * auth.h — users, roles, permissions, sessions, API tokens and login
 * throttling.
 *
 * Permissions are decided here and only here: auth_allows(role, perm) reads
 * one table.  The web layer asks it once per request from the route table;
 * handlers never check roles themselves.
 *
 * Sessions and API tokens are random 43-character strings handed to the
 * client once; the store keeps only their SHA-256.  A session ends after
 * AUTH_IDLE_SECONDS without use or AUTH_ABSOLUTE_SECONDS after login.
 *
 * The account and key writes check their actor here too, not only the
 * route table: adding, disabling and enabling accounts, setting another's
 * password, creating and revoking API keys need PERM_USER_ADMIN
 * (RC_DENIED otherwise, before any work); a signed-in user changes their
 * own password only with auth_user_change_password (the current one must
 * match).  Every write runs in db_tx and hands its results (ids, tokens,
 * the principal) out only after the commit.
 */
#ifndef FINSAM_AUTH_H
#define FINSAM_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "../util/crypto.h"
#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;

enum perm {
	PERM_PUBLIC = 0,         /* anyone, logged in or not */
	PERM_LOGGED_IN,          /* any signed-in principal */
	PERM_ORG_READ,           /* see the förbund, members, bodies, people */
	PERM_ORG_WRITE,          /* change them */
	PERM_USER_ADMIN,         /* manage accounts and API tokens */
	PERM_AUDIT_READ,         /* read the audit log */
	PERM_INTERVENTION_READ,  /* see insatser, queues and participations without identity */
	PERM_INTERVENTION_WRITE, /* create and change insatser, their years and staff */
	PERM_PARTICIPANT_WRITE,  /* register referrals, starts and ends (in own insatser) */
	PERM_EXTRACT,            /* make a register extract for a person */
	PERM_CODES_ADMIN,        /* relabel and retire items of the code lists */
	PERM_COUNT
};

#define AUTH_IDLE_SECONDS     (60 * 60)
#define AUTH_ABSOLUTE_SECONDS (12 * 60 * 60)
/*
 * Login throttling (see docs/architecture.md).  Failures are counted, within
 * AUTH_THROTTLE_WINDOW, for three keys:
 *   - the account and address together: at AUTH_PAIR_MAX_FAILURES that pair
 *     is locked outright (an attacker locks only themselves);
 *   - the account, from anywhere: at AUTH_ACCOUNT_MAX_FAILURES, and
 *   - the address, for any accounts: at AUTH_ADDRESS_MAX_FAILURES, the
 *     account or address is locked for AUTH_LOCK_SECONDS, except that the
 *     right password from a known address (one this account logged in from
 *     within AUTH_KNOWN_SECONDS, stored hashed) still passes; such a login
 *     is audited as passing a lock.
 */
#define AUTH_PAIR_MAX_FAILURES    5
#define AUTH_ACCOUNT_MAX_FAILURES 20
#define AUTH_ADDRESS_MAX_FAILURES 100
#define AUTH_THROTTLE_WINDOW      900 /* seconds in which failures count */
#define AUTH_LOCK_SECONDS         900
#define AUTH_KNOWN_SECONDS        (180 * 24 * 60 * 60)
#define AUTH_PASSWORD_MIN         10
#define AUTH_PASSWORD_MAX         200
#define AUTH_CSRF_LEN             CRYPTO_TOKEN_LEN
/* A display name is at most this many characters; the buffers hold that
 * many in UTF-8's widest form, so a stored name is never cut. */
#define AUTH_DISPLAY_NAME_MAX  120
#define AUTH_DISPLAY_NAME_SIZE (AUTH_DISPLAY_NAME_MAX * 4 + 1)

/* Stable code ("admin"), Swedish label ("Administratör") and parser. */
const char *auth_role_code(enum role r);
const char *auth_role_label(enum role r);
enum role auth_role_parse(const char *code);
/* 1 if the role holds the permission. */
int auth_allows(enum role r, enum perm p);

struct user {
	int64_t id;
	char username[64];
	char display_name[AUTH_DISPLAY_NAME_SIZE];
	enum role role;
	int disabled;
	char created_at[21];
};

/* A signed-in principal as the web layer sees it. */
struct principal {
	int64_t user_id;    /* 0 for an API token */
	int64_t token_id;   /* API token id, or 0 */
	int64_t session_id; /* the session this request came with, or 0 */
	char name[80];      /* username or "api:<name>" */
	char display_name[AUTH_DISPLAY_NAME_SIZE];
	enum role role;
	char csrf[AUTH_CSRF_LEN + 1]; /* empty for API tokens */
};

/* Validates and adds a user; the password is hashed with argon2id before
 * the write transaction begins.  Call it outside any db_tx, or the hash
 * holds the caller's write lock. */
enum rc auth_user_add(struct db *db, const struct actor *who, const char *username,
                      const char *display_name, enum role role, const char *password,
                      int64_t *id_out, struct field_error *err);
/* The same with a hash made beforehand by crypto_password_hash(), for
 * callers that add accounts inside their own transaction (the demo). */
enum rc auth_user_add_hashed(struct db *db, const struct actor *who, const char *username,
                             const char *display_name, enum role role, const char *hash,
                             int64_t *id_out, struct field_error *err);
enum rc auth_user_passwd(struct db *db, const struct actor *who, const char *username,
                         const char *password, struct field_error *err);
/* Disables (disable=1) or enables an account; disabling ends its sessions. */
enum rc auth_user_set_disabled(struct db *db, const struct actor *who, const char *username,
                               int disable);
/* One user by id. */
enum rc auth_user_get(struct db *db, int64_t id, struct user *out);
/* A signed-in user changes their own password: the current one must match.
 * Every session of the account except keep_session (the caller's, from
 * principal.session_id; 0 keeps none) ends.  The argon2id work is done
 * before the write transaction, so it holds no lock. */
enum rc auth_user_change_password(struct db *db, const struct actor *who, int64_t keep_session,
                                  const char *current, const char *password,
                                  struct field_error *err);
/* All users, ordered by username, in arena memory. */
enum rc auth_user_list(struct db *db, struct arena *a, struct user **out, size_t *n);
/* Checks a password rule: RC_INVALID with a Swedish message if too weak. */
enum rc auth_password_acceptable(const char *password, struct field_error *err);

/*
 * Checks username and password from address at time now.  On success,
 * once the session is committed, writes its token (give it to the client)
 * and fills *p; on any other result token_out is empty and *p untouched.
 * RC_DENIED for wrong credentials or a disabled account (one answer for
 * both, so accounts cannot be probed), RC_THROTTLED while locked (see the
 * throttling rule above).  Every outcome costs exactly one argon2id
 * verification, done outside any transaction; only the short bookkeeping
 * (throttle counters, session, audit) takes the write lock.
 */
enum rc auth_login(struct db *db, const char *username, const char *password, const char *address,
                   int64_t now, char token_out[CRYPTO_TOKEN_LEN + 1], struct principal *p);
/* Finds the live session for token at time now and marks it used (at
 * most once a minute, in its own transaction; a touch that fails leaves
 * the session to end sooner, never later, and is not the lookup's error);
 * RC_NOT_FOUND if none or expired.  *p is written only on RC_OK. */
enum rc auth_session_lookup(struct db *db, const char *token, int64_t now, struct principal *p);
/* Ends the session for token (no error if it was already gone). */
enum rc auth_logout(struct db *db, const struct actor *who, const char *token);

struct api_token_info {
	int64_t id;
	char name[80];
	enum role role;
	char created_at[21];
	char last_used_at[21];
	int revoked;
};

/* Creates an API token for an integration; the token text is shown once.
 * token_out is empty unless the result is RC_OK. */
enum rc auth_token_create(struct db *db, const struct actor *who, const char *name, enum role role,
                          char token_out[CRYPTO_TOKEN_LEN + 1], int64_t *id_out,
                          struct field_error *err);
enum rc auth_token_revoke(struct db *db, const struct actor *who, int64_t id);
enum rc auth_token_list(struct db *db, struct arena *a, struct api_token_info **out, size_t *n);
/* Finds a live API token; fills *p with role and "api:<name>" (only on
 * RC_OK) and records the use at time now, once a day at most (in its own
 * transaction, like a session's touch). */
enum rc auth_token_lookup(struct db *db, const char *token, int64_t now, struct principal *p);

#endif
