/*
 * api_participation.c — participations under /api/v1/: lists, one
 * participation, referral, start, end, cancel, consent, withdrawal and
 * hours.  Each endpoint reads a JSON body, calls one core function and
 * answers with JSON; input errors are 422 with the field named.  Like the
 * pages, nothing here returns an identity: participations are known by
 * number.
 */
#include <inttypes.h>
#include <string.h>

#include "../core/intervention.h"
#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "api.h"
#include "entity.h"
#include "listing.h"
#include "pages.h"
#include "participation_json.h"

/* ---- participations ------------------------------------------------------------------------- */

/* API sort keys of the participation lists: date first, then number. */
static const struct list_key api_referral_keys[] = {{"referred_on", 1}, {"id", 0}};
static const struct list_key api_queue_keys[] = {{"referred_on", 0}, {"id", 0}};

/* A page of participations, written as JSON text rather than built as
 * jansson objects and dumped (participation_json.h): up to 500 rows. */
static void list_reply(struct req *r, enum rc rc, const struct paging *pg,
                       const struct participation *p, size_t n)
{
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	buf_reset(b);
	buf_append(b, "{\"items\":[", 10);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		participation_json_write(b, &p[i]);
	}
	buf_putc(b, ']');
	list_api_write_fields(b, pg, n);
	buf_append(b, "}\n", 2);
	if (buf_failed(b)) {
		buf_reset(b);
		respond_rc(r, RC_NOMEM);
		return;
	}
	r->status = 200;
	r->resp_type = "application/json; charset=utf-8";
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
		rc = participation_list(r->db, r->arena, actor_now(&r->actor), r->ids[0], &pg, &p,
		                        &n);
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
	enum rc rc = participation_queue(r->db, r->arena, actor_now(&r->actor), assoc, intervention,
	                                 area, &pg, &p, &n);
	list_reply(r, rc, &pg, p, n);
}

/* GET /api/v1/worklists/long-running|consent|end-missing: a work list as
 * /arbetslistor shows it; its count is bounded (PAGING_COUNT_CAP), so a
 * large list answers "total": null and "total_more_than". */
void api_worklist(struct req *r)
{
	const enum worklist *which = r->route->data;
	static const struct list_key keys[][2] = {
	    [WORK_LONG_RUNNING] = {{"start_on", 0}, {"id", 0}},
	    [WORK_CONSENT] = {{"referred_on", 0}, {"id", 0}},
	    [WORK_END_MISSING] = {{"end_on", 0}, {"id", 0}},
	};
	struct paging pg;
	if (list_api_parse(r, keys[*which], 2, &pg))
		return;
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	struct participation *p = NULL;
	size_t n = 0;
	enum rc rc = participation_worklist(r->db, r->arena, actor_now(&r->actor), assoc, *which,
	                                    &pg, &p, &n);
	if (rc == RC_INVALID) { /* core's one rule: an offset past PAGING_OFFSET_MAX */
		respond_api_error(r, 400, NULL, "offset",
		                  "offset ska vara mindre än 100 000 i en arbetslista; vänd "
		                  "ordningen (desc) för att läsa dess slut.");
		return;
	}
	list_reply(r, rc, &pg, p, n);
}

void api_participation(struct req *r)
{
	struct participation p;
	struct registered_answer *a;
	size_t na;
	enum rc rc = participation_get(r->db, r->arena, actor_now(&r->actor), r->ids[0], &p);
	if (!rc)
		rc = participation_answers(r->db, r->arena, p.id, &a, &na);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct jdoc d = {0};
	json_t *o = participation_json(&d, &p);
	json_t *arr = jd(&d, json_array());
	for (size_t i = 0; arr && i < na; i++) {
		json_t *x = jd(&d, json_pack("{s:s,s:s,s:s}", "phase", a[i].phase, "list",
		                             a[i].list, "code", a[i].code));
		jd_set(&d, x, "extent", a[i].extent >= 0 ? json_integer(a[i].extent) : json_null());
		jd_append(&d, arr, x);
	}
	jd_set(&d, o, "answers", arr);
	api_respond_doc(r, 200, &d, o);
}

static void participation_reply(struct req *r, int64_t id, int status)
{
	struct participation p;
	enum rc rc = participation_get(r->db, r->arena, actor_now(&r->actor), id, &p);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct jdoc d = {0};
	json_t *o = participation_json(&d, &p);
	api_respond_doc(r, status, &d, o);
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
	if (!api_only_keys(r, r->json, keys))
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
	in.referred_on = api_str(r, j, "referred_on", &bad);
	in.source = api_str(r, j, "source", &bad);
	in.source_member_id = api_int(r, j, "source_member_id", 0, &bad);
	in.source_unit = api_str(r, j, "source_unit", &bad);
	in.home_area_id = api_int(r, j, "home_area_id", 0, &bad);
	in.home_district_id = api_int(r, j, "home_district_id", 0, &bad);
	in.sex = api_str(r, j, "sex", &bad);
	in.consent_on = api_str(r, j, "consent_on", &bad);
	in.consent_form = api_str(r, j, "consent_form", &bad);
	in.pnr = api_str(r, j, "pnr", &bad);
	in.name = api_str(r, j, "name", &bad);
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
	if (api_failed(r, rc, &e))
		return;
	participation_reply(r, id, replayed ? 200 : 201);
}

/* Reads {"date", "end_reason"?, "answers": [{"list","code","extent"?}]}. */
static int read_registration(struct req *r, struct registration *reg, int with_reason)
{
	static const char *const keys[] = {"date", "end_reason", "answers", NULL};
	if (!api_only_keys(r, r->json, keys))
		return 0;
	int bad = 0;
	reg->date = api_str(r, r->json, "date", &bad);
	reg->end_reason = with_reason ? api_str(r, r->json, "end_reason", &bad) : NULL;
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
			a[i].list = api_str(r, x, "list", &bad);
			a[i].code = api_str(r, x, "code", &bad);
			a[i].extent = (int)api_int_in(r, x, "extent", -1, 0, 100, &bad);
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
	if (api_failed(r, participation_start(r->db, &r->actor, r->ids[0], &reg, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_end(struct req *r)
{
	struct registration reg;
	if (!read_registration(r, &reg, 1))
		return;
	struct field_error e = {0};
	if (api_failed(r, participation_end(r->db, &r->actor, r->ids[0], &reg, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_cancel(struct req *r)
{
	struct registration reg;
	if (!read_registration(r, &reg, 1))
		return;
	struct field_error e = {0};
	if (api_failed(
	        r, participation_cancel(r->db, &r->actor, r->ids[0], reg.date, reg.end_reason, &e),
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
	if (api_failed(r, personal_withdraw_consent(r->db, &r->actor, r->ids[0], reg.date, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

/* Consent given later for an anonymous participation. */
void api_consent(struct req *r)
{
	static const char *const keys[] = {"consent_on", "consent_form", "pnr", "name", NULL};
	if (!api_only_keys(r, r->json, keys))
		return;
	int bad = 0;
	struct consent_in in;
	in.given_on = api_str(r, r->json, "consent_on", &bad);
	in.form = api_str(r, r->json, "consent_form", &bad);
	in.pnr = api_str(r, r->json, "pnr", &bad);
	in.name = api_str(r, r->json, "name", &bad);
	if (bad)
		return;
	struct field_error e = {0};
	if (api_failed(r, personal_consent_add(r->db, r->vault, &r->actor, r->ids[0], &in, &e), &e))
		return;
	participation_reply(r, r->ids[0], 200);
}

void api_attendance(struct req *r)
{
	static const char *const keys[] = {"month", "hours_tenths", NULL};
	if (!api_only_keys(r, r->json, keys))
		return;
	int bad = 0;
	const char *month = api_str(r, r->json, "month", &bad);
	int64_t tenths =
	    api_int_in(r, r->json, "hours_tenths", -1, 0, PARTICIPATION_MAX_HOURS_TENTHS, &bad);
	if (bad)
		return;
	struct field_error e = {0};
	if (api_failed(r,
	               participation_attendance_set(r->db, &r->actor, r->ids[0], month, tenths, &e),
	               &e))
		return;
	participation_reply(r, r->ids[0], 200);
}
