/*
 * personal_data.h — personal data in participations: consent given later
 * and its withdrawal, protected identity, the audited look at an identity,
 * the search by personnummer and the register extract (GDPR art. 15).
 * personal_data.c starts with a guide for a privacy reviewer.
 * Every vault call of the program's participations is behind this
 * interface (personal_data.c); participation.h has the state machine and
 * the reads, which never see an identity.
 */
#ifndef FINSAM_PERSONAL_DATA_H
#define FINSAM_PERSONAL_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"
#include "participation.h"

struct db;
struct arena;
struct vault;

/* Consent withdrawn on date: the identity of this participation only is
 * erased (consent is given per insats); the anonymous figures stay; for a
 * deltagaransvarig of its insats; audited. */
enum rc personal_withdraw_consent(struct db *db, const struct actor *who, int64_t id,
                                  const char *date, struct field_error *err);
/* The person behind the participation has protected identity.  Erases the
 * identity in this participation and in every participation of the same
 * person (same keyed hash) the caller may change.  If the person also has
 * participations the caller may not change, an administrator's work item
 * asks for protection there; the caller is not told (nothing reveals that
 * other participations exist). */
enum rc personal_protect(struct db *db, const struct actor *who, int64_t id);

/* Consent given later for an anonymous participation: what was typed on
 * the form. */
struct consent_in {
	const char *given_on;
	const char *form; /* version of the consent form */
	const char *pnr;
	const char *name;
};
/* Records consent given later and stores the identity (sealed) for this
 * participation only; for a deltagaransvarig of its insats; not for a
 * protected identity or a participation that already has one; audited. */
enum rc personal_consent_add(struct db *db, const struct vault *v, const struct actor *who,
                             int64_t id, const struct consent_in *in, struct field_error *err);

/* An open request for protection of a person in participations outside
 * the requester's insatser. */
struct protect_request {
	int64_t id;
	const char *requested_on;
	int64_t participation_id; /* where it was asked (already anonymous) */
	const char *intervention_name;
	int64_t identified; /* participations still holding the person's identity */
};
/* Open requests, oldest first; administrators only. */
enum rc personal_protect_requests(struct db *db, struct arena *a, const struct actor *who,
                                  int64_t assoc, struct protect_request **out, size_t *n);
/* The administrator applies protection: the identity is erased in every
 * participation of the person and the request (and any other open one for
 * the same person) is closed; audited.  *erased: how many participations. */
enum rc personal_protect_apply(struct db *db, const struct actor *who, int64_t request,
                               size_t *erased);

/* The identity behind a participation, for a deltagaransvarig of its
 * insats; audited with reason.  RC_DENIED for anyone else, RC_NOT_FOUND
 * for an anonymous participation. */
enum rc personal_identity(struct db *db, const struct vault *v, const struct actor *who, int64_t id,
                          const char *reason, struct arena *a, const char **pnr, const char **name);

/* Search by personnummer for staff who may see identities: the
 * participations holding this number in the insatser where the caller is
 * deltagaransvarig, newest first, in arena memory.  Participations in other
 * insatser are never looked at, so the answer reveals nothing the caller
 * could not already see.  The search is audited with its reason (one of
 * the identity-view reasons) before anything is returned; RC_INVALID with a
 * field error for a malformed number or reason, RC_DENIED for any other
 * role. */
enum rc personal_find_by_pnr(struct db *db, const struct vault *v, const struct actor *who,
                             int64_t assoc, const char *pnr, const char *reason, struct arena *a,
                             struct participation **out, size_t *n, struct field_error *err);

/* For the key check (keycheck.c): tries the key on every stored identity;
 * *count identities were tried, *unopened of them did not open.  Nothing
 * opened is kept or handed out. */
enum rc personal_identities_open(struct db *db, const struct vault *v, int64_t *count,
                                 int64_t *unopened);

/* ---- the register extract (GDPR art. 15) ---- */

/* Each row carries the participation it belongs to; a participation's
 * rows are a slice of one array, in the order shown. */
struct extract_consent {
	int64_t participation_id;
	const char *given_on;     /* YYYY-MM-DD */
	const char *form_version; /* of the consent form */
	const char *withdrawn_on; /* NULL while in force */
	const char *collected_by; /* username of who registered it; NULL: command line */
};

struct extract_answer {
	int64_t participation_id;
	const char *phase; /* start, end */
	const char *list;  /* support, employment, education, support_time */
	const char *code;  /* code in that list */
	int extent;        /* percent, -1 when not given */
};

struct extract_history {
	int64_t participation_id;
	struct history_entry e; /* at (ISO UTC), actor (as recorded), field, old, new */
};

struct extract_attendance {
	int64_t participation_id;
	const char *month; /* YYYY-MM */
	int64_t hours_tenths;
};

struct extract_participation {
	int64_t id;
	const char *intervention_name;
	const char *name;          /* as typed in this participation */
	const char *registered_at; /* when its identity was stored, ISO UTC */
	const char *state;         /* queued, active, ended, cancelled */
	const char *sex;           /* K, M */
	int birth_year;            /* 0 when not stored */
	const char *referred_on;
	const char *source;             /* code list referral_source */
	const char *source_member_name; /* NULL when not given */
	const char *source_unit;        /* NULL when not given */
	const char *home_area_name;
	const char *home_district_name;
	const char *start_on, *end_on, *end_reason; /* NULL when not yet */
	int counts;                                 /* counted in the statistics */
	const struct extract_consent *consents;
	size_t nconsents;
	const struct extract_answer *answers;
	size_t nanswers;
	const struct extract_history *history; /* oldest first */
	size_t nhistory;
	const struct extract_attendance *attendance; /* by month */
	size_t nattendance;
};

struct register_extract {
	char pnr[14];                        /* as shown: YYYYMMDD-NNNN */
	char made_on[11];                    /* Stockholm date of the extract */
	const char *name;                    /* the name most recently registered; NULL: none */
	const char *first_registered;        /* ISO UTC; NULL when nothing is stored */
	struct extract_participation *parts; /* by participation number */
	size_t nparts;
};

/* Everything stored about the person with this number, into arena a
 * (freed with it); for an administrator.  The reads and the audit entry
 * are one transaction: the extract is handed out only after its entry is
 * committed.  Complete or an error, never shorter: RC_DENIED, RC_INVALID
 * (field "pnr"), RC_IO (no key, or a sealed name that does not open),
 * RC_NOMEM, RC_DB and its refinements.  A person with nothing stored is
 * RC_OK with nparts 0. */
enum rc personal_extract(struct db *db, const struct vault *v, const struct actor *who,
                         const char *pnr, struct arena *a, struct register_extract *out,
                         struct field_error *err);

#endif
