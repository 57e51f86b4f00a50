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
/* Parses a whole decimal int64 (optional sign); 1 on success. */
int str_to_i64(const char *s, int64_t *out);
/* Constant-time comparison of two equal-length byte strings: 1 if equal. */
int str_ct_equal(const char *a, const char *b);
/* 1 if s is valid UTF-8 without control characters other than \t \n \r. */
int str_valid_utf8_text(const char *s);
/* Number of Unicode code points in valid UTF-8 s. */
size_t str_utf8_len(const char *s);
/* 1 if s is a valid calendar date written YYYY-MM-DD. */
int str_valid_date(const char *s);
/* Today's date (UTC) as YYYY-MM-DD into out[11]. */
void str_today(char out[11]);
/* Now as ISO 8601 UTC with seconds, "2026-11-22T13:30:00Z", into out[21]. */
void str_now_iso(char out[21]);

#endif
