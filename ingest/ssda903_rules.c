/* ssda903_rules.c - DfE dates and the rule condition evaluator (row rules
 * on one row; child rules on a row and the child's other records). */
#include <stddef.h>
#include <stdint.h>
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

/* Written by hand: dates are formatted for every date cell and every age
 * check, and snprintf was a measurable share of the load.  0 <= y <= 9999. */
static void format_iso(int y, int m, int d, char iso[11])
{
    const int parts[] = {y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10, -1,
                         m / 10, m % 10, -1, d / 10, d % 10};
    for (int i = 0; i < 10; i++)
        iso[i] = parts[i] < 0 ? '-' : (char)('0' + parts[i]);
    iso[10] = '\0';
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
    format_iso(y, m, d, iso);
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
    if (y < 0 || y > 9999) {
        out[0] = '\0';
        return;
    }
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    format_iso(y, m, d, out);
}

static long days_from_civil(int y, int m, int d)
{
    /* H. Hinnant's days_from_civil: days since 1970-01-01. */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void s903_add_ymd(const char *iso, int years, int months, int days, char out[11])
{
    int y = 0, m = 1, d = 1;
    out[0] = '\0';
    if (digits(iso, 4, &y) || digits(iso + 5, 2, &m) || digits(iso + 8, 2, &d) ||
        m < 1 || m > 12 || years < -9999 || years > 9999 || months < -120000 ||
        months > 120000 || days < -3660000 || days > 3660000)
        return;
    long mm = (long)(y + years) * 12 + (m - 1) + months;
    y = (int)(mm / 12);
    m = (int)(mm % 12) + 1;
    if (y < 1 || y > 9999)
        return;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    if (days)
        civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return;
    format_iso(y, m, d, out);
}

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

void s903_iso_of_ymd(int32_t ymd, char iso[11])
{
    format_iso(ymd / 10000 % 10000, ymd / 100 % 100, ymd % 100, iso);
}

int32_t s903_ymd(const char *iso)
{
    int32_t v = 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7)
            v = v * 10 + (iso[i] - '0');
    return v;
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

