/* Unit tests for route matching and the real route table. */
#include "testutil.h"
#include "web/router.h"
#include "web/web.h"

static const struct router_entry table[] = {
    {"GET", "/"},
    {"GET", "/medlemmar"},
    {"GET", "/medlemmar/#"},
    {"POST", "/medlemmar/#/redigera"},
    {"GET", "/medlemmar/#/redigera"},
    {"GET", "/organ/#/uppdrag/#"},
};
#define N (sizeof table / sizeof table[0])

static void matches_literal_and_ids(void **state)
{
	(void)state;
	size_t idx;
	int64_t ids[ROUTER_MAX_IDS];
	size_t nids;
	assert_int_equal(router_match(table, N, sizeof table[0], "GET", "/", &idx, ids, &nids),
	                 ROUTER_OK);
	assert_int_equal(idx, 0);
	assert_int_equal(
	    router_match(table, N, sizeof table[0], "GET", "/medlemmar/42", &idx, ids, &nids),
	    ROUTER_OK);
	assert_int_equal(idx, 2);
	assert_int_equal(nids, 1);
	assert_int_equal(ids[0], 42);
	assert_int_equal(
	    router_match(table, N, sizeof table[0], "GET", "/organ/7/uppdrag/9", &idx, ids, &nids),
	    ROUTER_OK);
	assert_int_equal(nids, 2);
	assert_int_equal(ids[0], 7);
	assert_int_equal(ids[1], 9);
}

static void method_picks_the_row(void **state)
{
	(void)state;
	size_t idx;
	int64_t ids[ROUTER_MAX_IDS];
	size_t nids;
	assert_int_equal(router_match(table, N, sizeof table[0], "POST", "/medlemmar/3/redigera",
	                              &idx, ids, &nids),
	                 ROUTER_OK);
	assert_int_equal(idx, 3);
	assert_int_equal(router_match(table, N, sizeof table[0], "GET", "/medlemmar/3/redigera",
	                              &idx, ids, &nids),
	                 ROUTER_OK);
	assert_int_equal(idx, 4);
	assert_int_equal(
	    router_match(table, N, sizeof table[0], "HEAD", "/medlemmar", &idx, ids, &nids),
	    ROUTER_OK);
	assert_int_equal(
	    router_match(table, N, sizeof table[0], "DELETE", "/medlemmar", &idx, ids, &nids),
	    ROUTER_BAD_METHOD);
}

static void rejects_bad_ids_and_unknown_paths(void **state)
{
	(void)state;
	size_t idx;
	int64_t ids[ROUTER_MAX_IDS];
	size_t nids;
	const char *bad[] = {"/medlemmar/0",  "/medlemmar/-1", "/medlemmar/abc",
	                     "/medlemmar/1x", "/medlemmar/",   "/medlemmar/99999999999999999999",
	                     "/okand",        "/medlemmar//1", "/medlemmar/01"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(
		    router_match(table, N, sizeof table[0], "GET", bad[i], &idx, ids, &nids),
		    ROUTER_NOT_FOUND);
}

/* Every state-changing route in the real table carries a CSRF policy and a
 * permission: a row added without them would be an open door. */
static void real_table_protects_every_write(void **state)
{
	(void)state;
	for (size_t i = 0; i < web_route_count; i++) {
		const struct route *r = &web_routes[i];
		int writes = strcmp(r->method, "GET") != 0;
		if (writes)
			assert_int_not_equal(r->csrf, CSRF_NONE);
		if (strcmp(r->pattern, "/logga-in") != 0)
			assert_int_not_equal(r->perm, PERM_PUBLIC);
		assert_non_null(r->fn);
	}
}

static void real_table_has_no_duplicates(void **state)
{
	(void)state;
	for (size_t i = 0; i < web_route_count; i++)
		for (size_t j = i + 1; j < web_route_count; j++)
			assert_false(strcmp(web_routes[i].method, web_routes[j].method) == 0 &&
			             strcmp(web_routes[i].pattern, web_routes[j].pattern) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matches_literal_and_ids),
	    cmocka_unit_test(method_picks_the_row),
	    cmocka_unit_test(rejects_bad_ids_and_unknown_paths),
	    cmocka_unit_test(real_table_protects_every_write),
	    cmocka_unit_test(real_table_has_no_duplicates),
	};
	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
