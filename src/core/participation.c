/*
 * participation.c — participants; see participation.h.
 */
#include "participation.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/str.h"
#include "../util/vault.h"
#include "audit.h"
#include "auth.h"
#include "codes.h"
#include "intervention.h"
#include "pnr.h"

/* Longest list a page shows. */

static const char *col(struct arena *a, struct db_stmt *q, int i)
{
	return arena_strdup(a, db_col_text(q, i));
}

static enum rc step_done(struct db_stmt *q)
{
	enum db_step s = db_step(q);
	db_finalize(q);
	return db_step_rc(s);
}

/* One history row: what changed, from what, to what, by whom. */
static enum rc history(struct db *db, const struct actor *who, int64_t id, const char *field,
                       const char *old_value, const char *new_value)
{
	struct db_stmt *q;
	char now[21];
	str_now_iso(now);
	if (db_prepare(db,
	               "INSERT INTO participation_history (participation_id, at, actor, field,"
	               " old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6)",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, now);
	db_bind_text(q, 3, who && who->name ? who->name : "system");
	db_bind_text(q, 4, field);
	db_bind_text(q, 5, old_value);
	db_bind_text(q, 6, new_value);
	return step_done(q);
}

/*
 * Who may register in an insats: a deltagaransvarig assigned to it, or the
 * administrator at the command line (user 0; imports).  Checked inside each
 * write's transaction, beside the data it protects.
 */
static int may_register(struct db *db, const struct actor *who, int64_t intervention)
{
	if (!who)
		return 0;
	if (who->user_id == 0 && who->role == ROLE_ADMIN)
		return 1;
	return who->role == ROLE_CASEWORKER &&
	       intervention_is_staff(db, intervention, who->user_id, "deltagaransvarig");
}

/* The insats a participation belongs to, or 0. */
static int64_t intervention_of(struct db *db, int64_t id)
{
	struct db_stmt *q;
	int64_t v = 0;
	if (db_prepare(db, "SELECT intervention_id FROM participation WHERE id = $1", &q))
		return 0;
	db_bind_int64(q, 1, id);
	if (db_step(q) == DB_ROW)
		v = db_col_int64(q, 0);
	db_finalize(q);
	return v;
}

/* RC_OK when who may change participation id; RC_NOT_FOUND or RC_DENIED. */
static enum rc may_change(struct db *db, const struct actor *who, int64_t id)
{
	int64_t intervention = intervention_of(db, id);
	if (!intervention)
		return RC_NOT_FOUND;
	return may_register(db, who, intervention) ? RC_OK : RC_DENIED;
}

/* ---- referral ------------------------------------------------------------ */

struct refer_ctx {
	const struct vault *v;
	const struct actor *who;
	const struct referral *in;
	const struct pnr *pnr; /* NULL when anonymous */
	const char *sex;
	const char *once_hash; /* SHA-256 of in->once_key, NULL for none */
	int64_t id;
	int replayed;
	struct field_error *err;
};

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
	return step_done(q);
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
	return step_done(q);
}

static enum rc refer_tx(struct db *db, void *vctx)
{
	struct refer_ctx *c = vctx;
	const struct referral *in = c->in;
	struct db_stmt *q;
	/* The insats: individinriktad, followed per person. */
	if (db_prepare(db,
	               "SELECT association_id, orientation, method FROM intervention WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, in->intervention_id);
	enum db_step s = db_step(q);
	int64_t assoc = 0;
	int per_person = 0;
	if (s == DB_ROW) {
		assoc = db_col_int64(q, 0);
		per_person = strcmp(db_col_text(q, 1), "individ") == 0 &&
		             strcmp(db_col_text(q, 2), "person") == 0;
	}
	db_finalize(q);
	if (!assoc)
		return field_error_set(c->err, "intervention_id", "Välj en insats i listan.");
	if (!per_person)
		return field_error_set(
		    c->err, "intervention_id",
		    "Insatsen följs bara med antal. Deltagare registreras per person "
		    "i individinriktade insatser.");
	if (!may_register(db, c->who, in->intervention_id))
		return RC_DENIED;
	c->replayed = 0;
	if (c->once_hash) {
		/* The same submission again (double click, resent form): the
		 * participation it created, for this user only. */
		if (db_prepare(db,
		               "SELECT participation_id FROM form_submission"
		               " WHERE user_id = $1 AND token_hash = $2",
		               &q))
			return RC_DB;
		db_bind_int64(q, 1, c->who->user_id);
		db_bind_text(q, 2, c->once_hash);
		s = db_step(q);
		if (s == DB_ROW) {
			c->id = db_col_int64(q, 0);
			c->replayed = 1;
		}
		db_finalize(q);
		if (s != DB_ROW && s != DB_DONE)
			return RC_DB;
		if (c->replayed)
			return RC_OK;
	}
	if (c->pnr && !in->confirm_duplicate) {
		/* The same person already queued or active in this insats, and
		 * only this one: the keyed hash through identity_person. */
		char hash[VAULT_HASH_HEX_LEN + 1];
		vault_hash(c->v, c->pnr->digits, hash);
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
		db_bind_int64(q, 3, in->intervention_id);
		s = db_step(q);
		int64_t dup = s == DB_ROW ? db_col_int64(q, 0) : 0;
		db_finalize(q);
		if (s != DB_ROW && s != DB_DONE)
			return RC_DB;
		if (dup) {
			char msg[240];
			snprintf(msg, sizeof msg,
			         "Personen står redan i kö eller deltar i den här insatsen "
			         "(deltagande %" PRId64 "). Kryssa i \"Registrera ändå\" om det "
			         "är en ny anmälan.",
			         dup);
			field_error_set(c->err, "pnr", msg);
			return RC_CONFLICT;
		}
	}
	if (in->source_member_id > 0) {
		if (db_prepare(db, "SELECT 1 FROM member WHERE id = $1 AND association_id = $2",
		               &q))
			return RC_DB;
		db_bind_int64(q, 1, in->source_member_id);
		db_bind_int64(q, 2, assoc);
		int ok = db_step(q) == DB_ROW;
		db_finalize(q);
		if (!ok)
			return field_error_set(c->err, "source_member_id",
			                       "Välj en av förbundets medlemmar.");
	}
	if (in->home_area_id > 0) {
		if (db_prepare(db,
		               "SELECT 1 FROM area WHERE id = $1 AND association_id = $2 AND kind "
		               "= 'kommun'",
		               &q))
			return RC_DB;
		db_bind_int64(q, 1, in->home_area_id);
		db_bind_int64(q, 2, assoc);
		int ok = db_step(q) == DB_ROW;
		db_finalize(q);
		if (!ok)
			return field_error_set(
			    c->err, "home_area_id",
			    "Välj hemkommun bland kommunerna i förbundets område.");
	}
	if (in->home_district_id > 0) {
		if (db_prepare(
		        db,
		        "SELECT 1 FROM area WHERE id = $1 AND kind = 'stadsdel' AND parent_id = $2",
		        &q))
			return RC_DB;
		db_bind_int64(q, 1, in->home_district_id);
		db_bind_int64(q, 2, in->home_area_id);
		int ok = db_step(q) == DB_ROW;
		db_finalize(q);
		if (!ok)
			return field_error_set(c->err, "home_district_id",
			                       "Stadsdelen ska ligga i den valda hemkommunen.");
	}

	enum rc rc;
	char now[21];
	str_now_iso(now);
	if (db_prepare(db,
	               "INSERT INTO participation (intervention_id, sex, state,"
	               " referred_on, referral_source, referral_member_id, home_area_id,"
	               " home_district_id, protected, created_at, referral_unit)"
	               " VALUES ($1, $3, 'queued', $5, $6, $7, $8, $9, $10, $11, $12) RETURNING "
	               "id",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, in->intervention_id);
	db_bind_text(q, 3, c->sex);
	db_bind_text(q, 5, in->referred_on);
	db_bind_text(q, 6, in->source);
	if (in->source_member_id > 0)
		db_bind_int64(q, 7, in->source_member_id);
	else
		db_bind_null(q, 7);
	if (in->home_area_id > 0)
		db_bind_int64(q, 8, in->home_area_id);
	else
		db_bind_null(q, 8);
	if (in->home_district_id > 0)
		db_bind_int64(q, 9, in->home_district_id);
	else
		db_bind_null(q, 9);
	db_bind_int64(q, 10, in->protected_identity ? 1 : 0);
	db_bind_text(q, 11, now);
	db_bind_text(q, 12, str_blank(in->source_unit) ? NULL : in->source_unit);
	s = db_step(q);
	if (s == DB_ROW)
		c->id = db_col_int64(q, 0);
	db_finalize(q);
	if (s != DB_ROW)
		return RC_DB;
	if (c->pnr && ((rc = attach_identity(db, c->v, assoc, c->id, c->pnr, in->name)) ||
	               (rc = insert_consent(db, c->who, c->id, in->consent_on, in->consent_form))))
		return rc;
	if ((rc = history(db, c->who, c->id, "state", NULL, "queued")))
		return rc;
	if (c->once_hash) {
		/* Remembered with what it created, in the same transaction; a
		 * day is long enough for a resent form. */
		time_t t = time(NULL) - 24 * 60 * 60;
		struct tm tm;
		char old[21];
		gmtime_r(&t, &tm);
		strftime(old, sizeof old, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (db_prepare(db, "DELETE FROM form_submission WHERE created_at < $1", &q))
			return RC_DB;
		db_bind_text(q, 1, old);
		if ((rc = step_done(q)))
			return rc;
		if (db_prepare(db,
		               "INSERT INTO form_submission (user_id, token_hash, participation_id,"
		               " created_at) VALUES ($1, $2, $3, $4)",
		               &q))
			return RC_DB;
		db_bind_int64(q, 1, c->who->user_id);
		db_bind_text(q, 2, c->once_hash);
		db_bind_int64(q, 3, c->id);
		db_bind_text(q, 4, now);
		if ((rc = step_done(q)))
			return rc;
	}
	return audit_append(db, c->who, "create", "participation", c->id,
	                    c->pnr ? "med samtycke" : "anonym");
}

/* Checks a referral's own fields, every one: the form shows all its
 * mistakes at once.  Fills *pnr and *sex_out for the store. */
static enum rc refer_validate(struct db *db, const struct referral *in, struct pnr *pnr_out,
                              const char **sex_out, struct field_error *err)
{
	char today[11], msg[240];
	str_today(today);
	enum rc bad = RC_OK;
	field_error_clear(err);
	if (str_blank(in->referred_on))
		bad = field_error_add(err, "referred_on", "Anmälningsdatum måste anges.");
	else if (str_date_problem_named("Anmälningsdatum", in->referred_on, msg, sizeof msg))
		bad = field_error_add(err, "referred_on", msg);
	else if (strcmp(in->referred_on, today) > 0)
		bad = field_error_add(err, "referred_on",
		                      "Anmälningsdatumet kan inte ligga i framtiden.");
	if (!codes_valid(db, "referral_source", in->source))
		bad = field_error_add(err, "source", "Välj vem som anmälde i listan.");
	if (!str_blank(in->source_unit)) {
		const char *why = str_line_problem(in->source_unit);
		if (why)
			bad = field_error_add(err, "source_unit", why);
		else if (str_utf8_len(in->source_unit) > 120)
			bad = field_error_add(err, "source_unit",
			                      "Enheten får vara högst 120 tecken.");
	}
	struct pnr pnr;
	const char *sex = in->sex;
	int identified = !str_blank(in->pnr) || !str_blank(in->name);
	if (identified && in->protected_identity) {
		bad = field_error_add(err, "pnr",
		                      "En person med skyddade personuppgifter registreras anonymt: "
		                      "lämna personnummer och namn tomma.");
	} else if (identified) {
		if (str_blank(in->consent_on))
			bad = field_error_add(
			    err, "consent_on",
			    "Personnummer och namn får bara sparas med skriftligt "
			    "samtycke. Ange samtyckesdatum, eller registrera anonymt.");
		else if (str_date_problem_named("Samtycke lämnat", in->consent_on, msg, sizeof msg))
			bad = field_error_add(err, "consent_on", msg);
		else if (strcmp(in->consent_on, today) > 0)
			bad = field_error_add(err, "consent_on",
			                      "Samtyckesdatumet kan inte ligga i framtiden.");
		/* The form's version matters only once there is a consent. */
		const char *cf = in->consent_form;
		if (!str_blank(in->consent_on) && (str_blank(cf) || str_utf8_len(cf) > 40))
			bad = field_error_add(
			    err, "consent_form",
			    "Ange vilken version av samtyckesblanketten som användes.");
		else if (!str_blank(in->consent_on) && str_line_problem(cf))
			bad = field_error_add(err, "consent_form", str_line_problem(cf));
		const char *why = NULL;
		if (pnr_parse(in->pnr, today, &pnr, &why) != RC_OK)
			bad = field_error_add(err, "pnr", why);
		else
			sex = pnr.sex == 'K' ? "K" : "M";
		if (!str_blank(in->name) && str_line_problem(in->name))
			bad = field_error_add(err, "name", str_line_problem(in->name));
		else if (str_blank(in->name) || str_utf8_len(in->name) > 120)
			bad = field_error_add(err, "name",
			                      "Ange deltagarens namn, högst 120 tecken.");
	} else if (!in->protected_identity && !str_blank(in->consent_on)) {
		bad = field_error_add(
		    err, "pnr", "Med samtycke registreras deltagaren med personnummer och namn.");
	}
	if (!(identified && !in->protected_identity) &&
	    (!sex || (strcmp(sex, "K") != 0 && strcmp(sex, "M") != 0)))
		bad = field_error_add(err, "sex", "Ange kön: kvinna eller man.");
	*sex_out = sex;
	if (identified && !bad)
		*pnr_out = pnr;
	return bad;
}

enum rc participation_refer_check(struct db *db, const struct referral *in, struct field_error *err)
{
	struct pnr pnr;
	const char *sex;
	return refer_validate(db, in, &pnr, &sex, err);
}

enum rc participation_refer(struct db *db, const struct vault *v, const struct actor *who,
                            const struct referral *in, int64_t *id_out, struct field_error *err)
{
	return participation_refer_once(db, v, who, in, id_out, NULL, err);
}

enum rc participation_refer_once(struct db *db, const struct vault *v, const struct actor *who,
                                 const struct referral *in, int64_t *id_out, int *replayed_out,
                                 struct field_error *err)
{
	struct pnr pnr;
	const char *sex = NULL;
	enum rc bad = refer_validate(db, in, &pnr, &sex, err);
	if (bad)
		return bad;
	int identified = !str_blank(in->pnr) || !str_blank(in->name);
	if (identified && !v)
		return RC_IO; /* no key: identity cannot be stored */
	/* A key is remembered per user; without a user (the CLI's import)
	 * there is no one to scope it to, so it is not used. */
	char once[CRYPTO_HASH_HEX_LEN + 1];
	const char *once_hash = NULL;
	if (!str_blank(in->once_key) && who && who->user_id) {
		crypto_sha256_hex(in->once_key, strlen(in->once_key), once);
		once_hash = once;
	}
	struct refer_ctx c = {v, who, in, identified ? &pnr : NULL, sex, once_hash, 0, 0, err};
	enum rc rc = db_tx(db, refer_tx, &c);
	if (!rc && id_out)
		*id_out = c.id;
	if (!rc && replayed_out)
		*replayed_out = c.replayed;
	return rc;
}

/* ---- state changes -------------------------------------------------------- */

struct state_ctx {
	const struct actor *who;
	int64_t id;
	const struct registration *r;
	const char *date, *reason;
	struct field_error *err;
};

/* Current state and dates of a participation. */
static enum rc load_state(struct db *db, int64_t id, char state[16], char referred[11],
                          char start[11])
{
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT state, referred_on, coalesce(start_on, '') FROM participation"
	               " WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		str_copy(state, 16, db_col_text(q, 0));
		str_copy(referred, 11, db_col_text(q, 1));
		str_copy(start, 11, db_col_text(q, 2));
	}
	db_finalize(q);
	return s == DB_ROW ? RC_OK : s == DB_DONE ? RC_NOT_FOUND : RC_DB;
}

static enum rc insert_answers(struct db *db, int64_t id, const char *phase,
                              const struct registration *r)
{
	struct db_stmt *q;
	if (db_prepare(
	        db, "DELETE FROM participation_answer WHERE participation_id = $1 AND phase = $2",
	        &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, phase);
	enum rc rc = step_done(q);
	for (size_t i = 0; !rc && i < r->nanswers; i++) {
		if (db_prepare(
		        db,
		        "INSERT INTO participation_answer (participation_id, phase, list, code,"
		        " extent) VALUES ($1, $2, $3, $4, $5)",
		        &q))
			return RC_DB;
		db_bind_int64(q, 1, id);
		db_bind_text(q, 2, phase);
		db_bind_text(q, 3, r->answers[i].list);
		db_bind_text(q, 4, r->answers[i].code);
		if (r->answers[i].extent >= 0)
			db_bind_int64(q, 5, r->answers[i].extent);
		else
			db_bind_null(q, 5);
		rc = step_done(q);
		if (rc == RC_CONFLICT)
			rc = RC_INVALID; /* the same code twice */
	}
	return rc;
}

/* Checks the answers of a registration: codes valid, one employment,
 * at most one education and time in support, extents 0–100. */
static enum rc check_answers(struct db *db, const struct registration *r, int need_support,
                             struct field_error *err)
{
	int support = 0, employment = 0, education = 0, support_time = 0;
	enum rc bad = RC_OK;
	for (size_t i = 0; i < r->nanswers; i++) {
		const struct answer *an = &r->answers[i];
		if (!codes_valid(db, an->list, an->code)) {
			bad = field_error_add(err, an->list ? an->list : "answers",
			                      "Välj ett alternativ i listan.");
			continue;
		}
		if (an->extent > 100)
			bad =
			    field_error_add(err, an->list, "Omfattningen anges i procent, 0–100.");
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->answers[j].list, an->list) == 0 &&
			    strcmp(r->answers[j].code, an->code) == 0)
				bad = field_error_add(err, an->list,
				                      "Samma alternativ är valt två gånger.");
		if (strcmp(an->list, "support") == 0)
			support++;
		else if (strcmp(an->list, "employment") == 0)
			employment++;
		else if (strcmp(an->list, "education") == 0)
			education++;
		else if (strcmp(an->list, "support_time") == 0)
			support_time++;
		else
			bad = field_error_add(err, "answers", "Okänd uppgift i registreringen.");
	}
	if (need_support && support == 0)
		bad = field_error_add(err, "support",
		                      "Ange minst en försörjningskälla (välj Uppgift saknas om den "
		                      "inte är känd).");
	if ((need_support && employment != 1) || employment > 1)
		bad = field_error_add(err, "employment", "Ange en sysselsättning.");
	if (education > 1)
		bad = field_error_add(err, "education", "Ange en utbildningsnivå.");
	if (support_time > 1)
		bad = field_error_add(err, "support_time", "Ange en tid i offentlig försörjning.");
	return bad;
}

static enum rc start_tx(struct db *db, void *v)
{
	struct state_ctx *c = v;
	enum rc allowed = may_change(db, c->who, c->id);
	if (allowed)
		return allowed;
	char state[16], referred[11], start[11];
	enum rc rc = load_state(db, c->id, state, referred, start);
	if (rc)
		return rc;
	if (strcmp(state, "queued") != 0)
		return field_error_set(
		    c->err, "date",
		    strcmp(state, "active") == 0
		        ? "Deltagaren är redan inskriven."
		        : "Deltagandet är avslutat; registrera en ny anmälan för ett nytt "
		          "deltagande.");
	if (strcmp(c->r->date, referred) < 0)
		return field_error_set(c->err, "date",
		                       "Startdatum kan inte ligga före anmälningsdatum.");
	struct db_stmt *q;
	if (db_prepare(db, "UPDATE participation SET state = 'active', start_on = $2 WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, c->r->date);
	if ((rc = step_done(q)) || (rc = insert_answers(db, c->id, "start", c->r)) ||
	    (rc = history(db, c->who, c->id, "state", "queued", "active")) ||
	    (rc = history(db, c->who, c->id, "start_on", NULL, c->r->date)))
		return rc;
	return audit_append(db, c->who, "start", "participation", c->id, "");
}

/* Adds an error for a missing, malformed, impossible or future date. */
static enum rc check_date(const char *date, struct field_error *err)
{
	char today[11], msg[240];
	str_today(today);
	if (str_blank(date))
		return field_error_add(err, "date", "Datum måste anges.");
	if (str_date_problem_named("Datum", date, msg, sizeof msg))
		return field_error_add(err, "date", msg);
	if (strcmp(date, today) > 0)
		return field_error_add(err, "date", "Datumet kan inte ligga i framtiden.");
	return RC_OK;
}

enum rc participation_start(struct db *db, const struct actor *who, int64_t id,
                            const struct registration *r, struct field_error *err)
{
	/* Date and answers are independent: both are checked before the
	 * state, which the transaction reads. */
	field_error_clear(err);
	enum rc rc = check_date(r->date, err);
	if (check_answers(db, r, 1, err))
		rc = RC_INVALID;
	if (rc)
		return rc;
	struct state_ctx c = {who, id, r, r->date, NULL, err};
	return db_tx(db, start_tx, &c);
}

static enum rc end_tx(struct db *db, void *v)
{
	struct state_ctx *c = v;
	enum rc allowed = may_change(db, c->who, c->id);
	if (allowed)
		return allowed;
	char state[16], referred[11], start[11];
	enum rc rc = load_state(db, c->id, state, referred, start);
	if (rc)
		return rc;
	if (strcmp(state, "active") != 0)
		return field_error_set(
		    c->err, "date",
		    strcmp(state, "queued") == 0
		        ? "Deltagaren är inte inskriven; en anmälan i kö avslutas med "
		          "Avbryt."
		        : "Deltagandet är redan avslutat.");
	if (strcmp(c->r->date, start) < 0)
		return field_error_set(c->err, "date", "Slutdatum kan inte ligga före startdatum.");
	int felreg = strcmp(c->r->end_reason, "felregistrering") == 0;
	struct db_stmt *q;
	int has_support = 0, has_employment = 0;
	for (size_t i = 0; i < c->r->nanswers; i++) {
		has_support |= strcmp(c->r->answers[i].list, "support") == 0;
		has_employment |= strcmp(c->r->answers[i].list, "employment") == 0;
	}
	if (db_prepare(db,
	               "UPDATE participation SET state = 'ended', end_on = $2, end_reason = $3,"
	               " counts = $4, end_complete = $5 WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, c->r->date);
	db_bind_text(q, 3, c->r->end_reason);
	db_bind_int64(q, 4, felreg ? 0 : 1);
	db_bind_int64(q, 5, !felreg && has_support && has_employment);
	if ((rc = step_done(q)) || (!felreg && (rc = insert_answers(db, c->id, "end", c->r))) ||
	    (rc = history(db, c->who, c->id, "state", "active", "ended")) ||
	    (rc = history(db, c->who, c->id, "end_reason", NULL, c->r->end_reason)))
		return rc;
	return audit_append(db, c->who, "end", "participation", c->id, c->r->end_reason);
}

enum rc participation_end(struct db *db, const struct actor *who, int64_t id,
                          const struct registration *r, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = check_date(r->date, err);
	if (!codes_valid(db, "end_reason", r->end_reason))
		rc = field_error_add(err, "end_reason", "Välj avslutsorsak i listan.");
	else if (strcmp(r->end_reason, "felregistrering") != 0 && check_answers(db, r, 0, err))
		rc = RC_INVALID;
	if (rc)
		return rc;
	struct state_ctx c = {who, id, r, r->date, r->end_reason, err};
	return db_tx(db, end_tx, &c);
}

static enum rc cancel_tx(struct db *db, void *v)
{
	struct state_ctx *c = v;
	enum rc allowed = may_change(db, c->who, c->id);
	if (allowed)
		return allowed;
	char state[16], referred[11], start[11];
	enum rc rc = load_state(db, c->id, state, referred, start);
	if (rc)
		return rc;
	if (strcmp(state, "queued") != 0)
		return field_error_set(c->err, "date", "Bara en anmälan i kö kan avbrytas.");
	if (strcmp(c->date, referred) < 0)
		return field_error_set(c->err, "date",
		                       "Datumet kan inte ligga före anmälningsdatum.");
	struct db_stmt *q;
	if (db_prepare(db,
	               "UPDATE participation SET state = 'cancelled', end_on = $2, end_reason = $3,"
	               " counts = CASE WHEN $3 = 'felregistrering' THEN 0 ELSE counts END"
	               " WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, c->date);
	db_bind_text(q, 3, c->reason);
	if ((rc = step_done(q)) ||
	    (rc = history(db, c->who, c->id, "state", "queued", "cancelled")))
		return rc;
	return audit_append(db, c->who, "cancel", "participation", c->id, c->reason);
}

enum rc participation_cancel(struct db *db, const struct actor *who, int64_t id, const char *date,
                             const char *reason, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = check_date(date, err);
	if (!codes_valid(db, "end_reason", reason))
		rc = field_error_add(err, "end_reason", "Välj orsak i listan.");
	if (rc)
		return rc;
	struct state_ctx c = {who, id, NULL, date, reason, err};
	return db_tx(db, cancel_tx, &c);
}

/* ---- corrections ----------------------------------------------------------------- */

struct correct_ctx {
	const struct actor *who;
	int64_t id;
	const char *field, *value;
	struct field_error *err;
};

/* Corrects the home kommun (and clears a stadsdel that belonged to the old
 * one); the history keeps the kommuner's names. */
static enum rc correct_home(struct db *db, struct correct_ctx *c)
{
	int64_t area = 0;
	if (!str_to_i64(c->value, &area) || area <= 0)
		return field_error_set(c->err, "value", "Välj hemkommun i listan.");
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT a.name, (SELECT o.name FROM participation p2 LEFT JOIN area o"
	               "  ON o.id = p2.home_area_id WHERE p2.id = $2)"
	               " FROM area a JOIN intervention i ON i.association_id = a.association_id"
	               " JOIN participation p ON p.intervention_id = i.id"
	               " WHERE a.id = $1 AND a.kind = 'kommun' AND p.id = $2",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, area);
	db_bind_int64(q, 2, c->id);
	enum db_step s = db_step(q);
	char new_name[128] = "", old_name[128] = "";
	if (s == DB_ROW) {
		str_copy(new_name, sizeof new_name, db_col_text(q, 0));
		str_copy(old_name, sizeof old_name, db_col_text(q, 1));
	}
	db_finalize(q);
	if (s == DB_DONE)
		return field_error_set(c->err, "value", "Välj en kommun i förbundets område.");
	if (s != DB_ROW)
		return RC_DB;
	if (db_prepare(db,
	               "UPDATE participation SET home_area_id = $2, home_district_id = NULL"
	               " WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	db_bind_int64(q, 2, area);
	enum rc rc = step_done(q);
	if (rc ||
	    (rc = history(db, c->who, c->id, "home_area", old_name[0] ? old_name : NULL, new_name)))
		return rc;
	return audit_append(db, c->who, "correct", "participation", c->id, "home_area_id");
}

static enum rc correct_tx(struct db *db, void *v)
{
	struct correct_ctx *c = v;
	enum rc allowed = may_change(db, c->who, c->id);
	if (allowed)
		return allowed;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT state, referred_on, start_on, end_on, end_reason, sex,"
	               " identity_id IS NOT NULL FROM participation WHERE id = $1",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	enum db_step s = db_step(q);
	char state[16] = "", referred[11] = "", start[11] = "", end[11] = "", reason[40] = "",
	     sex[4] = "";
	int identified = 0;
	if (s == DB_ROW) {
		str_copy(state, sizeof state, db_col_text(q, 0));
		str_copy(referred, sizeof referred, db_col_text(q, 1));
		str_copy(start, sizeof start, db_col_text(q, 2));
		str_copy(end, sizeof end, db_col_text(q, 3));
		str_copy(reason, sizeof reason, db_col_text(q, 4));
		str_copy(sex, sizeof sex, db_col_text(q, 5));
		identified = (int)db_col_int64(q, 6);
	}
	db_finalize(q);
	if (s != DB_ROW)
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;

	const char *old = NULL;
	const char *val = c->value;
	char today[11];
	str_today(today);
	if (strcmp(c->field, "referred_on") == 0) {
		old = referred;
		if (!str_valid_date(val) || strcmp(val, today) > 0 ||
		    (start[0] && strcmp(val, start) > 0))
			return field_error_set(
			    c->err, "value",
			    "Anmälningsdatum ska vara ett datum som inte ligger efter "
			    "startdatum eller i framtiden.");
	} else if (strcmp(c->field, "start_on") == 0) {
		old = start;
		if (!start[0])
			return field_error_set(c->err, "field", "Deltagaren är inte inskriven än.");
		if (!str_valid_date(val) || strcmp(val, referred) < 0 || strcmp(val, today) > 0 ||
		    (end[0] && strcmp(val, end) > 0))
			return field_error_set(
			    c->err, "value",
			    "Startdatum ska ligga mellan anmälningsdatum och slutdatum.");
	} else if (strcmp(c->field, "end_on") == 0) {
		old = end;
		if (strcmp(state, "ended") != 0)
			return field_error_set(c->err, "field", "Deltagandet är inte avslutat.");
		if (!str_valid_date(val) || strcmp(val, start) < 0 || strcmp(val, today) > 0)
			return field_error_set(
			    c->err, "value",
			    "Slutdatum ska ligga efter startdatum och inte i framtiden.");
	} else if (strcmp(c->field, "end_reason") == 0) {
		old = reason;
		if (!end[0])
			return field_error_set(c->err, "field", "Deltagandet är inte avslutat.");
		if (!codes_valid(db, "end_reason", val))
			return field_error_set(c->err, "value", "Välj avslutsorsak i listan.");
	} else if (strcmp(c->field, "home_area_id") == 0) {
		return correct_home(db, c);
	} else if (strcmp(c->field, "sex") == 0) {
		old = sex;
		if (identified)
			return field_error_set(c->err, "field",
			                       "Kön följer av personnumret och rättas där.");
		if (strcmp(val, "K") != 0 && strcmp(val, "M") != 0)
			return field_error_set(c->err, "value", "Ange K eller M.");
	} else {
		return field_error_set(c->err, "field", "Den uppgiften kan inte rättas här.");
	}
	if (strcmp(old, val) == 0)
		return RC_OK;

	static const char *const sql[] = {
	    "UPDATE participation SET referred_on = $2 WHERE id = $1",
	    "UPDATE participation SET start_on = $2 WHERE id = $1",
	    "UPDATE participation SET end_on = $2 WHERE id = $1",
	    ("UPDATE participation SET end_reason = $2,"
	     " counts = CASE WHEN $2 = 'felregistrering' THEN 0 ELSE 1 END WHERE id = $1"),
	    "UPDATE participation SET sex = $2 WHERE id = $1",
	};
	int which = strcmp(c->field, "referred_on") == 0  ? 0
	            : strcmp(c->field, "start_on") == 0   ? 1
	            : strcmp(c->field, "end_on") == 0     ? 2
	            : strcmp(c->field, "end_reason") == 0 ? 3
	                                                  : 4;
	if (db_prepare(db, sql[which], &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, val);
	enum rc rc = step_done(q);
	if (rc || (rc = history(db, c->who, c->id, c->field, old[0] ? old : NULL, val)))
		return rc;
	return audit_append(db, c->who, "correct", "participation", c->id, c->field);
}

enum rc participation_correct(struct db *db, const struct actor *who, int64_t id, const char *field,
                              const char *value, struct field_error *err)
{
	if (!field || !value)
		return field_error_set(err, "value", "Ange det rättade värdet.");
	struct correct_ctx c = {who, id, field, value, err};
	return db_tx(db, correct_tx, &c);
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
	enum rc rc = step_done(q);
	if (rc)
		return rc;
	if (db_prepare(db, "DELETE FROM identity WHERE participation_id = $1", &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	return step_done(q);
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
	enum rc allowed = may_change(db, c->who, c->id);
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
	enum rc rc = step_done(q);
	/* Only this participation's identity: consent is given per insats. */
	if (rc || (rc = erase_identity(db, c->id, 0)) ||
	    (rc = history(db, c->who, c->id, "consent", "lämnat", "återkallat")))
		return rc;
	return audit_append(db, c->who, "withdraw_consent", "participation", c->id,
	                    "identitet raderad");
}

enum rc participation_withdraw_consent(struct db *db, const struct actor *who, int64_t id,
                                       const char *date, struct field_error *err)
{
	enum rc rc = check_date(date, err);
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
	enum rc rc = may_change(db, c->who, c->id);
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
		if (!may_register(db, c->who, h[i].intervention_id)) {
			elsewhere++;
			continue;
		}
		if ((rc = erase_identity(db, h[i].id, 1)) ||
		    (rc = history(db, c->who, h[i].id, "protected", NULL,
		                  "skyddade personuppgifter")) ||
		    (rc = audit_append(db, c->who, "protect", "participation", h[i].id,
		                       "identitet raderad")))
			return rc;
	}
	if ((rc = erase_identity(db, c->id, 1)) ||
	    (rc = history(db, c->who, c->id, "protected", NULL, "skyddade personuppgifter")) ||
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

enum rc participation_protect(struct db *db, const struct actor *who, int64_t id)
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

enum rc participation_protect_requests(struct db *db, struct arena *a, const struct actor *who,
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
		r->intervention_name = col(a, q, 3);
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
		    !(rc = history(db, c->who, h[i].id, "protected", NULL,
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
	if ((rc = step_done(q)))
		return rc;
	char detail[48];
	snprintf(detail, sizeof detail, "%zu deltaganden", nh);
	return audit_append(db, c->who, "protect_apply", "protection_request", c->request, detail);
}

enum rc participation_protect_apply(struct db *db, const struct actor *who, int64_t request,
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
	enum rc rc = may_change(db, c->who, c->id);
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
	    (strcmp(sex, new_sex) != 0 && (rc = history(db, c->who, c->id, "sex", sex, new_sex))) ||
	    (rc = history(db, c->who, c->id, "consent", NULL, "lämnat")))
		return rc;
	return audit_append(db, c->who, "consent_given", "participation", c->id,
	                    "identitet sparad");
}

enum rc participation_consent_add(struct db *db, const struct vault *v, const struct actor *who,
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

/* ---- attendance ---------------------------------------------------------------------- */

struct attend_ctx {
	const struct actor *who;
	int64_t id;
	const char *month;
	int64_t tenths;
	struct field_error *err;
};

static enum rc attend_tx(struct db *db, void *v)
{
	struct attend_ctx *c = v;
	enum rc allowed = may_change(db, c->who, c->id);
	if (allowed)
		return allowed;
	char state[16], referred[11], start[11];
	enum rc rc = load_state(db, c->id, state, referred, start);
	if (rc)
		return rc;
	if (!start[0])
		return field_error_set(c->err, "month", "Deltagaren är inte inskriven.");
	if (strncmp(c->month, start, 7) < 0)
		return field_error_set(c->err, "month", "Månaden ligger före deltagandets start.");
	struct db_stmt *q;
	if (db_prepare(db,
	               "INSERT INTO attendance (participation_id, month, hours_tenths)"
	               " VALUES ($1, $2, $3) ON CONFLICT (participation_id, month)"
	               " DO UPDATE SET hours_tenths = excluded.hours_tenths",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, c->month);
	db_bind_int64(q, 3, c->tenths);
	if ((rc = step_done(q)))
		return rc;
	return audit_append(db, c->who, "attendance", "participation", c->id, c->month);
}

enum rc participation_attendance_set(struct db *db, const struct actor *who, int64_t id,
                                     const char *month, int64_t hours_tenths,
                                     struct field_error *err)
{
	char date[11];
	enum rc rc = RC_OK;
	field_error_clear(err);
	if (!month || strlen(month) != 7 ||
	    (snprintf(date, sizeof date, "%s-01", month), !str_valid_date(date)))
		rc = field_error_add(err, "month", "Ange månaden som 2026-03.");
	if (hours_tenths < 0 || hours_tenths > PARTICIPATION_MAX_HOURS_TENTHS)
		rc =
		    field_error_add(err, "hours", "Timmarna ska vara mellan 0 och 744 i en månad.");
	if (rc)
		return rc;
	struct attend_ctx c = {who, id, month, hours_tenths, err};
	return db_tx(db, attend_tx, &c);
}

/* ---- reading ---------------------------------------------------------------------------- */

#define PARTICIPATION_SELECT                                                                      \
	"SELECT p.id, p.intervention_id, i.name, p.identity_id IS NOT NULL, p.sex,"               \
	" coalesce(p.birth_year, 0), p.state, p.referred_on, p.referral_source, m.name, ha.name," \
	" hd.name, p.start_on, p.end_on, p.end_reason, p.counts, p.protected,"                    \
	" CAST(julianday($9) - julianday(p.referred_on) AS INTEGER),"                             \
	" (SELECT given_on FROM consent c WHERE c.participation_id = p.id ORDER BY c.id DESC"     \
	"  LIMIT 1),"                                                                             \
	" (SELECT withdrawn_on FROM consent c WHERE c.participation_id = p.id ORDER BY c.id DESC" \
	"  LIMIT 1), p.referral_unit"                                                             \
	" FROM participation p JOIN intervention i ON i.id = +p.intervention_id"                  \
	" LEFT JOIN member m ON m.id = p.referral_member_id"                                      \
	" LEFT JOIN area ha ON ha.id = p.home_area_id"                                            \
	" LEFT JOIN area hd ON hd.id = p.home_district_id "

static void read_participation(struct arena *a, struct db_stmt *q, struct participation *p)
{
	p->id = db_col_int64(q, 0);
	p->intervention_id = db_col_int64(q, 1);
	p->intervention_name = col(a, q, 2);
	p->identified = (int)db_col_int64(q, 3);
	p->sex = col(a, q, 4);
	p->birth_year = (int)db_col_int64(q, 5);
	p->state = col(a, q, 6);
	p->referred_on = col(a, q, 7);
	p->source = col(a, q, 8);
	p->source_member_name = col(a, q, 9);
	p->home_area_name = col(a, q, 10);
	p->home_district_name = col(a, q, 11);
	p->start_on = col(a, q, 12);
	p->end_on = col(a, q, 13);
	p->end_reason = col(a, q, 14);
	p->counts = (int)db_col_int64(q, 15);
	p->protected_identity = (int)db_col_int64(q, 16);
	p->waiting_days = (int)db_col_int64(q, 17);
	p->consent_on = col(a, q, 18);
	p->consent_withdrawn_on = col(a, q, 19);
	p->source_unit = col(a, q, 20);
}

/* Reads every row of a bound statement into an arena array. */
static enum rc read_all(struct db_stmt *q, struct arena *a, struct participation **out, size_t *n)
{
	size_t cap = 0;
	struct participation *arr = NULL;
	enum db_step s;
	*n = 0;
	while ((s = db_step(q)) == DB_ROW) {
		if (!(arr = arena_grow(a, arr, &cap, *n, sizeof *arr))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		read_participation(a, q, &arr[(*n)++]);
	}
	db_finalize(q);
	*out = arr;
	return s == DB_DONE ? RC_OK : RC_DB;
}

enum rc participation_get(struct db *db, struct arena *a, int64_t id, struct participation *out)
{
	struct db_stmt *q;
	if (db_prepare(db, PARTICIPATION_SELECT "WHERE p.id = $1", &q))
		return RC_DB;
	char today[11];
	str_today(today);
	db_bind_int64(q, 1, id);
	db_bind_text(q, 9, today);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		read_participation(a, q, out);
	db_finalize(q);
	return s == DB_ROW ? RC_OK : s == DB_DONE ? RC_NOT_FOUND : RC_DB;
}

/* Reads a single count from a prepared statement (finalized here); binds
 * $1..$3 when given (0 leaves one unbound) and today as $9 when given. */
static enum rc count_rows(struct db_stmt *q, int64_t a1, int64_t a2, int64_t a3, const char *today,
                          int64_t *total)
{
	*total = 0;
	db_bind_int64(q, 1, a1);
	if (a2)
		db_bind_int64(q, 2, a2);
	if (a3)
		db_bind_int64(q, 3, a3);
	if (today)
		db_bind_text(q, 9, today);
	enum db_step s = db_step(q);
	if (s == DB_ROW)
		*total = db_col_int64(q, 0);
	db_finalize(q);
	return s == DB_ROW ? RC_OK : RC_DB;
}

/* Binds the page ($4 limit, $5 offset) and today ($9), then reads. */
static enum rc read_page(struct db_stmt *q, struct arena *a, const struct paging *pg,
                         struct participation **out, size_t *n)
{
	char today[11];
	str_today(today);
	db_bind_int64(q, 4, pg->limit);
	db_bind_int64(q, 5, pg->offset);
	db_bind_text(q, 9, today);
	return read_all(q, a, out, n);
}

/* The order of a participation list: by its date column (key 0) or by
 * number (key 1), either way; the number breaks ties so pages never
 * overlap.  Each walks an index of the list (migrations 6 and 8). */
#define SORTED(where, date)                                                                     \
	{                                                                                       \
		{PARTICIPATION_SELECT where " ORDER BY " date ", p.id LIMIT $4 OFFSET $5",      \
		 PARTICIPATION_SELECT where " ORDER BY " date                                   \
		                            " DESC, p.id DESC LIMIT $4 OFFSET $5"},             \
		{                                                                               \
			PARTICIPATION_SELECT where " ORDER BY p.id LIMIT $4 OFFSET $5",         \
			    PARTICIPATION_SELECT where " ORDER BY p.id DESC LIMIT $4 OFFSET $5" \
		}                                                                               \
	}

enum rc participation_list(struct db *db, struct arena *a, int64_t intervention_id,
                           struct paging *pg, struct participation **out, size_t *n)
{
	static const char *const sql[PSORT_COUNT][2] =
	    SORTED("WHERE p.intervention_id = $1", "p.referred_on");
	*out = NULL;
	*n = 0;
	paging_clamp(pg, PSORT_COUNT);
	/* The total from the tally the triggers keep: no participation is read. */
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT coalesce(sum(n), 0) FROM participation_tally"
	               " WHERE intervention_id = $1",
	               &q))
		return RC_DB;
	enum rc rc = count_rows(q, intervention_id, 0, 0, NULL, &pg->total);
	if (rc)
		return rc;
	if (db_prepare(db, sql[pg->sort][pg->desc], &q))
		return RC_DB;
	db_bind_int64(q, 1, intervention_id);
	return read_page(q, a, pg, out, n);
}

enum rc participation_queue(struct db *db, struct arena *a, int64_t assoc, int64_t intervention_id,
                            int64_t area_id, struct paging *pg, struct participation **out,
                            size_t *n)
{
	/* One constant statement per filter, each served by its own index:
	 * "($2 = 0 OR ...)" would leave the planner no index to use. */
	static const char *const sql[4][PSORT_COUNT][2] = {
	    SORTED("WHERE p.state = 'queued' AND i.association_id = $1", "p.referred_on"),
	    SORTED("WHERE p.state = 'queued' AND p.intervention_id = $2 AND i.association_id = $1",
	           "p.referred_on"),
	    SORTED("WHERE p.state = 'queued' AND p.home_area_id = $3 AND i.association_id = $1",
	           "p.referred_on"),
	    SORTED("WHERE p.state = 'queued' AND p.intervention_id = $2 AND p.home_area_id = $3"
	           " AND i.association_id = $1",
	           "p.referred_on"),
	};
	/* Without a kommun the tally answers; with one, the partial queue
	 * index holds only queued rows. */
	static const char *const count_sql[4] = {
	    "SELECT coalesce(sum(t.n), 0) FROM participation_tally t JOIN intervention i"
	    " ON i.id = t.intervention_id WHERE t.state = 'queued' AND i.association_id = $1",
	    "SELECT coalesce(sum(t.n), 0) FROM participation_tally t JOIN intervention i"
	    " ON i.id = t.intervention_id WHERE t.state = 'queued' AND t.intervention_id = $2"
	    " AND i.association_id = $1",
	    "SELECT count(*) FROM participation p JOIN intervention i ON i.id = +p.intervention_id"
	    " WHERE p.state = 'queued' AND p.home_area_id = $3 AND i.association_id = $1",
	    "SELECT count(*) FROM participation p JOIN intervention i ON i.id = +p.intervention_id"
	    " WHERE p.state = 'queued' AND p.intervention_id = $2 AND p.home_area_id = $3"
	    " AND i.association_id = $1",
	};
	*out = NULL;
	*n = 0;
	paging_clamp(pg, PSORT_COUNT);
	int which = (intervention_id ? 1 : 0) + (area_id ? 2 : 0);
	struct db_stmt *q;
	if (db_prepare(db, count_sql[which], &q))
		return RC_DB;
	enum rc rc = count_rows(q, assoc, intervention_id, area_id, NULL, &pg->total);
	if (rc)
		return rc;
	if (db_prepare(db, sql[which][pg->sort][pg->desc], &q))
		return RC_DB;
	db_bind_int64(q, 1, assoc);
	if (intervention_id)
		db_bind_int64(q, 2, intervention_id);
	if (area_id)
		db_bind_int64(q, 3, area_id);
	return read_page(q, a, pg, out, n);
}

enum rc participation_answers(struct db *db, struct arena *a, int64_t id,
                              struct registered_answer **out, size_t *n)
{
	*n = 0;
	*out = NULL;
	size_t cap = 0;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT x.phase, x.list, x.code, c.label, coalesce(x.extent, -1)"
	               " FROM participation_answer x JOIN code_item c"
	               " ON c.list = x.list AND c.code = x.code"
	               " WHERE x.participation_id = $1 ORDER BY x.phase DESC, x.list, c.sort",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	enum db_step st;
	while ((st = db_step(q)) == DB_ROW) {
		if (!(*out = arena_grow(a, *out, &cap, *n, sizeof **out))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		struct registered_answer *x = &(*out)[(*n)++];
		x->phase = col(a, q, 0);
		x->list = col(a, q, 1);
		x->code = col(a, q, 2);
		x->label = col(a, q, 3);
		x->extent = (int)db_col_int64(q, 4);
	}
	db_finalize(q);
	return st == DB_DONE ? RC_OK : RC_DB;
}

enum rc participation_history(struct db *db, struct arena *a, int64_t id,
                              struct history_entry **out, size_t *n)
{
	*n = 0;
	*out = NULL;
	size_t cap = 0;
	struct db_stmt *q;
	/* Every entry: a participation's history is short, and a cut history
	 * would hide who changed what. */
	if (db_prepare(db,
	               "SELECT at, actor, field, old_value, new_value FROM participation_history"
	               " WHERE participation_id = $1 ORDER BY id DESC",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	enum db_step st;
	while ((st = db_step(q)) == DB_ROW) {
		if (!(*out = arena_grow(a, *out, &cap, *n, sizeof **out))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		struct history_entry *h = &(*out)[(*n)++];
		h->at = col(a, q, 0);
		h->actor = col(a, q, 1);
		h->field = col(a, q, 2);
		h->old_value = col(a, q, 3);
		h->new_value = col(a, q, 4);
	}
	db_finalize(q);
	return st == DB_DONE ? RC_OK : RC_DB;
}

enum rc participation_attendance(struct db *db, struct arena *a, int64_t id,
                                 struct attendance_month **out, size_t *n)
{
	*n = 0;
	*out = NULL;
	size_t cap = 0;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT month, hours_tenths FROM attendance WHERE participation_id = $1"
	               " ORDER BY month DESC",
	               &q))
		return RC_DB;
	db_bind_int64(q, 1, id);
	enum db_step st;
	while ((st = db_step(q)) == DB_ROW) {
		if (!(*out = arena_grow(a, *out, &cap, *n, sizeof **out))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		(*out)[*n].month = col(a, q, 0);
		(*out)[*n].hours_tenths = db_col_int64(q, 1);
		(*n)++;
	}
	db_finalize(q);
	return st == DB_DONE ? RC_OK : RC_DB;
}

enum rc participation_counts(struct db *db, struct arena *a, int64_t assoc,
                             struct intervention_counts **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	/* Read from the tally the triggers keep (migration 6). */
	if (db_prepare(
	        db,
	        "SELECT i.id,"
	        " coalesce(sum(CASE WHEN t.state = 'queued' THEN t.n END), 0),"
	        " coalesce(sum(CASE WHEN t.state = 'active' THEN t.n END), 0),"
	        " coalesce(sum(CASE WHEN t.state = 'ended' AND t.counted = 1 THEN t.n END), 0)"
	        " FROM intervention i LEFT JOIN participation_tally t"
	        " ON t.intervention_id = i.id WHERE i.association_id = $1"
	        " GROUP BY i.id ORDER BY i.id",
	        &q))
		return RC_DB;
	db_bind_int64(q, 1, assoc);
	size_t cap = 0;
	struct intervention_counts *arr = NULL;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		if (!(arr = arena_grow(a, arr, &cap, *n, sizeof *arr))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		struct intervention_counts *c = &arr[(*n)++];
		c->intervention_id = db_col_int64(q, 0);
		c->queued = db_col_int64(q, 1);
		c->active = db_col_int64(q, 2);
		c->ended = db_col_int64(q, 3);
	}
	db_finalize(q);
	*out = arr;
	return s == DB_DONE ? RC_OK : RC_DB;
}

#define WORK_LONG_WHERE \
	"WHERE p.state = 'active' AND i.association_id = $1 AND p.start_on < date($9, '-1 year')"
#define WORK_CONSENT_WHERE                                                                    \
	"WHERE p.state IN ('queued', 'active') AND p.identity_id IS NULL AND p.protected = 0" \
	" AND i.association_id = $1"
#define WORK_END_WHERE                                                                            \
	"WHERE p.state = 'ended' AND p.counts = 1 AND p.end_complete = 0 AND i.association_id = " \
	"$1"
#define WORK_COUNT \
	"SELECT count(*) FROM participation p JOIN intervention i ON i.id = +p.intervention_id "

enum rc participation_worklist(struct db *db, struct arena *a, int64_t assoc, enum worklist which,
                               struct paging *pg, struct participation **out, size_t *n)
{
	/* Each list's predicate matches a partial index exactly (migration 6). */
	static const char *const sql[][PSORT_COUNT][2] = {
	    [WORK_LONG_RUNNING] = SORTED(WORK_LONG_WHERE, "p.start_on"),
	    [WORK_CONSENT] = SORTED(WORK_CONSENT_WHERE, "p.referred_on"),
	    [WORK_END_MISSING] = SORTED(WORK_END_WHERE, "p.end_on"),
	};
	static const char *const count_sql[] = {
	    [WORK_LONG_RUNNING] = WORK_COUNT WORK_LONG_WHERE,
	    [WORK_CONSENT] = WORK_COUNT WORK_CONSENT_WHERE,
	    [WORK_END_MISSING] = WORK_COUNT WORK_END_WHERE,
	};
	*out = NULL;
	*n = 0;
	paging_clamp(pg, PSORT_COUNT);
	char today[11];
	str_today(today);
	struct db_stmt *q;
	if (db_prepare(db, count_sql[which], &q))
		return RC_DB;
	enum rc rc =
	    count_rows(q, assoc, 0, 0, which == WORK_LONG_RUNNING ? today : NULL, &pg->total);
	if (rc)
		return rc;
	if (db_prepare(db, sql[which][pg->sort][pg->desc], &q))
		return RC_DB;
	db_bind_int64(q, 1, assoc);
	return read_page(q, a, pg, out, n);
}

/* ---- identity and extract --------------------------------------------------------------- */

enum rc participation_identity(struct db *db, const struct vault *v, const struct actor *who,
                               int64_t id, const char *reason, struct arena *a, const char **pnr,
                               const char **name)
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
		sp = col(a, q, 2);
		sn = col(a, q, 3);
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

enum rc participation_find_by_pnr(struct db *db, const struct vault *v, const struct actor *who,
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

enum rc participation_extract(struct db *db, const struct vault *v, const struct actor *who,
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
			created = col(a, q, 2);
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
