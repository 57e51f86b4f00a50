/*
 * csv.h — reading the spreadsheets förbund keep today, saved as CSV.
 *
 * Accepts what Excel and LibreOffice write in Sweden: semicolon or comma
 * separators (whichever the header line uses more of), UTF-8 with or without
 * a byte-order mark, or Windows-1252 (detected when the bytes are not valid
 * UTF-8, and converted), quoted fields with "" for a quote and line breaks
 * inside quotes, CRLF or LF line ends.  Blank lines are skipped.  Every
 * field is trimmed of surrounding spaces.
 *
 * Caps keep hostile input bounded: CSV_MAX_BYTES in, CSV_MAX_ROWS rows,
 * CSV_MAX_COLS columns, CSV_MAX_FIELD bytes in a field.  Memory comes from
 * the caller's arena.
 */
#ifndef FINSAM_CSV_H
#define FINSAM_CSV_H

#include <stddef.h>

#include "rc.h"

struct arena;

#define CSV_MAX_BYTES (16u << 20)
#define CSV_MAX_ROWS  100000
#define CSV_MAX_COLS  64
#define CSV_MAX_FIELD 4096

struct csv_row {
	char **fields;
	size_t n;
	size_t line; /* line number in the file where the row starts (1-based) */
};

struct csv {
	struct csv_row *rows; /* rows[0] is the header */
	size_t nrows;
	char delimiter;
	int from_cp1252; /* the input was Windows-1252 and has been converted */
};

/* Parses len bytes.  On failure RC_INVALID (or RC_NOMEM past a cap) with a
 * Swedish sentence in err naming the line. */
enum rc csv_parse(struct arena *a, const char *data, size_t len, struct csv *out, char *err,
                  size_t errlen);

#endif
