/*
 * csv.c — the CSV reader; see csv.h.
 */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "str.h"

/* Windows-1252 0x80–0x9F as Unicode code points (0 = undefined). */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static void put_utf8(struct buf *b, unsigned cp)
{
	char out[3];
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		buf_append(b, out, 2);
	} else {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		buf_append(b, out, 3);
	}
}

/* 1 if data[0..len) is valid UTF-8 (control characters allowed). */
static int valid_utf8(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		int n;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
			n = 1;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
		} else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
			n = 3;
		} else {
			return 0;
		}
		for (int k = 1; k <= n; k++)
			if (i + (size_t)k >= len || (p[i + k] & 0xC0) != 0x80)
				return 0;
		i += (size_t)n + 1;
	}
	return 1;
}

/* "<what> (rad <line>)." into err; line 0 leaves the line out. */
static void set_err(char *err, size_t errlen, const char *what, size_t line)
{
	if (!err || !errlen)
		return;
	if (line)
		snprintf(err, errlen, "%s (rad %zu).", what, line);
	else
		snprintf(err, errlen, "%s.", what);
}

ssize_t csv_mem_read(void *ctx, char *buf, size_t n)
{
	struct csv_mem *m = ctx;
	size_t left = m->len - m->pos;
	if (n > left)
		n = left;
	if (n)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

#define IN_CHUNK  (64u * 1024)
#define HEAD_PEEK (1u << 20) /* how far the header line is looked for */

struct csv_reader {
	struct csv_source src;
	size_t max_rows;
	uint64_t max_bytes;
	/* Input window: in[pos..len) not yet read. */
	char *in;
	size_t len, pos, cap;
	int eof;
	uint64_t total; /* bytes read from the source */
	int started;
	char delim;
	int from_cp1252;
	size_t line; /* line of the next byte */
	size_t rows; /* rows returned, header included */
	enum rc failed;
	char failed_msg[200];
	/* The current row: raw field bytes, each field NUL-terminated. */
	struct buf raw;
	struct buf conv;
	size_t off[CSV_MAX_COLS];
	unsigned char quoted[CSV_MAX_COLS];
	char *fields[CSV_MAX_COLS];
};

struct csv_reader *csv_reader_new(const struct csv_source *src, size_t max_rows, uint64_t max_bytes)
{
	struct csv_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->in = malloc(IN_CHUNK);
	if (!r->in) {
		free(r);
		return NULL;
	}
	r->cap = IN_CHUNK;
	r->src = *src;
	r->max_rows = max_rows;
	r->max_bytes = max_bytes;
	r->line = 1;
	r->delim = ';';
	/* A row is at most CSV_MAX_COLS fields of CSV_MAX_FIELD bytes; three
	 * times that once converted from Windows-1252. */
	buf_init(&r->raw, (size_t)CSV_MAX_COLS * (CSV_MAX_FIELD + 1));
	buf_init(&r->conv, (size_t)CSV_MAX_COLS * (3 * CSV_MAX_FIELD + 1));
	return r;
}

void csv_reader_free(struct csv_reader *r)
{
	if (!r)
		return;
	buf_release(&r->raw);
	buf_release(&r->conv);
	free(r->in);
	free(r);
}

char csv_delimiter(const struct csv_reader *r)
{
	return r->delim;
}

int csv_from_cp1252(const struct csv_reader *r)
{
	return r->from_cp1252;
}

/* Records an error; every later call returns it too. */
static enum rc fail(struct csv_reader *r, enum rc rc, const char *what, size_t line)
{
	r->failed = rc;
	set_err(r->failed_msg, sizeof r->failed_msg, what, line);
	return rc;
}

/* Reads more input after in[0..len), keeping what is unread.  0 on
 * success (possibly at the end: r->eof), or an error code. */
static enum rc fill(struct csv_reader *r)
{
	if (r->eof)
		return RC_OK;
	if (r->pos == r->len)
		r->pos = r->len = 0;
	if (r->len == r->cap) {
		/* Only while the header line is looked for. */
		size_t nc = r->cap * 2;
		char *ni = realloc(r->in, nc);
		if (!ni)
			return fail(r, RC_NOMEM, "Minnet räckte inte för att läsa filen", 0);
		r->in = ni;
		r->cap = nc;
	}
	ssize_t n = r->src.read(r->src.ctx, r->in + r->len, r->cap - r->len);
	if (n < 0)
		return fail(r, RC_IO, "Filen kunde inte läsas", 0);
	if (n == 0) {
		r->eof = 1;
		return RC_OK;
	}
	r->len += (size_t)n;
	r->total += (uint64_t)n;
	if (r->max_bytes && r->total > r->max_bytes) {
		char what[120];
		snprintf(what, sizeof what, "Filen är för stor (högst %llu MiB)",
		         (unsigned long long)(r->max_bytes >> 20));
		return fail(r, RC_INVALID, what, 0);
	}
	return RC_OK;
}

/* The next byte (0..255), -1 at the end, -2 after an error. */
static int next_byte(struct csv_reader *r)
{
	if (r->pos == r->len) {
		if (fill(r))
			return -2;
		if (r->pos == r->len)
			return -1;
	}
	return (unsigned char)r->in[r->pos++];
}

/* The next byte without taking it; as next_byte. */
static int peek_byte(struct csv_reader *r)
{
	int c = next_byte(r);
	if (c >= 0)
		r->pos--;
	return c;
}

/* Start of the file: byte-order marks, UTF-16, and the separator, which
 * is whichever of ; and , the header line uses more outside quotes. */
static enum rc start(struct csv_reader *r)
{
	r->started = 1;
	while (!r->eof && r->len < 4)
		if (fill(r))
			return r->failed;
	const unsigned char *p = (const unsigned char *)r->in;
	static const char utf16[] = "Filen är sparad som UTF-16. Spara kalkylarket som CSV i "
	                            "UTF-8 (i Excel: \"CSV UTF-8 (kommaavgränsad)\") och försök "
	                            "igen";
	if (r->len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
		return fail(r, RC_INVALID, utf16, 0);
	if (r->len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		r->pos = 3;
	/* Find the end of the header line, reading on if need be. */
	size_t i = r->pos;
	int inq = 0;
	size_t semi = 0, comma = 0, nul = 0;
	for (;;) {
		if (i == r->len) {
			if (r->eof || r->len >= HEAD_PEEK)
				break;
			/* fill() starts the window over when all of it was read
			 * (only a byte-order mark so far); nothing was counted. */
			int over = r->pos == r->len;
			if (fill(r))
				return r->failed;
			if (over)
				i = r->pos;
			continue;
		}
		unsigned char c = (unsigned char)r->in[i++];
		if (c == '\0')
			nul++;
		if (c == '"')
			inq = !inq;
		else if (!inq && (c == '\n' || c == '\r'))
			break;
		else if (!inq && c == ';')
			semi++;
		else if (!inq && c == ',')
			comma++;
	}
	/* UTF-16 without a mark: every other byte of Latin text is NUL. */
	if (nul && nul * 4 >= i - r->pos)
		return fail(r, RC_INVALID, utf16, 0);
	r->delim = semi >= comma ? ';' : ',';
	return RC_OK;
}

/* Ends the field being read: NUL-terminates it in raw. */
static enum rc end_field(struct csv_reader *r, size_t *n, int quoted, size_t row_line)
{
	if (*n >= CSV_MAX_COLS)
		return fail(r, RC_INVALID, "För många kolumner, högst 64", row_line);
	r->quoted[*n] = (unsigned char)quoted;
	(*n)++;
	buf_putc(&r->raw, '\0');
	if (*n < CSV_MAX_COLS)
		r->off[*n] = r->raw.len;
	return buf_failed(&r->raw) ? fail(r, RC_NOMEM, "Minnet räckte inte för att läsa filen", 0)
	                           : RC_OK;
}

/* Makes fields[] of the n fields in raw: converted from Windows-1252 when
 * the row is not UTF-8, unquoted ones trimmed. */
static enum rc finish_row(struct csv_reader *r, size_t n)
{
	const unsigned char *p = (const unsigned char *)r->raw.data;
	int utf8 = 1;
	for (size_t k = 0; k < n && utf8; k++)
		utf8 = valid_utf8(p + r->off[k], strlen((const char *)p + r->off[k]));
	char *base = r->raw.data;
	size_t off[CSV_MAX_COLS];
	memcpy(off, r->off, n * sizeof *off);
	if (!utf8) {
		r->from_cp1252 = 1;
		buf_reset(&r->conv);
		for (size_t k = 0; k < n; k++) {
			off[k] = r->conv.len;
			for (const unsigned char *q = p + r->off[k]; *q; q++) {
				unsigned c = *q;
				if (c < 0x80)
					buf_putc(&r->conv, (char)c);
				else if (c < 0xA0)
					put_utf8(&r->conv, cp1252_high[c - 0x80]
					                       ? cp1252_high[c - 0x80]
					                       : 0xFFFD);
				else
					put_utf8(&r->conv, c);
			}
			buf_putc(&r->conv, '\0');
		}
		if (buf_failed(&r->conv))
			return fail(r, RC_NOMEM, "Minnet räckte inte för att läsa filen", 0);
		base = r->conv.data;
	}
	for (size_t k = 0; k < n; k++) {
		r->fields[k] = base + off[k];
		if (!r->quoted[k])
			str_trim(r->fields[k]);
	}
	return RC_OK;
}

enum rc csv_next(struct csv_reader *r, struct csv_row *row, char *err, size_t errlen)
{
	memset(row, 0, sizeof *row);
	if (!r->failed && !r->started)
		start(r);
	for (;;) {
		if (r->failed)
			break;
		/* One record: fields up to a line end outside quotes. */
		buf_reset(&r->raw);
		r->off[0] = 0;
		size_t n = 0, flen = 0, row_line = r->line;
		int quoted = 0, was_quoted = 0, any = 0;
		enum rc rc = RC_OK;
		for (;;) {
			int c = next_byte(r);
			if (c == -2) {
				rc = r->failed;
				break;
			}
			if (c == -1) {
				if (quoted) {
					rc = fail(r, RC_INVALID, "Ett citattecken avslutas aldrig",
					          row_line);
					break;
				}
				if (!any) {
					rc = RC_NOT_FOUND; /* the end */
					break;
				}
				rc = end_field(r, &n, was_quoted, row_line);
				break;
			}
			any = 1;
			if (c == '\0') {
				rc = fail(
				    r, RC_INVALID,
				    "Filen innehåller ett nolltecken; spara kalkylarket som CSV "
				    "i UTF-8",
				    r->line);
				break;
			}
			if (quoted) {
				if (c == '"') {
					int d = peek_byte(r);
					if (d == '"') {
						r->pos++;
					} else {
						quoted = 0;
						continue;
					}
				} else if (c == '\n') {
					r->line++;
				}
			} else if (c == '"' && flen == 0 && !was_quoted) {
				quoted = was_quoted = 1;
				continue;
			} else if (c == r->delim) {
				if ((rc = end_field(r, &n, was_quoted, row_line)))
					break;
				flen = 0;
				was_quoted = 0;
				continue;
			} else if (c == '\n' || c == '\r') {
				if (c == '\r' && peek_byte(r) == '\n')
					r->pos++;
				r->line++;
				rc = end_field(r, &n, was_quoted, row_line);
				break;
			}
			/* Plain text, quoted text, or text after a closing quote
			 * (kept, as spreadsheets do). */
			if (++flen > CSV_MAX_FIELD) {
				rc = fail(r, RC_INVALID, "Ett fält är för långt, högst 4096 tecken",
				          row_line);
				break;
			}
			buf_putc(&r->raw, (char)c);
		}
		if (rc == RC_NOT_FOUND) {
			if (r->rows == 0)
				fail(r, RC_INVALID, "Filen är tom", 0);
			else
				return RC_NOT_FOUND;
			break;
		}
		if (rc)
			break;
		/* Skip blank rows. */
		int blank = 1;
		for (size_t k = 0, at = 0; k < n && blank; k++) {
			const char *f = r->raw.data + at;
			blank = r->quoted[k] ? f[0] == '\0' : str_blank(f);
			at += strlen(f) + 1;
		}
		if (blank)
			continue;
		if (r->max_rows && r->rows > r->max_rows) {
			char what[120];
			snprintf(what, sizeof what,
			         "Filen har för många rader, högst %zu under rubrikraden",
			         r->max_rows);
			fail(r, RC_INVALID, what, row_line);
			break;
		}
		if (finish_row(r, n))
			break;
		r->rows++;
		row->fields = r->fields;
		row->n = n;
		row->line = row_line;
		return RC_OK;
	}
	if (err && errlen)
		str_copy(err, errlen, r->failed_msg);
	return r->failed;
}

enum rc csv_parse(struct arena *a, const char *data, size_t len, struct csv *out, char *err,
                  size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct csv_mem m = {data, len, 0};
	struct csv_source src = {csv_mem_read, &m};
	struct csv_reader *r = csv_reader_new(&src, CSV_MAX_ROWS, CSV_MAX_BYTES);
	if (!r) {
		set_err(err, errlen, "Minnet räckte inte för att läsa filen", 0);
		return RC_NOMEM;
	}
	size_t cap = 0;
	struct csv_row row;
	enum rc rc;
	while ((rc = csv_next(r, &row, err, errlen)) == RC_OK) {
		struct csv_row *rows = arena_grow(a, out->rows, &cap, out->nrows, sizeof *rows);
		char **fields = rows ? arena_alloc(a, row.n * sizeof *fields) : NULL;
		for (size_t k = 0; fields && k < row.n; k++)
			if (!(fields[k] = arena_strdup(a, row.fields[k])))
				fields = NULL;
		if (!fields) {
			set_err(err, errlen, "Minnet räckte inte för att läsa filen", 0);
			rc = RC_NOMEM;
			break;
		}
		out->rows = rows;
		out->rows[out->nrows++] = (struct csv_row){fields, row.n, row.line};
	}
	out->delimiter = r->delim;
	out->from_cp1252 = r->from_cp1252;
	csv_reader_free(r);
	return rc == RC_NOT_FOUND ? RC_OK : rc;
}
