/*
 * page_org.c — the pages that show the förbund's organisation: the förbund
 * and its area, members with population per year, bodies with their
 * mandates, and people.  Creating and editing goes through the generic
 * entity pages (entity.c); these pages only read, except the population
 * form, which posts to its own handler.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/org.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "entity.h"
#include "pages.h"

static int can_write(struct req *r)
{
	return auth_allows(r->who.role, PERM_ORG_WRITE);
}

/* The header of a table's "Ändra" column, for those who may edit. */
static void action_header(struct req *r)
{
	if (can_write(r))
		html_printf(&r->out, "<th scope=\"col\">Åtgärd</th>");
}

static const char *dash(const char *s)
{
	return str_blank(s) ? "–" : s;
}

/* "1 jan 2023 – 31 dec 2026" or "från 1 jan 2023". */
static void term(struct buf *b, const struct mandate *m)
{
	char d1[SVTIME_MAX], d2[SVTIME_MAX];
	if (str_blank(m->end_on))
		html_printf(b, "från %s", svtime_date(d1, m->start_on));
	else
		html_printf(b, "%s – %s", svtime_date(d1, m->start_on), svtime_date(d2, m->end_on));
}

void page_forbund(struct req *r)
{
	struct association a;
	enum rc rc = org_association_current(r->db, r->arena, &a);
	struct area *ar = NULL;
	size_t n = 0;
	if (!rc)
		rc = org_area_list(r->db, r->arena, a.id, &ar, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, a.name);
	html_printf(b,
	            "<h1>%s</h1><dl class=\"facts\"><dt>Organisationsnummer</dt><dd>%s</dd></dl>",
	            a.name, dash(a.org_number));
	if (can_write(r))
		html_printf(b,
		            "<p class=\"actions\"><a class=\"button\" href=\"/forbund/redigera\">"
		            "Ändra förbundets uppgifter</a></p>");
	html_printf(b, "<h2>Område</h2>");
	if (n == 0) {
		html_printf(b, "<p>Inga kommuner eller stadsdelar är registrerade än.</p>");
	} else {
		html_printf(b,
		            "<table class=\"wide\"><caption>Kommuner och stadsdelar i förbundets "
		            "område</caption>"
		            "<thead><tr><th scope=\"col\">Namn</th><th scope=\"col\">Typ</th>"
		            "<th scope=\"col\">Kommunkod</th>");
		action_header(r);
		html_printf(b, "</tr></thead><tbody>");
		for (size_t i = 0; i < n; i++) {
			html_printf(
			    b,
			    "<tr><td data-label=\"Namn\">%s%s%s%s</td><td data-label=\"Typ\">%s"
			    "</td><td data-label=\"Kommunkod\">%s</td>",
			    ar[i].name, ar[i].parent_name ? " (" : "",
			    ar[i].parent_name ? ar[i].parent_name : "",
			    ar[i].parent_name ? ")" : "", org_label(org_area_kinds, ar[i].kind),
			    dash(ar[i].code));
			if (can_write(r))
				html_printf(b,
				            "<td data-label=\"Åtgärd\"><a "
				            "href=\"/forbund/omraden/%lld/redigera\">Ändra "
				            "<span class=\"visually-hidden\">%s</span></a></td>",
				            (long long)ar[i].id, ar[i].name);
			html_printf(b, "</tr>");
		}
		html_printf(b, "</tbody></table>");
	}
	if (can_write(r))
		html_printf(
		    b,
		    "<p><a href=\"/forbund/omraden/ny\">Lägg till kommun eller stadsdel</a></p>");
	page_end(r);
}

void page_members(struct req *r)
{
	int64_t assoc = entity_association(r);
	struct member *m;
	size_t n;
	enum rc rc = assoc ? org_member_list(r->db, r->arena, assoc, &m, &n) : RC_DB;
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Medlemmar");
	html_printf(b, "<h1>Medlemmar</h1>");
	if (can_write(r))
		html_printf(b, "<p class=\"actions\"><a class=\"button\" href=\"/medlemmar/ny\">Ny "
		               "medlem</a></p>");
	html_printf(b, "<table class=\"wide\"><caption>Förbundets parter</caption><thead><tr>"
	               "<th scope=\"col\">Namn</th><th scope=\"col\">Typ</th>"
	               "<th scope=\"col\">Organisationsnummer</th>"
	               "<th scope=\"col\" class=\"num\">Folkmängd</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		html_printf(
		    b,
		    "<tr><td data-label=\"Namn\"><a href=\"/medlemmar/%lld\">%s</a>%s</td>"
		    "<td data-label=\"Typ\">%s</td><td data-label=\"Organisationsnummer\">%s</td>"
		    "<td class=\"num\" data-label=\"Folkmängd\">",
		    (long long)m[i].id, m[i].name, m[i].left_on ? " (utträtt)" : "",
		    org_label(org_member_kinds, m[i].kind), dash(m[i].org_number));
		if (m[i].latest_population >= 0) {
			html_int_sv(b, m[i].latest_population);
			html_printf(b, " <span class=\"muted\">(%d)</span>",
			            m[i].latest_population_year);
		} else {
			html_printf(b, "–");
		}
		html_printf(b, "</td></tr>");
	}
	html_printf(b, "</tbody></table>");
	page_end(r);
}

/* The population form, shown on a kommun's page and re-shown with an error. */
static void population_form(struct req *r, int64_t member_id, const char *year, const char *pop,
                            const struct field_error *err)
{
	static const struct field fields[] = {
	    {"year", "År", FT_INT, 1, 4, NULL, "Folkmängden avser 1 november året före.", NULL},
	    {"population", "Folkmängd", FT_INT, 1, 9, NULL, NULL, NULL},
	};
	struct form f;
	FORM_INIT(&f, fields);
	form_set(&f, r->arena, "year", year);
	form_set(&f, r->arena, "population", pop);
	if (err && err->field[0])
		form_fail(&f, err);
	char *action = arena_printf(r->arena, "/medlemmar/%" PRId64 "/folkmangd", member_id);
	html_printf(&r->out, "<h2 id=\"folkmangd-ny\">Registrera folkmängd</h2>");
	form_render(&r->out, &f, action, r->who.csrf, "Spara folkmängd");
}

static void member_page(struct req *r, int64_t id, const char *year, const char *pop,
                        const struct field_error *err)
{
	struct member m;
	struct population *p = NULL;
	size_t n = 0;
	enum rc rc = org_member_get(r->db, r->arena, id, &m);
	if (!rc)
		rc = org_population_list(r->db, r->arena, id, &p, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, m.name);
	html_printf(b,
	            "<h1>%s</h1><dl class=\"facts\"><dt>Typ</dt><dd>%s</dd>"
	            "<dt>Organisationsnummer</dt><dd>%s</dd>",
	            m.name, org_label(org_member_kinds, m.kind), dash(m.org_number));
	if (strcmp(m.kind, "kommun") == 0)
		html_printf(b, "<dt>Kommunområde</dt><dd>%s</dd>", dash(m.area_name));
	char d1[SVTIME_MAX], d2[SVTIME_MAX];
	html_printf(b, "<dt>Medlem sedan</dt><dd>%s</dd><dt>Utträde</dt><dd>%s</dd></dl>",
	            svtime_date(d1, m.joined_on), svtime_date(d2, m.left_on));
	if (can_write(r))
		html_printf(
		    b,
		    "<p class=\"actions\"><a class=\"button\" href=\"/medlemmar/%lld/redigera\">"
		    "Ändra medlemmen</a></p>",
		    (long long)id);
	if (strcmp(m.kind, "kommun") == 0) {
		html_printf(b, "<h2>Folkmängd</h2>");
		if (n == 0) {
			html_printf(b, "<p>Ingen folkmängd registrerad. Den behövs för att fördela "
			               "kommunernas andel av medlemsavgiften.</p>");
		} else {
			html_printf(
			    b, "<table><caption>Folkmängd per år (1 november året före)</caption>"
			       "<thead><tr><th scope=\"col\">År</th>"
			       "<th scope=\"col\" class=\"num\">Invånare</th></tr></thead><tbody>");
			for (size_t i = 0; i < n; i++) {
				html_printf(b, "<tr><td>%d</td><td class=\"num\">", p[i].year);
				html_int_sv(b, p[i].population);
				html_printf(b, "</td></tr>");
			}
			html_printf(b, "</tbody></table>");
		}
		if (can_write(r))
			population_form(r, id, year, pop, err);
	}
	page_end(r);
}

void page_member(struct req *r)
{
	member_page(r, r->ids[0], NULL, NULL, NULL);
}

void page_member_population_post(struct req *r)
{
	int64_t id = r->ids[0];
	const char *year = kv_get(&r->form, "year");
	const char *pop = kv_get(&r->form, "population");
	int64_t y = 0, p = 0;
	struct field_error err = {0};
	enum rc rc;
	char msg[200];
	/* Parsed with bounds, never cast: "4294969321" is not the year 2025. */
	if (!str_parse_number(year, 0, ORG_POPULATION_YEAR_MIN, ORG_POPULATION_YEAR_MAX, &y, msg,
	                      sizeof msg))
		rc = field_error_set(&err, "year", msg);
	else if (!str_parse_number(pop, 0, 0, ORG_POPULATION_MAX, &p, msg, sizeof msg))
		rc = field_error_set(&err, "population", msg);
	else
		rc = org_population_set(r->db, &r->actor, id, (int)y, p, &err);
	if (post_answered(r, rc, arena_printf(r->arena, "/medlemmar/%" PRId64, id), "folkmangd",
	                  NULL, NULL))
		return;
	member_page(r, id, year, pop, &err);
}

void page_bodies(struct req *r)
{
	int64_t assoc = entity_association(r);
	struct body *bd;
	size_t n;
	enum rc rc =
	    assoc ? org_body_list(r->db, r->arena, assoc, actor_now(&r->actor), &bd, &n) : RC_DB;
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Organ");
	html_printf(b, "<h1>Organ</h1>");
	if (can_write(r))
		html_printf(b, "<p class=\"actions\"><a class=\"button\" href=\"/organ/ny\">Nytt "
		               "organ</a></p>");
	html_printf(
	    b, "<table class=\"wide\"><caption>Styrelse, beredning, kansli och grupper</caption>"
	       "<thead><tr><th scope=\"col\">Namn</th><th scope=\"col\">Typ</th>"
	       "<th scope=\"col\" class=\"num\">Aktuella uppdrag</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++)
		html_printf(b,
		            "<tr><td data-label=\"Namn\"><a href=\"/organ/%lld\">%s</a></td>"
		            "<td data-label=\"Typ\">%s</td>"
		            "<td class=\"num\" data-label=\"Aktuella uppdrag\">%lld</td></tr>",
		            (long long)bd[i].id, bd[i].name, org_label(org_body_kinds, bd[i].kind),
		            (long long)bd[i].current_mandates);
	html_printf(b, "</tbody></table>");
	page_end(r);
}

/* Table of mandates; show_body for a person's page, else show the person. */
static void mandate_table(struct req *r, const char *caption, const struct mandate *m, size_t n,
                          int show_body, int current)
{
	struct buf *b = &r->out;
	char today[11];
	svtime_today(actor_now(&r->actor), today);
	size_t shown = 0;
	for (size_t i = 0; i < n; i++)
		shown += org_mandate_current(&m[i], today) == current;
	if (!shown) {
		html_printf(b, "<p>%s</p>",
		            current ? "Inga aktuella uppdrag." : "Inga tidigare uppdrag.");
		return;
	}
	html_printf(b,
	            "<table class=\"wide\"><caption>%s</caption><thead><tr>"
	            "<th scope=\"col\">%s</th><th scope=\"col\">Roll</th>"
	            "<th scope=\"col\">Företräder</th><th scope=\"col\">Parti</th>"
	            "<th scope=\"col\">Period</th>",
	            caption, show_body ? "Organ" : "Namn");
	action_header(r);
	html_printf(b, "</tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		if (org_mandate_current(&m[i], today) != current)
			continue;
		if (show_body)
			html_printf(
			    b, "<tr><td data-label=\"Organ\"><a href=\"/organ/%lld\">%s</a></td>",
			    (long long)m[i].body_id, m[i].body_name);
		else
			html_printf(
			    b, "<tr><td data-label=\"Namn\"><a href=\"/personer/%lld\">%s</a></td>",
			    (long long)m[i].person_id, m[i].person_name);
		html_printf(b,
		            "<td data-label=\"Roll\">%s</td><td data-label=\"Företräder\">%s</td>"
		            "<td data-label=\"Parti\">%s</td><td data-label=\"Period\">",
		            org_label(org_mandate_roles, m[i].role), dash(m[i].member_name),
		            str_blank(m[i].party) ? "–"
		                                  : arena_printf(r->arena, "(%s)", m[i].party));
		term(b, &m[i]);
		html_printf(b, "</td>");
		if (can_write(r))
			html_printf(
			    b,
			    "<td data-label=\"Åtgärd\"><a href=\"/uppdrag/%lld/redigera\">Ändra "
			    "<span class=\"visually-hidden\">uppdraget för %s</span></a></td>",
			    (long long)m[i].id, show_body ? m[i].body_name : m[i].person_name);
		html_printf(b, "</tr>");
	}
	html_printf(b, "</tbody></table>");
}

void page_body(struct req *r)
{
	struct body bd;
	struct mandate *m = NULL;
	size_t n = 0;
	enum rc rc = org_body_get(r->db, r->arena, r->ids[0], actor_now(&r->actor), &bd);
	if (!rc)
		rc = org_mandate_list(r->db, r->arena, bd.id, 0, &m, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, bd.name);
	html_printf(b, "<h1>%s</h1><dl class=\"facts\"><dt>Typ</dt><dd>%s</dd></dl>", bd.name,
	            org_label(org_body_kinds, bd.kind));
	if (!str_blank(bd.description))
		html_printf(b, "<p>%s</p>", bd.description);
	if (can_write(r))
		html_printf(
		    b,
		    "<p class=\"actions\"><a class=\"button\" href=\"/organ/%lld/uppdrag/ny\">"
		    "Nytt uppdrag</a><a class=\"button secondary\" href=\"/organ/%lld/redigera\">"
		    "Ändra organet</a></p>",
		    (long long)bd.id, (long long)bd.id);
	html_printf(b, "<h2>Aktuella uppdrag</h2>");
	mandate_table(r, "Ledamöter, ersättare och andra roller i dag", m, n, 0, 1);
	html_printf(b, "<h2>Tidigare och kommande uppdrag</h2>");
	mandate_table(r, "Uppdrag utanför dagens datum", m, n, 0, 0);
	page_end(r);
}

void page_people(struct req *r)
{
	int64_t assoc = entity_association(r);
	struct person *p;
	size_t n;
	enum rc rc = assoc ? org_person_list(r->db, r->arena, assoc, &p, &n) : RC_DB;
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Personer");
	html_printf(b, "<h1>Personer</h1><p>Förtroendevalda, tjänstepersoner och kansliets "
	               "medarbetare. Deltagare i insatser registreras inte här.</p>");
	if (can_write(r))
		html_printf(b, "<p class=\"actions\"><a class=\"button\" href=\"/personer/ny\">Ny "
		               "person</a></p>");
	html_printf(b, "<table class=\"wide\"><caption>Alla personer</caption><thead><tr>"
	               "<th scope=\"col\">Namn</th><th scope=\"col\">Befattning</th>"
	               "<th scope=\"col\">Organisation</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++)
		html_printf(b,
		            "<tr><td data-label=\"Namn\"><a href=\"/personer/%lld\">%s</a></td>"
		            "<td data-label=\"Befattning\">%s</td><td "
		            "data-label=\"Organisation\">%s</td></tr>",
		            (long long)p[i].id, p[i].name, dash(p[i].title),
		            dash(p[i].employer_name));
	html_printf(b, "</tbody></table>");
	page_end(r);
}

void page_person(struct req *r)
{
	struct person p;
	struct mandate *m = NULL;
	size_t n = 0;
	enum rc rc = org_person_get(r->db, r->arena, r->ids[0], &p);
	if (!rc)
		rc = org_mandate_list(r->db, r->arena, 0, p.id, &m, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, p.name);
	html_printf(b,
	            "<h1>%s</h1><dl class=\"facts\"><dt>Befattning</dt><dd>%s</dd>"
	            "<dt>Organisation</dt><dd>%s</dd><dt>E-post</dt><dd>",
	            p.name, dash(p.title), dash(p.employer_name));
	if (str_blank(p.email))
		html_printf(b, "–");
	else
		html_printf(b, "<a href=\"mailto:%s\">%s</a>", p.email, p.email);
	html_printf(b, "</dd><dt>Telefon</dt><dd>%s</dd></dl>", dash(p.phone));
	if (can_write(r))
		html_printf(
		    b,
		    "<p class=\"actions\"><a class=\"button\" href=\"/personer/%lld/redigera\">"
		    "Ändra personen</a></p>",
		    (long long)p.id);
	html_printf(b, "<h2>Aktuella uppdrag</h2>");
	mandate_table(r, "Uppdrag i dag", m, n, 1, 1);
	html_printf(b, "<h2>Tidigare och kommande uppdrag</h2>");
	mandate_table(r, "Uppdrag utanför dagens datum", m, n, 1, 0);
	page_end(r);
}

/* GET /api/v1/members/#/population */
void api_member_population_list(struct req *r)
{
	struct member m;
	struct population *p = NULL;
	size_t n = 0;
	enum rc rc = org_member_get(r->db, r->arena, r->ids[0], &m);
	if (!rc)
		rc = org_population_list(r->db, r->arena, m.id, &p, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:i,s:I}", "year", p[i].year, "population",
		                                     (json_int_t)p[i].population));
	respond_json(r, 200, json_pack("{s:I,s:o}", "member_id", (json_int_t)m.id, "items", arr));
}

/* POST /api/v1/members/#/population {"year": 2025, "population": 12345} */
void api_member_population_post(struct req *r)
{
	static const struct field fields[] = {
	    {"year", "År", FT_INT, 1, 4, NULL, NULL, NULL},
	    {"population", "Folkmängd", FT_INT, 1, 9, NULL, NULL, NULL},
	};
	struct form f;
	FORM_INIT(&f, fields);
	enum rc read = form_read_json(&f, r->arena, r->json);
	if (form_check(&f) != RC_OK || read != RC_OK) {
		respond_api_field_errors(r, &f.err);
		return;
	}
	struct field_error err = {0};
	enum rc rc = org_population_set(r->db, &r->actor, r->ids[0], (int)form_id(&f, "year"),
	                                form_id(&f, "population"), &err);
	if (rc == RC_INVALID) {
		respond_api_field_errors(r, &err);
		return;
	}
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	api_member_population_list(r);
}
