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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"
#include "ssda903_cross.h"

#define REC_HEAD 12u

enum { TAG_BLANK, TAG_DATE, TAG_CODE, TAG_TEXT, TAG_OK = 8 };

struct kept {
    FILE *f;
    size_t n;                       /* records */
    uint32_t last;                  /* child of the last one */
    int sorted;                     /* children never go back */
    /* reading back: an unsorted file's records by child */
    struct at { uint32_t kid; uint32_t seq; long long off; } *idx;
    size_t next;                    /* records read */
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
    int any;
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
    for (size_t t = 0; t < s->ntables; t++) {
        if (!s->tables[t].cross_keep)
            continue;
        x->any = 1;
        x->k[t].sorted = 1;
        int made = (x->k[t].f = tmpfile()) != NULL;
        if (!made || !(x->k[t].cells = calloc(s->tables[t].ncols + 1, sizeof *x->k[t].cells))) {
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
    for (size_t t = 0; t < x->s->ntables; t++) {
        if (x->k[t].f)
            fclose(x->k[t].f);
        free(x->k[t].idx);
        free(x->k[t].cells);
        free(x->k[t].buf);
    }
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
        int32_t ymd = s903_ymd(v->iso);
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
        uint16_t len = v->len <= UINT16_MAX ? (uint16_t)v->len : UINT16_MAX;
        tag |= TAG_TEXT;
        memcpy(m + 1, &len, 2);
        m[0] = tag;
        return liia_buf_append(b, m, 3) || liia_buf_append(b, v->raw, len);
    }
    m[0] = tag;
    return liia_buf_append(b, m, n);
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
    unsigned char *p = (unsigned char *)x->rec.data;
    put_u32(p, (uint32_t)x->rec.len);
    put_u32(p + 4, kid);
    put_u32(p + 8, line < 0 || line > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)line);
    if (fwrite(p, 1, x->rec.len, k->f) != x->rec.len)
        return tmp_fail(e, "write");
    if (k->n && kid < k->last)
        k->sorted = 0;
    k->last = kid;
    k->n++;
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
static int decode(struct kept *k, const struct s903_table *t, size_t body, liia_error *e)
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
            v->raw = v->iso;
            v->len = strlen(v->iso);
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
            if (at + n > body)
                return io_fail(e);
            v->raw = (const char *)k->buf + at;
            v->len = n;
            at += n;
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

/* Reads the table's next record (in child order) ahead. */
static int read_ahead(struct kept *k, const struct s903_table *t, liia_error *e)
{
    k->have = 0;
    if (k->next == k->n)
        return 0;
    if (k->idx && fseeko(k->f, (off_t)k->idx[k->next].off, SEEK_SET))
        return io_fail(e);
    k->next++;
    unsigned char h[REC_HEAD];
    if (fread(h, 1, sizeof h, k->f) != sizeof h || get_u32(h) < REC_HEAD)
        return io_fail(e);
    size_t body = get_u32(h) - REC_HEAD;
    if (body > k->cap) {
        unsigned char *b = realloc(k->buf, body);
        if (!b)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        k->buf = b;
        k->cap = body;
    }
    if (body && fread(k->buf, 1, body, k->f) != body)
        return io_fail(e);
    k->kid = get_u32(h + 4);
    k->line = (long)get_u32(h + 8);
    k->have = 1;
    return decode(k, t, body, e);
}

/* Every kept file back to its first record, in child order. */
static int rewind_all(struct s903_cross *x, liia_error *e)
{
    for (size_t t = 0; t < x->s->ntables; t++) {
        struct kept *k = &x->k[t];
        if (!k->f)
            continue;
        if (fflush(k->f))
            return tmp_fail(e, "write");
        if ((!k->sorted && index_kept(k, e)) || fseeko(k->f, 0, SEEK_SET))
            return -1;
        k->next = 0;
        if (read_ahead(k, &x->s->tables[t], e))
            return -1;
    }
    return 0;
}

int s903_cross_run(struct s903_cross *x, s903_cross_rec_fn rec, s903_cross_child_fn child,
                   void *ctx, liia_error *e)
{
    if (!x || !x->any)
        return 0;
    if (rewind_all(x, e))
        return -1;
    for (;;) {
        uint32_t kid = UINT32_MAX;
        int found = 0;
        for (size_t t = 0; t < x->s->ntables; t++)
            if (x->k[t].have && (!found || x->k[t].kid < kid)) {
                kid = x->k[t].kid;
                found = 1;
            }
        if (!found)
            return 0;
        for (size_t t = 0; t < x->s->ntables; t++) {
            struct kept *k = &x->k[t];
            while (k->have && k->kid == kid)
                if (rec(ctx, (int)t, k->cells, k->line, e) ||
                    read_ahead(k, &x->s->tables[t], e))
                    return -1;
        }
        if (child(ctx, kid, e))
            return -1;
    }
}
