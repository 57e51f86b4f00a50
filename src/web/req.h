/*
 * req.h — the per-request context handed to every handler.
 *
 * One struct req exists per HTTP request.  It owns an arena: every string a
 * handler makes for the request comes from req->arena and is freed when the
 * request completes, with the response buffer and the parsed body.  There
 * is no global request state; two requests on two threads share nothing but
 * the app (read-only after start) and the connection pool.
 */
#ifndef FINSAM_REQ_H
#define FINSAM_REQ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/actor.h"
#include "../core/auth.h"
#include "../util/buf.h"
#include "../util/kv.h"
#include "router.h"

struct arena;
struct app;
struct db;
struct route;
struct vault;

struct req {
	struct arena *arena;
	const struct app *app;
	struct db *db;
	const struct vault *vault; /* seals and opens identities; never NULL when serving */
	const struct route *route;

	void *conn; /* the MHD connection (opaque outside server.c) */
	const char *method;
	const char *path;
	struct kv_list query;
	struct kv_list form; /* fields of a form POST (URL-encoded or multipart) */
	const char *upload;  /* the first file of a multipart POST, or NULL */
	size_t upload_len;
	const char *upload_name; /* its file name as the browser sent it */
	int upload_cut;          /* the multipart body ended before its closing boundary:
	                   upload is NULL and nothing may be saved */
	struct kv_list cookies;
	json_t *json; /* parsed JSON body (API), owned */
	const char *content_type;
	char address[64];
	int secure; /* the client reached us over TLS */
	int is_api;

	int authed;
	struct principal who;
	struct actor actor;

	int64_t ids[ROUTER_MAX_IDS];
	size_t nids;

	/* response */
	int status;
	struct buf out;
	const char *resp_type;
	const char *location;
	const char *cookies_out[4];
	size_t ncookies_out;
};

/* Header value from the request, or NULL. */
const char *req_header(struct req *r, const char *name);
/* Query-string value, or NULL. */
const char *req_query(struct req *r, const char *name);
/* Adds a Set-Cookie header (value copied into the arena). */
void req_set_cookie(struct req *r, const char *name, const char *value, int max_age);
/* 303 See Other to a local path. */
void req_redirect(struct req *r, const char *path);

#endif
