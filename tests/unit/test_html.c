/* Unit tests for the escaping HTML writer and the growable buffer. */
#include "testutil.h"
#include "util/buf.h"
#include "util/html.h"

static void escapes_the_five_specials(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	html_escape(&b, "<script>alert(\"x\" & 'y')</script>");
	assert_string_equal(buf_cstr(&b),
	                    "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
	buf_release(&b);
}

static void printf_escapes_every_string_argument(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	html_printf(&b, "<a href=\"%s\" title='%s'>%s</a> %d %lld %zu %%", "/x?a=1&b=\"2\"", "it's",
	            "<b>&amp;</b>", -5, (long long)1234567890123LL, (size_t)7);
	assert_string_equal(buf_cstr(&b), "<a href=\"/x?a=1&amp;b=&quot;2&quot;\" title='it&#39;s'>"
	                                  "&lt;b&gt;&amp;amp;&lt;/b&gt;</a> -5 1234567890123 7 %");
	assert_false(buf_failed(&b));
	buf_release(&b);
}

static void null_string_writes_nothing(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	const char *volatile none = NULL;
	html_printf(&b, "[%s]", none);
	assert_string_equal(buf_cstr(&b), "[]");
	buf_release(&b);
}

static void unknown_directive_fails_the_buffer(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	/* A directive the writer does not know must not be guessed at. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	html_printf(&b, "%x", 1);
#pragma GCC diagnostic pop
	assert_true(buf_failed(&b));
	buf_release(&b);
}

static void url_component_encodes_reserved(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	html_url_component(&b, "a b&c=d/å");
	assert_string_equal(buf_cstr(&b), "a%20b%26c%3Dd%2F%C3%A5");
	buf_release(&b);
}

static void buffer_stops_at_its_maximum(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 10);
	buf_puts(&b, "12345");
	buf_puts(&b, "67890");
	assert_false(buf_failed(&b));
	buf_puts(&b, "x");
	assert_true(buf_failed(&b));
	assert_int_equal(b.len, 10);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(escapes_the_five_specials),
	    cmocka_unit_test(printf_escapes_every_string_argument),
	    cmocka_unit_test(null_string_writes_nothing),
	    cmocka_unit_test(unknown_directive_fails_the_buffer),
	    cmocka_unit_test(url_component_encodes_reserved),
	    cmocka_unit_test(buffer_stops_at_its_maximum),
	};
	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
