/*
 * entity.h — generic create/edit pages and JSON API for the simple objects
 * (förbund, area, member, body, person, mandate).
 *
 * Each object type is described once by a struct entity: its field table and
 * four callbacks that move values between a form and the core module.  The
 * generic handlers below then give it a "new" page, an "edit" page, and
 * GET/POST/PUT under /api/v1/ — all validating the same way and answering
 * with the field that was wrong.  A route points at its entity through
 * route->data.
 */
#ifndef FINSAM_ENTITY_H
#define FINSAM_ENTITY_H

#include "form.h"
#include "jdoc.h"
#include "web.h"

struct entity {
	const char *type; /* English name used in the API ("member") */
	const struct field *fields;
	size_t nfields;
	const char *title_new;
	const char *title_edit;
	/* Fills choices for FT_ID fields (may be NULL). */
	void (*options)(struct req *r, struct form *f);
	/* Pre-fills a new form from the URL (may be NULL). */
	void (*prefill)(struct req *r, struct form *f);
	/* Loads object id into the form. */
	enum rc (*load)(struct req *r, int64_t id, struct form *f);
	/* Saves the form as object id (0 = new); sets *id_out. */
	enum rc (*save)(struct req *r, int64_t id, const struct form *f, int64_t *id_out,
	                struct field_error *err);
	/* Appends every object (as form_to_json objects) to arr, through d
	 * (a failed append marks it); the URL's first id, if any, narrows the
	 * list (a member's, a body's). */
	enum rc (*each)(struct req *r, struct jdoc *d, json_t *arr);
	/* The page to show after a save. */
	const char *(*view_path)(struct req *r, int64_t id, const struct form *f);
};

void entity_new_page(struct req *r);   /* GET  …/ny          */
void entity_new_post(struct req *r);   /* POST …/ny          */
void entity_edit_page(struct req *r);  /* GET  …/#/redigera  */
void entity_edit_post(struct req *r);  /* POST …/#/redigera  */
void entity_api_list(struct req *r);   /* GET  /api/v1/x     */
void entity_api_get(struct req *r);    /* GET  /api/v1/x/#   */
void entity_api_create(struct req *r); /* POST /api/v1/x     */
void entity_api_update(struct req *r); /* PUT  /api/v1/x/#   */

/* Fills the choices of an FT_ID field with the förbund's members. */
void entity_member_options(struct req *r, struct form *f, const char *field);

/* The current förbund's id for this request, or 0 (and a 500 answered). */
int64_t entity_association(struct req *r);

extern const struct entity entity_association_def, entity_area, entity_member, entity_body,
    entity_person, entity_mandate;

#endif
