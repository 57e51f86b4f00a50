/*
 * router.h — matching a request path against the one route table.
 *
 * A pattern is a literal path in which a segment "#" stands for a positive
 * decimal id ("/medlemmar/#/redigera").  Matching captures the ids in order.
 * It knows nothing of HTTP beyond the method string, so it is unit-tested
 * on its own.
 */
#ifndef FINSAM_ROUTER_H
#define FINSAM_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#define ROUTER_MAX_IDS 3

enum router_result {
	ROUTER_OK,        /* method and path matched: *index is the route */
	ROUTER_NOT_FOUND, /* no pattern matches the path */
	ROUTER_BAD_METHOD /* a pattern matches the path, but not with this method */
};

struct router_entry {
	const char *method;
	const char *pattern;
};

/* Looks path up in entries[n] (each entry's method and pattern are read via
 * the stride, so a larger route struct can start with these two fields). */
enum router_result router_match(const void *entries, size_t n, size_t stride, const char *method,
                                const char *path, size_t *index, int64_t ids[ROUTER_MAX_IDS],
                                size_t *nids);

#endif
