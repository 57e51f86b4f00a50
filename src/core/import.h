/*
 * import.h — importing participations from the spreadsheets förbund keep
 * today (CSV, see util/csv.h).
 *
 * The header row is mapped by name (import_columns lists the accepted
 * names; case, spaces and å/ä/ö do not matter).  Each row is a referral,
 * and a start and an end when those dates are filled in.  Values of code
 * lists may be written as code or label.  Every row goes through the same
 * core functions as the pages, inside one transaction: either every row
 * is written, or none is and every problem found is listed with its line
 * and column.
 */
#ifndef FINSAM_IMPORT_H
#define FINSAM_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;
struct vault;

#define IMPORT_MAX_ERRORS 200

struct import_error {
	size_t line;        /* line in the file, 1 = header */
	const char *column; /* the column as the file names it, or NULL */
	const char *message;
};

struct import_result {
	size_t rows, starts, ends;
	struct import_error *errors;
	size_t nerrors;
	char from_cp1252;
	char delimiter;
};

struct import_column {
	const char *field;
	const char *names; /* accepted header names, separated by '|' */
	const char *description;
};
extern const struct import_column import_columns[];

/* Imports data[0..len).  RC_OK with counts, or RC_INVALID with errors (in
 * arena memory) and nothing written. */
enum rc import_participations(struct db *db, const struct vault *v, const struct actor *who,
                              int64_t assoc, const char *data, size_t len, struct arena *a,
                              struct import_result *out);

#endif
