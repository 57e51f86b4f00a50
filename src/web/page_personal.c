/*
 * page_personal.c — every page and form that shows or changes personal
 * data, in one file for a privacy reviewer to read alone:
 *
 *   - the identity of a participation, shown only on request to a
 *     deltagaransvarig of its insats, in the answer to a POST that states
 *     why (the core logs the look);
 *   - consent given after the referral (personnummer and name stored
 *     encrypted), its withdrawal and protected personal data (both erase
 *     the identity, after an explicit confirmation);
 *   - the administrator's list of protection requests.
 *
 * The register extract (everything stored about a person) has its own
 * file.
 *
 * A personnummer never reaches a URL or a log: it travels only in POST
 * bodies and in the answers to them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/participation.h"
#include "../core/personal_data.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/kv.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "entity.h"
#include "form.h"
#include "labels.h"
#include "pages.h"
#include "participation_pages.h"

const struct org_code personal_look_reasons[] = {{"kontakt", "Kontakt med deltagaren"},
                                                 {"uppfoljning", "Uppföljning"},
                                                 {"samordning", "Samordning med part"},
                                                 {NULL, NULL}};

/* ---- on the participation page -------------------------------------------------------------- */

static const struct field identity_fields[] = {
    {"reason", "Skäl att visa identiteten", FT_SELECT, 1, 20, personal_look_reasons,
     "Visningen loggas med skälet.", NULL},
};

static const struct field consent_fields[] = {
    {"consent_on", "Samtycke lämnat", FT_DATE, 1, 10, NULL, NULL, "off"},
    {"consent_form", "Samtyckesblankettens version", FT_TEXT, 1, 40, NULL, "Till exempel 2024:1.",
     "off"},
    {"pnr", "Personnummer eller samordningsnummer", FT_TEXT, 1, 13, NULL,
     "Sparas krypterat, bara med samtycke.", "off"},
    {"name", "Namn", FT_TEXT, 1, 120, NULL, NULL, "off"},
};

void personal_identity_shown(struct participation_view *v, const char *pnr, const char *name)
{
	html_printf(&v->body,
	            "<div class=\"notice\" role=\"status\"><p>Visningen är loggad.</p>"
	            "<dl "
	            "class=\"facts\"><dt>Namn</dt><dd>%s</dd><dt>Personnummer</dt><dd>%s</dd>"
	            "</dl></div>",
	            name, pnr);
}

void personal_identity_form(struct req *r, struct participation_view *v,
                            const struct participation *p)
{
	struct form f;
	FORM_INIT(&f, identity_fields);
	form_set_scope(&f, "identitet");
	form_set(&f, r->arena, "reason", "kontakt");
	participation_small_form(r, v, p->id, &f, "identitet", "Identitet", NULL, "Visa identitet");
}

void personal_consent_forms(struct req *r, struct participation_view *v,
                            const struct participation *p)
{
	if (!p->identified && !p->protected_identity) {
		char today[11];
		struct form f;
		FORM_INIT(&f, consent_fields);
		form_set_scope(&f, "samtycke");
		form_set(&f, r->arena, "consent_on", svtime_today(actor_now(&r->actor), today));
		participation_small_form(r, v, p->id, &f, "samtycke", "Registrera samtycke",
		                         "Har deltagaren lämnat skriftligt samtycke efter "
		                         "anmälan sparas personnummer "
		                         "och namn krypterat för det här deltagandet.",
		                         "Registrera samtycke");
	}
	/* Irreversible: each goes through a confirmation page first. */
	if (p->identified)
		html_printf(&v->body,
		            "<h2>Återkalla samtycke</h2><p>Personnummer och namn raderas. "
		            "Deltagandet finns kvar anonymt i statistiken.</p>"
		            "<p><a class=\"button secondary\" href=\"/deltagare/%lld/aterkalla\">"
		            "Återkalla samtycke …</a></p>",
		            (long long)p->id);
	if (!p->protected_identity)
		html_printf(&v->body,
		            "<h2>Skyddade personuppgifter</h2><p>Om personen har fått skyddade "
		            "personuppgifter raderas identiteten i deltagandet.</p>"
		            "<p><a class=\"button secondary\" href=\"/deltagare/%lld/skyddad\">"
		            "Markera skyddade personuppgifter …</a></p>",
		            (long long)p->id);
}

/* POST /deltagare/#/identitet: the identity, with a reason the core logs. */
void page_participation_identity_post(struct req *r)
{
	const char *reason = kv_get(&r->form, "reason");
	if (!org_code_valid(personal_look_reasons, reason)) {
		struct field_error err = {0};
		field_error_set(&err, "reason", "Välj ett skäl i listan.");
		r->status = 422;
		struct posted ps = {"identitet", &err};
		participation_page_show(r, &ps, NULL, NULL);
		return;
	}
	const char *pnr, *name;
	enum rc rc =
	    personal_identity(r->db, r->vault, &r->actor, r->ids[0], reason, r->arena, &pnr, &name);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	participation_page_show(r, NULL, pnr, name);
}

void page_participation_consent_post(struct req *r)
{
	struct field_error err = {0};
	struct consent_in in = {kv_get(&r->form, "consent_on"), kv_get(&r->form, "consent_form"),
	                        kv_get(&r->form, "pnr"), kv_get(&r->form, "name")};
	participation_after(r, "samtycke",
	                    personal_consent_add(r->db, r->vault, &r->actor, r->ids[0], &in, &err),
	                    &err, "samtycke");
}

/* ---- confirmation of what cannot be undone -------------------------------------------------- */

enum confirm_kind { CONFIRM_WITHDRAW, CONFIRM_PROTECT };

/* The page that says what will be erased, with an explicit confirmation;
 * error (if any) at the top, the typed date kept. */
static void confirm_page(struct req *r, enum confirm_kind kind, const struct field_error *error,
                         const char *date)
{
	struct participation p;
	enum rc rc = participation_get(r->db, r->arena, actor_now(&r->actor), r->ids[0], &p);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	if (!participation_may_write(r, &p)) {
		respond_rc(r, RC_DENIED);
		return;
	}
	int withdraw = kind == CONFIRM_WITHDRAW;
	int date_error = error && strcmp(error->field, "date") == 0;
	struct confirm c = {
	    arena_printf(r->arena, "%s – deltagande %lld",
	                 withdraw ? "Återkalla samtycke" : "Skyddade personuppgifter",
	                 (long long)p.id),
	    NULL,
	    {NULL},
	    arena_printf(r->arena, "/deltagare/%lld/%s", (long long)p.id,
	                 withdraw ? "aterkalla" : "skyddad"),
	    "Jag förstår att personnummer och namn raderas och inte kan återställas",
	    withdraw ? "Återkalla samtycke och radera identiteten"
	             : "Markera skyddade personuppgifter och radera identiteten",
	    arena_printf(r->arena, "/deltagare/%lld", (long long)p.id),
	    "Avbryt, radera inget",
	    date_error ? "f-date" : NULL};
	if (withdraw)
		c.warning[0] = arena_printf(
		    r->arena,
		    "Personnummer och namn som sparats för deltagandet i %s raderas. "
		    "Deltagandet "
		    "finns kvar anonymt: kön, datum och registrerade uppgifter stannar i "
		    "statistiken.",
		    p.intervention_name);
	else {
		c.warning[0] = "Personnummer och namn raderas i det här deltagandet och i "
		               "personens andra deltaganden i insatser där du är "
		               "deltagaransvarig. Deltagandena finns kvar anonymt i statistiken "
		               "och kan inte längre få identitet.";
		c.warning[1] = "Finns personen i andra insatser tar administratören hand om dem.";
	}
	const char *message = error && error->field[0] ? error->message : NULL;
	confirm_page_begin(r, &c, message);
	if (withdraw) {
		char today[11];
		svtime_today(actor_now(&r->actor), today);
		html_printf(&r->out,
		            "<div class=\"field\"><label for=\"f-date\">Datum för "
		            "återkallelsen</label>"
		            "<input type=\"date\" id=\"f-date\" name=\"date\" value=\"%s\" "
		            "required%s>"
		            "</div>",
		            date ? date : today, date_error ? " aria-invalid=\"true\"" : "");
	}
	confirm_page_end(r, &c, message);
}

/* RC_OK when the form carries the explicit confirmation. */
static enum rc confirmed(struct req *r, struct field_error *err)
{
	const char *c = kv_get(&r->form, "confirm");
	if (c && strcmp(c, "ja") == 0)
		return RC_OK;
	return field_error_set(err, "confirm", "Kryssa i att du förstår att uppgifterna raderas.");
}

/* After a confirmed POST: back to the participation, or the confirmation
 * page again with the error. */
static void after_confirm(struct req *r, enum confirm_kind kind, enum rc rc,
                          const struct field_error *err)
{
	if (rc != RC_INVALID) {
		participation_after(r, kind == CONFIRM_WITHDRAW ? "aterkalla" : "skyddad", rc, err,
		                    kind == CONFIRM_WITHDRAW ? "aterkallat" : "skyddad");
		return;
	}
	r->status = 422;
	confirm_page(r, kind, err, kv_get(&r->form, "date"));
}

void page_participation_withdraw(struct req *r)
{
	confirm_page(r, CONFIRM_WITHDRAW, NULL, NULL);
}

void page_participation_withdraw_post(struct req *r)
{
	struct field_error err = {0};
	enum rc rc = confirmed(r, &err);
	if (!rc)
		rc = personal_withdraw_consent(r->db, &r->actor, r->ids[0],
		                               kv_get(&r->form, "date"), &err);
	after_confirm(r, CONFIRM_WITHDRAW, rc, &err);
}

void page_participation_protect(struct req *r)
{
	confirm_page(r, CONFIRM_PROTECT, NULL, NULL);
}

void page_participation_protect_post(struct req *r)
{
	struct field_error err = {0};
	enum rc rc = confirmed(r, &err);
	if (!rc)
		rc = personal_protect(r->db, &r->actor, r->ids[0]);
	after_confirm(r, CONFIRM_PROTECT, rc, &err);
}

/* ---- protection requests: the administrator's work list ------------------------------------- */

void page_protect_requests(struct req *r)
{
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	struct protect_request *q;
	size_t n;
	enum rc rc = personal_protect_requests(r->db, r->arena, &r->actor, assoc, &q, &n);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	struct buf *b = &r->out;
	page_begin(r, "Skyddade personuppgifter");
	html_printf(b, "<h1>Skyddade personuppgifter</h1><p>Personal i en insats har "
	               "markerat att en "
	               "person har skyddade personuppgifter, och personen finns "
	               "också i insatser där "
	               "de inte är deltagaransvariga. Tillämpa skyddet så raderas "
	               "identiteten i alla "
	               "personens deltaganden.</p>");
	if (!n) {
		html_printf(b, "<p role=\"status\">Inga begäranden väntar.</p>");
		page_end(r);
		return;
	}
	html_printf(b, "<table><caption>Väntande begäranden, äldst först</caption><thead><tr>"
	               "<th scope=\"col\">Begärd</th><th scope=\"col\">Från deltagande</th>"
	               "<th scope=\"col\" class=\"num\">Deltaganden med identitet</th>"
	               "<th scope=\"col\">Åtgärd</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		char d[SVTIME_MAX];
		html_printf(b,
		            "<tr><td>%s</td><td><a href=\"/deltagare/%lld\">%lld</a> (%s)</td>"
		            "<td class=\"num\">%lld</td><td><a "
		            "href=\"/skyddade-personuppgifter/%lld\">"
		            "Tillämpa skydd för begäran %lld …</a></td></tr>",
		            svtime_date(d, q[i].requested_on), (long long)q[i].participation_id,
		            (long long)q[i].participation_id, q[i].intervention_name,
		            (long long)q[i].identified, (long long)q[i].id, (long long)q[i].id);
	}
	html_printf(b, "</tbody></table>");
	page_end(r);
}

/* The confirmation page of one request; error shown at the top. */
static void protect_request_page(struct req *r, const struct field_error *error)
{
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	struct protect_request *q;
	size_t n;
	enum rc rc = personal_protect_requests(r->db, r->arena, &r->actor, assoc, &q, &n);
	size_t i = 0;
	while (!rc && i < n && q[i].id != r->ids[0])
		i++;
	if (rc || i == n) {
		respond_rc(r, rc ? rc : RC_NOT_FOUND);
		return;
	}
	struct buf *b = &r->out;
	char *title = arena_printf(r->arena, "Tillämpa skyddade personuppgifter, begäran %lld",
	                           (long long)q[i].id);
	page_begin(r, title);
	html_printf(b, "<h1>%s</h1>", title);
	if (error && error->field[0])
		html_printf(b,
		            "<div class=\"error-summary\" role=\"alert\"><h2>Något behöver rättas"
		            "</h2><p><a href=\"#f-confirm\">%s</a></p></div>",
		            error->message);
	html_printf(b,
	            "<div class=\"warning\"><h2>Det här går inte att "
	            "ångra</h2><p>Personnummer och "
	            "namn raderas i %lld %s där personen har identitet, i alla insatser. "
	            "%s kvar anonymt i statistiken.</p></div>"
	            "<form method=\"post\" action=\"/skyddade-personuppgifter/%lld\" "
	            "class=\"edit\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	            "<div class=\"check\"><input type=\"checkbox\" id=\"f-confirm\" "
	            "name=\"confirm\" "
	            "value=\"ja\" required%s><label for=\"f-confirm\">Jag förstår att "
	            "personnummer "
	            "och namn raderas och inte kan återställas</label></div>"
	            "<div class=\"actions\"><button type=\"submit\">Tillämpa skyddet och "
	            "radera "
	            "identiteten</button><a href=\"/skyddade-personuppgifter\">Avbryt, "
	            "radera inget"
	            "</a></div></form>",
	            (long long)q[i].identified, q[i].identified == 1 ? "deltagande" : "deltaganden",
	            q[i].identified == 1 ? "Deltagandet finns" : "Deltagandena finns",
	            (long long)q[i].id, r->who.csrf, error ? " aria-invalid=\"true\"" : "");
	page_end(r);
}

void page_protect_request(struct req *r)
{
	protect_request_page(r, NULL);
}

void page_protect_request_post(struct req *r)
{
	struct field_error err = {0};
	enum rc rc = confirmed(r, &err);
	if (rc) {
		r->status = 422;
		protect_request_page(r, &err);
		return;
	}
	rc = personal_protect_apply(r->db, &r->actor, r->ids[0], NULL);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	req_redirect(r, "/skyddade-personuppgifter");
}
