/*
 * ssda903_child.c - the cross-row DfE rules and the derived measures, run
 * while the tables stream in rather than by queries over the stored rows.
 *
 * The header and uasc tables are read first; what the rules and measures
 * need of them is kept per child in an open-addressing index keyed by the
 * pseudonym.  Episodes then arrive grouped by child, as every SSDA903
 * extract lists them: the rows of one child are held until a row of
 * another child arrives, then put in DECOM order, checked, counted and
 * emitted.  The child rules (rules whose condition reads prev., next.,
 * header. or 'exists') run here on the values as stored.  If a child
 * turns up again after its episodes were complete the
 * file is not grouped and the caller reads the episodes again in child
 * order from the store (ssda903_post.c), through the same functions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ssda903_child.h"
#include "ssda903_cross.h"

enum { KID_EPISODES = 1, KID_DONE = 2 };

/* 48 bytes a child (about 60 with its slot): with the findings, what an
 * ingest's memory grows with. */
struct kid {
    uint64_t key[2];                      /* 128 bits of the pseudonym */
    uint32_t terms[S903_MAX_QUARTERS];    /* other parts' terms met, bit per term */
    uint32_t hdr_line;                    /* first header row, 0 = none */
    int32_t extra;                        /* further header rows: index + 1 */
    uint32_t parts;                       /* bit p: a row in other part p */
    uint16_t nhdr;
    uint8_t state;
};

/* A header row after the child's first. */
struct extra_hdr {
    long line;
    int32_t next;
};

/* An episode of the child being read: its stored cells are ep_cells()
 * (texts in the group's arena at ep_toff(), pointed at once the child is
 * complete). */
struct ep {
    long line, record;
    int dated;
    int32_t decom;                        /* yyyymmdd when dated */
    uint32_t terms[S903_MAX_QUARTERS];    /* episode terms met, bit per term */
    char xflags[128];
    size_t off, len;                      /* payload in the group's arena */
};

struct s903_kids {
    struct s903_run *run;
    struct kid *kids;
    size_t nkids, capkids;
    uint32_t *hvals;                      /* per kid, the header columns the
                                           * child rules read (header.COL):
                                           * yyyymmdd or code index + 1 */
    size_t nh;                            /* of them per kid */
    uint32_t *slots;                      /* kid index + 1, 0 = empty */
    size_t nslots;
    size_t next;                          /* the kid after the last one found */
    struct extra_hdr *extras;
    size_t nextras, capextras;
    /* the child whose episodes are being read, and its raw CHILD for the
     * findings that go back to the sender (never stored) */
    char pid[LIIA_PID_HEX + 1];
    char raw[48];
    size_t raw_len;
    struct ep *eps;
    size_t neps, capeps;
    const struct ep **order;
    const struct s903_cell **all;         /* the child's episodes' cells */
    struct s903_cell *epcells;            /* capeps x the ordered part's columns */
    uint32_t *pf, *pl;                    /* capeps: each episode's period */
    size_t *eptoff;                       /* the same, the texts' offsets */
    size_t epcols;
    /* scratch rows for the child rules: a streamed row as stored, the
     * child's header values (and their texts) */
    struct s903_cell *cur, *hdr;
    char (*htext)[11];
    liia_buf arena;
    long *counts;                         /* [quarter][measure] */
    int col_decom;
    int tab_header, tab_episodes;
    sqlite3_stmt **upd;                   /* one per part, prepared when needed */
    /* the end rules, in file order */
    const struct s903_rule **end;
    size_t nend;
    struct s903_cross *cross;             /* the cross rules' records */
};

/* An episode's cells and their texts' offsets, in the pools beside eps
 * (one allocation for every episode of the child, grown with eps). */
static struct s903_cell *ep_cells(const struct s903_kids *k, const struct ep *p)
{
    return &k->epcells[(size_t)(p - k->eps) * k->epcols];
}

static size_t *ep_toff(const struct s903_kids *k, const struct ep *p)
{
    return &k->eptoff[(size_t)(p - k->eps) * k->epcols];
}

/* Grows a pair of per-record period arrays to cap; -1 on ENOMEM (the
 * arrays kept, at their old size). */
static int grow_periods(uint32_t **pf, uint32_t **pl, size_t cap)
{
    uint32_t *f = realloc(*pf, cap * sizeof *f);
    if (f)
        *pf = f;
    uint32_t *l = realloc(*pl, cap * sizeof *l);
    if (l)
        *pl = l;
    return f && l ? 0 : -1;
}

/* ------------------------------------------------------------ the index */

/* Eight lower-case hex digits (s, in order) as the 32 bits they spell,
 * all eight at once: a digit's value is its low nibble, plus 9 for a-f
 * (bit 6 set); then the nibbles are packed pairwise, the first digit
 * highest.  A lookup runs this for every row of every table (twice with
 * the prefetch): digit by digit it was a few percent of an ingest. */
static uint64_t hex8(const char *s)
{
    uint64_t x;
    memcpy(&x, s, sizeof x);
    uint64_t v = (x & 0x0F0F0F0F0F0F0F0FULL) + ((x >> 6) & 0x0101010101010101ULL) * 9;
    v = ((v & 0x000F000F000F000FULL) << 4) | ((v >> 8) & 0x000F000F000F000FULL);
    v = ((v & 0x000000FF000000FFULL) << 8) | ((v >> 16) & 0x000000FF000000FFULL);
    return ((v & 0xFFFFULL) << 16) | ((v >> 32) & 0xFFFFULL);
}

/* The first 32 hex digits of a pseudonym (lower case, as pseudo.c writes
 * them; another character gives some value, the same each time).  A
 * shorter string (pseudo.c never writes one) is read to its end only, the
 * digits after it counting as 0. */
static void key_of(const char *pid, uint64_t key[2])
{
    char full[32];
    size_t n = strnlen(pid, sizeof full);
    if (n < sizeof full) {
        memset(full, '0', sizeof full);
        memcpy(full, pid, n);
        pid = full;
    }
    key[0] = hex8(pid) << 32 | hex8(pid + 8);
    key[1] = hex8(pid + 16) << 32 | hex8(pid + 24);
}

_Static_assert(sizeof(struct kid) <= 48, "the child index entry grew");

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

/* The header values' array follows the index's capacity. */
static int grow_hvals(struct s903_kids *k, size_t cap)
{
    if (!k->nh)
        return 0;
    uint32_t *h = realloc(k->hvals, cap * k->nh * sizeof *h);
    if (!h)
        return -1;
    k->hvals = h;
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
        if (grow_hvals(k, n))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
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
        if (grow_hvals(k, cap))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory"), NULL;
        k->capkids = cap;
    }
    x = &k->kids[k->nkids];
    memset(x, 0, sizeof *x);
    if (k->nh)
        memset(&k->hvals[k->nkids * k->nh], 0, k->nh * sizeof *k->hvals);
    memcpy(x->key, key, sizeof key);
    k->slots[h] = (uint32_t)++k->nkids;
    k->next = k->nkids;
    return x;
}

/* ------------------------------------------------------------ set up */

/* The end rules (the row and child rules are the tables' rule sets). */
static int sort_rules(struct s903_kids *k, const struct s903_schema *s)
{
    if (!(k->end = calloc(s->nrules + 1, sizeof *k->end)))
        return -1;
    for (size_t i = 0; i < s->nrules; i++)
        if (!s->rules[i].sql && s->rules[i].when == W_END)
            k->end[k->nend++] = &s->rules[i];
    return 0;
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
    k->tab_header = s->child_table;
    k->tab_episodes = s->ordered_table;
    k->col_decom = k->tab_episodes < 0 ? -1 : s->tables[k->tab_episodes].order_col;
    k->nh = k->tab_header < 0 ? 0 : s->tables[k->tab_header].nhcols;
    size_t maxcols = 1;
    for (size_t t = 0; t < s->ntables; t++)
        maxcols = s->tables[t].ncols > maxcols ? s->tables[t].ncols : maxcols;
    k->epcols = k->tab_episodes < 0 ? 0 : s->tables[k->tab_episodes].ncols;
    if (sort_rules(k, s) || !(k->upd = calloc(s->ntables, sizeof *k->upd)) ||
        !(k->cur = calloc(maxcols, sizeof *k->cur)) ||
        !(k->hdr = calloc(maxcols, sizeof *k->hdr)) ||
        !(k->htext = calloc(k->nh + 1, sizeof *k->htext))) {
        s903_kids_free(k);
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!(k->cross = s903_cross_new(s, e))) {
        s903_kids_free(k);
        return NULL;
    }
    if (k->col_decom < 0 || k->tab_header < 0) {
        s903_kids_free(k);
        liia_error_fix(e, "restore schemas/ssda903/tables.json from the release");
        liia_fail(e, LIIA_E_SCHEMA, "the schema needs a part with \"role\": \"child\" "
                                    "and one with \"order_by\"");
        return NULL;
    }
    return k;
}

void s903_kids_free(struct s903_kids *k)
{
    if (!k)
        return;
    for (size_t t = 0; k->upd && t < k->run->s->ntables; t++)
        sqlite3_finalize(k->upd[t]);
    free(k->upd);
    free(k->cur);
    free(k->hdr);
    free(k->htext);
    free(k->epcells);
    free(k->eptoff);
    free(k->end);
    free(k->kids);
    free(k->hvals);
    free(k->slots);
    free(k->extras);
    free(k->eps);
    free(k->order);
    free(k->all);
    free(k->pf);
    free(k->pl);
    free(k->counts);
    s903_cross_free(k->cross);
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
        return s903_flag(flags, r->code)
                   ? liia_fail(e, LIIA_E_NOMEM, "out of memory") : 0;
    if (xflags) {
        size_t n = strlen(xflags);
        if (n + strlen(r->code) + 2 < xsize)
            snprintf(xflags + n, xsize - n, "%s%s", n ? "," : "", r->code);
        return 0;
    }
    return s903_flag_stored(run, &k->upd[r->table], r->table, line, r->code, e);
}

/* The exists bits of a child (struct s903_rows): the parts it has rows in
 * so far. */
static uint32_t parts_of(const struct s903_kids *k, const struct kid *x)
{
    uint32_t b = 0;
    if (x->nhdr)
        b |= 1u << REF_HEADER | 1u << (S903_EX_PART + k->tab_header);
    b |= x->parts << S903_EX_PART;
    if ((x->state & KID_EPISODES) && k->tab_episodes >= 0)
        b |= 1u << (S903_EX_PART + k->tab_episodes);
    return b;
}

/* The child's header values (header.COL) as cells; blank without one. */
static void header_cells(const struct s903_kids *k, const struct kid *x,
                         struct s903_cell *cells, char text[][11])
{
    const struct s903_table *t = &k->run->s->tables[k->tab_header];
    memset(cells, 0, t->ncols * sizeof *cells);
    for (size_t i = 0; i < t->ncols; i++)
        cells[i].raw = "";
    const uint32_t *v = x->nhdr ? &k->hvals[(size_t)(x - k->kids) * k->nh] : NULL;
    for (size_t i = 0; v && i < k->nh; i++) {
        const struct s903_col *col = &t->cols[t->hcols[i]];
        struct s903_cell *c = &cells[t->hcols[i]];
        if (!v[i])
            continue;
        c->ok = 1;
        if (col->type == S903_CODE) {
            c->code = (int)v[i];
            c->raw = col->codes.codes[v[i] - 1];
        } else {
            s903_iso_of_ymd((int32_t)v[i], text[i]);
            memcpy(c->iso, text[i], 11);
            c->ymd = (int32_t)v[i];
            c->raw = text[i];
            c->month = col->degrade_month;
        }
        c->len = strlen(c->raw);
    }
}

/* Keeps the header values the child rules read (the child's first row). */
static void keep_header(struct s903_kids *k, const struct kid *x,
                        const struct s903_cell *stored)
{
    const struct s903_table *t = &k->run->s->tables[k->tab_header];
    uint32_t *v = &k->hvals[(size_t)(x - k->kids) * k->nh];
    for (size_t i = 0; i < k->nh; i++) {
        const struct s903_cell *c = &stored[t->hcols[i]];
        v[i] = !c->ok ? 0 : t->cols[t->hcols[i]].type == S903_CODE
                                ? (uint32_t)c->code : (uint32_t)s903_cell_ymd(c);
    }
}

/* A streamed header or uasc row's cells as a child rule reads them: dates
 * of birth known to the month. */
static void as_stored(const struct s903_table *t, const struct s903_cell *stored,
                      struct s903_cell *out)
{
    for (size_t c = 0; c < t->ncols; c++) {
        out[c] = stored[c];
        out[c].month = t->cols[c].degrade_month && stored[c].ok;
    }
}

/* Where a child rule that holds is reported (s903_hit_fn): a streamed
 * header or uasc row (flags), or an episode of the child (xflags). */
struct hit {
    struct s903_kids *k;
    long line;
    const struct s903_cell *cells;
    liia_buf *flags;
    struct ep *ep;
    liia_error *e;
};

static int child_hit(void *ctx, const struct s903_rule *r)
{
    struct hit *h = ctx;
    const struct s903_cell *v = &h->cells[r->col];
    struct s903_where at = h->k->run->at;
    if (h->ep)  /* an episode's finding, found when its child ended */
        h->k->run->at = (struct s903_where){h->ep->line, h->ep->record, "",
                                            h->k->raw_len ? h->k->raw : NULL,
                                            h->k->raw_len, NULL};
    int rc = fire(h->k, r, h->line, v->len ? v->raw : NULL, h->ep ? h->ep->xflags : NULL,
                  h->ep ? sizeof h->ep->xflags : 0, h->flags, h->e);
    h->k->run->at = at;
    return rc;
}

/* The child rules of a header or uasc row, as it streams in. */
static int row_rules(struct s903_kids *k, int table, const struct kid *x, long line,
                     const struct s903_cell *stored, uint32_t exists, liia_buf *flags,
                     liia_error *e)
{
    const struct s903_ruleset *set = k->run->s->tables[table].child_set;
    if (!s903_ruleset_size(set))
        return 0;
    struct s903_cell *cur = k->cur, *hdr = k->hdr;
    as_stored(&k->run->s->tables[table], stored, cur);
    header_cells(k, x, hdr, k->htext);
    struct s903_rows rows = {.row = {cur, NULL, NULL, x->nhdr ? hdr : NULL},
                             .exists = exists | parts_of(k, x)};
    struct hit h = {k, line, cur, flags, NULL, e};
    return s903_ruleset_run(set, &rows, &k->run->dates, child_hit, &h);
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
    if (x->nhdr == 0) {
        x->hdr_line = line > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)line;
        if (k->nh)
            keep_header(k, x, stored);
    } else {
        if (k->nextras == k->capextras) {
            size_t cap = k->capextras ? 2 * k->capextras : 64;
            struct extra_hdr *n = realloc(k->extras, cap * sizeof *n);
            if (!n)
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            k->extras = n;
            k->capextras = cap;
        }
        k->extras[k->nextras] = (struct extra_hdr){line, x->extra};
        x->extra = (int32_t)++k->nextras;
    }
    uint32_t prev = x->nhdr ? 1u << REF_PREV : 0;
    if (x->nhdr < UINT16_MAX)
        x->nhdr++;
    return row_rules(k, k->tab_header, x, line, stored, prev, flags, e) ||
           s903_cross_add(k->cross, k->tab_header, (uint32_t)(x - k->kids), line, stored, e)
               ? -1 : 0;
}

int s903_kids_part(struct s903_kids *k, int table, const char *pid, long line,
                   const struct s903_cell *stored, liia_buf *flags, liia_error *e)
{
    if (!pid)
        return 0;
    struct kid *x = kid_of(k, pid, e);
    if (!x)
        return -1;
    x->parts |= 1u << table;
    if (row_rules(k, table, x, line, stored, 0, flags, e) ||
        s903_cross_add(k->cross, table, (uint32_t)(x - k->kids), line, stored, e))
        return -1;
    uint32_t bits[S903_MAX_QUARTERS];
    eval_terms(k, table, stored, bits);
    for (size_t q = 0; q < S903_MAX_QUARTERS; q++)
        x->terms[q] |= bits[q];
    return 0;
}

/* ------------------------------------------------------------ episodes */

/* Copies the row's stored cells; their texts go to the arena, each
 * NUL-terminated, gathered on the stack and appended once (an append per
 * cell showed in the profile). */
static int keep_cells(struct s903_kids *k, struct ep *p, const struct s903_cell *stored,
                      liia_error *e)
{
    const struct s903_table *t = &k->run->s->tables[k->tab_episodes];
    struct s903_cell *cells = ep_cells(k, p);
    size_t *toff = ep_toff(k, p);
    size_t total = 0;
    for (size_t c = 0; c < t->ncols; c++)
        total += stored[c].len + 1;
    if (total == 0)
        return 0;
    char stack[1024];
    char *d = total <= sizeof stack ? stack : malloc(total);
    if (!d)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    size_t at = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        cells[c] = stored[c];
        cells[c].month = t->cols[c].degrade_month && stored[c].ok;
        toff[c] = k->arena.len + at;
        memcpy(d + at, stored[c].raw, stored[c].len);
        at += stored[c].len;
        d[at++] = '\0';
    }
    int rc = liia_buf_append(&k->arena, d, total);
    if (d != stack)
        free(d);
    return rc ? liia_fail(e, LIIA_E_NOMEM, "out of memory") : 0;
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
        const struct s903_where *at = &k->run->at;
        k->raw_len = at->line == line && at->child
                         ? (at->child_len < sizeof k->raw ? at->child_len
                                                         : sizeof k->raw - 1) : 0;
        memcpy(k->raw, k->raw_len ? at->child : "", k->raw_len);
    }
    if (k->neps == k->capeps) {
        size_t cap = k->capeps ? 2 * k->capeps : 16;
        struct ep *eps = realloc(k->eps, cap * sizeof *eps);
        const struct ep **order = realloc(k->order, cap * sizeof *order);
        struct s903_cell *cells = realloc(k->epcells, cap * k->epcols * sizeof *cells);
        size_t *toff = realloc(k->eptoff, cap * k->epcols * sizeof *toff);
        const struct s903_cell **all = realloc(k->all, cap * sizeof *all);
        int periods = grow_periods(&k->pf, &k->pl, cap);
        if (eps)
            k->eps = eps;
        if (order)
            k->order = order;
        if (cells)
            k->epcells = cells;
        if (toff)
            k->eptoff = toff;
        if (all)
            k->all = all;
        if (!eps || !order || !cells || !toff || !all || periods)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        k->capeps = cap;
    }
    struct ep *p = &k->eps[k->neps++];
    p->line = line;
    p->record = k->run->at.line == line ? k->run->at.record : 0;
    p->dated = stored[k->col_decom].ok && stored[k->col_decom].iso[0];
    p->decom = p->dated ? s903_cell_ymd(&stored[k->col_decom]) : 0;
    p->xflags[0] = '\0';
    eval_terms(k, k->tab_episodes, stored, p->terms);
    if (keep_cells(k, p, stored, e))
        return -1;
    p->off = k->arena.len;
    p->len = len;
    if (len && liia_buf_append(&k->arena, payload, len))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return 0;
}

/* s903_hit_fn over s903_part_hit: the record's index rides along. */
struct part_hit {
    s903_part_hit fn;
    void *ctx;
    size_t i;
};

static int part_hit(void *ctx, const struct s903_rule *r)
{
    struct part_hit *h = ctx;
    return h->fn(h->ctx, r, h->i);
}

/* Dated episodes by DECOM, then undated ones; by line within each. */
static int ep_order(const void *a, const void *b)
{
    const struct ep *x = *(const struct ep *const *)a, *y = *(const struct ep *const *)b;
    if (x->dated != y->dated)
        return x->dated ? -1 : 1;
    if (x->decom != y->decom)
        return x->decom < y->decom ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* The per-child pass of one ordered part, for every return: order[] are
 * the child's records of the part in order, the first ndated of them dated
 * (only those have a previous or next record, a first and a last); hdr is
 * the child's record (NULL: none), parts its exists bits.  fn(ctx, r, i):
 * rule r holds for order[i]. */
/* The records rule i of own sees (s903_part_rules). */
static void part_row(const struct s903_part_recs *own, size_t i, size_t ndated,
                     const struct s903_cell *hdr, uint32_t parts,
                     const struct s903_part_recs *other, struct s903_rows *rows)
{
    const struct s903_cell *const *order = own->rec;
    const struct s903_cell *first = ndated ? order[0] : NULL;
    const struct s903_cell *last = ndated ? order[ndated - 1] : NULL;
    if (ndated)
        parts |= 1u << REF_FIRST | 1u << REF_LAST;
    const struct s903_cell *prev = i && i < ndated ? order[i - 1] : NULL;
    const struct s903_cell *prev2 = i > 1 && i < ndated ? order[i - 2] : NULL;
    const struct s903_cell *next = i + 1 < ndated ? order[i + 1] : NULL;
    *rows = (struct s903_rows){
        .row = {order[i], prev, next, hdr, prev2, first, last},
        .exists = parts | (prev ? 1u << REF_PREV : 0) | (next ? 1u << REF_NEXT : 0) |
                  (prev2 ? 1u << REF_PREV2 : 0),
        .all = order, .nall = own->n, .pfirst = own->pfirst, .plast = own->plast,
        .other = other, .at1 = i + 1};
    if (own->pfirst && own->pfirst[i] != UINT32_MAX) {
        rows->row[REF_PFIRST] = order[own->pfirst[i]];
        rows->row[REF_PLAST] = order[own->plast[i]];
    }
}

int s903_part_rules(const struct s903_ruleset *set, const struct s903_part_recs *own,
                    size_t ndated, const struct s903_cell *hdr, uint32_t parts,
                    const struct s903_part_recs *other, const struct s903_dates *d,
                    s903_part_hit fn, void *ctx)
{
    for (size_t i = 0; i < own->n; i++) {
        struct s903_rows rows;
        part_row(own, i, ndated, hdr, parts, other, &rows);
        struct part_hit h = {fn, ctx, i};
        if (s903_ruleset_run(set, &rows, d, part_hit, &h))
            return -1;
    }
    return 0;
}

/* An episode's finding, found when its child ended (s903_part_hit). */
struct ep_hit {
    struct s903_kids *k;
    liia_error *e;
};

static int episode_hit(void *ctx, const struct s903_rule *r, size_t i)
{
    struct ep_hit *eh = ctx;
    struct ep *p = (struct ep *)eh->k->order[i];
    struct hit h = {eh->k, p->line, ep_cells(eh->k, p), NULL, p, eh->e};
    return child_hit(&h, r);
}

static int check_child(struct s903_kids *k, const struct kid *x, liia_error *e)
{
    const struct s903_ruleset *set = k->run->s->tables[k->tab_episodes].child_set;
    if (!s903_ruleset_size(set))
        return 0;
    size_t dated = 0;
    for (size_t i = 0; i < k->neps; i++) {
        struct ep *p = &k->eps[i];
        k->order[i] = p;
        dated += p->dated;
    }
    if (k->neps > 1)
        qsort(k->order, k->neps, sizeof *k->order, ep_order);
    struct s903_cell *hdr = k->hdr;
    header_cells(k, x, hdr, k->htext);
    uint32_t parts = parts_of(k, x) | 1u << (S903_EX_PART + k->tab_episodes);
    for (size_t i = 0; i < k->neps; i++)
        k->all[i] = ep_cells(k, k->order[i]);
    struct ep_hit eh = {k, e};
    const struct s903_table *t = &k->run->s->tables[k->tab_episodes];
    struct s903_part_recs own = {k->all, k->neps, NULL, NULL};
    if (t->period_col >= 0) {
        s903_periods(k->all, k->neps, dated, t->order_col, t->period_col, k->pf, k->pl);
        own.pfirst = k->pf;
        own.plast = k->pl;
    }
    return s903_part_rules(set, &own, dated, x->nhdr ? hdr : NULL, parts, NULL,
                           &k->run->dates, episode_hit, &eh);
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
        if (!any && !x->terms[q])
            continue;
        int met_by[S903_MAX_TERMS] = {0};
        for (size_t i = 0; i < k->neps; i++)
            for (uint32_t b = k->eps[i].terms[q]; b; b &= b - 1)
                met_by[__builtin_ctz(b)]++;
        for (size_t m = 0; m < s->nmeasures; m++) {
            const struct s903_measure *ms = &s->measures[m];
            if (ms->requires >= 0 && !s903_table_file(run, ms->requires)[0])
                continue;
            int met = 1;
            for (size_t t = 0; t < ms->nterms && met; t++) {
                int term = ms->terms[t].term;
                met = s->terms[term].table == k->tab_episodes
                          ? met_by[term] >= ms->terms[t].at_least
                          : (x->terms[q] >> term & 1) != 0;
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
    /* the texts are in the arena, which may have moved as it grew */
    for (size_t i = 0; i < k->neps; i++)
        for (size_t c = 0; c < k->epcols; c++)
            ep_cells(k, &k->eps[i])[c].raw = k->arena.data + ep_toff(k, &k->eps[i])[c];
    if (check_child(k, x, e))
        return -1;
    for (size_t i = 0; i < k->neps; i++)
        if (s903_cross_add(k->cross, k->tab_episodes, (uint32_t)(x - k->kids),
                           k->eps[i].line, ep_cells(k, &k->eps[i]), e))
            return -1;
    count_child(k, x);
    for (size_t i = 0; i < k->neps; i++) {
        const struct ep *p = &k->eps[i];
        if (emit(ctx, p->line, p->xflags, k->arena.data + p->off, p->len, e))
            return -1;
    }
    k->neps = 0;
    k->pid[0] = '\0';
    liia_buf_reset(&k->arena);
    return 0;
}

int s903_kids_reset_episodes(struct s903_kids *k, liia_error *e)
{
    for (size_t i = 0; i < k->nkids; i++)
        k->kids[i].state = 0;
    k->neps = 0;
    k->pid[0] = '\0';
    liia_buf_reset(&k->arena);
    memset(k->counts, 0, S903_MAX_QUARTERS * (k->run->s->nmeasures + 1) * sizeof *k->counts);
    return s903_cross_reset(k->cross, k->tab_episodes, e);
}

/* The end rules of one header row of the child (no cells: what exists). */
static int end_rules(struct s903_kids *k, const struct kid *x, long line, int later,
                     int more, liia_error *e)
{
    struct s903_rows rows = {.row = {NULL, NULL, NULL, NULL},
                             .exists = parts_of(k, x) | (later ? 1u << REF_PREV : 0) |
                                       (more ? 1u << REF_NEXT : 0)};
    for (size_t i = 0; i < k->nend; i++) {
        const struct s903_rule *r = k->end[i];
        if (s903_cond_eval_rows(&r->cond, &rows, &k->run->dates) &&
            fire(k, r, line, NULL, NULL, 0, NULL, e))
            return -1;
    }
    return 0;
}

int s903_kids_finish(struct s903_kids *k, liia_error *e)
{
    for (size_t i = 0; k->nend && i < k->nkids; i++) {
        const struct kid *x = &k->kids[i];
        if (!x->nhdr)
            continue;
        if (end_rules(k, x, (long)x->hdr_line, 0, x->nhdr > 1, e))
            return -1;
        /* the extras run from the last row back */
        for (int32_t h = x->extra; h; h = k->extras[h - 1].next)
            if (end_rules(k, x, k->extras[h - 1].line, 1, h != x->extra, e))
                return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ cross rules */

struct cross_hit {
    struct s903_kids *k;
    struct s903_group *g;           /* the child's kept records */
    liia_error *e;
    FILE *sink;                     /* the later children's pass: hits kept
                                     * here, fired once both halves are done */
    unsigned char pid[LIIA_PID_BYTES];   /* the child's, for its findings */
};

/* The pseudonym's bytes a child's index key holds (key_of: all of them,
 * the first digit highest). */
static void pid_of_key(const uint64_t key[2], unsigned char pid[LIIA_PID_BYTES])
{
    _Static_assert(LIIA_PID_BYTES == 16, "the index key is the whole pseudonym");
    for (int i = 0; i < 8; i++) {
        pid[i] = (unsigned char)(key[0] >> (56 - 8 * i));
        pid[8 + i] = (unsigned char)(key[1] >> (56 - 8 * i));
    }
}

/* A hit fired where the child's own id is not at hand: its findings name
 * the child by pseudonym (s903_fill_child_ids finds the id). */
static int fire_cross(struct s903_kids *k, const struct s903_rule *r, long line,
                      const char *value, const unsigned char *pid, liia_error *e)
{
    struct s903_where at = k->run->at;
    k->run->at = (struct s903_where){line, 0, NULL, NULL, 0, pid};
    int rc = fire(k, r, line, value, NULL, 0, NULL, e);
    k->run->at = at;
    return rc;
}

/* A hit of the later half, as the sink keeps it: the rule's index, the
 * line, the child's pseudonym and the value (length, 0xffff: none). */
static int sink_hit(struct cross_hit *x, const struct s903_rule *r, long line,
                    const char *value)
{
    uint32_t head[2] = {(uint32_t)(r - x->k->run->s->rules), (uint32_t)line};
    size_t n = value ? strlen(value) : 0;
    uint16_t len = !value ? UINT16_MAX : n < UINT16_MAX ? (uint16_t)n : UINT16_MAX - 1;
    if (fwrite(head, sizeof head, 1, x->sink) != 1 ||
        fwrite(x->pid, sizeof x->pid, 1, x->sink) != 1 || fwrite(&len, 2, 1, x->sink) != 1 ||
        (value && len && fwrite(value, len, 1, x->sink) != 1))
        return liia_fail(x->e, LIIA_E_IO, "cannot write the cross-part rules' temporary file");
    return 0;
}

/* A cross rule holds for a stored record: reported and flagged (or kept
 * for that, on the later half's thread). */
static int cross_hit(void *ctx, const struct s903_group_hit *h)
{
    struct cross_hit *x = ctx;
    const struct s903_rule *r = h->r;
    if (r->needs >= 0 && !s903_table_file(x->k->run, r->needs)[0])
        return 0;
    const struct s903_cell *v = h->cell;
    const char *value = v && v->len ? v->raw : NULL;
    if (x->sink)
        return sink_hit(x, r, h->line, value);
    return fire_cross(x->k, r, h->line, value, x->pid, x->e);
}

static int cross_rec(void *ctx, int table, const struct s903_cell *cells, long line,
                     liia_error *e)
{
    struct cross_hit *x = ctx;
    return s903_group_add(x->g, table, cells, line, line, NULL, NULL, 0, e);
}

/* The child's kept records are in: its cross rules, with what the index
 * knows it has in every part. */
static int cross_child(void *ctx, uint32_t kid, liia_error *e)
{
    struct cross_hit *x = ctx;
    x->e = e;   /* the error of the half reading the child */
    pid_of_key(x->k->kids[kid].key, x->pid);
    return s903_group_end_cross(x->g, &x->k->run->dates, parts_of(x->k, &x->k->kids[kid]),
                                cross_hit, x);
}

/* The later half's hits, reported and flagged after the earlier half's
 * (so a row's flags are in the order one pass gives). */
static int fire_sink(struct s903_kids *k, FILE *sink, liia_error *e)
{
    if (fflush(sink) || fseeko(sink, 0, SEEK_SET))
        return liia_fail(e, LIIA_E_IO, "cannot read the cross-part rules' temporary file");
    uint32_t head[2];
    unsigned char pid[LIIA_PID_BYTES];
    uint16_t len;
    char value[UINT16_MAX];
    while (fread(head, sizeof head, 1, sink) == 1) {
        if (fread(pid, sizeof pid, 1, sink) != 1 || fread(&len, 2, 1, sink) != 1 ||
            head[0] >= k->run->s->nrules ||
            (len != UINT16_MAX && len && fread(value, len, 1, sink) != 1))
            return liia_fail(e, LIIA_E_IO, "cannot read the cross-part rules' temporary file");
        value[len == UINT16_MAX ? 0 : len] = '\0';
        if (fire_cross(k, &k->run->s->rules[head[0]], (long)head[1],
                       len == UINT16_MAX ? NULL : value, pid, e))
            return -1;
    }
    return ferror(sink) ? liia_fail(e, LIIA_E_IO, "cannot read the cross-part rules' "
                                                   "temporary file") : 0;
}

int s903_kids_cross(struct s903_kids *k, liia_error *e)
{
    struct cross_hit h = {k, NULL, e, NULL, {0}}, h2 = {k, NULL, NULL, tmpfile(), {0}};
    int rc = 0;
    if (!(h.g = s903_group_new(k->run->s, e)) || !(h2.g = s903_group_new(k->run->s, e)))
        rc = -1;
    struct s903_where at = k->run->at;
    k->run->at = (struct s903_where){0, 0, NULL, NULL, 0, NULL};
    const struct s903_cross_pass lo = {cross_rec, cross_child, &h}, hi = {cross_rec, cross_child, &h2};
    /* no sink file: one pass over every child */
    if (rc == 0)
        rc = s903_cross_run(k->cross, &lo, h2.sink ? &hi : NULL, e);
    if (rc == 0 && h2.sink)
        rc = fire_sink(k, h2.sink, e);
    k->run->at = at;
    if (h2.sink)
        fclose(h2.sink);
    s903_group_free(h.g);
    s903_group_free(h2.g);
    return rc;
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

/* ------------------------------------------------------------ whole children */

/* A record of the child being read, held until the child is complete (a
 * file that lists each child's records together: the CIN census). */
struct grec {
    int table;
    int dated;
    int32_t key, key2;                    /* order_by as yyyymmdd when dated
                                           * (cross_order_by: both columns,
                                           * INT32_MAX when blank) */
    long line, record;
    size_t cell;                          /* its first cell in g->cells */
    size_t path;                          /* its path's offset in the arena */
    size_t payload, len;                  /* what stores it, in the arena */
};

/* A child rule that held for a held record: its code goes to the flags
 * the record is stored with. */
struct ghit_flag {
    size_t rec;
    const char *code;
};

struct s903_group {
    const struct s903_schema *s;
    struct grec *recs;
    size_t n, cap;
    struct s903_cell *cells;              /* the records' cells, in a row */
    size_t *toff;                         /* each cell's text in the arena */
    size_t ncells, capcells;
    liia_buf arena;
    const struct grec **order;            /* by part, then in each part's order */
    const struct s903_cell **ocells;
    struct s903_part_recs *other;         /* per part: its slice of ocells */
    uint32_t *pf, *pl;                    /* cap: periods, per part's slice */
    const struct s903_rule **end;         /* the child part's end rules */
    size_t nend;
    struct ghit_flag *flags;              /* the held child's hits */
    size_t nflags, capflags;
    liia_buf xflags;
    /* the "count" measures (s903_group_count): their quarters, the counts
     * (quarter q, measure m at q * nmeasures + m), each children measure's
     * ordinal among them, and the children already counted */
    const struct s903_dates *q;
    size_t nq;
    long *counts;
    int kord[64];
    int child_col;
    /* the children counted in a children measure, by pseudonym: bit
     * q * 16 + k for the k-th children measure in quarter q, so a child
     * the file lists twice (two Child elements, one LAchildID) is one */
    struct s903_seen *counted;
};

#define S903_MAX_CHILD_MEASURES 16

struct s903_group *s903_group_new(const struct s903_schema *s, liia_error *e)
{
    struct s903_group *g = calloc(1, sizeof *g);
    if (!g || !(g->end = calloc(s->nrules + 1, sizeof *g->end)) ||
        !(g->other = calloc(s->ntables + 1, sizeof *g->other))) {
        if (g)
            free(g->end);
        free(g);
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    g->s = s;
    g->child_col = -1;
    for (size_t c = 0; s->child_table >= 0 && c < s->tables[s->child_table].ncols; c++)
        if (s->tables[s->child_table].cols[c].type == S903_CHILD && g->child_col < 0)
            g->child_col = (int)c;
    liia_buf_init(&g->arena);
    liia_buf_init(&g->xflags);
    for (size_t i = 0; i < s->nrules; i++)
        if (!s->rules[i].sql && s->rules[i].when == W_END)
            g->end[g->nend++] = &s->rules[i];
    return g;
}

void s903_group_free(struct s903_group *g)
{
    if (!g)
        return;
    s903_seen_free(g->counted);
    free(g->recs);
    free(g->cells);
    free(g->toff);
    free(g->order);
    free(g->ocells);
    free(g->pf);
    free(g->pl);
    free(g->other);
    free(g->end);
    free(g->flags);
    liia_buf_free(&g->arena);
    liia_buf_free(&g->xflags);
    free(g);
}

static int group_room(struct s903_group *g, size_t ncols)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        struct grec *r = realloc(g->recs, cap * sizeof *r);
        if (r)
            g->recs = r;
        const struct grec **o = realloc(g->order, cap * sizeof *o);
        if (o)
            g->order = o;
        const struct s903_cell **oc = realloc(g->ocells, cap * sizeof *oc);
        if (oc)
            g->ocells = oc;
        if (!r || !o || !oc || grow_periods(&g->pf, &g->pl, cap))
            return -1;
        g->cap = cap;
    }
    if (g->ncells + ncols > g->capcells) {
        size_t cap = g->capcells ? 2 * g->capcells : 1024;
        while (cap < g->ncells + ncols)
            cap *= 2;
        struct s903_cell *c = realloc(g->cells, cap * sizeof *c);
        if (c)
            g->cells = c;
        size_t *t = realloc(g->toff, cap * sizeof *t);
        if (t)
            g->toff = t;
        if (!c || !t)
            return -1;
        g->capcells = cap;
    }
    return 0;
}

int s903_group_add(struct s903_group *g, int table, const struct s903_cell *cells,
                   long line, long record, const char *path, const void *payload,
                   size_t len, liia_error *e)
{
    const struct s903_table *t = &g->s->tables[table];
    if (group_room(g, t->ncols))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    struct grec *r = &g->recs[g->n++];
    *r = (struct grec){table, 1, 0, 0, line, record, g->ncells, g->arena.len, 0, len};
    if (liia_buf_append(&g->arena, path ? path : "", strlen(path ? path : "") + 1))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    r->payload = g->arena.len;
    if (len && liia_buf_append(&g->arena, payload, len))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (t->order_col >= 0) {
        const struct s903_cell *c = &cells[t->order_col];
        r->dated = c->ok && c->iso[0];
        r->key = r->dated ? s903_cell_ymd(c) : 0;
    }
    for (size_t i = 0; i < 2 && t->cross_order[i] >= 0; i++) {
        const struct s903_cell *c = &cells[t->cross_order[i]];
        *(i ? &r->key2 : &r->key) = c->ok && c->iso[0] ? s903_cell_ymd(c) : INT32_MAX;
    }
    /* the texts, each NUL-terminated, copied in one growth of the arena
     * (two appends a cell showed in the cross-part pass's profile) */
    size_t total = 0, base = g->arena.len, at = 0;
    for (size_t c = 0; c < t->ncols; c++)
        total += cells[c].len + 1;
    char *d = liia_buf_extend(&g->arena, total);
    if (!d)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t c = 0; c < t->ncols; c++) {
        g->cells[g->ncells] = cells[c];
        g->toff[g->ncells++] = base + at;
        memcpy(d + at, cells[c].raw, cells[c].len);
        at += cells[c].len;
        d[at++] = '\0';
    }
    return 0;
}

/* Dated records by order_by (cross_order_by: by its columns, blanks
 * last), then undated ones; by line within each. */
static int grec_order(const void *a, const void *b)
{
    const struct grec *x = *(const struct grec *const *)a, *y = *(const struct grec *const *)b;
    if (x->dated != y->dated)
        return x->dated ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->key2 != y->key2)
        return x->key2 < y->key2 ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* By part, then as grec_order. */
static int grec_part_order(const void *a, const void *b)
{
    const struct grec *x = *(const struct grec *const *)a, *y = *(const struct grec *const *)b;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return grec_order(a, b);
}

/* A group hit (s903_part_hit): the record found by its index in the
 * part's slice of order, which starts at base. */
struct ghit {
    struct s903_group *g;
    s903_group_fn fn;
    void *ctx;
    size_t base;
};

/* Reports a hit on held record rec and keeps its code for its flags. */
static int group_report(struct ghit *h, const struct s903_group_hit *hit, size_t rec)
{
    struct s903_group *g = h->g;
    if (h->fn(h->ctx, hit))
        return -1;
    struct ghit_flag *f = liia_grow_array(g->flags, &g->capflags, g->nflags + 1, sizeof *f, 16);
    if (!f)
        return -1;
    g->flags = f;
    g->flags[g->nflags++] = (struct ghit_flag){rec, hit->r->code};
    return 0;
}

static int group_hit(void *ctx, const struct s903_rule *r, size_t i)
{
    struct ghit *h = ctx;
    const struct grec *x = h->g->order[h->base + i];
    struct s903_group_hit hit = {r, x->line, x->record, h->g->arena.data + x->path,
                                 &h->g->cells[x->cell + (size_t)r->col]};
    return group_report(h, &hit, (size_t)(x - h->g->recs));
}

/* Hands each held record, in file order, to emit with the codes of the
 * child rules it broke. */
static int group_emit(struct s903_group *g, s903_group_emit_fn emit, void *ctx)
{
    for (size_t i = 0; emit && i < g->n; i++) {
        liia_buf_reset(&g->xflags);
        for (size_t k = 0; k < g->nflags; k++)
            if (g->flags[k].rec == i && s903_flag(&g->xflags, g->flags[k].code))
                return -1;
        if (liia_buf_append(&g->xflags, "", 1))
            return -1;
        const struct grec *r = &g->recs[i];
        if (emit(ctx, r->table, g->arena.data + r->payload, r->len, g->xflags.data))
            return -1;
    }
    return 0;
}

/* Puts the held records in order (by part, each part in its order) and
 * points each part's slice of other at them. */
static void group_order(struct s903_group *g)
{
    for (size_t i = 0; i < g->ncells; i++)
        g->cells[i].raw = g->arena.data + g->toff[i];
    for (size_t i = 0; i < g->n; i++)
        g->order[i] = &g->recs[i];
    if (g->n > 1)
        qsort(g->order, g->n, sizeof *g->order, grec_part_order);
    memset(g->other, 0, g->s->ntables * sizeof *g->other);
    for (size_t i = 0; i < g->n; i++) {
        struct s903_part_recs *p = &g->other[g->order[i]->table];
        g->ocells[i] = &g->cells[g->order[i]->cell];
        if (!p->n++)
            p->rec = &g->ocells[i];
    }
    for (size_t t = 0; t < g->s->ntables; t++) {
        struct s903_part_recs *p = &g->other[t];
        const struct s903_table *tab = &g->s->tables[t];
        if (!p->n || tab->period_col < 0)
            continue;
        size_t base = (size_t)(p->rec - g->ocells), dated = 0;
        for (size_t i = 0; i < p->n; i++)
            dated += g->order[base + i]->dated;
        s903_periods(p->rec, p->n, dated, tab->order_col, tab->period_col, g->pf + base,
                     g->pl + base);
        p->pfirst = g->pf + base;
        p->plast = g->pl + base;
    }
}

/* The child rules (cross: the cross rules) of every part over the
 * child's records of it; hdr the child's record, parts what it has. */
static int group_parts(struct s903_group *g, int cross, const struct s903_cell *hdr,
                       uint32_t parts, const struct s903_dates *d, struct ghit *h)
{
    for (size_t t = 0; t < g->s->ntables; t++) {
        const struct s903_table *tab = &g->s->tables[t];
        const struct s903_ruleset *set = cross ? tab->cross_set : tab->child_set;
        const struct s903_part_recs *p = &g->other[t];
        if (!p->n || !s903_ruleset_size(set))
            continue;
        size_t dated = 0;
        h->base = (size_t)(p->rec - g->ocells);
        for (size_t i = 0; i < p->n; i++)
            dated += g->order[h->base + i]->dated;
        if (s903_part_rules(set, p, dated, hdr, parts, g->other, d, group_hit, h))
            return -1;
    }
    return 0;
}

/* The child's first record of the child part (NULL: none), and the exists
 * bits of what is held. */
static const struct grec *group_child(const struct s903_group *g, uint32_t *parts)
{
    const struct grec *child = NULL;
    for (size_t i = 0; i < g->n; i++) {
        *parts |= 1u << (S903_EX_PART + g->recs[i].table);
        if (g->recs[i].table == g->s->child_table && !child)
            child = &g->recs[i];
    }
    if (child)
        *parts |= 1u << REF_HEADER;
    return child;
}

static void group_forget(struct s903_group *g)
{
    g->n = g->ncells = g->nflags = 0;
    liia_buf_reset(&g->arena);
}

int s903_group_count(struct s903_group *g, const struct s903_dates *q, size_t nq,
                     long *counts, liia_error *e)
{
    int k = 0;
    for (size_t m = 0; m < g->s->nmeasures && m < 64; m++)
        g->kord[m] = g->s->measures[m].count == S903_COUNT_CHILDREN ? k++ : -1;
    if (k > S903_MAX_CHILD_MEASURES || g->s->nmeasures > 64 || nq > S903_MAX_QUARTERS)
        return liia_fail(e, LIIA_E_SCHEMA, "measures.json: at most 16 children measures "
                         "and 64 measures are counted in the child's pass");
    g->q = q;
    g->nq = nq;
    g->counts = counts;
    return 0;
}

/* Counts the child (hdr its record) in the children measures of bits it
 * was not counted in before; one with no valid pseudonym is no child. */
static int count_group_child(struct s903_group *g, const struct s903_cell *hdr, uint64_t bits)
{
    const struct s903_cell *pid = hdr && g->child_col >= 0 ? &hdr[g->child_col] : NULL;
    if (!pid || !pid->ok || pid->len != LIIA_PID_BYTES * 2)
        return 0;
    if (!g->counted && !(g->counted = s903_seen_new(1)))
        return -1;
    uint64_t *had = s903_seen_value(g->counted, pid->raw, pid->len);
    if (!had)
        return -1;
    uint64_t add = bits & ~*had;
    *had |= bits;
    size_t nm = g->s->nmeasures;
    for (size_t m = 0; m < nm; m++)
        for (size_t q = 0; g->kord[m] >= 0 && q < g->nq; q++)
            g->counts[q * nm + m] += (long)(add >> (q * 16 + (size_t)g->kord[m]) & 1);
    return 0;
}

/* A measure condition that held in some quarters (s903_quarters_fn): a
 * record counted in each, or the child marked for a children measure; a
 * file rule's term: the record counted once, or its value kept. */
struct mhit {
    struct s903_group *g;
    uint64_t *bits;
    const struct s903_cell *row;          /* the record asked about */
};

static int measure_hit(void *ctx, const struct s903_rule *r, uint32_t quarters)
{
    struct mhit *h = ctx;
    struct s903_group *g = h->g;
    if (r->measure < 0) {
        struct s903_fterm *t = &g->s->fterms[-1 - r->measure];
        const struct s903_cell *c = t->col >= 0 ? &h->row[t->col] : NULL;
        if (!c)
            t->count++;
        else if (c->len && s903_seen_add(t->seen, c->raw, c->len) == 0)
            t->count++;   /* distinct: a value not met before */
        return 0;
    }
    if (!g->counts)   /* validate: no measures, only the file rules' terms */
        return 0;
    int k = g->kord[r->measure];
    for (size_t q = 0; q < g->nq; q++) {
        if (!(quarters >> q & 1))
            continue;
        if (k < 0)
            g->counts[q * g->s->nmeasures + (size_t)r->measure]++;
        else
            *h->bits |= (uint64_t)1 << (q * 16 + (size_t)k);
    }
    return 0;
}

/* Every quarter's "count" measures over the held child: each record's
 * conditions asked once for all the quarters (s903_cond_mask_rows). */
static int group_measures(struct s903_group *g, const struct s903_cell *hdr, uint32_t parts)
{
    uint64_t bits = 0;
    struct mhit h = {g, &bits, NULL};
    for (size_t t = 0; t < g->s->ntables; t++) {
        const struct s903_ruleset *set = g->s->tables[t].measure_set;
        const struct s903_part_recs *p = &g->other[t];
        if (!set || !p->n)
            continue;
        size_t dated = 0, base = (size_t)(p->rec - g->ocells);
        for (size_t i = 0; i < p->n; i++)
            dated += g->order[base + i]->dated;
        for (size_t i = 0; i < p->n; i++) {
            struct s903_rows rows;
            part_row(p, i, dated, hdr, parts, g->other, &rows);
            h.row = rows.row[REF_CUR];
            if (s903_ruleset_run_quarters(set, &rows, g->q, g->nq, measure_hit, &h))
                return -1;
        }
    }
    return bits ? count_group_child(g, hdr, bits) : 0;
}

int s903_group_end(struct s903_group *g, const struct s903_dates *d, s903_group_fn fn,
                   s903_group_emit_fn emit, void *ctx)
{
    uint32_t parts = 0;
    const struct grec *child = group_child(g, &parts);
    group_order(g);
    const struct s903_cell *hdr = child ? &g->cells[child->cell] : NULL;
    struct ghit h = {g, fn, ctx, 0};
    int rc = group_parts(g, 0, hdr, parts, d, &h);
    /* the child part's end rules: what the child has (no cells) */
    struct s903_rows rows = {.row = {NULL}, .exists = parts};
    for (size_t i = 0; child && i < g->nend && rc == 0; i++) {
        const struct s903_rule *r = g->end[i];
        if (s903_cond_eval_rows(&r->cond, &rows, d)) {
            struct s903_group_hit hit = {r, child->line, child->record,
                                         g->arena.data + child->path, NULL};
            rc = group_report(&h, &hit, (size_t)(child - g->recs));
        }
    }
    if (rc == 0 && (g->counts || g->s->nfterms))
        rc = group_measures(g, hdr, parts);
    if (rc == 0)
        rc = group_emit(g, emit, ctx);
    group_forget(g);
    return rc;
}

int s903_group_end_cross(struct s903_group *g, const struct s903_dates *d, uint32_t parts,
                         s903_group_fn fn, void *ctx)
{
    const struct grec *child = group_child(g, &parts);
    group_order(g);
    struct ghit h = {g, fn, ctx, 0};
    int rc = group_parts(g, 1, child ? &g->cells[child->cell] : NULL, parts, d, &h);
    group_forget(g);
    return rc;
}
