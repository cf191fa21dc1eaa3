/* ssda903_codes.c - code lists as small open-addressing hash sets: every
 * code cell and every 'in' condition asks one, for every row. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssda903_internal.h"

static size_t code_hash(const char *v)
{
    size_t h = 2166136261u;
    for (; *v; v++)
        h = (h ^ (unsigned char)*v) * 16777619u;
    return h;
}

/* Every cell of a code column and every 'in' of a rule or measure term
 * asks this, for every row: a small hash set, no comparator calls. */
int s903_codes_index(const struct s903_codes *c, const char *v)
{
    if (!c->nslots)
        return 0;
    for (size_t i = code_hash(v) & (c->nslots - 1); c->slots[i];
         i = (i + 1) & (c->nslots - 1)) {
        const char *a = c->codes[c->slots[i] - 1], *b = v;
        while (*a && *a == *b)
            a++, b++;
        if (*a == *b)
            return (int)c->slots[i];
    }
    return 0;
}

int s903_codes_has(const struct s903_codes *c, const char *v)
{
    return s903_codes_index(c, v) != 0;
}

int s903_codes_build(struct s903_codes *c, liia_error *e)
{
    c->nslots = 8;
    while (c->nslots < 2 * c->n)
        c->nslots *= 2;
    if (!(c->slots = calloc(c->nslots, sizeof *c->slots)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++) {
        size_t h = code_hash(c->codes[i]) & (c->nslots - 1);
        while (c->slots[h])
            h = (h + 1) & (c->nslots - 1);
        c->slots[h] = (uint32_t)i + 1;
    }
    return 0;
}

