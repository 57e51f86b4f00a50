/*
 * rc.h — result codes shared by every layer.
 *
 * Library code returns one of these instead of exiting or printing; callers
 * propagate them.  The web layer maps them to HTTP statuses in one place
 * (web/respond.c), the CLI to exit codes.
 */
#ifndef FINSAM_RC_H
#define FINSAM_RC_H

enum rc {
	RC_OK = 0,
	RC_INVALID,   /* the caller sent something bad; a field error says what */
	RC_NOT_FOUND, /* no such object */
	RC_CONFLICT,  /* violates uniqueness or a state rule */
	RC_DENIED,    /* not allowed for this principal */
	RC_THROTTLED, /* too many attempts; try later */
	RC_DB,        /* the store failed: our bug or the machine's */
	RC_IO,        /* a file or the network failed */
	RC_NOMEM,     /* out of memory or over a size cap */
	/* The store failed for a reason the administrator must fix.  The
	 * storage layer reports these (db_failure) where it would otherwise
	 * say RC_DB; the web layer answers 503 and says what is wrong. */
	RC_DB_FULL,     /* the disk (or the store's size limit) is full */
	RC_DB_READONLY, /* the store cannot be written: read-only file or file system */
	RC_DB_IO,       /* the store's file cannot be opened, read or written */
	/* Another writer held the store past every retry of the transaction
	 * (a large import holds it for its whole length): try again later. */
	RC_DB_BUSY
};

/*
 * A validation failure: which field, and a Swedish sentence for the person
 * who filled it in.  Fixed size so it can live on the stack of any caller.
 *
 * It holds every field that failed, not only the first: field/message are
 * the first error (what one-error callers read), list[0..n) all of them,
 * at most one per field.  field_error_set() replaces whatever was there by
 * one error; field_error_add() appends, so a check can go on to the next
 * independent field and the person sees every mistake at once.  A function
 * that adds begins with field_error_clear().  Initialise with {0}.
 */
#define FIELD_ERRORS_MAX 24

struct field_msg {
	char field[48];
	char message[240];
};

struct field_error {
	char field[48];
	char message[240];
	int n;
	struct field_msg list[FIELD_ERRORS_MAX];
};

/* Makes *e (if non-NULL) exactly this one error and returns RC_INVALID, so
 * callers can write `return field_error_set(e, "name", "Namn måste anges.");`. */
enum rc field_error_set(struct field_error *e, const char *field, const char *message);
/* Adds an error for a field that has none yet (the first one for a field
 * wins) and returns RC_INVALID. */
enum rc field_error_add(struct field_error *e, const char *field, const char *message);
/* Adds every error of src to e; returns RC_INVALID if src held any. */
enum rc field_error_merge(struct field_error *e, const struct field_error *src);
/* Empties *e. */
void field_error_clear(struct field_error *e);
/* Number of errors in *e (0 for an empty one). */
int field_error_count(const struct field_error *e);
/* The i-th error (0 <= i < field_error_count(e)). */
void field_error_get(const struct field_error *e, int i, const char **field, const char **message);
/* The message for a field, or NULL when it has none. */
const char *field_error_for(const struct field_error *e, const char *field);

#endif
