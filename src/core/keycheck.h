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
 */
#ifndef FINSAM_KEYCHECK_H
#define FINSAM_KEYCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"

struct db;
struct vault;

enum keycheck_outcome {
	KEYCHECK_MATCH,   /* the stored check matches */
	KEYCHECK_STORED,  /* no check and no identities: the key was adopted */
	KEYCHECK_ADOPTED, /* no check; the key opened every stored identity */
	KEYCHECK_WRONG,   /* the stored check is another key's */
	KEYCHECK_UNOPENED /* no check, and some stored identities do not open */
};

struct keycheck_result {
	enum keycheck_outcome outcome;
	int64_t identities; /* stored identities tried (adoption only) */
	int64_t unopened;   /* of those, how many the key did not open */
};

/* Checks v against db (adopting it as described above) inside a
 * transaction.  RC_OK with r->outcome MATCH, STORED or ADOPTED;
 * RC_DENIED with WRONG or UNOPENED.  v must already be attached to db
 * (adoption writes an audit entry). */
enum rc keycheck_run(struct db *db, const struct vault *v, struct keycheck_result *r);

/* Opens "<db_path>.key", attaches it to db (not owned) and runs the check.
 * On success *out is the vault (the caller releases it after closing every
 * connection it is attached to) and note holds a Swedish sentence to show
 * when the key was adopted ("" otherwise).  On failure *out is NULL,
 * nothing is attached, and msg holds a Swedish sentence. */
enum rc keycheck_attach(struct db *db, const char *db_path, struct vault **out, char *msg,
                        size_t msglen, char *note, size_t notelen);

#endif
