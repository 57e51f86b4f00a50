/*
 * import.c — participations from CSV; see import.h.
 */
#include "import.h"

#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/csv.h"
#include "../util/str.h"
#include "codes.h"
#include "deltagare.h"

enum col {
	C_INSATS,
	C_REFERRED,
	C_SOURCE,
	C_UNIT,
	C_SEX,
	C_PNR,
	C_NAME,
	C_CONSENT,
	C_FORM,
	C_HOME,
	C_DISTRICT,
	C_START,
	C_END,
	C_REASON,
	C_SUPPORT_BEFORE,
	C_EMPLOYMENT_BEFORE,
	C_EDUCATION,
	C_SUPPORT_TIME,
	C_SUPPORT_AFTER,
	C_EMPLOYMENT_AFTER,
	C_COUNT
};

const struct import_column import_columns[] = {
    [C_INSATS] = {"insats", "insats", "insatsens namn (måste finnas)"},
    [C_REFERRED] = {"referred_on", "anmäld|anmälningsdatum|anmält|datum för anmälan", "ÅÅÅÅ-MM-DD"},
    [C_SOURCE] = {"source", "anmäld av|källa|remittent|anmälare",
                  "FK, AF, region, kommun eller egen"},
    [C_UNIT] = {"source_unit", "anmälande enhet|enhet", "till exempel Socialtjänsten"},
    [C_SEX] = {"sex", "kön", "K eller M (kvinna, man); behövs utan personnummer"},
    [C_PNR] = {"pnr", "personnummer|personnr|samordningsnummer", "bara med samtycke"},
    [C_NAME] = {"name", "namn", "bara med samtycke"},
    [C_CONSENT] = {"consent_on", "samtycke|samtycke lämnat|samtyckesdatum", "ÅÅÅÅ-MM-DD"},
    [C_FORM] = {"consent_form", "blankett|samtyckesblankett|blankettversion",
                "version av blanketten"},
    [C_HOME] = {"home_area_id", "hemkommun|kommun", "en kommun i förbundets område"},
    [C_DISTRICT] = {"home_district_id", "stadsdel", "stadsdel i hemkommunen"},
    [C_START] = {"start_on", "startdatum|start|inskriven", "ÅÅÅÅ-MM-DD"},
    [C_END] = {"end_on", "slutdatum|slut|utskriven|avslutad", "ÅÅÅÅ-MM-DD"},
    [C_REASON] = {"end_reason", "avslutsorsak|orsak", "till exempel arbete, studier"},
    [C_SUPPORT_BEFORE] = {"support_before", "försörjning före|försörjning vid start",
                          "försörjningskälla"},
    [C_EMPLOYMENT_BEFORE] = {"employment_before", "sysselsättning före|sysselsättning vid start",
                             "sysselsättning"},
    [C_EDUCATION] = {"education", "utbildning|utbildningsnivå", "högsta avslutade utbildning"},
    [C_SUPPORT_TIME] = {"support_time", "tid i försörjning|tid i offentlig försörjning",
                        "tidsintervall"},
    [C_SUPPORT_AFTER] = {"support_after", "försörjning efter|försörjning vid avslut",
                         "försörjningskälla"},
    [C_EMPLOYMENT_AFTER] = {"employment_after", "sysselsättning efter|sysselsättning vid avslut",
                            "sysselsättning"},
    {NULL, NULL, NULL},
};

/* Lower-cases ASCII and folds å ä ö é (either case) to a a o e, and drops
 * spaces at the ends, into out.  "Övrigt " → "ovrigt". */
static void fold(const char *in, char *out, size_t size)
{
	size_t j = 0;
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	while (*p == ' ')
		p++;
	while (*p && j + 1 < size) {
		unsigned char c = *p;
		if (c == 0xC3 && p[1]) {
			unsigned char d = p[1];
			char f = 0;
			if (d == 0xA5 || d == 0xA4 || d == 0x85 || d == 0x84)
				f = 'a';
			else if (d == 0xB6 || d == 0x96)
				f = 'o';
			else if (d == 0xA9 || d == 0x89)
				f = 'e';
			if (f) {
				out[j++] = f;
				p += 2;
				continue;
			}
		}
		out[j++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		p++;
	}
	while (j && out[j - 1] == ' ')
		j--;
	out[j] = '\0';
}

/* The code of list whose code or label matches text, or NULL. */
static const char *lookup_code(struct db *db, struct arena *a, const char *list, const char *text)
{
	struct code_item *c;
	size_t n;
	char want[200], have[200];
	fold(text, want, sizeof want);
	if (!want[0] || codes_list(db, a, list, 0, &c, &n))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		fold(c[i].code, have, sizeof have);
		if (strcmp(have, want) == 0)
			return c[i].code;
		fold(c[i].label, have, sizeof have);
		if (strcmp(have, want) == 0)
			return c[i].code;
	}
	/* Common short forms of referral sources. */
	if (strcmp(list, "referral_source") == 0) {
		if (strcmp(want, "region") == 0)
			return "region";
		if (strcmp(want, "egen") == 0 || strcmp(want, "egenanmalan") == 0)
			return "egen";
		if (strcmp(want, "forsakringskassan") == 0)
			return "fk";
		if (strcmp(want, "arbetsformedlingen") == 0)
			return "af";
	}
	return NULL;
}

/* Id of the row named text in a two-column (id, name) result, or 0. */
static int64_t lookup_name(struct db *db, int which, int64_t scope, const char *text)
{
	static const char *const sql[] = {
	    "SELECT id, name FROM intervention WHERE association_id = $1",
	    "SELECT id, name FROM area WHERE association_id = $1 AND kind = 'kommun'",
	    "SELECT id, name FROM area WHERE parent_id = $1 AND kind = 'stadsdel'",
	};
	char want[200], have[200];
	fold(text, want, sizeof want);
	struct db_stmt *q;
	int64_t id = 0;
	if (!want[0] || db_prepare(db, sql[which], &q))
		return 0;
	db_bind_int64(q, 1, scope);
	while (!id && db_step(q) == DB_ROW) {
		fold(db_col_text(q, 1), have, sizeof have);
		if (strcmp(have, want) == 0)
			id = db_col_int64(q, 0);
	}
	db_finalize(q);
	return id;
}

struct import_ctx {
	const struct vault *v;
	const struct actor *who;
	int64_t assoc;
	struct csv *csv;
	int colidx[C_COUNT]; /* column index in the file, or -1 */
	struct arena *a;
	struct import_result *out;
};

static void add_error(struct import_ctx *c, size_t line, int col, const char *message)
{
	struct import_result *o = c->out;
	if (o->nerrors >= IMPORT_MAX_ERRORS)
		return;
	struct import_error *e = &o->errors[o->nerrors++];
	e->line = line;
	e->column = col >= 0 && c->colidx[col] >= 0 ? c->csv->rows[0].fields[c->colidx[col]] : NULL;
	e->message = arena_strdup(c->a, message);
}

static int column_for(const char *field, int step);

/* Every field error of a core call on one line, each in its column (step:
 * 0 referral, 1 start, 2 end). */
static void add_field_errors(struct import_ctx *c, size_t line, int step,
                             const struct field_error *e)
{
	int n = field_error_count(e);
	for (int i = 0; i < n; i++) {
		const char *field, *message;
		field_error_get(e, i, &field, &message);
		add_error(c, line, column_for(field, step), message);
	}
}

static const char *cell(struct import_ctx *c, const struct csv_row *row, int col)
{
	int i = c->colidx[col];
	if (i < 0 || (size_t)i >= row->n || str_blank(row->fields[i]))
		return NULL;
	return row->fields[i];
}

/* Maps a core field name to the column it came from in this step. */
static int column_for(const char *field, int step)
{
	static const struct {
		const char *field;
		int col[3]; /* referral, start, end */
	} map[] = {
	    {"intervention_id", {C_INSATS, C_INSATS, C_INSATS}},
	    {"referred_on", {C_REFERRED, C_REFERRED, C_REFERRED}},
	    {"source", {C_SOURCE, -1, -1}},
	    {"source_member_id", {C_SOURCE, -1, -1}},
	    {"source_unit", {C_UNIT, -1, -1}},
	    {"sex", {C_SEX, -1, -1}},
	    {"pnr", {C_PNR, -1, -1}},
	    {"name", {C_NAME, -1, -1}},
	    {"consent_on", {C_CONSENT, -1, -1}},
	    {"consent_form", {C_FORM, -1, -1}},
	    {"home_area_id", {C_HOME, -1, -1}},
	    {"home_district_id", {C_DISTRICT, -1, -1}},
	    {"date", {-1, C_START, C_END}},
	    {"end_reason", {-1, -1, C_REASON}},
	    {"support", {-1, C_SUPPORT_BEFORE, C_SUPPORT_AFTER}},
	    {"employment", {-1, C_EMPLOYMENT_BEFORE, C_EMPLOYMENT_AFTER}},
	    {"education", {-1, C_EDUCATION, -1}},
	    {"support_time", {-1, C_SUPPORT_TIME, -1}},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].field, field) == 0)
			return map[i].col[step];
	return -1;
}

/* Looks up a code list value; records an error and returns NULL if the
 * cell is filled but matches nothing. */
static const char *code_cell(struct import_ctx *c, struct db *db, const struct csv_row *row,
                             int col, const char *list, int *bad)
{
	const char *t = cell(c, row, col);
	if (!t)
		return NULL;
	const char *code = lookup_code(db, c->a, list, t);
	if (!code) {
		char msg[300];
		snprintf(msg, sizeof msg, "Värdet \"%.80s\" finns inte i listan.", t);
		add_error(c, row->line, col, msg);
		*bad = 1;
	}
	return code;
}

static void import_row(struct import_ctx *c, struct db *db, const struct csv_row *row)
{
	int bad = 0;
	struct referral r = {0};
	const char *insats = cell(c, row, C_INSATS);
	r.intervention_id = insats ? lookup_name(db, 0, c->assoc, insats) : 0;
	if (!r.intervention_id) {
		add_error(c, row->line, C_INSATS,
		          insats ? "Det finns ingen insats med det namnet." : "Insatsen saknas.");
		bad = 1;
	}
	r.referred_on = cell(c, row, C_REFERRED);
	if (!r.referred_on) {
		add_error(c, row->line, C_REFERRED, "Anmälningsdatum saknas.");
		bad = 1;
	}
	r.source = code_cell(c, db, row, C_SOURCE, "referral_source", &bad);
	if (!cell(c, row, C_SOURCE)) {
		add_error(c, row->line, C_SOURCE, "Uppgift om vem som anmälde saknas.");
		bad = 1;
	}
	const char *sex = cell(c, row, C_SEX);
	if (sex) {
		char f[16];
		fold(sex, f, sizeof f);
		r.sex = strcmp(f, "k") == 0 || strcmp(f, "kvinna") == 0 ? "K"
		        : strcmp(f, "m") == 0 || strcmp(f, "man") == 0  ? "M"
		                                                        : "?";
	}
	r.source_unit = cell(c, row, C_UNIT);
	r.pnr = cell(c, row, C_PNR);
	r.name = cell(c, row, C_NAME);
	r.consent_on = cell(c, row, C_CONSENT);
	r.consent_form = cell(c, row, C_FORM);
	if (r.consent_on && !r.consent_form)
		r.consent_form = "okänd version (import)";
	const char *home = cell(c, row, C_HOME);
	if (home && !(r.home_area_id = lookup_name(db, 1, c->assoc, home))) {
		add_error(c, row->line, C_HOME, "Kommunen finns inte i förbundets område.");
		bad = 1;
	}
	const char *district = cell(c, row, C_DISTRICT);
	if (district && !(r.home_district_id = lookup_name(db, 2, r.home_area_id, district))) {
		add_error(c, row->line, C_DISTRICT, "Stadsdelen finns inte i hemkommunen.");
		bad = 1;
	}
	struct answer start_ans[4], end_ans[2];
	size_t nstart = 0, nend = 0;
	const char *codes[4] = {
	    code_cell(c, db, row, C_SUPPORT_BEFORE, "support", &bad),
	    code_cell(c, db, row, C_EMPLOYMENT_BEFORE, "employment", &bad),
	    code_cell(c, db, row, C_EDUCATION, "education", &bad),
	    code_cell(c, db, row, C_SUPPORT_TIME, "support_time", &bad),
	};
	static const char *const lists[4] = {"support", "employment", "education", "support_time"};
	for (int i = 0; i < 4; i++)
		if (codes[i])
			start_ans[nstart++] = (struct answer){lists[i], codes[i], -1};
	const char *after[2] = {code_cell(c, db, row, C_SUPPORT_AFTER, "support", &bad),
	                        code_cell(c, db, row, C_EMPLOYMENT_AFTER, "employment", &bad)};
	for (int i = 0; i < 2; i++)
		if (after[i])
			end_ans[nend++] = (struct answer){lists[i], after[i], -1};
	const char *reason = code_cell(c, db, row, C_REASON, "end_reason", &bad);
	if (bad)
		return;

	struct field_error e = {0};
	int64_t id = 0;
	enum rc rc = deltagare_refer(db, c->v, c->who, &r, &id, &e);
	if (rc == RC_INVALID) {
		add_field_errors(c, row->line, 0, &e);
		return;
	}
	if (rc) {
		add_error(c, row->line, -1,
		          rc == RC_DENIED ? "Du får inte registrera deltagare i den insatsen."
		                          : "Raden kunde inte sparas.");
		return;
	}
	c->out->rows++;
	const char *start = cell(c, row, C_START), *end = cell(c, row, C_END);
	if (end && !start) {
		add_error(c, row->line, C_START, "Ett avslutat deltagande behöver ett startdatum.");
		return;
	}
	if (start) {
		struct registration reg = {start, NULL, start_ans, nstart};
		if ((rc = deltagare_start(db, c->who, id, &reg, &e))) {
			add_field_errors(c, row->line, 1, &e);
			return;
		}
		c->out->starts++;
	}
	if (end) {
		if (!reason) {
			add_error(c, row->line, C_REASON, "Avslutsorsak saknas.");
			return;
		}
		struct registration reg = {end, reason, end_ans, nend};
		if ((rc = deltagare_end(db, c->who, id, &reg, &e))) {
			add_field_errors(c, row->line, 2, &e);
			return;
		}
		c->out->ends++;
	}
}

static enum rc import_tx(struct db *db, void *v)
{
	struct import_ctx *c = v;
	c->out->rows = c->out->starts = c->out->ends = 0;
	for (size_t i = 1; i < c->csv->nrows && c->out->nerrors < IMPORT_MAX_ERRORS; i++)
		import_row(c, db, &c->csv->rows[i]);
	/* Any error: nothing is written. */
	return c->out->nerrors ? RC_INVALID : RC_OK;
}

enum rc import_participations(struct db *db, const struct vault *v, const struct actor *who,
                              int64_t assoc, const char *data, size_t len, struct arena *a,
                              struct import_result *out)
{
	memset(out, 0, sizeof *out);
	out->errors = arena_alloc(a, IMPORT_MAX_ERRORS * sizeof *out->errors);
	if (!out->errors)
		return RC_NOMEM;
	struct csv csv;
	char err[200] = "";
	struct import_ctx c = {v, who, assoc, &csv, {0}, a, out};
	enum rc rc = csv_parse(a, data, len, &csv, err, sizeof err);
	if (rc) {
		out->errors[0] = (struct import_error){0, NULL, arena_strdup(a, err)};
		out->nerrors = 1;
		return RC_INVALID;
	}
	out->from_cp1252 = (char)csv.from_cp1252;
	out->delimiter = csv.delimiter;
	for (int k = 0; k < C_COUNT; k++)
		c.colidx[k] = -1;
	const struct csv_row *h = &csv.rows[0];
	for (size_t i = 0; i < h->n; i++) {
		char have[200];
		fold(h->fields[i], have, sizeof have);
		int found = -1;
		for (int k = 0; k < C_COUNT && found < 0; k++) {
			char names[200];
			str_copy(names, sizeof names, import_columns[k].names);
			char *save = names;
			for (char *tok = names; tok; tok = save) {
				save = strchr(tok, '|');
				if (save)
					*save++ = '\0';
				char want[200];
				fold(tok, want, sizeof want);
				if (strcmp(have, want) == 0) {
					found = k;
					break;
				}
			}
		}
		char msg[300];
		if (found < 0) {
			snprintf(msg, sizeof msg,
			         "Kolumnen \"%.80s\" känns inte igen. Byt namn på den eller ta "
			         "bort den; "
			         "se listan över kolumner.",
			         h->fields[i]);
			out->errors[out->nerrors++] =
			    (struct import_error){h->line, h->fields[i], arena_strdup(a, msg)};
		} else if (c.colidx[found] >= 0) {
			snprintf(msg, sizeof msg, "Kolumnen \"%.80s\" finns två gånger.",
			         h->fields[i]);
			out->errors[out->nerrors++] =
			    (struct import_error){h->line, h->fields[i], arena_strdup(a, msg)};
		} else {
			c.colidx[found] = (int)i;
		}
		if (out->nerrors >= IMPORT_MAX_ERRORS)
			break;
	}
	static const int required[] = {C_INSATS, C_REFERRED, C_SOURCE};
	for (size_t k = 0; k < 3 && out->nerrors < IMPORT_MAX_ERRORS; k++)
		if (c.colidx[required[k]] < 0) {
			char msg[200];
			snprintf(msg, sizeof msg, "Kolumnen för %s saknas (till exempel \"%s\").",
			         import_columns[required[k]].description,
			         required[k] == C_INSATS     ? "Insats"
			         : required[k] == C_REFERRED ? "Anmäld"
			                                     : "Anmäld av");
			out->errors[out->nerrors++] =
			    (struct import_error){1, NULL, arena_strdup(a, msg)};
		}
	if (out->nerrors)
		return RC_INVALID;
	if (csv.nrows < 2) {
		out->errors[out->nerrors++] =
		    (struct import_error){1, NULL, "Filen har inga rader under rubrikraden."};
		return RC_INVALID;
	}
	rc = db_tx(db, import_tx, &c);
	if (rc == RC_INVALID && out->nerrors == 0)
		out->errors[out->nerrors++] = (struct import_error){0, NULL, "Importen avbröts."};
	return rc;
}
