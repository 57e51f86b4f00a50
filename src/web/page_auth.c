/*
 * page_auth.c — logging in and out, the start page, the signed-in person's
 * own account page, and /api/v1/me.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../core/intervention.h"
#include "../core/org.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/plural.h"
#include "../util/str.h"
#include "entity.h"
#include "form.h"
#include "pages.h"

#define SESSION_COOKIE "finsam_session"
#define LOGIN_COOKIE   "finsam_login"

static const struct field login_fields[] = {
    {"username", "Användarnamn", FT_TEXT, 1, 60, NULL, NULL, "username"},
    {"password", "Lösenord", FT_PASSWORD, 1, 200, NULL, NULL, "current-password"},
};

static void login_form(struct req *r, const char *username, const char *error)
{
	/* A fresh pre-session token, sent as a cookie and as a hidden field:
	 * a forged cross-site login cannot read the cookie to copy it. */
	char token[CRYPTO_TOKEN_LEN + 1];
	crypto_token(token);
	req_set_cookie(r, LOGIN_COOKIE, token, -1);
	struct form f;
	FORM_INIT(&f, login_fields);
	form_set(&f, r->arena, "username", username);
	if (error) {
		struct field_error e;
		field_error_set(&e, "username", error);
		form_fail(&f, &e);
	}
	page_begin(r, "Logga in");
	html_printf(&r->out, "<h1>Logga in</h1><p>Logga in med det konto du har fått av förbundets "
	                     "administratör.</p>");
	form_render(&r->out, &f, "/logga-in", token, "Logga in");
	page_end(r);
}

void page_login(struct req *r)
{
	if (r->authed) {
		req_redirect(r, "/");
		return;
	}
	login_form(r, NULL, NULL);
}

void page_login_again(struct req *r, int status, const char *message)
{
	const char *user = kv_get(&r->form, "username");
	buf_reset(&r->out);
	r->status = status;
	login_form(r, user ? str_trim(arena_strdup(r->arena, user)) : NULL, message);
}

void page_login_post(struct req *r)
{
	const char *user = kv_get(&r->form, "username");
	const char *pass = kv_get(&r->form, "password");
	char token[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	char *u = user ? str_trim(arena_strdup(r->arena, user)) : NULL;
	enum rc rc = auth_login(r->db, u ? u : "", pass ? pass : "", r->address,
	                        actor_now(&r->actor), token, &p);
	if (rc == RC_OK) {
		req_set_cookie(r, SESSION_COOKIE, token, -1);
		req_set_cookie(r, LOGIN_COOKIE, "", 0);
		req_redirect(r, "/");
		return;
	}
	if (rc == RC_THROTTLED) {
		r->status = 429;
		login_form(r, u,
		           "För många misslyckade inloggningsförsök. Vänta en kvart och "
		           "försök igen, eller be förbundets administratör om hjälp.");
		return;
	}
	if (rc == RC_DENIED) {
		r->status = 401;
		login_form(r, u, "Fel användarnamn eller lösenord, eller så är kontot avstängt.");
		return;
	}
	respond_rc(r, rc);
}

void page_logout_post(struct req *r)
{
	auth_logout(r->db, &r->actor, kv_get(&r->cookies, SESSION_COOKIE));
	req_set_cookie(r, SESSION_COOKIE, "", 0);
	req_redirect_done(r, "/logga-in", "utloggad");
}

/* The insatser on the start page: the user's own (staffed on them in the
 * role own) or all (own NULL),
 * with queue and participant counts from the tally (no scan). */
static void start_interventions(struct req *r, int64_t assoc, const char *own, const char *heading,
                                const char *empty)
{
	struct buf *b = &r->out;
	struct intervention *x;
	struct intervention_counts *c;
	size_t nx = 0, nc = 0, shown = 0;
	if (intervention_list(r->db, r->arena, assoc, &x, &nx) ||
	    participation_counts(r->db, r->arena, assoc, &c, &nc))
		nx = nc = 0;
	html_printf(b, "<h2>%s</h2>", heading);
	for (size_t i = 0; i < nx; i++) {
		if (own && !intervention_is_staff(r->db, x[i].id, r->who.user_id, own))
			continue;
		const struct intervention_counts *k = NULL;
		for (size_t j = 0; j < nc; j++)
			if (c[j].intervention_id == x[i].id)
				k = &c[j];
		if (!shown++)
			html_printf(
			    b, "<table class=\"wide\"><caption>Köande och pågående deltaganden"
			       "</caption><thead><tr><th scope=\"col\">Insats</th>"
			       "<th scope=\"col\" class=\"num\">I kö</th>"
			       "<th scope=\"col\" class=\"num\">Pågående</th></tr></thead><tbody>");
		html_printf(b, "<tr><td><a href=\"/insatser/%lld\">%s</a></td><td class=\"num\">",
		            (long long)x[i].id, x[i].name);
		if (k && k->queued)
			html_printf(b, "<a href=\"/ko?insats=%lld\">", (long long)x[i].id);
		html_int_sv(b, k ? k->queued : 0);
		if (k && k->queued)
			html_printf(b, "</a>");
		html_printf(b, "</td><td class=\"num\">");
		html_int_sv(b, k ? k->active : 0);
		html_printf(b, "</td></tr>");
	}
	if (shown)
		html_printf(b, "</tbody></table>");
	else
		html_printf(b, "<p>%s</p>", empty);
}

/* The work lists with how many each holds, linked to their section. */
static void start_worklists(struct req *r, int64_t assoc)
{
	static const struct {
		enum worklist which;
		const char *id, *one, *many;
	} lists[] = {
	    {WORK_LONG_RUNNING, "langa", "deltagande har pågått mer än ett år utan avslut",
	     "deltaganden har pågått mer än ett år utan avslut"},
	    {WORK_CONSENT, "samtycke", "deltagande saknar samtycke", "deltaganden saknar samtycke"},
	    {WORK_END_MISSING, "avslut", "avslut saknar uppgifter", "avslut saknar uppgifter"},
	};
	struct buf *b = &r->out;
	html_printf(b, "<h2>Att göra</h2><ul>");
	int any = 0;
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		struct paging pg = {0, 1, 0, 0, 0, 0};
		struct participation *p;
		size_t n;
		if (participation_worklist(r->db, r->arena, actor_now(&r->actor), assoc,
		                           lists[i].which, &pg, &p, &n) ||
		    !pg.total)
			continue;
		char what[PLURAL_MAX * 2];
		/* A bounded count (pg.more) says "Fler än 10 000 deltaganden ...". */
		html_printf(b, "<li><a href=\"/arbetslistor#%s\">%s%s</a></li>", lists[i].id,
		            pg.more ? "Fler än " : "",
		            sv_count(what, sizeof what, pg.total, lists[i].one, lists[i].many));
		any = 1;
	}
	if (!any)
		html_printf(b, "<li>Arbetslistorna är tomma – inget väntar på dig just nu.</li>");
	html_printf(b, "</ul>");
}

/* The förbund's organisation in three counts. */
static void start_organisation(struct req *r, int64_t assoc)
{
	struct member *m;
	struct body *bd;
	struct person *p;
	size_t nm = 0, nb = 0, np = 0;
	org_member_list(r->db, r->arena, assoc, &m, &nm);
	org_body_list(r->db, r->arena, assoc, actor_now(&r->actor), &bd, &nb);
	org_person_list(r->db, r->arena, assoc, &p, &np);
	char a1[PLURAL_MAX], a2[PLURAL_MAX], a3[PLURAL_MAX];
	html_printf(&r->out,
	            "<h2>Förbundets organisation</h2><ul class=\"cards\">"
	            "<li><a href=\"/medlemmar\">%s</a></li>"
	            "<li><a href=\"/organ\">%s</a></li>"
	            "<li><a href=\"/personer\">%s</a></li></ul>",
	            sv_count(a1, sizeof a1, (long long)nm, "medlem", "medlemmar"),
	            sv_count(a2, sizeof a2, (long long)nb, "organ", "organ"),
	            sv_count(a3, sizeof a3, (long long)np, "person", "personer"));
}

/* The start page shows each role its own work. */
void page_start(struct req *r)
{
	struct association a;
	enum rc rc = org_association_current(r->db, r->arena, &a);
	if (rc) {
		respond_rc(r, rc == RC_NOT_FOUND ? RC_DB : rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Start");
	html_printf(b, "<h1>%s</h1><p>Välkommen, %s. Du är inloggad som %s.</p>", a.name,
	            r->who.display_name, auth_role_label(r->who.role));
	switch (r->who.role) {
	case ROLE_CASEWORKER:
		start_interventions(
		    r, a.id, "deltagaransvarig", "Mina insatser",
		    "Du är inte knuten till någon insats än. Be förbundschefen lägga till "
		    "dig under Bemanning på insatsens sida; sedan syns kön här.");
		start_worklists(r, a.id);
		html_printf(b, "<p><a href=\"/ko\">Hela kön</a> · <a href=\"/arbetslistor\">"
		               "Arbetslistorna</a></p>");
		break;
	case ROLE_INTERVENTION_LEAD:
		start_interventions(
		    r, a.id, "insatsansvarig", "Mina insatser",
		    "Du är inte knuten till någon insats än. Be förbundschefen lägga till "
		    "dig under Bemanning på insatsens sida.");
		break;
	case ROLE_DIRECTOR:
		start_interventions(r, a.id, NULL, "Insatserna",
		                    "Inga insatser är registrerade än. Lägg till den första under "
		                    "Insatser, Ny insats.");
		start_worklists(r, a.id);
		start_organisation(r, a.id);
		break;
	case ROLE_ADMIN: {
		struct user *u;
		size_t nu = 0;
		if (auth_user_list(r->db, r->arena, &u, &nu))
			nu = 0;
		char accounts[PLURAL_MAX];
		/* Requests for protected identity wait for the administrator's
		 * decision: the work comes first. */
		struct protect_request *pr;
		size_t npr = 0;
		if (personal_protect_requests(r->db, r->arena, &r->actor, a.id, &pr, &npr))
			npr = 0;
		if (npr) {
			char what[PLURAL_MAX];
			html_printf(
			    b,
			    "<h2>Att göra</h2><ul class=\"cards\"><li><a "
			    "href=\"/skyddade-personuppgifter\">%s om skyddade "
			    "personuppgifter väntar</a></li></ul>",
			    sv_count(what, sizeof what, (long long)npr, "begäran", "begäranden"));
		}
		html_printf(b,
		            "<h2>Administration</h2><ul class=\"cards\">"
		            "<li><a href=\"/anvandare\">%s</a></li>"
		            "<li><a href=\"/logg\">Granskningslogg</a></li>"
		            "<li><a href=\"/api-nycklar\">API-nycklar</a></li>"
		            "<li><a href=\"/kodlistor\">Kodlistor</a></li></ul>",
		            sv_count(accounts, sizeof accounts, (long long)nu, "konto", "konton"));
		start_organisation(r, a.id);
		break;
	}
	default:
		if (auth_allows(r->who.role, PERM_ORG_READ))
			start_organisation(r, a.id);
		break;
	}
	page_end(r);
}

static const struct field password_fields[] = {
    {"current", "Nuvarande lösenord", FT_PASSWORD, 1, 200, NULL, NULL, "current-password"},
    {"password", "Nytt lösenord", FT_PASSWORD, 1, 200, NULL,
     "Minst 10 tecken. En fras av flera ord är lätt att minnas.", "new-password"},
    {"password2", "Nytt lösenord igen", FT_PASSWORD, 1, 200, NULL, NULL, "new-password"},
};

static void account_page(struct req *r, struct form *f)
{
	page_begin(r, "Mitt konto");
	html_printf(&r->out, "<h1>Mitt konto</h1>");
	html_printf(&r->out,
	            "<dl class=\"facts\"><dt>Användarnamn</dt><dd>%s</dd><dt>Namn</dt>"
	            "<dd>%s</dd><dt>Roll</dt><dd>%s</dd></dl><h2>Byt lösenord</h2>",
	            r->who.name, r->who.display_name, auth_role_label(r->who.role));
	form_render(&r->out, f, "/konto", r->who.csrf, "Byt lösenord");
	page_end(r);
}

void page_account(struct req *r)
{
	struct form f;
	FORM_INIT(&f, password_fields);
	account_page(r, &f);
}

void page_account_post(struct req *r)
{
	struct form f;
	FORM_INIT(&f, password_fields);
	form_read_kv(&f, r->arena, &r->form);
	struct field_error err = {0};
	enum rc rc = form_check(&f);
	if (!rc && strcmp(form_get(&f, "password"), form_get(&f, "password2")) != 0)
		rc = field_error_set(&err, "password2", "Lösenorden är inte lika.");
	if (!rc)
		rc = auth_user_change_password(r->db, &r->actor, r->who.session_id,
		                               form_get(&f, "current"), form_get(&f, "password"),
		                               &err);
	if (post_answered(r, rc, "/konto", "losenord", &f, &err))
		return;
	account_page(r, &f);
}

void api_me(struct req *r)
{
	respond_json(r, 200,
	             json_pack("{s:s,s:s,s:s,s:s}", "name", r->who.name, "display_name",
	                       r->who.display_name, "role", auth_role_code(r->who.role),
	                       "role_label", auth_role_label(r->who.role)));
}
