/*
 * arena.c — region allocator; see arena.h.
 *
 * Blocks are chained; a request that allocates little touches one 8 KiB
 * block.  Large allocations get a block of their own.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
	struct block *next;
	size_t size;
	size_t used;
	max_align_t data[]; /* aligned storage */
};

struct arena {
	struct block *head;
	size_t total;
	size_t cap;
	int failed; /* an allocation has failed: see arena_failed() */
};

#define BLOCK_SIZE 8192u

struct arena *arena_new(size_t cap)
{
	struct arena *a = calloc(1, sizeof *a);
	if (a)
		a->cap = cap ? cap : (size_t)64 * 1024 * 1024;
	return a;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct block *b = a->head;
	while (b) {
		struct block *n = b->next;
		free(b);
		b = n;
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - align) {
		a->failed = 1;
		return NULL;
	}
	n = (n + align - 1) / align * align;
	struct block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
		if (a->total + size > a->cap || size > SIZE_MAX - sizeof *b) {
			a->failed = 1;
			return NULL;
		}
		b = malloc(sizeof *b + size);
		if (!b) {
			a->failed = 1;
			return NULL;
		}
		b->size = size;
		b->used = 0;
		a->total += size;
		if (a->head && size > BLOCK_SIZE) {
			/* A big block goes behind the head so the head's free
			 * space stays usable for small allocations. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void *arena_grow(struct arena *a, void *arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return arr;
	size_t nc = *cap ? *cap * 2 : 16;
	if (elem && nc > SIZE_MAX / elem) {
		a->failed = 1;
		return NULL;
	}
	void *p = arena_alloc(a, nc * elem);
	if (p && n)
		memcpy(p, arr, n * elem);
	if (p)
		*cap = nc;
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = NULL;
	if (n >= 0 && (p = arena_alloc(a, (size_t)n + 1)) != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

int arena_failed(const struct arena *a)
{
	return a ? a->failed : 0;
}
