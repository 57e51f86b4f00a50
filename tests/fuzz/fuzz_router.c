/* libFuzzer harness: request paths against the real route table. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/router.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	const char *method = (data[0] & 1) ? "POST" : "GET";
	size_t idx;
	int64_t ids[ROUTER_MAX_IDS];
	size_t nids;
	if (router_match(web_routes, web_route_count, sizeof web_routes[0], method, s + 1, &idx,
	                 ids, &nids) == ROUTER_OK) {
		if (idx >= web_route_count || nids > ROUTER_MAX_IDS)
			__builtin_trap();
		for (size_t i = 0; i < nids; i++)
			if (ids[i] <= 0)
				__builtin_trap();
	}
	free(s);
	return 0;
}
