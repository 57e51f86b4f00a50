/*
 * csv.c — the CSV reader; see csv.h.
 */
#include "csv.h"

#include <stdio.h>
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

enum rc csv_parse(struct arena *a, const char *data, size_t len, struct csv *out, char *err,
                  size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (len > CSV_MAX_BYTES) {
		set_err(err, errlen, "Filen är för stor (högst 16 MiB)", 0);
		return RC_NOMEM;
	}
	const unsigned char *p = (const unsigned char *)data;
	if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		p += 3;
		len -= 3;
	}
	/* Convert Windows-1252 to UTF-8 when the bytes are not UTF-8. */
	struct buf conv;
	buf_init(&conv, (size_t)CSV_MAX_BYTES * 3);
	if (!valid_utf8(p, len)) {
		out->from_cp1252 = 1;
		for (size_t i = 0; i < len; i++) {
			unsigned c = p[i];
			if (c < 0x80)
				buf_putc(&conv, (char)c);
			else if (c < 0xA0)
				put_utf8(&conv,
				         cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD);
			else
				put_utf8(&conv, c);
		}
		if (buf_failed(&conv)) {
			buf_release(&conv);
			return RC_NOMEM;
		}
		p = (const unsigned char *)conv.data;
		len = conv.len;
	}

	/* The delimiter: whichever of ; and , the header line uses more. */
	size_t semi = 0, comma = 0;
	int inq = 0;
	for (size_t i = 0; i < len && (inq || (p[i] != '\n' && p[i] != '\r')); i++) {
		if (p[i] == '"')
			inq = !inq;
		else if (!inq && p[i] == ';')
			semi++;
		else if (!inq && p[i] == ',')
			comma++;
	}
	char delim = semi >= comma ? ';' : ',';
	out->delimiter = delim;

	enum rc rc = RC_OK;
	size_t cap_rows = 0;
	struct buf field;
	buf_init(&field, CSV_MAX_FIELD);
	char **fields = NULL;
	size_t nfields = 0, cap_fields = 0;
	size_t line = 1, row_line = 1;
	size_t i = 0;
	int quoted = 0, was_quoted = 0;
	for (;;) {
		int at_end = i >= len;
		char c = at_end ? '\n' : (char)p[i];
		if (quoted && !at_end) {
			if (c == '"') {
				if (i + 1 < len && p[i + 1] == '"') {
					buf_putc(&field, '"');
					i += 2;
					continue;
				}
				quoted = 0;
				i++;
				continue;
			}
			if (c == '\n')
				line++;
			buf_putc(&field, c);
			i++;
			if (buf_failed(&field)) {
				set_err(err, errlen, "Ett fält är för långt", row_line);
				rc = RC_INVALID;
				break;
			}
			continue;
		}
		if (quoted && at_end) {
			set_err(err, errlen, "Ett citattecken avslutas aldrig", row_line);
			rc = RC_INVALID;
			break;
		}
		if (c == '"' && field.len == 0 && !was_quoted) {
			quoted = was_quoted = 1;
			i++;
			continue;
		}
		if (c == delim || c == '\n' || c == '\r') {
			/* End of a field. */
			if (nfields == cap_fields) {
				size_t nc = cap_fields ? cap_fields * 2 : 8;
				if (nc > CSV_MAX_COLS)
					nc = CSV_MAX_COLS;
				if (nfields >= nc) {
					set_err(err, errlen, "För många kolumner, högst 64",
					        row_line);
					rc = RC_INVALID;
					break;
				}
				char **nf = arena_alloc(a, nc * sizeof *nf);
				if (!nf) {
					rc = RC_NOMEM;
					break;
				}
				if (nfields)
					memcpy(nf, fields, nfields * sizeof *nf);
				fields = nf;
				cap_fields = nc;
			}
			char *v = arena_strndup(a, field.data ? field.data : "", field.len);
			if (!v) {
				rc = RC_NOMEM;
				break;
			}
			if (!was_quoted)
				str_trim(v);
			fields[nfields++] = v;
			buf_reset(&field);
			was_quoted = 0;
			if (c == delim) {
				i++;
				continue;
			}
			/* End of a row: keep it unless it is blank. */
			int blank = 1;
			for (size_t k = 0; k < nfields && blank; k++)
				blank = fields[k][0] == '\0';
			if (!blank) {
				if (out->nrows >= CSV_MAX_ROWS) {
					set_err(err, errlen,
					        "Filen har för många rader, högst 100 000",
					        row_line);
					rc = RC_INVALID;
					break;
				}
				if (out->nrows == cap_rows) {
					size_t nc = cap_rows ? cap_rows * 2 : 64;
					struct csv_row *nr = arena_alloc(a, nc * sizeof *nr);
					if (!nr) {
						rc = RC_NOMEM;
						break;
					}
					if (out->nrows)
						memcpy(nr, out->rows, out->nrows * sizeof *nr);
					out->rows = nr;
					cap_rows = nc;
				}
				out->rows[out->nrows].fields = fields;
				out->rows[out->nrows].n = nfields;
				out->rows[out->nrows].line = row_line;
				out->nrows++;
			}
			fields = NULL;
			nfields = cap_fields = 0;
			if (at_end)
				break;
			if (c == '\r' && i + 1 < len && p[i + 1] == '\n')
				i++;
			i++;
			line++;
			row_line = line;
			continue;
		}
		/* Plain text, or text after a closing quote (kept, as
		 * spreadsheets do). */
		buf_putc(&field, c);
		if (buf_failed(&field)) {
			set_err(err, errlen, "Ett fält är för långt", row_line);
			rc = RC_INVALID;
			break;
		}
		i++;
	}
	buf_release(&field);
	buf_release(&conv);
	if (!rc && out->nrows == 0) {
		set_err(err, errlen, "Filen är tom", 0);
		rc = RC_INVALID;
	}
	return rc;
}
