/*
 * org.c — the förbund's organisation; see org.h.
 */
#include "org.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "audit.h"
#include "auth.h"
#include "pnr.h"

/* ---- vocabularies -------------------------------------------------------- */

const struct org_code org_member_kinds[] = {{"fk", "Försäkringskassan"},
                                            {"af", "Arbetsförmedlingen"},
                                            {"region", "Region"},
                                            {"kommun", "Kommun"},
                                            {NULL, NULL}};

const struct org_code org_body_kinds[] = {{"styrelse", "Styrelse"},
                                          {"beredningsgrupp", "Beredningsgrupp"},
                                          {"arbetsutskott", "Arbetsutskott"},
                                          {"kansli", "Kansli"},
                                          {"lokal_grupp", "Lokal samverkansgrupp"},
                                          {"revision", "Revision"},
                                          {"ovrigt", "Övrigt organ"},
                                          {NULL, NULL}};

const struct org_code org_mandate_roles[] = {{"ordforande", "Ordförande"},
                                             {"vice_ordforande", "Vice ordförande"},
                                             {"ledamot", "Ledamot"},
                                             {"ersattare", "Ersättare"},
                                             {"sammankallande", "Sammankallande"},
                                             {"adjungerad", "Adjungerad"},
                                             {"forbundschef", "Förbundschef"},
                                             {"bitr_forbundschef", "Biträdande förbundschef"},
                                             {"administrator", "Administratör"},
                                             {"processtodjare", "Processtödjare"},
                                             {"utvecklingschef", "Utvecklingschef"},
                                             {"namndsekreterare", "Nämndsekreterare"},
                                             {"projektledare", "Projektledare"},
                                             {"revisor", "Revisor"},
                                             {"medarbetare", "Medarbetare"},
                                             {NULL, NULL}};

const struct org_code org_area_kinds[] = {
    {"kommun", "Kommun"}, {"stadsdel", "Stadsdel"}, {NULL, NULL}};

const char *org_label(const struct org_code *t, const char *code)
{
	for (; code && t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->label;
	return code ? code : "";
}

int org_code_valid(const struct org_code *t, const char *code)
{
	for (; code && t->code; t++)
		if (strcmp(t->code, code) == 0)
			return 1;
	return 0;
}

enum rc org_number_normalize(const char *in, char out[12])
{
	char d[13];
	size_t n = 0;
	if (!in)
		return RC_INVALID;
	for (const char *p = in; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n >= 12)
				return RC_INVALID;
			d[n++] = *p;
		} else if (*p != '-' && *p != ' ') {
			return RC_INVALID;
		}
	}
	const char *s = d;
	if (n == 12) {
		/* The 12-digit form carries the prefix 16 for legal persons. */
		if (d[0] != '1' || d[1] != '6')
			return RC_INVALID;
		s = d + 2;
	} else if (n != 10) {
		return RC_INVALID;
	}
	if (pnr_luhn_sum(s, 10) % 10 != 0)
		return RC_INVALID;
	memcpy(out, s, 6);
	out[6] = '-';
	memcpy(out + 7, s + 6, 4);
	out[11] = '\0';
	return RC_OK;
}

/* ---- shared helpers ------------------------------------------------------- */

/*
 * The field checks below add their error to err and return RC_INVALID, so
 * a save function checks every independent field and reports them all; it
 * begins with field_error_clear(err) and stops before storing when any
 * check failed.
 */

/* Checks an optional or required text field; max in characters.  Only a
 * description may span lines; every other text is one line without
 * control or invisible format characters (str_line_problem). */
static enum rc check_text(struct field_error *err, const char *field, const char *v, int required,
                          size_t max, const char *what)
{
	char msg[200];
	if (str_blank(v)) {
		if (!required)
			return RC_OK;
		snprintf(msg, sizeof msg, "%s måste anges.", what);
		return field_error_add(err, field, msg);
	}
	const char *why =
	    strcmp(field, "description") == 0 ? str_text_problem(v) : str_line_problem(v);
	if (why)
		return field_error_add(err, field, why);
	if (str_utf8_len(v) > max) {
		snprintf(msg, sizeof msg, "%s får vara högst %zu tecken.", what, max);
		return field_error_add(err, field, msg);
	}
	return RC_OK;
}

static enum rc check_date(struct field_error *err, const char *field, const char *v, int required,
                          const char *what)
{
	char msg[200];
	if (str_blank(v)) {
		if (!required)
			return RC_OK;
		snprintf(msg, sizeof msg, "%s måste anges.", what);
		return field_error_add(err, field, msg);
	}
	if (str_date_problem_named(what, v, msg, sizeof msg))
		return field_error_add(err, field, msg);
	return RC_OK;
}

/*
 * One row of a lookup by id into *out (elem bytes), read by read; RC_NOT_FOUND
 * when there is none.  Built on db_fetch_all, so a step error or a failed
 * copy is an error, never an empty answer.
 */
static enum rc fetch_one(struct db_stmt *q, struct arena *a, db_row_fn read, size_t elem, void *out)
{
	void *arr;
	size_t n;
	int more;
	enum rc rc = db_fetch_all(q, a, read, elem, 1, &arr, &n, &more);
	if (rc)
		return rc;
	if (n == 0)
		return RC_NOT_FOUND;
	memcpy(out, arr, elem);
	return RC_OK;
}

/* Reference checks: "row id exists in association assoc", one constant
 * statement per kind of row. */
enum in_assoc { MEMBER_IN_ASSOC, KOMMUN_AREA_IN_ASSOC };

static const char *const in_assoc_sql[] = {
    [MEMBER_IN_ASSOC] = "SELECT 1 FROM member WHERE id = $1 AND association_id = $2",
    [KOMMUN_AREA_IN_ASSOC] = "SELECT 1 FROM area WHERE id = $1 AND association_id = $2"
                             " AND kind = 'kommun'",
};

/* *found = 1 when row id is in association assoc. */
static enum rc row_in_assoc(struct db *db, enum in_assoc which, int64_t id, int64_t assoc,
                            int *found)
{
	struct db_stmt *q;
	enum rc rc;
	rc = db_prepare(db, in_assoc_sql[which], &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_int64(q, 2, assoc);
	return db_exists(q, found);
}

/* Every write here is checked in core, not only by the route table: the
 * actor's role must hold PERM_ORG_WRITE. */
static enum rc may_write(const struct actor *who)
{
	return who && auth_allows(who->role, PERM_ORG_WRITE) ? RC_OK : RC_DENIED;
}

/* ---- association ---------------------------------------------------------- */

static void read_association(struct db_stmt *q, struct arena *a, void *elem)
{
	struct association *r = elem;
	r->id = db_col_int64(q, 0);
	r->name = db_col_dup(q, 1, a);
	r->org_number = db_col_dup(q, 2, a);
}

enum rc org_association_current(struct db *db, struct arena *a, struct association *out)
{
	struct db_stmt *q;
	enum rc rc;
	rc = db_prepare(db, "SELECT id, name, org_number FROM association ORDER BY id LIMIT 1", &q);
	if (rc)
		return rc;
	return fetch_one(q, a, read_association, sizeof *out, out);
}

struct assoc_ctx {
	const struct actor *who;
	const char *name;
	const char *org_number;
	int64_t id;
};

static enum rc assoc_create_tx(struct db *db, void *v)
{
	struct assoc_ctx *c = v;
	struct db_stmt *q;
	enum rc rc;
	char now[21];
	svtime_iso(actor_now(c->who), now);
	rc = db_prepare(
	    db, "INSERT INTO association (name, created_at) VALUES ($1, $2) RETURNING id", &q);
	if (rc)
		return rc;
	db_bind_text(q, 1, c->name);
	db_bind_text(q, 2, now);
	rc = db_one_int64(q, &c->id);
	return rc ? rc : audit_append(db, c->who, "create", "association", c->id, "");
}

enum rc org_association_create(struct db *db, const struct actor *who, const char *name,
                               int64_t *id_out, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = may_write(who);
	if (rc)
		return rc;
	if ((rc = check_text(err, "name", name, 1, 200, "Förbundets namn")))
		return rc;
	struct assoc_ctx c = {who, name, NULL, 0};
	rc = db_tx(db, assoc_create_tx, &c);
	if (!rc && id_out)
		*id_out = c.id;
	return rc;
}

static enum rc assoc_update_tx(struct db *db, void *v)
{
	struct assoc_ctx *c = v;
	struct db_stmt *q;
	enum rc rc;
	rc = db_prepare(
	    db, "UPDATE association SET name = $1, org_number = $2 WHERE id = $3 RETURNING id", &q);
	if (rc)
		return rc;
	db_bind_text(q, 1, c->name);
	db_bind_text_opt(q, 2, c->org_number);
	db_bind_int64(q, 3, c->id);
	int64_t id;
	rc = db_one_int64(q, &id);
	return rc ? rc : audit_append(db, c->who, "update", "association", c->id, "");
}

enum rc org_association_update(struct db *db, const struct actor *who, const struct association *in,
                               struct field_error *err)
{
	field_error_clear(err);
	if (may_write(who))
		return RC_DENIED;
	enum rc rc = check_text(err, "name", in->name, 1, 200, "Förbundets namn");
	char orgnr[12];
	if (!str_blank(in->org_number) && org_number_normalize(in->org_number, orgnr) != RC_OK)
		rc = field_error_add(err, "org_number",
		                     "Organisationsnumret ska ha tio siffror, som 222000-1234, "
		                     "och rätt kontrollsiffra.");
	if (rc)
		return rc;
	struct assoc_ctx c = {who, in->name, str_blank(in->org_number) ? NULL : orgnr, in->id};
	return db_tx(db, assoc_update_tx, &c);
}

/* ---- area ------------------------------------------------------------------ */

static void read_area(struct db_stmt *q, struct arena *a, void *out)
{
	struct area *r = out;
	r->id = db_col_int64(q, 0);
	r->association_id = db_col_int64(q, 1);
	r->kind = db_col_dup(q, 2, a);
	r->name = db_col_dup(q, 3, a);
	r->code = db_col_dup(q, 4, a);
	r->parent_id = db_col_int64(q, 5);
	r->parent_name = db_col_dup(q, 6, a);
}

enum rc org_area_list(struct db *db, struct arena *a, int64_t assoc, struct area **out, size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare(db,
	                     "SELECT a.id, a.association_id, a.kind, a.name, a.code,"
	                     " coalesce(a.parent_id, 0), p.name"
	                     " FROM area a LEFT JOIN area p ON p.id = a.parent_id"
	                     " WHERE a.association_id = $1"
	                     " ORDER BY coalesce(p.name, a.name), a.parent_id IS NOT NULL, a.name",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, assoc);
	return db_fetch_all(q, a, read_area, sizeof **out, 0, (void **)out, n, NULL);
}

enum rc org_area_get(struct db *db, struct arena *a, int64_t id, struct area *out)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "SELECT a.id, a.association_id, a.kind, a.name, a.code,"
	                     " coalesce(a.parent_id, 0), p.name"
	                     " FROM area a LEFT JOIN area p ON p.id = a.parent_id WHERE a.id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, id);
	return fetch_one(q, a, read_area, sizeof *out, out);
}

/*
 * One save's transaction.  The callback may run twice (db_tx retries a busy
 * attempt), so it decides from what was captured before db_tx only: obj is
 * the caller's input, read and never written; creating is fixed before the
 * first attempt; the new id goes to id, and the caller's struct gets it
 * only after db_tx returned RC_OK.
 */
struct save_ctx {
	const struct actor *who;
	const void *obj;
	struct field_error *err;
	const char *org_number; /* normalised form, where the object has one */
	int creating;           /* the input had id 0 */
	int64_t id;             /* out: the row written */
};

/* Runs the save's transaction; on success hands the id to *id_inout. */
static enum rc run_save(struct db *db, enum rc (*fn)(struct db *, void *), struct save_ctx *c,
                        int64_t *id_inout)
{
	enum rc rc = db_tx(db, fn, c);
	if (rc == RC_OK)
		*id_inout = c->id;
	return rc;
}

static enum rc area_save_tx(struct db *db, void *v)
{
	struct save_ctx *c = v;
	const struct area *r = c->obj;
	int64_t parent_id = strcmp(r->kind, "kommun") == 0 ? 0 : r->parent_id;
	struct db_stmt *q;
	int found = 1;
	enum rc rc;
	if (parent_id &&
	    (rc = row_in_assoc(db, KOMMUN_AREA_IN_ASSOC, parent_id, r->association_id, &found)))
		return rc;
	if (!found)
		return field_error_set(c->err, "parent_id", "Välj den kommun stadsdelen ligger i.");
	if (c->creating) {
		if ((rc =
		         db_prepare(db,
		                    "INSERT INTO area (association_id, kind, name, code, parent_id)"
		                    " VALUES ($1, $2, $3, $4, $5) RETURNING id",
		                    &q)))
			return rc;
		db_bind_int64(q, 1, r->association_id);
	} else {
		if ((rc = db_prepare(
		         db,
		         "UPDATE area SET kind = $2, name = $3, code = $4, parent_id = $5"
		         " WHERE id = $1 AND association_id = $6 RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, r->id);
		db_bind_int64(q, 6, r->association_id);
	}
	db_bind_text(q, 2, r->kind);
	db_bind_text(q, 3, r->name);
	db_bind_text_opt(q, 4, r->code);
	db_bind_id_opt(q, 5, parent_id);
	rc = db_one_int64(q, &c->id);
	if (rc == RC_CONFLICT)
		return field_error_set(c->err, "name", "Området finns redan.");
	return rc ? rc
	          : audit_append(db, c->who, c->creating ? "create" : "update", "area", c->id, "");
}

enum rc org_area_save(struct db *db, const struct actor *who, struct area *in,
                      struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = may_write(who);
	if (rc)
		return rc;
	if (!org_code_valid(org_area_kinds, in->kind))
		rc = field_error_add(err, "kind", "Välj kommun eller stadsdel.");
	if (check_text(err, "name", in->name, 1, 100, "Namnet"))
		rc = RC_INVALID;
	if (!str_blank(in->code)) {
		if (strlen(in->code) != 4 || !isdigit((unsigned char)in->code[0]) ||
		    !isdigit((unsigned char)in->code[1]) || !isdigit((unsigned char)in->code[2]) ||
		    !isdigit((unsigned char)in->code[3]))
			rc =
			    field_error_add(err, "code", "Kommunkoden har fyra siffror, som 0180.");
	}
	if (in->kind && strcmp(in->kind, "stadsdel") == 0 && in->parent_id <= 0)
		rc = field_error_add(err, "parent_id", "Välj den kommun stadsdelen ligger i.");
	if (rc)
		return rc;
	struct save_ctx c = {who, in, err, NULL, in->id == 0, 0};
	return run_save(db, area_save_tx, &c, &in->id);
}

/* ---- members ----------------------------------------------------------------- */

#define MEMBER_SELECT                                                                          \
	"SELECT m.id, m.association_id, m.kind, m.name, m.org_number, coalesce(m.area_id, 0)," \
	" ar.name, m.joined_on, m.left_on,"                                                    \
	" coalesce((SELECT population FROM member_population mp WHERE mp.member_id = m.id"     \
	"           ORDER BY year DESC LIMIT 1), -1),"                                         \
	" coalesce((SELECT year FROM member_population mp WHERE mp.member_id = m.id"           \
	"           ORDER BY year DESC LIMIT 1), 0)"                                           \
	" FROM member m LEFT JOIN area ar ON ar.id = m.area_id "

static void read_member(struct db_stmt *q, struct arena *a, void *out)
{
	struct member *m = out;
	m->id = db_col_int64(q, 0);
	m->association_id = db_col_int64(q, 1);
	m->kind = db_col_dup(q, 2, a);
	m->name = db_col_dup(q, 3, a);
	m->org_number = db_col_dup(q, 4, a);
	m->area_id = db_col_int64(q, 5);
	m->area_name = db_col_dup(q, 6, a);
	m->joined_on = db_col_dup(q, 7, a);
	m->left_on = db_col_dup(q, 8, a);
	m->latest_population = db_col_int64(q, 9);
	m->latest_population_year = (int)db_col_int64(q, 10);
}

enum rc org_member_list(struct db *db, struct arena *a, int64_t assoc, struct member **out,
                        size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	/* FK, AF, region(s), then kommuner by name: the order of a protocol. */
	if ((rc = db_prepare(db,
	                     MEMBER_SELECT "WHERE m.association_id = $1 ORDER BY CASE m.kind"
	                                   " WHEN 'fk' THEN 1 WHEN 'af' THEN 2 WHEN 'region' THEN 3"
	                                   " ELSE 4 END, m.name",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, assoc);
	return db_fetch_all(q, a, read_member, sizeof **out, 0, (void **)out, n, NULL);
}

enum rc org_member_get(struct db *db, struct arena *a, int64_t id, struct member *out)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, MEMBER_SELECT "WHERE m.id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	return fetch_one(q, a, read_member, sizeof *out, out);
}

static enum rc member_save_tx(struct db *db, void *v)
{
	struct save_ctx *c = v;
	const struct member *m = c->obj;
	int64_t area_id = strcmp(m->kind, "kommun") == 0 ? m->area_id : 0;
	struct db_stmt *q;
	enum rc rc;
	/* A förbund has one Försäkringskassan and one Arbetsförmedlingen. */
	if (strcmp(m->kind, "fk") == 0 || strcmp(m->kind, "af") == 0) {
		if ((rc = db_prepare(
		         db, "SELECT 1 FROM member WHERE association_id = $1 AND kind = $2 AND id <> $3",
		         &q)))
			return rc;
		db_bind_int64(q, 1, m->association_id);
		db_bind_text(q, 2, m->kind);
		db_bind_int64(q, 3, m->id);
		int dup;
		if ((rc = db_exists(q, &dup)))
			return rc;
		if (dup)
			return field_error_set(
			    c->err, "kind",
			    strcmp(m->kind, "fk") == 0
			        ? "Förbundet har redan Försäkringskassan som medlem."
			        : "Förbundet har redan Arbetsförmedlingen som medlem.");
	}
	int found = 1;
	if (area_id &&
	    (rc = row_in_assoc(db, KOMMUN_AREA_IN_ASSOC, area_id, m->association_id, &found)))
		return rc;
	if (!found)
		return field_error_set(c->err, "area_id", "Välj en kommun i förbundets område.");
	if (c->creating) {
		if ((rc = db_prepare(
		         db,
		         "INSERT INTO member (association_id, kind, name, org_number, area_id,"
		         " joined_on, left_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, m->association_id);
	} else {
		if ((rc = db_prepare(
		         db,
		         "UPDATE member SET kind = $2, name = $3, org_number = $4, area_id = $5,"
		         " joined_on = $6, left_on = $7 WHERE id = $1 AND association_id = $8"
		         " RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, m->id);
		db_bind_int64(q, 8, m->association_id);
	}
	db_bind_text(q, 2, m->kind);
	db_bind_text(q, 3, m->name);
	db_bind_text(q, 4, c->org_number);
	db_bind_id_opt(q, 5, area_id);
	db_bind_text_opt(q, 6, m->joined_on);
	db_bind_text_opt(q, 7, m->left_on);
	rc = db_one_int64(q, &c->id);
	if (rc == RC_CONFLICT)
		return field_error_set(c->err, "name", "Det finns redan en medlem med det namnet.");
	return rc ? rc
	          : audit_append(db, c->who, c->creating ? "create" : "update", "member", c->id,
	                         "");
}

enum rc org_member_save(struct db *db, const struct actor *who, struct member *in,
                        struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = may_write(who);
	if (rc)
		return rc;
	if (!org_code_valid(org_member_kinds, in->kind))
		rc = field_error_add(err, "kind",
		                     "Välj typ av medlem: Försäkringskassan, Arbetsförmedlingen, "
		                     "region eller kommun.");
	if (check_text(err, "name", in->name, 1, 120, "Namnet"))
		rc = RC_INVALID;
	char norm[12];
	if (!str_blank(in->org_number) && org_number_normalize(in->org_number, norm) != RC_OK)
		rc = field_error_add(err, "org_number",
		                     "Organisationsnumret ska ha tio siffror, som 222000-1234, "
		                     "och rätt kontrollsiffra.");
	int dates_ok = !check_date(err, "joined_on", in->joined_on, 0, "Inträdesdatum");
	dates_ok &= !check_date(err, "left_on", in->left_on, 0, "Utträdesdatum");
	if (!dates_ok)
		rc = RC_INVALID;
	else if (!str_blank(in->joined_on) && !str_blank(in->left_on) &&
	         strcmp(in->left_on, in->joined_on) < 0)
		rc = field_error_add(err, "left_on", "Utträdet kan inte ligga före inträdet.");
	if (rc)
		return rc;
	struct save_ctx c = {who, in, err, str_blank(in->org_number) ? NULL : norm, in->id == 0, 0};
	return run_save(db, member_save_tx, &c, &in->id);
}

static void read_population(struct db_stmt *q, struct arena *a, void *out)
{
	struct population *p = out;
	(void)a;
	p->year = (int)db_col_int64(q, 0);
	p->population = db_col_int64(q, 1);
}

enum rc org_population_list(struct db *db, struct arena *a, int64_t member_id,
                            struct population **out, size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare(db,
	                     "SELECT year, population FROM member_population WHERE member_id = $1"
	                     " ORDER BY year DESC",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, member_id);
	return db_fetch_all(q, a, read_population, sizeof **out, 0, (void **)out, n, NULL);
}

struct pop_ctx {
	const struct actor *who;
	int64_t member_id;
	int year;
	int64_t population;
	struct field_error *err;
};

static enum rc population_tx(struct db *db, void *v)
{
	struct pop_ctx *c = v;
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "SELECT CASE WHEN kind = 'kommun' THEN 1 ELSE 0 END FROM member"
	                     " WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->member_id);
	int64_t is_kommun;
	if ((rc = db_one_int64(q, &is_kommun)))
		return rc; /* RC_NOT_FOUND for no such member */
	if (!is_kommun)
		return field_error_set(c->err, "population",
		                       "Folkmängd förs bara för kommuner; den fördelar kommunernas "
		                       "andel av medlemsavgiften.");
	if ((rc = db_prepare(
	         db,
	         "INSERT INTO member_population (member_id, year, population) VALUES ($1, $2, $3)"
	         " ON CONFLICT (member_id, year) DO UPDATE SET population = excluded.population",
	         &q)))
		return rc;
	db_bind_int64(q, 1, c->member_id);
	db_bind_int64(q, 2, c->year);
	db_bind_int64(q, 3, c->population);
	rc = db_run(q);
	char detail[32];
	snprintf(detail, sizeof detail, "folkmängd %d", c->year);
	return rc ? rc : audit_append(db, c->who, "update", "member", c->member_id, detail);
}

enum rc org_population_set(struct db *db, const struct actor *who, int64_t member_id, int year,
                           int64_t population, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = may_write(who);
	if (rc)
		return rc;
	if (year < ORG_POPULATION_YEAR_MIN || year > ORG_POPULATION_YEAR_MAX)
		rc = field_error_add(err, "year", "Ange ett år mellan 1990 och 2100.");
	if (population < 0 || population > ORG_POPULATION_MAX)
		rc = field_error_add(err, "population",
		                     "Ange folkmängden som ett heltal, 0 eller mer.");
	if (rc)
		return rc;
	struct pop_ctx c = {who, member_id, year, population, err};
	return db_tx(db, population_tx, &c);
}

/* ---- bodies ------------------------------------------------------------------------- */

/* $1 is the body or the förbund, $2 today's date (Stockholm). */
#define BODY_SELECT                                                            \
	"SELECT b.id, b.association_id, b.kind, b.name, b.description,"        \
	" (SELECT count(*) FROM mandate md WHERE md.body_id = b.id"            \
	"   AND md.start_on <= $2 AND (md.end_on IS NULL OR md.end_on >= $2))" \
	" FROM body b "

static void read_body(struct db_stmt *q, struct arena *a, void *out)
{
	struct body *b = out;
	b->id = db_col_int64(q, 0);
	b->association_id = db_col_int64(q, 1);
	b->kind = db_col_dup(q, 2, a);
	b->name = db_col_dup(q, 3, a);
	b->description = db_col_dup(q, 4, a);
	b->current_mandates = db_col_int64(q, 5);
}

enum rc org_body_list(struct db *db, struct arena *a, int64_t assoc, int64_t now, struct body **out,
                      size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare(db,
	                     BODY_SELECT
	                     "WHERE b.association_id = $1 ORDER BY CASE b.kind"
	                     " WHEN 'styrelse' THEN 1 WHEN 'arbetsutskott' THEN 2"
	                     " WHEN 'beredningsgrupp' THEN 3 WHEN 'kansli' THEN 4 ELSE 5 END,"
	                     " b.name",
	                     &q)))
		return rc;
	char today[11];
	svtime_today(now, today);
	db_bind_int64(q, 1, assoc);
	db_bind_text(q, 2, today);
	return db_fetch_all(q, a, read_body, sizeof **out, 0, (void **)out, n, NULL);
}

enum rc org_body_get(struct db *db, struct arena *a, int64_t id, int64_t now, struct body *out)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, BODY_SELECT "WHERE b.id = $1", &q)))
		return rc;
	char today[11];
	svtime_today(now, today);
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, today);
	return fetch_one(q, a, read_body, sizeof *out, out);
}

static enum rc body_save_tx(struct db *db, void *v)
{
	struct save_ctx *c = v;
	const struct body *b = c->obj;
	struct db_stmt *q;
	enum rc rc;
	if (c->creating) {
		if ((rc = db_prepare(db,
		                     "INSERT INTO body (association_id, kind, name, description)"
		                     " VALUES ($1, $2, $3, $4) RETURNING id",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, b->association_id);
	} else {
		if ((rc = db_prepare(
		         db,
		         "UPDATE body SET kind = $2, name = $3, description = $4 WHERE id = $1"
		         " AND association_id = $5 RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, b->id);
		db_bind_int64(q, 5, b->association_id);
	}
	db_bind_text(q, 2, b->kind);
	db_bind_text(q, 3, b->name);
	db_bind_text_opt(q, 4, b->description);
	rc = db_one_int64(q, &c->id);
	if (rc == RC_CONFLICT)
		return field_error_set(c->err, "name", "Det finns redan ett organ med det namnet.");
	return rc ? rc
	          : audit_append(db, c->who, c->creating ? "create" : "update", "body", c->id, "");
}

enum rc org_body_save(struct db *db, const struct actor *who, struct body *in,
                      struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = may_write(who);
	if (rc)
		return rc;
	if (!org_code_valid(org_body_kinds, in->kind))
		rc = field_error_add(err, "kind", "Välj vilken sorts organ det är.");
	if (check_text(err, "name", in->name, 1, 120, "Namnet"))
		rc = RC_INVALID;
	if (check_text(err, "description", in->description, 0, 2000, "Beskrivningen"))
		rc = RC_INVALID;
	if (rc)
		return rc;
	struct save_ctx c = {who, in, err, NULL, in->id == 0, 0};
	return run_save(db, body_save_tx, &c, &in->id);
}

/* ---- people ---------------------------------------------------------------------------- */

#define PERSON_SELECT                                                                        \
	"SELECT p.id, p.association_id, p.name, p.title, coalesce(p.employer_member_id, 0)," \
	" m.name, p.email, p.phone FROM person p LEFT JOIN member m ON m.id = "              \
	"p.employer_member_id "

static void read_person(struct db_stmt *q, struct arena *a, void *out)
{
	struct person *p = out;
	p->id = db_col_int64(q, 0);
	p->association_id = db_col_int64(q, 1);
	p->name = db_col_dup(q, 2, a);
	p->title = db_col_dup(q, 3, a);
	p->employer_member_id = db_col_int64(q, 4);
	p->employer_name = db_col_dup(q, 5, a);
	p->email = db_col_dup(q, 6, a);
	p->phone = db_col_dup(q, 7, a);
}

enum rc org_person_list(struct db *db, struct arena *a, int64_t assoc, struct person **out,
                        size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare(
	         db, PERSON_SELECT "WHERE p.association_id = $1 ORDER BY lower(p.name), p.name",
	         &q)))
		return rc;
	db_bind_int64(q, 1, assoc);
	return db_fetch_all(q, a, read_person, sizeof **out, 0, (void **)out, n, NULL);
}

enum rc org_person_get(struct db *db, struct arena *a, int64_t id, struct person *out)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, PERSON_SELECT "WHERE p.id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	return fetch_one(q, a, read_person, sizeof *out, out);
}

static enum rc person_save_tx(struct db *db, void *v)
{
	struct save_ctx *c = v;
	const struct person *p = c->obj;
	struct db_stmt *q;
	enum rc rc;
	int found = 1;
	if (p->employer_member_id && (rc = row_in_assoc(db, MEMBER_IN_ASSOC, p->employer_member_id,
	                                                p->association_id, &found)))
		return rc;
	if (!found)
		return field_error_set(c->err, "employer_member_id",
		                       "Välj en av förbundets medlemmar.");
	if (c->creating) {
		if ((rc = db_prepare(
		         db,
		         "INSERT INTO person (association_id, name, title, employer_member_id,"
		         " email, phone) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, p->association_id);
	} else {
		if ((rc = db_prepare(
		         db,
		         "UPDATE person SET name = $2, title = $3, employer_member_id = $4,"
		         " email = $5, phone = $6 WHERE id = $1 AND association_id = $7"
		         " RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, p->id);
		db_bind_int64(q, 7, p->association_id);
	}
	db_bind_text(q, 2, p->name);
	db_bind_text_opt(q, 3, p->title);
	db_bind_id_opt(q, 4, p->employer_member_id);
	db_bind_text_opt(q, 5, p->email);
	db_bind_text_opt(q, 6, p->phone);
	rc = db_one_int64(q, &c->id);
	return rc ? rc
	          : audit_append(db, c->who, c->creating ? "create" : "update", "person", c->id,
	                         "");
}

enum rc org_person_save(struct db *db, const struct actor *who, struct person *in,
                        struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = may_write(who);
	if (rc)
		return rc;
	if (check_text(err, "name", in->name, 1, 120, "Namnet"))
		rc = RC_INVALID;
	if (check_text(err, "title", in->title, 0, 120, "Befattningen"))
		rc = RC_INVALID;
	if (check_text(err, "email", in->email, 0, 200, "E-postadressen"))
		rc = RC_INVALID;
	else if (!str_blank(in->email)) {
		const char *at = strchr(in->email, '@');
		if (!at || at == in->email || !strchr(at, '.') || strchr(in->email, ' '))
			rc = field_error_add(err, "email",
			                     "E-postadressen ska se ut som namn@exempel.se.");
	}
	if (check_text(err, "phone", in->phone, 0, 40, "Telefonnumret"))
		rc = RC_INVALID;
	else if (!str_blank(in->phone)) {
		for (const char *p = in->phone; *p; p++)
			if (!isdigit((unsigned char)*p) && !strchr(" +-()", *p)) {
				rc = field_error_add(err, "phone",
				                     "Telefonnumret får bara innehålla siffror, "
				                     "mellanslag, +, - och parenteser.");
				break;
			}
	}
	if (rc)
		return rc;
	struct save_ctx c = {who, in, err, NULL, in->id == 0, 0};
	return run_save(db, person_save_tx, &c, &in->id);
}

/* ---- mandates ----------------------------------------------------------------------------- */

#define MANDATE_SELECT                                                                           \
	"SELECT md.id, md.body_id, md.person_id, md.role, coalesce(md.member_id, 0), md.party,"  \
	" md.start_on, md.end_on, b.name, p.name, m.name"                                        \
	" FROM mandate md JOIN body b ON b.id = md.body_id JOIN person p ON p.id = md.person_id" \
	" LEFT JOIN member m ON m.id = md.member_id "

static void read_mandate(struct db_stmt *q, struct arena *a, void *out)
{
	struct mandate *m = out;
	m->id = db_col_int64(q, 0);
	m->body_id = db_col_int64(q, 1);
	m->person_id = db_col_int64(q, 2);
	m->role = db_col_dup(q, 3, a);
	m->member_id = db_col_int64(q, 4);
	m->party = db_col_dup(q, 5, a);
	m->start_on = db_col_dup(q, 6, a);
	m->end_on = db_col_dup(q, 7, a);
	m->body_name = db_col_dup(q, 8, a);
	m->person_name = db_col_dup(q, 9, a);
	m->member_name = db_col_dup(q, 10, a);
}

enum rc org_mandate_list(struct db *db, struct arena *a, int64_t body_id, int64_t person_id,
                         struct mandate **out, size_t *n)
{
	struct db_stmt *q;
	enum rc rc;
	*out = NULL;
	*n = 0;
	/* Role order as a protocol lists them: chair, vice chair, members,
	 * deputies, then the rest. */
	if ((rc = db_prepare(
	         db,
	         MANDATE_SELECT
	         "WHERE ($1 = 0 OR md.body_id = $1) AND ($2 = 0 OR md.person_id = $2)"
	         " ORDER BY md.end_on IS NOT NULL, CASE md.role WHEN 'ordforande' THEN 1"
	         " WHEN 'vice_ordforande' THEN 2 WHEN 'ledamot' THEN 3 WHEN 'ersattare' THEN 4"
	         " ELSE 5 END, m.name, p.name",
	         &q)))
		return rc;
	db_bind_int64(q, 1, body_id);
	db_bind_int64(q, 2, person_id);
	return db_fetch_all(q, a, read_mandate, sizeof **out, 0, (void **)out, n, NULL);
}

enum rc org_mandate_get(struct db *db, struct arena *a, int64_t id, struct mandate *out)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, MANDATE_SELECT "WHERE md.id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	return fetch_one(q, a, read_mandate, sizeof *out, out);
}

int org_mandate_current(const struct mandate *m, const char *date)
{
	return m->start_on && strcmp(m->start_on, date) <= 0 &&
	       (str_blank(m->end_on) || strcmp(m->end_on, date) >= 0);
}

static enum rc mandate_save_tx(struct db *db, void *v)
{
	struct save_ctx *c = v;
	const struct mandate *m = c->obj;
	struct db_stmt *q;
	enum rc rc;
	/* Body and person must belong to the same förbund, and so must the
	 * member represented. */
	if ((rc =
	         db_prepare(db,
	                    "SELECT b.association_id FROM body b JOIN person p"
	                    " ON p.association_id = b.association_id WHERE b.id = $1 AND p.id = $2",
	                    &q)))
		return rc;
	db_bind_int64(q, 1, m->body_id);
	db_bind_int64(q, 2, m->person_id);
	int64_t assoc;
	rc = db_one_int64(q, &assoc);
	if (rc == RC_NOT_FOUND)
		return field_error_set(c->err, "person_id",
		                       "Välj en person och ett organ i förbundet.");
	if (rc)
		return rc;
	int found = 1;
	if (m->member_id && (rc = row_in_assoc(db, MEMBER_IN_ASSOC, m->member_id, assoc, &found)))
		return rc;
	if (!found)
		return field_error_set(c->err, "member_id", "Välj en av förbundets medlemmar.");
	if (c->creating) {
		if ((rc = db_prepare(
		         db,
		         "INSERT INTO mandate (body_id, person_id, role, member_id, party,"
		         " start_on, end_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		         &q)))
			return rc;
		db_bind_int64(q, 1, m->body_id);
	} else {
		if ((rc =
		         db_prepare(db,
		                    "UPDATE mandate SET person_id = $2, role = $3, member_id = $4,"
		                    " party = $5, start_on = $6, end_on = $7, body_id = $8"
		                    " WHERE id = $1 AND body_id IN"
		                    " (SELECT id FROM body WHERE association_id = $9) RETURNING id",
		                    &q)))
			return rc;
		db_bind_int64(q, 1, m->id);
		db_bind_int64(q, 8, m->body_id);
		db_bind_int64(q, 9, assoc);
	}
	db_bind_int64(q, 2, m->person_id);
	db_bind_text(q, 3, m->role);
	db_bind_id_opt(q, 4, m->member_id);
	db_bind_text_opt(q, 5, m->party);
	db_bind_text(q, 6, m->start_on);
	db_bind_text_opt(q, 7, m->end_on);
	rc = db_one_int64(q, &c->id);
	return rc ? rc
	          : audit_append(db, c->who, c->creating ? "create" : "update", "mandate", c->id,
	                         m->role);
}

enum rc org_mandate_save(struct db *db, const struct actor *who, struct mandate *in,
                         struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = may_write(who);
	if (rc)
		return rc;
	if (in->person_id <= 0)
		rc = field_error_add(err, "person_id", "Välj vem uppdraget gäller.");
	if (in->body_id <= 0)
		rc = field_error_add(err, "body_id", "Välj vilket organ uppdraget gäller.");
	if (!org_code_valid(org_mandate_roles, in->role))
		rc = field_error_add(err, "role",
		                     "Välj en roll, till exempel ledamot eller ersättare.");
	if (!str_blank(in->party)) {
		size_t len = strlen(in->party);
		int ok = len <= 6 && !str_line_problem(in->party);
		for (const char *p = in->party; ok && *p; p++)
			ok = isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80;
		if (!ok)
			rc = field_error_add(
			    err, "party",
			    "Partibeteckningen skrivs med bokstäver, som M, S eller KD.");
	}
	int dates_ok = !check_date(err, "start_on", in->start_on, 1, "Startdatum");
	dates_ok &= !check_date(err, "end_on", in->end_on, 0, "Slutdatum");
	if (!dates_ok)
		rc = RC_INVALID;
	else if (!str_blank(in->end_on) && strcmp(in->end_on, in->start_on) < 0)
		rc = field_error_add(err, "end_on", "Slutdatum kan inte ligga före startdatum.");
	if (rc)
		return rc;
	struct save_ctx c = {who, in, err, NULL, in->id == 0, 0};
	return run_save(db, mandate_save_tx, &c, &in->id);
}
