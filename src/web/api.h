/*
 * api.h — what the /api/v1/ endpoints share: reading a JSON body field by
 * field (each reader answers 422 naming the field, once, and sets *bad),
 * and answering a core result.  Web-internal.
 */
#ifndef FINSAM_API_H
#define FINSAM_API_H

#include <jansson.h>
#include <stdint.h>

#include "jdoc.h"
#include "web.h"

/* A string member: NULL when absent or null; *bad set (and a 422 sent)
 * when present with another type or holding a NUL.  In r's arena. */
const char *api_str(struct req *r, json_t *o, const char *key, int *bad);
/* An integer member; dflt when absent or null. */
int64_t api_int(struct req *r, json_t *o, const char *key, int64_t dflt, int *bad);
/* api_int with bounds: a value outside min..max is answered 422 with the
 * bounds, never cast down into a smaller type. */
int64_t api_int_in(struct req *r, json_t *o, const char *key, int64_t dflt, int64_t min,
                   int64_t max, int *bad);
/* 1 if o is an object whose keys are all in allowed (NULL-ended); else
 * answered 422 naming the first unknown key, 0. */
int api_only_keys(struct req *r, json_t *o, const char *const *allowed);
/* 0 for RC_OK; else answers (422 with every field for RC_INVALID, the
 * matching status otherwise) and returns 1. */
int api_failed(struct req *r, enum rc rc, const struct field_error *e);
/* Answers v (reference stolen) with status, or, when d failed (out of
 * memory while building), the API's error for RC_NOMEM: never a document
 * missing what did not fit. */
void api_respond_doc(struct req *r, int status, const struct jdoc *d, json_t *v);
/* A JSON string, or null for NULL.  New reference. */
json_t *api_nstr(const char *s);

#endif
