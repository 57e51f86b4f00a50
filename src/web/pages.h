/*
 * pages.h — the page and API handlers the route table points at.
 */
#ifndef FINSAM_PAGES_H
#define FINSAM_PAGES_H

#include <stdint.h>

#include "../core/org.h"
#include "web.h"

/* page_auth.c */
void page_login(struct req *r);
void page_login_post(struct req *r);
/* The login form again, with the username the request sent kept and
 * message shown above it (status is the caller's): for a stale login form
 * or a session that ended while a form was open. */
void page_login_again(struct req *r, int status, const char *message);
void page_logout_post(struct req *r);
void page_start(struct req *r);
void page_account(struct req *r);
void page_account_post(struct req *r);
void api_me(struct req *r);

/* page_org.c */
void page_forbund(struct req *r);
void page_members(struct req *r);
void page_member(struct req *r);
void page_member_population_post(struct req *r);
void page_bodies(struct req *r);
void page_body(struct req *r);
void page_people(struct req *r);
void page_person(struct req *r);
void api_member_population_list(struct req *r);
void api_member_population_post(struct req *r);

/* page_intervention.c */
void page_interventions(struct req *r);
void page_intervention(struct req *r);
void page_intervention_new(struct req *r);
void page_intervention_new_post(struct req *r);
void page_intervention_edit(struct req *r);
void page_intervention_edit_post(struct req *r);
void page_intervention_year_post(struct req *r);
void page_intervention_staff_post(struct req *r);
void page_intervention_volume_post(struct req *r);
/* Options of a code list (NULL-terminated, arena memory) and one label. */
const struct org_code *web_code_options(struct req *r, const char *list);
const char *web_code_label(struct req *r, const char *list, const char *code);
/* "1 500 000 kr" from öre (whole kronor). */
void html_money(struct buf *b, int64_t ore);

/* page_referral.c */
void page_referral_new(struct req *r);
void page_referral_post(struct req *r);

/* page_participation_list.c */
void page_participants(struct req *r);
void page_queue(struct req *r);
void page_worklists(struct req *r);
void page_participation_goto(struct req *r);
void page_participation_search_post(struct req *r);

/* page_participation.c */
void page_participation(struct req *r);
void page_participation_start_post(struct req *r);
void page_participation_end_post(struct req *r);
void page_participation_cancel_post(struct req *r);
void page_participation_correct_post(struct req *r);
void page_participation_hours_post(struct req *r);

/* page_personal.c */
void page_participation_identity_post(struct req *r);
void page_participation_consent_post(struct req *r);
void page_participation_withdraw(struct req *r);
void page_participation_withdraw_post(struct req *r);
void page_participation_protect(struct req *r);
void page_participation_protect_post(struct req *r);
void page_protect_requests(struct req *r);
void page_protect_request(struct req *r);
void page_protect_request_post(struct req *r);

/* page_extract.c */
void page_extract(struct req *r);
void page_extract_post(struct req *r);
void api_extract(struct req *r);

/* page_import.c */
void page_import(struct req *r);
void page_import_post(struct req *r);

/* api_intervention.c */
void api_interventions(struct req *r);
void api_intervention(struct req *r);
void api_intervention_create(struct req *r);
void api_intervention_update(struct req *r);
void api_codes(struct req *r);

/* api_participation.c */
void api_participations(struct req *r);
void api_queue(struct req *r);
void api_worklist(struct req *r);
void api_participation(struct req *r);
void api_referral(struct req *r);
void api_start(struct req *r);
void api_end(struct req *r);
void api_cancel(struct req *r);
void api_withdraw(struct req *r);
void api_consent(struct req *r);
void api_attendance(struct req *r);

/* page_codes.c */
void page_codes(struct req *r);
void page_codes_post(struct req *r);

/* page_admin.c */
void page_users(struct req *r);
void page_users_post(struct req *r);
/* GET: the confirmation page; POST: needs confirm=ja, else 422 and that page. */
void page_user_disable(struct req *r);
void page_user_disable_post(struct req *r);
void page_user_enable_post(struct req *r);
void page_user_password(struct req *r);
void page_user_password_post(struct req *r);
void page_tokens(struct req *r);
void page_tokens_post(struct req *r);
/* GET: the confirmation page; POST: needs confirm=ja, else 422 and that page. */
void page_token_revoke(struct req *r);
void page_token_revoke_post(struct req *r);
void page_audit(struct req *r);

#endif
