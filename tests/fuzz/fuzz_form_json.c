/* libFuzzer harness: a JSON request body read through a declared form,
 * checked, and rendered back as HTML and JSON — the API's whole input path
 * up to the core call. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "web/form.h"

static const struct field fields[] = {
    {"kind", "Typ", FT_SELECT, 1, 20, org_member_kinds, NULL, NULL},
    {"name", "Namn", FT_TEXT, 1, 120, NULL, "hint", NULL},
    {"org_number", "Orgnr", FT_TEXT, 0, 13, NULL, NULL, NULL},
    {"area_id", "Område", FT_ID, 0, 20, NULL, NULL, NULL},
    {"joined_on", "Från", FT_DATE, 0, 10, NULL, NULL, NULL},
    {"count", "Antal", FT_INT, 0, 9, NULL, NULL, NULL},
    {"note", "Not", FT_TEXTAREA, 0, 2000, NULL, NULL, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		return 0;
	struct arena *a = arena_new(1u << 24);
	struct form f;
	form_init(&f, fields, sizeof fields / sizeof fields[0]);
	if (form_read_json(&f, a, j) == RC_OK)
		form_check(&f);
	struct buf b;
	buf_init(&b, 1u << 22);
	form_render(&b, &f, "/x", "csrf", "Spara");
	/* Nothing from the input may open a tag. */
	if (strstr(buf_cstr(&b), "<script"))
		__builtin_trap();
	buf_release(&b);
	json_t *out = form_to_json(&f, 1);
	char *s = json_dumps(out, 0);
	free(s);
	json_decref(out);
	json_decref(j);
	arena_free(a);
	return 0;
}
