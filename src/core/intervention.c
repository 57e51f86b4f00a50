/*
 * intervention.c — insatser; see intervention.h.
 */
#include "intervention.h"

#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "audit.h"
#include "auth.h"
#include "codes.h"

#define INTERVENTION_SELECT                                                                   \
	"SELECT i.id, i.association_id, i.name, i.description,"                               \
	" coalesce(i.responsible_member_id, 0), m.name, i.orientation, i.orientation_detail," \
	" i.method, i.esf, i.start_on, i.end_on"                                              \
	" FROM intervention i LEFT JOIN member m ON m.id = i.responsible_member_id "

static void read_intervention(struct db_stmt *q, struct arena *a, void *elem)
{
	struct intervention *x = elem;
	x->id = db_col_int64(q, 0);
	x->association_id = db_col_int64(q, 1);
	x->name = db_col_dup(q, 2, a);
	x->description = db_col_dup(q, 3, a);
	x->responsible_member_id = db_col_int64(q, 4);
	x->responsible_name = db_col_dup(q, 5, a);
	x->orientation = db_col_dup(q, 6, a);
	x->orientation_detail = db_col_dup(q, 7, a);
	x->method = db_col_dup(q, 8, a);
	x->esf = db_col_bool(q, 9);
	x->start_on = db_col_dup(q, 10, a);
	x->end_on = db_col_dup(q, 11, a);
}

static void read_code(struct db_stmt *q, struct arena *a, void *elem)
{
	*(const char **)elem = db_col_dup(q, 0, a);
}

static enum rc load_target_groups(struct db *db, struct arena *a, struct intervention *x)
{
	struct db_stmt *q;
	enum rc rc =
	    db_prepare(db,
	               "SELECT t.code FROM intervention_target_group t LEFT JOIN code_item c"
	               " ON c.list = 'target_group' AND c.code = t.code"
	               " WHERE t.intervention_id = $1 ORDER BY c.sort, t.code",
	               &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, x->id);
	/* Every target group: the list is data and an administrator may add to it. */
	void *codes;
	rc = db_fetch_all(q, a, read_code, sizeof(const char *), 0, &codes, &x->ntarget_groups,
	                  NULL);
	x->target_groups = codes;
	return rc;
}

struct tg_row {
	int64_t intervention_id;
	const char *code;
};

static void read_tg_row(struct db_stmt *q, struct arena *a, void *elem)
{
	struct tg_row *r = elem;
	r->intervention_id = db_col_int64(q, 0);
	r->code = db_col_dup(q, 1, a);
}

/* The target groups of every insats of the förbund in one statement (not
 * one per insats), handed to x[0..n) by id: the rows come ordered by
 * insats, so each insats's codes are one run, found by binary search. */
static enum rc load_all_target_groups(struct db *db, struct arena *a, int64_t assoc,
                                      struct intervention *x, size_t n)
{
	struct db_stmt *q;
	enum rc rc =
	    db_prepare(db,
	               "SELECT t.intervention_id, t.code FROM intervention_target_group t"
	               " JOIN intervention i ON i.id = t.intervention_id"
	               " LEFT JOIN code_item c ON c.list = 'target_group' AND c.code = t.code"
	               " WHERE i.association_id = $1 ORDER BY t.intervention_id, c.sort, t.code",
	               &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, assoc);
	void *arr;
	size_t nrows;
	if ((rc = db_fetch_all(q, a, read_tg_row, sizeof(struct tg_row), 0, &arr, &nrows, NULL)))
		return rc;
	const struct tg_row *rows = arr;
	for (size_t i = 0; i < n; i++) {
		x[i].target_groups = NULL;
		x[i].ntarget_groups = 0;
		size_t lo = 0, hi = nrows; /* first row with id >= x[i].id */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (rows[mid].intervention_id < x[i].id)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t end = lo;
		while (end < nrows && rows[end].intervention_id == x[i].id)
			end++;
		if (end == lo)
			continue;
		const char **codes = arena_alloc(a, (end - lo) * sizeof *codes);
		if (!codes)
			return RC_NOMEM;
		for (size_t k = lo; k < end; k++)
			codes[k - lo] = rows[k].code;
		x[i].target_groups = codes;
		x[i].ntarget_groups = end - lo;
	}
	return RC_OK;
}

enum rc intervention_get(struct db *db, struct arena *a, int64_t id, struct intervention *out)
{
	struct db_stmt *q;
	enum rc rc = db_prepare(db, INTERVENTION_SELECT "WHERE i.id = $1", &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, id);
	void *arr;
	size_t n;
	int more;
	if ((rc = db_fetch_all(q, a, read_intervention, sizeof *out, 1, &arr, &n, &more)))
		return rc;
	if (n == 0)
		return RC_NOT_FOUND;
	memcpy(out, arr, sizeof *out);
	return load_target_groups(db, a, out);
}

enum rc intervention_list(struct db *db, struct arena *a, int64_t assoc, struct intervention **out,
                          size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	enum rc rc =
	    db_prepare(db, INTERVENTION_SELECT "WHERE i.association_id = $1 ORDER BY i.name", &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, assoc);
	void *arr;
	size_t len;
	if ((rc = db_fetch_all(q, a, read_intervention, sizeof **out, 0, &arr, &len, NULL)))
		return rc;
	struct intervention *x = arr;
	if ((rc = load_all_target_groups(db, a, assoc, x, len)))
		return rc;
	*out = x;
	*n = len;
	return RC_OK;
}

/* ---- who may write ------------------------------------------------------- */

/*
 * The rules, checked here and not only by the route table:
 *  - the role must hold PERM_INTERVENTION_WRITE;
 *  - förbundschef, administrator and an integration (role api) may create
 *    insatser and change any of them;
 *  - an insatsansvarig changes only the insatser they are staffed on as
 *    insatsansvarig, and creates none (see docs/architecture.md).
 */
static int writes_any(const struct actor *who)
{
	return who && who->role != ROLE_INTERVENTION_LEAD &&
	       auth_allows(who->role, PERM_INTERVENTION_WRITE);
}

enum rc intervention_may_create(const struct actor *who)
{
	return writes_any(who) ? RC_OK : RC_DENIED;
}

/* Whether user holds role in insats id, into *held; an error when the
 * lookup failed. */
static enum rc staff_held(struct db *db, int64_t id, int64_t user_id, const char *role, int *held)
{
	struct db_stmt *q;
	*held = 0;
	enum rc rc = db_prepare(
	    db,
	    "SELECT 1 FROM intervention_staff WHERE intervention_id = $1 AND user_id = $2"
	    " AND role = $3",
	    &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_int64(q, 2, user_id);
	db_bind_text(q, 3, role);
	return db_exists(q, held);
}

enum rc intervention_may_change(struct db *db, const struct actor *who, int64_t id)
{
	if (!who || !auth_allows(who->role, PERM_INTERVENTION_WRITE))
		return RC_DENIED;
	struct db_stmt *q;
	enum rc rc = db_prepare(db, "SELECT 1 FROM intervention WHERE id = $1", &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, id);
	int found;
	if ((rc = db_exists(q, &found)))
		return rc;
	if (!found)
		return RC_NOT_FOUND;
	if (writes_any(who))
		return RC_OK;
	int held = 0;
	if (who->user_id > 0 && (rc = staff_held(db, id, who->user_id, "insatsansvarig", &held)))
		return rc;
	return held ? RC_OK : RC_DENIED;
}

/* ---- insatser ---------------------------------------------------------------- */

/*
 * One save's transaction.  The callback may run twice (db_tx retries a busy
 * attempt): it reads x and never writes it, decides create or update from
 * creating (fixed before db_tx), and puts the id in id; the caller's struct
 * gets it only after db_tx returned RC_OK.
 */
struct save_ctx {
	const struct actor *who;
	const struct intervention *x;
	struct field_error *err;
	int creating;
	int64_t id; /* out */
};

static enum rc save_tx(struct db *db, void *v)
{
	struct save_ctx *c = v;
	const struct intervention *x = c->x;
	struct db_stmt *q;
	int creating = c->creating;
	enum rc rc =
	    creating ? intervention_may_create(c->who) : intervention_may_change(db, c->who, x->id);
	if (rc)
		return rc;
	if (!creating) {
		/* The fixed fields: compare and explain, rather than let the
		 * store's trigger refuse without a word. */
		if ((rc = db_prepare(db,
		                     "SELECT orientation = $2, method = $3, esf = $4"
		                     " FROM intervention WHERE id = $1",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, x->id);
		db_bind_text(q, 2, x->orientation);
		db_bind_text(q, 3, x->method);
		db_bind_bool(q, 4, x->esf);
		/* Three booleans in one row: stepped by hand, every outcome mapped. */
		enum db_step s = db_step(q);
		int same_or = 1, same_me = 1, same_esf = 1;
		if (s == DB_ROW) {
			same_or = db_col_bool(q, 0);
			same_me = db_col_bool(q, 1);
			same_esf = db_col_bool(q, 2);
		}
		db_finalize(q);
		if (s == DB_DONE)
			return RC_NOT_FOUND;
		if (s != DB_ROW)
			return db_step_rc(s);
		const char *why =
		    "går inte att ändra när insatsen väl finns, eftersom uppföljningen och "
		    "statistiken bygger på den. Avsluta insatsen och skapa en ny om den "
		    "behöver ändras.";
		char msg[240];
		if (!same_or) {
			snprintf(msg, sizeof msg, "Inriktningen %s", why);
			return field_error_set(c->err, "orientation", msg);
		}
		if (!same_me) {
			snprintf(msg, sizeof msg, "Uppföljningssättet %s", why);
			return field_error_set(c->err, "method", msg);
		}
		if (!same_esf) {
			snprintf(msg, sizeof msg, "ESF-markeringen %s", why);
			return field_error_set(c->err, "esf", msg);
		}
	}
	if (creating) {
		char now[21];
		svtime_iso(actor_now(c->who), now);
		if ((rc = db_prepare(
		         db,
		         "INSERT INTO intervention (association_id, name, description,"
		         " responsible_member_id, orientation, orientation_detail, method, esf,"
		         " start_on, end_on, created_at)"
		         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, x->association_id);
		db_bind_text(q, 11, now);
	} else {
		if ((rc = db_prepare(
		         db,
		         "UPDATE intervention SET name = $2, description = $3,"
		         " responsible_member_id = $4, orientation = $5, orientation_detail = $6,"
		         " method = $7, esf = $8, start_on = $9, end_on = $10"
		         " WHERE id = $1 RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, x->id);
	}
	db_bind_text(q, 2, x->name);
	db_bind_text_opt(q, 3, x->description);
	db_bind_id_opt(q, 4, x->responsible_member_id);
	db_bind_text(q, 5, x->orientation);
	db_bind_text_opt(q, 6, x->orientation_detail);
	db_bind_text(q, 7, x->method);
	db_bind_bool(q, 8, x->esf);
	db_bind_text(q, 9, x->start_on);
	db_bind_text_opt(q, 10, x->end_on);
	rc = db_one_int64(q, &c->id);
	if (rc == RC_CONFLICT)
		return field_error_set(c->err, "name", "Det finns redan en insats med det namnet.");
	if (rc)
		return rc;

	if ((rc = db_prepare(db, "DELETE FROM intervention_target_group WHERE intervention_id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	if ((rc = db_run(q)))
		return rc;
	for (size_t i = 0; i < x->ntarget_groups; i++) {
		if ((rc = db_prepare(db,
		                     "INSERT INTO intervention_target_group (intervention_id, code)"
		                     " VALUES ($1, $2) ON CONFLICT DO NOTHING",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, c->id);
		db_bind_text(q, 2, x->target_groups[i]);
		if ((rc = db_run(q)))
			return rc;
	}
	return audit_append(db, c->who, creating ? "create" : "update", "intervention", c->id, "");
}

enum rc intervention_save(struct db *db, const struct actor *who, struct intervention *in,
                          struct field_error *err)
{
	field_error_clear(err);
	/* The role first (cheap, and a refused caller learns nothing from the
	 * checks); the insats's own scope is checked in the transaction. */
	if (in->id == 0 ? intervention_may_create(who)
	                : !who || !auth_allows(who->role, PERM_INTERVENTION_WRITE))
		return RC_DENIED;
	enum rc rc = RC_OK;
	const char *why = str_blank(in->name) ? NULL : str_line_problem(in->name);
	if (why)
		rc = field_error_add(err, "name", why);
	else if (str_blank(in->name) || str_utf8_len(in->name) > 120)
		rc = field_error_add(err, "name", "Ange insatsens namn, högst 120 tecken.");
	if (in->description && (why = str_text_problem(in->description)))
		rc = field_error_add(err, "description", why);
	else if (in->description && str_utf8_len(in->description) > 4000)
		rc = field_error_add(err, "description",
		                     "Beskrivningen får vara högst 4000 tecken.");
	int kind_ok = 1;
	if (!in->orientation ||
	    (strcmp(in->orientation, "individ") != 0 && strcmp(in->orientation, "struktur") != 0)) {
		kind_ok = 0;
		rc =
		    field_error_add(err, "orientation",
		                    "Välj inriktning: individinriktad eller strukturövergripande.");
	}
	if (!in->method ||
	    (strcmp(in->method, "person") != 0 && strcmp(in->method, "volym") != 0)) {
		kind_ok = 0;
		rc = field_error_add(err, "method",
		                     "Välj uppföljningssätt: per person eller bara antal.");
	}
	if (kind_ok && strcmp(in->orientation, "struktur") == 0 &&
	    strcmp(in->method, "person") == 0)
		rc = field_error_add(
		    err, "method",
		    "En strukturövergripande insats har inga deltagare att följa per "
		    "person; välj uppföljning med bara antal.");
	int valid = 1;
	enum rc dbrc;
	if (!str_blank(in->orientation_detail) &&
	    (dbrc = codes_check(db, "orientation_detail", in->orientation_detail, &valid)))
		return dbrc;
	if (!valid)
		rc = field_error_add(err, "orientation_detail",
		                     "Välj en preciserad inriktning i listan.");
	char msg[240];
	int dates_ok = 1;
	if (str_blank(in->start_on)) {
		dates_ok = 0;
		rc = field_error_add(err, "start_on", "Startdatum måste anges.");
	} else if (str_date_problem_named("Startdatum", in->start_on, msg, sizeof msg)) {
		dates_ok = 0;
		rc = field_error_add(err, "start_on", msg);
	}
	if (!str_blank(in->end_on) &&
	    str_date_problem_named("Slutdatum", in->end_on, msg, sizeof msg)) {
		dates_ok = 0;
		rc = field_error_add(err, "end_on", msg);
	}
	if (dates_ok && !str_blank(in->end_on) && strcmp(in->end_on, in->start_on) < 0)
		rc = field_error_add(err, "end_on", "Slutdatum kan inte ligga före startdatum.");
	if (in->ntarget_groups > 16) {
		rc = field_error_add(err, "target_groups", "Välj högst 16 målgrupper.");
	} else {
		for (size_t i = 0; i < in->ntarget_groups; i++) {
			if ((dbrc = codes_check(db, "target_group", in->target_groups[i], &valid)))
				return dbrc;
			if (!valid) {
				rc = field_error_add(err, "target_groups",
				                     "Välj målgrupper i listan.");
				break;
			}
		}
	}
	if (rc)
		return rc;
	struct save_ctx c = {who, in, err, in->id == 0, 0};
	rc = db_tx(db, save_tx, &c);
	if (rc == RC_OK)
		in->id = c.id;
	return rc;
}

struct year_ctx {
	const struct actor *who;
	int64_t id;
	const struct intervention_year *y;
};

/* An amount or count that may be unknown (-1): SQL NULL then. */
static void bind_opt(struct db_stmt *q, int n, int64_t v)
{
	if (v >= 0)
		db_bind_int64(q, n, v);
	else
		db_bind_null(q, n);
}

static enum rc year_tx(struct db *db, void *v)
{
	struct year_ctx *c = v;
	struct db_stmt *q;
	enum rc rc = intervention_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	if ((rc = db_prepare(
	         db,
	         "INSERT INTO intervention_year (intervention_id, year, planned_participants,"
	         " budget_cost, budget_esf_cost, outcome_cost, outcome_esf_cost)"
	         " VALUES ($1, $2, $3, $4, $5, $6, $7)"
	         " ON CONFLICT (intervention_id, year) DO UPDATE SET"
	         " planned_participants = excluded.planned_participants,"
	         " budget_cost = excluded.budget_cost, budget_esf_cost = excluded.budget_esf_cost,"
	         " outcome_cost = excluded.outcome_cost,"
	         " outcome_esf_cost = excluded.outcome_esf_cost",
	         &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_int64(q, 2, c->y->year);
	bind_opt(q, 3, c->y->planned_participants);
	db_bind_int64(q, 4, c->y->budget_cost);
	db_bind_int64(q, 5, c->y->budget_esf_cost);
	bind_opt(q, 6, c->y->outcome_cost);
	bind_opt(q, 7, c->y->outcome_esf_cost);
	if ((rc = db_run(q)))
		return rc;
	char detail[16];
	snprintf(detail, sizeof detail, "år %d", c->y->year);
	return audit_append(db, c->who, "update", "intervention", c->id, detail);
}

enum rc intervention_year_set(struct db *db, const struct actor *who, int64_t id,
                              const struct intervention_year *y, struct field_error *err)
{
	field_error_clear(err);
	if (!who || !auth_allows(who->role, PERM_INTERVENTION_WRITE))
		return RC_DENIED;
	enum rc rc = RC_OK;
	if (y->year < 2000 || y->year > 2100)
		rc = field_error_add(err, "year", "Ange ett år mellan 2000 och 2100.");
	if (y->budget_cost < 0)
		rc = field_error_add(err, "budget_cost", "Budgeten kan inte vara negativ.");
	if (y->budget_esf_cost < 0)
		rc = field_error_add(err, "budget_esf_cost", "Budgeten kan inte vara negativ.");
	if (y->planned_participants > 1000000)
		rc = field_error_add(err, "planned_participants",
		                     "Orimligt många planerade deltagare.");
	if (rc)
		return rc;
	struct year_ctx c = {who, id, y};
	return db_tx(db, year_tx, &c);
}

static void read_year(struct db_stmt *q, struct arena *a, void *elem)
{
	struct intervention_year *y = elem;
	(void)a;
	y->year = (int)db_col_int64(q, 0);
	y->planned_participants = db_col_int64(q, 1);
	y->budget_cost = db_col_int64(q, 2);
	y->budget_esf_cost = db_col_int64(q, 3);
	y->outcome_cost = db_col_int64(q, 4);
	y->outcome_esf_cost = db_col_int64(q, 5);
}

enum rc intervention_years(struct db *db, struct arena *a, int64_t id,
                           struct intervention_year **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	enum rc rc = db_prepare(
	    db,
	    "SELECT year, coalesce(planned_participants, -1), budget_cost, budget_esf_cost,"
	    " coalesce(outcome_cost, -1), coalesce(outcome_esf_cost, -1)"
	    " FROM intervention_year WHERE intervention_id = $1 ORDER BY year",
	    &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, id);
	/* Every year (at most 101 exist: 2000–2100), never a cut list. */
	return db_fetch_all(q, a, read_year, sizeof **out, 0, (void **)out, n, NULL);
}

struct staff_ctx {
	const struct actor *who;
	int64_t id, user_id;
	const char *role;
	int add;
	struct field_error *err;
};

static enum rc staff_tx(struct db *db, void *v)
{
	struct staff_ctx *c = v;
	struct db_stmt *q;
	enum rc rc = intervention_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	if ((rc = db_prepare(db,
	                     "SELECT 1 FROM app_user WHERE id = $1 AND disabled_at IS NULL"
	                     " AND role = $2",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->user_id);
	db_bind_text(q, 2, c->role);
	int fits;
	if ((rc = db_exists(q, &fits)))
		return rc;
	if (c->add && !fits)
		return field_error_set(
		    c->err, "user_id",
		    "Välj ett aktivt konto som har rollen insatsen ska bemannas med.");
	/* RETURNING tells whether anything changed: an add of staff already
	 * there or a removal of staff not there changes nothing, says so, and
	 * writes no audit entry. */
	rc = db_prepare(db,
	                c->add ? "INSERT INTO intervention_staff (intervention_id, user_id, role)"
	                         " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id"
	                       : "DELETE FROM intervention_staff WHERE intervention_id = $1"
	                         " AND user_id = $2 AND role = $3 RETURNING user_id",
	                &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_int64(q, 2, c->user_id);
	db_bind_text(q, 3, c->role);
	int changed;
	if ((rc = db_exists(q, &changed)))
		return rc;
	if (!changed)
		return field_error_set(c->err, "user_id",
		                       c->add ? "Kontot har redan den rollen i insatsen."
		                              : "Kontot har inte den rollen i insatsen.");
	/* The entry names the account given or losing access, not only the
	 * role: "deltagaransvarig:7" (role, account id). */
	char detail[64];
	snprintf(detail, sizeof detail, "%s:%lld", c->role, (long long)c->user_id);
	return audit_append(db, c->who, c->add ? "staff_add" : "staff_remove", "intervention",
	                    c->id, detail);
}

enum rc intervention_staff_set(struct db *db, const struct actor *who, int64_t id, int64_t user_id,
                               const char *role, int add, struct field_error *err)
{
	if (!who || !auth_allows(who->role, PERM_INTERVENTION_WRITE))
		return RC_DENIED;
	if (!role || (strcmp(role, "insatsansvarig") != 0 && strcmp(role, "deltagaransvarig") != 0))
		return field_error_set(err, "role", "Välj insatsansvarig eller deltagaransvarig.");
	struct staff_ctx c = {who, id, user_id, role, add, err};
	return db_tx(db, staff_tx, &c);
}

int intervention_is_staff(struct db *db, int64_t id, int64_t user_id, const char *role)
{
	int held = 0;
	return staff_held(db, id, user_id, role, &held) == RC_OK && held;
}

struct volume_ctx {
	const struct actor *who;
	int64_t id;
	const struct volume_count *v;
	struct field_error *err;
};

static enum rc volume_tx(struct db *db, void *vctx)
{
	struct volume_ctx *c = vctx;
	struct db_stmt *q;
	enum rc rc = intervention_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	if ((rc = db_prepare(db,
	                     "SELECT CASE WHEN method = 'volym' THEN 1 ELSE 0 END FROM intervention"
	                     " WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	int64_t volume;
	if ((rc = db_one_int64(q, &volume)))
		return rc;
	if (!volume)
		return field_error_set(c->err, "women",
		                       "Antal registreras bara för insatser som följs med antal; "
		                       "deltagare i den här insatsen registreras var för sig.");
	if ((rc = db_prepare(
	         db,
	         "INSERT INTO volume_count (intervention_id, period_start, period_end, women, men)"
	         " VALUES ($1, $2, $3, $4, $5)",
	         &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, c->v->period_start);
	db_bind_text(q, 3, c->v->period_end);
	db_bind_int64(q, 4, c->v->women);
	db_bind_int64(q, 5, c->v->men);
	if ((rc = db_run(q)))
		return rc;
	return audit_append(db, c->who, "volume", "intervention", c->id, c->v->period_start);
}

enum rc intervention_volume_add(struct db *db, const struct actor *who, int64_t id,
                                const struct volume_count *v, struct field_error *err)
{
	char msg[240];
	field_error_clear(err);
	if (!who || !auth_allows(who->role, PERM_INTERVENTION_WRITE))
		return RC_DENIED;
	enum rc rc = RC_OK;
	int start_ok = str_valid_date(v->period_start);
	if (!start_ok)
		rc = field_error_add(
		    err, "period_start",
		    str_date_problem_named("Periodens första dag", v->period_start, msg, sizeof msg)
		        ? msg
		        : "Periodens första dag ska vara ett datum.");
	if (!str_valid_date(v->period_end))
		rc = field_error_add(
		    err, "period_end",
		    str_date_problem_named("Periodens sista dag", v->period_end, msg, sizeof msg)
		        ? msg
		        : "Periodens sista dag ska vara ett datum.");
	else if (start_ok && strcmp(v->period_end, v->period_start) < 0)
		rc = field_error_add(err, "period_end",
		                     "Periodens sista dag kan inte ligga före första dagen.");
	if (v->women < 0 || v->women > 10000000)
		rc = field_error_add(err, "women",
		                     "Ange antalet kvinnor som ett heltal, 0 eller mer.");
	if (v->men < 0 || v->men > 10000000)
		rc = field_error_add(err, "men", "Ange antalet män som ett heltal, 0 eller mer.");
	if (rc)
		return rc;
	struct volume_ctx c = {who, id, v, err};
	return db_tx(db, volume_tx, &c);
}

static void read_volume(struct db_stmt *q, struct arena *a, void *elem)
{
	struct volume_count *v = elem;
	v->id = db_col_int64(q, 0);
	v->period_start = db_col_dup(q, 1, a);
	v->period_end = db_col_dup(q, 2, a);
	v->women = db_col_int64(q, 3);
	v->men = db_col_int64(q, 4);
}

enum rc intervention_volume_list(struct db *db, struct arena *a, int64_t id,
                                 struct volume_count **out, size_t *n)
{
	*n = 0;
	*out = NULL;
	struct db_stmt *q;
	/* Every period: a volume insats reports a few a year. */
	enum rc rc = db_prepare(db,
	                        "SELECT id, period_start, period_end, women, men FROM volume_count"
	                        " WHERE intervention_id = $1 ORDER BY period_start DESC, id DESC",
	                        &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, id);
	return db_fetch_all(q, a, read_volume, sizeof **out, 0, (void **)out, n, NULL);
}
