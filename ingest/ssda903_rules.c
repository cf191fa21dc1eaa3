/* ssda903_rules.c - DfE dates and the row-rule condition evaluator. */
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
    case OP_QS:    base = d->qs; break;
    case OP_QE:    base = d->qe; break;
    case OP_Y1:    base = d->y1; break;
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
    /* Both are YYYY-MM-DD: ten bytes compare as the dates do (inline: this
     * runs for every term of every measure, each quarter, each row). */
    int k = 0;
    for (int i = 0; i < 10 && !k; i++)
        k = (unsigned char)l->iso[i] - (unsigned char)r[i];
    switch (c->kind) {
    case C_BEFORE: return k < 0;
    case C_AFTER:  return k > 0;
    case C_SAME:   return k == 0;
    case C_ON_OR_AFTER: return k >= 0;
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
        if (c->has_code_bits && cells[c->col].code)
            return (int)(c->code_bits >> (cells[c->col].code - 1) & 1);
        return cells[c->col].len > 0 && s903_codes_has(&c->codes, cells[c->col].raw);
    default:
        return compare(c, cells, d);
    }
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
        if (!c->op_years)
            return compare_quarters(c, cells, dates, nq);
        m = 0;
        for (size_t q = 0; q < nq; q++)
            m |= (uint32_t)compare(c, cells, &dates[q]) << q;
        return m;
    }
}

/* ------------------------------------------------------------ ordered checks
 *
 * DfE rules that need a child's episodes in DECOM order, or the child's
 * header row.  They run in one pass over the stored rows sorted by child
 * (ssda903_post.c), so each check is a predicate on its neighbours.  Dates
 * of birth are stored as the first of the month: an "under N" age uses that
 * day and an "N or over" age the end of the month, so a check never fires
 * on a child it cannot be sure about. */

static int is(const char *v, const char *code)
{
    return v[0] && !strcmp(v, code);
}

static int in3(const char *v, const char *a, const char *b, const char *c)
{
    return is(v, a) || is(v, b) || (c && is(v, c));
}

/* First day of the month after the birth month, plus years: the first day
 * on which the child is certainly that old. */
static void certainly_aged(const char *dob, int years, char out[11])
{
    int y = 0, m = 0;
    if (digits(dob, 4, &y) || digits(dob + 5, 2, &m) || m < 1 || m > 12) {
        out[0] = '\0';
        return;
    }
    char first[11];
    format_iso(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, first);
    s903_add_years(first, years, out);
}

/* date < dob + years (first of the birth month), both given. */
static int younger_than(const char *date, const char *dob, int years)
{
    char lim[11];
    if (!date[0] || !dob || !dob[0])
        return 0;
    s903_add_years(dob, years, lim);
    return lim[0] && strcmp(date, lim) < 0;
}

static int at_least(const char *date, const char *dob, int years)
{
    char lim[11];
    if (!date[0] || !dob || !dob[0])
        return 0;
    certainly_aged(dob, years, lim);
    return lim[0] && strcmp(date, lim) >= 0;
}

static int c142(const struct s903_ocase *c) { return !c->cur->dec[0] && c->next; }
static int c501(const struct s903_ocase *c)
{
    return c->prev && c->prev->dec[0] && strcmp(c->cur->decom, c->prev->dec) < 0;
}
static int c433(const struct s903_ocase *c)
{
    const char *r = c->cur->rne;
    return (in3(r, "P", "L", "T") || in3(r, "U", "B", NULL)) && c->prev &&
           c->prev->dec[0] && strcmp(c->prev->dec, c->cur->decom) != 0;
}
static int c431(const struct s903_ocase *c)
{
    return is(c->cur->rne, "S") && c->prev && !strcmp(c->prev->dec, c->cur->decom);
}
static int c357(const struct s903_ocase *c)
{
    return !c->prev && c->cur->rne[0] && !is(c->cur->rne, "S") &&
           strcmp(c->cur->decom, c->d->start) >= 0;
}
static int c388(const struct s903_ocase *c)
{
    return is(c->cur->rec, "X1") && c->cur->dec[0] && !c->next;
}
static int c437(const struct s903_ocase *c)
{
    return in3(c->cur->rec, "E2", "E15", NULL) && c->next;
}
static int c302(const struct s903_ocase *c)
{
    return c->cur->decom[0] && c->dob && c->dob[0] && strcmp(c->cur->decom, c->dob) < 0;
}
static int c358(const struct s903_ocase *c)
{
    return in3(c->cur->ls, "J1", "J2", "J3") && younger_than(c->cur->decom, c->dob, 10);
}
static int c352(const struct s903_ocase *c)
{
    return is(c->cur->rne, "S") && at_least(c->cur->decom, c->dob, 18);
}
static int c386(const struct s903_ocase *c)
{
    return in3(c->cur->rec, "E11", "E12", NULL) && at_least(c->cur->dec, c->dob, 18);
}
static int c387(const struct s903_ocase *c)
{
    return is(c->cur->rec, "E5") && younger_than(c->cur->dec, c->dob, 14);
}
static int c389(const struct s903_ocase *c)
{
    return is(c->cur->rec, "E7") && younger_than(c->cur->dec, c->dob, 16);
}
static int no_header(const struct s903_ocase *c) { return !c->has_header; }
static int always(const struct s903_ocase *c) { (void)c; return 1; }

#define F(f) offsetof(struct s903_orow, f)

static const struct s903_check checks[] = {
    {"142", SC_DATED, F(decom), c142},
    {"501", SC_DATED, F(decom), c501},
    {"433", SC_DATED, F(rne), c433},
    {"431", SC_DATED, F(rne), c431},
    {"357", SC_DATED, F(rne), c357},
    {"388", SC_DATED, F(rec), c388},
    {"437", SC_DATED, F(rec), c437},
    {"302", SC_EPISODE_HEADER, F(decom), c302},
    {"358", SC_EPISODE_HEADER, F(ls), c358},
    {"352", SC_EPISODE_HEADER, F(decom), c352},
    {"386", SC_EPISODE_HEADER, F(rec), c386},
    {"387", SC_EPISODE_HEADER, F(rec), c387},
    {"389", SC_EPISODE_HEADER, F(rec), c389},
    {"INT03", SC_EPISODE, 0, no_header},
    {"EPI", SC_HEADER_ALONE, 0, always},
    {"INT32", SC_HEADER_DUP, 0, always},
    {"INT09", SC_UASC, 0, no_header},
};

const struct s903_check *s903_check_find(const char *code)
{
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++)
        if (!strcmp(checks[i].code, code))
            return &checks[i];
    return NULL;
}
