/*
 * participation_pages.h — what the participant pages share (web-internal):
 * page_referral.c (the referral form), page_participation.c (one
 * participation and its transitions), page_participation_list.c (lists,
 * go-to, search) and page_personal.c (every page and form that shows or
 * changes personal data, for a privacy reviewer to read alone).
 */
#ifndef FINSAM_PARTICIPATION_PAGES_H
#define FINSAM_PARTICIPATION_PAGES_H

#include "../core/participation.h"
#include "../util/buf.h"
#include "form.h"
#include "web.h"

/* "Aktiv", "I kö" … for a state code; "–" for none. */
const char *participation_state_label(const char *s);
/* s, or "–" when blank. */
const char *participation_dash(const char *s);
/* What the participation holds of consent, in words. */
const char *participation_consent_label(const struct participation *p);
/* 1 if the signed-in user may change the participation (a
 * deltagaransvarig of its insats); the core checks again. */
int participation_may_write(struct req *r, const struct participation *p);

/* A failed POST from one of the participation page's forms: which form
 * (its scope: "start", "avslut", …) and every error. */
struct posted {
	const char *form;
	const struct field_error *err;
};

/*
 * The participation page is written in two parts: the forms go into body
 * while it is built, and the one a failed POST came from is remembered, so
 * that its error summary can stand at the top of the page.
 */
struct participation_view {
	struct buf body;
	const struct posted *ps;
	struct form posted; /* the failed form, once rendered */
	int has_posted;
};

/* Renders one small form of the page under its heading (and intro, a
 * paragraph, or NULL), f set up by the caller (table, scope, code lists,
 * defaults): when the failed POST came from it (its scope), with what was
 * posted and every error beside its field.  action is the last part of
 * the URL (/deltagare/ID/ACTION). */
void participation_small_form(struct req *r, struct participation_view *v, int64_t id,
                              struct form *f, const char *action, const char *heading,
                              const char *intro, const char *submit);

/* The participation page (GET, or after a failed POST ps), with an
 * identity (pnr, name) when one was asked for and granted. */
void participation_page_show(struct req *r, const struct posted *ps, const char *pnr,
                             const char *name);
/* Ends a POST from the page's form `form`: back to the page on success
 * (with `done` for the notice), else the page again with what was typed
 * and every error, or the error page (post_answered). */
void participation_after(struct req *r, const char *form, enum rc rc, const struct field_error *err,
                         const char *done);

/* page_personal.c: the personal-data parts of the participation page. */
/* The reasons for looking up an identity (shown, searched), logged. */
extern const struct org_code personal_look_reasons[];
/* The notice with a granted identity (pnr and name, the view logged). */
void personal_identity_shown(struct participation_view *v, const char *pnr, const char *name);
/* The form asking to see the identity, with its reason. */
void personal_identity_form(struct req *r, struct participation_view *v,
                            const struct participation *p);
/* Consent given later, withdrawal and protection: forms and links. */
void personal_consent_forms(struct req *r, struct participation_view *v,
                            const struct participation *p);

#endif
