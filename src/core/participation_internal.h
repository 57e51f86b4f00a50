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

struct db;
struct field_error;
struct pnr;
struct vault;

/* ---- participation.c ---------------------------------------------------- */

/* One history row: what changed, from what, to what, by whom. */
enum rc participation_history_add(struct db *db, const struct actor *who, int64_t id,
                                  const char *field, const char *old_value, const char *new_value);
/* Who may register in an insats: a deltagaransvarig assigned to it, or the
 * administrator at the command line (user 0; imports). */
int participation_may_register(struct db *db, const struct actor *who, int64_t intervention);
/* RC_OK when who may change participation id; RC_NOT_FOUND or RC_DENIED. */
enum rc participation_may_change(struct db *db, const struct actor *who, int64_t id);
/* Adds an error on "date" for a missing, malformed, impossible or future
 * date (after the Stockholm date at instant now). */
enum rc participation_check_date(const char *date, int64_t now, struct field_error *err);
/* Moves one participation in participation_tally (per insats, state and
 * counted) from (old_state, old_counted) to (new_state, new_counted); NULL
 * old_state for a new participation, NULL new_state for one removed.
 * Called in the transaction of every change of state or counts: the tally
 * is kept by core, not by triggers of one engine. */
enum rc participation_tally_move(struct db *db, int64_t intervention, const char *old_state,
                                 int old_counted, const char *new_state, int new_counted);

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
