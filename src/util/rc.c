/*
 * rc.c — helpers for result codes and field errors; see rc.h.
 */
#include "rc.h"
#include "str.h"

enum rc field_error_set(struct field_error *e, const char *field, const char *message)
{
	if (e) {
		str_copy(e->field, sizeof e->field, field);
		str_copy(e->message, sizeof e->message, message);
	}
	return RC_INVALID;
}
