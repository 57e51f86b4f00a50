/*
 * kv.c — URL-encoded and cookie parsing; see kv.h.
 */
#include "kv.h"
#include "arena.h"

#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into arena memory; '+' becomes ' ' when plus is set. */
static char *decode(struct arena *a, const char *s, size_t n, int plus)
{
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+' && plus) {
			out[j++] = ' ';
		} else if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		           hexval(s[i + 2]) >= 0) {
			out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[j++] = c;
		}
	}
	out[j] = '\0';
	return out;
}

static int push(struct arena *a, struct kv_list *l, size_t *cap, char *name, char *value)
{
	if (l->n >= KV_MAX_PAIRS)
		return -1;
	if (l->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct kv *items = arena_alloc(a, nc * sizeof *items);
		if (!items)
			return -1;
		if (l->n)
			memcpy(items, l->items, l->n * sizeof *items);
		l->items = items;
		*cap = nc;
	}
	l->items[l->n].name = name;
	l->items[l->n].value = value;
	l->n++;
	return 0;
}

int kv_parse_urlencoded(struct arena *a, const char *data, size_t len, struct kv_list *out)
{
	size_t cap = 0;
	out->items = NULL;
	out->n = 0;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && data[i] != '&')
			i++;
		size_t end = i;
		if (i < len)
			i++; /* skip '&' */
		if (end == start)
			continue;
		size_t eq = start;
		while (eq < end && data[eq] != '=')
			eq++;
		char *name = decode(a, data + start, eq - start, 1);
		char *value =
		    eq < end ? decode(a, data + eq + 1, end - eq - 1, 1) : arena_strdup(a, "");
		if (!name || !value || push(a, out, &cap, name, value) != 0)
			return -1;
	}
	return 0;
}

int kv_parse_cookies(struct arena *a, const char *header, struct kv_list *out)
{
	size_t cap = 0;
	out->items = NULL;
	out->n = 0;
	if (!header)
		return 0;
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == ';' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != ';')
			p++;
		const char *end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		const char *eq = memchr(start, '=', (size_t)(end - start));
		if (!eq)
			continue;
		char *name = arena_strndup(a, start, (size_t)(eq - start));
		char *value = arena_strndup(a, eq + 1, (size_t)(end - eq - 1));
		if (!name || !value || push(a, out, &cap, name, value) != 0)
			return -1;
	}
	return 0;
}

const char *kv_get(const struct kv_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return l->items[i].value;
	return NULL;
}

size_t kv_count(const struct kv_list *l, const char *name)
{
	size_t c = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			c++;
	return c;
}
