/* libFuzzer harness: CSV files as users upload them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/csv.h"

/* 1 if s is well-formed UTF-8 (control characters allowed). */
static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80             ? 0
		        : (*s & 0xE0) == 0xC0 ? 1
		        : (*s & 0xF0) == 0xE0 ? 2
		        : (*s & 0xF8) == 0xF0 ? 3
		                              : -1;
		if (n < 0)
			return 0;
		for (int k = 1; k <= n; k++)
			if ((s[k] & 0xC0) != 0x80)
				return 0;
		s += n + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(1u << 26);
	struct csv c;
	char err[200] = "";
	if (csv_parse(a, (const char *)data, size, &c, err, sizeof err) == RC_OK) {
		if (c.nrows == 0 || (c.delimiter != ';' && c.delimiter != ','))
			__builtin_trap();
		for (size_t i = 0; i < c.nrows; i++) {
			if (c.rows[i].n == 0 || c.rows[i].n > CSV_MAX_COLS)
				__builtin_trap();
			for (size_t k = 0; k < c.rows[i].n; k++) {
				const char *f = c.rows[i].fields[k];
				if (strlen(f) > CSV_MAX_FIELD)
					__builtin_trap();
				/* Converted input is always well-formed UTF-8. */
				if (c.from_cp1252 && !utf8_ok((const unsigned char *)f))
					__builtin_trap();
			}
		}
	} else if (!err[0]) {
		__builtin_trap(); /* every refusal says why */
	}
	arena_free(a);
	return 0;
}
