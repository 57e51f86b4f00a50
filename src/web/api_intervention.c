/*
 * api_intervention.c — insatser and code lists under /api/v1/: each
 * endpoint reads a JSON body, calls one core function and answers with
 * JSON; input errors are 422 with the field named.
 */
#include <inttypes.h>
#include <string.h>

#include "../core/codes.h"
#include "../core/intervention.h"
#include "../util/arena.h"
#include "api.h"
#include "entity.h"
#include "pages.h"

/* ---- insatser ------------------------------------------------------------------------------- */

static json_t *intervention_json(const struct intervention *x)
{
	json_t *tg = json_array();
	for (size_t i = 0; i < x->ntarget_groups; i++)
		json_array_append_new(tg, json_string(x->target_groups[i]));
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:s}", "id", (json_int_t)x->id, "name", x->name,
	                      "orientation", x->orientation, "method", x->method, "esf", x->esf,
	                      "start_on", x->start_on);
	json_object_set_new(o, "description", api_nstr(x->description));
	json_object_set_new(o, "orientation_detail", api_nstr(x->orientation_detail));
	json_object_set_new(o, "end_on", api_nstr(x->end_on));
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
	if (!api_only_keys(r, r->json, keys))
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
		x.name = api_str(r, j, "name", &bad);
	if (json_object_get(j, "description"))
		x.description = api_str(r, j, "description", &bad);
	if (json_object_get(j, "responsible_member_id"))
		x.responsible_member_id = api_int(r, j, "responsible_member_id", 0, &bad);
	if (json_object_get(j, "orientation"))
		x.orientation = api_str(r, j, "orientation", &bad);
	if (json_object_get(j, "orientation_detail"))
		x.orientation_detail = api_str(r, j, "orientation_detail", &bad);
	if (json_object_get(j, "method"))
		x.method = api_str(r, j, "method", &bad);
	json_t *esf = json_object_get(j, "esf");
	if (esf && !json_is_boolean(esf) && !bad) {
		respond_api_error(r, 422, "invalid", "esf", "Fältet ska vara true eller false.");
		bad = 1;
	} else if (esf) {
		x.esf = json_is_true(esf);
	}
	if (json_object_get(j, "start_on"))
		x.start_on = api_str(r, j, "start_on", &bad);
	if (json_object_get(j, "end_on"))
		x.end_on = api_str(r, j, "end_on", &bad);
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
	if (api_failed(r, intervention_save(r->db, &r->actor, &x, &e), &e))
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
