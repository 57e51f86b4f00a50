/* libFuzzer harness: the boundary of a multipart Content-Type and the check
 * that a body reached its closing delimiter.  The first line of the input
 * is the Content-Type, the rest the body.  A boundary that is found fits its
 * buffer; a body that ends in its own closing delimiter is complete. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size;
	char *ct = malloc(ctlen + 1);
	if (!ct)
		return 0;
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	const char *body = nl ? (const char *)nl + 1 : "";
	size_t blen = nl ? size - ctlen - 1 : 0;
	char b[MULTIPART_BOUNDARY_MAX + 1];
	int have = multipart_boundary(ct, b) == 0;
	if (have && (strlen(b) == 0 || strlen(b) > MULTIPART_BOUNDARY_MAX))
		__builtin_trap();
	int complete = multipart_complete(ct, body, blen);
	if (complete && !have)
		__builtin_trap();
	if (have) {
		/* The same body with the closing delimiter added is complete. */
		size_t n = strlen(b);
		char *whole = malloc(blen + n + 6);
		if (whole) {
			memcpy(whole, body, blen);
			memcpy(whole + blen, "\r\n--", 4);
			memcpy(whole + blen + 4, b, n);
			memcpy(whole + blen + 4 + n, "--", 2);
			if (!multipart_complete(ct, whole, blen + n + 6))
				__builtin_trap();
			free(whole);
		}
	}
	free(ct);
	return 0;
}
