/* ssda903_rules.c - DfE dates and the row-rule condition evaluator. */
#include <stdio.h>
#include <string.h>

#include "ssda903_internal.h"

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* The DfE format is dd/mm/yyyy; yyyy-mm-dd is accepted because
 * spreadsheet exports often produce it.  Two-digit years are refused:
 * guessing the century of a date of birth is how errors get in. */
int s903_parse_date(const char *s, size_t len, char iso[11])
{
    int y, m, d;
    if (len == 10 && s[2] == '/' && s[5] == '/') {
        if (digits(s, 2, &d) || digits(s + 3, 2, &m) || digits(s + 6, 4, &y))
            return -1;
    } else if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
            return -1;
    } else {
        return -1;
    }
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    liia_strlcpy(iso, tmp, 11);
    return 0;
}

void s903_add_years(const char *iso, int years, char out[11])
{
    int y = 0, m = 1, d = 1;
    if (digits(iso, 4, &y) || digits(iso + 5, 2, &m) || digits(iso + 8, 2, &d) ||
        m < 1 || m > 12) {
        out[0] = '\0';
        return;
    }
    y += years;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    liia_strlcpy(out, tmp, 11);
}

/* The right-hand date of a comparison, or NULL when it is missing. */
static const char *operand(const struct s903_cond *c, const struct s903_cell *cells,
                           const struct s903_dates *d, char buf[11])
{
    const char *base;
    switch (c->op) {
    case OP_COL:
        if (!cells[c->op_col].ok || !cells[c->op_col].iso[0])
            return NULL;
        base = cells[c->op_col].iso;
        break;
    case OP_START: base = d->start; break;
    case OP_END:   base = d->end; break;
    default:       base = c->op_date; break;
    }
    if (!c->op_years)
        return base;
    s903_add_years(base, c->op_years, buf);
    return buf[0] ? buf : NULL;
}

static int compare(const struct s903_cond *c, const struct s903_cell *cells,
                   const struct s903_dates *d)
{
    const struct s903_cell *l = &cells[c->col];
    char buf[11];
    const char *r = operand(c, cells, d, buf);
    if (!l->ok || !l->iso[0] || !r)
        return 0;
    int k = strcmp(l->iso, r);
    switch (c->kind) {
    case C_BEFORE: return k < 0;
    case C_AFTER:  return k > 0;
    case C_SAME:   return k == 0;
    default:       return k <= 0;
    }
}

int s903_cond_eval(const struct s903_cond *c, const struct s903_cell *cells,
                   const struct s903_dates *d)
{
    switch (c->kind) {
    case C_ALL:
        for (size_t i = 0; i < c->nkids; i++)
            if (!s903_cond_eval(&c->kids[i], cells, d))
                return 0;
        return 1;
    case C_ANY:
        for (size_t i = 0; i < c->nkids; i++)
            if (s903_cond_eval(&c->kids[i], cells, d))
                return 1;
        return 0;
    case C_NOT:
        return !s903_cond_eval(&c->kids[0], cells, d);
    case C_PRESENT:
        return cells[c->col].len > 0;
    case C_BLANK:
        return cells[c->col].len == 0;
    case C_IN:
        return cells[c->col].len > 0 && s903_codes_has(&c->codes, cells[c->col].raw);
    default:
        return compare(c, cells, d);
    }
}
