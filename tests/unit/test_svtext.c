/* Unit tests for Swedish time, date and count wording (svtime, plural). */
#include "testutil.h"
#include "util/plural.h"
#include "util/svtime.h"

static const char *dt(const char *iso)
{
	static char out[SVTIME_MAX];
	return svtime_datetime(out, iso);
}

static void winter_time_is_utc_plus_one(void **state)
{
	(void)state;
	assert_string_equal(dt("2026-11-23T11:49:35Z"), "23 nov 2026 12:49");
	assert_string_equal(dt("2026-01-01T00:00:00Z"), "1 jan 2026 01:00");
	/* Crosses midnight and the year. */
	assert_string_equal(dt("2025-12-31T23:30:00Z"), "1 jan 2026 00:30");
}

static void summer_time_is_utc_plus_two(void **state)
{
	(void)state;
	assert_string_equal(dt("2026-07-01T10:00:00Z"), "1 jul 2026 12:00");
	assert_string_equal(dt("2026-05-31T22:15:00Z"), "1 jun 2026 00:15");
}

static void spring_edge_last_sunday_of_march(void **state)
{
	(void)state;
	/* 2026: the last Sunday of March is the 29th; clocks go 02:00 → 03:00. */
	assert_string_equal(dt("2026-03-29T00:59:59Z"), "29 mar 2026 01:59");
	assert_string_equal(dt("2026-03-29T01:00:00Z"), "29 mar 2026 03:00");
	/* The Sunday before is still winter time. */
	assert_string_equal(dt("2026-03-22T12:00:00Z"), "22 mar 2026 13:00");
	/* 2027: the 28th. */
	int64_t t;
	assert_true(svtime_parse_utc("2027-03-28T00:59:00Z", &t));
	assert_int_equal(svtime_stockholm_offset(t), 3600);
	assert_true(svtime_parse_utc("2027-03-28T01:00:00Z", &t));
	assert_int_equal(svtime_stockholm_offset(t), 7200);
}

static void autumn_edge_last_sunday_of_october(void **state)
{
	(void)state;
	/* 2026: the 25th; clocks go 03:00 → 02:00. */
	assert_string_equal(dt("2026-10-25T00:59:00Z"), "25 okt 2026 02:59");
	assert_string_equal(dt("2026-10-25T01:00:00Z"), "25 okt 2026 02:00");
	assert_string_equal(dt("2026-10-18T12:00:00Z"), "18 okt 2026 14:00");
	/* 2025: the 26th. */
	int64_t t;
	assert_true(svtime_parse_utc("2025-10-26T00:59:59Z", &t));
	assert_int_equal(svtime_stockholm_offset(t), 7200);
	assert_true(svtime_parse_utc("2025-10-26T01:00:00Z", &t));
	assert_int_equal(svtime_stockholm_offset(t), 3600);
}

static void dates_and_bad_input(void **state)
{
	(void)state;
	char out[SVTIME_MAX];
	assert_string_equal(svtime_date(out, "2026-05-04"), "4 maj 2026");
	/* Months in words (the register extract's hours). */
	assert_string_equal(svtime_month(out, "2025-03"), "mars 2025");
	assert_string_equal(svtime_month(out, "2026-12"), "december 2026");
	assert_string_equal(svtime_month(out, "2026-13"), "–");
	assert_string_equal(svtime_month(out, "2026-3"), "–");
	assert_string_equal(svtime_month(out, NULL), "–");
	assert_string_equal(svtime_date(out, "2026-12-31T23:30:00Z"), "1 jan 2027");
	assert_string_equal(dt("2026-02-28"), "28 feb 2026");
	assert_string_equal(dt("2026-02-30"), "–");
	assert_string_equal(dt("igår"), "–");
	assert_string_equal(dt(""), "–");
	assert_string_equal(dt(NULL), "–");
	assert_string_equal(svtime_date(out, NULL), "–");
	assert_string_equal(dt("2026-11-23T11:49:35Zx"), "–");
}

/* The clock core reads: Stockholm's date (not UTC's) just after local
 * midnight, ISO instants, and date arithmetic done in C so SQL needs none. */
static void clock_dates_in_c(void **state)
{
	(void)state;
	char d[11], iso[21];
	int64_t t, n;
	/* 2026-11-23 23:30 UTC is 00:30 on the 24th in Stockholm. */
	assert_true(svtime_parse_utc("2026-11-23T23:30:00Z", &t));
	assert_string_equal(svtime_today(t, d), "2026-11-24");
	assert_string_equal(svtime_iso(t, iso), "2026-11-23T23:30:00Z");
	/* Summer: 22:30 UTC is 00:30 the next day. */
	assert_true(svtime_parse_utc("2026-06-30T22:30:00Z", &t));
	assert_string_equal(svtime_today(t, d), "2026-07-01");
	assert_true(svtime_parse_utc("2026-06-30T21:59:59Z", &t));
	assert_string_equal(svtime_today(t, d), "2026-06-30");
	assert_true(svtime_add_days("2024-02-28", 1, d));
	assert_string_equal(d, "2024-02-29");
	assert_true(svtime_add_days("2025-01-01", -1, d));
	assert_string_equal(d, "2024-12-31");
	assert_true(svtime_add_years("2024-02-29", -1, d));
	assert_string_equal(d, "2023-02-28");
	assert_true(svtime_add_years("2025-11-23", -1, d));
	assert_string_equal(d, "2024-11-23");
	assert_true(svtime_days_between("2024-12-31", "2025-03-01", &n));
	assert_int_equal(n, 60);
	assert_true(svtime_days_between("2025-03-01", "2024-12-31", &n));
	assert_int_equal(n, -60);
	assert_false(svtime_add_days("2025-02-30", 1, d));
	assert_string_equal(d, "");
	assert_false(svtime_add_years("2025-01-01T00:00:00Z", 1, d));
	assert_false(svtime_days_between("2025-01-01", "x", &n));
}

static void counts_take_the_right_noun(void **state)
{
	(void)state;
	char out[PLURAL_MAX];
	assert_string_equal(sv_count(out, sizeof out, 1, "deltagande", "deltaganden"),
	                    "1 deltagande");
	assert_string_equal(sv_count(out, sizeof out, 2, "deltagande", "deltaganden"),
	                    "2 deltaganden");
	assert_string_equal(sv_count(out, sizeof out, 0, "medlem", "medlemmar"), "0 medlemmar");
	assert_string_equal(sv_count(out, sizeof out, 1, "medlem", "medlemmar"), "1 medlem");
	assert_string_equal(sv_count(out, sizeof out, 1500000, "medlem", "medlemmar"),
	                    "1\xc2\xa0"
	                    "500\xc2\xa0"
	                    "000 medlemmar");
	assert_string_equal(sv_number(out, sizeof out, -1234), "\xe2\x88\x92"
	                                                       "1\xc2\xa0"
	                                                       "234");
	assert_string_equal(sv_number(out, sizeof out, 999), "999");
	/* A small buffer is cut at a whole character, never overrun. */
	char tiny[6];
	sv_number(tiny, sizeof tiny, 123456);
	assert_string_equal(tiny, "123");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(winter_time_is_utc_plus_one),
	    cmocka_unit_test(summer_time_is_utc_plus_two),
	    cmocka_unit_test(spring_edge_last_sunday_of_march),
	    cmocka_unit_test(autumn_edge_last_sunday_of_october),
	    cmocka_unit_test(dates_and_bad_input),
	    cmocka_unit_test(clock_dates_in_c),
	    cmocka_unit_test(counts_take_the_right_noun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
