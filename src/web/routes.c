/*
 * routes.c — the one route table.  Every page and API endpoint is a row:
 * method, path pattern ('#' = id), handler, permission, CSRF policy, and
 * for generic handlers the entity they serve.  The dispatcher (server.c)
 * checks the permission and CSRF token from this row before any handler
 * runs; handlers never check roles themselves.
 */
#include "entity.h"
#include "pages.h"

#define ENT(e) ((const void *)&(e))

const struct route web_routes[] = {
    /* public */
    {"GET", "/static/finsam.css", page_stylesheet, PERM_PUBLIC, CSRF_NONE, NULL},
    {"GET", "/logga-in", page_login, PERM_PUBLIC, CSRF_NONE, NULL},
    {"POST", "/logga-in", page_login_post, PERM_PUBLIC, CSRF_LOGIN, NULL},

    /* signed in */
    {"POST", "/logga-ut", page_logout_post, PERM_LOGGED_IN, CSRF_SESSION, NULL},
    {"GET", "/", page_start, PERM_LOGGED_IN, CSRF_NONE, NULL},
    {"GET", "/konto", page_account, PERM_LOGGED_IN, CSRF_NONE, NULL},
    {"POST", "/konto", page_account_post, PERM_LOGGED_IN, CSRF_SESSION, NULL},

    /* the förbund and its area */
    {"GET", "/forbund", page_forbund, PERM_ORG_READ, CSRF_NONE, NULL},
    {"GET", "/forbund/redigera", entity_edit_page, PERM_ORG_WRITE, CSRF_NONE,
     ENT(entity_association_def)},
    {"POST", "/forbund/redigera", entity_edit_post, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_association_def)},
    {"GET", "/forbund/omraden/ny", entity_new_page, PERM_ORG_WRITE, CSRF_NONE, ENT(entity_area)},
    {"POST", "/forbund/omraden/ny", entity_new_post, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_area)},
    {"GET", "/forbund/omraden/#/redigera", entity_edit_page, PERM_ORG_WRITE, CSRF_NONE,
     ENT(entity_area)},
    {"POST", "/forbund/omraden/#/redigera", entity_edit_post, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_area)},

    /* members */
    {"GET", "/medlemmar", page_members, PERM_ORG_READ, CSRF_NONE, NULL},
    {"GET", "/medlemmar/ny", entity_new_page, PERM_ORG_WRITE, CSRF_NONE, ENT(entity_member)},
    {"POST", "/medlemmar/ny", entity_new_post, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_member)},
    {"GET", "/medlemmar/#", page_member, PERM_ORG_READ, CSRF_NONE, NULL},
    {"GET", "/medlemmar/#/redigera", entity_edit_page, PERM_ORG_WRITE, CSRF_NONE,
     ENT(entity_member)},
    {"POST", "/medlemmar/#/redigera", entity_edit_post, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_member)},
    {"POST", "/medlemmar/#/folkmangd", page_member_population_post, PERM_ORG_WRITE, CSRF_SESSION,
     NULL},

    /* bodies and mandates */
    {"GET", "/organ", page_bodies, PERM_ORG_READ, CSRF_NONE, NULL},
    {"GET", "/organ/ny", entity_new_page, PERM_ORG_WRITE, CSRF_NONE, ENT(entity_body)},
    {"POST", "/organ/ny", entity_new_post, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_body)},
    {"GET", "/organ/#", page_body, PERM_ORG_READ, CSRF_NONE, NULL},
    {"GET", "/organ/#/redigera", entity_edit_page, PERM_ORG_WRITE, CSRF_NONE, ENT(entity_body)},
    {"POST", "/organ/#/redigera", entity_edit_post, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_body)},
    {"GET", "/organ/#/uppdrag/ny", entity_new_page, PERM_ORG_WRITE, CSRF_NONE, ENT(entity_mandate)},
    {"POST", "/organ/#/uppdrag/ny", entity_new_post, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_mandate)},
    {"GET", "/uppdrag/#/redigera", entity_edit_page, PERM_ORG_WRITE, CSRF_NONE,
     ENT(entity_mandate)},
    {"POST", "/uppdrag/#/redigera", entity_edit_post, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_mandate)},

    /* people */
    {"GET", "/personer", page_people, PERM_ORG_READ, CSRF_NONE, NULL},
    {"GET", "/personer/ny", entity_new_page, PERM_ORG_WRITE, CSRF_NONE, ENT(entity_person)},
    {"POST", "/personer/ny", entity_new_post, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_person)},
    {"GET", "/personer/#", page_person, PERM_ORG_READ, CSRF_NONE, NULL},
    {"GET", "/personer/#/redigera", entity_edit_page, PERM_ORG_WRITE, CSRF_NONE,
     ENT(entity_person)},
    {"POST", "/personer/#/redigera", entity_edit_post, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_person)},

    /* insatser and participants */
    {"GET", "/insatser", page_insatser, PERM_INSATS_READ, CSRF_NONE, NULL},
    {"GET", "/insatser/ny", page_insats_new, PERM_INSATS_WRITE, CSRF_NONE, NULL},
    {"POST", "/insatser/ny", page_insats_new_post, PERM_INSATS_WRITE, CSRF_SESSION, NULL},
    {"GET", "/insatser/#", page_insats, PERM_INSATS_READ, CSRF_NONE, NULL},
    {"GET", "/insatser/#/redigera", page_insats_edit, PERM_INSATS_WRITE, CSRF_NONE, NULL},
    {"POST", "/insatser/#/redigera", page_insats_edit_post, PERM_INSATS_WRITE, CSRF_SESSION, NULL},
    {"POST", "/insatser/#/ar", page_insats_year_post, PERM_INSATS_WRITE, CSRF_SESSION, NULL},
    {"POST", "/insatser/#/bemanning", page_insats_staff_post, PERM_INSATS_WRITE, CSRF_SESSION,
     NULL},
    {"GET", "/insatser/#/deltagare", page_participants, PERM_INSATS_READ, CSRF_NONE, NULL},
    {"GET", "/insatser/#/anmalan", page_referral_new, PERM_PARTICIPANT_WRITE, CSRF_NONE, NULL},
    {"POST", "/insatser/#/anmalan", page_referral_post, PERM_PARTICIPANT_WRITE, CSRF_SESSION, NULL},
    {"GET", "/deltagare/#", page_participation, PERM_INSATS_READ, CSRF_NONE, NULL},
    {"POST", "/deltagare/#/start", page_participation_start_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"POST", "/deltagare/#/avslut", page_participation_end_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"POST", "/deltagare/#/avbryt", page_participation_cancel_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"POST", "/deltagare/#/aterkalla", page_participation_withdraw_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"POST", "/deltagare/#/skyddad", page_participation_protect_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"POST", "/deltagare/#/rattelse", page_participation_correct_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"POST", "/deltagare/#/timmar", page_participation_hours_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"POST", "/deltagare/#/identitet", page_participation_identity_post, PERM_PARTICIPANT_WRITE,
     CSRF_SESSION, NULL},
    {"GET", "/ko", page_queue, PERM_INSATS_READ, CSRF_NONE, NULL},
    {"GET", "/arbetslistor", page_worklists, PERM_INSATS_READ, CSRF_NONE, NULL},
    {"GET", "/registerutdrag", page_extract, PERM_EXTRACT, CSRF_NONE, NULL},
    {"POST", "/registerutdrag", page_extract_post, PERM_EXTRACT, CSRF_SESSION, NULL},

    {"GET", "/import", page_import, PERM_PARTICIPANT_WRITE, CSRF_NONE, NULL},
    {"POST", "/import", page_import_post, PERM_PARTICIPANT_WRITE, CSRF_SESSION, NULL},

    /* administration */
    {"GET", "/anvandare", page_users, PERM_USER_ADMIN, CSRF_NONE, NULL},
    {"POST", "/anvandare", page_users_post, PERM_USER_ADMIN, CSRF_SESSION, NULL},
    {"POST", "/anvandare/#/stang-av", page_user_disable_post, PERM_USER_ADMIN, CSRF_SESSION, NULL},
    {"POST", "/anvandare/#/aktivera", page_user_enable_post, PERM_USER_ADMIN, CSRF_SESSION, NULL},
    {"GET", "/anvandare/#/losenord", page_user_password, PERM_USER_ADMIN, CSRF_NONE, NULL},
    {"POST", "/anvandare/#/losenord", page_user_password_post, PERM_USER_ADMIN, CSRF_SESSION, NULL},
    {"GET", "/api-nycklar", page_tokens, PERM_USER_ADMIN, CSRF_NONE, NULL},
    {"POST", "/api-nycklar", page_tokens_post, PERM_USER_ADMIN, CSRF_SESSION, NULL},
    {"POST", "/api-nycklar/#/aterkalla", page_token_revoke_post, PERM_USER_ADMIN, CSRF_SESSION,
     NULL},
    {"GET", "/logg", page_audit, PERM_AUDIT_READ, CSRF_NONE, NULL},

    /* JSON API */
    {"GET", "/api/v1/me", api_me, PERM_LOGGED_IN, CSRF_NONE, NULL},
    {"GET", "/api/v1/association", entity_api_get, PERM_ORG_READ, CSRF_NONE,
     ENT(entity_association_def)},
    {"PUT", "/api/v1/association", entity_api_update, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_association_def)},
    {"GET", "/api/v1/areas", entity_api_list, PERM_ORG_READ, CSRF_NONE, ENT(entity_area)},
    {"POST", "/api/v1/areas", entity_api_create, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_area)},
    {"GET", "/api/v1/areas/#", entity_api_get, PERM_ORG_READ, CSRF_NONE, ENT(entity_area)},
    {"PUT", "/api/v1/areas/#", entity_api_update, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_area)},
    {"GET", "/api/v1/members", entity_api_list, PERM_ORG_READ, CSRF_NONE, ENT(entity_member)},
    {"POST", "/api/v1/members", entity_api_create, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_member)},
    {"GET", "/api/v1/members/#", entity_api_get, PERM_ORG_READ, CSRF_NONE, ENT(entity_member)},
    {"PUT", "/api/v1/members/#", entity_api_update, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_member)},
    {"GET", "/api/v1/members/#/population", api_member_population_list, PERM_ORG_READ, CSRF_NONE,
     NULL},
    {"POST", "/api/v1/members/#/population", api_member_population_post, PERM_ORG_WRITE,
     CSRF_SESSION, NULL},
    {"GET", "/api/v1/bodies", entity_api_list, PERM_ORG_READ, CSRF_NONE, ENT(entity_body)},
    {"POST", "/api/v1/bodies", entity_api_create, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_body)},
    {"GET", "/api/v1/bodies/#", entity_api_get, PERM_ORG_READ, CSRF_NONE, ENT(entity_body)},
    {"PUT", "/api/v1/bodies/#", entity_api_update, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_body)},
    {"GET", "/api/v1/bodies/#/mandates", entity_api_list, PERM_ORG_READ, CSRF_NONE,
     ENT(entity_mandate)},
    {"GET", "/api/v1/people", entity_api_list, PERM_ORG_READ, CSRF_NONE, ENT(entity_person)},
    {"POST", "/api/v1/people", entity_api_create, PERM_ORG_WRITE, CSRF_SESSION, ENT(entity_person)},
    {"GET", "/api/v1/people/#", entity_api_get, PERM_ORG_READ, CSRF_NONE, ENT(entity_person)},
    {"PUT", "/api/v1/people/#", entity_api_update, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_person)},
    {"GET", "/api/v1/mandates", entity_api_list, PERM_ORG_READ, CSRF_NONE, ENT(entity_mandate)},
    {"POST", "/api/v1/mandates", entity_api_create, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_mandate)},
    {"GET", "/api/v1/mandates/#", entity_api_get, PERM_ORG_READ, CSRF_NONE, ENT(entity_mandate)},
    {"PUT", "/api/v1/mandates/#", entity_api_update, PERM_ORG_WRITE, CSRF_SESSION,
     ENT(entity_mandate)},
};

const size_t web_route_count = sizeof web_routes / sizeof web_routes[0];
