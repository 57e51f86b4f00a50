/*
 * web.h — the web server: one route table, one dispatcher, the layout and
 * response helpers every page and API handler uses.
 */
#ifndef FINSAM_WEB_H
#define FINSAM_WEB_H

#include <jansson.h>
#include <stddef.h>

#include "../core/auth.h"
#include "../util/rc.h"
#include "req.h"

typedef void (*handler_fn)(struct req *r);

/* CSRF policy of a route. */
enum csrf_policy {
	CSRF_NONE,    /* reads */
	CSRF_SESSION, /* state change: session's token in the form or X-CSRF-Token header */
	CSRF_LOGIN    /* the login form: a pre-session double-submit cookie */
};

/* One row of the route table.  method and pattern come first so the router
 * can read them (see router.h). */
struct route {
	const char *method;
	const char *pattern;
	handler_fn fn;
	enum perm perm;
	enum csrf_policy csrf;
	const void *data; /* handler-specific: the entity a generic handler serves */
};

extern const struct route web_routes[];
extern const size_t web_route_count;

struct serve_options {
	const char *db_path;
	const char *listen; /* IPv4 or IPv6 address */
	int port;
	int threads;
	int behind_proxy; /* trust X-Forwarded-Proto/-For from a local proxy */
	int idle_timeout; /* seconds an idle connection is kept; 0 = default */
	int per_address;  /* connections from one address; 0 = default, -1 = no limit */
};

/* Defaults: a short idle timeout, and a per-address cap well above what a
 * browser opens (six or so) but far below the total.  Behind a proxy every
 * connection comes from the proxy's address, so there is no per-address cap
 * unless one is given: the proxy must limit its clients. */
#define WEB_IDLE_TIMEOUT_DEFAULT 10
#define WEB_PER_ADDRESS_DEFAULT  32
#define WEB_CONNECTIONS_MAX      512
/* libmicrohttpd's memory per connection: request line and headers (up to
 * about 32 KiB of them, as much as nginx accepts by default), and the
 * buffers for reading and writing.  Bodies and answers are not held in it.
 * Zeroed after every request, so it costs time per request as well as
 * memory per connection (512 connections: 32 MiB; 256 KiB each was 128 MiB
 * and 31 % of the instructions of a small page). */
#define WEB_CONNECTION_MEMORY (64 * 1024)

/* Serves until SIGINT or SIGTERM.  Returns 0 on a clean stop. */
int web_serve(const struct serve_options *o);

/* ---- layout (layout.c) ---- */

/* Starts a page: <html lang=sv>, head, header with navigation for the
 * principal's role, skip link, <main>.  title is escaped. */
void page_begin(struct req *r, const char *title);
/* Ends the page. */
void page_end(struct req *r);
/* After a save: 303 to path with "?klart=<done>", so that the next page
 * says what happened (page_begin shows the message for the code, with
 * role=status).  done is a short code from the table in layout.c — never
 * personal data. */
void req_redirect_done(struct req *r, const char *path, const char *done);
struct form;
struct field_error;
/*
 * The tail of every form POST, given the result rc of checking and saving:
 *   RC_OK       303 to `to` with ?klart=<done> (req_redirect_done); 1.
 *   RC_INVALID  err's errors (every one) added to f beside their fields
 *               (either may be NULL), status 422; 0: the caller shows the
 *               form again, which still holds what was typed.
 *   otherwise   answered through respond_rc (403, 404, 409, 500 …); 1.
 * to and done may be NULL when rc cannot be RC_OK (a success answered
 * otherwise, like a new API key shown once).
 * Use: if (post_answered(r, rc, to, "sparat", &f, &err)) return;
 *      render the form page.
 */
int post_answered(struct req *r, enum rc rc, const char *to, const char *done, struct form *f,
                  const struct field_error *err);
/* The Swedish confirmation for a code on the page at path, or NULL if
 * the code is unknown or does not belong to that page. */
const char *flash_message(const char *done, const char *path);
/* A confirmation page for an action that cannot be undone: the title as
 * <h1>, a .warning box saying what happens, a form posting to action with
 * a required checkbox (confirm=ja) and a cancel link.  Without JavaScript:
 * the POST handler checks confirm_given() and answers 422 with this page
 * (and the error) when it is missing, changing nothing. */
struct confirm {
	const char *title;      /* <title> and <h1> */
	const char *heading;    /* of the warning box; NULL: "Det här går inte att ångra" */
	const char *warning[3]; /* paragraphs of the warning box, NULL-terminated */
	const char *action;     /* where the form posts */
	const char *check;      /* label of the checkbox */
	const char *button;     /* the submit button */
	const char *cancel;     /* href of the cancel link */
	const char *cancel_label;
	const char *error_field; /* id the error links to; NULL: the checkbox */
};
/* Whether the posted form carries the ticked confirmation. */
int confirm_given(const struct req *r);
/* Starts the page: title, error summary (error NULL: none), warning box,
 * form open with the CSRF token.  The caller may add fields, then calls
 * confirm_page_end. */
void confirm_page_begin(struct req *r, const struct confirm *c, const char *error);
/* Hidden inputs carrying every posted field but csrf and confirm, so that
 * confirming repeats exactly what was submitted. */
void confirm_keep_posted(struct req *r);
/* The checkbox, the button, the cancel link; ends the form and the page. */
void confirm_page_end(struct req *r, const struct confirm *c, const char *error);
/* The message when the checkbox was not ticked. */
#define CONFIRM_MISSING "Kryssa i att du förstår vad som händer."
/* For a handler whose first POST comes from an ordinary form and leads to
 * the confirmation page: CONFIRM_MISSING when the POST came from the
 * confirmation page itself (its hidden "steg"), else NULL (no error yet). */
const char *confirm_error(const struct req *r);
/* A complete error page (HTML) or error object (API) for status. */
void respond_error(struct req *r, int status, const char *message);
/* Maps a core result to a response: 404 for RC_NOT_FOUND, 500 for RC_DB … */
void respond_rc(struct req *r, enum rc rc);
/* Sends a JSON value (reference stolen) with status. */
void respond_json(struct req *r, int status, json_t *v);
/* API error naming a field. */
void respond_api_error(struct req *r, int status, const char *code, const char *field,
                       const char *message);
/* 422 with every field error of fe: {"error": {"status", "code": "invalid",
 * "field" and "message" of the first, "errors": [{"field", "message"}]}}. */
void respond_api_field_errors(struct req *r, const struct field_error *fe);
/* The embedded stylesheet. */
extern const char web_stylesheet[];

/* ---- static files (static.c): served from memory by server.c before any
 * session lookup or database connection ---- */
struct static_file {
	const char *path; /* the address it is served at */
	const char *type; /* Content-Type */
	const char *body; /* static, never freed */
	size_t len;
	const char *etag;          /* strong: "<16 hex digits of its SHA-256>" */
	const char *cache_control; /* immutable at a versioned address */
};
/* The stylesheet's versioned address, "/static/style.<hash>.css", which
 * every page links.  Static; computed once. */
const char *web_stylesheet_url(void);
/* Every static file (*n of them); the array is static. */
const struct static_file *static_files(size_t *n);
/* The file served at path, or NULL. */
const struct static_file *static_find(const char *path);
/* 1 if an If-None-Match header value (a list of entity tags, or "*")
 * names etag, by the weak comparison RFC 9110 prescribes for it; 0 for no
 * match or a malformed value (the file is then sent). */
int static_etag_matches(const char *if_none_match, const char *etag);
/* Writes "10 610 905" style thousands grouping (no-break spaces). */
void html_int_sv(struct buf *b, long long v);

#endif
