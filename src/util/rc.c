/*
 * rc.c — helpers for result codes and field errors; see rc.h.
 */
#include "rc.h"

#include <string.h>

#include "str.h"

enum rc field_error_set(struct field_error *e, const char *field, const char *message)
{
	if (e) {
		field_error_clear(e);
		field_error_add(e, field, message);
	}
	return RC_INVALID;
}

void field_error_clear(struct field_error *e)
{
	if (e) {
		e->field[0] = '\0';
		e->message[0] = '\0';
		e->n = 0;
	}
}

int field_error_count(const struct field_error *e)
{
	if (!e)
		return 0;
	if (e->n > 0 && e->n <= FIELD_ERRORS_MAX)
		return e->n;
	/* Filled by hand ({"field", "message"}): one error. */
	return e->message[0] ? 1 : 0;
}

void field_error_get(const struct field_error *e, int i, const char **field, const char **message)
{
	if (e->n > 0 && e->n <= FIELD_ERRORS_MAX) {
		*field = e->list[i].field;
		*message = e->list[i].message;
	} else {
		*field = e->field;
		*message = e->message;
	}
}

const char *field_error_for(const struct field_error *e, const char *field)
{
	int n = field_error_count(e);
	for (int i = 0; i < n; i++) {
		const char *f, *m;
		field_error_get(e, i, &f, &m);
		if (strcmp(f, field) == 0)
			return m;
	}
	return NULL;
}

enum rc field_error_add(struct field_error *e, const char *field, const char *message)
{
	if (!e)
		return RC_INVALID;
	if (!field)
		field = "";
	if (!message)
		message = "";
	if (e->n < 0 || e->n > FIELD_ERRORS_MAX)
		e->n = 0;
	if (e->n == 0 && e->message[0]) {
		/* Filled by hand: keep that one as the first. */
		str_copy(e->list[0].field, sizeof e->list[0].field, e->field);
		str_copy(e->list[0].message, sizeof e->list[0].message, e->message);
		e->n = 1;
	}
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->list[i].field, field) == 0)
			return RC_INVALID;
	if (e->n == FIELD_ERRORS_MAX)
		return RC_INVALID;
	str_copy(e->list[e->n].field, sizeof e->list[e->n].field, field);
	str_copy(e->list[e->n].message, sizeof e->list[e->n].message, message);
	if (e->n == 0) {
		str_copy(e->field, sizeof e->field, field);
		str_copy(e->message, sizeof e->message, message);
	}
	e->n++;
	return RC_INVALID;
}

enum rc field_error_merge(struct field_error *e, const struct field_error *src)
{
	int n = field_error_count(src);
	for (int i = 0; i < n; i++) {
		const char *f, *m;
		field_error_get(src, i, &f, &m);
		field_error_add(e, f, m);
	}
	return n ? RC_INVALID : RC_OK;
}
