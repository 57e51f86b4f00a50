/*
 * multipart.c — is a multipart body complete?  See multipart.h.
 */
#include "multipart.h"

#include <string.h>
#include <strings.h>

int multipart_boundary(const char *content_type, char out[MULTIPART_BOUNDARY_MAX + 1])
{
	out[0] = '\0';
	if (!content_type)
		return -1;
	const char *p = strchr(content_type, ';');
	while (p) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0) {
			p += 9;
			size_t n = 0;
			if (*p == '"') {
				p++;
				while (p[n] && p[n] != '"')
					n++;
				if (p[n] != '"')
					return -1;
			} else {
				while (p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
					n++;
			}
			if (n == 0 || n > MULTIPART_BOUNDARY_MAX)
				return -1;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p = strchr(p, ';');
	}
	return -1;
}

int multipart_complete(const char *content_type, const char *body, size_t len)
{
	char b[MULTIPART_BOUNDARY_MAX + 1];
	if (multipart_boundary(content_type, b) != 0)
		return 0;
	char close[MULTIPART_BOUNDARY_MAX + 7];
	size_t blen = strlen(b);
	memcpy(close, "\r\n--", 4);
	memcpy(close + 4, b, blen);
	memcpy(close + 4 + blen, "--", 2);
	size_t clen = blen + 6;
	/* A body with no parts at all is the closing delimiter alone. */
	if (len >= clen - 2 && memcmp(body, close + 2, clen - 2) == 0)
		return 1;
	for (size_t i = 0; i + clen <= len; i++)
		if (body[i] == '\r' && memcmp(body + i, close, clen) == 0)
			return 1;
	return 0;
}
