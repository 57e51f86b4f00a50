/*
 * demo.c — the synthetic demo förbund; see demo.h.
 *
 * Everything is created through the same org and auth functions the pages
 * use, so the demo is validated and audited like real work.
 */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "auth.h"
#include "org.h"

const struct demo_account demo_accounts[] = {
    {"admin", "Maria Ekström", ROLE_ADMIN},
    {"chef", "Johan Lindgren", ROLE_FORBUNDSCHEF},
    {"insats", "Sara Holm", ROLE_INSATSANSVARIG},
    {"deltagare", "Emil Nyberg", ROLE_DELTAGARANSVARIG},
    {"styrelse", "Karin Sjöberg", ROLE_STYRELSE},
    {"revisor", "Per Åberg", ROLE_REVISOR},
};
const int demo_account_count = (int)(sizeof demo_accounts / sizeof demo_accounts[0]);

/* Appends a Luhn check digit to nine digits: "212000024" → "212000-0241". */
static void with_check(const char *nine, char out[12])
{
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		int v = nine[i] - '0';
		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	int check = (10 - sum % 10) % 10;
	memcpy(out, nine, 6);
	out[6] = '-';
	memcpy(out + 7, nine + 6, 3);
	out[10] = (char)('0' + check);
	out[11] = '\0';
}

struct demo_member {
	const char *kind;
	const char *name;
	const char *orgnr9; /* nine digits; the check digit is computed */
	int population;     /* 2026 figure, kommuner only */
};

static const struct demo_member members[] = {
    {"fk", "Försäkringskassan", NULL, 0},
    {"af", "Arbetsförmedlingen", NULL, 0},
    {"region", "Region Mellanlänet", "232100099", 0},
    {"kommun", "Björkviks kommun", "212000091", 58214},
    {"kommun", "Ekeby kommun", "212000092", 24730},
    {"kommun", "Granås kommun", "212000093", 11892},
    {"kommun", "Lindesunds kommun", "212000094", 9415},
    {"kommun", "Norrköla kommun", "212000095", 7036},
    {"kommun", "Sjöbacka kommun", "212000096", 4388},
};
#define NMEMBERS (sizeof members / sizeof members[0])

static const char *first_names[] = {
    "Anna",   "Erik",   "Eva",    "Lars",   "Karin",   "Anders", "Sofia",   "Mikael", "Lena",
    "Per",    "Maria",  "Jonas",  "Elin",   "Fredrik", "Helena", "Magnus",  "Ida",    "Peter",
    "Sara",   "Henrik", "Linnea", "Daniel", "Emma",    "Stefan", "Cecilia", "Ola",    "Johanna",
    "Niklas", "Malin",  "Tobias", "Amira",  "Ali",     "Hanna",  "Mats"};
static const char *last_names[] = {
    "Lund",     "Berglund", "Strand",     "Forsberg",  "Hedlund",   "Lindholm",  "Sandberg",
    "Engström", "Blom",     "Holmgren",   "Nordin",    "Wallin",    "Sundqvist", "Ek",
    "Björk",    "Falk",     "Hermansson", "Isaksson",  "Kjellberg", "Mattsson",  "Nordqvist",
    "Olofsson", "Rask",     "Sjöstrand",  "Törnqvist", "Vik",       "Wikström",  "Åkesson",
    "Östlund",  "Hassan",   "Karimi",     "Dahl",      "Ekman",     "Frisk"};
static const char *parties[] = {"S", "M", "C", "KD", "S", "L", "V", "M", "SD", "MP"};

struct demo_state {
	const struct actor *who;
	struct db *db;
	int64_t assoc;
	int64_t member_id[NMEMBERS];
	int next_name;
	struct field_error err;
};

static enum rc add_person(struct demo_state *s, const char *title, int64_t employer, int64_t *id)
{
	char name[80], email[120];
	int i = s->next_name++;
	const char *fn = first_names[i % (int)(sizeof first_names / sizeof first_names[0])];
	const char *ln = last_names[(i * 7 + 3) % (int)(sizeof last_names / sizeof last_names[0])];
	snprintf(name, sizeof name, "%s %s", fn, ln);
	snprintf(email, sizeof email, "person%02d@exempel.se", i + 1);
	struct person p = {0};
	p.association_id = s->assoc;
	p.name = name;
	p.title = title;
	p.employer_member_id = employer;
	p.email = email;
	p.phone = NULL;
	enum rc rc = org_person_save(s->db, s->who, &p, &s->err);
	*id = p.id;
	return rc;
}

static enum rc add_mandate(struct demo_state *s, int64_t body, int64_t person, const char *role,
                           int64_t member, const char *party, const char *from, const char *to)
{
	struct mandate m = {0};
	m.body_id = body;
	m.person_id = person;
	m.role = role;
	m.member_id = member;
	m.party = party;
	m.start_on = from;
	m.end_on = to;
	return org_mandate_save(s->db, s->who, &m, &s->err);
}

static enum rc add_body(struct demo_state *s, const char *kind, const char *name, const char *desc,
                        int64_t *id)
{
	struct body b = {0};
	b.association_id = s->assoc;
	b.kind = kind;
	b.name = name;
	b.description = desc;
	enum rc rc = org_body_save(s->db, s->who, &b, &s->err);
	*id = b.id;
	return rc;
}

static enum rc build(struct demo_state *s)
{
	enum rc rc;
	struct arena *a = arena_new(0);
	if (!a)
		return RC_NOMEM;
	struct association as;
	if ((rc = org_association_current(s->db, a, &as)))
		goto out;
	s->assoc = as.id;
	char orgnr[12];
	with_check("222000099", orgnr);
	as.name = "Samordningsförbundet Åsbygden";
	as.org_number = orgnr;
	if ((rc = org_association_update(s->db, s->who, &as, &s->err)))
		goto out;

	/* Area: the six kommuner, and stadsdelar in the largest. */
	int64_t kommun_area[NMEMBERS] = {0};
	for (size_t i = 0; i < NMEMBERS; i++) {
		if (strcmp(members[i].kind, "kommun") != 0)
			continue;
		char name[60], code[8];
		size_t n = strlen(members[i].name);
		/* "Björkviks kommun" → "Björkvik", "Ekeby kommun" → "Ekeby" */
		snprintf(name, sizeof name, "%.*s", (int)(n - 7), members[i].name);
		size_t nl = strlen(name);
		if (nl > 1 && name[nl - 1] == 's' && strcmp(name, "Granås") != 0)
			name[nl - 1] = '\0';
		snprintf(code, sizeof code, "99%02zu", i - 2);
		struct area ar = {0};
		ar.association_id = s->assoc;
		ar.kind = "kommun";
		ar.name = name;
		ar.code = code;
		if ((rc = org_area_save(s->db, s->who, &ar, &s->err)))
			goto out;
		kommun_area[i] = ar.id;
	}
	static const char *districts[] = {"Centrum", "Norra", "Södra", "Östra"};
	for (size_t d = 0; d < 4; d++) {
		struct area ar = {0};
		ar.association_id = s->assoc;
		ar.kind = "stadsdel";
		ar.name = districts[d];
		ar.parent_id = kommun_area[3];
		if ((rc = org_area_save(s->db, s->who, &ar, &s->err)))
			goto out;
	}

	/* Members, with population for three years. */
	for (size_t i = 0; i < NMEMBERS; i++) {
		struct member m = {0};
		char nr[12];
		m.association_id = s->assoc;
		m.kind = members[i].kind;
		m.name = members[i].name;
		if (strcmp(m.kind, "fk") == 0)
			m.org_number = "202100-5521";
		else if (strcmp(m.kind, "af") == 0)
			m.org_number = "202100-2114";
		else {
			with_check(members[i].orgnr9, nr);
			m.org_number = nr;
		}
		m.area_id = kommun_area[i];
		m.joined_on = "2009-01-01";
		if ((rc = org_member_save(s->db, s->who, &m, &s->err)))
			goto out;
		s->member_id[i] = m.id;
		for (int y = 2024; members[i].population && y <= 2026; y++) {
			int64_t pop =
			    members[i].population - (2026 - y) * (members[i].population / 150);
			if ((rc = org_population_set(s->db, s->who, m.id, y, pop, &s->err)))
				goto out;
		}
	}

	/* The styrelse: a ledamot and an ersättare from each member.  FK
	 * holds the chair, the region the vice chair. */
	int64_t styrelse, beredning, kansli, revision;
	if ((rc = add_body(s, "styrelse", "Styrelsen",
	                   "Förbundets högsta beslutande organ. Sammanträder sex gånger per år.",
	                   &styrelse)) ||
	    (rc = add_body(s, "beredningsgrupp", "Beredningsgruppen",
	                   "Tjänstepersoner från parterna som bereder styrelsens ärenden och "
	                   "bedömer ansökningar.",
	                   &beredning)) ||
	    (rc = add_body(s, "kansli", "Kansliet", "Förbundets tjänstepersoner.", &kansli)) ||
	    (rc = add_body(s, "revision", "Revisorerna", "Revisorer utsedda av parterna.",
	                   &revision)))
		goto out;

	for (size_t i = 0; i < NMEMBERS; i++) {
		int politician =
		    strcmp(members[i].kind, "fk") != 0 && strcmp(members[i].kind, "af") != 0;
		const char *title_l =
		    politician
		        ? (strcmp(members[i].kind, "region") == 0 ? "Regionråd" : "Kommunalråd")
		        : (strcmp(members[i].kind, "fk") == 0 ? "Områdeschef" : "Sektionschef");
		const char *title_e = politician ? "Fritidspolitiker" : "Enhetschef";
		int64_t led, ers, old;
		if ((rc = add_person(s, title_l, s->member_id[i], &led)) ||
		    (rc = add_person(s, title_e, s->member_id[i], &ers)))
			goto out;
		const char *role = i == 0 ? "ordforande" : i == 2 ? "vice_ordforande" : "ledamot";
		const char *pl = politician ? parties[(i * 3) % 10] : NULL;
		const char *pe = politician ? parties[(i * 3 + 1) % 10] : NULL;
		if ((rc = add_mandate(s, styrelse, led, role, s->member_id[i], pl, "2023-01-01",
		                      "2026-12-31")) ||
		    (rc = add_mandate(s, styrelse, ers, "ersattare", s->member_id[i], pe,
		                      "2023-01-01", "2026-12-31")))
			goto out;
		/* The previous term's ledamot, for history. */
		if (i % 3 == 0) {
			if ((rc = add_person(s, title_l, s->member_id[i], &old)) ||
			    (rc = add_mandate(s, styrelse, old, "ledamot", s->member_id[i], pl,
			                      "2019-01-01", "2022-12-31")))
				goto out;
		}
		/* One official per member in the beredningsgrupp. */
		int64_t off;
		if ((rc = add_person(s, politician ? "Verksamhetschef" : "Samverkansansvarig",
		                     s->member_id[i], &off)) ||
		    (rc = add_mandate(s, beredning, off, "ledamot", s->member_id[i], NULL,
		                      "2023-01-01", NULL)))
			goto out;
	}

	/* The kansli: staff employed by the förbund (no member). */
	static const struct {
		const char *title, *role;
	} staff[] = {{"Förbundschef", "forbundschef"},
	             {"Administratör", "administrator"},
	             {"Processtödjare", "processtodjare"}};
	for (size_t i = 0; i < 3; i++) {
		int64_t p;
		if ((rc = add_person(s, staff[i].title, 0, &p)) ||
		    (rc = add_mandate(s, kansli, p, staff[i].role, 0, NULL, "2021-03-01", NULL)))
			goto out;
		if (i == 0 && (rc = add_mandate(s, beredning, p, "sammankallande", 0, NULL,
		                                "2023-01-01", NULL)))
			goto out;
	}
	for (size_t i = 0; i < 2; i++) {
		int64_t p;
		if ((rc = add_person(s, "Förtroendevald revisor", s->member_id[i == 0 ? 2 : 3],
		                     &p)) ||
		    (rc = add_mandate(s, revision, p, "revisor", s->member_id[i == 0 ? 2 : 3],
		                      i == 0 ? "C" : "S", "2023-01-01", "2026-12-31")))
			goto out;
	}

	for (int i = 0; i < demo_account_count; i++)
		if ((rc = auth_user_add(s->db, s->who, demo_accounts[i].username,
		                        demo_accounts[i].display_name, demo_accounts[i].role,
		                        DEMO_PASSWORD, NULL, &s->err)))
			goto out;
out:
	arena_free(a);
	return rc;
}

static enum rc demo_tx(struct db *db, void *ctx)
{
	struct demo_state *s = ctx;
	s->db = db;
	return build(s);
}

enum rc demo_create(struct db *db, const struct actor *who)
{
	struct db_stmt *q;
	if (db_prepare(db, "SELECT count(*) FROM member", &q))
		return RC_DB;
	int64_t n = db_step(q) == DB_ROW ? db_col_int64(q, 0) : -1;
	db_finalize(q);
	if (n != 0)
		return n < 0 ? RC_DB : RC_CONFLICT;
	struct demo_state s;
	memset(&s, 0, sizeof s);
	s.who = who;
	/* One transaction: a demo is either all there or not at all. */
	enum rc rc = db_tx(db, demo_tx, &s);
	if (rc == RC_INVALID)
		fprintf(stderr, "finsam: demodata avvisades: %s: %s\n", s.err.field, s.err.message);
	return rc;
}
