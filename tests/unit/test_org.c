/* Unit tests for the org module: organisationsnummer, members and their
 * rules, population, bodies, people and mandates, and that every write is
 * audited. */
#include "testutil.h"
#include "core/audit.h"
#include "core/org.h"
#include "util/arena.h"

struct fx {
	struct testdb t;
	struct arena *a;
	int64_t assoc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	testdb_open(&f->t);
	f->a = arena_new(0);
	struct field_error e;
	assert_int_equal(org_association_create(f->t.db, &test_actor, "Samordningsförbundet Test",
	                                        &f->assoc, &e),
	                 RC_OK);
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

static void org_numbers_are_checked_and_normalised(void **state)
{
	(void)state;
	char out[12];
	assert_int_equal(org_number_normalize("202100-5521", out), RC_OK);
	assert_string_equal(out, "202100-5521");
	assert_int_equal(org_number_normalize("2021002114", out), RC_OK);
	assert_string_equal(out, "202100-2114");
	assert_int_equal(org_number_normalize("16202100-5521", out), RC_OK);
	assert_string_equal(out, "202100-5521");
	assert_int_equal(org_number_normalize("202100-5522", out), RC_INVALID); /* check digit */
	assert_int_equal(org_number_normalize("20210-5521", out), RC_INVALID);
	assert_int_equal(org_number_normalize("19202100-5521", out), RC_INVALID);
	assert_int_equal(org_number_normalize("2021OO-5521", out), RC_INVALID);
}

static int64_t add_member(struct fx *f, const char *kind, const char *name, struct field_error *e,
                          enum rc expect)
{
	struct member m = {0};
	m.association_id = f->assoc;
	m.kind = kind;
	m.name = name;
	assert_int_equal(org_member_save(f->t.db, &test_actor, &m, e), expect);
	return m.id;
}

static void member_rules_hold(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	add_member(f, "fk", "Försäkringskassan", &e, RC_OK);
	add_member(f, "fk", "Försäkringskassan 2", &e, RC_INVALID);
	assert_string_equal(e.field, "kind");
	add_member(f, "kommun", "Försäkringskassan", &e, RC_INVALID);
	assert_string_equal(e.field, "name");
	add_member(f, "landsting", "Region X", &e, RC_INVALID);
	assert_string_equal(e.field, "kind");
	add_member(f, "kommun", "  ", &e, RC_INVALID);
	assert_string_equal(e.field, "name");

	struct member m = {0};
	m.association_id = f->assoc;
	m.kind = "region";
	m.name = "Region Test";
	m.org_number = "2321000098"; /* check digit should be 9 */
	assert_int_equal(org_member_save(f->t.db, &test_actor, &m, &e), RC_INVALID);
	assert_string_equal(e.field, "org_number");
	m.org_number = "232100-0024"; /* a valid check digit */
	m.joined_on = "2020-01-01";
	m.left_on = "2019-12-31";
	assert_int_equal(org_member_save(f->t.db, &test_actor, &m, &e), RC_INVALID);
	assert_string_equal(e.field, "left_on");
	m.left_on = NULL;
	assert_int_equal(org_member_save(f->t.db, &test_actor, &m, &e), RC_OK);
	struct member got;
	assert_int_equal(org_member_get(f->t.db, f->a, m.id, &got), RC_OK);
	assert_string_equal(got.org_number, "232100-0024");
	assert_int_equal(got.latest_population, -1);
}

static void org_number_is_stored_normalised(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	struct member m = {0};
	m.association_id = f->assoc;
	m.kind = "af";
	m.name = "Arbetsförmedlingen";
	m.org_number = "2021002114";
	assert_int_equal(org_member_save(f->t.db, &test_actor, &m, &e), RC_OK);
	struct member got;
	assert_int_equal(org_member_get(f->t.db, f->a, m.id, &got), RC_OK);
	assert_string_equal(got.org_number, "202100-2114");
}

static void population_only_for_kommuner(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t fk = add_member(f, "fk", "Försäkringskassan", &e, RC_OK);
	int64_t k = add_member(f, "kommun", "Testkommun", &e, RC_OK);
	assert_int_equal(org_population_set(f->t.db, &test_actor, fk, 2025, 1000, &e), RC_INVALID);
	assert_string_equal(e.field, "population");
	assert_int_equal(org_population_set(f->t.db, &test_actor, k, 2025, -1, &e), RC_INVALID);
	assert_int_equal(org_population_set(f->t.db, &test_actor, k, 1800, 5, &e), RC_INVALID);
	assert_string_equal(e.field, "year");
	assert_int_equal(org_population_set(f->t.db, &test_actor, k, 2025, 24730, &e), RC_OK);
	assert_int_equal(org_population_set(f->t.db, &test_actor, k, 2026, 24900, &e), RC_OK);
	assert_int_equal(org_population_set(f->t.db, &test_actor, k, 2026, 24911, &e), RC_OK);
	struct member got;
	assert_int_equal(org_member_get(f->t.db, f->a, k, &got), RC_OK);
	assert_int_equal(got.latest_population, 24911);
	assert_int_equal(got.latest_population_year, 2026);
	assert_int_equal(org_population_set(f->t.db, &test_actor, 9999, 2026, 1, &e), RC_NOT_FOUND);
}

static void stadsdel_needs_a_kommun(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	struct area k = {0};
	k.association_id = f->assoc;
	k.kind = "kommun";
	k.name = "Göteborg";
	k.code = "1480";
	assert_int_equal(org_area_save(f->t.db, &test_actor, &k, &e), RC_OK);
	struct area s = {0};
	s.association_id = f->assoc;
	s.kind = "stadsdel";
	s.name = "Centrum";
	assert_int_equal(org_area_save(f->t.db, &test_actor, &s, &e), RC_INVALID);
	assert_string_equal(e.field, "parent_id");
	s.parent_id = k.id;
	assert_int_equal(org_area_save(f->t.db, &test_actor, &s, &e), RC_OK);
	struct area bad = k;
	bad.id = 0;
	bad.code = "14800";
	assert_int_equal(org_area_save(f->t.db, &test_actor, &bad, &e), RC_INVALID);
	assert_string_equal(e.field, "code");
	struct area *list;
	size_t n;
	assert_int_equal(org_area_list(f->t.db, f->a, f->assoc, &list, &n), RC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].parent_name, "Göteborg");
}

static void mandates_check_dates_party_and_membership(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t k = add_member(f, "kommun", "Testkommun", &e, RC_OK);
	struct body b = {0};
	b.association_id = f->assoc;
	b.kind = "styrelse";
	b.name = "Styrelsen";
	assert_int_equal(org_body_save(f->t.db, &test_actor, &b, &e), RC_OK);
	struct person p = {0};
	p.association_id = f->assoc;
	p.name = "Test Testsson";
	p.email = "inte-en-adress";
	assert_int_equal(org_person_save(f->t.db, &test_actor, &p, &e), RC_INVALID);
	assert_string_equal(e.field, "email");
	p.email = "test@exempel.se";
	assert_int_equal(org_person_save(f->t.db, &test_actor, &p, &e), RC_OK);

	struct mandate m = {0};
	m.body_id = b.id;
	m.person_id = p.id;
	m.role = "ledamot";
	m.member_id = k;
	m.party = "S";
	m.start_on = "2023-01-01";
	m.end_on = "2022-12-31";
	assert_int_equal(org_mandate_save(f->t.db, &test_actor, &m, &e), RC_INVALID);
	assert_string_equal(e.field, "end_on");
	m.end_on = "2026-12-31";
	m.party = "(S)";
	assert_int_equal(org_mandate_save(f->t.db, &test_actor, &m, &e), RC_INVALID);
	assert_string_equal(e.field, "party");
	m.party = "S";
	m.role = "kung";
	assert_int_equal(org_mandate_save(f->t.db, &test_actor, &m, &e), RC_INVALID);
	assert_string_equal(e.field, "role");
	m.role = "ledamot";
	m.member_id = 4242;
	assert_int_equal(org_mandate_save(f->t.db, &test_actor, &m, &e), RC_INVALID);
	assert_string_equal(e.field, "member_id");
	m.member_id = k;
	assert_int_equal(org_mandate_save(f->t.db, &test_actor, &m, &e), RC_OK);

	struct mandate *list;
	size_t n;
	assert_int_equal(org_mandate_list(f->t.db, f->a, b.id, 0, &list, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].person_name, "Test Testsson");
	assert_string_equal(list[0].member_name, "Testkommun");
	assert_true(org_mandate_current(&list[0], "2024-06-01"));
	assert_false(org_mandate_current(&list[0], "2027-01-01"));
	assert_false(org_mandate_current(&list[0], "2022-12-31"));
}

static void every_write_is_audited(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	int64_t n0, n1, bad;
	assert_int_equal(audit_verify(f->t.db, &n0, &bad), RC_OK);
	add_member(f, "kommun", "Testkommun", &e, RC_OK);
	add_member(f, "kommun", "", &e, RC_INVALID); /* refused: not logged */
	assert_int_equal(audit_verify(f->t.db, &n1, &bad), RC_OK);
	assert_int_equal(n1, n0 + 1);
	struct audit_entry *list;
	size_t n;
	assert_int_equal(audit_list(f->t.db, f->a, 0, 1, &list, &n), RC_OK);
	assert_string_equal(list[0].action, "create");
	assert_string_equal(list[0].object_type, "member");
}

/* Names are one line: no CR/LF, no right-to-left override or other
 * invisible format characters; every wrong field is reported at once. */
static void names_are_one_visible_line_and_all_errors_come_back(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	add_member(f, "kommun", "Kommun\r\nX", &e, RC_INVALID);
	assert_string_equal(e.field, "name");
	add_member(f, "kommun", "Kommun \xe2\x80\xae X", &e, RC_INVALID);
	assert_string_equal(e.field, "name");
	assert_non_null(strstr(e.message, "osynliga"));
	add_member(f, "kommun", "Gr\xc3\xa4storps kommun", &e, RC_OK);

	struct member m = {0};
	m.association_id = f->assoc;
	m.kind = "kung";
	m.name = "A\tB";
	m.org_number = "202100-5522";
	m.joined_on = "2026-02-30";
	assert_int_equal(org_member_save(f->t.db, &test_actor, &m, &e), RC_INVALID);
	assert_int_equal(field_error_count(&e), 4);
	assert_string_equal(e.field, "kind");
	assert_non_null(field_error_for(&e, "name"));
	assert_non_null(field_error_for(&e, "org_number"));
	assert_string_equal(
	    field_error_for(&e, "joined_on"),
	    "Inträdesdatum: Datumet finns inte – ange ett giltigt datum som 2026-02-28.");

	struct person p = {0};
	p.association_id = f->assoc;
	p.name = "\xe2\x81\xa6"
	         "Eva\xe2\x81\xa9";
	p.title = "Chef\nX";
	p.email = "inte-en-adress";
	assert_int_equal(org_person_save(f->t.db, &test_actor, &p, &e), RC_INVALID);
	assert_int_equal(field_error_count(&e), 3);
	assert_non_null(field_error_for(&e, "name"));
	assert_non_null(field_error_for(&e, "title"));
	assert_non_null(field_error_for(&e, "email"));

	/* A description may span lines, but not hide an override. */
	struct body b = {0};
	b.association_id = f->assoc;
	b.kind = "styrelse";
	b.name = "Styrelsen";
	b.description = "Rad ett.\r\nRad tv\xc3\xa5.";
	assert_int_equal(org_body_save(f->t.db, &test_actor, &b, &e), RC_OK);
	b.id = 0;
	b.name = "Beredningen";
	b.description = "x\xe2\x80\xaey";
	assert_int_equal(org_body_save(f->t.db, &test_actor, &b, &e), RC_INVALID);
	assert_string_equal(e.field, "description");
}

/*
 * Every save survives a retry: for n = 1, 2, ... the nth step inside the
 * save's transaction fails as busy, db_tx runs the callback again, and the
 * save must still store the row once and hand out its id.  Before, a
 * create's first attempt wrote the new id into the caller's struct, so the
 * second attempt took the update path and answered "not found": nothing
 * was stored.
 */
static void saves_survive_a_retry(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	char name[40];
	int64_t kommun = 0, body_id = 0, person_id = 0, member_id = 0;
	EVERY_RETRY(f->t.db, n, {
		struct area ar = {0};
		snprintf(name, sizeof name, "Kommun %d", n);
		ar.association_id = f->assoc;
		ar.kind = "kommun";
		ar.name = name;
		assert_int_equal(org_area_save(f->t.db, &test_actor, &ar, &e), RC_OK);
		struct area got;
		assert_int_equal(org_area_get(f->t.db, f->a, ar.id, &got), RC_OK);
		assert_string_equal(got.name, name);
		kommun = ar.id;
	});
	EVERY_RETRY(f->t.db, n, {
		struct member m = {0};
		snprintf(name, sizeof name, "Region %d", n);
		m.association_id = f->assoc;
		m.kind = "region";
		m.name = name;
		assert_int_equal(org_member_save(f->t.db, &test_actor, &m, &e), RC_OK);
		struct member got;
		assert_int_equal(org_member_get(f->t.db, f->a, m.id, &got), RC_OK);
		assert_string_equal(got.name, name);
		member_id = m.id;
	});
	EVERY_RETRY(f->t.db, n, {
		struct body b = {0};
		snprintf(name, sizeof name, "Organ %d", n);
		b.association_id = f->assoc;
		b.kind = "ovrigt";
		b.name = name;
		assert_int_equal(org_body_save(f->t.db, &test_actor, &b, &e), RC_OK);
		struct body got;
		assert_int_equal(org_body_get(f->t.db, f->a, b.id, TEST_NOW, &got), RC_OK);
		assert_string_equal(got.name, name);
		body_id = b.id;
	});
	EVERY_RETRY(f->t.db, n, {
		struct person p = {0};
		snprintf(name, sizeof name, "Person %d", n);
		p.association_id = f->assoc;
		p.name = name;
		assert_int_equal(org_person_save(f->t.db, &test_actor, &p, &e), RC_OK);
		struct person got;
		assert_int_equal(org_person_get(f->t.db, f->a, p.id, &got), RC_OK);
		assert_string_equal(got.name, name);
		person_id = p.id;
	});
	EVERY_RETRY(f->t.db, n, {
		struct mandate m = {0};
		m.body_id = body_id;
		m.person_id = person_id;
		m.role = "ledamot";
		m.start_on = "2026-01-01";
		assert_int_equal(org_mandate_save(f->t.db, &test_actor, &m, &e), RC_OK);
		struct mandate got;
		assert_int_equal(org_mandate_get(f->t.db, f->a, m.id, &got), RC_OK);
		assert_int_equal(got.person_id, person_id);
		/* An update survives too, and keeps the id. */
		int64_t id = m.id;
		m.role = "ersattare";
		assert_int_equal(org_mandate_save(f->t.db, &test_actor, &m, &e), RC_OK);
		assert_int_equal(m.id, id);
	});
	struct member k = {0};
	k.association_id = f->assoc;
	k.kind = "kommun";
	k.name = "Kommunen";
	k.area_id = kommun;
	assert_int_equal(org_member_save(f->t.db, &test_actor, &k, &e), RC_OK);
	int years = 0;
	EVERY_RETRY(f->t.db, n, {
		assert_int_equal(
		    org_population_set(f->t.db, &test_actor, k.id, 2000 + n, 1000 + n, &e), RC_OK);
		years = n;
	});
	struct population *pop;
	size_t np;
	assert_int_equal(org_population_list(f->t.db, f->a, k.id, &pop, &np), RC_OK);
	assert_int_equal(np, years);
	for (size_t i = 0; i < np; i++)
		assert_int_equal(pop[i].population, 1000 + pop[i].year - 2000);
	/* An update of a member survives a retry and keeps its id. */
	EVERY_RETRY(f->t.db, n, {
		struct member m;
		assert_int_equal(org_member_get(f->t.db, f->a, member_id, &m), RC_OK);
		snprintf(name, sizeof name, "Regionen %d", n);
		m.name = name;
		assert_int_equal(org_member_save(f->t.db, &test_actor, &m, &e), RC_OK);
		assert_int_equal(m.id, member_id);
	});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(org_numbers_are_checked_and_normalised),
	    cmocka_unit_test_setup_teardown(member_rules_hold, setup, teardown),
	    cmocka_unit_test_setup_teardown(org_number_is_stored_normalised, setup, teardown),
	    cmocka_unit_test_setup_teardown(population_only_for_kommuner, setup, teardown),
	    cmocka_unit_test_setup_teardown(stadsdel_needs_a_kommun, setup, teardown),
	    cmocka_unit_test_setup_teardown(mandates_check_dates_party_and_membership, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(every_write_is_audited, setup, teardown),
	    cmocka_unit_test_setup_teardown(names_are_one_visible_line_and_all_errors_come_back,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(saves_survive_a_retry, setup, teardown),
	};
	return cmocka_run_group_tests_name("org", tests, NULL, NULL);
}
