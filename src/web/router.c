/*
 * router.c — path pattern matching; see router.h.
 */
#include "router.h"

#include <string.h>

/* Matches one pattern; 1 on a match with ids captured. */
static int match(const char *pat, const char *path, int64_t ids[ROUTER_MAX_IDS], size_t *nids)
{
	*nids = 0;
	while (*pat && *path) {
		if (*pat == '#') {
			if (*path < '1' || *path > '9')
				return 0;
			int64_t v = 0;
			while (*path >= '0' && *path <= '9') {
				if (v > (INT64_MAX - 9) / 10)
					return 0;
				v = v * 10 + (*path - '0');
				path++;
			}
			if (*nids >= ROUTER_MAX_IDS)
				return 0;
			ids[(*nids)++] = v;
			pat++;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

enum router_result router_match(const void *entries, size_t n, size_t stride, const char *method,
                                const char *path, size_t *index, int64_t ids[ROUTER_MAX_IDS],
                                size_t *nids)
{
	int path_known = 0;
	for (size_t i = 0; i < n; i++) {
		const struct router_entry *e =
		    (const struct router_entry *)((const char *)entries + i * stride);
		int64_t tmp[ROUTER_MAX_IDS];
		size_t nt;
		if (!match(e->pattern, path, tmp, &nt))
			continue;
		path_known = 1;
		/* HEAD is answered like GET. */
		if (strcmp(e->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(e->method, "GET") == 0)) {
			*index = i;
			memcpy(ids, tmp, sizeof tmp);
			*nids = nt;
			return ROUTER_OK;
		}
	}
	return path_known ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}
