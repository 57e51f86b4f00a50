/*
 * participation_internal.h — helpers shared by participation.c (state
 * machine), participation_query.c (reads) and personal_data.c (personal
 * data).  Not for other modules: their interfaces are participation.h and
 * personal_data.h.
 */
#ifndef FINSAM_PARTICIPATION_INTERNAL_H
#define FINSAM_PARTICIPATION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct field_error;
struct pnr;
struct referral;
struct registration;
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

/* ---- the parts of referral, start and end, for the import ------------------
 *
 * participation_refer, _start and _end are each a validating part and a
 * writing part; the import (import.c) calls the same parts for every row of
 * a file inside its one transaction, with what it loaded once per file, so
 * a participation imported is checked by the same rules and written as one
 * registered by hand: the same rows, history and tally.  What differs:
 * the import writes one audit entry for the whole file instead of one per
 * referral, start and end, and gathers the tally's changes in a batch
 * written once (participation_tally_flush). */

/* Whether code is an active item of list, as the caller has the lists:
 * the database's (the single registrations), or the lists an import
 * loaded once. */
struct code_lookup {
	int (*valid)(void *ctx, const char *list, const char *code);
	void *ctx;
};

/* Changes of participation_tally gathered over many writes, netted per
 * insats, state and counted; malloc'd, freed by
 * participation_tally_batch_free.  Zero-initialise. */
struct tally_delta;
struct tally_batch {
	struct tally_delta *d;
	size_t n, cap;
};
/* Writes the gathered changes (in the caller's transaction) and empties b. */
enum rc participation_tally_flush(struct db *db, struct tally_batch *b);
void participation_tally_batch_free(struct tally_batch *b);

/* A referral's own fields, every one (RC_INVALID with each wrong field);
 * fills *pnr (when identified) and *sex for the write.  now: the actor's
 * clock. */
enum rc participation_refer_validate(const struct code_lookup *codes, int64_t now,
                                     const struct referral *in, struct pnr *pnr, const char **sex,
                                     struct field_error *err);
/* The insats a referral names: it exists, is followed per person, and who
 * may register in it (RC_DENIED); *assoc its förbund.  In the transaction. */
enum rc participation_refer_insats(struct db *db, const struct actor *who, int64_t intervention,
                                   int64_t *assoc, struct field_error *err);
/* The referring member, home kommun and stadsdel belong to förbund assoc
 * (and the stadsdel to the kommun).  In the transaction. */
enum rc participation_refer_refs(struct db *db, int64_t assoc, const struct referral *in,
                                 struct field_error *err);
/* The columns a participation's row holds after its start and end, for a
 * writer that inserts the row whole (the import): state, start_on, end_on,
 * end_reason, counts and end_complete (participation_end_columns). */
struct participation_final {
	const char *state, *start_on, *end_on, *end_reason;
	int counts, end_complete;
};
/* Writes a validated referral: the participation (queued; or as fin says,
 * when given), its tally, its identity when pnr is given (sealed, keyed
 * hash, consent) and its history.  No audit entry: the caller writes it.
 * tally NULL: the tally is written now; else the change is gathered
 * there.  The tally and history are the referral's either way: the start
 * and end writing parts add theirs. */
enum rc participation_refer_write(struct db *db, const struct vault *v, const struct actor *who,
                                  int64_t assoc, const struct referral *in, const struct pnr *pnr,
                                  const char *sex, const struct participation_final *fin,
                                  struct tally_batch *tally, int64_t *id);

/* A participation as a transition finds it. */
struct participation_state {
	int64_t intervention_id;
	char state[16], referred[11], start[11];
	int counts;
};
/* A start's or an end's own fields: the date and the answers. */
enum rc participation_start_validate(const struct code_lookup *codes, int64_t now,
                                     const struct registration *r, struct field_error *err);
enum rc participation_end_validate(const struct code_lookup *codes, int64_t now,
                                   const struct registration *r, struct field_error *err);
/* Whether a participation as *cur is may start (end) on date: its state
 * and the date's order (RC_INVALID on "date").  The writing parts check
 * it again; a writer that inserts the row whole checks it first. */
enum rc participation_start_check(const struct participation_state *cur, const char *date,
                                  struct field_error *err);
enum rc participation_end_check(const struct participation_state *cur, const char *date,
                                struct field_error *err);
/* counts and end_complete of a participation ended with r. */
void participation_end_columns(const struct registration *r, int *counts, int *complete);
/* Starts (ends) participation id as *cur is: checks the state and the
 * date's order against *cur (RC_INVALID on "date"), writes the change,
 * its answers, tally and history, and updates *cur.  The caller has
 * checked who may change it and writes the audit entry.  fresh: the row
 * was inserted in this transaction by participation_refer_write with fin
 * already holding this change, and has no answers: the row is left as it
 * is and no earlier answers are looked for. */
enum rc participation_start_write(struct db *db, const struct actor *who, int64_t id,
                                  struct participation_state *cur, const struct registration *r,
                                  int fresh, struct tally_batch *tally, struct field_error *err);
enum rc participation_end_write(struct db *db, const struct actor *who, int64_t id,
                                struct participation_state *cur, const struct registration *r,
                                int fresh, struct tally_batch *tally, struct field_error *err);

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
