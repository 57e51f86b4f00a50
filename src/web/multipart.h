/*
 * multipart.h — checks on a multipart/form-data body that libmicrohttpd's
 * post processor does not make: it hands over the parts it has seen even
 * when the body ends before its closing boundary, so a cut upload would
 * look like a shorter file.
 */
#ifndef FINSAM_MULTIPART_H
#define FINSAM_MULTIPART_H

#include <stddef.h>

/* The longest boundary RFC 2046 allows. */
#define MULTIPART_BOUNDARY_MAX 70

/* Copies the boundary parameter of a multipart Content-Type (quoted or
 * not) into out (MULTIPART_BOUNDARY_MAX + 1 bytes).  0 on success, -1 if
 * there is none or it is empty or too long. */
int multipart_boundary(const char *content_type, char out[MULTIPART_BOUNDARY_MAX + 1]);

/* 1 if body (len bytes, not NUL-terminated) holds the closing delimiter
 * "--boundary--" at its start or after a CRLF, that is, if the client sent
 * the body to its end; 0 if not, or if content_type names no boundary. */
int multipart_complete(const char *content_type, const char *body, size_t len);

#endif
