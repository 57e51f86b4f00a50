/* Unit tests for URL-encoded form and cookie parsing, and string helpers. */
#include "testutil.h"
#include "util/arena.h"
#include "util/kv.h"
#include "util/str.h"

static void parses_form_with_escapes(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct kv_list l;
	const char *body = "name=Region+Uppsala&org=232100%2D0024&empty=&flag&bad=%zz%4";
	assert_int_equal(kv_parse_urlencoded(a, body, strlen(body), &l), 0);
	assert_string_equal(kv_get(&l, "name"), "Region Uppsala");
	assert_string_equal(kv_get(&l, "org"), "232100-0024");
	assert_string_equal(kv_get(&l, "empty"), "");
	assert_string_equal(kv_get(&l, "flag"), "");
	assert_string_equal(kv_get(&l, "bad"), "%zz%4");
	assert_null(kv_get(&l, "missing"));
	arena_free(a);
}

static void form_keeps_embedded_nul_out_of_names(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct kv_list l;
	const char body[] = "a=1%00b&c=2";
	assert_int_equal(kv_parse_urlencoded(a, body, sizeof body - 1, &l), 0);
	/* The decoded NUL ends the C string; nothing reads past it. */
	assert_string_equal(kv_get(&l, "a"), "1");
	assert_string_equal(kv_get(&l, "c"), "2");
	arena_free(a);
}

static void too_many_pairs_is_refused(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct kv_list l;
	char body[4096] = "";
	size_t n = 0;
	for (int i = 0; i < KV_MAX_PAIRS + 1; i++)
		n += (size_t)snprintf(body + n, sizeof body - n, "a=1&");
	assert_int_equal(kv_parse_urlencoded(a, body, n, &l), -1);
	arena_free(a);
}

static void parses_cookies(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct kv_list l;
	assert_int_equal(kv_parse_cookies(a, "finsam_session=abc; theme=dark ;noval; x=", &l), 0);
	assert_string_equal(kv_get(&l, "finsam_session"), "abc");
	assert_string_equal(kv_get(&l, "theme"), "dark");
	assert_string_equal(kv_get(&l, "x"), "");
	assert_null(kv_get(&l, "noval"));
	arena_free(a);
}

static void validates_dates(void **state)
{
	(void)state;
	assert_true(str_valid_date("2024-02-29"));
	assert_false(str_valid_date("2023-02-29"));
	assert_false(str_valid_date("1900-02-29"));
	assert_true(str_valid_date("2000-02-29"));
	assert_false(str_valid_date("2024-13-01"));
	assert_false(str_valid_date("2024-04-31"));
	assert_false(str_valid_date("2024-4-1"));
	assert_false(str_valid_date("24-04-01xx"));
}

static void validates_utf8_text(void **state)
{
	(void)state;
	assert_true(str_valid_utf8_text("Förbundet Åsbygden – äö"));
	assert_false(str_valid_utf8_text("\xc3"));
	assert_false(str_valid_utf8_text("\xc0\xaf"));     /* overlong '/' */
	assert_false(str_valid_utf8_text("\xed\xa0\x80")); /* surrogate */
	assert_false(str_valid_utf8_text("a\x01"
	                                 "b")); /* control */
	assert_int_equal(str_utf8_len("åäö"), 3);
}

static void parses_integers_strictly(void **state)
{
	(void)state;
	int64_t v;
	assert_true(str_to_i64("123", &v));
	assert_int_equal(v, 123);
	assert_true(str_to_i64("-5", &v));
	assert_false(str_to_i64("12a", &v));
	assert_false(str_to_i64("", &v));
	assert_false(str_to_i64(" 1", &v));
	assert_false(str_to_i64("99999999999999999999", &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_form_with_escapes),
	    cmocka_unit_test(form_keeps_embedded_nul_out_of_names),
	    cmocka_unit_test(too_many_pairs_is_refused),
	    cmocka_unit_test(parses_cookies),
	    cmocka_unit_test(validates_dates),
	    cmocka_unit_test(validates_utf8_text),
	    cmocka_unit_test(parses_integers_strictly),
	};
	return cmocka_run_group_tests_name("kv", tests, NULL, NULL);
}
