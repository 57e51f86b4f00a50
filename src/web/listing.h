/*
 * listing.h — the one paging and sorting frame every list page uses:
 * "Visar 51–100 av 522", Föregående/Nästa, sort links in the column
 * headings with aria-sort, and the go-to form for a participation number.
 *
 * A page reads its list's query parameters with list_parse() (sida,
 * sortera, ordning — each with the view's prefix when one page shows
 * several lists), asks the core for one page, and renders with the rest.
 */
#ifndef FINSAM_LISTING_H
#define FINSAM_LISTING_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/paging.h"
#include "jdoc.h"
#include "req.h"

/* Rows on one page of a list in the web pages. */
#define LIST_PAGE 50

/* A sort key a list offers: its value in the URL, and its usual direction. */
struct list_key {
	const char *name;
	int default_desc;
};

struct list_view {
	const char *base;   /* the list's URL with its filters, e.g. "/ko?insats=3" */
	const char *prefix; /* prefix of the query parameters ("" for the only list) */
	const char *anchor; /* id of the list's heading, kept in page links, or NULL */
	const char *label;  /* what the list is, for the pager's aria-label */
	const struct list_key *keys;
	int nkeys;
	int64_t page; /* 1-based */
	struct paging pg;
	const char *empty; /* what an empty list says, and what to do next; NULL: "Listan är tom." */
};

/* Fills v->page and v->pg (offset, limit LIST_PAGE, sort, desc) from the
 * query.  On a malformed value answers 400 and returns -1. */
int list_parse(struct req *r, struct list_view *v);
/* "Visar 51–100 av 522." (or that the list is empty, or that the page
 * asked for lies past its end, with a link to the first page); after a
 * bounded count (pg.more) "Visar 1–50 av fler än 10 000.". */
void list_summary(struct req *r, const struct list_view *v);
/* A column heading; key is an index into v->keys, or -1 for a column that
 * does not sort.  Sorted columns carry aria-sort. */
void list_th(struct req *r, const struct list_view *v, const char *label, int key, const char *cls);
/* Föregående / Sida 2 av 11 / Nästa, when the list has more than a page;
 * after a bounded count (pg.more) Föregående / Sida 2 / Nästa. */
void list_pager(struct req *r, const struct list_view *v);
/* The API's paging: ?limit= (1..500, default 100), ?offset= (default 0),
 * ?sort= one of keys' names, ?order=asc|desc.  On a malformed value
 * answers 400 naming the parameter and returns -1. */
int list_api_parse(struct req *r, const struct list_key *keys, int nkeys, struct paging *pg);
/* Adds "total", "limit", "offset" and "next_offset" (null on the last page)
 * to an API list reply.  After a bounded count (pg->more) "total" is null
 * and "total_more_than" is the count it stopped at. */
void list_api_reply_fields(struct jdoc *d, json_t *o, const struct paging *pg, size_t n);
/* The same fields written as JSON text after a list's "items" (each
 * preceded by a comma), for a reply written as text. */
void list_api_write_fields(struct buf *b, const struct paging *pg, size_t n);
/* The small GET form that goes to a participation by its number. */
void list_goto_form(struct req *r);

#endif
