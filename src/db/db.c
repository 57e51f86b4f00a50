/*
 * db.c — backend-neutral half of the storage interface: dispatch through
 * the backend's ops, the helpers, transactions with retry and the test
 * hook.  Schema migrations belong to each backend (ops->migrate).
 */
#include "db.h"
#include "db_impl.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/vault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE(db) ((struct db_base *)(db))
#define SBASE(q) ((struct db_stmt_base *)(q))

static const struct db_ops *backend_for(const char *path)
{
	/* postgres:// URLs will select the PostgreSQL backend once it exists;
	 * every other path is an SQLite file. */
	(void)path;
	return &db_sqlite_ops;
}

/*
 * The statement cache.  A connection keeps up to DB_STMT_CACHE_MAX
 * prepared statements keyed by their SQL text (a 64-bit FNV-1a hash, then
 * the text compared in full, so a caller's buffer that is reused for other
 * text never gets the wrong statement).  A lookup scans the hashes: a few
 * hundred integer comparisons, against the tens of microseconds a compile
 * of a list query costs.  When the cache is full the idle statement used
 * longest ago is destroyed; statements in use are never touched.  The
 * same holds for every backend: the backend's prepare and finalize are
 * only called on a miss and on eviction or close (PostgreSQL: a server-
 * side prepared statement per connection).
 */
static uint64_t sql_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot a new statement may take: a free one, else the least recently
 * used idle one (its statement destroyed), else -1 (all in use). */
static int cache_slot_for_new(struct db_base *b)
{
	if (!b->cache) {
		b->cache = calloc(DB_STMT_CACHE_MAX, sizeof *b->cache);
		if (!b->cache)
			return -1;
	}
	if (b->ncache < DB_STMT_CACHE_MAX)
		return b->ncache++;
	int lru = -1;
	for (int i = 0; i < b->ncache; i++) {
		if (!b->cache[i].in_use &&
		    (lru < 0 || b->cache[i].last_used < b->cache[lru].last_used))
			lru = i;
	}
	if (lru < 0)
		return -1;
	struct db_cached *c = &b->cache[lru];
	b->ops->finalize(c->q);
	free(c->sql);
	memset(c, 0, sizeof *c);
	b->cache_stats.evictions++;
	return lru;
}

enum rc db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_base *b = BASE(db);
	uint64_t h = sql_hash(sql);
	for (int i = 0; i < b->ncache; i++) {
		struct db_cached *c = &b->cache[i];
		if (c->hash == h && c->q && !c->in_use && strcmp(c->sql, sql) == 0) {
			c->in_use = 1;
			c->last_used = ++b->cache_tick;
			b->cache_stats.hits++;
			*out = c->q;
			return RC_OK;
		}
	}
	enum rc rc = b->ops->prepare(db, sql, out);
	if (rc)
		return rc == RC_DB ? db_refine(db, rc) : rc;
	b->cache_stats.misses++;
	/* Kept when there is room (and memory for the copy of the text);
	 * otherwise an ordinary statement, destroyed by db_finalize. */
	int slot = cache_slot_for_new(b);
	char *copy = slot >= 0 ? strdup(sql) : NULL;
	if (slot >= 0 && !copy) {
		if (slot == b->ncache - 1)
			b->ncache--;
		return RC_OK;
	}
	if (slot >= 0) {
		b->cache[slot] = (struct db_cached){
		    .hash = h, .sql = copy, .q = *out, .last_used = ++b->cache_tick, .in_use = 1};
		SBASE(*out)->cache_slot = slot + 1;
	}
	return RC_OK;
}

void db_cache_stats(struct db *db, struct db_cache_stats *out)
{
	struct db_base *b = BASE(db);
	*out = b->cache_stats;
	out->kept = 0;
	for (int i = 0; i < b->ncache; i++)
		out->kept += b->cache[i].q != NULL;
}

/* Destroys every kept statement (db_close). */
static void cache_clear(struct db_base *b)
{
	for (int i = 0; i < b->ncache; i++) {
		if (b->cache[i].q)
			b->ops->finalize(b->cache[i].q);
		free(b->cache[i].sql);
	}
	free(b->cache);
	b->cache = NULL;
	b->ncache = 0;
}

void db_bind_text(struct db_stmt *q, int n, const char *s)
{
	SBASE(q)->ops->bind_text(q, n, s);
}

void db_bind_int64(struct db_stmt *q, int n, int64_t v)
{
	SBASE(q)->ops->bind_int64(q, n, v);
}

void db_bind_null(struct db_stmt *q, int n)
{
	SBASE(q)->ops->bind_null(q, n);
}

void db_bind_bool(struct db_stmt *q, int n, int v)
{
	SBASE(q)->ops->bind_bool(q, n, v);
}

void db_bind_text_opt(struct db_stmt *q, int n, const char *s)
{
	if (s && *s)
		db_bind_text(q, n, s);
	else
		db_bind_null(q, n);
}

void db_bind_id_opt(struct db_stmt *q, int n, int64_t id)
{
	if (id > 0)
		db_bind_int64(q, n, id);
	else
		db_bind_null(q, n);
}

/* The test hook (db_test_fail_step): 1 when this step is the one to fail. */
static int test_hook_fires(struct db_base *b)
{
	if (!b->in_attempt || --b->test_fail_at > 0)
		return 0;
	b->test_fired = 1;
	return 1;
}

enum db_step db_step(struct db_stmt *q)
{
	struct db_base *b = BASE(SBASE(q)->db);
	enum db_step s = b->test_fail_at && test_hook_fires(b) ? DB_BUSY : SBASE(q)->ops->step(q);
	b->last_busy = s == DB_BUSY;
	if (s == DB_BUSY && b->in_attempt)
		b->busy_seen = 1;
	return s;
}

const char *db_col_text(struct db_stmt *q, int i)
{
	return SBASE(q)->ops->col_text(q, i);
}

int64_t db_col_int64(struct db_stmt *q, int i)
{
	return SBASE(q)->ops->col_int64(q, i);
}

int db_col_is_null(struct db_stmt *q, int i)
{
	return SBASE(q)->ops->col_is_null(q, i);
}

int db_col_bool(struct db_stmt *q, int i)
{
	return SBASE(q)->ops->col_bool(q, i);
}

const char *db_col_dup(struct db_stmt *q, int i, struct arena *a)
{
	return arena_strdup(a, db_col_text(q, i));
}

void db_reset(struct db_stmt *q)
{
	SBASE(q)->ops->reset(q);
}

void db_finalize(struct db_stmt *q)
{
	if (!q)
		return;
	int slot = SBASE(q)->cache_slot;
	if (!slot) {
		SBASE(q)->ops->finalize(q);
		return;
	}
	struct db_cached *c = &BASE(SBASE(q)->db)->cache[slot - 1];
	if (!c->in_use || c->q != q) {
		/* Finalizing twice would hand one statement to two callers;
		 * before the cache it was a double free.  A bug: stop. */
		fprintf(stderr, "finsam: db_finalize of a statement already finalized\n");
		abort();
	}
	/* Reset now, not at the next use: a statement left mid-rows would
	 * keep its read transaction (and SQLite's snapshot) open. */
	SBASE(q)->ops->reset(q);
	c->in_use = 0;
}

enum rc db_analyze(struct db *db)
{
	struct db_base *b = BASE(db);
	db_read_end(db); /* it writes */
	if (b->ops->exec_script(db, b->ops->analyze_sql) == DB_DONE)
		return RC_OK;
	enum rc rc = db_refine(db, RC_DB);
	enum rc why = b->fail;
	b->ops->exec_script(db, b->ops->analyze_undo_sql);
	b->fail = why;
	return rc;
}

const char *db_errmsg(struct db *db)
{
	return BASE(db)->ops->errmsg(db);
}

enum rc db_step_rc(enum db_step s)
{
	switch (s) {
	case DB_ROW:
	case DB_DONE: return RC_OK;
	case DB_CONSTRAINT: return RC_CONFLICT;
	default: return RC_DB;
	}
}

enum rc db_failure(struct db *db)
{
	return db ? BASE(db)->fail : RC_OK;
}

void db_failure_clear(struct db *db)
{
	if (db)
		BASE(db)->fail = RC_OK;
}

enum rc db_refine(struct db *db, enum rc rc)
{
	if (rc != RC_DB || !db)
		return rc;
	enum rc f = BASE(db)->fail;
	return f == RC_DB_FULL || f == RC_DB_READONLY || f == RC_DB_IO || f == RC_NOMEM ||
	               f == RC_DB_BUSY
	           ? f
	           : rc;
}

/* The result code of a step that did not give what the helper expects. */
static enum rc step_error(struct db_stmt *q, enum db_step s)
{
	if (s == DB_CONSTRAINT)
		return RC_CONFLICT;
	return db_refine(SBASE(q)->db, RC_DB);
}

enum rc db_exists(struct db_stmt *q, int *found)
{
	*found = 0;
	enum db_step s = db_step(q);
	enum rc rc = s == DB_ROW || s == DB_DONE ? RC_OK : step_error(q, s);
	*found = s == DB_ROW;
	db_finalize(q);
	return rc;
}

enum rc db_one_int64(struct db_stmt *q, int64_t *out)
{
	*out = 0;
	enum db_step s = db_step(q);
	enum rc rc = RC_OK;
	if (s == DB_ROW)
		*out = db_col_int64(q, 0);
	else
		rc = s == DB_DONE ? RC_NOT_FOUND : step_error(q, s);
	db_finalize(q);
	return rc;
}

enum rc db_one_text(struct db_stmt *q, struct arena *a, const char **out)
{
	*out = NULL;
	enum db_step s = db_step(q);
	enum rc rc = RC_OK;
	if (s == DB_ROW) {
		const char *t = db_col_text(q, 0);
		*out = arena_strdup(a, t);
		if (t && !*out)
			rc = RC_NOMEM;
	} else {
		rc = s == DB_DONE ? RC_NOT_FOUND : step_error(q, s);
	}
	db_finalize(q);
	return rc;
}

enum rc db_run(struct db_stmt *q)
{
	enum db_step s = db_step(q);
	enum rc rc = RC_OK;
	if (s == DB_ROW) {
		fprintf(stderr, "finsam: db_run on a statement that returns rows\n");
		rc = RC_DB;
	} else if (s != DB_DONE) {
		rc = step_error(q, s);
	}
	db_finalize(q);
	return rc;
}

enum rc db_fetch_all(struct db_stmt *q, struct arena *a, db_row_fn read, size_t elem, size_t limit,
                     void **out, size_t *n, int *truncated)
{
	*out = NULL;
	*n = 0;
	if (truncated)
		*truncated = 0;
	size_t cap = 0, k = 0;
	char *arr = NULL;
	enum rc rc = RC_OK;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		if (limit && k == limit) {
			/* One row past the limit: the answer is short, say so. */
			if (truncated)
				*truncated = 1;
			else
				rc = RC_NOMEM;
			break;
		}
		char *grown = arena_grow(a, arr, &cap, k, elem);
		if (!grown) {
			rc = RC_NOMEM;
			break;
		}
		arr = grown;
		read(q, a, arr + elem * k);
		k++;
		if (arena_failed(a)) {
			rc = RC_NOMEM;
			break;
		}
	}
	if (rc == RC_OK && s != DB_ROW && s != DB_DONE)
		rc = step_error(q, s);
	db_finalize(q);
	if (rc) {
		if (truncated)
			*truncated = 0;
		return rc;
	}
	*out = arr;
	*n = k;
	return RC_OK;
}

enum rc db_exec(struct db *db, const char *sql)
{
	struct db_stmt *q;
	enum rc rc = db_prepare(db, sql, &q);
	if (rc)
		return db_refine(db, rc);
	enum db_step s = db_step(q);
	db_finalize(q);
	return db_refine(db, db_step_rc(s));
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

enum rc db_read_begin(struct db *db)
{
	struct db_base *b = BASE(db);
	if (b->tx_depth > 0 || b->read_open)
		return RC_OK;
	enum rc rc = db_exec(db, b->ops->read_begin_sql);
	b->read_open = rc == RC_OK;
	return rc;
}

void db_read_end(struct db *db)
{
	struct db_base *b = BASE(db);
	if (!b->read_open)
		return;
	b->read_open = 0;
	/* Nothing was written, so there is nothing to lose: should COMMIT
	 * fail, ROLLBACK still ends the snapshot. */
	if (db_exec(db, "COMMIT") != RC_OK)
		db_exec(db, "ROLLBACK");
}

enum rc db_tx(struct db *db, enum rc (*fn)(struct db *db, void *ctx), void *ctx)
{
	struct db_base *b = BASE(db);
	if (b->tx_depth > 0)
		return fn(db, ctx);
	/* A write begins from the newest state, not an older snapshot. */
	db_read_end(db);
	enum rc rc = RC_DB;
	int pause = 0;
	for (int attempt = 0; attempt < 6; attempt++) {
		if (pause)
			pause_ms(20L << attempt);
		b->in_attempt = 1;
		b->busy_seen = 0;
		b->test_fired = 0;
		rc = db_exec(db, b->ops->begin_sql);
		if (rc == RC_OK) {
			b->tx_depth = 1;
			rc = fn(db, ctx);
			/* A busy step dooms the attempt whatever fn made of it:
			 * PostgreSQL has aborted the transaction, and SQLite's
			 * statement did not run. */
			if (rc == RC_OK && !b->busy_seen)
				rc = db_exec(db, "COMMIT");
			else if (rc == RC_OK)
				rc = RC_DB;
			if (rc != RC_OK) {
				/* The rollback must not hide why the transaction
				 * failed, and is never a step the test hook fails. */
				enum rc why = b->fail;
				b->in_attempt = 0;
				db_exec(db, "ROLLBACK");
				b->fail = why;
			}
			b->tx_depth = 0;
		}
		b->in_attempt = 0;
		if (rc == RC_OK || !b->busy_seen)
			return db_refine(db, rc);
		/* A failure the test hook made needs no pause: nothing else
		 * holds the store. */
		pause = !b->test_fired;
	}
	/* Busy through every attempt: another writer holds the store. */
	b->fail = RC_DB_BUSY;
	return db_refine(db, rc);
}

/* The probe: RC_CONFLICT when the write went through, so db_tx rolls it
 * back and the caller can tell success from every store error. */
static enum rc try_write(struct db *db, void *ctx)
{
	(void)ctx;
	enum rc rc = db_exec(db, "INSERT INTO schema_migration (version, name, applied_at)"
	                         " VALUES (0, 'skrivprov', '')");
	return rc ? rc : RC_CONFLICT;
}

enum rc db_check_writable(struct db *db)
{
	enum rc rc = db_tx(db, try_write, NULL);
	return rc == RC_CONFLICT ? RC_OK : rc == RC_OK ? RC_DB : rc;
}

void db_test_fail_step(struct db *db, int nth)
{
	BASE(db)->test_fail_at = nth > 0 ? nth : 0;
}

int db_test_fail_pending(struct db *db)
{
	return BASE(db)->test_fail_at;
}

int db_schema_latest(void)
{
	/* Every backend numbers its migrations alike: version n is the same
	 * schema on each engine. */
	return backend_for("")->schema_latest();
}

int db_schema_version(struct db *db)
{
	struct db_stmt *q;
	int64_t v = 0;
	if (db_prepare(db, "SELECT coalesce(max(version), 0) FROM schema_migration", &q) ||
	    db_one_int64(q, &v))
		return -1;
	return (int)v;
}

static enum rc open_common(const char *path, int create, int max_version, struct db **out,
                           char *errbuf, int errlen)
{
	*out = NULL;
	const struct db_ops *ops = backend_for(path);
	struct db *db;
	enum rc rc = ops->open(path, create, &db, errbuf, errlen);
	if (rc)
		return rc;
	/* Each backend applies its own list of migrations (SQL differs
	 * between engines); the versions are the same on every engine. */
	rc = ops->migrate(db, create, max_version, errbuf, errlen);
	if (rc) {
		cache_clear(BASE(db));
		ops->close(db);
		return rc;
	}
	/* A migration may have added indexes to a database with rows: gather
	 * statistics for all of them at once, so none is planned without (a
	 * mix of old and missing statistics made the planner sort whole
	 * lists).  A new database has no rows to measure. */
	int was = BASE(db)->opened_version;
	if (was > 0 && max_version > was && db_schema_version(db) > was && db_analyze(db) != RC_OK)
		fprintf(stderr,
		        "finsam: statistikinsamling efter databasändring misslyckades: %s\n",
		        db_errmsg(db));
	*out = db;
	return RC_OK;
}

enum rc db_global_init(void)
{
	return db_sqlite_ops.global_init();
}

enum rc db_open(const char *path, enum db_open_mode mode, struct db **out, char *errbuf, int errlen)
{
	return open_common(path, mode == DB_OPEN_CREATE,
	                   mode == DB_OPEN_AS_IS ? 0 : db_schema_latest(), out, errbuf, errlen);
}

enum rc db_open_at_version(const char *path, int max_version, struct db **out, char *errbuf,
                           int errlen)
{
	return open_common(path, 1, max_version, out, errbuf, errlen);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	struct vault *v = BASE(db)->owns_vault ? BASE(db)->vault : NULL;
	cache_clear(BASE(db));
	BASE(db)->ops->close(db);
	vault_close(v);
}

void db_set_vault(struct db *db, struct vault *v, int owns)
{
	if (BASE(db)->owns_vault && BASE(db)->vault != v)
		vault_close(BASE(db)->vault);
	BASE(db)->vault = v;
	BASE(db)->owns_vault = owns;
}

int db_opened_version(struct db *db)
{
	return BASE(db)->opened_version;
}

const struct vault *db_vault(struct db *db)
{
	return BASE(db)->vault;
}
