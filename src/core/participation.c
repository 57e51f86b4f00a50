/*
 * participation.c — the participation state machine and its writes that
 * hold no personal data: referral (the identity part is personal_data.c's),
 * start, end, cancel, corrections and attendance; see participation.h.
 * Reads are in participation_query.c, personal data in personal_data.c.
 */
#include "participation.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "audit.h"
#include "auth.h"
#include "codes.h"
#include "intervention.h"
#include "participation_internal.h"
#include "pnr.h"

enum rc participation_history_add(struct db *db, const struct actor *who, int64_t id,
                                  const char *field, const char *old_value, const char *new_value)
{
	struct db_stmt *q;
	char now[21];
	svtime_iso(actor_now(who), now);
	enum rc rc;
	if ((rc =
	         db_prepare(db,
	                    "INSERT INTO participation_history (participation_id, at, actor, field,"
	                    " old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6)",
	                    &q)))
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, now);
	db_bind_text(q, 3, who && who->name ? who->name : "system");
	db_bind_text(q, 4, field);
	db_bind_text(q, 5, old_value);
	db_bind_text(q, 6, new_value);
	return db_run(q);
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

enum rc participation_may_refer(struct db *db, const struct actor *who, int64_t intervention)
{
	return participation_may_register(db, who, intervention) ? RC_OK : RC_DENIED;
}

enum rc participation_may_change(struct db *db, const struct actor *who, int64_t id)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT intervention_id FROM participation WHERE id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	int64_t intervention = 0;
	if ((rc = db_one_int64(q, &intervention)))
		return rc; /* RC_NOT_FOUND, or a failure: never a guess */
	return participation_may_register(db, who, intervention) ? RC_OK : RC_DENIED;
}

/*
 * The tally of participations per insats, state and counted
 * (participation_tally), kept here in the transaction of every change of
 * state, insats or counts — no trigger of one engine.  delta is +1 or -1.
 */
static enum rc tally_add(struct db *db, int64_t intervention, const char *state, int counted,
                         int delta)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     delta > 0 ? "INSERT INTO participation_tally (intervention_id, state,"
	                                 " counted, n) VALUES ($1, $2, $3, 1)"
	                                 " ON CONFLICT (intervention_id, state, counted)"
	                                 " DO UPDATE SET n = participation_tally.n + 1"
	                               : "UPDATE participation_tally SET n = n - 1"
	                                 " WHERE intervention_id = $1 AND state = $2"
	                                 " AND counted = $3",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, intervention);
	db_bind_text(q, 2, state);
	db_bind_int64(q, 3, counted ? 1 : 0);
	return db_run(q);
}

enum rc participation_tally_move(struct db *db, int64_t intervention, const char *old_state,
                                 int old_counted, const char *new_state, int new_counted)
{
	if (old_state && new_state && strcmp(old_state, new_state) == 0 &&
	    !old_counted == !new_counted)
		return RC_OK;
	enum rc rc;
	if (old_state && (rc = tally_add(db, intervention, old_state, old_counted, -1)))
		return rc;
	return new_state ? tally_add(db, intervention, new_state, new_counted, 1) : RC_OK;
}

/* One net change of a batch; states are the constant names of the state
 * machine. */
struct tally_delta {
	int64_t intervention;
	const char *state;
	int counted;
	int64_t n;
};

static enum rc batch_add(struct tally_batch *b, int64_t intervention, const char *state,
                         int counted, int64_t n)
{
	for (size_t i = 0; i < b->n; i++) {
		struct tally_delta *d = &b->d[i];
		if (d->intervention == intervention && d->counted == counted &&
		    strcmp(d->state, state) == 0) {
			d->n += n;
			return RC_OK;
		}
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		struct tally_delta *d = realloc(b->d, cap * sizeof *d);
		if (!d)
			return RC_NOMEM;
		b->d = d;
		b->cap = cap;
	}
	b->d[b->n++] = (struct tally_delta){intervention, state, counted, n};
	return RC_OK;
}

/* participation_tally_move, or the same move gathered in b when b is
 * given. */
static enum rc tally_move(struct db *db, struct tally_batch *b, int64_t intervention,
                          const char *old_state, int old_counted, const char *new_state,
                          int new_counted)
{
	if (!b)
		return participation_tally_move(db, intervention, old_state, old_counted, new_state,
		                                new_counted);
	enum rc rc;
	if (old_state && (rc = batch_add(b, intervention, old_state, old_counted ? 1 : 0, -1)))
		return rc;
	return new_state ? batch_add(b, intervention, new_state, new_counted ? 1 : 0, 1) : RC_OK;
}

enum rc participation_tally_flush(struct db *db, struct tally_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct tally_delta *d = &b->d[i];
		if (!d->n)
			continue;
		struct db_stmt *q;
		enum rc rc;
		if ((rc = db_prepare(db,
		                     "INSERT INTO participation_tally (intervention_id, state,"
		                     " counted, n) VALUES ($1, $2, $3, $4)"
		                     " ON CONFLICT (intervention_id, state, counted)"
		                     " DO UPDATE SET n = participation_tally.n + excluded.n",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, d->intervention);
		db_bind_text(q, 2, d->state);
		db_bind_int64(q, 3, d->counted);
		db_bind_int64(q, 4, d->n);
		if ((rc = db_run(q)))
			return rc;
	}
	b->n = 0;
	return RC_OK;
}

void participation_tally_batch_free(struct tally_batch *b)
{
	free(b->d);
	memset(b, 0, sizeof *b);
}

enum rc participation_check_date(const char *date, int64_t now, struct field_error *err)
{
	char today[11], msg[240];
	svtime_today(now, today);
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

/* RC_OK with an error on field (RC_INVALID) when q, a lookup of one row,
 * finds none; a failed step is a failure, never "not found". */
static enum rc must_exist(struct db_stmt *q, struct field_error *err, const char *field,
                          const char *msg)
{
	int found = 0;
	enum rc rc = db_exists(q, &found);
	if (rc)
		return rc;
	return found ? RC_OK : field_error_set(err, field, msg);
}

enum rc participation_refer_insats(struct db *db, const struct actor *who, int64_t intervention,
                                   int64_t *assoc_out, struct field_error *err)
{
	struct db_stmt *q;
	enum rc rc;
	*assoc_out = 0;
	/* The insats: individinriktad, followed per person. */
	if ((rc = db_prepare(db,
	                     "SELECT association_id, orientation = 'individ' AND method = 'person'"
	                     " FROM intervention WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, intervention);
	enum db_step s = db_step(q);
	int64_t assoc = 0;
	int per_person = 0;
	if (s == DB_ROW) {
		assoc = db_col_int64(q, 0);
		per_person = db_col_bool(q, 1);
	}
	db_finalize(q);
	if (s != DB_ROW && s != DB_DONE)
		return RC_DB;
	if (!assoc)
		return field_error_set(err, "intervention_id", "Välj en insats i listan.");
	if (!per_person)
		return field_error_set(
		    err, "intervention_id",
		    "Insatsen följs bara med antal. Deltagare registreras per person "
		    "i individinriktade insatser.");
	if (!participation_may_register(db, who, intervention))
		return RC_DENIED;
	*assoc_out = assoc;
	return RC_OK;
}

enum rc participation_refer_refs(struct db *db, int64_t assoc, const struct referral *in,
                                 struct field_error *err)
{
	struct db_stmt *q;
	enum rc rc;
	if (in->source_member_id > 0) {
		if ((rc = db_prepare(
		         db, "SELECT 1 FROM member WHERE id = $1 AND association_id = $2", &q)))
			return rc;
		db_bind_int64(q, 1, in->source_member_id);
		db_bind_int64(q, 2, assoc);
		if ((rc = must_exist(q, err, "source_member_id",
		                     "Välj en av förbundets medlemmar.")))
			return rc;
	}
	if (in->home_area_id > 0) {
		if ((rc = db_prepare(db,
		                     "SELECT 1 FROM area WHERE id = $1 AND association_id = $2"
		                     " AND kind = 'kommun'",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, in->home_area_id);
		db_bind_int64(q, 2, assoc);
		if ((rc = must_exist(q, err, "home_area_id",
		                     "Välj hemkommun bland kommunerna i förbundets område.")))
			return rc;
	}
	if (in->home_district_id > 0) {
		if ((rc = db_prepare(db,
		                     "SELECT 1 FROM area WHERE id = $1 AND kind = 'stadsdel'"
		                     " AND parent_id = $2",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, in->home_district_id);
		db_bind_int64(q, 2, in->home_area_id);
		if ((rc = must_exist(q, err, "home_district_id",
		                     "Stadsdelen ska ligga i den valda hemkommunen.")))
			return rc;
	}
	return RC_OK;
}

enum rc participation_refer_write(struct db *db, const struct vault *v, const struct actor *who,
                                  int64_t assoc, const struct referral *in, const struct pnr *pnr,
                                  const char *sex, const struct participation_final *fin,
                                  struct tally_batch *tally, int64_t *id_out)
{
	struct db_stmt *q;
	enum rc rc;
	char now[21];
	*id_out = 0;
	svtime_iso(actor_now(who), now);
	/* A referral is queued; a writer that inserts the row whole (fin) gives
	 * the columns its start and end will hold, and their writing parts
	 * then leave the row as it is. */
	if ((rc = db_prepare(db,
	                     "INSERT INTO participation (intervention_id, sex, state,"
	                     " referred_on, referral_source, referral_member_id, home_area_id,"
	                     " home_district_id, protected, created_at, referral_unit, start_on,"
	                     " end_on, end_reason, counts, end_complete)"
	                     " VALUES ($1, $2, $11, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13, $14,"
	                     " $15, $16) RETURNING id",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, in->intervention_id);
	db_bind_text(q, 2, sex);
	db_bind_text(q, 3, in->referred_on);
	db_bind_text(q, 4, in->source);
	db_bind_id_opt(q, 5, in->source_member_id);
	db_bind_id_opt(q, 6, in->home_area_id);
	db_bind_id_opt(q, 7, in->home_district_id);
	db_bind_int64(q, 8, in->protected_identity ? 1 : 0);
	db_bind_text(q, 9, now);
	db_bind_text_opt(q, 10, str_blank(in->source_unit) ? NULL : in->source_unit);
	db_bind_text(q, 11, fin ? fin->state : "queued");
	db_bind_text_opt(q, 12, fin ? fin->start_on : NULL);
	db_bind_text_opt(q, 13, fin ? fin->end_on : NULL);
	db_bind_text_opt(q, 14, fin ? fin->end_reason : NULL);
	db_bind_int64(q, 15, fin ? fin->counts != 0 : 1);
	db_bind_int64(q, 16, fin ? fin->end_complete != 0 : 0);
	int64_t id = 0;
	if ((rc = db_one_int64(q, &id)))
		return rc == RC_NOT_FOUND ? RC_DB : rc;
	/* A new participation counts until it is ended as felregistrering. */
	if ((rc = tally_move(db, tally, in->intervention_id, NULL, 0, "queued", 1)))
		return rc;
	if (pnr && (rc = personal_store_identity(db, v, who, assoc, id, pnr, in->name,
	                                         in->consent_on, in->consent_form)))
		return rc;
	if ((rc = participation_history_add(db, who, id, "state", NULL, "queued")))
		return rc;
	*id_out = id;
	return RC_OK;
}

static enum rc refer_tx(struct db *db, void *vctx)
{
	struct refer_ctx *c = vctx;
	const struct referral *in = c->in;
	struct db_stmt *q;
	enum rc rc;
	/* Every run starts afresh: what an earlier, rolled back run found is
	 * forgotten. */
	c->id = 0;
	c->replayed = 0;
	field_error_clear(c->err);
	int64_t assoc = 0;
	if ((rc = participation_refer_insats(db, c->who, in->intervention_id, &assoc, c->err)))
		return rc;
	if (c->once_hash) {
		/* The same submission again (double click, resent form): the
		 * participation it created, for this user only. */
		if ((rc = db_prepare(db,
		                     "SELECT participation_id FROM form_submission"
		                     " WHERE user_id = $1 AND token_hash = $2",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, c->who->user_id);
		db_bind_text(q, 2, c->once_hash);
		int64_t earlier = 0;
		rc = db_one_int64(q, &earlier);
		if (rc == RC_OK) {
			c->id = earlier;
			c->replayed = 1;
			return RC_OK;
		}
		if (rc != RC_NOT_FOUND)
			return rc;
	}
	if (c->pnr && !in->confirm_duplicate) {
		/* The same person already queued or active in this insats, and
		 * only this one: the keyed hash, in personal_data.c. */
		int64_t dup = 0;
		if ((rc = personal_duplicate(db, c->v, assoc, in->intervention_id, c->pnr, &dup)))
			return rc;
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
	if ((rc = participation_refer_refs(db, assoc, in, c->err)))
		return rc;
	int64_t id = 0;
	if ((rc = participation_refer_write(db, c->v, c->who, assoc, in, c->pnr, c->sex, NULL, NULL,
	                                    &id)))
		return rc;
	if (c->once_hash) {
		/* Remembered with what it created, in the same transaction; a
		 * day (by the actor's clock) is long enough for a resent form. */
		int64_t when = actor_now(c->who);
		char now[21], old[21];
		svtime_iso(when, now);
		svtime_iso(when - 24 * 60 * 60, old);
		if ((rc = db_prepare(db, "DELETE FROM form_submission WHERE created_at < $1", &q)))
			return rc;
		db_bind_text(q, 1, old);
		if ((rc = db_run(q)))
			return rc;
		if ((rc = db_prepare(db,
		                     "INSERT INTO form_submission (user_id, token_hash,"
		                     " participation_id, created_at) VALUES ($1, $2, $3, $4)",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, c->who->user_id);
		db_bind_text(q, 2, c->once_hash);
		db_bind_int64(q, 3, id);
		db_bind_text(q, 4, now);
		if ((rc = db_run(q)))
			return rc;
	}
	if ((rc = audit_append(db, c->who, "create", "participation", id,
	                       c->pnr ? "med samtycke" : "anonym")))
		return rc;
	c->id = id;
	return RC_OK;
}

/* Whether code is an active item of list, in the database. */
static int db_code_valid(void *ctx, const char *list, const char *code)
{
	return codes_valid(ctx, list, code);
}

enum rc participation_refer_validate(const struct code_lookup *codes, int64_t now,
                                     const struct referral *in, struct pnr *pnr_out,
                                     const char **sex_out, struct field_error *err)
{
	char today[11], msg[240];
	svtime_today(now, today);
	enum rc bad = RC_OK;
	field_error_clear(err);
	if (str_blank(in->referred_on))
		bad = field_error_add(err, "referred_on", "Anmälningsdatum måste anges.");
	else if (str_date_problem_named("Anmälningsdatum", in->referred_on, msg, sizeof msg))
		bad = field_error_add(err, "referred_on", msg);
	else if (strcmp(in->referred_on, today) > 0)
		bad = field_error_add(err, "referred_on",
		                      "Anmälningsdatumet kan inte ligga i framtiden.");
	if (!codes->valid(codes->ctx, "referral_source", in->source))
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

enum rc participation_refer_check(struct db *db, const struct actor *who, const struct referral *in,
                                  struct field_error *err)
{
	struct pnr pnr;
	const char *sex;
	struct code_lookup codes = {db_code_valid, db};
	return participation_refer_validate(&codes, actor_now(who), in, &pnr, &sex, err);
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
	struct code_lookup codes = {db_code_valid, db};
	enum rc bad = participation_refer_validate(&codes, actor_now(who), in, &pnr, &sex, err);
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

/*
 * The transitions of the state machine.  Each names the state it leaves,
 * the date it may not precede (the referral's or the start's) and the
 * sentences for a participation in another state; transition_begin checks
 * them the same way for all.
 */
struct transition {
	const char *from, *to;
	int after_start;         /* the date may not precede the start (else: the referral) */
	const char *too_early;   /* the date precedes it */
	const char *when_queued; /* the participation is queued (and from is not) */
	const char *when_active; /* active (and from is not) */
	const char *when_closed; /* ended or cancelled */
};

static const struct transition T_START = {
    "queued",
    "active",
    0,
    "Startdatum kan inte ligga före anmälningsdatum.",
    NULL,
    "Deltagaren är redan inskriven.",
    "Deltagandet är avslutat; registrera en ny anmälan för ett nytt deltagande.",
};
static const struct transition T_END = {
    "active",
    "ended",
    1,
    "Slutdatum kan inte ligga före startdatum.",
    "Deltagaren är inte inskriven; en anmälan i kö avslutas med Avbryt.",
    NULL,
    "Deltagandet är redan avslutat.",
};
static const struct transition T_CANCEL = {
    "queued",
    "cancelled",
    0,
    "Datumet kan inte ligga före anmälningsdatum.",
    NULL,
    "Bara en anmälan i kö kan avbrytas.",
    "Bara en anmälan i kö kan avbrytas.",
};

struct state_ctx {
	const struct transition *t;
	const struct actor *who;
	int64_t id;
	const struct registration *r; /* start and end */
	const char *date, *reason;
	struct field_error *err;
};

/* Whether transition t may take a participation as *cur is on date: its
 * state allows it and the date does not precede the referral or the start
 * (RC_INVALID with an error on "date"). */
static enum rc transition_check(const struct transition *t, const struct participation_state *cur,
                                const char *date, struct field_error *err)
{
	if (strcmp(cur->state, t->from) != 0)
		return field_error_set(err, "date",
		                       strcmp(cur->state, "queued") == 0   ? t->when_queued
		                       : strcmp(cur->state, "active") == 0 ? t->when_active
		                                                           : t->when_closed);
	if (strcmp(date, t->after_start ? cur->start : cur->referred) < 0)
		return field_error_set(err, "date", t->too_early);
	return RC_OK;
}

/*
 * The preamble of every transition, inside its transaction: the
 * participation exists (RC_NOT_FOUND), the actor may act on its insats
 * (RC_DENIED), and transition_check.  Fills *cur for the change.
 */
static enum rc transition_begin(struct db *db, const struct state_ctx *c,
                                struct participation_state *cur)
{
	field_error_clear(c->err);
	enum rc rc = participation_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if ((rc = db_prepare(db,
	                     "SELECT intervention_id, state, referred_on, coalesce(start_on, ''),"
	                     " counts FROM participation WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		cur->intervention_id = db_col_int64(q, 0);
		str_copy(cur->state, sizeof cur->state, db_col_text(q, 1));
		str_copy(cur->referred, sizeof cur->referred, db_col_text(q, 2));
		str_copy(cur->start, sizeof cur->start, db_col_text(q, 3));
		cur->counts = db_col_bool(q, 4);
	}
	db_finalize(q);
	if (s != DB_ROW)
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;
	return transition_check(c->t, cur, c->date, c->err);
}

/* The end of every transition, after its own update: the tally follows
 * (counts: whether the participation counts now; gathered in tally when
 * given) and the history says what changed (the state, then field's new
 * value when field is given); *cur becomes the new state.  The caller
 * writes the audit entry last. */
static enum rc transition_finish(struct db *db, const struct actor *who, int64_t id,
                                 const struct transition *t, struct participation_state *cur,
                                 int counts, const char *field, const char *value,
                                 struct tally_batch *tally)
{
	enum rc rc;
	if ((rc = tally_move(db, tally, cur->intervention_id, cur->state, cur->counts, t->to,
	                     counts)) ||
	    (rc = participation_history_add(db, who, id, "state", t->from, t->to)))
		return rc;
	str_copy(cur->state, sizeof cur->state, t->to);
	cur->counts = counts;
	return field ? participation_history_add(db, who, id, field, NULL, value) : RC_OK;
}

/* The answers of a registration in phase; fresh: the participation was
 * created in this transaction and has none yet (an import), so there are
 * no earlier ones to replace. */
static enum rc insert_answers(struct db *db, int64_t id, const char *phase,
                              const struct registration *r, int fresh)
{
	struct db_stmt *q;
	enum rc rc = RC_OK;
	if (!fresh) {
		if ((rc = db_prepare(db,
		                     "DELETE FROM participation_answer WHERE participation_id = $1"
		                     " AND phase = $2",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, id);
		db_bind_text(q, 2, phase);
		rc = db_run(q);
	}
	for (size_t i = 0; !rc && i < r->nanswers; i++) {
		if ((rc = db_prepare(
		         db,
		         "INSERT INTO participation_answer (participation_id, phase, list,"
		         " code, extent) VALUES ($1, $2, $3, $4, $5)",
		         &q)))
			return rc;
		db_bind_int64(q, 1, id);
		db_bind_text(q, 2, phase);
		db_bind_text(q, 3, r->answers[i].list);
		db_bind_text(q, 4, r->answers[i].code);
		if (r->answers[i].extent >= 0)
			db_bind_int64(q, 5, r->answers[i].extent);
		else
			db_bind_null(q, 5);
		rc = db_run(q);
		if (rc == RC_CONFLICT)
			rc = RC_INVALID; /* the same code twice */
	}
	return rc;
}

/* Checks the answers of a registration: codes valid, one employment,
 * at most one education and time in support, extents 0–100. */
static enum rc check_answers(const struct code_lookup *codes, const struct registration *r,
                             int need_support, struct field_error *err)
{
	int support = 0, employment = 0, education = 0, support_time = 0;
	enum rc bad = RC_OK;
	for (size_t i = 0; i < r->nanswers; i++) {
		const struct answer *an = &r->answers[i];
		if (!an->list || !an->code || !codes->valid(codes->ctx, an->list, an->code)) {
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

void participation_end_columns(const struct registration *r, int *counts, int *complete)
{
	int felreg = strcmp(r->end_reason, "felregistrering") == 0;
	int has_support = 0, has_employment = 0;
	for (size_t i = 0; i < r->nanswers; i++) {
		has_support |= strcmp(r->answers[i].list, "support") == 0;
		has_employment |= strcmp(r->answers[i].list, "employment") == 0;
	}
	*counts = !felreg;
	*complete = !felreg && has_support && has_employment;
}

enum rc participation_start_check(const struct participation_state *cur, const char *date,
                                  struct field_error *err)
{
	return transition_check(&T_START, cur, date, err);
}

enum rc participation_end_check(const struct participation_state *cur, const char *date,
                                struct field_error *err)
{
	return transition_check(&T_END, cur, date, err);
}

enum rc participation_start_validate(const struct code_lookup *codes, int64_t now,
                                     const struct registration *r, struct field_error *err)
{
	/* Date and answers are independent: both are checked before the
	 * state, which the transaction reads. */
	field_error_clear(err);
	enum rc rc = participation_check_date(r->date, now, err);
	if (check_answers(codes, r, 1, err))
		rc = RC_INVALID;
	return rc;
}

enum rc participation_start_write(struct db *db, const struct actor *who, int64_t id,
                                  struct participation_state *cur, const struct registration *r,
                                  int fresh, struct tally_batch *tally, struct field_error *err)
{
	enum rc rc = transition_check(&T_START, cur, r->date, err);
	if (rc)
		return rc;
	struct db_stmt *q;
	if (!fresh) {
		if ((rc = db_prepare(db,
		                     "UPDATE participation SET state = 'active', start_on = $2"
		                     " WHERE id = $1",
		                     &q)))
			return rc;
		db_bind_int64(q, 1, id);
		db_bind_text(q, 2, r->date);
		if ((rc = db_run(q)))
			return rc;
	}
	if ((rc = insert_answers(db, id, "start", r, fresh)) ||
	    (rc = transition_finish(db, who, id, &T_START, cur, cur->counts, "start_on", r->date,
	                            tally)))
		return rc;
	str_copy(cur->start, sizeof cur->start, r->date);
	return RC_OK;
}

static enum rc start_tx(struct db *db, void *v)
{
	struct state_ctx *c = v;
	struct participation_state cur;
	enum rc rc = transition_begin(db, c, &cur);
	if (rc || (rc = participation_start_write(db, c->who, c->id, &cur, c->r, 0, NULL, c->err)))
		return rc;
	return audit_append(db, c->who, "start", "participation", c->id, "");
}

enum rc participation_start(struct db *db, const struct actor *who, int64_t id,
                            const struct registration *r, struct field_error *err)
{
	struct code_lookup codes = {db_code_valid, db};
	enum rc rc = participation_start_validate(&codes, actor_now(who), r, err);
	if (rc)
		return rc;
	struct state_ctx c = {&T_START, who, id, r, r->date, NULL, err};
	return db_tx(db, start_tx, &c);
}

enum rc participation_end_validate(const struct code_lookup *codes, int64_t now,
                                   const struct registration *r, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = participation_check_date(r->date, now, err);
	if (!r->end_reason || !codes->valid(codes->ctx, "end_reason", r->end_reason))
		rc = field_error_add(err, "end_reason", "Välj avslutsorsak i listan.");
	else if (strcmp(r->end_reason, "felregistrering") != 0 && check_answers(codes, r, 0, err))
		rc = RC_INVALID;
	return rc;
}

enum rc participation_end_write(struct db *db, const struct actor *who, int64_t id,
                                struct participation_state *cur, const struct registration *r,
                                int fresh, struct tally_batch *tally, struct field_error *err)
{
	enum rc rc = transition_check(&T_END, cur, r->date, err);
	if (rc)
		return rc;
	int counts, complete;
	participation_end_columns(r, &counts, &complete);
	struct db_stmt *q;
	if (!fresh) {
		if ((rc = db_prepare(
		         db,
		         "UPDATE participation SET state = 'ended', end_on = $2,"
		         " end_reason = $3, counts = $4, end_complete = $5 WHERE id = $1",
		         &q)))
			return rc;
		db_bind_int64(q, 1, id);
		db_bind_text(q, 2, r->date);
		db_bind_text(q, 3, r->end_reason);
		db_bind_int64(q, 4, counts);
		db_bind_int64(q, 5, complete);
		if ((rc = db_run(q)))
			return rc;
	}
	/* Felregistrering: out of the statistics, and no answers. */
	if (counts && (rc = insert_answers(db, id, "end", r, fresh)))
		return rc;
	return transition_finish(db, who, id, &T_END, cur, counts, "end_reason", r->end_reason,
	                         tally);
}

static enum rc end_tx(struct db *db, void *v)
{
	struct state_ctx *c = v;
	struct participation_state cur;
	enum rc rc = transition_begin(db, c, &cur);
	if (rc || (rc = participation_end_write(db, c->who, c->id, &cur, c->r, 0, NULL, c->err)))
		return rc;
	return audit_append(db, c->who, "end", "participation", c->id, c->r->end_reason);
}

enum rc participation_end(struct db *db, const struct actor *who, int64_t id,
                          const struct registration *r, struct field_error *err)
{
	struct code_lookup codes = {db_code_valid, db};
	enum rc rc = participation_end_validate(&codes, actor_now(who), r, err);
	if (rc)
		return rc;
	struct state_ctx c = {&T_END, who, id, r, r->date, r->end_reason, err};
	return db_tx(db, end_tx, &c);
}

static enum rc cancel_tx(struct db *db, void *v)
{
	struct state_ctx *c = v;
	struct participation_state cur;
	enum rc rc = transition_begin(db, c, &cur);
	if (rc)
		return rc;
	/* Felregistrering takes it out of the statistics; any other reason
	 * keeps what it was. */
	int counts = strcmp(c->reason, "felregistrering") == 0 ? 0 : cur.counts;
	struct db_stmt *q;
	if ((rc = db_prepare(db,
	                     "UPDATE participation SET state = 'cancelled', end_on = $2,"
	                     " end_reason = $3, counts = $4 WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, c->date);
	db_bind_text(q, 3, c->reason);
	db_bind_int64(q, 4, counts);
	if ((rc = db_run(q)) ||
	    (rc = transition_finish(db, c->who, c->id, &T_CANCEL, &cur, counts, NULL, NULL, NULL)))
		return rc;
	return audit_append(db, c->who, "cancel", "participation", c->id, c->reason);
}

enum rc participation_cancel(struct db *db, const struct actor *who, int64_t id, const char *date,
                             const char *reason, struct field_error *err)
{
	field_error_clear(err);
	enum rc rc = participation_check_date(date, actor_now(who), err);
	if (!codes_valid(db, "end_reason", reason))
		rc = field_error_add(err, "end_reason", "Välj orsak i listan.");
	if (rc)
		return rc;
	struct state_ctx c = {&T_CANCEL, who, id, NULL, date, reason, err};
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
	enum rc rc;
	if ((rc = db_prepare(
	         db,
	         "SELECT a.name, (SELECT o.name FROM participation p2 LEFT JOIN area o"
	         "  ON o.id = p2.home_area_id WHERE p2.id = $2)"
	         " FROM area a JOIN intervention i ON i.association_id = a.association_id"
	         " JOIN participation p ON p.intervention_id = i.id"
	         " WHERE a.id = $1 AND a.kind = 'kommun' AND p.id = $2",
	         &q)))
		return rc;
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
	if ((rc = db_prepare(db,
	                     "UPDATE participation SET home_area_id = $2, home_district_id = NULL"
	                     " WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_int64(q, 2, area);
	if ((rc = db_run(q)) ||
	    (rc = participation_history_add(db, c->who, c->id, "home_area",
	                                    old_name[0] ? old_name : NULL, new_name)))
		return rc;
	return audit_append(db, c->who, "correct", "participation", c->id, "home_area_id");
}

/* A corrected date's own problems, each in its words: missing, written
 * wrongly or not a day that exists (str_date_problem_named), or after
 * today.  RC_INVALID with the error on "value", or RC_OK. */
static enum rc correct_date_check(const char *label, const char *val, const char *today,
                                  struct field_error *err)
{
	char msg[240];
	if (str_blank(val)) {
		snprintf(msg, sizeof msg, "%s måste anges.", label);
		return field_error_set(err, "value", msg);
	}
	if (str_date_problem_named(label, val, msg, sizeof msg))
		return field_error_set(err, "value", msg);
	if (strcmp(val, today) > 0) {
		snprintf(msg, sizeof msg, "%s kan inte ligga i framtiden.", label);
		return field_error_set(err, "value", msg);
	}
	return RC_OK;
}

static enum rc correct_tx(struct db *db, void *v)
{
	struct correct_ctx *c = v;
	field_error_clear(c->err);
	enum rc rc = participation_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if ((rc = db_prepare(db,
	                     "SELECT state, referred_on, start_on, end_on, end_reason, sex,"
	                     " identity_id IS NOT NULL, intervention_id, counts"
	                     " FROM participation WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	enum db_step s = db_step(q);
	char state[16] = "", referred[11] = "", start[11] = "", end[11] = "", reason[40] = "",
	     sex[4] = "";
	int identified = 0, counts = 0;
	int64_t intervention = 0;
	if (s == DB_ROW) {
		str_copy(state, sizeof state, db_col_text(q, 0));
		str_copy(referred, sizeof referred, db_col_text(q, 1));
		str_copy(start, sizeof start, db_col_text(q, 2));
		str_copy(end, sizeof end, db_col_text(q, 3));
		str_copy(reason, sizeof reason, db_col_text(q, 4));
		str_copy(sex, sizeof sex, db_col_text(q, 5));
		identified = db_col_bool(q, 6);
		intervention = db_col_int64(q, 7);
		counts = db_col_bool(q, 8);
	}
	db_finalize(q);
	if (s != DB_ROW)
		return s == DB_DONE ? RC_NOT_FOUND : RC_DB;

	const char *old = NULL;
	const char *val = c->value;
	char today[11];
	svtime_today(actor_now(c->who), today);
	if (strcmp(c->field, "referred_on") == 0) {
		old = referred;
		if ((rc = correct_date_check("Anmälningsdatum", val, today, c->err)))
			return rc;
		if (start[0] && strcmp(val, start) > 0)
			return field_error_set(
			    c->err, "value",
			    "Anmälningsdatum ska vara samma dag som eller före startdatum.");
	} else if (strcmp(c->field, "start_on") == 0) {
		old = start;
		if (!start[0])
			return field_error_set(c->err, "field", "Deltagaren är inte inskriven än.");
		if ((rc = correct_date_check("Startdatum", val, today, c->err)))
			return rc;
		if (strcmp(val, referred) < 0 || (end[0] && strcmp(val, end) > 0))
			return field_error_set(
			    c->err, "value",
			    end[0]
			        ? "Startdatum ska vara samma dag som eller efter anmälningsdatum "
			          "och samma dag som eller före slutdatum."
			        : "Startdatum ska vara samma dag som eller efter anmälningsdatum.");
	} else if (strcmp(c->field, "end_on") == 0) {
		old = end;
		if (strcmp(state, "ended") != 0)
			return field_error_set(c->err, "field", "Deltagandet är inte avslutat.");
		if ((rc = correct_date_check("Slutdatum", val, today, c->err)))
			return rc;
		if (strcmp(val, start) < 0)
			return field_error_set(
			    c->err, "value",
			    "Slutdatum ska vara samma dag som eller efter startdatum.");
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
			return field_error_set(c->err, "value", "Välj kvinna eller man.");
	} else {
		return field_error_set(c->err, "field", "Den uppgiften kan inte rättas här.");
	}
	if (strcmp(old, val) == 0)
		return RC_OK;

	static const char *const sql[] = {
	    "UPDATE participation SET referred_on = $2 WHERE id = $1",
	    "UPDATE participation SET start_on = $2 WHERE id = $1",
	    "UPDATE participation SET end_on = $2 WHERE id = $1",
	    "UPDATE participation SET end_reason = $2, counts = $3 WHERE id = $1",
	    "UPDATE participation SET sex = $2 WHERE id = $1",
	};
	int which = strcmp(c->field, "referred_on") == 0  ? 0
	            : strcmp(c->field, "start_on") == 0   ? 1
	            : strcmp(c->field, "end_on") == 0     ? 2
	            : strcmp(c->field, "end_reason") == 0 ? 3
	                                                  : 4;
	/* The end reason decides whether the episode counts (felregistrering
	 * takes it out of the statistics); the tally follows. */
	int new_counts = which == 3 ? strcmp(val, "felregistrering") != 0 : counts;
	if ((rc = db_prepare(db, sql[which], &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, val);
	if (which == 3)
		db_bind_int64(q, 3, new_counts);
	if ((rc = db_run(q)) ||
	    (rc = participation_tally_move(db, intervention, state, counts, state, new_counts)) ||
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
	field_error_clear(c->err);
	enum rc rc = participation_may_change(db, c->who, c->id);
	if (rc)
		return rc;
	struct db_stmt *q;
	if ((rc = db_prepare(db, "SELECT coalesce(start_on, '') FROM participation WHERE id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	struct arena *a = arena_new(0);
	if (!a)
		return RC_NOMEM;
	const char *got = NULL;
	char start[11] = "";
	if (!(rc = db_one_text(q, a, &got)) && got)
		str_copy(start, sizeof start, got);
	arena_free(a);
	if (rc)
		return rc;
	if (!start[0])
		return field_error_set(c->err, "month", "Deltagaren är inte inskriven.");
	if (strncmp(c->month, start, 7) < 0)
		return field_error_set(c->err, "month", "Månaden ligger före deltagandets start.");
	if ((rc = db_prepare(db,
	                     "INSERT INTO attendance (participation_id, month, hours_tenths)"
	                     " VALUES ($1, $2, $3) ON CONFLICT (participation_id, month)"
	                     " DO UPDATE SET hours_tenths = excluded.hours_tenths",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, c->id);
	db_bind_text(q, 2, c->month);
	db_bind_int64(q, 3, c->tenths);
	if ((rc = db_run(q)))
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
