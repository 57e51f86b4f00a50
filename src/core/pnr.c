/*
 * pnr.c — personnummer and samordningsnummer; see pnr.h.
 */
#include "pnr.h"

#include <stdio.h>
#include <string.h>

#include "../util/str.h"

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return RC_INVALID;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

enum rc pnr_parse(const char *in, const char *today, struct pnr *out, const char **why)
{
	char d[13];
	size_t nd = 0;
	char sep = 0;
	int seps = 0;
	if (!in)
		return fail(why, "Ange ett personnummer.");
	const char *p = in;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			if (nd >= 12)
				return fail(why, "Personnumret har för många siffror.");
			d[nd++] = *p;
		} else if ((*p == '-' || *p == '+') && !seps && (nd == 6 || nd == 8)) {
			sep = *p;
			seps++;
		} else {
			return fail(why,
			            "Personnumret får bara innehålla siffror och ett bindestreck "
			            "eller plustecken.");
		}
	}
	if (nd != 10 && nd != 12)
		return fail(why, "Personnumret ska ha 10 eller 12 siffror.");
	if (nd == 12 && sep == '+')
		return fail(why, "Plustecken används bara i den tiosiffriga formen.");
	if (seps) {
		/* The separator must stand before the last four digits. */
		const char *s = strpbrk(in, "-+");
		int before = 0;
		for (const char *q = in; q < s; q++)
			before += *q >= '0' && *q <= '9';
		if (before != (int)nd - 4)
			return fail(why, "Bindestrecket ska stå före de fyra sista siffrorna.");
	}
	if (!today || !str_valid_date(today))
		return fail(why, "Dagens datum saknas.");
	int ty = num(today, 4), tm = num(today + 5, 2), tdd = num(today + 8, 2);

	const char *ten = nd == 12 ? d + 2 : d;
	int yy = num(ten, 2), mm = num(ten + 2, 2), dd = num(ten + 4, 2);
	int samordning = 0;
	if (dd > 60) {
		samordning = 1;
		dd -= 60;
	}
	int year;
	if (nd == 12) {
		year = num(d, 4);
	} else {
		/* The latest century that keeps the birth date not after today. */
		year = (ty / 100) * 100 + yy;
		if (year > ty || (year == ty && (mm > tm || (mm == tm && dd > tdd))))
			year -= 100;
		if (sep == '+')
			year -= 100;
	}
	if (year < 1000)
		return fail(why, "Födelseåret är orimligt långt tillbaka.");
	char birth[16];
	snprintf(birth, sizeof birth, "%04u-%02u-%02u", (unsigned)year % 10000u,
	         (unsigned)mm % 100u, (unsigned)dd % 100u);
	if (!str_valid_date(birth))
		return fail(why, samordning ? "Samordningsnumret innehåller inget giltigt datum."
		                            : "Personnumret innehåller inget giltigt datum.");
	if (strcmp(birth, today) > 0)
		return fail(why, "Födelsedatumet ligger i framtiden.");
	if (ty - year > 130)
		return fail(why, "Födelseåret är orimligt långt tillbaka.");

	if (pnr_luhn_sum(ten, 10) % 10 != 0)
		return fail(why, "Kontrollsiffran stämmer inte; kontrollera numret.");

	memset(out, 0, sizeof *out);
	memcpy(out->digits, birth, 4); /* the century-resolved year */
	memcpy(out->digits + 4, ten + 2, 8);
	out->digits[12] = '\0';
	str_copy(out->birth, sizeof out->birth, birth);
	out->samordning = samordning;
	out->sex = ((ten[8] - '0') % 2) ? 'M' : 'K';
	return RC_OK;
}

int pnr_luhn_sum(const char *digits, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++) {
		int v = digits[i] - '0';
		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum;
}

void pnr_format(const struct pnr *p, char out[14])
{
	snprintf(out, 14, "%.8s-%.4s", p->digits, p->digits + 8);
}
