/* libFuzzer harness: URL-encoded form bodies, as any client can send. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(1u << 24);
	struct kv_list l;
	if (kv_parse_urlencoded(a, (const char *)data, size, &l) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			/* Every name and value is a terminated string in bounds. */
			size_t n = strlen(l.items[i].name) + strlen(l.items[i].value);
			if (n > size)
				__builtin_trap();
		}
		kv_get(&l, "csrf");
	}
	arena_free(a);
	return 0;
}
