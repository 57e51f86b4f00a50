/*
 * labels.c — Swedish labels for the core's codes; see labels.h.
 */
#include "labels.h"

#include <stdlib.h>
#include <string.h>

#include "../core/codes.h"
#include "../core/org.h"
#include "../util/arena.h"
#include "../util/html.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "pages.h"
#include "web.h"

struct label {
	const char *code, *label;
};

static const char *find(const struct label *t, const char *code)
{
	for (; code && t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->label;
	return NULL;
}

static const struct label states[] = {
    {"queued", "I kö"},    {"active", "Pågående"},
    {"ended", "Avslutad"}, {"cancelled", "Avbruten i kö"},
    {NULL, NULL},
};

static const struct label history_fields[] = {
    {"state", "Status"},
    {"referred_on", "Anmälningsdatum"},
    {"start_on", "Startdatum"},
    {"end_on", "Slutdatum"},
    {"end_reason", "Avslutsorsak"},
    {"sex", "Kön"},
    {"home_area_id", "Hemkommun"},
    {"home_area", "Hemkommun"},
    {"consent", "Samtycke"},
    {"protected", "Skyddade personuppgifter"},
    {NULL, NULL},
};

static const struct label audit_actions[] = {
    {"create", "Skapade"},
    {"update", "Ändrade"},
    {"retire", "Tog bort ur bruk"},
    {"password", "Bytte lösenord"},
    {"disable", "Stängde av konto"},
    {"enable", "Öppnade konto"},
    {"login", "Inloggning"},
    {"login_failed", "Misslyckad inloggning"},
    {"login_throttled", "Inloggning spärrad efter för många försök"},
    {"logout", "Utloggning"},
    {"revoke", "Återkallade"},
    {"start", "Registrerade start"},
    {"end", "Registrerade avslut"},
    {"cancel", "Avbröt anmälan"},
    {"correct", "Rättade"},
    {"withdraw_consent", "Återkallade samtycke"},
    {"protect", "Markerade skyddade personuppgifter"},
    {"consent_given", "Registrerade samtycke"},
    {"protect_request", "Begärde skyddade personuppgifter hos administratören"},
    {"protect_apply", "Tillämpade skyddade personuppgifter"},
    {"attendance", "Registrerade deltagartimmar"},
    {"view_identity", "Visade identitet"},
    {"search_identity", "Sökte på personnummer"},
    {"extract", "Gjorde registerutdrag"},
    {"staff_add", "Lade till personal"},
    {"staff_remove", "Tog bort personal"},
    {"volume", "Registrerade antal"},
    {"key_check", "Sparade nyckelkontroll"},
    {"import", "Importerade deltaganden"},
    {NULL, NULL},
};

static const struct label audit_objects[] = {
    {"participation", "Deltagande"},
    {"user", "Användare"},
    {"api_token", "API-nyckel"},
    {"code_item", "Kodlista"},
    {"intervention", "Insats"},
    {"association", "Förbundet"},
    {"area", "Område"},
    {"member", "Medlem"},
    {"body", "Organ"},
    {"person", "Person"},
    {"mandate", "Uppdrag"},
    {"identity", "Person i registret"},
    {"key_file", "Nyckelfilen"},
    {"protection_request", "Begäran om skyddade personuppgifter"},
    {NULL, NULL},
};

static const struct label identity_reasons[] = {
    {"kontakt", "Kontakt med deltagaren"},
    {"uppfoljning", "Uppföljning"},
    {"samordning", "Samordning med part"},
    {NULL, NULL},
};

/* Where an object of a type is shown, for a link from the audit log. */
static const struct label object_paths[] = {
    {"participation", "/deltagare/"}, {"intervention", "/insatser/"},
    {"member", "/medlemmar/"},        {"body", "/organ/"},
    {"person", "/personer/"},         {NULL, NULL},
};

const char *label_state(const char *code)
{
	return find(states, code);
}
const char *label_history_field(const char *code)
{
	return find(history_fields, code);
}
const char *label_audit_action(const char *code)
{
	return find(audit_actions, code);
}
const char *label_audit_object(const char *object_type)
{
	return find(audit_objects, object_type);
}
const char *label_identity_reason(const char *code)
{
	return find(identity_reasons, code);
}
const char *label_or(const char *label, const char *fallback)
{
	return label ? label : fallback;
}

void user_names_load(struct req *r, struct user_names *un)
{
	un->u = NULL;
	un->n = 0;
	if (auth_user_list(r->db, r->arena, &un->u, &un->n))
		un->n = 0;
}

const char *label_actor(struct req *r, const struct user_names *un, const char *actor)
{
	return label_actor_in(r->arena, un ? un->u : NULL, un ? un->n : 0, actor);
}

const char *label_actor_in(struct arena *a, const struct user *users, size_t n, const char *actor)
{
	if (str_blank(actor))
		return "–";
	if (strcmp(actor, "cli") == 0)
		return "Kommandoraden";
	if (strcmp(actor, "system") == 0)
		return "Systemet";
	if (strcmp(actor, "okänd") == 0 || strcmp(actor, "anonym") == 0)
		return "Okänd (ej inloggad)";
	if (strncmp(actor, "api:", 4) == 0)
		return arena_printf(a, "API-nyckel %s", actor + 4);
	for (size_t i = 0; users && i < n; i++)
		if (strcmp(users[i].username, actor) == 0)
			return users[i].display_name;
	return actor; /* an account since removed: its username is all we have */
}

static const char *user_by_id(const struct user_names *un, const char *id)
{
	int64_t v;
	if (!str_to_i64(id, &v))
		return NULL;
	for (size_t i = 0; un && i < un->n; i++)
		if (un->u[i].id == v)
			return un->u[i].display_name;
	return NULL;
}

const struct org_code label_sexes[] = {{"K", "Kvinna"}, {"M", "Man"}, {NULL, NULL}};

const struct org_code label_answer_lists[] = {
    {"support", "Försörjning"},
    {"employment", "Sysselsättning"},
    {"education", "Utbildningsnivå"},
    {"support_time", "Tid i offentlig försörjning"},
    {NULL, NULL},
};

const char *label_code(struct db *db, struct arena *a, const char *list, const char *code)
{
	struct code_item *c;
	size_t n;
	if (!code)
		return "–";
	if (list && codes_list(db, a, list, 1, &c, &n) == RC_OK)
		for (size_t i = 0; i < n; i++)
			if (strcmp(c[i].code, code) == 0)
				return c[i].label;
	return "okänd kod";
}

const char *label_history_value(struct db *db, struct arena *a, const char *field, const char *v)
{
	char d[SVTIME_MAX];
	if (str_blank(v) || !field)
		return "–";
	if (strcmp(field, "state") == 0)
		return label_or(label_state(v), "Okänd status");
	if (strcmp(field, "referred_on") == 0 || strcmp(field, "start_on") == 0 ||
	    strcmp(field, "end_on") == 0)
		return arena_strdup(a, svtime_date(d, v));
	if (strcmp(field, "end_reason") == 0)
		return label_code(db, a, "end_reason", v);
	if (strcmp(field, "sex") == 0)
		return org_label(label_sexes, v);
	return v; /* the core writes these in Swedish: kommun names, "lämnat" … */
}

void web_history_row(struct req *r, const struct user_names *un, const struct history_entry *h)
{
	char at[SVTIME_MAX];
	html_printf(&r->out,
	            "<tr><td data-label=\"Tid\">%s</td><td data-label=\"Av\">%s</td>"
	            "<td data-label=\"Uppgift\">%s</td><td data-label=\"Före\">%s</td>"
	            "<td data-label=\"Efter\">%s</td></tr>",
	            svtime_datetime(at, h->at), label_actor(r, un, h->actor),
	            label_or(label_history_field(h->field), "Annan uppgift"),
	            label_history_value(r->db, r->arena, h->field, h->old_value),
	            label_history_value(r->db, r->arena, h->field, h->new_value));
}

/* The audit detail in words; the core keeps it free of personal data, but
 * some actions record a code (a field, a role, a reason). */
static const char *audit_detail(struct req *r, const struct user_names *un,
                                const struct audit_entry *e)
{
	const char *d = e->detail;
	if (str_blank(d))
		return "";
	if (strcmp(e->action, "staff_add") == 0 || strcmp(e->action, "staff_remove") == 0) {
		/* "role:account id" (older entries: the role alone). */
		const char *colon = strchr(d, ':');
		const char *role = colon ? arena_strndup(r->arena, d, (size_t)(colon - d)) : d;
		enum role ro = auth_role_parse(role);
		const char *rl = ro != ROLE_NONE ? auth_role_label(ro) : "Okänd roll";
		if (!colon)
			return rl;
		const char *name = user_by_id(un, colon + 1);
		return arena_printf(r->arena, "%s: %s", rl, name ? name : "borttaget konto");
	}
	if (strcmp(e->action, "correct") == 0)
		return label_or(label_history_field(d), "Annan uppgift");
	if ((strcmp(e->object_type, "user") == 0 || strcmp(e->object_type, "api_token") == 0) &&
	    strcmp(e->action, "create") == 0)
		return auth_role_parse(d) != ROLE_NONE ? auth_role_label(auth_role_parse(d))
		                                       : "Okänd roll";
	if (strcmp(e->action, "end") == 0 || strcmp(e->action, "cancel") == 0)
		return web_code_label(r, "end_reason", d);
	if (strcmp(e->action, "view_identity") == 0 || strcmp(e->action, "search_identity") == 0)
		return arena_printf(r->arena, "Skäl: %s",
		                    label_or(label_identity_reason(d), "annat"));
	if (strcmp(e->object_type, "mandate") == 0)
		return org_label(org_mandate_roles, d);
	if (strcmp(e->object_type, "code_item") == 0) {
		const char *colon = strchr(d, ':');
		if (colon) {
			const char *list = arena_strndup(r->arena, d, (size_t)(colon - d));
			return arena_printf(r->arena, "Post ”%s”",
			                    web_code_label(r, list, colon + 1));
		}
	}
	if (strcmp(e->action, "attendance") == 0 || strcmp(e->action, "volume") == 0) {
		char out[SVTIME_MAX];
		if (strlen(d) == 7) /* a month, "2026-03" */
			return arena_printf(r->arena, "Månad %s", d);
		return arena_strdup(r->arena, svtime_date(out, d));
	}
	return d;
}

void web_audit_cells(struct req *r, const struct user_names *un, const struct audit_entry *e)
{
	char at[SVTIME_MAX];
	struct buf *b = &r->out;
	html_printf(b,
	            "<td data-label=\"Tid\">%s</td><td data-label=\"Vem\">%s</td>"
	            "<td data-label=\"Händelse\">%s</td><td data-label=\"Objekt\">",
	            svtime_datetime(at, e->at), label_actor(r, un, e->actor),
	            label_or(label_audit_action(e->action), "Annan händelse"));
	const char *type = label_or(label_audit_object(e->object_type), "Annat");
	const char *path = find(object_paths, e->object_type);
	int64_t id = 0;
	int has_id = str_to_i64(e->object_id, &id) && id > 0;
	const char *who = strcmp(e->object_type, "user") == 0 ? user_by_id(un, e->object_id) : NULL;
	if (who)
		html_printf(b, "%s", who);
	else if (!has_id)
		html_printf(b, "%s", type);
	else if (path)
		html_printf(b, "<a href=\"%s%lld\">%s %lld</a>", path, (long long)id, type,
		            (long long)id);
	else
		html_printf(b, "%s %lld", type, (long long)id);
	const char *from = e->address;
	if (str_blank(from))
		from = "–";
	else if (strcmp(from, "cli") == 0)
		from = "Kommandoraden";
	html_printf(b, "</td><td data-label=\"Varifrån\">%s</td><td data-label=\"Detalj\">%s</td>",
	            from, audit_detail(r, un, e));
}
