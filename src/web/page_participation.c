/*
 * page_participation.c — one participation in the browser: its page with
 * the facts, the registered answers, attendance and history, and the
 * forms that move it through its states (start, end, cancel), register
 * hours and correct a fact.  The forms are declared as field tables and
 * rendered through form.c; the personal-data forms on the same page
 * (identity, consent, withdrawal, protection) live in page_personal.c,
 * the register extract in page_extract.c.
 *
 * No URL carries an identity: a participation is known by its number.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/intervention.h"
#include "../core/org.h"
#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/kv.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "entity.h"
#include "form.h"
#include "labels.h"
#include "pages.h"
#include "participation_pages.h"

/* ---- shared with the other participant pages ------------------------------------------------ */

const char *participation_state_label(const char *s)
{
	return s ? label_or(label_state(s), "Okänd status") : "–";
}

const char *participation_dash(const char *s)
{
	return str_blank(s) ? "–" : s;
}

const char *participation_consent_label(const struct participation *p)
{
	if (p->protected_identity)
		return "Skyddade personuppgifter – anonym";
	if (p->consent_withdrawn_on)
		return "Återkallat";
	if (p->identified)
		return "Lämnat";
	return "Saknas – anonym";
}

int participation_may_write(struct req *r, const struct participation *p)
{
	return participation_may_refer(r->db, &r->actor, p->intervention_id) == RC_OK;
}

/* ---- the forms ------------------------------------------------------------------------------ */

#define SUPPORT_HINT "Kryssa i alla källor; ange omfattning i procent om den är känd."

/* Start: the date and the answers at start (code lists kept as data). */
static const struct field start_fields[] = {
    {"date", "Startdatum", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"support", "Försörjning", FT_CHECKS_EXTENT, 1, 2000, NULL, SUPPORT_HINT, NULL},
    {"employment", "Sysselsättning", FT_SELECT, 1, 40, NULL, NULL, NULL},
    {"education", "Högsta avslutade utbildning", FT_SELECT, 0, 40, NULL, NULL, NULL},
    {"support_time", "Tid i offentlig försörjning före insatsen", FT_SELECT, 0, 40, NULL, NULL,
     NULL},
};

static const struct field end_fields[] = {
    {"date", "Slutdatum", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"end_reason", "Avslutsorsak", FT_SELECT, 1, 40, NULL, NULL, NULL},
    {"support", "Försörjning", FT_CHECKS_EXTENT, 0, 2000, NULL, SUPPORT_HINT, NULL},
    {"employment", "Sysselsättning", FT_SELECT, 0, 40, NULL, NULL, NULL},
};

static const struct field cancel_fields[] = {
    {"date", "Datum", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"end_reason", "Orsak", FT_SELECT, 1, 40, NULL, NULL, NULL},
};

static const struct field hours_fields[] = {
    {"month", "Månad", FT_TEXT, 1, 7, NULL, "Som 2026-03.", NULL},
    {"hours", "Timmar", FT_DECIMAL, 1, 10, NULL, "Till exempel 12,5.", NULL},
};

/* One small form per correctable field (no script needed to match the
 * control to the field): the field rides along hidden, the value gets the
 * control its kind needs — a date, the code list's labels, Kvinna/Man. */
#define FIX_FIELDS(field_label, type, size)                                   \
	{                                                                     \
		{"field", "Uppgift", FT_HIDDEN, 1, 20, NULL, NULL, NULL},     \
		{                                                             \
			"value", field_label, type, 1, size, NULL, NULL, NULL \
		}                                                             \
	}
static const struct field fix_referred_on[] = FIX_FIELDS("Anmälningsdatum", FT_DATE, 10);
static const struct field fix_start_on[] = FIX_FIELDS("Startdatum", FT_DATE, 10);
static const struct field fix_end_on[] = FIX_FIELDS("Slutdatum", FT_DATE, 10);
static const struct field fix_end_reason[] = FIX_FIELDS("Avslutsorsak", FT_SELECT, 40);
static const struct field fix_sex[] = FIX_FIELDS("Kön", FT_RADIO, 1);

static const struct correction {
	const char *field; /* as participation_correct names it */
	const char *scope; /* the form's scope (ids, and which form a POST answers) */
	const char *submit;
	const struct field *fields;
	size_t nfields;
} corrections[] = {
    {"referred_on", "rattelse-referred_on", "Rätta anmälningsdatum", fix_referred_on,
     FORM_NFIELDS(fix_referred_on)},
    {"start_on", "rattelse-start_on", "Rätta startdatum", fix_start_on, FORM_NFIELDS(fix_start_on)},
    {"end_on", "rattelse-end_on", "Rätta slutdatum", fix_end_on, FORM_NFIELDS(fix_end_on)},
    {"end_reason", "rattelse-end_reason", "Rätta avslutsorsak", fix_end_reason,
     FORM_NFIELDS(fix_end_reason)},
    {"sex", "rattelse-sex", "Rätta kön", fix_sex, FORM_NFIELDS(fix_sex)},
};
#define NCORRECTIONS (sizeof corrections / sizeof corrections[0])

/* The correction of a field, or NULL for one the page has no form for. */
static const struct correction *correction_of(const char *field)
{
	for (size_t i = 0; field && i < NCORRECTIONS; i++)
		if (strcmp(corrections[i].field, field) == 0)
			return &corrections[i];
	return NULL;
}

/* The home kommun is corrected through the same POST, its own form. */
static const struct field home_fields[] = {
    {"field", "Uppgift", FT_HIDDEN, 1, 20, NULL, NULL, NULL},
    {"value", "Hemkommun", FT_ID, 1, 20, NULL, NULL, NULL},
};

void participation_small_form(struct req *r, struct participation_view *v, int64_t id,
                              struct form *f, const char *action, const char *heading,
                              const char *intro, const char *submit)
{
	if (v->ps && v->ps->form && f->scope && strcmp(v->ps->form, f->scope) == 0) {
		form_read_kv(f, r->arena, &r->form);
		form_fail(f, v->ps->err);
		f->summary_shown = 1; /* at the top of the page */
		v->posted = *f;
		v->has_posted = 1;
	}
	if (heading)
		html_printf(&v->body, "<h2>%s</h2>", heading);
	if (intro)
		html_printf(&v->body, "<p>%s</p>", intro);
	form_render(&v->body, f, arena_printf(r->arena, "/deltagare/%" PRId64 "/%s", id, action),
	            r->who.csrf, submit);
}

/* The kommuner of the förbund as choices, and the one the participation
 * has (by name: the participation carries the name) as the value. */
static void home_options(struct req *r, struct form *f, const struct participation *p)
{
	struct area *ar;
	size_t na, k = 0;
	int64_t assoc = entity_association(r);
	if (!assoc || org_area_list(r->db, r->arena, assoc, &ar, &na))
		return;
	struct form_option *o = arena_alloc(r->arena, (na ? na : 1) * sizeof *o);
	for (size_t i = 0; o && i < na; i++) {
		if (strcmp(ar[i].kind, "kommun") != 0)
			continue;
		o[k].id = ar[i].id;
		o[k++].label = ar[i].name;
		if (p->home_area_name && strcmp(ar[i].name, p->home_area_name) == 0)
			form_set_int(f, r->arena, "value", ar[i].id);
	}
	if (o)
		form_set_options(f, "value", o, k);
}

/* The forms a deltagaransvarig has for the participation's state. */
static void state_forms(struct req *r, struct participation_view *v, const struct participation *p,
                        const char *today)
{
	struct form f;
	if (strcmp(p->state, "queued") == 0) {
		FORM_INIT(&f, start_fields);
		form_set_scope(&f, "start");
		form_set_codes(&f, "support", web_code_options(r, "support"));
		form_set_codes(&f, "employment", web_code_options(r, "employment"));
		form_set_codes(&f, "education", web_code_options(r, "education"));
		form_set_codes(&f, "support_time", web_code_options(r, "support_time"));
		form_set(&f, r->arena, "date", today);
		participation_small_form(r, v, p->id, &f, "start", "Inregistrering (start)", NULL,
		                         "Registrera start");
		FORM_INIT(&f, cancel_fields);
		form_set_scope(&f, "avbryt");
		form_set_codes(&f, "end_reason", web_code_options(r, "end_reason"));
		form_set(&f, r->arena, "date", today);
		participation_small_form(r, v, p->id, &f, "avbryt", "Avbryt anmälan", NULL,
		                         "Avbryt anmälan");
	}
	if (strcmp(p->state, "active") == 0) {
		FORM_INIT(&f, end_fields);
		form_set_scope(&f, "avslut");
		form_set_codes(&f, "end_reason", web_code_options(r, "end_reason"));
		form_set_codes(&f, "support", web_code_options(r, "support"));
		form_set_codes(&f, "employment", web_code_options(r, "employment"));
		form_set(&f, r->arena, "date", today);
		participation_small_form(r, v, p->id, &f, "avslut", "Utregistrering (avslut)", NULL,
		                         "Registrera avslut");
	}
}

static void hours_form(struct req *r, struct participation_view *v, const struct participation *p,
                       const char *today)
{
	struct form f;
	FORM_INIT(&f, hours_fields);
	form_set_scope(&f, "timmar");
	form_set(&f, r->arena, "month", arena_strndup(r->arena, today, 7));
	participation_small_form(r, v, p->id, &f, "timmar", "Registrera timmar", NULL,
	                         "Spara timmar");
}

/* The stored value of a correctable field. */
static const char *stored_value(const struct participation *p, const char *field)
{
	return strcmp(field, "referred_on") == 0  ? p->referred_on
	       : strcmp(field, "start_on") == 0   ? p->start_on
	       : strcmp(field, "end_on") == 0     ? p->end_on
	       : strcmp(field, "end_reason") == 0 ? p->end_reason
	                                          : p->sex;
}

/* Whether the field can be corrected in the participation's state (core
 * judges; this only keeps forms that cannot succeed off the page). */
static int correction_applies(const struct participation *p, const char *field)
{
	if (strcmp(field, "start_on") == 0)
		return p->start_on != NULL;
	if (strcmp(field, "end_on") == 0 || strcmp(field, "end_reason") == 0)
		return strcmp(p->state, "ended") == 0;
	if (strcmp(field, "sex") == 0)
		return !p->identified;
	return 1;
}

/* The current end reasons, and the stored one by its label when it has
 * been retired since (so the select still shows what is registered). */
static const struct org_code *end_reason_options(struct req *r, const char *stored)
{
	const struct org_code *cur = web_code_options(r, "end_reason");
	if (!cur || !stored || org_code_valid(cur, stored))
		return cur;
	size_t n = 0;
	while (cur[n].code)
		n++;
	struct org_code *o = arena_alloc(r->arena, (n + 2) * sizeof *o);
	if (!o)
		return cur;
	memcpy(o, cur, n * sizeof *o);
	o[n].code = stored;
	o[n].label = web_code_label(r, "end_reason", stored);
	o[n + 1].code = NULL;
	o[n + 1].label = NULL;
	return o;
}

static void correct_forms(struct req *r, struct participation_view *v,
                          const struct participation *p)
{
	struct form f;
	const char *posted = v->ps ? v->ps->form : NULL;
	html_printf(&v->body, "<h2>Rätta en uppgift</h2>");
	for (size_t i = 0; i < NCORRECTIONS; i++) {
		const struct correction *c = &corrections[i];
		int is_posted = posted && strcmp(posted, c->scope) == 0;
		if (!is_posted && !correction_applies(p, c->field))
			continue;
		form_init(&f, c->fields, c->nfields);
		form_set_scope(&f, c->scope);
		form_set(&f, r->arena, "field", c->field);
		form_set(&f, r->arena, "value", stored_value(p, c->field));
		if (strcmp(c->field, "end_reason") == 0)
			form_set_codes(&f, "value", end_reason_options(r, p->end_reason));
		else if (strcmp(c->field, "sex") == 0)
			form_set_codes(&f, "value", label_sexes);
		participation_small_form(r, v, p->id, &f, "rattelse", NULL, NULL, c->submit);
	}
	FORM_INIT(&f, home_fields);
	form_set_scope(&f, "hem");
	form_set(&f, r->arena, "field", "home_area_id");
	home_options(r, &f, p);
	participation_small_form(r, v, p->id, &f, "rattelse", "Ändra hemkommun", NULL,
	                         "Ändra hemkommun");
}

/* ---- the page ------------------------------------------------------------------------------- */

static void facts(struct buf *b, struct req *r, const struct participation *p)
{
	char d1[SVTIME_MAX], d2[SVTIME_MAX], d3[SVTIME_MAX];
	html_printf(b,
	            "<dl class=\"facts\"><dt>Insats</dt><dd><a "
	            "href=\"/insatser/%lld\">%s</a></dd>"
	            "<dt>Status</dt><dd>%s%s</dd><dt>Kön</dt><dd>%s</dd>",
	            (long long)p->intervention_id, p->intervention_name,
	            participation_state_label(p->state),
	            p->counts ? "" : " (felregistrering, utanför statistiken)",
	            org_label(label_sexes, p->sex));
	if (p->birth_year)
		html_printf(b, "<dt>Födelseår</dt><dd>%d</dd>", p->birth_year);
	html_printf(
	    b,
	    "<dt>Anmäld</dt><dd>%s av "
	    "%s%s%s%s%s</dd><dt>Hemkommun</dt><dd>%s%s%s</dd>"
	    "<dt>Start</dt><dd>%s</dd><dt>Slut</dt><dd>%s</dd><dt>Avslutsorsak</"
	    "dt><dd>%s</dd>"
	    "<dt>Samtycke</dt><dd>%s</dd></dl>",
	    svtime_date(d1, p->referred_on), web_code_label(r, "referral_source", p->source),
	    p->source_member_name ? ", " : "", p->source_member_name ? p->source_member_name : "",
	    p->source_unit ? ", " : "", p->source_unit ? p->source_unit : "",
	    participation_dash(p->home_area_name), p->home_district_name ? ", " : "",
	    p->home_district_name ? p->home_district_name : "", svtime_date(d2, p->start_on),
	    svtime_date(d3, p->end_on),
	    p->end_reason ? web_code_label(r, "end_reason", p->end_reason) : "–",
	    participation_consent_label(p));
}

static void answers_table(struct buf *b, const struct registered_answer *ans, size_t nans)
{
	if (!nans)
		return;
	html_printf(b, "<h2>Registrerade uppgifter</h2><table><caption>Vid start och "
	               "avslut</caption>"
	               "<thead><tr><th scope=\"col\">Tillfälle</th><th "
	               "scope=\"col\">Uppgift</th>"
	               "<th scope=\"col\" class=\"num\">Omfattning</th></tr></thead><tbody>");
	for (size_t i = 0; i < nans; i++) {
		html_printf(b, "<tr><td>%s</td><td>%s</td><td class=\"num\">",
		            strcmp(ans[i].phase, "start") == 0 ? "Start" : "Avslut", ans[i].label);
		if (ans[i].extent >= 0)
			html_printf(b, "%d %%", ans[i].extent);
		html_printf(b, "</td></tr>");
	}
	html_printf(b, "</tbody></table>");
}

static void attendance_table(struct buf *b, const struct attendance_month *att, size_t natt)
{
	if (!natt)
		return;
	html_printf(b, "<table><caption>Timmar per månad</caption><thead><tr>"
	               "<th scope=\"col\">Månad</th><th scope=\"col\" class=\"num\">Timmar</th>"
	               "</tr></thead><tbody>");
	for (size_t i = 0; i < natt; i++) {
		char m[SVTIME_MAX];
		html_printf(b, "<tr><td>%s</td><td class=\"num\">%lld,%lld</td></tr>",
		            svtime_month(m, att[i].month), (long long)(att[i].hours_tenths / 10),
		            (long long)(att[i].hours_tenths % 10));
	}
	html_printf(b, "</tbody></table>");
}

void participation_page_show(struct req *r, const struct posted *ps, const char *pnr,
                             const char *name)
{
	struct participation p;
	struct registered_answer *ans;
	struct history_entry *h;
	struct attendance_month *att;
	size_t nans, nh, natt;
	enum rc rc = participation_get(r->db, r->arena, actor_now(&r->actor), r->ids[0], &p);
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
	char today[11];
	svtime_today(actor_now(&r->actor), today);
	int w = participation_may_write(r, &p);

	/* Everything below the heading is built first, so that the summary
   * of a failed form can stand at the top of the page. */
	struct participation_view v = {.ps = ps};
	struct buf *b = &v.body;
	buf_init(b, BUF_DEFAULT_MAX);
	if (pnr)
		personal_identity_shown(&v, pnr, name);
	facts(b, r, &p);
	if (p.identified && r->who.role == ROLE_CASEWORKER && w && !pnr)
		personal_identity_form(r, &v, &p);
	answers_table(b, ans, nans);
	if (w)
		state_forms(r, &v, &p, today);
	if (p.start_on) {
		html_printf(b, "<h2>Deltagartimmar</h2>");
		attendance_table(b, att, natt);
		if (w)
			hours_form(r, &v, &p, today);
	}
	if (w) {
		personal_consent_forms(r, &v, &p);
		correct_forms(r, &v, &p);
	}
	if (buf_failed(b)) {
		buf_release(b);
		respond_rc(r, RC_NOMEM);
		return;
	}
	char *title = arena_printf(r->arena, "Deltagande %lld", (long long)p.id);
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>", title);
	if (v.has_posted)
		form_error_summary(&r->out, &v.posted.err, &v.posted);
	html_raw_trusted_markup(&r->out, buf_cstr(b));
	buf_release(b);
	html_printf(&r->out,
	            "<h2>Historik</h2><table class=\"wide\"><caption>Alla ändringar, senaste "
	            "först"
	            "</caption><thead><tr><th scope=\"col\">Tid</th><th scope=\"col\">Av</th>"
	            "<th scope=\"col\">Uppgift</th><th scope=\"col\">Före</th><th "
	            "scope=\"col\">Efter"
	            "</th></tr></thead><tbody>");
	struct user_names un;
	user_names_load(r, &un);
	for (size_t i = 0; i < nh; i++)
		web_history_row(r, &un, &h[i]);
	html_printf(&r->out, "</tbody></table>");
	page_end(r);
}

void page_participation(struct req *r)
{
	participation_page_show(r, NULL, NULL, NULL);
}

void participation_after(struct req *r, const char *form, enum rc rc, const struct field_error *err,
                         const char *done)
{
	if (post_answered(r, rc, arena_printf(r->arena, "/deltagare/%" PRId64, r->ids[0]), done,
	                  NULL, NULL))
		return;
	struct posted ps = {form, err};
	participation_page_show(r, &ps, NULL, NULL);
}

/* ---- the transitions ------------------------------------------------------------------------ */

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

void page_participation_start_post(struct req *r)
{
	size_t n;
	struct answer *a = read_answers(r, &n);
	struct registration reg = {kv_get(&r->form, "date"), NULL, a, n};
	struct field_error err = {0};
	participation_after(r, "start",
	                    participation_start(r->db, &r->actor, r->ids[0], &reg, &err), &err,
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
	enum rc rc = participation_get(r->db, r->arena, actor_now(&r->actor), r->ids[0], &p);
	if (!rc && !participation_may_write(r, &p))
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
	            : "Deltagandet avslutas med orsaken felregistrering och räknas "
	              "inte längre "
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
	participation_after(r, "avslut", participation_end(r->db, &r->actor, r->ids[0], &reg, &err),
	                    &err, "avslut");
}

void page_participation_cancel_post(struct req *r)
{
	if (end_unconfirmed(r, 1))
		return;
	struct field_error err = {0};
	participation_after(r, "avbryt",
	                    participation_cancel(r->db, &r->actor, r->ids[0],
	                                         kv_get(&r->form, "date"),
	                                         kv_get(&r->form, "end_reason"), &err),
	                    &err, "avbruten");
}

void page_participation_correct_post(struct req *r)
{
	struct field_error err = {0}, shown = {0};
	const char *v = kv_get(&r->form, "value");
	char *val = v ? str_trim(arena_strdup(r->arena, v)) : NULL;
	const char *field = kv_get(&r->form, "field");
	/* Each field has its own form; the home kommun one too.  A field no
	 * form offers answers in the first (its message names the problem). */
	const struct correction *c = correction_of(field);
	const char *form = field && strcmp(field, "home_area_id") == 0 ? "hem"
	                   : c                                         ? c->scope
	                                                               : corrections[0].scope;
	enum rc rc = participation_correct(r->db, &r->actor, r->ids[0], field, val, &err);
	/* The field rides hidden in its form: its errors stand by the value. */
	for (int i = 0; i < field_error_count(&err); i++) {
		const char *name, *message;
		field_error_get(&err, i, &name, &message);
		field_error_add(&shown, strcmp(name, "field") == 0 ? "value" : name, message);
	}
	participation_after(r, form, rc, &shown, "rattat");
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
	participation_after(r, "timmar", rc, &err, "timmar");
}
