/* Unit tests for the CSV reader and the participation import: encodings,
 * separators, quoting, caps, header mapping, all-or-nothing, and errors by
 * line and column.  People are synthetic. */
#include "testutil.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/participation.h"
#include "core/import.h"
#include "core/intervention.h"
#include "core/org.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/csv.h"
#include "util/vault.h"

static void reads_semicolons_quotes_and_crlf(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct csv c;
	char err[200];
	const char *in =
	    "\xEF\xBB\xBFNamn;Anteckning\r\n\"Berg; Anna\";\"Sa \"\"hej\"\"\nrad två\"\r\n\r\n"
	    " Lind ;  \r\n";
	assert_int_equal(csv_parse(a, in, strlen(in), &c, err, sizeof err), RC_OK);
	assert_int_equal(c.delimiter, ';');
	assert_int_equal(c.nrows, 3);
	assert_string_equal(c.rows[0].fields[0], "Namn");
	assert_string_equal(c.rows[1].fields[0], "Berg; Anna");
	assert_string_equal(c.rows[1].fields[1], "Sa \"hej\"\nrad två");
	assert_string_equal(c.rows[2].fields[0], "Lind");
	assert_int_equal(c.rows[2].line, 5);
	assert_false(c.from_cp1252);
	arena_free(a);
}

static void reads_commas_and_windows_1252(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct csv c;
	char err[200];
	const char *in = "Insats,Kommun\nSteget,\xD6rebro \x96 s\xF6"
	                 "der\n"; /* Ö, en dash, ö */
	assert_int_equal(csv_parse(a, in, strlen(in), &c, err, sizeof err), RC_OK);
	assert_int_equal(c.delimiter, ',');
	assert_true(c.from_cp1252);
	assert_string_equal(c.rows[1].fields[1], "Örebro – söder");
	arena_free(a);
}

static void refuses_broken_input_with_the_line(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct csv c;
	char err[200];
	const char *open_quote = "a;b\n1;\"aldrig slut\n2;3\n";
	assert_int_equal(csv_parse(a, open_quote, strlen(open_quote), &c, err, sizeof err),
	                 RC_INVALID);
	assert_non_null(strstr(err, "rad 2"));
	assert_int_equal(csv_parse(a, "", 0, &c, err, sizeof err), RC_INVALID);
	char wide[400];
	for (int i = 0; i < 70; i++) {
		wide[2 * i] = 'x';
		wide[2 * i + 1] = ';';
	}
	wide[140] = '\0';
	assert_int_equal(csv_parse(a, wide, strlen(wide), &c, err, sizeof err), RC_INVALID);
	arena_free(a);
}

struct fx {
	struct testdb t;
	struct vault *v;
	struct arena *a;
	int64_t assoc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	testdb_open(&f->t);
	char key[160];
	snprintf(key, sizeof key, "%s.key", f->t.path);
	assert_int_equal(crypto_key_create(key), RC_OK);
	assert_int_equal(vault_open(key, &f->v), RC_OK);
	f->a = arena_new(0);
	struct field_error e;
	assert_int_equal(org_association_create(f->t.db, &test_actor, "Förbundet", &f->assoc, &e),
	                 RC_OK);
	struct area k = {0};
	k.association_id = f->assoc;
	k.kind = "kommun";
	k.name = "Ekeby";
	assert_int_equal(org_area_save(f->t.db, &test_actor, &k, &e), RC_OK);
	struct intervention x = {0};
	x.association_id = f->assoc;
	x.name = "Steget vidare";
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	vault_close(f->v);
	arena_free(f->a);
	testdb_close(&f->t);
	free(f);
	return 0;
}

static int64_t participations(struct fx *f)
{
	struct db_stmt *q;
	assert_int_equal(db_prepare(f->t.db, "SELECT count(*) FROM participation", &q), RC_OK);
	assert_int_equal(db_step(q), DB_ROW);
	int64_t n = db_col_int64(q, 0);
	db_finalize(q);
	return n;
}

static void imports_every_row(void **state)
{
	struct fx *f = *state;
	/* 19900101-2385 is synthetic: check digit computed for the test. */
	const char *in =
	    "Insats;Anmäld;Anmäld av;Kön;Personnummer;Namn;Samtycke;Hemkommun;Startdatum;"
	    "Försörjning före;Sysselsättning före;Slutdatum;Avslutsorsak;Försörjning efter;"
	    "Sysselsättning efter\n"
	    "steget vidare;2025-01-10;FK;K;;;;ekeby;2025-02-01;Försörjningsstöd;övrigt;2025-06-30;"
	    "arbete;Lön eller anställning (inkl. subventionerad);förvärvsarbete\n"
	    "Steget vidare;2025-03-01;Egen anmälan;;199001012385;Test Person;2025-03-01;;;;;;;;\n"
	    "Steget vidare;2025-04-01;Kommunen;man;;;;;;;;;;;\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, strlen(in), f->a, &r),
	                 RC_OK);
	assert_int_equal(r.rows, 3);
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.ends, 1);
	assert_int_equal(participations(f), 3);
}

static void one_bad_row_writes_nothing_and_names_line_and_column(void **state)
{
	struct fx *f = *state;
	const char *in = "Insats;Anmäld;Anmäld av;Kön;Startdatum;Sysselsättning före\n"
	                 "Steget vidare;2025-01-10;FK;K;;\n"
	                 "Steget vidare;2025-13-01;FK;K;;\n"
	                 "Steget vidare;2025-01-10;Grannen;K;;\n"
	                 "Okänd insats;2025-01-10;FK;K;;\n"
	                 "Steget vidare;2025-01-10;FK;K;2025-02-01;ingenting\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, strlen(in), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(participations(f), 0); /* all or nothing */
	assert_int_equal(r.nerrors, 4);
	assert_int_equal(r.errors[0].line, 3);
	assert_string_equal(r.errors[0].column, "Anmäld");
	assert_int_equal(r.errors[1].line, 4);
	assert_string_equal(r.errors[1].column, "Anmäld av");
	assert_int_equal(r.errors[2].line, 5);
	assert_string_equal(r.errors[2].column, "Insats");
	assert_int_equal(r.errors[3].line, 6);
	assert_string_equal(r.errors[3].column, "Sysselsättning före");
}

/* A row with several wrong cells names each of them, not only the first,
 * and a name hiding a direction override is refused. */
static void every_wrong_cell_of_a_row_is_named(void **state)
{
	struct fx *f = *state;
	const char *in = "Insats;Anmäld;Anmäld av;Anmälande enhet;Kön\n"
	                 "Steget vidare;2025-02-30;Kommunen;Soc\xe2\x80\xaetj;X\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, strlen(in), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(participations(f), 0);
	assert_int_equal(r.nerrors, 3);
	assert_string_equal(r.errors[0].column, "Anmäld");
	assert_non_null(strstr(r.errors[0].message, "Datumet finns inte"));
	assert_string_equal(r.errors[1].column, "Anmälande enhet");
	assert_string_equal(r.errors[2].column, "Kön");
}

static void the_referring_unit_is_imported(void **state)
{
	struct fx *f = *state;
	const char *in = "Insats;Anmäld;Anmäld av;Anmälande enhet;Kön\n"
	                 "Steget vidare;2025-01-10;Kommunen;Socialtjänsten;K\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, strlen(in), f->a, &r),
	                 RC_OK);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, 1, &p), RC_OK);
	assert_string_equal(p.source_unit, "Socialtjänsten");
}

static void unknown_and_missing_columns_are_named(void **state)
{
	struct fx *f = *state;
	const char *in = "Insats;Anmäld;Favoritfärg\nSteget vidare;2025-01-10;blå\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, strlen(in), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(r.nerrors, 2);
	assert_string_equal(r.errors[0].column, "Favoritfärg");
	assert_non_null(strstr(r.errors[1].message, "Anmäld av"));
}

static void identity_without_consent_is_refused(void **state)
{
	struct fx *f = *state;
	const char *in = "Insats;Anmäld;Anmäld av;Personnummer;Namn\n"
	                 "Steget vidare;2025-01-10;FK;199001012385;Test Person\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, strlen(in), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(r.nerrors, 1);
	assert_null(r.errors[0].column); /* the consent column is absent */
	assert_non_null(strstr(r.errors[0].message, "samtycke"));
}

/* A synthetic personnummer YYYYMMDDNNNC for serial n (valid check digit). */
static void synthetic_pnr(unsigned n, char out[13])
{
	snprintf(out, 13, "19%02u%02u%02u%03u0", 50 + n % 40, 1 + (n / 40) % 12, 1 + (n / 480) % 28,
	         (n / 13440) % 1000);
	int sum = 0;
	for (int i = 2; i < 11; i++) {
		int d = (out[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += d > 9 ? d - 9 : d;
	}
	out[11] = (char)('0' + (10 - sum % 10) % 10);
}

/* n data rows under a header: every row with start, end and code-list
 * cells; every third with consent and a synthetic number. */
static char *many_rows(size_t n, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "Insats;Anmäld;Anmäld av;Kön;Personnummer;Namn;Samtycke;Hemkommun;Startdatum;"
	             "Försörjning före;Sysselsättning före;Slutdatum;Avslutsorsak;Försörjning "
	             "efter;Sysselsättning efter\r\n");
	for (size_t i = 0; i < n; i++) {
		char pnr[13] = "";
		if (i % 3 == 0)
			synthetic_pnr((unsigned)i, pnr);
		buf_printf(&b,
		           "Steget vidare;2025-01-10;%s;%s;%s;%s;%s;Ekeby;2025-02-01;sjukpenning;"
		           "övrigt;2025-06-30;arbete;Lön eller anställning (inkl. subventionerad);"
		           "förvärvsarbete\r\n",
		           i % 2 ? "FK" : "Arbetsförmedlingen", pnr[0] ? "" : "K", pnr,
		           pnr[0] ? "Test Person" : "", pnr[0] ? "2025-01-10" : "");
	}
	assert_false(buf_failed(&b));
	return buf_detach(&b, len);
}

/* The review's failure: 6 000 rows failed at row 4 900 with a false "finns
 * inte i listan", because every cell loaded its code list into the import's
 * memory.  20 000 rows import now. */
static void imports_twenty_thousand_rows(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *in = many_rows(20000, &len);
	struct import_result r;
	enum rc rc = import_participations(f->t.db, f->v, &test_actor, f->assoc, "deltagare.csv",
	                                   in, len, f->a, &r);
	if (rc)
		fail_msg("rad %zu: %s", r.nerrors ? r.errors[0].line : 0,
		         r.nerrors ? r.errors[0].message : "?");
	assert_int_equal(r.rows, 20000);
	assert_int_equal(r.starts, 20000);
	assert_int_equal(r.ends, 20000);
	assert_int_equal(participations(f), 20000);
	free(in);
}

/* The import's own memory does not grow with the file: 300 rows in an
 * arena of 100 KiB (room for the report, not for a code list per cell). */
static void memory_does_not_grow_with_rows(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *in = many_rows(300, &len);
	struct arena *small = arena_new(100 * 1024);
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, len, small, &r),
	                 RC_OK);
	assert_int_equal(r.rows, 300);
	arena_free(small);
	free(in);
}

/* Out of memory is said as such, never as errors without a message (once
 * printed as "(null)" or nothing). */
static void running_out_of_memory_is_reported_as_such(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *in = many_rows(50, &len);
	struct arena *tiny = arena_new(16 * 1024);
	struct import_result r;
	enum rc rc = import_participations(f->t.db, f->v, &test_actor, f->assoc, "deltagare.csv",
	                                   in, len, tiny, &r);
	assert_int_equal(rc, RC_NOMEM);
	assert_int_equal(r.rows, 0); /* rolled back: nothing was imported */
	assert_int_equal(r.starts, 0);
	assert_int_equal(r.ends, 0);
	for (size_t i = 0; i < r.nerrors; i++) {
		assert_non_null(r.errors[i].message);
		assert_true(r.errors[i].message[0] != '\0');
	}
	assert_int_equal(participations(f), 0);
	arena_free(tiny);
	free(in);
}

/* All errors are counted, the first IMPORT_MAX_ERRORS kept. */
static void every_error_is_counted(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "Insats;Anmäld;Anmäld av;Kön\n");
	for (int i = 0; i < 250; i++)
		buf_puts(&b, "Steget vidare;2025-01-10;Grannen;K\n");
	buf_puts(&b, "Steget vidare;2025-01-10;FK;K\n");
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", buf_cstr(&b), b.len, f->a, &r),
	                 RC_INVALID);
	assert_int_equal(r.nerrors, IMPORT_MAX_ERRORS);
	assert_int_equal(r.errors_total, 250);
	assert_int_equal(r.errors[IMPORT_MAX_ERRORS - 1].line, IMPORT_MAX_ERRORS + 1);
	assert_int_equal(participations(f), 0);
	buf_release(&b);
}

/* The header is not one of the CSV_MAX_ROWS rows. */
static void the_header_does_not_count_against_the_row_limit(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "Insats;Anmäld\n");
	for (int i = 0; i < CSV_MAX_ROWS; i++)
		buf_puts(&b, "a;b\n");
	struct arena *a = arena_new(0);
	struct csv c;
	char err[200] = "";
	assert_int_equal(csv_parse(a, buf_cstr(&b), b.len, &c, err, sizeof err), RC_OK);
	assert_int_equal(c.nrows, CSV_MAX_ROWS + 1);
	buf_puts(&b, "a;b\n");
	assert_int_equal(csv_parse(a, buf_cstr(&b), b.len, &c, err, sizeof err), RC_INVALID);
	assert_non_null(strstr(err, "100000 under rubrikraden"));
	assert_non_null(strstr(err, "rad 100002"));
	arena_free(a);
	buf_release(&b);
}

/* UTF-16 (Excel's "Unicode text") is refused with the advice to save as
 * UTF-8, with or without a byte-order mark; it was read as garbled
 * Windows-1252. */
static void utf16_is_refused_with_advice(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct csv c;
	char err[300];
	static const char le[] = "\xFF\xFEI\0n\0s\0a\0t\0s\0;\0A\0\n\0x\0;\0y\0\n\0";
	static const char be[] = "\xFE\xFF\0I\0n\0s\0a\0t\0s\0;\0A\0\n";
	static const char bare[] = "I\0n\0s\0a\0t\0s\0;\0A\0n\0m\0\xE4\0l\0d\0\n\0";
	const struct {
		const char *data;
		size_t len;
	} cases[] = {{le, sizeof le - 1}, {be, sizeof be - 1}, {bare, sizeof bare - 1}};
	for (size_t i = 0; i < 3; i++) {
		err[0] = '\0';
		assert_int_equal(csv_parse(a, cases[i].data, cases[i].len, &c, err, sizeof err),
		                 RC_INVALID);
		assert_non_null(strstr(err, "UTF-16"));
		assert_non_null(strstr(err, "UTF-8"));
	}
	/* A stray NUL in an otherwise fine file is refused too, with its line. */
	static const char nul[] = "a;b\nc;d\0e\n";
	assert_int_equal(csv_parse(a, nul, sizeof nul - 1, &c, err, sizeof err), RC_INVALID);
	assert_non_null(strstr(err, "rad 2"));
	arena_free(a);
}

/* A source that hands over a few bytes at a time: rows, quotes, CRLF and
 * UTF-8 split anywhere read the same as from memory. */
struct dribble {
	const char *data;
	size_t len, pos, step;
};

static ssize_t dribble_read(void *ctx, char *buf, size_t n)
{
	struct dribble *d = ctx;
	size_t k = d->step++ % 5 + 1;
	if (k > n)
		k = n;
	if (k > d->len - d->pos)
		k = d->len - d->pos;
	memcpy(buf, d->data + d->pos, k);
	d->pos += k;
	return (ssize_t)k;
}

static int dribble_rewind(void *ctx)
{
	((struct dribble *)ctx)->pos = 0;
	return 0;
}

static void reads_a_stream_in_small_pieces(void **state)
{
	struct fx *f = *state;
	const char *in = "\xEF\xBB\xBFInsats;Anmäld;\"Anmäld av\";Anmälande enhet;Kön\r\n"
	                 "Steget vidare;2025-01-10;FK;\"Enhet \"\"Öst\"\"; norr\";K\r\n"
	                 "\r\n"
	                 "Steget vidare;2025-01-11;Egen anmälan;;M\r\n";
	struct dribble d = {in, strlen(in), 0, 0};
	struct import_input src = {dribble_read, dribble_rewind, &d, 0, 0, "deltagare.csv"};
	struct import_result r;
	assert_int_equal(
	    import_participations_from(f->t.db, f->v, &test_actor, f->assoc, &src, f->a, &r),
	    RC_OK);
	assert_int_equal(r.rows, 2);
	struct participation p;
	assert_int_equal(participation_get(f->t.db, f->a, TEST_NOW, 1, &p), RC_OK);
	assert_string_equal(p.source_unit, "Enhet \"Öst\"; norr");
	/* A line break inside quotes, split across pieces too. */
	const char *text = "\xEF\xBB\xBF"
	                   "a;b\r\n\"ett\r\ntvå\";\"sa \"\"hej\"\"\"\r\nx;y";
	struct dribble d2 = {text, strlen(text), 0, 0};
	struct csv_source s2 = {dribble_read, &d2};
	struct csv_reader *cr = csv_reader_new(&s2, 0, 0);
	struct csv_row row;
	char err[200];
	assert_int_equal(csv_next(cr, &row, err, sizeof err), RC_OK);
	assert_string_equal(row.fields[0], "a");
	assert_int_equal(csv_next(cr, &row, err, sizeof err), RC_OK);
	assert_string_equal(row.fields[0], "ett\r\ntvå");
	assert_string_equal(row.fields[1], "sa \"hej\"");
	assert_int_equal(row.line, 2);
	assert_int_equal(csv_next(cr, &row, err, sizeof err), RC_OK);
	assert_string_equal(row.fields[1], "y");
	assert_int_equal(row.line, 4);
	assert_int_equal(csv_next(cr, &row, err, sizeof err), RC_NOT_FOUND);
	csv_reader_free(cr);
}

/* A pipe: the bytes come once, and it cannot go back (as fseek on a pipe
 * fails). */
static int pipe_rewind(void *ctx)
{
	(void)ctx;
	return -1;
}

static const char three_rows[] = "Insats;Anmäld;Anmäld av;Kön\n"
                                 "Steget vidare;2025-01-10;FK;K\n"
                                 "Steget vidare;2025-01-11;AF;M\n"
                                 "Steget vidare;2025-01-12;Egen anmälan;K\n";

/* A run that did not commit hands out no counts: rows imported before a
 * bad row, or before the file went over the row cap, were rolled back, so
 * the result says nothing was imported and keeps the errors the user must
 * read (the transaction rule: results only after commit). */
static void a_failed_run_claims_no_imported_rows(void **state)
{
	struct fx *f = *state;
	const char *in =
	    "Insats;Anmäld;Anmäld av;Kön;Startdatum;Försörjning före;Sysselsättning före;Slutdatum;"
	    "Avslutsorsak;Försörjning efter;Sysselsättning efter\n"
	    "Steget vidare;2025-01-10;FK;K;2025-02-01;sjukpenning;övrigt;2025-06-30;arbete;"
	    "Lön eller anställning (inkl. subventionerad);förvärvsarbete\n"
	    "Steget vidare;2025-01-11;AF;M;2025-02-01;sjukpenning;övrigt;;;;\n"
	    "Okänd insats;2025-01-12;FK;K;;;;;;;\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &test_actor, f->assoc,
	                                       "deltagare.csv", in, strlen(in), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(participations(f), 0);
	assert_int_equal(r.rows, 0);
	assert_int_equal(r.starts, 0);
	assert_int_equal(r.ends, 0);
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.errors_total, 1);
	assert_int_equal(r.errors[0].line, 4);
	assert_string_equal(r.errors[0].column, "Insats");

	/* Over the row cap after two rows went in. */
	struct dribble d = {three_rows, strlen(three_rows), 0, 0};
	struct import_input src = {dribble_read, dribble_rewind, &d, 2, 0, "deltagare.csv"};
	enum rc rc =
	    import_participations_from(f->t.db, f->v, &test_actor, f->assoc, &src, f->a, &r);
	assert_int_not_equal(rc, RC_OK);
	assert_int_equal(participations(f), 0);
	assert_int_equal(r.rows, 0);
	assert_int_equal(r.starts, 0);
	assert_int_equal(r.ends, 0);
	assert_true(r.nerrors >= 1);
	assert_true(r.errors[0].message[0] != '\0');
}

/* The whole file is one transaction that runs again when the store is
 * busy: for a failure at every step it has, the file is read again from
 * its first byte and each row is imported once. */
static void busy_store_imports_the_whole_file_once(void **state)
{
	struct fx *f = *state;
	int fired = 1;
	int64_t before = participations(f);
	for (int n = 1; fired; n++) {
		struct dribble d = {three_rows, strlen(three_rows), 0, 0};
		struct import_input src = {dribble_read, dribble_rewind, &d, 0, 0, "deltagare.csv"};
		struct import_result r;
		db_test_fail_step(f->t.db, n);
		assert_int_equal(import_participations_from(f->t.db, f->v, &test_actor, f->assoc,
		                                            &src, f->a, &r),
		                 RC_OK);
		fired = !db_test_fail_pending(f->t.db);
		db_test_fail_step(f->t.db, 0);
		assert_int_equal(r.rows, 3);
		assert_int_equal(r.nerrors, 0);
		before += 3;
		assert_int_equal(participations(f), before);
	}
}

/* An input that cannot go back is read once: imported when the store is
 * free (the first run never rewinds), refused in words when the store was
 * busy, never imported from where the first run stopped. */
static void input_that_cannot_rewind_is_not_retried_blindly(void **state)
{
	struct fx *f = *state;
	struct import_result r;
	struct dribble d = {three_rows, strlen(three_rows), 0, 0};
	struct import_input src = {dribble_read, pipe_rewind, &d, 0, 0, "deltagare.csv"};
	assert_int_equal(
	    import_participations_from(f->t.db, f->v, &test_actor, f->assoc, &src, f->a, &r),
	    RC_OK);
	assert_int_equal(r.rows, 3);
	assert_int_equal(participations(f), 3);
	/* Busy after the first run began reading the file; with no rewind,
	 * and with one that fails. */
	for (int k = 0; k < 2; k++) {
		struct dribble d2 = {three_rows, strlen(three_rows), 0, 0};
		struct import_input src2 = {dribble_read,   k ? pipe_rewind : NULL, &d2, 0, 0,
		                            "deltagare.csv"};
		db_test_fail_step(f->t.db, 12);
		assert_int_equal(import_participations_from(f->t.db, f->v, &test_actor, f->assoc,
		                                            &src2, f->a, &r),
		                 RC_IO);
		assert_false(db_test_fail_pending(f->t.db));
		assert_int_equal(r.rows, 0);
		assert_int_equal(r.nerrors, 1);
		assert_non_null(strstr(r.errors[0].message, "Databasen var upptagen"));
		assert_non_null(strstr(r.errors[0].message, "Inget importerades"));
		assert_int_equal(participations(f), 3);
	}
}

/* The import registers with the participation module's rule for the
 * actor: a deltagaransvarig only in the insatser they work in.  A row for
 * another insats is an error in that row's insats column, and nothing is
 * written. */
static void rows_follow_the_actors_right_to_register(void **state)
{
	struct fx *f = *state;
	struct field_error e;
	struct intervention x = {0};
	x.association_id = f->assoc;
	x.name = "Annan insats";
	x.orientation = "individ";
	x.method = "person";
	x.start_on = "2024-01-01";
	assert_int_equal(intervention_save(f->t.db, &test_actor, &x, &e), RC_OK);
	int64_t uid, steget = 0;
	assert_int_equal(auth_user_add(f->t.db, &test_actor, "dr", "Del Ansvarig", ROLE_CASEWORKER,
	                               "langt-losenord", &uid, &e),
	                 RC_OK);
	struct db_stmt *q;
	assert_int_equal(
	    db_prepare(f->t.db, "SELECT id FROM intervention WHERE name = 'Steget vidare'", &q),
	    RC_OK);
	assert_int_equal(db_one_int64(q, &steget), RC_OK);
	assert_int_equal(
	    intervention_staff_set(f->t.db, &test_actor, steget, uid, "deltagaransvarig", 1, &e),
	    RC_OK);
	const struct actor dr = {uid, "dr", "127.0.0.1", ROLE_CASEWORKER, TEST_NOW};
	const char *in = "Insats;Anmäld;Anmäld av;Kön\n"
	                 "Steget vidare;2025-01-10;FK;K\n"
	                 "Annan insats;2025-01-10;FK;K\n";
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &dr, f->assoc, "deltagare.csv", in,
	                                       strlen(in), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(participations(f), 0);
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.errors[0].line, 3);
	assert_non_null(r.errors[0].column);
	assert_string_equal(r.errors[0].column, "Insats");
	assert_non_null(strstr(r.errors[0].message, "får inte registrera"));
	/* A board member may register nowhere. */
	const struct actor board = {uid, "dr", "127.0.0.1", ROLE_BOARD, TEST_NOW};
	const char *mine = "Insats;Anmäld;Anmäld av;Kön\nSteget vidare;2025-01-10;FK;K\n";
	assert_int_equal(import_participations(f->t.db, f->v, &board, f->assoc, "deltagare.csv",
	                                       mine, strlen(mine), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(participations(f), 0);
	assert_int_equal(import_participations(f->t.db, f->v, &dr, f->assoc, "deltagare.csv", mine,
	                                       strlen(mine), f->a, &r),
	                 RC_OK);
	assert_int_equal(participations(f), 1);
}

/* Windows-1252 is decided row by row, so a file need not be held whole. */
static void windows_1252_rows_are_converted(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct csv c;
	char err[200];
	const char *in = "Insats;Kommun\nSteget;Ekeby\nSteget;\xD6rebro\nSteget;Göteborg\n";
	assert_int_equal(csv_parse(a, in, strlen(in), &c, err, sizeof err), RC_OK);
	assert_true(c.from_cp1252);
	assert_string_equal(c.rows[2].fields[1], "Örebro");
	assert_string_equal(c.rows[3].fields[1], "Göteborg");
	arena_free(a);
}

/* ---- one audit entry, and rows like those registered by hand ---------------------------- */

/* The statements the tests below read the store with: constant text. */
enum query {
	Q_PARTICIPATION,
	Q_HISTORY,
	Q_ANSWERS,
	Q_CONSENT,
	Q_IDENTITY,
	Q_TALLY,
	Q_TALLY_FRESH,
	Q_AUDIT_COUNT,
	Q_EKEBY
};
static const struct {
	const char *sql;
	int ncols;
} queries[] = {
    /* Of participation $1: what a registration by hand and an import must
     * write alike (Q_PARTICIPATION to Q_IDENTITY). */
    [Q_PARTICIPATION] = {"SELECT sex, birth_year, state, referred_on, referral_source,"
                         " referral_member_id, home_area_id, home_district_id, protected,"
                         " referral_unit, start_on, end_on, end_reason, counts, end_complete,"
                         " identity_id IS NOT NULL, intervention_id"
                         " FROM participation WHERE id = $1",
                         17},
    [Q_HISTORY] = {"SELECT actor, field, old_value, new_value FROM participation_history"
                   " WHERE participation_id = $1 ORDER BY id",
                   4},
    [Q_ANSWERS] = {"SELECT phase, list, code, extent FROM participation_answer"
                   " WHERE participation_id = $1 ORDER BY phase, list, code",
                   4},
    [Q_CONSENT] = {"SELECT given_on, form_version, withdrawn_on, collected_by FROM consent"
                   " WHERE participation_id = $1",
                   4},
    [Q_IDENTITY] = {"SELECT association_id, length(pnr_hash) FROM identity"
                    " WHERE participation_id = $1",
                    2},
    /* Of insats $1: the tally kept, and a fresh count. */
    [Q_TALLY] = {"SELECT intervention_id, state, counted, n FROM participation_tally"
                 " WHERE n <> 0 AND intervention_id = $1 ORDER BY 1, 2, 3",
                 4},
    [Q_TALLY_FRESH] = {"SELECT intervention_id, state, counts, count(*) FROM participation"
                       " WHERE intervention_id = $1"
                       " GROUP BY intervention_id, state, counts ORDER BY 1, 2, 3",
                       4},
    /* One number ($1 is bound to 0). */
    [Q_AUDIT_COUNT] = {"SELECT count(*) FROM audit_log WHERE $1 = 0", 1},
    [Q_EKEBY] = {"SELECT id FROM area WHERE name = 'Ekeby' AND $1 = 0", 1},
};

/* The rows of query k for $1 = id as text, one line per row and '|'
 * between columns, in a. */
static const char *rows_of(struct fx *f, enum query k, int64_t id)
{
	struct db_stmt *q;
	assert_int_equal(db_prepare(f->t.db, queries[k].sql, &q), RC_OK);
	db_bind_int64(q, 1, id);
	struct buf b;
	buf_init(&b, 1u << 16);
	enum db_step s;
	while ((s = db_step(q)) == DB_ROW) {
		for (int i = 0; i < queries[k].ncols; i++)
			buf_printf(&b, "%s%s", i ? "|" : "",
			           db_col_is_null(q, i) ? "NULL" : db_col_text(q, i));
		buf_puts(&b, "\n");
	}
	db_finalize(q);
	assert_int_equal(s, DB_DONE);
	const char *out = arena_strdup(f->a, buf_cstr(&b));
	buf_release(&b);
	return out;
}

/* The one number query k gives. */
static int64_t one_int(struct fx *f, enum query k)
{
	struct db_stmt *q;
	int64_t n = -1;
	assert_int_equal(db_prepare(f->t.db, queries[k].sql, &q), RC_OK);
	db_bind_int64(q, 1, 0);
	assert_int_equal(db_one_int64(q, &n), RC_OK);
	return n;
}

/* Issue 8: an import writes ONE audit entry for the file — its name (not
 * the folders), its SHA-256 and the counts, never a row's content — where
 * it wrote two or three per row (referral, start, end), and the chain
 * still verifies. */
static void an_import_writes_one_audit_entry_with_checksum_and_counts(void **state)
{
	struct fx *f = *state;
	const struct actor me = {0, "test", "127.0.0.1", ROLE_ADMIN, TEST_NOW};
	const char *in =
	    "Insats;Anmäld;Anmäld av;Kön;Personnummer;Namn;Samtycke;Hemkommun;Startdatum;"
	    "Försörjning före;Sysselsättning före;Slutdatum;Avslutsorsak\n"
	    "Steget vidare;2025-01-10;FK;K;;;;Ekeby;2025-02-01;Försörjningsstöd;övrigt;"
	    "2025-06-30;arbete\n"
	    "Steget vidare;2025-03-01;Egen anmälan;;199001012385;Test Person;2025-03-01;;"
	    "2025-03-05;Försörjningsstöd;övrigt;;\n"
	    "Steget vidare;2025-04-01;Kommunen;man;;;;;;;;;\n";
	int64_t before = one_int(f, Q_AUDIT_COUNT);
	struct import_result r;
	assert_int_equal(import_participations(f->t.db, f->v, &me, f->assoc,
	                                       "/home/anna.berg/Skrivbord/deltagare 2025.csv", in,
	                                       strlen(in), f->a, &r),
	                 RC_OK);
	assert_int_equal(r.rows, 3);
	assert_int_equal(one_int(f, Q_AUDIT_COUNT), before + 1);
	struct audit_entry *e;
	size_t n;
	assert_int_equal(audit_list(f->t.db, f->a, 0, 1, &e, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].action, "import");
	assert_string_equal(e[0].object_type, "participation");
	char sum[65];
	crypto_sha256_hex(in, strlen(in), sum);
	assert_string_equal(r.sha256, sum);
	const char *want = arena_printf(f->a,
	                                "Fil \"deltagare 2025.csv\", SHA-256 %s: 3 deltaganden "
	                                "(2 starter, 1 avslut), nummer 1–3",
	                                sum);
	assert_string_equal(e[0].detail, want);
	/* No folder (it may name a person) and nothing of the rows. */
	assert_null(strstr(e[0].detail, "anna"));
	assert_null(strstr(e[0].detail, "199001012385"));
	assert_null(strstr(e[0].detail, "Test Person"));
	int64_t count, bad;
	assert_int_equal(audit_verify(f->t.db, &count, &bad), RC_OK);
	/* A refused file writes no entry at all. */
	const char *wrong = "Insats;Anmäld;Anmäld av;Kön\nSteget vidare;2025-13-01;FK;K\n";
	assert_int_equal(import_participations(f->t.db, f->v, &me, f->assoc, "fel.csv", wrong,
	                                       strlen(wrong), f->a, &r),
	                 RC_INVALID);
	assert_int_equal(one_int(f, Q_AUDIT_COUNT), before + 1);
}

/* Issue 8: the import calls the participation module's validating and
 * writing parts itself (one transaction, lists loaded once, tally written
 * once); a participation it imports must be exactly one registered by hand
 * through participation_refer, _start and _end — row, history, answers,
 * consent, identity, and the tally, which equals a fresh count — apart
 * from the audit entries.  Each kind of row: identified and ended,
 * anonymous and started, anonymous and queued, ended as felregistrering. */
static void an_imported_participation_is_like_one_registered_by_hand(void **state)
{
	struct fx *f = *state;
	const struct actor me = {0, "test", "127.0.0.1", ROLE_ADMIN, TEST_NOW};
	struct field_error fe;
	int64_t ekeby = one_int(f, Q_EKEBY);
	const char *in =
	    "Insats;Anmäld;Anmäld av;Anmälande enhet;Kön;Personnummer;Namn;Samtycke;Blankett;"
	    "Hemkommun;Startdatum;Försörjning före;Sysselsättning före;Slutdatum;Avslutsorsak;"
	    "Försörjning efter;Sysselsättning efter\n"
	    "Steget vidare;2025-01-10;FK;Lokalkontoret;;199001012385;Test Person;2025-01-09;v2;"
	    "Ekeby;2025-02-01;Försörjningsstöd;övrigt;2025-06-30;arbete;Försörjningsstöd;"
	    "Förvärvsarbete\n"
	    "Steget vidare;2025-03-01;Egen anmälan;;K;;;;;;2025-03-05;Försörjningsstöd;övrigt;;;;\n"
	    "Steget vidare;2025-04-01;Kommunen;;man;;;;;Ekeby;;;;;;;\n"
	    "Steget vidare;2025-04-02;AF;;M;;;;;;2025-04-03;Försörjningsstöd;övrigt;2025-04-04;"
	    "felregistrering;;\n";
	struct import_result r;
	assert_int_equal(
	    import_participations(f->t.db, f->v, &me, f->assoc, "a.csv", in, strlen(in), f->a, &r),
	    RC_OK);
	assert_int_equal(r.rows, 4);
	int64_t audit_after_import = one_int(f, Q_AUDIT_COUNT);

	/* The same four by hand (another number for the first). */
	struct answer before[2] = {{"support", "forsorjningsstod", -1},
	                           {"employment", "ovrigt", -1}};
	struct answer after[2] = {{"support", "forsorjningsstod", -1},
	                          {"employment", "forvarvsarbete", -1}};
	struct referral rf[4] = {{0}};
	for (int i = 0; i < 4; i++)
		rf[i].intervention_id = 1;
	rf[0].referred_on = "2025-01-10", rf[0].source = "fk", rf[0].source_unit = "Lokalkontoret";
	/* Synthetic, born the same day (a woman), check digit computed. */
	rf[0].pnr = "199001012401", rf[0].name = "Test Person", rf[0].consent_on = "2025-01-09";
	rf[0].consent_form = "v2", rf[0].home_area_id = ekeby;
	rf[1].referred_on = "2025-03-01", rf[1].source = "egen", rf[1].sex = "K";
	rf[2].referred_on = "2025-04-01", rf[2].source = "kommun", rf[2].sex = "M";
	rf[2].home_area_id = ekeby;
	rf[3].referred_on = "2025-04-02", rf[3].source = "af", rf[3].sex = "M";
	const char *start[4] = {"2025-02-01", "2025-03-05", NULL, "2025-04-03"};
	const char *end[4] = {"2025-06-30", NULL, NULL, "2025-04-04"};
	const char *reason[4] = {"arbete", NULL, NULL, "felregistrering"};
	for (int i = 0; i < 4; i++) {
		int64_t id = 0;
		assert_int_equal(participation_refer(f->t.db, f->v, &me, &rf[i], &id, &fe), RC_OK);
		assert_int_equal(id, 5 + i);
		struct registration s = {start[i], NULL, before, 2};
		if (start[i])
			assert_int_equal(participation_start(f->t.db, &me, id, &s, &fe), RC_OK);
		struct registration e = {end[i], reason[i], i == 0 ? after : NULL, i == 0 ? 2 : 0};
		if (end[i])
			assert_int_equal(participation_end(f->t.db, &me, id, &e, &fe), RC_OK);
	}
	for (int64_t i = 1; i <= 4; i++)
		for (int k = Q_PARTICIPATION; k <= Q_IDENTITY; k++)
			assert_string_equal(rows_of(f, (enum query)k, i),
			                    rows_of(f, (enum query)k, i + 4));
	/* By hand: an entry per referral, start and end (4 + 3 + 2). */
	assert_int_equal(one_int(f, Q_AUDIT_COUNT), audit_after_import + 9);
	/* The tally: both halves counted alike, and equal to a fresh count. */
	const char *kept = rows_of(f, Q_TALLY, 1);
	assert_string_equal(kept, rows_of(f, Q_TALLY_FRESH, 1));
	assert_string_equal(kept, "1|active|1|2\n1|ended|0|2\n1|ended|1|2\n1|queued|1|2\n");
}

/* The import inserts a row as its start and end leave it, so it checks the
 * transitions first: a start before the referral, an end before the start
 * and an end without a start are each named in their column with the words
 * of a registration by hand (the store's own CHECK is never what answers),
 * and nothing is written. */
static void dates_out_of_order_are_named_before_anything_is_written(void **state)
{
	struct fx *f = *state;
	const struct actor me = {0, "test", "127.0.0.1", ROLE_ADMIN, TEST_NOW};
	const char *in = "Insats;Anmäld;Anmäld av;Kön;Startdatum;Försörjning före;"
	                 "Sysselsättning före;Slutdatum;Avslutsorsak\n"
	                 "Steget vidare;2025-03-01;FK;K;2025-02-01;Försörjningsstöd;övrigt;;\n"
	                 "Steget vidare;2025-03-01;FK;K;2025-03-02;Försörjningsstöd;övrigt;"
	                 "2025-03-01;arbete\n"
	                 "Steget vidare;2025-03-01;FK;K;;;;2025-03-05;arbete\n"
	                 "Steget vidare;2025-03-01;FK;K;2025-03-01;Försörjningsstöd;övrigt;"
	                 "2025-03-01;arbete\n";
	struct import_result r;
	assert_int_equal(
	    import_participations(f->t.db, f->v, &me, f->assoc, "a.csv", in, strlen(in), f->a, &r),
	    RC_INVALID);
	assert_int_equal(participations(f), 0);
	assert_int_equal(r.nerrors, 3);
	assert_int_equal(r.errors[0].line, 2);
	assert_string_equal(r.errors[0].column, "Startdatum");
	assert_string_equal(r.errors[0].message, "Startdatum kan inte ligga före anmälningsdatum.");
	assert_int_equal(r.errors[1].line, 3);
	assert_string_equal(r.errors[1].column, "Slutdatum");
	assert_string_equal(r.errors[1].message, "Slutdatum kan inte ligga före startdatum.");
	assert_int_equal(r.errors[2].line, 4);
	assert_string_equal(r.errors[2].column, "Startdatum");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_semicolons_quotes_and_crlf),
	    cmocka_unit_test(reads_commas_and_windows_1252),
	    cmocka_unit_test(refuses_broken_input_with_the_line),
	    cmocka_unit_test_setup_teardown(imports_every_row, setup, teardown),
	    cmocka_unit_test_setup_teardown(one_bad_row_writes_nothing_and_names_line_and_column,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(every_wrong_cell_of_a_row_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_referring_unit_is_imported, setup, teardown),
	    cmocka_unit_test_setup_teardown(unknown_and_missing_columns_are_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(identity_without_consent_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(imports_twenty_thousand_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(memory_does_not_grow_with_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(running_out_of_memory_is_reported_as_such, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(every_error_is_counted, setup, teardown),
	    cmocka_unit_test(the_header_does_not_count_against_the_row_limit),
	    cmocka_unit_test(utf16_is_refused_with_advice),
	    cmocka_unit_test_setup_teardown(reads_a_stream_in_small_pieces, setup, teardown),
	    cmocka_unit_test(windows_1252_rows_are_converted),
	    cmocka_unit_test_setup_teardown(a_failed_run_claims_no_imported_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(busy_store_imports_the_whole_file_once, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(input_that_cannot_rewind_is_not_retried_blindly, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(rows_follow_the_actors_right_to_register, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        an_import_writes_one_audit_entry_with_checksum_and_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        an_imported_participation_is_like_one_registered_by_hand, setup, teardown),
	    cmocka_unit_test_setup_teardown(dates_out_of_order_are_named_before_anything_is_written,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
