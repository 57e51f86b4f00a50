/*
 * test_participation_json.c — the API lists write each participation as
 * JSON text (participation_json_write) instead of building and dumping
 * jansson objects (issue 8): the text must be exactly what jansson
 * dumped before, field for field and byte for byte, for every kind of
 * value (missing ones, quotes, backslashes, control characters, Swedish
 * letters, four-byte characters), and valid JSON even for bytes that are
 * not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "web/listing.h"
#include "web/participation_json.h"

/* What jansson dumps for p, compact: the reply as it was. */
static char *jansson_text(const struct participation *p)
{
	struct jdoc d = {0};
	json_t *o = participation_json(&d, p);
	assert_false(d.failed);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	assert_non_null(s);
	return s;
}

static void same_text(const struct participation *p)
{
	char *want = jansson_text(p);
	struct buf b;
	buf_init(&b, 1 << 20);
	participation_json_write(&b, p);
	assert_false(buf_failed(&b));
	assert_string_equal(b.data, want);
	free(want);
	buf_release(&b);
}

static void written_as_jansson_dumped(void **state)
{
	(void)state;
	struct participation p = {0};
	p.id = 4711;
	p.intervention_id = 3;
	p.intervention_name = "Steget \"vidare\" \\ ÅÄÖ åäö é 😀";
	p.identified = 0;
	p.sex = "K";
	p.state = "queued";
	p.referred_on = "2026-01-31";
	p.source = "fk";
	p.counts = 1;
	p.waiting_days = 12;
	same_text(&p); /* every optional value missing */
	p.identified = 1;
	p.protected_identity = 1;
	p.counts = 0;
	p.birth_year = 1987;
	p.source_unit = "Tab\there, newline\nthere, \x01\x1f, bell \b, feed \f, return \r, /slash";
	p.home_area_name = "Ekeby";
	p.home_district_name = "Norr";
	p.state = "ended";
	p.start_on = "2026-02-01";
	p.end_on = "2026-03-01";
	p.end_reason = "fortsatt_rehabilitering";
	p.consent_on = "2026-01-31";
	p.consent_withdrawn_on = "2026-04-01";
	same_text(&p);
	p.id = -9223372036854775807LL - 1; /* the extremes of a number */
	p.intervention_id = 9223372036854775807LL;
	p.state = "active";
	p.home_area_name = "";
	same_text(&p);
}

static void bytes_that_are_not_utf8_become_replacement_characters(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"a\xff"
	     "b",
	     "\"a\xEF\xBF\xBD"
	     "b\""},
	    {"\xC3", "\"\xEF\xBF\xBD\""},                 /* cut two-byte sequence */
	    {"\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""}, /* overlong */
	    {"\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""}, /* surrogate */
	    {"\xF4\x90\x80\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""},
	    {"\xE2\x82\xAC \xF0\x9F\x98\x80", "\"\xE2\x82\xAC \xF0\x9F\x98\x80\""}, /* € 😀 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b;
		buf_init(&b, 1024);
		json_write_str(&b, cases[i].in);
		assert_string_equal(b.data, cases[i].out);
		json_error_t e;
		json_t *v = json_loads(b.data, JSON_DECODE_ANY, &e);
		assert_non_null(v);
		json_decref(v);
		buf_release(&b);
	}
}

/* The list's paging fields as text equal those built with jansson. */
static void list_fields_written_as_built(void **state)
{
	(void)state;
	static const struct {
		struct paging pg;
		size_t n;
	} cases[] = {{{0, 500, 0, 0, 522, 0}, 500},
	             {{500, 500, 0, 0, 522, 0}, 22},
	             {{0, 100, 0, 0, 0, 0}, 0},
	             {{0, 500, 0, 0, 10000, 1}, 500},
	             {{9600, 500, 0, 0, 19600, 1}, 500}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct jdoc d = {0};
		json_t *o = json_object();
		jd_set(&d, o, "items", json_array());
		list_api_reply_fields(&d, o, &cases[i].pg, cases[i].n);
		char *want = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		struct buf b;
		buf_init(&b, 1024);
		buf_puts(&b, "{\"items\":[]");
		list_api_write_fields(&b, &cases[i].pg, cases[i].n);
		buf_putc(&b, '}');
		assert_string_equal(b.data, want);
		free(want);
		buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(written_as_jansson_dumped),
	    cmocka_unit_test(bytes_that_are_not_utf8_become_replacement_characters),
	    cmocka_unit_test(list_fields_written_as_built),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
