/*
 * participation.c — the participation state machine and its writes that
 * hold no personal data: referral (the identity part is personal_data.c's),
 * start, end, cancel, corrections and attendance; see participation.h.
 * Reads are in participation_query.c, personal data in personal_data.c.
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
#include "audit.h"
#include "auth.h"
#include "codes.h"
#include "intervention.h"
#include "participation_internal.h"
#include "pnr.h"

const char *participation_col(struct arena *a, struct db_stmt *q, int i)
{
	return arena_strdup(a, db_col_text(q, i));
}

enum rc participation_step_done(struct db_stmt *q)
{
	enum db_step s = db_step(q);
	db_finalize(q);
	return db_step_rc(s);
}

enum rc participation_history_add(struct db *db, const struct actor *who, int64_t id,
                                  const char *field, const char *old_value, const char *new_value)
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
	return participation_step_done(q);
}

/*
 * Who may register in an insats: a deltagaransvarig assigned to it, or the
 * administrator at the command line (user 0; imports).  Checked inside each
 * write's transaction, beside the data it protects.
 */
int participation_may_register(struct db *db, const struct actor *who, int64_t intervention)
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

enum rc participation_may_change(struct db *db, const struct actor *who, int64_t id)
{
	int64_t intervention = intervention_of(db, id);
	if (!intervention)
		return RC_NOT_FOUND;
	return participation_may_register(db, who, intervention) ? RC_OK : RC_DENIED;
}

enum rc participation_check_date(const char *date, struct field_error *err)
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
	if (!participation_may_register(db, c->who, in->intervention_id))
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
		 * only this one: the keyed hash, in personal_data.c. */
		int64_t dup = 0;
		enum rc drc =
		    personal_duplicate(db, c->v, assoc, in->intervention_id, c->pnr, &dup);
		if (drc)
			return drc;
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
	if (c->pnr && (rc = personal_store_identity(db, c->v, c->who, assoc, c->id, c->pnr,
	                                            in->name, in->consent_on, in->consent_form)))
		return rc;
	if ((rc = participation_history_add(db, c->who, c->id, "state", NULL, "queued")))
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
		if ((rc = participation_step_done(q)))
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
		if ((rc = participation_step_done(q)))
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
	enum rc rc = participation_step_done(q);
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
		rc = participation_step_done(q);
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
	enum rc allowed = participation_may_change(db, c->who, c->id);
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
	if ((rc = participation_step_done(q)) || (rc = insert_answers(db, c->id, "start", c->r)) ||
	    (rc = participation_history_add(db, c->who, c->id, "state", "queued", "active")) ||
	    (rc = participation_history_add(db, c->who, c->id, "start_on", NULL, c->r->date)))
		return rc;
	return audit_append(db, c->who, "start", "participation", c->id, "");
}

enum rc participation_start(struct db *db, const struct actor *who, int64_t id,
                            const struct registration *r, struct field_error *err)
{
	/* Date and answers are independent: both are checked before the
	 * state, which the transaction reads. */
	field_error_clear(err);
	enum rc rc = participation_check_date(r->date, err);
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
	enum rc allowed = participation_may_change(db, c->who, c->id);
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
	if ((rc = participation_step_done(q)) ||
	    (!felreg && (rc = insert_answers(db, c->id, "end", c->r))) ||
	    (rc = participation_history_add(db, c->who, c->id, "state", "active", "ended")) ||
	    (rc = participation_history_add(db, c->who, c->id, "end_reason", NULL,
	                                    c->r->end_reason)))
		return rc;
	return audit_append(db, c->who, "end", "participation", c->id, c->r->end_reason);
}

enum rc participation_end(struct db *db, const struct actor *who, int64_t id,
                          const struct registration *r, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = participation_check_date(r->date, err);
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
	enum rc allowed = participation_may_change(db, c->who, c->id);
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
	if ((rc = participation_step_done(q)) ||
	    (rc = participation_history_add(db, c->who, c->id, "state", "queued", "cancelled")))
		return rc;
	return audit_append(db, c->who, "cancel", "participation", c->id, c->reason);
}

enum rc participation_cancel(struct db *db, const struct actor *who, int64_t id, const char *date,
                             const char *reason, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = participation_check_date(date, err);
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
	enum rc rc = participation_step_done(q);
	if (rc || (rc = participation_history_add(db, c->who, c->id, "home_area",
	                                          old_name[0] ? old_name : NULL, new_name)))
		return rc;
	return audit_append(db, c->who, "correct", "participation", c->id, "home_area_id");
}

static enum rc correct_tx(struct db *db, void *v)
{
	struct correct_ctx *c = v;
	enum rc allowed = participation_may_change(db, c->who, c->id);
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
	enum rc rc = participation_step_done(q);
	if (rc ||
	    (rc = participation_history_add(db, c->who, c->id, c->field, old[0] ? old : NULL, val)))
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
	enum rc allowed = participation_may_change(db, c->who, c->id);
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
	if ((rc = participation_step_done(q)))
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
