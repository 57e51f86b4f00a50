/* Unit tests for the Swedish labels of the core's codes: every action,
 * object type, history field and state the core can write has a label.
 * The codes are found by reading the core's source, so a code added later
 * without a label fails here.  Runs from the repository root. */
#include <ctype.h>
#include <dirent.h>

#include "testutil.h"
#include "web/labels.h"
#include "web/web.h"

/* The whole file in malloc'd memory; the caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

#define MAX_ARGS 10

/* The arguments of the call whose '(' is at open: start and length of each,
 * split at top-level commas.  Returns the number of arguments. */
static int call_args(const char *open, const char *start[MAX_ARGS], size_t len[MAX_ARGS])
{
	int depth = 0, n = 0;
	const char *a = open + 1;
	for (const char *p = open; *p; p++) {
		if (*p == '"') { /* skip a string literal */
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0) {
			if (n < MAX_ARGS) {
				start[n] = a;
				len[n++] = (size_t)(p - a);
			}
			return n;
		} else if (*p == ',' && depth == 1 && n < MAX_ARGS) {
			start[n] = a;
			len[n++] = (size_t)(p - a);
			a = p + 1;
		}
	}
	return n;
}

typedef const char *(*labeller)(const char *);

/* Checks each string literal in arg; returns how many it found. */
static int check_literals(const char *file, const char *arg, size_t len, labeller label,
                          const char *what)
{
	int found = 0;
	for (const char *p = arg; p < arg + len; p++) {
		if (*p != '"')
			continue;
		const char *e = strchr(p + 1, '"');
		char code[64];
		size_t n = (size_t)(e - p - 1);
		assert_true(n < sizeof code);
		memcpy(code, p + 1, n);
		code[n] = '\0';
		if (!label(code))
			fail_msg("%s: the %s code \"%s\" has no Swedish label in src/web/labels.c",
			         file, what, code);
		found++;
		p = e;
	}
	return found;
}

/* Every call of fn in text (not its definition); calls check on each. */
static int each_call(const char *text, const char *fn, const char *file,
                     void (*check)(const char *file, const char **a, size_t *l, int n))
{
	int calls = 0;
	size_t fl = strlen(fn);
	for (const char *p = strstr(text, fn); p; p = strstr(p + 1, fn)) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (p[fl] != '(')
			continue;
		const char *a[MAX_ARGS];
		size_t l[MAX_ARGS];
		int n = call_args(p + fl, a, l);
		while (n && isspace((unsigned char)*a[0]))
			a[0]++, l[0]--;
		if (n && strncmp(a[0], "struct db", 9) == 0)
			continue; /* the definition or a declaration */
		check(file, a, l, n);
		calls++;
	}
	return calls;
}

static void check_audit(const char *file, const char **a, size_t *l, int n)
{
	assert_int_equal(n, 6);
	if (!check_literals(file, a[2], l[2], label_audit_action, "audit action"))
		fail_msg("%s: an audit action that is not a literal: %.*s", file, (int)l[2], a[2]);
	if (!check_literals(file, a[3], l[3], label_audit_object, "audit object"))
		fail_msg("%s: an audit object that is not a literal: %.*s", file, (int)l[3], a[3]);
}

static int history_fields_seen;

static void check_history(const char *file, const char **a, size_t *l, int n)
{
	assert_int_equal(n, 6);
	history_fields_seen +=
	    check_literals(file, a[3], l[3], label_history_field, "history field");
	/* The values of a change of state are states. */
	const char *f = a[3];
	while (isspace((unsigned char)*f))
		f++;
	if (strncmp(f, "\"state\"", 7) == 0) {
		check_literals(file, a[4], l[4], label_state, "state");
		check_literals(file, a[5], l[5], label_state, "state");
	}
}

/* The state machine's transition_finish(db, who, id, t, cur, counts, field,
 * value, tally) writes the history of field. */
static void check_transition(const char *file, const char **a, size_t *l, int n)
{
	assert_int_equal(n, 9);
	history_fields_seen +=
	    check_literals(file, a[6], l[6], label_history_field, "history field");
}

/* The states a transition table names ({from, to, ...}) are states. */
static void check_transition_tables(const char *file, const char *text)
{
	static const char mark[] = "static const struct transition ";
	for (const char *p = strstr(text, mark); p; p = strstr(p + 1, mark)) {
		const char *b = strchr(p, '{');
		const char *semi = strchr(p, ';');
		if (!b || (semi && semi < b))
			continue; /* a declaration without a table */
		const char *a[MAX_ARGS];
		size_t l[MAX_ARGS];
		/* The initializer read as arguments: {from, to, ...} */
		char *copy = strdup(b);
		assert_non_null(copy);
		copy[0] = '(';
		char *close = strchr(copy, '}');
		assert_non_null(close);
		*close = ')';
		int n = call_args(copy, a, l);
		assert_true(n >= 2);
		check_literals(file, a[0], l[0], label_state, "state");
		check_literals(file, a[1], l[1], label_state, "state");
		free(copy);
	}
}

static void every_code_the_core_writes_has_a_label(void **state)
{
	(void)state;
	DIR *d = opendir("src/core");
	assert_non_null(d);
	int audit_calls = 0, history_calls = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
			continue;
		char path[300];
		snprintf(path, sizeof path, "src/core/%s", e->d_name);
		char *text = slurp(path);
		audit_calls += each_call(text, "audit_append", path, check_audit);
		history_calls += each_call(text, "participation_history_add", path, check_history);
		history_calls += each_call(text, "transition_finish", path, check_transition);
		check_transition_tables(path, text);
		/* Fields a correction may name reach the history as c->field. */
		for (const char *p = strstr(text, "strcmp(c->field, \""); p;
		     p = strstr(p + 1, "strcmp(c->field, \"")) {
			const char *q = p + strlen("strcmp(c->field, ");
			check_literals(path, q, strchr(q + 1, '"') - q + 1, label_history_field,
			               "corrected field");
		}
		free(text);
	}
	closedir(d);
	/* The walk found the calls it is meant to check. */
	assert_true(audit_calls >= 30);
	assert_true(history_calls >= 8);
	assert_true(history_fields_seen >= 8);
}

static void unknown_codes_are_not_labelled(void **state)
{
	(void)state;
	assert_null(label_audit_action("no_such_action"));
	assert_null(label_history_field(NULL));
	assert_string_equal(label_or(label_state("bogus"), "Okänd status"), "Okänd status");
	assert_string_equal(label_audit_action("view_identity"), "Visade identitet");
	assert_string_equal(label_audit_action("login"), "Inloggning");
	assert_string_equal(label_history_field("start_on"), "Startdatum");
	assert_string_equal(label_state("queued"), "I kö");
	assert_string_equal(label_audit_object("participation"), "Deltagande");
}

/* The detail cell of one audit row, as the log page shows it. */
static const char *detail_cell(struct req *r, const struct user_names *un, const char *action,
                               const char *detail)
{
	struct audit_entry e = {
	    1, "2026-11-23T12:00:00Z", "admin", action, "intervention", "8", "127.0.0.1", detail};
	buf_reset(&r->out);
	web_audit_cells(r, un, &e);
	const char *cells = buf_cstr(&r->out);
	const char *d = strstr(cells, "data-label=\"Detalj\">");
	assert_non_null(d);
	d += strlen("data-label=\"Detalj\">");
	const char *end = strstr(d, "</td>");
	assert_non_null(end);
	return arena_strndup(r->arena, d, (size_t)(end - d));
}

/* A staffing change's detail names the role in words (and the account, when
 * the core records its id), never the code. */
static void staff_changes_show_the_role_in_words(void **state)
{
	(void)state;
	struct req r = {0};
	r.arena = arena_new(0);
	buf_init(&r.out, 0);
	struct user u[1] = {{4, "anna", "Anna Berg", ROLE_CASEWORKER, 0, ""}};
	struct user_names un = {u, 1};

	assert_string_equal(detail_cell(&r, &un, "staff_add", "insatsansvarig"), "Insatsansvarig");
	assert_string_equal(detail_cell(&r, &un, "staff_remove", "deltagaransvarig"),
	                    "Deltagaransvarig");
	assert_string_equal(detail_cell(&r, &un, "staff_add", "deltagaransvarig:4"),
	                    "Deltagaransvarig: Anna Berg");
	assert_string_equal(detail_cell(&r, &un, "staff_remove", "insatsansvarig:9"),
	                    "Insatsansvarig: borttaget konto");
	assert_string_equal(detail_cell(&r, &un, "staff_add", "bogus"), "Okänd roll");
	assert_string_equal(detail_cell(&r, &un, "staff_add", "insatsansvarigx"), "Okänd roll");
	buf_release(&r.out);
	arena_free(r.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_code_the_core_writes_has_a_label),
	    cmocka_unit_test(unknown_codes_are_not_labelled),
	    cmocka_unit_test(staff_changes_show_the_role_in_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
