/* Unit tests for the CSV reader and the participation import: encodings,
 * separators, quoting, caps, header mapping, all-or-nothing, and errors by
 * line and column.  People are synthetic. */
#include "testutil.h"
#include "core/auth.h"
#include "core/deltagare.h"
#include "core/import.h"
#include "core/insats.h"
#include "core/org.h"
#include "util/arena.h"
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
	assert_int_equal(insats_save(f->t.db, &test_actor, &x, &e), RC_OK);
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
	assert_int_equal(
	    import_participations(f->t.db, f->v, &test_actor, f->assoc, in, strlen(in), f->a, &r),
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
	assert_int_equal(
	    import_participations(f->t.db, f->v, &test_actor, f->assoc, in, strlen(in), f->a, &r),
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
	assert_int_equal(
	    import_participations(f->t.db, f->v, &test_actor, f->assoc, in, strlen(in), f->a, &r),
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
	assert_int_equal(
	    import_participations(f->t.db, f->v, &test_actor, f->assoc, in, strlen(in), f->a, &r),
	    RC_OK);
	struct participation p;
	assert_int_equal(deltagare_get(f->t.db, f->a, 1, &p), RC_OK);
	assert_string_equal(p.source_unit, "Socialtjänsten");
}

static void unknown_and_missing_columns_are_named(void **state)
{
	struct fx *f = *state;
	const char *in = "Insats;Anmäld;Favoritfärg\nSteget vidare;2025-01-10;blå\n";
	struct import_result r;
	assert_int_equal(
	    import_participations(f->t.db, f->v, &test_actor, f->assoc, in, strlen(in), f->a, &r),
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
	assert_int_equal(
	    import_participations(f->t.db, f->v, &test_actor, f->assoc, in, strlen(in), f->a, &r),
	    RC_INVALID);
	assert_int_equal(r.nerrors, 1);
	assert_null(r.errors[0].column); /* the consent column is absent */
	assert_non_null(strstr(r.errors[0].message, "samtycke"));
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
	};
	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
