/*
 * buf.h — a growable byte buffer with a hard maximum.
 *
 * Every piece of output (HTML pages, JSON, log lines) is built in a buf.  A
 * buf never grows past its max: an append that would pass it marks the buf
 * as failed and is ignored, so callers may append freely and check
 * buf_failed() once at the end.  The memory belongs to the buf and is
 * released by buf_release().
 */
#ifndef FINSAM_BUF_H
#define FINSAM_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated when len > 0 or after buf_cstr() */
	size_t len;
	size_t cap;
	size_t max; /* hard limit on len */
	int failed; /* set when an append hit max or allocation failed */
};

#define BUF_DEFAULT_MAX (16u * 1024u * 1024u)

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The contents as a NUL-terminated string; "" for an empty buf.  Owned by b. */
const char *buf_cstr(struct buf *b);
/* Hands the data to the caller (free() it) and leaves b empty. */
char *buf_detach(struct buf *b, size_t *len);
int buf_failed(const struct buf *b);

#endif
