/*
 * import.c — participations from CSV; see import.h.
 */
#include "import.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/csv.h"
#include "../util/plural.h"
#include "../util/str.h"
#include "audit.h"
#include "codes.h"
#include "participation.h"
#include "participation_internal.h"
#include "pnr.h"

enum col {
	C_INTERVENTION,
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
    [C_INTERVENTION] = {"insats", "insats", "insatsens namn (måste finnas)"},
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

/* ---- lookups, loaded once per import ---------------------------------------------------- */

/* The code lists a file's cells are looked up in. */
enum list { L_SOURCE, L_SUPPORT, L_EMPLOYMENT, L_EDUCATION, L_SUPPORT_TIME, L_REASON, L_COUNT };
static const char *const list_names[L_COUNT] = {"referral_source", "support",      "employment",
                                                "education",       "support_time", "end_reason"};

struct coded {
	const char *code;
	const char *fcode, *flabel; /* folded */
};

struct named {
	int64_t id, parent;
	const char *fname; /* folded */
};

/* What one run of the import looks cells up in: every code list,
 * intervention, kommun and stadsdel of the förbund, folded once.  Loaded from
 * the database inside the transaction, into the run's own arena. */
struct lookups {
	struct coded *codes[L_COUNT];
	size_t ncodes[L_COUNT];
	struct named *names[3]; /* insatser, kommuner, stadsdelar */
	size_t nnames[3];
};

static const char *fold_dup(struct arena *a, const char *s)
{
	char f[200];
	fold(s, f, sizeof f);
	return arena_strdup(a, f);
}

/* A row of id, parent and name, the name folded (a failed copy is seen by
 * db_fetch_all through the arena). */
static void read_named(struct db_stmt *q, struct arena *a, void *elem)
{
	struct named *x = elem;
	x->id = db_col_int64(q, 0);
	x->parent = db_col_int64(q, 1);
	x->fname = fold_dup(a, db_col_text(q, 2));
}

static enum rc load_lookups(struct db *db, struct arena *a, int64_t assoc, struct lookups *l)
{
	memset(l, 0, sizeof *l);
	for (int k = 0; k < L_COUNT; k++) {
		struct code_item *c;
		size_t n;
		enum rc rc = codes_list(db, a, list_names[k], 0, &c, &n);
		if (rc)
			return rc;
		l->codes[k] = arena_alloc(a, (n + 1) * sizeof *l->codes[k]);
		if (!l->codes[k])
			return RC_NOMEM;
		for (size_t i = 0; i < n; i++) {
			struct coded *x = &l->codes[k][i];
			x->code = c[i].code;
			x->fcode = fold_dup(a, c[i].code);
			x->flabel = fold_dup(a, c[i].label);
			if (!x->fcode || !x->flabel)
				return RC_NOMEM;
		}
		l->ncodes[k] = n;
	}
	static const char *const sql[3] = {
	    "SELECT id, 0, name FROM intervention WHERE association_id = $1",
	    "SELECT id, 0, name FROM area WHERE association_id = $1 AND kind = 'kommun'",
	    "SELECT id, parent_id, name FROM area WHERE association_id = $1 AND kind = 'stadsdel'",
	};
	for (int k = 0; k < 3; k++) {
		struct db_stmt *q;
		enum rc rc = db_prepare(db, sql[k], &q);
		if (rc)
			return rc;
		db_bind_int64(q, 1, assoc);
		/* Every one: a cell naming an insats or area left out would be
		 * refused as unknown. */
		if ((rc = db_fetch_all(q, a, read_named, sizeof *l->names[k], 0,
		                       (void **)&l->names[k], &l->nnames[k], NULL)))
			return rc;
	}
	return RC_OK;
}

/* The code of a list whose code or label matches text, or NULL. */
static const char *lookup_code(const struct lookups *l, enum list k, const char *text)
{
	char want[200];
	fold(text, want, sizeof want);
	if (!want[0])
		return NULL;
	for (size_t i = 0; i < l->ncodes[k]; i++) {
		const struct coded *c = &l->codes[k][i];
		if (strcmp(c->fcode, want) == 0 || strcmp(c->flabel, want) == 0)
			return c->code;
	}
	/* Common short forms of referral sources. */
	if (k == L_SOURCE) {
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

/* Whether code is an item of list in the lists loaded for the run (the
 * active items, as codes_list gives them): the check the participation
 * module's validating parts make, without asking the database per cell. */
static int loaded_code_valid(void *ctx, const char *list, const char *code)
{
	const struct lookups *l = ctx;
	if (!list || !code)
		return 0;
	for (int k = 0; k < L_COUNT; k++) {
		if (strcmp(list_names[k], list) != 0)
			continue;
		for (size_t i = 0; i < l->ncodes[k]; i++)
			if (strcmp(l->codes[k][i].code, code) == 0)
				return 1;
		return 0;
	}
	return 0;
}

/* Id of the intervention (which 0), kommun (1) or stadsdel of kommun parent (2)
 * named text, or 0. */
static int64_t lookup_name(const struct lookups *l, int which, int64_t parent, const char *text)
{
	char want[200];
	fold(text, want, sizeof want);
	if (!want[0])
		return 0;
	for (size_t i = 0; i < l->nnames[which]; i++) {
		const struct named *x = &l->names[which][i];
		if ((which != 2 || x->parent == parent) && strcmp(x->fname, want) == 0)
			return x->id;
	}
	return 0;
}

/* ---- rows ---------------------------------------------------------------------------------- */

struct import_ctx {
	const struct vault *v;
	const struct actor *who;
	int64_t assoc;
	const struct import_input *in;
	struct arena *a; /* the caller's: errors and column names */
	/* Bytes taken from the input so far, by any run: a run that finds
	 * them non-zero must rewind the input before it reads. */
	uint64_t consumed;
	/* The result, overwritten in full by every run (errors in an array
	 * allocated once, in a); handed to the caller after db_tx returned. */
	struct import_result res;
	struct import_result *out; /* = &res */
	/* Per run of the transaction: */
	int colidx[C_COUNT];              /* column index in the file, or -1 */
	const char *header[CSV_MAX_COLS]; /* the header's names, in a */
	size_t nheader;
	struct lookups l;
	struct code_lookup codes; /* over l */
	int64_t now;              /* the actor's clock, read once per file */
	/* Insatser found fit for a referral by this actor (the participation
	 * module's check, made once per insats touched), with their förbund,
	 * and the home kommun/stadsdel pairs found to belong to it. */
	struct checked_insats {
		int64_t id, assoc;
	} * insatser;
	size_t ninsatser;
	struct checked_home {
		int64_t area, district;
	} * homes;
	size_t nhomes, homes_cap;
	struct arena *run;        /* the run's memory */
	struct tally_batch tally; /* the run's changes of the tally */
	struct crypto_sha256 sum; /* of the bytes read in this run */
	int64_t first_id, last_id;
};

/* Counts an error, and keeps it when there is room: line (0 for the
 * whole file), the column of the file (col is a C_ index, or -1), and a
 * message (copied; never NULL, never empty). */
static void add_error_named(struct import_ctx *c, size_t line, const char *column,
                            const char *message)
{
	struct import_result *o = c->out;
	o->errors_total++;
	if (o->nerrors >= IMPORT_MAX_ERRORS)
		return;
	struct import_error *e = &o->errors[o->nerrors++];
	e->line = line;
	e->column = column;
	str_copy(e->message, sizeof e->message,
	         message && message[0] ? message : "Raden kunde inte sparas.");
}

static void add_error(struct import_ctx *c, size_t line, int col, const char *message)
{
	int i = col >= 0 ? c->colidx[col] : -1;
	add_error_named(c, line, i >= 0 ? c->header[i] : NULL, message);
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
	    {"intervention_id", {C_INTERVENTION, C_INTERVENTION, C_INTERVENTION}},
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
static const char *code_cell(struct import_ctx *c, const struct csv_row *row, int col,
                             enum list list, int *bad)
{
	const char *t = cell(c, row, col);
	if (!t)
		return NULL;
	const char *code = lookup_code(&c->l, list, t);
	if (!code) {
		char msg[300];
		snprintf(msg, sizeof msg, "Värdet \"%.80s\" finns inte i listan.", t);
		add_error(c, row->line, col, msg);
		*bad = 1;
	}
	return code;
}

/* Imports one row; errors are added to c->out.  Returns RC_OK, or the
 * store's failure (RC_DB, RC_NOMEM), which ends the import. */
/* The errors of a core call that refused a row in step (0 referral,
 * 1 start, 2 end), each in its column. */
static void row_errors(struct import_ctx *c, size_t line, enum rc rc, const struct field_error *e,
                       int step)
{
	if (rc != RC_INVALID) {
		/* Refused by the participant module's rule (who may register in
		 * which insats) or a missing insats: both about the insats. */
		add_error(c, line, rc == RC_DENIED || rc == RC_NOT_FOUND ? C_INTERVENTION : -1,
		          rc == RC_DENIED      ? "Du får inte registrera deltagare i den insatsen."
		          : rc == RC_NOT_FOUND ? "Insatsen finns inte."
		                               : "Raden kunde inte sparas.");
		return;
	}
	int n = field_error_count(e);
	for (int i = 0; i < n; i++) {
		const char *field, *message;
		field_error_get(e, i, &field, &message);
		add_error(c, line, column_for(field, step), message);
	}
	if (!n)
		add_error(c, line, -1, e->message);
}

/* The participation module's check of the insats a row names (it exists,
 * is followed per person, and the actor may register in it), made once
 * per insats the file touches: RC_OK with its förbund in *assoc, or what
 * the check said (an error in e).  A refused insats is checked again on
 * each row that names it, so each such row gets its error. */
static enum rc checked_insats(struct import_ctx *c, struct db *db, int64_t intervention,
                              int64_t *assoc, struct field_error *e)
{
	for (size_t i = 0; i < c->ninsatser; i++)
		if (c->insatser[i].id == intervention) {
			*assoc = c->insatser[i].assoc;
			return RC_OK;
		}
	enum rc rc = participation_refer_insats(db, c->who, intervention, assoc, e);
	/* Every insats of the förbund fits in the list (load_lookups). */
	if (rc == RC_OK && c->ninsatser < c->l.nnames[0])
		c->insatser[c->ninsatser++] = (struct checked_insats){intervention, *assoc};
	return rc;
}

/* The participation module's check that a row's home kommun and stadsdel
 * belong to the förbund (and to each other), made once per pair the file
 * names. */
static enum rc checked_home(struct import_ctx *c, struct db *db, int64_t assoc,
                            const struct referral *r, struct field_error *e)
{
	if (r->home_area_id <= 0 && r->home_district_id <= 0)
		return participation_refer_refs(db, assoc, r, e);
	for (size_t i = 0; i < c->nhomes; i++)
		if (c->homes[i].area == r->home_area_id &&
		    c->homes[i].district == r->home_district_id)
			return RC_OK;
	enum rc rc = participation_refer_refs(db, assoc, r, e);
	if (rc)
		return rc;
	if (c->nhomes == c->homes_cap) {
		size_t cap = c->homes_cap ? 2 * c->homes_cap : 32;
		struct checked_home *h = arena_alloc(c->run, cap * sizeof *h);
		if (!h)
			return RC_NOMEM;
		if (c->nhomes)
			memcpy(h, c->homes, c->nhomes * sizeof *h);
		c->homes = h;
		c->homes_cap = cap;
	}
	c->homes[c->nhomes++] = (struct checked_home){r->home_area_id, r->home_district_id};
	return RC_OK;
}

static enum rc import_row(struct import_ctx *c, struct db *db, const struct csv_row *row)
{
	int bad = 0;
	struct referral r = {0};
	/* A file of past episodes may hold the same person twice; each row
	 * is its own episode, as the file says. */
	r.confirm_duplicate = 1;
	const char *intervention = cell(c, row, C_INTERVENTION);
	r.intervention_id = intervention ? lookup_name(&c->l, 0, 0, intervention) : 0;
	if (!r.intervention_id) {
		add_error(c, row->line, C_INTERVENTION,
		          intervention ? "Det finns ingen insats med det namnet."
		                       : "Insatsen saknas.");
		bad = 1;
	}
	r.referred_on = cell(c, row, C_REFERRED);
	if (!r.referred_on) {
		add_error(c, row->line, C_REFERRED, "Anmälningsdatum saknas.");
		bad = 1;
	}
	r.source = code_cell(c, row, C_SOURCE, L_SOURCE, &bad);
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
	if (home && !(r.home_area_id = lookup_name(&c->l, 1, 0, home))) {
		add_error(c, row->line, C_HOME, "Kommunen finns inte i förbundets område.");
		bad = 1;
	}
	const char *district = cell(c, row, C_DISTRICT);
	if (district && !(r.home_district_id = lookup_name(&c->l, 2, r.home_area_id, district))) {
		add_error(c, row->line, C_DISTRICT, "Stadsdelen finns inte i hemkommunen.");
		bad = 1;
	}
	struct answer start_ans[4], end_ans[2];
	size_t nstart = 0, nend = 0;
	const char *codes[4] = {
	    code_cell(c, row, C_SUPPORT_BEFORE, L_SUPPORT, &bad),
	    code_cell(c, row, C_EMPLOYMENT_BEFORE, L_EMPLOYMENT, &bad),
	    code_cell(c, row, C_EDUCATION, L_EDUCATION, &bad),
	    code_cell(c, row, C_SUPPORT_TIME, L_SUPPORT_TIME, &bad),
	};
	static const char *const lists[4] = {"support", "employment", "education", "support_time"};
	for (int i = 0; i < 4; i++)
		if (codes[i])
			start_ans[nstart++] = (struct answer){lists[i], codes[i], -1};
	const char *after[2] = {code_cell(c, row, C_SUPPORT_AFTER, L_SUPPORT, &bad),
	                        code_cell(c, row, C_EMPLOYMENT_AFTER, L_EMPLOYMENT, &bad)};
	for (int i = 0; i < 2; i++)
		if (after[i])
			end_ans[nend++] = (struct answer){lists[i], after[i], -1};
	const char *reason = code_cell(c, row, C_REASON, L_REASON, &bad);
	if (bad)
		return RC_OK;

	/* The participation module's checks and writes, part by part: its
	 * validating parts with the lists loaded for the file, the insats and
	 * the home areas checked once each, then the same writing parts as a
	 * referral, start and end registered by hand, in this transaction.
	 * Every step is checked before anything is written, so the row is
	 * inserted once as its start and end leave it (rather than queued, then
	 * updated twice: the participation table's indexes make each update
	 * cost as much as the insert); the start and end writing parts then
	 * add their answers, tally and history. */
	struct field_error e = {0};
	struct pnr pnr;
	const char *rsex = NULL;
	enum rc rc = participation_refer_validate(&c->codes, c->now, &r, &pnr, &rsex, &e);
	int64_t assoc = 0;
	if (!rc)
		rc = checked_insats(c, db, r.intervention_id, &assoc, &e);
	if (!rc)
		rc = checked_home(c, db, assoc, &r, &e);
	int identified = !str_blank(r.pnr) || !str_blank(r.name);
	if (!rc && identified && !c->v)
		rc = RC_IO; /* no key: an identity cannot be stored */
	/* No duplicate check: r.confirm_duplicate is set (above), as a file of
	 * past episodes may name the same person in several rows. */
	if (rc == RC_DB || rc == RC_NOMEM)
		return rc;
	if (rc) {
		row_errors(c, row->line, rc, &e, 0);
		return RC_OK;
	}
	const char *start = cell(c, row, C_START), *end = cell(c, row, C_END);
	if (end && !start) {
		add_error(c, row->line, C_START, "Ett avslutat deltagande behöver ett startdatum.");
		return RC_OK;
	}
	if (end && !reason) {
		add_error(c, row->line, C_REASON, "Avslutsorsak saknas.");
		return RC_OK;
	}
	/* The participation as the referral leaves it, then as the start
	 * leaves it: what start and end check their state and dates against. */
	struct participation_state cur = {r.intervention_id, "queued", "", "", 1};
	str_copy(cur.referred, sizeof cur.referred, r.referred_on);
	struct registration sreg = {start, NULL, start_ans, nstart};
	struct registration ereg = {end, reason, end_ans, nend};
	struct participation_final fin = {"queued", NULL, NULL, NULL, 1, 0};
	if (start) {
		if (!(rc = participation_start_validate(&c->codes, c->now, &sreg, &e)))
			rc = participation_start_check(&cur, start, &e);
		if (rc) {
			row_errors(c, row->line, rc, &e, 1);
			return RC_OK;
		}
		fin.state = "active";
		fin.start_on = start;
	}
	if (end) {
		struct participation_state started = cur;
		str_copy(started.state, sizeof started.state, "active");
		str_copy(started.start, sizeof started.start, start);
		if (!(rc = participation_end_validate(&c->codes, c->now, &ereg, &e)))
			rc = participation_end_check(&started, end, &e);
		if (rc) {
			row_errors(c, row->line, rc, &e, 2);
			return RC_OK;
		}
		fin.state = "ended";
		fin.end_on = end;
		fin.end_reason = reason;
		participation_end_columns(&ereg, &fin.counts, &fin.end_complete);
	}
	/* A row after an error is checked, not written: the file is refused
	 * whole. */
	if (c->out->errors_total)
		return RC_OK;
	int64_t id = 0;
	if ((rc = participation_refer_write(db, c->v, c->who, assoc, &r, identified ? &pnr : NULL,
	                                    rsex, &fin, &c->tally, &id)))
		return rc == RC_INVALID ? RC_DB : rc;
	if (!c->first_id)
		c->first_id = id;
	c->last_id = id;
	c->out->rows++;
	if (start) {
		if ((rc = participation_start_write(db, c->who, id, &cur, &sreg, 1, &c->tally, &e)))
			return rc == RC_INVALID ? RC_DB : rc;
		c->out->starts++;
	}
	if (end) {
		if ((rc = participation_end_write(db, c->who, id, &cur, &ereg, 1, &c->tally, &e)))
			return rc == RC_INVALID ? RC_DB : rc;
		c->out->ends++;
	}
	return RC_OK;
}

/* Maps the header row to columns; errors for unknown, doubled and
 * missing columns.  The names are copied into c->a for the errors. */
static enum rc map_header(struct import_ctx *c, const struct csv_row *h)
{
	for (int k = 0; k < C_COUNT; k++)
		c->colidx[k] = -1;
	c->nheader = h->n;
	for (size_t i = 0; i < h->n; i++)
		if (!(c->header[i] = arena_strdup(c->a, h->fields[i])))
			return RC_NOMEM;
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
			add_error_named(c, h->line, c->header[i], msg);
		} else if (c->colidx[found] >= 0) {
			snprintf(msg, sizeof msg, "Kolumnen \"%.80s\" finns två gånger.",
			         h->fields[i]);
			add_error_named(c, h->line, c->header[i], msg);
		} else {
			c->colidx[found] = (int)i;
		}
	}
	static const int required[] = {C_INTERVENTION, C_REFERRED, C_SOURCE};
	for (size_t k = 0; k < 3; k++)
		if (c->colidx[required[k]] < 0) {
			char msg[300];
			snprintf(msg, sizeof msg, "Kolumnen \"%s\" saknas; den ska ha %s.",
			         required[k] == C_INTERVENTION ? "Insats"
			         : required[k] == C_REFERRED   ? "Anmäld"
			                                       : "Anmäld av",
			         import_columns[required[k]].description);
			add_error_named(c, h->line, NULL, msg);
		}
	return RC_OK;
}

static const char nomem_msg[] = "Minnet räckte inte till importen. Inget importerades.";

/* Reads from the caller's input, counting what was taken. */
static ssize_t counted_read(void *ctx, char *buf, size_t n)
{
	struct import_ctx *c = ctx;
	ssize_t got = c->in->read(c->in->ctx, buf, n);
	if (got > 0) {
		c->consumed += (uint64_t)got;
		crypto_sha256_update(&c->sum, buf, (size_t)got);
	}
	return got;
}

/* The file's name for the audit entry: its last part (no folders, which
 * may name a person), control characters as '?', at most 120 bytes cut
 * at a character and marked with "…"; "namnlös fil" when there is none. */
static void file_label(const char *name, char *out, size_t size)
{
	const char *base = name ? name : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	if (!*base) {
		str_copy(out, size, "namnlös fil");
		return;
	}
	size_t j = 0, max = size - 4 < 120 ? size - 4 : 120;
	const unsigned char *p = (const unsigned char *)base;
	for (; *p && j < max; p++)
		out[j++] = *p < 0x20 || *p == 0x7F ? '?' : (char)*p;
	if (*p) {
		while (j && ((unsigned char)out[j] & 0xC0) == 0x80)
			j--; /* out[j] is the first byte left out: cut before its character */
		str_copy(out + j, size - j, "…");
		return;
	}
	out[j] = '\0';
}

/* The import's one audit entry: which file (its name as given, its
 * SHA-256), how many participations, starts and ends, and the range of
 * participation numbers it created — never a row's content. */
static enum rc audit_import(struct import_ctx *c, struct db *db)
{
	const struct import_result *o = c->out;
	char name[140], rows[PLURAL_MAX], starts[PLURAL_MAX], ends[PLURAL_MAX], detail[600];
	char first[PLURAL_MAX], last[PLURAL_MAX];
	file_label(c->in->name, name, sizeof name);
	sv_count(rows, sizeof rows, (long long)o->rows, "deltagande", "deltaganden");
	sv_count(starts, sizeof starts, (long long)o->starts, "start", "starter");
	sv_count(ends, sizeof ends, (long long)o->ends, "avslut", "avslut");
	int n = snprintf(detail, sizeof detail, "Fil \"%s\", SHA-256 %s: %s (%s, %s), nummer %s–%s",
	                 name, o->sha256, rows, starts, ends,
	                 sv_number(first, sizeof first, (long long)c->first_id),
	                 sv_number(last, sizeof last, (long long)c->last_id));
	if (n < 0 || (size_t)n >= sizeof detail)
		return RC_NOMEM; /* cannot happen: every part is bounded */
	return audit_append(db, c->who, "import", "participation", c->first_id, detail);
}

/*
 * One run of the import, inside the transaction.  A run reads the file
 * from its first byte: when the store was busy and db_tx runs the import
 * again, the input is rewound first.  An input that cannot be rewound (a
 * pipe: rewind is NULL or fails) is not read again from where the first
 * run stopped, which would import a tail of the file as if it were all
 * of it: the import ends with RC_IO and an error saying the store was busy
 * and nothing was imported, so the person runs it again.
 */
static enum rc import_tx(struct db *db, void *v)
{
	struct import_ctx *c = v;
	struct import_result *o = c->out;
	o->rows = o->starts = o->ends = 0;
	o->nerrors = o->errors_total = 0;
	o->from_cp1252 = 0;
	o->delimiter = 0;
	o->sha256[0] = '\0';
	if (c->consumed) {
		if (!c->in->rewind || c->in->rewind(c->in->ctx)) {
			add_error_named(c, 0, NULL,
			                "Databasen var upptagen, och filen kan inte läsas en gång "
			                "till från början. Inget importerades. Kör importen igen.");
			return RC_IO;
		}
		c->consumed = 0;
	}
	crypto_sha256_init(&c->sum);
	c->first_id = c->last_id = 0;
	c->ninsatser = c->nhomes = c->homes_cap = 0;
	c->homes = NULL;
	c->tally.n = 0;
	c->now = actor_now(c->who);
	struct csv_source src = {counted_read, c};
	struct csv_reader *r = csv_reader_new(&src, c->in->max_rows, c->in->max_bytes);
	struct arena *run = c->run = arena_new(0);
	enum rc rc = RC_OK;
	char err[200] = "";
	struct csv_row row;
	if (!r || !run) {
		rc = RC_NOMEM;
		goto out;
	}
	rc = csv_next(r, &row, err, sizeof err);
	if (rc == RC_OK)
		rc = map_header(c, &row);
	if (rc || o->errors_total)
		goto out;
	if ((rc = load_lookups(db, run, c->assoc, &c->l)))
		goto out;
	c->codes = (struct code_lookup){loaded_code_valid, &c->l};
	if (!(c->insatser = arena_alloc(run, (c->l.nnames[0] + 1) * sizeof *c->insatser))) {
		rc = RC_NOMEM;
		goto out;
	}
	size_t data_rows = 0;
	while ((rc = csv_next(r, &row, err, sizeof err)) == RC_OK) {
		data_rows++;
		if ((rc = import_row(c, db, &row)))
			break;
	}
	if (rc == RC_NOT_FOUND) {
		rc = RC_OK;
		if (!data_rows)
			add_error_named(c, 1, NULL, "Filen har inga rader under rubrikraden.");
	}
	/* Every row went in: the tally's changes at once, and one audit entry
	 * for the file. */
	if (rc == RC_OK && !o->errors_total && !(rc = participation_tally_flush(db, &c->tally))) {
		crypto_sha256_final(&c->sum, o->sha256);
		rc = audit_import(c, db);
	}
out:
	if (rc == RC_NOMEM)
		add_error_named(c, 0, NULL, err[0] ? err : nomem_msg);
	else if (rc == RC_INVALID || rc == RC_IO)
		add_error_named(c, 0, NULL, err[0] ? err : "Filen kunde inte läsas.");
	else if (rc == RC_DB)
		add_error_named(c, 0, NULL,
		                "Databasen kunde inte spara importen. Inget importerades.");
	if (r) {
		o->from_cp1252 = (char)csv_from_cp1252(r);
		o->delimiter = csv_delimiter(r);
	}
	csv_reader_free(r);
	arena_free(run);
	c->run = NULL;
	c->insatser = NULL;
	c->homes = NULL;
	participation_tally_batch_free(&c->tally);
	/* Any error: nothing is written. */
	if (rc == RC_OK && o->errors_total)
		rc = RC_INVALID;
	return rc;
}

enum rc import_participations_from(struct db *db, const struct vault *v, const struct actor *who,
                                   int64_t assoc, const struct import_input *in, struct arena *a,
                                   struct import_result *out)
{
	memset(out, 0, sizeof *out);
	/* Without room for the report the caller says what happened. */
	struct import_error *errors = arena_alloc(a, IMPORT_MAX_ERRORS * sizeof *errors);
	if (!errors)
		return RC_NOMEM;
	struct import_ctx *c = arena_alloc(a, sizeof *c);
	if (!c) {
		out->errors = errors;
		str_copy(errors[0].message, sizeof errors[0].message, nomem_msg);
		out->nerrors = out->errors_total = 1;
		return RC_NOMEM;
	}
	memset(c, 0, sizeof *c);
	c->v = v;
	c->who = who;
	c->assoc = assoc;
	c->in = in;
	c->a = a;
	c->res.errors = errors;
	c->out = &c->res;
	enum rc rc = db_tx(db, import_tx, c);
	if (rc == RC_DB_BUSY && c->res.errors_total == 0)
		add_error_named(
		    c, 0, NULL,
		    "Databasen var upptagen av en annan skrivning (till exempel en annan "
		    "import) och blev inte ledig i tid. Inget importerades; försök igen "
		    "om en stund.");
	else if (rc && c->res.errors_total == 0)
		add_error_named(c, 0, NULL, "Importen avbröts. Inget importerades.");
	/* The counts only when it committed: a run that did not commit was
	 * rolled back, so nothing was imported, whatever the last run counted
	 * before it stopped.  Its errors are handed out, each saying so. */
	if (rc != RC_OK)
		c->res.rows = c->res.starts = c->res.ends = 0;
	/* An import of many rows may multiply the table at once: the planner
	 * gets statistics of the database as it is now (db.h; sampled, so
	 * cheap, but a write).  A small file changes the statistics little;
	 * the server's daily run covers it.  A failure changes nothing
	 * imported: the old statistics still answer right. */
	if (rc == RC_OK && c->res.rows >= IMPORT_ANALYZE_ROWS && db_analyze(db) != RC_OK)
		fprintf(stderr, "finsam: statistikinsamling efter importen misslyckades: %s\n",
		        db_errmsg(db));
	*out = c->res;
	return rc;
}

static int mem_rewind(void *ctx)
{
	((struct csv_mem *)ctx)->pos = 0;
	return 0;
}

static ssize_t mem_read(void *ctx, char *buf, size_t n)
{
	return csv_mem_read(ctx, buf, n);
}

enum rc import_participations(struct db *db, const struct vault *v, const struct actor *who,
                              int64_t assoc, const char *name, const char *data, size_t len,
                              struct arena *a, struct import_result *out)
{
	struct csv_mem m = {data ? data : "", data ? len : 0, 0};
	struct import_input in = {mem_read, mem_rewind, &m, CSV_MAX_ROWS, CSV_MAX_BYTES, name};
	return import_participations_from(db, v, who, assoc, &in, a, out);
}
