/* ssda903_rules.c - the rule condition evaluator (row rules
 * on one row; child rules on a row and the child's other records). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ssda903_internal.h"

/* The cell a condition reads: col of the record ref, NULL when that
 * record does not exist. */
static const struct s903_cell *cell_of(const struct s903_rows *rows, int ref, int col)
{
    const struct s903_cell *row = rows->row[ref];
    return row ? &row[col] : NULL;
}

/* A date as the days it may be: [lo, hi] as yyyymmdd (one day, or a whole
 * month for a date stored to the month), shifted by the condition's
 * offset when shift is set.  0 when there is no date. */
static int date_span(const char *iso, int month, const struct s903_cond *c, int shift,
                     int32_t *lo, int32_t *hi)
{
    char a[11], b[11];
    if (!iso || !iso[0])
        return 0;
    if (!month && !(shift && (c->op_years || c->op_months || c->op_days))) {
        *lo = *hi = s903_ymd(iso);
        return 1;
    }
    char last[11] = "";
    if (month) {
        s903_add_ymd(iso, 0, 1, -1, last);   /* the month's last day */
        if (!last[0])
            return 0;
    }
    if (shift) {
        s903_add_ymd(iso, c->op_years, c->op_months, c->op_days, a);
        if (month)
            s903_add_ymd(last, c->op_years, c->op_months, c->op_days, b);
        else
            memcpy(b, a, sizeof b);
    } else {
        memcpy(a, iso, sizeof a);
        memcpy(b, last, sizeof b);
    }
    if (!a[0] || !b[0])
        return 0;
    *lo = s903_ymd(a);
    *hi = s903_ymd(b);
    return 1;
}

/* The right-hand side of a comparison as a span; 0 when it is missing. */
static int operand(const struct s903_cond *c, const struct s903_rows *rows,
                   const struct s903_dates *d, int32_t *lo, int32_t *hi)
{
    const char *base;
    int month = 0;
    switch (c->op) {
    case OP_COL: {
        const struct s903_cell *x = cell_of(rows, c->op_ref, c->op_col);
        if (!x || !x->ok || !x->iso[0])
            return 0;
        base = x->iso;
        month = x->month;
        break;
    }
    case OP_START: base = d->start; break;
    case OP_END:   base = d->end; break;
    case OP_QS:    base = d->qs; break;
    case OP_QE:    base = d->qe; break;
    case OP_Y1:    base = d->y1; break;
    default:       base = c->op_date; break;
    }
    return date_span(base, month, c, 1, lo, hi);
}

/* A comparison holds when it holds whichever day each span stands for. */
static int compare(const struct s903_cond *c, const struct s903_rows *rows,
                   const struct s903_dates *d)
{
    const struct s903_cell *l = cell_of(rows, c->ref, c->col);
    int32_t llo, lhi, rlo, rhi;
    if (!l || !l->ok || !date_span(l->iso, l->month, c, 0, &llo, &lhi) ||
        !operand(c, rows, d, &rlo, &rhi))
        return 0;
    switch (c->kind) {
    case C_BEFORE:      return lhi < rlo;
    case C_AFTER:       return llo > rhi;
    case C_SAME:        return llo == lhi && rlo == rhi && llo == rlo;
    case C_ON_OR_AFTER: return llo >= rhi;
    default:            return lhi <= rlo;
    }
}

int s903_cond_eval_rows(const struct s903_cond *c, const struct s903_rows *rows,
                        const struct s903_dates *d)
{
    const struct s903_cell *x;
    switch (c->kind) {
    case C_ALL:
        for (size_t i = 0; i < c->nkids; i++)
            if (!s903_cond_eval_rows(&c->kids[i], rows, d))
                return 0;
        return 1;
    case C_ANY:
        for (size_t i = 0; i < c->nkids; i++)
            if (s903_cond_eval_rows(&c->kids[i], rows, d))
                return 1;
        return 0;
    case C_NOT:
        return !s903_cond_eval_rows(&c->kids[0], rows, d);
    case C_EXISTS:
        return (int)(rows->exists >> c->exists & 1);
    case C_EQUALS: {
        /* both given and the same text (codes, dates as stored) */
        const struct s903_cell *y = cell_of(rows, c->op_ref, c->op_col);
        x = cell_of(rows, c->ref, c->col);
        return x && y && x->len && x->len == y->len && !memcmp(x->raw, y->raw, x->len);
    }
    case C_MATCHES:
        x = cell_of(rows, c->ref, c->col);
        return x && x->len && regexec(c->re, x->raw, 0, NULL, 0) == 0;
    case C_PRESENT:
        x = cell_of(rows, c->ref, c->col);
        return x && x->len > 0;
    case C_BLANK:
        x = cell_of(rows, c->ref, c->col);
        return !x || x->len == 0;
    case C_IN:
        x = cell_of(rows, c->ref, c->col);
        if (!x)
            return 0;
        if (c->has_code_bits && x->code)
            return (int)(c->code_bits >> (x->code - 1) & 1);
        return x->len > 0 && s903_codes_has(&c->codes, x->raw);
    default:
        return compare(c, rows, d);
    }
}

int s903_cond_eval(const struct s903_cond *c, const struct s903_cell *cells,
                   const struct s903_dates *d)
{
    struct s903_rows rows = {.row = {cells, NULL, NULL, NULL}, .exists = 0};
    return s903_cond_eval_rows(c, &rows, d);
}

static int32_t quarter_ymd(const struct s903_dates *d, enum s903_opnd op)
{
    switch (op) {
    case OP_QS: return d->qs_n ? d->qs_n : s903_ymd(d->qs);
    case OP_QE: return d->qe_n ? d->qe_n : s903_ymd(d->qe);
    default:    return d->y1_n ? d->y1_n : s903_ymd(d->y1);
    }
}

/* A comparison with a quarter's date for every quarter: the cell's date is
 * read once (the measures ask some forty of these per episode). */
static uint32_t compare_quarters(const struct s903_cond *c, const struct s903_cell *cells,
                                 const struct s903_dates *dates, size_t nq)
{
    const struct s903_cell *l = &cells[c->col];
    if (!l->ok || !l->iso[0])
        return 0;
    int32_t lv = s903_ymd(l->iso);
    uint32_t m = 0;
    for (size_t q = 0; q < nq; q++) {
        int32_t rv = quarter_ymd(&dates[q], c->op);
        int k = (lv > rv) - (lv < rv), holds;
        switch (c->kind) {
        case C_BEFORE:      holds = k < 0; break;
        case C_AFTER:       holds = k > 0; break;
        case C_SAME:        holds = k == 0; break;
        case C_ON_OR_AFTER: holds = k >= 0; break;
        default:            holds = k <= 0; break;
        }
        m |= (uint32_t)holds << q;
    }
    return m;
}

/* Bit q set when the condition holds in quarter q (dates[q]): one walk of
 * the tree for every quarter; only comparisons with a quarter's dates are
 * evaluated per quarter. */
uint32_t s903_cond_mask(const struct s903_cond *c, const struct s903_cell *cells,
                        const struct s903_dates *dates, size_t nq)
{
    uint32_t all = nq >= 32 ? UINT32_MAX : ((uint32_t)1 << nq) - 1, m;
    switch (c->kind) {
    case C_ALL:
        m = all;
        for (size_t i = 0; i < c->nkids && m; i++)
            m &= s903_cond_mask(&c->kids[i], cells, dates, nq);
        return m;
    case C_ANY:
        m = 0;
        for (size_t i = 0; i < c->nkids && m != all; i++)
            m |= s903_cond_mask(&c->kids[i], cells, dates, nq);
        return m;
    case C_NOT:
        return all & ~s903_cond_mask(&c->kids[0], cells, dates, nq);
    case C_PRESENT: case C_BLANK: case C_IN:
        return s903_cond_eval(c, cells, dates) ? all : 0;
    default:
        if (c->op != OP_QS && c->op != OP_QE && c->op != OP_Y1)
            return s903_cond_eval(c, cells, dates) ? all : 0;
        if (!c->op_years && !c->op_months && !c->op_days && c->ref == REF_CUR)
            return compare_quarters(c, cells, dates, nq);
        m = 0;
        for (size_t q = 0; q < nq; q++)
            m |= (uint32_t)s903_cond_eval(c, cells, &dates[q]) << q;
        return m;
    }
}

