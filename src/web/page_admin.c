/*
 * page_admin.c — administration: user accounts, API tokens for
 * integrations, and the audit log.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/audit.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "form.h"
#include "labels.h"
#include "pages.h"

/* Roles an account can have (API clients get tokens, not accounts). */
static const struct org_code account_roles[] = {{"admin", "Administratör"},
                                                {"forbundschef", "Förbundschef"},
                                                {"insatsansvarig", "Insatsansvarig"},
                                                {"deltagaransvarig", "Deltagaransvarig"},
                                                {"styrelse", "Styrelse"},
                                                {"revisor", "Revisor"},
                                                {NULL, NULL}};

static const struct org_code token_roles[] = {{"api", "API-klient (läsa och ändra organisationen)"},
                                              {"revisor", "Revisor (bara läsa)"},
                                              {NULL, NULL}};

static const struct field user_fields[] = {
    {"username", "Användarnamn", FT_TEXT, 1, 60, NULL,
     "Små bokstäver a–z, siffror och punkt, som anna.berg.", "off"},
    {"display_name", "Namn", FT_TEXT, 1, 120, NULL, NULL, "off"},
    {"role", "Roll", FT_SELECT, 1, 30, account_roles, NULL, NULL},
    {"password", "Första lösenord", FT_PASSWORD, 1, 200, NULL,
     "Minst 10 tecken. Lämna det till personen på ett säkert sätt.", "new-password"},
};

static void users_page(struct req *r, struct form *f)
{
	struct user *u;
	size_t n;
	enum rc rc = auth_user_list(r->db, r->arena, &u, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Användare");
	html_printf(b,
	            "<h1>Användare</h1><table class=\"wide\"><caption>Konton</caption><thead><tr>"
	            "<th scope=\"col\">Användarnamn</th><th scope=\"col\">Namn</th>"
	            "<th scope=\"col\">Roll</th><th scope=\"col\">Skapat</th>"
	            "<th scope=\"col\">Status</th>"
	            "<th scope=\"col\">Åtgärder</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		char made[SVTIME_MAX];
		html_printf(
		    b,
		    "<tr><td data-label=\"Användarnamn\">%s</td><td data-label=\"Namn\">%s</td>"
		    "<td data-label=\"Roll\">%s</td><td data-label=\"Skapat\">%s</td>"
		    "<td data-label=\"Status\">%s</td><td data-label=\"Åtgärder\">",
		    u[i].username, u[i].display_name, auth_role_label(u[i].role),
		    svtime_date(made, u[i].created_at), u[i].disabled ? "Avstängt" : "Aktivt");
		/* Enabling is one click; disabling goes through a confirmation. */
		if (u[i].disabled)
			html_printf(b,
			            "<form class=\"inline\" method=\"post\" "
			            "action=\"/anvandare/%lld/aktivera\">"
			            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			            "<button type=\"submit\" class=\"secondary\">Aktivera "
			            "<span class=\"visually-hidden\">%s</span></button></form> ",
			            (long long)u[i].id, r->who.csrf, u[i].username);
		else
			html_printf(b,
			            "<a href=\"/anvandare/%lld/stang-av\">Stäng av "
			            "<span class=\"visually-hidden\">%s</span> …</a> ",
			            (long long)u[i].id, u[i].username);
		html_printf(b,
		            "<a href=\"/anvandare/%lld/losenord\">Nytt lösenord "
		            "<span class=\"visually-hidden\">för %s</span></a></td></tr>",
		            (long long)u[i].id, u[i].username);
	}
	html_printf(b, "</tbody></table><h2>Nytt konto</h2>");
	form_render(b, f, "/anvandare", r->who.csrf, "Skapa konto");
	page_end(r);
}

void page_users(struct req *r)
{
	struct form f;
	FORM_INIT(&f, user_fields);
	users_page(r, &f);
}

void page_users_post(struct req *r)
{
	struct form f;
	FORM_INIT(&f, user_fields);
	form_read_kv(&f, r->arena, &r->form);
	struct field_error err = {0};
	enum rc rc = form_check(&f);
	if (!rc)
		rc = auth_user_add(
		    r->db, &r->actor, form_get(&f, "username"), form_get(&f, "display_name"),
		    auth_role_parse(form_get(&f, "role")), form_get(&f, "password"), NULL, &err);
	if (post_answered(r, rc, "/anvandare", "konto", &f, &err))
		return;
	users_page(r, &f);
}

/* The confirmation before an account is disabled; error at the top. */
static void disable_page(struct req *r, const struct user *u, const char *error)
{
	struct confirm c = {arena_printf(r->arena, "Stäng av kontot %s", u->username),
	                    "Kontot stängs av",
	                    {arena_printf(r->arena,
	                                  "%s kan inte logga in förrän kontot aktiveras igen. Alla "
	                                  "inloggningar med kontot avslutas nu.",
	                                  u->display_name),
	                     NULL},
	                    arena_printf(r->arena, "/anvandare/%lld/stang-av", (long long)u->id),
	                    "Jag förstår att kontot inte kan logga in förrän det aktiveras igen",
	                    "Stäng av kontot",
	                    "/anvandare",
	                    "Avbryt, stäng inte av",
	                    NULL};
	confirm_page_begin(r, &c, error);
	confirm_page_end(r, &c, error);
}

static void set_disabled(struct req *r, int disable)
{
	struct user u;
	enum rc rc = auth_user_get(r->db, r->ids[0], &u);
	if (!rc && disable && u.id == r->who.user_id) {
		respond_error(r, 409, "Du kan inte stänga av ditt eget konto.");
		return;
	}
	if (!rc && disable && !u.disabled && !confirm_given(r)) {
		r->status = 422;
		disable_page(r, &u, CONFIRM_MISSING);
		return;
	}
	if (!rc)
		rc = auth_user_set_disabled(r->db, &r->actor, u.username, disable);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	req_redirect_done(r, "/anvandare", disable ? "avstangt" : "aktiverat");
}

void page_user_disable(struct req *r)
{
	struct user u;
	enum rc rc = auth_user_get(r->db, r->ids[0], &u);
	if (!rc && u.id == r->who.user_id) {
		respond_error(r, 409, "Du kan inte stänga av ditt eget konto.");
		return;
	}
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	disable_page(r, &u, NULL);
}

void page_user_disable_post(struct req *r)
{
	set_disabled(r, 1);
}

void page_user_enable_post(struct req *r)
{
	set_disabled(r, 0);
}

static const struct field reset_fields[] = {
    {"password", "Nytt lösenord", FT_PASSWORD, 1, 200, NULL,
     "Minst 10 tecken. Personens inloggningar avslutas.", "new-password"},
};

static void user_password_page(struct req *r, struct form *f)
{
	struct user u;
	enum rc rc = auth_user_get(r->db, r->ids[0], &u);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	char *title = arena_printf(r->arena, "Nytt lösenord för %s", u.username);
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1>", title);
	form_render(&r->out, f, r->path, r->who.csrf, "Spara lösenord");
	html_printf(&r->out, "<p><a href=\"/anvandare\">Tillbaka till användarna</a></p>");
	page_end(r);
}

void page_user_password(struct req *r)
{
	struct form f;
	FORM_INIT(&f, reset_fields);
	user_password_page(r, &f);
}

void page_user_password_post(struct req *r)
{
	struct form f;
	FORM_INIT(&f, reset_fields);
	form_read_kv(&f, r->arena, &r->form);
	struct user u;
	enum rc rc = auth_user_get(r->db, r->ids[0], &u);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct field_error err = {0};
	rc = form_check(&f);
	if (!rc)
		rc = auth_user_passwd(r->db, &r->actor, u.username, form_get(&f, "password"), &err);
	if (post_answered(r, rc, "/anvandare", "losenord", &f, &err))
		return;
	user_password_page(r, &f);
}

/* ---- API tokens ---------------------------------------------------------- */

static const struct field token_fields[] = {
    {"name", "Namn på nyckeln", FT_TEXT, 1, 70, NULL, "Vad integrationen är, som Ekonomisystemet.",
     "off"},
    {"role", "Behörighet", FT_SELECT, 1, 20, token_roles, NULL, NULL},
};

static void tokens_page(struct req *r, struct form *f, const char *new_token)
{
	struct api_token_info *t;
	size_t n;
	enum rc rc = auth_token_list(r->db, r->arena, &t, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "API-nycklar");
	html_printf(b, "<h1>API-nycklar</h1><p>Nycklar låter andra system läsa och ändra uppgifter "
	               "genom <code>/api/v1/</code>. Skicka nyckeln i huvudet "
	               "<code>Authorization: Bearer &lt;nyckel&gt;</code>.</p>");
	if (new_token)
		html_printf(b,
		            "<div class=\"notice\" role=\"status\"><p>Den nya nyckeln visas bara "
		            "den här gången. Kopiera den nu:</p><p class=\"token\">%s</p></div>",
		            new_token);
	html_printf(b, "<table class=\"wide\"><caption>Nycklar</caption><thead><tr>"
	               "<th scope=\"col\">Namn</th><th scope=\"col\">Behörighet</th>"
	               "<th scope=\"col\">Skapad</th><th scope=\"col\">Senast använd</th>"
	               "<th scope=\"col\">Status</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		char made[SVTIME_MAX], used[SVTIME_MAX];
		html_printf(
		    b,
		    "<tr><td data-label=\"Namn\">%s</td><td data-label=\"Behörighet\">%s</td>"
		    "<td data-label=\"Skapad\">%s</td><td data-label=\"Senast använd\">%s</td>"
		    "<td data-label=\"Status\">",
		    t[i].name, auth_role_label(t[i].role), svtime_datetime(made, t[i].created_at),
		    svtime_datetime(used, t[i].last_used_at));
		if (t[i].revoked)
			html_printf(b, "Återkallad");
		else
			html_printf(b,
			            "<a href=\"/api-nycklar/%lld/aterkalla\">Återkalla "
			            "<span class=\"visually-hidden\">%s</span> …</a>",
			            (long long)t[i].id, t[i].name);
		html_printf(b, "</td></tr>");
	}
	html_printf(b, "</tbody></table><h2>Ny nyckel</h2>");
	form_render(b, f, "/api-nycklar", r->who.csrf, "Skapa nyckel");
	page_end(r);
}

void page_tokens(struct req *r)
{
	struct form f;
	FORM_INIT(&f, token_fields);
	tokens_page(r, &f, NULL);
}

void page_tokens_post(struct req *r)
{
	struct form f;
	FORM_INIT(&f, token_fields);
	form_read_kv(&f, r->arena, &r->form);
	struct field_error err = {0};
	char token[CRYPTO_TOKEN_LEN + 1];
	enum rc rc = form_check(&f);
	if (!rc)
		rc = auth_token_create(r->db, &r->actor, form_get(&f, "name"),
		                       auth_role_parse(form_get(&f, "role")), token, NULL, &err);
	if (rc == RC_OK) {
		/* Shown once, in this response; never in a URL (no redirect). */
		struct form empty;
		FORM_INIT(&empty, token_fields);
		tokens_page(r, &empty, token);
		return;
	}
	if (post_answered(r, rc, NULL, NULL, &f, &err))
		return;
	tokens_page(r, &f, NULL);
}

/* The confirmation before a key is revoked; error at the top.  RC_OK
 * when the page was written. */
static enum rc revoke_page(struct req *r, const char *error)
{
	struct api_token_info *t;
	size_t n;
	enum rc rc = auth_token_list(r->db, r->arena, &t, &n);
	size_t i = 0;
	while (!rc && i < n && t[i].id != r->ids[0])
		i++;
	if (rc || i == n || t[i].revoked)
		return rc ? rc : RC_NOT_FOUND;
	struct confirm c = {
	    arena_printf(r->arena, "Återkalla API-nyckeln %s", t[i].name),
	    NULL,
	    {"API-nyckeln slutar fungera och kan inte återställas. System som använder den "
	     "får inga fler svar; de behöver en ny nyckel.",
	     NULL},
	    arena_printf(r->arena, "/api-nycklar/%lld/aterkalla", (long long)t[i].id),
	    "Jag förstår att nyckeln slutar fungera och inte kan återställas",
	    "Återkalla nyckeln",
	    "/api-nycklar",
	    "Avbryt, behåll nyckeln",
	    NULL};
	confirm_page_begin(r, &c, error);
	confirm_page_end(r, &c, error);
	return RC_OK;
}

void page_token_revoke(struct req *r)
{
	enum rc rc = revoke_page(r, NULL);
	if (rc)
		respond_rc(r, rc);
}

void page_token_revoke_post(struct req *r)
{
	if (!confirm_given(r)) {
		r->status = 422;
		enum rc shown = revoke_page(r, CONFIRM_MISSING);
		if (shown)
			respond_rc(r, shown);
		return;
	}
	enum rc rc = auth_token_revoke(r->db, &r->actor, r->ids[0]);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	req_redirect_done(r, "/api-nycklar", "nyckel");
}

/* ---- audit log ---------------------------------------------------------------- */

#define AUDIT_PAGE 100

void page_audit(struct req *r)
{
	int64_t before = 0;
	const char *q = req_query(r, "fore");
	if (q && (!str_to_i64(q, &before) || before < 0)) {
		respond_error(r, 400, "Ogiltig sida i loggen.");
		return;
	}
	struct audit_entry *e;
	size_t n;
	int64_t total = 0;
	enum rc rc = audit_list(r->db, r->arena, before, AUDIT_PAGE, &e, &n);
	if (!rc)
		rc = audit_total(r->db, &total);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	struct user_names un;
	user_names_load(r, &un);
	page_begin(r, "Granskningslogg");
	html_printf(b, "<h1>Granskningslogg</h1><p>Varje ändring och varje visning av "
	               "personuppgifter loggas här. Loggen kan inte ändras; kedjan kontrolleras "
	               "med <code>finsam audit verify</code>.</p>");
	html_printf(b,
	            "<table class=\"wide\"><caption>Senaste händelserna först</caption><thead><tr>"
	            "<th scope=\"col\">Nr</th><th scope=\"col\">Tid</th>"
	            "<th scope=\"col\">Vem</th><th scope=\"col\">Händelse</th>"
	            "<th scope=\"col\">Objekt</th><th scope=\"col\">Varifrån</th>"
	            "<th scope=\"col\">Detalj</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		html_printf(b, "<tr><td data-label=\"Nr\">%lld</td>", (long long)e[i].id);
		web_audit_cells(r, &un, &e[i]);
		html_printf(b, "</tr>");
	}
	html_printf(b, "</tbody></table>");
	/* Ids run without gaps, newest first: this page holds ids
	 * e[n-1].id..e[0].id, which are rows total-e[0].id+1.. of the list. */
	if (n) {
		html_printf(b, "<p class=\"list-summary\">Visar ");
		html_int_sv(b, total - e[0].id + 1);
		html_printf(b, "–");
		html_int_sv(b, total - e[n - 1].id + 1);
		html_printf(b, " av ");
		html_int_sv(b, total);
		html_printf(b, " händelser.</p>");
	} else {
		html_printf(b, "<p class=\"list-summary\">Inga händelser här.</p>");
	}
	if (n == AUDIT_PAGE && e[n - 1].id > 1)
		html_printf(b, "<p><a href=\"/logg?fore=%lld\">Äldre händelser</a></p>",
		            (long long)e[n - 1].id);
	page_end(r);
}
