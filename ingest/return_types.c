/*
 * return_types.c - the table of return types.  A new return type adds one
 * line here (see ingest_internal.h); order is recognition priority, and the
 * first entry is the default for files whose header matches nothing (so its
 * validator explains what is wrong with them).
 */
#include <string.h>

#include "ingest_internal.h"

static const struct liia_return_ops *const return_types[] = {
    &ingest_quarterly_ops,
    &ingest_ssda903_ops,
    &ingest_cin_ops,
};

size_t ingest_return_count(void)
{
    return sizeof return_types / sizeof return_types[0];
}

const struct liia_return_ops *ingest_return_at(size_t i)
{
    return i < ingest_return_count() ? return_types[i] : NULL;
}

const struct liia_return_ops *ingest_return_find(const char *id)
{
    for (size_t i = 0; id && i < ingest_return_count(); i++)
        if (!strcmp(return_types[i]->info.id, id))
            return return_types[i];
    return NULL;
}
