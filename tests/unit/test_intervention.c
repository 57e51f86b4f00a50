/* Unit tests for the rules the core checks itself, not only the route
 * table: who may create and change an insats (an insatsansvarig only the
 * insatser they are staffed on as insatsansvarig), who may staff one, who
 * may change the organisation and the code lists. */
#include "testutil.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/codes.h"
#include "core/intervention.h"
#include "core/org.h"
#include "util/arena.h"

struct fx {
	struct testdb t;
	struct arena *a;
	int64_t assoc, own, other, volume, lead_user, dr_user;
	struct actor admin, chef, lead, dr, board, api;
};

static int64_t add_intervention(struct fx *f, const char *name, const char *method)
{
	struct intervention x = {0};
	struct field_error e;
	x.association_id = f->assoc;
	x.name = name;
	x.orientation = strcmp(method, "volym") == 0 ? "struktur" : "individ";
	x.method = method;
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(f->t.db, &f->admin, &x, &e), RC_OK);
	return x.id;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct field_error e;
	testdb_open(&f->t);
	f->a = arena_new(0);
	f->admin = (struct actor){0, "cli", "cli", ROLE_ADMIN, TEST_NOW};
	assert_int_equal(org_association_create(f->t.db, &f->admin, "Förbundet", &f->assoc, &e),
	                 RC_OK);
	assert_int_equal(auth_user_add(f->t.db, &f->admin, "lead", "Insats Ansvarig",
	                               ROLE_INTERVENTION_LEAD, "langt-losenord", &f->lead_user, &e),
	                 RC_OK);
	assert_int_equal(auth_user_add(f->t.db, &f->admin, "dr", "Del Ansvarig", ROLE_CASEWORKER,
	                               "langt-losenord", &f->dr_user, &e),
	                 RC_OK);
	f->own = add_intervention(f, "Egen insats", "person");
	f->other = add_intervention(f, "Annan insats", "person");
	f->volume = add_intervention(f, "Egen volym", "volym");
	assert_int_equal(intervention_staff_set(f->t.db, &f->admin, f->own, f->lead_user,
	                                        "insatsansvarig", 1, &e),
	                 RC_OK);
	assert_int_equal(intervention_staff_set(f->t.db, &f->admin, f->volume, f->lead_user,
	                                        "insatsansvarig", 1, &e),
	                 RC_OK);
	/* The caseworker works in the other insats; that gives no right to
	 * change it. */
	assert_int_equal(intervention_staff_set(f->t.db, &f->admin, f->other, f->dr_user,
	                                        "deltagaransvarig", 1, &e),
	                 RC_OK);
	f->chef = (struct actor){99, "chef", "127.0.0.1", ROLE_DIRECTOR, TEST_NOW};
	f->lead =
	    (struct actor){f->lead_user, "lead", "127.0.0.1", ROLE_INTERVENTION_LEAD, TEST_NOW};
	f->dr = (struct actor){f->dr_user, "dr", "127.0.0.1", ROLE_CASEWORKER, TEST_NOW};
	f->board = (struct actor){98, "styrelse", "127.0.0.1", ROLE_BOARD, TEST_NOW};
	f->api = (struct actor){0, "api:x", "127.0.0.1", ROLE_API, TEST_NOW};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	arena_free(f->a);
	testdb_close(&f->t);
	free(f);
	return 0;
}

/* An insatsansvarig staffs only their own insats: before, any
 * insatsansvarig could staff any insats, giving a deltagaransvarig access
 * to its identities. */
static void lead_staffs_only_own_insats(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	assert_int_equal(intervention_staff_set(f->t.db, &f->lead, f->other, f->lead_user,
	                                        "insatsansvarig", 1, &e),
	                 RC_DENIED);
	assert_false(intervention_is_staff(f->t.db, f->other, f->lead_user, "insatsansvarig"));
	assert_int_equal(intervention_staff_set(f->t.db, &f->lead, f->own, f->dr_user,
	                                        "deltagaransvarig", 1, &e),
	                 RC_OK);
	assert_true(intervention_is_staff(f->t.db, f->own, f->dr_user, "deltagaransvarig"));
	/* Nor remove anyone from another insats. */
	assert_int_equal(intervention_staff_set(f->t.db, &f->lead, f->other, f->dr_user,
	                                        "deltagaransvarig", 0, &e),
	                 RC_DENIED);
	assert_true(intervention_is_staff(f->t.db, f->other, f->dr_user, "deltagaransvarig"));
	/* A caseworker staffs nothing, not even their own insats. */
	assert_int_equal(intervention_staff_set(f->t.db, &f->dr, f->other, f->lead_user,
	                                        "insatsansvarig", 1, &e),
	                 RC_DENIED);
	assert_false(intervention_is_staff(f->t.db, f->other, f->lead_user, "insatsansvarig"));
	/* The förbundschef staffs any insats. */
	assert_int_equal(intervention_staff_set(f->t.db, &f->chef, f->other, f->lead_user,
	                                        "insatsansvarig", 1, &e),
	                 RC_OK);
	/* ...after which the insatsansvarig may staff it too. */
	assert_int_equal(intervention_staff_set(f->t.db, &f->lead, f->other, f->dr_user,
	                                        "deltagaransvarig", 0, &e),
	                 RC_OK);
	/* An insats that does not exist is not found, for everyone who may
	 * write at all. */
	assert_int_equal(
	    intervention_staff_set(f->t.db, &f->lead, 9999, f->dr_user, "deltagaransvarig", 1, &e),
	    RC_NOT_FOUND);
}

static void lead_changes_only_own_insats(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	struct intervention x;
	assert_int_equal(intervention_get(f->t.db, f->a, f->other, &x), RC_OK);
	x.name = "Omdöpt";
	assert_int_equal(intervention_save(f->t.db, &f->lead, &x, &e), RC_DENIED);
	assert_int_equal(intervention_save(f->t.db, &f->dr, &x, &e), RC_DENIED);
	assert_int_equal(intervention_save(f->t.db, &f->board, &x, &e), RC_DENIED);
	assert_int_equal(intervention_get(f->t.db, f->a, f->other, &x), RC_OK);
	assert_string_equal(x.name, "Annan insats");
	assert_int_equal(intervention_get(f->t.db, f->a, f->own, &x), RC_OK);
	x.name = "Egen insats, ny";
	assert_int_equal(intervention_save(f->t.db, &f->lead, &x, &e), RC_OK);
	assert_int_equal(x.id, f->own);

	struct intervention_year y = {2026, 10, 100000, 0, -1, -1};
	assert_int_equal(intervention_year_set(f->t.db, &f->lead, f->other, &y, &e), RC_DENIED);
	assert_int_equal(intervention_year_set(f->t.db, &f->dr, f->other, &y, &e), RC_DENIED);
	assert_int_equal(intervention_year_set(f->t.db, &f->lead, f->own, &y, &e), RC_OK);
	struct intervention_year *ys;
	size_t n;
	assert_int_equal(intervention_years(f->t.db, f->a, f->other, &ys, &n), RC_OK);
	assert_int_equal(n, 0);

	struct volume_count v = {0, "2026-01-01", "2026-03-31", 3, 4};
	int64_t other_volume = add_intervention(f, "Annan volym", "volym");
	assert_int_equal(intervention_volume_add(f->t.db, &f->lead, other_volume, &v, &e),
	                 RC_DENIED);
	assert_int_equal(intervention_volume_add(f->t.db, &f->lead, f->volume, &v, &e), RC_OK);

	assert_int_equal(intervention_may_change(f->t.db, &f->lead, f->own), RC_OK);
	assert_int_equal(intervention_may_change(f->t.db, &f->lead, f->other), RC_DENIED);
	assert_int_equal(intervention_may_change(f->t.db, &f->chef, f->other), RC_OK);
	assert_int_equal(intervention_may_change(f->t.db, &f->api, f->other), RC_OK);
	assert_int_equal(intervention_may_change(f->t.db, &f->dr, f->other), RC_DENIED);
	assert_int_equal(intervention_may_change(f->t.db, &f->chef, 9999), RC_NOT_FOUND);
}

/* Creating an insats is the förbund's decision: förbundschef, administrator
 * and an integration create; an insatsansvarig does not. */
static void only_the_forbund_creates_insatser(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	struct intervention x = {0};
	x.association_id = f->assoc;
	x.name = "Ny insats";
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2026-01-01";
	assert_int_equal(intervention_save(f->t.db, &f->lead, &x, &e), RC_DENIED);
	assert_int_equal(x.id, 0);
	assert_int_equal(intervention_save(f->t.db, &f->dr, &x, &e), RC_DENIED);
	assert_int_equal(intervention_save(f->t.db, NULL, &x, &e), RC_DENIED);
	assert_int_equal(intervention_may_create(&f->lead), RC_DENIED);
	assert_int_equal(intervention_may_create(&f->chef), RC_OK);
	assert_int_equal(intervention_save(f->t.db, &f->chef, &x, &e), RC_OK);
	assert_true(x.id > 0);
	struct intervention y = x;
	y.id = 0;
	y.name = "Från integrationen";
	assert_int_equal(intervention_save(f->t.db, &f->api, &y, &e), RC_OK);
}

/* The organisation is changed by roles with PERM_ORG_WRITE only, and an
 * update names a row of the förbund it says. */
static void org_writes_check_the_actor(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	struct member m = {0};
	m.association_id = f->assoc;
	m.kind = "region";
	m.name = "Region Test";
	assert_int_equal(org_member_save(f->t.db, &f->lead, &m, &e), RC_DENIED);
	assert_int_equal(org_member_save(f->t.db, &f->board, &m, &e), RC_DENIED);
	assert_int_equal(m.id, 0);
	assert_int_equal(org_member_save(f->t.db, &f->chef, &m, &e), RC_OK);
	struct body b = {0};
	b.association_id = f->assoc;
	b.kind = "styrelse";
	b.name = "Styrelsen";
	assert_int_equal(org_body_save(f->t.db, &f->dr, &b, &e), RC_DENIED);
	struct person p = {0};
	p.association_id = f->assoc;
	p.name = "Anna Andersson";
	assert_int_equal(org_person_save(f->t.db, &f->lead, &p, &e), RC_DENIED);
	struct area ar = {0};
	ar.association_id = f->assoc;
	ar.kind = "kommun";
	ar.name = "Kommunen";
	assert_int_equal(org_area_save(f->t.db, &f->board, &ar, &e), RC_DENIED);
	assert_int_equal(org_population_set(f->t.db, &f->lead, m.id, 2025, 1000, &e), RC_DENIED);
	struct association as = {f->assoc, "Nytt namn", NULL};
	assert_int_equal(org_association_update(f->t.db, &f->lead, &as, &e), RC_DENIED);
	int64_t id = 0;
	assert_int_equal(org_association_create(f->t.db, &f->board, "Annat", &id, &e), RC_DENIED);

	/* An update of a row in another förbund finds nothing. */
	int64_t assoc2;
	assert_int_equal(org_association_create(f->t.db, &f->admin, "Förbund två", &assoc2, &e),
	                 RC_OK);
	m.association_id = assoc2;
	m.name = "Region Kapad";
	assert_int_equal(org_member_save(f->t.db, &f->chef, &m, &e), RC_NOT_FOUND);
	struct member got;
	assert_int_equal(org_member_get(f->t.db, f->a, m.id, &got), RC_OK);
	assert_string_equal(got.name, "Region Test");
	assert_int_equal(got.association_id, f->assoc);
}

static void only_an_administrator_changes_code_lists(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	assert_int_equal(
	    codes_update(f->t.db, &f->chef, "target_group", "unga_vuxna", "Unga", 1, &e),
	    RC_DENIED);
	assert_int_equal(
	    codes_update(f->t.db, &f->lead, "target_group", "unga_vuxna", "Unga", 0, &e),
	    RC_DENIED);
	assert_true(codes_valid(f->t.db, "target_group", "unga_vuxna"));
	assert_int_equal(
	    codes_update(f->t.db, &f->admin, "target_group", "unga_vuxna", "Unga", 0, &e), RC_OK);
	assert_false(codes_valid(f->t.db, "target_group", "unga_vuxna"));
}

/*
 * Every write survives a retry: for n = 1, 2, ... the nth step inside the
 * write's transaction fails as busy, db_tx runs the callback again, and the
 * write must still happen once and hand out the right id.  Before, a
 * create's first attempt wrote the new id into the caller's struct, so the
 * second attempt took the update path and answered "not found".
 */
static void writes_survive_a_retry(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	char name[40];
	int nyears = 0, nperiods = 0;
	EVERY_RETRY(f->t.db, n, {
		struct intervention x = {0};
		const char *tg[1] = {"unga_vuxna"};
		snprintf(name, sizeof name, "Insats %d", n);
		x.association_id = f->assoc;
		x.name = name;
		x.orientation = "individ";
		x.method = "person";
		x.start_on = "2026-01-01";
		x.target_groups = tg;
		x.ntarget_groups = 1;
		assert_int_equal(intervention_save(f->t.db, &f->chef, &x, &e), RC_OK);
		assert_true(x.id > 0);
		struct intervention got;
		assert_int_equal(intervention_get(f->t.db, f->a, x.id, &got), RC_OK);
		assert_string_equal(got.name, name);
		assert_int_equal(got.ntarget_groups, 1);
	});
	EVERY_RETRY(f->t.db, n, {
		struct intervention x;
		assert_int_equal(intervention_get(f->t.db, f->a, f->own, &x), RC_OK);
		snprintf(name, sizeof name, "Egen insats %d", n);
		x.name = name;
		assert_int_equal(intervention_save(f->t.db, &f->lead, &x, &e), RC_OK);
		assert_int_equal(x.id, f->own);
		struct intervention got;
		assert_int_equal(intervention_get(f->t.db, f->a, f->own, &got), RC_OK);
		assert_string_equal(got.name, name);
	});
	EVERY_RETRY(f->t.db, n, {
		struct intervention_year y = {2000 + n, n, 100 * n, 0, -1, -1};
		nyears = n;
		assert_int_equal(intervention_year_set(f->t.db, &f->lead, f->own, &y, &e), RC_OK);
	});
	EVERY_RETRY(f->t.db, n, {
		int add = n % 2;
		assert_int_equal(intervention_staff_set(f->t.db, &f->lead, f->own, f->dr_user,
		                                        "deltagaransvarig", add, &e),
		                 RC_OK);
		assert_int_equal(
		    intervention_is_staff(f->t.db, f->own, f->dr_user, "deltagaransvarig"), add);
	});
	EVERY_RETRY(f->t.db, n, {
		struct volume_count v = {0, "2026-01-01", "2026-03-31", n, n};
		nperiods++;
		assert_int_equal(intervention_volume_add(f->t.db, &f->lead, f->volume, &v, &e),
		                 RC_OK);
	});
	EVERY_RETRY(f->t.db, n, {
		snprintf(name, sizeof name, "Unga %d", n);
		assert_int_equal(
		    codes_update(f->t.db, &f->admin, "target_group", "unga_vuxna", name, 1, &e),
		    RC_OK);
	});
	/* Every year and every period was stored once. */
	struct intervention_year *ys;
	size_t ny;
	assert_int_equal(intervention_years(f->t.db, f->a, f->own, &ys, &ny), RC_OK);
	assert_int_equal(ny, nyears);
	for (size_t i = 0; i < ny; i++)
		assert_int_equal(ys[i].budget_cost, 100 * (ys[i].year - 2000));
	struct volume_count *vs;
	size_t nv;
	assert_int_equal(intervention_volume_list(f->t.db, f->a, f->volume, &vs, &nv), RC_OK);
	assert_int_equal(nv, nperiods);
}

/* Review of issue 7: staffing is audited with the account given or losing
 * access (a deltagaransvarig gains identity access), and an add or removal
 * that changes nothing says so and writes no entry. */
static void staffing_names_the_account_and_no_change_is_no_entry(void **state)
{
	struct fx *f = *state;
	struct field_error e = {0};
	int64_t before, after;
	assert_int_equal(audit_total(f->t.db, &before), RC_OK);
	assert_int_equal(intervention_staff_set(f->t.db, &f->admin, f->own, f->dr_user,
	                                        "deltagaransvarig", 1, &e),
	                 RC_OK);
	struct audit_entry *ent;
	size_t n;
	assert_int_equal(audit_list(f->t.db, f->a, 0, 1, &ent, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ent[0].action, "staff_add");
	char want[64];
	snprintf(want, sizeof want, "deltagaransvarig:%lld", (long long)f->dr_user);
	assert_string_equal(ent[0].detail, want);
	assert_int_equal(audit_total(f->t.db, &before), RC_OK);
	/* The same again, and removing staff that is not there: refused with
	 * a message on the account field, no entry. */
	field_error_clear(&e);
	assert_int_equal(intervention_staff_set(f->t.db, &f->admin, f->own, f->dr_user,
	                                        "deltagaransvarig", 1, &e),
	                 RC_INVALID);
	assert_non_null(field_error_for(&e, "user_id"));
	field_error_clear(&e);
	assert_int_equal(
	    intervention_staff_set(f->t.db, &f->admin, f->own, 999, "deltagaransvarig", 0, &e),
	    RC_INVALID);
	assert_non_null(field_error_for(&e, "user_id"));
	assert_int_equal(audit_total(f->t.db, &after), RC_OK);
	assert_int_equal(after, before);
	field_error_clear(&e);
	assert_int_equal(intervention_staff_set(f->t.db, &f->admin, f->own, f->dr_user,
	                                        "deltagaransvarig", 0, &e),
	                 RC_OK);
	assert_false(intervention_is_staff(f->t.db, f->own, f->dr_user, "deltagaransvarig"));
	assert_int_equal(audit_list(f->t.db, f->a, 0, 1, &ent, &n), RC_OK);
	assert_string_equal(ent[0].action, "staff_remove");
	assert_string_equal(ent[0].detail, want);
}

/* The list gives each insats its own target groups, in the code list's
 * order, as intervention_get does (the list reads them all in one
 * statement and hands them out by insats). */
static void list_gives_each_insats_its_target_groups(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	const char *own_tg[] = {"ovriga", "unga_vuxna", "langtidssjukskrivna"};
	const char *volume_tg[] = {"utrikes_fodda"};
	struct {
		int64_t id;
		const char **tg;
		size_t n;
	} set[] = {{f->own, own_tg, 3}, {f->volume, volume_tg, 1}};
	for (size_t i = 0; i < 2; i++) {
		struct intervention x;
		assert_int_equal(intervention_get(f->t.db, f->a, set[i].id, &x), RC_OK);
		x.target_groups = set[i].tg;
		x.ntarget_groups = set[i].n;
		assert_int_equal(intervention_save(f->t.db, &f->admin, &x, &e), RC_OK);
	}
	struct intervention *list;
	size_t n;
	assert_int_equal(intervention_list(f->t.db, f->a, f->assoc, &list, &n), RC_OK);
	assert_int_equal(n, 3);
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		struct intervention one;
		assert_int_equal(intervention_get(f->t.db, f->a, list[i].id, &one), RC_OK);
		assert_int_equal(list[i].ntarget_groups, one.ntarget_groups);
		for (size_t k = 0; k < one.ntarget_groups; k++)
			assert_string_equal(list[i].target_groups[k], one.target_groups[k]);
		if (list[i].id == f->own) {
			assert_int_equal(list[i].ntarget_groups, 3);
			/* the code list's order: unga vuxna 10, långtidssjukskrivna 30, övriga 70 */
			assert_string_equal(list[i].target_groups[0], "unga_vuxna");
			assert_string_equal(list[i].target_groups[1], "langtidssjukskrivna");
			assert_string_equal(list[i].target_groups[2], "ovriga");
			seen++;
		} else if (list[i].id == f->volume) {
			assert_int_equal(list[i].ntarget_groups, 1);
			assert_string_equal(list[i].target_groups[0], "utrikes_fodda");
			seen++;
		} else {
			assert_int_equal(list[i].ntarget_groups, 0);
		}
	}
	assert_int_equal(seen, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(lead_staffs_only_own_insats, setup, teardown),
	    cmocka_unit_test_setup_teardown(lead_changes_only_own_insats, setup, teardown),
	    cmocka_unit_test_setup_teardown(only_the_forbund_creates_insatser, setup, teardown),
	    cmocka_unit_test_setup_teardown(org_writes_check_the_actor, setup, teardown),
	    cmocka_unit_test_setup_teardown(only_an_administrator_changes_code_lists, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(writes_survive_a_retry, setup, teardown),
	    cmocka_unit_test_setup_teardown(list_gives_each_insats_its_target_groups, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(staffing_names_the_account_and_no_change_is_no_entry,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests_name("intervention", tests, NULL, NULL);
}
