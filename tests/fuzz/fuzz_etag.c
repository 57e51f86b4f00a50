/* libFuzzer harness: the If-None-Match header against a file's ETag.  A
 * match must be '*' or name the tag (checked here), and nothing may read
 * past the header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	const char *etag = "\"0123456789abcdef\"";
	if (static_etag_matches(s, etag) && !strstr(s, etag) && !strchr(s, '*'))
		abort();
	size_t n;
	const struct static_file *f = static_files(&n);
	for (size_t i = 0; i < n; i++)
		static_etag_matches(s, f[i].etag);
	free(s);
	return 0;
}
