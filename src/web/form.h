/*
 * form.h — declared inputs: one table of fields per form, used to read a
 * URL-encoded form or a JSON object, to check types and limits, to render
 * the HTML form with labels, hints and the error beside the right field,
 * and to write the same values back as JSON.  Handlers see checked strings
 * or the request is answered 422 with the field named (kcgi's habit).
 *
 * Domain rules are checked by the core module afterwards, which names its
 * fields with the same names, so its errors land beside the same inputs.
 */
#ifndef FINSAM_FORM_H
#define FINSAM_FORM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/org.h"
#include "../util/buf.h"
#include "../util/rc.h"

struct arena;
struct kv_list;

enum field_type {
	FT_TEXT,
	FT_TEXTAREA,
	FT_DATE,
	FT_INT,    /* whole number; JSON integer */
	FT_ID,     /* reference to another object: select of ids; JSON integer or null */
	FT_SELECT, /* one code of a fixed vocabulary */
	FT_EMAIL,
	FT_TEL,
	FT_PASSWORD,
	FT_CHECKBOX,     /* "1" when ticked, NULL when not */
	FT_HIDDEN,       /* carried unchanged, not shown (no label, no checks but text) */
	FT_DECIMAL,      /* a number with decimals as typed ("12,5"): text, inputmode
                * decimal;  the handler parses it (str_parse_number) */
	FT_RADIO,        /* one code of a vocabulary, as radio buttons in a fieldset */
	FT_CHECKS,       /* any codes of a vocabulary, as checkboxes in a fieldset; the
                * value is the ticked codes joined by commas */
	FT_CHECKS_EXTENT /* FT_CHECKS where each box has a percent field beside it,
                    * posted as extent_CODE (support sources and their extent)
                    */
};

struct field {
	const char *name;
	const char *label;
	enum field_type type;
	int required;
	size_t maxlen;                /* characters; 0 = 200 */
	const struct org_code *codes; /* FT_SELECT vocabulary */
	const char *hint;
	const char *autocomplete;
};

struct form_option {
	int64_t id;
	const char *label;
};

#define FORM_MAX_FIELDS 16

struct form {
	const struct field *fields;
	size_t n;
	const char *values[FORM_MAX_FIELDS];
	/* Choices for FT_ID fields, filled at run time. */
	const struct form_option *options[FORM_MAX_FIELDS];
	size_t noptions[FORM_MAX_FIELDS];
	/* Choices for FT_SELECT fields filled at run time (code lists kept as
   * data); NULL-terminated; they replace the field's static codes. */
	const struct org_code *codes[FORM_MAX_FIELDS];
	struct field_error err; /* every failing field, first one first */
	int has_error;
	/* Several forms on one page: each has a scope, and its controls are
   * f-SCOPE-NAME (hints h-SCOPE-NAME, errors e-SCOPE-NAME) so no two
   * forms share an id.  NULL: f-NAME. */
	const char *scope;
	/* Fields left out of the rendered form (form_hide). */
	unsigned char hidden[FORM_MAX_FIELDS];
	/* Set when the page showed this form's error summary itself (at the
   * top of a page with several forms): form_render then leaves it out. */
	int summary_shown;
	/* The posted form form_read_kv read, for the extent_CODE fields of an
   * FT_CHECKS_EXTENT (NULL: none posted). */
	const struct kv_list *posted;
};

/* The number of elements of an array (not a pointer: sizeof of a pointer
 * divided by an element's size would compile and be wrong, so pass only
 * arrays declared in the same file). */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* A field table's length, checked at compile time against FORM_MAX_FIELDS:
 * a table that outgrows a form fails the build instead of losing fields. */
#define FORM_NFIELDS(table) \
	(ARRAY_LEN(table) + 0 * sizeof(char[ARRAY_LEN(table) <= FORM_MAX_FIELDS ? 1 : -1]))
/* form_init sized from the table itself: FORM_INIT(&f, member_fields). */
#define FORM_INIT(f, table) form_init((f), (table), FORM_NFIELDS(table))

/* Starts a form over fields[0..n).  n must not exceed FORM_MAX_FIELDS
 * (FORM_INIT checks that at compile time); a larger n is a programming
 * error and leaves the form with no fields, which every test notices,
 * rather than silently dropping the last ones. */
void form_init(struct form *f, const struct field *fields, size_t n);
/* Index of a field by name, or -1. */
int form_index(const struct form *f, const char *name);
const char *form_get(const struct form *f, const char *name);
/* Value as int64 (0 for blank or not a number). */
int64_t form_id(const struct form *f, const char *name);
/* Sets a value (copied into arena a). */
void form_set(struct form *f, struct arena *a, const char *name, const char *value);
void form_set_int(struct form *f, struct arena *a, const char *name, int64_t v);
void form_set_options(struct form *f, const char *name, const struct form_option *o, size_t n);
void form_set_codes(struct form *f, const char *name, const struct org_code *codes);
/* Gives the form's control ids a scope (see struct form); s is kept. */
void form_set_scope(struct form *f, const char *s);
/* Leaves a declared field out of the rendered form (it is still read). */
void form_hide(struct form *f, const char *name);
/* 1 if code is among the ticked codes of an FT_CHECKS field's value. */
int form_checks_has(const char *value, const char *code);

/* Reads every declared field from a URL-encoded form, trimmed; an
 * FT_CHECKS field collects every value posted under its name.  kv must
 * outlive the form (FT_CHECKS_EXTENT renders its extent_CODE values). */
void form_read_kv(struct form *f, struct arena *a, const struct kv_list *kv);
/* Reads a JSON object; fields it lacks are left as they are, so a PUT can
 * send only what changes.  RC_INVALID (with the field) for a wrong type or
 * a name the form does not declare. */
enum rc form_read_json(struct form *f, struct arena *a, json_t *obj);
/* Checks required fields, lengths, text, dates, numbers and vocabularies,
 * every field: each failing field gets its own error. */
enum rc form_check(struct form *f);
/* Adds the errors of e (all of them) to show beside their fields. */
void form_fail(struct form *f, const struct field_error *e);
/* The error summary: a role=alert box listing every error of e, each a link
 * to #f-FIELD (#f-SCOPE-FIELD in a scoped form).  With f, only fields f
 * declares are linked; with f NULL, the caller promises every named field
 * has an input with id f-FIELD. */
void form_error_summary(struct buf *b, const struct field_error *e, const struct form *f);

/* Renders the form: a <form method=post> with every field, its label, hint
 * and error, the CSRF token and a submit button. */
void form_render(struct buf *b, const struct form *f, const char *action, const char *csrf,
                 const char *submit);
/* As form_render, with markup this program built (through the writer)
 * placed after the fields, inside the form. */
void form_render_with(struct buf *b, const struct form *f, const char *action, const char *csrf,
                      const char *submit, const char *extra_markup);
/* The values as a JSON object (with "id"), numbers typed.  New reference;
 * NULL when memory ran out (never an object missing a field). */
json_t *form_to_json(const struct form *f, int64_t id);

#endif
