/*
 * db_sqlite.c — the SQLite backend of the storage interface.
 *
 * SQLite accepts $1, $2, … but treats them as *named* parameters numbered by
 * first appearance, so "SELECT $2, $1" has $2 at index 1.  sq_prepare
 * therefore maps each number to SQLite's index once, from the names
 * (sqlite3_bind_parameter_name), and a bind looks the index up in that map;
 * a number the statement lacks marks the statement failed.
 *
 * Each connection runs in WAL mode with foreign keys on and a busy timeout,
 * and is used by one thread at a time (SQLITE_OPEN_NOMUTEX).
 */
#include "db_impl.h"
#include "../util/str.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct db {
	struct db_base base;
	sqlite3 *h;
};

struct db_stmt {
	struct db_stmt_base base;
	sqlite3_stmt *s;
	int bad_bind;
	/* SQLite's index of placeholder $n is param[n] (0: the statement has
	 * no $n), worked out once when the statement is prepared; a kept
	 * statement (db.c's cache) binds without looking names up. */
	int nparam;
	int param[];
};

#define BUSY_TIMEOUT_MS 5000

/*
 * Sizes for a server (the reasons in docs/architecture.md, "Storage").
 * Page cache: at most 8 MiB per connection (SQLite's default is 2 MiB); it
 * grows only as pages are used, so an idle connection costs nothing, and
 * the pool of threads+1 connections stays far below the memory goal.
 * Memory map: the first 2 GiB of the file are read through the OS page
 * cache, shared by every connection, without a copy into each connection's
 * cache — a database of 5 000 000 participations (about 1.2 GB) fits whole.
 * SQLite clamps the figure to its compile-time maximum (Debian: 2 GiB less
 * 64 KiB); test_storage_setup reads both back.
 * Temporary storage in memory: a statement's journal (kept while a write
 * statement runs, to undo it alone; every INSERT into a table with several
 * unique indexes or foreign keys has one) and RETURNING's result table
 * never touch a temporary file — an import of 20 000 rows made 680 000
 * pwrite calls to such files, 19 000 with this.
 */
#define DB_SQLITE_PRAGMAS            \
	"PRAGMA journal_mode=WAL;"   \
	"PRAGMA foreign_keys=ON;"    \
	"PRAGMA synchronous=NORMAL;" \
	"PRAGMA temp_store=MEMORY;"  \
	"PRAGMA cache_size=-8192;"   \
	"PRAGMA mmap_size=2147483648;"

/* Process-wide, once, before SQLite initialises:
 * - no memory statistics.  With them on, every allocation of every
 *   connection takes one global mutex (measured: a quarter of the server's
 *   time waking and waiting on it under load);
 * - no initial bulk allocation of 20 pages (~90 KiB) for every new page
 *   cache (SQLITE_CONFIG_PAGECACHE with no buffer and N = 0).  Each
 *   RETURNING and each temporary table opens a page cache of its own;
 *   glibc handed those 90 KiB back to the system and faulted them in again
 *   for every such statement (an import spent half its time in the
 *   kernel).  Pages are now allocated one at a time as they are used.
 * sqlite3_config must come before sqlite3_initialize; if the process used
 * SQLite before, it answers SQLITE_MISUSE and the defaults stay. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc = SQLITE_OK;

static void global_setup(void)
{
	global_rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (global_rc == SQLITE_OK)
		global_rc = sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
	if (global_rc == SQLITE_OK)
		global_rc = sqlite3_initialize();
}

static enum rc sq_global_init(void)
{
	pthread_once(&global_once, global_setup);
	return global_rc == SQLITE_OK ? RC_OK : RC_DB;
}

static void sq_close(struct db *db)
{
	if (!db)
		return;
	sqlite3_close_v2(db->h);
	free(db);
}

/* The class of an SQLite error, for db_failure(): what the administrator
 * must fix (disk full, read-only file, broken storage) or RC_DB. */
static enum rc failure_class(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL: return RC_DB_FULL;
	case SQLITE_READONLY: return RC_DB_READONLY;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT: return RC_DB_IO;
	case SQLITE_NOMEM: return RC_NOMEM;
	default: return RC_DB;
	}
}

static enum db_step sq_exec_script(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
	db->base.last_busy = rc == SQLITE_BUSY;
	if (rc == SQLITE_OK)
		return DB_DONE;
	if (rc == SQLITE_BUSY)
		return DB_BUSY;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return DB_CONSTRAINT;
	db->base.fail = failure_class(rc);
	return DB_ERROR;
}

static enum rc sq_open(const char *path, int create, struct db **out, char *errbuf, int errlen)
{
	*out = NULL;
	struct stat st;
	if (!create && stat(path, &st) != 0) {
		if (errbuf)
			snprintf(errbuf, (size_t)errlen,
			         "Databasen %s finns inte; skapa den med 'finsam init %s'.", path,
			         path);
		return RC_NOT_FOUND;
	}
	/* An existing path must hold an SQLite database: SQLite would treat an
	 * empty file as a new database and the caller would build a schema in
	 * it, hiding that the real database was emptied or replaced. */
	if (!create && (!S_ISREG(st.st_mode) || st.st_size == 0)) {
		if (errbuf)
			snprintf(
			    errbuf, (size_t)errlen,
			    S_ISREG(st.st_mode)
			        ? "Databasfilen %s är tom och lämnas orörd: en befintlig databas "
			          "kan ha tömts. Återställ den från en säkerhetskopia; en ny "
			          "databas skapas med 'finsam init' på en ny sökväg."
			        : "%s är ingen vanlig fil och kan inte vara en databas.",
			    path);
		return RC_INVALID;
	}
	(void)sq_global_init(); /* normally done already by main() */
	struct db *db = calloc(1, sizeof *db);
	if (!db)
		return RC_NOMEM;
	db->base.ops = &db_sqlite_ops;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		if (errbuf)
			snprintf(errbuf, (size_t)errlen, "Databasen %s kunde inte öppnas: %s", path,
			         db->h ? sqlite3_errmsg(db->h) : "minnet räckte inte");
		sq_close(db);
		return RC_IO;
	}
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->h, 1);
	if (sq_exec_script(db, DB_SQLITE_PRAGMAS) != DB_DONE) {
		/* The header is checked by SQLite here, not by reading the file
		 * ourselves: closing any descriptor of the file would drop the
		 * POSIX locks of this process's other connections. */
		int notadb = (sqlite3_errcode(db->h) & 0xff) == SQLITE_NOTADB;
		if (errbuf && notadb)
			snprintf(
			    errbuf, (size_t)errlen,
			    "%s är ingen finsam-databas (inte ens en SQLite-databas) och lämnas "
			    "orörd. En ny databas skapas med 'finsam init'.",
			    path);
		else if (errbuf)
			snprintf(errbuf, (size_t)errlen, "Databasen %s kunde inte öppnas: %s", path,
			         sqlite3_errmsg(db->h));
		sq_close(db);
		return notadb ? RC_INVALID : RC_IO;
	}
	*out = db;
	return RC_OK;
}

/* The number n of a placeholder named "$n" (n >= 1), or 0. */
static int placeholder_number(const char *name)
{
	if (!name || name[0] != '$' || name[1] < '1' || name[1] > '9')
		return 0;
	long n = 0;
	for (const char *c = name + 1; *c; c++) {
		if (*c < '0' || *c > '9' || n > 100000)
			return 0;
		n = n * 10 + (*c - '0');
	}
	return (int)n;
}

static enum rc sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	*out = NULL;
	sqlite3_stmt *s;
	/* Persistent: the statement is kept by the connection's cache (db.c),
	 * so SQLite takes its memory from the heap, not the lookaside slots
	 * meant for short-lived objects. */
	int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		db->base.fail = failure_class(rc);
		fprintf(stderr, "finsam: sql prepare failed: %s\n", sqlite3_errmsg(db->h));
		return (rc & 0xff) == SQLITE_NOMEM ? RC_NOMEM : RC_DB;
	}
	/* $n are named parameters to SQLite, numbered by first appearance
	 * (see the top of this file): map each number to its index. */
	int count = sqlite3_bind_parameter_count(s), highest = 0;
	for (int i = 1; i <= count; i++) {
		int n = placeholder_number(sqlite3_bind_parameter_name(s, i));
		if (n > highest)
			highest = n;
	}
	struct db_stmt *q = calloc(1, sizeof *q + (size_t)(highest + 1) * sizeof q->param[0]);
	if (!q) {
		sqlite3_finalize(s);
		return RC_NOMEM;
	}
	q->base.ops = &db_sqlite_ops;
	q->base.db = db;
	q->s = s;
	q->nparam = highest;
	for (int i = 1; i <= count; i++) {
		int n = placeholder_number(sqlite3_bind_parameter_name(s, i));
		if (n > 0)
			q->param[n] = i;
	}
	*out = q;
	return RC_OK;
}

/* Index of placeholder $n, or 0 (and the statement marked bad). */
static int param_index(struct db_stmt *q, int n)
{
	int i = n >= 1 && n <= q->nparam ? q->param[n] : 0;
	if (i == 0)
		q->bad_bind = 1;
	return i;
}

static void sq_bind_text(struct db_stmt *q, int n, const char *s)
{
	int i = param_index(q, n);
	if (!i)
		return;
	if (s)
		sqlite3_bind_text(q->s, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q->s, i);
}

static void sq_bind_int64(struct db_stmt *q, int n, int64_t v)
{
	int i = param_index(q, n);
	if (i)
		sqlite3_bind_int64(q->s, i, v);
}

static void sq_bind_null(struct db_stmt *q, int n)
{
	int i = param_index(q, n);
	if (i)
		sqlite3_bind_null(q->s, i);
}

static void sq_bind_bool(struct db_stmt *q, int n, int v)
{
	int i = param_index(q, n);
	if (i)
		sqlite3_bind_int(q->s, i, v != 0);
}

static enum db_step sq_step(struct db_stmt *q)
{
	if (q->bad_bind) {
		q->base.db->base.fail = RC_DB;
		fprintf(stderr, "finsam: sql bind to a placeholder the statement lacks: %s\n",
		        sqlite3_sql(q->s));
		return DB_ERROR;
	}
	int rc = sqlite3_step(q->s);
	switch (rc & 0xff) {
	case SQLITE_ROW: return DB_ROW;
	case SQLITE_DONE: return DB_DONE;
	case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DB_BUSY;
	default:
		q->base.db->base.fail = failure_class(rc);
		fprintf(stderr, "finsam: sql step failed: %s\n",
		        sqlite3_errmsg(sqlite3_db_handle(q->s)));
		return DB_ERROR;
	}
}

static const char *sq_col_text(struct db_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q->s, i);
}

static int64_t sq_col_int64(struct db_stmt *q, int i)
{
	return sqlite3_column_int64(q->s, i);
}

static int sq_col_is_null(struct db_stmt *q, int i)
{
	return sqlite3_column_type(q->s, i) == SQLITE_NULL;
}

/* SQLite has no boolean type: comparisons and EXISTS yield integers 0/1. */
static int sq_col_bool(struct db_stmt *q, int i)
{
	return sqlite3_column_int64(q->s, i) != 0;
}

static void sq_reset(struct db_stmt *q)
{
	sqlite3_reset(q->s);
	sqlite3_clear_bindings(q->s);
	q->bad_bind = 0;
}

static void sq_finalize(struct db_stmt *q)
{
	sqlite3_finalize(q->s);
	free(q);
}

static const char *sq_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

/* ---- migrations: this backend's own list (schema_sqlite.c) ---- */

static int sq_schema_latest(void)
{
	return db_sqlite_migrations[db_sqlite_migration_count - 1].version;
}

static void set_err(char *errbuf, int errlen, const char *msg)
{
	if (errbuf && errlen > 0)
		snprintf(errbuf, (size_t)errlen, "%s", msg);
}

struct migrate_ctx {
	const struct db_migration *m;
};

static enum rc apply_one(struct db *db, void *ctx)
{
	const struct db_migration *m = ((struct migrate_ctx *)ctx)->m;
	if (sq_exec_script(db, m->sql) != DB_DONE)
		return RC_DB;
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db,
	                     "INSERT INTO schema_migration (version, name, applied_at) "
	                     "VALUES ($1, $2, $3)",
	                     &q)))
		return rc;
	char now[21];
	str_now_iso(now);
	db_bind_int64(q, 1, m->version);
	db_bind_text(q, 2, m->name);
	db_bind_text(q, 3, now);
	return db_run(q);
}

/* Applies every migration of schema_sqlite.c up to max_version that the
 * store lacks, each in its own transaction (ops->migrate). */
static enum rc sq_migrate(struct db *db, int create, int max_version, char *errbuf, int errlen)
{
	/* An existing store must already be a finsam database: a file that is
	 * empty, another program's database or no database at all is never
	 * given a fresh schema here (only init creates one). */
	if (!create &&
	    sq_exec_script(db, "SELECT version FROM schema_migration LIMIT 1") != DB_DONE) {
		set_err(errbuf, errlen,
		        "Filen är ingen finsam-databas (den saknar finsams schemaversioner) och "
		        "lämnas orörd. En ny databas skapas med 'finsam init'.");
		return RC_INVALID;
	}
	if (sq_exec_script(db, "CREATE TABLE IF NOT EXISTS schema_migration ("
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
	if (have > sq_schema_latest()) {
		set_err(
		    errbuf, errlen,
		    "Databasen har skapats av en nyare version av finsam; uppgradera programmet.");
		return RC_CONFLICT;
	}
	db->base.opened_version = have;
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

const struct db_ops db_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int64 = sq_bind_int64,
    .bind_null = sq_bind_null,
    .bind_bool = sq_bind_bool,
    .step = sq_step,
    .col_text = sq_col_text,
    .col_int64 = sq_col_int64,
    .col_is_null = sq_col_is_null,
    .col_bool = sq_col_bool,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .exec_script = sq_exec_script,
    .begin_sql = "BEGIN IMMEDIATE",
    /* Deferred: a read lock at the first read, never a write lock. */
    .read_begin_sql = "BEGIN",
    /* analysis_limit: each index is sampled, not read whole, so the cost
     * does not grow with the database.  A connection reads statistics
     * only when it (re)loads the schema, and ANALYZE alone does not change
     * the schema's version: creating and dropping a table in the same
     * transaction does, so every connection reloads schema and statistics
     * at its next statement and its kept statements are planned again
     * (SQLite re-prepares them), without taking any lock of its own
     * (docs/architecture.md, "Storage"). */
    .analyze_sql = "PRAGMA analysis_limit=1000; BEGIN IMMEDIATE; ANALYZE;"
                   " CREATE TABLE statistics_epoch (x INTEGER); DROP TABLE statistics_epoch;"
                   " COMMIT; PRAGMA analysis_limit=0;",
    .analyze_undo_sql = "ROLLBACK; PRAGMA analysis_limit=0;",
    .migrate = sq_migrate,
    .schema_latest = sq_schema_latest,
    .errmsg = sq_errmsg,
    .global_init = sq_global_init,
};
