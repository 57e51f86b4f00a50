/*
 * html.c — the escaping HTML writer; see html.h.
 */
#include "html.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void html_escape(struct buf *b, const char *s)
{
	if (!s)
		return;
	const char *run = s;
	for (const char *p = s; *p; p++) {
		const char *ent = NULL;
		switch (*p) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(p - run));
		buf_puts(b, ent);
		run = p + 1;
	}
	buf_puts(b, run);
}

void html_url_component(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_append(b, e, 3);
		}
	}
}

void html_raw_trusted_markup(struct buf *b, const char *s)
{
	buf_puts(b, s);
}

void html_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *run = fmt;
	const char *p = fmt;
	while (*p) {
		if (*p != '%') {
			p++;
			continue;
		}
		buf_append(b, run, (size_t)(p - run));
		p++;
		char num[32];
		if (*p == 's') {
			html_escape(b, va_arg(ap, const char *));
			p++;
		} else if (*p == 'd') {
			snprintf(num, sizeof num, "%d", va_arg(ap, int));
			buf_puts(b, num);
			p++;
		} else if (p[0] == 'l' && p[1] == 'd') {
			snprintf(num, sizeof num, "%ld", va_arg(ap, long));
			buf_puts(b, num);
			p += 2;
		} else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'd') {
			snprintf(num, sizeof num, "%lld", va_arg(ap, long long));
			buf_puts(b, num);
			p += 3;
		} else if (p[0] == 'z' && p[1] == 'u') {
			snprintf(num, sizeof num, "%zu", va_arg(ap, size_t));
			buf_puts(b, num);
			p += 2;
		} else if (*p == '%') {
			buf_putc(b, '%');
			p++;
		} else {
			/* A directive this writer does not know is a programming
			 * error; fail the page rather than guess the argument. */
			b->failed = 1;
			break;
		}
		run = p;
	}
	buf_append(b, run, (size_t)(p - run));
	va_end(ap);
}
