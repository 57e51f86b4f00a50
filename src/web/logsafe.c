/*
 * logsafe.c — text from a request made safe for the log; see logsafe.h.
 */
#include "logsafe.h"

#include <string.h>

#include "../core/pnr.h"

#define CUT_MARK "[...]"

static int is_pnr_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+';
}

/* 1 if s[0..n) holds a personnummer anywhere: any stretch of 10 to 13
 * characters that pnr_parse accepts. */
static int run_holds_pnr(const char *s, size_t n, const char *today)
{
	char piece[14];
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			continue;
		for (size_t len = 10; len <= 13 && i + len <= n; len++) {
			memcpy(piece, s + i, len);
			piece[len] = '\0';
			struct pnr p;
			if (pnr_parse(piece, today, &p, NULL) == RC_OK)
				return 1;
		}
	}
	return 0;
}

struct out {
	char *p;
	size_t len;
	int full;
};

/* Appends n bytes if they fit with room left for the cut mark. */
static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n + sizeof CUT_MARK > LOGSAFE_MAX) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* First pass: escapes in into esc (cap bytes, NUL-terminated).  Returns 1
 * if in did not fit; then a trailing run of digits and separators is
 * dropped, so no cut personnummer is left for the second pass to miss. */
static int escape_all(const char *in, char *esc, size_t cap, int keep_space)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int cut = 0;
	for (const char *s = in; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[4];
		size_t k = 0;
		if (c == '\\') {
			e[k++] = '\\';
			e[k++] = '\\';
		} else if ((c > ' ' || (keep_space && c == ' ')) && c < 0x7f) {
			e[k++] = (char)c;
		} else {
			e[k++] = '\\';
			e[k++] = 'x';
			e[k++] = hex[c >> 4];
			e[k++] = hex[c & 15];
		}
		if (n + k >= cap) {
			cut = 1;
			break;
		}
		memcpy(esc + n, e, k);
		n += k;
	}
	if (cut)
		while (n > 0 && is_pnr_char(esc[n - 1]))
			n--;
	esc[n] = '\0';
	return cut;
}

static const char *make_safe(const char *in, const char *today, char out[LOGSAFE_MAX],
                             int keep_space)
{
	/* Escape first, then look for personnummer in what will be written:
	 * the digits of an escape (\x19) next to digits the client sent must
	 * not make one either. */
	char esc[2 * LOGSAFE_MAX];
	struct out o = {out, 0, escape_all(in ? in : "", esc, sizeof esc, keep_space)};
	int cut = o.full;
	o.full = 0;
	const char *s = esc;
	while (*s && !o.full) {
		size_t n = 0;
		if (is_pnr_char(*s)) {
			while (is_pnr_char(s[n]))
				n++;
			if (run_holds_pnr(s, n, today))
				put(&o, "[pnr]", 5);
			else
				put(&o, s, n);
		} else {
			while (s[n] && !is_pnr_char(s[n]))
				n++;
			/* Plain text may be cut anywhere: copy what fits. */
			for (size_t i = 0; i < n && !o.full; i++)
				put(&o, s + i, 1);
		}
		s += n;
	}
	if (o.full || cut) {
		memcpy(out + o.len, CUT_MARK, sizeof CUT_MARK - 1);
		o.len += sizeof CUT_MARK - 1;
	}
	out[o.len] = '\0';
	return out;
}

const char *logsafe_text(const char *in, const char *today, char out[LOGSAFE_MAX])
{
	return make_safe(in, today, out, 0);
}

const char *logsafe_message(const char *in, const char *today, char out[LOGSAFE_MAX])
{
	return make_safe(in, today, out, 1);
}

int logsafe_limit_allow(struct logsafe_limit *l, int64_t now, unsigned long *dropped_before)
{
	*dropped_before = 0;
	if (now - l->window_start >= LOGSAFE_LIMIT_WINDOW || now < l->window_start) {
		*dropped_before = l->dropped;
		l->window_start = now;
		l->lines = 0;
		l->dropped = 0;
	}
	if (l->lines >= LOGSAFE_LIMIT_LINES) {
		l->dropped++;
		return 0;
	}
	l->lines++;
	return 1;
}
