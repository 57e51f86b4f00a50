/*
 * demo.h — a realistic, entirely synthetic demo förbund: FK, AF, a region
 * and six kommuner with populations, a styrelse with a ledamot and an
 * ersättare from each member, a beredningsgrupp, a kansli, and one user per
 * role.  No real person appears: names are drawn from common first and last
 * names and combined.
 */
#ifndef FINSAM_DEMO_H
#define FINSAM_DEMO_H

#include "../util/rc.h"
#include "actor.h"

struct db;

#define DEMO_PASSWORD "finsam-demo"

/* Fills an empty database (RC_CONFLICT if it already has members). */
enum rc demo_create(struct db *db, const struct actor *who);

/* The demo accounts, for the README and `finsam demo` output. */
struct demo_account {
	const char *username;
	const char *display_name;
	enum role role;
};
extern const struct demo_account demo_accounts[];
extern const int demo_account_count;

#endif
