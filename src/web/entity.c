/*
 * entity.c — generic new/edit pages and JSON API over the org module, and
 * the descriptions of each org object type; see entity.h.
 */
#include "entity.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/org.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/str.h"
#include "api.h"

#define E(r) ((const struct entity *)(r)->route->data)

int64_t entity_association(struct req *r)
{
	struct association a;
	enum rc rc = org_association_current(r->db, r->arena, &a);
	if (rc) {
		respond_rc(r, rc == RC_NOT_FOUND ? RC_DB : rc);
		return 0;
	}
	return a.id;
}

/* The object id in the URL: the last captured id, or 0. */
static int64_t url_id(struct req *r)
{
	return r->nids ? r->ids[r->nids - 1] : 0;
}

static void render_form_page(struct req *r, const char *title, const struct form *f,
                             const char *back)
{
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>", title);
	form_render(&r->out, f, r->path, r->who.csrf, "Spara");
	if (back)
		html_printf(&r->out, "<p><a href=\"%s\">Tillbaka utan att spara</a></p>", back);
	page_end(r);
}

static void setup(struct req *r, const struct entity *e, struct form *f)
{
	form_init(f, e->fields, e->nfields);
	if (e->options)
		e->options(r, f);
}

/* "Ändra medlem Region Uppsala": the edit page names the stored object
 * (loaded afresh, so a name being retyped does not change the title). */
static const char *edit_title(struct req *r, const struct entity *e, int64_t id)
{
	struct form g;
	setup(r, e, &g);
	const char *name = e->load(r, id, &g) == RC_OK ? form_get(&g, "name") : NULL;
	return str_blank(name) ? e->title_edit
	                       : arena_printf(r->arena, "%s %s", e->title_edit, name);
}

void entity_new_page(struct req *r)
{
	const struct entity *e = E(r);
	struct form f;
	setup(r, e, &f);
	if (e->prefill)
		e->prefill(r, &f);
	render_form_page(r, e->title_new, &f, e->view_path(r, 0, &f));
}

void entity_new_post(struct req *r)
{
	const struct entity *e = E(r);
	struct form f;
	setup(r, e, &f);
	if (e->prefill)
		e->prefill(r, &f);
	form_read_kv(&f, r->arena, &r->form);
	if (e->prefill)
		e->prefill(r, &f); /* the URL wins over a tampered hidden value */
	struct field_error err = {0};
	int64_t id = 0;
	enum rc rc = form_check(&f);
	if (!rc)
		rc = e->save(r, 0, &f, &id, &err);
	if (post_answered(r, rc, e->view_path(r, id, &f), "skapat", &f, &err))
		return;
	render_form_page(r, e->title_new, &f, e->view_path(r, 0, &f));
}

void entity_edit_page(struct req *r)
{
	const struct entity *e = E(r);
	struct form f;
	setup(r, e, &f);
	int64_t id = url_id(r);
	enum rc rc = e->load(r, id, &f);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	render_form_page(r, edit_title(r, e, id), &f, e->view_path(r, id, &f));
}

void entity_edit_post(struct req *r)
{
	const struct entity *e = E(r);
	struct form f;
	setup(r, e, &f);
	int64_t id = url_id(r);
	enum rc rc = e->load(r, id, &f);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	form_read_kv(&f, r->arena, &r->form);
	struct field_error err = {0};
	int64_t saved = 0;
	rc = form_check(&f);
	if (!rc)
		rc = e->save(r, id, &f, &saved, &err);
	if (post_answered(r, rc, e->view_path(r, saved, &f), "sparat", &f, &err))
		return;
	render_form_page(r, edit_title(r, e, id), &f, e->view_path(r, id, &f));
}

/* ---- API ----------------------------------------------------------------- */

void entity_api_list(struct req *r)
{
	const struct entity *e = E(r);
	struct jdoc d = {0};
	json_t *arr = jd(&d, json_array());
	enum rc rc = arr ? e->each(r, &d, arr) : RC_OK;
	if (rc) {
		json_decref(arr);
		respond_rc(r, rc);
		return;
	}
	json_t *o = jd(&d, json_object());
	jd_set(&d, o, "items", arr);
	api_respond_doc(r, 200, &d, o);
}

void entity_api_get(struct req *r)
{
	const struct entity *e = E(r);
	struct form f;
	setup(r, e, &f);
	int64_t id = url_id(r);
	enum rc rc = e->load(r, id, &f);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct jdoc d = {0};
	api_respond_doc(r, 200, &d, form_to_json(&f, id ? id : form_id(&f, "id")));
}

/* Shared tail of create and update: check, save, reload, answer. */
static void api_save(struct req *r, const struct entity *e, struct form *f, int64_t id, int created)
{
	enum rc read = form_read_json(f, r->arena, r->json);
	if (form_check(f) != RC_OK || read != RC_OK) {
		respond_api_field_errors(r, &f->err);
		return;
	}
	struct field_error err = {0};
	int64_t saved = 0;
	enum rc rc = e->save(r, id, f, &saved, &err);
	if (rc == RC_INVALID) {
		respond_api_field_errors(r, &err);
		return;
	}
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct form out;
	setup(r, e, &out);
	if ((rc = e->load(r, saved, &out))) {
		respond_rc(r, rc);
		return;
	}
	struct jdoc d = {0};
	api_respond_doc(r, created ? 201 : 200, &d, form_to_json(&out, saved));
}

void entity_api_create(struct req *r)
{
	const struct entity *e = E(r);
	struct form f;
	setup(r, e, &f);
	if (e->prefill)
		e->prefill(r, &f);
	api_save(r, e, &f, 0, 1);
}

void entity_api_update(struct req *r)
{
	const struct entity *e = E(r);
	struct form f;
	setup(r, e, &f);
	int64_t id = url_id(r);
	enum rc rc = e->load(r, id, &f);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	api_save(r, e, &f, id, 0);
}

/* ---- option lists ------------------------------------------------------------ */

void entity_member_options(struct req *r, struct form *f, const char *field)
{
	struct member *m;
	size_t n;
	int64_t assoc = entity_association(r);
	if (!assoc || org_member_list(r->db, r->arena, assoc, &m, &n))
		return;
	struct form_option *o = arena_alloc(r->arena, (n ? n : 1) * sizeof *o);
	if (!o)
		return;
	for (size_t i = 0; i < n; i++) {
		o[i].id = m[i].id;
		o[i].label = m[i].name;
	}
	form_set_options(f, field, o, n);
}

static void kommun_options(struct req *r, struct form *f, const char *field)
{
	struct area *a;
	size_t n, k = 0;
	int64_t assoc = entity_association(r);
	if (!assoc || org_area_list(r->db, r->arena, assoc, &a, &n))
		return;
	struct form_option *o = arena_alloc(r->arena, (n ? n : 1) * sizeof *o);
	if (!o)
		return;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].kind, "kommun") == 0) {
			o[k].id = a[i].id;
			o[k++].label = a[i].name;
		}
	form_set_options(f, field, o, k);
}

/* ---- förbund ---------------------------------------------------------------- */

static const struct field association_fields[] = {
    {"name", "Förbundets namn", FT_TEXT, 1, 200, NULL, NULL, "organization"},
    {"org_number", "Organisationsnummer", FT_TEXT, 0, 13, NULL, "Tio siffror, som 222000-1234.",
     NULL},
};

static enum rc association_load(struct req *r, int64_t id, struct form *f)
{
	(void)id;
	struct association a;
	enum rc rc = org_association_current(r->db, r->arena, &a);
	if (rc)
		return rc;
	form_set(f, r->arena, "name", a.name);
	form_set(f, r->arena, "org_number", a.org_number);
	return RC_OK;
}

static enum rc association_save(struct req *r, int64_t id, const struct form *f, int64_t *id_out,
                                struct field_error *err)
{
	(void)id;
	struct association a = {entity_association(r), form_get(f, "name"),
	                        form_get(f, "org_number")};
	if (!a.id)
		return RC_DB;
	*id_out = a.id;
	return org_association_update(r->db, &r->actor, &a, err);
}

static enum rc association_each(struct req *r, struct jdoc *d, json_t *arr)
{
	struct form f;
	FORM_INIT(&f, association_fields);
	enum rc rc = association_load(r, 0, &f);
	if (!rc)
		jd_append(d, arr, form_to_json(&f, entity_association(r)));
	return rc;
}

static const char *association_view(struct req *r, int64_t id, const struct form *f)
{
	(void)r, (void)id, (void)f;
	return "/forbund";
}

const struct entity entity_association_def = {.type = "association",
                                              .fields = association_fields,
                                              .nfields = FORM_NFIELDS(association_fields),
                                              .title_new = "Förbundet",
                                              .title_edit = "Ändra förbundets uppgifter",
                                              .options = NULL,
                                              .prefill = NULL,
                                              .load = association_load,
                                              .save = association_save,
                                              .each = association_each,
                                              .view_path = association_view};

/* ---- area --------------------------------------------------------------------- */

static const struct field area_fields[] = {
    {"kind", "Typ av område", FT_SELECT, 1, 20, org_area_kinds, NULL, NULL},
    {"name", "Namn", FT_TEXT, 1, 100, NULL, NULL, NULL},
    {"code", "Kommunkod", FT_TEXT, 0, 4, NULL,
     "SCB:s fyrsiffriga kod, för en kommun (till exempel 1480).", NULL},
    {"parent_id", "Kommun", FT_ID, 0, 20, NULL, "För en stadsdel: den kommun den ligger i.", NULL},
};

static void area_options(struct req *r, struct form *f)
{
	kommun_options(r, f, "parent_id");
}

static void area_to_form(struct req *r, const struct area *a, struct form *f)
{
	form_set(f, r->arena, "kind", a->kind);
	form_set(f, r->arena, "name", a->name);
	form_set(f, r->arena, "code", a->code);
	form_set_int(f, r->arena, "parent_id", a->parent_id);
}

static enum rc area_load(struct req *r, int64_t id, struct form *f)
{
	struct area a;
	enum rc rc = org_area_get(r->db, r->arena, id, &a);
	if (!rc)
		area_to_form(r, &a, f);
	return rc;
}

static enum rc area_save(struct req *r, int64_t id, const struct form *f, int64_t *id_out,
                         struct field_error *err)
{
	struct area a = {0};
	a.id = id;
	a.association_id = entity_association(r);
	a.kind = form_get(f, "kind");
	a.name = form_get(f, "name");
	a.code = form_get(f, "code");
	a.parent_id = form_id(f, "parent_id");
	enum rc rc = org_area_save(r->db, &r->actor, &a, err);
	*id_out = a.id;
	return rc;
}

static enum rc area_each(struct req *r, struct jdoc *d, json_t *arr)
{
	struct area *a;
	size_t n;
	enum rc rc = org_area_list(r->db, r->arena, entity_association(r), &a, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct form f;
		FORM_INIT(&f, area_fields);
		area_to_form(r, &a[i], &f);
		jd_append(d, arr, form_to_json(&f, a[i].id));
	}
	return rc;
}

const struct entity entity_area = {.type = "area",
                                   .fields = area_fields,
                                   .nfields = FORM_NFIELDS(area_fields),
                                   .title_new = "Nytt område",
                                   .title_edit = "Ändra område",
                                   .options = area_options,
                                   .prefill = NULL,
                                   .load = area_load,
                                   .save = area_save,
                                   .each = area_each,
                                   .view_path = association_view};

/* ---- member ------------------------------------------------------------------------ */

static const struct field member_fields[] = {
    {"kind", "Typ av medlem", FT_SELECT, 1, 20, org_member_kinds, NULL, NULL},
    {"name", "Namn", FT_TEXT, 1, 120, NULL, "Till exempel Region Uppsala eller Tierps kommun.",
     NULL},
    {"org_number", "Organisationsnummer", FT_TEXT, 0, 13, NULL, "Tio siffror, som 212000-0241.",
     NULL},
    {"area_id", "Kommunområde", FT_ID, 0, 20, NULL, "För en kommun: området i förbundets karta.",
     NULL},
    {"joined_on", "Medlem sedan", FT_DATE, 0, 10, NULL, "Datum som 2004-01-01.", NULL},
    {"left_on", "Utträde", FT_DATE, 0, 10, NULL, "Lämna tomt om medlemmen är kvar.", NULL},
};

static void member_opts(struct req *r, struct form *f)
{
	kommun_options(r, f, "area_id");
}

static void member_to_form(struct req *r, const struct member *m, struct form *f)
{
	form_set(f, r->arena, "kind", m->kind);
	form_set(f, r->arena, "name", m->name);
	form_set(f, r->arena, "org_number", m->org_number);
	form_set_int(f, r->arena, "area_id", m->area_id);
	form_set(f, r->arena, "joined_on", m->joined_on);
	form_set(f, r->arena, "left_on", m->left_on);
}

static enum rc member_load(struct req *r, int64_t id, struct form *f)
{
	struct member m;
	enum rc rc = org_member_get(r->db, r->arena, id, &m);
	if (!rc)
		member_to_form(r, &m, f);
	return rc;
}

static enum rc member_save(struct req *r, int64_t id, const struct form *f, int64_t *id_out,
                           struct field_error *err)
{
	struct member m = {0};
	m.id = id;
	m.association_id = entity_association(r);
	m.kind = form_get(f, "kind");
	m.name = form_get(f, "name");
	m.org_number = form_get(f, "org_number");
	m.area_id = form_id(f, "area_id");
	m.joined_on = form_get(f, "joined_on");
	m.left_on = form_get(f, "left_on");
	enum rc rc = org_member_save(r->db, &r->actor, &m, err);
	*id_out = m.id;
	return rc;
}

static enum rc member_each(struct req *r, struct jdoc *d, json_t *arr)
{
	struct member *m;
	size_t n;
	enum rc rc = org_member_list(r->db, r->arena, entity_association(r), &m, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct form f;
		FORM_INIT(&f, member_fields);
		member_to_form(r, &m[i], &f);
		json_t *o = jd(d, form_to_json(&f, m[i].id));
		if (m[i].latest_population >= 0)
			jd_set(d, o, "population",
			       json_pack("{s:i,s:I}", "year", m[i].latest_population_year, "count",
			                 (json_int_t)m[i].latest_population));
		jd_append(d, arr, o);
	}
	return rc;
}

static const char *member_view(struct req *r, int64_t id, const struct form *f)
{
	(void)f;
	return id ? arena_printf(r->arena, "/medlemmar/%" PRId64, id) : "/medlemmar";
}

const struct entity entity_member = {.type = "member",
                                     .fields = member_fields,
                                     .nfields = FORM_NFIELDS(member_fields),
                                     .title_new = "Ny medlem",
                                     .title_edit = "Ändra medlem",
                                     .options = member_opts,
                                     .prefill = NULL,
                                     .load = member_load,
                                     .save = member_save,
                                     .each = member_each,
                                     .view_path = member_view};

/* ---- body ---------------------------------------------------------------------------- */

static const struct field body_fields[] = {
    {"kind", "Typ av organ", FT_SELECT, 1, 20, org_body_kinds, NULL, NULL},
    {"name", "Namn", FT_TEXT, 1, 120, NULL, "Till exempel Styrelsen eller Beredningsgruppen.",
     NULL},
    {"description", "Beskrivning", FT_TEXTAREA, 0, 2000, NULL, NULL, NULL},
};

static void body_to_form(struct req *r, const struct body *b, struct form *f)
{
	form_set(f, r->arena, "kind", b->kind);
	form_set(f, r->arena, "name", b->name);
	form_set(f, r->arena, "description", b->description);
}

static enum rc body_load(struct req *r, int64_t id, struct form *f)
{
	struct body b;
	enum rc rc = org_body_get(r->db, r->arena, id, actor_now(&r->actor), &b);
	if (!rc)
		body_to_form(r, &b, f);
	return rc;
}

static enum rc body_save(struct req *r, int64_t id, const struct form *f, int64_t *id_out,
                         struct field_error *err)
{
	struct body b = {0};
	b.id = id;
	b.association_id = entity_association(r);
	b.kind = form_get(f, "kind");
	b.name = form_get(f, "name");
	b.description = form_get(f, "description");
	enum rc rc = org_body_save(r->db, &r->actor, &b, err);
	*id_out = b.id;
	return rc;
}

static enum rc body_each(struct req *r, struct jdoc *d, json_t *arr)
{
	struct body *b;
	size_t n;
	enum rc rc =
	    org_body_list(r->db, r->arena, entity_association(r), actor_now(&r->actor), &b, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct form f;
		FORM_INIT(&f, body_fields);
		body_to_form(r, &b[i], &f);
		jd_append(d, arr, form_to_json(&f, b[i].id));
	}
	return rc;
}

static const char *body_view(struct req *r, int64_t id, const struct form *f)
{
	(void)f;
	return id ? arena_printf(r->arena, "/organ/%" PRId64, id) : "/organ";
}

const struct entity entity_body = {.type = "body",
                                   .fields = body_fields,
                                   .nfields = FORM_NFIELDS(body_fields),
                                   .title_new = "Nytt organ",
                                   .title_edit = "Ändra organ",
                                   .options = NULL,
                                   .prefill = NULL,
                                   .load = body_load,
                                   .save = body_save,
                                   .each = body_each,
                                   .view_path = body_view};

/* ---- person ---------------------------------------------------------------------------- */

static const struct field person_fields[] = {
    {"name", "Namn", FT_TEXT, 1, 120, NULL, NULL, "name"},
    {"title", "Befattning eller uppdrag", FT_TEXT, 0, 120, NULL,
     "Till exempel kommunalråd, sektionschef eller förbundschef.", "organization-title"},
    {"employer_member_id", "Organisation", FT_ID, 0, 20, NULL,
     "Den medlem personen arbetar hos eller är vald av.", NULL},
    {"email", "E-post", FT_EMAIL, 0, 200, NULL, NULL, "email"},
    {"phone", "Telefon", FT_TEL, 0, 40, NULL, NULL, "tel"},
};

static void person_opts(struct req *r, struct form *f)
{
	entity_member_options(r, f, "employer_member_id");
}

static void person_to_form(struct req *r, const struct person *p, struct form *f)
{
	form_set(f, r->arena, "name", p->name);
	form_set(f, r->arena, "title", p->title);
	form_set_int(f, r->arena, "employer_member_id", p->employer_member_id);
	form_set(f, r->arena, "email", p->email);
	form_set(f, r->arena, "phone", p->phone);
}

static enum rc person_load(struct req *r, int64_t id, struct form *f)
{
	struct person p;
	enum rc rc = org_person_get(r->db, r->arena, id, &p);
	if (!rc)
		person_to_form(r, &p, f);
	return rc;
}

static enum rc person_save(struct req *r, int64_t id, const struct form *f, int64_t *id_out,
                           struct field_error *err)
{
	struct person p = {0};
	p.id = id;
	p.association_id = entity_association(r);
	p.name = form_get(f, "name");
	p.title = form_get(f, "title");
	p.employer_member_id = form_id(f, "employer_member_id");
	p.email = form_get(f, "email");
	p.phone = form_get(f, "phone");
	enum rc rc = org_person_save(r->db, &r->actor, &p, err);
	*id_out = p.id;
	return rc;
}

static enum rc person_each(struct req *r, struct jdoc *d, json_t *arr)
{
	struct person *p;
	size_t n;
	enum rc rc = org_person_list(r->db, r->arena, entity_association(r), &p, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct form f;
		FORM_INIT(&f, person_fields);
		person_to_form(r, &p[i], &f);
		jd_append(d, arr, form_to_json(&f, p[i].id));
	}
	return rc;
}

static const char *person_view(struct req *r, int64_t id, const struct form *f)
{
	(void)f;
	return id ? arena_printf(r->arena, "/personer/%" PRId64, id) : "/personer";
}

const struct entity entity_person = {.type = "person",
                                     .fields = person_fields,
                                     .nfields = FORM_NFIELDS(person_fields),
                                     .title_new = "Ny person",
                                     .title_edit = "Ändra person",
                                     .options = person_opts,
                                     .prefill = NULL,
                                     .load = person_load,
                                     .save = person_save,
                                     .each = person_each,
                                     .view_path = person_view};

/* ---- mandate ------------------------------------------------------------------------------ */

static const struct field mandate_fields[] = {
    {"person_id", "Person", FT_ID, 1, 20, NULL, NULL, NULL},
    {"body_id", "Organ", FT_ID, 1, 20, NULL, NULL, NULL},
    {"role", "Roll", FT_SELECT, 1, 30, org_mandate_roles, NULL, NULL},
    {"member_id", "Företräder", FT_ID, 0, 20, NULL, "Den medlem personen företräder i organet.",
     NULL},
    {"party", "Parti", FT_TEXT, 0, 6, NULL,
     "Partibeteckning för förtroendevalda, som S, M eller KD.", NULL},
    {"start_on", "Från", FT_DATE, 1, 10, NULL, "Mandatperiodens första dag, som 2023-01-01.", NULL},
    {"end_on", "Till och med", FT_DATE, 0, 10, NULL, "Lämna tomt om uppdraget gäller tills vidare.",
     NULL},
};

static void mandate_opts(struct req *r, struct form *f)
{
	entity_member_options(r, f, "member_id");
	int64_t assoc = entity_association(r);
	struct person *p;
	struct body *b;
	size_t np, nb;
	if (assoc && !org_person_list(r->db, r->arena, assoc, &p, &np)) {
		struct form_option *o = arena_alloc(r->arena, (np ? np : 1) * sizeof *o);
		for (size_t i = 0; o && i < np; i++) {
			o[i].id = p[i].id;
			o[i].label =
			    p[i].employer_name
			        ? arena_printf(r->arena, "%s, %s", p[i].name, p[i].employer_name)
			        : p[i].name;
		}
		if (o)
			form_set_options(f, "person_id", o, np);
	}
	if (assoc && !org_body_list(r->db, r->arena, assoc, actor_now(&r->actor), &b, &nb)) {
		struct form_option *o = arena_alloc(r->arena, (nb ? nb : 1) * sizeof *o);
		for (size_t i = 0; o && i < nb; i++) {
			o[i].id = b[i].id;
			o[i].label = b[i].name;
		}
		if (o)
			form_set_options(f, "body_id", o, nb);
	}
}

static void mandate_prefill(struct req *r, struct form *f)
{
	/* /organ/#/uppdrag/ny and /api/v1/bodies/#/mandates name the body. */
	if (r->nids)
		form_set_int(f, r->arena, "body_id", r->ids[0]);
}

static void mandate_to_form(struct req *r, const struct mandate *m, struct form *f)
{
	form_set_int(f, r->arena, "person_id", m->person_id);
	form_set_int(f, r->arena, "body_id", m->body_id);
	form_set(f, r->arena, "role", m->role);
	form_set_int(f, r->arena, "member_id", m->member_id);
	form_set(f, r->arena, "party", m->party);
	form_set(f, r->arena, "start_on", m->start_on);
	form_set(f, r->arena, "end_on", m->end_on);
}

static enum rc mandate_load(struct req *r, int64_t id, struct form *f)
{
	struct mandate m;
	enum rc rc = org_mandate_get(r->db, r->arena, id, &m);
	if (!rc)
		mandate_to_form(r, &m, f);
	return rc;
}

static enum rc mandate_save(struct req *r, int64_t id, const struct form *f, int64_t *id_out,
                            struct field_error *err)
{
	struct mandate m = {0};
	m.id = id;
	m.person_id = form_id(f, "person_id");
	m.body_id = form_id(f, "body_id");
	m.role = form_get(f, "role");
	m.member_id = form_id(f, "member_id");
	m.party = form_get(f, "party");
	m.start_on = form_get(f, "start_on");
	m.end_on = form_get(f, "end_on");
	enum rc rc = org_mandate_save(r->db, &r->actor, &m, err);
	*id_out = m.id;
	return rc;
}

static enum rc mandate_each(struct req *r, struct jdoc *d, json_t *arr)
{
	struct mandate *m;
	size_t n;
	enum rc rc = org_mandate_list(r->db, r->arena, r->nids ? r->ids[0] : 0, 0, &m, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct form f;
		FORM_INIT(&f, mandate_fields);
		mandate_to_form(r, &m[i], &f);
		jd_append(d, arr, form_to_json(&f, m[i].id));
	}
	return rc;
}

static const char *mandate_view(struct req *r, int64_t id, const struct form *f)
{
	(void)id;
	int64_t body = form_id(f, "body_id");
	return body ? arena_printf(r->arena, "/organ/%" PRId64, body) : "/organ";
}

const struct entity entity_mandate = {.type = "mandate",
                                      .fields = mandate_fields,
                                      .nfields = FORM_NFIELDS(mandate_fields),
                                      .title_new = "Nytt uppdrag",
                                      .title_edit = "Ändra uppdrag",
                                      .options = mandate_opts,
                                      .prefill = mandate_prefill,
                                      .load = mandate_load,
                                      .save = mandate_save,
                                      .each = mandate_each,
                                      .view_path = mandate_view};
