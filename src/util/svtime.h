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

#endif
