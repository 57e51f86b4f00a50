/*
 * codes.h — the code lists kept as data (code_item): support sources,
 * employment, education, time in public support, target groups, precise
 * orientations, reasons for ending, referral sources.  Loaded by
 * migrations; an administrator may relabel or retire an item.
 */
#ifndef FINSAM_CODES_H
#define FINSAM_CODES_H

#include <stddef.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;

struct code_item {
	const char *list;
	const char *code;
	const char *label;
	const char *grp;
	int active;
};

/* *valid = 1 if code is an active item of list; an error only when the
 * lookup failed. */
enum rc codes_check(struct db *db, const char *list, const char *code, int *valid);
/* 1 if code is an active item of list; 0 also when the lookup failed (use
 * codes_check where that matters). */
int codes_valid(struct db *db, const char *list, const char *code);
/* Items of a list in display order (retired ones only if all is set). */
enum rc codes_list(struct db *db, struct arena *a, const char *list, int all,
                   struct code_item **out, size_t *n);
/* Relabels an item, retires it (active 0) or brings it back (active 1);
 * any other active is refused.  Audited. */
enum rc codes_update(struct db *db, const struct actor *who, const char *list, const char *code,
                     const char *label, int active, struct field_error *err);

#endif
