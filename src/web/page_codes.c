/*
 * page_codes.c — the administrator's view of the code lists kept as data:
 * relabel an item, retire it or bring it back.  Codes themselves never
 * change, so registrations made earlier keep their meaning.
 */
#include <string.h>

#include "../core/codes.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "pages.h"

static const struct {
	const char *list, *title;
} code_lists[] = {
    {"support", "Försörjning"},       {"employment", "Sysselsättning"},
    {"education", "Utbildningsnivå"}, {"support_time", "Tid i offentlig försörjning"},
    {"target_group", "Målgrupper"},   {"orientation_detail", "Preciserad inriktning"},
    {"end_reason", "Avslutsorsaker"}, {"referral_source", "Anmäld av"},
};
#define NLISTS (sizeof code_lists / sizeof code_lists[0])

static void codes_page(struct req *r, const struct field_error *err)
{
	struct buf *b = &r->out;
	page_begin(r, "Kodlistor");
	html_printf(
	    b, "<h1>Kodlistor</h1><p>Benämningarna kan ändras och alternativ tas ur bruk. "
	       "Koderna ändras aldrig, så tidigare registreringar behåller sin betydelse.</p>");
	/* A failed save shows the row again with what was typed, its error
	 * beside it and linked from the summary. */
	const char *plist = err ? kv_get(&r->form, "list") : NULL;
	const char *pcode = err ? kv_get(&r->form, "code") : NULL;
	const char *plabel = err ? kv_get(&r->form, "label") : NULL;
	if (err && field_error_count(err)) {
		html_printf(b, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\">"
		               "<h2>Något behöver rättas</h2><ul>");
		for (int i = 0; i < field_error_count(err); i++) {
			const char *field, *message;
			field_error_get(err, i, &field, &message);
			if (plist && pcode && strcmp(field, "label") == 0)
				html_printf(b, "<li><a href=\"#c-%s-%s\">%s</a></li>", plist, pcode,
				            message);
			else
				html_printf(b, "<li>%s</li>", message);
		}
		html_printf(b, "</ul></div>");
	}
	for (size_t l = 0; l < NLISTS; l++) {
		struct code_item *c;
		size_t n;
		if (codes_list(r->db, r->arena, code_lists[l].list, 1, &c, &n))
			continue;
		html_printf(b,
		            "<h2>%s</h2><table class=\"wide\"><caption>%s</caption><thead><tr>"
		            "<th scope=\"col\">Kod</th><th scope=\"col\">Benämning</th>"
		            "<th scope=\"col\">Status</th></tr></thead><tbody>",
		            code_lists[l].title, code_lists[l].title);
		for (size_t i = 0; i < n; i++) {
			int posted = plist && pcode && strcmp(plist, c[i].list) == 0 &&
			             strcmp(pcode, c[i].code) == 0;
			const char *msg = posted ? field_error_for(err, "label") : NULL;
			const char *pa = posted ? kv_get(&r->form, "active") : NULL;
			int active = pa ? strcmp(pa, "1") == 0 : c[i].active;
			html_printf(
			    b,
			    "<tr><td data-label=\"Kod\">%s</td><td data-label=\"Benämning\"><form "
			    "class=\"inline\" method=\"post\" action=\"/kodlistor\" novalidate>"
			    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"list\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"code\" value=\"%s\">"
			    "<label class=\"visually-hidden\" for=\"c-%s-%s\">Benämning för "
			    "%s</label>",
			    c[i].code, r->who.csrf, c[i].list, c[i].code, c[i].list, c[i].code,
			    c[i].code);
			if (msg)
				html_printf(b,
				            "<p class=\"field-error\" id=\"e-c-%s-%s\">%s</p>"
				            "<input type=\"text\" id=\"c-%s-%s\" name=\"label\" "
				            "value=\"%s\" required aria-required=\"true\" "
				            "aria-invalid=\"true\" aria-describedby=\"e-c-%s-%s\">",
				            c[i].list, c[i].code, msg, c[i].list, c[i].code,
				            plabel ? plabel : "", c[i].list, c[i].code);
			else
				html_printf(b,
				            "<input type=\"text\" id=\"c-%s-%s\" name=\"label\" "
				            "value=\"%s\" required aria-required=\"true\">",
				            c[i].list, c[i].code, c[i].label);
			html_printf(b,
			            "<select name=\"active\" aria-label=\"Status för %s\">"
			            "<option value=\"1\"%s>I bruk</option><option value=\"0\"%s>Ur "
			            "bruk</option>"
			            "</select> <button type=\"submit\" class=\"secondary\">Spara "
			            "<span "
			            "class=\"visually-hidden\">%s</span></button></form></td><td "
			            "data-label=\"Status\">%s</td></"
			            "tr>",
			            c[i].code, active ? " selected" : "", active ? "" : " selected",
			            c[i].code, c[i].active ? "I bruk" : "Ur bruk");
		}
		html_printf(b, "</tbody></table>");
	}
	page_end(r);
}

void page_codes(struct req *r)
{
	codes_page(r, NULL);
}

/* When the POST would take an item in use out of use without the
 * confirmation: writes the confirmation page (422, what was posted kept)
 * and returns 1.  Otherwise 0. */
static int retire_unconfirmed(struct req *r, const char *list, const char *code, int act)
{
	if (act != 0 || confirm_given(r))
		return 0;
	struct code_item *c;
	size_t n;
	if (codes_list(r->db, r->arena, list, 1, &c, &n))
		return 0; /* the core answers */
	size_t i = 0;
	while (i < n && strcmp(c[i].code, code) != 0)
		i++;
	if (i == n || !c[i].active)
		return 0;
	const char *title = list;
	for (size_t l = 0; l < NLISTS; l++)
		if (strcmp(code_lists[l].list, list) == 0)
			title = code_lists[l].title;
	struct confirm cf = {
	    arena_printf(r->arena, "Ta ”%s” ur bruk", c[i].label),
	    "Posten tas ur bruk",
	    {arena_printf(r->arena,
	                  "”%s” i kodlistan %s går inte längre att välja när något nytt "
	                  "registreras. Registreringar som redan har den behåller den.",
	                  c[i].label, title),
	     NULL},
	    "/kodlistor",
	    "Jag förstår att posten inte längre går att välja",
	    "Ta ur bruk",
	    "/kodlistor",
	    "Avbryt, behåll posten i bruk",
	    NULL};
	const char *error = confirm_error(r);
	r->status = 422;
	confirm_page_begin(r, &cf, error);
	confirm_keep_posted(r);
	confirm_page_end(r, &cf, error);
	return 1;
}

void page_codes_post(struct req *r)
{
	const char *list = kv_get(&r->form, "list"), *code = kv_get(&r->form, "code");
	const char *label = kv_get(&r->form, "label"), *active = kv_get(&r->form, "active");
	struct field_error err = {0};
	/* Only the two choices of the select: anything else is refused by the
	 * core, not taken as "retire". */
	int act = !active ? -1 : strcmp(active, "1") == 0 ? 1 : strcmp(active, "0") == 0 ? 0 : -1;
	if (list && code && retire_unconfirmed(r, list, code, act))
		return;
	enum rc rc = list && code ? codes_update(r->db, &r->actor, list, code, label, act, &err)
	                          : RC_NOT_FOUND;
	if (post_answered(r, rc, "/kodlistor", "kodlista", NULL, NULL))
		return;
	codes_page(r, &err);
}
