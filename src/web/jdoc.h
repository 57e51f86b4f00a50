/*
 * jdoc.h — building a JSON answer where out of memory is an error, never a
 * shorter document.  Every value, set and append goes through a struct jdoc
 * whose flag records the first failure; the responder checks the flag once
 * (api_respond_doc) instead of one check per key.  Web-internal.
 */
#ifndef FINSAM_JDOC_H
#define FINSAM_JDOC_H

#include <jansson.h>

struct jdoc {
	int failed; /* a value, set or append failed: the document is not whole */
};

/* v, marking d failed when v is NULL (an allocation that failed). */
json_t *jd(struct jdoc *d, json_t *v);
/* o[key] = v (reference stolen, also on failure); marks d failed when o or
 * v is NULL or the set fails. */
void jd_set(struct jdoc *d, json_t *o, const char *key, json_t *v);
/* Appends v to arr (reference stolen); marks d failed as jd_set does. */
void jd_append(struct jdoc *d, json_t *arr, json_t *v);
/* A JSON string, or null for NULL; marks d failed when it cannot be made. */
json_t *jd_nstr(struct jdoc *d, const char *s);

#endif
