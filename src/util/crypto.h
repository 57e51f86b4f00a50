/*
 * crypto.h — the few cryptographic operations finsam needs, all libsodium.
 *
 * Call crypto_setup() once at start (it runs sodium_init).  Tokens are 32
 * random bytes as unpadded base64url (43 characters); only their SHA-256 is
 * stored, so a stolen database does not hold usable session or API tokens.
 * Passwords use argon2id through crypto_pwhash_str.
 */
#ifndef FINSAM_CRYPTO_H
#define FINSAM_CRYPTO_H

#include <stddef.h>

#include "rc.h"

#define CRYPTO_TOKEN_LEN    43  /* characters, without NUL */
#define CRYPTO_HASH_HEX_LEN 64  /* SHA-256 as hex, without NUL */
#define CRYPTO_PWHASH_LEN   128 /* crypto_pwhash_STRBYTES */
#define CRYPTO_KEY_BYTES    32

/* 0 on success, -1 if libsodium cannot start. */
int crypto_setup(void);
/* A new random token into out[CRYPTO_TOKEN_LEN + 1]. */
void crypto_token(char out[CRYPTO_TOKEN_LEN + 1]);
/* SHA-256 of len bytes of data as lowercase hex into out[65]. */
void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_HASH_HEX_LEN + 1]);
/* SHA-256 of data given in pieces: crypto_sha256_init, any number of
 * crypto_sha256_update, crypto_sha256_final (hex into out[65]).  The state
 * is plain memory (libsodium's, kept opaque here); nothing to free. */
struct crypto_sha256 {
	_Alignas(16) unsigned char state[128];
};
void crypto_sha256_init(struct crypto_sha256 *h);
void crypto_sha256_update(struct crypto_sha256 *h, const void *data, size_t len);
void crypto_sha256_final(struct crypto_sha256 *h, char out[CRYPTO_HASH_HEX_LEN + 1]);
/* argon2id hash of password into out[CRYPTO_PWHASH_LEN]; RC_NOMEM if the
 * machine lacks the memory the hash needs. */
enum rc crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_LEN]);
/* 1 if password matches the stored hash.  Every call does the full
 * argon2id work, also for an empty or malformed stored hash (it then checks
 * against crypto_password_dummy_hash()), so the time taken never tells what
 * was stored. */
int crypto_password_verify(const char *stored, const char *password);
/* An argon2id hash with the same cost as crypto_password_hash() that no
 * password matches: what a login checks against when the account does not
 * exist.  Computed once per process, on first use; static memory. */
const char *crypto_password_dummy_hash(void);
/* How many argon2id computations (hashes and verifications) this process
 * has started; lets tests prove that every path of a login costs exactly
 * one, and where in a call it is done. */
unsigned long crypto_argon2_count(void);
/*
 * TEST ONLY.  cheap=1 makes crypto_password_hash() (and the dummy hash, if
 * it is made afterwards) use the lowest cost libsodium allows, so unit
 * tests do not spend their time in argon2id; 0 restores the real cost.
 * Verification always uses the cost written in the stored hash.  No file
 * under src/ other than crypto.c may name this function (scripts/check-style
 * refuses it), and there is no environment variable or flag for it: the
 * finsam binary always hashes at crypto_pwhash_*_INTERACTIVE.
 */
void crypto_set_test_cost(int cheap);
/*
 * How many argon2id computations may run at once in this process.  Each
 * takes crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB) while it runs; a
 * computation beyond the bound waits for a slot (it is never refused).
 * Sized from CRYPTO_HASH_MEMORY_BUDGET and the number of processors, at
 * least 1; see docs/architecture.md.
 */
#define CRYPTO_HASH_MEMORY_BUDGET (64UL * 1024 * 1024)
unsigned crypto_hash_slots(void);
/*
 * TEST ONLY.  What the bound has seen: computations running now, waiting
 * for a slot now, and the most that ever ran at once (reset by
 * crypto_test_hash_stats_reset()).  hook, if set, is called by every
 * computation inside its slot, just before the argon2id work: a test
 * pauses there to hold a computation "inside the hash" without timing.
 * Like crypto_set_test_cost, nothing under src/ but crypto.c names these.
 */
struct crypto_hash_stats {
	unsigned running, waiting, max_running;
};
void crypto_test_hash_stats(struct crypto_hash_stats *out);
void crypto_test_hash_stats_reset(void);
void crypto_set_test_hash_hook(void (*hook)(void *arg), void *arg);
/* Creates the key file at path with CRYPTO_KEY_BYTES random bytes as hex,
 * mode 0600, refusing to overwrite an existing file (RC_CONFLICT). */
enum rc crypto_key_create(const char *path);

/* What can be wrong with a key file, each with its own message. */
enum crypto_key_problem {
	CRYPTO_KEY_OK = 0,
	CRYPTO_KEY_MISSING,   /* no such file (or a link to nothing) */
	CRYPTO_KEY_NOT_FILE,  /* a directory, device, fifo or socket */
	CRYPTO_KEY_NO_ACCESS, /* this account may not read it */
	CRYPTO_KEY_EXPOSED,   /* group or others may read or write it */
	CRYPTO_KEY_FORMAT,    /* not exactly 64 hex digits and an optional newline */
	CRYPTO_KEY_IO         /* reading failed */
};

/* Reads a key file into key[CRYPTO_KEY_BYTES].  The file must be a regular
 * file (a symbolic link is followed: its target is what is checked), with
 * no permission for group or others, holding exactly 64 hex digits and
 * optionally a line end.  Nothing is opened in a way that could block (a
 * fifo is refused, not waited on).  On failure key is wiped. */
enum crypto_key_problem crypto_key_load(const char *path, unsigned char key[CRYPTO_KEY_BYTES]);
/* A Swedish phrase for a problem, to follow "nyckelfilen PATH ". */
const char *crypto_key_problem_text(enum crypto_key_problem p);

#endif
