/*
 * str.c — bounded string helpers; see str.h.
 */
#include "str.h"

#include <ctype.h>
#include <errno.h>
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

int str_to_i64(const char *s, int64_t *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return 0;
	errno = 0;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (errno || !end || *end)
		return 0;
	*out = (int64_t)v;
	return 1;
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
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned char c = *p;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			if (c == 0x7f)
				return 0;
			p++;
			continue;
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
		/* Reject overlong forms, surrogates and out-of-range points. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += n + 1;
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
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
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

void str_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void str_now_iso(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
