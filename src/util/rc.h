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
	RC_NOMEM      /* out of memory or over a size cap */
};

/*
 * A validation failure: which field, and a Swedish sentence for the person
 * who filled it in.  Fixed size so it can live on the stack of any caller.
 */
struct field_error {
	char field[48];
	char message[240];
};

/* Fills *e (if non-NULL) and returns RC_INVALID, so callers can write
 * `return field_error_set(e, "name", "Namn måste anges.");`. */
enum rc field_error_set(struct field_error *e, const char *field, const char *message);

#endif
