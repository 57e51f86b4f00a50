/*
 * page_participation_list.c — participations in lists: the participant
 * list of an insats, the queue, the work lists, "go to participation"
 * by number, and the search by personnummer for a deltagaransvarig.
 *
 * No list and no URL carries an identity: a participation is known by its
 * number, and a personnummer is searched only through a POST (the core
 * checks the role and logs the search).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/intervention.h"
#include "../core/org.h"
#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../core/pnr.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/plural.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "entity.h"
#include "form.h"
#include "labels.h"
#include "listing.h"
#include "pages.h"
#include "participation_pages.h"

static void pnr_search_form(struct req *r);

/* ---- lists ---------------------------------------------------------------------------------- */

/* The participation lists sort by their date (first key) or by number. */
static const struct list_key referral_keys[] = {{"anmald", 1}, {"nr", 0}};
static const struct list_key queue_keys[] = {{"anmald", 0}, {"nr", 0}};
static const struct list_key start_keys[] = {{"start", 0}, {"nr", 0}};
static const struct list_key end_keys[] = {{"slut", 0}, {"nr", 0}};

/* Which column the list's date key sorts. */
enum date_col { COL_REFERRED, COL_START, COL_END };

static void participation_table(struct req *r, const struct list_view *v, const char *caption,
                                const struct participation *p, size_t n, int show_intervention,
                                int show_wait, enum date_col date)
{
	struct buf *b = &r->out;
	list_summary(r, v);
	if (n == 0)
		return;
	html_printf(b, "<table class=\"wide\"><caption>%s</caption><thead><tr>", caption);
	list_th(r, v, "Nr", PSORT_NR, NULL);
	if (show_intervention)
		list_th(r, v, "Insats", -1, NULL);
	list_th(r, v, "Kön", -1, NULL);
	list_th(r, v, "Status", -1, NULL);
	list_th(r, v, "Anmäld", date == COL_REFERRED ? PSORT_DATE : -1, NULL);
	list_th(r, v, "Hemkommun", -1, NULL);
	list_th(r, v, "Start", date == COL_START ? PSORT_DATE : -1, NULL);
	list_th(r, v, "Slut", date == COL_END ? PSORT_DATE : -1, NULL);
	list_th(r, v, "Samtycke", -1, NULL);
	if (show_wait)
		list_th(r, v, "Väntat (dagar)", -1, "num");
	html_printf(b, "</tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		html_printf(b,
		            "<tr><td data-label=\"Nr\"><a href=\"/deltagare/%lld\">%lld</a></td>",
		            (long long)p[i].id, (long long)p[i].id);
		if (show_intervention)
			html_printf(b, "<td data-label=\"Insats\">%s</td>", p[i].intervention_name);
		char d1[SVTIME_MAX], d2[SVTIME_MAX], d3[SVTIME_MAX];
		html_printf(b,
		            "<td data-label=\"Kön\">%s</td><td data-label=\"Status\">%s%s</td>"
		            "<td data-label=\"Anmäld\">%s</td><td data-label=\"Hemkommun\">%s</td>"
		            "<td data-label=\"Start\">%s</td><td data-label=\"Slut\">%s</td>"
		            "<td data-label=\"Samtycke\">%s</td>",
		            org_label(label_sexes, p[i].sex), participation_state_label(p[i].state),
		            p[i].counts ? "" : " (utanför statistiken)",
		            svtime_date(d1, p[i].referred_on),
		            participation_dash(p[i].home_area_name), svtime_date(d2, p[i].start_on),
		            svtime_date(d3, p[i].end_on), participation_consent_label(&p[i]));
		if (show_wait)
			html_printf(b, "<td class=\"num\" data-label=\"Väntat (dagar)\">%d</td>",
			            p[i].waiting_days);
		html_printf(b, "</tr>");
	}
	html_printf(b, "</tbody></table>");
	list_pager(r, v);
}

void page_participants(struct req *r)
{
	struct intervention x;
	struct participation *p;
	size_t n;
	struct list_view v = {
	    arena_printf(r->arena, "/insatser/%lld/deltagare", (long long)r->ids[0]),
	    "",
	    NULL,
	    "deltagande",
	    referral_keys,
	    2,
	    1,
	    {0},
	    NULL};
	if (list_parse(r, &v))
		return;
	enum rc rc = intervention_get(r->db, r->arena, r->ids[0], &x);
	if (!rc)
		rc = participation_list(r->db, r->arena, actor_now(&r->actor), x.id, &v.pg, &p, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	/* An empty list says what to do next, and only points to Ny anmälan
   * for someone who may register here. */
	int may_register = auth_allows(r->who.role, PERM_PARTICIPANT_WRITE) &&
	                   intervention_is_staff(r->db, x.id, r->who.user_id, "deltagaransvarig");
	if (strcmp(x.method, "person") != 0)
		v.empty = "Insatsen följs upp med antal per period, inte per deltagare. Antalen "
		          "finns på insatsens sida.";
	else if (may_register)
		v.empty = "Insatsen har inga deltaganden än. Nya registreras med Ny anmälan.";
	else
		v.empty = "Insatsen har inga deltaganden än. Insatsens deltagaransvariga "
		          "registrerar "
		          "nya anmälningar.";
	char *title = arena_printf(r->arena, "Deltagare i %s", x.name);
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>", title);
	if (may_register && strcmp(x.method, "person") == 0)
		html_printf(&r->out,
		            "<p class=\"actions\"><a class=\"button\" "
		            "href=\"/insatser/%lld/anmalan\">Ny "
		            "anmälan</a></p>",
		            (long long)x.id);
	list_goto_form(r);
	pnr_search_form(r);
	participation_table(r, &v, "Deltaganden", p, n, 0, 0, COL_REFERRED);
	html_printf(&r->out, "<p><a href=\"/insatser/%lld\">Tillbaka till insatsen</a></p>",
	            (long long)x.id);
	page_end(r);
}

void page_queue(struct req *r)
{
	int64_t assoc = entity_association(r);
	int64_t intervention = 0, area = 0;
	const char *qi = req_query(r, "insats"), *qa = req_query(r, "kommun");
	if ((qi && *qi && (!str_to_i64(qi, &intervention) || intervention < 0)) ||
	    (qa && *qa && (!str_to_i64(qa, &area) || area < 0))) {
		respond_error(r, 400, "Ogiltigt filter.");
		return;
	}
	const char *base = "/ko";
	if (intervention)
		base = arena_printf(r->arena, "%s?insats=%lld", base, (long long)intervention);
	if (area)
		base = arena_printf(r->arena, "%s%ckommun=%lld", base, intervention ? '&' : '?',
		                    (long long)area);
	struct list_view v = {base,
	                      "",
	                      NULL,
	                      "kön",
	                      queue_keys,
	                      2,
	                      1,
	                      {0},
	                      intervention || area
	                          ? "Ingen står i kö med det urvalet just nu."
	                          : "Ingen står i kö just nu. Nya anmälningar registreras "
	                            "under Ny anmälan på insatsens sida."};
	if (list_parse(r, &v))
		return;
	struct participation *p;
	struct intervention *x;
	struct area *ar;
	size_t n, nx, na;
	enum rc rc = assoc ? participation_queue(r->db, r->arena, actor_now(&r->actor), assoc,
	                                         intervention, area, &v.pg, &p, &n)
	                   : RC_DB;
	if (!rc)
		rc = intervention_list(r->db, r->arena, assoc, &x, &nx);
	if (!rc)
		rc = org_area_list(r->db, r->arena, assoc, &ar, &na);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Kö");
	html_printf(b, "<h1>Kö</h1><p>Anmälda som inte har börjat, den som väntat längst "
	               "först.</p>"
	               "<form method=\"get\" action=\"/ko\" class=\"edit\"><div class=\"field\">"
	               "<label for=\"f-insats\">Insats</label><select id=\"f-insats\" "
	               "name=\"insats\">"
	               "<option value=\"\">Alla insatser</option>");
	for (size_t i = 0; i < nx; i++)
		if (strcmp(x[i].method, "person") == 0)
			html_printf(b, "<option value=\"%lld\"%s>%s</option>", (long long)x[i].id,
			            x[i].id == intervention ? " selected" : "", x[i].name);
	html_printf(b, "</select></div><div class=\"field\"><label "
	               "for=\"f-kommun\">Hemkommun</label>"
	               "<select id=\"f-kommun\" name=\"kommun\"><option "
	               "value=\"\">Alla kommuner</option>");
	for (size_t i = 0; i < na; i++)
		if (strcmp(ar[i].kind, "kommun") == 0)
			html_printf(b, "<option value=\"%lld\"%s>%s</option>", (long long)ar[i].id,
			            ar[i].id == area ? " selected" : "", ar[i].name);
	html_printf(b, "</select></div><div class=\"actions\"><button "
	               "type=\"submit\">Visa</button>"
	               "</div></form><p class=\"total\">");
	html_int_sv(b, v.pg.total);
	html_printf(b, " i kö.</p>");
	list_goto_form(r);
	pnr_search_form(r);
	participation_table(r, &v, "Kön", p, n, 1, 1, COL_REFERRED);
	page_end(r);
}

void page_worklists(struct req *r)
{
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	static const struct {
		enum worklist which;
		const char *id, *title, *why;
		const struct list_key *keys;
		enum date_col date;
	} lists[] = {
	    {WORK_LONG_RUNNING, "langa", "Pågått mer än ett år utan avslut",
	     "Kontrollera om deltagandet fortfarande pågår, eller registrera "
	     "avslutet.",
	     start_keys, COL_START},
	    {WORK_CONSENT, "samtycke", "Samtycke saknas eller är återkallat",
	     "Pågående och köande deltaganden som registrerats anonymt. Be om "
	     "samtycke om personen "
	     "vill följas upp med personuppgifter.",
	     queue_keys, COL_REFERRED},
	    {WORK_END_MISSING, "avslut", "Avslut med uppgifter som saknas",
	     "Avslutade deltaganden utan försörjning eller sysselsättning efter "
	     "avslut.",
	     end_keys, COL_END},
	};
	enum { NLISTS = sizeof lists / sizeof lists[0] };
	struct list_view v[NLISTS];
	struct participation *p[NLISTS];
	size_t n[NLISTS];
	/* Each list pages on its own: its parameters carry its id as prefix. */
	for (size_t i = 0; i < NLISTS; i++) {
		v[i] = (struct list_view){"/arbetslistor",
		                          arena_printf(r->arena, "%s-", lists[i].id),
		                          lists[i].id,
		                          lists[i].title,
		                          lists[i].keys,
		                          2,
		                          1,
		                          {0},
		                          "Inget att göra här just nu."};
		if (list_parse(r, &v[i]))
			return;
		enum rc rc = participation_worklist(r->db, r->arena, actor_now(&r->actor), assoc,
		                                    lists[i].which, &v[i].pg, &p[i], &n[i]);
		if (rc == RC_INVALID) { /* core's one rule: a page past PAGING_OFFSET_MAX */
			respond_error(
			    r, 400,
			    "Arbetslistorna visas till och med sida 2 000. Vänd ordningen "
			    "(klicka på kolumnrubriken) för att se slutet av listan.");
			return;
		}
		if (rc) {
			respond_rc(r, rc);
			return;
		}
	}
	struct buf *b = &r->out;
	page_begin(r, "Arbetslistor");
	html_printf(b, "<h1>Arbetslistor</h1>");
	list_goto_form(r);
	pnr_search_form(r);
	for (size_t i = 0; i < NLISTS; i++) {
		html_printf(b, "<h2 id=\"%s\">%s (%s", lists[i].id, lists[i].title,
		            v[i].pg.more ? "fler än " : "");
		html_int_sv(b, v[i].pg.total);
		html_printf(b, ")</h2><p>%s</p>", lists[i].why);
		participation_table(r, &v[i], lists[i].title, p[i], n[i], 1, 0, lists[i].date);
	}
	page_end(r);
}

/* 1 if text parses as a personnummer or samordningsnummer (ten digits or
 * more: participation numbers are far shorter). */
static int looks_like_pnr(struct req *r, const char *text)
{
	char today[11];
	struct pnr parsed;
	const char *why = NULL;
	svtime_today(actor_now(&r->actor), today);
	return strlen(text) >= 10 && pnr_parse(text, today, &parsed, &why) == RC_OK;
}

/* GET /deltagare?nr=123: straight to the participation, or say why not. */
void page_participation_goto(struct req *r)
{
	const char *q = req_query(r, "nr");
	char *nr = q ? str_trim(arena_strdup(r->arena, q)) : NULL;
	int64_t id = 0;
	struct participation x;
	const char *msg;
	if (!nr || !*nr)
		msg = "Skriv numret på ett deltagande.";
	else if (looks_like_pnr(r, nr))
		/* A personnummer typed here: never echoed, and pointed to the
     * audited search (the number is already in this URL, so say so). */
		msg = "Det här ser ut som ett personnummer. Sök inte på personnummer här – "
		      "numret hamnar då i webbadressen. Använd sökningen på personnummer, "
		      "som "
		      "bara finns för deltagaransvariga.";
	else if (!str_to_i64(nr, &id) || id < 1)
		msg = "Numret på ett deltagande är ett heltal, till exempel 123.";
	else {
		enum rc rc = participation_get(r->db, r->arena, actor_now(&r->actor), id, &x);
		if (rc == RC_OK) {
			req_redirect(r, arena_printf(r->arena, "/deltagare/%" PRId64, id));
			return;
		}
		if (rc != RC_NOT_FOUND) {
			respond_rc(r, rc);
			return;
		}
		msg = arena_printf(r->arena, "Det finns inget deltagande med nummer %lld.",
		                   (long long)id);
	}
	r->status = nr && *nr ? 404 : 400;
	page_begin(r, "Gå till deltagande");
	html_printf(&r->out, "<h1>Gå till deltagande</h1><p role=\"alert\">%s</p>", msg);
	list_goto_form(r);
	pnr_search_form(r);
	page_end(r);
}

/* ---- search by personnummer ----------------------------------------------------------------- */

static const struct field search_fields[] = {
    {"pnr", "Personnummer eller samordningsnummer", FT_TEXT, 1, 13, NULL,
     "Söker bara i de insatser där du är deltagaransvarig. Sökningen loggas.", "off"},
    {"reason", "Skäl", FT_SELECT, 1, 20, personal_look_reasons, NULL, NULL},
};

/* The compact search form on the list pages, for those who may see
 * identities (a deltagaransvarig); a POST, so the number is never in a URL. */
static void pnr_search_form(struct req *r)
{
	if (r->who.role != ROLE_CASEWORKER)
		return;
	html_printf(&r->out,
	            "<form method=\"post\" action=\"/deltagare/sok\" class=\"goto\">"
	            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	            "<label for=\"f-sok-pnr\">Sök på personnummer</label>"
	            "<input type=\"text\" id=\"f-sok-pnr\" name=\"pnr\" autocomplete=\"off\" "
	            "size=\"13\" required aria-required=\"true\">"
	            "<label for=\"f-sok-reason\">Skäl</label>"
	            "<select id=\"f-sok-reason\" name=\"reason\">",
	            r->who.csrf);
	for (const struct org_code *c = personal_look_reasons; c->code; c++)
		html_printf(&r->out, "<option value=\"%s\">%s</option>", c->code, c->label);
	html_printf(&r->out, "</select><button type=\"submit\">Sök</button></form>");
}

/* POST /deltagare/sok: the participations with this number in the caller's
 * own insatser.  The core checks the role and audits the search; the
 * number stays in the form of this answer and never reaches a URL. */
void page_participation_search_post(struct req *r)
{
	struct form f;
	FORM_INIT(&f, search_fields);
	form_read_kv(&f, r->arena, &r->form);
	struct participation *p = NULL;
	size_t n = 0;
	int searched = 0;
	if (form_check(&f) != RC_OK) {
		/* The number is checked too, so every mistake shows at once. */
		const char *typed = form_get(&f, "pnr");
		char today[11];
		struct pnr parsed;
		const char *why = NULL;
		svtime_today(actor_now(&r->actor), today);
		if (typed && !field_error_for(&f.err, "pnr") &&
		    pnr_parse(typed, today, &parsed, &why) != RC_OK) {
			struct field_error pe = {0};
			field_error_set(&pe, "pnr", why);
			form_fail(&f, &pe);
		}
	} else {
		struct field_error err = {0};
		enum rc rc = personal_find_by_pnr(r->db, r->vault, &r->actor, entity_association(r),
		                                  form_get(&f, "pnr"), form_get(&f, "reason"),
		                                  r->arena, &p, &n, &err);
		if (rc == RC_INVALID)
			form_fail(&f, &err);
		else if (rc) {
			respond_rc(r, rc);
			return;
		} else
			searched = 1;
	}
	if (!searched)
		r->status = 422;
	page_begin(r, "Sök på personnummer");
	struct buf *b = &r->out;
	html_printf(b, "<h1>Sök på personnummer</h1>");
	if (searched) {
		char what[PLURAL_MAX];
		if (n == 0)
			html_printf(
			    b, "<p role=\"status\">Inget deltagande med det numret i de insatser "
			       "där du är deltagaransvarig. Numret sparas bara med samtycke, så en "
			       "anonym registrering hittas inte.</p>");
		else {
			html_printf(
			    b, "<p role=\"status\">%s med det numret i dina insatser.</p>",
			    sv_count(what, sizeof what, (long long)n, "deltagande", "deltaganden"));
			html_printf(b, "<table class=\"wide\"><caption>Träffar</caption><thead><tr>"
			               "<th scope=\"col\">Nr</th><th scope=\"col\">Insats</th>"
			               "<th scope=\"col\">Status</th><th scope=\"col\">Anmäld</th>"
			               "</tr></thead><tbody>");
			for (size_t i = 0; i < n; i++) {
				char d[SVTIME_MAX];
				html_printf(
				    b,
				    "<tr><td data-label=\"Nr\"><a href=\"/deltagare/%lld\">%lld</a>"
				    "</td><td data-label=\"Insats\">%s</td><td "
				    "data-label=\"Status\">"
				    "%s</td><td data-label=\"Anmäld\">%s</td></tr>",
				    (long long)p[i].id, (long long)p[i].id, p[i].intervention_name,
				    participation_state_label(p[i].state),
				    svtime_date(d, p[i].referred_on));
			}
			html_printf(b, "</tbody></table>");
		}
		html_printf(b, "<h2>Sök igen</h2>");
	}
	form_render(b, &f, "/deltagare/sok", r->who.csrf, "Sök");
	page_end(r);
}
