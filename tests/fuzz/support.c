/* support.c - scratch directory and in-memory store for the fuzz targets.
 * The statics are the harness's per-process fixtures, never product state. */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static char scratch[64];
static sqlite3 *store;

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (store)
        liia_store_close(store);
    if (scratch[0] && nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS))
        perror(scratch);
}

const char *fuzz_scratch(void)
{
    if (scratch[0])
        return scratch;
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/liia-fuzz-XXXXXX",
             tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        abort();
    }
    atexit(cleanup);
    return scratch;
}

const char *fuzz_write(const char *dir, const char *name,
                       const unsigned char *data, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
        perror(path);
        abort();
    }
    return path;
}

sqlite3 *fuzz_store(void)
{
    if (store)
        return store;
    liia_error e;
    liia_error_clear(&e);
    if (sqlite3_open(":memory:", &store) != SQLITE_OK ||
        liia_store_migrate(store, &e) ||
        liia_reference_load(store, liia_schema_dir(), NULL, &e)) {
        liia_error_print(stderr, &e);
        abort();
    }
    fuzz_scratch(); /* registers the cleanup that closes the store */
    return store;
}
