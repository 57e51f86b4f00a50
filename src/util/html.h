/*
 * html.h — the escaping HTML writer.
 *
 * Every string that reaches a page goes through here.  html_printf() takes a
 * constant template of trusted markup; each %s argument is escaped (& < > "
 * ' become entities), which is safe both as element text and inside a quoted
 * attribute value.  Numbers use %d, %ld, %lld and %zu.  No other directive
 * exists, so there is no way to pass a string through unescaped by accident.
 *
 * The one unescaped path is html_raw_trusted_markup(): its name is long on
 * purpose, and it is meant for markup this program built itself (a fragment
 * already rendered through this writer, the embedded stylesheet).
 */
#ifndef FINSAM_HTML_H
#define FINSAM_HTML_H

#include "buf.h"

/* Appends s with the five HTML-special characters escaped. */
void html_escape(struct buf *b, const char *s);
/* Appends s percent-encoded for use as one URL path segment or query value. */
void html_url_component(struct buf *b, const char *s);
/* Template of trusted markup with escaping %s; see above. */
void html_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s without escaping.  Only for markup this program generated. */
void html_raw_trusted_markup(struct buf *b, const char *s);

#endif
