/*
 * crypto.c — libsodium wrappers; see crypto.h.
 */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int crypto_setup(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void crypto_token(char out[CRYPTO_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, CRYPTO_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_HASH_HEX_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, CRYPTO_HASH_HEX_LEN + 1, h, sizeof h);
}

enum rc crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_LEN])
{
	_Static_assert(CRYPTO_PWHASH_LEN == crypto_pwhash_STRBYTES, "pwhash size");
	if (crypto_pwhash_str_alg(
	        out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	        crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return RC_NOMEM;
	return RC_OK;
}

int crypto_password_verify(const char *stored, const char *password)
{
	if (!stored || !*stored)
		return 0;
	return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

enum rc crypto_key_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? RC_CONFLICT : RC_IO;
	unsigned char key[CRYPTO_KEY_BYTES];
	char hex[CRYPTO_KEY_BYTES * 2 + 2];
	randombytes_buf(key, sizeof key);
	sodium_bin2hex(hex, sizeof hex - 1, key, sizeof key);
	size_t n = strlen(hex);
	hex[n++] = '\n';
	ssize_t w = write(fd, hex, n);
	sodium_memzero(key, sizeof key);
	sodium_memzero(hex, sizeof hex);
	int ok = w == (ssize_t)n && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = 0;
	return ok ? RC_OK : RC_IO;
}

enum rc crypto_key_load(const char *path, unsigned char key[CRYPTO_KEY_BYTES])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return RC_IO;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return RC_IO;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return RC_DENIED;
	}
	char hex[CRYPTO_KEY_BYTES * 2 + 8];
	ssize_t n = read(fd, hex, sizeof hex - 1);
	close(fd);
	if (n < CRYPTO_KEY_BYTES * 2)
		return RC_IO;
	size_t got = 0;
	int bad =
	    sodium_hex2bin(key, CRYPTO_KEY_BYTES, hex, CRYPTO_KEY_BYTES * 2, NULL, &got, NULL);
	sodium_memzero(hex, sizeof hex);
	return bad || got != CRYPTO_KEY_BYTES ? RC_IO : RC_OK;
}
