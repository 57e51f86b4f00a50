/* libFuzzer harness: the Cookie header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct arena *a = arena_new(1u << 24);
	struct kv_list l;
	if (kv_parse_cookies(a, s, &l) == 0)
		kv_get(&l, "finsam_session");
	arena_free(a);
	free(s);
	return 0;
}
