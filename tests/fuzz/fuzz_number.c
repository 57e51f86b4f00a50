/* libFuzzer harness: the one parser for numbers people type
 * (str_parse_fixed), its message and its formatter.  Invariants: a parsed
 * value lies within the bounds asked for; what str_format_fixed writes
 * parses back to the same value; str_to_i64 never accepts what the
 * general parser refuses, nor reads a different value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int decimals = data[0] % 7;
	/* Bounds from the first byte too: unbounded, non-negative, or small. */
	int64_t min = INT64_MIN, max = INT64_MAX;
	if (data[0] & 0x10)
		min = 0;
	if (data[0] & 0x20)
		max = 7440;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	int64_t v = 0;
	enum str_num why = str_parse_fixed(s, decimals, min, max, &v);
	char msg[200];
	str_number_message(why, decimals, min, max, msg, sizeof msg);
	if (why == STR_NUM_OK) {
		if (v < min || v > max)
			__builtin_trap();
		char out[64];
		str_format_fixed(v, decimals, out, sizeof out);
		int64_t again = 0;
		if (str_parse_fixed(out, decimals, min, max, &again) != STR_NUM_OK || again != v)
			__builtin_trap();
	} else if (!msg[0]) {
		__builtin_trap();
	}
	int64_t i;
	if (str_to_i64(s, &i)) {
		int64_t w = 0;
		if (str_parse_fixed(s, 0, INT64_MIN, INT64_MAX, &w) != STR_NUM_OK || w != i)
			__builtin_trap();
	}
	free(s);
	return 0;
}
