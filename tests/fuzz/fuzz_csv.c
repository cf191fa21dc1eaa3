/* libFuzzer target: the CSV reader must never crash, leak or hang, and a
 * failure must always come with a message and a line. */
#include <stdlib.h>

#include "liia_core.h"

static int count_fields(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    (void)e;
    size_t *n = ctx;
    for (size_t i = 0; i < rec->nfields; i++)
        *n += rec->lengths[i] + (rec->line > 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    for (unsigned flags = 0; flags <= LIIA_CSV_CONVERT_CP1252; flags++) {
        liia_error e;
        liia_error_clear(&e);
        size_t n = 0;
        if (liia_csv_read_mem("fuzz.csv", (const char *)data, size, flags,
                              count_fields, &n, NULL, &e) != 0 &&
            (!e.message[0] || e.status == LIIA_OK))
            abort();
    }
    return 0;
}
