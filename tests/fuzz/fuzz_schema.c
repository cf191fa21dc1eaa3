/* libFuzzer target: schema loading.  The first byte picks which schema file
 * the rest of the input replaces (the others stay the real ones, so a
 * mutation of one file meets valid references from the rest); a load must
 * either succeed or fail with a schema error, never crash or leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "quarterly_internal.h"
#include "ssda903_internal.h"
#include "support.h"

static const char *const files[] = {
    "quarterly.json", "measures.json", "rules/quarterly.json",
    "ssda903/tables.json", "ssda903/codelists.json", "ssda903/rules/388.json",
    "ssda903/measures.json", "ssda903/rules/INT32.json", "ssda903/rules/352.json",
};
#define NFILES (sizeof files / sizeof files[0])

static void copy_real(const char *dir, const char *name)
{
    char src[512];
    snprintf(src, sizeof src, "%s/%s", liia_schema_dir(), name);
    char *data = NULL;
    size_t len;
    liia_error e;
    liia_error_clear(&e);
    if (liia_read_file(src, &data, &len, &e)) {
        liia_error_print(stderr, &e);
        abort();
    }
    fuzz_write(dir, name, (const unsigned char *)data, len);
    free(data);
}

/* One schema directory per file: dirs[k] has every real file, and its
 * file k is overwritten by each input that picks it. */
static const char *schema_dir(size_t k)
{
    static char dirs[NFILES][256];
    if (!dirs[k][0]) {
        snprintf(dirs[k], sizeof dirs[k], "%s/s%zu", fuzz_scratch(), k);
        char rules[300], s903[300], s903r[300];
        snprintf(rules, sizeof rules, "%s/rules", dirs[k]);
        snprintf(s903, sizeof s903, "%s/ssda903", dirs[k]);
        snprintf(s903r, sizeof s903r, "%s/ssda903/rules", dirs[k]);
        if (mkdir(dirs[k], 0700) || mkdir(rules, 0700) || mkdir(s903, 0700) ||
            mkdir(s903r, 0700))
            abort();
        for (size_t i = 0; i < NFILES; i++)
            copy_real(dirs[k], files[i]);
    }
    return dirs[k];
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t k = data[0] % NFILES;
    const char *dir = schema_dir(k);
    fuzz_write(dir, files[k], data + 1, size - 1);
    liia_error e;
    liia_error_clear(&e);
    int rc;
    if (k < 3) {
        struct q_schema s;
        rc = q_schema_load(dir, &s, &e);
        if (rc == 0)
            q_schema_free(&s);
    } else {
        struct s903_schema s;
        /* the code lists differ by collection year: try both sides */
        rc = s903_schema_load(dir, data[0] & 0x80 ? 2024 : 2025, &s, &e);
        if (rc == 0)
            s903_schema_free(&s);
    }
    if (rc != 0 && (!e.message[0] || e.status == LIIA_OK))
        abort();
    return 0;
}
