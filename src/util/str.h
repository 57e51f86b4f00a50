/*
 * str.h — small, bounded string helpers (instead of strcpy/strcat/strtok).
 */
#ifndef FINSAM_STR_H
#define FINSAM_STR_H

#include <stddef.h>
#include <stdint.h>

/* Copies src into dst[size], always terminating; returns 1 if it fit. */
int str_copy(char *dst, size_t size, const char *src);
/* 1 if s is NULL or only white space. */
int str_blank(const char *s);
/* Trims ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);
/* Parses a whole decimal int64 (optional sign, digits only, nothing around
 * it); 1 on success, 0 on anything else, overflow included.  The same
 * digit reader as str_parse_number. */
int str_to_i64(const char *s, int64_t *out);

/*
 * Numbers people type: the one parser for hours, kronor, counts and years.
 *
 * s may have spaces around it, an optional sign, digits that may be grouped
 * by thousands with a space or no-break space ("12 500"), then optionally a
 * comma or a point and at most `decimals` decimals (extra zeros are fine:
 * "12,50" with one decimal is 12,5).  The value is returned scaled by
 * 10^decimals ("12,5" with decimals 1 is 125), checked for overflow and
 * for min <= value <= max (in the scaled unit).  decimals is 0..6.
 */
enum str_num {
	STR_NUM_OK,
	STR_NUM_EMPTY,    /* nothing but spaces */
	STR_NUM_SYNTAX,   /* not a number */
	STR_NUM_DECIMALS, /* more decimals than allowed */
	STR_NUM_NEGATIVE, /* a minus sign where min >= 0 */
	STR_NUM_RANGE     /* outside min..max, overflow included */
};
enum str_num str_parse_fixed(const char *s, int decimals, int64_t min, int64_t max, int64_t *out);
/* The Swedish sentence for why, about a number with these decimals and
 * bounds ("Ange ett tal mellan 0 och 744."), into msg[size]. */
void str_number_message(enum str_num why, int decimals, int64_t min, int64_t max, char *msg,
                        size_t size);
/* str_parse_fixed, with the sentence in msg[size] when it fails; 1 if ok. */
int str_parse_number(const char *s, int decimals, int64_t min, int64_t max, int64_t *out, char *msg,
                     size_t size);
/* v (scaled by 10^decimals) written the Swedish way into out[size]:
 * decimal comma, and a space between thousands from 10 000 up
 * ("12 500,5", "2025", "-0,5"). */
void str_format_fixed(int64_t v, int decimals, char *out, size_t size);
/* Constant-time comparison of two equal-length byte strings: 1 if equal. */
int str_ct_equal(const char *a, const char *b);
/* 1 if s is valid UTF-8 without control characters other than \t \n \r. */
int str_valid_utf8_text(const char *s);
/* Number of Unicode code points in valid UTF-8 s. */
size_t str_utf8_len(const char *s);
/* 1 if s is a valid calendar date written YYYY-MM-DD. */
int str_valid_date(const char *s);
/* Why s is not a valid date, as a Swedish sentence into msg[size]: written
 * wrongly ("31/1"), or a day that does not exist ("2026-02-30", which
 * suggests the month's last day).  Returns 0 (msg untouched) when valid. */
int str_date_problem(const char *s, char *msg, size_t size);
/* As str_date_problem, with the field's label in front ("Startdatum:
 * Datumet finns inte – …"), so a form with several dates says which one. */
int str_date_problem_named(const char *label, const char *s, char *msg, size_t size);
/*
 * Text as a person may type it.  A one-line value (a name, a unit, a label:
 * anything not a textarea) holds no control characters at all; any text
 * holds no invisible format characters: bidi embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069), marks and zero-width characters
 * (U+200B–U+200F, U+2060–U+2064, U+061C, U+FEFF, U+00AD, ...), which make
 * a name read differently than it is stored.  A textarea may hold tab and
 * line breaks.  Returns NULL when s is acceptable, else a Swedish sentence
 * (static) for the person who typed it.
 */
const char *str_line_problem(const char *s);
const char *str_text_problem(const char *s);
/* Now as ISO 8601 UTC with seconds, "2026-11-22T13:30:00Z", into out[21]. */
void str_now_iso(char out[21]);

#endif
