/*
 * participation.h — participants: referral and queue, start and end
 * registration, corrections with history, attendance hours, and the reads
 * (lists, queue, counts, the staff's work lists).  Writes are in
 * participation.c, reads in participation_query.c; everything that
 * touches personal data (identity, consent, protection, erasure, extract)
 * is declared in personal_data.h.
 *
 * A participation is one person in one insats for one episode.  Identity
 * (personnummer and name) is stored only with consent, sealed with the
 * vault key and found again by a keyed hash; without consent, or for a
 * person with protected identity, the participation is anonymous and keeps
 * only sex and dates.  Withdrawal of consent or protection arising later
 * erases the identity and keeps the anonymous figures.  Only a
 * deltagaransvarig assigned to the insats may see an identity, and every
 * such look is written to the audit log with its reason.
 *
 * States: queued → active → ended, or queued → cancelled.  Ending with the
 * reason felregistrering takes the episode out of the statistics
 * (counts = 0) and keeps it in history.
 */
#ifndef FINSAM_PARTICIPATION_H
#define FINSAM_PARTICIPATION_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"
#include "paging.h"

struct db;
struct arena;
struct vault;

struct referral {
	int64_t intervention_id;
	const char *referred_on;
	const char *source;       /* code list referral_source */
	int64_t source_member_id; /* the referring member, e.g. which kommun */
	const char *source_unit;  /* the member's unit, e.g. Socialtjänsten */
	int64_t home_area_id;     /* kommun */
	int64_t home_district_id; /* stadsdel, optional */
	const char *sex;          /* K or M; taken from the number when one is given */
	/* identity: only with consent */
	const char *pnr;
	const char *name;
	const char *consent_on;
	const char *consent_form; /* version of the consent form */
	int protected_identity;
	/* The person already queued or active in this insats is registered
	 * again anyway (a new referral, not a mistake). */
	int confirm_duplicate;
	/* A one-time key for this submission (the form's token or the API's
	 * Idempotency-Key), NULL for none: a second submission with the same
	 * key by the same user creates nothing and answers the first one's id. */
	const char *once_key;
};

struct answer {
	const char *list; /* support, employment, education, support_time */
	const char *code;
	int extent; /* percent for support sources, -1 when not given */
};

struct registration {
	const char *date;
	const char *end_reason; /* end only */
	const struct answer *answers;
	size_t nanswers;
};

struct participation {
	int64_t id;
	int64_t intervention_id;
	const char *intervention_name;
	int identified; /* has an identity (with consent) */
	const char *sex;
	int birth_year; /* 0 when anonymous */
	const char *state;
	const char *referred_on;
	const char *source;
	const char *source_member_name;
	const char *source_unit;
	const char *home_area_name;
	const char *home_district_name;
	const char *start_on;
	const char *end_on;
	const char *end_reason;
	int counts;
	int protected_identity;
	int waiting_days; /* queued: days since referral */
	const char *consent_on;
	const char *consent_withdrawn_on;
};

/* RC_OK when who may register referrals in (and change participations of)
 * insats intervention: a deltagaransvarig staffed on it, or the
 * administrator at the command line; RC_DENIED otherwise.  The rule the
 * writes check in their transactions, for a page that offers a form. */
enum rc participation_may_refer(struct db *db, const struct actor *who, int64_t intervention);

/* Checks a referral's fields without storing anything: RC_INVALID with
 * every wrong field, for a form that failed its own checks first. */
enum rc participation_refer_check(struct db *db, const struct actor *who, const struct referral *in,
                                  struct field_error *err);
/* Registers a referral.  RC_CONFLICT (with an error on "pnr" naming the
 * participation) when the same person (keyed hash) is already queued or
 * active in the same insats and in->confirm_duplicate is not set; other
 * insatser are never looked at.  With in->once_key already used by the
 * same user, nothing is created and *id_out is the participation that
 * key created (*replayed_out, if given, is set to 1). */
enum rc participation_refer(struct db *db, const struct vault *v, const struct actor *who,
                            const struct referral *in, int64_t *id_out, struct field_error *err);
enum rc participation_refer_once(struct db *db, const struct vault *v, const struct actor *who,
                                 const struct referral *in, int64_t *id_out, int *replayed_out,
                                 struct field_error *err);
enum rc participation_start(struct db *db, const struct actor *who, int64_t id,
                            const struct registration *r, struct field_error *err);
enum rc participation_end(struct db *db, const struct actor *who, int64_t id,
                          const struct registration *r, struct field_error *err);
/* A queued referral that never starts (reason from end_reason). */
enum rc participation_cancel(struct db *db, const struct actor *who, int64_t id, const char *date,
                             const char *reason, struct field_error *err);
/* Corrects one field, keeping the old value in the history.  Fields:
 * referred_on, start_on, end_on, end_reason, sex (anonymous only),
 * home_area_id (a kommun's id; the history keeps the names). */
enum rc participation_correct(struct db *db, const struct actor *who, int64_t id, const char *field,
                              const char *value, struct field_error *err);
/* Hours in a month ("YYYY-MM"), in tenths of an hour, at most
 * PARTICIPATION_MAX_HOURS_TENTHS (every hour of a 31-day month). */
#define PARTICIPATION_MAX_HOURS_TENTHS 7440
enum rc participation_attendance_set(struct db *db, const struct actor *who, int64_t id,
                                     const char *month, int64_t hours_tenths,
                                     struct field_error *err);

/* Reads take now, the moment (Unix seconds, the actor's now) whose
 * Stockholm date waiting days are counted to and work lists cut off at. */
enum rc participation_get(struct db *db, struct arena *a, int64_t now, int64_t id,
                          struct participation *out);
/* Sort keys of the participation lists (struct paging .sort). */
enum participation_sort {
	PSORT_DATE, /* the list's date: referral (list, queue, consent), start, end */
	PSORT_NR,   /* participation number */
	PSORT_COUNT
};
/* One page of an insats's participations, without identity; pg->total is
 * how many it has in all.  Usual order: newest referral first. */
enum rc participation_list(struct db *db, struct arena *a, int64_t now, int64_t intervention_id,
                           struct paging *pg, struct participation **out, size_t *n);
/* One page of the queue (queued referrals), optionally for one insats
 * and/or one home kommun; pg->total is the whole queue.  Usual order:
 * oldest referral first. */
enum rc participation_queue(struct db *db, struct arena *a, int64_t now, int64_t assoc,
                            int64_t intervention_id, int64_t area_id, struct paging *pg,
                            struct participation **out, size_t *n);

struct registered_answer {
	const char *phase, *list, *code, *label;
	int extent; /* -1 when not given */
};
struct history_entry {
	const char *at, *actor, *field, *old_value, *new_value;
};
struct attendance_month {
	const char *month;
	int64_t hours_tenths;
};
enum rc participation_answers(struct db *db, struct arena *a, int64_t id,
                              struct registered_answer **out, size_t *n);
enum rc participation_history(struct db *db, struct arena *a, int64_t id,
                              struct history_entry **out, size_t *n);
enum rc participation_attendance(struct db *db, struct arena *a, int64_t id,
                                 struct attendance_month **out, size_t *n);

/* Per insats: how many are queued, active and ended (counted). */
struct intervention_counts {
	int64_t intervention_id;
	int64_t queued, active, ended;
};
enum rc participation_counts(struct db *db, struct arena *a, int64_t assoc,
                             struct intervention_counts **out, size_t *n);

enum worklist {
	WORK_LONG_RUNNING, /* started more than a year ago, no end */
	WORK_CONSENT,      /* open and anonymous, or consent withdrawn */
	WORK_END_MISSING   /* ended (counted) without support or employment after */
};
/* One page of a work list, ordered by its date (start, referral, end).
 * pg->total is the whole list when it holds at most pg->offset +
 * PAGING_COUNT_CAP rows; beyond that pg->total is that bound and pg->more
 * is 1 (the list holds more): its count reads no further.  A list is read
 * only among its first PAGING_OFFSET_MAX rows: a pg->offset at or past it
 * is RC_INVALID (the callers say so in words; the rule lives here only). */
enum rc participation_worklist(struct db *db, struct arena *a, int64_t now, int64_t assoc,
                               enum worklist which, struct paging *pg, struct participation **out,
                               size_t *n);

#endif
