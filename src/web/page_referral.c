/*
 * page_referral.c — the referral form of an insats: a new participation,
 * anonymous or (with written consent) with personnummer and name, stored
 * encrypted by the core.  A form carries a one-time token so that sending
 * it twice registers once; when the person is already queued or active in
 * the insats, the form comes back asking to confirm a second referral.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/intervention.h"
#include "../core/org.h"
#include "../core/participation.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/html.h"
#include "../util/kv.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "entity.h"
#include "form.h"
#include "labels.h"
#include "pages.h"

/* ---- options ----------------------------------------------------------------
 */

static void area_options(struct req *r, struct form *f)
{
	struct area *ar;
	size_t n;
	int64_t assoc = entity_association(r);
	if (!assoc || org_area_list(r->db, r->arena, assoc, &ar, &n))
		return;
	struct form_option *k = arena_alloc(r->arena, (n ? n : 1) * sizeof *k);
	struct form_option *d = arena_alloc(r->arena, (n ? n : 1) * sizeof *d);
	size_t nk = 0, nd = 0;
	for (size_t i = 0; k && d && i < n; i++) {
		if (strcmp(ar[i].kind, "kommun") == 0) {
			k[nk].id = ar[i].id;
			k[nk++].label = ar[i].name;
		} else {
			d[nd].id = ar[i].id;
			d[nd++].label =
			    arena_printf(r->arena, "%s, %s", ar[i].parent_name, ar[i].name);
		}
	}
	form_set_options(f, "home_area_id", k, nk);
	form_set_options(f, "home_district_id", d, nd);
}

/* ---- referral ------------------------------------------------------------------------------- */

static const struct field referral_fields[] = {
    {"referred_on", "Anmälningsdatum", FT_DATE, 1, 10, NULL, NULL, NULL},
    {"source", "Anmäld av", FT_SELECT, 1, 20, NULL, NULL, NULL},
    {"source_member_id", "Anmälande part", FT_ID, 0, 20, NULL,
     "Vilken medlem anmälan kom från, till exempel vilken kommun.", NULL},
    {"source_unit", "Anmälande enhet", FT_TEXT, 0, 120, NULL,
     "Till exempel Socialtjänsten eller Vuxenpsykiatrin.", NULL},
    {"home_area_id", "Hemkommun", FT_ID, 0, 20, NULL, NULL, NULL},
    {"home_district_id", "Stadsdel", FT_ID, 0, 20, NULL, "För kommuner som delas in i stadsdelar.",
     NULL},
    {"sex", "Kön", FT_SELECT, 0, 2, label_sexes,
     "Behövs vid anonym registrering; med personnummer följer det av numret.", NULL},
    {"consent_on", "Samtycke lämnat", FT_DATE, 0, 10, NULL,
     "Datum för det skriftliga samtycket. Lämna tomt för anonym registrering.", NULL},
    {"consent_form", "Samtyckesblankettens version", FT_TEXT, 0, 40, NULL, "Till exempel 2024:1.",
     NULL},
    {"pnr", "Personnummer eller samordningsnummer", FT_TEXT, 0, 13, NULL,
     "Sparas krypterat, bara med samtycke.", "off"},
    {"name", "Namn", FT_TEXT, 0, 120, NULL, NULL, "off"},
    {"protected", "Skyddade personuppgifter", FT_CHECKBOX, 0, 1, NULL,
     "Personen registreras då alltid anonymt.", NULL},
    /* Shown only when the person is already in the insats. */
    {"confirm_duplicate", "Registrera ändå", FT_CHECKBOX, 0, 1, NULL,
     "Om det är en ny anmälan för samma person.", NULL},
    /* The one-time token the form was rendered with (page_referral_post). */
    {"form_token", "Formulärets nyckel", FT_HIDDEN, 0, CRYPTO_TOKEN_LEN, NULL, NULL, NULL},
};

static void referral_setup(struct req *r, struct form *f)
{
	FORM_INIT(f, referral_fields);
	form_set_codes(f, "source", web_code_options(r, "referral_source"));
	entity_member_options(r, f, "source_member_id");
	area_options(r, f);
}

/* A one-time token is a fresh crypto_token: base64url, fixed length. */
static int token_ok(const char *t)
{
	if (!t || strlen(t) != CRYPTO_TOKEN_LEN)
		return 0;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* The form; the "Registrera ändå" checkbox only when the person is
 * already in the insats (duplicate). */
static void referral_page(struct req *r, struct form *f, int duplicate)
{
	struct intervention x;
	enum rc rc = intervention_get(r->db, r->arena, r->ids[0], &x);
	/* The form only to whom the core lets register in this insats: the
	 * same 403 before the form is filled in as after. */
	if (!rc)
		rc = participation_may_refer(r->db, &r->actor, x.id);
	if (rc) {
		respond_rc(r, rc);
		return;
	}
	if (!duplicate)
		form_hide(f, "confirm_duplicate");
	char *title = arena_printf(r->arena, "Ny anmälan till %s", x.name);
	page_begin(r, title);
	html_printf(&r->out,
	            "<h1>%s</h1><p>Utan samtycke registreras deltagaren anonymt: bara kön "
	            "och "
	            "datum sparas. Med skriftligt samtycke sparas personnummer och namn "
	            "krypterat.</p>",
	            title);
	form_render(&r->out, f, r->path, r->who.csrf, "Registrera anmälan");
	html_printf(&r->out, "<p><a href=\"/insatser/%lld\">Tillbaka till insatsen</a></p>",
	            (long long)x.id);
	page_end(r);
}

void page_referral_new(struct req *r)
{
	struct form f;
	referral_setup(r, &f);
	char today[11];
	form_set(&f, r->arena, "referred_on", svtime_today(actor_now(&r->actor), today));
	char token[CRYPTO_TOKEN_LEN + 1];
	crypto_token(token);
	form_set(&f, r->arena, "form_token", token);
	referral_page(r, &f, 0);
}

void page_referral_post(struct req *r)
{
	struct form f;
	referral_setup(r, &f);
	form_read_kv(&f, r->arena, &r->form);
	/* The token the form was rendered with; a form without one (or with
   * a broken one) gets a new one and no protection against resending. */
	const char *token = form_get(&f, "form_token");
	form_set(&f, r->arena, "form_token", NULL); /* never an error of its own */
	int form_ok = form_check(&f) == RC_OK;
	struct referral in = {0};
	in.intervention_id = r->ids[0];
	in.referred_on = form_get(&f, "referred_on");
	in.source = form_get(&f, "source");
	in.source_member_id = form_id(&f, "source_member_id");
	in.source_unit = form_get(&f, "source_unit");
	in.home_area_id = form_id(&f, "home_area_id");
	in.home_district_id = form_id(&f, "home_district_id");
	in.sex = form_get(&f, "sex");
	in.consent_on = form_get(&f, "consent_on");
	in.consent_form = form_get(&f, "consent_form");
	in.pnr = form_get(&f, "pnr");
	in.name = form_get(&f, "name");
	in.protected_identity = form_get(&f, "protected") != NULL;
	const char *cd = kv_get(&r->form, "confirm_duplicate");
	in.confirm_duplicate = cd && strcmp(cd, "1") == 0;
	form_set(&f, r->arena, "confirm_duplicate", in.confirm_duplicate ? "1" : NULL);
	if (token_ok(token)) {
		in.once_key = token;
	} else {
		char *fresh = arena_alloc(r->arena, CRYPTO_TOKEN_LEN + 1);
		if (!fresh) {
			respond_rc(r, RC_NOMEM);
			return;
		}
		crypto_token(fresh);
		token = fresh;
	}
	form_set(&f, r->arena, "form_token", token);
	struct field_error err = {0};
	int duplicate = 0;
	if (form_ok) {
		int64_t id = 0;
		enum rc rc = participation_refer(r->db, r->vault, &r->actor, &in, &id, &err);
		/* A duplicate is a question to the user, not an error page. */
		duplicate = rc == RC_CONFLICT;
		if (!duplicate &&
		    post_answered(r, rc, arena_printf(r->arena, "/deltagare/%" PRId64, id),
		                  "anmalan", NULL, NULL))
			return;
	} else {
		/* The core's rules too, so every mistake shows at once. */
		participation_refer_check(r->db, &r->actor, &in, &err);
	}
	form_fail(&f, &err);
	/* What was typed stays, the number too: it goes back only in the body
   * of this POST's answer (autocomplete off), never in a URL or a log. */
	r->status = 422;
	referral_page(r, &f, duplicate || in.confirm_duplicate);
}
