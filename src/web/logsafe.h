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

#endif
