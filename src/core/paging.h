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
/* A list that must count its rows one by one (a work list, whose rows no
 * tally can keep: the long-running one depends on today's date) counts at
 * most this many past the page's offset.  Beyond it the list says "fler
 * än 10 000" (pg->more), and its count costs a bounded read whatever the
 * list's size. */
#define PAGING_COUNT_CAP 10000
/* Such a list is read only among its first this many rows (2 000 pages
 * of 50): a page further in, like its count, would cost a read of every
 * row before it.  The end of the list is reached by turning its order. */
#define PAGING_OFFSET_MAX 100000

struct paging {
	int64_t offset; /* rows skipped before this page, >= 0 */
	int64_t limit;  /* rows wanted, 1..PAGING_MAX */
	int sort;       /* the list's sort key: 0 its default, see each list */
	int desc;       /* 1 for descending order */
	int64_t total;  /* out: rows in the whole list; with more, a lower bound */
	int more;       /* out: 1 when the list holds more than total rows (a
	                 * bounded count stopped there); 0 when total is exact */
};

/* Clamps a caller's paging to valid values (offset >= 0, 1 <= limit <=
 * PAGING_MAX, sort within 0..nsort-1, desc 0 or 1); total and more 0. */
void paging_clamp(struct paging *pg, int nsort);

#endif
