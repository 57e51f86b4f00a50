/*
 * personal_data.c — all handling of personal data in participations, to be
 * read on its own by a privacy reviewer: every vault call (seal, unseal,
 * keyed hash), the identity stored at referral, consent given later,
 * withdrawal, protection and its requests, erasure of an identity, the
 * audited look at an identity, the search by personnummer and the
 * register extract; see personal_data.h.
 */
#include "personal_data.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/vault.h"
#include "audit.h"
#include "auth.h"
#include "intervention.h"
#include "participation_internal.h"
#include "pnr.h"

/* ---- identity at referral ------------------------------------------------ */

/* The year of birth in a parsed number. */
static int64_t birth_year_of(const struct pnr *pnr)
{
	return (int64_t)(pnr->birth[0] - '0') * 1000 + (pnr->birth[1] - '0') * 100 +
	       (pnr->birth[2] - '0') * 10 + (pnr->birth[3] - '0');
}

/*
 * Seals what was typed (number and name) as the identity of participation
 * id and points the participation at it.  Every consented participation
 * owns its own identity: the keyed hash finds the same person for those
 * with rights to all of them, but one insats never reuses, shows or
 * changes what another insats stored.
 */
static enum rc attach_identity(struct db *db, const struct vault *v, int64_t assoc, int64_t id,
                               const struct pnr *pnr, const char *name)
{
	char hash[VAULT_HASH_HEX_LEN + 1];
	vault_hash(v, pnr->digits, hash);
	struct arena *a = arena_new(1u << 16);
	if (!a)
		return RC_NOMEM;
	char *sealed_pnr = vault_seal(v, a, pnr->digits);
	char *sealed_name = vault_seal(v, a, name);
	char now[21];
	str_now_iso(now);
	struct db_stmt *q;
	int64_t identity = 0;
	enum rc rc = RC_NOMEM;
	if (sealed_pnr && sealed_name &&
	    !(rc = db_prepare(db,
	                      "INSERT INTO identity (association_id, participation_id, pnr_hash,"
	                      " sealed_pnr, sealed_name, created_at)"
	                      " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
	                      &q))) {
		db_bind_int64(q, 1, assoc);
		db_bind_int64(q, 2, id);
		db_bind_text(q, 3, hash);
		db_bind_text(q, 4, sealed_pnr);
		db_bind_text(q, 5, sealed_name);
		db_bind_text(q, 6, now);
		enum db_step s = db_step(q);
		if (s == DB_ROW)
			identity = db_col_int64(q, 0);
		db_finalize(q);
		rc = s == DB_ROW ? RC_OK : RC_DB;
	}
	arena_free(a);
	if (rc)
		return rc;
	if (db_prepare(db,
	               "UPDATE participation SET identity_id = $2, birth_year = $3, sex = $4"
	               " WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	db_bind_int64(q, 2, identity);
	db_bind_int64(q, 3, birth_year_of(pnr));
	db_bind_text(q, 4, pnr->sex == 'K' ? "K" : "M");
	return participation_step_done(q);
}

/* Records consent given on a date with a form version, collected by who. */
static enum rc insert_consent(struct db *db, const struct actor *who, int64_t id,
                              const char *given_on, const char *form)
{
	struct db_stmt *q;
	if (db_prepare(db,
	               "INSERT INTO consent (participation_id, given_on, form_version, "
	               "collected_by)"
	               " VALUES ($1, $2, $3, $4)",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, given_on);
	db_bind_text(q, 3, form);
	if (who && who->user_id)
		db_bind_int64(q, 4, who->user_id);
	else
		db_bind_null(q, 4);
	return participation_step_done(q);
}

enum rc personal_store_identity(struct db *db, const struct vault *v, const struct actor *who,
                                int64_t assoc, int64_t id, const struct pnr *pnr, const char *name,
                                const char *consent_on, const char *consent_form)
{
	enum rc rc = attach_identity(db, v, assoc, id, pnr, name);
	return rc ? rc : insert_consent(db, who, id, consent_on, consent_form);
}

enum rc personal_duplicate(struct db *db, const struct vault *v, int64_t assoc,
                           int64_t intervention_id, const struct pnr *pnr, int64_t *dup)
{
	char hash[VAULT_HASH_HEX_LEN + 1];
	struct db_stmt *q;
	*dup = 0;
	vault_hash(v, pnr->digits, hash);
	if (db_prepare(db,
	               "SELECT p.id FROM identity d JOIN participation p"
	               " ON p.id = d.participation_id"
	               " WHERE d.pnr_hash = $1 AND d.association_id = $2"
	               " AND p.intervention_id = $3 AND p.state IN ('queued', 'active')"
	               " ORDER BY p.id LIMIT 1",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, hash);
	db_bind_int64(q, 2, assoc);
	db_bind_int64(q, 3, intervention_id);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		*dup = db_col_int64(q, 0);
	db_finalize(q);
	return s == DB_ROW || s == DB_DONE ? RC_OK : RC_DB;
}

/* ---- consent, protection, erasure --------------------------------------------------- */

/* Erases the identity of one participation: the participation becomes
 * anonymous (sex and dates stay) and its sealed identity is deleted.
 * protect also marks it as a person with protected identity. */
static enum rc erase_identity(struct db *db, int64_t id, int protect)
{
	struct db_stmt *q;
	if (db_prepare(db,
	               protect ? "UPDATE participation SET identity_id = NULL, birth_year = NULL,"
	                         " protected = 1 WHERE id = $1"
	                       : "UPDATE participation SET identity_id = NULL, birth_year = NULL"
	                         " WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	enum rc rc = participation_step_done(q);
	if (rc)
		return rc;
	if (db_prepare(db, "DELETE FROM identity WHERE participation_id = $1", &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	return participation_step_done(q);
}

struct consent_ctx {
	const struct actor *who;
	int64_t id;
	const char *date;
	struct field_error *err;
};

static enum rc withdraw_tx(struct db *db, void *v)
{
	struct consent_ctx *c = v;
	enum rc allowed = participation_may_change(db, c->who, c->id);
	if (allowed)
		return allowed;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT c.id, c.given_on FROM participation p JOIN consent c"
	               " ON c.participation_id = p.id AND c.withdrawn_on IS NULL WHERE p.id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	enum db_step s = db_step(q);
	int64_t consent = 0;
	char given[11] = "";
	if (s == DB_ROW) {
		consent = db_col_int64(q, 0);
		str_copy(given, sizeof given, db_col_text(q, 1));
	}
	db_finalize(q);
	if (s == DB_DONE)
		return field_error_set(c->err, "date",
		                       "Det finns inget gällande samtycke att återkalla.");
	if (s != DB_ROW)
		return RC_DB;
	if (strcmp(c->date, given) < 0)
		return field_error_set(c->err, "date",
		                       "Återkallelsen kan inte ligga före samtycket lämnades.");
	if (db_prepare(db, "UPDATE consent SET withdrawn_on = $2 WHERE id = $1", &q))
		return RC_DB;
	db_bind_int64(q, 1, consent);
	db_bind_text(q, 2, c->date);
	enum rc rc = participation_step_done(q);
	/* Only this participation's identity: consent is given per insats. */
	if (rc || (rc = erase_identity(db, c->id, 0)) ||
	    (rc = participation_history_add(db, c->who, c->id, "consent", "lämnat", "återkallat")))
		return rc;
	return audit_append(db, c->who, "withdraw_consent", "participation", c->id,
	                    "identitet raderad");
}

enum rc personal_withdraw_consent(struct db *db, const struct actor *who, int64_t id,
                                  const char *date, struct field_error *err)
{
	enum rc rc = participation_check_date(date, err);
	if (rc)
		return rc;
	struct consent_ctx c = {who, id, date, err};
	return db_tx(db, withdraw_tx, &c);
}

/* The participations (id and insats) whose identity has this keyed hash
 * in a förbund, as a new array from a (freed with it). */
struct holder {
	int64_t id, intervention_id;
};
static enum rc holders(struct db *db, struct arena *a, int64_t assoc, const char *hash,
                       struct holder **out, size_t *n)
{
	struct db_stmt *q;
	*out = NULL;
	*n = 0;
	if (db_prepare(db,
	               "SELECT p.id, p.intervention_id FROM identity d JOIN participation p"
	               " ON p.id = d.participation_id WHERE d.association_id = $1"
	               " AND d.pnr_hash = $2 ORDER BY p.id",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, assoc);
	db_bind_text(q, 2, hash);
	size_t cap = 0;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		if (!(*out = arena_grow(a, *out, &cap, *n, sizeof **out))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		(*out)[*n].id = db_col_int64(q, 0);
		(*out)[(*n)++].intervention_id = db_col_int64(q, 1);
	}
	db_finalize(q);
	return s == DB_DONE ? RC_OK : RC_DB;
}

struct protect_ctx {
	const struct actor *who;
	int64_t id;
	struct arena *a;
};

/*
 * Protection from insats staff: the identity is erased in every
 * participation of the person (same keyed hash) that the caller has rights
 * to.  When the person has participations elsewhere, an administrator's
 * work item asks for protection there; the caller learns nothing of them.
 */
static enum rc protect_tx(struct db *db, void *v)
{
	struct protect_ctx *c = v;
	enum rc rc = participation_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT i.association_id, coalesce(d.pnr_hash, '') FROM participation p"
	               " JOIN intervention i ON i.id = p.intervention_id"
	               " LEFT JOIN identity d ON d.id = p.identity_id WHERE p.id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	enum db_step s = db_step(q);
	int64_t assoc = 0;
	char hash[VAULT_HASH_HEX_LEN + 1] = "";
	if (s == DB_ROW) {
		assoc = db_col_int64(q, 0);
		str_copy(hash, sizeof hash, db_col_text(q, 1));
	}
	db_finalize(q);
	if (s != DB_ROW)
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;
	struct holder *h = NULL;
	size_t nh = 0, elsewhere = 0;
	if (hash[0] && (rc = holders(db, c->a, assoc, hash, &h, &nh)))
		return rc;
	for (size_t i = 0; i < nh; i++) {
		if (h[i].id == c->id)
			continue;
		if (!participation_may_register(db, c->who, h[i].intervention_id)) {
			elsewhere++;
			continue;
		}
		if ((rc = erase_identity(db, h[i].id, 1)) ||
		    (rc = participation_history_add(db, c->who, h[i].id, "protected", NULL,
		                                    "skyddade personuppgifter")) ||
		    (rc = audit_append(db, c->who, "protect", "participation", h[i].id,
		                       "identitet raderad")))
			return rc;
	}
	if ((rc = erase_identity(db, c->id, 1)) ||
	    (rc = participation_history_add(db, c->who, c->id, "protected", NULL,
	                                    "skyddade personuppgifter")) ||
	    (rc = audit_append(db, c->who, "protect", "participation", c->id, "identitet raderad")))
		return rc;
	if (!elsewhere)
		return RC_OK;
	char now[21];
	str_now_iso(now);
	if (db_prepare(db,
	               "INSERT INTO protection_request (association_id, participation_id,"
	               " pnr_hash, requested_at, requested_by) VALUES ($1, $2, $3, $4, $5)"
	               " RETURNING id",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, assoc);
	db_bind_int64(q, 2, c->id);
	db_bind_text(q, 3, hash);
	db_bind_text(q, 4, now);
	if (c->who->user_id)
		db_bind_int64(q, 5, c->who->user_id);
	else
		db_bind_null(q, 5);
	s = db_step(q);
	int64_t req = s == DB_ROW ? db_col_int64(q, 0) : 0;
	db_finalize(q);
	if (s != DB_ROW)
		return RC_DB;
	return audit_append(db, c->who, "protect_request", "protection_request", req,
	                    "till administratören");
}

enum rc personal_protect(struct db *db, const struct actor *who, int64_t id)
{
	if (!who)
		return RC_DENIED;
	struct arena *a = arena_new(0);
	if (!a)
		return RC_NOMEM;
	struct protect_ctx c = {who, id, a};
	enum rc rc = db_tx(db, protect_tx, &c);
	arena_free(a);
	return rc;
}

enum rc personal_protect_requests(struct db *db, struct arena *a, const struct actor *who,
                                  int64_t assoc, struct protect_request **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!who || who->role != ROLE_ADMIN)
		return RC_DENIED;
	struct db_stmt *q;
	if (db_prepare(
	        db,
	        "SELECT r.id, r.requested_at, r.participation_id, i.name,"
	        " (SELECT count(*) FROM identity d WHERE d.association_id = r.association_id"
	        "  AND d.pnr_hash = r.pnr_hash)"
	        " FROM protection_request r JOIN participation p ON p.id = r.participation_id"
	        " JOIN intervention i ON i.id = p.intervention_id"
	        " WHERE r.association_id = $1 AND r.handled_at IS NULL"
	        " ORDER BY r.requested_at, r.id",
	        &q))
		return RC_DB;
	db_bind_int64(q, 1, assoc);
	size_t cap = 0;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		if (!(*out = arena_grow(a, *out, &cap, *n, sizeof **out))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		struct protect_request *r = &(*out)[(*n)++];
		r->id = db_col_int64(q, 0);
		r->requested_on = arena_strndup(a, db_col_text(q, 1), 10);
		r->participation_id = db_col_int64(q, 2);
		r->intervention_name = participation_col(a, q, 3);
		r->identified = db_col_int64(q, 4);
	}
	db_finalize(q);
	return s == DB_DONE ? RC_OK : RC_DB;
}

struct apply_ctx {
	const struct actor *who;
	int64_t request;
	struct arena *a;
	size_t erased;
};

static enum rc protect_apply_tx(struct db *db, void *v)
{
	struct apply_ctx *c = v;
	c->erased = 0;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT association_id, pnr_hash FROM protection_request"
	               " WHERE id = $1 AND handled_at IS NULL",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->request);
	enum db_step s = db_step(q);
	int64_t assoc = 0;
	char hash[VAULT_HASH_HEX_LEN + 1] = "";
	if (s == DB_ROW) {
		assoc = db_col_int64(q, 0);
		str_copy(hash, sizeof hash, db_col_text(q, 1));
	}
	db_finalize(q);
	if (s != DB_ROW)
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;
	struct holder *h;
	size_t nh;
	enum rc rc = holders(db, c->a, assoc, hash, &h, &nh);
	for (size_t i = 0; !rc && i < nh; i++) {
		if (!(rc = erase_identity(db, h[i].id, 1)) &&
		    !(rc = participation_history_add(db, c->who, h[i].id, "protected", NULL,
		                                     "skyddade personuppgifter")))
			rc = audit_append(db, c->who, "protect", "participation", h[i].id,
			                  "identitet raderad på begäran");
	}
	if (rc)
		return rc;
	c->erased = nh;
	char now[21];
	str_now_iso(now);
	/* Every open request for the same person is done; the hash goes. */
	if (db_prepare(db,
	               "UPDATE protection_request SET handled_at = $3, handled_by = $4,"
	               " pnr_hash = NULL WHERE association_id = $1 AND pnr_hash = $2"
	               " AND handled_at IS NULL",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, assoc);
	db_bind_text(q, 2, hash);
	db_bind_text(q, 3, now);
	if (c->who->user_id)
		db_bind_int64(q, 4, c->who->user_id);
	else
		db_bind_null(q, 4);
	if ((rc = participation_step_done(q)))
		return rc;
	char detail[48];
	snprintf(detail, sizeof detail, "%zu deltaganden", nh);
	return audit_append(db, c->who, "protect_apply", "protection_request", c->request, detail);
}

enum rc personal_protect_apply(struct db *db, const struct actor *who, int64_t request,
                               size_t *erased)
{
	if (!who || who->role != ROLE_ADMIN)
		return RC_DENIED;
	struct arena *a = arena_new(0);
	if (!a)
		return RC_NOMEM;
	struct apply_ctx c = {who, request, a, 0};
	enum rc rc = db_tx(db, protect_apply_tx, &c);
	arena_free(a);
	if (!rc && erased)
		*erased = c.erased;
	return rc;
}

/* ---- consent given later ------------------------------------------------------------- */

struct consent_later_ctx {
	const struct vault *v;
	const struct actor *who;
	int64_t id;
	const struct consent_in *in;
	const struct pnr *pnr;
	struct field_error *err;
};

static enum rc consent_later_tx(struct db *db, void *v)
{
	struct consent_later_ctx *c = v;
	enum rc rc = participation_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT i.association_id, p.identity_id IS NOT NULL, p.protected, p.sex"
	               " FROM participation p JOIN intervention i ON i.id = p.intervention_id"
	               " WHERE p.id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	enum db_step s = db_step(q);
	int64_t assoc = 0;
	int identified = 0, protected_identity = 0;
	char sex[4] = "";
	if (s == DB_ROW) {
		assoc = db_col_int64(q, 0);
		identified = (int)db_col_int64(q, 1);
		protected_identity = (int)db_col_int64(q, 2);
		str_copy(sex, sizeof sex, db_col_text(q, 3));
	}
	db_finalize(q);
	if (s != DB_ROW)
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;
	if (protected_identity)
		return field_error_set(
		    c->err, "pnr", "Personen har skyddade personuppgifter och följs bara anonymt.");
	if (identified)
		return field_error_set(c->err, "pnr",
		                       "Deltagandet har redan samtycke med personnummer och namn.");
	const char *new_sex = c->pnr->sex == 'K' ? "K" : "M";
	if ((rc = attach_identity(db, c->v, assoc, c->id, c->pnr, c->in->name)) ||
	    (rc = insert_consent(db, c->who, c->id, c->in->given_on, c->in->form)) ||
	    (strcmp(sex, new_sex) != 0 &&
	     (rc = participation_history_add(db, c->who, c->id, "sex", sex, new_sex))) ||
	    (rc = participation_history_add(db, c->who, c->id, "consent", NULL, "lämnat")))
		return rc;
	return audit_append(db, c->who, "consent_given", "participation", c->id,
	                    "identitet sparad");
}

enum rc personal_consent_add(struct db *db, const struct vault *v, const struct actor *who,
                             int64_t id, const struct consent_in *in, struct field_error *err)
{
	char today[11];
	str_today(today);
	struct pnr pnr;
	enum rc bad = RC_OK;
	if (str_blank(in->given_on) || !str_valid_date(in->given_on) ||
	    strcmp(in->given_on, today) > 0)
		bad = field_error_add(err, "consent_on",
		                      "Samtyckesdatumet ska vara ett datum som 2026-01-31, "
		                      "inte i framtiden.");
	if (str_blank(in->form) || strlen(in->form) > 40)
		bad = field_error_add(err, "consent_form",
		                      "Ange vilken version av samtyckesblanketten som användes.");
	const char *why = NULL;
	if (str_blank(in->pnr))
		bad = field_error_add(err, "pnr", "Ange personnummer eller samordningsnummer.");
	else if (pnr_parse(in->pnr, today, &pnr, &why) != RC_OK)
		bad = field_error_add(err, "pnr", why);
	if (str_blank(in->name) || str_utf8_len(in->name) > 120 || !str_valid_utf8_text(in->name))
		bad = field_error_add(err, "name", "Ange deltagarens namn, högst 120 tecken.");
	if (bad)
		return bad;
	if (!v)
		return RC_IO;
	struct consent_later_ctx c = {v, who, id, in, &pnr, err};
	return db_tx(db, consent_later_tx, &c);
}

/* ---- identity and extract --------------------------------------------------------------- */

enum rc personal_identity(struct db *db, const struct vault *v, const struct actor *who, int64_t id,
                          const char *reason, struct arena *a, const char **pnr, const char **name)
{
	*pnr = *name = NULL;
	if (str_blank(reason))
		return RC_INVALID;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT p.intervention_id, coalesce(p.identity_id, 0), d.sealed_pnr,"
	               " d.sealed_name FROM participation p LEFT JOIN identity d"
	               " ON d.id = p.identity_id WHERE p.id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	enum db_step s = db_step(q);
	int64_t intervention = 0, identity = 0;
	const char *sp = NULL, *sn = NULL;
	if (s == DB_ROW) {
		intervention = db_col_int64(q, 0);
		identity = db_col_int64(q, 1);
		sp = participation_col(a, q, 2);
		sn = participation_col(a, q, 3);
	}
	db_finalize(q);
	if (s != DB_ROW)
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;
	if (!who || who->role != ROLE_CASEWORKER ||
	    !intervention_is_staff(db, intervention, who->user_id, "deltagaransvarig"))
		return RC_DENIED;
	if (!identity)
		return RC_NOT_FOUND;
	if (!v)
		return RC_IO;
	const char *p = vault_unseal(v, a, sp);
	const char *nm = vault_unseal(v, a, sn);
	if (!p || !nm)
		return RC_IO; /* wrong key or altered data */
	/* The look is logged before it is shown. */
	enum rc rc = audit_append(db, who, "view_identity", "participation", id, reason);
	if (rc)
		return rc;
	char shown[14];
	struct pnr parsed;
	str_copy(parsed.digits, sizeof parsed.digits, p);
	pnr_format(&parsed, shown);
	*pnr = arena_strdup(a, shown);
	*name = nm;
	return RC_OK;
}

struct find_ctx {
	const struct actor *who;
	int64_t assoc;
	const char *hash, *reason;
	struct arena *a;
	int64_t *ids;
	size_t n, cap;
};

/* Audits the search, then reads the matching participation numbers.  A
 * retry starts the list afresh, so only the committed attempt's numbers
 * are handed out. */
static enum rc find_tx(struct db *db, void *ctx)
{
	struct find_ctx *c = ctx;
	c->n = 0;
	enum rc rc = audit_append(db, c->who, "search_identity", "identity", 0, c->reason);
	if (rc)
		return rc;
	struct db_stmt *q;
	if (db_prepare(
	        db,
	        "SELECT p.id FROM identity d JOIN participation p ON p.id = d.participation_id"
	        " JOIN intervention_staff s ON s.intervention_id = p.intervention_id"
	        " WHERE d.pnr_hash = $1 AND d.association_id = $2 AND s.user_id = $3"
	        " AND s.role = 'deltagaransvarig' ORDER BY p.id DESC",
	        &q))
		return RC_DB;
	db_bind_text(q, 1, c->hash);
	db_bind_int64(q, 2, c->assoc);
	db_bind_int64(q, 3, c->who->user_id);
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		if (!(c->ids = arena_grow(c->a, c->ids, &c->cap, c->n, sizeof *c->ids))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		c->ids[c->n++] = db_col_int64(q, 0);
	}
	db_finalize(q);
	return s == DB_DONE ? RC_OK : RC_DB;
}

enum rc personal_find_by_pnr(struct db *db, const struct vault *v, const struct actor *who,
                             int64_t assoc, const char *pnr_text, const char *reason,
                             struct arena *a, struct participation **out, size_t *n,
                             struct field_error *err)
{
	static const char *const reasons[] = {"kontakt", "uppfoljning", "samordning"};
	*out = NULL;
	*n = 0;
	if (!who || who->role != ROLE_CASEWORKER)
		return RC_DENIED;
	field_error_clear(err);
	enum rc rc = RC_OK;
	char today[11];
	str_today(today);
	struct pnr pnr;
	const char *why = NULL;
	if (str_blank(pnr_text))
		rc = field_error_add(err, "pnr",
		                     "Personnummer eller samordningsnummer måste anges.");
	else if (pnr_parse(pnr_text, today, &pnr, &why) != RC_OK)
		rc = field_error_add(err, "pnr", why);
	int reason_ok = 0;
	for (size_t i = 0; reason && i < sizeof reasons / sizeof reasons[0]; i++)
		reason_ok |= strcmp(reason, reasons[i]) == 0;
	if (!reason_ok)
		rc = field_error_add(err, "reason", "Välj ett skäl i listan.");
	if (rc)
		return rc;
	if (!v)
		return RC_IO;
	char hash[VAULT_HASH_HEX_LEN + 1];
	vault_hash(v, pnr.digits, hash);
	struct find_ctx c = {who, assoc, hash, reason, a, NULL, 0, 0};
	if ((rc = db_tx(db, find_tx, &c)))
		return rc;
	if (c.n && !(*out = arena_alloc(a, c.n * sizeof **out)))
		return RC_NOMEM;
	for (size_t i = 0; i < c.n; i++)
		if ((rc = participation_get(db, a, c.ids[i], &(*out)[i])))
			return rc;
	*n = c.n;
	return RC_OK;
}

/* The parts of a register extract, one constant statement each. */
enum extract_part { EX_CONSENT, EX_ANSWERS, EX_HISTORY, EX_ATTENDANCE };

static const struct {
	const char *sql;
	const char *keys[5];
	int nkeys;
} extract_parts[] = {
    [EX_CONSENT] = {"SELECT given_on, form_version, withdrawn_on FROM consent"
                    " WHERE participation_id = $1 ORDER BY id",
                    {"lamnat", "blankettversion", "aterkallat"},
                    3},
    [EX_ANSWERS] = {"SELECT phase, list, code, CAST(extent AS TEXT) FROM participation_answer"
                    " WHERE participation_id = $1 ORDER BY phase DESC, list, code",
                    {"tillfalle", "uppgift", "kod", "omfattning"},
                    4},
    [EX_HISTORY] = {"SELECT at, actor, field, old_value, new_value FROM participation_history"
                    " WHERE participation_id = $1 ORDER BY id",
                    {"tid", "av", "falt", "tidigare", "nytt"},
                    5},
    [EX_ATTENDANCE] = {"SELECT month, hours_tenths FROM attendance"
                       " WHERE participation_id = $1 ORDER BY month",
                       {"manad", "timmar"},
                       2},
};

/* One part of the extract for participation id, as an array of objects. */
static json_t *extract_part(struct db *db, enum extract_part which, int64_t id)
{
	json_t *arr = json_array();
	struct db_stmt *q;
	if (db_prepare(db, extract_parts[which].sql, &q))
		return arr;
	db_bind_int64(q, 1, id);
	while (db_step(q) == DB_ROW) {
		json_t *o = json_object();
		for (int i = 0; i < extract_parts[which].nkeys; i++) {
			const char *t = db_col_text(q, i);
			json_t *val = t ? json_string(t) : json_null();
			if (which == EX_ATTENDANCE && i == 1) {
				char hours[32];
				int64_t tenths = db_col_int64(q, 1);
				snprintf(hours, sizeof hours, "%lld,%lld", (long long)(tenths / 10),
				         (long long)(tenths % 10));
				json_decref(val);
				val = json_string(hours);
			}
			json_object_set_new(o, extract_parts[which].keys[i], val);
		}
		json_array_append_new(arr, o);
	}
	db_finalize(q);
	return arr;
}

enum rc personal_extract(struct db *db, const struct vault *v, const struct actor *who,
                         const char *pnr_text, json_t **out, struct field_error *err)
{
	*out = NULL;
	if (!who || who->role != ROLE_ADMIN)
		return RC_DENIED;
	char today[11];
	str_today(today);
	struct pnr pnr;
	const char *why = NULL;
	if (pnr_parse(pnr_text, today, &pnr, &why) != RC_OK)
		return field_error_set(err, "pnr", why);
	if (!v)
		return RC_IO;
	char hash[VAULT_HASH_HEX_LEN + 1];
	vault_hash(v, pnr.digits, hash);
	struct db_stmt *q;
	/* Each consented participation holds its own identity: the name as
	 * typed there.  The keyed hash finds all of them. */
	if (db_prepare(db,
	               "SELECT participation_id, sealed_name, created_at FROM identity"
	               " WHERE pnr_hash = $1 ORDER BY participation_id",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, hash);
	/* The extract is complete or it fails: every participation of the
	 * person, however many. */
	struct arena *a = arena_new(0);
	if (!a) {
		db_finalize(q);
		return RC_NOMEM;
	}
	int64_t *ids = NULL;
	const char **names = NULL;
	size_t cap_ids = 0, cap_names = 0;
	const char *created = NULL;
	size_t nids = 0;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		if (!(ids = arena_grow(a, ids, &cap_ids, nids, sizeof *ids)) ||
		    !(names = arena_grow(a, names, &cap_names, nids, sizeof *names))) {
			db_finalize(q);
			arena_free(a);
			return RC_NOMEM;
		}
		ids[nids] = db_col_int64(q, 0);
		names[nids] = vault_unseal(v, a, db_col_text(q, 1));
		if (!created || strcmp(db_col_text(q, 2), created) < 0)
			created = participation_col(a, q, 2);
		nids++;
	}
	db_finalize(q);
	if (s != DB_DONE) {
		arena_free(a);
		return RC_DB;
	}
	enum rc rc = RC_OK;
	char shown[14];
	pnr_format(&pnr, shown);
	json_t *doc = json_pack("{s:s,s:s}", "personnummer", shown, "uttag_gjort", today);
	json_t *parts = json_array();
	json_object_set_new(doc, "deltaganden", parts);
	if (nids) {
		/* The name most recently registered; each participation shows its own. */
		json_object_set_new(doc, "namn",
		                    names[nids - 1] ? json_string(names[nids - 1]) : json_null());
		json_object_set_new(doc, "registrerad", json_string(created));
		for (size_t i = 0; i < nids; i++) {
			struct participation p;
			if ((rc = participation_get(db, a, ids[i], &p)))
				goto out;
			json_t *o = json_pack(
			    "{s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:b}", "deltagande",
			    (json_int_t)p.id, "insats", p.intervention_name, "namn",
			    names[i] ? names[i] : "", "status", p.state, "kon", p.sex, "anmald",
			    p.referred_on, "anmald_av", p.source, "hemkommun", p.home_area_name,
			    "start", p.start_on, "slut", p.end_on, "avslutsorsak", p.end_reason,
			    "raknas_i_statistik", p.counts);
			if (p.source_unit)
				json_object_set_new(o, "anmalande_enhet",
				                    json_string(p.source_unit));
			json_object_set_new(o, "samtycken", extract_part(db, EX_CONSENT, p.id));
			json_object_set_new(o, "registreringar",
			                    extract_part(db, EX_ANSWERS, p.id));
			json_object_set_new(o, "historik", extract_part(db, EX_HISTORY, p.id));
			json_object_set_new(o, "deltagartimmar",
			                    extract_part(db, EX_ATTENDANCE, p.id));
			json_array_append_new(parts, o);
		}
	}
	rc = audit_append(db, who, "extract", "identity", nids ? ids[0] : 0,
	                  nids ? "" : "ingen träff");
out:
	arena_free(a);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return RC_OK;
}
