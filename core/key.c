/*
 * key.c - the platform key for pseudonymisation.  It lives outside the
 * store (so a copy of the store alone cannot be re-identified), readable by
 * its owner only, and is never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "liia_core.h"

/* Set once by the CLI at start-up ($LIIA_KEY_FILE): core reads no
 * environment. */
static const char *key_file_chosen;

void liia_key_file_set(const char *path)
{
    key_file_chosen = path && *path ? path : NULL;
}

char *liia_key_path_for(const char *db_path)
{
    if (key_file_chosen)
        return strdup(key_file_chosen);
    size_t n = strlen(db_path);
    char *p = malloc(n + 5);
    if (p) {
        memcpy(p, db_path, n);
        memcpy(p + n, ".key", 5);
    }
    return p;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* An existing key that others can read is refused now (at init), not
 * first noticed at the next child-level ingest. */
static int key_private(const char *path, liia_error *e)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !(sb.st_mode & 077))
        return 0;
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "make it private: chmod 600 '%s'", path);
    return liia_fail(e, LIIA_E_IO, "the platform key is readable by other users");
}

int liia_key_create(const char *path, int *created, liia_error *e)
{
    *created = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == EEXIST)
        return key_private(path, e);
    if (fd < 0) {
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "set $LIIA_KEY_FILE to a writable path outside the store");
        return liia_fail(e, LIIA_E_IO, "cannot create the key file: %s",
                         strerror(errno));
    }
    unsigned char key[LIIA_KEY_BYTES];
    int rc = RAND_bytes(key, sizeof key) == 1 ? write_all(fd, key, sizeof key) : -1;
    OPENSSL_cleanse(key, sizeof key);
    if (close(fd) || rc) {
        unlink(path);
        liia_strlcpy(e->file, path, sizeof e->file);
        return liia_fail(e, LIIA_E_IO, "cannot write the key file");
    }
    *created = 1;
    return 0;
}

/* A key file is exactly LIIA_KEY_BYTES random bytes: a file of another
 * size is a damaged copy or the wrong file (the store itself, say), and a
 * key of one repeated byte is a placeholder, not a secret. */
static int key_shape(int fd, const char *path, liia_error *e)
{
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        liia_error_fix(e, "point $LIIA_KEY_FILE at the key file itself");
        return liia_fail(e, LIIA_E_IO, "the platform key is not a regular file");
    }
    if (sb.st_mode & 077) {
        liia_error_fix(e, "make it private: chmod 600 '%s'", path);
        return liia_fail(e, LIIA_E_IO, "the platform key is readable by other users");
    }
    if (sb.st_size != LIIA_KEY_BYTES) {
        liia_error_fix(e, "restore the key file from its backup (docs/operations.md); "
                          "without it new child-level data will not link to old");
        return liia_fail(e, LIIA_E_IO, "the platform key file is damaged: %lld "
                         "bytes, a key is exactly %d", (long long)sb.st_size,
                         LIIA_KEY_BYTES);
    }
    return 0;
}

static int read_key(int fd, unsigned char key[LIIA_KEY_BYTES], liia_error *e)
{
    size_t got = 0;
    while (got < LIIA_KEY_BYTES) {
        ssize_t n = read(fd, key + got, LIIA_KEY_BYTES - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    int same = 1;
    for (size_t i = 1; i < LIIA_KEY_BYTES; i++)
        same &= key[i] == key[0];
    if (got == LIIA_KEY_BYTES && !same)
        return 0;
    OPENSSL_cleanse(key, LIIA_KEY_BYTES);
    liia_error_fix(e, "restore the key file from its backup (docs/operations.md)");
    return liia_fail(e, LIIA_E_IO, got == LIIA_KEY_BYTES
                     ? "the platform key is one byte repeated (all zeros?): not a key"
                     : "cannot read the platform key");
}

int liia_key_load(const char *path, unsigned char key[LIIA_KEY_BYTES],
                  liia_error *e)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    /* O_NONBLOCK: a FIFO planted at the key path must not hang us. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        liia_error_fix(e, "run 'liia-bench init' to create the platform key, or "
                          "set $LIIA_KEY_FILE to where it is kept");
        return liia_fail(e, LIIA_E_IO, "no platform key: %s", strerror(errno));
    }
    int rc = key_shape(fd, path, e) || read_key(fd, key, e) ? -1 : 0;
    close(fd);
    if (!rc)
        e->file[0] = '\0';
    return rc;
}

int liia_key_fingerprint(const unsigned char key[LIIA_KEY_BYTES],
                         char out[LIIA_KEY_FINGERPRINT_HEX + 1])
{
    static const char label[] = "liia-bench platform key fingerprint v1";
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key, LIIA_KEY_BYTES, (const unsigned char *)label,
              sizeof label - 1, md, &n) || n * 2 != LIIA_KEY_FINGERPRINT_HEX)
        return -1;
    for (unsigned int i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * n] = '\0';
    return 0;
}

int liia_key_file_fingerprint(const char *path, char out[LIIA_KEY_FINGERPRINT_HEX + 1],
                              liia_error *e)
{
    unsigned char key[LIIA_KEY_BYTES];
    if (liia_key_load(path, key, e))
        return -1;
    int rc = liia_key_fingerprint(key, out);
    OPENSSL_cleanse(key, sizeof key);
    return rc ? liia_fail(e, LIIA_E_IO, "cannot compute the key's fingerprint (OpenSSL)")
              : 0;
}

/* ------------------------------------------------- the key and its store */

/* Is path the store or one of its companion files (-wal, -shm, -journal)?
 * A key there would be overwritten by SQLite, or be the data it guards. */
static int is_store_file(sqlite3 *db, const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    const char *dbfile = sqlite3_db_filename(db, "main");
    struct stat k, s;
    if (!dbfile || !*dbfile || stat(path, &k))
        return 0;
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        char *p = sqlite3_mprintf("%s%s", dbfile, suffix[i]);
        int same = p && stat(p, &s) == 0 && s.st_dev == k.st_dev && s.st_ino == k.st_ino;
        sqlite3_free(p);
        if (same)
            return 1;
    }
    return 0;
}

static int refuse_store_file(const char *path, liia_error *e)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "keep the key in its own file outside the store ($LIIA_KEY_FILE, "
                      "default: the store path with .key appended)");
    return liia_fail(e, LIIA_E_USAGE, "the platform key path is the store itself");
}

/* 1 when the store holds pseudonymised child-level rows, 0 if not. */
static int has_pseudonyms(sqlite3 *db, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT EXISTS (SELECT 1 FROM cla_child) OR "
                        "EXISTS (SELECT 1 FROM cla_episode) OR "
                        "EXISTS (SELECT 1 FROM cla_uasc)", &st, e))
        return -1;
    int rc = sqlite3_step(st);
    int v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v < 0 ? liia_db_fail(e, db, "looking for pseudonymised rows") : v;
}

/* 1 when the store already depends on one key: it has recorded a
 * fingerprint or holds pseudonyms (a store from before fingerprints). */
static int store_has_key(sqlite3 *db, liia_error *e)
{
    char fp[LIIA_KEY_FINGERPRINT_HEX + 1];
    int known = liia_store_meta_get(db, "key_fingerprint", fp, sizeof fp, e);
    return known == 0 ? has_pseudonyms(db, e) : known;
}

/* The key this store was made with is missing: say so, and never suggest
 * init (which will not make a new one, and a new one would break links). */
static int key_lost(const char *path, liia_error *e)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "restore the platform key from its backup to '%s' (or set "
                      "$LIIA_KEY_FILE to where it is); see docs/operations.md. A new "
                      "key would stop new child-level data linking to the old", path);
    return liia_fail(e, LIIA_E_IO, "no platform key: the key this store's "
                     "pseudonyms were made with is missing");
}

static int key_mismatch(const char *path, const char *want, liia_error *e)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "restore the store's own key from its backup (its fingerprint "
                      "begins %.12s; docs/operations.md), or set $LIIA_KEY_FILE to it",
                   want);
    return liia_fail(e, LIIA_E_IO, "the platform key is not the one this store's "
                     "pseudonyms were made with");
}

/* Compares key with the store's recorded fingerprint; records it (when
 * record is set) if the store has none yet. */
static int bind_to_store(sqlite3 *db, const char *path,
                         const unsigned char key[LIIA_KEY_BYTES], int record,
                         liia_error *e)
{
    char have[LIIA_KEY_FINGERPRINT_HEX + 1], want[LIIA_KEY_FINGERPRINT_HEX + 1];
    if (liia_key_fingerprint(key, have))
        return liia_fail(e, LIIA_E_IO, "cannot compute the key's fingerprint (OpenSSL)");
    int found = liia_store_meta_get(db, "key_fingerprint", want, sizeof want, e);
    if (found < 0)
        return -1;
    if (found)
        return strcmp(have, want) ? key_mismatch(path, want, e) : 0;
    return record ? liia_store_meta_set(db, "key_fingerprint", have, e) : 0;
}

/* Before a key is read: -1 (e filled) when path is the store itself or the
 * store's key is lost, 1 when there is no key and the store never had one
 * (init may create it), 0 when a key file is there. */
static int key_presence(sqlite3 *db, const char *path, liia_error *e)
{
    if (is_store_file(db, path))
        return refuse_store_file(path, e);
    if (access(path, F_OK) == 0 || errno != ENOENT)
        return 0;
    int known = store_has_key(db, e);
    if (known)
        return known < 0 ? -1 : key_lost(path, e);
    return 1;
}

int liia_key_load_for_store(sqlite3 *db, const char *path, int record,
                            unsigned char key[LIIA_KEY_BYTES], liia_error *e)
{
    /* No key for a store that never had one: liia_key_load says to run init. */
    if (key_presence(db, path, e) < 0 || liia_key_load(path, key, e))
        return -1;
    if (bind_to_store(db, path, key, record, e)) {
        OPENSSL_cleanse(key, LIIA_KEY_BYTES);
        return -1;
    }
    return 0;
}

int liia_key_init_for_store(sqlite3 *db, const char *path, int *created,
                            liia_error *e)
{
    unsigned char key[LIIA_KEY_BYTES];
    *created = 0;
    int absent = key_presence(db, path, e);
    if (absent < 0 || (absent && liia_key_create(path, created, e)))
        return -1;
    int rc = liia_key_load_for_store(db, path, 1, key, e);
    OPENSSL_cleanse(key, sizeof key);
    if (rc && *created) /* a key nobody can use must not be left behind */
        unlink(path);
    if (rc)
        *created = 0;
    return rc;
}
