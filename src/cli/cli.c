/*
 * cli.c — every `finsam <command>`: one table dispatches and documents.
 *
 * Commands are thin: they parse arguments, open the database, call one core
 * function and print the outcome in Swedish.  Exit codes: 0 success,
 * 1 the operation failed, 2 the command line was wrong.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "../core/audit.h"
#include "../core/auth.h"
#include "../core/codes.h"
#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../core/demo.h"
#include "../core/import.h"
#include "../core/keycheck.h"
#include "../core/org.h"
#include "../db/db.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/plural.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "../util/vault.h"
#include "../web/extract.h"
#include "../web/labels.h"
#include "../web/web.h"

#define FINSAM_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *usage;
	const char *help;
};

static const struct command commands[];
static const size_t ncommands;

/* The moment the command runs: the wall clock, read once in cli_main, so
 * everything one command writes carries the same time.  (serve sets each
 * request's own.) */
static int64_t cli_now;

/* The administrator at the terminal, at the moment the command runs. */
#define CLI_ACTOR ((struct actor){0, "cli", "cli", ROLE_ADMIN, cli_now})

/* ---- helpers ------------------------------------------------------------- */

/* Value of --name VALUE in argv, or NULL. */
static const char *opt_value(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int opt_flag(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/* The n-th positional argument (options and their values skipped). */
static const char *positional(int argc, char **argv, int n, const char *const *with_value)
{
	int k = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			for (const char *const *w = with_value; w && *w; w++)
				if (strcmp(argv[i], *w) == 0) {
					i++;
					break;
				}
			continue;
		}
		if (k++ == n)
			return argv[i];
	}
	return NULL;
}

static int usage_error(const char *cmd)
{
	for (size_t i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, cmd) == 0)
			fprintf(stderr, "Användning: finsam %s\n", commands[i].usage);
	return 2;
}

#define ANCHOR_BROKEN                                                                                \
	"granskningsloggens ankare stämmer inte med loggens sista post: poster kan ha tagits "      \
	"bort eller ändrats utan nyckeln. Kör 'finsam audit verify %s' och återställ databasen " \
	"från en säkerhetskopia.\n"

/* Checks the key of an open database and attaches it (owned by db);
 * prints why not and returns -1 when the key is wrong or unusable. */
static int attach_key(struct db *db, const char *path, enum keycheck_mode mode)
{
	char msg[1200], note[1200];
	struct vault *v;
	if (keycheck_attach(db, path, mode, &v, msg, sizeof msg, note, sizeof note) != RC_OK) {
		fprintf(stderr, "finsam: %s\n", msg);
		return -1;
	}
	db_set_vault(db, v, 1);
	if (note[0])
		fprintf(stderr, "finsam: %s\n", note);
	return 0;
}

/* Opens the database at path with its checked key attached, refusing a
 * wrong key and a log whose anchor does not match; NULL with a message
 * printed. */
static struct db *open_db(const char *path)
{
	char err[1200] = "";
	struct db *db;
	if (keycheck_before_upgrade(path, err, sizeof err) != RC_OK) {
		fprintf(stderr, "finsam: %s\n", err);
		return NULL;
	}
	if (db_open(path, DB_OPEN_EXISTING, &db, err, sizeof err) != RC_OK) {
		fprintf(stderr, "finsam: %s\n", err);
		return NULL;
	}
	if (attach_key(db, path, KEYCHECK_MAY_ADOPT) != 0) {
		db_close(db);
		return NULL;
	}
	enum audit_anchor_state st;
	if (audit_anchor_check(db, &st) != RC_OK || st == AUDIT_ANCHOR_BROKEN) {
		fprintf(stderr, "finsam: ");
		fprintf(stderr, ANCHOR_BROKEN, path);
		db_close(db);
		return NULL;
	}
	return db;
}

/* Prints a field error in the user's terms: the message, and the option
 * they typed when the message alone does not say which; never the internal
 * field name. */
static void print_field_error(const struct field_error *e)
{
	static const struct {
		const char *field, *option;
	} options[] = {{"display_name", "--name"}, {"name", "--name"}, {"role", "--role"}};
	const char *option = NULL;
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		if (strcmp(e->field, options[i].field) == 0)
			option = options[i].option;
	if (option)
		fprintf(stderr, "finsam: %s (%s)\n", e->message, option);
	else
		fprintf(stderr, "finsam: %s\n", e->message);
}

/* Reads a password: one line from standard input with --password-stdin,
 * else asks twice without echo at the terminal.  0 on success, else says
 * why on stderr and returns -1; out must hold AUTH_PASSWORD_MAX + 2 bytes. */
static int read_password(int from_stdin, char *out, size_t size)
{
	if (from_stdin) {
		if (!fgets(out, (int)size, stdin)) {
			fprintf(stderr, "finsam: inget lösenord på standard in; skicka lösenordet "
			                "på en rad, till exempel från en fil med < fil.\n");
			return -1;
		}
		out[strcspn(out, "\r\n")] = '\0';
		return 0;
	}
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "finsam: det finns ingen terminal att fråga efter lösenordet i. "
		                "Lägg till --password-stdin och skicka lösenordet på en rad på "
		                "standard in.\n");
		return -1;
	}
	struct termios old, quiet;
	char again[AUTH_PASSWORD_MAX + 2];
	if (tcgetattr(STDIN_FILENO, &old) != 0) {
		fprintf(stderr, "finsam: terminalen kunde inte ställas in för att fråga efter "
		                "lösenordet; använd --password-stdin.\n");
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fprintf(stderr, "Lösenord: ");
	char *a = fgets(out, (int)size, stdin);
	fprintf(stderr, "\nUpprepa lösenordet: ");
	char *b = fgets(again, sizeof again, stdin);
	fprintf(stderr, "\n");
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (!a || !b) {
		fprintf(stderr, "finsam: inget lösenord angavs.\n");
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	again[strcspn(again, "\r\n")] = '\0';
	if (strcmp(out, again) != 0) {
		fprintf(stderr, "finsam: lösenorden är inte lika.\n");
		return -1;
	}
	return 0;
}

/* ---- commands -------------------------------------------------------------- */

/* Creates the database at path with its key file and the förbund; prints
 * what it made, and the next step unless quiet.  Returns an exit code. */
static int init_database(const char *path, const char *name, int quiet)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		fprintf(stderr, "finsam: %s finns redan; init skriver aldrig över en databas.\n",
		        path);
		return 1;
	}
	/* The database and its WAL files hold hashes and, later, encrypted
	 * personal data: readable by the owner only. */
	umask(077);
	char keypath[4096];
	if (snprintf(keypath, sizeof keypath, "%s.key", path) >= (int)sizeof keypath)
		return 2;
	enum rc rc = crypto_key_create(keypath);
	if (rc) {
		fprintf(stderr, "finsam: nyckelfilen %s kunde inte skapas%s.\n", keypath,
		        rc == RC_CONFLICT ? " (den finns redan)" : "");
		return 1;
	}
	char err[400] = "";
	struct db *db;
	if (db_open(path, DB_OPEN_CREATE, &db, err, sizeof err) != RC_OK) {
		fprintf(stderr, "finsam: %s\n", err);
		unlink(keypath);
		return 1;
	}
	/* The key check is stored now, before anything else is written. */
	if (attach_key(db, path, KEYCHECK_MAY_ADOPT) != 0) {
		db_close(db);
		return 1;
	}
	struct field_error fe;
	rc = org_association_create(db, &CLI_ACTOR, name ? name : "Nytt samordningsförbund", NULL,
	                            &fe);
	db_close(db);
	if (rc) {
		if (rc == RC_INVALID)
			print_field_error(&fe);
		return 1;
	}
	printf("Skapade %s och nyckelfilen %s (läsbar bara för dig).\n"
	       "Förvara nyckelfilen säkert och säkerhetskopiera den separat: utan den går "
	       "personuppgifterna inte att läsa.\n",
	       path, keypath);
	if (!quiet)
		printf("Nästa steg: finsam user add %s ANVÄNDARNAMN --role admin --name \"Ditt "
		       "namn\"\n",
		       path);
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	static const char *const wv[] = {"--name", NULL};
	const char *path = positional(argc, argv, 0, wv);
	if (!path)
		return usage_error(argv[0]);
	return init_database(path, opt_value(argc, argv, "--name"), 0);
}

static int cmd_serve(int argc, char **argv)
{
	static const char *const wv[] = {"--port",         "--listen",      "--threads",
	                                 "--idle-timeout", "--per-address", NULL};
	struct serve_options o = {0};
	o.db_path = positional(argc, argv, 0, wv);
	o.listen = opt_value(argc, argv, "--listen");
	const char *port = opt_value(argc, argv, "--port");
	const char *threads = opt_value(argc, argv, "--threads");
	o.behind_proxy = opt_flag(argc, argv, "--behind-proxy");
	int64_t v;
	o.port = 8080;
	if (port) {
		if (!str_to_i64(port, &v) || v < 1 || v > 65535) {
			fprintf(stderr, "finsam: --port ska vara ett tal mellan 1 och 65535.\n");
			return 2;
		}
		o.port = (int)v;
	}
	o.threads = 4;
	if (threads) {
		if (!str_to_i64(threads, &v) || v < 1 || v > 256) {
			fprintf(stderr, "finsam: --threads ska vara ett tal mellan 1 och 256.\n");
			return 2;
		}
		o.threads = (int)v;
	}
	const char *idle = opt_value(argc, argv, "--idle-timeout");
	if (idle) {
		if (!str_to_i64(idle, &v) || v < 1 || v > 3600) {
			fprintf(stderr, "finsam: --idle-timeout ska vara ett antal sekunder mellan "
			                "1 och 3600.\n");
			return 2;
		}
		o.idle_timeout = (int)v;
	}
	const char *per = opt_value(argc, argv, "--per-address");
	if (per) {
		if (!str_to_i64(per, &v) || v < 0 || v > WEB_CONNECTIONS_MAX) {
			fprintf(stderr,
			        "finsam: --per-address ska vara ett tal mellan 0 (ingen gräns) "
			        "och 512.\n");
			return 2;
		}
		o.per_address = v == 0 ? -1 : (int)v;
	}
	if (!o.db_path)
		return usage_error(argv[0]);
	return web_serve(&o) == 0 ? 0 : 1;
}

static int user_add(int argc, char **argv)
{
	static const char *const wv[] = {"--role", "--name", NULL};
	const char *path = positional(argc, argv, 1, wv);
	const char *username = positional(argc, argv, 2, wv);
	const char *role = opt_value(argc, argv, "--role");
	const char *name = opt_value(argc, argv, "--name");
	if (!path || !username || !role)
		return usage_error("user");
	enum role r = auth_role_parse(role);
	if (r == ROLE_NONE || r == ROLE_API) {
		fprintf(stderr,
		        "finsam: okänd roll %s; välj admin, forbundschef, insatsansvarig, "
		        "deltagaransvarig, styrelse eller revisor.\n",
		        role);
		return 2;
	}
	char pw[AUTH_PASSWORD_MAX + 2];
	if (read_password(opt_flag(argc, argv, "--password-stdin"), pw, sizeof pw) != 0)
		return 1;
	struct db *db = open_db(path);
	if (!db)
		return 1;
	struct field_error fe;
	enum rc rc =
	    auth_user_add(db, &CLI_ACTOR, username, name ? name : username, r, pw, NULL, &fe);
	db_close(db);
	if (rc == RC_INVALID)
		print_field_error(&fe);
	else if (rc == RC_OK)
		printf("Kontot %s (%s) är skapat.\n", username, auth_role_label(r));
	return rc ? 1 : 0;
}

static int user_passwd(int argc, char **argv)
{
	const char *path = positional(argc, argv, 1, NULL);
	const char *username = positional(argc, argv, 2, NULL);
	if (!path || !username)
		return usage_error("user");
	char pw[AUTH_PASSWORD_MAX + 2];
	if (read_password(opt_flag(argc, argv, "--password-stdin"), pw, sizeof pw) != 0)
		return 1;
	struct db *db = open_db(path);
	if (!db)
		return 1;
	struct field_error fe;
	enum rc rc = auth_user_passwd(db, &CLI_ACTOR, username, pw, &fe);
	db_close(db);
	if (rc == RC_INVALID || rc == RC_NOT_FOUND)
		print_field_error(&fe);
	else if (rc == RC_OK)
		printf("Lösenordet för %s är bytt; kontots inloggningar är avslutade.\n", username);
	return rc ? 1 : 0;
}

static int user_list(int argc, char **argv)
{
	const char *path = positional(argc, argv, 1, NULL);
	if (!path)
		return usage_error("user");
	struct db *db = open_db(path);
	if (!db)
		return 1;
	struct arena *a = arena_new(0);
	struct user *u;
	size_t n;
	enum rc rc = a ? auth_user_list(db, a, &u, &n) : RC_NOMEM;
	if (!rc) {
		/* The role is shown as the code `user add --role` takes; Ä is two
		 * bytes, so its column is one wider in bytes. */
		printf("%-21s %-18s %-8s %-12s %s\n", "ANVÄNDARNAMN", "ROLL", "STATUS", "SKAPAT",
		       "NAMN");
		for (size_t i = 0; i < n; i++) {
			char made[SVTIME_MAX];
			printf("%-20s %-18s %-8s %-12s %s\n", u[i].username,
			       auth_role_code(u[i].role), u[i].disabled ? "avstängt" : "aktivt",
			       svtime_date(made, u[i].created_at), u[i].display_name);
		}
	}
	arena_free(a);
	db_close(db);
	return rc ? 1 : 0;
}

static int user_set_disabled(int argc, char **argv, int disable)
{
	const char *path = positional(argc, argv, 1, NULL);
	const char *username = positional(argc, argv, 2, NULL);
	if (!path || !username)
		return usage_error("user");
	struct db *db = open_db(path);
	if (!db)
		return 1;
	enum rc rc = auth_user_set_disabled(db, &CLI_ACTOR, username, disable);
	db_close(db);
	if (rc == RC_NOT_FOUND)
		fprintf(stderr, "finsam: det finns inget konto %s.\n", username);
	else if (rc == RC_OK)
		printf("Kontot %s är %s.\n", username, disable ? "avstängt" : "aktiverat");
	return rc ? 1 : 0;
}

static int cmd_user(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	if (strcmp(sub, "add") == 0)
		return user_add(argc, argv);
	if (strcmp(sub, "passwd") == 0)
		return user_passwd(argc, argv);
	if (strcmp(sub, "list") == 0)
		return user_list(argc, argv);
	if (strcmp(sub, "disable") == 0)
		return user_set_disabled(argc, argv, 1);
	if (strcmp(sub, "enable") == 0)
		return user_set_disabled(argc, argv, 0);
	return usage_error(argv[0]);
}

static int cmd_token(int argc, char **argv)
{
	static const char *const wv[] = {"--role", NULL};
	const char *sub = argc > 1 ? argv[1] : "";
	const char *path = positional(argc, argv, 1, wv);
	const char *name = positional(argc, argv, 2, wv);
	if (strcmp(sub, "add") != 0 || !path || !name)
		return usage_error(argv[0]);
	const char *role = opt_value(argc, argv, "--role");
	struct db *db = open_db(path);
	if (!db)
		return 1;
	char token[CRYPTO_TOKEN_LEN + 1];
	struct field_error fe;
	enum rc rc = auth_token_create(db, &CLI_ACTOR, name, auth_role_parse(role ? role : "api"),
	                               token, NULL, &fe);
	db_close(db);
	if (rc == RC_INVALID)
		print_field_error(&fe);
	else if (rc == RC_OK)
		printf("%s\n", token);
	return rc ? 1 : 0;
}

static int cmd_demo(int argc, char **argv)
{
	const char *path = positional(argc, argv, 0, NULL);
	if (!path)
		return usage_error(argv[0]);
	struct stat st;
	if (stat(path, &st) != 0 && init_database(path, NULL, 1) != 0)
		return 1;
	struct db *db = open_db(path);
	if (!db)
		return 1;
	enum rc rc = demo_create(db, db_vault(db), &CLI_ACTOR);
	db_close(db);
	if (rc == RC_CONFLICT) {
		fprintf(stderr,
		        "finsam: %s innehåller redan uppgifter; demo fyller bara en tom databas.\n",
		        path);
		return 1;
	}
	if (rc)
		return 1;
	printf("Demoförbundet Samordningsförbundet Åsbygden är skapat i %s.\n"
	       "Konton (lösenord %s för alla):\n",
	       path, DEMO_PASSWORD);
	for (int i = 0; i < demo_account_count; i++)
		printf("  %-10s %s\n", demo_accounts[i].username,
		       auth_role_label(demo_accounts[i].role));
	return 0;
}

/* `audit head DB`: the newest entry, to write into the board's minutes. */
static int audit_print_head(const char *path)
{
	struct db *db = open_db(path);
	if (!db)
		return 1;
	struct audit_head h;
	enum rc rc = audit_head(db, &h);
	db_close(db);
	if (rc == RC_NOT_FOUND) {
		printf("Granskningsloggen är tom.\n");
		return 0;
	}
	if (rc) {
		fprintf(stderr, "finsam: loggen kunde inte läsas.\n");
		return 1;
	}
	char when[SVTIME_MAX];
	printf("Granskningsloggens senaste post: nr %lld, %s.\n", (long long)h.id,
	       svtime_datetime(when, h.at));
	printf("Kontrollvärde: %lld:%s\n"
	       "Skriv in kontrollvärdet i styrelsens protokoll. Senare visar\n"
	       "  finsam audit verify %s --head %lld:%s\n"
	       "om posten och allt före den finns kvar oförändrat.\n",
	       (long long)h.id, h.hash, path, (long long)h.id, h.hash);
	return 0;
}

/* Parses "ID:HASH" (64 hex digits); 0 on success. */
static int parse_head(const char *s, int64_t *id, char hash[65])
{
	const char *colon = strchr(s, ':');
	if (!colon || colon == s || (size_t)(colon - s) > 20 || strlen(colon + 1) != 64)
		return -1;
	char num[24];
	memcpy(num, s, (size_t)(colon - s));
	num[colon - s] = '\0';
	if (!str_to_i64(num, id) || *id < 1)
		return -1;
	for (const char *p = colon + 1; *p; p++)
		if (!strchr("0123456789abcdef", *p))
			return -1;
	memcpy(hash, colon + 1, 65);
	return 0;
}

static int cmd_audit(int argc, char **argv)
{
	static const char *const wv[] = {"--head", NULL};
	const char *sub = argc > 1 ? argv[1] : "";
	const char *path = positional(argc, argv, 1, wv);
	if (!path)
		return usage_error(argv[0]);
	if (strcmp(sub, "head") == 0)
		return audit_print_head(path);
	if (strcmp(sub, "verify") != 0)
		return usage_error(argv[0]);
	const char *head = opt_value(argc, argv, "--head");
	int64_t head_id = 0;
	char head_hash[65] = "";
	if ((head || opt_flag(argc, argv, "--head")) &&
	    (!head || parse_head(head, &head_id, head_hash))) {
		fprintf(stderr, "finsam: --head ska vara kontrollvärdet från 'finsam audit head', "
		                "nummer:hash.\n");
		return 2;
	}
	/* A check only: the database is neither upgraded nor written to (no
	 * key is adopted here). */
	char err[400] = "";
	struct db *db;
	if (db_open(path, DB_OPEN_AS_IS, &db, err, sizeof err) != RC_OK) {
		fprintf(stderr, "finsam: %s\n", err);
		return 1;
	}
	/* Without the key file (a copy handed to an auditor) the chain and a
	 * head from the minutes can still be checked, the anchor not.  A
	 * database from before anchors has none to check yet. */
	char keyfile[4096];
	struct stat st;
	int have_key =
	    vault_keyfile_for(path, keyfile, sizeof keyfile) == 0 && lstat(keyfile, &st) == 0;
	int old_schema = db_opened_version(db) < KEYCHECK_SCHEMA;
	if (have_key && !old_schema && attach_key(db, path, KEYCHECK_READ_ONLY) != 0) {
		db_close(db);
		printf("Granskningsloggen kan inte litas på: nyckelkontrollen saknas eller stämmer "
		       "inte.\n");
		return 1;
	}
	int64_t count, bad;
	enum rc rc = audit_verify(db, &count, &bad);
	enum audit_anchor_state anchor = AUDIT_ANCHOR_UNSET;
	enum rc arc =
	    have_key && !old_schema && rc != RC_DB ? audit_anchor_check(db, &anchor) : RC_OK;
	enum rc hrc = head_id && rc != RC_DB ? audit_find(db, head_id, head_hash) : RC_OK;
	db_close(db);
	if (rc == RC_DB || arc || hrc == RC_DB) {
		fprintf(stderr, "finsam: loggen kunde inte läsas.\n");
		return 1;
	}
	int broken = rc != RC_OK;
	char n[PLURAL_MAX];
	sv_count(n, sizeof n, count, "post", "poster");
	if (rc != RC_OK)
		printf("Granskningsloggen är BRUTEN: post %lld stämmer inte med kedjan "
		       "(%s kontrollerade).\n",
		       (long long)bad, n);
	if (old_schema)
		printf("Databasen är från en äldre version av finsam och har ännu inget ankare; "
		       "det skrivs första gången databasen öppnas med sin nyckel (t.ex. finsam "
		       "serve).\n");
	else if (!have_key)
		printf("Nyckelfilen %s saknas, så ankaret kontrollerades inte; jämför med ett "
		       "kontrollvärde ur protokollet med --head.\n",
		       keyfile);
	else if (anchor == AUDIT_ANCHOR_OK)
		printf("Ankaret stämmer: loggen slutar där den senast skrevs.\n");
	else if (anchor == AUDIT_ANCHOR_UNSET)
		printf("Loggen har inget ankare än.\n");
	else {
		printf("ANKARET stämmer inte: poster i slutet av loggen har tagits bort eller "
		       "ändrats, eller ankaret har ändrats.\n");
		broken = 1;
	}
	if (head_id && hrc == RC_OK)
		printf("Post %lld finns kvar oförändrad.\n", (long long)head_id);
	else if (head_id) {
		printf(hrc == RC_NOT_FOUND ? "Post %lld SAKNAS: loggen har kortats.\n"
		                           : "Post %lld är ÄNDRAD: den stämmer inte med "
		                             "kontrollvärdet.\n",
		       (long long)head_id);
		broken = 1;
	}
	if (!broken)
		printf("Granskningsloggen är hel: %s, kedjan stämmer.\n", n);
	else if (rc == RC_OK)
		printf("Kedjan i sig stämmer (%s kontrollerade), men loggen är inte hel.\n", n);
	return broken ? 1 : 0;
}

static const char *or_dash(const char *s)
{
	return str_blank(s) ? "–" : s;
}

static const char *date_or_dash(char d[SVTIME_MAX], const char *v)
{
	return str_blank(v) ? "–" : svtime_date(d, v);
}

/* One participation of the register extract as readable Swedish text. */
static void extract_print_part(struct db *db, struct arena *a, const struct user *u, size_t nu,
                               const struct extract_participation *p)
{
	char d1[SVTIME_MAX], d2[SVTIME_MAX];
	printf("\nDeltagande %lld i %s\n", (long long)p->id, or_dash(p->intervention_name));
	printf("  Namn: %s\n  Personuppgifterna registrerades: %s\n  Status: %s\n  Kön: %s\n",
	       or_dash(p->name), svtime_datetime(d1, p->registered_at),
	       label_or(label_state(p->state), "Okänd status"), org_label(label_sexes, p->sex));
	if (p->birth_year)
		printf("  Födelseår: %d\n", p->birth_year);
	printf("  Anmäld: %s\n  Anmäld av: %s\n", date_or_dash(d1, p->referred_on),
	       label_code(db, a, "referral_source", p->source));
	if (p->source_member_name)
		printf("  Anmälande medlem: %s\n", p->source_member_name);
	if (p->source_unit)
		printf("  Anmälande enhet: %s\n", p->source_unit);
	printf("  Hemkommun: %s\n", or_dash(p->home_area_name));
	if (p->home_district_name)
		printf("  Stadsdel: %s\n", p->home_district_name);
	printf("  Startdatum: %s\n", date_or_dash(d1, p->start_on));
	printf("  Slutdatum: %s\n  Avslutsorsak: %s\n  Räknas i statistiken: %s\n",
	       date_or_dash(d1, p->end_on),
	       p->end_reason ? label_code(db, a, "end_reason", p->end_reason) : "–",
	       p->counts ? "Ja" : "Nej");
	printf("  Samtycke:\n");
	if (!p->nconsents)
		printf("    Inget samtycke registrerat.\n");
	for (size_t j = 0; j < p->nconsents; j++) {
		const struct extract_consent *c = &p->consents[j];
		printf("    Lämnat %s (blankettversion %s), registrerat av %s",
		       date_or_dash(d1, c->given_on), or_dash(c->form_version),
		       label_actor_in(a, u, nu, c->collected_by ? c->collected_by : "cli"));
		if (c->withdrawn_on)
			printf(", återkallat %s", date_or_dash(d2, c->withdrawn_on));
		printf("\n");
	}
	printf("  Registrerade uppgifter:\n");
	if (!p->nanswers)
		printf("    Inga uppgifter registrerade.\n");
	for (size_t j = 0; j < p->nanswers; j++) {
		const struct extract_answer *x = &p->answers[j];
		printf("    %s, %s: %s",
		       x->phase && strcmp(x->phase, "start") == 0 ? "Start" : "Avslut",
		       org_label(label_answer_lists, x->list), label_code(db, a, x->list, x->code));
		if (x->extent >= 0)
			printf(" (omfattning %d %%)", x->extent);
		printf("\n");
	}
	printf("  Historik:\n");
	if (!p->nhistory)
		printf("    Ingen historik.\n");
	for (size_t j = 0; j < p->nhistory; j++) {
		const struct history_entry *h = &p->history[j].e;
		printf("    %s, %s: %s ändrades från %s till %s\n", svtime_datetime(d1, h->at),
		       label_actor_in(a, u, nu, h->actor),
		       label_or(label_history_field(h->field), "Annan uppgift"),
		       label_history_value(db, a, h->field, h->old_value),
		       label_history_value(db, a, h->field, h->new_value));
	}
	printf("  Deltagartimmar:\n");
	if (!p->nattendance)
		printf("    Inga timmar registrerade.\n");
	for (size_t j = 0; j < p->nattendance; j++)
		printf("    %s: %lld,%lld timmar\n", svtime_month(d1, p->attendance[j].month),
		       (long long)(p->attendance[j].hours_tenths / 10),
		       (long long)(p->attendance[j].hours_tenths % 10));
}

/* The register extract as readable Swedish text on stdout; the accounts
 * name who did what (RC_OK or the failure to read them). */
static enum rc extract_print(struct db *db, struct arena *a, const struct register_extract *x)
{
	char d1[SVTIME_MAX], d2[SVTIME_MAX], n[PLURAL_MAX];
	struct user *u = NULL;
	size_t nu = 0;
	enum rc rc = auth_user_list(db, a, &u, &nu);
	if (rc)
		return rc;
	printf("Registerutdrag för %s\n", x->pnr);
	if (x->name)
		printf("Namn: %s\n", x->name);
	if (x->first_registered)
		printf("Först registrerad: %s\n", svtime_datetime(d1, x->first_registered));
	printf("Utdraget gjort: %s\n", date_or_dash(d2, x->made_on));
	if (!x->nparts) {
		printf("\nInga uppgifter finns sparade om personen.\n");
		return RC_OK;
	}
	printf("%s\n", sv_count(n, sizeof n, (long long)x->nparts, "deltagande", "deltaganden"));
	for (size_t i = 0; i < x->nparts; i++)
		extract_print_part(db, a, u, nu, &x->parts[i]);
	return RC_OK;
}

/* Why the extract could not be made, in the administrator's words. */
static const char *extract_failure(enum rc rc)
{
	switch (rc) {
	case RC_NOMEM: return "Minnet räckte inte till registerutdraget.";
	case RC_IO:
		return "En sparad identitet gick inte att öppna med nyckeln (fel nyckel eller "
		       "ändrade uppgifter).";
	case RC_DB_FULL: return "Disken eller databasens storleksgräns är full.";
	case RC_DB_READONLY: return "Databasen går inte att skriva (uttaget ska loggas).";
	case RC_DB_IO: return "Databasfilen går inte att läsa eller skriva.";
	case RC_DB_BUSY: return "Databasen var upptagen av en annan skrivning; försök igen.";
	case RC_CONFLICT: return "Granskningsloggen går inte att skriva: dess ankare stämmer inte.";
	default: return "Databasen svarade med ett fel.";
	}
}

static int cmd_extract(int argc, char **argv)
{
	const char *path = positional(argc, argv, 0, NULL);
	const char *pnr = positional(argc, argv, 1, NULL);
	if (!path || !pnr)
		return usage_error(argv[0]);
	struct arena *a = arena_new(0);
	if (!a) {
		fprintf(stderr, "Minnet räckte inte till registerutdraget.\n");
		return 1;
	}
	struct db *db = open_db(path);
	if (!db) {
		arena_free(a);
		return 1;
	}
	struct register_extract x;
	struct field_error fe = {0};
	enum rc rc = personal_extract(db, db_vault(db), &CLI_ACTOR, pnr, a, &x, &fe);
	char *s = NULL;
	if (rc == RC_INVALID)
		print_field_error(&fe);
	else if (!rc && !opt_flag(argc, argv, "--json"))
		rc = extract_print(db, a, &x);
	else if (!rc) {
		json_t *doc = extract_json(&x);
		s = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
		json_decref(doc);
		if (s)
			printf("%s\n", s);
		else
			rc = RC_NOMEM;
	}
	free(s);
	if (rc && rc != RC_INVALID)
		fprintf(stderr, "finsam: %s Inget utdrag skrevs ut.\n", extract_failure(rc));
	db_close(db);
	arena_free(a);
	return rc || fflush(stdout) ? 1 : 0;
}

static ssize_t file_read(void *ctx, char *buf, size_t n)
{
	FILE *fp = ctx;
	size_t got = fread(buf, 1, n, fp);
	return got == 0 && ferror(fp) ? -1 : (ssize_t)got;
}

static int file_rewind(void *ctx)
{
	FILE *fp = ctx;
	clearerr(fp);
	return fseek(fp, 0, SEEK_SET);
}

/* Prints an import's errors to stderr: the kept ones, then how many in
 * all when more were found than kept. */
static void print_import_errors(const struct import_result *res)
{
	for (size_t i = 0; i < res->nerrors; i++) {
		const struct import_error *e = &res->errors[i];
		if (e->line && e->column)
			fprintf(stderr, "  rad %zu, kolumn %s: %s\n", e->line, e->column,
			        e->message);
		else if (e->line)
			fprintf(stderr, "  rad %zu: %s\n", e->line, e->message);
		else
			fprintf(stderr, "  %s\n", e->message);
	}
	if (res->errors_total > res->nerrors) {
		char more[PLURAL_MAX], all[PLURAL_MAX], shown[PLURAL_MAX];
		fprintf(stderr, "  … och %s fel till: %s fel i hela filen, de första %s visas.\n",
		        sv_number(more, sizeof more, (long long)(res->errors_total - res->nerrors)),
		        sv_number(all, sizeof all, (long long)res->errors_total),
		        sv_number(shown, sizeof shown, (long long)res->nerrors));
	}
}

/* `import participations DB FILE`: streams the file (any size; memory
 * stays flat), all rows in one transaction or none. */
static int cmd_import(int argc, char **argv)
{
	const char *what = positional(argc, argv, 0, NULL);
	const char *path = positional(argc, argv, 1, NULL);
	const char *file = positional(argc, argv, 2, NULL);
	if (!what || strcmp(what, "participations") != 0 || !path || !file)
		return usage_error(argv[0]);
	FILE *fp = fopen(file, "rb");
	if (!fp) {
		fprintf(stderr, "finsam: filen %s kunde inte öppnas.\n", file);
		return 1;
	}
	struct db *db = open_db(path);
	const struct vault *v = db ? db_vault(db) : NULL;
	struct arena *a = arena_new(0);
	struct association as;
	struct import_result res = {0};
	enum rc rc = !db || !v ? RC_IO : !a ? RC_NOMEM : org_association_current(db, a, &as);
	if (!rc) {
		struct import_input in = {file_read, file_rewind, fp, 0, 0, file};
		rc = import_participations_from(db, v, &CLI_ACTOR, as.id, &in, a, &res);
	}
	if (rc == RC_OK) {
		char rows[PLURAL_MAX], starts[PLURAL_MAX], ends[PLURAL_MAX];
		printf(
		    "Importerade %s (%s, %s)%s.\n",
		    sv_count(rows, sizeof rows, (long long)res.rows, "deltagande", "deltaganden"),
		    sv_count(starts, sizeof starts, (long long)res.starts, "start", "starter"),
		    sv_count(ends, sizeof ends, (long long)res.ends, "avslut", "avslut"),
		    res.from_cp1252 ? "; filen lästes som Windows-1252" : "");
	} else if (rc == RC_INVALID) {
		fprintf(stderr, "Inget importerades. Rätta följande och försök igen:\n");
		print_import_errors(&res);
	} else if (res.nerrors) {
		fprintf(stderr, "finsam: inget importerades.\n");
		print_import_errors(&res);
	} else if (rc == RC_NOMEM) {
		fprintf(stderr, "finsam: minnet räckte inte till importen. Inget importerades.\n");
	}
	arena_free(a);
	db_close(db);
	fclose(fp);
	return rc ? 1 : 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("finsam %s (databasschema %d)\n", FINSAM_VERSION, db_schema_latest());
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : NULL;
	if (which) {
		for (size_t i = 0; i < ncommands; i++)
			if (strcmp(commands[i].name, which) == 0) {
				printf("Användning: finsam %s\n\n%s\n", commands[i].usage,
				       commands[i].help);
				return 0;
			}
		fprintf(stderr, "finsam: okänt kommando %s\n", which);
		return 2;
	}
	printf("finsam – uppföljning, styrelsearbete och ekonomi för samordningsförbund\n\n"
	       "Kommandon:\n");
	for (size_t i = 0; i < ncommands; i++)
		printf("  finsam %s\n", commands[i].usage);
	printf("\nMer om ett kommando: finsam help KOMMANDO\n");
	return 0;
}

static const struct command commands[] = {
    {"init", cmd_init, "init DB [--name NAMN]",
     "Skapar en ny databas och en nyckelfil DB.key bredvid den (läsbar bara för ägaren).\n"
     "Nyckeln krypterar personuppgifter; säkerhetskopiera den separat från databasen."},
    {"serve", cmd_serve,
     "serve DB [--port N] [--listen ADRESS] [--threads N] [--behind-proxy] "
     "[--idle-timeout SEKUNDER] [--per-address N]",
     "Serverar webbgränssnittet och JSON-API:t (standard 127.0.0.1:8080).\n"
     "--behind-proxy: lita på X-Forwarded-Proto/-For från en lokal omvänd proxy med TLS.\n"
     "--idle-timeout: stäng en anslutning som varit tyst så länge (standard 10 s).\n"
     "--per-address: högst så många samtidiga anslutningar från en adress (standard 32,\n"
     "0 = ingen gräns). Bakom en proxy kommer alla från proxyns adress, så där är\n"
     "standard ingen gräns: begränsa per klient i proxyn i stället."},
    {"user", cmd_user,
     "user add|passwd|list|disable|enable DB [ANVÄNDARNAMN] [--role ROLL] [--name NAMN] "
     "[--password-stdin]",
     "Hanterar konton. Roller: admin, forbundschef, insatsansvarig, deltagaransvarig,\n"
     "styrelse, revisor. Lösenordet läses utan eko, eller som en rad från standard in."},
    {"token", cmd_token, "token add DB NAMN [--role api|revisor]",
     "Skapar en API-nyckel för en integration och skriver ut den en enda gång."},
    {"demo", cmd_demo, "demo DB",
     "Skapar (vid behov) databasen och fyller den med ett påhittat demoförbund\n"
     "med medlemmar, organ, personer, uppdrag och ett konto per roll."},
    {"audit", cmd_audit, "audit verify|head DB [--head NUMMER:HASH]",
     "verify: kontrollerar att granskningsloggens hashkedja är obruten och att ankaret\n"
     "(signerat med nyckelfilen) stämmer med sista posten, så att borttagna poster syns.\n"
     "--head: kontrollerar dessutom att en post ur protokollet finns kvar oförändrad.\n"
     "head: skriver ut senaste postens kontrollvärde, att föra in i styrelsens protokoll."},
    {"extract", cmd_extract, "extract DB PERSONNUMMER [--json]",
     "Registerutdrag: skriver ut allt som finns sparat om personen, som läsbar text.\n"
     "--json: skriver ut samma uppgifter som JSON, för maskinell behandling.\n"
     "Uttaget loggas i granskningsloggen."},
    {"import", cmd_import, "import participations DB FIL.csv",
     "Importerar deltaganden från ett kalkylark sparat som CSV (semikolon eller komma,\n"
     "UTF-8 eller Windows-1252). Rubrikraden anger kolumnerna: Insats, Anmäld, Anmäld av,\n"
     "Kön, Personnummer, Namn, Samtycke, Blankett, Hemkommun, Stadsdel, Startdatum,\n"
     "Slutdatum, Avslutsorsak, Försörjning före, Sysselsättning före, Utbildning,\n"
     "Tid i försörjning, Försörjning efter, Sysselsättning efter.\n"
     "Alla rader sparas, eller ingen; fel listas med rad och kolumn (de första 200,\n"
     "och hur många de är). Filen läses rad för rad, så den får vara hur stor som helst."},
    {"version", cmd_version, "version", "Skriver ut programversion och databasschema."},
    {"help", cmd_help, "help [KOMMANDO]", "Visar hjälp."},
};
static const size_t ncommands = sizeof commands / sizeof commands[0];

int cli_main(int argc, char **argv)
{
	if (crypto_setup() != 0) {
		fprintf(stderr, "finsam: libsodium kunde inte startas.\n");
		return 1;
	}
	cli_now = (int64_t)time(NULL);
	if (argc < 2)
		return cmd_help(0, NULL);
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	if (strcmp(name, "--version") == 0)
		name = "version";
	for (size_t i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "finsam: okänt kommando %s. Se 'finsam help'.\n", name);
	return 2;
}
