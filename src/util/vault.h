/*
 * vault.h — encryption of personal identity at rest, with the key file that
 * `finsam init` writes beside the database.
 *
 * Two subkeys are derived from the file's key (libsodium's KDF): one seals
 * text with XSalsa20-Poly1305 (crypto_secretbox, a fresh random nonce each
 * time), one makes a keyed BLAKE2b hash, so the same person can be found
 * again without decrypting anything and without a hash anyone could
 * recompute from a guessed personnummer.  Key material lives in
 * sodium_malloc memory, locked and wiped on release.
 */
#ifndef FINSAM_VAULT_H
#define FINSAM_VAULT_H

#include <stddef.h>

#include "rc.h"

struct vault;
struct arena;

#define VAULT_HASH_HEX_LEN 64

/* Opens the vault from a key file (see crypto_key_load for its rules).
 * Release with vault_close(). */
enum rc vault_open(const char *keyfile, struct vault **out);
void vault_close(struct vault *v);
/* The key file that belongs to a database path: "<db>.key", into out. */
int vault_keyfile_for(const char *db_path, char *out, size_t size);

/* Seals plaintext; returns base64 text in arena memory, or NULL. */
char *vault_seal(const struct vault *v, struct arena *a, const char *plaintext);
/* Opens sealed text; plaintext in arena memory, or NULL if the text was
 * altered, sealed with another key, or malformed. */
char *vault_unseal(const struct vault *v, struct arena *a, const char *sealed);
/* Keyed hash of text as hex into out[VAULT_HASH_HEX_LEN + 1]. */
void vault_hash(const struct vault *v, const char *text, char out[VAULT_HASH_HEX_LEN + 1]);

#endif
