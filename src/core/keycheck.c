/*
 * keycheck.c — the key check; see keycheck.h.
 */
#include "keycheck.h"

#include <inttypes.h>
#include <stdio.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/plural.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "../util/vault.h"
#include "audit.h"
#include "personal_data.h"

static const struct actor system_actor = {0, "system", "", ROLE_ADMIN, 0};

struct run_ctx {
	const struct vault *v;
	enum keycheck_mode mode;
	struct keycheck_result r;
};

/* Tries to open every stored identity; counts into r (personal_data.c
 * does the opening: no other file reads sealed identities). */
static enum rc try_identities(struct db *db, const struct vault *v, struct keycheck_result *r)
{
	return personal_identities_open(db, v, &r->identities, &r->unopened);
}

static enum rc run_tx(struct db *db, void *ctx)
{
	struct run_ctx *c = ctx;
	struct keycheck_result *r = &c->r;
	*r = (struct keycheck_result){0};
	char want[VAULT_HASH_HEX_LEN + 1];
	vault_key_id(c->v, want);
	struct db_stmt *q;
	enum rc rc;
	if ((rc = db_prepare(db, "SELECT key_id FROM key_check WHERE id = 1", &q)))
		return rc;
	enum db_step s = db_step(q);
	if (s == DB_ROW) {
		const char *have = db_col_text(q, 0);
		r->outcome = have && str_ct_equal(have, want) ? KEYCHECK_MATCH : KEYCHECK_WRONG;
	}
	db_finalize(q);
	if (s == DB_ROW)
		return RC_OK;
	if (s != DB_DONE)
		return db_refine(db, db_step_rc(s));
	/* The table was there before this open: the row was removed. */
	if (db_opened_version(db) >= KEYCHECK_SCHEMA) {
		r->outcome = KEYCHECK_MISSING;
		return RC_OK; /* nothing written; the caller refuses */
	}
	if (c->mode == KEYCHECK_READ_ONLY) {
		r->outcome = KEYCHECK_UNCHECKED;
		return RC_OK;
	}

	if ((rc = try_identities(db, c->v, r)))
		return rc;
	if (r->unopened) {
		r->outcome = KEYCHECK_UNOPENED;
		return RC_OK; /* nothing written; the caller refuses */
	}
	r->outcome = r->identities ? KEYCHECK_ADOPTED : KEYCHECK_STORED;
	/* The log is anchored in this transaction (audit.c accepts a missing
	 * anchor only while key_check is empty): a new database's empty log
	 * directly, an older database's through an entry that records the
	 * adoption. */
	struct audit_head h;
	rc = audit_head(db, &h);
	if (rc == RC_NOT_FOUND && !r->identities) {
		rc = audit_anchor_empty(db);
	} else if (rc == RC_OK || rc == RC_NOT_FOUND) {
		char detail[80];
		snprintf(detail, sizeof detail,
		         "nyckelkontroll sparad; identiteter som öppnades: %" PRId64,
		         r->identities);
		rc = audit_append(db, &system_actor, "key_check", "key_file", 1, detail);
	}
	if (rc)
		return rc;
	if ((rc = db_prepare(db, "INSERT INTO key_check (id, key_id, stored_at) VALUES (1, $1, $2)",
	                     &q)))
		return rc;
	/* The check runs as the program starts, before any request: the
	 * system actor's clock is the wall clock (actor_now). */
	char now[21];
	svtime_iso(actor_now(&system_actor), now);
	db_bind_text(q, 1, want);
	db_bind_text(q, 2, now);
	return db_run(q);
}

enum rc keycheck_check(struct db *db, const struct vault *v, enum keycheck_mode mode,
                       struct keycheck_result *r)
{
	struct run_ctx c = {.v = v, .mode = mode};
	enum rc rc = db_tx(db, run_tx, &c);
	/* The outcome only of a run that committed. */
	*r = rc ? (struct keycheck_result){0} : c.r;
	if (rc)
		return rc;
	return r->outcome == KEYCHECK_WRONG || r->outcome == KEYCHECK_UNOPENED ||
	               r->outcome == KEYCHECK_MISSING
	           ? RC_DENIED
	           : RC_OK;
}

enum rc keycheck_run(struct db *db, const struct vault *v, struct keycheck_result *r)
{
	return keycheck_check(db, v, KEYCHECK_MAY_ADOPT, r);
}

static void unopened_msg(char *msg, size_t msglen, const char *keyfile,
                         const struct keycheck_result *r)
{
	char n[PLURAL_MAX];
	snprintf(msg, msglen,
	         "nyckelfilen %s öppnar inte %" PRId64 " av %s. Databasen saknar "
	         "nyckelkontroll (den skapades av en äldre version), så nyckeln godtas bara "
	         "om den öppnar alla. Lägg tillbaka rätt nyckelfil.",
	         keyfile, r->unopened,
	         sv_count(n, sizeof n, r->identities, "sparad identitet", "sparade identiteter"));
}

enum rc keycheck_before_upgrade(const char *db_path, char *msg, size_t msglen)
{
	msg[0] = '\0';
	struct db *db;
	char err[300];
	if (db_open(db_path, DB_OPEN_AS_IS, &db, err, sizeof err) != RC_OK)
		return RC_OK; /* db_open says why */
	if (db_opened_version(db) >= KEYCHECK_SCHEMA) {
		db_close(db);
		return RC_OK;
	}
	char keyfile[4096];
	struct vault *v;
	enum crypto_key_problem why;
	if (vault_keyfile_for(db_path, keyfile, sizeof keyfile) ||
	    vault_open_why(keyfile, &v, &why)) {
		db_close(db);
		return RC_OK; /* keycheck_attach says why */
	}
	struct keycheck_result r = {0};
	enum rc rc = try_identities(db, v, &r);
	db_close(db);
	vault_close(v);
	if (rc) {
		snprintf(msg, msglen, "nyckelkontrollen kunde inte läsas eller sparas.");
		return rc;
	}
	if (r.unopened) {
		unopened_msg(msg, msglen, keyfile, &r);
		return RC_DENIED;
	}
	return RC_OK;
}

enum rc keycheck_attach(struct db *db, const char *db_path, enum keycheck_mode mode,
                        struct vault **out, char *msg, size_t msglen, char *note, size_t notelen)
{
	*out = NULL;
	msg[0] = '\0';
	note[0] = '\0';
	char keyfile[4096];
	if (vault_keyfile_for(db_path, keyfile, sizeof keyfile)) {
		snprintf(msg, msglen, "sökvägen till databasen är för lång.");
		return RC_IO;
	}
	struct vault *v;
	enum crypto_key_problem why;
	enum rc rc = vault_open_why(keyfile, &v, &why);
	if (rc) {
		if (rc == RC_NOMEM)
			snprintf(msg, msglen, "minnet räckte inte för nyckeln.");
		else
			snprintf(msg, msglen, "nyckelfilen %s %s.", keyfile,
			         crypto_key_problem_text(why));
		return rc;
	}
	db_set_vault(db, v, 0);
	struct keycheck_result r;
	rc = keycheck_check(db, v, mode, &r);
	if (rc == RC_OK) {
		if (r.outcome == KEYCHECK_ADOPTED) {
			char n[PLURAL_MAX];
			snprintf(
			    note, notelen,
			    "Databasen saknade nyckelkontroll (den skapades av en äldre version). "
			    "Nyckelfilen %s öppnade %s%s och är nu sparad som databasens nyckel.",
			    keyfile, r.identities == 1 ? "den enda sparade identiteten" : "alla ",
			    r.identities == 1
			        ? ""
			        : sv_count(n, sizeof n, r.identities, "sparad identitet",
			                   "sparade identiteter"));
		}
		*out = v;
		return RC_OK;
	}
	db_set_vault(db, NULL, 0);
	vault_close(v);
	if (r.outcome == KEYCHECK_WRONG)
		snprintf(msg, msglen,
		         "nyckelfilen %s hör inte till den här databasen: den är inte nyckeln som "
		         "databasen skapades med. Lägg tillbaka rätt nyckelfil (från "
		         "säkerhetskopian); med fel nyckel går personuppgifterna inte att läsa och "
		         "nya skulle gå förlorade.",
		         keyfile);
	else if (r.outcome == KEYCHECK_UNOPENED)
		unopened_msg(msg, msglen, keyfile, &r);
	else if (r.outcome == KEYCHECK_MISSING)
		snprintf(msg, msglen,
		         "databasens nyckelkontroll saknas, fast databasen redan hade den när den "
		         "öppnades: den har tagits bort utanför programmet, kanske för att dölja "
		         "poster som tagits bort ur granskningsloggen. Databasen används inte. "
		         "Återställ den från en säkerhetskopia.");
	else
		snprintf(msg, msglen, "nyckelkontrollen kunde inte läsas eller sparas.");
	return rc;
}
