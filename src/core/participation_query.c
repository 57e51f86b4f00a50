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
#include "participation_internal.h"

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
	p->intervention_name = participation_col(a, q, 2);
	p->identified = (int)db_col_int64(q, 3);
	p->sex = participation_col(a, q, 4);
	p->birth_year = (int)db_col_int64(q, 5);
	p->state = participation_col(a, q, 6);
	p->referred_on = participation_col(a, q, 7);
	p->source = participation_col(a, q, 8);
	p->source_member_name = participation_col(a, q, 9);
	p->home_area_name = participation_col(a, q, 10);
	p->home_district_name = participation_col(a, q, 11);
	p->start_on = participation_col(a, q, 12);
	p->end_on = participation_col(a, q, 13);
	p->end_reason = participation_col(a, q, 14);
	p->counts = (int)db_col_int64(q, 15);
	p->protected_identity = (int)db_col_int64(q, 16);
	p->waiting_days = (int)db_col_int64(q, 17);
	p->consent_on = participation_col(a, q, 18);
	p->consent_withdrawn_on = participation_col(a, q, 19);
	p->source_unit = participation_col(a, q, 20);
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
		x->phase = participation_col(a, q, 0);
		x->list = participation_col(a, q, 1);
		x->code = participation_col(a, q, 2);
		x->label = participation_col(a, q, 3);
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
		h->at = participation_col(a, q, 0);
		h->actor = participation_col(a, q, 1);
		h->field = participation_col(a, q, 2);
		h->old_value = participation_col(a, q, 3);
		h->new_value = participation_col(a, q, 4);
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
		(*out)[*n].month = participation_col(a, q, 0);
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
