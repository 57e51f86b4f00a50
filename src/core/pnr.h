/*
 * pnr.h — Swedish personal identity numbers: personnummer and
 * samordningsnummer.
 *
 * Accepts every common written form: 10 or 12 digits, with '-', '+' or no
 * separator, surrounded by spaces.  The check digit (Luhn over the ten-digit
 * form) and the birth date are validated; a samordningsnummer has 60 added
 * to the day.  For the ten-digit form the century is the latest one that
 * does not put the birth in the future, and '+' (written from the year a
 * person turns 100) moves it back another hundred years.  Sex follows from
 * the ninth digit: odd for men, even for women.
 *
 * This module only parses.  Storing a number is the participant module's
 * business, and only with consent and encrypted.
 */
#ifndef FINSAM_PNR_H
#define FINSAM_PNR_H

#include "../util/rc.h"

struct pnr {
	char digits[13]; /* canonical: twelve digits YYYYMMDDNNNC */
	char birth[11];  /* YYYY-MM-DD, the real birth date */
	int samordning;  /* 1 for a samordningsnummer */
	char sex;        /* 'K' (kvinna) or 'M' (man) */
};

/*
 * Parses in as of the date today ("YYYY-MM-DD").  On failure returns
 * RC_INVALID and, if why is given, points it at a Swedish sentence saying
 * what is wrong (static text).
 */
enum rc pnr_parse(const char *in, const char *today, struct pnr *out, const char **why);

/* The Luhn sum of n ASCII digits, doubling the first, third, …: a full
 * number is valid when the sum is divisible by 10, and the check digit
 * for nine digits is (10 - sum % 10) % 10.  Used for personnummer,
 * samordningsnummer and organisationsnummer alike. */
int pnr_luhn_sum(const char *digits, int n);

/* The number written for people, "YYYYMMDD-NNNC", into out[14]. */
void pnr_format(const struct pnr *p, char out[14]);

#endif
