/*
 * audit.h — the append-only, hash-chained audit log.
 *
 * Every write in finsam, and (from the participant module on) every look at
 * personal data, appends one entry: when, who, from where, which action on
 * which object, and a short detail that never holds personal data.  Each
 * entry stores the SHA-256 of the previous entry's hash together with its
 * own fields, so changing or removing any entry breaks the chain from that
 * point; audit_verify() walks it.  The store itself also refuses UPDATE and
 * DELETE on the table.
 *
 * audit_append() must be called inside the caller's db_tx(), so that the
 * entry and the change it describes commit together or not at all.
 *
 * Several writers (connections, or PostgreSQL sessions) append correctly:
 * the chain's head is one row (audit_head: number and hash of the newest
 * entry) that an append updates first, so appenders take turns on its row
 * lock and each gets the next number and its predecessor's hash.  The
 * head must agree with the log's newest entry; an append refuses
 * (RC_CONFLICT) and audit_verify reports the chain broken when it does
 * not (entries removed from the end or added behind finsam's back, even
 * where no anchor exists yet).
 *
 * The chain's head is anchored: audit_anchor holds (head id, head hash) and
 * a MAC of them under a key derived from the key file (the vault attached
 * to the connection, db_set_vault), rewritten in the same transaction as
 * every entry.  Removing the newest entries, or all of them, without the key
 * leaves an anchor that no longer matches; audit_append() then refuses to
 * write (RC_CONFLICT) rather than sign the shortened chain.  Someone who
 * holds the key, or an older copy of the whole database, can still rewind:
 * only a head kept outside the database (audit_head() printed for the
 * board, checked with audit_find()) shows that.
 */
#ifndef FINSAM_AUDIT_H
#define FINSAM_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;

/* The schema version that brought audit_head (schema_sqlite.c). */
#define AUDIT_HEAD_SCHEMA 14

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Appends one entry and re-signs the anchor.  RC_DENIED when no vault is
 * attached to db, RC_CONFLICT when the anchor does not match the head. */
enum rc audit_append(struct db *db, const struct actor *who, const char *action,
                     const char *object_type, int64_t object_id, const char *detail);

enum audit_anchor_state {
	AUDIT_ANCHOR_OK,    /* the anchor signs the newest entry */
	AUDIT_ANCHOR_UNSET, /* no anchor yet: an empty log, or a database from before
	                        anchors whose key has not been checked */
	AUDIT_ANCHOR_BROKEN /* the anchor is missing, altered, or signs another head */
};
/* Anchors an empty log (for a new database, in the transaction that stores
 * its key check); RC_CONFLICT if the log has entries, RC_DENIED without a
 * vault. */
enum rc audit_anchor_empty(struct db *db);
/* Checks the anchor against the newest entry with the attached vault;
 * RC_DENIED without one. */
enum rc audit_anchor_check(struct db *db, enum audit_anchor_state *state);

struct audit_head {
	int64_t id;
	char hash[65];
	char at[21];
};
/* The newest entry; RC_NOT_FOUND when the log is empty. */
enum rc audit_head(struct db *db, struct audit_head *out);
/* Whether entry id is still in the log with this hash: RC_OK, RC_NOT_FOUND
 * (it is gone), RC_CONFLICT (it was changed). */
enum rc audit_find(struct db *db, int64_t id, const char *hash);

struct audit_entry {
	int64_t id;
	const char *at, *actor, *action, *object_type, *object_id, *address, *detail;
};

/* The newest entries first, at most limit, before id `before` (0 = from the
 * end), in arena memory. */
enum rc audit_list(struct db *db, struct arena *a, int64_t before, size_t limit,
                   struct audit_entry **out, size_t *n);
/* How many entries the log holds: ids run without gaps from 1, so this is
 * the newest id, read from the primary key without counting. */
enum rc audit_total(struct db *db, int64_t *total);

/* Recomputes the chain.  *count gets the number of entries; *first_bad the
 * id of the first entry whose hash does not match (0 when intact).
 * RC_OK means intact, RC_CONFLICT broken. */
enum rc audit_verify(struct db *db, int64_t *count, int64_t *first_bad);

#endif
