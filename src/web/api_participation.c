/*
 * api_participation.c — insatser and participants under /api/v1/.
 *
 * Each endpoint reads a JSON body, calls one core function and answers
 * with JSON; input errors are 422 with the field named.  Like the pages,
 * nothing here returns an identity: participations are known by number.
 */
#include <inttypes.h>
#include <string.h>

#include "../core/codes.h"
#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../core/intervention.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "entity.h"
#include "listing.h"
#include "pages.h"

/* ---- reading JSON fields ----------------------------------------------------- */

/* A string member: NULL when absent or null; *bad set (and a 422 sent)
 * when present with another type. */
static const char *jstr(struct req *r, json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		if (!*bad)
			respond_api_error(r, 422, "invalid", key, "Fältet ska vara text.");
		*bad = 1;
		return NULL;
	}
	const char *s = arena_strndup(r->arena, json_string_value(v), json_string_length(v));
	if (!s || strlen(s) != json_string_length(v)) {
		if (!*bad)
			respond_api_error(r, 422, "invalid", key,
			                  "Texten innehåller otillåtna tecken.");
		*bad = 1;
		return NULL;
	}
	return s;
}

static int64_t jint(struct req *r, json_t *o, const char *key, int64_t dflt, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return dflt;
	if (!json_is_integer(v)) {
		if (!*bad)
			respond_api_error(r, 422, "invalid", key, "Fältet ska vara ett heltal.");
		*bad = 1;
		return dflt;
	}
	return (int64_t)json_integer_value(v);
}

/* jint for a number with bounds: a value outside min..max is answered 422
 * with the bounds, never cast down into a smaller type. */
static int64_t jint_in(struct req *r, json_t *o, const char *key, int64_t dflt, int64_t min,
                       int64_t max, int *bad)
{
	int64_t v = jint(r, o, key, dflt, bad);
	if (*bad || v == dflt || (v >= min && v <= max))
		return v;
	char msg[200];
	str_number_message(STR_NUM_RANGE, 0, min, max, msg, sizeof msg);
	respond_api_error(r, 422, "invalid", key, msg);
	*bad = 1;
	return dflt;
}

/* Checks that o is an object whose keys are all in allowed (NULL-ended). */
static int only_keys(struct req *r, json_t *o, const char *const *allowed)
{
	if (!json_is_object(o)) {
		respond_api_error(r, 422, "invalid", NULL, "Förfrågan ska vara ett JSON-objekt.");
		return 0;
	}
	const char *k;
	json_t *v;
	json_object_foreach (o, k, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, k) == 0;
		if (!ok) {
			respond_api_error(r, 422, "invalid", k, "Fältet finns inte här.");
			return 0;
		}
	}
	return 1;
}

/* Answers to a field error or other result of a core call. */
static int failed(struct req *r, enum rc rc, const struct field_error *e)
{
	if (rc == RC_OK)
		return 0;
	if (rc == RC_INVALID)
		respond_api_field_errors(r, e);
	else
		respond_rc(r, rc);
	return 1;
}

static json_t *nstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* ---- insatser ----------------------------------------------------------------- */

static json_t *intervention_json(const struct intervention *x)
{
	json_t *tg = json_array();
	for (size_t i = 0; i < x->ntarget_groups; i++)
		json_array_append_new(tg, json_string(x->target_groups[i]));
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:s}", "id", (json_int_t)x->id, "name", x->name,
	                      "orientation", x->orientation, "method", x->method, "esf", x->esf,
	                      "start_on", x->start_on);
	json_object_set_new(o, "description", nstr(x->description));
	json_object_set_new(o, "orientation_detail", nstr(x->orientation_detail));
	json_object_set_new(o, "end_on", nstr(x->end_on));
	json_object_set_new(o, "responsible_member_id",
	                    x->responsible_member_id ? json_integer(x->responsible_member_id)
	                                             : json_null());
	json_object_set_new(o, "target_groups", tg);
	return o;
}

void api_interventions(struct req *r)
{
	struct intervention *x;
	size_t n;
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	enum rc rc = intervention_list(r->db, r->arena, assoc, &x, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, intervention_json(&x[i]));
	respond_json(r, 200, json_pack("{s:o}", "items", arr));
}

static void intervention_reply(struct req *r, int64_t id, int status)
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
	json_t *o = intervention_json(&x);
	json_t *years = json_array();
	for (size_t i = 0; i < ny; i++) {
		json_t *yo = json_pack("{s:i,s:I,s:I}", "year", y[i].year, "budget_cost",
		                       (json_int_t)y[i].budget_cost, "budget_esf_cost",
		                       (json_int_t)y[i].budget_esf_cost);
		json_object_set_new(yo, "planned_participants",
		                    y[i].planned_participants >= 0
		                        ? json_integer(y[i].planned_participants)
		                        : json_null());
		json_object_set_new(yo, "outcome_cost",
		                    y[i].outcome_cost >= 0 ? json_integer(y[i].outcome_cost)
		                                           : json_null());
		json_object_set_new(yo, "outcome_esf_cost",
		                    y[i].outcome_esf_cost >= 0 ? json_integer(y[i].outcome_esf_cost)
		                                               : json_null());
		json_array_append_new(years, yo);
	}
	json_object_set_new(o, "years", years);
	respond_json(r, status, o);
}

void api_intervention(struct req *r)
{
	intervention_reply(r, r->ids[0], 200);
}

static void intervention_write(struct req *r, int64_t id)
{
	static const char *const keys[] = {"name",
	                                   "description",
	                                   "responsible_member_id",
	                                   "orientation",
	                                   "orientation_detail",
	                                   "method",
	                                   "esf",
	                                   "start_on",
	                                   "end_on",
	                                   "target_groups",
	                                   NULL};
	if (!only_keys(r, r->json, keys))
		return;
	struct intervention x = {0};
	if (id && intervention_get(r->db, r->arena, id, &x)) {
		respond_rc(r, RC_NOT_FOUND);
		return;
	}
	int bad = 0;
	json_t *j = r->json;
	x.id = id;
	x.association_id = entity_association(r);
	if (json_object_get(j, "name"))
		x.name = jstr(r, j, "name", &bad);
	if (json_object_get(j, "description"))
		x.description = jstr(r, j, "description", &bad);
	if (json_object_get(j, "responsible_member_id"))
		x.responsible_member_id = jint(r, j, "responsible_member_id", 0, &bad);
	if (json_object_get(j, "orientation"))
		x.orientation = jstr(r, j, "orientation", &bad);
	if (json_object_get(j, "orientation_detail"))
		x.orientation_detail = jstr(r, j, "orientation_detail", &bad);
	if (json_object_get(j, "method"))
		x.method = jstr(r, j, "method", &bad);
	json_t *esf = json_object_get(j, "esf");
	if (esf && !json_is_boolean(esf) && !bad) {
		respond_api_error(r, 422, "invalid", "esf", "Fältet ska vara true eller false.");
		bad = 1;
	} else if (esf) {
		x.esf = json_is_true(esf);
	}
	if (json_object_get(j, "start_on"))
		x.start_on = jstr(r, j, "start_on", &bad);
	if (json_object_get(j, "end_on"))
		x.end_on = jstr(r, j, "end_on", &bad);
	json_t *tg = json_object_get(j, "target_groups");
	if (tg && !bad) {
		if (!json_is_array(tg) || json_array_size(tg) > 16) {
			respond_api_error(r, 422, "invalid", "target_groups",
			                  "Fältet ska vara en lista av koder.");
			return;
		}
		const char **codes =
		    arena_alloc(r->arena, (json_array_size(tg) + 1) * sizeof *codes);
		for (size_t i = 0; codes && i < json_array_size(tg); i++) {
			json_t *c = json_array_get(tg, i);
			if (!json_is_string(c)) {
				respond_api_error(r, 422, "invalid", "target_groups",
				                  "Målgrupperna anges som koder.");
				return;
			}
			codes[i] = json_string_value(c);
		}
		x.target_groups = codes;
		x.ntarget_groups = json_array_size(tg);
	}
	if (bad || !x.association_id)
		return;
	struct field_error e = {0};
	if (failed(r, intervention_save(r->db, &r->actor, &x, &e), &e))
		return;
	intervention_reply(r, x.id, id ? 200 : 201);
}

void api_intervention_create(struct req *r)
{
	intervention_write(r, 0);
}

void api_intervention_update(struct req *r)
{
	intervention_write(r, r->ids[0]);
}

/* ---- participations ---------------------------------------------------------------- */

static json_t *participation_json(const struct participation *p)
{
	json_t *o = json_pack("{s:I,s:I,s:s,s:b,s:s,s:s,s:s,s:s,s:b,s:b}", "id", (json_int_t)p->id,
	                      "intervention_id", (json_int_t)p->intervention_id, "intervention",
	                      p->intervention_name, "identified", p->identified, "sex", p->sex,
	                      "state", p->state, "referred_on", p->referred_on, "source", p->source,
	                      "counts", p->counts, "protected", p->protected_identity);
	json_object_set_new(o, "birth_year",
	                    p->birth_year ? json_integer(p->birth_year) : json_null());
	json_object_set_new(o, "source_unit", nstr(p->source_unit));
	json_object_set_new(o, "home_area", nstr(p->home_area_name));
	json_object_set_new(o, "home_district", nstr(p->home_district_name));
	json_object_set_new(o, "start_on", nstr(p->start_on));
	json_object_set_new(o, "end_on", nstr(p->end_on));
	json_object_set_new(o, "end_reason", nstr(p->end_reason));
	json_object_set_new(o, "consent_on", nstr(p->consent_on));
	json_object_set_new(o, "consent_withdrawn_on", nstr(p->consent_withdrawn_on));
	if (strcmp(p->state, "queued") == 0)
		json_object_set_new(o, "waiting_days", json_integer(p->waiting_days));
	return o;
}

/* API sort keys of the participation lists: date first, then number. */
static const struct list_key api_referral_keys[] = {{"referred_on", 1}, {"id", 0}};
static const struct list_key api_queue_keys[] = {{"referred_on", 0}, {"id", 0}};

static void list_reply(struct req *r, enum rc rc, const struct paging *pg,
                       const struct participation *p, size_t n)
{
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, participation_json(&p[i]));
	json_t *o = json_pack("{s:o}", "items", arr);
	list_api_reply_fields(o, pg, n);
	respond_json(r, 200, o);
}

void api_participations(struct req *r)
{
	struct participation *p = NULL;
	size_t n = 0;
	struct paging pg;
	if (list_api_parse(r, api_referral_keys, 2, &pg))
		return;
	struct intervention x;
	enum rc rc = intervention_get(r->db, r->arena, r->ids[0], &x);
	if (!rc)
		rc = participation_list(r->db, r->arena, r->ids[0], &pg, &p, &n);
	list_reply(r, rc, &pg, p, n);
}

void api_queue(struct req *r)
{
	int64_t intervention = 0, area = 0;
	const char *qi = req_query(r, "insats"), *qa = req_query(r, "kommun");
	if ((qi && (!str_to_i64(qi, &intervention) || intervention < 0)) ||
	    (qa && (!str_to_i64(qa, &area) || area < 0))) {
		respond_api_error(r, 400, NULL, qi ? "insats" : "kommun",
		                  "Filtret ska vara ett id.");
		return;
	}
	struct paging pg;
	if (list_api_parse(r, api_queue_keys, 2, &pg))
		return;
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	struct participation *p = NULL;
	size_t n = 0;
	enum rc rc = participation_queue(r->db, r->arena, assoc, intervention, area, &pg, &p, &n);
	list_reply(r, rc, &pg, p, n);
}

void api_participation(struct req *r)
{
	struct participation p;
	struct registered_answer *a;
	size_t na;
	enum rc rc = participation_get(r->db, r->arena, r->ids[0], &p);
	if (!rc)
		rc = participation_answers(r->db, r->arena, p.id, &a, &na);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	json_t *o = participation_json(&p);
	json_t *arr = json_array();
	for (size_t i = 0; i < na; i++) {
		json_t *x = json_pack("{s:s,s:s,s:s}", "phase", a[i].phase, "list", a[i].list,
		                      "code", a[i].code);
		json_object_set_new(x, "extent",
		                    a[i].extent >= 0 ? json_integer(a[i].extent) : json_null());
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "answers", arr);
	respond_json(r, 200, o);
}

static void participation_reply(struct req *r, int64_t id, int status)
{
	struct participation p;
	enum rc rc = participation_get(r->db, r->arena, id, &p);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	respond_json(r, status, participation_json(&p));
}

void api_referral(struct req *r)
{
	static const char *const keys[] = {"referred_on",
	                                   "source",
	                                   "source_member_id",
	                                   "home_area_id",
	                                   "home_district_id",
	                                   "sex",
	                                   "consent_on",
	                                   "consent_form",
	                                   "pnr",
	                                   "name",
	                                   "protected",
	                                   "source_unit",
	                                   "confirm_duplicate",
	                                   NULL};
	if (!only_keys(r, r->json, keys))
		return;
	int bad = 0;
	json_t *j = r->json;
	struct referral in = {0};
	json_t *confirm = json_object_get(j, "confirm_duplicate");
	if (confirm && !json_is_boolean(confirm)) {
		respond_api_error(r, 422, "invalid", "confirm_duplicate",
		                  "confirm_duplicate ska vara true eller false.");
		return;
	}
	in.confirm_duplicate = confirm && json_is_true(confirm);
	/* Idempotency-Key: the same key from the same user answers the
	 * participation it created instead of creating another. */
	const char *key = req_header(r, "Idempotency-Key");
	if (key) {
		size_t n = strlen(key);
		int ok = n >= 1 && n <= 200;
		for (size_t i = 0; ok && i < n; i++)
			ok = key[i] > 0x20 && key[i] < 0x7f;
		if (!ok) {
			respond_api_error(r, 422, "invalid", "Idempotency-Key",
			                  "Idempotency-Key ska vara 1–200 synliga ASCII-tecken.");
			return;
		}
		in.once_key = key;
	}
	in.intervention_id = r->ids[0];
	in.referred_on = jstr(r, j, "referred_on", &bad);
	in.source = jstr(r, j, "source", &bad);
	in.source_member_id = jint(r, j, "source_member_id", 0, &bad);
	in.source_unit = jstr(r, j, "source_unit", &bad);
	in.home_area_id = jint(r, j, "home_area_id", 0, &bad);
	in.home_district_id = jint(r, j, "home_district_id", 0, &bad);
	in.sex = jstr(r, j, "sex", &bad);
	in.consent_on = jstr(r, j, "consent_on", &bad);
	in.consent_form = jstr(r, j, "consent_form", &bad);
	in.pnr = jstr(r, j, "pnr", &bad);
	in.name = jstr(r, j, "name", &bad);
	json_t *prot = json_object_get(j, "protected");
	in.protected_identity = prot && json_is_true(prot);
	if (bad)
		return;
	struct field_error e = {0};
	int64_t id = 0;
	int replayed = 0;
	enum rc rc = participation_refer_once(r->db, r->vault, &r->actor, &in, &id, &replayed, &e);
	if (rc == RC_CONFLICT && e.field[0]) {
		/* The person is already queued or active in this insats. */
		respond_api_error(r, 409, "duplicate", e.field, e.message);
		return;
	}
	if (failed(r, rc, &e))
		return;
	participation_reply(r, id, replayed ? 200 : 201);
}

/* Reads {"date", "end_reason"?, "answers": [{"list","code","extent"?}]}. */
static int read_registration(struct req *r, struct registration *reg, int with_reason)
{
	static const char *const keys[] = {"date", "end_reason", "answers", NULL};
	if (!only_keys(r, r->json, keys))
		return 0;
	int bad = 0;
	reg->date = jstr(r, r->json, "date", &bad);
	reg->end_reason = with_reason ? jstr(r, r->json, "end_reason", &bad) : NULL;
	json_t *arr = json_object_get(r->json, "answers");
	reg->answers = NULL;
	reg->nanswers = 0;
	if (arr && !bad) {
		if (!json_is_array(arr) || json_array_size(arr) > 32) {
			respond_api_error(r, 422, "invalid", "answers",
			                  "Fältet ska vara en lista.");
			return 0;
		}
		struct answer *a = arena_alloc(r->arena, (json_array_size(arr) + 1) * sizeof *a);
		for (size_t i = 0; a && i < json_array_size(arr); i++) {
			json_t *x = json_array_get(arr, i);
			if (!json_is_object(x)) {
				respond_api_error(r, 422, "invalid", "answers",
				                  "Varje svar ska vara ett objekt.");
				return 0;
			}
			a[i].list = jstr(r, x, "list", &bad);
			a[i].code = jstr(r, x, "code", &bad);
			a[i].extent = (int)jint_in(r, x, "extent", -1, 0, 100, &bad);
			if (!bad && (!a[i].list || !a[i].code)) {
				respond_api_error(r, 422, "invalid", "answers",
				                  "Varje svar behöver list och code.");
				return 0;
			}
		}
		reg->answers = a;
		reg->nanswers = json_array_size(arr);
	}
	return !bad;
}

void api_start(struct req *r)
{
	struct registration reg;
	if (!read_registration(r, &reg, 0))
		return;
	struct field_error e = {0};
	if (failed(r, participation_start(r->db, &r->actor, r->ids[0], &reg, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_end(struct req *r)
{
	struct registration reg;
	if (!read_registration(r, &reg, 1))
		return;
	struct field_error e = {0};
	if (failed(r, participation_end(r->db, &r->actor, r->ids[0], &reg, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_cancel(struct req *r)
{
	struct registration reg;
	if (!read_registration(r, &reg, 1))
		return;
	struct field_error e = {0};
	if (failed(r,
	           participation_cancel(r->db, &r->actor, r->ids[0], reg.date, reg.end_reason, &e),
	           &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_withdraw(struct req *r)
{
	struct registration reg;
	if (!read_registration(r, &reg, 0))
		return;
	struct field_error e = {0};
	if (failed(r, personal_withdraw_consent(r->db, &r->actor, r->ids[0], reg.date, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

/* Consent given later for an anonymous participation. */
void api_consent(struct req *r)
{
	static const char *const keys[] = {"consent_on", "consent_form", "pnr", "name", NULL};
	if (!only_keys(r, r->json, keys))
		return;
	int bad = 0;
	struct consent_in in;
	in.given_on = jstr(r, r->json, "consent_on", &bad);
	in.form = jstr(r, r->json, "consent_form", &bad);
	in.pnr = jstr(r, r->json, "pnr", &bad);
	in.name = jstr(r, r->json, "name", &bad);
	if (bad)
		return;
	struct field_error e = {0};
	if (failed(r, personal_consent_add(r->db, r->vault, &r->actor, r->ids[0], &in, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_attendance(struct req *r)
{
	static const char *const keys[] = {"month", "hours_tenths", NULL};
	if (!only_keys(r, r->json, keys))
		return;
	int bad = 0;
	const char *month = jstr(r, r->json, "month", &bad);
	int64_t tenths =
	    jint_in(r, r->json, "hours_tenths", -1, 0, PARTICIPATION_MAX_HOURS_TENTHS, &bad);
	if (bad)
		return;
	struct field_error e = {0};
	if (failed(r, participation_attendance_set(r->db, &r->actor, r->ids[0], month, tenths, &e),
	           &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_codes(struct req *r)
{
	static const char *const lists[] = {"support",      "employment",      "education",
	                                    "support_time", "target_group",    "orientation_detail",
	                                    "end_reason",   "referral_source", NULL};
	json_t *o = json_object();
	for (const char *const *l = lists; *l; l++) {
		struct code_item *c;
		size_t n;
		if (codes_list(r->db, r->arena, *l, 0, &c, &n)) {
			json_decref(o);
			respond_rc(r, RC_DB);
			return;
		}
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *x = json_pack("{s:s,s:s}", "code", c[i].code, "label", c[i].label);
			if (c[i].grp)
				json_object_set_new(x, "group", json_string(c[i].grp));
			json_array_append_new(arr, x);
		}
		json_object_set_new(o, *l, arr);
	}
	respond_json(r, 200, o);
}
