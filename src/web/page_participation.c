/*
 * page_participation.c — participants in the browser: the referral form, the
 * participant list of an intervention, one participation with its start, end,
 * attendance, consent and correction forms, the queue and the work lists.
 * The register extract is page_extract.c.
 *
 * No list and no URL carries an identity: a participation is known by its
 * number.  The identity is shown only on request, to a deltagaransvarig of
 * the intervention, in the response to a POST that states why; the core logs it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../core/intervention.h"
#include "../core/org.h"
#include "../core/pnr.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/html.h"
#include "../util/plural.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "entity.h"
#include "form.h"
#include "labels.h"
#include "listing.h"
#include "pages.h"

static const struct org_code sexes[] = {{"K", "Kvinna"}, {"M", "Man"}, {NULL, NULL}};

static const char *state_label(const char *s)
{
	return s ? label_or(label_state(s), "Okänd status") : "–";
}

static void pnr_search_form(struct req *r);

static const char *dash(const char *s)
{
	return str_blank(s) ? "–" : s;
}

static const char *consent_label(const struct participation *p)
{
	if (p->protected_identity)
		return "Skyddade personuppgifter – anonym";
	if (p->consent_withdrawn_on)
		return "Återkallat";
	if (p->identified)
		return "Lämnat";
	return "Saknas – anonym";
}

/* ---- options ---------------------------------------------------------------- */

static void area_options(struct req *r, struct form *f)
{
	struct area *ar;
	size_t n;
	int64_t assoc = entity_association(r);
	if (!assoc || org_area_list(r->db, r->arena, assoc, &ar, &n))
		return;
	struct form_option *k = arena_alloc(r->arena, (n ? n : 1) * sizeof *k);
	struct form_option *d = arena_alloc(r->arena, (n ? n : 1) * sizeof *d);
	size_t nk = 0, nd = 0;
	for (size_t i = 0; k && d && i < n; i++) {
		if (strcmp(ar[i].kind, "kommun") == 0) {
			k[nk].id = ar[i].id;
			k[nk++].label = ar[i].name;
		} else {
			d[nd].id = ar[i].id;
			d[nd++].label =
			    arena_printf(r->arena, "%s, %s", ar[i].parent_name, ar[i].name);
		}
	}
	form_set_options(f, "home_area_id", k, nk);
	form_set_options(f, "home_district_id", d, nd);
}

/* ---- referral ------------------------------------------------------------------ */

static const struct field referral_fields[] = {
    {"referred_on", "Anmälningsdatum", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"source", "Anmäld av", FT_SELECT, 1, 20, NULL, NULL, NULL},
    {"source_member_id", "Anmälande part", FT_ID, 0, 20, NULL,
     "Vilken medlem anmälan kom från, till exempel vilken kommun.", NULL},
    {"source_unit", "Anmälande enhet", FT_TEXT, 0, 120, NULL,
     "Till exempel Socialtjänsten eller Vuxenpsykiatrin.", NULL},
    {"home_area_id", "Hemkommun", FT_ID, 0, 20, NULL, NULL, NULL},
    {"home_district_id", "Stadsdel", FT_ID, 0, 20, NULL, "För kommuner som delas in i stadsdelar.",
     NULL},
    {"sex", "Kön", FT_SELECT, 0, 2, sexes,
     "Behövs vid anonym registrering; med personnummer följer det av numret.", NULL},
    {"consent_on", "Samtycke lämnat", FT_DATE, 0, 10, NULL,
     "Datum för det skriftliga samtycket. Lämna tomt för anonym registrering.", NULL},
    {"consent_form", "Samtyckesblankettens version", FT_TEXT, 0, 40, NULL, "Till exempel 2024:1.",
     NULL},
    {"pnr", "Personnummer eller samordningsnummer", FT_TEXT, 0, 13, NULL,
     "Sparas krypterat, bara med samtycke.", "off"},
    {"name", "Namn", FT_TEXT, 0, 120, NULL, NULL, "off"},
    {"protected", "Skyddade personuppgifter", FT_CHECKBOX, 0, 1, NULL,
     "Personen registreras då alltid anonymt.", NULL},
};
#define NREFERRAL (sizeof referral_fields / sizeof referral_fields[0])

static void referral_setup(struct req *r, struct form *f)
{
	form_init(f, referral_fields, NREFERRAL);
	form_set_codes(f, "source", web_code_options(r, "referral_source"));
	entity_member_options(r, f, "source_member_id");
	area_options(r, f);
}

/* A one-time token is a fresh crypto_token: base64url, fixed length. */
static int token_ok(const char *t)
{
	if (!t || strlen(t) != CRYPTO_TOKEN_LEN)
		return 0;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* The form, with its one-time token (hidden) and, when the person is
 * already in the intervention, the "Registrera ändå" checkbox. */
static void referral_page(struct req *r, struct form *f, const char *token, int duplicate,
                          int confirmed_dup)
{
	struct intervention x;
	enum rc rc = intervention_get(r->db, r->arena, r->ids[0], &x);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	char *title = arena_printf(r->arena, "Ny anmälan till %s", x.name);
	page_begin(r, title);
	html_printf(&r->out,
	            "<h1>%s</h1><p>Utan samtycke registreras deltagaren anonymt: bara kön och "
	            "datum sparas. Med skriftligt samtycke sparas personnummer och namn "
	            "krypterat.</p>",
	            title);
	struct buf extra;
	buf_init(&extra, 4096);
	html_printf(&extra, "<input type=\"hidden\" name=\"form_token\" value=\"%s\">", token);
	if (duplicate)
		html_printf(
		    &extra,
		    "<div class=\"field\"><label for=\"f-confirm_duplicate\">Registrera "
		    "ändå</label><p class=\"hint\" id=\"h-confirm_duplicate\">Om det är en "
		    "ny anmälan för samma person.</p><input type=\"checkbox\" value=\"1\"%s "
		    "id=\"f-confirm_duplicate\" name=\"confirm_duplicate\" "
		    "aria-describedby=\"h-confirm_duplicate\"></div>",
		    confirmed_dup ? " checked" : "");
	form_render_with(&r->out, f, r->path, r->who.csrf, "Registrera anmälan", buf_cstr(&extra));
	buf_release(&extra);
	html_printf(&r->out, "<p><a href=\"/insatser/%lld\">Tillbaka till insatsen</a></p>",
	            (long long)x.id);
	page_end(r);
}

void page_referral_new(struct req *r)
{
	struct form f;
	referral_setup(r, &f);
	char today[11];
	str_today(today);
	form_set(&f, r->arena, "referred_on", today);
	char token[CRYPTO_TOKEN_LEN + 1];
	crypto_token(token);
	referral_page(r, &f, token, 0, 0);
}

void page_referral_post(struct req *r)
{
	struct form f;
	referral_setup(r, &f);
	form_read_kv(&f, r->arena, &r->form);
	int form_ok = form_check(&f) == RC_OK;
	struct referral in = {0};
	in.intervention_id = r->ids[0];
	in.referred_on = form_get(&f, "referred_on");
	in.source = form_get(&f, "source");
	in.source_member_id = form_id(&f, "source_member_id");
	in.source_unit = form_get(&f, "source_unit");
	in.home_area_id = form_id(&f, "home_area_id");
	in.home_district_id = form_id(&f, "home_district_id");
	in.sex = form_get(&f, "sex");
	in.consent_on = form_get(&f, "consent_on");
	in.consent_form = form_get(&f, "consent_form");
	in.pnr = form_get(&f, "pnr");
	in.name = form_get(&f, "name");
	in.protected_identity = form_get(&f, "protected") != NULL;
	const char *cd = kv_get(&r->form, "confirm_duplicate");
	in.confirm_duplicate = cd && strcmp(cd, "1") == 0;
	/* The token the form was rendered with; a form without one (or with
	 * a broken one) gets a new one and no protection against resending. */
	const char *token = kv_get(&r->form, "form_token");
	if (token_ok(token)) {
		in.once_key = token;
	} else {
		char *fresh = arena_alloc(r->arena, CRYPTO_TOKEN_LEN + 1);
		if (!fresh) {
			respond_rc(r, RC_NOMEM);
			return;
		}
		crypto_token(fresh);
		token = fresh;
	}
	struct field_error err = {0};
	int duplicate = 0;
	if (form_ok) {
		int64_t id = 0;
		enum rc rc = participation_refer(r->db, r->vault, &r->actor, &in, &id, &err);
		if (rc == RC_OK) {
			req_redirect_done(r, arena_printf(r->arena, "/deltagare/%" PRId64, id),
			                  "anmalan");
			return;
		}
		duplicate = rc == RC_CONFLICT;
		if (rc != RC_INVALID && !duplicate) {
			respond_rc(r, rc);
			return;
		}
	} else {
		/* The core's rules too, so every mistake shows at once. */
		participation_refer_check(r->db, &in, &err);
	}
	form_fail(&f, &err);
	/* What was typed stays, the number too: it goes back only in the body
	 * of this POST's answer (autocomplete off), never in a URL or a log. */
	r->status = 422;
	referral_page(r, &f, token, duplicate || in.confirm_duplicate, in.confirm_duplicate);
}

/* ---- lists -------------------------------------------------------------------------- */

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
		html_printf(b,
		            "<td data-label=\"Kön\">%s</td><td data-label=\"Status\">%s%s</td>"
		            "<td data-label=\"Anmäld\">%s</td><td data-label=\"Hemkommun\">%s</td>"
		            "<td data-label=\"Start\">%s</td><td data-label=\"Slut\">%s</td>"
		            "<td data-label=\"Samtycke\">%s</td>",
		            org_label(sexes, p[i].sex), state_label(p[i].state),
		            p[i].counts ? "" : " (utanför statistiken)", p[i].referred_on,
		            dash(p[i].home_area_name), dash(p[i].start_on), dash(p[i].end_on),
		            consent_label(&p[i]));
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
		rc = participation_list(r->db, r->arena, x.id, &v.pg, &p, &n);
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
		v.empty =
		    "Insatsen har inga deltaganden än. Insatsens deltagaransvariga registrerar "
		    "nya anmälningar.";
	char *title = arena_printf(r->arena, "Deltagare i %s", x.name);
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>", title);
	if (may_register && strcmp(x.method, "person") == 0)
		html_printf(
		    &r->out,
		    "<p class=\"actions\"><a class=\"button\" href=\"/insatser/%lld/anmalan\">Ny "
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
	enum rc rc =
	    assoc ? participation_queue(r->db, r->arena, assoc, intervention, area, &v.pg, &p, &n)
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
	html_printf(b,
	            "<h1>Kö</h1><p>Anmälda som inte har börjat, den som väntat längst först.</p>"
	            "<form method=\"get\" action=\"/ko\" class=\"edit\"><div class=\"field\">"
	            "<label for=\"f-insats\">Insats</label><select id=\"f-insats\" name=\"insats\">"
	            "<option value=\"\">Alla insatser</option>");
	for (size_t i = 0; i < nx; i++)
		if (strcmp(x[i].method, "person") == 0)
			html_printf(b, "<option value=\"%lld\"%s>%s</option>", (long long)x[i].id,
			            x[i].id == intervention ? " selected" : "", x[i].name);
	html_printf(
	    b, "</select></div><div class=\"field\"><label for=\"f-kommun\">Hemkommun</label>"
	       "<select id=\"f-kommun\" name=\"kommun\"><option value=\"\">Alla kommuner</option>");
	for (size_t i = 0; i < na; i++)
		if (strcmp(ar[i].kind, "kommun") == 0)
			html_printf(b, "<option value=\"%lld\"%s>%s</option>", (long long)ar[i].id,
			            ar[i].id == area ? " selected" : "", ar[i].name);
	html_printf(b, "</select></div><div class=\"actions\"><button type=\"submit\">Visa</button>"
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
	     "Kontrollera om deltagandet fortfarande pågår, eller registrera avslutet.", start_keys,
	     COL_START},
	    {WORK_CONSENT, "samtycke", "Samtycke saknas eller är återkallat",
	     "Pågående och köande deltaganden som registrerats anonymt. Be om samtycke om personen "
	     "vill följas upp med personuppgifter.",
	     queue_keys, COL_REFERRED},
	    {WORK_END_MISSING, "avslut", "Avslut med uppgifter som saknas",
	     "Avslutade deltaganden utan försörjning eller sysselsättning efter avslut.", end_keys,
	     COL_END},
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
		if (participation_worklist(r->db, r->arena, assoc, lists[i].which, &v[i].pg, &p[i],
		                           &n[i])) {
			respond_rc(r, RC_DB);
			return;
		}
	}
	struct buf *b = &r->out;
	page_begin(r, "Arbetslistor");
	html_printf(b, "<h1>Arbetslistor</h1>");
	list_goto_form(r);
	pnr_search_form(r);
	for (size_t i = 0; i < NLISTS; i++) {
		html_printf(b, "<h2 id=\"%s\">%s (", lists[i].id, lists[i].title);
		html_int_sv(b, v[i].pg.total);
		html_printf(b, ")</h2><p>%s</p>", lists[i].why);
		participation_table(r, &v[i], lists[i].title, p[i], n[i], 1, 0, lists[i].date);
	}
	page_end(r);
}

/* 1 if text parses as a personnummer or samordningsnummer (ten digits or
 * more: participation numbers are far shorter). */
static int looks_like_pnr(const char *text)
{
	char today[11];
	struct pnr parsed;
	const char *why = NULL;
	str_today(today);
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
	else if (looks_like_pnr(nr))
		/* A personnummer typed here: never echoed, and pointed to the
		 * audited search (the number is already in this URL, so say so). */
		msg = "Det här ser ut som ett personnummer. Sök inte på personnummer här – "
		      "numret hamnar då i webbadressen. Använd sökningen på personnummer, som "
		      "bara finns för deltagaransvariga.";
	else if (!str_to_i64(nr, &id) || id < 1)
		msg = "Numret på ett deltagande är ett heltal, till exempel 123.";
	else {
		enum rc rc = participation_get(r->db, r->arena, id, &x);
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

/* ---- search by personnummer ------------------------------------------------------------------ */

static const struct org_code search_reasons[] = {{"kontakt", "Kontakt med deltagaren"},
                                                 {"uppfoljning", "Uppföljning"},
                                                 {"samordning", "Samordning med part"},
                                                 {NULL, NULL}};

static const struct field search_fields[] = {
    {"pnr", "Personnummer eller samordningsnummer", FT_TEXT, 1, 13, NULL,
     "Söker bara i de insatser där du är deltagaransvarig. Sökningen loggas.", "off"},
    {"reason", "Skäl", FT_SELECT, 1, 20, search_reasons, NULL, NULL},
};
#define NSEARCH (sizeof search_fields / sizeof search_fields[0])

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
	for (const struct org_code *c = search_reasons; c->code; c++)
		html_printf(&r->out, "<option value=\"%s\">%s</option>", c->code, c->label);
	html_printf(&r->out, "</select><button type=\"submit\">Sök</button></form>");
}

/* POST /deltagare/sok: the participations with this number in the caller's
 * own insatser.  The core checks the role and audits the search; the
 * number stays in the form of this answer and never reaches a URL. */
void page_participation_search_post(struct req *r)
{
	struct form f;
	form_init(&f, search_fields, NSEARCH);
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
		str_today(today);
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
			for (size_t i = 0; i < n; i++)
				html_printf(
				    b,
				    "<tr><td data-label=\"Nr\"><a href=\"/deltagare/%lld\">%lld</a>"
				    "</td><td data-label=\"Insats\">%s</td><td "
				    "data-label=\"Status\">"
				    "%s</td><td data-label=\"Anmäld\">%s</td></tr>",
				    (long long)p[i].id, (long long)p[i].id, p[i].intervention_name,
				    state_label(p[i].state), p[i].referred_on);
			html_printf(b, "</tbody></table>");
		}
		html_printf(b, "<h2>Sök igen</h2>");
	}
	form_render(b, &f, "/deltagare/sok", r->who.csrf, "Sök");
	page_end(r);
}

/* ---- one participation ---------------------------------------------------------------------- */

static int may_write(struct req *r, const struct participation *p)
{
	return auth_allows(r->who.role, PERM_PARTICIPANT_WRITE) &&
	       intervention_is_staff(r->db, p->intervention_id, r->who.user_id, "deltagaransvarig");
}

/*
 * The page's small forms (start, end, cancel, hours, correction, ...) are
 * written by hand, one per action.  When a POST to one of them fails, the
 * page is shown again with what was typed in that form and every error
 * beside its field; the summary at the top links each error to its field.
 * A control's id is f-FORM-FIELD, so the forms' fields never share an id.
 */
struct posted {
	const char *form;              /* the action: "start", "avslut", ... */
	const struct field_error *err; /* every error */
};

/* The fields each form has, for the summary's links. */
static const struct {
	const char *form;
	const char *fields[6];
} form_fields[] = {
    {"start", {"date", "support", "employment", "education", "support_time", NULL}},
    {"avslut", {"date", "end_reason", "support", "employment", NULL}},
    {"avbryt", {"date", "end_reason", NULL}},
    {"timmar", {"month", "hours", NULL}},
    {"aterkalla", {"date", NULL}},
    {"rattelse", {"field", "value", NULL}},
    {"hem", {"value", NULL}},
    {"identitet", {"reason", NULL}},
    {"samtycke", {"consent_on", "consent_form", "pnr", "name", NULL}},
};

static int form_has_field(const char *form, const char *field)
{
	for (size_t i = 0; i < sizeof form_fields / sizeof form_fields[0]; i++)
		if (strcmp(form_fields[i].form, form) == 0)
			for (size_t k = 0; form_fields[i].fields[k]; k++)
				if (strcmp(form_fields[i].fields[k], field) == 0)
					return 1;
	return 0;
}

static int is_posted(const struct posted *ps, const char *form)
{
	return ps && ps->form && strcmp(ps->form, form) == 0;
}

/* What was typed in a field of the posted form; def for any other form. */
static const char *kept(struct req *r, const struct posted *ps, const char *form, const char *field,
                        const char *def)
{
	if (!is_posted(ps, form))
		return def;
	const char *v = kv_get(&r->form, field);
	return v ? v : "";
}

/* 1 if the posted form sent name=value (a ticked checkbox). */
static int kept_has(struct req *r, const struct posted *ps, const char *form, const char *name,
                    const char *value)
{
	if (!is_posted(ps, form))
		return 0;
	for (size_t i = 0; i < r->form.n; i++)
		if (strcmp(r->form.items[i].name, name) == 0 &&
		    strcmp(r->form.items[i].value, value) == 0)
			return 1;
	return 0;
}

static const char *error_of(const struct posted *ps, const char *form, const char *field)
{
	return is_posted(ps, form) ? field_error_for(ps->err, field) : NULL;
}

/* The summary of the posted form's errors, each linked to its field. */
static void posted_summary(struct req *r, const struct posted *ps)
{
	int n = ps ? field_error_count(ps->err) : 0;
	if (n == 0)
		return;
	html_printf(&r->out, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\">"
	                     "<h2>Något behöver rättas</h2><ul>");
	for (int i = 0; i < n; i++) {
		const char *field, *message;
		field_error_get(ps->err, i, &field, &message);
		if (ps->form && form_has_field(ps->form, field))
			html_printf(&r->out, "<li><a href=\"#f-%s-%s\">%s</a></li>", ps->form,
			            field, message);
		else
			html_printf(&r->out, "<li>%s</li>", message);
	}
	html_printf(&r->out, "</ul></div>");
}

/*
 * Opens a field of a small form: the label (marked when required), a hint
 * and the field's error; returns the attributes for its control (id, name,
 * aria-describedby, aria-invalid, required), markup this program built.
 */
static const char *field_open(struct req *r, const struct posted *ps, const char *form,
                              const char *field, const char *label, const char *hint, int required)
{
	const char *msg = error_of(ps, form, field);
	html_printf(&r->out, "<div class=\"field%s\"><label for=\"f-%s-%s\">%s",
	            msg ? " invalid" : "", form, field, label);
	if (required)
		html_printf(&r->out, " <span class=\"req\">(måste fyllas i)</span>");
	html_printf(&r->out, "</label>");
	if (hint)
		html_printf(&r->out, "<p class=\"hint\" id=\"h-%s-%s\">%s</p>", form, field, hint);
	if (msg)
		html_printf(&r->out, "<p class=\"field-error\" id=\"e-%s-%s\">%s</p>", form, field,
		            msg);
	struct buf at;
	buf_init(&at, 1024);
	html_printf(&at, " id=\"f-%s-%s\" name=\"%s\"", form, field, field);
	if (hint || msg) {
		html_printf(&at, " aria-describedby=\"");
		if (hint)
			html_printf(&at, "h-%s-%s%s", form, field, msg ? " " : "");
		if (msg)
			html_printf(&at, "e-%s-%s", form, field);
		html_printf(&at, "\"");
	}
	if (msg)
		html_printf(&at, " aria-invalid=\"true\"");
	if (required)
		html_printf(&at, " required aria-required=\"true\"");
	char *attrs = arena_strdup(r->arena, buf_cstr(&at));
	buf_release(&at);
	return attrs ? attrs : "";
}

/* A select of codes from a code list, keeping the posted choice. */
static void code_select(struct req *r, const struct posted *ps, const char *form, const char *field,
                        const char *label, const char *list, int required)
{
	const struct org_code *o = web_code_options(r, list);
	const char *cur = kept(r, ps, form, field, "");
	const char *attrs = field_open(r, ps, form, field, label, NULL, required);
	html_printf(&r->out, "<select");
	html_raw_trusted_markup(&r->out, attrs);
	html_printf(&r->out, "><option value=\"\">– välj –</option>");
	for (size_t i = 0; o && o[i].code; i++)
		html_printf(&r->out, "<option value=\"%s\"%s>%s</option>", o[i].code,
		            strcmp(o[i].code, cur) == 0 ? " selected" : "", o[i].label);
	html_printf(&r->out, "</select></div>");
}

/* Support sources as checkboxes with extent, and one select per other
 * list; what was posted stays ticked and chosen. */
static void answers_markup(struct req *r, const struct posted *ps, const char *form,
                           int with_profile)
{
	struct buf *b = &r->out;
	const struct org_code *support = web_code_options(r, "support");
	const char *msg = error_of(ps, form, "support");
	html_printf(b,
	            "<fieldset id=\"f-%s-support\" class=\"field%s\" "
	            "aria-describedby=\"h-%s-support%s%s%s\">"
	            "<legend>Försörjning%s</legend><p class=\"hint\" id=\"h-%s-support\">Kryssa i "
	            "alla källor; ange omfattning i procent om den är känd.</p>",
	            form, msg ? " invalid" : "", form, msg ? " e-" : "", msg ? form : "",
	            msg ? "-support" : "", with_profile ? " (måste fyllas i)" : "", form);
	if (msg)
		html_printf(b, "<p class=\"field-error\" id=\"e-%s-support\">%s</p>", form, msg);
	for (size_t i = 0; support && support[i].code; i++) {
		char ext[80];
		snprintf(ext, sizeof ext, "extent_%s", support[i].code);
		html_printf(
		    b,
		    "<div class=\"check\"><input type=\"checkbox\" id=\"%s-s-%s\" name=\"support\" "
		    "value=\"%s\"%s><label for=\"%s-s-%s\">%s</label>"
		    "<label for=\"%s-e-%s\" class=\"visually-hidden\">Omfattning i procent för "
		    "%s</label>"
		    "<input type=\"text\" inputmode=\"numeric\" id=\"%s-e-%s\" name=\"%s\" "
		    "value=\"%s\" placeholder=\"%%\" size=\"4\"></div>",
		    form, support[i].code, support[i].code,
		    kept_has(r, ps, form, "support", support[i].code) ? " checked" : "", form,
		    support[i].code, support[i].label, form, support[i].code, support[i].label,
		    form, support[i].code, ext, kept(r, ps, form, ext, ""));
	}
	html_printf(b, "</fieldset>");
	const char *lists[] = {"employment", "education", "support_time"};
	const char *labels[] = {"Sysselsättning", "Högsta avslutade utbildning",
	                        "Tid i offentlig försörjning före insatsen"};
	for (int k = 0; k < (with_profile ? 3 : 1); k++)
		code_select(r, ps, form, lists[k], labels[k], lists[k], k == 0 && with_profile);
}

/* Reads the answers of a start or end form. */
static struct answer *read_answers(struct req *r, size_t *n)
{
	struct answer *a = arena_alloc(r->arena, (r->form.n + 4) * sizeof *a);
	*n = 0;
	for (size_t i = 0; a && i < r->form.n; i++) {
		const char *name = r->form.items[i].name, *v = r->form.items[i].value;
		if (!*v)
			continue;
		if (strcmp(name, "support") == 0) {
			char key[80];
			snprintf(key, sizeof key, "extent_%s", v);
			const char *e = kv_get(&r->form, key);
			int64_t ext = -1;
			if (e && *e && (!str_to_i64(e, &ext) || ext < 0 || ext > 100))
				ext = 101; /* the core answers with the field */
			a[*n].list = "support";
			a[*n].code = v;
			a[*n].extent = (int)ext;
			(*n)++;
		} else if (strcmp(name, "employment") == 0 || strcmp(name, "education") == 0 ||
		           strcmp(name, "support_time") == 0) {
			a[*n].list = name;
			a[*n].code = v;
			a[*n].extent = -1;
			(*n)++;
		}
	}
	return a;
}

static void small_form_begin(struct req *r, int64_t id, const char *action, const char *heading)
{
	html_printf(&r->out,
	            "<h2>%s</h2><form method=\"post\" action=\"/deltagare/%lld/%s\" class=\"edit\" "
	            "novalidate><input type=\"hidden\" name=\"csrf\" value=\"%s\">",
	            heading, (long long)id, action, r->who.csrf);
}

/* A required date, today unless the posted form said otherwise. */
static void date_field(struct req *r, const struct posted *ps, const char *form, const char *label,
                       const char *today)
{
	const char *v = kept(r, ps, form, "date", today);
	const char *attrs = field_open(r, ps, form, "date", label, NULL, 1);
	html_printf(&r->out, "<input type=\"date\"");
	html_raw_trusted_markup(&r->out, attrs);
	html_printf(&r->out, " value=\"%s\"></div>", v);
}

static void submit(struct req *r, const char *label)
{
	html_printf(&r->out,
	            "<div class=\"actions\"><button type=\"submit\">%s</button></div></form>",
	            label);
}

/* The participation page; a failed POST (ps) is shown again with its
 * values and errors, and an identity (pnr, name) when one was asked for
 * and granted. */
static void participation_page(struct req *r, const struct posted *ps, const char *pnr,
                               const char *name)
{
	struct participation p;
	struct registered_answer *ans;
	struct history_entry *h;
	struct attendance_month *att;
	size_t nans, nh, natt;
	enum rc rc = participation_get(r->db, r->arena, r->ids[0], &p);
	if (!rc)
		rc = participation_answers(r->db, r->arena, p.id, &ans, &nans);
	if (!rc)
		rc = participation_history(r->db, r->arena, p.id, &h, &nh);
	if (!rc)
		rc = participation_attendance(r->db, r->arena, p.id, &att, &natt);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	char *title = arena_printf(r->arena, "Deltagande %lld", (long long)p.id);
	char today[11];
	str_today(today);
	int w = may_write(r, &p);
	page_begin(r, title);
	html_printf(b, "<h1>%s</h1>", title);
	posted_summary(r, ps);
	if (pnr)
		html_printf(
		    b,
		    "<div class=\"notice\" role=\"status\"><p>Visningen är loggad.</p>"
		    "<dl class=\"facts\"><dt>Namn</dt><dd>%s</dd><dt>Personnummer</dt><dd>%s</dd>"
		    "</dl></div>",
		    name, pnr);
	html_printf(b,
	            "<dl class=\"facts\"><dt>Insats</dt><dd><a href=\"/insatser/%lld\">%s</a></dd>"
	            "<dt>Status</dt><dd>%s%s</dd><dt>Kön</dt><dd>%s</dd>",
	            (long long)p.intervention_id, p.intervention_name, state_label(p.state),
	            p.counts ? "" : " (felregistrering, utanför statistiken)",
	            org_label(sexes, p.sex));
	if (p.birth_year)
		html_printf(b, "<dt>Födelseår</dt><dd>%d</dd>", p.birth_year);
	html_printf(
	    b,
	    "<dt>Anmäld</dt><dd>%s av %s%s%s%s%s</dd><dt>Hemkommun</dt><dd>%s%s%s</dd>"
	    "<dt>Start</dt><dd>%s</dd><dt>Slut</dt><dd>%s</dd><dt>Avslutsorsak</dt><dd>%s</dd>"
	    "<dt>Samtycke</dt><dd>%s</dd></dl>",
	    p.referred_on, web_code_label(r, "referral_source", p.source),
	    p.source_member_name ? ", " : "", p.source_member_name ? p.source_member_name : "",
	    p.source_unit ? ", " : "", p.source_unit ? p.source_unit : "", dash(p.home_area_name),
	    p.home_district_name ? ", " : "", p.home_district_name ? p.home_district_name : "",
	    dash(p.start_on), dash(p.end_on),
	    p.end_reason ? web_code_label(r, "end_reason", p.end_reason) : "–", consent_label(&p));

	if (p.identified && r->who.role == ROLE_CASEWORKER && w && !pnr) {
		static const struct org_code reasons[] = {{"kontakt", "Kontakt med deltagaren"},
		                                          {"uppfoljning", "Uppföljning"},
		                                          {"samordning", "Samordning med part"},
		                                          {NULL, NULL}};
		small_form_begin(r, p.id, "identitet", "Identitet");
		const char *cur = kept(r, ps, "identitet", "reason", "kontakt");
		const char *attrs =
		    field_open(r, ps, "identitet", "reason", "Skäl att visa identiteten",
		               "Visningen loggas med skälet.", 1);
		html_printf(b, "<select");
		html_raw_trusted_markup(b, attrs);
		html_printf(b, ">");
		for (size_t i = 0; reasons[i].code; i++)
			html_printf(b, "<option value=\"%s\"%s>%s</option>", reasons[i].code,
			            strcmp(cur, reasons[i].code) == 0 ? " selected" : "",
			            reasons[i].label);
		html_printf(b, "</select></div>");
		submit(r, "Visa identitet");
	}

	if (nans) {
		html_printf(
		    b,
		    "<h2>Registrerade uppgifter</h2><table><caption>Vid start och avslut</caption>"
		    "<thead><tr><th scope=\"col\">Tillfälle</th><th scope=\"col\">Uppgift</th>"
		    "<th scope=\"col\" class=\"num\">Omfattning</th></tr></thead><tbody>");
		for (size_t i = 0; i < nans; i++) {
			html_printf(b, "<tr><td>%s</td><td>%s</td><td class=\"num\">",
			            strcmp(ans[i].phase, "start") == 0 ? "Start" : "Avslut",
			            ans[i].label);
			if (ans[i].extent >= 0)
				html_printf(b, "%d %%", ans[i].extent);
			html_printf(b, "</td></tr>");
		}
		html_printf(b, "</tbody></table>");
	}

	if (w && strcmp(p.state, "queued") == 0) {
		small_form_begin(r, p.id, "start", "Inregistrering (start)");
		date_field(r, ps, "start", "Startdatum", today);
		answers_markup(r, ps, "start", 1);
		submit(r, "Registrera start");
		small_form_begin(r, p.id, "avbryt", "Avbryt anmälan");
		date_field(r, ps, "avbryt", "Datum", today);
		code_select(r, ps, "avbryt", "end_reason", "Orsak", "end_reason", 1);
		submit(r, "Avbryt anmälan");
	}
	if (w && strcmp(p.state, "active") == 0) {
		small_form_begin(r, p.id, "avslut", "Utregistrering (avslut)");
		date_field(r, ps, "avslut", "Slutdatum", today);
		code_select(r, ps, "avslut", "end_reason", "Avslutsorsak", "end_reason", 1);
		answers_markup(r, ps, "avslut", 0);
		submit(r, "Registrera avslut");
	}
	if (p.start_on) {
		html_printf(b, "<h2>Deltagartimmar</h2>");
		if (natt) {
			html_printf(b, "<table><caption>Timmar per månad</caption><thead><tr>"
			               "<th scope=\"col\">Månad</th><th scope=\"col\" "
			               "class=\"num\">Timmar</th>"
			               "</tr></thead><tbody>");
			for (size_t i = 0; i < natt; i++)
				html_printf(b,
				            "<tr><td>%s</td><td class=\"num\">%lld,%lld</td></tr>",
				            att[i].month, (long long)(att[i].hours_tenths / 10),
				            (long long)(att[i].hours_tenths % 10));
			html_printf(b, "</tbody></table>");
		}
		if (w) {
			small_form_begin(r, p.id, "timmar", "Registrera timmar");
			const char *attrs =
			    field_open(r, ps, "timmar", "month", "Månad", "Som 2026-03.", 1);
			html_printf(b, "<input type=\"text\"");
			html_raw_trusted_markup(b, attrs);
			html_printf(
			    b, " value=\"%s\"></div>",
			    kept(r, ps, "timmar", "month", arena_strndup(r->arena, today, 7)));
			attrs =
			    field_open(r, ps, "timmar", "hours", "Timmar", "Till exempel 12,5.", 1);
			html_printf(b, "<input type=\"text\" inputmode=\"decimal\"");
			html_raw_trusted_markup(b, attrs);
			html_printf(b, " value=\"%s\"></div>", kept(r, ps, "timmar", "hours", ""));
			submit(r, "Spara timmar");
		}
	}
	if (w && !p.identified && !p.protected_identity) {
		small_form_begin(r, p.id, "samtycke", "Registrera samtycke");
		html_printf(b, "<p>Har deltagaren lämnat skriftligt samtycke efter anmälan sparas "
		               "personnummer och namn krypterat för det här deltagandet.</p>");
		static const struct {
			const char *field, *label, *type, *hint;
		} cf[] = {
		    {"consent_on", "Samtycke lämnat", "date", NULL},
		    {"consent_form", "Samtyckesblankettens version", "text",
		     "Till exempel 2024:1."},
		    {"pnr", "Personnummer eller samordningsnummer", "text",
		     "Sparas krypterat, bara med samtycke."},
		    {"name", "Namn", "text", NULL},
		};
		for (size_t i = 0; i < sizeof cf / sizeof cf[0]; i++) {
			const char *attrs =
			    field_open(r, ps, "samtycke", cf[i].field, cf[i].label, cf[i].hint, 1);
			html_printf(b, "<input type=\"%s\" autocomplete=\"off\"", cf[i].type);
			html_raw_trusted_markup(b, attrs);
			html_printf(b, " value=\"%s\"></div>",
			            kept(r, ps, "samtycke", cf[i].field, i == 0 ? today : ""));
		}
		submit(r, "Registrera samtycke");
	}
	/* Irreversible: each goes through a confirmation page first. */
	if (w && p.identified)
		html_printf(b,
		            "<h2>Återkalla samtycke</h2><p>Personnummer och namn raderas. "
		            "Deltagandet finns kvar anonymt i statistiken.</p>"
		            "<p><a class=\"button secondary\" href=\"/deltagare/%lld/aterkalla\">"
		            "Återkalla samtycke …</a></p>",
		            (long long)p.id);
	if (w && !p.protected_identity)
		html_printf(b,
		            "<h2>Skyddade personuppgifter</h2><p>Om personen har fått skyddade "
		            "personuppgifter raderas identiteten i deltagandet.</p>"
		            "<p><a class=\"button secondary\" href=\"/deltagare/%lld/skyddad\">"
		            "Markera skyddade personuppgifter …</a></p>",
		            (long long)p.id);
	if (w) {
		static const struct org_code correctable[] = {
		    {"referred_on", "Anmälningsdatum"},
		    {"start_on", "Startdatum"},
		    {"end_on", "Slutdatum"},
		    {"end_reason", "Avslutsorsak (kod)"},
		    {"sex", "Kön (K eller M, bara anonyma)"},
		    {NULL, NULL}};
		small_form_begin(r, p.id, "rattelse", "Rätta en uppgift");
		const char *cf = kept(r, ps, "rattelse", "field", "");
		const char *attrs = field_open(r, ps, "rattelse", "field", "Uppgift", NULL, 1);
		html_printf(b, "<select");
		html_raw_trusted_markup(b, attrs);
		html_printf(b, ">");
		for (size_t i = 0; correctable[i].code; i++)
			html_printf(b, "<option value=\"%s\"%s>%s</option>", correctable[i].code,
			            strcmp(cf, correctable[i].code) == 0 ? " selected" : "",
			            correctable[i].label);
		html_printf(b, "</select></div>");
		attrs = field_open(r, ps, "rattelse", "value", "Rätt värde",
		                   "Datum som 2026-01-31, en kod eller K eller M.", 1);
		html_printf(b, "<input type=\"text\"");
		html_raw_trusted_markup(b, attrs);
		html_printf(b, " value=\"%s\"></div>", kept(r, ps, "rattelse", "value", ""));
		submit(r, "Rätta");
		small_form_begin(r, p.id, "rattelse", "Ändra hemkommun");
		html_printf(b, "<input type=\"hidden\" name=\"field\" value=\"home_area_id\">");
		attrs = field_open(r, ps, "hem", "value", "Hemkommun", NULL, 1);
		html_printf(b, "<select");
		html_raw_trusted_markup(b, attrs);
		html_printf(b, ">");
		const char *home = kept(r, ps, "hem", "value", NULL);
		struct area *ar;
		size_t na;
		int64_t assoc = entity_association(r);
		if (assoc && !org_area_list(r->db, r->arena, assoc, &ar, &na))
			for (size_t i = 0; i < na; i++) {
				if (strcmp(ar[i].kind, "kommun") != 0)
					continue;
				int sel = home ? strtoll(home, NULL, 10) == ar[i].id
				               : p.home_area_name &&
				                     strcmp(ar[i].name, p.home_area_name) == 0;
				html_printf(b, "<option value=\"%lld\"%s>%s</option>",
				            (long long)ar[i].id, sel ? " selected" : "",
				            ar[i].name);
			}
		html_printf(b, "</select></div>");
		submit(r, "Ändra hemkommun");
	}
	html_printf(
	    b, "<h2>Historik</h2><table class=\"wide\"><caption>Alla ändringar, senaste först"
	       "</caption><thead><tr><th scope=\"col\">Tid</th><th scope=\"col\">Av</th>"
	       "<th scope=\"col\">Uppgift</th><th scope=\"col\">Före</th><th scope=\"col\">Efter"
	       "</th></tr></thead><tbody>");
	struct user_names un;
	user_names_load(r, &un);
	for (size_t i = 0; i < nh; i++)
		web_history_row(r, &un, &h[i]);
	html_printf(b, "</tbody></table>");
	page_end(r);
}

void page_participation(struct req *r)
{
	participation_page(r, NULL, NULL, NULL);
}

/* Ends a POST from the small form `form`: back to the page on success
 * (with `done` for the notice), or the page with what was typed and every
 * error. */
static void after(struct req *r, const char *form, enum rc rc, const struct field_error *err,
                  const char *done)
{
	if (rc == RC_OK) {
		req_redirect_done(r, arena_printf(r->arena, "/deltagare/%" PRId64, r->ids[0]),
		                  done);
		return;
	}
	if (rc != RC_INVALID) {
		respond_rc(r, rc);
		return;
	}
	r->status = 422;
	struct posted ps = {form, err};
	participation_page(r, &ps, NULL, NULL);
}

void page_participation_start_post(struct req *r)
{
	size_t n;
	struct answer *a = read_answers(r, &n);
	struct registration reg = {kv_get(&r->form, "date"), NULL, a, n};
	struct field_error err = {0};
	after(r, "start", participation_start(r->db, &r->actor, r->ids[0], &reg, &err), &err,
	      "start");
}

/* Cancelling a queued referral and ending as felregistrering take the
 * participation out of the count for good: the first POST (from the form
 * on the participation page) answers 422 with this page, which carries
 * what was posted and asks for the confirmation.  1 when the page (or an
 * error) was written, 0 when confirmed. */
static int end_unconfirmed(struct req *r, int cancel)
{
	if (confirm_given(r))
		return 0;
	struct participation p;
	enum rc rc = participation_get(r->db, r->arena, r->ids[0], &p);
	if (!rc && !may_write(r, &p))
		rc = RC_DENIED;
	if (rc) {
		respond_rc(r, rc);
		return 1;
	}
	struct confirm c = {
	    arena_printf(r->arena, "%s – deltagande %lld",
	                 cancel ? "Avbryt anmälan" : "Avsluta som felregistrering",
	                 (long long)p.id),
	    cancel ? "Anmälan avbryts" : "Deltagandet räknas bort",
	    {cancel ? arena_printf(r->arena,
	                           "Personen tas bort ur kön till %s och deltagandet avslutas "
	                           "utan start. Det kan inte startas efteråt; kommer personen "
	                           "tillbaka behövs en ny anmälan.",
	                           p.intervention_name)
	            : "Deltagandet avslutas med orsaken felregistrering och räknas inte längre "
	              "i statistiken: varken som anmälan, start eller avslut.",
	     NULL},
	    arena_printf(r->arena, "/deltagare/%lld/%s", (long long)p.id,
	                 cancel ? "avbryt" : "avslut"),
	    cancel ? "Jag förstår att anmälan avbryts och inte kan startas"
	           : "Jag förstår att deltagandet tas bort ur statistiken",
	    cancel ? "Avbryt anmälan" : "Avsluta som felregistrering",
	    arena_printf(r->arena, "/deltagare/%lld", (long long)p.id),
	    cancel ? "Tillbaka, låt anmälan stå kvar" : "Tillbaka, avsluta inte",
	    NULL};
	const char *error = confirm_error(r);
	r->status = 422;
	confirm_page_begin(r, &c, error);
	confirm_keep_posted(r);
	confirm_page_end(r, &c, error);
	return 1;
}

void page_participation_end_post(struct req *r)
{
	const char *reason = kv_get(&r->form, "end_reason");
	if (reason && strcmp(reason, "felregistrering") == 0 && end_unconfirmed(r, 0))
		return;
	size_t n;
	struct answer *a = read_answers(r, &n);
	struct registration reg = {kv_get(&r->form, "date"), kv_get(&r->form, "end_reason"), a, n};
	struct field_error err = {0};
	after(r, "avslut", participation_end(r->db, &r->actor, r->ids[0], &reg, &err), &err,
	      "avslut");
}

void page_participation_cancel_post(struct req *r)
{
	if (end_unconfirmed(r, 1))
		return;
	struct field_error err = {0};
	after(r, "avbryt",
	      participation_cancel(r->db, &r->actor, r->ids[0], kv_get(&r->form, "date"),
	                           kv_get(&r->form, "end_reason"), &err),
	      &err, "avbruten");
}

void page_participation_consent_post(struct req *r)
{
	struct field_error err = {0};
	struct consent_in in = {kv_get(&r->form, "consent_on"), kv_get(&r->form, "consent_form"),
	                        kv_get(&r->form, "pnr"), kv_get(&r->form, "name")};
	after(r, "samtycke", personal_consent_add(r->db, r->vault, &r->actor, r->ids[0], &in, &err),
	      &err, "samtycke");
}

/* ---- confirmation of what cannot be undone ------------------------------------------ */

enum confirm_kind { CONFIRM_WITHDRAW, CONFIRM_PROTECT };

/* The page that says what will be erased, with an explicit confirmation;
 * error (if any) at the top, the typed date kept. */
static void confirm_page(struct req *r, enum confirm_kind kind, const struct field_error *error,
                         const char *date)
{
	struct participation p;
	enum rc rc = participation_get(r->db, r->arena, r->ids[0], &p);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	if (!may_write(r, &p)) {
		respond_rc(r, RC_DENIED);
		return;
	}
	int withdraw = kind == CONFIRM_WITHDRAW;
	int date_error = error && strcmp(error->field, "date") == 0;
	struct confirm c = {
	    arena_printf(r->arena, "%s – deltagande %lld",
	                 withdraw ? "Återkalla samtycke" : "Skyddade personuppgifter",
	                 (long long)p.id),
	    NULL,
	    {NULL},
	    arena_printf(r->arena, "/deltagare/%lld/%s", (long long)p.id,
	                 withdraw ? "aterkalla" : "skyddad"),
	    "Jag förstår att personnummer och namn raderas och inte kan återställas",
	    withdraw ? "Återkalla samtycke och radera identiteten"
	             : "Markera skyddade personuppgifter och radera identiteten",
	    arena_printf(r->arena, "/deltagare/%lld", (long long)p.id),
	    "Avbryt, radera inget",
	    date_error ? "f-date" : NULL};
	if (withdraw)
		c.warning[0] = arena_printf(
		    r->arena,
		    "Personnummer och namn som sparats för deltagandet i %s raderas. Deltagandet "
		    "finns kvar anonymt: kön, datum och registrerade uppgifter stannar i "
		    "statistiken.",
		    p.intervention_name);
	else {
		c.warning[0] = "Personnummer och namn raderas i det här deltagandet och i "
		               "personens andra deltaganden i insatser där du är "
		               "deltagaransvarig. Deltagandena finns kvar anonymt i statistiken "
		               "och kan inte längre få identitet.";
		c.warning[1] = "Finns personen i andra insatser tar administratören hand om dem.";
	}
	const char *message = error && error->field[0] ? error->message : NULL;
	confirm_page_begin(r, &c, message);
	if (withdraw) {
		char today[11];
		str_today(today);
		html_printf(
		    &r->out,
		    "<div class=\"field\"><label for=\"f-date\">Datum för återkallelsen</label>"
		    "<input type=\"date\" id=\"f-date\" name=\"date\" value=\"%s\" required%s>"
		    "</div>",
		    date ? date : today, date_error ? " aria-invalid=\"true\"" : "");
	}
	confirm_page_end(r, &c, message);
}

/* RC_OK when the form carries the explicit confirmation. */
static enum rc confirmed(struct req *r, struct field_error *err)
{
	const char *c = kv_get(&r->form, "confirm");
	if (c && strcmp(c, "ja") == 0)
		return RC_OK;
	return field_error_set(err, "confirm", "Kryssa i att du förstår att uppgifterna raderas.");
}

/* After a confirmed POST: back to the participation, or the confirmation
 * page again with the error. */
static void after_confirm(struct req *r, enum confirm_kind kind, enum rc rc,
                          const struct field_error *err)
{
	if (rc != RC_INVALID) {
		after(r, kind == CONFIRM_WITHDRAW ? "aterkalla" : "skyddad", rc, err,
		      kind == CONFIRM_WITHDRAW ? "aterkallat" : "skyddad");
		return;
	}
	r->status = 422;
	confirm_page(r, kind, err, kv_get(&r->form, "date"));
}

void page_participation_withdraw(struct req *r)
{
	confirm_page(r, CONFIRM_WITHDRAW, NULL, NULL);
}

void page_participation_withdraw_post(struct req *r)
{
	struct field_error err = {0};
	enum rc rc = confirmed(r, &err);
	if (!rc)
		rc = personal_withdraw_consent(r->db, &r->actor, r->ids[0],
		                               kv_get(&r->form, "date"), &err);
	after_confirm(r, CONFIRM_WITHDRAW, rc, &err);
}

void page_participation_protect(struct req *r)
{
	confirm_page(r, CONFIRM_PROTECT, NULL, NULL);
}

void page_participation_protect_post(struct req *r)
{
	struct field_error err = {0};
	enum rc rc = confirmed(r, &err);
	if (!rc)
		rc = personal_protect(r->db, &r->actor, r->ids[0]);
	after_confirm(r, CONFIRM_PROTECT, rc, &err);
}

/* ---- protection requests: the administrator's work list ------------------------------ */

void page_protect_requests(struct req *r)
{
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	struct protect_request *q;
	size_t n;
	enum rc rc = personal_protect_requests(r->db, r->arena, &r->actor, assoc, &q, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Skyddade personuppgifter");
	html_printf(b,
	            "<h1>Skyddade personuppgifter</h1><p>Personal i en insats har markerat att en "
	            "person har skyddade personuppgifter, och personen finns också i insatser där "
	            "de inte är deltagaransvariga. Tillämpa skyddet så raderas identiteten i alla "
	            "personens deltaganden.</p>");
	if (!n) {
		html_printf(b, "<p role=\"status\">Inga begäranden väntar.</p>");
		page_end(r);
		return;
	}
	html_printf(b, "<table><caption>Väntande begäranden, äldst först</caption><thead><tr>"
	               "<th scope=\"col\">Begärd</th><th scope=\"col\">Från deltagande</th>"
	               "<th scope=\"col\" class=\"num\">Deltaganden med identitet</th>"
	               "<th scope=\"col\">Åtgärd</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++)
		html_printf(
		    b,
		    "<tr><td>%s</td><td><a href=\"/deltagare/%lld\">%lld</a> (%s)</td>"
		    "<td class=\"num\">%lld</td><td><a href=\"/skyddade-personuppgifter/%lld\">"
		    "Tillämpa skydd för begäran %lld …</a></td></tr>",
		    q[i].requested_on, (long long)q[i].participation_id,
		    (long long)q[i].participation_id, q[i].intervention_name,
		    (long long)q[i].identified, (long long)q[i].id, (long long)q[i].id);
	html_printf(b, "</tbody></table>");
	page_end(r);
}

/* The confirmation page of one request; error shown at the top. */
static void protect_request_page(struct req *r, const struct field_error *error)
{
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	struct protect_request *q;
	size_t n;
	enum rc rc = personal_protect_requests(r->db, r->arena, &r->actor, assoc, &q, &n);
	size_t i = 0;
	while (!rc && i < n && q[i].id != r->ids[0])
		i++;
	if (rc || i == n) {
		respond_rc(r, rc ? rc : RC_NOT_FOUND);
		return;
	}
	struct buf *b = &r->out;
	char *title = arena_printf(r->arena, "Tillämpa skyddade personuppgifter, begäran %lld",
	                           (long long)q[i].id);
	page_begin(r, title);
	html_printf(b, "<h1>%s</h1>", title);
	if (error && error->field[0])
		html_printf(b,
		            "<div class=\"error-summary\" role=\"alert\"><h2>Något behöver rättas"
		            "</h2><p><a href=\"#f-confirm\">%s</a></p></div>",
		            error->message);
	html_printf(
	    b,
	    "<div class=\"warning\"><h2>Det här går inte att ångra</h2><p>Personnummer och "
	    "namn raderas i %lld %s där personen har identitet, i alla insatser. "
	    "%s kvar anonymt i statistiken.</p></div>"
	    "<form method=\"post\" action=\"/skyddade-personuppgifter/%lld\" "
	    "class=\"edit\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<div class=\"check\"><input type=\"checkbox\" id=\"f-confirm\" name=\"confirm\" "
	    "value=\"ja\" required%s><label for=\"f-confirm\">Jag förstår att personnummer "
	    "och namn raderas och inte kan återställas</label></div>"
	    "<div class=\"actions\"><button type=\"submit\">Tillämpa skyddet och radera "
	    "identiteten</button><a href=\"/skyddade-personuppgifter\">Avbryt, radera inget"
	    "</a></div></form>",
	    (long long)q[i].identified, q[i].identified == 1 ? "deltagande" : "deltaganden",
	    q[i].identified == 1 ? "Deltagandet finns" : "Deltagandena finns", (long long)q[i].id,
	    r->who.csrf, error ? " aria-invalid=\"true\"" : "");
	page_end(r);
}

void page_protect_request(struct req *r)
{
	protect_request_page(r, NULL);
}

void page_protect_request_post(struct req *r)
{
	struct field_error err = {0};
	enum rc rc = confirmed(r, &err);
	if (rc) {
		r->status = 422;
		protect_request_page(r, &err);
		return;
	}
	rc = personal_protect_apply(r->db, &r->actor, r->ids[0], NULL);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	req_redirect(r, "/skyddade-personuppgifter");
}

void page_participation_correct_post(struct req *r)
{
	struct field_error err = {0};
	const char *v = kv_get(&r->form, "value");
	char *val = v ? str_trim(arena_strdup(r->arena, v)) : NULL;
	const char *field = kv_get(&r->form, "field");
	/* Both correction forms post here; the home kommun one is its own. */
	const char *form = field && strcmp(field, "home_area_id") == 0 ? "hem" : "rattelse";
	after(r, form, participation_correct(r->db, &r->actor, r->ids[0], field, val, &err), &err,
	      "rattat");
}

void page_participation_hours_post(struct req *r)
{
	struct field_error err = {0};
	/* "12,5", "12.5" or "12" hours → tenths; at most a month of hours. */
	int64_t tenths = -1;
	char msg[200];
	enum rc rc;
	int number_ok = str_parse_number(kv_get(&r->form, "hours"), 1, 0,
	                                 PARTICIPATION_MAX_HOURS_TENTHS, &tenths, msg, sizeof msg);
	if (!number_ok)
		field_error_add(&err, "hours", msg);
	/* The core checks the month as well (and refuses -1 hours), so both
	 * mistakes are shown at once; the number's own message comes first. */
	struct field_error core = {0};
	rc = participation_attendance_set(r->db, &r->actor, r->ids[0], kv_get(&r->form, "month"),
	                                  number_ok ? tenths : -1, &core);
	field_error_merge(&err, &core);
	after(r, "timmar", rc, &err, "timmar");
}

void page_participation_identity_post(struct req *r)
{
	static const char *const reasons[] = {"kontakt", "uppfoljning", "samordning"};
	const char *reason = kv_get(&r->form, "reason");
	int ok = 0;
	for (size_t i = 0; reason && i < 3; i++)
		ok |= strcmp(reason, reasons[i]) == 0;
	if (!ok) {
		struct field_error err = {0};
		field_error_set(&err, "reason", "Välj ett skäl i listan.");
		r->status = 422;
		struct posted ps = {"identitet", &err};
		participation_page(r, &ps, NULL, NULL);
		return;
	}
	const char *pnr, *name;
	enum rc rc =
	    personal_identity(r->db, r->vault, &r->actor, r->ids[0], reason, r->arena, &pnr, &name);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	participation_page(r, NULL, pnr, name);
}
