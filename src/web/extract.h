/*
 * extract.h — the register extract written out: the JSON document given
 * to the person (the web API and `finsam extract --json`).  The page
 * (page_extract.c) and the command line's text write the same struct.
 */
#ifndef FINSAM_WEB_EXTRACT_H
#define FINSAM_WEB_EXTRACT_H

#include <jansson.h>

#include "../core/personal_data.h"

/* The extract as a new JSON object with Swedish keys (the document handed
 * to the person; the keys stay stable for those who read it), or NULL when
 * memory ran out: never a shorter document.  The caller decrefs it. */
json_t *extract_json(const struct register_extract *x);

#endif
