/* libFuzzer harness: the value checkers every form relies on —
 * organisationsnummer, dates, UTF-8, integers — and the HTML escaper. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/org.h"
#include "util/buf.h"
#include "util/html.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char out[12];
	if (org_number_normalize(s, out) == RC_OK) {
		if (strlen(out) != 11 || out[6] != '-')
			__builtin_trap();
		char again[12];
		if (org_number_normalize(out, again) != RC_OK || strcmp(out, again) != 0)
			__builtin_trap();
	}
	char msg[240];
	/* A date is valid exactly when no problem is reported. */
	if (str_valid_date(s) != !str_date_problem(s, msg, sizeof msg))
		__builtin_trap();
	if (str_valid_utf8_text(s))
		str_utf8_len(s);
	/* A one-line value that passes is also acceptable text, and holds no
	 * byte below 0x20. */
	if (!str_line_problem(s)) {
		if (str_text_problem(s) || !str_valid_utf8_text(s))
			__builtin_trap();
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p < 0x20)
				__builtin_trap();
	}
	int64_t v;
	str_to_i64(s, &v);
	struct buf b;
	buf_init(&b, 0);
	html_escape(&b, s);
	if (strpbrk(buf_cstr(&b), "<>\"'"))
		__builtin_trap();
	buf_release(&b);
	free(s);
	return 0;
}
