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

#include "crypto.h"
#include "rc.h"

struct vault;
struct arena;

#define VAULT_HASH_HEX_LEN 64

/* Opens the vault from a key file (see crypto_key_load for its rules).
 * Release with vault_close().  RC_NOMEM, or RC_IO with *why (if non-NULL)
 * saying what is wrong with the file. */
enum rc vault_open(const char *keyfile, struct vault **out);
enum rc vault_open_why(const char *keyfile, struct vault **out, enum crypto_key_problem *why);
/* The vault of a key held in memory (tests); the caller wipes key. */
enum rc vault_from_key(const unsigned char key[32], struct vault **out);
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

/* The key's identity: a keyed BLAKE2b of a fixed text under a subkey of
 * its own, as hex into out[VAULT_HASH_HEX_LEN + 1].  Stored in the database
 * at init, it tells a wrong key file from the right one without revealing
 * anything about the key. */
void vault_key_id(const struct vault *v, char out[VAULT_HASH_HEX_LEN + 1]);
/* A MAC of len bytes of data under the audit subkey (its own KDF context,
 * so no value of the identity vault can be passed off as one), as hex. */
void vault_audit_mac(const struct vault *v, const void *data, size_t len,
                     char out[VAULT_HASH_HEX_LEN + 1]);

#endif
