/*
 * static.c — the files served from memory (today the stylesheet), without
 * a session and without the database.
 *
 * Each file has a versioned address holding the first 16 hex digits of the
 * SHA-256 of its content (/static/style.<hash>.css), computed once, the
 * first time it is asked for: every page links that address, so a browser
 * may keep the file for a year ("immutable") and a new release, whose file
 * differs, is fetched at its new address.  The old address
 * /static/finsam.css still serves the same bytes, to be revalidated on
 * every use ("no-cache"), for a page or link from before.  Both carry the
 * hash as a strong ETag; server.c answers a matching If-None-Match with 304
 * and no body.
 */
#include <pthread.h>
#include <string.h>

#include "../util/crypto.h"
#include "../util/str.h"
#include "web.h"

#define HASH_DIGITS 16

static char style_url[sizeof "/static/style..css" + HASH_DIGITS];
static char style_etag[HASH_DIGITS + 3]; /* "…" with its quotes */
static struct static_file files[2];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void setup(void)
{
	char hex[CRYPTO_HASH_HEX_LEN + 1];
	size_t len = strlen(web_stylesheet);
	crypto_sha256_hex(web_stylesheet, len, hex);
	snprintf(style_url, sizeof style_url, "/static/style.%.*s.css", HASH_DIGITS, hex);
	snprintf(style_etag, sizeof style_etag, "\"%.*s\"", HASH_DIGITS, hex);
	files[0] = (struct static_file){style_url,      "text/css; charset=utf-8",
	                                web_stylesheet, len,
	                                style_etag,     "public, max-age=31536000, immutable"};
	files[1] = (struct static_file){"/static/finsam.css", "text/css; charset=utf-8",
	                                web_stylesheet,       len,
	                                style_etag,           "no-cache"};
}

const char *web_stylesheet_url(void)
{
	pthread_once(&once, setup);
	return style_url;
}

const struct static_file *static_files(size_t *n)
{
	pthread_once(&once, setup);
	*n = sizeof files / sizeof files[0];
	return files;
}

const struct static_file *static_find(const char *path)
{
	size_t n;
	const struct static_file *f = static_files(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].path, path) == 0)
			return &f[i];
	return NULL;
}

/* Skips optional whitespace (OWS: spaces and tabs). */
static const char *ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int static_etag_matches(const char *if_none_match, const char *etag)
{
	if (!if_none_match || !etag)
		return 0;
	size_t elen = strlen(etag);
	const char *p = ows(if_none_match);
	if (*p == '*')
		return *ows(p + 1) == '\0';
	/* 1#entity-tag: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE.  The weak
	 * comparison (RFC 9110, 13.1.2) ignores W/.  Anything malformed ends
	 * the list without a match: the file is then simply sent. */
	for (;;) {
		p = ows(p);
		if (*p == ',') { /* empty list elements are allowed */
			p++;
			continue;
		}
		if (*p == '\0')
			return 0;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return 0;
		const char *end = strchr(p + 1, '"');
		if (!end)
			return 0;
		size_t len = (size_t)(end - p) + 1;
		if (len == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = ows(end + 1);
		if (*p != ',' && *p != '\0')
			return 0;
	}
}
