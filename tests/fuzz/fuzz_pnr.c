/* libFuzzer harness: personnummer and samordningsnummer as typed or
 * imported.  A number that parses must parse again, alike, from its own
 * canonical forms. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct pnr p, q;
	const char *why = NULL;
	if (pnr_parse(s, "2026-11-22", &p, &why) == RC_OK) {
		char shown[14];
		pnr_format(&p, shown);
		if (pnr_parse(shown, "2026-11-22", &q, &why) != RC_OK ||
		    strcmp(p.digits, q.digits) != 0 || strcmp(p.birth, q.birth) != 0 ||
		    p.sex != q.sex)
			__builtin_trap();
		if (pnr_parse(p.digits, "2026-11-22", &q, &why) != RC_OK ||
		    strcmp(p.digits, q.digits) != 0)
			__builtin_trap();
	} else if (!why) {
		__builtin_trap(); /* every refusal says why */
	}
	free(s);
	return 0;
}
