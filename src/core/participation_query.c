/*
 * participation_query.c — reading participations: one, lists and the
 * queue (paged), answers, history, attendance, per-insats counts and the
 * work lists; see participation.h.  Nothing here reads an identity.
 */
#include "participation.h"

#include <stdint.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "participation_internal.h"

/* The columns of a participation, for read_participation.  Waiting days
 * are computed in C (set_waiting), so the statement needs no date
 * arithmetic of one engine. */
#define PARTICIPATION_SELECT                                                                      \
	"SELECT p.id, p.intervention_id, i.name, p.identity_id IS NOT NULL, p.sex,"               \
	" coalesce(p.birth_year, 0), p.state, p.referred_on, p.referral_source, m.name, ha.name," \
	" hd.name, p.start_on, p.end_on, p.end_reason, p.counts, p.protected,"                    \
	" (SELECT given_on FROM consent c WHERE c.participation_id = p.id ORDER BY c.id DESC"     \
	"  LIMIT 1),"                                                                             \
	" (SELECT withdrawn_on FROM consent c WHERE c.participation_id = p.id ORDER BY c.id DESC" \
	"  LIMIT 1), p.referral_unit"                                                             \
	" FROM participation p JOIN intervention i ON i.id = +p.intervention_id"                  \
	" LEFT JOIN member m ON m.id = p.referral_member_id"                                      \
	" LEFT JOIN area ha ON ha.id = p.home_area_id"                                            \
	" LEFT JOIN area hd ON hd.id = p.home_district_id "

/* One row of PARTICIPATION_SELECT (a db_row_fn). */
static void read_participation(struct db_stmt *q, struct arena *a, void *elem)
{
	struct participation *p = elem;
	p->id = db_col_int64(q, 0);
	p->intervention_id = db_col_int64(q, 1);
	p->intervention_name = db_col_dup(q, 2, a);
	p->identified = db_col_bool(q, 3);
	p->sex = db_col_dup(q, 4, a);
	p->birth_year = (int)db_col_int64(q, 5);
	p->state = db_col_dup(q, 6, a);
	p->referred_on = db_col_dup(q, 7, a);
	p->source = db_col_dup(q, 8, a);
	p->source_member_name = db_col_dup(q, 9, a);
	p->home_area_name = db_col_dup(q, 10, a);
	p->home_district_name = db_col_dup(q, 11, a);
	p->start_on = db_col_dup(q, 12, a);
	p->end_on = db_col_dup(q, 13, a);
	p->end_reason = db_col_dup(q, 14, a);
	p->counts = db_col_bool(q, 15);
	p->protected_identity = db_col_bool(q, 16);
	p->consent_on = db_col_dup(q, 17, a);
	p->consent_withdrawn_on = db_col_dup(q, 18, a);
	p->source_unit = db_col_dup(q, 19, a);
}

/* Days from each referral to today (Stockholm's date at now). */
static void set_waiting(struct participation *p, size_t n, int64_t now)
{
	char today[11];
	svtime_today(now, today);
	for (size_t i = 0; i < n; i++) {
		int64_t days = 0;
		p[i].waiting_days =
		    p[i].referred_on && svtime_days_between(p[i].referred_on, today, &days)
		        ? (int)days
		        : 0;
	}
}

enum rc participation_get(struct db *db, struct arena *a, int64_t now, int64_t id,
                          struct participation *out)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, PARTICIPATION_SELECT "WHERE p.id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	void *rows;
	size_t n;
	int more;
	/* The id is the key: one row or none. */
	if ((rc = db_fetch_all(q, a, read_participation, sizeof *out, 1, &rows, &n, &more)))
		return rc;
	if (!n)
		return RC_NOT_FOUND;
	*out = *(struct participation *)rows;
	set_waiting(out, 1, now);
	return RC_OK;
}

/* Binds the page (limit as $first, offset as $first + 1), then reads every
 * row the statement's LIMIT lets through. */
static enum rc read_page(struct db_stmt *q, int first, struct arena *a, int64_t now,
                         const struct paging *pg, struct participation **out, size_t *n)
{
	db_bind_int64(q, first, pg->limit);
	db_bind_int64(q, first + 1, pg->offset);
	void *rows;
	enum rc rc = db_fetch_all(q, a, read_participation, sizeof **out, 0, &rows, n, NULL);
	if (rc)
		return rc;
	*out = rows;
	set_waiting(*out, *n, now);
	return RC_OK;
}

/* The order of a participation list: by its date column (key 0) or by
 * number (key 1), either way; the number breaks ties so pages never
 * overlap.  page is the LIMIT/OFFSET clause with the statement's next free
 * placeholders.  Each walks an index of the list (migrations 6, 8 and
 * 16). */
#define SORTED(where, date, page)                                                        \
	{                                                                                \
		{PARTICIPATION_SELECT where " ORDER BY " date ", p.id " page,            \
		 PARTICIPATION_SELECT where " ORDER BY " date " DESC, p.id DESC " page}, \
		{                                                                        \
			PARTICIPATION_SELECT where " ORDER BY p.id " page,               \
			    PARTICIPATION_SELECT where " ORDER BY p.id DESC " page       \
		}                                                                        \
	}

/* The förbund's participations, as a count names them: by insats, so each
 * count walks its covering index (migration 16) one insats at a time
 * without reading a table row or joining each entry. */
#define OF_ASSOCIATION \
	"p.intervention_id IN (SELECT id FROM intervention WHERE association_id = $1)"

enum rc participation_list(struct db *db, struct arena *a, int64_t now, int64_t intervention_id,
                           struct paging *pg, struct participation **out, size_t *n)
{
	static const char *const sql[PSORT_COUNT][2] =
	    SORTED("WHERE p.intervention_id = $1", "p.referred_on", "LIMIT $2 OFFSET $3");
	*out = NULL;
	*n = 0;
	paging_clamp(pg, PSORT_COUNT);
	/* The total from the tally: no participation is read. */
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "SELECT coalesce(sum(n), 0) FROM participation_tally"
	                     " WHERE intervention_id = $1",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, intervention_id);
	if ((rc = db_one_int64(q, &pg->total)))
		return rc;
	if ((rc = db_prepare(db, sql[pg->sort][pg->desc], &q)))
		return rc;
	db_bind_int64(q, 1, intervention_id);
	return read_page(q, 2, a, now, pg, out, n);
}

enum rc participation_queue(struct db *db, struct arena *a, int64_t now, int64_t assoc,
                            int64_t intervention_id, int64_t area_id, struct paging *pg,
                            struct participation **out, size_t *n)
{
	/* One constant statement per filter, each served by its own index:
	 * "($2 = 0 OR ...)" would leave the planner no index to use.  Each
	 * numbers its placeholders without gaps: $1 the förbund, then the
	 * filters given, then the page. */
	static const char *const sql[4][PSORT_COUNT][2] = {
	    SORTED("WHERE p.state = 'queued' AND i.association_id = $1", "p.referred_on",
	           "LIMIT $2 OFFSET $3"),
	    SORTED("WHERE p.state = 'queued' AND p.intervention_id = $2 AND i.association_id = $1",
	           "p.referred_on", "LIMIT $3 OFFSET $4"),
	    SORTED("WHERE p.state = 'queued' AND p.home_area_id = $2 AND i.association_id = $1",
	           "p.referred_on", "LIMIT $3 OFFSET $4"),
	    SORTED("WHERE p.state = 'queued' AND p.intervention_id = $2 AND p.home_area_id = $3"
	           " AND i.association_id = $1",
	           "p.referred_on", "LIMIT $4 OFFSET $5"),
	};
	/* Without a kommun the tally answers; with one, the entries of the
	 * covering index participation_queued_area (migration 16) of that
	 * kommun, never a table row. */
	static const char *const count_sql[4] = {
	    "SELECT coalesce(sum(t.n), 0) FROM participation_tally t JOIN intervention i"
	    " ON i.id = t.intervention_id WHERE t.state = 'queued' AND i.association_id = $1",
	    "SELECT coalesce(sum(t.n), 0) FROM participation_tally t JOIN intervention i"
	    " ON i.id = t.intervention_id WHERE t.state = 'queued' AND t.intervention_id = $2"
	    " AND i.association_id = $1",
	    "SELECT count(*) FROM participation p WHERE p.state = 'queued' AND p.home_area_id = $2"
	    " AND " OF_ASSOCIATION,
	    "SELECT count(*) FROM participation p WHERE p.state = 'queued' AND p.intervention_id = "
	    "$2"
	    " AND p.home_area_id = $3 AND " OF_ASSOCIATION,
	};
	*out = NULL;
	*n = 0;
	paging_clamp(pg, PSORT_COUNT);
	int which = (intervention_id ? 1 : 0) + (area_id ? 2 : 0);
	struct db_stmt *q;
	enum rc rc;
	for (int pass = 0; pass < 2; pass++) {
		if ((rc = db_prepare(db, pass ? sql[which][pg->sort][pg->desc] : count_sql[which],
		                     &q)))
			return rc;
		int k = 1;
		db_bind_int64(q, k++, assoc);
		if (intervention_id)
			db_bind_int64(q, k++, intervention_id);
		if (area_id)
			db_bind_int64(q, k++, area_id);
		if (pass)
			return read_page(q, k, a, now, pg, out, n);
		if ((rc = db_one_int64(q, &pg->total)))
			return rc;
	}
	return RC_OK;
}

static void read_answer(struct db_stmt *q, struct arena *a, void *elem)
{
	struct registered_answer *x = elem;
	x->phase = db_col_dup(q, 0, a);
	x->list = db_col_dup(q, 1, a);
	x->code = db_col_dup(q, 2, a);
	x->label = db_col_dup(q, 3, a);
	x->extent = (int)db_col_int64(q, 4);
}

enum rc participation_answers(struct db *db, struct arena *a, int64_t id,
                              struct registered_answer **out, size_t *n)
{
	*n = 0;
	*out = NULL;
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "SELECT x.phase, x.list, x.code, c.label, coalesce(x.extent, -1)"
	                     " FROM participation_answer x JOIN code_item c"
	                     " ON c.list = x.list AND c.code = x.code"
	                     " WHERE x.participation_id = $1 ORDER BY x.phase DESC, x.list, c.sort",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, id);
	/* Every answer: a registration has a handful. */
	return db_fetch_all(q, a, read_answer, sizeof **out, 0, (void **)out, n, NULL);
}

static void read_history(struct db_stmt *q, struct arena *a, void *elem)
{
	struct history_entry *h = elem;
	h->at = db_col_dup(q, 0, a);
	h->actor = db_col_dup(q, 1, a);
	h->field = db_col_dup(q, 2, a);
	h->old_value = db_col_dup(q, 3, a);
	h->new_value = db_col_dup(q, 4, a);
}

enum rc participation_history(struct db *db, struct arena *a, int64_t id,
                              struct history_entry **out, size_t *n)
{
	*n = 0;
	*out = NULL;
	struct db_stmt *q;
	enum rc rc;
	/* Every entry: a participation's history is short, and a cut history
	 * would hide who changed what. */
	if ((rc = db_prepare(
	         db,
	         "SELECT at, actor, field, old_value, new_value FROM participation_history"
	         " WHERE participation_id = $1 ORDER BY id DESC",
	         &q)))
		return rc;
	db_bind_int64(q, 1, id);
	return db_fetch_all(q, a, read_history, sizeof **out, 0, (void **)out, n, NULL);
}

static void read_month(struct db_stmt *q, struct arena *a, void *elem)
{
	struct attendance_month *m = elem;
	m->month = db_col_dup(q, 0, a);
	m->hours_tenths = db_col_int64(q, 1);
}

enum rc participation_attendance(struct db *db, struct arena *a, int64_t id,
                                 struct attendance_month **out, size_t *n)
{
	*n = 0;
	*out = NULL;
	struct db_stmt *q;
	enum rc rc;
	if ((rc =
	         db_prepare(db,
	                    "SELECT month, hours_tenths FROM attendance WHERE participation_id = $1"
	                    " ORDER BY month DESC",
	                    &q)))
		return rc;
	db_bind_int64(q, 1, id);
	/* Every month: one row a month of the episode. */
	return db_fetch_all(q, a, read_month, sizeof **out, 0, (void **)out, n, NULL);
}

static void read_counts(struct db_stmt *q, struct arena *a, void *elem)
{
	(void)a;
	struct intervention_counts *c = elem;
	c->intervention_id = db_col_int64(q, 0);
	c->queued = db_col_int64(q, 1);
	c->active = db_col_int64(q, 2);
	c->ended = db_col_int64(q, 3);
}

enum rc participation_counts(struct db *db, struct arena *a, int64_t assoc,
                             struct intervention_counts **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	enum rc rc;
	/* Read from the tally core keeps in each write's transaction. */
	if ((rc = db_prepare(
	         db,
	         "SELECT i.id,"
	         " coalesce(sum(CASE WHEN t.state = 'queued' THEN t.n END), 0),"
	         " coalesce(sum(CASE WHEN t.state = 'active' THEN t.n END), 0),"
	         " coalesce(sum(CASE WHEN t.state = 'ended' AND t.counted = 1 THEN t.n END), 0)"
	         " FROM intervention i LEFT JOIN participation_tally t"
	         " ON t.intervention_id = i.id WHERE i.association_id = $1"
	         " GROUP BY i.id ORDER BY i.id",
	         &q)))
		return rc;
	db_bind_int64(q, 1, assoc);
	/* One row per insats of the förbund, every one. */
	return db_fetch_all(q, a, read_counts, sizeof **out, 0, (void **)out, n, NULL);
}

#define WORK_LONG_WHERE "WHERE p.state = 'active' AND i.association_id = $1 AND p.start_on < $2"
#define WORK_CONSENT_WHERE                                                                    \
	"WHERE p.state IN ('queued', 'active') AND p.identity_id IS NULL AND p.protected = 0" \
	" AND i.association_id = $1"
#define WORK_END_WHERE                                                                            \
	"WHERE p.state = 'ended' AND p.counts = 1 AND p.end_complete = 0 AND i.association_id = " \
	"$1"
/* The counts: the same predicates, the förbund by insats (OF_ASSOCIATION),
 * each bounded (PAGING_COUNT_CAP): at most $N entries are read, so a count
 * costs the same at 5 000 000 participations as at 20 000.  The form
 * "count(*) FROM (... LIMIT)" runs on both engines. */
#define WORK_COUNT_LONG                                                                    \
	"SELECT count(*) FROM (SELECT 1 FROM participation p WHERE p.state = 'active' AND" \
	" p.start_on < $2 AND " OF_ASSOCIATION " LIMIT $3) c"
#define WORK_COUNT_CONSENT                                                                \
	"SELECT count(*) FROM (SELECT 1 FROM participation p WHERE p.state IN ('queued'," \
	" 'active') AND p.identity_id IS NULL AND p.protected = 0 AND " OF_ASSOCIATION    \
	" LIMIT $2) c"
#define WORK_COUNT_END                                                                    \
	"SELECT count(*) FROM (SELECT 1 FROM participation p WHERE p.state = 'ended' AND" \
	" p.counts = 1 AND p.end_complete = 0 AND " OF_ASSOCIATION " LIMIT $2) c"

enum rc participation_worklist(struct db *db, struct arena *a, int64_t now, int64_t assoc,
                               enum worklist which, struct paging *pg, struct participation **out,
                               size_t *n)
{
	/* Each list's predicate matches a partial index exactly (migration 6;
	 * the long-running one sorted by number, migration 16).
	 * The long-running list's cut-off date ($2) is computed in C. */
	static const char *const sql[][PSORT_COUNT][2] = {
	    [WORK_LONG_RUNNING] = SORTED(WORK_LONG_WHERE, "p.start_on", "LIMIT $3 OFFSET $4"),
	    [WORK_CONSENT] = SORTED(WORK_CONSENT_WHERE, "p.referred_on", "LIMIT $2 OFFSET $3"),
	    [WORK_END_MISSING] = SORTED(WORK_END_WHERE, "p.end_on", "LIMIT $2 OFFSET $3"),
	};
	static const char *const count_sql[] = {
	    [WORK_LONG_RUNNING] = WORK_COUNT_LONG,
	    [WORK_CONSENT] = WORK_COUNT_CONSENT,
	    [WORK_END_MISSING] = WORK_COUNT_END,
	};
	*out = NULL;
	*n = 0;
	paging_clamp(pg, PSORT_COUNT);
	char today[11], year_ago[11];
	svtime_today(now, today);
	if (!svtime_add_years(today, -1, year_ago))
		return RC_INVALID;
	int long_running = which == WORK_LONG_RUNNING;
	struct db_stmt *q;
	enum rc rc;
	/* Deeper in, the read before the page would grow with the list. */
	if (pg->offset >= PAGING_OFFSET_MAX)
		return RC_INVALID;
	/* One past the cap, to tell "exactly the cap" from "more". */
	int64_t cap = pg->offset + PAGING_COUNT_CAP;
	if ((rc = db_prepare(db, count_sql[which], &q)))
		return rc;
	db_bind_int64(q, 1, assoc);
	if (long_running)
		db_bind_text(q, 2, year_ago);
	db_bind_int64(q, long_running ? 3 : 2, cap + 1);
	if ((rc = db_one_int64(q, &pg->total)))
		return rc;
	if (pg->total > cap) {
		pg->total = cap;
		pg->more = 1;
	}
	if ((rc = db_prepare(db, sql[which][pg->sort][pg->desc], &q)))
		return rc;
	db_bind_int64(q, 1, assoc);
	if (long_running)
		db_bind_text(q, 2, year_ago);
	return read_page(q, long_running ? 3 : 2, a, now, pg, out, n);
}
