/*
 * ssda903_child.c - the cross-row DfE rules and the derived measures, run
 * while the tables stream in rather than by queries over the stored rows.
 *
 * The header and uasc tables are read first; what the rules and measures
 * need of them is kept per child in an open-addressing index keyed by the
 * pseudonym.  Episodes then arrive grouped by child, as every SSDA903
 * extract lists them: the rows of one child are held until a row of
 * another child arrives, then put in DECOM order, checked, counted and
 * emitted.  If a child turns up again after its episodes were complete the
 * file is not grouped and the caller reads the episodes again in child
 * order from the store (ssda903_post.c), through the same functions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ssda903_child.h"

enum { KID_EPISODES = 1, KID_DONE = 2 };

/* 48 bytes a child (about 60 with its slot): with the findings, what an
 * ingest's memory grows with. */
struct kid {
    uint64_t key[2];                      /* 128 bits of the pseudonym */
    uint32_t uasc[S903_MAX_QUARTERS];     /* uasc terms met, bit per term */
    uint32_t hdr_line;                    /* first header row, 0 = none */
    int32_t extra;                        /* further header rows: index + 1 */
    uint16_t dob;                         /* year * 12 + month - 1, 0 = none */
    uint16_t nhdr;
    uint8_t state;
};

/* A header row after the child's first (INT32 has fired on it). */
struct extra_hdr {
    long line;
    uint16_t dob;
    int32_t next;
};

struct ep {
    struct s903_orow row;
    uint32_t terms[S903_MAX_QUARTERS];    /* episode terms met, bit per term */
    char xflags[128];
    size_t off, len;                      /* payload in the group's arena */
};

struct s903_kids {
    struct s903_run *run;
    struct kid *kids;
    size_t nkids, capkids;
    uint32_t *slots;                      /* kid index + 1, 0 = empty */
    size_t nslots;
    size_t next;                          /* the kid after the last one found */
    struct extra_hdr *extras;
    size_t nextras, capextras;
    /* the child whose episodes are being read */
    char pid[LIIA_PID_HEX + 1];
    struct ep *eps;
    size_t neps, capeps;
    const struct ep **order;
    liia_buf arena;
    long *counts;                         /* [quarter][measure] */
    int col_decom, col_dec, col_rne, col_rec, col_ls;
    int tab_header, tab_episodes, tab_uasc;
    sqlite3_stmt *upd[S903_MAX_TABLES];
    /* the ordered rules of each scope, in rules.json order */
    const struct s903_rule **scoped[SC_UASC + 1];
    size_t nscoped[SC_UASC + 1];
};

/* ------------------------------------------------------------ the index */

/* The first 32 hex digits of a pseudonym (lower case, as pseudo.c writes
 * them; anything else counts as 0, and a shorter string is read to its
 * end only). */
static void key_of(const char *pid, uint64_t key[2])
{
    int ended = 0;
    for (int w = 0; w < 2; w++) {
        uint64_t v = 0;
        for (int i = 0; i < 16; i++) {
            unsigned c = ended ? 0 : (unsigned char)pid[w * 16 + i];
            ended |= c == 0;
            unsigned d = c - '0' < 10 ? c - '0' : c - 'a' < 6 ? c - 'a' + 10 : 0;
            v = v << 4 | d;
        }
        key[w] = v;
    }
}

_Static_assert(sizeof(struct kid) == 48, "the child index entry grew");

/* Asks for huge pages under a fresh index array.  Each child's lookup is a
 * random access; over 4 KiB pages nearly every one is a TLB miss as well
 * as a cache miss (the slots of 10^6 children span 2,000 pages).  Only a
 * hint: without transparent huge pages nothing changes. */
static void advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    uintptr_t from = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
    uintptr_t to = ((uintptr_t)p + n) & ~(uintptr_t)4095;
    if (n >= ((size_t)2 << 20) && to > from)
        (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

static int grow_slots(struct s903_kids *k, size_t want, liia_error *e)
{
    size_t n = k->nslots ? 2 * k->nslots : 1024;
    while (n < want)
        n *= 2;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s || k->nkids >= UINT32_MAX - 1)
        return free(s), liia_fail(e, LIIA_E_NOMEM, "out of memory");
    advise_huge(s, n * sizeof *s);
    for (size_t i = 0; i < k->nkids; i++) {
        size_t h = (size_t)k->kids[i].key[0] & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = (uint32_t)i + 1;
    }
    free(k->slots);
    k->slots = s;
    k->nslots = n;
    return 0;
}

int s903_kids_reserve(struct s903_kids *k, size_t n, liia_error *e)
{
    if (n > ((size_t)1 << 26))
        n = (size_t)1 << 26;   /* a guess, not a promise: the index still grows */
    if (n > k->capkids) {
        struct kid *kids = realloc(k->kids, n * sizeof *kids);
        if (!kids)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        advise_huge(kids, n * sizeof *kids);
        k->kids = kids;
        k->capkids = n;
    }
    return 2 * n > k->nslots ? grow_slots(k, 2 * n, e) : 0;
}

/* The kid after the last one found, when it is this one: the tables of
 * an extract usually list children in the same order, and then no lookup
 * goes through the (cache-missing) hash. */
static struct kid *next_kid(struct s903_kids *k, const uint64_t key[2])
{
    struct kid *x = k->next < k->nkids ? &k->kids[k->next] : NULL;
    return x && x->key[0] == key[0] && x->key[1] == key[1] ? x : NULL;
}

/* Starts loading the child's slot while its episodes are read: the index
 * is too big for the cache and the lookup comes when the child ends. */
static void prefetch_kid(struct s903_kids *k, const char *pid)
{
    uint64_t key[2];
    if (!k->nslots)
        return;
    key_of(pid, key);
    if (next_kid(k, key))
        return;
    size_t h = (size_t)key[0] & (k->nslots - 1);
    __builtin_prefetch(&k->slots[h]);
    if (k->slots[h])
        __builtin_prefetch(&k->kids[k->slots[h] - 1]);
}

void s903_kids_prefetch_slot(struct s903_kids *k, const char *pid)
{
    uint64_t key[2];
    if (!k->nslots)
        return;
    key_of(pid, key);
    __builtin_prefetch(&k->slots[(size_t)key[0] & (k->nslots - 1)]);
}

/* The child's entry, added when new; NULL on ENOMEM (e filled). */
static struct kid *kid_of(struct s903_kids *k, const char *pid, liia_error *e)
{
    uint64_t key[2];
    key_of(pid, key);
    struct kid *x = next_kid(k, key);
    if (x)
        return k->next++, x;
    if (2 * (k->nkids + 1) > k->nslots && grow_slots(k, 0, e))
        return NULL;
    size_t h = (size_t)key[0] & (k->nslots - 1);
    for (; k->slots[h]; h = (h + 1) & (k->nslots - 1)) {
        x = &k->kids[k->slots[h] - 1];
        if (x->key[0] == key[0] && x->key[1] == key[1]) {
            k->next = k->slots[h];
            return x;
        }
    }
    if (k->nkids == k->capkids) {
        size_t cap = k->capkids ? 2 * k->capkids : 1024;
        struct kid *kids = realloc(k->kids, cap * sizeof *kids);
        if (!kids)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory"), NULL;
        k->kids = kids;
        k->capkids = cap;
    }
    x = &k->kids[k->nkids];
    memset(x, 0, sizeof *x);
    memcpy(x->key, key, sizeof key);
    k->slots[h] = (uint32_t)++k->nkids;
    k->next = k->nkids;
    return x;
}

static uint16_t month_of(const struct s903_cell *c)
{
    if (!c->ok || c->len < 7)
        return 0;
    int y = atoi(c->raw), m = atoi(c->raw + 5);
    return y > 0 && y < 5000 && m >= 1 && m <= 12 ? (uint16_t)(y * 12 + m - 1) : 0;
}

static void month_text(uint16_t v, char out[11])
{
    if (!v) {
        out[0] = '\0';
        return;
    }
    int y = v / 12, m = v % 12 + 1;
    const char t[] = {(char)('0' + y / 1000), (char)('0' + y / 100 % 10),
                      (char)('0' + y / 10 % 10), (char)('0' + y % 10), '-',
                      (char)('0' + m / 10), (char)('0' + m % 10), '-', '0', '1', '\0'};
    memcpy(out, t, sizeof t);
}

/* ------------------------------------------------------------ set up */

static int col_of(const struct s903_schema *s, int table, const char *name)
{
    return table < 0 ? -1 : s903_col_index(&s->tables[table], name);
}

struct s903_kids *s903_kids_new(struct s903_run *run, liia_error *e)
{
    struct s903_kids *k = calloc(1, sizeof *k);
    const struct s903_schema *s = run->s;
    if (!k || !(k->counts = calloc(S903_MAX_QUARTERS * (s->nmeasures + 1),
                                   sizeof *k->counts))) {
        free(k);
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    k->run = run;
    liia_buf_init(&k->arena);
    k->tab_header = s903_table_index(s, "header");
    k->tab_episodes = s903_table_index(s, "episodes");
    k->tab_uasc = s903_table_index(s, "uasc");
    k->col_decom = col_of(s, k->tab_episodes, "DECOM");
    k->col_dec = col_of(s, k->tab_episodes, "DEC");
    k->col_rne = col_of(s, k->tab_episodes, "RNE");
    k->col_rec = col_of(s, k->tab_episodes, "REC");
    k->col_ls = col_of(s, k->tab_episodes, "LS");
    for (size_t sc = 0; sc <= SC_UASC; sc++) {
        if (!(k->scoped[sc] = calloc(s->nrules + 1, sizeof *k->scoped[sc]))) {
            s903_kids_free(k);
            liia_fail(e, LIIA_E_NOMEM, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < s->nrules; i++)
            if (s->rules[i].check && s->rules[i].check->scope == (enum s903_scope)sc)
                k->scoped[sc][k->nscoped[sc]++] = &s->rules[i];
    }
    if (k->col_decom < 0 || k->col_dec < 0 || k->col_rne < 0 || k->col_rec < 0 ||
        k->col_ls < 0) {
        s903_kids_free(k);
        liia_error_fix(e, "restore schemas/ssda903/tables.json from the release");
        liia_fail(e, LIIA_E_SCHEMA, "the episodes table needs DECOM, DEC, RNE, REC and LS");
        return NULL;
    }
    return k;
}

void s903_kids_free(struct s903_kids *k)
{
    if (!k)
        return;
    for (size_t t = 0; t < S903_MAX_TABLES; t++)
        sqlite3_finalize(k->upd[t]);
    for (size_t sc = 0; sc <= SC_UASC; sc++)
        free(k->scoped[sc]);
    free(k->kids);
    free(k->slots);
    free(k->extras);
    free(k->eps);
    free(k->order);
    free(k->counts);
    liia_buf_free(&k->arena);
    free(k);
}

/* ------------------------------------------------------------ findings */

/* Reports rule r on a row and appends its code to the row's flags. */
static int fire(struct s903_kids *k, const struct s903_rule *r, long line,
                const char *value, char *xflags, size_t xsize, liia_buf *flags,
                liia_error *e)
{
    struct s903_run *run = k->run;
    const struct s903_table *t = &run->s->tables[r->table];
    if (s903_add_finding(run, r->severity, s903_table_file(run, r->table),
                         t->name, line, s903_table_colno(run, r->table, r->col),
                         t->cols[r->col].name, value && value[0] ? value : NULL,
                         value ? strlen(value) : 0, r->code, r->fix, "%s", r->message))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (flags)
        return liia_buf_appendf(flags, "%s%s", flags->len ? "," : "", r->code)
                   ? liia_fail(e, LIIA_E_NOMEM, "out of memory") : 0;
    if (xflags) {
        size_t n = strlen(xflags);
        if (n + strlen(r->code) + 2 < xsize)
            snprintf(xflags + n, xsize - n, "%s%s", n ? "," : "", r->code);
        return 0;
    }
    return s903_flag_stored(run, &k->upd[r->table], r->table, line, r->code, e);
}

/* Runs the ordered checks of one scope that fire on a header or uasc row
 * (no episode involved). */
static int row_scope(struct s903_kids *k, enum s903_scope scope, const struct kid *x,
                     long line, liia_buf *flags, liia_error *e)
{
    struct s903_orow none = {.kind = OK_HEADER, .line = line};
    struct s903_ocase c = {.cur = &none, .has_header = x && x->nhdr > 0,
                           .d = &k->run->dates};
    for (size_t i = 0; i < k->nscoped[scope]; i++) {
        const struct s903_rule *r = k->scoped[scope][i];
        if (r->check->fires(&c) && fire(k, r, line, NULL, NULL, 0, flags, e))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ terms */

/* Bit t of bits[q]: term t (of this table) holds for the row in quarter q. */
static void eval_terms(const struct s903_kids *k, int table, const struct s903_cell *stored,
                       uint32_t bits[S903_MAX_QUARTERS])
{
    const struct s903_schema *s = k->run->s;
    for (size_t q = 0; q < S903_MAX_QUARTERS; q++)
        bits[q] = 0;
    for (size_t t = 0; t < s->nterms; t++) {
        if (s->terms[t].table != table)
            continue;
        uint32_t m = s903_cond_mask(&s->terms[t].cond, stored, k->run->quarters,
                                    k->run->nquarters);
        for (size_t q = 0; m; q++, m >>= 1)
            bits[q] |= (m & 1) << t;
    }
}

/* ------------------------------------------------------------ header, uasc */

int s903_kids_header(struct s903_kids *k, const char *pid, long line,
                     const struct s903_cell *stored, liia_buf *flags, liia_error *e)
{
    if (!pid)
        return 0;
    struct kid *x = kid_of(k, pid, e);
    if (!x)
        return -1;
    int dob_col = col_of(k->run->s, k->tab_header, "DOB");
    uint16_t dob = dob_col >= 0 ? month_of(&stored[dob_col]) : 0;
    if (x->nhdr && row_scope(k, SC_HEADER_DUP, x, line, flags, e))
        return -1;
    if (x->nhdr == 0) {
        x->hdr_line = line > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)line;
        x->dob = dob;
    } else {
        if (k->nextras == k->capextras) {
            size_t cap = k->capextras ? 2 * k->capextras : 64;
            struct extra_hdr *n = realloc(k->extras, cap * sizeof *n);
            if (!n)
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            k->extras = n;
            k->capextras = cap;
        }
        k->extras[k->nextras] = (struct extra_hdr){line, dob, x->extra};
        x->extra = (int32_t)++k->nextras;
    }
    if (x->nhdr < UINT16_MAX)
        x->nhdr++;
    return 0;
}

int s903_kids_uasc(struct s903_kids *k, const char *pid, long line,
                   const struct s903_cell *stored, liia_buf *flags, liia_error *e)
{
    if (!pid)
        return 0;
    struct kid *x = kid_of(k, pid, e);
    if (!x || row_scope(k, SC_UASC, x, line, flags, e))
        return -1;
    uint32_t bits[S903_MAX_QUARTERS];
    eval_terms(k, k->tab_uasc, stored, bits);
    for (size_t q = 0; q < S903_MAX_QUARTERS; q++)
        x->uasc[q] |= bits[q];
    return 0;
}

/* ------------------------------------------------------------ episodes */

static void cell_copy(const struct s903_cell *c, char *out, size_t n)
{
    if (!c->ok) {
        out[0] = '\0';
        return;
    }
    liia_strlcpy(out, c->iso[0] ? c->iso : c->raw, n);
}

int s903_kids_episode(struct s903_kids *k, const char *pid, long line,
                      const struct s903_cell *stored, const void *payload,
                      size_t len, s903_emit_fn emit, void *ctx, liia_error *e)
{
    if (k->pid[0] && strcmp(pid, k->pid)) {
        int rc = s903_kids_end_episodes(k, emit, ctx, e);
        if (rc)
            return rc;
    }
    if (!k->pid[0]) {
        liia_strlcpy(k->pid, pid, sizeof k->pid);
        prefetch_kid(k, pid);
    }
    if (k->neps == k->capeps) {
        size_t cap = k->capeps ? 2 * k->capeps : 16;
        struct ep *eps = realloc(k->eps, cap * sizeof *eps);
        const struct ep **order = realloc(k->order, cap * sizeof *order);
        if (eps)
            k->eps = eps;
        if (order)
            k->order = order;
        if (!eps || !order)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        k->capeps = cap;
    }
    struct ep *p = &k->eps[k->neps++];
    memset(&p->row, 0, sizeof p->row);
    p->row.line = line;
    cell_copy(&stored[k->col_decom], p->row.decom, sizeof p->row.decom);
    cell_copy(&stored[k->col_dec], p->row.dec, sizeof p->row.dec);
    cell_copy(&stored[k->col_rne], p->row.rne, sizeof p->row.rne);
    cell_copy(&stored[k->col_rec], p->row.rec, sizeof p->row.rec);
    cell_copy(&stored[k->col_ls], p->row.ls, sizeof p->row.ls);
    p->row.kind = p->row.decom[0] ? OK_DATED : OK_UNDATED;
    p->xflags[0] = '\0';
    eval_terms(k, k->tab_episodes, stored, p->terms);
    p->off = k->arena.len;
    p->len = len;
    if (len && liia_buf_append(&k->arena, payload, len))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return 0;
}

/* Dated episodes by DECOM, then undated ones; by line within each. */
static int ep_order(const void *a, const void *b)
{
    const struct ep *x = *(const struct ep *const *)a, *y = *(const struct ep *const *)b;
    if (x->row.kind != y->row.kind)
        return x->row.kind < y->row.kind ? -1 : 1;
    int c = strcmp(x->row.decom, y->row.decom);
    if (c)
        return c;
    return x->row.line < y->row.line ? -1 : x->row.line > y->row.line;
}

/* The checks of one scope on one episode, once per header row of the child
 * for SC_EPISODE_HEADER (dob: the first header row's month of birth). */
static int episode_scope(struct s903_kids *k, const struct kid *x, enum s903_scope scope,
                         struct ep *p, const struct ep *prev, const struct ep *next,
                         const char *dob, liia_error *e)
{
    struct s903_ocase c = {.cur = &p->row, .prev = prev ? &prev->row : NULL,
                           .next = next ? &next->row : NULL, .dob = x->nhdr ? dob : NULL,
                           .has_header = x->nhdr > 0, .d = &k->run->dates};
    char other[11];
    for (size_t i = 0; i < k->nscoped[scope]; i++) {
        const struct s903_rule *r = k->scoped[scope][i];
        const char *v = r->check->value ? (const char *)&p->row + r->check->value : NULL;
        int32_t extra = x->extra;
        for (size_t h = 0; h < (scope == SC_EPISODE_HEADER ? x->nhdr : 1u); h++) {
            if (h > 0 && extra) {
                month_text(k->extras[extra - 1].dob, other);
                c.dob = other;
                extra = k->extras[extra - 1].next;
            }
            if (r->check->fires(&c) &&
                fire(k, r, p->row.line, v, p->xflags, sizeof p->xflags, NULL, e))
                return -1;
        }
        c.dob = x->nhdr ? dob : NULL;
    }
    return 0;
}

static int check_child(struct s903_kids *k, const struct kid *x, liia_error *e)
{
    size_t dated = 0;
    for (size_t i = 0; i < k->neps; i++) {
        k->order[i] = &k->eps[i];
        dated += k->eps[i].row.kind == OK_DATED;
    }
    if (k->neps > 1)
        qsort(k->order, k->neps, sizeof *k->order, ep_order);
    char dob[11];
    month_text(x->dob, dob);
    for (size_t i = 0; i < k->neps; i++) {
        struct ep *p = (struct ep *)k->order[i];
        if (i < dated && episode_scope(k, x, SC_DATED, p, i ? k->order[i - 1] : NULL,
                                       i + 1 < dated ? k->order[i + 1] : NULL, dob, e))
            return -1;
        if (episode_scope(k, x, SC_EPISODE, p, NULL, NULL, dob, e) ||
            episode_scope(k, x, SC_EPISODE_HEADER, p, NULL, NULL, dob, e))
            return -1;
    }
    return 0;
}

/* Counts the child into every measure whose terms it meets. */
static void count_child(struct s903_kids *k, const struct kid *x)
{
    const struct s903_run *run = k->run;
    const struct s903_schema *s = run->s;
    for (size_t q = 0; q < run->nquarters; q++) {
        /* how many of the child's episodes meet each term this quarter */
        uint32_t any = 0;
        for (size_t i = 0; i < k->neps; i++)
            any |= k->eps[i].terms[q];
        if (!any && !x->uasc[q])
            continue;
        int met_by[S903_MAX_TERMS] = {0};
        for (size_t i = 0; i < k->neps; i++)
            for (uint32_t b = k->eps[i].terms[q]; b; b &= b - 1)
                met_by[__builtin_ctz(b)]++;
        for (size_t m = 0; m < s->nmeasures; m++) {
            const struct s903_measure *ms = &s->measures[m];
            if (ms->requires && !strcmp(ms->requires, "uasc") && !run->have_uasc)
                continue;
            int met = 1;
            for (size_t t = 0; t < ms->nterms && met; t++) {
                int term = ms->terms[t].term;
                met = s->terms[term].table == k->tab_episodes
                          ? met_by[term] >= ms->terms[t].at_least
                          : (x->uasc[q] >> term & 1) != 0;
            }
            k->counts[q * s->nmeasures + m] += met;
        }
    }
}

int s903_kids_end_episodes(struct s903_kids *k, s903_emit_fn emit, void *ctx,
                           liia_error *e)
{
    if (!k->pid[0])
        return 0;
    struct kid *x = kid_of(k, k->pid, e);
    if (!x)
        return -1;
    if (x->state & KID_DONE)
        return S903_UNGROUPED;
    x->state |= KID_EPISODES | KID_DONE;
    if (check_child(k, x, e))
        return -1;
    count_child(k, x);
    for (size_t i = 0; i < k->neps; i++) {
        const struct ep *p = &k->eps[i];
        if (emit(ctx, p->row.line, p->xflags, k->arena.data + p->off, p->len, e))
            return -1;
    }
    k->neps = 0;
    k->pid[0] = '\0';
    liia_buf_reset(&k->arena);
    return 0;
}

void s903_kids_reset_episodes(struct s903_kids *k)
{
    for (size_t i = 0; i < k->nkids; i++)
        k->kids[i].state = 0;
    k->neps = 0;
    k->pid[0] = '\0';
    liia_buf_reset(&k->arena);
    memset(k->counts, 0, S903_MAX_QUARTERS * (k->run->s->nmeasures + 1) * sizeof *k->counts);
}

int s903_kids_finish(struct s903_kids *k, liia_error *e)
{
    for (size_t i = 0; i < k->nkids; i++) {
        const struct kid *x = &k->kids[i];
        if (!x->nhdr || (x->state & KID_EPISODES))
            continue;
        if (row_scope(k, SC_HEADER_ALONE, x, (long)x->hdr_line, NULL, e))
            return -1;
        for (int32_t h = x->extra; h; h = k->extras[h - 1].next)
            if (row_scope(k, SC_HEADER_ALONE, x, k->extras[h - 1].line, NULL, e))
                return -1;
    }
    return 0;
}

long s903_kids_count(const struct s903_kids *k, size_t q, size_t m)
{
    return k->counts[q * k->run->s->nmeasures + m];
}

int s903_flag_stored(struct s903_run *run, sqlite3_stmt **upd, int table, long line,
                     const char *code, liia_error *e)
{
    if (!*upd) {
        char *sql = sqlite3_mprintf(
            "UPDATE \"%w\" SET flags = COALESCE(flags || ',', '') || ?3 "
            "WHERE id = " S903_ROW_KEY, run->s->tables[table].store);
        int rc = sql ? liia_db_prepare(run->db, sql, upd, e)
                     : liia_fail(e, LIIA_E_NOMEM, "out of memory");
        sqlite3_free(sql);
        if (rc)
            return -1;
    }
    sqlite3_bind_int64(*upd, 1, run->sid);
    sqlite3_bind_int64(*upd, 2, line);
    sqlite3_bind_text(*upd, 3, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(*upd);
    sqlite3_reset(*upd);
    return rc == SQLITE_DONE ? 0 : liia_db_fail(e, run->db, "flagging a row");
}
