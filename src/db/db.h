/*
 * db.h — the storage interface every module talks to.
 *
 * SQL is constant text with $1, $2, … placeholders, the form both SQLite and
 * PostgreSQL accept; values are only ever bound.  The interface is a small
 * vtable (struct db_ops, in db_impl.h) so a PostgreSQL backend can be added
 * as a second implementation without touching any module.  Today the SQLite
 * backend (db_sqlite.c) is the only one.
 *
 * Usage reads like prose:
 *
 *	struct db_stmt *q;
 *	if (db_prepare(db, "SELECT name FROM member WHERE id = $1", &q)) return RC_DB;
 *	db_bind_int64(q, 1, id);
 *	while (db_step(q) == DB_ROW) use(db_col_text(q, 0));
 *	db_finalize(q);
 *
 * A connection is used by one thread at a time; the web server keeps a pool.
 * Every write runs inside db_tx(), which begins, calls back, commits, and
 * retries the whole callback when the store was busy.
 */
#ifndef FINSAM_DB_H
#define FINSAM_DB_H

#include <stdint.h>

#include "../util/rc.h"

struct db;
struct db_stmt;

enum db_step {
	DB_ROW,        /* a row is ready to read */
	DB_DONE,       /* the statement has finished */
	DB_CONSTRAINT, /* a UNIQUE, CHECK or FOREIGN KEY rule refused the write */
	DB_BUSY,       /* the store was locked past the busy timeout */
	DB_ERROR       /* anything else: a bug or a broken store */
};

/* How db_open treats the schema. */
enum db_open_mode {
	DB_OPEN_EXISTING, /* the file must exist; apply pending migrations */
	DB_OPEN_CREATE,   /* create the file if missing; apply migrations */
	DB_OPEN_AS_IS     /* the file must exist; no migrations (read-only checks) */
};

/*
 * Opens the store at path and brings its schema up to date.  On failure
 * *out is NULL and, if errbuf is given, it holds a Swedish sentence for the
 * administrator.  Close with db_close().
 */
enum rc db_open(const char *path, enum db_open_mode mode, struct db **out, char *errbuf,
                int errlen);
/* As db_open, but stops after migration max_version: for tests that build a
 * database as an older release would have left it. */
enum rc db_open_at_version(const char *path, int max_version, struct db **out, char *errbuf,
                           int errlen);
/* Closes the connection, and the vault attached with owns set. */
void db_close(struct db *db);

struct vault;
/* Attaches the vault whose key this database was checked against
 * (core/keycheck.h); audit_append() signs the chain's head with it.  With
 * owns set, db_close() releases it (as does attaching another); otherwise
 * the caller does, after closing every connection it is attached to. */
void db_set_vault(struct db *db, struct vault *v, int owns);
/* The attached vault, or NULL. */
const struct vault *db_vault(struct db *db);

enum rc db_prepare(struct db *db, const char *sql, struct db_stmt **out);
/* Binds $n.  A NULL text binds SQL NULL.  A bind to a placeholder the
 * statement does not have makes the next db_step fail with DB_ERROR. */
void db_bind_text(struct db_stmt *q, int n, const char *s);
void db_bind_int64(struct db_stmt *q, int n, int64_t v);
void db_bind_null(struct db_stmt *q, int n);
enum db_step db_step(struct db_stmt *q);
/* Column i of the current row.  Text is valid until the next step or
 * finalize and is NULL for SQL NULL. */
const char *db_col_text(struct db_stmt *q, int i);
int64_t db_col_int64(struct db_stmt *q, int i);
int db_col_is_null(struct db_stmt *q, int i);
/* Rewinds a statement so it can be bound and stepped again. */
void db_reset(struct db_stmt *q);
void db_finalize(struct db_stmt *q);

/* Runs one statement that returns no rows and takes no parameters. */
enum rc db_exec(struct db *db, const char *sql);
/* Maps a step result to a result code (DB_DONE/DB_ROW → RC_OK). */
enum rc db_step_rc(enum db_step s);

/*
 * Runs fn(db, ctx) inside a write transaction.  If fn returns RC_OK the
 * transaction commits; otherwise it rolls back and fn's code is returned.
 * When the store reports busy (or, on PostgreSQL, a serialization failure)
 * the whole callback runs again, up to a few times with growing pauses, so
 * fn must have no effect outside the database.  Nested calls run fn inside
 * the outer transaction.
 */
enum rc db_tx(struct db *db, enum rc (*fn)(struct db *db, void *ctx), void *ctx);

/*
 * What kind of failure the store last reported on this connection since
 * db_failure_clear: RC_DB_FULL (disk or size limit full), RC_DB_READONLY
 * (file or file system not writable), RC_DB_IO (file cannot be opened, read
 * or written), RC_DB for anything else, RC_OK if nothing failed.  Callers
 * that got RC_DB from a module use it to tell the administrator's problems
 * apart from bugs.  db_exec and db_tx already return these codes.
 */
enum rc db_failure(struct db *db);
void db_failure_clear(struct db *db);
/* rc refined: RC_DB becomes db_failure(db) when that is more specific. */
enum rc db_refine(struct db *db, enum rc rc);

/* The backend's last error text, for the server log (never shown to users). */
const char *db_errmsg(struct db *db);
/* The schema version the store is at. */
int db_schema_version(struct db *db);
/* The schema version the store had when this connection opened it, before
 * any migration it applied: 0 for a store created by this open.  Tells a
 * database being upgraded now from one where rows were removed later. */
int db_opened_version(struct db *db);
/* The newest schema version this build knows. */
int db_schema_latest(void);

#endif
