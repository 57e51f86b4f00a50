/* Unit tests for personnummer and samordningsnummer parsing.  Every number
 * here is synthetic: the check digit is computed by the test. */
#include "testutil.h"
#include "core/pnr.h"

#define TODAY "2026-11-22"

/* Builds a number from its first nine digits (YYMMDDNNN) plus a computed
 * Luhn check digit, written with prefix and separator. */
static const char *make(const char *prefix, const char *nine, const char *sep, char out[20])
{
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		int v = nine[i] - '0';
		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	snprintf(out, 20, "%s%.6s%s%.3s%d", prefix, nine, sep, nine + 6, (10 - sum % 10) % 10);
	return out;
}

static void parses_every_common_form(void **state)
{
	(void)state;
	char n[20];
	struct pnr p;
	const char *why = NULL;
	assert_int_equal(pnr_parse(make("", "900101238", "-", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "1990-01-01");
	assert_memory_equal(p.digits, "19900101238", 11);
	const char *forms[][2] = {{"", ""}, {"19", ""}, {"19", "-"}, {" 19", "-"}};
	for (size_t i = 0; i < 4; i++) {
		struct pnr q;
		assert_int_equal(
		    pnr_parse(make(forms[i][0], "900101238", forms[i][1], n), TODAY, &q, &why),
		    RC_OK);
		assert_string_equal(q.digits, p.digits);
	}
	char shown[14];
	pnr_format(&p, shown);
	assert_int_equal(strlen(shown), 13);
	assert_int_equal(shown[8], '-');
}

static void sex_follows_the_ninth_digit(void **state)
{
	(void)state;
	char n[20];
	struct pnr p;
	assert_int_equal(pnr_parse(make("", "850615124", "-", n), TODAY, &p, NULL), RC_OK);
	assert_int_equal(p.sex, 'K'); /* ninth digit 4 is even */
	assert_int_equal(pnr_parse(make("", "850615113", "-", n), TODAY, &p, NULL), RC_OK);
	assert_int_equal(p.sex, 'M'); /* ninth digit 3 is odd */
}

static void wrong_check_digit_is_refused(void **state)
{
	(void)state;
	char n[20];
	make("", "900101238", "-", n);
	n[10] = n[10] == '9' ? '0' : (char)(n[10] + 1);
	const char *why = NULL;
	struct pnr p;
	assert_int_equal(pnr_parse(n, TODAY, &p, &why), RC_INVALID);
	assert_non_null(strstr(why, "Kontrollsiffran"));
}

static void leap_days(void **state)
{
	(void)state;
	char n[20];
	struct pnr p;
	const char *why = NULL;
	assert_int_equal(pnr_parse(make("20", "000229123", "-", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "2000-02-29");
	assert_int_equal(pnr_parse(make("", "040229123", "-", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "2004-02-29");
	assert_int_equal(pnr_parse(make("", "050229123", "-", n), TODAY, &p, &why), RC_INVALID);
	assert_non_null(strstr(why, "datum"));
	/* 1900 was not a leap year. */
	assert_int_equal(pnr_parse(make("19", "000229123", "-", n), TODAY, &p, &why), RC_INVALID);
}

static void samordningsnummer_has_day_plus_sixty(void **state)
{
	(void)state;
	char n[20];
	struct pnr p;
	const char *why = NULL;
	assert_int_equal(pnr_parse(make("", "900161238", "-", n), TODAY, &p, &why), RC_OK);
	assert_true(p.samordning);
	assert_string_equal(p.birth, "1990-01-01");
	assert_memory_equal(p.digits, "19900161", 8);
	assert_int_equal(pnr_parse(make("", "900192238", "-", n), TODAY, &p, &why), RC_INVALID);
	assert_non_null(strstr(why, "Samordningsnumret"));
	assert_int_equal(pnr_parse(make("", "040289123", "-", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "2004-02-29");
}

static void century_from_today_and_plus(void **state)
{
	(void)state;
	char n[20];
	struct pnr p;
	const char *why = NULL;
	assert_int_equal(pnr_parse(make("", "261122123", "-", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "2026-11-22");
	assert_int_equal(pnr_parse(make("", "261123123", "-", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "1926-11-23");
	/* '+' is written from the year a person turns 100. */
	assert_int_equal(pnr_parse(make("", "100101123", "+", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "1910-01-01");
	assert_int_equal(pnr_parse(make("", "100101123", "-", n), TODAY, &p, &why), RC_OK);
	assert_string_equal(p.birth, "2010-01-01");
	assert_int_equal(pnr_parse(make("19", "100101123", "+", n), TODAY, &p, &why), RC_INVALID);
}

static void malformed_input_is_refused_with_a_reason(void **state)
{
	(void)state;
	char n[20];
	struct pnr p;
	const char *bad[] = {"",
	                     "abc",
	                     "900101-23",
	                     "9001012389123",
	                     "900101--2389",
	                     "9001-012389",
	                     "900101 2389",
	                     "20301231-1234",
	                     NULL};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = NULL;
		assert_int_equal(pnr_parse(bad[i], TODAY, &p, &why), RC_INVALID);
		assert_non_null(why);
	}
	const char *why = NULL;
	assert_int_equal(pnr_parse(make("20", "301231123", "-", n), TODAY, &p, &why), RC_INVALID);
	assert_non_null(strstr(why, "framtiden"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_every_common_form),
	    cmocka_unit_test(sex_follows_the_ninth_digit),
	    cmocka_unit_test(wrong_check_digit_is_refused),
	    cmocka_unit_test(leap_days),
	    cmocka_unit_test(samordningsnummer_has_day_plus_sixty),
	    cmocka_unit_test(century_from_today_and_plus),
	    cmocka_unit_test(malformed_input_is_refused_with_a_reason),
	};
	return cmocka_run_group_tests_name("pnr", tests, NULL, NULL);
}
