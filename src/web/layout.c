/*
 * layout.c — the page frame, navigation by role, and error responses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/plural.h"
#include "form.h"
#include "web.h"

struct nav_item {
	const char *path;
	const char *label;
	enum perm perm;
};

static const struct nav_item nav[] = {
    {"/", "Start", PERM_LOGGED_IN},
    {"/forbund", "Förbundet", PERM_ORG_READ},
    {"/medlemmar", "Medlemmar", PERM_ORG_READ},
    {"/organ", "Organ", PERM_ORG_READ},
    {"/personer", "Personer", PERM_ORG_READ},
    {"/insatser", "Insatser", PERM_INTERVENTION_READ},
    {"/ko", "Kö", PERM_INTERVENTION_READ},
    {"/arbetslistor", "Arbetslistor", PERM_INTERVENTION_READ},
    {"/import", "Import", PERM_PARTICIPANT_WRITE},
    {"/registerutdrag", "Registerutdrag", PERM_EXTRACT},
    {"/skyddade-personuppgifter", "Skyddade personuppgifter", PERM_EXTRACT},
    {"/anvandare", "Användare", PERM_USER_ADMIN},
    {"/api-nycklar", "API-nycklar", PERM_USER_ADMIN},
    {"/kodlistor", "Kodlistor", PERM_CODES_ADMIN},
    {"/logg", "Granskningslogg", PERM_AUDIT_READ},
    {"/konto", "Mitt konto", PERM_LOGGED_IN},
};

/* 1 if path is within the section that nav item p heads. */
static int in_section(const char *path, const char *p)
{
	if (strcmp(p, "/") == 0)
		return strcmp(path, "/") == 0;
	size_t n = strlen(p);
	return strncmp(path, p, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* What a saved form did, by the code in "?klart=" after its redirect, and
 * the sections (as in_section) where the code may show: the page the save
 * redirects to.  Elsewhere a code says nothing, so a link cannot make a
 * page claim something that did not happen there. */
static const struct {
	const char *code, *message, *where[5];
} flashes[] = {
    {"anmalan", "Anmälan är registrerad.", {"/deltagare"}},
    {"start", "Starten är registrerad.", {"/deltagare"}},
    {"avslut", "Avslutet är registrerat.", {"/deltagare"}},
    {"avbruten", "Anmälan är avbruten.", {"/deltagare"}},
    {"aterkallat", "Samtycket är återkallat och identiteten är raderad.", {"/deltagare"}},
    {"skyddad",
     "Identiteten är raderad och deltagandet är markerat med skyddade "
     "personuppgifter.",
     {"/deltagare"}},
    {"samtycke", "Samtycket är registrerat och identiteten sparad krypterat.", {"/deltagare"}},
    {"rattat", "Rättelsen är sparad.", {"/deltagare"}},
    {"timmar", "Deltagartimmarna är sparade.", {"/deltagare"}},
    {"sparat", "Ändringarna är sparade.", {"/forbund", "/medlemmar", "/organ", "/personer"}},
    {"skapat", "Det nya är sparat.", {"/forbund", "/medlemmar", "/organ", "/personer"}},
    {"insats", "Insatsen är sparad.", {"/insatser"}},
    {"ar", "Årets plan och budget är sparade.", {"/insatser"}},
    {"bemanning", "Bemanningen är ändrad.", {"/insatser"}},
    {"antal", "Antalen är sparade.", {"/insatser"}},
    {"folkmangd", "Folkmängden är sparad.", {"/medlemmar"}},
    {"konto", "Kontot är skapat.", {"/anvandare"}},
    {"avstangt", "Kontot är avstängt. Dess inloggningar är avslutade.", {"/anvandare"}},
    {"aktiverat", "Kontot är aktiverat igen.", {"/anvandare"}},
    {"losenord", "Lösenordet är bytt.", {"/anvandare", "/konto"}},
    {"nyckel", "Nyckeln är återkallad.", {"/api-nycklar"}},
    {"kodlista", "Kodlistan är sparad.", {"/kodlistor"}},
    {"utloggad", "Du är utloggad.", {"/logga-in"}},
};

const char *flash_message(const char *done, const char *path)
{
	for (size_t i = 0; done && path && i < sizeof flashes / sizeof flashes[0]; i++) {
		if (strcmp(flashes[i].code, done) != 0)
			continue;
		for (size_t j = 0; j < sizeof flashes[i].where / sizeof flashes[i].where[0] &&
		                   flashes[i].where[j];
		     j++)
			if (in_section(path, flashes[i].where[j]))
				return flashes[i].message;
		return NULL;
	}
	return NULL;
}

void req_redirect_done(struct req *r, const char *path, const char *done)
{
	req_redirect(
	    r, arena_printf(r->arena, "%s%sklart=%s", path, strchr(path, '?') ? "&" : "?", done));
}

int post_answered(struct req *r, enum rc rc, const char *to, const char *done, struct form *f,
                  const struct field_error *err)
{
	if (rc == RC_OK) {
		req_redirect_done(r, to, done);
		return 1;
	}
	if (rc != RC_INVALID) {
		respond_rc(r, rc);
		return 1;
	}
	if (f && err)
		form_fail(f, err);
	r->status = 422;
	return 0;
}

void page_begin(struct req *r, const char *title)
{
	struct buf *b = &r->out;
	r->resp_type = "text/html; charset=utf-8";
	html_printf(b,
	            "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	            "<title>%s – finsam</title>"
	            "<link rel=\"icon\" href=\"data:,\">"
	            "<link rel=\"stylesheet\" href=\"%s\"></head><body>"
	            "<a class=\"skip\" href=\"#innehall\">Hoppa till innehållet</a>"
	            "<header class=\"site\"><a class=\"brand\" href=\"/\">finsam</a>",
	            title, web_stylesheet_url());
	if (r->authed && r->who.user_id) {
		html_printf(b,
		            "<div class=\"who\">%s (%s) "
		            "<form method=\"post\" action=\"/logga-ut\">"
		            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		            "<button type=\"submit\">Logga ut</button></form></div>",
		            r->who.display_name, auth_role_label(r->who.role), r->who.csrf);
	}
	html_printf(b, "</header>");
	if (r->authed) {
		html_printf(b, "<nav class=\"main\" aria-label=\"Huvudmeny\"><ul>");
		for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
			if (!auth_allows(r->who.role, nav[i].perm))
				continue;
			if (in_section(r->path, nav[i].path))
				html_printf(b,
				            "<li><a href=\"%s\" aria-current=\"page\">%s</a></li>",
				            nav[i].path, nav[i].label);
			else
				html_printf(b, "<li><a href=\"%s\">%s</a></li>", nav[i].path,
				            nav[i].label);
		}
		html_printf(b, "</ul></nav>");
	}
	html_printf(b, "<main id=\"innehall\" tabindex=\"-1\">");
	const char *done = r->status < 400 ? flash_message(req_query(r, "klart"), r->path) : NULL;
	if (done)
		html_printf(b, "<div class=\"notice\" role=\"status\"><p>%s</p></div>", done);
}

void page_end(struct req *r)
{
	html_printf(&r->out,
	            "</main><footer class=\"site\">finsam – uppföljning och styrelsearbete "
	            "för samordningsförbund</footer></body></html>\n");
}

static const char *status_title(int status)
{
	switch (status) {
	case 400: return "Felaktig förfrågan";
	case 401: return "Inloggning krävs";
	case 403: return "Åtkomst nekad";
	case 404: return "Sidan finns inte";
	case 405: return "Metoden stöds inte";
	case 409: return "Konflikt";
	case 413: return "För stor förfrågan";
	case 415: return "Fel innehållstyp";
	case 422: return "Uppgifterna behöver rättas";
	case 429: return "För många försök";
	case 503: return "Tjänsten är upptagen";
	default: return "Internt fel";
	}
}

static const char *status_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthenticated";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "payload_too_large";
	case 415: return "unsupported_media_type";
	case 422: return "invalid";
	case 429: return "too_many_requests";
	case 503: return "unavailable";
	default: return "internal_error";
	}
}

void respond_json(struct req *r, int status, json_t *v)
{
	buf_reset(&r->out);
	r->status = status;
	r->resp_type = "application/json; charset=utf-8";
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	if (s) {
		buf_puts(&r->out, s);
		buf_putc(&r->out, '\n');
		free(s);
	} else {
		buf_puts(&r->out, "{\"error\":{\"status\":500,\"code\":\"internal_error\"}}\n");
		r->status = 500;
	}
	json_decref(v);
}

void respond_api_error(struct req *r, int status, const char *code, const char *field,
                       const char *message)
{
	json_t *e =
	    json_pack("{s:i,s:s,s:s}", "status", status, "code", code ? code : status_code(status),
	              "message", message ? message : status_title(status));
	if (e && field && *field) {
		json_object_set_new(e, "field", json_string(field));
		json_object_set_new(e, "errors",
		                    json_pack("[{s:s,s:s}]", "field", field, "message",
		                              message ? message : status_title(status)));
	}
	respond_json(r, status, json_pack("{s:o}", "error", e));
}

void respond_api_field_errors(struct req *r, const struct field_error *fe)
{
	int n = field_error_count(fe);
	if (n == 0) {
		respond_api_error(r, 422, "invalid", NULL, NULL);
		return;
	}
	/* The first error stays as field and message, as before; errors
	 * lists every one. */
	json_t *e = json_pack("{s:i,s:s,s:s}", "status", 422, "code", "invalid", "message",
	                      fe->message[0] ? fe->message : status_title(422));
	json_t *all = json_array();
	for (int i = 0; e && all && i < n; i++) {
		const char *field, *message;
		field_error_get(fe, i, &field, &message);
		json_t *one = json_pack("{s:s}", "message", message);
		if (one && *field)
			json_object_set_new(one, "field", json_string(field));
		json_array_append_new(all, one);
	}
	if (e && fe->field[0])
		json_object_set_new(e, "field", json_string(fe->field));
	if (e)
		json_object_set_new(e, "errors", all);
	else
		json_decref(all);
	respond_json(r, 422, json_pack("{s:o}", "error", e));
}

void respond_error(struct req *r, int status, const char *message)
{
	if (r->is_api) {
		respond_api_error(r, status, NULL, NULL, message);
		return;
	}
	buf_reset(&r->out);
	r->status = status;
	page_begin(r, status_title(status));
	html_printf(&r->out, "<h1>%s</h1><p>%s</p>", status_title(status), message ? message : "");
	if (status == 404)
		html_printf(
		    &r->out,
		    "<p>Kontrollera adressen, eller gå till <a href=\"/\">startsidan</a>.</p>");
	else if (status == 403)
		html_printf(&r->out,
		            "<p>Ditt konto har inte behörighet till den här sidan. Kontakta "
		            "förbundets administratör om du behöver den.</p>");
	page_end(r);
}

/* A store the administrator must fix: 503 with a page (or JSON) saying
 * what is wrong, and the real cause in the server log. */
static void respond_store_failure(struct req *r, enum rc rc)
{
	const char *code, *title, *message, *log;
	if (rc == RC_DB_FULL) {
		code = "db_full";
		title = "Databasen är full";
		message = "Databasen är full – det finns inte plats att spara mer, så ingenting "
		          "har sparats. Kontakta administratören.";
		log = "databasen eller disken är full";
	} else if (rc == RC_DB_READONLY) {
		code = "db_read_only";
		title = "Databasen är skrivskyddad";
		message = "Databasen är skrivskyddad just nu, så ingenting har sparats – inte "
		          "heller en inloggning. Kontakta administratören.";
		log = "databasen är skrivskyddad (filen, mappen eller filsystemet går inte att "
		      "skriva)";
	} else if (rc == RC_DB_BUSY) {
		code = "db_busy";
		title = "Databasen är upptagen";
		message =
		    "Databasen är upptagen av en annan skrivning (till exempel en stor import) "
		    "och blev inte ledig i tid, så ingenting har sparats. Försök igen om en "
		    "stund.";
		log = "databasen var upptagen av en annan skrivning genom alla försök";
	} else {
		code = "db_unavailable";
		title = "Databasen går inte att nå";
		message =
		    "Databasen kunde inte läsas eller skrivas på grund av ett fel i lagringen, "
		    "så ingenting har sparats. Kontakta administratören.";
		log = "databasfilen kunde inte öppnas, läsas eller skrivas";
	}
	fprintf(stderr, "finsam: %s: %s\n", log, r->db ? db_errmsg(r->db) : "");
	if (r->is_api) {
		respond_api_error(r, 503, code, NULL, message);
		return;
	}
	buf_reset(&r->out);
	r->status = 503;
	page_begin(r, title);
	html_printf(&r->out, "<h1>%s</h1><p>%s</p>", title, message);
	page_end(r);
}

void respond_rc(struct req *r, enum rc rc)
{
	/* A module says RC_DB; the store knows whether it was full, read-only
	 * or broken. */
	rc = db_refine(r->db, rc);
	switch (rc) {
	case RC_OK: break;
	case RC_NOT_FOUND: respond_error(r, 404, "Det du sökte finns inte."); break;
	case RC_DENIED: respond_error(r, 403, "Du har inte behörighet till detta."); break;
	case RC_CONFLICT:
		respond_error(r, 409, "Ändringen krockar med befintliga uppgifter.");
		break;
	case RC_THROTTLED:
		respond_error(r, 429, "För många försök. Vänta en stund och försök igen.");
		break;
	case RC_INVALID: respond_error(r, 422, "Uppgifterna kunde inte sparas."); break;
	case RC_DB_FULL:
	case RC_DB_READONLY:
	case RC_DB_IO:
	case RC_DB_BUSY: respond_store_failure(r, rc); break;
	default: respond_error(r, 500, "Något gick fel hos oss. Försök igen om en stund."); break;
	}
}

void html_int_sv(struct buf *b, long long v)
{
	char n[48];
	buf_puts(b, sv_number(n, sizeof n, v));
}

/* ---- confirmation of what cannot be undone ---------------------------------- */

int confirm_given(const struct req *r)
{
	const char *c = kv_get(&r->form, "confirm");
	return c && strcmp(c, "ja") == 0;
}

void confirm_page_begin(struct req *r, const struct confirm *c, const char *error)
{
	struct buf *b = &r->out;
	page_begin(r, c->title);
	html_printf(b, "<h1>%s</h1>", c->title);
	if (error)
		html_printf(b,
		            "<div class=\"error-summary\" role=\"alert\"><h2>Något behöver rättas"
		            "</h2><p><a href=\"#%s\">%s</a></p></div>",
		            c->error_field ? c->error_field : "f-confirm", error);
	html_printf(b, "<div class=\"warning\"><h2>%s</h2>",
	            c->heading ? c->heading : "Det här går inte att ångra");
	for (size_t i = 0; i < sizeof c->warning / sizeof c->warning[0] && c->warning[i]; i++)
		html_printf(b, "<p>%s</p>", c->warning[i]);
	html_printf(b,
	            "</div><form method=\"post\" action=\"%s\" class=\"edit\">"
	            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
	            c->action, r->who.csrf);
}

void confirm_keep_posted(struct req *r)
{
	for (size_t i = 0; i < r->form.n; i++) {
		const char *n = r->form.items[i].name;
		if (strcmp(n, "csrf") != 0 && strcmp(n, "confirm") != 0 && strcmp(n, "steg") != 0)
			html_printf(&r->out, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", n,
			            r->form.items[i].value);
	}
}

void confirm_page_end(struct req *r, const struct confirm *c, const char *error)
{
	html_printf(&r->out,
	            "<div class=\"check\"><input type=\"checkbox\" id=\"f-confirm\" "
	            "name=\"confirm\" value=\"ja\" required%s><label for=\"f-confirm\">%s"
	            "</label></div><input type=\"hidden\" name=\"steg\" value=\"bekrafta\">"
	            "<div class=\"actions\"><button type=\"submit\">%s</button>"
	            "<a href=\"%s\">%s</a></div></form>",
	            error && !c->error_field ? " aria-invalid=\"true\"" : "", c->check, c->button,
	            c->cancel, c->cancel_label);
	page_end(r);
}

const char *confirm_error(const struct req *r)
{
	return kv_get(&r->form, "steg") ? CONFIRM_MISSING : NULL;
}
