/* Unit tests for insatser and participants: the vault, fixed insats
 * fields, referral with and without consent, every state change,
 * corrections with history, consent withdrawal and protection erasing the
 * identity while the figures stay, who may see an identity, the register
 * extract, the queue and the work lists.  All people are synthetic. */
#include <sqlite3.h>

#include "testutil.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/participation.h"
#include "core/personal_data.h"
#include "core/intervention.h"
#include "core/org.h"
#include "util/arena.h"
#include "util/str.h"
#include "util/vault.h"
#include "web/extract.h"

struct fx {
	struct testdb t;
	struct vault *v;
	struct arena *a;
	int64_t assoc, intervention, other_intervention, volume, kommun, dr_user, other_dr;
	struct actor dr, other, admin;
	char pnr_a[14], pnr_b[14];
};

/* A synthetic personnummer from nine digits plus a computed check digit. */
static void make_pnr(const char *nine, char out[14])
{
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		int v = nine[i] - '0';
		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	snprintf(out, 14, "%.6s-%.3s%d", nine, nine + 6, (10 - sum % 10) % 10);
}

static int64_t add_intervention(struct fx *f, const char *name, const char *orientation,
                                const char *method)
{
	struct intervention x = {0};
	struct field_error e;
	x.association_id = f->assoc;
	x.name = name;
	x.orientation = orientation;
	x.method = method;
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_OK);
	return x.id;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	testdb_open(&f->t);
	char key[160];
	snprintf(key, sizeof key, "%s.key", f->t.path);
	assert_int_equal(crypto_key_create(key), RC_OK);
	assert_int_equal(vault_open(key, &f->v), RC_OK);
	f->a = arena_new(0);
	struct field_error e;
	assert_int_equal(org_association_create(f->t.db, &test_actor, "Förbundet", &f->assoc, &e),
	                 RC_OK);
	struct area k = {0};
	k.association_id = f->assoc;
	k.kind = "kommun";
	k.name = "Ekeby";
	assert_int_equal(org_area_save(f->t.db, &test_actor, &k, &e), RC_OK);
	f->kommun = k.id;
	f->intervention = add_intervention(f, "Steget vidare", "individ", "person");
	f->other_intervention = add_intervention(f, "Ungdomsspåret", "individ", "person");
	f->volume = add_intervention(f, "Konferens", "struktur", "volym");
	assert_int_equal(auth_user_add(f->t.db, &test_actor, "dr", "Del Ansvarig", ROLE_CASEWORKER,
	                               "langt-losenord", &f->dr_user, &e),
	                 RC_OK);
	assert_int_equal(auth_user_add(f->t.db, &test_actor, "dr2", "Annan Ansvarig",
	                               ROLE_CASEWORKER, "langt-losenord", &f->other_dr, &e),
	                 RC_OK);
	assert_int_equal(intervention_staff_set(f->t.db, &test_actor, f->intervention, f->dr_user,
	                                        "deltagaransvarig", 1, &e),
	                 RC_OK);
	assert_int_equal(intervention_staff_set(f->t.db, &test_actor, f->other_intervention,
	                                        f->other_dr, "deltagaransvarig", 1, &e),
	                 RC_OK);
	f->dr = (struct actor){f->dr_user, "dr", "127.0.0.1", ROLE_CASEWORKER, 0};
	f->other = (struct actor){f->other_dr, "dr2", "127.0.0.1", ROLE_CASEWORKER, 0};
	f->admin = (struct actor){0, "admin", "127.0.0.1", ROLE_ADMIN, 0};
	make_pnr("900101238", f->pnr_a); /* ninth digit 8: woman */
	make_pnr("850615113", f->pnr_b); /* ninth digit 3: man */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	vault_close(f->v);
	arena_free(f->a);
	testdb_close(&f->t);
	free(f);
	return 0;
}

static struct referral with_consent(struct fx *f, int64_t intervention, const char *pnr)
{
	struct referral r = {0};
	r.intervention_id = intervention;
	r.referred_on = "2025-03-01";
	r.source = "fk";
	r.home_area_id = f->kommun;
	r.pnr = pnr;
	r.name = "Testa Testsson";
	r.consent_on = "2025-03-01";
	r.consent_form = "2024:1";
	return r;
}

static struct referral anonymous(struct fx *f, const char *sex)
{
	struct referral r = {0};
	r.intervention_id = f->intervention;
	r.referred_on = "2025-02-01";
	r.source = "egen";
	r.sex = sex;
	return r;
}

static int64_t count(struct fx *f, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(f->t.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

static const struct answer start_answers[] = {
    {"support", "forsorjningsstod", 100},
    {"employment", "ovrigt", -1},
    {"education", "gymnasial", -1},
    {"support_time", "over_9", -1},
};
static const struct answer end_answers[] = {
    {"support", "lon", 50},
    {"support", "forsorjningsstod", 50},
    {"employment", "forvarvsarbete", -1},
};

static void start(struct fx *f, int64_t id, const char *date)
{
	struct field_error e;
	struct registration r = {date, NULL, start_answers, 4};
	assert_int_equal(participation_start(f->t.db, &f->dr, id, &r, &e), RC_OK);
}

/* ---- tests --------------------------------------------------------------- */

static void vault_seals_and_detects_tampering(void **state)
{
	struct fx *f = *state;
	char *sealed = vault_seal(f->v, f->a, "199001012389");
	assert_non_null(sealed);
	assert_null(strstr(sealed, "19900101"));
	assert_string_equal(vault_unseal(f->v, f->a, sealed), "199001012389");
	assert_string_not_equal(vault_seal(f->v, f->a, "199001012389"), sealed); /* fresh nonce */
	char *bad = arena_strdup(f->a, sealed);
	bad[30] = bad[30] == 'A' ? 'B' : 'A';
	assert_null(vault_unseal(f->v, f->a, bad));
	char h1[65], h2[65];
	vault_hash(f->v, "199001012389", h1);
	vault_hash(f->v, "199001012389", h2);
	assert_string_equal(h1, h2);
	/* Another key: neither opens nor hashes alike. */
	char key[160];
	snprintf(key, sizeof key, "%s.other", f->t.path);
	assert_int_equal(crypto_key_create(key), RC_OK);
	struct vault *v2;
	assert_int_equal(vault_open(key, &v2), RC_OK);
	assert_null(vault_unseal(v2, f->a, sealed));
	vault_hash(v2, "199001012389", h2);
	assert_string_not_equal(h1, h2);
	vault_close(v2);
	unlink(key);
}

static void intervention_fixed_fields_cannot_change(void **state)
{
	struct fx *f = *state;
	struct intervention x;
	struct field_error e;
	assert_int_equal(intervention_get(f->t.db, f->a, f->intervention, &x), RC_OK);
	x.name = "Steget vidare 2";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_OK);
	x.method = "volym";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_INVALID);
	assert_string_equal(e.field, "method");
	assert_non_null(strstr(e.message, "går inte att ändra"));
	x.method = "person";
	x.esf = 1;
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_INVALID);
	assert_string_equal(e.field, "esf");
	x.esf = 0;
	x.orientation = "struktur";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_INVALID);
	struct intervention y = {0};
	y.association_id = f->assoc;
	y.name = "Struktur per person";
	y.orientation = "struktur";
	y.method = "person";
	y.start_on = "2024-01-01";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &y, &e), RC_INVALID);
	assert_string_equal(e.field, "method");
	/* The store refuses it too, whatever code might try. */
	assert_int_not_equal(db_exec(f->t.db, "UPDATE intervention SET esf = 1"), RC_OK);
}

static void intervention_years_and_staff(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	struct intervention_year y = {2025, 40, 150000000, 0, -1, -1};
	assert_int_equal(intervention_year_set(f->t.db, &test_actor, f->intervention, &y, &e),
	                 RC_OK);
	y.outcome_cost = 140000000;
	assert_int_equal(intervention_year_set(f->t.db, &test_actor, f->intervention, &y, &e),
	                 RC_OK);
	struct intervention_year *ys;
	size_t n;
	assert_int_equal(intervention_years(f->t.db, f->a, f->intervention, &ys, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ys[0].outcome_cost, 140000000);
	assert_int_equal(ys[0].outcome_esf_cost, -1);
	/* Only an account with the matching role can be assigned. */
	int64_t chef;
	assert_int_equal(auth_user_add(f->t.db, &test_actor, "chef", "Chef", ROLE_DIRECTOR,
	                               "langt-losenord", &chef, &e),
	                 RC_OK);
	assert_int_equal(intervention_staff_set(f->t.db, &test_actor, f->intervention, chef,
	                                        "deltagaransvarig", 1, &e),
	                 RC_INVALID);
	assert_true(
	    intervention_is_staff(f->t.db, f->intervention, f->dr_user, "deltagaransvarig"));
	assert_false(
	    intervention_is_staff(f->t.db, f->other_intervention, f->dr_user, "deltagaransvarig"));
}

static void volume_counts_only_for_volume_interventions(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	struct volume_count v = {0, "2025-01-01", "2025-03-31", 12, 7};
	assert_int_equal(intervention_volume_add(f->t.db, &test_actor, f->volume, &v, &e), RC_OK);
	assert_int_equal(intervention_volume_add(f->t.db, &test_actor, f->intervention, &v, &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "women");
	struct volume_count backwards = {0, "2025-03-31", "2025-01-01", 1, 1};
	assert_int_equal(intervention_volume_add(f->t.db, &test_actor, f->volume, &backwards, &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "period_end");
	struct volume_count negative = {0, "2025-01-01", "2025-03-31", -1, 1};
	assert_int_equal(intervention_volume_add(f->t.db, &test_actor, f->volume, &negative, &e),
	                 RC_INVALID);
	struct volume_count *list;
	size_t n;
	assert_int_equal(intervention_volume_list(f->t.db, f->a, f->volume, &list, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].women, 12);
	assert_int_equal(list[0].men, 7);
}

static void referral_with_consent_seals_identity(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	int64_t id;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, id, &p), RC_OK);
	assert_true(p.identified);
	assert_string_equal(p.sex, "K");
	assert_int_equal(p.birth_year, 1990);
	assert_string_equal(p.state, "queued");
	assert_string_equal(p.consent_on, "2025-03-01");
	/* Neither the number nor the name is readable in the file. */
	char digits[13];
	snprintf(digits, sizeof digits, "19%.6s%.4s", f->pnr_a, f->pnr_a + 7);
	char sql[256];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM identity WHERE sealed_pnr LIKE '%%%s%%' OR"
	         " sealed_name LIKE '%%Testa%%' OR pnr_hash LIKE '%%%s%%'",
	         digits, digits);
	assert_int_equal(count(f, sql), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 1);
	/* The same person in a second insats: each consented participation
	 * owns the identity typed there; the keyed hash ties them together. */
	r = with_consent(f, f->other_intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &r, &id, &e), RC_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 2);
	assert_int_equal(count(f, "SELECT count(DISTINCT pnr_hash) FROM identity"), 1);
	assert_int_equal(
	    count(f, "SELECT count(*) FROM participation WHERE identity_id IS NOT NULL"), 2);
}

static void identity_needs_consent_and_no_protection(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	r.consent_on = NULL;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_INVALID);
	assert_string_equal(e.field, "consent_on");
	r = with_consent(f, f->intervention, f->pnr_a);
	r.protected_identity = 1;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_INVALID);
	assert_string_equal(e.field, "pnr");
	char wrong[14];
	str_copy(wrong, sizeof wrong, f->pnr_a);
	wrong[10] = wrong[10] == '9' ? '0' : (char)(wrong[10] + 1); /* a wrong check digit */
	r = with_consent(f, f->intervention, wrong);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_INVALID);
	assert_string_equal(e.field, "pnr");
	r = with_consent(f, f->volume, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_INVALID);
	assert_string_equal(e.field, "intervention_id");
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM participation"), 0);
}

/* The referral and the start report every wrong field at once, with a
 * date message that says what is wrong, and refuse hidden characters. */
static void registrations_report_every_field_error(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	r.referred_on = "2025-02-30";
	r.source = "okand";
	r.source_unit = "Soc\r\ntj";
	r.consent_form = NULL;
	r.name = "Anna \xe2\x80\xae grebnA";
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_INVALID);
	assert_int_equal(field_error_count(&e), 5);
	assert_string_equal(e.field, "referred_on");
	assert_string_equal(
	    field_error_for(&e, "referred_on"),
	    "Anmälningsdatum: Datumet finns inte – ange ett giltigt datum som 2025-02-28.");
	assert_non_null(field_error_for(&e, "source"));
	assert_non_null(field_error_for(&e, "source_unit"));
	assert_non_null(field_error_for(&e, "consent_form"));
	assert_non_null(strstr(field_error_for(&e, "name"), "osynliga"));
	assert_int_equal(count(f, "SELECT count(*) FROM participation"), 0);

	r = anonymous(f, "K");
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	struct registration bad = {"2025-02-30", NULL, NULL, 0};
	assert_int_equal(participation_start(f->t.db, &f->dr, id, &bad, &e), RC_INVALID);
	assert_int_equal(field_error_count(&e), 3);
	assert_non_null(strstr(field_error_for(&e, "date"), "Datumet finns inte"));
	assert_non_null(field_error_for(&e, "support"));
	assert_non_null(field_error_for(&e, "employment"));
	struct registration end = {"31/1", "nej", NULL, 0};
	assert_int_equal(participation_cancel(f->t.db, &f->dr, id, end.date, end.end_reason, &e),
	                 RC_INVALID);
	assert_int_equal(field_error_count(&e), 2);
	assert_string_equal(field_error_for(&e, "date"),
	                    "Datum: Skriv datumet som år-månad-dag, till exempel 2026-01-31.");
	assert_non_null(field_error_for(&e, "end_reason"));
}

static void anonymous_referral_keeps_only_sex_and_dates(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id;
	struct referral r = anonymous(f, NULL);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_INVALID);
	assert_string_equal(e.field, "sex");
	r = anonymous(f, "M");
	r.protected_identity = 1;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, id, &p), RC_OK);
	assert_false(p.identified);
	assert_int_equal(p.birth_year, 0);
	assert_true(p.protected_identity);
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 0);
}

static void flow_start_end_and_felregistrering(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id, id2;
	struct referral r = anonymous(f, "K");
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	struct registration early = {"2025-01-15", NULL, start_answers, 4};
	assert_int_equal(participation_start(f->t.db, &f->dr, id, &early, &e), RC_INVALID);
	assert_string_equal(e.field, "date");
	struct registration no_employment = {"2025-02-10", NULL, start_answers, 1};
	assert_int_equal(participation_start(f->t.db, &f->dr, id, &no_employment, &e), RC_INVALID);
	assert_string_equal(e.field, "employment");
	struct answer dup[] = {
	    {"support", "lon", -1}, {"support", "lon", -1}, {"employment", "ovrigt", -1}};
	struct registration twice = {"2025-02-10", NULL, dup, 3};
	assert_int_equal(participation_start(f->t.db, &f->dr, id, &twice, &e), RC_INVALID);
	struct registration end_early = {"2025-02-10", "arbete", end_answers, 3};
	assert_int_equal(participation_end(f->t.db, &f->dr, id, &end_early, &e), RC_INVALID);
	start(f, id, "2025-02-10");
	struct registration again = {"2025-02-11", NULL, start_answers, 4};
	assert_int_equal(participation_start(f->t.db, &f->dr, id, &again, &e), RC_INVALID);
	struct registration before_start = {"2025-02-01", "arbete", end_answers, 3};
	assert_int_equal(participation_end(f->t.db, &f->dr, id, &before_start, &e), RC_INVALID);
	struct registration end = {"2025-09-30", "arbete", end_answers, 3};
	assert_int_equal(participation_end(f->t.db, &f->dr, id, &end, &e), RC_OK);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, id, &p), RC_OK);
	assert_string_equal(p.state, "ended");
	assert_true(p.counts);
	assert_int_equal(count(f, "SELECT count(*) FROM participation_answer WHERE phase = 'end'"),
	                 3);

	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id2, &e), RC_OK);
	start(f, id2, "2025-02-10");
	struct registration felreg = {"2025-02-11", "felregistrering", NULL, 0};
	assert_int_equal(participation_end(f->t.db, &f->dr, id2, &felreg, &e), RC_OK);
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, id2, &p), RC_OK);
	assert_false(p.counts); /* out of the statistics, kept in history */
	/* queued, active, start date, ended, end reason */
	assert_int_equal(
	    count(f, "SELECT count(*) FROM participation_history WHERE participation_id = 2"), 5);
}

static void cancel_and_corrections_keep_history(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id, id2;
	struct referral r = anonymous(f, "K");
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	assert_int_equal(participation_cancel(f->t.db, &f->dr, id, "2025-02-05", "eget_val", &e),
	                 RC_OK);
	assert_int_equal(participation_cancel(f->t.db, &f->dr, id, "2025-02-05", "eget_val", &e),
	                 RC_INVALID);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id2, &e), RC_OK);
	start(f, id2, "2025-02-10");
	assert_int_equal(participation_correct(f->t.db, &f->dr, id2, "start_on", "2025-01-01", &e),
	                 RC_INVALID);
	assert_int_equal(participation_correct(f->t.db, &f->dr, id2, "start_on", "2025-02-12", &e),
	                 RC_OK);
	assert_int_equal(participation_correct(f->t.db, &f->dr, id2, "sex", "M", &e), RC_OK);
	assert_int_equal(participation_correct(f->t.db, &f->dr, id2, "identity_id", "1", &e),
	                 RC_INVALID);
	assert_int_equal(count(f,
	                       "SELECT count(*) FROM participation_history WHERE field = 'start_on'"
	                       " AND old_value = '2025-02-10' AND new_value = '2025-02-12'"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM participation_history WHERE field = 'sex'"
	                          " AND old_value = 'K' AND new_value = 'M'"),
	                 1);
}

static void withdrawal_erases_identity_and_keeps_figures(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id, id2;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	r = with_consent(f, f->other_intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &r, &id2, &e), RC_OK);
	start(f, id, "2025-03-10");
	assert_int_equal(personal_withdraw_consent(f->t.db, &f->dr, id, "2025-02-01", &e),
	                 RC_INVALID);
	assert_int_equal(personal_withdraw_consent(f->t.db, &f->dr, id, "2025-04-01", &e), RC_OK);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, id, &p), RC_OK);
	assert_false(p.identified);
	assert_int_equal(p.birth_year, 0);
	assert_string_equal(p.sex, "K"); /* the figures stay */
	assert_string_equal(p.start_on, "2025-03-10");
	assert_string_equal(p.consent_withdrawn_on, "2025-04-01");
	/* Consent is per insats: the other episode still holds the identity. */
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 1);
	assert_int_equal(personal_withdraw_consent(f->t.db, &f->other, id2, "2025-04-02", &e),
	                 RC_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 0);
	assert_int_equal(personal_withdraw_consent(f->t.db, &f->other, id2, "2025-04-02", &e),
	                 RC_INVALID);
}

/* Review issue 6, item 1: a deltagaransvarig of insats A types the number
 * insats B (where they are not staffed) already holds, with another name.
 * They see only what they typed; B is untouched; protection in A leaves B
 * intact and puts a request on the administrator's work list. */
static void number_from_another_intervention_reveals_and_erases_nothing(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t in_b, in_a;
	struct referral r = with_consent(f, f->other_intervention, f->pnr_b);
	r.name = "Bertil Bsson";
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &r, &in_b, &e), RC_OK);
	r = with_consent(f, f->intervention, f->pnr_b);
	r.name = "Adam Asson";
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &in_a, &e), RC_OK);
	const char *pnr, *name;
	assert_int_equal(
	    personal_identity(f->t.db, f->v, &f->dr, in_a, "kontakt", f->a, &pnr, &name), RC_OK);
	assert_string_equal(name, "Adam Asson"); /* what was typed, not B's name */
	assert_int_equal(
	    personal_identity(f->t.db, f->v, &f->other, in_b, "kontakt", f->a, &pnr, &name), RC_OK);
	assert_string_equal(name, "Bertil Bsson");
	/* Withdrawal in A: B keeps its identity. */
	assert_int_equal(personal_withdraw_consent(f->t.db, &f->dr, in_a, "2025-04-01", &e), RC_OK);
	assert_int_equal(
	    personal_identity(f->t.db, f->v, &f->other, in_b, "kontakt", f->a, &pnr, &name), RC_OK);
	assert_string_equal(name, "Bertil Bsson");
	/* Register again in A and protect there: A is erased, B is not. */
	r.name = "Adam Asson";
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &in_a, &e), RC_OK);
	/* Asked for at 00:30 Swedish time on 15 March (23:30 UTC the day
	 * before): the request is of 15 March.  Before, the UTC date. */
	struct actor late = f->dr;
	late.now = 1741995000; /* 2025-03-14T23:30:00Z */
	assert_int_equal(personal_protect(f->t.db, &late, in_a), RC_OK);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, in_a, &p), RC_OK);
	assert_false(p.identified);
	assert_true(p.protected_identity);
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, in_b, &p), RC_OK);
	assert_true(p.identified);
	assert_false(p.protected_identity);
	assert_int_equal(
	    personal_identity(f->t.db, f->v, &f->other, in_b, "kontakt", f->a, &pnr, &name), RC_OK);
	assert_string_equal(name, "Bertil Bsson");
	/* The administrator's work list holds the request; only they see it. */
	struct protect_request *req;
	size_t n;
	assert_int_equal(personal_protect_requests(f->t.db, f->a, &f->dr, f->assoc, &req, &n),
	                 RC_DENIED);
	assert_int_equal(personal_protect_requests(f->t.db, f->a, &f->admin, f->assoc, &req, &n),
	                 RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(req[0].participation_id, in_a);
	assert_int_equal(req[0].identified, 1);
	assert_string_equal(req[0].requested_on, "2025-03-15");
	size_t erased = 0;
	assert_int_equal(personal_protect_apply(f->t.db, &f->dr, req[0].id, &erased), RC_DENIED);
	assert_int_equal(personal_protect_apply(f->t.db, &f->admin, req[0].id, &erased), RC_OK);
	assert_int_equal(erased, 1);
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, in_b, &p), RC_OK);
	assert_false(p.identified);
	assert_true(p.protected_identity);
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM protection_request WHERE pnr_hash IS NOT"
	                          " NULL OR handled_at IS NULL"),
	                 0);
	assert_int_equal(personal_protect_requests(f->t.db, f->a, &f->admin, f->assoc, &req, &n),
	                 RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(personal_protect_apply(f->t.db, &f->admin, req ? req[0].id : 1, &erased),
	                 RC_NOT_FOUND);
}

/* Migration 10: an identity two participations shared becomes one copy per
 * participation, each still readable, the old id kept by the first. */
static void shared_identity_becomes_one_copy_per_participation(void **state)
{
	(void)state;
	struct testdb t;
	assert_int_equal(crypto_setup(), 0);
	snprintf(t.dir, sizeof t.dir, "/tmp/finsam-test-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(t.path, sizeof t.path, "%s/old.db", t.dir);
	char key[160], err[300] = "";
	snprintf(key, sizeof key, "%s.key", t.path);
	assert_int_equal(crypto_key_create(key), RC_OK);
	struct vault *v;
	assert_int_equal(vault_open(key, &v), RC_OK);
	struct arena *a = arena_new(0);
	assert_int_equal(db_open_at_version(t.path, 9, &t.db, err, sizeof err), RC_OK);
	char hash[VAULT_HASH_HEX_LEN + 1];
	vault_hash(v, "199001012380", hash);
	const char *sp = vault_seal(v, a, "199001012380"), *sn = vault_seal(v, a, "Delad Person");
	/* db_exec runs one statement each. */
	assert_int_equal(db_exec(t.db, "INSERT INTO association (name, created_at)"
	                               " VALUES ('F', '2020-01-01')"),
	                 RC_OK);
	assert_int_equal(db_exec(t.db,
	                         "INSERT INTO intervention (association_id, name, orientation,"
	                         " method, start_on, created_at) VALUES"
	                         " (1, 'A', 'individ', 'person', '2024-01-01', '2024-01-01'),"
	                         " (1, 'B', 'individ', 'person', '2024-01-01', '2024-01-01')"),
	                 RC_OK);
	struct db_stmt *q;
	assert_int_equal(
	    db_prepare(t.db,
	               "INSERT INTO identity (id, association_id, pnr_hash, sealed_pnr,"
	               " sealed_name, created_at) VALUES (7, 1, $1, $2, $3, '2025')",
	               &q),
	    RC_OK);
	db_bind_text(q, 1, hash);
	db_bind_text(q, 2, sp);
	db_bind_text(q, 3, sn);
	assert_int_equal(db_step(q), DB_DONE);
	db_finalize(q);
	assert_int_equal(
	    db_exec(t.db, "INSERT INTO participation (id, intervention_id, identity_id, sex,"
	                  " birth_year, state, referred_on, referral_source, created_at) VALUES"
	                  " (3, 1, 7, 'K', 1990, 'queued', '2025-01-01', 'fk', '2025'),"
	                  " (5, 2, 7, 'K', 1990, 'queued', '2025-01-01', 'fk', '2025'),"
	                  " (6, 2, NULL, 'M', NULL, 'queued', '2025-01-01', 'fk', '2025')"),
	    RC_OK);
	db_close(t.db);
	assert_int_equal(db_open(t.path, DB_OPEN_EXISTING, &t.db, err, sizeof err), RC_OK);
	db_set_vault(t.db, v, 0); /* audit entries are anchored with it */
	assert_int_equal(db_prepare(t.db,
	                            "SELECT p.id, p.identity_id, d.participation_id, d.pnr_hash,"
	                            " d.sealed_name FROM participation p LEFT JOIN identity d"
	                            " ON d.id = p.identity_id ORDER BY p.id",
	                            &q),
	                 RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_col_int64(q, 1), 7); /* the first keeps the old id */
	assert_int_equal(db_col_int64(q, 2), 3);
	assert_string_equal(db_col_text(q, 3), hash);
	assert_string_equal(vault_unseal(v, a, db_col_text(q, 4)), "Delad Person");
	assert_int_equal(db_step(q), DB_ROW);
	assert_true(db_col_int64(q, 1) != 7); /* its own copy */
	assert_int_equal(db_col_int64(q, 2), 5);
	assert_string_equal(db_col_text(q, 3), hash);
	assert_string_equal(vault_unseal(v, a, db_col_text(q, 4)), "Delad Person");
	assert_int_equal(db_step(q), DB_ROW);
	assert_null(db_col_text(q, 1)); /* anonymous stays anonymous */
	assert_int_equal(db_step(q), DB_DONE);
	db_finalize(q);
	/* Withdrawal in one leaves the other's copy. */
	struct actor cli = {0, "admin", "127.0.0.1", ROLE_ADMIN, 0};
	struct field_error e;
	assert_int_equal(personal_withdraw_consent(t.db, &cli, 3, "2025-02-01", &e), RC_INVALID);
	assert_int_equal(db_exec(t.db, "INSERT INTO consent (participation_id, given_on,"
	                               " form_version) VALUES (3, '2025-01-01', '1')"),
	                 RC_OK);
	assert_int_equal(personal_withdraw_consent(t.db, &cli, 3, "2025-02-01", &e), RC_OK);
	struct participation p;
	assert_int_equal(participation_get(t.db, a, TEST_NOW, 5, &p), RC_OK);
	assert_true(p.identified);
	testdb_close(&t);
	vault_close(v);
	arena_free(a);
}

/* Migration 13: the Swedish history field name "hemkommun" becomes the
 * glossary's "home_area"; other fields and values are left alone. */
static void history_field_names_become_english(void **state)
{
	(void)state;
	struct testdb t;
	snprintf(t.dir, sizeof t.dir, "/tmp/finsam-test-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(t.path, sizeof t.path, "%s/old.db", t.dir);
	char err[300] = "";
	assert_int_equal(db_open_at_version(t.path, 12, &t.db, err, sizeof err), RC_OK);
	assert_int_equal(db_exec(t.db, "INSERT INTO association (name, created_at)"
	                               " VALUES ('F', '2020-01-01')"),
	                 RC_OK);
	assert_int_equal(db_exec(t.db,
	                         "INSERT INTO intervention (association_id, name, orientation,"
	                         " method, start_on, created_at) VALUES"
	                         " (1, 'A', 'individ', 'person', '2024-01-01', '2024-01-01')"),
	                 RC_OK);
	assert_int_equal(db_exec(t.db, "INSERT INTO participation (id, intervention_id, sex, state,"
	                               " referred_on, referral_source, created_at) VALUES"
	                               " (3, 1, 'K', 'queued', '2025-01-01', 'fk', '2025')"),
	                 RC_OK);
	assert_int_equal(db_exec(t.db, "INSERT INTO participation_history (participation_id, at,"
	                               " actor, field, old_value, new_value) VALUES"
	                               " (3, '2025', 'a', 'hemkommun', 'Ale', 'Kungsbacka'),"
	                               " (3, '2025', 'a', 'state', 'queued', 'active')"),
	                 RC_OK);
	db_close(t.db);
	assert_int_equal(db_open(t.path, DB_OPEN_EXISTING, &t.db, err, sizeof err), RC_OK);
	struct db_stmt *q;
	assert_int_equal(db_prepare(t.db,
	                            "SELECT field, old_value, new_value FROM participation_history"
	                            " ORDER BY id",
	                            &q),
	                 RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_string_equal(db_col_text(q, 0), "home_area");
	assert_string_equal(db_col_text(q, 1), "Ale");
	assert_string_equal(db_col_text(q, 2), "Kungsbacka");
	assert_int_equal(db_step(q), DB_ROW);
	assert_string_equal(db_col_text(q, 0), "state");
	assert_int_equal(db_step(q), DB_DONE);
	db_finalize(q);
	testdb_close(&t);
}

/* Review issue 6, item 22: consent given later stores the identity for that
 * participation, takes it off the consent work list, and is audited. */
static void consent_given_later_stores_identity_and_leaves_the_work_list(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	int64_t id, prot;
	struct referral r = anonymous(f, "M"); /* the number says woman: sex follows it */
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	r.protected_identity = 1;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &prot, &e), RC_OK);
	struct participation *w;
	size_t n;
	struct paging pg = {0, 500, 0, 0, 0, 0};
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &w, &n),
	    RC_OK);
	size_t before = n;
	struct consent_in in = {"2025-03-05", "2024:1", f->pnr_a, "Senare Samtycke"};
	struct field_error e2 = {0};
	assert_int_equal(personal_consent_add(f->t.db, f->v, &f->other, id, &in, &e2), RC_DENIED);
	struct consent_in badin = {"2099-01-01", "", "1234", ""};
	struct field_error e3 = {0};
	assert_int_equal(personal_consent_add(f->t.db, f->v, &f->dr, id, &badin, &e3), RC_INVALID);
	assert_int_equal(field_error_count(&e3), 4); /* every field at once */
	struct field_error e4 = {0};
	assert_int_equal(personal_consent_add(f->t.db, f->v, &f->dr, prot, &in, &e4), RC_INVALID);
	assert_string_equal(e4.field, "pnr");
	struct field_error e5 = {0};
	assert_int_equal(personal_consent_add(f->t.db, f->v, &f->dr, id, &in, &e5), RC_OK);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, id, &p), RC_OK);
	assert_true(p.identified);
	assert_string_equal(p.sex, "K");
	assert_int_equal(p.birth_year, 1990);
	assert_string_equal(p.consent_on, "2025-03-05");
	const char *pnr, *name;
	assert_int_equal(personal_identity(f->t.db, f->v, &f->dr, id, "kontakt", f->a, &pnr, &name),
	                 RC_OK);
	assert_string_equal(name, "Senare Samtycke");
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &w, &n),
	    RC_OK);
	assert_int_equal(n, before - 1);
	struct field_error e6 = {0};
	assert_int_equal(personal_consent_add(f->t.db, f->v, &f->dr, id, &in, &e6), RC_INVALID);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'consent_given'"),
	                 1);
}

/* Protection reaches every participation of the person the caller has
 * rights to, and asks nobody when there are no others. */
static void protection_erases_identity_in_own_interventions(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id, id2, other;
	assert_int_equal(intervention_staff_set(f->t.db, &test_actor, f->other_intervention,
	                                        f->dr_user, "deltagaransvarig", 1, &e),
	                 RC_OK);
	struct referral r = with_consent(f, f->intervention, f->pnr_b);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	r = with_consent(f, f->other_intervention, f->pnr_b);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &r, &id2, &e), RC_OK);
	r = with_consent(f, f->intervention, f->pnr_a); /* someone else */
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &other, &e), RC_OK);
	assert_int_equal(personal_protect(f->t.db, &f->dr, id), RC_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM participation WHERE identity_id IS NULL"
	                          " AND protected = 1 AND sex = 'M'"),
	                 2);
	assert_int_equal(count(f, "SELECT count(*) FROM protection_request"), 0);
	/* Someone not staffed on the insats cannot protect (and erase) at all. */
	assert_int_equal(personal_protect(f->t.db, &f->other, other), RC_DENIED);
	assert_int_equal(count(f, "SELECT count(*) FROM identity"), 1);
}

static void only_own_deltagaransvarig_sees_identity_and_it_is_logged(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	const char *pnr, *name;
	assert_int_equal(
	    personal_identity(f->t.db, f->v, &f->other, id, "uppföljning", f->a, &pnr, &name),
	    RC_DENIED);
	assert_int_equal(
	    personal_identity(f->t.db, f->v, &f->admin, id, "uppföljning", f->a, &pnr, &name),
	    RC_DENIED);
	assert_null(pnr);
	assert_int_equal(
	    personal_identity(f->t.db, f->v, &f->dr, id, "uppföljning", f->a, &pnr, &name), RC_OK);
	char expect[14];
	snprintf(expect, sizeof expect, "19%.6s-%.4s", f->pnr_a, f->pnr_a + 7);
	assert_string_equal(pnr, expect);
	assert_string_equal(name, "Testa Testsson");
	struct audit_entry *log;
	size_t n;
	assert_int_equal(audit_list(f->t.db, f->a, 0, 1, &log, &n), RC_OK);
	assert_string_equal(log[0].action, "view_identity");
	assert_string_equal(log[0].detail, "uppföljning");
	assert_string_equal(log[0].actor, "dr");
	/* Nothing personal in the log. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE detail LIKE '%Testa%'"
	                          " OR detail LIKE '%900101%'"),
	                 0);
}

/* The register extract of pnr as its JSON document (NULL on an error). */
static enum rc extract_doc(struct fx *f, const struct actor *who, const char *pnr, json_t **out)
{
	struct register_extract x;
	struct field_error e = {0};
	enum rc rc = personal_extract(f->t.db, f->v, who, pnr, f->a, &x, &e);
	*out = rc ? NULL : extract_json(&x);
	return rc || *out ? rc : RC_NOMEM;
}

static void register_extract_shows_everything_about_one_person(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id, other;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	start(f, id, "2025-03-10");
	assert_int_equal(participation_attendance_set(f->t.db, &f->dr, id, "2025-03", 125, &e),
	                 RC_OK);
	r = with_consent(f, f->intervention, f->pnr_b);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &other, &e), RC_OK);
	json_t *x;
	assert_int_equal(extract_doc(f, &f->dr, f->pnr_a, &x), RC_DENIED);
	assert_int_equal(extract_doc(f, &f->admin, f->pnr_a, &x), RC_OK);
	assert_string_equal(json_string_value(json_object_get(x, "namn")), "Testa Testsson");
	json_t *parts = json_object_get(x, "deltaganden");
	assert_int_equal(json_array_size(parts), 1); /* nothing of the other person */
	json_t *p0 = json_array_get(parts, 0);
	assert_string_equal(json_string_value(json_object_get(p0, "insats")), "Steget vidare");
	assert_int_equal(json_array_size(json_object_get(p0, "samtycken")), 1);
	assert_int_equal(json_array_size(json_object_get(p0, "registreringar")), 4);
	json_t *t = json_array_get(json_object_get(p0, "deltagartimmar"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "timmar")), "12,5");
	assert_true(json_array_size(json_object_get(p0, "historik")) >= 2);
	json_decref(x);
	/* After withdrawal the person is not found. */
	assert_int_equal(personal_withdraw_consent(f->t.db, &f->dr, id, "2025-04-01", &e), RC_OK);
	assert_int_equal(extract_doc(f, &f->admin, f->pnr_a, &x), RC_OK);
	assert_int_equal(json_array_size(json_object_get(x, "deltaganden")), 0);
	assert_null(json_object_get(x, "namn"));
	json_decref(x);
}

/* Regression: the history stopped at 200 entries, the volume periods at
 * 500 and the register extract at 512 participations, without a word.
 * Nothing is cut: every entry, period and participation comes back. */
static void nothing_is_cut_from_history_volume_or_extract(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	int64_t id;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	for (int i = 0; i < 230; i++)
		assert_int_equal(participation_correct(f->t.db, &f->dr, id, "referred_on",
		                                       i % 2 ? "2025-01-02" : "2025-01-03", &e),
		                 RC_OK);
	struct history_entry *h;
	size_t n;
	assert_int_equal(participation_history(f->t.db, f->a, id, &h, &n), RC_OK);
	assert_true(n >= 231);
	assert_int_equal((int64_t)n,
	                 count(f, "SELECT count(*) FROM participation_history"
	                          " WHERE participation_id = (SELECT max(id) FROM participation)"));

	for (int i = 0; i < 510; i++) {
		char from[24], to[24]; /* room for any int, so -O1 sees no truncation */
		snprintf(from, sizeof from, "%04d-%02d-01", 1990 + i / 12, i % 12 + 1);
		snprintf(to, sizeof to, "%04d-%02d-28", 1990 + i / 12, i % 12 + 1);
		struct volume_count v = {0, from, to, 1, 1};
		assert_int_equal(intervention_volume_add(f->t.db, &test_actor, f->volume, &v, &e),
		                 RC_OK);
	}
	struct volume_count *vc;
	assert_int_equal(intervention_volume_list(f->t.db, f->a, f->volume, &vc, &n), RC_OK);
	assert_int_equal(n, 510);

	/* 520 episodes of the same person (each cancelled before the next). */
	assert_int_equal(participation_cancel(f->t.db, &f->dr, id, "2025-03-05", "eget_val", &e),
	                 RC_OK);
	for (int i = 1; i < 520; i++) {
		r = with_consent(f, f->intervention, f->pnr_a);
		assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
		assert_int_equal(
		    participation_cancel(f->t.db, &f->dr, id, "2025-03-05", "eget_val", &e), RC_OK);
	}
	json_t *x;
	assert_int_equal(extract_doc(f, &f->admin, f->pnr_a, &x), RC_OK);
	assert_int_equal(json_array_size(json_object_get(x, "deltaganden")), 520);
	json_decref(x);
}

/* Search by personnummer: only the caller's own insatser, audited first,
 * clear errors, and nobody but a deltagaransvarig. */
static void search_by_pnr_stays_in_own_interventions(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	int64_t mine, theirs;
	struct referral r = with_consent(f, f->intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &mine, &e), RC_OK);
	r = with_consent(f, f->other_intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &r, &theirs, &e), RC_OK);
	struct participation *p;
	size_t n;
	int64_t before =
	    count(f, "SELECT count(*) FROM audit_log WHERE action = 'search_identity'");
	assert_int_equal(personal_find_by_pnr(f->t.db, f->v, &f->dr, f->assoc, f->pnr_a, "kontakt",
	                                      f->a, &p, &n, &e),
	                 RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].id, mine);
	assert_int_equal(
	    count(f, "SELECT count(*) FROM audit_log WHERE action = 'search_identity'"),
	    before + 1);
	/* The other staff member sees only theirs. */
	assert_int_equal(personal_find_by_pnr(f->t.db, f->v, &f->other, f->assoc, f->pnr_a,
	                                      "uppfoljning", f->a, &p, &n, &e),
	                 RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].id, theirs);
	/* A number nobody in my insatser holds: nothing, still audited. */
	assert_int_equal(personal_find_by_pnr(f->t.db, f->v, &f->dr, f->assoc, f->pnr_b, "kontakt",
	                                      f->a, &p, &n, &e),
	                 RC_OK);
	assert_int_equal(n, 0);
	/* Both mistakes at once. */
	assert_int_equal(personal_find_by_pnr(f->t.db, f->v, &f->dr, f->assoc, "19900101-0000",
	                                      "nyfiken", f->a, &p, &n, &e),
	                 RC_INVALID);
	assert_int_equal(field_error_count(&e), 2);
	/* Only a deltagaransvarig searches. */
	assert_int_equal(personal_find_by_pnr(f->t.db, f->v, &f->admin, f->assoc, f->pnr_a,
	                                      "kontakt", f->a, &p, &n, &e),
	                 RC_DENIED);
	/* Nothing personal in the log. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE detail LIKE '%900101%'"),
	                 0);
}

static void only_own_deltagaransvarig_may_register(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id;
	struct referral r = anonymous(f, "K");
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &r, &id, &e), RC_DENIED);
	struct actor web_admin = {1, "admin", "127.0.0.1", ROLE_ADMIN, 0};
	assert_int_equal(participation_refer(f->t.db, f->v, &web_admin, &r, &id, &e), RC_DENIED);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	struct registration reg = {"2025-02-10", NULL, start_answers, 4};
	assert_int_equal(participation_start(f->t.db, &f->other, id, &reg, &e), RC_DENIED);
	assert_int_equal(participation_cancel(f->t.db, &f->other, id, "2025-02-10", "eget_val", &e),
	                 RC_DENIED);
	assert_int_equal(participation_correct(f->t.db, &f->other, id, "sex", "M", &e), RC_DENIED);
	assert_int_equal(personal_protect(f->t.db, &f->other, id), RC_DENIED);
	assert_int_equal(participation_start(f->t.db, &f->dr, 9999, &reg, &e), RC_NOT_FOUND);
	/* The command line (user 0, administrator) may, for imports. */
	assert_int_equal(participation_refer(f->t.db, f->v, &test_actor, &r, &id, &e), RC_OK);
}

/* The tally kept by triggers agrees with a count of the rows through
 * every change of state. */
static void counts_follow_every_state_change(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t a, b, c;
	struct referral r = anonymous(f, "K");
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &a, &e), RC_OK);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &b, &e), RC_OK);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &c, &e), RC_OK);
	start(f, a, "2025-02-10");
	start(f, b, "2025-02-10");
	struct registration end = {"2025-03-01", "arbete", end_answers, 3};
	assert_int_equal(participation_end(f->t.db, &f->dr, a, &end, &e), RC_OK);
	struct registration felreg = {"2025-03-01", "felregistrering", NULL, 0};
	assert_int_equal(participation_end(f->t.db, &f->dr, b, &felreg, &e), RC_OK);
	struct intervention_counts *cnt;
	size_t n;
	assert_int_equal(participation_counts(f->t.db, f->a, f->assoc, &cnt, &n), RC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(cnt[0].intervention_id, f->intervention);
	assert_int_equal(cnt[0].queued, 1);
	assert_int_equal(cnt[0].active, 0);
	assert_int_equal(cnt[0].ended, 1); /* the felregistrering is not counted */
	assert_int_equal(participation_correct(f->t.db, &f->dr, b, "end_reason", "arbete", &e),
	                 RC_OK);
	assert_int_equal(participation_cancel(f->t.db, &f->dr, c, "2025-03-01", "eget_val", &e),
	                 RC_OK);
	assert_int_equal(participation_counts(f->t.db, f->a, f->assoc, &cnt, &n), RC_OK);
	assert_int_equal(cnt[0].queued, 0);
	assert_int_equal(cnt[0].ended, 2);
	assert_int_equal(count(f, "SELECT sum(n) FROM participation_tally"),
	                 count(f, "SELECT count(*) FROM participation"));
}

/* The tally per insats, state and counted agrees with a fresh count of the
 * participations, and holds no negative number. */
static void assert_tally_fresh(struct fx *f)
{
#define TALLY_FRESH                                                          \
	"SELECT intervention_id, state, counts, count(*) FROM participation" \
	" GROUP BY intervention_id, state, counts"
#define TALLY_KEPT "SELECT intervention_id, state, counted, n FROM participation_tally WHERE n <> 0"
	assert_int_equal(count(f, "SELECT count(*) FROM (" TALLY_FRESH " EXCEPT " TALLY_KEPT ")"),
	                 0);
	assert_int_equal(count(f, "SELECT count(*) FROM (" TALLY_KEPT " EXCEPT " TALLY_FRESH ")"),
	                 0);
#undef TALLY_FRESH
#undef TALLY_KEPT
}

/* Issue 7: the per-insats tally is kept by core in the transaction of each
 * change, not by SQLite triggers (PostgreSQL would need triggers of its
 * own): no trigger is left on participation, and after every kind of
 * change — referral, start, end, felregistrering, cancel (also as
 * felregistrering), the end reason corrected both ways, withdrawal,
 * protection, consent given later, and a start retried after a busy step
 * at each of its steps — the tally equals a fresh count. */
static void tally_equals_a_fresh_count_after_every_change(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	assert_int_equal(count(f, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
	                          " AND tbl_name = 'participation'"),
	                 0);
	int64_t id[6];
	struct referral r = anonymous(f, "K");
	for (int i = 0; i < 4; i++) {
		assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id[i], &e), RC_OK);
		assert_tally_fresh(f);
	}
	struct referral rcon = with_consent(f, f->intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &rcon, &id[4], &e), RC_OK);
	struct referral ro = with_consent(f, f->other_intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &ro, &id[5], &e), RC_OK);
	assert_tally_fresh(f);
	start(f, id[0], "2025-02-10");
	start(f, id[1], "2025-02-10");
	start(f, id[4], "2025-03-10");
	assert_tally_fresh(f);
	struct registration end = {"2025-03-01", "arbete", end_answers, 3};
	assert_int_equal(participation_end(f->t.db, &f->dr, id[0], &end, &e), RC_OK);
	assert_tally_fresh(f);
	struct registration felreg = {"2025-03-01", "felregistrering", NULL, 0};
	assert_int_equal(participation_end(f->t.db, &f->dr, id[1], &felreg, &e), RC_OK);
	assert_tally_fresh(f);
	assert_int_equal(participation_cancel(f->t.db, &f->dr, id[2], "2025-03-01", "eget_val", &e),
	                 RC_OK);
	assert_tally_fresh(f);
	assert_int_equal(
	    participation_cancel(f->t.db, &f->dr, id[3], "2025-03-01", "felregistrering", &e),
	    RC_OK);
	assert_tally_fresh(f);
	assert_int_equal(participation_correct(f->t.db, &f->dr, id[1], "end_reason", "arbete", &e),
	                 RC_OK);
	assert_tally_fresh(f);
	assert_int_equal(
	    participation_correct(f->t.db, &f->dr, id[0], "end_reason", "felregistrering", &e),
	    RC_OK);
	assert_tally_fresh(f);
	assert_int_equal(participation_correct(f->t.db, &f->dr, id[3], "end_reason", "flytt", &e),
	                 RC_OK);
	assert_tally_fresh(f);
	assert_int_equal(personal_withdraw_consent(f->t.db, &f->dr, id[4], "2025-03-12", &e),
	                 RC_OK);
	assert_tally_fresh(f);
	assert_int_equal(personal_protect(f->t.db, &f->other, id[5]), RC_OK);
	assert_tally_fresh(f);
	struct consent_in in = {"2025-03-13", "2024:1", f->pnr_b, "Testa Testsson"};
	assert_int_equal(personal_consent_add(f->t.db, f->v, &f->dr, id[4], &in, &e), RC_OK);
	assert_tally_fresh(f);
	/* A start whose transaction is retried after a busy step, at every
	 * step: the first attempt's changes to the tally are rolled back
	 * with it. */
	int fired = 1;
	for (int n = 1; fired; n++) {
		int64_t x;
		assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &x, &e), RC_OK);
		db_test_fail_step(f->t.db, n);
		start(f, x, "2025-02-10");
		fired = db_test_fail_pending(f->t.db) == 0;
		db_test_fail_step(f->t.db, 0);
		assert_tally_fresh(f);
		assert_true(n < 100);
	}
	struct intervention_counts *cnt;
	size_t n;
	assert_int_equal(participation_counts(f->t.db, f->a, f->assoc, &cnt, &n), RC_OK);
	assert_int_equal(cnt[0].intervention_id, f->intervention);
	assert_int_equal(cnt[0].queued, 0);
	assert_true(cnt[0].active > 1);
	assert_int_equal(cnt[0].ended, 1); /* id[1]: felregistrering corrected to arbete */
}

/* Issue 7: writes judge "the future" by the actor's clock, not the wall
 * clock, and stamp the history with the actor's moment: with now at
 * 2025-03-14 a referral or start on 2025-03-20 is in the future.  Before,
 * the core read the wall clock (UTC). */
static void writes_take_the_actors_clock(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	struct actor dr = f->dr;
	dr.now = 1741946400; /* 2025-03-14T10:00:00Z */
	int64_t id, none = 0;
	struct referral r = anonymous(f, "M");
	r.referred_on = "2025-03-20";
	assert_int_equal(participation_refer(f->t.db, f->v, &dr, &r, &none, &e), RC_INVALID);
	assert_string_equal(e.field, "referred_on");
	r.referred_on = "2025-03-01";
	assert_int_equal(participation_refer(f->t.db, f->v, &dr, &r, &id, &e), RC_OK);
	struct registration s = {"2025-03-20", NULL, start_answers, 4};
	assert_int_equal(participation_start(f->t.db, &dr, id, &s, &e), RC_INVALID);
	s.date = "2025-03-14";
	assert_int_equal(participation_start(f->t.db, &dr, id, &s, &e), RC_OK);
	assert_int_equal(participation_correct(f->t.db, &dr, id, "referred_on", "2025-03-15", &e),
	                 RC_INVALID);
	/* The newest participation is this one. */
	assert_int_equal(count(f,
	                       "SELECT count(*) FROM participation_history WHERE participation_id"
	                       " = (SELECT max(id) FROM participation)"
	                       " AND at = '2025-03-14T10:00:00Z'"),
	                 3); /* queued, active, start_on */
}

static void queue_and_work_lists(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t a1, a2, a3, old;
	struct referral r = anonymous(f, "K");
	r.referred_on = "2025-05-01";
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &a1, &e), RC_OK);
	r.referred_on = "2025-01-01";
	r.home_area_id = f->kommun;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &a2, &e), RC_OK);
	r.referred_on = "2023-01-01";
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &old, &e), RC_OK);
	start(f, old, "2023-02-01");
	r.referred_on = "2025-06-01";
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &a3, &e), RC_OK);
	start(f, a3, "2025-06-02");
	struct registration bare = {"2025-07-01", "studier", NULL, 0};
	assert_int_equal(participation_end(f->t.db, &f->dr, a3, &bare, &e), RC_OK);

	struct participation *q;
	size_t n;
	struct paging pg = {0, 500, 0, 0, 0, 0};
	assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, 0, 0, &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(q[0].id, a2); /* oldest first */
	assert_true(q[0].waiting_days > q[1].waiting_days);
	assert_int_equal(
	    participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, 0, f->kommun, &pg, &q, &n),
	    RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc,
	                                        WORK_LONG_RUNNING, &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(q[0].id, old);
	assert_int_equal(participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_END_MISSING,
	                                        &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(q[0].id, a3);
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &q, &n),
	    RC_OK);
	assert_int_equal(n, 3); /* the open anonymous ones */
	(void)a1;
}

/* The rows of a list read a page at a time, asc then desc: each page's
 * ids in order, pages never overlapping, the pages together the list. */
static void assert_pages(struct fx *f, int worklist, int64_t kommun, int sort, int64_t total,
                         const int64_t *want, size_t nwant)
{
	for (int desc = 0; desc < 2; desc++) {
		size_t got = 0;
		for (int64_t off = 0; off < (int64_t)nwant + 2; off += 2) {
			struct paging pg = {off, 2, sort, desc, 0, 0};
			struct participation *q;
			size_t n;
			enum rc rc = worklist
			                 ? participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc,
			                                          WORK_LONG_RUNNING, &pg, &q, &n)
			                 : participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, 0,
			                                       kommun, &pg, &q, &n);
			assert_int_equal(rc, RC_OK);
			assert_int_equal(pg.total, total);
			for (size_t i = 0; i < n; i++, got++)
				assert_int_equal(q[i].id, want[desc ? nwant - 1 - got : got]);
		}
		assert_int_equal(got, nwant);
	}
}

/* The plan SQLite picks for a statement, its steps joined by "; ". */
static void plan(struct fx *f, const char *sql, char *out, size_t cap)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(f->t.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(s) == SQLITE_ROW) {
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%s; ", (const char *)sqlite3_column_text(s, 3));
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
}

/* The statements of the lists whose plan matters at 5 000 000
 * participations (the same text as participation_query.c, constants for
 * placeholders), and the index each must walk. */
static const struct {
	const char *sql, *index;
} list_plans[] = {
    {"EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM participation p WHERE p.state"
     " IN ('queued', 'active') AND p.identity_id IS NULL AND p.protected = 0 AND"
     " p.intervention_id IN (SELECT id FROM intervention WHERE association_id = 1)"
     " LIMIT 10001) c",
     "COVERING INDEX participation_consent_count"},
    {"EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM participation p WHERE p.state ="
     " 'ended' AND p.counts = 1 AND p.end_complete = 0 AND"
     " p.intervention_id IN (SELECT id FROM intervention WHERE association_id = 1)"
     " LIMIT 10001) c",
     "COVERING INDEX participation_end_missing_count"},
    {"EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM participation p WHERE p.state ="
     " 'active' AND p.start_on < '2025-11-23' AND"
     " p.intervention_id IN (SELECT id FROM intervention WHERE association_id = 1)"
     " LIMIT 10001) c",
     "COVERING INDEX participation_active_start"},
    {"EXPLAIN QUERY PLAN SELECT count(*) FROM participation p WHERE p.state = 'queued'"
     " AND p.home_area_id = 2 AND"
     " p.intervention_id IN (SELECT id FROM intervention WHERE association_id = 1)",
     "COVERING INDEX participation_queued_area"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'queued' AND i.association_id = 1"
     " ORDER BY p.id DESC LIMIT 50 OFFSET 0",
     "INDEX participation_queued_nr"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'active' AND i.association_id = 1"
     " AND p.start_on < '2025-11-23' ORDER BY p.id LIMIT 50 OFFSET 0",
     "INDEX participation_active_nr"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'active' AND i.association_id = 1"
     " AND p.start_on < '2025-11-23' ORDER BY p.start_on DESC, p.id DESC LIMIT 50 OFFSET 0",
     "INDEX participation_running"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'queued' AND i.association_id = 1"
     " ORDER BY p.referred_on, p.id LIMIT 50 OFFSET 0",
     "INDEX participation_queue_all"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state IN ('queued', 'active') AND"
     " p.identity_id IS NULL AND p.protected = 0 AND i.association_id = 1"
     " ORDER BY p.referred_on, p.id LIMIT 50 OFFSET 0",
     "INDEX participation_anonymous_open"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'ended' AND p.counts = 1 AND"
     " p.end_complete = 0 AND i.association_id = 1"
     " ORDER BY p.end_on DESC, p.id DESC LIMIT 50 OFFSET 0",
     "INDEX participation_end_missing"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state IN ('queued', 'active') AND"
     " p.identity_id IS NULL AND p.protected = 0 AND i.association_id = 1"
     " ORDER BY p.id DESC LIMIT 50 OFFSET 50",
     "INDEX participation_consent_nr"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state IN ('queued', 'active') AND"
     " p.identity_id IS NULL AND p.protected = 0 AND i.association_id = 1"
     " ORDER BY p.id LIMIT 50 OFFSET 0",
     "INDEX participation_consent_nr"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'ended' AND p.counts = 1 AND"
     " p.end_complete = 0 AND i.association_id = 1 ORDER BY p.id LIMIT 50 OFFSET 200",
     "INDEX participation_end_missing_nr"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'ended' AND p.counts = 1 AND"
     " p.end_complete = 0 AND i.association_id = 1 ORDER BY p.id DESC LIMIT 50 OFFSET 0",
     "INDEX participation_end_missing_nr"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'queued' AND i.association_id = 1"
     " ORDER BY p.id LIMIT 50 OFFSET 0",
     "INDEX participation_queued_nr"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'active' AND i.association_id = 1"
     " AND p.start_on < '2025-11-23' ORDER BY p.id DESC LIMIT 50 OFFSET 0",
     "INDEX participation_active_nr"},
    {"EXPLAIN QUERY PLAN SELECT count(*) FROM participation p WHERE p.state = 'queued'"
     " AND p.intervention_id = 1 AND p.home_area_id = 2 AND"
     " p.intervention_id IN (SELECT id FROM intervention WHERE association_id = 1)",
     "COVERING INDEX participation_queue"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'queued' AND p.intervention_id = 1"
     " AND p.home_area_id = 2 AND i.association_id = 1"
     " ORDER BY p.referred_on, p.id LIMIT 50 OFFSET 0",
     "INDEX participation_queue_both"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.state = 'queued' AND p.home_area_id = 2"
     " AND i.association_id = 1 ORDER BY p.referred_on DESC, p.id DESC LIMIT 50 OFFSET 0",
     "INDEX participation_queue_area"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.intervention_id = 1"
     " ORDER BY p.referred_on DESC, p.id DESC LIMIT 50 OFFSET 0",
     "INDEX participation_newest"},
    {"EXPLAIN QUERY PLAN SELECT p.id FROM participation p JOIN intervention i"
     " ON i.id = +p.intervention_id WHERE p.intervention_id = 1"
     " ORDER BY p.id LIMIT 50 OFFSET 0",
     "INDEX participation_insats_nr"},
};

/* Every statement of list_plans walks its index, with no sort. */
static void check_plans(struct fx *f, const char *when)
{
	for (size_t i = 0; i < sizeof list_plans / sizeof list_plans[0]; i++) {
		char got[1024];
		plan(f, list_plans[i].sql, got, sizeof got);
		if (!strstr(got, list_plans[i].index) || strstr(got, "TEMP B-TREE"))
			fail_msg("plan %zu (%s): %s", i, when, got);
	}
}

/* Issue 8: the counts the tally cannot answer (work lists, the queue of one
 * kommun) and the lists sorted by number give the same rows, order and
 * totals as a fresh count, paged both ways; and their statements walk an
 * index (no table row for a count, no sort of the whole set for an order). */
static void list_counts_and_number_orders(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t id[8];
	for (int i = 0; i < 8; i++) {
		struct referral r = anonymous(f, i % 2 ? "K" : "M");
		char on[11];
		snprintf(on, sizeof on, "2023-0%d-01", 9 - i); /* the newest first */
		r.referred_on = on;
		r.home_area_id = i % 3 ? f->kommun : 0;
		assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id[i], &e), RC_OK);
	}
	/* 0, 1, 2 long running (started 2024), 3 ended without answers. */
	for (int i = 0; i < 4; i++)
		start(f, id[i], "2024-01-15");
	struct registration bare = {"2024-02-01", "studier", NULL, 0};
	assert_int_equal(participation_end(f->t.db, &f->dr, id[3], &bare, &e), RC_OK);
	const int64_t queued[] = {id[4], id[5], id[6], id[7]};
	const int64_t queued_kommun[] = {id[4], id[5], id[7]};
	const int64_t running[] = {id[0], id[1], id[2]};
	assert_pages(f, 0, 0, 1, 4, queued, 4);
	assert_pages(f, 0, f->kommun, 1, 3, queued_kommun, 3);
	assert_pages(f, 1, 0, 1, 3, running, 3);
	/* By date: the queue oldest referral first, id[7] .. id[4]. */
	const int64_t by_referral[] = {id[7], id[6], id[5], id[4]};
	assert_pages(f, 0, 0, 0, 4, by_referral, 4);
	struct paging pg = {0, 500, 0, 0, 0, 0};
	struct participation *q;
	size_t n;
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &q, &n),
	    RC_OK);
	assert_int_equal(pg.total, count(f, "SELECT count(*) FROM participation WHERE state IN"
	                                    " ('queued', 'active') AND identity_id IS NULL"
	                                    " AND protected = 0"));
	assert_int_equal(pg.total, 7);
	assert_int_equal(participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_END_MISSING,
	                                        &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(pg.total, 1);
	assert_int_equal(q[0].id, id[3]);
	struct paging both = {0, 500, 0, 0, 0, 0};
	assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, f->intervention,
	                                     f->kommun, &both, &q, &n),
	                 RC_OK);
	assert_int_equal(both.total, 3);
	assert_int_equal(n, 3);
	assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc,
	                                     f->other_intervention, f->kommun, &both, &q, &n),
	                 RC_OK);
	assert_int_equal(both.total, 0);
	assert_int_equal(n, 0);

	/* The plans, as a database without statistics gets them. */
	check_plans(f, "unanalysed");
}

/* Runs SQL straight on the test database (rows in bulk, ANALYZE). */
static void exec_sql(struct fx *f, const char *sql)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open(f->t.path, &h), SQLITE_OK);
	char *err = NULL;
	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s (in %.60s)", err, sql);
	sqlite3_close(h);
}

/* Anonymous participations in bulk, as bench/scale grows them: n rows of
 * one state in the fixture's insats, referred (and started, ended) on the
 * given dates; the tally counted afresh, as migration 15 does. */
static void bulk(struct fx *f, int n, const char *state, const char *start_on, const char *end_on,
                 int end_complete)
{
	char sql[1200];
	snprintf(sql, sizeof sql,
	         "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d)"
	         " INSERT INTO participation (intervention_id, sex, state, referred_on,"
	         " referral_source, home_area_id, start_on, end_on, end_reason, counts,"
	         " created_at, end_complete) SELECT %lld, 'K', '%s', '2019-06-01', 'fk', %lld,"
	         " %s, %s, %s, 1, '2026-01-01T00:00:00Z', %d FROM k;"
	         "DELETE FROM participation_tally;"
	         "INSERT INTO participation_tally (intervention_id, state, counted, n)"
	         " SELECT intervention_id, state, counts, count(*) FROM participation"
	         " GROUP BY intervention_id, state, counts;",
	         n, (long long)f->intervention, state, (long long)f->kommun, start_on, end_on,
	         strcmp(state, "ended") == 0 ? "'fortsatt_rehabilitering'" : "NULL", end_complete);
	exec_sql(f, sql);
}

/* Issue 8: a work list counts at most PAGING_COUNT_CAP rows past the
 * page: exact up to the cap (more 0), beyond it the cap and more 1; the
 * bound follows the page, so a later page counts as far past itself. */
static void worklist_count_is_bounded(void **state)
{
	struct fx *f = *state;
	struct paging pg = {0, 50, 0, 0, 0, 0};
	struct participation *q;
	size_t n;
	/* Read only among the first PAGING_OFFSET_MAX rows, on every work list. */
	for (int w = 0; w < 3; w++) {
		enum worklist which = w == 0   ? WORK_CONSENT
		                      : w == 1 ? WORK_END_MISSING
		                               : WORK_LONG_RUNNING;
		pg.offset = PAGING_OFFSET_MAX;
		assert_int_equal(
		    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, which, &pg, &q, &n),
		    RC_INVALID);
		pg.offset = PAGING_OFFSET_MAX - 1;
		assert_int_equal(
		    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, which, &pg, &q, &n),
		    RC_OK);
		assert_int_equal(n, 0);
	}
	pg.offset = 0;
	/* Exactly the cap of anonymous queued ones: the consent list. */
	bulk(f, PAGING_COUNT_CAP, "queued", "NULL", "NULL", 0);
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &q, &n),
	    RC_OK);
	assert_int_equal(pg.total, PAGING_COUNT_CAP);
	assert_int_equal(pg.more, 0);
	assert_int_equal(n, 50);
	/* One more, active since 2020: consent over the cap, the long-running
	 * list (the count with the date) exact at 1. */
	bulk(f, 1, "active", "'2020-01-01'", "NULL", 0);
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &q, &n),
	    RC_OK);
	assert_int_equal(pg.total, PAGING_COUNT_CAP);
	assert_int_equal(pg.more, 1);
	assert_int_equal(n, 50);
	assert_int_equal(participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc,
	                                        WORK_LONG_RUNNING, &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(pg.total, 1);
	assert_int_equal(pg.more, 0);
	/* A later page counts as far past itself: exact again. */
	pg.offset = 50;
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &q, &n),
	    RC_OK);
	assert_int_equal(pg.total, PAGING_COUNT_CAP + 1);
	assert_int_equal(pg.more, 0);
	/* The long-running list (its count has the date before the bound)
	 * and the end-missing one over the cap. */
	pg.offset = 0;
	bulk(f, PAGING_COUNT_CAP, "active", "'2020-01-01'", "NULL", 0);
	assert_int_equal(participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc,
	                                        WORK_LONG_RUNNING, &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(pg.total, PAGING_COUNT_CAP);
	assert_int_equal(pg.more, 1);
	assert_int_equal(n, 50);
	bulk(f, PAGING_COUNT_CAP + 1, "ended", "'2019-07-01'", "'2020-01-01'", 0);
	assert_int_equal(participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_END_MISSING,
	                                        &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(pg.total, PAGING_COUNT_CAP);
	assert_int_equal(pg.more, 1);
	/* The queue and an insats's list count exactly (the tally). */
	assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, 0, 0, &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(pg.total, PAGING_COUNT_CAP);
	assert_int_equal(pg.more, 0);
	assert_int_equal(participation_list(f->t.db, f->a, TEST_NOW, f->intervention, &pg, &q, &n),
	                 RC_OK);
	assert_int_equal(pg.total, 3 * PAGING_COUNT_CAP + 2);
	assert_int_equal(pg.more, 0);
}

/* Issue 8: the same plans once the database is analysed (the server
 * analyses after migrations and at start), on a database of realistic
 * shape: seven insatser and six kommuner, 5 % queued, 10 % active, the
 * rest ended, one ended in twenty without its end registration. */
static void list_plans_on_analysed_database(void **state)
{
	struct fx *f = *state;
	char name[32];
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "Insats %d", i);
		add_intervention(f, name, "individ", "person");
	}
	struct field_error e;
	for (int i = 0; i < 5; i++) {
		struct area k = {0};
		k.association_id = f->assoc;
		k.kind = "kommun";
		snprintf(name, sizeof name, "Kommun %d", i);
		k.name = name;
		assert_int_equal(org_area_save(f->t.db, &test_actor, &k, &e), RC_OK);
	}
	/* Rows drawn as bench/scale draws them (referred over eight years). */
	exec_sql(f,
	         "CREATE TEMP TABLE ins (n INTEGER PRIMARY KEY, id INTEGER);"
	         "INSERT INTO ins (id) SELECT id FROM intervention WHERE method = 'person'"
	         " ORDER BY id;"
	         "CREATE TEMP TABLE kom (n INTEGER PRIMARY KEY, id INTEGER);"
	         "INSERT INTO kom (id) SELECT id FROM area WHERE kind = 'kommun' ORDER BY id;"
	         "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 40000)"
	         " INSERT INTO participation (intervention_id, sex, state, referred_on,"
	         " referral_source, home_area_id, start_on, end_on, end_reason, counts,"
	         " created_at, end_complete)"
	         " SELECT (SELECT id FROM ins WHERE n = 1 + i % 6), 'K',"
	         " CASE WHEN i % 20 = 0 THEN 'queued' WHEN i % 10 = 1 THEN 'active' ELSE"
	         "  'ended' END,"
	         " date('2017-01-01', '+' || (i % 2900) || ' days'), 'fk',"
	         " (SELECT id FROM kom WHERE n = 1 + (i / 20) % 6),"
	         " CASE WHEN i % 20 = 0 THEN NULL ELSE"
	         "  date('2017-01-01', '+' || (i % 2900 + 30) || ' days') END,"
	         " CASE WHEN i % 20 = 0 OR i % 10 = 1 THEN NULL ELSE"
	         "  date('2017-01-01', '+' || (i % 2900 + 200) || ' days') END,"
	         " CASE WHEN i % 20 = 0 OR i % 10 = 1 THEN NULL ELSE 'fortsatt_rehabilitering'"
	         "  END,"
	         " 1, '2026-01-01T00:00:00Z',"
	         " CASE WHEN i % 20 = 0 OR i % 10 = 1 OR i % 20 = 3 THEN 0 ELSE 1 END FROM k;"
	         "DELETE FROM participation_tally;"
	         "INSERT INTO participation_tally (intervention_id, state, counted, n)"
	         " SELECT intervention_id, state, counts, count(*) FROM participation"
	         " GROUP BY intervention_id, state, counts;"
	         "ANALYZE;");
	assert_true(count(f, "SELECT count(*) FROM sqlite_stat1 WHERE idx ="
	                     " 'participation_queue_both'") == 1);
	check_plans(f, "analysed");
}

/* Issue 6 item 16: the same person queued twice in one insats is refused
 * until confirmed, the same number in another insats is never reported,
 * and the same one-time key twice creates one participation. */
static void same_person_twice_needs_confirmation_and_a_key_creates_once(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	int64_t first, other, again, second;
	struct referral r = with_consent(f, f->other_intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->other, &r, &other, &e), RC_OK);
	/* Queued in another insats: A's staff learn nothing of it. */
	r = with_consent(f, f->intervention, f->pnr_a);
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &first, &e), RC_OK);
	/* The same number again in A: refused, naming A's participation. */
	e = (struct field_error){0};
	again = -1;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &again, &e), RC_CONFLICT);
	assert_int_equal(again, -1);
	assert_string_equal(e.field, "pnr");
	char want[40];
	snprintf(want, sizeof want, "(deltagande %lld)", (long long)first);
	assert_non_null(strstr(e.message, want));
	assert_non_null(strstr(e.message, "Registrera ändå"));
	snprintf(want, sizeof want, "(deltagande %lld)", (long long)other);
	assert_null(strstr(e.message, want));
	/* Confirmed: a second participation. */
	r.confirm_duplicate = 1;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &again, &e), RC_OK);
	assert_true(again != first);
	/* Once started it is still active: still reported. */
	r.confirm_duplicate = 0;
	start(f, first, "2025-03-10");
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &second, &e), RC_CONFLICT);
	/* Another number in the other insats, never seen in A: no warning. */
	r = with_consent(f, f->intervention, f->pnr_b);
	r.once_key = "nyckel-1";
	int replayed = -1;
	assert_int_equal(
	    participation_refer_once(f->t.db, f->v, &f->dr, &r, &second, &replayed, &e), RC_OK);
	assert_int_equal(replayed, 0);
	int64_t before = count(f, "SELECT count(*) FROM participation");
	/* The same key again (a double submit): the first one's id, nothing new,
	 * and no duplicate warning either. */
	assert_int_equal(participation_refer_once(f->t.db, f->v, &f->dr, &r, &again, &replayed, &e),
	                 RC_OK);
	assert_int_equal(again, second);
	assert_int_equal(replayed, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM participation"), before);
	/* Another user's same key says nothing about the first: the other
	 * user's own referral is checked and created as usual. */
	r = with_consent(f, f->other_intervention, f->pnr_b);
	r.once_key = "nyckel-1";
	assert_int_equal(
	    participation_refer_once(f->t.db, f->v, &f->other, &r, &again, &replayed, &e), RC_OK);
	assert_int_equal(replayed, 0);
	assert_true(again != second);
	assert_int_equal(count(f, "SELECT count(*) FROM participation"), before + 1);
	/* Only hashes are kept, never the key itself. */
	assert_int_equal(
	    count(f, "SELECT count(*) FROM form_submission WHERE token_hash = 'nyckel-1'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM form_submission"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(vault_seals_and_detects_tampering, setup, teardown),
	    cmocka_unit_test_setup_teardown(intervention_fixed_fields_cannot_change, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(intervention_years_and_staff, setup, teardown),
	    cmocka_unit_test_setup_teardown(volume_counts_only_for_volume_interventions, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(referral_with_consent_seals_identity, setup, teardown),
	    cmocka_unit_test_setup_teardown(identity_needs_consent_and_no_protection, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(registrations_report_every_field_error, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(anonymous_referral_keeps_only_sex_and_dates, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(flow_start_end_and_felregistrering, setup, teardown),
	    cmocka_unit_test_setup_teardown(cancel_and_corrections_keep_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(withdrawal_erases_identity_and_keeps_figures, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        number_from_another_intervention_reveals_and_erases_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(protection_erases_identity_in_own_interventions, setup,
	                                    teardown),
	    cmocka_unit_test(shared_identity_becomes_one_copy_per_participation),
	    cmocka_unit_test(history_field_names_become_english),
	    cmocka_unit_test_setup_teardown(
	        consent_given_later_stores_identity_and_leaves_the_work_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        only_own_deltagaransvarig_sees_identity_and_it_is_logged, setup, teardown),
	    cmocka_unit_test_setup_teardown(register_extract_shows_everything_about_one_person,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(nothing_is_cut_from_history_volume_or_extract, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(search_by_pnr_stays_in_own_interventions, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(only_own_deltagaransvarig_may_register, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(counts_follow_every_state_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(tally_equals_a_fresh_count_after_every_change, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(writes_take_the_actors_clock, setup, teardown),
	    cmocka_unit_test_setup_teardown(queue_and_work_lists, setup, teardown),
	    cmocka_unit_test_setup_teardown(list_counts_and_number_orders, setup, teardown),
	    cmocka_unit_test_setup_teardown(worklist_count_is_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(list_plans_on_analysed_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        same_person_twice_needs_confirmation_and_a_key_creates_once, setup, teardown),
	};
	return cmocka_run_group_tests_name("participation", tests, NULL, NULL);
}
