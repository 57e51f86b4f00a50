/*
 * demo.h — a realistic, entirely synthetic demo förbund: FK, AF, a region
 * and six kommuner with populations, a styrelse with a ledamot and an
 * ersättare from each member, a beredningsgrupp, a kansli, and one user per
 * role; eight insatser with yearly budgets and staff; and a year and a half
 * of synthetic participants whose flow follows the figures in DOMAIN.md.
 * No real person appears: names are drawn from common first and last names
 * and combined, and personnummer are generated with valid check digits.
 */
#ifndef FINSAM_DEMO_H
#define FINSAM_DEMO_H

#include "../util/rc.h"
#include "actor.h"

struct db;

#define DEMO_PASSWORD "finsam-demo"

struct vault;

/* Fills an empty database (RC_CONFLICT if it already has members).  The
 * vault seals the synthetic participants' identities. */
enum rc demo_create(struct db *db, const struct vault *v, const struct actor *who);

/* The demo accounts, for the README and `finsam demo` output. */
struct demo_account {
	const char *username;
	const char *display_name;
	enum role role;
};
extern const struct demo_account demo_accounts[];
extern const int demo_account_count;

#endif
