/*
 * import.h — importing participations from the spreadsheets förbund keep
 * today (CSV, see util/csv.h).
 *
 * The header row is mapped by name (import_columns lists the accepted
 * names; case, spaces and å/ä/ö do not matter).  Each row is a referral,
 * and a start and an end when those dates are filled in.  Values of code
 * lists may be written as code or label.  Every row goes through the same
 * validating and writing parts of the participation module as the pages
 * (participation_internal.h), inside one transaction: either every row
 * is written, or none is and every problem found is listed with its line
 * and column (the first IMPORT_MAX_ERRORS of them, and how many in all).
 * Each row is checked by the participation module's own rule for the
 * actor (who may register in which insats): a row for an insats the actor
 * may not register in is an error on that row's insats column.  A file
 * that goes in writes ONE audit entry (its name without folders, its
 * SHA-256, the counts and the participation numbers created) and the
 * tally once; each participation gets the history rows it would get by
 * hand.
 *
 * The file is read as a stream (util/csv.h): code lists, insatser and
 * areas are loaded once per import, so memory stays flat however many
 * rows the file has.
 */
#ifndef FINSAM_IMPORT_H
/* An import of at least this many rows gathers the planner's statistics
 * afterwards (db_analyze). */
#define IMPORT_ANALYZE_ROWS 1000
#define FINSAM_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/rc.h"
#include "actor.h"

struct db;
struct arena;
struct vault;

/* Errors kept for the report; every error is counted in errors_total. */
#define IMPORT_MAX_ERRORS 200

struct import_error {
	size_t line;        /* line in the file, 1 = header; 0 = the whole file */
	const char *column; /* the column as the file names it, or NULL */
	char message[300];  /* never empty */
};

struct import_result {
	size_t rows, starts, ends;
	struct import_error *errors; /* the first IMPORT_MAX_ERRORS, in arena memory */
	size_t nerrors;
	size_t errors_total; /* all errors found, nerrors of them kept */
	char from_cp1252;
	char delimiter;
	char sha256[65]; /* of the file, hex; set when the import committed */
};

/* Where the file comes from.  read() as in struct csv_source; rewind()
 * goes back to the first byte (0 on success).  The whole file is one
 * transaction, which runs again from the first byte when the store was
 * busy: rewind is called only then.  An input that cannot go back (a pipe:
 * rewind NULL or failing) is imported when the first run gets through;
 * if the store was busy, the import ends with RC_IO and an error saying
 * so, and nothing is written.  max_rows caps the rows under the header and
 * max_bytes the size (0: no cap). */
struct import_input {
	ssize_t (*read)(void *ctx, char *buf, size_t n);
	int (*rewind)(void *ctx);
	void *ctx;
	size_t max_rows;
	uint64_t max_bytes;
	/* The file's name as the person gave it, for the audit entry (its
	 * last part only; NULL when it has none). */
	const char *name;
};

struct import_column {
	const char *field;
	const char *names; /* accepted header names, separated by '|' */
	const char *description;
};
extern const struct import_column import_columns[];

/* Imports the file in, streaming: row by row, with memory that does not
 * grow with the file, in one transaction.  RC_OK with counts; RC_INVALID
 * with errors (their memory and the column names in arena a) and nothing
 * written; RC_NOMEM when memory ran out, RC_IO when reading failed and
 * RC_DB when the store failed (nothing written; an error says so, except
 * when not even the report fitted in a: then nerrors is 0). */
enum rc import_participations_from(struct db *db, const struct vault *v, const struct actor *who,
                                   int64_t assoc, const struct import_input *in, struct arena *a,
                                   struct import_result *out);
/* The same for data[0..len) in memory, a file called name (NULL: none
 * given), under the upload caps (CSV_MAX_ROWS rows under the header,
 * CSV_MAX_BYTES). */
enum rc import_participations(struct db *db, const struct vault *v, const struct actor *who,
                              int64_t assoc, const char *name, const char *data, size_t len,
                              struct arena *a, struct import_result *out);

#endif
