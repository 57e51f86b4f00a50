/*
 * plural.h — a count with its Swedish noun: "1 deltagande", "2 deltaganden",
 * "1 500 medlemmar" (thousands grouped with a no-break space).  The one
 * helper for every count a person reads: pages, messages and CLI output.
 */
#ifndef FINSAM_PLURAL_H
#define FINSAM_PLURAL_H

#include <stddef.h>

#define PLURAL_MAX 96

/* Writes the grouped number n ("1 500 000", "−3") into out[size]; returns out. */
const char *sv_number(char *out, size_t size, long long n);
/* Writes "<n> <one>" when n is 1 (or −1), else "<n> <many>", into
 * out[size]; returns out.  Truncation never happens for nouns shorter than
 * PLURAL_MAX − 32 bytes when size is PLURAL_MAX. */
const char *sv_count(char *out, size_t size, long long n, const char *one, const char *many);

#endif
