/*
 * kv.h — name/value pairs from outside input: URL-encoded forms and query
 * strings, and the Cookie header.
 *
 * The parsers copy into arena memory and never fail on malformed input: a
 * broken percent escape is kept literally, a pair without '=' gets an empty
 * value.  They do fail (return -1) when a cap is passed, so a hostile body
 * cannot make them allocate without bound.  Values are not checked for
 * UTF-8 here; form validation does that per field.
 */
#ifndef FINSAM_KV_H
#define FINSAM_KV_H

#include <stddef.h>

struct arena;

struct kv {
	char *name;
	char *value;
};

struct kv_list {
	struct kv *items;
	size_t n;
};

#define KV_MAX_PAIRS 256

/* Parses application/x-www-form-urlencoded data of len bytes ('+' is a
 * space).  0 on success, -1 past KV_MAX_PAIRS or out of arena memory. */
int kv_parse_urlencoded(struct arena *a, const char *data, size_t len, struct kv_list *out);
/* Parses a Cookie header ("a=1; b=2").  Same contract. */
int kv_parse_cookies(struct arena *a, const char *header, struct kv_list *out);
/* First value for name, or NULL. */
const char *kv_get(const struct kv_list *l, const char *name);
/* How many pairs carry this name. */
size_t kv_count(const struct kv_list *l, const char *name);

#endif
