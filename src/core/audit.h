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
 */
#ifndef FINSAM_AUDIT_H
#define FINSAM_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

enum rc audit_append(struct db *db, const struct actor *who, const char *action,
                     const char *object_type, int64_t object_id, const char *detail);

struct audit_entry {
	int64_t id;
	const char *at, *actor, *action, *object_type, *object_id, *address, *detail;
};

/* The newest entries first, at most limit, before id `before` (0 = from the
 * end), in arena memory. */
enum rc audit_list(struct db *db, struct arena *a, int64_t before, size_t limit,
                   struct audit_entry **out, size_t *n);

/* Recomputes the chain.  *count gets the number of entries; *first_bad the
 * id of the first entry whose hash does not match (0 when intact).
 * RC_OK means intact, RC_CONFLICT broken. */
enum rc audit_verify(struct db *db, int64_t *count, int64_t *first_bad);

#endif
