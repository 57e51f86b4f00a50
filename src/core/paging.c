/*
 * paging.c — bounds for a page of a list.
 */
#include "paging.h"

void paging_clamp(struct paging *pg, int nsort)
{
	if (pg->offset < 0)
		pg->offset = 0;
	if (pg->limit < 1)
		pg->limit = 1;
	if (pg->limit > PAGING_MAX)
		pg->limit = PAGING_MAX;
	if (pg->sort < 0 || pg->sort >= nsort)
		pg->sort = 0;
	pg->desc = pg->desc ? 1 : 0;
	pg->total = 0;
	pg->more = 0;
}
