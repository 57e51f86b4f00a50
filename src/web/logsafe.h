/*
 * logsafe.h — makes text from a request safe to write into the server log.
 *
 * The request log is one line per request, fields separated by spaces.  A
 * path comes from the client: decoded, it may hold a newline (a forged log
 * line), terminal escapes, or a personnummer (/api/v1/people/19790228-2065).
 * logsafe_text() writes it so that neither can reach the log.
 */
#ifndef FINSAM_LOGSAFE_H
#define FINSAM_LOGSAFE_H

#include <stddef.h>
#include <stdint.h>

/* The size of a buffer that always holds logsafe_text()'s output. */
#define LOGSAFE_MAX 600

/*
 * Writes in into out (LOGSAFE_MAX bytes) as printable ASCII: a byte outside
 * '!'..'~' (space, control characters, bytes of UTF-8) becomes \xNN and a
 * backslash becomes \\.  Every run of digits, '-' and '+' that holds a
 * personnummer or samordningsnummer in any form pnr_parse() accepts (as of
 * today, "YYYY-MM-DD") is written as [pnr].  Input longer than the buffer
 * is cut and marked with "[...]" at the end, never silently.  Returns out.
 */
const char *logsafe_text(const char *in, const char *today, char out[LOGSAFE_MAX]);
/* As logsafe_text, but a plain space stays a space: for whole messages
 * (libmicrohttpd's own), not for fields of the space-separated request
 * line. */
const char *logsafe_message(const char *in, const char *today, char out[LOGSAFE_MAX]);

/*
 * A limit on how many lines one source may write into the log per window,
 * so a client that opens thousands of connections cannot flood it.  The
 * caller holds any lock; the struct starts zeroed.
 */
#define LOGSAFE_LIMIT_LINES  20 /* lines per window */
#define LOGSAFE_LIMIT_WINDOW 60 /* seconds */
struct logsafe_limit {
	int64_t window_start;
	unsigned lines;
	unsigned long dropped;
};
/* 1 if a line at time now (seconds) may be written, 0 if it is dropped and
 * counted.  When a new window opens, *dropped_before gets how many lines
 * the previous window dropped (to be said in the log), else 0. */
int logsafe_limit_allow(struct logsafe_limit *l, int64_t now, unsigned long *dropped_before);

#endif
