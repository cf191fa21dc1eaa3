/* libFuzzer target: the CIN census XML reader (ingest/reader_xml.c) over
 * the real layout (schemas/cin/tables.json).  It must never crash, leak or
 * hang; a refused input always comes with a status, a message and a fix;
 * every record it pushes names its part, has one value slot per field
 * with the right length, and a path that starts at the root. */
#include <stdlib.h>
#include <string.h>

#include "reader_xml.h"
#include "support.h"

static const liia_xml_layout *the_layout(void)
{
    static liia_xml_layout *l;
    if (!l) {
        char *path = liia_path_join(liia_schema_dir(), "cin/tables.json");
        liia_error e;
        liia_error_clear(&e);
        l = path ? liia_xml_layout_load(path, 0, &e) : NULL;
        free(path);
        if (!l) {
            liia_error_print(stderr, &e);
            abort();
        }
    }
    return l;
}

static int check_record(void *ctx, const liia_record *rec, liia_error *e)
{
    (void)e;
    size_t *n = ctx;
    if (!rec->part || !rec->path || strncmp(rec->path, "/Message/", 9) || rec->record < 1)
        abort();
    for (size_t i = 0; i < rec->nfields; i++)
        if (!rec->names[i] || (rec->values[i] && strlen(rec->values[i]) != rec->lengths[i]))
            abort();
    ++*n;
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    liia_error e;
    liia_error_clear(&e);
    liia_reader *r = liia_reader_xml_open_mem("fuzz.xml", (const char *)data, size,
                                              the_layout(), &e);
    if (!r)
        abort();
    size_t n = 0;
    if (liia_reader_run(r, check_record, &n, &e) != 0 &&
        (e.status == LIIA_OK || !e.message[0] || !e.fix[0]))
        abort();
    liia_signature sig;
    liia_error_clear(&e);
    if (r->ops->signature(r, &sig, &e) != 0 && (e.status == LIIA_OK || !e.message[0]))
        abort();
    liia_reader_free(r);
    return 0;
}
