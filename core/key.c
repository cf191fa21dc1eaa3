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
#include <openssl/rand.h>

#include "liia_core.h"

char *liia_key_path_for(const char *db_path)
{
    const char *env = getenv("LIIA_KEY_FILE");
    if (env && *env)
        return strdup(env);
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

int liia_key_load(const char *path, unsigned char key[LIIA_KEY_BYTES],
                  liia_error *e)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        liia_error_fix(e, "run 'liia-bench init' to create the platform key, or "
                          "set $LIIA_KEY_FILE to where it is kept");
        return liia_fail(e, LIIA_E_IO, "no platform key: %s", strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) || (sb.st_mode & 077)) {
        close(fd);
        liia_error_fix(e, "make it private: chmod 600 '%s'", path);
        return liia_fail(e, LIIA_E_IO, "the platform key is readable by other users");
    }
    ssize_t n = read(fd, key, LIIA_KEY_BYTES);
    close(fd);
    if (n != LIIA_KEY_BYTES) {
        OPENSSL_cleanse(key, LIIA_KEY_BYTES);
        liia_error_fix(e, "restore the key file from its backup; without it "
                          "new child-level data will not link to old");
        return liia_fail(e, LIIA_E_IO, "the platform key file is damaged");
    }
    e->file[0] = '\0';
    return 0;
}
