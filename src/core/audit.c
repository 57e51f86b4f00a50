/*
 * audit.c — the hash-chained audit log; see audit.h.
 *
 * The hash of an entry is SHA-256 over the previous hash and the entry's
 * fields, each written as "<length>:<bytes>", so no choice of field values
 * can make two different entries hash alike by moving a separator.
 */
#include "audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/buf.h"
#include "../util/crypto.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "../util/vault.h"

static void put_field(struct buf *b, const char *s)
{
	if (!s)
		s = "";
	buf_printf(b, "%zu:", strlen(s));
	buf_puts(b, s);
}

/* Hash of one entry given its predecessor's hash, into out[65]. */
static int entry_hash(const char *prev, int64_t id, const char *at, const char *actor,
                      const char *action, const char *otype, const char *oid, const char *address,
                      const char *detail, char out[CRYPTO_HASH_HEX_LEN + 1])
{
	struct buf b;
	buf_init(&b, 1u << 20);
	char idtxt[24];
	snprintf(idtxt, sizeof idtxt, "%" PRId64, id);
	put_field(&b, prev);
	put_field(&b, idtxt);
	put_field(&b, at);
	put_field(&b, actor);
	put_field(&b, action);
	put_field(&b, otype);
	put_field(&b, oid);
	put_field(&b, address);
	put_field(&b, detail);
	int ok = !buf_failed(&b);
	if (ok)
		crypto_sha256_hex(b.data, b.len, out);
	buf_release(&b);
	return ok;
}

/* The MAC that anchors head (id, hash), into out[65]. */
static void anchor_mac(const struct vault *v, int64_t id, const char *hash,
                       char out[VAULT_HASH_HEX_LEN + 1])
{
	char text[160];
	int n = snprintf(text, sizeof text, "finsam audit head\n%" PRId64 "\n%s", id, hash);
	vault_audit_mac(v, text, n > 0 && (size_t)n < sizeof text ? (size_t)n : 0, out);
}

/* Reads the newest entry: *id 0 and hash the genesis value when the log is
 * empty. */
static enum rc read_head(struct db *db, int64_t *id, char hash[CRYPTO_HASH_HEX_LEN + 1],
                         char at[21])
{
	struct db_stmt *q;
	enum rc rc;
	*id = 0;
	str_copy(hash, CRYPTO_HASH_HEX_LEN + 1, AUDIT_GENESIS);
	if (at)
		at[0] = '\0';
	if ((rc =
	         db_prepare(db, "SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1", &q)))
		return rc;
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		*id = db_col_int64(q, 0);
		str_copy(hash, CRYPTO_HASH_HEX_LEN + 1, db_col_text(q, 1));
		if (at)
			str_copy(at, 21, db_col_text(q, 2));
	}
	db_finalize(q);
	return s == DB_ROW || s == DB_DONE ? RC_OK : db_step_rc(s);
}

/* *checked = whether the key check is stored. */
static enum rc key_checked(struct db *db, int *checked)
{
	struct db_stmt *q;
	enum rc rc;
	*checked = 0;
	if ((rc = db_prepare(db, "SELECT 1 FROM key_check", &q)))
		return rc;
	return db_exists(q, checked);
}

/* Compares the stored anchor with the head (id, hash). */
static enum rc anchor_state(struct db *db, const struct vault *v, int64_t id, const char *hash,
                            enum audit_anchor_state *state)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT head_id, head_hash, mac FROM audit_anchor WHERE id = 1",
	                     &q)))
		return rc;
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		char want[VAULT_HASH_HEX_LEN + 1];
		int64_t aid = db_col_int64(q, 0);
		const char *ahash = db_col_text(q, 1);
		const char *amac = db_col_text(q, 2);
		anchor_mac(v, aid, ahash ? ahash : "", want);
		int ok = ahash && amac && aid == id && strcmp(ahash, hash) == 0 &&
		         str_ct_equal(amac, want);
		*state = ok ? AUDIT_ANCHOR_OK : AUDIT_ANCHOR_BROKEN;
	}
	db_finalize(q);
	if (s == DB_DONE) {
		/* No anchor: right only for a database whose key has not been
		 * checked yet (one from before anchors).  keycheck.c anchors the
		 * log in the transaction that stores the check, so from then on
		 * there is always an anchor, even for an empty log. */
		int checked;
		if ((rc = key_checked(db, &checked)))
			return rc;
		*state = checked ? AUDIT_ANCHOR_BROKEN : AUDIT_ANCHOR_UNSET;
		return RC_OK;
	}
	return s == DB_ROW ? RC_OK : db_step_rc(s);
}

/* Writes the anchor for head (id, hash). */
static enum rc write_anchor(struct db *db, const struct vault *v, int64_t id, const char *hash)
{
	char mac[VAULT_HASH_HEX_LEN + 1];
	anchor_mac(v, id, hash, mac);
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(
	         db,
	         "INSERT INTO audit_anchor (id, head_id, head_hash, mac) VALUES (1, $1, $2, $3)"
	         " ON CONFLICT (id) DO UPDATE SET head_id = excluded.head_id,"
	         " head_hash = excluded.head_hash, mac = excluded.mac",
	         &q)))
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, hash);
	db_bind_text(q, 3, mac);
	return db_run(q);
}

/* Takes the next number of the chain and the hash before it from the head
 * row.  The UPDATE comes first in the append: on PostgreSQL its row lock
 * holds a second appender until this transaction ends, and its statement
 * then sees this one's head (SQLite lets one writer in at a time).
 * RC_CONFLICT if the head row is gone. */
static enum rc take_seq(struct db *db, int64_t *seq, char prev[CRYPTO_HASH_HEX_LEN + 1])
{
	struct db_stmt *q;
	enum rc rc;
	*seq = 0;
	if ((rc = db_prepare(
	         db, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash", &q)))
		return rc;
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		*seq = db_col_int64(q, 0);
		str_copy(prev, CRYPTO_HASH_HEX_LEN + 1, db_col_text(q, 1));
	}
	db_finalize(q);
	return s == DB_ROW ? RC_OK : s == DB_DONE ? RC_CONFLICT : db_step_rc(s);
}

enum rc audit_append(struct db *db, const struct actor *who, const char *action,
                     const char *object_type, int64_t object_id, const char *detail)
{
	struct db_stmt *q;
	const struct vault *v = db_vault(db);
	if (!v)
		return RC_DENIED;
	char prev[CRYPTO_HASH_HEX_LEN + 1], last[CRYPTO_HASH_HEX_LEN + 1];
	int64_t id = 0, last_id;
	enum rc rc = take_seq(db, &id, prev);
	if (rc)
		return rc;
	/* The head and the log agree, or entries were removed or added
	 * behind finsam's back: never extend such a chain. */
	if ((rc = read_head(db, &last_id, last, NULL)))
		return rc;
	if (last_id != id - 1 || strcmp(last, prev) != 0)
		return RC_CONFLICT;
	/* Never extend a chain whose anchor does not match its head: the new
	 * anchor would cover up entries removed before it. */
	enum audit_anchor_state st;
	rc = anchor_state(db, v, last_id, prev, &st);
	if (rc)
		return rc;
	if (st == AUDIT_ANCHOR_BROKEN)
		return RC_CONFLICT;

	char at[21], oid[24], hash[CRYPTO_HASH_HEX_LEN + 1];
	svtime_iso(actor_now(who), at);
	snprintf(oid, sizeof oid, "%" PRId64, object_id);
	const char *actor = who && who->name ? who->name : "system";
	const char *address = who && who->address ? who->address : "";
	if (!detail)
		detail = "";
	if (!entry_hash(prev, id, at, actor, action, object_type, oid, address, detail, hash))
		return RC_NOMEM;
	if ((rc = db_prepare(db,
	                     "INSERT INTO audit_log (id, at, actor, action, object_type, object_id,"
	                     " address, detail, prev_hash, hash)"
	                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, at);
	db_bind_text(q, 3, actor);
	db_bind_text(q, 4, action);
	db_bind_text(q, 5, object_type);
	db_bind_text(q, 6, oid);
	db_bind_text(q, 7, address);
	db_bind_text(q, 8, detail);
	db_bind_text(q, 9, prev);
	db_bind_text(q, 10, hash);
	if ((rc = db_run(q)))
		return rc;
	if ((rc = db_prepare(db, "UPDATE audit_head SET hash = $1 WHERE id = 1", &q)))
		return rc;
	db_bind_text(q, 1, hash);
	if ((rc = db_run(q)))
		return rc;
	return write_anchor(db, v, id, hash);
}

enum rc audit_anchor_empty(struct db *db)
{
	const struct vault *v = db_vault(db);
	if (!v)
		return RC_DENIED;
	char hash[CRYPTO_HASH_HEX_LEN + 1];
	int64_t id;
	enum rc rc = read_head(db, &id, hash, NULL);
	if (rc)
		return rc;
	return id ? RC_CONFLICT : write_anchor(db, v, 0, AUDIT_GENESIS);
}

enum rc audit_anchor_check(struct db *db, enum audit_anchor_state *state)
{
	*state = AUDIT_ANCHOR_BROKEN;
	const struct vault *v = db_vault(db);
	if (!v)
		return RC_DENIED;
	char hash[CRYPTO_HASH_HEX_LEN + 1];
	int64_t id;
	enum rc rc = read_head(db, &id, hash, NULL);
	return rc ? rc : anchor_state(db, v, id, hash, state);
}

enum rc audit_head(struct db *db, struct audit_head *out)
{
	memset(out, 0, sizeof *out);
	enum rc rc = read_head(db, &out->id, out->hash, out->at);
	if (rc)
		return rc;
	return out->id ? RC_OK : RC_NOT_FOUND;
}

enum rc audit_find(struct db *db, int64_t id, const char *hash)
{
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT hash FROM audit_log WHERE id = $1", &q)))
		return rc;
	db_bind_int64(q, 1, id);
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		const char *h = db_col_text(q, 0);
		rc = h && strcmp(h, hash) == 0 ? RC_OK : RC_CONFLICT;
	} else {
		rc = s == DB_DONE ? RC_NOT_FOUND : db_step_rc(s);
	}
	db_finalize(q);
	return rc;
}

static void read_entry(struct db_stmt *q, struct arena *a, void *elem)
{
	struct audit_entry *e = elem;
	e->id = db_col_int64(q, 0);
	e->at = db_col_dup(q, 1, a);
	e->actor = db_col_dup(q, 2, a);
	e->action = db_col_dup(q, 3, a);
	e->object_type = db_col_dup(q, 4, a);
	e->object_id = db_col_dup(q, 5, a);
	e->address = db_col_dup(q, 6, a);
	e->detail = db_col_dup(q, 7, a);
}

enum rc audit_list(struct db *db, struct arena *a, int64_t before, size_t limit,
                   struct audit_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	enum rc rc;
	/* The page is limit entries by design (the caller pages on with
	 * `before`), so LIMIT in the statement is no truncation. */
	if ((rc = db_prepare(db,
	                     "SELECT id, at, actor, action, object_type, object_id, address, detail"
	                     " FROM audit_log WHERE ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2",
	                     &q)))
		return rc;
	db_bind_int64(q, 1, before);
	db_bind_int64(q, 2, (int64_t)limit);
	return db_fetch_all(q, a, read_entry, sizeof **out, 0, (void **)out, n, NULL);
}

enum rc audit_verify(struct db *db, int64_t *count, int64_t *first_bad)
{
	*count = 0;
	*first_bad = 0;
	struct db_stmt *q;
	enum rc rc;
	if ((rc =
	         db_prepare(db,
	                    "SELECT id, at, actor, action, object_type, object_id, address, detail,"
	                    " prev_hash, hash FROM audit_log ORDER BY id",
	                    &q)))
		return rc;
	char prev[CRYPTO_HASH_HEX_LEN + 1] = AUDIT_GENESIS;
	int64_t expect_id = 0;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		int64_t id = db_col_int64(q, 0);
		char h[CRYPTO_HASH_HEX_LEN + 1];
		const char *stored_prev = db_col_text(q, 8);
		const char *stored = db_col_text(q, 9);
		int ok = entry_hash(prev, id, db_col_text(q, 1), db_col_text(q, 2),
		                    db_col_text(q, 3), db_col_text(q, 4), db_col_text(q, 5),
		                    db_col_text(q, 6), db_col_text(q, 7), h);
		/* Ids must run on without a gap: a removed entry shows. */
		if (!ok || (expect_id && id != expect_id + 1) || !stored_prev || !stored ||
		    strcmp(stored_prev, prev) != 0 || strcmp(stored, h) != 0) {
			if (!*first_bad)
				*first_bad = id;
		}
		str_copy(prev, sizeof prev, stored ? stored : "");
		expect_id = id;
		(*count)++;
	}
	db_finalize(q);
	if (s != DB_DONE)
		return db_step_rc(s);
	/* The head row must name the last entry: a head further on means
	 * entries were removed from the end, one behind means entries were
	 * added without it.  A database older than the head (opened as it
	 * is, for verifying) has none to compare. */
	if (db_schema_version(db) >= AUDIT_HEAD_SCHEMA) {
		if ((rc = db_prepare(db, "SELECT seq, hash FROM audit_head WHERE id = 1", &q)))
			return rc;
		s = db_step(q);
		int64_t seq = s == DB_ROW ? db_col_int64(q, 0) : -1;
		const char *hh = s == DB_ROW ? db_col_text(q, 1) : NULL;
		int agrees = seq == expect_id && hh && strcmp(hh, prev) == 0;
		db_finalize(q);
		if (s != DB_ROW && s != DB_DONE)
			return db_step_rc(s);
		if (!agrees && !*first_bad)
			*first_bad = seq > expect_id ? expect_id + 1 : seq >= 0 ? seq + 1 : 1;
	}
	return *first_bad ? RC_CONFLICT : RC_OK;
}

enum rc audit_total(struct db *db, int64_t *total)
{
	*total = 0;
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT coalesce(max(id), 0) FROM audit_log", &q)))
		return rc;
	return db_one_int64(q, total);
}
