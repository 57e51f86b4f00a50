/*
 * participation_json.h — a participation as the API gives it: as a
 * jansson object (one participation) and written straight as JSON text
 * (the lists of up to 500: building and dumping 500 jansson objects cost
 * three quarters of such a request).  Both give the same fields and
 * values; test_participation_json compares them.  Web-internal.
 */
#ifndef FINSAM_PARTICIPATION_JSON_H
#define FINSAM_PARTICIPATION_JSON_H

#include <jansson.h>

#include "../core/participation.h"
#include "../util/buf.h"
#include "jdoc.h"

/* The participation as a new object (NULL and d failed when it cannot be
 * made); no identity, ever. */
json_t *participation_json(struct jdoc *d, const struct participation *p);
/* The same object appended to b as compact JSON text. */
void participation_json_write(struct buf *b, const struct participation *p);
/* s as a JSON string ("null" for NULL): '"', '\' and control characters
 * escaped as jansson does; a byte that is not part of valid UTF-8 becomes
 * U+FFFD, so the text is always valid JSON. */
void json_write_str(struct buf *b, const char *s);
/* n in decimal. */
void json_write_int(struct buf *b, long long n);

#endif
