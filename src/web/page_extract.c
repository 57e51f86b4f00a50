/*
 * page_extract.c — the register extract: the administrator's form and the
 * readable Swedish document (/registerutdrag), the JSON API
 * (POST /api/v1/register-extract) and the JSON document both the API and
 * `finsam extract --json` hand out.
 *
 * The core fills a struct register_extract; this file only writes it out.
 * The document is complete or the answer is an error: a failure of the
 * core, of a label's lookup or of jansson never gives a shorter document.
 * The personnummer travels in the POST body, never in a URL.
 */
#include <string.h>

#include "../core/auth.h"
#include "../core/org.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/plural.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "extract.h"
#include "form.h"
#include "labels.h"
#include "pages.h"

/* ---- the JSON document --------------------------------------------------------------- */

/* A string or null; NULL when memory ran out (or the text is not UTF-8). */
static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Sets o[key] = v (reference stolen); 0 when v is NULL or the set failed. */
static int put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

static int append(json_t *arr, json_t *v)
{
	return v && json_array_append_new(arr, v) == 0;
}

/* Hours in tenths as "12,5". */
static json_t *hours_json(int64_t tenths)
{
	char s[32];
	snprintf(s, sizeof s, "%lld,%lld", (long long)(tenths / 10), (long long)(tenths % 10));
	return json_string(s);
}

static json_t *extent_json(int extent)
{
	char s[16];
	if (extent < 0)
		return json_null();
	snprintf(s, sizeof s, "%d", extent);
	return json_string(s);
}

static json_t *participation_json(const struct extract_participation *p)
{
	json_t *o = json_object(), *arr;
	if (!o)
		return NULL;
	int ok =
	    put(o, "deltagande", json_integer((json_int_t)p->id)) &&
	    put(o, "insats", jstr_or_null(p->intervention_name)) &&
	    put(o, "namn", json_string(p->name ? p->name : "")) &&
	    put(o, "registrerad", jstr_or_null(p->registered_at)) &&
	    put(o, "status", jstr_or_null(p->state)) && put(o, "kon", jstr_or_null(p->sex)) &&
	    put(o, "fodelsear", p->birth_year ? json_integer(p->birth_year) : json_null()) &&
	    put(o, "anmald", jstr_or_null(p->referred_on)) &&
	    put(o, "anmald_av", jstr_or_null(p->source)) &&
	    (!p->source_member_name ||
	     put(o, "anmalande_medlem", json_string(p->source_member_name))) &&
	    (!p->source_unit || put(o, "anmalande_enhet", json_string(p->source_unit))) &&
	    put(o, "hemkommun", jstr_or_null(p->home_area_name)) &&
	    (!p->home_district_name || put(o, "hemstadsdel", json_string(p->home_district_name))) &&
	    put(o, "start", jstr_or_null(p->start_on)) && put(o, "slut", jstr_or_null(p->end_on)) &&
	    put(o, "avslutsorsak", jstr_or_null(p->end_reason)) &&
	    put(o, "raknas_i_statistik", json_boolean(p->counts));

	ok = ok && put(o, "samtycken", arr = json_array());
	for (size_t i = 0; ok && i < p->nconsents; i++) {
		const struct extract_consent *c = &p->consents[i];
		json_t *x = json_object();
		ok = append(arr, x) && put(x, "lamnat", jstr_or_null(c->given_on)) &&
		     put(x, "blankettversion", jstr_or_null(c->form_version)) &&
		     put(x, "aterkallat", jstr_or_null(c->withdrawn_on)) &&
		     put(x, "registrerat_av", jstr_or_null(c->collected_by));
	}
	ok = ok && put(o, "registreringar", arr = json_array());
	for (size_t i = 0; ok && i < p->nanswers; i++) {
		const struct extract_answer *a = &p->answers[i];
		json_t *x = json_object();
		ok = append(arr, x) && put(x, "tillfalle", jstr_or_null(a->phase)) &&
		     put(x, "uppgift", jstr_or_null(a->list)) &&
		     put(x, "kod", jstr_or_null(a->code)) &&
		     put(x, "omfattning", extent_json(a->extent));
	}
	ok = ok && put(o, "historik", arr = json_array());
	for (size_t i = 0; ok && i < p->nhistory; i++) {
		const struct history_entry *h = &p->history[i].e;
		json_t *x = json_object();
		ok = append(arr, x) && put(x, "tid", jstr_or_null(h->at)) &&
		     put(x, "av", jstr_or_null(h->actor)) &&
		     put(x, "falt", jstr_or_null(h->field)) &&
		     put(x, "tidigare", jstr_or_null(h->old_value)) &&
		     put(x, "nytt", jstr_or_null(h->new_value));
	}
	ok = ok && put(o, "deltagartimmar", arr = json_array());
	for (size_t i = 0; ok && i < p->nattendance; i++) {
		const struct extract_attendance *t = &p->attendance[i];
		json_t *x = json_object();
		ok = append(arr, x) && put(x, "manad", jstr_or_null(t->month)) &&
		     put(x, "timmar", hours_json(t->hours_tenths));
	}
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *extract_json(const struct register_extract *x)
{
	json_t *doc = json_object(), *parts;
	if (!doc)
		return NULL;
	int ok = put(doc, "personnummer", json_string(x->pnr)) &&
	         put(doc, "uttag_gjort", json_string(x->made_on)) &&
	         put(doc, "deltaganden", parts = json_array());
	if (ok && x->nparts)
		ok = put(doc, "namn", jstr_or_null(x->name)) &&
		     put(doc, "registrerad", jstr_or_null(x->first_registered));
	for (size_t i = 0; ok && i < x->nparts; i++)
		ok = append(parts, participation_json(&x->parts[i]));
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* ---- the page ------------------------------------------------------------------------ */

static const struct field extract_fields[] = {
    {"pnr", "Personnummer eller samordningsnummer", FT_TEXT, 1, 13, NULL,
     "Som 19850101-1234 eller 850101-1234.", "off"},
};

/* The extract form; on an error it keeps what was typed (in the body of
 * the POST's answer only) and shows the error beside the field. */
static void extract_form(struct req *r, const struct field_error *err)
{
	page_begin(r, "Registerutdrag");
	html_printf(&r->out,
	            "<h1>Registerutdrag</h1><p>Allt som finns sparat om en person, för att "
	            "svara på en begäran om registerutdrag. Uttaget loggas.</p>");
	struct form f;
	FORM_INIT(&f, extract_fields);
	if (err && field_error_count(err)) {
		form_set(&f, r->arena, "pnr", kv_get(&r->form, "pnr"));
		form_fail(&f, err);
	}
	form_render(&r->out, &f, "/registerutdrag", r->who.csrf, "Ta fram utdrag");
}

void page_extract(struct req *r)
{
	extract_form(r, NULL);
	page_end(r);
}

static const char *dash_date(char d[SVTIME_MAX], const char *v)
{
	return str_blank(v) ? "–" : svtime_date(d, v);
}

static const char *or_dash(const char *s)
{
	return str_blank(s) ? "–" : s;
}

/* One participation of the extract as a readable section. */
static void participation_html(struct req *r, const struct user_names *un,
                               const struct extract_participation *p)
{
	struct buf *b = &r->out;
	char d1[SVTIME_MAX], d2[SVTIME_MAX], d3[SVTIME_MAX];
	html_printf(b,
	            "<section><h3>Deltagande %lld i %s</h3><dl class=\"facts\">"
	            "<dt>Namn</dt><dd>%s</dd><dt>Personuppgifterna registrerades</dt><dd>%s</dd>"
	            "<dt>Status</dt><dd>%s</dd><dt>Kön</dt><dd>%s</dd>",
	            (long long)p->id, or_dash(p->intervention_name), or_dash(p->name),
	            svtime_datetime(d1, p->registered_at),
	            label_or(label_state(p->state), "Okänd status"),
	            org_label(label_sexes, p->sex));
	if (p->birth_year)
		html_printf(b, "<dt>Födelseår</dt><dd>%lld</dd>", (long long)p->birth_year);
	html_printf(b, "<dt>Anmäld</dt><dd>%s</dd><dt>Anmäld av</dt><dd>%s</dd>",
	            dash_date(d1, p->referred_on), web_code_label(r, "referral_source", p->source));
	if (p->source_member_name)
		html_printf(b, "<dt>Anmälande medlem</dt><dd>%s</dd>", p->source_member_name);
	if (p->source_unit)
		html_printf(b, "<dt>Anmälande enhet</dt><dd>%s</dd>", p->source_unit);
	html_printf(b, "<dt>Hemkommun</dt><dd>%s</dd>", or_dash(p->home_area_name));
	if (p->home_district_name)
		html_printf(b, "<dt>Stadsdel</dt><dd>%s</dd>", p->home_district_name);
	html_printf(b,
	            "<dt>Startdatum</dt><dd>%s</dd><dt>Slutdatum</dt><dd>%s</dd>"
	            "<dt>Avslutsorsak</dt><dd>%s</dd><dt>Räknas i statistiken</dt><dd>%s</dd></dl>",
	            dash_date(d2, p->start_on), dash_date(d3, p->end_on),
	            p->end_reason ? web_code_label(r, "end_reason", p->end_reason) : "–",
	            p->counts ? "Ja" : "Nej");

	html_printf(b, "<h4>Samtycke</h4>");
	if (!p->nconsents)
		html_printf(b, "<p>Inget samtycke registrerat.</p>");
	else
		html_printf(b, "<ul>");
	for (size_t i = 0; i < p->nconsents; i++) {
		const struct extract_consent *c = &p->consents[i];
		html_printf(b, "<li>Lämnat %s (blankettversion %s), registrerat av %s",
		            dash_date(d1, c->given_on), or_dash(c->form_version),
		            label_actor(r, un, c->collected_by ? c->collected_by : "cli"));
		if (c->withdrawn_on)
			html_printf(b, ", återkallat %s", dash_date(d2, c->withdrawn_on));
		html_printf(b, "</li>");
	}
	if (p->nconsents)
		html_printf(b, "</ul>");

	html_printf(b, "<h4>Registrerade uppgifter</h4>");
	if (!p->nanswers)
		html_printf(b, "<p>Inga uppgifter registrerade.</p>");
	else
		html_printf(b, "<table><caption>Vid start och avslut</caption><thead><tr>"
		               "<th scope=\"col\">Tillfälle</th><th scope=\"col\">Uppgift</th>"
		               "<th scope=\"col\">Svar</th><th scope=\"col\" class=\"num\">"
		               "Omfattning</th></tr></thead><tbody>");
	for (size_t i = 0; i < p->nanswers; i++) {
		const struct extract_answer *x = &p->answers[i];
		html_printf(b,
		            "<tr><td data-label=\"Tillfälle\">%s</td><td data-label=\"Uppgift\">%s"
		            "</td><td data-label=\"Svar\">%s</td><td data-label=\"Omfattning\" "
		            "class=\"num\">",
		            x->phase && strcmp(x->phase, "start") == 0 ? "Start" : "Avslut",
		            org_label(label_answer_lists, x->list),
		            web_code_label(r, x->list, x->code));
		if (x->extent >= 0)
			html_printf(b, "%lld %%</td></tr>", (long long)x->extent);
		else
			html_printf(b, "–</td></tr>");
	}
	if (p->nanswers)
		html_printf(b, "</tbody></table>");

	html_printf(b, "<h4>Historik</h4>");
	if (!p->nhistory)
		html_printf(b, "<p>Ingen historik.</p>");
	else
		html_printf(b, "<table><caption>Ändringar av deltagandet</caption>"
		               "<thead><tr><th scope=\"col\">Tid</th><th scope=\"col\">Av</th>"
		               "<th scope=\"col\">Uppgift</th><th scope=\"col\">Före</th>"
		               "<th scope=\"col\">Efter</th></tr></thead><tbody>");
	for (size_t i = 0; i < p->nhistory; i++)
		web_history_row(r, un, &p->history[i].e);
	if (p->nhistory)
		html_printf(b, "</tbody></table>");

	html_printf(b, "<h4>Deltagartimmar</h4>");
	if (!p->nattendance)
		html_printf(b, "<p>Inga timmar registrerade.</p>");
	else
		html_printf(b, "<table><caption>Per månad</caption><thead><tr><th scope=\"col\">"
		               "Månad</th><th scope=\"col\" class=\"num\">Timmar</th></tr></thead>"
		               "<tbody>");
	for (size_t i = 0; i < p->nattendance; i++) {
		const struct extract_attendance *t = &p->attendance[i];
		html_printf(b,
		            "<tr><td data-label=\"Månad\">%s</td><td data-label=\"Timmar\" "
		            "class=\"num\">%lld,%lld</td></tr>",
		            svtime_month(d1, t->month), (long long)(t->hours_tenths / 10),
		            (long long)(t->hours_tenths % 10));
	}
	if (p->nattendance)
		html_printf(b, "</tbody></table>");
	html_printf(b, "</section>");
}

/* The extract as a readable Swedish document. */
static void extract_html(struct req *r, const struct user_names *un,
                         const struct register_extract *x)
{
	struct buf *b = &r->out;
	char d[SVTIME_MAX], d2[SVTIME_MAX], n[PLURAL_MAX];
	if (!x->nparts) {
		html_printf(b,
		            "<h2>Registerutdrag för %s</h2><p role=\"status\">Inga uppgifter finns "
		            "sparade om personen.</p>",
		            x->pnr);
		return;
	}
	html_printf(b, "<h2>Registerutdrag för %s</h2><dl class=\"facts\">", x->pnr);
	if (x->name)
		html_printf(b, "<dt>Namn</dt><dd>%s</dd>", x->name);
	if (x->first_registered)
		html_printf(b, "<dt>Först registrerad</dt><dd>%s</dd>",
		            svtime_datetime(d2, x->first_registered));
	html_printf(b, "<dt>Utdraget gjort</dt><dd>%s</dd><dt>Deltaganden</dt><dd>%s</dd></dl>",
	            dash_date(d, x->made_on),
	            sv_count(n, sizeof n, (long long)x->nparts, "deltagande", "deltaganden"));
	for (size_t i = 0; i < x->nparts; i++)
		participation_html(r, un, &x->parts[i]);
}

void page_extract_post(struct req *r)
{
	struct field_error err = {0};
	struct register_extract x;
	enum rc rc = personal_extract(r->db, r->vault, &r->actor, kv_get(&r->form, "pnr"), r->arena,
	                              &x, &err);
	if (rc == RC_INVALID) {
		r->status = 422;
		extract_form(r, &err);
		page_end(r);
		return;
	}
	struct user_names un = {NULL, 0};
	if (!rc)
		rc = auth_user_list(r->db, r->arena, &un.u, &un.n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	extract_form(r, NULL);
	extract_html(r, &un, &x);
	page_end(r);
}

/* ---- the API --------------------------------------------------------------------------- */

/* POST /api/v1/register-extract {"pnr": "…"}: the JSON document. */
void api_extract(struct req *r)
{
	json_t *v = json_object_get(r->json, "pnr");
	if (!json_is_object(r->json) || json_object_size(r->json) != 1 || !json_is_string(v)) {
		respond_api_error(r, 422, "invalid", "pnr",
		                  "Skicka ett JSON-objekt med bara fältet pnr, som text.");
		return;
	}
	struct field_error err = {0};
	struct register_extract x;
	enum rc rc =
	    personal_extract(r->db, r->vault, &r->actor, json_string_value(v), r->arena, &x, &err);
	if (rc == RC_INVALID) {
		respond_api_field_errors(r, &err);
		return;
	}
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	json_t *doc = extract_json(&x);
	if (!doc) {
		respond_rc(r, RC_NOMEM);
		return;
	}
	respond_json(r, 200, doc);
}
