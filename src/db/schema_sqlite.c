/*
 * schema_sqlite.c — the numbered schema migrations for SQLite.
 *
 * A migration is never edited once released: a change to the schema is a
 * new entry at the end.  db.c applies each missing one in its own
 * transaction and records it in schema_migration, so a database made by any
 * earlier build opens in this one.
 */
#include "db_impl.h"

const struct db_migration db_sqlite_migrations[] = {
    {1, "organisation",
     "CREATE TABLE association ("
     " id INTEGER PRIMARY KEY,"
     " name TEXT NOT NULL,"
     " org_number TEXT,"
     " created_at TEXT NOT NULL);"

     /* The förbund's area: kommuner, and stadsdelar inside a kommun. */
     "CREATE TABLE area ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " kind TEXT NOT NULL CHECK (kind IN ('kommun','stadsdel')),"
     " name TEXT NOT NULL,"
     " code TEXT,"
     " parent_id INTEGER REFERENCES area(id),"
     " UNIQUE (association_id, kind, name, parent_id));"
     "CREATE INDEX area_assoc ON area(association_id, kind, name);"

     "CREATE TABLE member ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " kind TEXT NOT NULL CHECK (kind IN ('fk','af','region','kommun')),"
     " name TEXT NOT NULL,"
     " org_number TEXT,"
     " area_id INTEGER REFERENCES area(id),"
     " joined_on TEXT,"
     " left_on TEXT,"
     " UNIQUE (association_id, name));"
     "CREATE INDEX member_assoc ON member(association_id, kind, name);"

     /* Population per year, for splitting the kommuner's share of the
	  * contributions (SCB figure of 1 November the year before). */
     "CREATE TABLE member_population ("
     " member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
     " year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2200),"
     " population INTEGER NOT NULL CHECK (population >= 0),"
     " PRIMARY KEY (member_id, year));"

     "CREATE TABLE body ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " kind TEXT NOT NULL CHECK (kind IN ('styrelse','beredningsgrupp','arbetsutskott',"
     "  'kansli','lokal_grupp','revision','ovrigt')),"
     " name TEXT NOT NULL,"
     " description TEXT,"
     " UNIQUE (association_id, name));"
     "CREATE INDEX body_assoc ON body(association_id, kind, name);"

     "CREATE TABLE person ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " name TEXT NOT NULL,"
     " title TEXT,"
     " employer_member_id INTEGER REFERENCES member(id),"
     " email TEXT,"
     " phone TEXT);"
     "CREATE INDEX person_assoc ON person(association_id, name);"

     "CREATE TABLE mandate ("
     " id INTEGER PRIMARY KEY,"
     " body_id INTEGER NOT NULL REFERENCES body(id),"
     " person_id INTEGER NOT NULL REFERENCES person(id),"
     " role TEXT NOT NULL,"
     " member_id INTEGER REFERENCES member(id),"
     " party TEXT,"
     " start_on TEXT NOT NULL,"
     " end_on TEXT,"
     " CHECK (end_on IS NULL OR end_on >= start_on));"
     "CREATE INDEX mandate_body ON mandate(body_id, start_on);"
     "CREATE INDEX mandate_person ON mandate(person_id, start_on);"},

    {2, "accounts and audit",
     "CREATE TABLE app_user ("
     " id INTEGER PRIMARY KEY,"
     " username TEXT NOT NULL UNIQUE,"
     " display_name TEXT NOT NULL,"
     " role TEXT NOT NULL CHECK (role IN ('admin','forbundschef','insatsansvarig',"
     "  'deltagaransvarig','styrelse','revisor')),"
     " password_hash TEXT NOT NULL,"
     " disabled_at TEXT,"
     " created_at TEXT NOT NULL);"

     "CREATE TABLE session ("
     " id INTEGER PRIMARY KEY,"
     " token_hash TEXT NOT NULL UNIQUE,"
     " user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,"
     " csrf_token TEXT NOT NULL,"
     " created_at INTEGER NOT NULL,"
     " last_seen INTEGER NOT NULL);"
     "CREATE INDEX session_user ON session(user_id);"
     "CREATE INDEX session_seen ON session(last_seen);"

     "CREATE TABLE api_token ("
     " id INTEGER PRIMARY KEY,"
     " name TEXT NOT NULL,"
     " token_hash TEXT NOT NULL UNIQUE,"
     " role TEXT NOT NULL CHECK (role IN ('api','revisor')),"
     " created_by INTEGER REFERENCES app_user(id),"
     " created_at TEXT NOT NULL,"
     " last_used_at TEXT,"
     " revoked_at TEXT);"

     /* Failed logins per account and per address, keyed by a hash. */
     "CREATE TABLE login_throttle ("
     " key_hash TEXT PRIMARY KEY,"
     " failures INTEGER NOT NULL,"
     " window_start INTEGER NOT NULL,"
     " locked_until INTEGER NOT NULL DEFAULT 0);"

     /* Append-only: each row carries the hash of the row before it. */
     "CREATE TABLE audit_log ("
     " id INTEGER PRIMARY KEY,"
     " at TEXT NOT NULL,"
     " actor TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " object_type TEXT NOT NULL,"
     " object_id TEXT NOT NULL,"
     " address TEXT NOT NULL,"
     " detail TEXT NOT NULL,"
     " prev_hash TEXT NOT NULL,"
     " hash TEXT NOT NULL);"
     "CREATE INDEX audit_object ON audit_log(object_type, object_id);"
     "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
     " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
     "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
     " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"},

    {3, "person names searchable without case",
     "CREATE INDEX person_name_nocase ON person(association_id, name COLLATE NOCASE);"
     "CREATE INDEX app_user_role ON app_user(role);"},

    {4, "participant follow-up",
     /* Code tables as data: each list (support sources, employment, …) is
      * rows; an administrator may relabel or retire an item, never delete
      * it, so old registrations keep their meaning.  grp carries the
      * national measure group (ohälsa, arbetsmarknadsstöd, …). */
     "CREATE TABLE code_item ("
     " list TEXT NOT NULL,"
     " code TEXT NOT NULL,"
     " label TEXT NOT NULL,"
     " grp TEXT,"
     " sort INTEGER NOT NULL DEFAULT 0,"
     " active INTEGER NOT NULL DEFAULT 1,"
     " since_version INTEGER NOT NULL DEFAULT 1,"
     " PRIMARY KEY (list, code));"

     "CREATE TABLE intervention ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " name TEXT NOT NULL,"
     " description TEXT,"
     " responsible_member_id INTEGER REFERENCES member(id),"
     " orientation TEXT NOT NULL CHECK (orientation IN ('individ','struktur')),"
     " orientation_detail TEXT,"
     " method TEXT NOT NULL CHECK (method IN ('person','volym')),"
     " esf INTEGER NOT NULL DEFAULT 0 CHECK (esf IN (0,1)),"
     " start_on TEXT NOT NULL,"
     " end_on TEXT,"
     " created_at TEXT NOT NULL,"
     " CHECK (end_on IS NULL OR end_on >= start_on),"
     " CHECK (orientation = 'individ' OR method = 'volym'),"
     " UNIQUE (association_id, name));"
     "CREATE INDEX intervention_assoc ON intervention(association_id, start_on);"
     /* Orientation, method and ESF flag never change after creation. */
     "CREATE TRIGGER intervention_fixed BEFORE UPDATE OF orientation, method, esf"
     " ON intervention WHEN NEW.orientation IS NOT OLD.orientation"
     "  OR NEW.method IS NOT OLD.method OR NEW.esf IS NOT OLD.esf"
     " BEGIN SELECT RAISE(ABORT, 'intervention orientation, method and esf are fixed'); END;"

     "CREATE TABLE intervention_target_group ("
     " intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
     " code TEXT NOT NULL,"
     " PRIMARY KEY (intervention_id, code));"

     /* Per calendar year: plan and budget (öre) with outcome. */
     "CREATE TABLE intervention_year ("
     " intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
     " year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),"
     " planned_participants INTEGER CHECK (planned_participants >= 0),"
     " budget_cost INTEGER NOT NULL DEFAULT 0,"
     " budget_esf_cost INTEGER NOT NULL DEFAULT 0,"
     " outcome_cost INTEGER,"
     " outcome_esf_cost INTEGER,"
     " PRIMARY KEY (intervention_id, year));"

     "CREATE TABLE intervention_staff ("
     " intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
     " user_id INTEGER NOT NULL REFERENCES app_user(id),"
     " role TEXT NOT NULL CHECK (role IN ('insatsansvarig','deltagaransvarig')),"
     " PRIMARY KEY (intervention_id, user_id, role));"
     "CREATE INDEX intervention_staff_user ON intervention_staff(user_id);"

     /* Volume insatser: counts by sex per period. */
     "CREATE TABLE volume_count ("
     " id INTEGER PRIMARY KEY,"
     " intervention_id INTEGER NOT NULL REFERENCES intervention(id),"
     " period_start TEXT NOT NULL,"
     " period_end TEXT NOT NULL,"
     " women INTEGER NOT NULL DEFAULT 0 CHECK (women >= 0),"
     " men INTEGER NOT NULL DEFAULT 0 CHECK (men >= 0),"
     " CHECK (period_end >= period_start));"

     /* A person's identity, stored only with consent: the number and name
      * sealed with the vault key, found again by a keyed hash. */
     "CREATE TABLE identity ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " pnr_hash TEXT NOT NULL,"
     " sealed_pnr TEXT NOT NULL,"
     " sealed_name TEXT NOT NULL,"
     " created_at TEXT NOT NULL,"
     " UNIQUE (association_id, pnr_hash));"

     /* One person in one insats for one episode.  identity_id is NULL for
      * an anonymous participation, which keeps only sex and years. */
     "CREATE TABLE participation ("
     " id INTEGER PRIMARY KEY,"
     " intervention_id INTEGER NOT NULL REFERENCES intervention(id),"
     " identity_id INTEGER REFERENCES identity(id),"
     " sex TEXT NOT NULL CHECK (sex IN ('K','M','X')),"
     " birth_year INTEGER,"
     " state TEXT NOT NULL CHECK (state IN ('queued','active','ended','cancelled')),"
     " referred_on TEXT NOT NULL,"
     " referral_source TEXT NOT NULL,"
     " referral_member_id INTEGER REFERENCES member(id),"
     " home_area_id INTEGER REFERENCES area(id),"
     " home_district_id INTEGER REFERENCES area(id),"
     " start_on TEXT,"
     " end_on TEXT,"
     " end_reason TEXT,"
     " counts INTEGER NOT NULL DEFAULT 1 CHECK (counts IN (0,1)),"
     " protected INTEGER NOT NULL DEFAULT 0,"
     " created_at TEXT NOT NULL,"
     " CHECK (end_on IS NULL OR start_on IS NULL OR end_on >= start_on),"
     " CHECK (start_on IS NULL OR start_on >= referred_on));"
     "CREATE INDEX participation_queue ON participation(intervention_id, state, referred_on);"
     "CREATE INDEX participation_identity ON participation(identity_id);"
     "CREATE INDEX participation_open ON participation(state, start_on);"

     "CREATE TABLE consent ("
     " id INTEGER PRIMARY KEY,"
     " participation_id INTEGER NOT NULL REFERENCES participation(id),"
     " given_on TEXT NOT NULL,"
     " form_version TEXT NOT NULL,"
     " collected_by INTEGER REFERENCES app_user(id),"
     " withdrawn_on TEXT,"
     " CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on));"
     "CREATE INDEX consent_participation ON consent(participation_id);"

     /* What was registered at start and end: support sources with extent
      * (percent), employment, education, time in public support. */
     "CREATE TABLE participation_answer ("
     " participation_id INTEGER NOT NULL REFERENCES participation(id),"
     " phase TEXT NOT NULL CHECK (phase IN ('start','end')),"
     " list TEXT NOT NULL,"
     " code TEXT NOT NULL,"
     " extent INTEGER CHECK (extent IS NULL OR extent BETWEEN 0 AND 100),"
     " PRIMARY KEY (participation_id, phase, list, code),"
     " FOREIGN KEY (list, code) REFERENCES code_item(list, code));"

     /* Corrections keep their history: the old value of every changed
      * field, who changed it and when. */
     "CREATE TABLE participation_history ("
     " id INTEGER PRIMARY KEY,"
     " participation_id INTEGER NOT NULL REFERENCES participation(id),"
     " at TEXT NOT NULL,"
     " actor TEXT NOT NULL,"
     " field TEXT NOT NULL,"
     " old_value TEXT,"
     " new_value TEXT);"
     "CREATE INDEX participation_history_p ON participation_history(participation_id, id);"

     "CREATE TABLE attendance ("
     " participation_id INTEGER NOT NULL REFERENCES participation(id),"
     " month TEXT NOT NULL,"
     " hours_tenths INTEGER NOT NULL CHECK (hours_tenths BETWEEN 0 AND 7440),"
     " PRIMARY KEY (participation_id, month));"},

    {5, "code lists, version 1",
     /* The national försörjningsmått groups (grp) follow SUS: ohälsa,
      * arbetsmarknadsstöd, ekonomiskt bistånd. */
     "INSERT INTO code_item (list, code, label, grp, sort) VALUES"
     "('support','sjukpenning','Sjukpenning (inkl. rehabiliteringspenning)','ohalsa',10),"
     "('support','aktivitetsersattning','Aktivitetsersättning','ohalsa',20),"
     "('support','sjukersattning','Sjukersättning','ohalsa',30),"
     "('support','a_kassa','Arbetslöshetsersättning (a-kassa)','arbetsmarknadsstod',40),"
     "('support','aktivitetsstod','Aktivitetsstöd (inkl. "
     "utvecklingsersättning)','arbetsmarknadsstod',50),"
     "('support','etableringsersattning','Etableringsersättning','arbetsmarknadsstod',60),"
     "('support','forsorjningsstod','Försörjningsstöd','ekonomiskt_bistand',70),"
     "('support','lon','Lön eller anställning (inkl. subventionerad)','egen_forsorjning',80),"
     "('support','studiemedel','Studiemedel','studier',90),"
     "('support','annan','Annan försörjning','ovrigt',100),"
     "('support','ingen','Ingen försörjning','ovrigt',110),"
     "('support','uppgift_saknas','Uppgift saknas','saknas',120),"
     "('employment','forvarvsarbete','Förvärvsarbete',NULL,10),"
     "('employment','studier','Studier',NULL,20),"
     "('employment','aktivt_arbetssokande','Aktivt arbetssökande',NULL,30),"
     "('employment','ovrigt','Övrigt',NULL,40),"
     "('education','forgymnasial_kort','Förgymnasial utbildning kortare än 9 år',NULL,10),"
     "('education','forgymnasial','Förgymnasial utbildning 9 (10) år',NULL,20),"
     "('education','gymnasial','Gymnasial utbildning',NULL,30),"
     "('education','eftergymnasial_kort','Eftergymnasial utbildning kortare än 3 år',NULL,40),"
     "('education','eftergymnasial','Eftergymnasial utbildning 3 år eller längre',NULL,50),"
     "('education','uppgift_saknas','Uppgift saknas',NULL,60),"
     "('support_time','under_1','Mindre än 1 år',NULL,10),"
     "('support_time','1_2','1–2 år',NULL,20),"
     "('support_time','3_5','3–5 år',NULL,30),"
     "('support_time','6_9','6–9 år',NULL,40),"
     "('support_time','over_9','Mer än 9 år',NULL,50),"
     "('support_time','uppgift_saknas','Uppgift saknas',NULL,60),"
     "('target_group','unga_vuxna','Unga vuxna 16–29 år',NULL,10),"
     "('target_group','langtidsarbetslosa','Långtidsarbetslösa',NULL,20),"
     "('target_group','langtidssjukskrivna','Långtidssjukskrivna',NULL,30),"
     "('target_group','utrikes_fodda','Utrikes födda',NULL,40),"
     "('target_group','funktionsnedsattning','Personer med funktionsnedsättning',NULL,50),"
     "('target_group','forsorjningsstod','Personer med försörjningsstöd',NULL,60),"
     "('target_group','ovriga','Övriga',NULL,70),"
     "('orientation_detail','kartlaggning','Kartläggning och utredning',NULL,10),"
     "('orientation_detail','motivation','Förrehabilitering och motivation',NULL,20),"
     "('orientation_detail','arbetslivsinriktad','Arbetslivsinriktad rehabilitering',NULL,30),"
     "('orientation_detail','arbetstraning','Arbetsträning och praktik',NULL,40),"
     "('orientation_detail','studier','Studier och utbildning',NULL,50),"
     "('orientation_detail','kompetens','Kompetensutveckling för personal',NULL,60),"
     "('orientation_detail','samverkan','Samverkansstruktur och metodutveckling',NULL,70),"
     "('orientation_detail','information','Information och konferens',NULL,80),"
     "('end_reason','arbete','Arbete','arbete_studier',10),"
     "('end_reason','studier','Studier','arbete_studier',20),"
     "('end_reason','fortsatt_rehabilitering','Fortsatt arbetslivsinriktad "
     "rehabilitering','rehabilitering',30),"
     "('end_reason','annan_insats','Annan insats hos part','rehabilitering',40),"
     "('end_reason','sjukdom','Sjukdom','annat',50),"
     "('end_reason','foraldraledighet','Föräldraledighet','annat',60),"
     "('end_reason','flytt','Flytt','annat',70),"
     "('end_reason','eget_val','Eget val','annat',80),"
     "('end_reason','avliden','Avliden','annat',90),"
     "('end_reason','annat','Annat','annat',100),"
     "('end_reason','felregistrering','Felregistrering','felregistrering',110),"
     "('referral_source','fk','Försäkringskassan',NULL,10),"
     "('referral_source','af','Arbetsförmedlingen',NULL,20),"
     "('referral_source','region','Regionen (hälso- och sjukvården)',NULL,30),"
     "('referral_source','kommun','Kommunen',NULL,40),"
     "('referral_source','egen','Egen anmälan',NULL,50);"},

    {6, "participation aggregates and work-list indexes",
     /* Counts per insats and state, kept by triggers, so the insatser list
      * reads a handful of rows instead of counting participations. */
     "CREATE TABLE participation_tally ("
     " intervention_id INTEGER NOT NULL,"
     " state TEXT NOT NULL,"
     " counted INTEGER NOT NULL,"
     " n INTEGER NOT NULL,"
     " PRIMARY KEY (intervention_id, state, counted));"
     "INSERT INTO participation_tally (intervention_id, state, counted, n)"
     " SELECT intervention_id, state, counts, count(*) FROM participation"
     " GROUP BY intervention_id, state, counts;"
     "CREATE TRIGGER participation_tally_insert AFTER INSERT ON participation BEGIN"
     " INSERT INTO participation_tally (intervention_id, state, counted, n)"
     "  VALUES (NEW.intervention_id, NEW.state, NEW.counts, 1)"
     "  ON CONFLICT (intervention_id, state, counted) DO UPDATE SET n = n + 1;"
     " END;"
     "CREATE TRIGGER participation_tally_update AFTER UPDATE OF intervention_id, state, counts"
     " ON participation BEGIN"
     " UPDATE participation_tally SET n = n - 1 WHERE intervention_id = OLD.intervention_id"
     "  AND state = OLD.state AND counted = OLD.counts;"
     " INSERT INTO participation_tally (intervention_id, state, counted, n)"
     "  VALUES (NEW.intervention_id, NEW.state, NEW.counts, 1)"
     "  ON CONFLICT (intervention_id, state, counted) DO UPDATE SET n = n + 1;"
     " END;"
     "CREATE TRIGGER participation_tally_delete AFTER DELETE ON participation BEGIN"
     " UPDATE participation_tally SET n = n - 1 WHERE intervention_id = OLD.intervention_id"
     "  AND state = OLD.state AND counted = OLD.counts;"
     " END;"

     /* An ended participation whose end registration lacks support or
      * employment: a stored flag, so the work list need not search the
      * answers of every ended participation. */
     "ALTER TABLE participation ADD COLUMN end_complete INTEGER NOT NULL DEFAULT 0;"
     "UPDATE participation SET end_complete = 1 WHERE state = 'ended' AND"
     " EXISTS (SELECT 1 FROM participation_answer x WHERE x.participation_id = participation.id"
     "  AND x.phase = 'end' AND x.list = 'support') AND"
     " EXISTS (SELECT 1 FROM participation_answer x WHERE x.participation_id = participation.id"
     "  AND x.phase = 'end' AND x.list = 'employment');"

     /* Each list's predicate and order as a (partial) index. */
     "CREATE INDEX participation_newest ON participation(intervention_id, referred_on DESC, id "
     "DESC);"
     "CREATE INDEX participation_anonymous_open ON participation(referred_on)"
     " WHERE state IN ('queued', 'active') AND identity_id IS NULL AND protected = 0;"
     "CREATE INDEX participation_end_missing ON participation(end_on)"
     " WHERE state = 'ended' AND counts = 1 AND end_complete = 0;"
     "CREATE INDEX participation_queue_all ON participation(referred_on, id) WHERE state = "
     "'queued';"
     "CREATE INDEX participation_queue_area ON participation(home_area_id, referred_on, id)"
     " WHERE state = 'queued';"
     "CREATE INDEX participation_queue_both ON participation(intervention_id, home_area_id,"
     " referred_on, id) WHERE state = 'queued';"
     /* Only identified participations are ever looked up by identity; an
      * index over every NULL would lure the planner into scanning all
      * anonymous ones for the consent work list. */
     "DROP INDEX participation_identity;"
     "CREATE INDEX participation_identity ON participation(identity_id)"
     " WHERE identity_id IS NOT NULL;"},

    {7, "referring unit",
     /* Which unit of the referring member sent the person, as the förbund
      * writes it: "Socialtjänsten", "Vuxenpsykiatrin Ekeby". */
     "ALTER TABLE participation ADD COLUMN referral_unit TEXT;"},

    {8, "participation list sorted by number",
     /* An insats's participations by number, either way, without sorting
      * the whole insats for one page. */
     "CREATE INDEX participation_insats_nr ON participation(intervention_id, id);"},

    {9, "key check and audit anchor",
     /* Which key the database belongs to: a keyed hash of a fixed text
      * (vault_key_id), written at init, or when a database from before this
      * migration is first opened with a key that opens every identity it
      * holds.  A different key file is refused instead of sealing new
      * identities under it. */
     "CREATE TABLE key_check ("
     " id INTEGER PRIMARY KEY CHECK (id = 1),"
     " key_id TEXT NOT NULL,"
     " stored_at TEXT NOT NULL);"
     /* The audit chain's head, signed with a key derived from the key file
      * and rewritten in the transaction of every audit entry: removing the
      * newest entries or emptying the log without the key shows. */
     "CREATE TABLE audit_anchor ("
     " id INTEGER PRIMARY KEY CHECK (id = 1),"
     " head_id INTEGER NOT NULL,"
     " head_hash TEXT NOT NULL,"
     " mac TEXT NOT NULL);"},

    {10, "identity per participation, protection requests",
     /* Each consented participation owns the identity typed there, sealed;
      * the keyed hash is no longer unique and only finds the same person
      * for those with rights (extract, duplicate check in one insats).
      * An identity shared by several participations becomes one copy per
      * participation (the lowest participation keeps the old id).  The
      * participations let go of the old table before it is dropped, so no
      * foreign key ever points at a missing row. */
     "CREATE TABLE identity_copy ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " participation_id INTEGER NOT NULL UNIQUE,"
     " pnr_hash TEXT NOT NULL,"
     " sealed_pnr TEXT NOT NULL,"
     " sealed_name TEXT NOT NULL,"
     " created_at TEXT NOT NULL);"
     "INSERT INTO identity_copy (id, association_id, participation_id, pnr_hash, sealed_pnr,"
     " sealed_name, created_at)"
     " SELECT d.id, d.association_id,"
     " (SELECT min(p.id) FROM participation p WHERE p.identity_id = d.id),"
     " d.pnr_hash, d.sealed_pnr, d.sealed_name, d.created_at FROM identity d"
     " WHERE EXISTS (SELECT 1 FROM participation p WHERE p.identity_id = d.id);"
     "INSERT INTO identity_copy (association_id, participation_id, pnr_hash, sealed_pnr,"
     " sealed_name, created_at)"
     " SELECT d.association_id, p.id, d.pnr_hash, d.sealed_pnr, d.sealed_name, d.created_at"
     " FROM participation p JOIN identity d ON d.id = p.identity_id"
     " WHERE p.id > (SELECT min(x.id) FROM participation x WHERE x.identity_id = d.id)"
     " ORDER BY p.id;"
     "UPDATE participation SET identity_id = NULL WHERE identity_id IS NOT NULL;"
     "DROP TABLE identity;"
     "ALTER TABLE identity_copy RENAME TO identity;"
     "UPDATE participation SET identity_id ="
     " (SELECT d.id FROM identity d WHERE d.participation_id = participation.id)"
     " WHERE id IN (SELECT participation_id FROM identity);"
     "CREATE INDEX identity_person ON identity(pnr_hash, association_id);"
     "DROP INDEX participation_identity;"
     "CREATE UNIQUE INDEX participation_identity ON participation(identity_id)"
     " WHERE identity_id IS NOT NULL;"

     /* Protection asked for by insats staff for a person who also has
      * participations they have no rights to: an administrator's work
      * item.  The keyed hash finds the person; it is cleared when done. */
     "CREATE TABLE protection_request ("
     " id INTEGER PRIMARY KEY,"
     " association_id INTEGER NOT NULL REFERENCES association(id),"
     " participation_id INTEGER NOT NULL REFERENCES participation(id),"
     " pnr_hash TEXT,"
     " requested_at TEXT NOT NULL,"
     " requested_by INTEGER REFERENCES app_user(id),"
     " handled_at TEXT,"
     " handled_by INTEGER REFERENCES app_user(id),"
     " CHECK ((handled_at IS NULL) = (pnr_hash IS NOT NULL)));"
     "CREATE INDEX protection_request_open ON protection_request(association_id, requested_at)"
     " WHERE handled_at IS NULL;"},

    {11, "known login addresses",
     /* Where each account has logged in from: a correct password from such
      * an address passes a lock on the account or the address.  Only a
      * hash of username and address is kept. */
     "CREATE TABLE login_known_address ("
     " user_id INTEGER NOT NULL REFERENCES app_user(id),"
     " address_hash TEXT NOT NULL,"
     " last_login INTEGER NOT NULL,"
     " PRIMARY KEY (user_id, address_hash));"
     "CREATE INDEX login_known_address_last ON login_known_address(last_login);"},

    {12, "one-time submission keys",
     /* A referral form's one-time token or an API Idempotency-Key, as its
      * SHA-256, with the participation it created: a resent submission by
      * the same user answers that participation instead of a second one.
      * Scoped by user so one user's key says nothing about another's.
      * Rows older than a day are pruned when new ones are written. */
     "CREATE TABLE form_submission ("
     " user_id INTEGER NOT NULL REFERENCES app_user(id),"
     " token_hash TEXT NOT NULL,"
     " participation_id INTEGER NOT NULL REFERENCES participation(id),"
     " created_at TEXT NOT NULL,"
     " PRIMARY KEY (user_id, token_hash));"
     "CREATE INDEX form_submission_age ON form_submission(created_at);"},

    {13, "history field names in English",
     /* Identifiers in the schema are English (docs/architecture.md, naming);
      * the one Swedish history field name becomes the glossary's.  Labels
      * users read come from web/labels.c. */
     "UPDATE participation_history SET field = 'home_area' WHERE field = 'hemkommun';"},

    {14, "audit chain head",
     /* The chain's head as one row that every append updates first, in its
      * transaction: the UPDATE's row lock makes concurrent appenders take
      * turns on PostgreSQL (SQLite has one writer anyway), so each gets
      * the next number and the hash before it.  Started from the chain as
      * it stands. */
     "CREATE TABLE audit_head ("
     " id INTEGER PRIMARY KEY CHECK (id = 1),"
     " seq INTEGER NOT NULL,"
     " hash TEXT NOT NULL);"
     "INSERT INTO audit_head (id, seq, hash) VALUES (1,"
     " coalesce((SELECT max(id) FROM audit_log), 0),"
     " coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),"
     "  '0000000000000000000000000000000000000000000000000000000000000000'));"},

    {15, "participation tally kept by core",
     /* The tally per insats, state and counted is kept by core in the
      * transaction of every change (participation_tally_move), the same
      * on every engine; the SQLite triggers of migration 6 go, and the
      * tally is counted afresh once.  IF EXISTS: a database an older build
      * left (a test removes later migrations' records) may run it again. */
     "DROP TRIGGER IF EXISTS participation_tally_insert;"
     "DROP TRIGGER IF EXISTS participation_tally_update;"
     "DROP TRIGGER IF EXISTS participation_tally_delete;"
     "DELETE FROM participation_tally;"
     "INSERT INTO participation_tally (intervention_id, state, counted, n)"
     " SELECT intervention_id, state, counts, count(*) FROM participation"
     " GROUP BY intervention_id, state, counts;"},

    {16, "list counts and number orders from indexes",
     /* The counts of the lists the tally cannot answer (the work lists,
      * the queue of one kommun) walk only the matching entries of one
      * index per insats of the förbund, never a table row: each index
      * holds every column its count names.  The queue and the long-running
      * list sorted by number walk an index in that order instead of
      * sorting every queued or active participation.  IF (NOT) EXISTS: a
      * database whose later migration records a test removed runs it
      * again. */
     "CREATE INDEX IF NOT EXISTS participation_consent_count ON participation("
     " intervention_id, state, identity_id, protected) WHERE state IN ('queued', 'active')"
     " AND identity_id IS NULL AND protected = 0;"
     "CREATE INDEX IF NOT EXISTS participation_end_missing_count ON participation("
     " intervention_id, state, counts, end_complete) WHERE state = 'ended' AND counts = 1"
     " AND end_complete = 0;"
     "CREATE INDEX IF NOT EXISTS participation_active_start ON participation("
     " intervention_id, state, start_on) WHERE state = 'active';"
     "CREATE INDEX IF NOT EXISTS participation_queued_area ON participation("
     " intervention_id, home_area_id, state) WHERE state = 'queued';"
     "CREATE INDEX IF NOT EXISTS participation_queued_nr ON participation(id)"
     " WHERE state = 'queued';"
     "CREATE INDEX IF NOT EXISTS participation_active_nr ON participation(id)"
     " WHERE state = 'active';"
     /* The long-running list in date order from the active ones only.
      * participation_open (state, start_on) goes: without statistics (a
      * database is never analysed) the planner took its "state = ?" for
      * every list of one state and sorted the whole set. */
     "CREATE INDEX IF NOT EXISTS participation_running ON participation(start_on, id)"
     " WHERE state = 'active';"
     "DROP INDEX IF EXISTS participation_open;"},

    {17, "work lists by number from indexes",
     /* The consent and end-missing work lists sorted by number walk the
      * list's own rows in number order, as the queue and the long-running
      * list do (migration 16): without, the end-missing list sorted all
      * its rows for each page (1.8 s at 5 M participations) and the
      * consent list scanned the table, slow when the list is sparse. */
     "CREATE INDEX IF NOT EXISTS participation_consent_nr ON participation(id)"
     " WHERE state IN ('queued', 'active') AND identity_id IS NULL AND protected = 0;"
     "CREATE INDEX IF NOT EXISTS participation_end_missing_nr ON participation(id)"
     " WHERE state = 'ended' AND counts = 1 AND end_complete = 0;"},
};

const int db_sqlite_migration_count =
    (int)(sizeof db_sqlite_migrations / sizeof db_sqlite_migrations[0]);
