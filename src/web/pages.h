/*
 * pages.h — the page and API handlers the route table points at.
 */
#ifndef FINSAM_PAGES_H
#define FINSAM_PAGES_H

#include "web.h"

/* page_auth.c */
void page_login(struct req *r);
void page_login_post(struct req *r);
void page_logout_post(struct req *r);
void page_start(struct req *r);
void page_account(struct req *r);
void page_account_post(struct req *r);
void page_stylesheet(struct req *r);
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

/* page_admin.c */
void page_users(struct req *r);
void page_users_post(struct req *r);
void page_user_disable_post(struct req *r);
void page_user_enable_post(struct req *r);
void page_user_password(struct req *r);
void page_user_password_post(struct req *r);
void page_tokens(struct req *r);
void page_tokens_post(struct req *r);
void page_token_revoke_post(struct req *r);
void page_audit(struct req *r);

#endif
