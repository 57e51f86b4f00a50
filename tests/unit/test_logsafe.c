/*
 * test_logsafe.c — what reaches the request log from a client's path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "web/logsafe.h"

#define TODAY "2026-11-23"

static const char *clean(const char *in, char out[LOGSAFE_MAX])
{
	return logsafe_text(in, TODAY, out);
}

static void test_plain_path_unchanged(void **state)
{
	(void)state;
	char out[LOGSAFE_MAX];
	assert_string_equal(clean("/medlemmar/12/redigera", out), "/medlemmar/12/redigera");
	assert_string_equal(clean("/api/v1/members/2026-01-01", out), "/api/v1/members/2026-01-01");
}

static void test_control_characters_escaped(void **state)
{
	(void)state;
	char out[LOGSAFE_MAX];
	assert_string_equal(clean("/a\n2026-11-23T10:00:00Z GET /admin 200 1us", out),
	                    "/a\\x0a2026-11-23T10:00:00Z\\x20GET\\x20/admin\\x20200\\x201us");
	assert_string_equal(clean("/a\r\x1b[31m\x7f\\", out), "/a\\x0d\\x1b[31m\\x7f\\\\");
	assert_string_equal(clean("/k\xc3\xb6", out), "/k\\xc3\\xb6");
	assert_null(strchr(clean("/x\ny\rz", out), '\n'));
}

static void test_personnummer_in_every_form_replaced(void **state)
{
	(void)state;
	char out[LOGSAFE_MAX];
	assert_string_equal(clean("/api/v1/people/19790228-2065", out), "/api/v1/people/[pnr]");
	assert_string_equal(clean("/api/v1/people/197902282065", out), "/api/v1/people/[pnr]");
	assert_string_equal(clean("/api/v1/people/790228-2065", out), "/api/v1/people/[pnr]");
	assert_string_equal(clean("/p/7902282065/x", out), "/p/[pnr]/x");
	assert_string_equal(clean("/p/abc790228-2065.json", out), "/p/abc[pnr].json");
	/* A samordningsnummer (day + 60) and a number inside a longer run. */
	assert_string_equal(clean("/p/19790288-2062", out), "/p/[pnr]");
	assert_string_equal(clean("/p/19790228-2065-", out), "/p/[pnr]");
	/* The digits of an escape next to digits sent must not form one. */
	assert_null(strstr(clean("/p/\x98"
	                         "09022222225",
	                         out),
	                   "09022222225"));
	/* A number with a wrong check digit is no personnummer. */
	assert_string_equal(clean("/p/19790228-2064", out), "/p/19790228-2064");
}

static void test_long_input_cut_visibly(void **state)
{
	(void)state;
	char in[3000], out[LOGSAFE_MAX];
	memset(in, 'a', sizeof in - 1);
	in[sizeof in - 1] = '\0';
	clean(in, out);
	assert_true(strlen(out) < LOGSAFE_MAX);
	assert_non_null(strstr(out, "[...]"));
	/* All control characters: each escape is 4 bytes, still bounded. */
	memset(in, '\n', sizeof in - 1);
	clean(in, out);
	assert_true(strlen(out) < LOGSAFE_MAX);
	assert_string_equal(out + strlen(out) - 5, "[...]");
	assert_string_equal(clean(NULL, out), "");
}

/* libmicrohttpd's own messages keep their spaces, nothing else. */
static void messages_keep_spaces_only(void **state)
{
	(void)state;
	char out[LOGSAFE_MAX];
	assert_string_equal(logsafe_message("Error while reading request.", TODAY, out),
	                    "Error while reading request.");
	assert_string_equal(logsafe_message("a\nb\tc \x1b[2J", TODAY, out),
	                    "a\\x0ab\\x09c \\x1b[2J");
	assert_string_equal(logsafe_message("bad 19790228-2065 x", TODAY, out), "bad [pnr] x");
	assert_string_equal(logsafe_text("a b", TODAY, out), "a\\x20b");
}

/* A flood of libmicrohttpd complaints (one per refused connection) is cut
 * to a few lines a minute, and the next window says how many were left out. */
static void log_flood_is_limited_and_counted(void **state)
{
	(void)state;
	struct logsafe_limit l = {0};
	unsigned long dropped = 99;
	int written = 0;
	for (int i = 0; i < 1500; i++)
		written += logsafe_limit_allow(&l, 1000, &dropped);
	assert_int_equal(written, LOGSAFE_LIMIT_LINES);
	assert_int_equal(dropped, 0);
	/* Still inside the window. */
	assert_int_equal(logsafe_limit_allow(&l, 1000 + LOGSAFE_LIMIT_WINDOW - 1, &dropped), 0);
	/* A new window: the count of what was left out, and lines again. */
	assert_int_equal(logsafe_limit_allow(&l, 1000 + LOGSAFE_LIMIT_WINDOW, &dropped), 1);
	assert_int_equal(dropped, 1500 - LOGSAFE_LIMIT_LINES + 1);
	assert_int_equal(logsafe_limit_allow(&l, 1000 + LOGSAFE_LIMIT_WINDOW, &dropped), 1);
	assert_int_equal(dropped, 0);
	/* A clock that goes back opens a window rather than blocking forever. */
	assert_int_equal(logsafe_limit_allow(&l, 10, &dropped), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(messages_keep_spaces_only),
	    cmocka_unit_test(log_flood_is_limited_and_counted),
	    cmocka_unit_test(test_plain_path_unchanged),
	    cmocka_unit_test(test_control_characters_escaped),
	    cmocka_unit_test(test_personnummer_in_every_form_replaced),
	    cmocka_unit_test(test_long_input_cut_visibly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
