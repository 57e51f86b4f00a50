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
 *	enum rc rc;
 *	if ((rc = db_prepare(db, "SELECT name FROM member WHERE id = $1", &q)))
 *		return rc;
 *	db_bind_int64(q, 1, id);
 *	return db_one_text(q, a, &name);   // steps, copies, finalizes
 *
 * Most statements fit one of the helpers below (db_exists, db_one_int64,
 * db_one_text, db_run, db_fetch_all); each steps, maps the outcome to a
 * result code the same way and ALWAYS finalizes q, so a caller writes
 * neither the step loop nor the error mapping by hand.  Hand-written loops
 * (db_step/db_col_*) remain for the few statements that need them.
 *
 * A connection is used by one thread at a time; the web server keeps a pool.
 * Every write runs inside db_tx(); see the transaction rule there.
 */
#ifndef FINSAM_DB_H
#define FINSAM_DB_H

#include <stdint.h>

#include <stddef.h>

#include "../util/rc.h"

struct db;
struct db_stmt;
struct arena;

enum db_step {
	DB_ROW,        /* a row is ready to read */
	DB_DONE,       /* the statement has finished */
	DB_CONSTRAINT, /* a UNIQUE, CHECK or FOREIGN KEY rule refused the write */
	DB_BUSY,       /* the store was locked past the busy timeout */
	DB_ERROR       /* anything else: a bug or a broken store */
};

/*
 * Process-wide set-up of every storage backend, once, before the first
 * connection (SQLite: memory statistics off, see docs/architecture.md,
 * "Storage").  main() calls it first; db_open calls it too, so a program
 * that forgets still gets it unless it used the library directly before.
 * Safe to call again (later calls return the first result).  RC_OK, or RC_DB
 * when the library was already initialised by someone else (it still works,
 * only slower).
 */
enum rc db_global_init(void);

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

/* Prepares constant SQL text.  RC_OK with *out set; otherwise *out is NULL
 * and the result is RC_NOMEM when memory ran out, RC_DB (refined, see
 * db_refine) for anything else: a caller writes
 * `if ((rc = db_prepare(db, "...", &q))) return rc;`.
 *
 * Statements are compiled once per connection: each connection keeps the
 * statements it prepared, keyed by their SQL text, and db_finalize hands a
 * kept statement back (reset, its bindings cleared) instead of destroying
 * it, so the next db_prepare of the same text costs a lookup.  A statement
 * is handed to one caller at a time: preparing a text whose kept statement
 * is still in use (a row loop that calls a function preparing the same
 * SQL) compiles a second one.  Callers see none of this; they prepare,
 * bind, step and finalize as before, and must not touch q after
 * db_finalize. */
enum rc db_prepare(struct db *db, const char *sql, struct db_stmt **out);

/* What the statement cache of a connection did since it opened. */
struct db_cache_stats {
	uint64_t hits;      /* db_prepare answered from the cache */
	uint64_t misses;    /* db_prepare compiled a statement */
	uint64_t evictions; /* kept statements destroyed to make room */
	int kept;           /* statements kept now */
};
void db_cache_stats(struct db *db, struct db_cache_stats *out);
/* Binds $n.  A NULL text binds SQL NULL.  A bind to a placeholder the
 * statement does not have makes the next db_step fail with DB_ERROR. */
void db_bind_text(struct db_stmt *q, int n, const char *s);
void db_bind_int64(struct db_stmt *q, int n, int64_t v);
void db_bind_null(struct db_stmt *q, int n);
/* A boolean as the engine stores one (SQLite: integer 0/1; PostgreSQL:
 * boolean).  v is true when non-zero. */
void db_bind_bool(struct db_stmt *q, int n, int v);
/* Optional values: NULL or "" binds SQL NULL, as does an id <= 0 (ids
 * start at 1). */
void db_bind_text_opt(struct db_stmt *q, int n, const char *s);
void db_bind_id_opt(struct db_stmt *q, int n, int64_t id);
enum db_step db_step(struct db_stmt *q);
/* Column i of the current row.  Text is valid until the next step or
 * finalize and is NULL for SQL NULL. */
const char *db_col_text(struct db_stmt *q, int i);
int64_t db_col_int64(struct db_stmt *q, int i);
int db_col_is_null(struct db_stmt *q, int i);
/* A boolean column (a comparison, EXISTS, IS NULL, a boolean-typed
 * column): 1 or 0, 0 for SQL NULL.  Read booleans only with this, never
 * with db_col_int64: PostgreSQL hands them out as 't'/'f'. */
int db_col_bool(struct db_stmt *q, int i);
/* Column i's text copied into arena a (freed with it); NULL for SQL NULL.
 * When the copy fails the arena remembers it (arena_failed), so a NULL here
 * is told apart from a failure: db_one_text and db_fetch_all return
 * RC_NOMEM for it. */
const char *db_col_dup(struct db_stmt *q, int i, struct arena *a);
/* Rewinds a statement so it can be bound and stepped again. */
void db_reset(struct db_stmt *q);
/* Ends the caller's use of q (NULL is allowed): a kept statement goes back
 * to its connection's cache, any other is destroyed. */
void db_finalize(struct db_stmt *q);

/*
 * Single-step helpers.  Each takes a prepared, bound q (never NULL: check
 * db_prepare's result first), steps it once, maps the outcome and ALWAYS
 * finalizes q.  A step error is never an answer: DB_CONSTRAINT gives
 * RC_CONFLICT; busy gives RC_DB and marks the transaction for a retry
 * (db_tx runs the callback again); any other error gives RC_DB refined
 * (RC_DB_FULL, RC_DB_READONLY, RC_DB_IO, RC_NOMEM when more specific).
 */
/* *found = 1 if the statement yields a row, 0 if none. */
enum rc db_exists(struct db_stmt *q, int *found);
/* Column 0 of the first row; RC_NOT_FOUND (and *out 0) when there is none.
 * SQL NULL reads as 0. */
enum rc db_one_int64(struct db_stmt *q, int64_t *out);
/* Column 0 of the first row copied into a; RC_NOT_FOUND (and *out NULL)
 * when there is no row; RC_OK with *out NULL for SQL NULL; RC_NOMEM if the
 * copy failed. */
enum rc db_one_text(struct db_stmt *q, struct arena *a, const char **out);
/* Steps a write (INSERT/UPDATE/DELETE without RETURNING) to its end: RC_OK
 * only for DB_DONE.  A statement that yields a row is an error here (use
 * db_one_int64 for RETURNING). */
enum rc db_run(struct db_stmt *q);

/* Reads the current row of q into *elem (an element of db_fetch_all's
 * array, zeroed), copying text with db_col_dup into a. */
typedef void (*db_row_fn)(struct db_stmt *q, struct arena *a, void *elem);
/*
 * Steps q to its end, reading each row with read into a growing array of
 * elem-sized items in arena a; *out gets the array (NULL when no rows) and
 * *n its length.  With limit > 0 at most limit rows are read, and
 * *truncated is set to 1 if another row existed (0 otherwise) — never a
 * shorter answer in silence: if truncated is NULL and more rows existed the
 * result is RC_NOMEM (over a size cap).  With limit 0 every row is read.
 * A step error is an error (not RC_OK with fewer rows): *out NULL and *n 0.
 * An allocation failure, including a failed db_col_dup in read (the arena
 * remembers it), gives RC_NOMEM.  Always finalizes q.
 */
enum rc db_fetch_all(struct db_stmt *q, struct arena *a, db_row_fn read, size_t elem, size_t limit,
                     void **out, size_t *n, int *truncated);

/* Runs one statement that returns no rows and takes no parameters. */
enum rc db_exec(struct db *db, const char *sql);
/* Maps a step result to a result code (DB_DONE/DB_ROW → RC_OK). */
enum rc db_step_rc(enum db_step s);

/*
 * Runs fn(db, ctx) inside a write transaction.  If fn returns RC_OK the
 * transaction commits; otherwise it rolls back and fn's code is returned.
 * Nested calls run fn inside the outer transaction (no retry of their own).
 *
 * THE TRANSACTION RULE.  When the store reports busy (SQLite: locked past
 * the busy timeout; PostgreSQL: a serialization failure or deadlock) at any
 * step of an attempt, including BEGIN and COMMIT, the attempt is rolled back
 * whatever fn returned (PostgreSQL aborts such a transaction anyway) and
 * fn runs again from the start, up to 6 attempts with growing pauses.  So:
 *   - fn may run more than once, and each run starts from the database as
 *     it was before the transaction: everything fn decides it decides from
 *     what it reads inside the transaction and from ctx's inputs, never
 *     from state it or an earlier run changed (no insert-vs-update chosen by
 *     an id that fn itself writes back into ctx);
 *   - fn has no effect outside the database (no file, no message, no
 *     counter, no log line that claims something happened);
 *   - fn hands results out only through ctx fields that each run overwrites
 *     in full, and the caller reads them only after db_tx returned RC_OK.
 * A busy result that outlives the attempts is RC_DB_BUSY (db_failure says
 * so too): another writer held the store; the web answers 503 "Databasen är
 * upptagen" and asks to try again.
 */
enum rc db_tx(struct db *db, enum rc (*fn)(struct db *db, void *ctx), void *ctx);

/*
 * The planner's statistics.  db_analyze gathers them for the whole
 * database (SQLite: ANALYZE sampling each index, so its cost does not grow
 * with the file; PostgreSQL: ANALYZE), and every connection of the
 * database plans with them from its next statement on, its kept
 * statements included, without taking any lock for it (SQLite: the run
 * changes the schema's version, so each connection reloads schema and
 * statistics by itself).  It takes the write lock for its run (tens of
 * milliseconds at 5 000 000 participations; it waits up to the busy
 * timeout when another write holds the database).  Who calls it: db_open
 * after migrations changed an existing database, `finsam serve` at start
 * and once a day, and an import of many rows after it committed
 * (docs/architecture.md, "Storage").  RC_OK, or the store's code (RC_DB
 * when it stayed busy); a failed run leaves the old statistics.
 */
enum rc db_analyze(struct db *db);

/*
 * A read snapshot for a run of reads, such as everything a page shows:
 * the statements between db_read_begin and db_read_end read one state of
 * the database (a count and the rows beside it agree), and the store's
 * locks are taken once for the run instead of once per statement (SQLite:
 * two fcntl calls per statement, measured at 8 % of the server's time on a
 * signed-in page).  A write needs the newest state: db_tx ends an open
 * snapshot before it begins, and the reads after it run each on its own.
 * db_read_begin is a no-op inside a transaction or snapshot; db_read_end
 * is a no-op without a snapshot and must be called before the connection
 * is used for anything else (the web server calls it after every
 * request).  RC_OK, or the store's code (then no snapshot is open and
 * each read runs on its own, as without the call).
 */
enum rc db_read_begin(struct db *db);
void db_read_end(struct db *db);

/* RC_OK when the database can be written: a write inside db_tx that is
 * always rolled back, so nothing stays.  Otherwise the store's code
 * (RC_DB_FULL for a full disk, RC_DB for a read-only file or folder). */
enum rc db_check_writable(struct db *db);

/*
 * TEST ONLY: makes the nth db_step from now (n >= 1) that runs inside a
 * db_tx attempt on this connection — BEGIN and COMMIT count as steps, the
 * rollback does not — return DB_BUSY without running the statement, as
 * SQLite busy or a PostgreSQL serialization failure would, so db_tx rolls
 * back and runs the callback again.  Fires once, then disarms.  n = 0
 * disarms.  Costs one test of an integer per step when unset.  The retry
 * tests (tests/unit/test_retry.c) use it; nothing else may.
 */
void db_test_fail_step(struct db *db, int nth);
/* TEST ONLY: how many counted steps are left before the armed failure
 * fires (so non-zero while it has not fired), 0 once it fired or when off.
 * Arming a large n and reading this after a run counts a run's steps. */
int db_test_fail_pending(struct db *db);

/*
 * What kind of failure the store last reported on this connection since
 * db_failure_clear: RC_DB_FULL (disk or size limit full), RC_DB_READONLY
 * (file or file system not writable), RC_DB_IO (file cannot be opened, read
 * or written), RC_NOMEM (the engine ran out of memory), RC_DB for anything
 * else, RC_OK if nothing failed.  Callers
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
