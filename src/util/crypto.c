/*
 * crypto.c — libsodium wrappers; see crypto.h.
 */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
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

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(struct crypto_sha256),
               "struct crypto_sha256 holds libsodium's state");

void crypto_sha256_init(struct crypto_sha256 *h)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)h->state);
}

void crypto_sha256_update(struct crypto_sha256 *h, const void *data, size_t len)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)h->state, data, len);
}

void crypto_sha256_final(struct crypto_sha256 *h, char out[CRYPTO_HASH_HEX_LEN + 1])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)h->state, d);
	sodium_bin2hex(out, CRYPTO_HASH_HEX_LEN + 1, d, sizeof d);
}

void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_HASH_HEX_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, CRYPTO_HASH_HEX_LEN + 1, h, sizeof h);
}

/* Process-wide, not request state: the dummy hash is made once and then
 * only read; the counter is atomic. */
static char dummy_hash[CRYPTO_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static atomic_ulong argon2_count;
/* Set only by crypto_set_test_cost(), which nothing under src/ calls. */
static atomic_int test_cost;

void crypto_set_test_cost(int cheap)
{
	atomic_store(&test_cost, cheap != 0);
}

/* ---- the bound on argon2id computations running at once -----------------
 * A counting semaphore (mutex and condition variable): process-wide, not
 * request state.  Every computation takes a slot around the libsodium call
 * only, and never takes a second one while it holds one, so it cannot
 * deadlock.  The statistics and the hook are for tests. */
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_free = PTHREAD_COND_INITIALIZER;
static unsigned slot_limit; /* 0: not sized yet */
static struct crypto_hash_stats slot_stats;
static void (*slot_hook)(void *);
static void *slot_hook_arg;

static unsigned slots_sized(void)
{
	/* The slot count does not follow crypto_set_test_cost: tests see the
	 * bound the binary has. */
	unsigned long by_memory = CRYPTO_HASH_MEMORY_BUDGET / crypto_pwhash_MEMLIMIT_INTERACTIVE;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long n = by_memory;
	if (cpus > 0 && (unsigned long)cpus < n)
		n = (unsigned long)cpus;
	return n < 1 ? 1 : (unsigned)n;
}

unsigned crypto_hash_slots(void)
{
	pthread_mutex_lock(&slot_lock);
	if (!slot_limit)
		slot_limit = slots_sized();
	unsigned n = slot_limit;
	pthread_mutex_unlock(&slot_lock);
	return n;
}

static void slot_take(void)
{
	pthread_mutex_lock(&slot_lock);
	if (!slot_limit)
		slot_limit = slots_sized();
	slot_stats.waiting++;
	while (slot_stats.running >= slot_limit)
		pthread_cond_wait(&slot_free, &slot_lock);
	slot_stats.waiting--;
	slot_stats.running++;
	if (slot_stats.running > slot_stats.max_running)
		slot_stats.max_running = slot_stats.running;
	void (*hook)(void *) = slot_hook;
	void *arg = slot_hook_arg;
	pthread_mutex_unlock(&slot_lock);
	if (hook)
		hook(arg);
}

static void slot_give(void)
{
	pthread_mutex_lock(&slot_lock);
	slot_stats.running--;
	pthread_cond_signal(&slot_free);
	pthread_mutex_unlock(&slot_lock);
}

void crypto_test_hash_stats(struct crypto_hash_stats *out)
{
	pthread_mutex_lock(&slot_lock);
	*out = slot_stats;
	pthread_mutex_unlock(&slot_lock);
}

void crypto_test_hash_stats_reset(void)
{
	pthread_mutex_lock(&slot_lock);
	slot_stats.max_running = slot_stats.running;
	pthread_mutex_unlock(&slot_lock);
}

void crypto_set_test_hash_hook(void (*hook)(void *arg), void *arg)
{
	pthread_mutex_lock(&slot_lock);
	slot_hook = hook;
	slot_hook_arg = arg;
	pthread_mutex_unlock(&slot_lock);
}

enum rc crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_LEN])
{
	_Static_assert(CRYPTO_PWHASH_LEN == crypto_pwhash_STRBYTES, "pwhash size");
	atomic_fetch_add(&argon2_count, 1);
	int cheap = atomic_load(&test_cost);
	slot_take();
	int bad = crypto_pwhash_str_alg(
	    out, password, strlen(password),
	    cheap ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    cheap ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE,
	    crypto_pwhash_ALG_ARGON2ID13);
	slot_give();
	return bad ? RC_NOMEM : RC_OK;
}

static void dummy_make(void)
{
	/* A random password nobody knows: no input matches the hash. */
	char pw[CRYPTO_TOKEN_LEN + 1];
	crypto_token(pw);
	if (crypto_password_hash(pw, dummy_hash) != RC_OK)
		dummy_hash[0] = '\0';
	sodium_memzero(pw, sizeof pw);
}

const char *crypto_password_dummy_hash(void)
{
	pthread_once(&dummy_once, dummy_make);
	return dummy_hash;
}

unsigned long crypto_argon2_count(void)
{
	return atomic_load(&argon2_count);
}

int crypto_password_verify(const char *stored, const char *password)
{
	int real = stored && strncmp(stored, "$argon2id$", 10) == 0;
	const char *h = real ? stored : crypto_password_dummy_hash();
	atomic_fetch_add(&argon2_count, 1);
	if (!*h)
		return 0;
	/* The dummy hash, if needed, was made above, before this takes its
	 * slot: making it takes one too. */
	slot_take();
	int match = crypto_pwhash_str_verify(h, password, strlen(password)) == 0;
	slot_give();
	return match && real;
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

enum crypto_key_problem crypto_key_load(const char *path, unsigned char key[CRYPTO_KEY_BYTES])
{
	sodium_memzero(key, CRYPTO_KEY_BYTES);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return CRYPTO_KEY_MISSING;
		if (errno == EACCES || errno == EPERM)
			return CRYPTO_KEY_NO_ACCESS;
		return CRYPTO_KEY_IO;
	}
	struct stat st;
	enum crypto_key_problem p = CRYPTO_KEY_OK;
	if (fstat(fd, &st) != 0)
		p = CRYPTO_KEY_IO;
	else if (!S_ISREG(st.st_mode))
		p = CRYPTO_KEY_NOT_FILE;
	else if (st.st_mode & (S_IRWXG | S_IRWXO))
		p = CRYPTO_KEY_EXPOSED;
	else if (st.st_size < CRYPTO_KEY_BYTES * 2 || st.st_size > CRYPTO_KEY_BYTES * 2 + 2)
		p = CRYPTO_KEY_FORMAT;
	if (p) {
		close(fd);
		return p;
	}
	/* One byte more than a valid file may hold, so a longer one shows. */
	char hex[CRYPTO_KEY_BYTES * 2 + 3];
	size_t n = 0;
	while (n < sizeof hex) {
		ssize_t r = read(fd, hex + n, sizeof hex - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			p = CRYPTO_KEY_IO;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	const size_t digits = CRYPTO_KEY_BYTES * 2;
	if (!p) {
		size_t rest = n - (n < digits ? n : digits);
		const char *tail = hex + digits;
		int tail_ok = rest == 0 || (rest == 1 && tail[0] == '\n') ||
		              (rest == 2 && tail[0] == '\r' && tail[1] == '\n');
		size_t got = 0;
		const char *end = NULL;
		if (n < digits || !tail_ok ||
		    sodium_hex2bin(key, CRYPTO_KEY_BYTES, hex, digits, NULL, &got, &end) != 0 ||
		    got != CRYPTO_KEY_BYTES || end != hex + digits)
			p = CRYPTO_KEY_FORMAT;
	}
	sodium_memzero(hex, sizeof hex);
	if (p)
		sodium_memzero(key, CRYPTO_KEY_BYTES);
	return p;
}

const char *crypto_key_problem_text(enum crypto_key_problem p)
{
	switch (p) {
	case CRYPTO_KEY_OK: return "går att läsa";
	case CRYPTO_KEY_MISSING:
		return "saknas. Den skapas av 'finsam init' bredvid databasen och behövs för att "
		       "läsa och spara personuppgifter och för granskningsloggens ankare";
	case CRYPTO_KEY_NOT_FILE:
		return "är ingen vanlig fil (till exempel en mapp); ange nyckelfilen som init "
		       "skapade";
	case CRYPTO_KEY_NO_ACCESS: return "får inte läsas av det här kontot";
	case CRYPTO_KEY_EXPOSED:
		return "kan läsas eller ändras av andra än ägaren; gör den läsbar bara för ägaren "
		       "(chmod 600)";
	case CRYPTO_KEY_FORMAT:
		return "har fel innehåll: den ska hålla exakt 64 hexadecimala tecken (32 byte) på "
		       "en rad";
	case CRYPTO_KEY_IO: break;
	}
	return "kunde inte läsas";
}
