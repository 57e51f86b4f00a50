/*
 * personal_data.c — every handling of personal data in participations, to
 * be read on its own by a privacy reviewer; see personal_data.h.
 *
 * A GUIDE FOR THE PRIVACY REVIEWER
 *
 * What is stored.  A participation is one person in one insats for one
 * episode.  Without consent it keeps sex, dates, the referring body, home
 * kommun and what was registered at start and end — no number, no name.
 * With the person's written consent (date and form version, and which
 * account registered it: table consent) the participation also owns one
 * row of identity: the personnummer and the name as typed there, each
 * sealed (XSalsa20-Poly1305, fresh nonce, key derived from DB.key), and
 * pnr_hash, a keyed BLAKE2b of the number, so the same person is found
 * again without decrypting and without a hash anyone could recompute from
 * a guessed number.  The birth year is kept beside it while the identity
 * is.  Nothing else in the program calls vault_seal, vault_unseal or
 * vault_hash or reads the identity table's sealed columns: the key check
 * (core/keycheck.c) asks personal_identities_open whether a key opens every
 * stored identity, and learns only how many do not.
 *
 * When.  At referral with consent (personal_store_identity, in the
 * referral's transaction; an import of a file makes the same call for each
 * identified row, in the file's one transaction), or when consent is given
 * later (personal_consent_add).  Each participation owns its identity: one
 * insats never reuses, shows or changes what another stored.
 *
 * Who may look.  Only a deltagaransvarig staffed on the participation's
 * insats sees its identity (personal_identity), on request with a reason;
 * the search by personnummer (personal_find_by_pnr) looks only at the
 * caller's own insatser; the administrator makes the register extract
 * (personal_extract: everything about one person, for a request under
 * GDPR art. 15).  Each checks the actor itself, beside the data, whatever
 * the route table did.  Lists and URLs carry participation numbers only.
 *
 * What is logged.  Every look — view_identity (with its reason), the
 * search (search_identity, reason only) and the extract — writes an audit
 * entry in the SAME transaction as the read, and the result is handed out
 * only after that transaction committed: no identity is ever shown without
 * its entry, and a retried attempt writes one entry, not two.  Every
 * change (consent given, withdrawn, protection, a protection request and
 * its handling) is audited in its own transaction.  Audit details never
 * hold a number or a name.  An import writes one entry for the whole file
 * (import.c: its name without folders, SHA-256, counts and the range of
 * participation numbers created), not one per person; each imported
 * participation has the same history rows as one registered by hand.  The
 * register extract lists history, not audit entries: where a person's
 * data came from a file is found by the participation's number in that
 * range.
 *
 * How erasure works.  Withdrawal of consent erases the identity of that
 * participation (consent is given per insats): the identity row is
 * deleted, identity_id and birth_year are cleared, the consent row keeps
 * its dates; sex and the figures stay, anonymous.  Protected identity
 * (skyddade personuppgifter) erases the identity in every participation of
 * the person the caller may change and marks them protected; when the
 * person has participations elsewhere, a protection_request holding only
 * the keyed hash goes to the administrator (the caller is not told, so
 * nothing reveals other participations), who applies protection everywhere
 * (personal_protect_apply); the request then drops its hash.
 *
 * Every write here runs in db_tx and is safe to run twice (the rule in
 * db.h); tests/unit/test_retry.c drives each through a busy step.
 */
#include "personal_data.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "../util/vault.h"
#include "audit.h"
#include "auth.h"
#include "participation_internal.h"
#include "pnr.h"

/* The first row of q into *out with read (a for its text; NULL when read
 * copies none): RC_NOT_FOUND when there is none, a step error as an error;
 * always finalizes q. */
static enum rc one_row(struct db_stmt *q, struct arena *a, db_row_fn read, void *out)
{
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		read(q, a, out);
	db_finalize(q);
	if (s == DB_ROW)
		return a && arena_failed(a) ? RC_NOMEM : RC_OK;
	return s == DB_DONE ? RC_NOT_FOUND : db_step_rc(s);
}

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
static enum rc attach_identity(struct db *db, const struct vault *v, const struct actor *who,
                               int64_t assoc, int64_t id, const struct pnr *pnr, const char *name)
{
	char hash[VAULT_HASH_HEX_LEN + 1];
	vault_hash(v, pnr->digits, hash);
	struct arena *a = arena_new(1u << 16);
	if (!a)
		return RC_NOMEM;
	char *sealed_pnr = vault_seal(v, a, pnr->digits);
	char *sealed_name = vault_seal(v, a, name);
	char now[21];
	svtime_iso(actor_now(who), now);
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
		rc = db_one_int64(q, &identity);
	}
	arena_free(a);
	if (rc)
		return rc == RC_NOT_FOUND ? RC_DB : rc;
	if ((rc = db_prepare(db,
	                     "UPDATE participation SET identity_id = $2, birth_year = $3, sex = $4"
	                     " WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_int64(q, 2, identity);
	db_bind_int64(q, 3, birth_year_of(pnr));
	db_bind_text(q, 4, pnr->sex == 'K' ? "K" : "M");
	return db_run(q);
}

/* Records consent given on a date with a form version, collected by who
 * (NULL for the command line). */
static enum rc insert_consent(struct db *db, const struct actor *who, int64_t id,
                              const char *given_on, const char *form)
{
	struct db_stmt *q;
	enum rc rc = db_prepare(db,
	                        "INSERT INTO consent (participation_id, given_on, form_version,"
	                        " collected_by) VALUES ($1, $2, $3, $4)",
	                        &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, given_on);
	db_bind_text(q, 3, form);
	db_bind_id_opt(q, 4, who ? who->user_id : 0);
	return db_run(q);
}

enum rc personal_store_identity(struct db *db, const struct vault *v, const struct actor *who,
                                int64_t assoc, int64_t id, const struct pnr *pnr, const char *name,
                                const char *consent_on, const char *consent_form)
{
	enum rc rc = attach_identity(db, v, who, assoc, id, pnr, name);
	return rc ? rc : insert_consent(db, who, id, consent_on, consent_form);
}

enum rc personal_duplicate(struct db *db, const struct vault *v, int64_t assoc,
                           int64_t intervention_id, const struct pnr *pnr, int64_t *dup)
{
	char hash[VAULT_HASH_HEX_LEN + 1];
	struct db_stmt *q;
	*dup = 0;
	vault_hash(v, pnr->digits, hash);
	enum rc rc = db_prepare(db,
	                        "SELECT p.id FROM identity d JOIN participation p"
	                        " ON p.id = d.participation_id"
	                        " WHERE d.pnr_hash = $1 AND d.association_id = $2"
	                        " AND p.intervention_id = $3 AND p.state IN ('queued', 'active')"
	                        " ORDER BY p.id LIMIT 1",
	                        &q);
	if (rc)
		return rc;
	db_bind_text(q, 1, hash);
	db_bind_int64(q, 2, assoc);
	db_bind_int64(q, 3, intervention_id);
	rc = db_one_int64(q, dup);
	return rc == RC_NOT_FOUND ? RC_OK : rc;
}

/* ---- consent, protection, erasure --------------------------------------------------- */

/* Erases the identity of one participation: the participation becomes
 * anonymous (sex and dates stay) and its sealed identity is deleted.
 * protect also marks it as a person with protected identity. */
static enum rc erase_identity(struct db *db, int64_t id, int protect)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     protect ? "UPDATE participation SET identity_id = NULL,"
	                               " birth_year = NULL, protected = $2 WHERE id = $1"
	                             : "UPDATE participation SET identity_id = NULL,"
	                               " birth_year = NULL WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, id);
	if (protect)
		db_bind_bool(q, 2, 1);
	if ((rc = db_run(q)) ||
	    (rc = db_prepare(db, "DELETE FROM identity WHERE participation_id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	return db_run(q);
}

struct consent_ctx {
	const struct actor *who;
	int64_t id;
	const char *date;
	struct field_error *err;
};

struct consent_row {
	int64_t id;
	char given_on[11];
};

static void read_consent_row(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	struct consent_row *c = elem;
	c->id = db_col_int64(q, 0);
	str_copy(c->given_on, sizeof c->given_on, db_col_text(q, 1));
}

static enum rc withdraw_tx(struct db *db, void *v)
{
	struct consent_ctx *c = v;
	enum rc rc = participation_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if ((rc = db_prepare(db,
	                     "SELECT c.id, c.given_on FROM participation p JOIN consent c"
	                     " ON c.participation_id = p.id AND c.withdrawn_on IS NULL"
	                     " WHERE p.id = $1 ORDER BY c.id DESC",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	struct consent_row consent = {0};
	rc = one_row(q, NULL, read_consent_row, &consent);
	if (rc == RC_NOT_FOUND)
		return field_error_set(c->err, "date",
		                       "Det finns inget gällande samtycke att återkalla.");
	if (rc)
		return rc;
	if (strcmp(c->date, consent.given_on) < 0)
		return field_error_set(c->err, "date",
		                       "Återkallelsen kan inte ligga före samtycket lämnades.");
	if ((rc = db_prepare(db, "UPDATE consent SET withdrawn_on = $2 WHERE id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, consent.id);
	db_bind_text(q, 2, c->date);
	/* Only this participation's identity: consent is given per insats. */
	if ((rc = db_run(q)) || (rc = erase_identity(db, c->id, 0)) ||
	    (rc = participation_history_add(db, c->who, c->id, "consent", "lämnat", "återkallat")))
		return rc;
	return audit_append(db, c->who, "withdraw_consent", "participation", c->id,
	                    "identitet raderad");
}

enum rc personal_withdraw_consent(struct db *db, const struct actor *who, int64_t id,
                                  const char *date, struct field_error *err)
{
	enum rc rc = participation_check_date(date, actor_now(who), err);
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

static void read_holder(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	struct holder *h = elem;
	h->id = db_col_int64(q, 0);
	h->intervention_id = db_col_int64(q, 1);
}

static enum rc holders(struct db *db, struct arena *a, int64_t assoc, const char *hash,
                       struct holder **out, size_t *n)
{
	struct db_stmt *q;
	*out = NULL;
	*n = 0;
	enum rc rc =
	    db_prepare(db,
	               "SELECT p.id, p.intervention_id FROM identity d JOIN participation p"
	               " ON p.id = d.participation_id WHERE d.association_id = $1"
	               " AND d.pnr_hash = $2 ORDER BY p.id",
	               &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, assoc);
	db_bind_text(q, 2, hash);
	return db_fetch_all(q, a, read_holder, sizeof **out, 0, (void **)out, n, NULL);
}

/* A förbund and a keyed hash ("" when none), as a protection needs them. */
struct person_ref {
	int64_t assoc;
	char hash[VAULT_HASH_HEX_LEN + 1];
};

static void read_person_ref(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	struct person_ref *r = elem;
	r->assoc = db_col_int64(q, 0);
	str_copy(r->hash, sizeof r->hash, db_col_text(q, 1) ? db_col_text(q, 1) : "");
}

struct protect_ctx {
	const struct actor *who;
	int64_t id;
	struct arena *a;
};

/* Erases one participation's identity for protection, with its history
 * row and audit entry (detail says why). */
static enum rc protect_one(struct db *db, const struct actor *who, int64_t id, const char *detail)
{
	enum rc rc;
	if ((rc = erase_identity(db, id, 1)) ||
	    (rc = participation_history_add(db, who, id, "protected", NULL,
	                                    "skyddade personuppgifter")))
		return rc;
	return audit_append(db, who, "protect", "participation", id, detail);
}

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
	if ((rc = db_prepare(db,
	                     "SELECT i.association_id, d.pnr_hash FROM participation p"
	                     " JOIN intervention i ON i.id = p.intervention_id"
	                     " LEFT JOIN identity d ON d.id = p.identity_id WHERE p.id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	struct person_ref ref = {0};
	if ((rc = one_row(q, NULL, read_person_ref, &ref)))
		return rc;
	struct holder *h = NULL;
	size_t nh = 0, elsewhere = 0;
	if (ref.hash[0] && (rc = holders(db, c->a, ref.assoc, ref.hash, &h, &nh)))
		return rc;
	for (size_t i = 0; i < nh; i++) {
		if (h[i].id == c->id)
			continue;
		if (!participation_may_register(db, c->who, h[i].intervention_id)) {
			elsewhere++;
			continue;
		}
		if ((rc = protect_one(db, c->who, h[i].id, "identitet raderad")))
			return rc;
	}
	if ((rc = protect_one(db, c->who, c->id, "identitet raderad")))
		return rc;
	if (!elsewhere)
		return RC_OK;
	char now[21];
	svtime_iso(actor_now(c->who), now);
	if ((rc = db_prepare(db,
	                     "INSERT INTO protection_request (association_id, participation_id,"
	                     " pnr_hash, requested_at, requested_by) VALUES ($1, $2, $3, $4, $5)"
	                     " RETURNING id",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, ref.assoc);
	db_bind_int64(q, 2, c->id);
	db_bind_text(q, 3, ref.hash);
	db_bind_text(q, 4, now);
	db_bind_id_opt(q, 5, c->who->user_id);
	int64_t req;
	if ((rc = db_one_int64(q, &req)))
		return rc == RC_NOT_FOUND ? RC_DB : rc;
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

static void read_protect_request(struct db_stmt *q, struct arena *a, void *elem)
{
	struct protect_request *r = elem;
	r->id = db_col_int64(q, 0);
	/* The date the request was made, in Stockholm: the stored instant is
	 * UTC, and a request made 00:30 Swedish time is of that day, not the
	 * day before. */
	const char *at = db_col_text(q, 1);
	int64_t t;
	char day[11];
	r->requested_on =
	    at && svtime_parse_utc(at, &t) ? arena_strndup(a, svtime_today(t, day), 10) : NULL;
	r->participation_id = db_col_int64(q, 2);
	r->intervention_name = db_col_dup(q, 3, a);
	r->identified = db_col_int64(q, 4);
}

enum rc personal_protect_requests(struct db *db, struct arena *a, const struct actor *who,
                                  int64_t assoc, struct protect_request **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!who || who->role != ROLE_ADMIN)
		return RC_DENIED;
	struct db_stmt *q;
	enum rc rc = db_prepare(
	    db,
	    "SELECT r.id, r.requested_at, r.participation_id, i.name,"
	    " (SELECT count(*) FROM identity d WHERE d.association_id = r.association_id"
	    "  AND d.pnr_hash = r.pnr_hash)"
	    " FROM protection_request r JOIN participation p ON p.id = r.participation_id"
	    " JOIN intervention i ON i.id = p.intervention_id"
	    " WHERE r.association_id = $1 AND r.handled_at IS NULL"
	    " ORDER BY r.requested_at, r.id",
	    &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, assoc);
	rc = db_fetch_all(q, a, read_protect_request, sizeof **out, 0, (void **)out, n, NULL);
	/* A date that could not be copied is a failure, not a blank. */
	for (size_t i = 0; !rc && i < *n; i++)
		if (!(*out)[i].requested_on)
			rc = RC_NOMEM;
	if (rc) {
		*out = NULL;
		*n = 0;
	}
	return rc;
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
	enum rc rc = db_prepare(db,
	                        "SELECT association_id, pnr_hash FROM protection_request"
	                        " WHERE id = $1 AND handled_at IS NULL",
	                        &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, c->request);
	struct person_ref ref = {0};
	if ((rc = one_row(q, NULL, read_person_ref, &ref)))
		return rc;
	struct holder *h;
	size_t nh;
	if ((rc = holders(db, c->a, ref.assoc, ref.hash, &h, &nh)))
		return rc;
	for (size_t i = 0; i < nh; i++)
		if ((rc = protect_one(db, c->who, h[i].id, "identitet raderad på begäran")))
			return rc;
	char now[21];
	svtime_iso(actor_now(c->who), now);
	/* Every open request for the same person is done; the hash goes. */
	if ((rc = db_prepare(db,
	                     "UPDATE protection_request SET handled_at = $3, handled_by = $4,"
	                     " pnr_hash = NULL WHERE association_id = $1 AND pnr_hash = $2"
	                     " AND handled_at IS NULL",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, ref.assoc);
	db_bind_text(q, 2, ref.hash);
	db_bind_text(q, 3, now);
	db_bind_id_opt(q, 4, c->who->user_id);
	if ((rc = db_run(q)))
		return rc;
	char detail[48];
	snprintf(detail, sizeof detail, "%zu deltaganden", nh);
	if ((rc = audit_append(db, c->who, "protect_apply", "protection_request", c->request,
	                       detail)))
		return rc;
	c->erased = nh;
	return RC_OK;
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

struct consent_state {
	int64_t assoc;
	int identified, protected_identity;
	char sex[4];
};

static void read_consent_state(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	struct consent_state *s = elem;
	s->assoc = db_col_int64(q, 0);
	s->identified = db_col_bool(q, 1);
	s->protected_identity = db_col_bool(q, 2);
	str_copy(s->sex, sizeof s->sex, db_col_text(q, 3) ? db_col_text(q, 3) : "");
}

static enum rc consent_later_tx(struct db *db, void *v)
{
	struct consent_later_ctx *c = v;
	enum rc rc = participation_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if ((rc =
	         db_prepare(db,
	                    "SELECT i.association_id, p.identity_id IS NOT NULL, p.protected, p.sex"
	                    " FROM participation p JOIN intervention i ON i.id = p.intervention_id"
	                    " WHERE p.id = $1",
	                    &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	struct consent_state st = {0};
	if ((rc = one_row(q, NULL, read_consent_state, &st)))
		return rc;
	if (st.protected_identity)
		return field_error_set(
		    c->err, "pnr", "Personen har skyddade personuppgifter och följs bara anonymt.");
	if (st.identified)
		return field_error_set(c->err, "pnr",
		                       "Deltagandet har redan samtycke med personnummer och namn.");
	const char *new_sex = c->pnr->sex == 'K' ? "K" : "M";
	if ((rc = attach_identity(db, c->v, c->who, st.assoc, c->id, c->pnr, c->in->name)) ||
	    (rc = insert_consent(db, c->who, c->id, c->in->given_on, c->in->form)) ||
	    (strcmp(st.sex, new_sex) != 0 &&
	     (rc = participation_history_add(db, c->who, c->id, "sex", st.sex, new_sex))) ||
	    (rc = participation_history_add(db, c->who, c->id, "consent", NULL, "lämnat")))
		return rc;
	return audit_append(db, c->who, "consent_given", "participation", c->id,
	                    "identitet sparad");
}

enum rc personal_consent_add(struct db *db, const struct vault *v, const struct actor *who,
                             int64_t id, const struct consent_in *in, struct field_error *err)
{
	char today[11];
	svtime_today(actor_now(who), today);
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

/* ---- the audited look at an identity ------------------------------------------------ */

struct sealed_identity {
	int staff;      /* the caller is deltagaransvarig of the participation's insats */
	int identified; /* the participation holds an identity */
	const char *sealed_pnr, *sealed_name;
};

static void read_sealed_identity(struct db_stmt *q, struct arena *a, void *elem)
{
	struct sealed_identity *s = elem;
	s->staff = db_col_bool(q, 0);
	s->identified = db_col_bool(q, 1);
	s->sealed_pnr = db_col_dup(q, 2, a);
	s->sealed_name = db_col_dup(q, 3, a);
}

struct look_ctx {
	const struct vault *v;
	const struct actor *who;
	int64_t id;
	const char *reason;
	struct arena *a;
	const char *pnr, *name; /* handed out after commit */
};

/* Reads and opens the identity and logs the look, in one transaction: the
 * caller shows it only once the entry is committed. */
static enum rc look_tx(struct db *db, void *vctx)
{
	struct look_ctx *c = vctx;
	c->pnr = c->name = NULL;
	struct db_stmt *q;
	enum rc rc = db_prepare(db,
	                        "SELECT EXISTS (SELECT 1 FROM intervention_staff s"
	                        "  WHERE s.intervention_id = p.intervention_id AND s.user_id = $2"
	                        "  AND s.role = 'deltagaransvarig'),"
	                        " p.identity_id IS NOT NULL, d.sealed_pnr, d.sealed_name"
	                        " FROM participation p LEFT JOIN identity d ON d.id = p.identity_id"
	                        " WHERE p.id = $1",
	                        &q);
	if (rc)
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_int64(q, 2, c->who->user_id);
	struct sealed_identity s = {0};
	if ((rc = one_row(q, c->a, read_sealed_identity, &s)))
		return rc;
	if (!s.staff)
		return RC_DENIED;
	if (!s.identified || !s.sealed_pnr || !s.sealed_name)
		return RC_NOT_FOUND;
	const char *digits = vault_unseal(c->v, c->a, s.sealed_pnr);
	const char *name = vault_unseal(c->v, c->a, s.sealed_name);
	if (!digits || !name)
		return arena_failed(c->a) ? RC_NOMEM : RC_IO; /* wrong key or altered data */
	char shown[14];
	struct pnr parsed;
	str_copy(parsed.digits, sizeof parsed.digits, digits);
	pnr_format(&parsed, shown);
	const char *pnr = arena_strdup(c->a, shown);
	if (!pnr)
		return RC_NOMEM;
	if ((rc = audit_append(db, c->who, "view_identity", "participation", c->id, c->reason)))
		return rc;
	c->pnr = pnr;
	c->name = name;
	return RC_OK;
}

enum rc personal_identity(struct db *db, const struct vault *v, const struct actor *who, int64_t id,
                          const char *reason, struct arena *a, const char **pnr, const char **name)
{
	*pnr = *name = NULL;
	if (str_blank(reason))
		return RC_INVALID;
	if (!who || who->role != ROLE_CASEWORKER)
		return RC_DENIED;
	if (!v)
		return RC_IO;
	struct look_ctx c = {v, who, id, reason, a, NULL, NULL};
	enum rc rc = db_tx(db, look_tx, &c);
	if (rc)
		return rc;
	*pnr = c.pnr;
	*name = c.name;
	return RC_OK;
}

/* ---- search by personnummer ---------------------------------------------------------- */

struct find_ctx {
	const struct actor *who;
	int64_t assoc;
	const char *hash, *reason;
	struct arena *a;
	struct participation *out; /* handed out after commit */
	size_t n;
};

static void read_id(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	*(int64_t *)elem = db_col_int64(q, 0);
}

/* Audits the search and reads the matching participations, in one
 * transaction.  Each attempt starts the answer afresh, so only the
 * committed attempt's participations are handed out. */
static enum rc find_tx(struct db *db, void *ctx)
{
	struct find_ctx *c = ctx;
	c->out = NULL;
	c->n = 0;
	enum rc rc = audit_append(db, c->who, "search_identity", "identity", 0, c->reason);
	if (rc)
		return rc;
	struct db_stmt *q;
	if ((rc = db_prepare(
	         db,
	         "SELECT p.id FROM identity d JOIN participation p ON p.id = d.participation_id"
	         " JOIN intervention_staff s ON s.intervention_id = p.intervention_id"
	         " WHERE d.pnr_hash = $1 AND d.association_id = $2 AND s.user_id = $3"
	         " AND s.role = 'deltagaransvarig' ORDER BY p.id DESC",
	         &q)))
		return rc;
	db_bind_text(q, 1, c->hash);
	db_bind_int64(q, 2, c->assoc);
	db_bind_int64(q, 3, c->who->user_id);
	int64_t *ids;
	size_t n;
	if ((rc = db_fetch_all(q, c->a, read_id, sizeof *ids, 0, (void **)&ids, &n, NULL)))
		return rc;
	struct participation *out = n ? arena_alloc(c->a, n * sizeof *out) : NULL;
	if (n && !out)
		return RC_NOMEM;
	for (size_t i = 0; i < n; i++)
		if ((rc = participation_get(db, c->a, actor_now(c->who), ids[i], &out[i])))
			return rc;
	c->out = out;
	c->n = n;
	return RC_OK;
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
	svtime_today(actor_now(who), today);
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
	struct find_ctx c = {who, assoc, hash, reason, a, NULL, 0};
	if ((rc = db_tx(db, find_tx, &c)))
		return rc;
	*out = c.out;
	*n = c.n;
	return RC_OK;
}

/* ---- the key check's question ------------------------------------------------------ */

enum rc personal_identities_open(struct db *db, const struct vault *v, int64_t *count,
                                 int64_t *unopened)
{
	*count = *unopened = 0;
	struct db_stmt *q;
	enum rc rc = db_prepare(db, "SELECT sealed_pnr, sealed_name FROM identity ORDER BY id", &q);
	if (rc)
		return rc;
	struct arena *a = NULL;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		/* A fresh arena now and then keeps memory flat over many rows. */
		if (!a || *count % 1024 == 0) {
			arena_free(a);
			if (!(a = arena_new(0))) {
				rc = RC_NOMEM;
				break;
			}
		}
		++*count;
		if (!vault_unseal(v, a, db_col_text(q, 0)) ||
		    !vault_unseal(v, a, db_col_text(q, 1))) {
			if (arena_failed(a)) {
				rc = RC_NOMEM;
				break;
			}
			++*unopened;
		}
	}
	arena_free(a);
	db_finalize(q);
	if (!rc && s != DB_DONE)
		rc = db_step_rc(s);
	return rc;
}

/* ---- the register extract ------------------------------------------------------------ */
/* Every participation whose identity has the keyed hash $1, with the
 * sealed name typed there.  The other parts join the same identities, one
 * statement each, so the extract is five reads however many participations
 * the person has. */
static void read_part(struct db_stmt *q, struct arena *a, void *elem)
{
	struct extract_participation *p = elem;
	p->id = db_col_int64(q, 0);
	p->intervention_name = db_col_dup(q, 1, a);
	p->name = db_col_dup(q, 2, a); /* sealed until unsealed below */
	p->registered_at = db_col_dup(q, 3, a);
	p->state = db_col_dup(q, 4, a);
	p->sex = db_col_dup(q, 5, a);
	p->birth_year = (int)db_col_int64(q, 6);
	p->referred_on = db_col_dup(q, 7, a);
	p->source = db_col_dup(q, 8, a);
	p->source_member_name = db_col_dup(q, 9, a);
	p->source_unit = db_col_dup(q, 10, a);
	p->home_area_name = db_col_dup(q, 11, a);
	p->home_district_name = db_col_dup(q, 12, a);
	p->start_on = db_col_dup(q, 13, a);
	p->end_on = db_col_dup(q, 14, a);
	p->end_reason = db_col_dup(q, 15, a);
	p->counts = db_col_bool(q, 16);
}

static void read_consent(struct db_stmt *q, struct arena *a, void *elem)
{
	struct extract_consent *c = elem;
	c->participation_id = db_col_int64(q, 0);
	c->given_on = db_col_dup(q, 1, a);
	c->form_version = db_col_dup(q, 2, a);
	c->withdrawn_on = db_col_dup(q, 3, a);
	c->collected_by = db_col_dup(q, 4, a);
}

static void read_answer(struct db_stmt *q, struct arena *a, void *elem)
{
	struct extract_answer *x = elem;
	x->participation_id = db_col_int64(q, 0);
	x->phase = db_col_dup(q, 1, a);
	x->list = db_col_dup(q, 2, a);
	x->code = db_col_dup(q, 3, a);
	x->extent = db_col_is_null(q, 4) ? -1 : (int)db_col_int64(q, 4);
}

static void read_history(struct db_stmt *q, struct arena *a, void *elem)
{
	struct extract_history *h = elem;
	h->participation_id = db_col_int64(q, 0);
	h->e.at = db_col_dup(q, 1, a);
	h->e.actor = db_col_dup(q, 2, a);
	h->e.field = db_col_dup(q, 3, a);
	h->e.old_value = db_col_dup(q, 4, a);
	h->e.new_value = db_col_dup(q, 5, a);
}

static void read_attendance(struct db_stmt *q, struct arena *a, void *elem)
{
	struct extract_attendance *t = elem;
	t->participation_id = db_col_int64(q, 0);
	t->month = db_col_dup(q, 1, a);
	t->hours_tenths = db_col_int64(q, 2);
}

/* One part of the extract: q (prepared) bound with the hash, every row. */
static enum rc fetch_part(struct db_stmt *q, struct arena *a, const char *hash, db_row_fn read,
                          size_t elem, void **out, size_t *n)
{
	db_bind_text(q, 1, hash);
	return db_fetch_all(q, a, read, elem, 0, out, n, NULL);
}

/* The rows of a part belong to participations in the same order as the
 * participations (both by number): each participation gets its slice.  A
 * row whose participation is not in the list cannot happen (both come
 * from the same identities in one transaction); if it did, the extract
 * fails rather than leave the row out. */
#define SLICE(x, arr, count, member, nmember)                                          \
	do {                                                                           \
		size_t at_ = 0;                                                        \
		for (size_t i_ = 0; i_ < (x)->nparts; i_++) {                          \
			struct extract_participation *p_ = &(x)->parts[i_];            \
			p_->member = (arr) + at_;                                      \
			while (at_ < (count) && (arr)[at_].participation_id == p_->id) \
				at_++;                                                 \
			p_->nmember = (size_t)((arr) + at_ - p_->member);              \
			if (!p_->nmember)                                              \
				p_->member = NULL;                                     \
		}                                                                      \
		if (at_ != (count))                                                    \
			return RC_DB;                                                  \
	} while (0)

struct extract_ctx {
	const struct vault *v;
	const struct actor *who;
	const char *hash;
	struct arena *a;
	struct register_extract *x;
};

static enum rc extract_tx(struct db *db, void *vctx)
{
	struct extract_ctx *c = vctx;
	struct register_extract *x = c->x;
	/* Each attempt starts afresh: only the committed one is handed out. */
	x->name = x->first_registered = NULL;
	x->parts = NULL;
	x->nparts = 0;
	struct extract_consent *consents;
	struct extract_answer *answers;
	struct extract_history *history;
	struct extract_attendance *attendance;
	size_t nconsents, nanswers, nhistory, nattendance;
	struct db_stmt *q = NULL;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "SELECT p.id, i.name, d.sealed_name, d.created_at, p.state, p.sex,"
	                     " coalesce(p.birth_year, 0), p.referred_on, p.referral_source, m.name,"
	                     " p.referral_unit, ha.name, hd.name, p.start_on, p.end_on,"
	                     " p.end_reason, p.counts"
	                     " FROM identity d JOIN participation p ON p.id = d.participation_id"
	                     " JOIN intervention i ON i.id = p.intervention_id"
	                     " LEFT JOIN member m ON m.id = p.referral_member_id"
	                     " LEFT JOIN area ha ON ha.id = p.home_area_id"
	                     " LEFT JOIN area hd ON hd.id = p.home_district_id"
	                     " WHERE d.pnr_hash = $1 ORDER BY p.id",
	                     &q)) ||
	    (rc = fetch_part(q, c->a, c->hash, read_part, sizeof *x->parts, (void **)&x->parts,
	                     &x->nparts)) ||
	    (rc =
	         db_prepare(db,
	                    "SELECT c.participation_id, c.given_on, c.form_version, c.withdrawn_on,"
	                    " u.username FROM identity d JOIN consent c"
	                    " ON c.participation_id = d.participation_id"
	                    " LEFT JOIN app_user u ON u.id = c.collected_by"
	                    " WHERE d.pnr_hash = $1 ORDER BY c.participation_id, c.id",
	                    &q)) ||
	    (rc = fetch_part(q, c->a, c->hash, read_consent, sizeof *consents, (void **)&consents,
	                     &nconsents)) ||
	    (rc = db_prepare(db,
	                     "SELECT x.participation_id, x.phase, x.list, x.code, x.extent"
	                     " FROM identity d JOIN participation_answer x"
	                     " ON x.participation_id = d.participation_id WHERE d.pnr_hash = $1"
	                     " ORDER BY x.participation_id, x.phase DESC, x.list, x.code",
	                     &q)) ||
	    (rc = fetch_part(q, c->a, c->hash, read_answer, sizeof *answers, (void **)&answers,
	                     &nanswers)) ||
	    (rc = db_prepare(db,
	                     "SELECT h.participation_id, h.at, h.actor, h.field, h.old_value,"
	                     " h.new_value FROM identity d JOIN participation_history h"
	                     " ON h.participation_id = d.participation_id WHERE d.pnr_hash = $1"
	                     " ORDER BY h.participation_id, h.id",
	                     &q)) ||
	    (rc = fetch_part(q, c->a, c->hash, read_history, sizeof *history, (void **)&history,
	                     &nhistory)) ||
	    (rc = db_prepare(db,
	                     "SELECT t.participation_id, t.month, t.hours_tenths"
	                     " FROM identity d JOIN attendance t"
	                     " ON t.participation_id = d.participation_id WHERE d.pnr_hash = $1"
	                     " ORDER BY t.participation_id, t.month",
	                     &q)) ||
	    (rc = fetch_part(q, c->a, c->hash, read_attendance, sizeof *attendance,
	                     (void **)&attendance, &nattendance)))
		return rc;
	SLICE(x, consents, nconsents, consents, nconsents);
	SLICE(x, answers, nanswers, answers, nanswers);
	SLICE(x, history, nhistory, history, nhistory);
	SLICE(x, attendance, nattendance, attendance, nattendance);
	/* Each participation shows the name typed there; a name that does not
	 * open (altered data) fails the extract instead of leaving a gap. */
	for (size_t i = 0; i < x->nparts; i++) {
		struct extract_participation *p = &x->parts[i];
		if (!p->name || !(p->name = vault_unseal(c->v, c->a, p->name)))
			return arena_failed(c->a) ? RC_NOMEM : RC_IO;
		if (p->registered_at &&
		    (!x->first_registered || strcmp(p->registered_at, x->first_registered) < 0))
			x->first_registered = p->registered_at;
	}
	/* The name most recently registered. */
	if (x->nparts)
		x->name = x->parts[x->nparts - 1].name;
	/* Logged in the same transaction: no extract without its entry. */
	return audit_append(db, c->who, "extract", "identity", x->nparts ? x->parts[0].id : 0,
	                    x->nparts ? "" : "ingen träff");
}

enum rc personal_extract(struct db *db, const struct vault *v, const struct actor *who,
                         const char *pnr_text, struct arena *a, struct register_extract *out,
                         struct field_error *err)
{
	memset(out, 0, sizeof *out);
	if (!who || who->role != ROLE_ADMIN)
		return RC_DENIED;
	char today[11];
	svtime_today(actor_now(who), today);
	struct pnr pnr;
	const char *why = NULL;
	if (str_blank(pnr_text))
		return field_error_set(err, "pnr", "Ange personnummer eller samordningsnummer.");
	if (pnr_parse(pnr_text, today, &pnr, &why) != RC_OK)
		return field_error_set(err, "pnr", why);
	if (!v)
		return RC_IO;
	char hash[VAULT_HASH_HEX_LEN + 1];
	vault_hash(v, pnr.digits, hash);
	struct register_extract x = {0};
	pnr_format(&pnr, x.pnr);
	str_copy(x.made_on, sizeof x.made_on, today);
	struct extract_ctx c = {v, who, hash, a, &x};
	enum rc rc = db_tx(db, extract_tx, &c);
	if (rc)
		return rc;
	*out = x;
	return RC_OK;
}
