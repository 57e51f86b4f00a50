/*
 * listing.c — paging and sorting frame for list pages (see listing.h).
 */
#include "listing.h"

#include <stdint.h>
#include <string.h>

#include "../util/arena.h"
#include "../util/html.h"
#include "../util/str.h"
#include "participation_json.h"
#include "web.h"

static const char *param(struct req *r, const struct list_view *v, const char *name)
{
	return req_query(r, arena_printf(r->arena, "%s%s", v->prefix ? v->prefix : "", name));
}

int list_parse(struct req *r, struct list_view *v)
{
	const char *ps = param(r, v, "sida"), *so = param(r, v, "sortera"),
	           *di = param(r, v, "ordning");
	int64_t page = 1;
	if (ps && *ps && (!str_to_i64(ps, &page) || page < 1 || page > 1000000000)) {
		respond_error(r, 400,
		              "Sidnumret ska vara ett heltal från 1 till 1\xc2\xa0"
		              "000\xc2\xa0"
		              "000\xc2\xa0"
		              "000.");
		return -1;
	}
	int sort = 0;
	if (so && *so) {
		sort = -1;
		for (int i = 0; i < v->nkeys; i++)
			if (strcmp(so, v->keys[i].name) == 0)
				sort = i;
		if (sort < 0) {
			respond_error(r, 400, "Listan kan inte sorteras så.");
			return -1;
		}
	}
	int desc = v->keys[sort].default_desc;
	if (di && *di) {
		if (strcmp(di, "stigande") == 0)
			desc = 0;
		else if (strcmp(di, "fallande") == 0)
			desc = 1;
		else {
			respond_error(r, 400, "Ordningen ska vara stigande eller fallande.");
			return -1;
		}
	}
	v->page = page;
	v->pg.offset = (page - 1) * LIST_PAGE;
	v->pg.limit = LIST_PAGE;
	v->pg.sort = sort;
	v->pg.desc = desc;
	v->pg.total = 0;
	return 0;
}

/* The URL of page `page` sorted by key `sort` in direction `desc`. */
static const char *link(struct req *r, const struct list_view *v, int64_t page, int sort, int desc)
{
	const char *pre = v->prefix ? v->prefix : "";
	const char *s = arena_printf(r->arena, "%s%c%ssida=%lld", v->base,
	                             strchr(v->base, '?') ? '&' : '?', pre, (long long)page);
	if (sort != 0 || desc != v->keys[0].default_desc)
		s = arena_printf(r->arena, "%s&%ssortera=%s&%sordning=%s", s, pre,
		                 v->keys[sort].name, pre, desc ? "fallande" : "stigande");
	if (v->anchor)
		s = arena_printf(r->arena, "%s#%s", s, v->anchor);
	return s;
}

static int64_t last_page(const struct list_view *v)
{
	return v->pg.total ? (v->pg.total + LIST_PAGE - 1) / LIST_PAGE : 1;
}

void list_summary(struct req *r, const struct list_view *v)
{
	struct buf *b = &r->out;
	int64_t total = v->pg.total, from = v->pg.offset + 1;
	if (total == 0 && !v->pg.more) {
		html_printf(b, "<p class=\"list-summary\">%s</p>",
		            v->empty ? v->empty : "Listan är tom.");
		return;
	}
	if (from > total && !v->pg.more) {
		html_printf(b, "<p class=\"list-summary\">Sidan %lld finns inte, listan har ",
		            (long long)v->page);
		html_int_sv(b, last_page(v));
		html_printf(b, " %s. <a href=\"%s\">Gå till första sidan</a>.</p>",
		            last_page(v) == 1 ? "sida" : "sidor",
		            link(r, v, 1, v->pg.sort, v->pg.desc));
		return;
	}
	int64_t to = v->pg.offset + v->pg.limit < total ? v->pg.offset + v->pg.limit : total;
	html_printf(b, "<p class=\"list-summary\">Visar ");
	html_int_sv(b, from);
	html_printf(b, "–");
	html_int_sv(b, to);
	/* A bounded count says so: never a cut total as if it were all. */
	html_printf(b, " av %s", v->pg.more ? "fler än " : "");
	html_int_sv(b, total);
	html_printf(b, ".</p>");
}

void list_th(struct req *r, const struct list_view *v, const char *label, int key, const char *cls)
{
	struct buf *b = &r->out;
	const char *c = cls ? cls : "";
	if (key < 0 || key >= v->nkeys) {
		html_printf(b, "<th scope=\"col\" class=\"%s\">%s</th>", c, label);
		return;
	}
	int current = v->pg.sort == key;
	int next_desc = current ? !v->pg.desc : v->keys[key].default_desc;
	if (current)
		html_printf(b, "<th scope=\"col\" class=\"%s\" aria-sort=\"%s\">", c,
		            v->pg.desc ? "descending" : "ascending");
	else
		html_printf(b, "<th scope=\"col\" class=\"%s\">", c);
	/* The link's name is the column's; aria-sort tells the order. */
	html_printf(b, "<a class=\"sort\" href=\"%s\">%s</a></th>", link(r, v, 1, key, next_desc),
	            label);
}

void list_pager(struct req *r, const struct list_view *v)
{
	if (v->pg.more) {
		/* A bounded count: the last page is not known, so it is not
		 * named; Nästa is, as rows lie past this page. */
		struct buf *b = &r->out;
		html_printf(b, "<nav class=\"pager\" aria-label=\"Sidor: %s\"><ul>", v->label);
		if (v->page > 1)
			html_printf(b, "<li><a href=\"%s\" rel=\"prev\">Föregående</a></li>",
			            link(r, v, v->page - 1, v->pg.sort, v->pg.desc));
		html_printf(b, "<li>Sida ");
		html_int_sv(b, v->page);
		html_printf(b, "</li><li><a href=\"%s\" rel=\"next\">Nästa</a></li></ul></nav>",
		            link(r, v, v->page + 1, v->pg.sort, v->pg.desc));
		return;
	}
	int64_t last = last_page(v);
	if (last <= 1 && v->page <= 1)
		return;
	struct buf *b = &r->out;
	html_printf(b, "<nav class=\"pager\" aria-label=\"Sidor: %s\"><ul>", v->label);
	if (v->page > 1)
		html_printf(
		    b, "<li><a href=\"%s\" rel=\"prev\">Föregående</a></li>",
		    link(r, v, v->page - 1 < last ? v->page - 1 : last, v->pg.sort, v->pg.desc));
	html_printf(b, "<li>Sida ");
	html_int_sv(b, v->page);
	html_printf(b, " av ");
	html_int_sv(b, last);
	html_printf(b, "</li>");
	if (v->page < last)
		html_printf(b, "<li><a href=\"%s\" rel=\"next\">Nästa</a></li>",
		            link(r, v, v->page + 1, v->pg.sort, v->pg.desc));
	html_printf(b, "</ul></nav>");
}

void list_goto_form(struct req *r)
{
	html_printf(
	    &r->out,
	    "<form method=\"get\" action=\"/deltagare\" class=\"goto\">"
	    "<label for=\"f-nr\">Gå till deltagande nr</label>"
	    "<input type=\"text\" id=\"f-nr\" name=\"nr\" inputmode=\"numeric\" "
	    "autocomplete=\"off\" size=\"8\"><button type=\"submit\">Gå till</button></form>");
}

/* A whole number in [lo, hi] from the query, or def when absent. */
static int query_int(struct req *r, const char *name, int64_t lo, int64_t hi, int64_t def,
                     int64_t *out)
{
	const char *s = req_query(r, name);
	*out = def;
	return !s || (str_to_i64(s, out) && *out >= lo && *out <= hi);
}

int list_api_parse(struct req *r, const struct list_key *keys, int nkeys, struct paging *pg)
{
	int64_t limit, offset;
	if (!query_int(r, "limit", 1, PAGING_MAX, 100, &limit)) {
		respond_api_error(r, 400, NULL, "limit",
		                  "limit ska vara ett heltal från 1 till 500.");
		return -1;
	}
	if (!query_int(r, "offset", 0, INT64_MAX / 2, 0, &offset)) {
		respond_api_error(r, 400, NULL, "offset", "offset ska vara ett heltal från 0.");
		return -1;
	}
	const char *so = req_query(r, "sort"), *order = req_query(r, "order");
	int sort = 0;
	if (so) {
		sort = -1;
		for (int i = 0; i < nkeys; i++)
			if (strcmp(so, keys[i].name) == 0)
				sort = i;
		if (sort < 0) {
			respond_api_error(r, 400, NULL, "sort", "Listan kan inte sorteras så.");
			return -1;
		}
	}
	int desc = keys[sort].default_desc;
	if (order && strcmp(order, "asc") == 0)
		desc = 0;
	else if (order && strcmp(order, "desc") == 0)
		desc = 1;
	else if (order) {
		respond_api_error(r, 400, NULL, "order", "order ska vara asc eller desc.");
		return -1;
	}
	pg->offset = offset;
	pg->limit = limit;
	pg->sort = sort;
	pg->desc = desc;
	pg->total = 0;
	return 0;
}

void list_api_reply_fields(struct jdoc *d, json_t *o, const struct paging *pg, size_t n)
{
	/* A bounded count: total is unknown (null), total_more_than says how
	 * many there are at least, less one. */
	jd_set(d, o, "total", pg->more ? json_null() : json_integer(pg->total));
	if (pg->more)
		jd_set(d, o, "total_more_than", json_integer(pg->total));
	jd_set(d, o, "limit", json_integer(pg->limit));
	jd_set(d, o, "offset", json_integer(pg->offset));
	int64_t next = pg->offset + (int64_t)n;
	jd_set(d, o, "next_offset",
	       n > 0 && (pg->more || next < pg->total) ? json_integer(next) : json_null());
}

void list_api_write_fields(struct buf *b, const struct paging *pg, size_t n)
{
	buf_puts(b, ",\"total\":");
	if (pg->more)
		buf_puts(b, "null,\"total_more_than\":");
	json_write_int(b, (long long)pg->total);
	buf_puts(b, ",\"limit\":");
	json_write_int(b, (long long)pg->limit);
	buf_puts(b, ",\"offset\":");
	json_write_int(b, (long long)pg->offset);
	buf_puts(b, ",\"next_offset\":");
	int64_t next = pg->offset + (int64_t)n;
	if (n > 0 && (pg->more || next < pg->total))
		json_write_int(b, (long long)next);
	else
		buf_puts(b, "null");
}
