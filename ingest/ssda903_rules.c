/* ssda903_rules.c - the rule condition evaluator (row rules
 * on one row; child rules on a row and the child's other records). */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "liia_engine.h"
#include "ssda903_internal.h"

_Static_assert(offsetof(struct s903_cond, pick) + sizeof(int) <= 64,
               "what an evaluation reads of a condition fits one cache line");

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
static int date_span(int32_t a, int month, const struct s903_cond *c, int shift,
                     int32_t *lo, int32_t *hi)
{
    if (!a)
        return 0;
    int32_t b = month ? s903_ymd_month_end(a) : a;
    if (shift && c->shifted) {
        a = s903_ymd_add(a, c->op_years, c->op_months, c->op_days);
        b = month ? s903_ymd_add(b, c->op_years, c->op_months, c->op_days) : a;
    }
    if (!a || !b)
        return 0;
    *lo = a;
    *hi = b;
    return 1;
}

/* A date of the collection (0 when not set) as yyyymmdd. */
static int32_t ymd_or(int32_t n, const char *iso)
{
    return n ? n : iso[0] ? s903_ymd(iso) : 0;
}

/* The right-hand side of a comparison as a span; 0 when it is missing. */
static int operand(const struct s903_cond *c, const struct s903_rows *rows,
                   const struct s903_dates *d, int32_t *lo, int32_t *hi)
{
    int32_t base;
    int month = 0;
    switch (c->op) {
    case OP_COL: {
        const struct s903_cell *x = cell_of(rows, c->op_ref, c->op_col);
        if (!x || !x->ok)
            return 0;
        base = s903_cell_ymd(x);
        month = x->month;
        break;
    }
    case OP_START: base = ymd_or(d->start_n, d->start); break;
    case OP_END:   base = ymd_or(d->end_n, d->end); break;
    case OP_QS:    base = ymd_or(d->qs_n, d->qs); break;
    case OP_QE:    base = ymd_or(d->qe_n, d->qe); break;
    case OP_Y1:    base = ymd_or(d->y1_n, d->y1); break;
    default:       base = ymd_or(c->op_ymd, c->op_date); break;
    }
    if (!date_span(base, month, c, 1, lo, hi))
        return 0;
    /* N working days on: a day, from a day (not a month's span) */
    if (c->op_wdays && (*lo != *hi || !liia_working_day_shift(d->cal, *lo, c->op_wdays, lo)))
        return 0;
    if (c->op_wdays)
        *hi = *lo;
    return 1;
}

/* A comparison holds when it holds whichever day each span stands for. */
static int compare(const struct s903_cond *c, const struct s903_rows *rows,
                   const struct s903_dates *d)
{
    const struct s903_cell *l = cell_of(rows, c->ref, c->col);
    int32_t llo, lhi, rlo, rhi;
    if (!l || !l->ok || !date_span(s903_cell_ymd(l), l->month, c, 0, &llo, &lhi) ||
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

/* How many of the child's records meet the aggregate's where (each seen
 * as the row, with the child's header and parts), within its limits; or
 * (first, last) whether the first or last record meeting it meets holds. */
static int count_holds(const struct s903_cond *c, const struct s903_rows *rows,
                       const struct s903_dates *d)
{
    struct s903_rows one = {.row = {NULL, NULL, NULL, rows->row[REF_HEADER]},
                            .exists = rows->exists & ~(((uint32_t)1 << S903_EX_PART) - 1)};
    one.exists |= rows->exists & (uint32_t)1 << REF_HEADER;
    /* another part's records (a cross rule): this record is outer. */
    struct s903_part_recs recs = {rows->all, rows->nall, rows->pfirst, rows->plast};
    one.row[REF_OUTER] = rows->row[REF_CUR];   /* outer.COL: the rule's record */
    if (c->part >= 0) {
        static const struct s903_part_recs none = {NULL, 0, NULL, NULL};
        recs = rows->other ? rows->other[c->part] : none;
    }
    long n = 0;
    for (size_t k = 0; k < recs.n && n <= c->at_most; k++) {
        size_t i = c->pick == 2 ? recs.n - 1 - k : k;   /* last: from the end */
        one.row[REF_CUR] = recs.rec[i];
        one.earlier = c->part < 0 && i + 1 < rows->at1;
        if (recs.pfirst) {   /* the counted record's period */
            one.row[REF_PFIRST] = recs.pfirst[i] == UINT32_MAX ? NULL : recs.rec[recs.pfirst[i]];
            one.row[REF_PLAST] = recs.plast[i] == UINT32_MAX ? NULL : recs.rec[recs.plast[i]];
        }
        if (c->pick) {   /* the first met (from the end: last) is the one */
            if (s903_cond_eval_rows(&c->kids[0], &one, d))
                return s903_cond_eval_rows(&c->kids[1], &one, d);
            continue;
        }
        n += s903_cond_eval_rows(&c->kids[0], &one, d);
        if (n >= c->at_least && c->at_most == LONG_MAX)
            return 1;
    }
    return !c->pick && n >= c->at_least && n <= c->at_most;
}

/* {"working_days": [FROM, TO], ...}: both real dates (not known to the
 * month only) and their working days within the bounds. */
static int workdays_hold(const struct s903_cond *c, const struct s903_rows *rows,
                         const struct s903_dates *d)
{
    const struct s903_cell *x = cell_of(rows, c->ref, c->col);
    const struct s903_cell *y = cell_of(rows, c->op_ref, c->op_col);
    long n;
    return x && y && x->len && y->len && x->ok && y->ok && !x->month && !y->month &&
           liia_working_days(d->cal, s903_cell_ymd(x), s903_cell_ymd(y), &n) &&
           n >= c->at_least && n <= c->at_most;
}

/* The cell matches the pattern.  PCRE2 stops backtracking at its match
 * limit (a pattern with nested repeats on a long cell); glibc's matcher,
 * which does not backtrack so, then answers. */
static int matches(const struct s903_cond *c, const struct s903_cell *x)
{
    int rc = pcre2_match(c->re, (PCRE2_SPTR)x->raw, x->len, 0, 0, c->md, c->limit);
    if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)
        return rc >= 0;
    return regexec(c->posix, x->raw, 0, NULL, 0) == 0;
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
    case C_COUNT:
        return count_holds(c, rows, d);
    case C_EQUALS: {
        /* both given and the same text (codes, dates as stored) */
        const struct s903_cell *y = cell_of(rows, c->op_ref, c->op_col);
        x = cell_of(rows, c->ref, c->col);
        return x && y && x->len && x->len == y->len && !memcmp(x->raw, y->raw, x->len);
    }
    case C_MATCHES:
        x = cell_of(rows, c->ref, c->col);
        return x && x->len && matches(c, x);
    case C_PRESENT:
        x = cell_of(rows, c->ref, c->col);
        return x && x->len > 0;
    case C_BLANK:
        x = cell_of(rows, c->ref, c->col);
        return !x || x->len == 0;
    case C_DATED:
        x = cell_of(rows, c->ref, c->col);
        return x && x->len && x->ok && x->iso[0];
    case C_EARLIER:
        return rows->earlier;
    case C_WORKDAYS:
        return workdays_hold(c, rows, d);
    case C_REPEATED:
        x = cell_of(rows, c->ref, c->col);
        return x && x->len && s903_seen_add(c->seen, x->raw, x->len) == 1;
    case C_WEEKDAY:
        x = cell_of(rows, c->ref, c->col);
        return x && x->len && x->ok && x->iso[0] && !x->month &&
               (int)(c->code_bits >> s903_ymd_weekday(s903_cell_ymd(x)) & 1);
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

void s903_periods(const struct s903_cell *const *rec, size_t n, size_t ndated,
                  int start_col, int end_col, uint32_t *pfirst, uint32_t *plast)
{
    size_t first = 0;
    for (size_t i = 0; i < n; i++)
        pfirst[i] = plast[i] = UINT32_MAX;
    for (size_t i = 0; i < ndated; i++) {
        const struct s903_cell *end = i ? &rec[i - 1][end_col] : NULL;
        const struct s903_cell *start = &rec[i][start_col];
        if (end && end->ok && end->iso[0] && start->ok && strcmp(start->iso, end->iso) > 0) {
            for (size_t j = first; j < i; j++)
                plast[j] = (uint32_t)(i - 1);
            first = i;
        }
        pfirst[i] = (uint32_t)first;
    }
    for (size_t j = first; j < ndated; j++)
        plast[j] = (uint32_t)(ndated - 1);
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
    int32_t lv = l->ok ? s903_cell_ymd(l) : 0;
    if (!lv)
        return 0;
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
    case C_PRESENT: case C_BLANK:
        /* the row's own cell, read here: the terms ask these of every row */
        if (c->ref == REF_CUR)
            return (cells[c->col].len > 0) == (c->kind == C_PRESENT) ? all : 0;
        return s903_cond_eval(c, cells, dates) ? all : 0;
    case C_IN: case C_DATED:
        return s903_cond_eval(c, cells, dates) ? all : 0;
    default:
        if (c->op != OP_QS && c->op != OP_QE && c->op != OP_Y1)
            return s903_cond_eval(c, cells, dates) ? all : 0;
        if (!c->shifted && c->ref == REF_CUR)
            return compare_quarters(c, cells, dates, nq);
        m = 0;
        for (size_t q = 0; q < nq; q++)
            m |= (uint32_t)s903_cond_eval(c, cells, &dates[q]) << q;
        return m;
    }
}


uint32_t s903_cond_mask_rows(const struct s903_cond *c, const struct s903_rows *rows,
                             const struct s903_dates *dates, size_t nq)
{
    uint32_t all = nq >= 32 ? UINT32_MAX : ((uint32_t)1 << nq) - 1, m;
    if (!c->quarterly)   /* the same answer every quarter: asked once */
        return s903_cond_eval_rows(c, rows, dates) ? all : 0;
    switch (c->kind) {
    case C_ALL:
        m = all;
        for (size_t i = 0; i < c->nkids && m; i++)
            m &= s903_cond_mask_rows(&c->kids[i], rows, dates, nq);
        return m;
    case C_ANY:
        m = 0;
        for (size_t i = 0; i < c->nkids && m != all; i++)
            m |= s903_cond_mask_rows(&c->kids[i], rows, dates, nq);
        return m;
    case C_NOT:
        return all & ~s903_cond_mask_rows(&c->kids[0], rows, dates, nq);
    default: {
        const struct s903_cell *row = rows->row[REF_CUR];
        if (c->kind >= C_BEFORE && !c->shifted && c->ref == REF_CUR && row &&
            !row[c->col].month && c->op != OP_COL && c->op != OP_DATE)
            return compare_quarters(c, row, dates, nq);
        m = 0;
        for (size_t q = 0; q < nq; q++)
            m |= (uint32_t)s903_cond_eval_rows(c, rows, &dates[q]) << q;
        return m;
    }
    }
}

/* ------------------------------------------------------------ seen values */

struct s903_seen {
    /* h 0: an empty slot; the text at off in text, len bytes */
    struct seen_slot { uint64_t h; uint32_t off, len; } *slot;
    uint64_t *val;                  /* with values: one a slot */
    size_t n, cap;
    int with_values;
    liia_buf text;
};

struct s903_seen *s903_seen_new(int with_values)
{
    struct s903_seen *s = calloc(1, sizeof *s);
    if (s) {
        s->with_values = with_values;
        liia_buf_init(&s->text);
    }
    return s;
}

/* 8 bytes a step (an identifier is a few words): a multiply-xorshift
 * mix; the byte-at-a-time FNV-1a it replaced was 2% of a census ingest. */
static uint64_t seen_hash(const char *v, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = 0;
        memcpy(&w, v + i, n - i < 8 ? n - i : 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    return h ? h : 1;
}

/* The slot of (h, v) in slot[0..cap): its own, or the empty one where it
 * goes; v NULL: the first empty one (moving distinct entries). */
static size_t seen_find(const struct s903_seen *s, const struct seen_slot *slot, size_t cap,
                        uint64_t h, const char *v, size_t n)
{
    size_t i = (size_t)(h >> 7) & (cap - 1);
    while (slot[i].h && (!v || slot[i].h != h || slot[i].len != n ||
                         memcmp(s->text.data + slot[i].off, v, n)))
        i = (i + 1) & (cap - 1);
    return i;
}

static int seen_grow(struct s903_seen *s)
{
    size_t cap = s->cap ? 2 * s->cap : 4096;
    /* Zeroed by writing, not by calloc: calloc's fresh pages are the
     * shared zero page until written, and the first write to each (after
     * a probe has read it) faults again and flushes every other thread's
     * TLB: 2% of a census ingest, its writer and parse threads running.
     * OPENSSL_cleanse, as the compiler turns malloc + memset into calloc. */
    struct seen_slot *slot = malloc(cap * sizeof *slot);
    uint64_t *val = s->with_values ? malloc(cap * sizeof *val) : NULL;
    if (!slot || (s->with_values && !val)) {
        free(slot);
        free(val);
        return -1;
    }
    OPENSSL_cleanse(slot, cap * sizeof *slot);
    if (val)
        OPENSSL_cleanse(val, cap * sizeof *val);
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i].h) {
            size_t at = seen_find(s, slot, cap, s->slot[i].h, NULL, 0);
            slot[at] = s->slot[i];
            if (val)
                val[at] = s->val[i];
        }
    free(s->slot);
    free(s->val);
    s->slot = slot;
    s->val = val;
    s->cap = cap;
    return 0;
}

/* The slot of v, added when new (*found 0); -1 when memory runs out. */
static long seen_put(struct s903_seen *s, const char *v, size_t n, int *found)
{
    if (n > UINT32_MAX || s->text.len + n > UINT32_MAX ||
        (2 * (s->n + 1) > s->cap && seen_grow(s)))
        return -1;
    uint64_t h = seen_hash(v, n);
    size_t at = seen_find(s, s->slot, s->cap, h, v, n);
    if ((*found = s->slot[at].h != 0))
        return (long)at;
    size_t off = s->text.len;
    if (liia_buf_append(&s->text, v, n))
        return -1;
    s->slot[at] = (struct seen_slot){h, (uint32_t)off, (uint32_t)n};
    s->n++;
    return (long)at;
}

int s903_seen_add(struct s903_seen *s, const char *v, size_t n)
{
    int found = 0;
    return s && seen_put(s, v, n, &found) >= 0 ? found : 0;
}

uint64_t *s903_seen_value(struct s903_seen *s, const char *v, size_t n)
{
    int found;
    long at = s && s->with_values ? seen_put(s, v, n, &found) : -1;
    return at < 0 ? NULL : &s->val[at];
}

void s903_seen_free(struct s903_seen *s)
{
    if (!s)
        return;
    if (s->text.data)
        OPENSSL_cleanse(s->text.data, s->text.len);
    liia_buf_free(&s->text);
    free(s->slot);
    free(s->val);
    free(s);
}

/* ------------------------------------------------------------ rule sets */

/* A table's rules of one phase with, for each code column that some rule
 * tests on the row itself (in, not in, present, blank as a term of its
 * top-level all), which rules each value of that column leaves possible:
 * a row then evaluates only the rules its codes do not already rule out
 * (most rules start with a code test most rows fail). */
struct guard {
    int col;
    size_t nvals;                  /* 0 blank, 1..n a listed code, n + 1 any
                                    * other value (2 for a column without codes) */
    uint64_t *admit;               /* [value][word]: bit i, rule i possible */
};

struct s903_ruleset {
    const struct s903_rule **rules;
    size_t n, words;
    struct guard *g;
    size_t ng;
};

/* 1 when a term may hold for a cell of value v (guard numbering above). */
static int term_admits(const struct s903_cond *t, size_t v, size_t nvals)
{
    int neg = t->kind == C_NOT;
    const struct s903_cond *k = neg ? &t->kids[0] : t;
    int r;
    if (v == 0)
        r = k->kind == C_BLANK;
    else if (k->kind == C_IN && v == nvals - 1)
        return 1;                      /* a code of no list: evaluate it */
    else if (k->kind == C_IN)
        r = (int)(k->code_bits >> (v - 1) & 1);
    else
        r = k->kind == C_PRESENT;
    return neg ? !r : r;
}

/* The column a term tests on the row itself (a code, or blank or not),
 * -1 if none usable. */
static int guard_col(const struct s903_cond *t, const struct s903_table *tab)
{
    const struct s903_cond *k = t->kind == C_NOT ? &t->kids[0] : t;
    if (k->ref != REF_CUR)
        return -1;
    if (k->kind == C_IN ? !k->has_code_bits || tab->cols[k->col].type != S903_CODE
                        : k->kind != C_PRESENT && k->kind != C_BLANK)
        return -1;
    return k->col;
}

static struct guard *guard_of(struct s903_ruleset *rs, const struct s903_table *tab, int col)
{
    for (size_t i = 0; i < rs->ng; i++)
        if (rs->g[i].col == col)
            return &rs->g[i];
    struct guard *g = &rs->g[rs->ng];
    g->col = col;
    /* a column of another type: blank or not */
    g->nvals = tab->cols[col].type == S903_CODE ? tab->cols[col].codes.n + 2 : 2;
    if (!(g->admit = malloc(g->nvals * rs->words * sizeof *g->admit)))
        return NULL;
    memset(g->admit, 0xff, g->nvals * rs->words * sizeof *g->admit);
    rs->ng++;
    return g;
}

/* Narrows the guards by the terms of rule i's top-level all. */
static int guard_rule(struct s903_ruleset *rs, const struct s903_table *tab, size_t i)
{
    const struct s903_cond *c = &rs->rules[i]->cond;
    size_t nt = c->kind == C_ALL ? c->nkids : 1;
    for (size_t j = 0; j < nt; j++) {
        const struct s903_cond *t = c->kind == C_ALL ? &c->kids[j] : c;
        int col = guard_col(t, tab);
        struct guard *g = col < 0 ? NULL : guard_of(rs, tab, col);
        if (col >= 0 && !g)
            return -1;
        for (size_t v = 0; g && v < g->nvals; v++)
            if (!term_admits(t, v, g->nvals))
                g->admit[v * rs->words + i / 64] &= ~((uint64_t)1 << (i % 64));
    }
    return 0;
}

/* The rules of rules[0..n) on table, of phase when (-1: any). */
static struct s903_ruleset *ruleset_list(const struct s903_schema *s, int table,
                                         const struct s903_rule *rules, size_t n, int when,
                                         liia_error *e)
{
    const struct s903_table *tab = &s->tables[table];
    struct s903_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs || !(rs->rules = calloc(n + 1, sizeof *rs->rules)) ||
        !(rs->g = calloc(tab->ncols + 1, sizeof *rs->g)))
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (!rules[i].sql && (when < 0 || (int)rules[i].when == when) &&
            rules[i].table == table)
            rs->rules[rs->n++] = &rules[i];
    rs->words = (rs->n + 63) / 64;
    for (size_t i = 0; i < rs->n; i++)
        if (guard_rule(rs, tab, i))
            goto nomem;
    return rs;
nomem:
    s903_ruleset_free(rs);
    liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return NULL;
}

struct s903_ruleset *s903_ruleset_new(const struct s903_schema *s, int table,
                                      enum s903_when when, liia_error *e)
{
    return ruleset_list(s, table, s->rules, s->nrules, (int)when, e);
}

struct s903_ruleset *s903_ruleset_of(const struct s903_schema *s, int table,
                                     const struct s903_rule *rules, size_t n, liia_error *e)
{
    return ruleset_list(s, table, rules, n, -1, e);
}

void s903_ruleset_free(struct s903_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->ng; i++)
        free(rs->g[i].admit);
    free(rs->g);
    free(rs->rules);
    free(rs);
}

size_t s903_ruleset_size(const struct s903_ruleset *rs)
{
    return rs ? rs->n : 0;
}

/* Word w of the rules the row's own codes (and blanks) leave possible. */
static uint64_t guarded(const struct s903_ruleset *rs, const struct s903_rows *rows, size_t w)
{
    uint64_t m = w + 1 < rs->words || rs->n % 64 == 0
                     ? UINT64_MAX : ((uint64_t)1 << rs->n % 64) - 1;
    for (size_t i = 0; i < rs->ng && m; i++) {
        const struct guard *g = &rs->g[i];
        const struct s903_cell *x = &rows->row[REF_CUR][g->col];
        size_t v = !x->len ? 0 : x->code > 0 && (size_t)x->code < g->nvals - 1
                                      ? (size_t)x->code : g->nvals - 1;
        m &= g->admit[v * rs->words + w];
    }
    return m;
}

int s903_ruleset_run(const struct s903_ruleset *rs, const struct s903_rows *rows,
                     const struct s903_dates *d, s903_hit_fn fn, void *ctx)
{
    for (size_t w = 0; rs && w < rs->words; w++)
        for (uint64_t m = guarded(rs, rows, w); m; m &= m - 1) {
            const struct s903_rule *r = rs->rules[w * 64 + (size_t)__builtin_ctzll(m)];
            if (s903_cond_eval_rows(&r->cond, rows, d) && fn(ctx, r))
                return -1;
        }
    return 0;
}

int s903_ruleset_run_quarters(const struct s903_ruleset *rs, const struct s903_rows *rows,
                              const struct s903_dates *dates, size_t nq,
                              s903_quarters_fn fn, void *ctx)
{
    for (size_t w = 0; rs && w < rs->words; w++)
        for (uint64_t m = guarded(rs, rows, w); m; m &= m - 1) {
            const struct s903_rule *r = rs->rules[w * 64 + (size_t)__builtin_ctzll(m)];
            uint32_t q = s903_cond_mask_rows(&r->cond, rows, dates, nq);
            if (q && fn(ctx, r, q))
                return -1;
        }
    return 0;
}
