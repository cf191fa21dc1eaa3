/* paths.c - where things are: schemas, files read whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"

#ifndef LIIA_SCHEMA_DIR
#define LIIA_SCHEMA_DIR "schemas"
#endif

/* Set once by the caller at start-up; read-only afterwards. */
static const char *schema_dir_chosen;

void liia_schema_dir_set(const char *dir)
{
    schema_dir_chosen = dir && *dir ? dir : NULL;
}

const char *liia_schema_dir_built_in(void)
{
    return LIIA_SCHEMA_DIR;
}

const char *liia_schema_dir(void)
{
    return schema_dir_chosen ? schema_dir_chosen : LIIA_SCHEMA_DIR;
}

char *liia_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = a && dir[a - 1] != '/';
    char *p = malloc(a + (size_t)slash + b + 1);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (slash)
        p[a] = '/';
    memcpy(p + a + (size_t)slash, name, b + 1);
    return p;
}

int liia_read_file(const char *path, char **out, size_t *len, liia_error *e)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        liia_strlcpy(e->file, path, sizeof e->file);
        return liia_fail(e, LIIA_E_IO, "cannot open: %s", strerror(errno));
    }
    liia_buf b;
    liia_buf_init(&b);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = liia_buf_append(&b, chunk, n);
    if (rc || ferror(f)) {
        liia_buf_free(&b);
        fclose(f);
        liia_strlcpy(e->file, path, sizeof e->file);
        return liia_fail(e, rc ? LIIA_E_NOMEM : LIIA_E_IO, "cannot read: %s",
                         rc ? "out of memory" : strerror(errno));
    }
    fclose(f);
    if (len)
        *len = b.len;
    *out = liia_buf_detach(&b);
    return *out ? 0 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
}
