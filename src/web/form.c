/*
 * form.c — declared inputs; see form.h.
 */
#include "form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../util/arena.h"
#include "../util/html.h"
#include "../util/kv.h"
#include "../util/str.h"
#include "jdoc.h"

void form_init(struct form *f, const struct field *fields, size_t n)
{
	memset(f, 0, sizeof *f);
	f->fields = fields;
	f->n = n <= FORM_MAX_FIELDS ? n : 0;
}

int form_index(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *form_get(const struct form *f, const char *name)
{
	int i = form_index(f, name);
	return i < 0 ? NULL : f->values[i];
}

int64_t form_id(const struct form *f, const char *name)
{
	int64_t v = 0;
	const char *s = form_get(f, name);
	if (!s || !str_to_i64(s, &v))
		return 0;
	return v;
}

void form_set(struct form *f, struct arena *a, const char *name, const char *value)
{
	int i = form_index(f, name);
	if (i >= 0)
		f->values[i] = value ? arena_strdup(a, value) : NULL;
}

void form_set_int(struct form *f, struct arena *a, const char *name, int64_t v)
{
	int i = form_index(f, name);
	if (i >= 0)
		f->values[i] = v ? arena_printf(a, "%" PRId64, v) : NULL;
}

void form_set_options(struct form *f, const char *name, const struct form_option *o, size_t n)
{
	int i = form_index(f, name);
	if (i >= 0) {
		f->options[i] = o;
		f->noptions[i] = n;
	}
}

void form_set_codes(struct form *f, const char *name, const struct org_code *codes)
{
	int i = form_index(f, name);
	if (i >= 0)
		f->codes[i] = codes;
}

void form_set_scope(struct form *f, const char *s)
{
	f->scope = s;
}

void form_hide(struct form *f, const char *name)
{
	int i = form_index(f, name);
	if (i >= 0)
		f->hidden[i] = 1;
}

int form_checks_has(const char *value, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = value; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, code, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int is_group(enum field_type t)
{
	return t == FT_RADIO || t == FT_CHECKS || t == FT_CHECKS_EXTENT;
}

static int is_checks(enum field_type t)
{
	return t == FT_CHECKS || t == FT_CHECKS_EXTENT;
}

/* The vocabulary of a select: run-time codes if set, else static ones. */
static const struct org_code *field_codes(const struct form *f, size_t i)
{
	return f->codes[i] ? f->codes[i] : f->fields[i].codes;
}

/* Every value posted under name, trimmed, blank ones left out, joined by
 * commas (in arena a); NULL when there is none. */
static const char *read_all(struct arena *a, const struct kv_list *kv, const char *name)
{
	const char *v = NULL;
	for (size_t k = 0; k < kv->n; k++) {
		if (strcmp(kv->items[k].name, name) != 0)
			continue;
		char *one = arena_strdup(a, kv->items[k].value);
		if (!one || str_blank(one))
			continue;
		one = str_trim(one);
		v = v ? arena_printf(a, "%s,%s", v, one) : one;
	}
	return v;
}

void form_read_kv(struct form *f, struct arena *a, const struct kv_list *kv)
{
	f->posted = kv;
	for (size_t i = 0; i < f->n; i++) {
		if (is_checks(f->fields[i].type)) {
			f->values[i] = read_all(a, kv, f->fields[i].name);
			continue;
		}
		const char *v = kv_get(kv, f->fields[i].name);
		if (!v) {
			f->values[i] = NULL;
			continue;
		}
		char *copy = arena_strdup(a, v);
		/* Passwords are taken as typed; everything else is trimmed. */
		f->values[i] = f->fields[i].type == FT_PASSWORD ? copy : str_trim(copy);
	}
}

void form_fail(struct form *f, const struct field_error *e)
{
	if (!f->has_error)
		field_error_clear(&f->err);
	field_error_merge(&f->err, e);
	f->has_error = field_error_count(&f->err) > 0;
}

static enum rc fail(struct form *f, const char *field, const char *msg)
{
	if (!f->has_error)
		field_error_clear(&f->err);
	field_error_add(&f->err, field, msg);
	f->has_error = 1;
	return RC_INVALID;
}

enum rc form_read_json(struct form *f, struct arena *a, json_t *obj)
{
	if (!json_is_object(obj))
		return fail(f, "", "Förfrågan ska vara ett JSON-objekt.");
	const char *key;
	json_t *v;
	enum rc rc = RC_OK;
	json_object_foreach (obj, key, v) {
		if (strcmp(key, "id") == 0)
			continue; /* the id comes from the URL */
		int i = form_index(f, key);
		if (i < 0) {
			char msg[160];
			snprintf(msg, sizeof msg, "Fältet %.60s finns inte här.", key);
			rc = fail(f, key, msg);
			continue;
		}
		const struct field *fd = &f->fields[i];
		if (json_is_null(v)) {
			f->values[i] = NULL;
		} else if (is_checks(fd->type)) {
			/* A list of codes: ["sjukpenning", "lon"]. */
			const char *joined = NULL;
			size_t k;
			json_t *x;
			int ok = json_is_array(v);
			json_array_foreach (v, k, x) {
				const char *c = json_string_value(x);
				if (!c || strlen(c) != json_string_length(x) || strchr(c, ',')) {
					ok = 0;
					break;
				}
				joined = joined ? arena_printf(a, "%s,%s", joined, c)
				                : arena_strdup(a, c);
			}
			if (!ok) {
				rc = fail(f, key, "Fältet ska vara en lista med koder.");
				continue;
			}
			f->values[i] = joined;
		} else if (json_is_string(v)) {
			if (fd->type == FT_INT || fd->type == FT_ID) {
				rc = fail(f, key, "Fältet ska vara ett heltal.");
				continue;
			}
			char *s = arena_strdup(a, json_string_value(v));
			if (!s || strlen(s) != json_string_length(v)) {
				rc = fail(f, key, "Texten innehåller otillåtna tecken.");
				continue;
			}
			f->values[i] = fd->type == FT_PASSWORD ? s : str_trim(s);
		} else if (json_is_integer(v)) {
			if (fd->type != FT_INT && fd->type != FT_ID) {
				rc = fail(f, key, "Fältet ska vara text.");
				continue;
			}
			f->values[i] =
			    arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else {
			rc = fail(f, key,
			          fd->type == FT_INT || fd->type == FT_ID
			              ? "Fältet ska vara ett heltal."
			              : "Fältet ska vara text.");
		}
	}
	return rc;
}

/* Checks one field; RC_INVALID (recorded) when it fails. */
static enum rc check_field(struct form *f, size_t i)
{
	char msg[240];
	const struct field *fd = &f->fields[i];
	const char *v = f->values[i];
	if (str_blank(v)) {
		f->values[i] = NULL;
		if (fd->required) {
			snprintf(msg, sizeof msg, "%s måste anges.", fd->label);
			return fail(f, fd->name, msg);
		}
		return RC_OK;
	}
	/* A value that is not text at all (NUL, broken UTF-8) or hides
   * characters is refused before anything else looks at it. */
	const char *why;
	if (fd->type == FT_PASSWORD) /* taken as typed; never shown */
		why = str_valid_utf8_text(v) ? NULL : "Lösenordet innehåller otillåtna tecken.";
	else if (fd->type == FT_TEXTAREA)
		why = str_text_problem(v);
	else
		why = str_line_problem(v);
	if (why)
		return fail(f, fd->name, why);
	size_t max = fd->maxlen ? fd->maxlen : 200;
	if (str_utf8_len(v) > max) {
		snprintf(msg, sizeof msg, "%s får vara högst %zu tecken.", fd->label, max);
		return fail(f, fd->name, msg);
	}
	int64_t n;
	switch (fd->type) {
	case FT_CHECKBOX: f->values[i] = "1"; break;
	case FT_DATE:
		if (str_date_problem_named(fd->label, v, msg, sizeof msg))
			return fail(f, fd->name, msg);
		break;
	case FT_INT:
		if (!str_to_i64(v, &n)) {
			snprintf(msg, sizeof msg, "%s ska vara ett heltal, till exempel 12.",
			         fd->label);
			return fail(f, fd->name, msg);
		}
		break;
	case FT_ID:
		if (!str_to_i64(v, &n) || n < 0) {
			snprintf(msg, sizeof msg, "Välj %s i listan.", fd->label);
			return fail(f, fd->name, msg);
		}
		if (n == 0)
			f->values[i] = NULL;
		break;
	case FT_SELECT:
	case FT_RADIO:
		if (!org_code_valid(field_codes(f, i), v)) {
			snprintf(msg, sizeof msg, "Välj %s i listan.", fd->label);
			return fail(f, fd->name, msg);
		}
		break;
	case FT_CHECKS:
	case FT_CHECKS_EXTENT:
		/* Every ticked code from the vocabulary (a code holds no comma). */
		for (const char *p = v; *p;) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			char code[64];
			if (len == 0 || len >= sizeof code) {
				snprintf(msg, sizeof msg, "Välj %s bland alternativen.", fd->label);
				return fail(f, fd->name, msg);
			}
			memcpy(code, p, len);
			code[len] = 0;
			if (!org_code_valid(field_codes(f, i), code)) {
				snprintf(msg, sizeof msg, "Välj %s bland alternativen.", fd->label);
				return fail(f, fd->name, msg);
			}
			p = end ? end + 1 : p + len;
		}
		break;
	default: break;
	}
	return RC_OK;
}

enum rc form_check(struct form *f)
{
	enum rc rc = RC_OK;
	for (size_t i = 0; i < f->n; i++)
		if (check_field(f, i))
			rc = RC_INVALID;
	return rc;
}

static const char *input_type(enum field_type t)
{
	switch (t) {
	case FT_DATE: return "date";
	case FT_INT: return "number";
	case FT_EMAIL: return "email";
	case FT_TEL: return "tel";
	case FT_PASSWORD: return "password";
	default: return "text";
	}
}

/* The id stem of a field: NAME, or SCOPE-NAME in a scoped form.  Names
 * and scopes are short words of this program, so the stem always fits. */
static const char *id_stem(char out[96], const struct form *f, const char *name)
{
	if (f && f->scope)
		snprintf(out, 96, "%s-%s", f->scope, name);
	else
		snprintf(out, 96, "%s", name);
	return out;
}

void form_error_summary(struct buf *b, const struct field_error *e, const struct form *f)
{
	int n = field_error_count(e);
	if (n == 0)
		return;
	/* At the top, announced to screen readers by role=alert; each error
   * links to its field when the page has one. */
	html_printf(b, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\">"
	               "<h2>Något behöver rättas</h2><ul>");
	for (int i = 0; i < n; i++) {
		const char *field, *message;
		char stem[96];
		field_error_get(e, i, &field, &message);
		int k = f && field[0] ? form_index(f, field) : -1;
		if (field[0] && (!f || (k >= 0 && !f->hidden[k] && f->fields[k].type != FT_HIDDEN)))
			html_printf(b, "<li><a href=\"#f-%s\">%s</a></li>", id_stem(stem, f, field),
			            message);
		else
			html_printf(b, "<li>%s</li>", message);
	}
	html_printf(b, "</ul></div>");
}

void form_render(struct buf *b, const struct form *f, const char *action, const char *csrf,
                 const char *submit)
{
	form_render_with(b, f, action, csrf, submit, NULL);
}

/* A group of choices (FT_RADIO, FT_CHECKS, FT_CHECKS_EXTENT): a fieldset
 * named by its legend, with the hint and the error, one box per code.
 * The boxes' ids are PFX-s-CODE (extent fields PFX-e-CODE), PFX being the
 * form's scope or, unscoped, the field's name: one group per scoped form. */
static void render_group(struct buf *b, const struct form *f, size_t i, const char *stem,
                         const char *describedby, const char *msg)
{
	const struct field *fd = &f->fields[i];
	const char *v = f->values[i] ? f->values[i] : "";
	const char *pfx = f->scope ? f->scope : fd->name;
	html_printf(b, "<fieldset id=\"f-%s\" class=\"field%s\"", stem, msg ? " invalid" : "");
	if (describedby[0])
		html_printf(b, " aria-describedby=\"%s\"", describedby);
	html_printf(b, "><legend>%s", fd->label);
	if (fd->required)
		html_printf(b, " <span class=\"req\">(måste fyllas i)</span>");
	html_printf(b, "</legend>");
	if (fd->hint)
		html_printf(b, "<p class=\"hint\" id=\"h-%s\">%s</p>", stem, fd->hint);
	if (msg)
		html_printf(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", stem, msg);
	for (const struct org_code *c = field_codes(f, i); c && c->code; c++) {
		int on =
		    fd->type == FT_RADIO ? strcmp(v, c->code) == 0 : form_checks_has(v, c->code);
		html_printf(b,
		            "<div class=\"check\"><input type=\"%s\" id=\"%s-s-%s\" name=\"%s\" "
		            "value=\"%s\"%s><label for=\"%s-s-%s\">%s</label>",
		            fd->type == FT_RADIO ? "radio" : "checkbox", pfx, c->code, fd->name,
		            c->code, on ? " checked" : "", pfx, c->code, c->label);
		if (fd->type == FT_CHECKS_EXTENT) {
			char ext[96];
			snprintf(ext, sizeof ext, "extent_%s", c->code);
			const char *e = f->posted ? kv_get(f->posted, ext) : NULL;
			html_printf(
			    b,
			    "<label for=\"%s-e-%s\" class=\"visually-hidden\">Omfattning i "
			    "procent för %s</label><input type=\"text\" inputmode=\"numeric\" "
			    "id=\"%s-e-%s\" name=\"%s\" value=\"%s\" placeholder=\"%%\" "
			    "size=\"4\">",
			    pfx, c->code, c->label, pfx, c->code, ext, e ? e : "");
		}
		html_printf(b, "</div>");
	}
	html_printf(b, "</fieldset>");
}

void form_render_with(struct buf *b, const struct form *f, const char *action, const char *csrf,
                      const char *submit, const char *extra_markup)
{
	if (f->has_error && !f->summary_shown)
		form_error_summary(b, &f->err, f);
	html_printf(b, "<form method=\"post\" action=\"%s\" class=\"edit\" novalidate>", action);
	if (csrf)
		html_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", csrf);
	for (size_t i = 0; i < f->n; i++) {
		const struct field *fd = &f->fields[i];
		const char *v = f->values[i] ? f->values[i] : "";
		if (f->hidden[i])
			continue;
		if (fd->type == FT_HIDDEN) {
			html_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", fd->name,
			            v);
			continue;
		}
		const char *msg = f->has_error ? field_error_for(&f->err, fd->name) : NULL;
		int bad = msg != NULL;
		char stem[96], describedby[200] = "";
		id_stem(stem, f, fd->name);
		if (fd->hint && bad)
			snprintf(describedby, sizeof describedby, "h-%s e-%s", stem, stem);
		else if (fd->hint)
			snprintf(describedby, sizeof describedby, "h-%s", stem);
		else if (bad)
			snprintf(describedby, sizeof describedby, "e-%s", stem);
		if (is_group(fd->type)) {
			render_group(b, f, i, stem, describedby, msg);
			continue;
		}

		html_printf(b, "<div class=\"field%s\"><label for=\"f-%s\">%s",
		            bad ? " invalid" : "", stem, fd->label);
		if (fd->required)
			html_printf(b, " <span class=\"req\">(måste fyllas i)</span>");
		html_printf(b, "</label>");
		if (fd->hint)
			html_printf(b, "<p class=\"hint\" id=\"h-%s\">%s</p>", stem, fd->hint);
		if (bad)
			html_printf(b, "<p class=\"field-error\" id=\"e-%s\">%s</p>", stem, msg);
		/* Attributes shared by every control. */
		struct buf attrs;
		buf_init(&attrs, 4096);
		html_printf(&attrs, " id=\"f-%s\" name=\"%s\"", stem, fd->name);
		if (describedby[0])
			html_printf(&attrs, " aria-describedby=\"%s\"", describedby);
		if (bad)
			html_printf(&attrs, " aria-invalid=\"true\"");
		if (fd->required)
			html_printf(&attrs, " required aria-required=\"true\"");
		const char *a = buf_cstr(&attrs);

		if (fd->type == FT_CHECKBOX) {
			/* The label stands above the box, like every other field. */
			html_printf(b, "<input type=\"checkbox\" value=\"1\"%s",
			            *v ? " checked" : "");
			html_raw_trusted_markup(b, a);
			html_printf(b, ">");
		} else if (fd->type == FT_TEXTAREA) {
			html_printf(b, "<textarea rows=\"4\"");
			html_raw_trusted_markup(b, a);
			html_printf(b, ">%s</textarea>", v);
		} else if (fd->type == FT_SELECT || fd->type == FT_ID) {
			html_printf(b, "<select");
			html_raw_trusted_markup(b, a);
			html_printf(b, ">");
			if (!fd->required || !*v)
				html_printf(b, "<option value=\"\">%s</option>",
				            fd->required ? "– välj –" : "– ingen –");
			if (fd->type == FT_SELECT) {
				for (const struct org_code *c = field_codes(f, i); c && c->code;
				     c++)
					html_printf(
					    b, "<option value=\"%s\"%s>%s</option>", c->code,
					    strcmp(c->code, v) == 0 ? " selected" : "", c->label);
			} else {
				int64_t cur = 0;
				str_to_i64(v, &cur);
				for (size_t k = 0; k < f->noptions[i]; k++)
					html_printf(b, "<option value=\"%lld\"%s>%s</option>",
					            (long long)f->options[i][k].id,
					            f->options[i][k].id == cur ? " selected" : "",
					            f->options[i][k].label);
			}
			html_printf(b, "</select>");
		} else {
			html_printf(b, "<input type=\"%s\"", input_type(fd->type));
			if (fd->type == FT_DECIMAL)
				html_printf(b, " inputmode=\"decimal\"");
			html_raw_trusted_markup(b, a);
			if (fd->type != FT_PASSWORD)
				html_printf(b, " value=\"%s\"", v);
			if (fd->autocomplete)
				html_printf(b, " autocomplete=\"%s\"", fd->autocomplete);
			html_printf(b, ">");
		}
		buf_release(&attrs);
		html_printf(b, "</div>");
	}
	if (extra_markup)
		html_raw_trusted_markup(b, extra_markup);
	html_printf(b, "<div class=\"actions\"><button type=\"submit\">%s</button></div></form>",
	            submit);
}

json_t *form_to_json(const struct form *f, int64_t id)
{
	struct jdoc d = {0};
	json_t *o = jd(&d, json_object());
	if (id)
		jd_set(&d, o, "id", json_integer(id));
	for (size_t i = 0; o && i < f->n; i++) {
		const struct field *fd = &f->fields[i];
		const char *v = f->values[i];
		if (fd->type == FT_PASSWORD)
			continue;
		int64_t n;
		if (is_checks(fd->type)) {
			json_t *arr = jd(&d, json_array());
			for (const char *p = v; arr && p && *p;) {
				const char *end = strchr(p, ',');
				size_t len = end ? (size_t)(end - p) : strlen(p);
				jd_append(&d, arr, json_stringn(p, len));
				p = end ? end + 1 : NULL;
			}
			jd_set(&d, o, fd->name, arr);
		} else if (str_blank(v))
			jd_set(&d, o, fd->name, json_null());
		else if ((fd->type == FT_INT || fd->type == FT_ID) && str_to_i64(v, &n))
			jd_set(&d, o, fd->name, json_integer(n));
		else
			jd_set(&d, o, fd->name, json_string(v));
	}
	if (d.failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}
