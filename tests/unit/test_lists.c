/* Unit tests for paged lists: 522 queued referrals are all reachable, page
 * by page, in the order shown, with the right total; every sort key and
 * direction keeps that; filters count right.  The review found the queue
 * silently cut at 500 ("500 i kö" with 522 queued).  All people are
 * synthetic and anonymous. */
#include "testutil.h"
#include "core/auth.h"
#include "core/participation.h"
#include "core/intervention.h"
#include "core/org.h"
#include "util/arena.h"
#include "util/vault.h"

#define QUEUED 522

struct fx {
	struct testdb t;
	struct vault *v;
	struct arena *a;
	int64_t assoc, intervention, other, kommun, user;
	struct actor dr;
	int64_t ids[QUEUED];
};

static int64_t add_intervention(struct fx *f, const char *name)
{
	struct intervention x = {0};
	struct field_error e;
	x.association_id = f->assoc;
	x.name = name;
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_OK);
	assert_int_equal(
	    intervention_staff_set(f->t.db, &test_actor, x.id, f->user, "deltagaransvarig", 1, &e),
	    RC_OK);
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
	assert_int_equal(auth_user_add(f->t.db, &test_actor, "dr", "Del Ansvarig", ROLE_CASEWORKER,
	                               "langt-losenord", &f->user, &e),
	                 RC_OK);
	f->dr = (struct actor){f->user, "dr", "127.0.0.1", ROLE_CASEWORKER, 0};
	f->intervention = add_intervention(f, "Steget vidare");
	f->other = add_intervention(f, "Ungdomsspåret");
	/* 522 queued: dates repeat (ties are broken by number), every third
	 * in the kommun, every fourth in the other insats. */
	for (int i = 0; i < QUEUED; i++) {
		struct referral r = {0};
		char date[16]; /* room for any int, so -O1 sees no truncation */
		snprintf(date, sizeof date, "2025-%02d-%02d", 1 + (i * 7) % 12, 1 + (i * 5) % 28);
		r.intervention_id = i % 4 == 3 ? f->other : f->intervention;
		r.referred_on = date;
		r.source = "egen";
		r.sex = i % 2 ? "K" : "M";
		r.home_area_id = i % 3 == 0 ? f->kommun : 0;
		assert_int_equal(participation_refer(f->t.db, f->v, &f->dr, &r, &f->ids[i], &e),
		                 RC_OK);
	}
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

/* 1 if a comes strictly before b in the order (sort, desc). */
static int before(const struct participation *a, const struct participation *b, int sort, int desc)
{
	int c = sort == PSORT_DATE ? strcmp(a->referred_on, b->referred_on) : 0;
	if (c == 0)
		c = a->id < b->id ? -1 : a->id > b->id ? 1 : 0;
	return desc ? c > 0 : c < 0;
}

/* Walks the whole queue (filters given) page by page of `limit`; checks the
 * total, the order across page boundaries, and that every row comes once.
 * Returns how many rows were seen. */
static size_t walk_queue(struct fx *f, int64_t intervention, int64_t area, int64_t limit, int sort,
                         int desc, int64_t want_total)
{
	struct participation prev = {0};
	int have_prev = 0;
	size_t seen = 0;
	char *once = calloc(QUEUED + 16, 1);
	for (int64_t off = 0;; off += limit) {
		struct paging pg = {off, limit, sort, desc, -1, 0};
		struct participation *p;
		size_t n;
		assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc,
		                                     intervention, area, &pg, &p, &n),
		                 RC_OK);
		assert_int_equal(pg.total, want_total);
		if (n == 0)
			break;
		assert_true((int64_t)n <= limit);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(p[i].state, "queued");
			if (have_prev)
				assert_true(before(&prev, &p[i], sort, desc));
			prev = p[i];
			have_prev = 1;
			int64_t slot = p[i].id - f->ids[0];
			assert_true(slot >= 0 && slot < QUEUED);
			assert_int_equal(once[slot], 0);
			once[slot] = 1;
			seen++;
		}
		if ((int64_t)n < limit)
			break;
	}
	free(once);
	return seen;
}

static void the_queue_of_522_is_all_there(void **state)
{
	struct fx *f = *state;
	struct participation *p;
	size_t n;
	/* The first page at the largest page size: 500 rows, but 522 in all. */
	struct paging pg = {0, PAGING_MAX, PSORT_DATE, 0, 0, 0};
	assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, 0, 0, &pg, &p, &n),
	                 RC_OK);
	assert_int_equal(n, 500);
	assert_int_equal(pg.total, QUEUED);
	pg = (struct paging){500, PAGING_MAX, PSORT_DATE, 0, 0, 0};
	assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, 0, 0, &pg, &p, &n),
	                 RC_OK);
	assert_int_equal(n, 22);
	assert_int_equal(pg.total, QUEUED);
	/* Past the end: nothing, and still the total. */
	pg = (struct paging){QUEUED, 50, PSORT_DATE, 0, 0, 0};
	assert_int_equal(participation_queue(f->t.db, f->a, TEST_NOW, f->assoc, 0, 0, &pg, &p, &n),
	                 RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(pg.total, QUEUED);
	/* Every order, pages of 50: all 522 once each, in order. */
	for (int sort = 0; sort < PSORT_COUNT; sort++)
		for (int desc = 0; desc < 2; desc++)
			assert_int_equal(walk_queue(f, 0, 0, 50, sort, desc, QUEUED), QUEUED);
	/* A page size that does not divide the list. */
	assert_int_equal(walk_queue(f, 0, 0, 37, PSORT_DATE, 0, QUEUED), QUEUED);
}

static void filtered_queues_count_their_own(void **state)
{
	struct fx *f = *state;
	int64_t in_other = QUEUED / 4;        /* i % 4 == 3 */
	int64_t in_kommun = (QUEUED + 2) / 3; /* i % 3 == 0 */
	int64_t both = 0;
	for (int i = 0; i < QUEUED; i++)
		both += i % 4 == 3 && i % 3 == 0;
	assert_int_equal(walk_queue(f, f->other, 0, 50, PSORT_DATE, 0, in_other), in_other);
	assert_int_equal(walk_queue(f, f->intervention, 0, 50, PSORT_NR, 1, QUEUED - in_other),
	                 QUEUED - in_other);
	assert_int_equal(walk_queue(f, 0, f->kommun, 50, PSORT_DATE, 1, in_kommun), in_kommun);
	assert_int_equal(walk_queue(f, f->other, f->kommun, 10, PSORT_NR, 0, both), both);
}

static void queue_stays_right_after_starts(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	static const struct answer answers[] = {
	    {"support", "forsorjningsstod", 100},
	    {"employment", "ovrigt", -1},
	    {"education", "gymnasial", -1},
	    {"support_time", "over_9", -1},
	};
	/* Start 30 of them: the queue shrinks to 492 and the total follows. */
	for (int i = 0; i < 30; i++) {
		struct registration reg = {"2026-01-15", NULL, answers, 4};
		assert_int_equal(participation_start(f->t.db, &f->dr, f->ids[i], &reg, &e), RC_OK);
	}
	assert_int_equal(walk_queue(f, 0, 0, 100, PSORT_DATE, 0, QUEUED - 30), QUEUED - 30);
	/* The started ones are reachable in the insats's list and the consent
	 * work list, which count every participation. */
	struct paging pg = {0, 50, PSORT_DATE, 1, 0, 0};
	struct participation *p;
	size_t n;
	assert_int_equal(
	    participation_worklist(f->t.db, f->a, TEST_NOW, f->assoc, WORK_CONSENT, &pg, &p, &n),
	    RC_OK);
	assert_int_equal(pg.total, QUEUED);
	assert_int_equal(n, 50);
}

static void intervention_list_pages_every_participation(void **state)
{
	struct fx *f = *state;
	int64_t want = QUEUED - QUEUED / 4;
	for (int sort = 0; sort < PSORT_COUNT; sort++)
		for (int desc = 0; desc < 2; desc++) {
			int64_t seen = 0, last_id = desc ? INT64_MAX : 0;
			const char *last_date = desc ? "9999" : "0000";
			for (int64_t off = 0;; off += 50) {
				struct paging pg = {off, 50, sort, desc, -1, 0};
				struct participation *p;
				size_t n;
				assert_int_equal(participation_list(f->t.db, f->a, TEST_NOW,
				                                    f->intervention, &pg, &p, &n),
				                 RC_OK);
				assert_int_equal(pg.total, want);
				for (size_t i = 0; i < n; i++) {
					assert_int_equal(p[i].intervention_id, f->intervention);
					if (sort == PSORT_NR)
						assert_true(desc ? p[i].id < last_id
						                 : p[i].id > last_id);
					else
						assert_true(
						    desc
						        ? strcmp(p[i].referred_on, last_date) <= 0
						        : strcmp(p[i].referred_on, last_date) >= 0);
					last_id = p[i].id;
					last_date = p[i].referred_on;
				}
				seen += (int64_t)n;
				if (n < 50)
					break;
			}
			assert_int_equal(seen, want);
		}
}

/* Lists count to the clock passed in, not the wall clock: waiting days and
 * the long-running work list (started more than a year before the day of
 * now) follow the moment given.  Before, both read SQLite's date('now')
 * through julianday/date($9, '-1 year') with the wall clock's date. */
static void lists_count_to_the_clock_passed_in(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	static const struct answer answers[] = {
	    {"support", "forsorjningsstod", 100},
	    {"employment", "ovrigt", -1},
	};
	const char *starts[] = {"2025-06-10", "2025-06-20", "2025-07-01"};
	const int which[] = {0, 2, 4}; /* referred 2025-01-01, 2025-03-11, 2025-05-21 */
	for (int i = 0; i < 3; i++) {
		struct registration reg = {starts[i], NULL, answers, 2};
		assert_int_equal(participation_start(f->t.db, &f->dr, f->ids[which[i]], &reg, &e),
		                 RC_OK);
	}
	static const struct {
		int64_t now; /* noon UTC */
		int64_t long_running;
	} at[] = {
	    {1781524800, 1}, /* 2026-06-15: started before 2025-06-15 */
	    {1782388800, 2}, /* 2026-06-25 */
	    {1782993600, 3}, /* 2026-07-02 */
	};
	for (size_t k = 0; k < 3; k++) {
		struct paging pg = {0, 50, PSORT_DATE, 0, -1, 0};
		struct participation *p;
		size_t n;
		assert_int_equal(participation_worklist(f->t.db, f->a, at[k].now, f->assoc,
		                                        WORK_LONG_RUNNING, &pg, &p, &n),
		                 RC_OK);
		assert_int_equal(pg.total, at[k].long_running);
		assert_int_equal(n, at[k].long_running);
		assert_string_equal(p[0].start_on, "2025-06-10");
	}
	/* Referred 2025-01-01; on 2025-01-31 it has waited 30 days, a year and
	 * a month later 395. */
	struct participation one;
	assert_int_equal(participation_get(f->t.db, f->a, 1738324800, f->ids[0], &one), RC_OK);
	assert_string_equal(one.referred_on, "2025-01-01");
	assert_int_equal(one.waiting_days, 30);
	struct paging pg = {0, 500, PSORT_DATE, 0, -1, 0};
	struct participation *q;
	size_t n;
	assert_int_equal(participation_queue(f->t.db, f->a, 1738324800 + 365 * 86400, f->assoc,
	                                     f->intervention, 0, &pg, &q, &n),
	                 RC_OK);
	assert_string_equal(q[0].referred_on, "2025-01-01");
	assert_int_equal(q[0].waiting_days, 395);
}

static void paging_is_clamped(void **state)
{
	(void)state;
	struct paging pg = {-5, 100000, 9, 7, 42, 1};
	paging_clamp(&pg, PSORT_COUNT);
	assert_int_equal(pg.offset, 0);
	assert_int_equal(pg.limit, PAGING_MAX);
	assert_int_equal(pg.sort, 0);
	assert_int_equal(pg.desc, 1);
	assert_int_equal(pg.total, 0);
	assert_int_equal(pg.more, 0);
	pg = (struct paging){10, 0, 1, 0, 0, 0};
	paging_clamp(&pg, PSORT_COUNT);
	assert_int_equal(pg.limit, 1);
	assert_int_equal(pg.sort, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(paging_is_clamped),
	    cmocka_unit_test_setup_teardown(the_queue_of_522_is_all_there, setup, teardown),
	    cmocka_unit_test_setup_teardown(filtered_queues_count_their_own, setup, teardown),
	    cmocka_unit_test_setup_teardown(queue_stays_right_after_starts, setup, teardown),
	    cmocka_unit_test_setup_teardown(lists_count_to_the_clock_passed_in, setup, teardown),
	    cmocka_unit_test_setup_teardown(intervention_list_pages_every_participation, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests_name("lists", tests, NULL, NULL);
}
