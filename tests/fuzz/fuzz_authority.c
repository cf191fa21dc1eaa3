/* libFuzzer target: authority codes.  Any text either resolves to a GSS
 * code, which must resolve to itself again, or fails with a message. */
#include <stdlib.h>
#include <string.h>

#include "support.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char text[64];
    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sqlite3 *db = fuzz_store();
    char gss[10], again[10];
    liia_error e;
    liia_error_clear(&e);
    if (liia_authority_resolve(db, text, gss, &e) != 0) {
        if (!e.message[0] || e.status == LIIA_OK)
            abort();
        return 0;
    }
    if (strlen(gss) != 9 || liia_authority_resolve(db, gss, again, &e) ||
        strcmp(gss, again))
        abort();
    return 0;
}
