/*
 * csv.h — reading the spreadsheets förbund keep today, saved as CSV.
 *
 * Accepts what Excel and LibreOffice write in Sweden: semicolon or comma
 * separators (whichever the header line uses more of), UTF-8 with or without
 * a byte-order mark, or Windows-1252 (decided row by row: a row whose bytes
 * are not valid UTF-8 is converted), quoted fields with "" for a quote and
 * line breaks inside quotes, CRLF or LF line ends.  Blank lines are skipped.
 * Every unquoted field is trimmed of surrounding spaces.  A file saved as
 * UTF-16 (a UTF-16 byte-order mark, or text full of NUL bytes) is refused
 * with the advice to save it as UTF-8; a NUL byte anywhere else is refused.
 *
 * The reader streams: csv_next() returns one row at a time, and its memory
 * is one row's worth however long the file is.  Caps keep hostile input
 * bounded: CSV_MAX_COLS columns and CSV_MAX_FIELD bytes in a field always;
 * a number of rows (the header row not counted) and of bytes when the
 * caller asks for them.
 */
#ifndef FINSAM_CSV_H
#define FINSAM_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rc.h"

struct arena;

/* The caps of an upload (the web page; csv_parse). */
#define CSV_MAX_BYTES (16u << 20)
#define CSV_MAX_ROWS  100000 /* rows under the header */
#define CSV_MAX_COLS  64
#define CSV_MAX_FIELD 4096

struct csv_row {
	char **fields;
	size_t n;
	size_t line; /* line number in the file where the row starts (1-based) */
};

/* Where the bytes come from: read() fills up to n bytes of buf and returns
 * how many, 0 at the end, -1 when reading failed. */
struct csv_source {
	ssize_t (*read)(void *ctx, char *buf, size_t n);
	void *ctx;
};

/* A source over memory: ctx is a struct csv_mem. */
struct csv_mem {
	const char *data;
	size_t len, pos;
};
ssize_t csv_mem_read(void *ctx, char *buf, size_t n);

struct csv_reader;

/* A reader of src.  max_rows caps the rows under the header and max_bytes
 * the file's size (0: no cap).  NULL when out of memory.  The reader owns
 * its memory; free it with csv_reader_free (NULL is fine). */
struct csv_reader *csv_reader_new(const struct csv_source *src, size_t max_rows,
                                  uint64_t max_bytes);
void csv_reader_free(struct csv_reader *r);

/* The next row that is not blank (the first is the header).  RC_OK with
 * *row, whose strings the reader owns until the next call; RC_NOT_FOUND at
 * the end of the file; otherwise RC_INVALID (the file is wrong, a cap was
 * passed), RC_IO (reading failed) or RC_NOMEM, always with a Swedish
 * sentence in err naming the line where there is one.  After an error the
 * reader returns the same error again. */
enum rc csv_next(struct csv_reader *r, struct csv_row *row, char *err, size_t errlen);

/* The separator (';' or ','; known after the first csv_next). */
char csv_delimiter(const struct csv_reader *r);
/* 1 if some row so far was Windows-1252 and has been converted. */
int csv_from_cp1252(const struct csv_reader *r);

/* The whole of data[0..len) at once, under the upload caps: rows into
 * out->rows (rows[0] the header), all in arena a. */
struct csv {
	struct csv_row *rows;
	size_t nrows;
	char delimiter;
	int from_cp1252;
};
enum rc csv_parse(struct arena *a, const char *data, size_t len, struct csv *out, char *err,
                  size_t errlen);

#endif
