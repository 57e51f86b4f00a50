/*
 * page_intervention.c — insatser: the list with queue and participant counts,
 * creating and editing (orientation, method and ESF fixed after creation),
 * and the insats page with yearly plan and budget and its staff.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/codes.h"
#include "../core/participation.h"
#include "../core/intervention.h"
#include "../core/org.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "entity.h"
#include "form.h"
#include "pages.h"

/* Items of a list as org_code pairs; retired ones too when all is set. */
static const struct org_code *code_options(struct req *r, const char *list, int all)
{
	struct code_item *c;
	size_t n;
	if (codes_list(r->db, r->arena, list, all, &c, &n))
		n = 0;
	struct org_code *o = arena_alloc(r->arena, (n + 1) * sizeof *o);
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		o[i].code = c[i].code;
		o[i].label = c[i].label;
	}
	return o;
}

const struct org_code *web_code_options(struct req *r, const char *list)
{
	return code_options(r, list, 0);
}

const char *web_code_label(struct req *r, const char *list, const char *code)
{
	if (!code)
		return "–";
	/* Retired items still name what was registered with them. */
	const struct org_code *o = code_options(r, list, 1);
	return o ? org_label(o, code) : code;
}

void html_money(struct buf *b, int64_t ore)
{
	html_int_sv(b, (long long)(ore / 100));
	buf_puts(b, "\xc2\xa0kr");
}

static const struct org_code orientations[] = {
    {"individ", "Individinriktad"}, {"struktur", "Strukturövergripande"}, {NULL, NULL}};
static const struct org_code methods[] = {
    {"person", "Per deltagare"}, {"volym", "Bara antal (volyminsats)"}, {NULL, NULL}};
static const struct org_code yes_no[] = {{"0", "Nej"}, {"1", "Ja"}, {NULL, NULL}};

#define FIXED_HINT "Kan inte ändras när insatsen väl är skapad."

static const struct field intervention_fields[] = {
    {"name", "Namn", FT_TEXT, 1, 120, NULL, NULL, NULL},
    {"description", "Beskrivning", FT_TEXTAREA, 0, 4000, NULL, NULL, NULL},
    {"responsible_member_id", "Ansvarig part", FT_ID, 0, 20, NULL,
     "Den medlem som driver insatsen.", NULL},
    {"orientation", "Inriktning", FT_SELECT, 1, 20, orientations, FIXED_HINT, NULL},
    {"orientation_detail", "Preciserad inriktning", FT_SELECT, 0, 40, NULL, NULL, NULL},
    {"method", "Uppföljning", FT_SELECT, 1, 20, methods,
     "Per deltagare för individinriktade insatser; bara antal för till exempel "
     "konferenser. " FIXED_HINT,
     NULL},
    {"esf", "Medfinansierad av ESF", FT_SELECT, 1, 2, yes_no, FIXED_HINT, NULL},
    {"start_on", "Startdatum", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"end_on", "Slutdatum", FT_DATE, 0, 10, NULL, "Lämna tomt om insatsen löper tills vidare.",
     NULL},
};

static void intervention_form_setup(struct req *r, struct form *f)
{
	FORM_INIT(f, intervention_fields);
	form_set_codes(f, "orientation_detail", web_code_options(r, "orientation_detail"));
	entity_member_options(r, f, "responsible_member_id");
}

/* The target-group checkboxes, as markup to place inside the form. */
static const char *target_group_markup(struct req *r, const char **chosen, size_t nchosen)
{
	struct buf b;
	buf_init(&b, 1u << 16);
	html_printf(&b, "<fieldset><legend>Målgrupper</legend>");
	const struct org_code *o = web_code_options(r, "target_group");
	for (size_t i = 0; o && o[i].code; i++) {
		int on = 0;
		for (size_t k = 0; k < nchosen; k++)
			on |= strcmp(chosen[k], o[i].code) == 0;
		html_printf(&b,
		            "<div class=\"check\"><input type=\"checkbox\" id=\"tg-%s\" "
		            "name=\"target_group\""
		            " value=\"%s\"%s><label for=\"tg-%s\">%s</label></div>",
		            o[i].code, o[i].code, on ? " checked" : "", o[i].code, o[i].label);
	}
	html_printf(&b, "</fieldset>");
	char *s = arena_strdup(r->arena, buf_cstr(&b));
	buf_release(&b);
	return s;
}

static void intervention_to_form(struct req *r, const struct intervention *x, struct form *f)
{
	form_set(f, r->arena, "name", x->name);
	form_set(f, r->arena, "description", x->description);
	form_set_int(f, r->arena, "responsible_member_id", x->responsible_member_id);
	form_set(f, r->arena, "orientation", x->orientation);
	form_set(f, r->arena, "orientation_detail", x->orientation_detail);
	form_set(f, r->arena, "method", x->method);
	form_set(f, r->arena, "esf", x->esf ? "1" : "0");
	form_set(f, r->arena, "start_on", x->start_on);
	form_set(f, r->arena, "end_on", x->end_on);
}

static void intervention_form_page(struct req *r, const char *title, struct form *f,
                                   const char **tg, size_t ntg)
{
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>", title);
	form_render_with(&r->out, f, r->path, r->who.csrf, "Spara",
	                 target_group_markup(r, tg, ntg));
	html_printf(&r->out, "<p><a href=\"/insatser\">Tillbaka till insatserna</a></p>");
	page_end(r);
}

/* Saves the posted form as insats id (0 = new). */
static void intervention_post(struct req *r, int64_t id, const char *title)
{
	struct form f;
	intervention_form_setup(r, &f);
	form_read_kv(&f, r->arena, &r->form);
	size_t ntg = kv_count(&r->form, "target_group");
	const char **tg = arena_alloc(r->arena, (ntg ? ntg : 1) * sizeof *tg);
	size_t k = 0;
	for (size_t i = 0; tg && i < r->form.n; i++)
		if (strcmp(r->form.items[i].name, "target_group") == 0)
			tg[k++] = r->form.items[i].value;
	struct intervention x = {0};
	struct field_error err = {0};
	enum rc rc = form_check(&f);
	if (!rc) {
		x.id = id;
		x.association_id = entity_association(r);
		x.name = form_get(&f, "name");
		x.description = form_get(&f, "description");
		x.responsible_member_id = form_id(&f, "responsible_member_id");
		x.orientation = form_get(&f, "orientation");
		x.orientation_detail = form_get(&f, "orientation_detail");
		x.method = form_get(&f, "method");
		x.esf = strcmp(form_get(&f, "esf"), "1") == 0;
		x.start_on = form_get(&f, "start_on");
		x.end_on = form_get(&f, "end_on");
		x.target_groups = tg;
		x.ntarget_groups = k;
		rc = intervention_save(r->db, &r->actor, &x, &err);
	}
	if (post_answered(r, rc, arena_printf(r->arena, "/insatser/%" PRId64, x.id), "insats", &f,
	                  &err))
		return;
	intervention_form_page(r, title, &f, tg, k);
}

/* 1 when the actor may change insats id; otherwise answers (403/404 or a
 * database error, as the core said) and returns 0.  The core checks again
 * in the write's transaction. */
static int may_change_or_answer(struct req *r, int64_t id)
{
	enum rc rc = intervention_may_change(r->db, &r->actor, id);
	if (rc)
		respond_rc(r, rc);
	return rc == RC_OK;
}

void page_intervention_new(struct req *r)
{
	enum rc rc = intervention_may_create(&r->actor);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct form f;
	intervention_form_setup(r, &f);
	char today[11];
	svtime_today(actor_now(&r->actor), today);
	form_set(&f, r->arena, "orientation", "individ");
	form_set(&f, r->arena, "method", "person");
	form_set(&f, r->arena, "esf", "0");
	form_set(&f, r->arena, "start_on", today);
	intervention_form_page(r, "Ny insats", &f, NULL, 0);
}

void page_intervention_new_post(struct req *r)
{
	enum rc rc = intervention_may_create(&r->actor);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	intervention_post(r, 0, "Ny insats");
}

void page_intervention_edit(struct req *r)
{
	if (!may_change_or_answer(r, r->ids[0]))
		return;
	struct intervention x;
	enum rc rc = intervention_get(r->db, r->arena, r->ids[0], &x);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct form f;
	intervention_form_setup(r, &f);
	intervention_to_form(r, &x, &f);
	intervention_form_page(r, arena_printf(r->arena, "Ändra insats %s", x.name), &f,
	                       x.target_groups, x.ntarget_groups);
}

void page_intervention_edit_post(struct req *r)
{
	if (!may_change_or_answer(r, r->ids[0]))
		return;
	struct intervention x;
	enum rc rc = intervention_get(r->db, r->arena, r->ids[0], &x);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	intervention_post(r, x.id, arena_printf(r->arena, "Ändra insats %s", x.name));
}

void page_interventions(struct req *r)
{
	int64_t assoc = entity_association(r);
	struct intervention *x;
	struct intervention_counts *c;
	size_t n, nc;
	enum rc rc = assoc ? intervention_list(r->db, r->arena, assoc, &x, &n) : RC_DB;
	if (!rc)
		rc = participation_counts(r->db, r->arena, assoc, &c, &nc);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Insatser");
	html_printf(b, "<h1>Insatser</h1>");
	if (intervention_may_create(&r->actor) == RC_OK)
		html_printf(b, "<p class=\"actions\"><a class=\"button\" href=\"/insatser/ny\">Ny "
		               "insats</a></p>");
	html_printf(b, "<table class=\"wide\"><caption>Förbundets insatser</caption><thead><tr>"
	               "<th scope=\"col\">Namn</th><th scope=\"col\">Inriktning</th>"
	               "<th scope=\"col\">Period</th><th scope=\"col\" class=\"num\">I kö</th>"
	               "<th scope=\"col\" class=\"num\">Pågående</th>"
	               "<th scope=\"col\" class=\"num\">Avslutade</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		int64_t q = 0, act = 0, ended = 0;
		for (size_t k = 0; k < nc; k++)
			if (c[k].intervention_id == x[i].id) {
				q = c[k].queued;
				act = c[k].active;
				ended = c[k].ended;
			}
		char d1[SVTIME_MAX], d2[SVTIME_MAX];
		html_printf(
		    b,
		    "<tr><td data-label=\"Namn\"><a href=\"/insatser/%lld\">%s</a>%s</td>"
		    "<td data-label=\"Inriktning\">%s%s</td><td data-label=\"Period\">%s – %s</td>",
		    (long long)x[i].id, x[i].name, x[i].esf ? " (ESF)" : "",
		    org_label(orientations, x[i].orientation),
		    strcmp(x[i].method, "volym") == 0 ? ", antal" : "",
		    svtime_date(d1, x[i].start_on),
		    x[i].end_on ? svtime_date(d2, x[i].end_on) : "");
		html_printf(b,
		            "<td class=\"num\" data-label=\"I kö\">%lld</td><td class=\"num\" "
		            "data-label=\"Pågående\">%lld</td><td class=\"num\" "
		            "data-label=\"Avslutade\">%lld</td></tr>",
		            (long long)q, (long long)act, (long long)ended);
	}
	html_printf(b, "</tbody></table>");
	page_end(r);
}

static const struct field year_fields[] = {
    {"year", "År", FT_INT, 1, 4, NULL, NULL, NULL},
    {"planned", "Planerat antal deltagare", FT_INT, 0, 7, NULL, NULL, NULL},
    {"budget_cost", "Budget insatskostnad (kr)", FT_INT, 1, 12, NULL, NULL, NULL},
    {"budget_esf_cost", "Budget ESF-insatskostnad (kr)", FT_INT, 0, 12, NULL, NULL, NULL},
    {"outcome_cost", "Utfall insatskostnad (kr)", FT_INT, 0, 12, NULL,
     "Lämna tomt tills utfallet är känt.", NULL},
    {"outcome_esf_cost", "Utfall ESF-insatskostnad (kr)", FT_INT, 0, 12, NULL, NULL, NULL},
};

static const struct field staff_fields[] = {
    {"user_id", "Konto", FT_ID, 1, 20, NULL, NULL, NULL},
    {"role", "Roll i insatsen", FT_SELECT, 1, 20, NULL, NULL, NULL},
};
static const struct org_code staff_roles[] = {
    {"insatsansvarig", "Insatsansvarig"}, {"deltagaransvarig", "Deltagaransvarig"}, {NULL, NULL}};

static const struct field volume_fields[] = {
    {"period_start", "Periodens första dag", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"period_end", "Periodens sista dag", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"women", "Antal kvinnor", FT_INT, 1, 8, NULL, NULL, NULL},
    {"men", "Antal män", FT_INT, 1, 8, NULL, NULL, NULL},
};

/* The counts of a volume insats, with the form to add a period. */
static void volume_section(struct req *r, int64_t id, int can_write, struct form *vf)
{
	struct volume_count *v;
	size_t n;
	struct buf *b = &r->out;
	if (intervention_volume_list(r->db, r->arena, id, &v, &n))
		return;
	html_printf(b, "<h2>Antal deltagare per period</h2>");
	if (n == 0) {
		html_printf(b, "<p>Inga antal registrerade.</p>");
	} else {
		int64_t tw = 0, tm = 0;
		html_printf(
		    b, "<table><caption>Antal efter kön</caption><thead><tr>"
		       "<th scope=\"col\">Period</th><th scope=\"col\" class=\"num\">Kvinnor</th>"
		       "<th scope=\"col\" class=\"num\">Män</th><th scope=\"col\" "
		       "class=\"num\">Totalt</th></tr></thead><tbody>");
		for (size_t i = 0; i < n; i++) {
			char d1[SVTIME_MAX], d2[SVTIME_MAX];
			html_printf(
			    b,
			    "<tr><td>%s – %s</td><td class=\"num\">%lld</td><td class=\"num\">"
			    "%lld</td><td class=\"num\">%lld</td></tr>",
			    svtime_date(d1, v[i].period_start), svtime_date(d2, v[i].period_end),
			    (long long)v[i].women, (long long)v[i].men,
			    (long long)(v[i].women + v[i].men));
			tw += v[i].women;
			tm += v[i].men;
		}
		html_printf(
		    b,
		    "</tbody><tfoot><tr><th scope=\"row\">Summa</th><td class=\"num\">%lld"
		    "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr></tfoot>"
		    "</table>",
		    (long long)tw, (long long)tm, (long long)(tw + tm));
	}
	if (can_write) {
		html_printf(b, "<h3>Registrera antal för en period</h3>");
		form_render(b, vf, arena_printf(r->arena, "/insatser/%" PRId64 "/antal", id),
		            r->who.csrf, "Spara antal");
	}
}

static void intervention_page_with(struct req *r, int64_t id, struct form *yf, struct form *sf,
                                   struct form *vf);

static void intervention_page(struct req *r, int64_t id, struct form *yf, struct form *sf)
{
	struct form vf;
	FORM_INIT(&vf, volume_fields);
	intervention_page_with(r, id, yf, sf, &vf);
}

static void intervention_page_with(struct req *r, int64_t id, struct form *yf, struct form *sf,
                                   struct form *vf)
{
	struct intervention x;
	struct intervention_year *y;
	size_t ny;
	enum rc rc = intervention_get(r->db, r->arena, id, &x);
	if (!rc)
		rc = intervention_years(r->db, r->arena, id, &y, &ny);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	/* Only the buttons and forms this user may use: an insatsansvarig
	 * changes only the insatser they are insatsansvarig for. */
	int can_write = intervention_may_change(r->db, &r->actor, x.id) == RC_OK;
	struct buf *b = &r->out;
	char d1[SVTIME_MAX], d2[SVTIME_MAX];
	page_begin(r, arena_printf(r->arena, "Insats %s", x.name));
	html_printf(b, "<h1>%s</h1>", x.name);
	if (x.description)
		html_printf(b, "<p>%s</p>", x.description);
	html_printf(
	    b,
	    "<dl class=\"facts\"><dt>Inriktning</dt><dd>%s</dd><dt>Preciserad inriktning</dt>"
	    "<dd>%s</dd><dt>Uppföljning</dt><dd>%s</dd><dt>ESF</dt><dd>%s</dd>"
	    "<dt>Ansvarig part</dt><dd>%s</dd><dt>Period</dt><dd>%s – "
	    "%s</dd><dt>Målgrupper</dt><dd>",
	    org_label(orientations, x.orientation),
	    web_code_label(r, "orientation_detail", x.orientation_detail),
	    org_label(methods, x.method), x.esf ? "Ja" : "Nej",
	    x.responsible_name ? x.responsible_name : "–", svtime_date(d1, x.start_on),
	    x.end_on ? svtime_date(d2, x.end_on) : "");
	for (size_t i = 0; i < x.ntarget_groups; i++)
		html_printf(b, "%s%s", i ? ", " : "",
		            web_code_label(r, "target_group", x.target_groups[i]));
	if (!x.ntarget_groups)
		html_printf(b, "–");
	html_printf(b, "</dd></dl><p class=\"actions\">");
	if (strcmp(x.method, "person") == 0)
		html_printf(b,
		            "<a class=\"button\" href=\"/insatser/%lld/deltagare\">Deltagare</a>",
		            (long long)x.id);
	if (strcmp(x.method, "person") == 0 && auth_allows(r->who.role, PERM_PARTICIPANT_WRITE) &&
	    intervention_is_staff(r->db, x.id, r->who.user_id, "deltagaransvarig"))
		html_printf(b, "<a class=\"button\" href=\"/insatser/%lld/anmalan\">Ny anmälan</a>",
		            (long long)x.id);
	if (can_write)
		html_printf(b,
		            "<a class=\"button secondary\" href=\"/insatser/%lld/redigera\">Ändra "
		            "insatsen</a>",
		            (long long)x.id);
	html_printf(b, "</p>");
	if (strcmp(x.method, "volym") == 0)
		volume_section(r, x.id, can_write, vf);
	else if (vf->has_error)
		html_printf(b,
		            "<div class=\"error-summary\" role=\"alert\"><h2>Något behöver rättas"
		            "</h2><p>%s</p></div>",
		            vf->err.message);
	html_printf(b, "<h2>Plan och budget per år</h2>");
	if (ny == 0) {
		html_printf(b, "<p>Ingen plan eller budget registrerad.</p>");
	} else {
		html_printf(b, "<table class=\"wide\"><caption>Planerade deltagare, budget och "
		               "utfall</caption>"
		               "<thead><tr><th scope=\"col\">År</th><th scope=\"col\" "
		               "class=\"num\">Planerade deltagare</th>"
		               "<th scope=\"col\" class=\"num\">Budget</th><th scope=\"col\" "
		               "class=\"num\">Varav ESF</th>"
		               "<th scope=\"col\" class=\"num\">Utfall</th><th scope=\"col\" "
		               "class=\"num\">Utfall ESF</th>"
		               "</tr></thead><tbody>");
		for (size_t i = 0; i < ny; i++) {
			html_printf(b,
			            "<tr><td data-label=\"År\">%d</td><td class=\"num\" "
			            "data-label=\"Planerade deltagare\">",
			            y[i].year);
			if (y[i].planned_participants >= 0)
				html_int_sv(b, y[i].planned_participants);
			else
				html_printf(b, "–");
			html_printf(b, "</td><td class=\"num\" data-label=\"Budget\">");
			html_money(b, y[i].budget_cost);
			html_printf(b, "</td><td class=\"num\" data-label=\"Varav ESF\">");
			html_money(b, y[i].budget_esf_cost);
			html_printf(b, "</td><td class=\"num\" data-label=\"Utfall\">");
			if (y[i].outcome_cost >= 0)
				html_money(b, y[i].outcome_cost);
			else
				html_printf(b, "–");
			html_printf(b, "</td><td class=\"num\" data-label=\"Utfall ESF\">");
			if (y[i].outcome_esf_cost >= 0)
				html_money(b, y[i].outcome_esf_cost);
			else
				html_printf(b, "–");
			html_printf(b, "</td></tr>");
		}
		html_printf(b, "</tbody></table>");
	}
	if (can_write) {
		html_printf(b, "<h2>Registrera plan och budget för ett år</h2>");
		form_render(b, yf, arena_printf(r->arena, "/insatser/%" PRId64 "/ar", x.id),
		            r->who.csrf, "Spara året");
	}
	html_printf(b, "<h2>Bemanning</h2>");
	struct user *u;
	size_t nu;
	if (!auth_user_list(r->db, r->arena, &u, &nu)) {
		html_printf(b, "<ul>");
		size_t shown = 0;
		for (size_t i = 0; i < nu; i++)
			for (int k = 0; k < 2; k++) {
				const char *role = staff_roles[k].code;
				if (!intervention_is_staff(r->db, x.id, u[i].id, role))
					continue;
				shown++;
				html_printf(b, "<li>%s, %s", u[i].display_name,
				            staff_roles[k].label);
				if (can_write)
					html_printf(
					    b,
					    " <form class=\"inline\" method=\"post\" "
					    "action=\"/insatser/%lld/bemanning\">"
					    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
					    "<input type=\"hidden\" name=\"user_id\" "
					    "value=\"%lld\">"
					    "<input type=\"hidden\" name=\"role\" value=\"%s\">"
					    "<input type=\"hidden\" name=\"remove\" value=\"1\">"
					    "<button type=\"submit\" class=\"secondary\">Ta bort "
					    "<span class=\"visually-hidden\">%s som "
					    "%s</span></button></form>",
					    (long long)x.id, r->who.csrf, (long long)u[i].id, role,
					    u[i].display_name, staff_roles[k].label);
				html_printf(b, "</li>");
			}
		html_printf(b, "</ul>");
		if (!shown)
			html_printf(b, "<p>Ingen är knuten till insatsen än.</p>");
		if (can_write) {
			struct form_option *o = arena_alloc(r->arena, (nu ? nu : 1) * sizeof *o);
			size_t k = 0;
			for (size_t i = 0; o && i < nu; i++)
				if (!u[i].disabled && (u[i].role == ROLE_INTERVENTION_LEAD ||
				                       u[i].role == ROLE_CASEWORKER)) {
					o[k].id = u[i].id;
					o[k++].label =
					    arena_printf(r->arena, "%s (%s)", u[i].display_name,
					                 auth_role_label(u[i].role));
				}
			form_set_options(sf, "user_id", o, k);
			form_set_codes(sf, "role", staff_roles);
			html_printf(b, "<h3>Knyt ett konto till insatsen</h3>");
			form_render(b, sf,
			            arena_printf(r->arena, "/insatser/%" PRId64 "/bemanning", x.id),
			            r->who.csrf, "Lägg till");
		}
	}
	page_end(r);
}

void page_intervention(struct req *r)
{
	struct form yf, sf;
	FORM_INIT(&yf, year_fields);
	FORM_INIT(&sf, staff_fields);
	intervention_page(r, r->ids[0], &yf, &sf);
}

/* The whole number typed in field name of f, 0..max, into *out (-1 when
 * blank).  Anything else fails the field with the reason (negative, too
 * large, not a number) and returns 0. */
static int number_field(struct form *f, const char *name, int64_t max, int64_t *out)
{
	const char *s = form_get(f, name);
	char msg[200];
	*out = -1;
	if (!s)
		return 1;
	if (!str_parse_number(s, 0, 0, max, out, msg, sizeof msg)) {
		struct field_error e;
		field_error_set(&e, name, msg);
		form_fail(f, &e);
		return 0;
	}
	return 1;
}

/* Kronor in a field as öre (-1 when blank), up to a billion kronor. */
static int kr_field(struct form *f, const char *name, int64_t *ore)
{
	if (!number_field(f, name, 1000000000, ore))
		return 0;
	if (*ore > 0)
		*ore *= 100;
	return 1;
}

void page_intervention_year_post(struct req *r)
{
	if (!may_change_or_answer(r, r->ids[0]))
		return;
	struct form yf, sf;
	FORM_INIT(&yf, year_fields);
	FORM_INIT(&sf, staff_fields);
	form_read_kv(&yf, r->arena, &r->form);
	struct field_error err = {0};
	enum rc rc = form_check(&yf);
	if (!rc) {
		struct intervention_year y;
		y.year = (int)form_id(&yf, "year");
		if (!number_field(&yf, "planned", 1000000, &y.planned_participants) ||
		    !kr_field(&yf, "budget_cost", &y.budget_cost) ||
		    !kr_field(&yf, "budget_esf_cost", &y.budget_esf_cost) ||
		    !kr_field(&yf, "outcome_cost", &y.outcome_cost) ||
		    !kr_field(&yf, "outcome_esf_cost", &y.outcome_esf_cost)) {
			rc = RC_INVALID; /* the field's error is in yf */
		} else {
			if (y.budget_esf_cost < 0)
				y.budget_esf_cost = 0;
			rc = intervention_year_set(r->db, &r->actor, r->ids[0], &y, &err);
		}
	}
	if (post_answered(r, rc, arena_printf(r->arena, "/insatser/%" PRId64, r->ids[0]), "ar", &yf,
	                  &err))
		return;
	intervention_page(r, r->ids[0], &yf, &sf);
}

void page_intervention_staff_post(struct req *r)
{
	if (!may_change_or_answer(r, r->ids[0]))
		return;
	struct form yf, sf;
	FORM_INIT(&yf, year_fields);
	FORM_INIT(&sf, staff_fields);
	form_set_codes(&sf, "role", staff_roles);
	form_read_kv(&sf, r->arena, &r->form);
	int remove = kv_get(&r->form, "remove") != NULL;
	struct field_error err = {0};
	enum rc rc = form_check(&sf);
	if (!rc)
		rc = intervention_staff_set(r->db, &r->actor, r->ids[0], form_id(&sf, "user_id"),
		                            form_get(&sf, "role"), !remove, &err);
	if (post_answered(r, rc, arena_printf(r->arena, "/insatser/%" PRId64, r->ids[0]),
	                  "bemanning", &sf, &err))
		return;
	intervention_page(r, r->ids[0], &yf, &sf);
}

void page_intervention_volume_post(struct req *r)
{
	if (!may_change_or_answer(r, r->ids[0]))
		return;
	struct form yf, sf, vf;
	FORM_INIT(&yf, year_fields);
	FORM_INIT(&sf, staff_fields);
	FORM_INIT(&vf, volume_fields);
	form_read_kv(&vf, r->arena, &r->form);
	struct field_error err = {0};
	enum rc rc = form_check(&vf);
	if (!rc) {
		struct volume_count v = {0, form_get(&vf, "period_start"),
		                         form_get(&vf, "period_end"), form_id(&vf, "women"),
		                         form_id(&vf, "men")};
		rc = intervention_volume_add(r->db, &r->actor, r->ids[0], &v, &err);
	}
	if (post_answered(r, rc, arena_printf(r->arena, "/insatser/%" PRId64, r->ids[0]), "antal",
	                  &vf, &err))
		return;
	intervention_page_with(r, r->ids[0], &yf, &sf, &vf);
}
