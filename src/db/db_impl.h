/*
 * db_impl.h — what a storage backend implements.  Only db.c and the
 * backends include this; modules use db.h.
 */
#ifndef FINSAM_DB_IMPL_H
#define FINSAM_DB_IMPL_H

#include "db.h"

struct db_ops {
	const char *name;
	enum rc (*open)(const char *path, int create, struct db **out, char *errbuf, int errlen);
	void (*close)(struct db *db);
	enum rc (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
	void (*bind_text)(struct db_stmt *q, int n, const char *s);
	void (*bind_int64)(struct db_stmt *q, int n, int64_t v);
	void (*bind_null)(struct db_stmt *q, int n);
	void (*bind_bool)(struct db_stmt *q, int n, int v);
	enum db_step (*step)(struct db_stmt *q);
	const char *(*col_text)(struct db_stmt *q, int i);
	int64_t (*col_int64)(struct db_stmt *q, int i);
	int (*col_is_null)(struct db_stmt *q, int i);
	int (*col_bool)(struct db_stmt *q, int i);
	void (*reset)(struct db_stmt *q);
	void (*finalize)(struct db_stmt *q);
	/* Runs a script of statements without parameters (migrations). */
	enum db_step (*exec_script)(struct db *db, const char *sql);
	const char *begin_sql;      /* the statement that opens a write transaction */
	const char *read_begin_sql; /* ... and a read snapshot (db_read_begin) */
	/* Gathers the planner's statistics for the whole database, bounded in
	 * cost, such that every connection plans with them from its next
	 * statement on (db_analyze); undo_sql ends what a failed run left
	 * open. */
	const char *analyze_sql;
	const char *analyze_undo_sql;
	const char *(*errmsg)(struct db *db);
	/* Process-wide set-up before the first connection (db_global_init). */
	enum rc (*global_init)(void);
	/* Brings the schema up to max_version with this backend's own list of
	 * migrations (the SQL differs between engines; the version numbers
	 * are shared), records each in schema_migration and sets the version
	 * the store had before (db_opened_version).  An existing store
	 * (create 0) that is not a finsam database is refused with
	 * RC_INVALID; errbuf gets a Swedish sentence for the administrator. */
	enum rc (*migrate)(struct db *db, int create, int max_version, char *errbuf, int errlen);
	/* The newest version this backend's list has. */
	int (*schema_latest)(void);
};

/* One prepared statement kept by its connection (db.c, "statement
 * cache"): the SQL text it was prepared from (a copy, owned by the
 * cache), its hash, and whether a caller holds it now. */
struct db_cached {
	uint64_t hash;
	char *sql;
	struct db_stmt *q;
	uint64_t last_used; /* tick of the last hand-out, for eviction */
	int in_use;
};

/* How many statements a connection keeps.  finsam has some 200 distinct
 * statements; a request uses a few dozen.  Each costs a few KiB. */
#define DB_STMT_CACHE_MAX 256

/* Every backend's struct db starts with this header. */
struct db_base {
	const struct db_ops *ops;
	int tx_depth;
	int last_busy;       /* the last failed step was busy/serialization */
	int in_attempt;      /* inside a db_tx attempt, BEGIN to COMMIT */
	int read_open;       /* a db_read_begin snapshot is open */
	int busy_seen;       /* a step of this attempt was busy: roll back, retry */
	int test_fail_at;    /* db_test_fail_step: steps left until the failure, 0 = off */
	int test_fired;      /* the test failure fired in this attempt (no pause) */
	struct vault *vault; /* see db_set_vault() */
	int owns_vault;
	enum rc fail;       /* class of the last failure (RC_DB_FULL, …, RC_DB); RC_OK if none */
	int opened_version; /* see db_opened_version() */
	/* The statement cache: allocated on first use, freed by db_close. */
	struct db_cached *cache;
	int ncache;
	uint64_t cache_tick;
	struct db_cache_stats cache_stats;
};

struct db_stmt_base {
	const struct db_ops *ops;
	struct db *db;
	int cache_slot; /* 1 + its index in db_base.cache, 0 when not cached */
};

/* One numbered schema change.  sql is a script for that backend. */
struct db_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct db_ops db_sqlite_ops;
/* SQLite's migrations (schema_sqlite.c); only db_sqlite.c applies them. */
extern const struct db_migration db_sqlite_migrations[];
extern const int db_sqlite_migration_count;

#endif
