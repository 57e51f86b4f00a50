/*
 * actor.h — who is doing something, for permission checks and the audit
 * log.  Built by the web layer from the session or API token, or by the CLI
 * for the administrator at the terminal.  The strings are borrowed; they
 * must live as long as the call they are passed to.
 */
#ifndef FINSAM_ACTOR_H
#define FINSAM_ACTOR_H

#include <stdint.h>
#include <time.h>

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
	/* The moment of the request, Unix seconds: the clock core reads for
	 * dates and timestamps (svtime_today, svtime_iso), so a request sees
	 * one "now" and tests fix it.  The web layer and the CLI set it; 0
	 * means the wall clock (actor_now). */
	int64_t now;
};

/* who->now, or the wall clock when the caller gave none. */
static inline int64_t actor_now(const struct actor *who)
{
	return who && who->now ? who->now : (int64_t)time(NULL);
}

#endif
