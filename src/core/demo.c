/*
 * demo.c — the synthetic demo förbund; see demo.h.
 *
 * Everything is created through the same org and auth functions the pages
 * use, so the demo is validated and audited like real work.
 */
#include "demo.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/arena.h"
#include "../util/str.h"
#include "../util/svtime.h"
#include "auth.h"
#include "participation.h"
#include "intervention.h"
#include "org.h"
#include "pnr.h"

const struct demo_account demo_accounts[] = {
    {"admin", "Maria Ekström", ROLE_ADMIN},          {"chef", "Johan Lindgren", ROLE_DIRECTOR},
    {"insats", "Sara Holm", ROLE_INTERVENTION_LEAD}, {"deltagare", "Emil Nyberg", ROLE_CASEWORKER},
    {"styrelse", "Karin Sjöberg", ROLE_BOARD},       {"revisor", "Per Åberg", ROLE_AUDITOR},
};
const int demo_account_count = (int)(sizeof demo_accounts / sizeof demo_accounts[0]);

/* Appends a Luhn check digit to nine digits: "212000024" → "212000-0241". */
static void with_check(const char *nine, char out[12])
{
	int check = (10 - pnr_luhn_sum(nine, 9) % 10) % 10;
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
	const struct vault *v;
	const struct actor *who;
	struct db *db;
	const char *password_hash; /* of DEMO_PASSWORD, made before the transaction */
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

/* A small deterministic generator, so every demo is the same. */
static uint32_t rnd(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

static int pct(uint32_t *seed)
{
	return (int)(rnd(seed) % 100);
}

/* The date n days before the actor's today (Stockholm), into out[11]. */
static void days_ago(const struct demo_state *s, int n, char out[11])
{
	char today[11];
	svtime_today(actor_now(s->who), today);
	if (!svtime_add_days(today, -n, out))
		str_copy(out, 11, today);
}

/* A synthetic personnummer for sex ('K'/'M') born in year, into out[14]. */
static void synthetic_pnr(uint32_t *seed, char sex, int year, char out[14])
{
	int month = 1 + (int)(rnd(seed) % 12), day = 1 + (int)(rnd(seed) % 28);
	int serial = (int)(rnd(seed) % 100) * 10 + (int)(rnd(seed) % 5) * 2 + (sex == 'M');
	char nine[10];
	snprintf(nine, sizeof nine, "%02d%02d%02d%03d", year % 100, month, day, serial % 1000);
	int sum = pnr_luhn_sum(nine, 9);
	/* YYYYMMDD-NNNC: the century, then the nine digits, then the check. */
	snprintf(out, 14, "%02d%.6s-%.3s%d", (year / 100) % 100, nine, nine + 6,
	         (10 - sum % 10) % 10);
}

static const char *female_names[] = {
    "Anna",   "Eva",  "Karin", "Sofia",  "Lena",    "Maria", "Elin", "Helena", "Ida",   "Sara",
    "Linnea", "Emma", "Amira", "Fatima", "Johanna", "Malin", "Nora", "Leila",  "Hanna", "Camilla"};
static const char *male_names[] = {"Erik",   "Lars",    "Anders", "Mikael", "Per",
                                   "Jonas",  "Fredrik", "Magnus", "Peter",  "Henrik",
                                   "Daniel", "Stefan",  "Ola",    "Niklas", "Tobias",
                                   "Ali",    "Mats",    "Omar",   "Johan",  "Ahmed"};

struct demo_intervention {
	const char *name, *description, *orientation, *method, *detail, *target;
	int esf, member; /* member: index into members[] */
	int weight;      /* share of referrals */
	int64_t budget;  /* kronor per year */
};

static const struct demo_intervention interventions[] = {
    {"Steget vidare", "Samordnad arbetslivsinriktad rehabilitering för långtidssjukskrivna.",
     "individ", "person", "arbetslivsinriktad", "langtidssjukskrivna", 0, 0, 22, 2400000},
    {"Unga på väg", "Stöd till unga vuxna 16–29 år som varken arbetar eller studerar.", "individ",
     "person", "motivation", "unga_vuxna", 0, 3, 18, 1800000},
    {"Jobbcentrum Björkvik", "Arbetsträning och praktik för personer med försörjningsstöd.",
     "individ", "person", "arbetstraning", "forsorjningsstod", 0, 3, 20, 2100000},
    {"Hälsa och arbete", "Kartläggning och rehabilitering i samverkan med primärvården.", "individ",
     "person", "kartlaggning", "langtidssjukskrivna", 0, 2, 12, 1500000},
    {"Språk och praktik", "Svenska med yrkesinriktning och praktik för utrikes födda.", "individ",
     "person", "studier", "utrikes_fodda", 0, 1, 10, 1300000},
    {"Cresco Åsbygden", "ESF-projekt för personer långt från arbetsmarknaden.", "individ", "person",
     "arbetslivsinriktad", "langtidsarbetslosa", 1, 4, 14, 3200000},
    {"Motivationsgruppen", "Gruppverksamhet för att hitta motivation och vardagsstruktur.",
     "individ", "person", "motivation", "funktionsnedsattning", 0, 5, 4, 600000},
    {"Samverkansteam Åsbygden", "Gemensam struktur för handläggare hos parterna.", "struktur",
     "volym", "samverkan", NULL, 0, 0, 0, 900000},
};
#define N_INTERVENTIONS (sizeof interventions / sizeof interventions[0])

static enum rc add_participants(struct demo_state *s, const int64_t *intervention_ids,
                                int64_t area_first)
{
	uint32_t seed = 20260522u;
	enum rc rc = RC_OK;
	int total_weight = 0;
	for (size_t i = 0; i < N_INTERVENTIONS; i++)
		total_weight += interventions[i].weight;
	static const struct answer start_sets[][4] = {
	    {{"support", "sjukpenning", 100},
	     {"employment", "ovrigt", -1},
	     {"education", "gymnasial", -1},
	     {"support_time", "1_2", -1}},
	    {{"support", "forsorjningsstod", 100},
	     {"employment", "aktivt_arbetssokande", -1},
	     {"education", "forgymnasial", -1},
	     {"support_time", "over_9", -1}},
	    {{"support", "aktivitetsstod", 100},
	     {"employment", "aktivt_arbetssokande", -1},
	     {"education", "gymnasial", -1},
	     {"support_time", "3_5", -1}},
	    {{"support", "aktivitetsersattning", 100},
	     {"employment", "ovrigt", -1},
	     {"education", "forgymnasial_kort", -1},
	     {"support_time", "6_9", -1}},
	    {{"support", "ingen", -1},
	     {"employment", "ovrigt", -1},
	     {"education", "uppgift_saknas", -1},
	     {"support_time", "uppgift_saknas", -1}},
	};
	static const struct answer end_work[] = {{"support", "lon", 100},
	                                         {"employment", "forvarvsarbete", -1}};
	static const struct answer end_study[] = {{"support", "studiemedel", 100},
	                                          {"employment", "studier", -1}};
	static const struct answer end_rehab[] = {{"support", "sjukpenning", 50},
	                                          {"support", "forsorjningsstod", 50},
	                                          {"employment", "ovrigt", -1}};
	/* About 2.3 referrals a day over a year and a half. */
	for (int day = 548; day >= 0 && !rc; day--) {
		int today_count = (int)(rnd(&seed) % 5); /* 0–4, mean 2 */
		for (int k = 0; k < today_count && !rc; k++) {
			int w = (int)(rnd(&seed) % (uint32_t)total_weight);
			size_t ix = 0;
			while (w >= interventions[ix].weight) {
				w -= interventions[ix].weight;
				ix++;
			}
			char referred[11];
			days_ago(s, day, referred);
			struct referral r = {0};
			/* Generated numbers may repeat; the demo wants every one. */
			r.confirm_duplicate = 1;
			r.intervention_id = intervention_ids[ix];
			r.referred_on = referred;
			/* Sources roughly 35/26/14/2/14, the rest from kommun units. */
			int src = pct(&seed);
			int kommun_ix = 3 + (int)(rnd(&seed) % 6);
			r.source = src < 44   ? "kommun"
			           : src < 70 ? "region"
			           : src < 84 ? "fk"
			           : src < 86 ? "af"
			                      : "egen";
			if (strcmp(r.source, "kommun") == 0)
				r.source_member_id = s->member_id[kommun_ix];
			r.home_area_id = area_first + (kommun_ix - 3);
			char sex = pct(&seed) < 61 ? 'K' : 'M';
			r.sex = sex == 'K' ? "K" : "M";
			int consent = pct(&seed) < 70;
			char pnr[14], name[80];
			if (consent) {
				int year = 1962 + (int)(rnd(&seed) % 44);
				synthetic_pnr(&seed, sex, year, pnr);
				const char *fn = sex == 'K' ? female_names[rnd(&seed) % 20]
				                            : male_names[rnd(&seed) % 20];
				snprintf(name, sizeof name, "%s %s", fn,
				         last_names[rnd(&seed) % 34]);
				r.pnr = pnr;
				r.name = name;
				r.consent_on = referred;
				r.consent_form = "2024:1";
			}
			int64_t id;
			rc = participation_refer(s->db, s->v, s->who, &r, &id, &s->err);
			if (rc == RC_INVALID && consent) {
				/* A generated number that happens to collide with an
				 * impossible date: register anonymously instead. */
				r.pnr = r.name = r.consent_on = r.consent_form = NULL;
				rc = participation_refer(s->db, s->v, s->who, &r, &id, &s->err);
			}
			if (rc)
				break;
			/* Waiting time: mostly one to four months; about 7 % never start. */
			int wait = 30 + (int)(rnd(&seed) % 190);
			if (pct(&seed) < 7) {
				if (day > 60) {
					char cancelled[11];
					days_ago(s, day - 30, cancelled);
					rc = participation_cancel(s->db, s->who, id, cancelled,
					                          "eget_val", &s->err);
				}
				continue;
			}
			if (wait > day)
				continue; /* still in the queue */
			char started[11];
			days_ago(s, day - wait, started);
			struct registration reg = {started, NULL, start_sets[rnd(&seed) % 5], 4};
			if ((rc = participation_start(s->db, s->who, id, &reg, &s->err)))
				break;
			int length = 60 + (int)(rnd(&seed) % 300);
			int left = day - wait - length;
			if (left < 0) {
				/* Still taking part: hours for the last months. */
				for (int m = 0; m < 3 && !rc; m++) {
					char month[11];
					days_ago(s, m * 31, month);
					if (strcmp(month, started) < 0)
						break;
					month[7] = '\0';
					rc = participation_attendance_set(
					    s->db, s->who, id, month,
					    (int64_t)(100 + rnd(&seed) % 500), &s->err);
				}
				continue;
			}
			char ended[11];
			days_ago(s, left, ended);
			int o = pct(&seed);
			struct registration end = {ended, NULL, NULL, 0};
			if (o < 2) {
				end.end_reason = "felregistrering";
			} else if (o < 16) {
				end.end_reason = "arbete", end.answers = end_work, end.nanswers = 2;
			} else if (o < 25) {
				end.end_reason = "studier", end.answers = end_study,
				end.nanswers = 2;
			} else if (o < 70) {
				end.end_reason =
				    pct(&seed) < 70 ? "fortsatt_rehabilitering" : "annan_insats";
				end.answers = end_rehab, end.nanswers = 3;
			} else {
				static const char *other[] = {"sjukdom", "foraldraledighet",
				                              "flytt", "eget_val", "annat"};
				end.end_reason = other[rnd(&seed) % 5];
				/* Some end registrations lack data, for the work list. */
				if (pct(&seed) < 70)
					end.answers = end_rehab, end.nanswers = 3;
			}
			rc = participation_end(s->db, s->who, id, &end, &s->err);
		}
	}
	return rc;
}

static enum rc add_interventions(struct demo_state *s, int64_t area_first)
{
	int64_t ids[N_INTERVENTIONS];
	enum rc rc;
	struct user *users;
	size_t nusers;
	struct arena *a = arena_new(0);
	if (!a)
		return RC_NOMEM;
	if ((rc = auth_user_list(s->db, a, &users, &nusers)))
		goto out;
	for (size_t i = 0; i < N_INTERVENTIONS; i++) {
		struct intervention x = {0};
		const char *tg[1] = {interventions[i].target};
		x.association_id = s->assoc;
		x.name = interventions[i].name;
		x.description = interventions[i].description;
		x.responsible_member_id = s->member_id[interventions[i].member];
		x.orientation = interventions[i].orientation;
		x.orientation_detail = interventions[i].detail;
		x.method = interventions[i].method;
		x.esf = interventions[i].esf;
		x.start_on = i == 5 ? "2025-01-01" : "2023-01-01";
		x.end_on = i == 5 ? "2027-06-30" : NULL;
		x.target_groups = tg;
		x.ntarget_groups = interventions[i].target ? 1 : 0;
		if ((rc = intervention_save(s->db, s->who, &x, &s->err)))
			goto out;
		ids[i] = x.id;
		for (int y = 2025; y <= 2026; y++) {
			struct intervention_year yr = {
			    y,
			    interventions[i].weight * 8,
			    interventions[i].budget * 100,
			    interventions[i].esf ? interventions[i].budget * 40 : 0,
			    y == 2025 ? interventions[i].budget * 93 : -1,
			    y == 2025 && interventions[i].esf ? interventions[i].budget * 38 : -1};
			if (strcmp(interventions[i].method, "volym") == 0)
				yr.planned_participants = -1;
			if ((rc = intervention_year_set(s->db, s->who, x.id, &yr, &s->err)))
				goto out;
		}
		/* The structural insats counts its participants per quarter. */
		for (int qtr = 0; strcmp(interventions[i].method, "volym") == 0 && qtr < 6; qtr++) {
			static const char *const from[] = {"2025-04-01", "2025-07-01",
			                                   "2025-10-01", "2026-01-01",
			                                   "2026-04-01", "2026-07-01"};
			static const char *const to[] = {"2025-06-30", "2025-09-30", "2025-12-31",
			                                 "2026-03-31", "2026-06-30", "2026-09-30"};
			struct volume_count vc = {0, from[qtr], to[qtr], 18 + qtr * 3, 9 + qtr * 2};
			if ((rc = intervention_volume_add(s->db, s->who, x.id, &vc, &s->err)))
				goto out;
		}
		for (size_t u = 0; u < nusers; u++) {
			const char *role = users[u].role == ROLE_INTERVENTION_LEAD
			                       ? "insatsansvarig"
			                   : users[u].role == ROLE_CASEWORKER ? "deltagaransvarig"
			                                                      : NULL;
			/* The demo deltagaransvarig works in all but the last two
			 * person-followed insatser, so a denial can be shown. */
			if (!role || (users[u].role == ROLE_CASEWORKER &&
			              (strcmp(x.method, "person") != 0 || i >= 5)))
				continue;
			if ((rc = intervention_staff_set(s->db, s->who, x.id, users[u].id, role, 1,
			                                 &s->err)))
				goto out;
		}
	}
	rc = add_participants(s, ids, area_first);
out:
	arena_free(a);
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
		if ((rc = auth_user_add_hashed(s->db, s->who, demo_accounts[i].username,
		                               demo_accounts[i].display_name, demo_accounts[i].role,
		                               s->password_hash, NULL, &s->err)))
			goto out;
	rc = add_interventions(s, kommun_area[3]);
out:
	arena_free(a);
	return rc;
}

static enum rc demo_tx(struct db *db, void *ctx)
{
	struct demo_state *s = ctx;
	/* db_tx may run this again: a rerun starts from what the caller set,
	 * never from what the previous run built (the name counter would go
	 * on and the rerun would store other people). */
	s->db = db;
	s->assoc = 0;
	memset(s->member_id, 0, sizeof s->member_id);
	s->next_name = 0;
	field_error_clear(&s->err);
	return build(s);
}

enum rc demo_create(struct db *db, const struct vault *v, const struct actor *who)
{
	struct db_stmt *q;
	int64_t n;
	enum rc rc = db_prepare(db, "SELECT count(*) FROM member", &q);
	if (rc || (rc = db_one_int64(q, &n)))
		return rc;
	if (n != 0)
		return RC_CONFLICT;
	struct demo_state s;
	memset(&s, 0, sizeof s);
	s.who = who;
	s.v = v;
	/* One argon2id hash for every demo account (they share the password),
	 * made before the transaction so it holds no lock. */
	char hash[CRYPTO_PWHASH_LEN];
	enum rc hrc = crypto_password_hash(DEMO_PASSWORD, hash);
	if (hrc)
		return hrc;
	s.password_hash = hash;
	/* One transaction: a demo is either all there or not at all. */
	rc = db_tx(db, demo_tx, &s);
	if (rc == RC_INVALID)
		fprintf(stderr, "finsam: demodata avvisades: %s: %s\n", s.err.field, s.err.message);
	return rc;
}
