/*
 * svtime.h — times and dates as a Swedish reader expects them.
 *
 * finsam stores instants as ISO 8601 UTC ("2026-11-23T11:49:35Z") and dates
 * as "YYYY-MM-DD".  Users see local Swedish time ("23 nov 2026 12:49") and
 * dates ("23 nov 2026").  Local time is Europe/Stockholm, computed here from
 * the EU rule (summer time, UTC+2, from the last Sunday of March 01:00 UTC
 * to the last Sunday of October 01:00 UTC; otherwise UTC+1), so neither the
 * machine's TZ nor tzdata matters.
 */
#ifndef FINSAM_SVTIME_H
#define FINSAM_SVTIME_H

#include <stdint.h>

#define SVTIME_MAX 32

/* Seconds since 1970-01-01T00:00:00Z of "YYYY-MM-DDTHH:MM:SSZ" (seconds and
 * "Z" may be left out); 1 on success. */
int svtime_parse_utc(const char *iso, int64_t *out);
/* Stockholm's offset from UTC in seconds (3600 or 7200) at instant t. */
int svtime_stockholm_offset(int64_t t);
/* "23 nov 2026 12:49" in Stockholm time for an ISO UTC timestamp; a plain
 * date "YYYY-MM-DD" gives "23 nov 2026".  Anything else (NULL, empty, not a
 * time) gives "–": a raw code never reaches the reader.  Returns out. */
const char *svtime_datetime(char out[SVTIME_MAX], const char *iso);
/* "23 nov 2026" for "YYYY-MM-DD", or the Stockholm date of an ISO UTC
 * timestamp; "–" otherwise.  Returns out. */
const char *svtime_date(char out[SVTIME_MAX], const char *s);

/* "mars 2025" for a month "YYYY-MM"; "–" otherwise.  Returns out. */
const char *svtime_month(char out[SVTIME_MAX], const char *ym);

/* The clock core reads: instants are Unix seconds handed in by the caller
 * (struct actor's now, or a parameter), so tests fix them. */

/* "YYYY-MM-DD", the Stockholm calendar date at instant now.  Returns out. */
const char *svtime_today(int64_t now, char out[11]);
/* "YYYY-MM-DDTHH:MM:SSZ", instant now in UTC.  Returns out. */
const char *svtime_iso(int64_t now, char out[21]);
/* The date n days after (n < 0: before) date "YYYY-MM-DD" into out; 1 on
 * success, 0 (out empty) if date is not a valid date. */
int svtime_add_days(const char *date, int n, char out[11]);
/* The same day n years later (earlier for n < 0); 29 February becomes
 * 28 February in a year without it.  1 on success, 0 if date is invalid. */
int svtime_add_years(const char *date, int n, char out[11]);
/* Days from date a to date b (b - a); 1 on success, 0 if either is not a
 * valid "YYYY-MM-DD". */
int svtime_days_between(const char *a, const char *b, int64_t *out);

#endif
