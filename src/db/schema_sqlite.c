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
};

const int db_sqlite_migration_count =
    (int)(sizeof db_sqlite_migrations / sizeof db_sqlite_migrations[0]);
