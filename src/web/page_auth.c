/*
 * page_auth.c — logging in and out, the start page, the signed-in person's
 * own account page, the stylesheet, and /api/v1/me.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/org.h"
#include "../util/arena.h"
#include "../util/html.h"
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
	form_init(&f, login_fields, 2);
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

void page_login_post(struct req *r)
{
	const char *user = kv_get(&r->form, "username");
	const char *pass = kv_get(&r->form, "password");
	char token[CRYPTO_TOKEN_LEN + 1];
	struct principal p;
	char *u = user ? str_trim(arena_strdup(r->arena, user)) : NULL;
	enum rc rc = auth_login(r->db, u ? u : "", pass ? pass : "", r->address,
	                        (int64_t)time(NULL), token, &p);
	if (rc == RC_OK) {
		req_set_cookie(r, SESSION_COOKIE, token, -1);
		req_set_cookie(r, LOGIN_COOKIE, "", 0);
		req_redirect(r, "/");
		return;
	}
	if (rc == RC_THROTTLED) {
		r->status = 429;
		login_form(r, u, "För många misslyckade försök. Vänta en kvart och försök igen.");
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
	if (auth_allows(r->who.role, PERM_ORG_READ)) {
		struct member *m;
		struct body *bd;
		struct person *p;
		size_t nm = 0, nb = 0, np = 0;
		org_member_list(r->db, r->arena, a.id, &m, &nm);
		org_body_list(r->db, r->arena, a.id, &bd, &nb);
		org_person_list(r->db, r->arena, a.id, &p, &np);
		html_printf(
		    b,
		    "<h2>Förbundets organisation</h2><ul class=\"cards\">"
		    "<li><a href=\"/medlemmar\"><span class=\"big\">%zu</span> medlemmar</a></li>"
		    "<li><a href=\"/organ\"><span class=\"big\">%zu</span> organ</a></li>"
		    "<li><a href=\"/personer\"><span class=\"big\">%zu</span> personer</a></li>"
		    "</ul>",
		    nm, nb, np);
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
	form_init(&f, password_fields, 3);
	account_page(r, &f);
}

void page_account_post(struct req *r)
{
	struct form f;
	form_init(&f, password_fields, 3);
	form_read_kv(&f, r->arena, &r->form);
	if (form_check(&f) == RC_OK) {
		struct field_error err = {0};
		enum rc rc;
		if (strcmp(form_get(&f, "password"), form_get(&f, "password2")) != 0)
			rc = field_error_set(&err, "password2", "Lösenorden är inte lika.");
		else
			rc = auth_user_change_password(r->db, &r->actor, form_get(&f, "current"),
			                               form_get(&f, "password"), &err);
		if (rc == RC_OK) {
			req_redirect_done(r, "/konto", "losenord");
			return;
		}
		if (rc != RC_INVALID) {
			respond_rc(r, rc);
			return;
		}
		form_fail(&f, &err);
	}
	r->status = 422;
	account_page(r, &f);
}

void page_stylesheet(struct req *r)
{
	r->resp_type = "text/css; charset=utf-8";
	buf_puts(&r->out, web_stylesheet);
}

void api_me(struct req *r)
{
	respond_json(r, 200,
	             json_pack("{s:s,s:s,s:s,s:s}", "name", r->who.name, "display_name",
	                       r->who.display_name, "role", auth_role_code(r->who.role),
	                       "role_label", auth_role_label(r->who.role)));
}
