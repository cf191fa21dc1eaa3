/*
 * ssda903_cross.c - the cross-part pass (ssda903_cross.h).
 *
 * SSDA903 comes as eleven files read one after another, so a rule on a
 * missing-episode row that asks about the child's episodes, or an episode
 * rule that asks about the child's social worker records, cannot run as
 * the rows stream in.  As SQL over the stored rows each such rule was a
 * pass over the submission (a second or more at 10^6 episodes).  Instead
 * the few cells those rules read are written, as each row is read, to an
 * unlinked temporary file per part (created 0600 by tmpfile(); only
 * dates, codes, the child index's number and a social worker's SW_ID as
 * stored: no child's identifier).  The parts
 * of an extract list their children in the same order, so each file is
 * read back once, front to back, and the child's records of every part
 * meet; a file whose children come in another order is read through an
 * index sorted by child (16 bytes a record).
 *
 * A kept record: u32 its size, u32 child, u32 line, then for each kept
 * column a tag (what follows, and 8 when the cell passed its check) and:
 * nothing (a blank cell), a date as yyyymmdd (i32), a code as its index
 * in the column's list (u16), or a text (u16 length, the bytes).  Dates
 * and codes are most of what the rules read, and the CHILD column is
 * never kept (the child is the child index's number), so a record is
 * some 25 bytes: 120 MB of temporary files for 10^6 episodes and the
 * other parts' 3.7 million rows, read back once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"
#include "ssda903_cross.h"

#define REC_HEAD 12u

enum { TAG_BLANK, TAG_DATE, TAG_CODE, TAG_TEXT, TAG_OK = 8 };

/* Children of a block: where a sorted file's records of the children
 * from a multiple of BLOCK on start, so the pass can be split there. */
#define BLOCK_SHIFT 10

struct kept {
    FILE *f;
    size_t n;                       /* records */
    long long bytes;                /* written */
    uint32_t last;                  /* child of the last one */
    int sorted;                     /* children never go back */
    /* a sorted file: blk[b] is the first record of a child >= b << BLOCK_SHIFT */
    struct blk { long long off; size_t rec; } *blk;
    size_t nblk, capblk;
    /* reading back: an unsorted file's records by child */
    struct at { uint32_t kid; uint32_t seq; long long off; } *idx;
};

/* Reading one kept file back over a range of its records. */
struct cur {
    FILE *f;
    int own;                        /* f opened for this cursor */
    size_t next, end;               /* records (or idx entries) read, the end */
    uint32_t kid;                   /* the child of the record read ahead */
    long line;
    int have;                       /* a record is read ahead */
    struct s903_cell *cells;        /* its cells, texts in buf or iso */
    unsigned char *buf;
    size_t cap;
};

struct s903_cross {
    const struct s903_schema *s;
    struct kept *k;                 /* per table; f NULL: not kept */
    struct cur *cur[2];             /* per table: the pass's, the split's */
    int any;
    uint32_t nkids;                 /* 1 + the largest child kept */
    liia_buf rec;                   /* the record being written */
};

/* A temporary file could not be made, written or read: nothing is
 * stored (the ingest is one transaction); the fix is room in /tmp. */
static int tmp_fail(liia_error *e, const char *what)
{
    liia_fail(e, LIIA_E_IO, "cannot %s the cross-part rules' temporary file", what);
    liia_error_fix(e, "make room in /tmp (the rules that read several parts keep about "
                      "120 MB there for 10^6 episodes while the ingest runs) and send again");
    return -1;
}

struct s903_cross *s903_cross_new(const struct s903_schema *s, liia_error *e)
{
    struct s903_cross *x = calloc(1, sizeof *x);
    if (!x || !(x->k = calloc(s->ntables + 1, sizeof *x->k))) {
        free(x);
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    x->s = s;
    liia_buf_init(&x->rec);
    for (int h = 0; h < 2; h++)
        if (!(x->cur[h] = calloc(s->ntables + 1, sizeof *x->cur[h]))) {
            s903_cross_free(x);
            liia_fail(e, LIIA_E_NOMEM, "out of memory");
            return NULL;
        }
    for (size_t t = 0; t < s->ntables; t++) {
        if (!s->tables[t].cross_keep)
            continue;
        x->any = 1;
        x->k[t].sorted = 1;
        int made = (x->k[t].f = tmpfile()) != NULL;
        for (int h = 0; made && h < 2; h++)
            if (!(x->cur[h][t].cells = calloc(s->tables[t].ncols + 1, sizeof(struct s903_cell))))
                made = -1;
        if (made != 1) {
            s903_cross_free(x);
            if (made)
                liia_fail(e, LIIA_E_NOMEM, "out of memory");
            else
                tmp_fail(e, "create");
            return NULL;
        }
    }
    return x;
}

void s903_cross_free(struct s903_cross *x)
{
    if (!x)
        return;
    for (size_t t = 0; x->k && t < x->s->ntables; t++) {
        if (x->k[t].f)
            fclose(x->k[t].f);
        free(x->k[t].idx);
        free(x->k[t].blk);
        for (int h = 0; h < 2; h++)
            if (x->cur[h]) {
                if (x->cur[h][t].own)
                    fclose(x->cur[h][t].f);
                free(x->cur[h][t].cells);
                free(x->cur[h][t].buf);
            }
    }
    free(x->cur[0]);
    free(x->cur[1]);
    free(x->k);
    liia_buf_free(&x->rec);
    free(x);
}

int s903_cross_keeps(const struct s903_cross *x, int table)
{
    return x && table >= 0 && x->k[table].f != NULL;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* How a cell is kept: a valid date as its day, a listed code as its
 * index, anything else as its text. */
static int put_cell(liia_buf *b, const struct s903_col *col, const struct s903_cell *v)
{
    unsigned char tag = v->ok ? TAG_OK : 0, m[5];
    size_t n = 1;
    if (!v->len) {
        tag |= TAG_BLANK;
    } else if (v->ok && col->type == S903_DATE && v->iso[0] && v->len == 10 &&
               !memcmp(v->raw, v->iso, 10)) {
        int32_t ymd = s903_cell_ymd(v);
        tag |= TAG_DATE;
        memcpy(m + 1, &ymd, 4);
        n = 5;
    } else if (v->code > 0 && (size_t)v->code <= col->codes.n && v->code <= UINT16_MAX &&
               strlen(col->codes.codes[v->code - 1]) == v->len &&
               !memcmp(col->codes.codes[v->code - 1], v->raw, v->len)) {
        uint16_t code = (uint16_t)v->code;
        tag |= TAG_CODE;
        memcpy(m + 1, &code, 2);
        n = 3;
    } else {
        /* NUL-terminated as read back: findings and regexec take C strings */
        uint16_t len = v->len < UINT16_MAX ? (uint16_t)v->len : UINT16_MAX - 1;
        tag |= TAG_TEXT;
        memcpy(m + 1, &len, 2);
        m[0] = tag;
        return liia_buf_append(b, m, 3) || liia_buf_append(b, v->raw, len) ||
               liia_buf_append(b, "", 1);
    }
    m[0] = tag;
    return liia_buf_append(b, m, n);
}

/* The record about to be written starts the blocks up to kid's. */
static int mark_blocks(struct kept *k, uint32_t kid)
{
    size_t b = (size_t)(kid >> BLOCK_SHIFT);
    while (k->nblk <= b) {
        struct blk *n = liia_grow_array(k->blk, &k->capblk, k->nblk + 1, sizeof *n, 64);
        if (!n)
            return -1;
        k->blk = n;
        k->blk[k->nblk++] = (struct blk){k->bytes, k->n};
    }
    return 0;
}

int s903_cross_add(struct s903_cross *x, int table, uint32_t kid, long line,
                   const struct s903_cell *cells, liia_error *e)
{
    if (!s903_cross_keeps(x, table))
        return 0;
    const struct s903_table *t = &x->s->tables[table];
    struct kept *k = &x->k[table];
    unsigned char head[REC_HEAD];
    liia_buf_reset(&x->rec);
    if (liia_buf_append(&x->rec, head, sizeof head))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t c = 0; c < t->ncols && c < 64; c++)
        if ((t->cross_cols >> c & 1) && put_cell(&x->rec, &t->cols[c], &cells[c]))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (k->sorted && (!k->n || kid >= k->last) && mark_blocks(k, kid))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    unsigned char *p = (unsigned char *)x->rec.data;
    put_u32(p, (uint32_t)x->rec.len);
    put_u32(p + 4, kid);
    put_u32(p + 8, line < 0 || line > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)line);
    if (fwrite_unlocked(p, 1, x->rec.len, k->f) != x->rec.len)
        return tmp_fail(e, "write");
    if (k->n && kid < k->last)
        k->sorted = 0;
    k->last = kid;
    k->n++;
    k->bytes += (long long)x->rec.len;
    if (kid >= x->nkids)
        x->nkids = kid + 1;
    return 0;
}

int s903_cross_reset(struct s903_cross *x, int table, liia_error *e)
{
    if (!s903_cross_keeps(x, table))
        return 0;
    struct kept *k = &x->k[table];
    FILE *f = tmpfile();
    if (!f)
        return tmp_fail(e, "create");
    fclose(k->f);
    k->f = f;
    k->n = 0;
    k->bytes = 0;
    k->nblk = 0;
    k->sorted = 1;
    return 0;
}

/* ------------------------------------------------------------ reading back */

static int io_fail(liia_error *e)
{
    return tmp_fail(e, "read");
}

static int by_child(const void *a, const void *b)
{
    const struct at *x = a, *y = b;
    if (x->kid != y->kid)
        return x->kid < y->kid ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A file whose children are not in order: its records by child (file
 * order within a child). */
static int index_kept(struct kept *k, liia_error *e)
{
    if (!(k->idx = malloc((k->n + 1) * sizeof *k->idx)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    long long off = 0;
    for (size_t i = 0; i < k->n; i++) {
        unsigned char h[REC_HEAD];
        if (fseeko(k->f, (off_t)off, SEEK_SET) || fread(h, 1, sizeof h, k->f) != sizeof h ||
            get_u32(h) < REC_HEAD)
            return io_fail(e);
        k->idx[i] = (struct at){get_u32(h + 4), (uint32_t)i, off};
        off += get_u32(h);
    }
    qsort(k->idx, k->n, sizeof *k->idx, by_child);
    return 0;
}

/* The kept columns of a record's body as cells (texts in the body, the
 * column's code list or the cell's iso). */
static int decode(struct cur *k, const struct s903_table *t, size_t body, liia_error *e)
{
    size_t at = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        struct s903_cell *v = &k->cells[c];
        const struct s903_col *col = &t->cols[c];
        *v = (struct s903_cell){.raw = ""};
        if (c >= 64 || !(t->cross_cols >> c & 1))
            continue;
        if (at >= body)
            return io_fail(e);
        unsigned tag = k->buf[at++];
        v->ok = (tag & TAG_OK) != 0;
        v->month = v->ok && col->degrade_month;
        int32_t ymd;
        uint16_t n;
        switch (tag & 7) {
        case TAG_BLANK:
            break;
        case TAG_DATE:
            if (at + 4 > body)
                return io_fail(e);
            memcpy(&ymd, k->buf + at, 4);
            at += 4;
            s903_iso_of_ymd(ymd, v->iso);
            v->ymd = ymd;
            v->raw = v->iso;
            v->len = 10;
            break;
        case TAG_CODE:
            if (at + 2 > body)
                return io_fail(e);
            memcpy(&n, k->buf + at, 2);
            at += 2;
            if (!n || n > col->codes.n)
                return io_fail(e);
            v->code = n;
            v->raw = col->codes.codes[n - 1];
            v->len = strlen(v->raw);
            break;
        case TAG_TEXT:
            if (at + 2 > body)
                return io_fail(e);
            memcpy(&n, k->buf + at, 2);
            at += 2;
            if (at + n + 1 > body || k->buf[at + n])
                return io_fail(e);
            v->raw = (const char *)k->buf + at;
            v->len = n;
            at += n + 1;
            if (v->ok && col->type == S903_DATE && n == 10) {
                memcpy(v->iso, v->raw, 10);
                v->iso[10] = '\0';
            } else if (v->ok && col->type == S903_PDATE &&
                       s903_parse_pdate(v->raw, n, v->iso)) {
                v->iso[0] = '\0';
            }
            break;
        default:
            return io_fail(e);
        }
    }
    return 0;
}

/* Reads the cursor's next record (in child order) ahead. */
static int read_ahead(struct cur *c, const struct kept *k, const struct s903_table *t,
                      liia_error *e)
{
    c->have = 0;
    if (c->next == c->end)
        return 0;
    if (k->idx && fseeko(c->f, (off_t)k->idx[c->next].off, SEEK_SET))
        return io_fail(e);
    c->next++;
    unsigned char h[REC_HEAD];
    /* unlocked: a cursor's file is read by its half's thread alone, and
     * the lock of two freads a record was 2-3% of an ingest's CPU */
    if (fread_unlocked(h, 1, sizeof h, c->f) != sizeof h || get_u32(h) < REC_HEAD)
        return io_fail(e);
    size_t body = get_u32(h) - REC_HEAD;
    if (body > c->cap) {
        unsigned char *b = realloc(c->buf, body);
        if (!b)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        c->buf = b;
        c->cap = body;
    }
    if (body && fread_unlocked(c->buf, 1, body, c->f) != body)
        return io_fail(e);
    c->kid = get_u32(h + 4);
    c->line = (long)get_u32(h + 8);
    c->have = 1;
    return decode(c, t, body, e);
}

/* Where the records of children from kid on start: a record number (an
 * index entry for an unsorted file) and, for a sorted file, its offset. */
static void start_of(const struct kept *k, uint32_t kid, size_t *rec, long long *off)
{
    if (k->idx) {
        size_t lo = 0, hi = k->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (k->idx[mid].kid < kid)
                lo = mid + 1;
            else
                hi = mid;
        }
        *rec = lo;
        *off = 0;
        return;
    }
    size_t b = (size_t)(kid >> BLOCK_SHIFT);
    *rec = b < k->nblk ? k->blk[b].rec : k->n;
    *off = b < k->nblk ? k->blk[b].off : k->bytes;
}

/* Every kept file written out, an unsorted one indexed by child. */
static int finish_writing(struct s903_cross *x, liia_error *e)
{
    for (size_t t = 0; t < x->s->ntables; t++) {
        struct kept *k = &x->k[t];
        if (!k->f)
            continue;
        if (fflush(k->f))
            return tmp_fail(e, "write");
        if (!k->sorted && !k->idx && index_kept(k, e))
            return -1;
    }
    return 0;
}

/* Cursors h over the records of children [lo, hi) of every kept file; the
 * split's (h 1) read through a second open file of their own, so the two
 * halves read side by side. */
static int open_cursors(struct s903_cross *x, int h, uint32_t lo, uint32_t hi, liia_error *e)
{
    for (size_t t = 0; t < x->s->ntables; t++) {
        struct kept *k = &x->k[t];
        struct cur *c = &x->cur[h][t];
        if (!k->f)
            continue;
        size_t from, to;
        long long off, end;
        start_of(k, lo, &from, &off);
        start_of(k, hi, &to, &end);
        c->f = k->f;
        if (h) {
            /* an unlinked file's own name: a file position apart from the pass's */
            char name[64];
            snprintf(name, sizeof name, "/proc/self/fd/%d", fileno(k->f));
            if (!(c->f = fopen(name, "rb")))
                return -1;
            c->own = 1;
        }
        c->next = from;
        c->end = to;
        if (fseeko(c->f, (off_t)off, SEEK_SET) || read_ahead(c, k, &x->s->tables[t], e))
            return -1;
    }
    return 0;
}

/* Reads the children's records through cursors h, child by child. */
static int run_cursors(struct s903_cross *x, int h, const struct s903_cross_pass *p,
                       liia_error *e)
{
    struct cur *cur = x->cur[h];
    for (;;) {
        uint32_t kid = UINT32_MAX;
        int found = 0;
        for (size_t t = 0; t < x->s->ntables; t++)
            if (x->k[t].f && cur[t].have && (!found || cur[t].kid < kid)) {
                kid = cur[t].kid;
                found = 1;
            }
        if (!found)
            return 0;
        for (size_t t = 0; t < x->s->ntables; t++) {
            struct cur *c = &cur[t];
            while (x->k[t].f && c->have && c->kid == kid)
                if (p->rec(p->ctx, (int)t, c->cells, c->line, e) ||
                    read_ahead(c, &x->k[t], &x->s->tables[t], e))
                    return -1;
        }
        if (p->child(p->ctx, kid, e))
            return -1;
    }
}

struct half {
    struct s903_cross *x;
    const struct s903_cross_pass *p;
    liia_error e;
    int rc;
};

static void *run_half(void *arg)
{
    struct half *h = arg;
    h->rc = run_cursors(h->x, 1, h->p, &h->e);
    return NULL;
}

/* Fewer children than this: one reader (a thread costs more than it saves). */
#define SPLIT_MIN_KIDS (16u << BLOCK_SHIFT)

int s903_cross_run(struct s903_cross *x, const struct s903_cross_pass *lo,
                   const struct s903_cross_pass *hi, liia_error *e)
{
    if (!x || !x->any)
        return 0;
    if (finish_writing(x, e))
        return -1;
    /* the split: the block boundary nearest half the children */
    uint32_t split = hi && x->nkids >= SPLIT_MIN_KIDS
                         ? (x->nkids / 2) >> BLOCK_SHIFT << BLOCK_SHIFT : UINT32_MAX;
    struct half h = {x, hi, {0}, 0};
    liia_error_clear(&h.e);
    pthread_t th;
    int threaded = split != UINT32_MAX && open_cursors(x, 1, split, UINT32_MAX, &h.e) == 0 &&
                   pthread_create(&th, NULL, run_half, &h) == 0;
    if (!threaded)
        split = UINT32_MAX;   /* no second reader: the pass reads every child */
    int rc = open_cursors(x, 0, 0, split, e) ? -1 : run_cursors(x, 0, lo, e);
    if (threaded && pthread_join(th, NULL) == 0 && h.rc && rc == 0) {
        *e = h.e;
        rc = -1;
    }
    return rc;
}
