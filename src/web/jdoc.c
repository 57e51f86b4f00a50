/*
 * jdoc.c — the checked JSON builder (see jdoc.h).
 */
#include "jdoc.h"

json_t *jd(struct jdoc *d, json_t *v)
{
	if (!v)
		d->failed = 1;
	return v;
}

void jd_set(struct jdoc *d, json_t *o, const char *key, json_t *v)
{
	/* json_object_set_new refuses (and releases v) for a NULL object or
	 * value. */
	if (json_object_set_new(o, key, v))
		d->failed = 1;
}

void jd_append(struct jdoc *d, json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v))
		d->failed = 1;
}

json_t *jd_nstr(struct jdoc *d, const char *s)
{
	return jd(d, s ? json_string(s) : json_null());
}
