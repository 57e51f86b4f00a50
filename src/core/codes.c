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

int codes_valid(struct db *db, const char *list, const char *code)
{
	if (!list || !code)
		return 0;
	struct db_stmt *q;
	if (db_prepare(db, "SELECT 1 FROM code_item WHERE list = $1 AND code = $2 AND active = 1",
	               &q))
		return 0;
	db_bind_text(q, 1, list);
	db_bind_text(q, 2, code);
	int ok = db_step(q) == DB_ROW;
	db_finalize(q);
	return ok;
}

enum rc codes_list(struct db *db, struct arena *a, const char *list, int all,
                   struct code_item **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *q;
	if (db_prepare(db,
	               "SELECT list, code, label, grp, active FROM code_item"
	               " WHERE list = $1 AND (active = 1 OR $2 = 1) ORDER BY sort, label",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, list);
	db_bind_int64(q, 2, all ? 1 : 0);
	size_t cap = 0;
	struct code_item *arr = NULL;
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		if (!(arr = arena_grow(a, arr, &cap, *n, sizeof *arr))) {
			db_finalize(q);
			return RC_NOMEM;
		}
		struct code_item *c = &arr[(*n)++];
		c->list = arena_strdup(a, db_col_text(q, 0));
		c->code = arena_strdup(a, db_col_text(q, 1));
		c->label = arena_strdup(a, db_col_text(q, 2));
		c->grp = arena_strdup(a, db_col_text(q, 3));
		c->active = (int)db_col_int64(q, 4);
	}
	db_finalize(q);
	*out = arr;
	return s == DB_DONE ? RC_OK : RC_DB;
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
	if (db_prepare(db,
	               "UPDATE code_item SET label = $3, active = $4 WHERE list = $1 AND code = $2"
	               " RETURNING sort",
	               &q))
		return RC_DB;
	db_bind_text(q, 1, c->list);
	db_bind_text(q, 2, c->code);
	db_bind_text(q, 3, c->label);
	db_bind_int64(q, 4, c->active ? 1 : 0);
	enum db_step s = db_step(q);
	db_finalize(q);
	if (s == DB_DONE)
		return RC_NOT_FOUND;
	if (s != DB_ROW)
		return RC_DB;
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
