/*
 * keycheck.h — ties a database to its key file.
 *
 * At init the database stores the key's identity (vault_key_id) in
 * key_check.  Every command that opens the database with its key — serve,
 * import, extract, demo and the rest of the command line — runs
 * keycheck_attach(), which refuses a key file that is not the one stored, so
 * a wrong key can never seal new identities that the right key then cannot
 * open.
 *
 * A database made before the check existed has no key_check row.  Its key
 * is adopted only when it opens every identity already stored (or none are
 * stored); then the check is written, with an audit entry, and the caller
 * is told so.  A key that fails to open any stored identity is refused.
 * Adoption happens only while the database is being upgraded past the
 * migration that made key_check (KEYCHECK_SCHEMA) by this very open: a
 * database that already had the table when opened but lacks the row had it
 * removed (with the audit anchor, to hide removed log entries), and is
 * refused as tampered with.
 */
#ifndef FINSAM_KEYCHECK_H
#define FINSAM_KEYCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"

/* The schema migration that made key_check and audit_anchor. */
#define KEYCHECK_SCHEMA 9

struct db;
struct vault;

enum keycheck_outcome {
	KEYCHECK_MATCH,    /* the stored check matches */
	KEYCHECK_STORED,   /* no check and no identities: the key was adopted */
	KEYCHECK_ADOPTED,  /* no check; the key opened every stored identity */
	KEYCHECK_WRONG,    /* the stored check is another key's */
	KEYCHECK_UNOPENED, /* no check, and some stored identities do not open */
	KEYCHECK_MISSING,  /* no check in a database that had one: removed */
	KEYCHECK_UNCHECKED /* no check, and adoption not asked for (read-only) */
};

enum keycheck_mode {
	KEYCHECK_MAY_ADOPT, /* a database being upgraded now may adopt the key */
	KEYCHECK_READ_ONLY  /* never write (audit verify) */
};

struct keycheck_result {
	enum keycheck_outcome outcome;
	int64_t identities; /* stored identities tried (adoption only) */
	int64_t unopened;   /* of those, how many the key did not open */
};

/* Checks v against db (adopting it as described above, unless mode is
 * KEYCHECK_READ_ONLY) inside a transaction.  RC_OK with r->outcome MATCH,
 * STORED, ADOPTED or UNCHECKED; RC_DENIED with WRONG, UNOPENED or MISSING.
 * v must already be attached to db (adoption writes an audit entry). */
enum rc keycheck_check(struct db *db, const struct vault *v, enum keycheck_mode mode,
                       struct keycheck_result *r);
/* keycheck_check with KEYCHECK_MAY_ADOPT. */
enum rc keycheck_run(struct db *db, const struct vault *v, struct keycheck_result *r);

/* Before a database from before the key check is upgraded (db_open
 * applies the migrations, which cannot be undone): refuses, with msg, a key
 * file that does not open every stored identity, so the upgrade never
 * happens under a wrong key and the right key is still adopted later.
 * RC_OK for a current database and for anything keycheck_attach or db_open
 * will report themselves (missing key, not a database). */
enum rc keycheck_before_upgrade(const char *db_path, char *msg, size_t msglen);

/* Opens "<db_path>.key", attaches it to db (not owned) and runs the check.
 * On success *out is the vault (the caller releases it after closing every
 * connection it is attached to) and note holds a Swedish sentence to show
 * when the key was adopted ("" otherwise).  On failure *out is NULL,
 * nothing is attached, and msg holds a Swedish sentence. */
enum rc keycheck_attach(struct db *db, const char *db_path, enum keycheck_mode mode,
                        struct vault **out, char *msg, size_t msglen, char *note, size_t notelen);

#endif
