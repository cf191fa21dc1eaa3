/* libFuzzer target: period parsing round-trips through its canonical form. */
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char text[64];
    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char out[11], again[11], fy[16];
    liia_error e;
    liia_error_clear(&e);
    if (liia_period_parse(text, out, &e) != 0)
        return 0;
    /* Canonical forms must parse back to themselves. */
    liia_period_fy_form(out, fy, sizeof fy);
    if (liia_period_parse(out, again, &e) || strcmp(out, again) ||
        liia_period_parse(fy, again, &e) || strcmp(out, again))
        abort();
    return 0;
}
