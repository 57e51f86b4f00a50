/*
 * codes.c — code lists as data; see codes.h.
 */
#include "codes.h"

#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "audit.h"
#include "auth.h"

enum rc codes_check(struct db *db, const char *list, const char *code, int *valid)
{
	*valid = 0;
	if (!list || !code)
		return RC_OK;
	struct db_stmt *q;
	enum rc rc = db_prepare(
	    db, "SELECT 1 FROM code_item WHERE list = $1 AND code = $2 AND active = $3", &q);
	if (rc)
		return rc;
	db_bind_text(q, 1, list);
	db_bind_text(q, 2, code);
	db_bind_bool(q, 3, 1);
	return db_exists(q, valid);
}

int codes_valid(struct db *db, const char *list, const char *code)
{
	int valid;
	return codes_check(db, list, code, &valid) == RC_OK && valid;
}

static void read_item(struct db_stmt *q, struct arena *a, void *elem)
{
	struct code_item *c = elem;
	c->list = db_col_dup(q, 0, a);
	c->code = db_col_dup(q, 1, a);
	c->label = db_col_dup(q, 2, a);
	c->grp = db_col_dup(q, 3, a);
	c->active = db_col_bool(q, 4);
}

enum rc codes_list(struct db *db, struct arena *a, const char *list, int all,
                   struct code_item **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	/* $2 is a boolean: every item, retired ones too. */
	enum rc rc = db_prepare(db,
	                        "SELECT list, code, label, grp, active FROM code_item"
	                        " WHERE list = $1 AND (active = $3 OR $2) ORDER BY sort, label",
	                        &q);
	if (rc)
		return rc;
	db_bind_text(q, 1, list);
	db_bind_bool(q, 2, all);
	db_bind_bool(q, 3, 1);
	return db_fetch_all(q, a, read_item, sizeof **out, 0, (void **)out, n, NULL);
}

struct upd_ctx {
	const struct actor *who;
	const char *list, *code, *label;
	int active;
};

static enum rc update_tx(struct db *db, void *v)
{
	struct upd_ctx *c = v;
	struct db_stmt *q;
	enum rc rc =
	    db_prepare(db,
	               "UPDATE code_item SET label = $3, active = $4 WHERE list = $1 AND code = $2"
	               " RETURNING sort",
	               &q);
	if (rc)
		return rc;
	db_bind_text(q, 1, c->list);
	db_bind_text(q, 2, c->code);
	db_bind_text(q, 3, c->label);
	db_bind_bool(q, 4, c->active);
	int64_t sort;
	if ((rc = db_one_int64(q, &sort)))
		return rc; /* RC_NOT_FOUND: no such item */
	char detail[160];
	str_copy(detail, sizeof detail, c->list);
	size_t n = strlen(detail);
	str_copy(detail + n, sizeof detail - n, ":");
	str_copy(detail + n + 1, sizeof detail - n - 1, c->code);
	return audit_append(db, c->who, c->active ? "update" : "retire", "code_item", 0, detail);
}

enum rc codes_update(struct db *db, const struct actor *who, const char *list, const char *code,
                     const char *label, int active, struct field_error *err)
{
	/* Checked here too, not only by the route table. */
	if (!who || !auth_allows(who->role, PERM_CODES_ADMIN))
		return RC_DENIED;
	const char *why = label ? str_line_problem(label) : NULL;
	if (why)
		return field_error_set(err, "label", why);
	if (str_blank(label) || str_utf8_len(label) > 120)
		return field_error_set(err, "label", "Ange en benämning på högst 120 tecken.");
	if (active != 0 && active != 1)
		return field_error_set(err, "active", "Välj I bruk eller Ur bruk.");
	struct upd_ctx c = {who, list, code, label, active};
	return db_tx(db, update_tx, &c);
}
