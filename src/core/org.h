/*
 * org.h — the förbund and its organisation: the association itself, its
 * area (kommuner and stadsdelar), its members (parter) with population per
 * year, its bodies (organ), people, and mandates (uppdrag: a person's seat
 * or role in a body, representing a member, with party letter and term).
 *
 * Reads fill structs whose strings live in the caller's arena.  Writes take
 * an actor, validate (answering RC_INVALID with the field named in Swedish),
 * write in one transaction and append to the audit log in the same one.
 */
#ifndef FINSAM_ORG_H
#define FINSAM_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;

/* A code with its Swedish label, for the fixed vocabularies below. */
struct org_code {
	const char *code;
	const char *label;
};

extern const struct org_code org_member_kinds[]; /* fk, af, region, kommun */
extern const struct org_code org_body_kinds[];
extern const struct org_code org_mandate_roles[];
extern const struct org_code org_area_kinds[];
/* Label for code in a NULL-terminated table, or the code itself. */
const char *org_label(const struct org_code *table, const char *code);
/* 1 if code is in table. */
int org_code_valid(const struct org_code *table, const char *code);

/* Normalises an organisationsnummer (10 digits, optional '-' or 16-prefix)
 * to "NNNNNN-NNNN" in out[12] after checking its Luhn check digit. */
enum rc org_number_normalize(const char *in, char out[12]);

struct association {
	int64_t id;
	const char *name;
	const char *org_number;
};

struct area {
	int64_t id;
	int64_t association_id;
	const char *kind; /* kommun, stadsdel */
	const char *name;
	const char *code; /* SCB kommunkod for a kommun */
	int64_t parent_id;
	const char *parent_name;
};

struct member {
	int64_t id;
	int64_t association_id;
	const char *kind;
	const char *name;
	const char *org_number;
	int64_t area_id;
	const char *area_name;
	const char *joined_on;
	const char *left_on;
	int64_t latest_population; /* -1 when none recorded */
	int latest_population_year;
};

struct population {
	int year;
	int64_t population;
};

struct body {
	int64_t id;
	int64_t association_id;
	const char *kind;
	const char *name;
	const char *description;
	int64_t current_mandates;
};

struct person {
	int64_t id;
	int64_t association_id;
	const char *name;
	const char *title;
	int64_t employer_member_id;
	const char *employer_name;
	const char *email;
	const char *phone;
};

struct mandate {
	int64_t id;
	int64_t body_id;
	int64_t person_id;
	const char *role;
	int64_t member_id;
	const char *party;
	const char *start_on;
	const char *end_on;
	/* joined for display */
	const char *body_name;
	const char *person_name;
	const char *member_name;
};

/* The förbund this deployment serves (the lowest id); RC_NOT_FOUND if none. */
enum rc org_association_current(struct db *db, struct arena *a, struct association *out);
enum rc org_association_create(struct db *db, const struct actor *who, const char *name,
                               int64_t *id_out, struct field_error *err);
enum rc org_association_update(struct db *db, const struct actor *who, const struct association *in,
                               struct field_error *err);

enum rc org_area_list(struct db *db, struct arena *a, int64_t assoc, struct area **out, size_t *n);
enum rc org_area_get(struct db *db, struct arena *a, int64_t id, struct area *out);
enum rc org_area_save(struct db *db, const struct actor *who, struct area *in,
                      struct field_error *err); /* id 0 creates and sets in->id */

enum rc org_member_list(struct db *db, struct arena *a, int64_t assoc, struct member **out,
                        size_t *n);
enum rc org_member_get(struct db *db, struct arena *a, int64_t id, struct member *out);
enum rc org_member_save(struct db *db, const struct actor *who, struct member *in,
                        struct field_error *err);
enum rc org_population_list(struct db *db, struct arena *a, int64_t member_id,
                            struct population **out, size_t *n);
/* Population of a kommun on 1 November before year; the bounds are
 * checked here and used by the page's parser. */
#define ORG_POPULATION_YEAR_MIN 1990
#define ORG_POPULATION_YEAR_MAX 2100
#define ORG_POPULATION_MAX      20000000
enum rc org_population_set(struct db *db, const struct actor *who, int64_t member_id, int year,
                           int64_t population, struct field_error *err);

/* current_mandates counts the mandates in force on now's date (Stockholm). */
enum rc org_body_list(struct db *db, struct arena *a, int64_t assoc, int64_t now, struct body **out,
                      size_t *n);
enum rc org_body_get(struct db *db, struct arena *a, int64_t id, int64_t now, struct body *out);
enum rc org_body_save(struct db *db, const struct actor *who, struct body *in,
                      struct field_error *err);

enum rc org_person_list(struct db *db, struct arena *a, int64_t assoc, struct person **out,
                        size_t *n);
enum rc org_person_get(struct db *db, struct arena *a, int64_t id, struct person *out);
enum rc org_person_save(struct db *db, const struct actor *who, struct person *in,
                        struct field_error *err);

/* Mandates of one body (body_id) or one person (person_id); the other 0. */
enum rc org_mandate_list(struct db *db, struct arena *a, int64_t body_id, int64_t person_id,
                         struct mandate **out, size_t *n);
enum rc org_mandate_get(struct db *db, struct arena *a, int64_t id, struct mandate *out);
enum rc org_mandate_save(struct db *db, const struct actor *who, struct mandate *in,
                         struct field_error *err);

/* 1 if the mandate is in force on date (YYYY-MM-DD). */
int org_mandate_current(const struct mandate *m, const char *date);

#endif
