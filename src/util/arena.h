/*
 * arena.h — region allocator for memory that lives as long as one request
 * (or one command).
 *
 * Everything allocated from an arena is freed at once by arena_free(); no
 * single allocation is freed on its own.  A request context owns one arena,
 * and every string a handler builds for that request comes from it, so a
 * handler never has to track who frees what.  An arena has a total cap; an
 * allocation past it returns NULL, and the arena remembers that it failed
 * (arena_failed), so code that copies many values (db_fetch_all) can report
 * RC_NOMEM once instead of checking every copy, and a failed copy is never
 * mistaken for a NULL value.
 */
#ifndef FINSAM_ARENA_H
#define FINSAM_ARENA_H

#include <stddef.h>

struct arena;

/* New arena with a total cap in bytes (0 = 64 MiB).  Free with arena_free. */
struct arena *arena_new(size_t cap);
void arena_free(struct arena *a);
/* Zeroed memory aligned for any type, or NULL past the cap. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies of strings; NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Makes room for element n in an arena array of elem-sized items whose
 * capacity is *cap, doubling into new arena memory (the old block is left
 * to the arena).  Returns the array, or NULL past the cap. */
void *arena_grow(struct arena *a, void *arr, size_t *cap, size_t n, size_t elem);
/* printf into arena memory (vsnprintf underneath). */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 once any allocation from a has failed (past the cap, or malloc failed);
 * it stays set until arena_free.  0 otherwise, and for a NULL arena never
 * allocated from. */
int arena_failed(const struct arena *a);

#endif
