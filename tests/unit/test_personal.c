/* Unit tests for personal data: the register extract as a struct (complete
 * or an error, never shorter), its JSON document (every jansson failure is
 * an error), and the audited looks in one transaction with their audit
 * entry.  All people are synthetic. */
#include <jansson.h>
#include <sqlite3.h>

#include "testutil.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/intervention.h"
#include "core/org.h"
#include "core/participation.h"
#include "core/personal_data.h"
#include "util/arena.h"
#include "util/str.h"
#include "util/vault.h"
#include "web/extract.h"

struct fx {
	struct testdb t;
	struct vault *v;
	struct arena *a;
	int64_t assoc, intervention, kommun, dr_user;
	struct actor dr, admin;
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
	struct actor t = test_actor;
	t.now = TEST_NOW;
	assert_int_equal(org_association_create(f->t.db, &t, "Förbundet", &f->assoc, &e), RC_OK);
	struct area k = {0};
	k.association_id = f->assoc;
	k.kind = "kommun";
	k.name = "Ekeby";
	assert_int_equal(org_area_save(f->t.db, &t, &k, &e), RC_OK);
	f->kommun = k.id;
	struct intervention x = {0};
	x.association_id = f->assoc;
	x.name = "Steget vidare";
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(f->t.db, &t, &x, &e), RC_OK);
	f->intervention = x.id;
	assert_int_equal(auth_user_add(f->t.db, &t, "dr", "Del Ansvarig", ROLE_CASEWORKER,
	                               "langt-losenord", &f->dr_user, &e),
	                 RC_OK);
	assert_int_equal(intervention_staff_set(f->t.db, &t, f->intervention, f->dr_user,
	                                        "deltagaransvarig", 1, &e),
	                 RC_OK);
	f->dr = (struct actor){f->dr_user, "dr", "127.0.0.1", ROLE_CASEWORKER, TEST_NOW};
	f->admin = (struct actor){0, "admin", "127.0.0.1", ROLE_ADMIN, TEST_NOW};
	make_pnr("900101238", f->pnr_a);
	make_pnr("850615113", f->pnr_b);
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

static void exec(struct fx *f, const char *sql)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open(f->t.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static int64_t refer(struct fx *f, const char *pnr, const char *name)
{
	struct referral r = {0};
	r.intervention_id = f->intervention;
	r.referred_on = "2025-03-01";
	r.source = "fk";
	r.home_area_id = f->kommun;
	r.pnr = pnr;
	r.name = name;
	r.consent_on = "2025-03-01";
	r.consent_form = "2024:1";
	r.confirm_duplicate = 1;
	struct field_error e = {0};
	int64_t id;
	assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &id, &e), RC_OK);
	return id;
}

static const struct answer start_answers[] = {
    {"support", "forsorjningsstod", 100},
    {"employment", "ovrigt", -1},
    {"education", "gymnasial", -1},
    {"support_time", "over_9", -1},
};

/* One person with a started participation, hours and a second episode;
 * another person beside. */
static int64_t person_with_history(struct fx *f)
{
	struct field_error e = {0};
	int64_t id = refer(f, f->pnr_a, "Testa Testsson");
	struct registration r = {"2025-03-10", NULL, start_answers, 4};
	assert_int_equal(participation_start(f->t.db, &f->dr, id, &r, &e), RC_OK);
	assert_int_equal(participation_attendance_set(f->t.db, &f->dr, id, "2025-03", 125, &e),
	                 RC_OK);
	refer(f, f->pnr_a, "Testa Nyttnamn");
	refer(f, f->pnr_b, "Annan Person");
	return id;
}

static int64_t audit_count(struct fx *f, const char *action)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(f->t.path, &h), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(h, "SELECT count(*) FROM audit_log WHERE action = ?1", -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(s, 1, action, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

/* ---- the extract as a struct ------------------------------------------------------- */

static void extract_holds_everything_about_one_person(void **state)
{
	struct fx *f = *state;
	int64_t id = person_with_history(f);
	struct field_error e = {0};
	struct register_extract x;
	assert_int_equal(personal_extract(f->t.db, f->v, &f->dr, f->pnr_a, f->a, &x, &e),
	                 RC_DENIED);
	assert_int_equal(personal_extract(f->t.db, f->v, &f->admin, "19900101-0000", f->a, &x, &e),
	                 RC_INVALID);
	assert_string_equal(e.field, "pnr");
	assert_int_equal(personal_extract(f->t.db, f->v, &f->admin, f->pnr_a, f->a, &x, &e), RC_OK);
	assert_int_equal(x.nparts, 2); /* nothing of the other person */
	assert_string_equal(x.made_on, "2026-11-23");
	assert_string_equal(x.name, "Testa Nyttnamn"); /* the latest */
	assert_non_null(x.first_registered);
	const struct extract_participation *p = &x.parts[0];
	assert_int_equal(p->id, id);
	assert_string_equal(p->name, "Testa Testsson"); /* as typed there */
	assert_string_equal(p->intervention_name, "Steget vidare");
	assert_string_equal(p->state, "active");
	assert_string_equal(p->sex, "K");
	assert_int_equal(p->birth_year, 1990);
	assert_string_equal(p->home_area_name, "Ekeby");
	assert_int_equal(p->nconsents, 1);
	assert_string_equal(p->consents[0].collected_by, "dr");
	assert_string_equal(p->consents[0].form_version, "2024:1");
	assert_int_equal(p->nanswers, 4);
	assert_int_equal(p->nattendance, 1);
	assert_string_equal(p->attendance[0].month, "2025-03");
	assert_int_equal(p->attendance[0].hours_tenths, 125);
	assert_true(p->nhistory >= 1);
	for (size_t i = 0; i < p->nhistory; i++)
		assert_int_equal(p->history[i].participation_id, id);
	assert_int_equal(x.parts[1].nattendance, 0);
	assert_null(x.parts[1].attendance);
	assert_int_equal(x.parts[1].nconsents, 1);

	/* The document keeps the keys its readers know. */
	json_t *doc = extract_json(&x);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "namn")), "Testa Nyttnamn");
	json_t *p0 = json_array_get(json_object_get(doc, "deltaganden"), 0);
	assert_string_equal(json_string_value(json_object_get(p0, "insats")), "Steget vidare");
	assert_int_equal(json_array_size(json_object_get(p0, "registreringar")), 4);
	json_t *t = json_array_get(json_object_get(p0, "deltagartimmar"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "timmar")), "12,5");
	assert_true(json_is_true(json_object_get(p0, "raknas_i_statistik")));
	json_decref(doc);

	/* Nothing stored: an empty extract, audited as no match. */
	char none[14];
	make_pnr("700101001", none);
	assert_int_equal(personal_extract(f->t.db, f->v, &f->admin, none, f->a, &x, &e), RC_OK);
	assert_int_equal(x.nparts, 0);
	assert_null(x.name);
	assert_int_equal(audit_count(f, "extract"), 2);
}

/* Regression: the extract stopped at 512 participations.  Every one of the
 * person's participations is there, in the struct and in the document. */
static void extract_has_every_participation_past_512(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 520; i++)
		refer(f, f->pnr_a, "Testa Testsson");
	struct field_error e = {0};
	struct register_extract x;
	assert_int_equal(personal_extract(f->t.db, f->v, &f->admin, f->pnr_a, f->a, &x, &e), RC_OK);
	assert_int_equal(x.nparts, 520);
	for (size_t i = 0; i < x.nparts; i++)
		assert_int_equal(x.parts[i].nconsents, 1);
	json_t *doc = extract_json(&x);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "deltaganden")), 520);
	json_decref(doc);
}

/* Regression: a part that could not be read (its statement failed) came
 * back as an empty list: a shorter extract that looked complete. */
static void a_part_that_cannot_be_read_fails_the_extract(void **state)
{
	struct fx *f = *state;
	person_with_history(f);
	exec(f, "DROP TABLE attendance");
	struct field_error e = {0};
	struct register_extract x;
	enum rc rc = personal_extract(f->t.db, f->v, &f->admin, f->pnr_a, f->a, &x, &e);
	assert_int_not_equal(rc, RC_OK);
	assert_int_equal(x.nparts, 0);
	/* No extract, no entry claiming one. */
	assert_int_equal(audit_count(f, "extract"), 0);
}

/* Regression: a sealed name that did not open (altered data) became an
 * empty name in a document that looked complete. */
static void a_name_that_does_not_open_fails_the_extract(void **state)
{
	struct fx *f = *state;
	person_with_history(f);
	exec(f, "UPDATE identity SET sealed_name = substr(sealed_name, 1, 20) || 'AAAA'"
	        " || substr(sealed_name, 25) WHERE id = (SELECT min(id) FROM identity)");
	struct field_error e = {0};
	struct register_extract x;
	assert_int_equal(personal_extract(f->t.db, f->v, &f->admin, f->pnr_a, f->a, &x, &e), RC_IO);
	assert_int_equal(x.nparts, 0);
	assert_int_equal(audit_count(f, "extract"), 0);
}

/* The reads and the audit entry are one transaction: a busy step anywhere
 * in it (the busy hook, at each step in turn) reruns the whole extract,
 * which still comes back complete with exactly one audit entry. */
static void a_retried_extract_is_complete_with_one_entry(void **state)
{
	struct fx *f = *state;
	person_with_history(f);
	struct field_error e = {0};
	struct register_extract x;
	for (int n = 1; n <= 12; n++) {
		db_test_fail_step(f->t.db, n);
		assert_int_equal(personal_extract(f->t.db, f->v, &f->admin, f->pnr_a, f->a, &x, &e),
		                 RC_OK);
		assert_int_equal(db_test_fail_pending(f->t.db), 0); /* it ran in the transaction */
		assert_int_equal(x.nparts, 2);
		assert_int_equal(x.parts[0].nanswers, 4);
		assert_int_equal(x.parts[0].nattendance, 1);
		assert_int_equal(x.parts[0].nconsents, 1);
		assert_int_equal(audit_count(f, "extract"), n);
	}
}

/* A log that cannot be written (its anchor no longer matches) means no
 * extract at all. */
static void no_extract_without_its_audit_entry(void **state)
{
	struct fx *f = *state;
	person_with_history(f);
	exec(f, "DROP TRIGGER IF EXISTS audit_log_no_delete;"
	        " DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)");
	struct field_error e = {0};
	struct register_extract x;
	assert_int_not_equal(personal_extract(f->t.db, f->v, &f->admin, f->pnr_a, f->a, &x, &e),
	                     RC_OK);
	assert_int_equal(x.nparts, 0);
	assert_null(x.name);
}

/* ---- the JSON document under memory failure ---------------------------------------- */

static long alloc_budget = -1; /* allocations left; -1: no limit */

static void *failing_malloc(size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return malloc(n);
}

/* Regression: jansson's results were not checked, so running out of memory
 * gave a document with members missing.  Failing the k-th allocation, for
 * every k, gives either no document or the whole one. */
static void the_document_is_whole_or_none_when_memory_fails(void **state)
{
	struct fx *f = *state;
	person_with_history(f);
	struct field_error e = {0};
	struct register_extract x;
	assert_int_equal(personal_extract(f->t.db, f->v, &f->admin, f->pnr_a, f->a, &x, &e), RC_OK);
	json_t *whole = extract_json(&x);
	assert_non_null(whole);
	int failures = 0;
	for (long k = 0;; k++) {
		json_set_alloc_funcs(failing_malloc, free);
		alloc_budget = k;
		json_t *doc = extract_json(&x);
		alloc_budget = -1;
		json_set_alloc_funcs(malloc, free);
		if (!doc) {
			failures++;
			continue;
		}
		assert_true(json_equal(doc, whole));
		json_decref(doc);
		break;
	}
	assert_true(failures > 50);
	json_decref(whole);
}

/* ---- the audited looks ------------------------------------------------------------- */

/* The look at an identity and its audit entry are one transaction: a busy
 * step anywhere in it (the busy hook, at each step in turn) reruns the
 * whole look, which writes exactly one entry and hands out the identity
 * only after it is committed.  Before, the look ran outside a transaction:
 * the hook never fired. */
static void a_retried_identity_look_writes_one_entry(void **state)
{
	struct fx *f = *state;
	int64_t id = refer(f, f->pnr_a, "Testa Testsson");
	for (int n = 1; n <= 30; n++) {
		const char *pnr = NULL, *name = NULL;
		db_test_fail_step(f->t.db, n);
		assert_int_equal(
		    personal_identity(f->t.db, f->v, &f->dr, id, "kontakt", f->a, &pnr, &name),
		    RC_OK);
		if (n > 3 && db_test_fail_pending(f->t.db)) { /* past the look's last step */
			db_test_fail_step(f->t.db, 0);
			break;
		}
		assert_int_equal(db_test_fail_pending(f->t.db), 0);
		assert_string_equal(name, "Testa Testsson");
		assert_non_null(pnr);
		assert_int_equal(audit_count(f, "view_identity"), n);
	}
}

/* No identity without its entry: when the log cannot be written (its
 * anchor no longer matches its head), the look answers an error and hands
 * out nothing; so do the search and the extract. */
static void no_identity_is_shown_when_its_entry_cannot_be_written(void **state)
{
	struct fx *f = *state;
	int64_t id = refer(f, f->pnr_a, "Testa Testsson");
	exec(f, "DROP TRIGGER IF EXISTS audit_log_no_delete;"
	        " DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)");
	const char *pnr = "x", *name = "x";
	assert_int_not_equal(
	    personal_identity(f->t.db, f->v, &f->dr, id, "kontakt", f->a, &pnr, &name), RC_OK);
	assert_null(pnr);
	assert_null(name);
	struct participation *found = (void *)1;
	size_t n = 1;
	struct field_error e = {0};
	assert_int_not_equal(personal_find_by_pnr(f->t.db, f->v, &f->dr, f->assoc, f->pnr_a,
	                                          "kontakt", f->a, &found, &n, &e),
	                     RC_OK);
	assert_null(found);
	assert_int_equal(n, 0);
}

/* The search and its entry are one transaction too, and the participations
 * it answers are read in it. */
static void a_retried_search_writes_one_entry(void **state)
{
	struct fx *f = *state;
	int64_t id = refer(f, f->pnr_a, "Testa Testsson");
	struct field_error e = {0};
	for (int n = 1; n <= 40; n++) {
		struct participation *found;
		size_t count_found;
		db_test_fail_step(f->t.db, n);
		assert_int_equal(personal_find_by_pnr(f->t.db, f->v, &f->dr, f->assoc, f->pnr_a,
		                                      "kontakt", f->a, &found, &count_found, &e),
		                 RC_OK);
		if (n > 3 && db_test_fail_pending(f->t.db)) { /* past the search's last step */
			db_test_fail_step(f->t.db, 0);
			break;
		}
		assert_int_equal(db_test_fail_pending(f->t.db), 0);
		assert_int_equal(count_found, 1);
		assert_int_equal(found[0].id, id);
		assert_string_equal(found[0].intervention_name, "Steget vidare");
		assert_int_equal(audit_count(f, "search_identity"), n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(extract_holds_everything_about_one_person, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(extract_has_every_participation_past_512, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_part_that_cannot_be_read_fails_the_extract, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_name_that_does_not_open_fails_the_extract, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_retried_extract_is_complete_with_one_entry, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(no_extract_without_its_audit_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_document_is_whole_or_none_when_memory_fails, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_retried_identity_look_writes_one_entry, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(no_identity_is_shown_when_its_entry_cannot_be_written,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(a_retried_search_writes_one_entry, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
