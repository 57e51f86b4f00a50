/*
 * actor.h — who is doing something, for permission checks and the audit
 * log.  Built by the web layer from the session or API token, or by the CLI
 * for the administrator at the terminal.  The strings are borrowed; they
 * must live as long as the call they are passed to.
 */
#ifndef FINSAM_ACTOR_H
#define FINSAM_ACTOR_H

#include <stdint.h>

enum role {
	ROLE_NONE = 0,
	ROLE_ADMIN,             /* administratör: kansli, all settings */
	ROLE_DIRECTOR,          /* förbundschef */
	ROLE_INTERVENTION_LEAD, /* responsible for one or more insatser */
	ROLE_CASEWORKER,        /* works with participants in own insatser */
	ROLE_BOARD,             /* board member: reads aggregates and protocols */
	ROLE_AUDITOR,           /* auditor: reads everything but personal data */
	ROLE_API,               /* an integration using an API token */
	ROLE_COUNT
};

struct actor {
	int64_t user_id;     /* 0 for the command line or an API token */
	const char *name;    /* username, "api:<token name>" or "cli" */
	const char *address; /* client address, or "cli" */
	enum role role;
};

#endif
