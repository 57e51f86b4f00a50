/*
 * db.c — backend-neutral half of the storage interface: dispatch through
 * the backend's ops, transactions with retry, and schema migrations.
 */
#include "db.h"
#include "db_impl.h"
#include "../util/str.h"
#include "../util/vault.h"

#include <stdio.h>
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

static void set_err(char *errbuf, int errlen, const char *msg)
{
	if (errbuf && errlen > 0)
		snprintf(errbuf, (size_t)errlen, "%s", msg);
}

enum rc db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	return BASE(db)->ops->prepare(db, sql, out);
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

enum db_step db_step(struct db_stmt *q)
{
	enum db_step s = SBASE(q)->ops->step(q);
	BASE(SBASE(q)->db)->last_busy = s == DB_BUSY;
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

void db_reset(struct db_stmt *q)
{
	SBASE(q)->ops->reset(q);
}

void db_finalize(struct db_stmt *q)
{
	if (q)
		SBASE(q)->ops->finalize(q);
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
	return f == RC_DB_FULL || f == RC_DB_READONLY || f == RC_DB_IO ? f : rc;
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

enum rc db_tx(struct db *db, enum rc (*fn)(struct db *db, void *ctx), void *ctx)
{
	struct db_base *b = BASE(db);
	if (b->tx_depth > 0)
		return fn(db, ctx);
	enum rc rc = RC_DB;
	for (int attempt = 0; attempt < 6; attempt++) {
		if (attempt)
			pause_ms(20L << attempt);
		rc = db_exec(db, b->ops->begin_sql);
		if (rc) {
			if (b->last_busy)
				continue;
			return rc;
		}
		b->tx_depth = 1;
		rc = fn(db, ctx);
		int busy = b->last_busy;
		if (rc == RC_OK) {
			rc = db_exec(db, "COMMIT");
			busy = busy || b->last_busy;
		}
		if (rc != RC_OK) {
			/* The rollback must not hide why the transaction failed. */
			enum rc why = b->fail;
			db_exec(db, "ROLLBACK");
			b->fail = why;
		}
		b->tx_depth = 0;
		if (rc == RC_OK || !(rc == RC_DB && busy))
			return db_refine(db, rc);
	}
	return db_refine(db, rc);
}

int db_schema_latest(void)
{
	return db_sqlite_migrations[db_sqlite_migration_count - 1].version;
}

int db_schema_version(struct db *db)
{
	struct db_stmt *q;
	int v = 0;
	if (db_prepare(db, "SELECT coalesce(max(version), 0) FROM schema_migration", &q))
		return -1;
	if (db_step(q) == DB_ROW)
		v = (int)db_col_int64(q, 0);
	db_finalize(q);
	return v;
}

struct migrate_ctx {
	const struct db_migration *m;
};

static enum rc apply_one(struct db *db, void *ctx)
{
	const struct db_migration *m = ((struct migrate_ctx *)ctx)->m;
	if (BASE(db)->ops->exec_script(db, m->sql) != DB_DONE)
		return RC_DB;
	struct db_stmt *q;
	if (db_prepare(db,
	               "INSERT INTO schema_migration (version, name, applied_at) "
	               "VALUES ($1, $2, $3)",
	               &q))
		return RC_DB;
	char now[21];
	str_now_iso(now);
	db_bind_int64(q, 1, m->version);
	db_bind_text(q, 2, m->name);
	db_bind_text(q, 3, now);
	enum db_step s = db_step(q);
	db_finalize(q);
	return db_step_rc(s);
}

/* Applies every migration up to max_version that the store lacks, each in
 * its own transaction. */
static enum rc migrate(struct db *db, int create, int max_version, char *errbuf, int errlen)
{
	const struct db_ops *ops = BASE(db)->ops;
	/* An existing store must already be a finsam database: a file that is
	 * empty, another program's database or no database at all is never
	 * given a fresh schema here (only init creates one). */
	if (!create &&
	    ops->exec_script(db, "SELECT version FROM schema_migration LIMIT 1") != DB_DONE) {
		set_err(errbuf, errlen,
		        "Filen är ingen finsam-databas (den saknar finsams schemaversioner) och "
		        "lämnas orörd. En ny databas skapas med 'finsam init'.");
		return RC_INVALID;
	}
	if (ops->exec_script(db, "CREATE TABLE IF NOT EXISTS schema_migration ("
	                         " version INTEGER PRIMARY KEY,"
	                         " name TEXT NOT NULL,"
	                         " applied_at TEXT NOT NULL)") != DB_DONE) {
		set_err(errbuf, errlen,
		        "Databasen kunde inte läsas (är filen en finsam-databas?).");
		return RC_DB;
	}
	int have = db_schema_version(db);
	if (have < 0) {
		set_err(errbuf, errlen, "Databasens versionstabell kunde inte läsas.");
		return RC_DB;
	}
	if (have > db_schema_latest()) {
		set_err(
		    errbuf, errlen,
		    "Databasen har skapats av en nyare version av finsam; uppgradera programmet.");
		return RC_CONFLICT;
	}
	BASE(db)->opened_version = have;
	for (int i = 0; i < db_sqlite_migration_count; i++) {
		const struct db_migration *m = &db_sqlite_migrations[i];
		if (m->version <= have || m->version > max_version)
			continue;
		struct migrate_ctx c = {m};
		if (db_tx(db, apply_one, &c) != RC_OK) {
			char msg[256];
			snprintf(msg, sizeof msg, "Databasändring %d (%s) misslyckades: %s",
			         m->version, m->name, db_errmsg(db));
			set_err(errbuf, errlen, msg);
			return RC_DB;
		}
	}
	return RC_OK;
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
	rc = migrate(db, create, max_version, errbuf, errlen);
	if (rc) {
		ops->close(db);
		return rc;
	}
	*out = db;
	return RC_OK;
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
