/*
 * str.c — bounded string helpers; see str.h.
 */
#include "str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int str_copy(char *dst, size_t size, const char *src)
{
	if (size == 0)
		return 0;
	size_t n = src ? strlen(src) : 0;
	int fits = n < size;
	if (!fits)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return fits;
}

int str_blank(const char *s)
{
	if (!s)
		return 1;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

char *str_trim(char *s)
{
	if (!s)
		return s;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t i = 0;
	while (s[i] && isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

/* Length of a thousands separator at p (space, U+00A0, U+202F), or 0. */
static size_t group_sep(const unsigned char *p)
{
	if (p[0] == ' ')
		return 1;
	if (p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
		return 3;
	return 0;
}

/*
 * The digit reader under str_to_i64 and str_parse_fixed.  Reads
 * [sign] digits [(',' | '.') digits] from p up to end, with thousands
 * separators when `grouped`, into a magnitude scaled by 10^decimals.  The
 * magnitude saturates at UINT64_MAX (reported as STR_NUM_RANGE by the
 * caller's bounds), so no input overflows.
 */
static enum str_num read_fixed(const unsigned char *p, const unsigned char *end, int decimals,
                               int grouped, int *negative, uint64_t *mag)
{
	const uint64_t cap = UINT64_MAX;
	uint64_t m = 0;
	int sat = 0;
	*negative = 0;
	if (p < end && (*p == '-' || *p == '+')) {
		*negative = *p == '-';
		p++;
	}
	/* Whole part, with optional groups of exactly three digits. */
	size_t digits = 0, group = 0, groups = 0;
	while (p < end) {
		if (*p >= '0' && *p <= '9') {
			unsigned d = (unsigned)(*p - '0');
			if (m > (cap - d) / 10)
				sat = 1;
			else
				m = m * 10 + d;
			digits++;
			group++;
			p++;
			continue;
		}
		size_t sep = grouped ? group_sep(p) : 0;
		if (!sep || p + sep > end)
			break;
		/* The first group has 1..3 digits, every later one 3. */
		if (group == 0 || group > 3 || (groups && group != 3))
			return STR_NUM_SYNTAX;
		groups++;
		group = 0;
		p += sep;
	}
	if (!digits || (groups && group != 3))
		return STR_NUM_SYNTAX;
	/* Decimals: as many as allowed, then only zeros. */
	int taken = 0;
	if (p < end && (*p == ',' || *p == '.')) {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return STR_NUM_SYNTAX;
		int extra = 0;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			unsigned d = (unsigned)(*p - '0');
			if (taken < decimals) {
				if (m > (cap - d) / 10)
					sat = 1;
				else
					m = m * 10 + d;
				taken++;
			} else if (d) {
				extra = 1;
			}
		}
		if (p < end)
			return STR_NUM_SYNTAX;
		if (extra)
			return STR_NUM_DECIMALS;
	}
	if (p < end)
		return STR_NUM_SYNTAX;
	for (; taken < decimals; taken++) {
		if (m > cap / 10)
			sat = 1;
		else
			m *= 10;
	}
	*mag = sat ? cap : m;
	return STR_NUM_OK;
}

/* Signed value of a magnitude, or 0 if it does not fit an int64. */
static int to_signed(int negative, uint64_t mag, int64_t *out)
{
	if (negative) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return 0;
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return 0;
		*out = (int64_t)mag;
	}
	return 1;
}

int str_to_i64(const char *s, int64_t *out)
{
	if (!s)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	int neg;
	uint64_t mag;
	if (read_fixed(p, p + strlen(s), 0, 0, &neg, &mag) != STR_NUM_OK)
		return 0;
	return to_signed(neg, mag, out);
}

enum str_num str_parse_fixed(const char *s, int decimals, int64_t min, int64_t max, int64_t *out)
{
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *end = p + strlen((const char *)p);
	while (p < end && isspace(*p))
		p++;
	while (end > p && isspace(end[-1]))
		end--;
	if (p == end)
		return STR_NUM_EMPTY;
	int neg;
	uint64_t mag;
	enum str_num why = read_fixed(p, end, decimals, 1, &neg, &mag);
	if (why != STR_NUM_OK)
		return why;
	if (neg && min >= 0)
		return STR_NUM_NEGATIVE;
	int64_t v;
	if (!to_signed(neg, mag, &v) || v < min || v > max)
		return STR_NUM_RANGE;
	*out = v;
	return STR_NUM_OK;
}

void str_format_fixed(int64_t v, int decimals, char *out, size_t size)
{
	if (!size)
		return;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t scale = 1;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	uint64_t whole = mag / scale, frac = mag % scale;
	/* Built backwards: decimals, comma, grouped whole part, sign. */
	char tmp[48];
	size_t n = 0;
	for (int i = 0; i < decimals; i++) {
		tmp[n++] = (char)('0' + frac % 10);
		frac /= 10;
	}
	if (decimals)
		tmp[n++] = ',';
	int group = whole >= 10000;
	int k = 0;
	do {
		if (group && k && k % 3 == 0)
			tmp[n++] = ' ';
		tmp[n++] = (char)('0' + whole % 10);
		whole /= 10;
		k++;
	} while (whole);
	if (v < 0)
		tmp[n++] = '-';
	size_t j = 0;
	while (n && j + 1 < size)
		out[j++] = tmp[--n];
	out[j] = '\0';
}

void str_number_message(enum str_num why, int decimals, int64_t min, int64_t max, char *msg,
                        size_t size)
{
	static const char *const how_many[] = {"",
	                                       "en decimal",
	                                       "två decimaler",
	                                       "tre decimaler",
	                                       "fyra decimaler",
	                                       "fem decimaler",
	                                       "sex decimaler"};
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	char lo[48], hi[48];
	str_format_fixed(min, decimals, lo, sizeof lo);
	str_format_fixed(max, decimals, hi, sizeof hi);
	/* Bounds are shown without needless decimals: 744, not 744,0. */
	for (char *b = lo; b; b = b == lo ? hi : NULL) {
		char *c = strchr(b, ',');
		if (c && strspn(c + 1, "0") == strlen(c + 1))
			*c = '\0';
	}
	switch (why) {
	case STR_NUM_OK: str_copy(msg, size, ""); break;
	case STR_NUM_EMPTY:
		str_copy(msg, size, decimals ? "Ange ett tal." : "Ange ett heltal.");
		break;
	case STR_NUM_SYNTAX:
		if (decimals)
			snprintf(msg, size,
			         "Skriv talet med siffror och högst %s efter kommat, till exempel "
			         "12,5.",
			         how_many[decimals]);
		else
			str_copy(msg, size, "Skriv ett heltal med siffror, till exempel 12.");
		break;
	case STR_NUM_DECIMALS:
		if (decimals)
			snprintf(msg, size, "Skriv högst %s.", how_many[decimals]);
		else
			str_copy(msg, size, "Skriv ett heltal, utan decimaler.");
		break;
	case STR_NUM_NEGATIVE: str_copy(msg, size, "Talet kan inte vara negativt."); break;
	case STR_NUM_RANGE: snprintf(msg, size, "Ange ett tal mellan %s och %s.", lo, hi); break;
	}
}

int str_parse_number(const char *s, int decimals, int64_t min, int64_t max, int64_t *out, char *msg,
                     size_t size)
{
	enum str_num why = str_parse_fixed(s, decimals, min, max, out);
	if (why == STR_NUM_OK)
		return 1;
	str_number_message(why, decimals, min, max, msg, size);
	return 0;
}

int str_ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);
	size_t n = la < lb ? la : lb;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* Decodes one code point of valid, shortest-form UTF-8 at *p and moves *p
 * past it; 0 at invalid bytes. */
static int utf8_next(const unsigned char **pp, unsigned int *out)
{
	const unsigned char *p = *pp;
	unsigned char c = *p;
	if (c < 0x80) {
		*out = c;
		*pp = p + 1;
		return 1;
	}
	int n;
	unsigned int cp;
	if ((c & 0xE0) == 0xC0) {
		n = 1;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*out = cp;
	*pp = p + n + 1;
	return 1;
}

/* Invisible format characters (Unicode category Cf that matter in text
 * people type, and the interlinear and tag blocks). */
static int invisible_format(unsigned int cp)
{
	return cp == 0xAD || cp == 0x61C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

static const char *text_problem(const char *s, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		unsigned int cp;
		if (!utf8_next(&p, &cp))
			return "Texten innehåller otillåtna tecken.";
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			if (multiline && (cp == '\t' || cp == '\n' || cp == '\r'))
				continue;
			return multiline
			           ? "Texten innehåller otillåtna styrtecken."
			           : "Skriv texten på en rad, utan radbrytningar, tabbar eller "
			             "andra styrtecken.";
		}
		/* U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR break the
		 * line like a newline (U+0085 NEL is a C1 control, above). */
		if (!multiline && (cp == 0x2028 || cp == 0x2029))
			return "Skriv texten på en rad, utan radbrytningar, tabbar eller "
			       "andra styrtecken.";
		if (invisible_format(cp))
			return "Texten innehåller osynliga tecken som styr textriktning eller "
			       "radbrytning (till exempel U+202E). Skriv in texten igen utan dem.";
	}
	return NULL;
}

const char *str_line_problem(const char *s)
{
	return text_problem(s, 0);
}

const char *str_text_problem(const char *s)
{
	return text_problem(s, 1);
}

int str_valid_utf8_text(const char *s)
{
	/* Shortest-form UTF-8 through the one decoder; no control characters
	 * but tab and line breaks. */
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	while (*p) {
		if (!utf8_next(&p, &cp))
			return 0;
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f)
			return 0;
	}
	return 1;
}

size_t str_utf8_len(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

int str_valid_date(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int max = days[m - 1] + (m == 2 && leap);
	return d <= max;
}

int str_date_problem(const char *s, char *msg, size_t size)
{
	if (str_valid_date(s))
		return 0;
	int shape = s && strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	for (int i = 0; shape && i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			shape = 0;
	if (!shape) {
		str_copy(msg, size, "Skriv datumet som år-månad-dag, till exempel 2026-01-31.");
		return 1;
	}
	int y = atoi(s), m = atoi(s + 5);
	if (y < 1900 || y > 2200) {
		str_copy(msg, size, "Året ska ligga mellan 1900 och 2200.");
		return 1;
	}
	if (m < 1 || m > 12) {
		str_copy(msg, size,
		         "Datumet finns inte – månaden ska vara 01–12, till exempel 2026-01-31.");
		return 1;
	}
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int last = days[m - 1] + (m == 2 && leap);
	char ex[40];
	snprintf(ex, sizeof ex, "%04d-%02d-%02d", y, m, last);
	snprintf(msg, size, "Datumet finns inte – ange ett giltigt datum som %s.", ex);
	return 1;
}

int str_date_problem_named(const char *label, const char *s, char *msg, size_t size)
{
	char why[200];
	if (!str_date_problem(s, why, sizeof why))
		return 0;
	snprintf(msg, size, "%s: %s", label, why);
	return 1;
}

void str_now_iso(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
