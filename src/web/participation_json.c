/*
 * participation_json.c — a participation as API JSON (see
 * participation_json.h).
 */
#include "participation_json.h"

#include <string.h>

json_t *participation_json(struct jdoc *d, const struct participation *p)
{
	json_t *o =
	    jd(d, json_pack("{s:I,s:I,s:s,s:b,s:s,s:s,s:s,s:s,s:b,s:b}", "id", (json_int_t)p->id,
	                    "intervention_id", (json_int_t)p->intervention_id, "intervention",
	                    p->intervention_name, "identified", p->identified, "sex", p->sex,
	                    "state", p->state, "referred_on", p->referred_on, "source", p->source,
	                    "counts", p->counts, "protected", p->protected_identity));
	jd_set(d, o, "birth_year", p->birth_year ? json_integer(p->birth_year) : json_null());
	jd_set(d, o, "source_unit", jd_nstr(d, p->source_unit));
	jd_set(d, o, "home_area", jd_nstr(d, p->home_area_name));
	jd_set(d, o, "home_district", jd_nstr(d, p->home_district_name));
	jd_set(d, o, "start_on", jd_nstr(d, p->start_on));
	jd_set(d, o, "end_on", jd_nstr(d, p->end_on));
	jd_set(d, o, "end_reason", jd_nstr(d, p->end_reason));
	jd_set(d, o, "consent_on", jd_nstr(d, p->consent_on));
	jd_set(d, o, "consent_withdrawn_on", jd_nstr(d, p->consent_withdrawn_on));
	if (strcmp(p->state, "queued") == 0)
		jd_set(d, o, "waiting_days", json_integer(p->waiting_days));
	return o;
}

void json_write_int(struct buf *b, long long n)
{
	char tmp[24];
	size_t i = sizeof tmp;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		tmp[--i] = '-';
	buf_append(b, tmp + i, sizeof tmp - i);
}

/* Length of the valid UTF-8 sequence of two to four bytes at s, or 0. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80
		           ? 4
		           : 0;
	}
	return 0;
}

void json_write_str(struct buf *b, const char *s)
{
	if (!s) {
		buf_append(b, "null", 4);
		return;
	}
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *run = p;
	buf_putc(b, '"');
	while (*p) {
		unsigned c = *p;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			p++;
			continue;
		}
		buf_append(b, run, (size_t)(p - run));
		if (c >= 0x80) {
			/* A NUL ends the string, so a cut sequence fails here. */
			size_t n = utf8_seq(p);
			if (n)
				buf_append(b, p, n);
			else
				buf_append(b, "\xEF\xBF\xBD", 3);
			p += n ? n : 1;
		} else {
			char e[6] = {'\\', 0, 0, 0, 0, 0};
			size_t len = 2;
			switch (c) {
			case '"': e[1] = '"'; break;
			case '\\': e[1] = '\\'; break;
			case '\b': e[1] = 'b'; break;
			case '\f': e[1] = 'f'; break;
			case '\n': e[1] = 'n'; break;
			case '\r': e[1] = 'r'; break;
			case '\t': e[1] = 't'; break;
			default:
				e[1] = 'u';
				e[2] = '0';
				e[3] = '0';
				e[4] = hex[c >> 4];
				e[5] = hex[c & 15];
				len = 6;
			}
			buf_append(b, e, len);
			p++;
		}
		run = p;
	}
	buf_append(b, run, (size_t)(p - run));
	buf_putc(b, '"');
}

/* ,"key": as one append of a literal. */
#define KEY(b, k) buf_append(b, ",\"" k "\":", sizeof k + 3)

static void put_bool(struct buf *b, int v)
{
	if (v)
		buf_append(b, "true", 4);
	else
		buf_append(b, "false", 5);
}

void participation_json_write(struct buf *b, const struct participation *p)
{
	buf_append(b, "{\"id\":", 6);
	json_write_int(b, (long long)p->id);
	KEY(b, "intervention_id");
	json_write_int(b, (long long)p->intervention_id);
	KEY(b, "intervention");
	json_write_str(b, p->intervention_name);
	KEY(b, "identified");
	put_bool(b, p->identified);
	KEY(b, "sex");
	json_write_str(b, p->sex);
	KEY(b, "state");
	json_write_str(b, p->state);
	KEY(b, "referred_on");
	json_write_str(b, p->referred_on);
	KEY(b, "source");
	json_write_str(b, p->source);
	KEY(b, "counts");
	put_bool(b, p->counts);
	KEY(b, "protected");
	put_bool(b, p->protected_identity);
	KEY(b, "birth_year");
	if (p->birth_year)
		json_write_int(b, p->birth_year);
	else
		buf_append(b, "null", 4);
	KEY(b, "source_unit");
	json_write_str(b, p->source_unit);
	KEY(b, "home_area");
	json_write_str(b, p->home_area_name);
	KEY(b, "home_district");
	json_write_str(b, p->home_district_name);
	KEY(b, "start_on");
	json_write_str(b, p->start_on);
	KEY(b, "end_on");
	json_write_str(b, p->end_on);
	KEY(b, "end_reason");
	json_write_str(b, p->end_reason);
	KEY(b, "consent_on");
	json_write_str(b, p->consent_on);
	KEY(b, "consent_withdrawn_on");
	json_write_str(b, p->consent_withdrawn_on);
	if (p->state && strcmp(p->state, "queued") == 0) {
		KEY(b, "waiting_days");
		json_write_int(b, p->waiting_days);
	}
	buf_putc(b, '}');
}
