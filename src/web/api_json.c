/*
 * api_json.c — reading the JSON bodies of the /api/v1/ endpoints; see api.h.
 */
#include <string.h>

#include "../util/arena.h"
#include "../util/str.h"
#include "api.h"

/* A string member: NULL when absent or null; *bad set (and a 422 sent)
 * when present with another type. */
const char *api_str(struct req *r, json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		if (!*bad)
			respond_api_error(r, 422, "invalid", key, "Fältet ska vara text.");
		*bad = 1;
		return NULL;
	}
	const char *s = arena_strndup(r->arena, json_string_value(v), json_string_length(v));
	if (!s || strlen(s) != json_string_length(v)) {
		if (!*bad)
			respond_api_error(r, 422, "invalid", key,
			                  "Texten innehåller otillåtna tecken.");
		*bad = 1;
		return NULL;
	}
	return s;
}

int64_t api_int(struct req *r, json_t *o, const char *key, int64_t dflt, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return dflt;
	if (!json_is_integer(v)) {
		if (!*bad)
			respond_api_error(r, 422, "invalid", key, "Fältet ska vara ett heltal.");
		*bad = 1;
		return dflt;
	}
	return (int64_t)json_integer_value(v);
}

/* jint for a number with bounds: a value outside min..max is answered 422
 * with the bounds, never cast down into a smaller type. */
int64_t api_int_in(struct req *r, json_t *o, const char *key, int64_t dflt, int64_t min,
                   int64_t max, int *bad)
{
	int64_t v = api_int(r, o, key, dflt, bad);
	if (*bad || v == dflt || (v >= min && v <= max))
		return v;
	char msg[200];
	str_number_message(STR_NUM_RANGE, 0, min, max, msg, sizeof msg);
	respond_api_error(r, 422, "invalid", key, msg);
	*bad = 1;
	return dflt;
}

/* Checks that o is an object whose keys are all in allowed (NULL-ended). */
int api_only_keys(struct req *r, json_t *o, const char *const *allowed)
{
	if (!json_is_object(o)) {
		respond_api_error(r, 422, "invalid", NULL, "Förfrågan ska vara ett JSON-objekt.");
		return 0;
	}
	const char *k;
	json_t *v;
	json_object_foreach (o, k, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, k) == 0;
		if (!ok) {
			respond_api_error(r, 422, "invalid", k, "Fältet finns inte här.");
			return 0;
		}
	}
	return 1;
}

/* Answers to a field error or other result of a core call. */
int api_failed(struct req *r, enum rc rc, const struct field_error *e)
{
	if (rc == RC_OK)
		return 0;
	if (rc == RC_INVALID)
		respond_api_field_errors(r, e);
	else
		respond_rc(r, rc);
	return 1;
}

json_t *api_nstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

void api_respond_doc(struct req *r, int status, const struct jdoc *d, json_t *v)
{
	if (d->failed || !v) {
		json_decref(v);
		respond_rc(r, RC_NOMEM);
		return;
	}
	respond_json(r, status, v);
}
