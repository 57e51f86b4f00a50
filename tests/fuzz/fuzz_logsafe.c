/* libFuzzer harness: a client's path on its way into the request log.  The
 * output stays printable ASCII within its buffer, and no run of digits and
 * separators left in it holds a personnummer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"
#include "web/logsafe.h"

#define TODAY "2026-11-23"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char out[LOGSAFE_MAX];
	logsafe_text(s, TODAY, out);
	size_t n = strlen(out);
	if (n >= LOGSAFE_MAX)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] <= ' ' || (unsigned char)out[i] >= 0x7f)
			__builtin_trap();
	/* Every stretch of 10 to 13 characters must fail to parse. */
	for (size_t i = 0; i < n; i++)
		for (size_t len = 10; len <= 13 && i + len <= n; len++) {
			char piece[14];
			memcpy(piece, out + i, len);
			piece[len] = '\0';
			struct pnr p;
			if (pnr_parse(piece, TODAY, &p, NULL) == RC_OK)
				__builtin_trap();
		}
	free(s);
	return 0;
}
