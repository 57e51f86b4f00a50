/*
 * paging.h — one page of a list.  Every list in the program is read a page
 * at a time, in a fixed order chosen from the list's own sort keys, and
 * says how many rows it has in all, so nothing is ever cut off unseen.
 */
#ifndef FINSAM_PAGING_H
#define FINSAM_PAGING_H

#include <stdint.h>

/* The most rows one page may hold. */
#define PAGING_MAX 500

struct paging {
	int64_t offset; /* rows skipped before this page, >= 0 */
	int64_t limit;  /* rows wanted, 1..PAGING_MAX */
	int sort;       /* the list's sort key: 0 its default, see each list */
	int desc;       /* 1 for descending order */
	int64_t total;  /* out: rows in the whole list */
};

/* Clamps a caller's paging to valid values (offset >= 0, 1 <= limit <=
 * PAGING_MAX, sort within 0..nsort-1, desc 0 or 1). */
void paging_clamp(struct paging *pg, int nsort);

#endif
