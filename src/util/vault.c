/*
 * vault.c — identity encryption at rest; see vault.h.
 */
#include "vault.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "crypto.h"

struct vault {
	unsigned char seal_key[crypto_secretbox_KEYBYTES];
	unsigned char hash_key[crypto_generichash_KEYBYTES];
	unsigned char audit_key[crypto_generichash_KEYBYTES];
	unsigned char id_key[crypto_generichash_KEYBYTES];
};

static const char KDF_CONTEXT[crypto_kdf_CONTEXTBYTES] = {'f', 'i', 'n', 's', 'a', 'm', 'i', 'd'};
static const char AUDIT_CONTEXT[crypto_kdf_CONTEXTBYTES] = {'f', 'i', 'n', 's', 'a', 'm', 'a', 'u'};
static const char KEYID_CONTEXT[crypto_kdf_CONTEXTBYTES] = {'f', 'i', 'n', 's', 'a', 'm', 'k', 'c'};

enum rc vault_from_key(const unsigned char key[32], struct vault **out)
{
	*out = NULL;
	struct vault *v = sodium_malloc(sizeof *v);
	if (!v)
		return RC_NOMEM;
	_Static_assert(CRYPTO_KEY_BYTES == crypto_kdf_KEYBYTES, "key size");
	crypto_kdf_derive_from_key(v->seal_key, sizeof v->seal_key, 1, KDF_CONTEXT, key);
	crypto_kdf_derive_from_key(v->hash_key, sizeof v->hash_key, 2, KDF_CONTEXT, key);
	crypto_kdf_derive_from_key(v->audit_key, sizeof v->audit_key, 1, AUDIT_CONTEXT, key);
	crypto_kdf_derive_from_key(v->id_key, sizeof v->id_key, 1, KEYID_CONTEXT, key);
	sodium_mprotect_readonly(v);
	*out = v;
	return RC_OK;
}

enum rc vault_open_why(const char *keyfile, struct vault **out, enum crypto_key_problem *why)
{
	*out = NULL;
	if (why)
		*why = CRYPTO_KEY_OK;
	unsigned char *master = sodium_malloc(CRYPTO_KEY_BYTES);
	if (!master)
		return RC_NOMEM;
	enum crypto_key_problem p = crypto_key_load(keyfile, master);
	enum rc rc = p ? RC_IO : vault_from_key(master, out);
	sodium_free(master); /* wipes */
	if (why)
		*why = p;
	return rc;
}

enum rc vault_open(const char *keyfile, struct vault **out)
{
	return vault_open_why(keyfile, out, NULL);
}

void vault_close(struct vault *v)
{
	if (v)
		sodium_free(v);
}

int vault_keyfile_for(const char *db_path, char *out, size_t size)
{
	return snprintf(out, size, "%s.key", db_path) < (int)size ? 0 : -1;
}

char *vault_seal(const struct vault *v, struct arena *a, const char *plaintext)
{
	size_t n = strlen(plaintext);
	size_t boxlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	unsigned char *box = arena_alloc(a, boxlen);
	if (!box)
		return NULL;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plaintext,
	                      n, box, v->seal_key);
	size_t b64 = sodium_base64_ENCODED_LEN(boxlen, sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc(a, b64);
	if (out)
		sodium_bin2base64(out, b64, box, boxlen, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(box, boxlen);
	return out;
}

char *vault_unseal(const struct vault *v, struct arena *a, const char *sealed)
{
	size_t len = sealed ? strlen(sealed) : 0;
	if (len == 0)
		return NULL;
	unsigned char *box = arena_alloc(a, len);
	size_t boxlen = 0;
	if (!box || sodium_base642bin(box, len, sealed, len, NULL, &boxlen, NULL,
	                              sodium_base64_VARIANT_ORIGINAL) != 0)
		return NULL;
	if (boxlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return NULL;
	size_t n = boxlen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	char *out = arena_alloc(a, n + 1);
	if (!out ||
	    crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
	                               boxlen - crypto_secretbox_NONCEBYTES, box, v->seal_key) != 0)
		return NULL;
	out[n] = '\0';
	return out;
}

void vault_hash(const struct vault *v, const char *text, char out[VAULT_HASH_HEX_LEN + 1])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), v->hash_key,
	                   sizeof v->hash_key);
	sodium_bin2hex(out, VAULT_HASH_HEX_LEN + 1, h, sizeof h);
}

void vault_key_id(const struct vault *v, char out[VAULT_HASH_HEX_LEN + 1])
{
	static const char what[] = "finsam key check v1";
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)what, sizeof what - 1, v->id_key,
	                   sizeof v->id_key);
	sodium_bin2hex(out, VAULT_HASH_HEX_LEN + 1, h, sizeof h);
}

void vault_audit_mac(const struct vault *v, const void *data, size_t len,
                     char out[VAULT_HASH_HEX_LEN + 1])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, data, len, v->audit_key, sizeof v->audit_key);
	sodium_bin2hex(out, VAULT_HASH_HEX_LEN + 1, h, sizeof h);
}
