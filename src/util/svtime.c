/*
 * svtime.c — Stockholm local time and Swedish date wording; see svtime.h.
 */
#include "svtime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const months[] = {"jan", "feb", "mar", "apr", "maj", "jun",
                                     "jul", "aug", "sep", "okt", "nov", "dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Day number of the last Sunday of month m (31 days: March, October). */
static int64_t last_sunday(int y, int m)
{
	int64_t last = days_from_civil(y, m, 31);
	int64_t wd = (last + 4) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */
	if (wd < 0)
		wd += 7;
	return last - wd;
}

int svtime_stockholm_offset(int64_t t)
{
	int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	int64_t start = last_sunday(y, 3) * 86400 + 3600;
	int64_t end = last_sunday(y, 10) * 86400 + 3600;
	return t >= start && t < end ? 7200 : 3600;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int valid_ymd(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* "YYYY-MM-DD" at the start of s; 1 on success. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	return s && strlen(s) >= 10 && digits(s, 4, y) && s[4] == '-' && digits(s + 5, 2, m) &&
	       s[7] == '-' && digits(s + 8, 2, d) && valid_ymd(*y, *m, *d);
}

int svtime_parse_utc(const char *iso, int64_t *out)
{
	int y, mo, d, h, mi, sec = 0;
	if (!parse_date(iso, &y, &mo, &d) || iso[10] != 'T' || !digits(iso + 11, 2, &h) ||
	    iso[13] != ':' || !digits(iso + 14, 2, &mi) || h > 23 || mi > 59)
		return 0;
	const char *p = iso + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2, &sec) || sec > 60)
			return 0;
		p += 3;
	}
	if (*p == 'Z')
		p++;
	if (*p)
		return 0;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 1;
}

const char *svtime_datetime(char out[SVTIME_MAX], const char *iso)
{
	int64_t t;
	if (svtime_parse_utc(iso, &t)) {
		int64_t l = t + svtime_stockholm_offset(t);
		int64_t day = l >= 0 ? l / 86400 : (l - 86399) / 86400;
		int64_t s = l - day * 86400;
		int y, m, d;
		civil_from_days(day, &y, &m, &d);
		snprintf(out, SVTIME_MAX, "%d %s %d %02d:%02d", d, months[m - 1], y,
		         (int)(s / 3600), (int)(s / 60 % 60));
		return out;
	}
	return svtime_date(out, iso);
}

const char *svtime_date(char out[SVTIME_MAX], const char *s)
{
	int y, m, d;
	int64_t t;
	if (s && strlen(s) > 10 && svtime_parse_utc(s, &t)) {
		int64_t l = t + svtime_stockholm_offset(t);
		civil_from_days(l >= 0 ? l / 86400 : (l - 86399) / 86400, &y, &m, &d);
	} else if (!s || strlen(s) != 10 || !parse_date(s, &y, &m, &d)) {
		snprintf(out, SVTIME_MAX, "–");
		return out;
	}
	snprintf(out, SVTIME_MAX, "%d %s %d", d, months[m - 1], y);
	return out;
}

const char *svtime_month(char out[SVTIME_MAX], const char *ym)
{
	static const char *const names[] = {"januari",   "februari", "mars",     "april",
	                                    "maj",       "juni",     "juli",     "augusti",
	                                    "september", "oktober",  "november", "december"};
	int y, m, d;
	char date[11];
	if (!ym || strlen(ym) != 7) {
		snprintf(out, SVTIME_MAX, "–");
		return out;
	}
	memcpy(date, ym, 7);
	memcpy(date + 7, "-01", 4);
	if (!parse_date(date, &y, &m, &d)) {
		snprintf(out, SVTIME_MAX, "–");
		return out;
	}
	snprintf(out, SVTIME_MAX, "%s %d", names[m - 1], y);
	return out;
}

static int64_t floor_day(int64_t t)
{
	return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

static void format_day(int64_t day, char out[11])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

const char *svtime_today(int64_t now, char out[11])
{
	format_day(floor_day(now + svtime_stockholm_offset(now)), out);
	return out;
}

const char *svtime_iso(int64_t now, char out[21])
{
	int64_t day = floor_day(now), s = now - day * 86400;
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	char tmp[64]; /* room for any int, so the compiler sees no truncation */
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(s / 3600),
	         (int)(s / 60 % 60), (int)(s % 60));
	snprintf(out, 21, "%.20s", tmp);
	return out;
}

/* A plain "YYYY-MM-DD", nothing after it. */
static int parse_plain_date(const char *s, int *y, int *m, int *d)
{
	return s && strlen(s) == 10 && parse_date(s, y, m, d);
}

int svtime_add_days(const char *date, int n, char out[11])
{
	int y, m, d;
	out[0] = '\0';
	if (!parse_plain_date(date, &y, &m, &d))
		return 0;
	format_day(days_from_civil(y, m, d) + n, out);
	return 1;
}

int svtime_add_years(const char *date, int n, char out[11])
{
	int y, m, d;
	out[0] = '\0';
	if (!parse_plain_date(date, &y, &m, &d))
		return 0;
	y += n;
	if (m == 2 && d == 29 && !valid_ymd(y, m, d))
		d = 28;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return 1;
}

int svtime_days_between(const char *a, const char *b, int64_t *out)
{
	int ya, ma, da, yb, mb, db;
	if (!parse_plain_date(a, &ya, &ma, &da) || !parse_plain_date(b, &yb, &mb, &db))
		return 0;
	*out = days_from_civil(yb, mb, db) - days_from_civil(ya, ma, da);
	return 1;
}
