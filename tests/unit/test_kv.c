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
	assert_false(str_to_i64("18446744073709551617", &v));
	assert_false(str_to_i64("1 000", &v));
	assert_false(str_to_i64("1,5", &v));
	assert_false(str_to_i64("1 ", &v));
	assert_true(str_to_i64("-9223372036854775808", &v));
	assert_true(v == INT64_MIN);
	assert_true(str_to_i64("+7", &v));
	assert_int_equal(v, 7);
}

static void parses_typed_numbers_with_bounds(void **state)
{
	(void)state;
	int64_t v = -1;
	char msg[200];
	/* Hours in tenths: Swedish comma or point, one decimal. */
	assert_int_equal(str_parse_fixed("12,5", 1, 0, 7440, &v), STR_NUM_OK);
	assert_int_equal(v, 125);
	assert_int_equal(str_parse_fixed(" 12.5 ", 1, 0, 7440, &v), STR_NUM_OK);
	assert_int_equal(v, 125);
	assert_int_equal(str_parse_fixed("12", 1, 0, 7440, &v), STR_NUM_OK);
	assert_int_equal(v, 120);
	assert_int_equal(str_parse_fixed("12,50", 1, 0, 7440, &v), STR_NUM_OK);
	assert_int_equal(v, 125);
	assert_int_equal(str_parse_fixed("744", 1, 0, 7440, &v), STR_NUM_OK);
	assert_int_equal(v, 7440);
	assert_int_equal(str_parse_fixed("0", 1, 0, 7440, &v), STR_NUM_OK);
	assert_int_equal(v, 0);
	/* The review's cases: overflow wrapped to 0,4 h and -0,5 lost its sign. */
	assert_int_equal(str_parse_fixed("1844674407370955162", 1, 0, 7440, &v), STR_NUM_RANGE);
	assert_int_equal(str_parse_fixed("-0,5", 1, 0, 7440, &v), STR_NUM_NEGATIVE);
	assert_int_equal(str_parse_fixed("-0", 1, 0, 7440, &v), STR_NUM_NEGATIVE);
	assert_int_equal(str_parse_fixed("744,1", 1, 0, 7440, &v), STR_NUM_RANGE);
	assert_int_equal(str_parse_fixed("12,55", 1, 0, 7440, &v), STR_NUM_DECIMALS);
	assert_int_equal(str_parse_fixed("", 1, 0, 7440, &v), STR_NUM_EMPTY);
	assert_int_equal(str_parse_fixed("  ", 1, 0, 7440, &v), STR_NUM_EMPTY);
	assert_int_equal(str_parse_fixed(NULL, 1, 0, 7440, &v), STR_NUM_EMPTY);
	static const char *const bad[] = {"12,", ",5",   "1,2,3",    "12 h", "0x10",  "1e3",
	                                  "--1", "12 5", "1234 567", "1 23", "12.5.", "+",
	                                  "-",   "1\n2", "1 000,",   "٣"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(str_parse_fixed(bad[i], 1, 0, 7440, &v), STR_NUM_SYNTAX);
	/* Thousands grouped with a space, a no-break space or a narrow one. */
	assert_int_equal(str_parse_fixed("12 500", 0, 0, 100000, &v), STR_NUM_OK);
	assert_int_equal(v, 12500);
	assert_int_equal(str_parse_fixed("1\xC2\xA0"
	                                 "234\xE2\x80\xAF"
	                                 "567",
	                                 0, 0, INT64_MAX, &v),
	                 STR_NUM_OK);
	assert_int_equal(v, 1234567);
	assert_int_equal(str_parse_fixed("12,5", 0, 0, 100, &v), STR_NUM_DECIMALS);
	assert_int_equal(str_parse_fixed("12,0", 0, 0, 100, &v), STR_NUM_OK);
	assert_int_equal(v, 12);
	/* The int64 edges, and one past them. */
	assert_int_equal(str_parse_fixed("9223372036854775807", 0, INT64_MIN, INT64_MAX, &v),
	                 STR_NUM_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(str_parse_fixed("9223372036854775808", 0, INT64_MIN, INT64_MAX, &v),
	                 STR_NUM_RANGE);
	assert_int_equal(str_parse_fixed("-9223372036854775808", 0, INT64_MIN, INT64_MAX, &v),
	                 STR_NUM_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(str_parse_fixed("-9223372036854775809", 0, INT64_MIN, INT64_MAX, &v),
	                 STR_NUM_RANGE);
	assert_int_equal(str_parse_fixed("922337203685477580,8", 1, INT64_MIN, INT64_MAX, &v),
	                 STR_NUM_RANGE);
	assert_int_equal(str_parse_fixed("99999999999999999999999999", 2, 0, INT64_MAX, &v),
	                 STR_NUM_RANGE);
	assert_int_equal(str_parse_fixed("-5", 0, -10, 10, &v), STR_NUM_OK);
	assert_int_equal(v, -5);
	/* Messages are Swedish sentences with the bounds written the Swedish way. */
	assert_false(str_parse_number("800", 1, 0, 7440, &v, msg, sizeof msg));
	assert_string_equal(msg, "Ange ett tal mellan 0 och 744.");
	assert_false(str_parse_number("-1", 0, 0, 20000000, &v, msg, sizeof msg));
	assert_string_equal(msg, "Talet kan inte vara negativt.");
	assert_false(str_parse_number("3000", 0, 1990, 2100, &v, msg, sizeof msg));
	assert_string_equal(msg, "Ange ett tal mellan 1990 och 2100.");
	assert_false(str_parse_number("1,25", 1, 0, 7440, &v, msg, sizeof msg));
	assert_string_equal(msg, "Skriv högst en decimal.");
	assert_false(str_parse_number("x", 0, 0, 20000000, &v, msg, sizeof msg));
	assert_non_null(strstr(msg, "heltal"));
	char out[48];
	str_format_fixed(1250050, 2, out, sizeof out);
	assert_string_equal(out, "12 500,50");
	str_format_fixed(-5, 1, out, sizeof out);
	assert_string_equal(out, "-0,5");
	str_format_fixed(2025, 0, out, sizeof out);
	assert_string_equal(out, "2025");
	str_format_fixed(INT64_MIN, 0, out, sizeof out);
	assert_string_equal(out, "-9 223 372 036 854 775 808");
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
	    cmocka_unit_test(parses_typed_numbers_with_bounds),
	};
	return cmocka_run_group_tests_name("kv", tests, NULL, NULL);
}
