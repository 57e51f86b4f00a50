/*
 * intervention.h — insatser (interventions): what the förbund funds.
 *
 * An insats is individinriktad (works with participants, followed per
 * person or as a volume of counts) or strukturövergripande (no
 * participants; always counted as volume).  Orientation, follow-up method
 * and the ESF flag are fixed once the insats exists, as in SUS; trying to
 * change them is answered with a message saying why.  Per calendar year an
 * insats has planned participants and budget lines with outcome (öre).
 * Staff are users assigned as insatsansvarig or deltagaransvarig; a
 * deltagaransvarig sees identities only in the insatser they are assigned
 * to.
 */
#ifndef FINSAM_INTERVENTION_H
#define FINSAM_INTERVENTION_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;

struct intervention {
	int64_t id;
	int64_t association_id;
	const char *name;
	const char *description;
	int64_t responsible_member_id;
	const char *responsible_name;
	const char *orientation;        /* individ | struktur */
	const char *orientation_detail; /* code list orientation_detail */
	const char *method;             /* person | volym */
	int esf;
	const char *start_on;
	const char *end_on;
	const char **target_groups; /* codes of list target_group */
	size_t ntarget_groups;
};

struct intervention_year {
	int year;
	int64_t planned_participants; /* -1 when not set */
	int64_t budget_cost, budget_esf_cost;
	int64_t outcome_cost, outcome_esf_cost; /* -1 when not yet known */
};

/*
 * Who may write (checked by every write below, inside its transaction):
 * förbundschef, administrator and an integration (role api) create insatser
 * and change any; an insatsansvarig changes only the insatser they are
 * staffed on as insatsansvarig (the insats, its years, staff and volume
 * counts) and creates none; other roles write none.  Refusals are
 * RC_DENIED; a missing insats is RC_NOT_FOUND.
 */
/* RC_OK when who may create an insats, else RC_DENIED. */
enum rc intervention_may_create(const struct actor *who);
/* RC_OK when who may change insats id; RC_NOT_FOUND, RC_DENIED or a
 * database error. */
enum rc intervention_may_change(struct db *db, const struct actor *who, int64_t id);

/* Creates (id 0) or updates an insats; in->id is set to the insats's id
 * only after the transaction committed. */
enum rc intervention_save(struct db *db, const struct actor *who, struct intervention *in,
                          struct field_error *err);
enum rc intervention_get(struct db *db, struct arena *a, int64_t id, struct intervention *out);
enum rc intervention_list(struct db *db, struct arena *a, int64_t assoc, struct intervention **out,
                          size_t *n);
enum rc intervention_year_set(struct db *db, const struct actor *who, int64_t id,
                              const struct intervention_year *y, struct field_error *err);
enum rc intervention_years(struct db *db, struct arena *a, int64_t id,
                           struct intervention_year **out, size_t *n);
/* Volume insatser (method volym) record counts by sex per period. */
struct volume_count {
	int64_t id;
	const char *period_start, *period_end;
	int64_t women, men;
};
enum rc intervention_volume_add(struct db *db, const struct actor *who, int64_t id,
                                const struct volume_count *v, struct field_error *err);
enum rc intervention_volume_list(struct db *db, struct arena *a, int64_t id,
                                 struct volume_count **out, size_t *n);

/* Assigns (add=1) or removes a user as insatsansvarig or deltagaransvarig. */
enum rc intervention_staff_set(struct db *db, const struct actor *who, int64_t id, int64_t user_id,
                               const char *role, int add, struct field_error *err);
/* 1 if the user holds the role in the insats. */
int intervention_is_staff(struct db *db, int64_t id, int64_t user_id, const char *role);

#endif
