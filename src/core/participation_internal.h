/*
 * participation_internal.h — helpers shared by participation.c (state
 * machine), participation_query.c (reads) and personal_data.c (personal
 * data).  Not for other modules: their interfaces are participation.h and
 * personal_data.h.
 */
#ifndef FINSAM_PARTICIPATION_INTERNAL_H
#define FINSAM_PARTICIPATION_INTERNAL_H

#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"

struct arena;
struct db;
struct db_stmt;
struct field_error;
struct pnr;
struct vault;

/* ---- participation.c ---------------------------------------------------- */

/* Column i of the current row copied into a (NULL for NULL). */
const char *participation_col(struct arena *a, struct db_stmt *q, int i);
/* Steps a write statement once and finalizes it. */
enum rc participation_step_done(struct db_stmt *q);
/* One history row: what changed, from what, to what, by whom. */
enum rc participation_history_add(struct db *db, const struct actor *who, int64_t id,
                                  const char *field, const char *old_value, const char *new_value);
/* Who may register in an insats: a deltagaransvarig assigned to it, or the
 * administrator at the command line (user 0; imports). */
int participation_may_register(struct db *db, const struct actor *who, int64_t intervention);
/* RC_OK when who may change participation id; RC_NOT_FOUND or RC_DENIED. */
enum rc participation_may_change(struct db *db, const struct actor *who, int64_t id);
/* Adds an error on "date" for a missing, malformed, impossible or future date. */
enum rc participation_check_date(const char *date, struct field_error *err);

/* ---- personal_data.c, for the referral ----------------------------------- */

/* The participation (queued or active) in this insats that already holds
 * the person with this number, found by keyed hash in the förbund, or 0
 * in *dup. */
enum rc personal_duplicate(struct db *db, const struct vault *v, int64_t assoc,
                           int64_t intervention_id, const struct pnr *pnr, int64_t *dup);
/* Seals what was typed as the identity of participation id and records
 * the consent it was given with (date, form version, collected by who). */
enum rc personal_store_identity(struct db *db, const struct vault *v, const struct actor *who,
                                int64_t assoc, int64_t id, const struct pnr *pnr, const char *name,
                                const char *consent_on, const char *consent_form);

#endif
