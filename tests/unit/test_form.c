/* Unit tests for declared form fields: reading, checking, rendering and
 * the JSON mapping the API uses. */
#include "testutil.h"
#include "util/arena.h"
#include "util/kv.h"
#include "web/form.h"

static const struct field fields[] = {
    {"name", "Namn", FT_TEXT, 1, 10, NULL, "Ett kort namn.", NULL},
    {"kind", "Typ", FT_SELECT, 1, 20, org_member_kinds, NULL, NULL},
    {"day", "Datum", FT_DATE, 0, 10, NULL, NULL, NULL},
    {"count", "Antal", FT_INT, 0, 9, NULL, NULL, NULL},
    {"ref", "Medlem", FT_ID, 0, 20, NULL, NULL, NULL},
};

static enum rc check_kv(struct arena *a, struct form *f, const char *body)
{
	struct kv_list kv;
	assert_int_equal(kv_parse_urlencoded(a, body, strlen(body), &kv), 0);
	form_init(f, fields, 5);
	form_read_kv(f, a, &kv);
	return form_check(f);
}

static void checks_each_type_and_names_the_field(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct form f;
	assert_int_equal(check_kv(a, &f, "name=+Anna+&kind=fk&day=2024-02-29&count=3&ref=0"),
	                 RC_OK);
	assert_string_equal(form_get(&f, "name"), "Anna");
	assert_null(form_get(&f, "ref")); /* 0 means none */
	assert_int_equal(check_kv(a, &f, "kind=fk"), RC_INVALID);
	assert_string_equal(f.err.field, "name");
	assert_string_equal(f.err.message, "Namn måste anges.");
	assert_int_equal(check_kv(a, &f, "name=Anna&kind=kung"), RC_INVALID);
	assert_string_equal(f.err.field, "kind");
	assert_int_equal(check_kv(a, &f, "name=Anna&kind=fk&day=2023-02-29"), RC_INVALID);
	assert_string_equal(f.err.field, "day");
	assert_int_equal(check_kv(a, &f, "name=Anna&kind=fk&count=tre"), RC_INVALID);
	assert_string_equal(f.err.field, "count");
	assert_int_equal(check_kv(a, &f, "name=Annaaaaaaaa&kind=fk"), RC_INVALID);
	assert_string_equal(f.err.field, "name");
	assert_int_equal(check_kv(a, &f, "name=%C3%85sa%C3%85sa%C3%85sa%C3%85&kind=fk"), RC_OK);
	assert_int_equal(check_kv(a, &f, "name=%C3&kind=fk"), RC_INVALID);
	arena_free(a);
}

static void reads_json_with_types(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct form f;
	form_init(&f, fields, 5);
	json_t *o =
	    json_pack("{s:s,s:s,s:i,s:n}", "name", "Anna", "kind", "af", "count", 12, "day");
	assert_int_equal(form_read_json(&f, a, o), RC_OK);
	assert_int_equal(form_check(&f), RC_OK);
	json_t *back = form_to_json(&f, 7);
	assert_int_equal(json_integer_value(json_object_get(back, "id")), 7);
	assert_int_equal(json_integer_value(json_object_get(back, "count")), 12);
	assert_true(json_is_null(json_object_get(back, "day")));
	assert_string_equal(json_string_value(json_object_get(back, "kind")), "af");
	json_decref(back);
	json_decref(o);

	form_init(&f, fields, 5);
	o = json_pack("{s:s}", "count", "12");
	assert_int_equal(form_read_json(&f, a, o), RC_INVALID);
	assert_string_equal(f.err.field, "count");
	json_decref(o);
	form_init(&f, fields, 5);
	o = json_pack("{s:i}", "name", 5);
	assert_int_equal(form_read_json(&f, a, o), RC_INVALID);
	assert_string_equal(f.err.field, "name");
	json_decref(o);
	form_init(&f, fields, 5);
	o = json_pack("{s:s}", "okänt", "x");
	assert_int_equal(form_read_json(&f, a, o), RC_INVALID);
	assert_string_equal(f.err.field, "okänt");
	json_decref(o);
	form_init(&f, fields, 5);
	o = json_pack("[i]", 1);
	assert_int_equal(form_read_json(&f, a, o), RC_INVALID);
	json_decref(o);
	arena_free(a);
}

static void renders_values_escaped_with_error_linked(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct form f;
	assert_int_equal(check_kv(a, &f, "name=%22%3E%3Cscript%3E&kind="), RC_INVALID);
	struct buf b;
	buf_init(&b, 0);
	form_render(&b, &f, "/x", "tok\"en", "Spara");
	const char *html = buf_cstr(&b);
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "value=\"&quot;&gt;&lt;script&gt;\""));
	assert_non_null(strstr(html, "value=\"tok&quot;en\""));
	assert_non_null(strstr(html, "role=\"alert\""));
	assert_non_null(strstr(html, "href=\"#f-kind\""));
	assert_non_null(strstr(html, "aria-invalid=\"true\""));
	assert_non_null(strstr(html, "aria-describedby=\"e-kind\""));
	assert_non_null(strstr(html, "<label for=\"f-name\">Namn <span class=\"req\">"));
	buf_release(&b);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(checks_each_type_and_names_the_field),
	    cmocka_unit_test(reads_json_with_types),
	    cmocka_unit_test(renders_values_escaped_with_error_linked),
	};
	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
