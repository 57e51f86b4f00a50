/*
 * labels.h — Swedish words for the codes the core writes: participation
 * states, history fields, audit actions and object types, the reasons for
 * looking at an identity, and who did something.  One table each, so no
 * internal code reaches a reader; tests/unit/test_labels.c walks the core's
 * source for every code it can write and checks that each has a label here.
 */
#ifndef FINSAM_LABELS_H
#define FINSAM_LABELS_H

#include <stddef.h>

#include "../core/audit.h"
#include "../core/auth.h"
#include "../core/participation.h"
#include "../core/org.h"
#include "../db/db.h"
#include "../util/arena.h"

/* Each returns the Swedish label, or NULL for a code it does not know. */
const char *label_state(const char *code);
const char *label_history_field(const char *code);
const char *label_audit_action(const char *code);
const char *label_audit_object(const char *object_type);
const char *label_identity_reason(const char *code);

/* Kön, and the names of the lists asked at start and end (Försörjning …). */
extern const struct org_code label_sexes[];
extern const struct org_code label_answer_lists[];

/* The label of a code in a code list (retired items too), from the
 * database; "–" for no code, "okänd kod" for one not in the list.  Arena
 * memory. */
const char *label_code(struct db *db, struct arena *a, const char *list, const char *code);

/* A history value in words: dates as dates, states and codes as labels;
 * "–" for none.  Used by the pages and the command line. */
const char *label_history_value(struct db *db, struct arena *a, const char *field, const char *v);

/* The same, never NULL: an unknown code reads as fallback. */
const char *label_or(const char *label, const char *fallback);

struct req;
struct buf;

/* The accounts, for naming who did something; loaded once per page. */
struct user_names {
	struct user *u;
	size_t n;
};
/* Loads every account into arena memory (the table is small). */
void user_names_load(struct req *r, struct user_names *un);
/* The name a reader knows for an actor string as the core records it:
 * a username → display name, "cli" → "Kommandoraden", "api:x" → "API-nyckel
 * x", "system" → "Systemet", "okänd"/"anonym" → "Okänd (ej inloggad)". */
const char *label_actor(struct req *r, const struct user_names *un, const char *actor);
/* The same without a request: names from users[0..n), formatting in a. */
const char *label_actor_in(struct arena *a, const struct user *users, size_t n, const char *actor);

/* One history row's cells (time, who, what, before, after). */
void web_history_row(struct req *r, const struct user_names *un, const struct history_entry *h);
/* One audit row's cells after the number: time, who, event, object, from
 * where, detail. */
void web_audit_cells(struct req *r, const struct user_names *un, const struct audit_entry *e);

#endif
