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
	str_valid_date(s);
	if (str_valid_utf8_text(s))
		str_utf8_len(s);
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
