/*
 * plural.c — counts with Swedish nouns; see plural.h.
 */
#include "plural.h"

#include <stdio.h>
#include <string.h>

const char *sv_number(char *out, size_t size, long long n)
{
	char d[32];
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	snprintf(d, sizeof d, "%llu", u);
	size_t len = strlen(d), o = 0;
	if (size == 0)
		return out;
	out[0] = '\0';
	if (n < 0) {
		if (size < 4)
			return out;
		memcpy(out, "\xe2\x88\x92", 3); /* minus sign */
		o = 3;
	}
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0) {
			if (o + 3 >= size)
				break;
			memcpy(out + o, "\xc2\xa0", 2); /* no-break space */
			o += 2;
		}
		if (o + 1 >= size)
			break;
		out[o++] = d[i];
	}
	out[o] = '\0';
	return out;
}

const char *sv_count(char *out, size_t size, long long n, const char *one, const char *many)
{
	char num[48];
	sv_number(num, sizeof num, n);
	snprintf(out, size, "%s %s", num, n == 1 || n == -1 ? one : many);
	return out;
}
