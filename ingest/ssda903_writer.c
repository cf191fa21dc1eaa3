/*
 * ssda903_writer.c - the INSERTs of an SSDA903 table on their own thread.
 *
 * SQLite's share of a load (binding, the B-tree, the page writes) is about
 * as large as the rest (CSV, cell checks, HMAC, rules), and on one thread
 * they add up.  Here the ingest thread packs rows into batches and the
 * writer steps them: the two halves overlap.  Eight batches circulate
 * between a free list and a full queue, so memory does not grow with the
 * file.  Only the writer touches the connection while it runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ssda903_writer.h"

#define BATCHES 8
#define BATCH_ROWS 2048

struct batch {
    liia_buf data;             /* packed rows */
    size_t rows;
};

/* A part's rows of the batch being written, waiting to fill its `many`. */
struct waiting {
    const char *row[S903_WRITER_MANY];
    size_t n;
};

struct s903_writer {
    sqlite3 *db;
    long long sid;
    /* each part's INSERTs, columns and hex columns (s903_writer_start: the
     * one part); with several, every queued row starts with its part
     * (uint32) */
    struct s903_writer_part *parts;
    size_t nparts;
    int multi;
    struct waiting *waiting;   /* one a part */
    /* the bytes of each row's hex cell, bound until the step */
    unsigned char bytes[S903_WRITER_MANY][64];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    struct batch batches[BATCHES];
    struct batch *free_[BATCHES], *full[BATCHES];
    size_t nfree, nfull;       /* full is a FIFO from index 0 */
    struct batch *cur;         /* being filled by the ingest thread */
    int closing, failed, abandon;
    liia_error err;            /* the writer's failure */
};

static unsigned char *unhex(const char *s, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i += 2) {
        unsigned hi = (unsigned char)s[i], lo = (unsigned char)s[i + 1];
        hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
        lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return out;
}

/* 1 with *v when s[0..n) is an integer as SQLite would store it from
 * that text in an INTEGER column (no sign but '-', no leading zero, no
 * space, 18 digits at most): bound as a number, it spares SQLite the
 * conversion; anything else is bound as text and converted as before. */
static int plain_number(const char *s, size_t n, int64_t *v)
{
    size_t i = n && s[0] == '-';
    if (n == i || n - i > 18 || (s[i] == '0' && n - i > 1) || (i && s[i] == '0'))
        return 0;
    int64_t x = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = s[0] == '-' ? -x : x;
    return 1;
}

/* The part of the queued row at *p, stepping past its tag. */
static size_t row_part(const struct s903_writer *w, const char **p)
{
    uint32_t part = 0;
    if (w->multi) {
        memcpy(&part, *p, sizeof part);
        *p += sizeof part;
    }
    return part;
}

/* Binds a queued row (s903_writer_pack's bytes, then the flags,
 * NUL-terminated) to st's parameters from `at` (its line; then the flags,
 * then the values); *p moves past it. */
static void bind_row(struct s903_writer *w, const struct s903_writer_part *wp,
                     sqlite3_stmt *st, int at, const char **p)
{
    int64_t line;
    uint64_t null;
    memcpy(&line, *p, sizeof line);
    memcpy(&null, *p + sizeof line, sizeof null);
    const char *s = *p + sizeof line + sizeof null;
    sqlite3_bind_int64(st, at, line);
    for (size_t c = 0; c < wp->ncols; c++) {
        int i = at + 2 + (int)c;
        uint32_t n = 0;
        if (null >> c & 1) {
            sqlite3_bind_null(st, i);
            continue;
        }
        memcpy(&n, s, sizeof n);
        s += sizeof n;
        int64_t v;
        if (wp->hex_blob >> c & 1 && n <= 2 * sizeof w->bytes[0] && n % 2 == 0)
            sqlite3_bind_blob(st, i, unhex(s, n, w->bytes[(at - 2) / (2 + (int)wp->ncols)]),
                              (int)n / 2, SQLITE_STATIC);
        else if (wp->integer >> c & 1 && plain_number(s, n, &v))
            sqlite3_bind_int64(st, i, v);
        else
            sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
        s += n;
    }
    size_t n = strlen(s);
    if (n)
        sqlite3_bind_text(st, at + 1, s, (int)n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, at + 1);
    *p = s + n + 1;
}

/* The end of the queued row at p (its part tag read already). */
static const char *row_end(const struct s903_writer_part *wp, const char *p)
{
    uint64_t null;
    memcpy(&null, p + sizeof(int64_t), sizeof null);
    const char *s = p + sizeof(int64_t) + sizeof null;
    for (size_t c = 0; c < wp->ncols; c++)
        if (!(null >> c & 1)) {
            uint32_t n;
            memcpy(&n, s, sizeof n);
            s += sizeof n + n;
        }
    return s + strlen(s) + 1;
}

/* Steps st once its rows are bound; -1 when SQLite refused. */
static int step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Inserts part's waiting rows: all at once when they fill its `many`,
 * else one by one (the batch's last few). */
static int write_waiting(struct s903_writer *w, size_t part)
{
    const struct s903_writer_part *wp = &w->parts[part];
    struct waiting *q = &w->waiting[part];
    int rc = 0;
    if (q->n == S903_WRITER_MANY && wp->many) {
        sqlite3_bind_int64(wp->many, 1, w->sid);
        for (size_t r = 0; r < q->n; r++) {
            const char *p = q->row[r];
            bind_row(w, wp, wp->many, 2 + (int)(r * (2 + wp->ncols)), &p);
        }
        rc = step(wp->many);
    } else {
        sqlite3_bind_int64(wp->ins, 1, w->sid);
        for (size_t r = 0; r < q->n && !rc; r++) {
            const char *p = q->row[r];
            bind_row(w, wp, wp->ins, 2, &p);
            rc = step(wp->ins);
        }
    }
    q->n = 0;
    return rc;
}

/* Each part's rows in the order queued; parts may interleave (rows of
 * different tables go in any order among themselves). */
static int write_rows(struct s903_writer *w, struct batch *b)
{
    const char *p = b->data.data;
    int rc = 0;
    for (size_t i = 0; i < b->rows && !rc; i++) {
        size_t part = row_part(w, &p);
        struct waiting *q = &w->waiting[part];
        q->row[q->n++] = p;
        p = row_end(&w->parts[part], p);
        if (q->n == S903_WRITER_MANY)
            rc = write_waiting(w, part);
    }
    for (size_t part = 0; part < w->nparts && !rc; part++)
        if (w->waiting[part].n)
            rc = write_waiting(w, part);
    for (size_t part = 0; part < w->nparts; part++)
        w->waiting[part].n = 0;
    return rc;
}

static void write_batch(struct s903_writer *w, struct batch *b)
{
    if (write_rows(w, b)) {
        pthread_mutex_lock(&w->mu);
        w->failed = 1;
        liia_db_fail(&w->err, w->db, "storing an SSDA903 row");
        pthread_mutex_unlock(&w->mu);
    }
}

static void *writer_main(void *arg)
{
    struct s903_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->nfull && !w->closing)
            pthread_cond_wait(&w->changed, &w->mu);
        if (!w->nfull)
            break;
        struct batch *b = w->full[0];
        memmove(w->full, w->full + 1, --w->nfull * sizeof *w->full);
        int skip = w->failed || w->abandon;
        pthread_mutex_unlock(&w->mu);
        if (!skip)
            write_batch(w, b);
        pthread_mutex_lock(&w->mu);
        b->rows = 0;
        liia_buf_reset(&b->data);
        w->free_[w->nfree++] = b;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void destroy(struct s903_writer *w)
{
    free(w->parts);
    free(w->waiting);
    for (size_t i = 0; i < BATCHES; i++)
        liia_buf_free(&w->batches[i].data);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

/* A writer of nparts parts (parts owned: freed by destroy, or here). */
static struct s903_writer *start(sqlite3 *db, struct s903_writer_part *parts, size_t nparts,
                                 int multi, long long sid, liia_error *e)
{
    struct s903_writer *w = calloc(1, sizeof *w);
    struct waiting *waiting = calloc(nparts, sizeof *waiting);
    if (!w || !waiting) {
        free(w);
        free(waiting);
        free(parts);
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    *w = (struct s903_writer){.db = db, .sid = sid, .parts = parts, .nparts = nparts,
                              .multi = multi, .waiting = waiting};
    liia_error_clear(&w->err);
    for (size_t i = 0; i < BATCHES; i++)
        liia_buf_init(&w->batches[i].data);
    if (pthread_mutex_init(&w->mu, NULL)) {
        free(parts);
        free(waiting);
        free(w);
        liia_fail(e, LIIA_E_NOMEM, "cannot create a lock for the writer thread");
        return NULL;
    }
    if (pthread_cond_init(&w->changed, NULL)) {
        pthread_mutex_destroy(&w->mu);
        free(parts);
        free(waiting);
        free(w);
        liia_fail(e, LIIA_E_NOMEM, "cannot create a condition for the writer thread");
        return NULL;
    }
    w->cur = &w->batches[0];
    for (size_t i = 1; i < BATCHES; i++)
        w->free_[w->nfree++] = &w->batches[i];
    if (pthread_create(&w->thread, NULL, writer_main, w)) {
        destroy(w);
        liia_fail(e, LIIA_E_NOMEM, "cannot start the writer thread");
        return NULL;
    }
    return w;
}

struct s903_writer *s903_writer_start(sqlite3 *db, const struct s903_writer_part *part,
                                      long long sid, liia_error *e)
{
    struct s903_writer_part *one = calloc(1, sizeof *one);
    if (!one || part->ncols > 64) {
        free(one);
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    *one = *part;
    return start(db, one, 1, 0, sid, e);
}

struct s903_writer *s903_writer_start_parts(sqlite3 *db, const struct s903_writer_part *parts,
                                            size_t nparts, long long sid, liia_error *e)
{
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].ncols > 64) {
            liia_fail(e, LIIA_E_NOMEM, "out of memory");
            return NULL;
        }
    struct s903_writer_part *copy = calloc(nparts ? nparts : 1, sizeof *copy);
    if (!copy) {
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(copy, parts, nparts * sizeof *copy);
    return start(db, copy, nparts, 1, sid, e);
}

int s903_writer_row_part(struct s903_writer *w, uint32_t part, const void *packed, size_t len,
                         const char *flags, const char *more_flags, liia_error *e)
{
    if (liia_buf_append(&w->cur->data, &part, sizeof part))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return s903_writer_row(w, packed, len, flags, more_flags, e);
}

/* Hands the current batch to the writer and takes a free one. */
static int hand_over(struct s903_writer *w, liia_error *e)
{
    pthread_mutex_lock(&w->mu);
    w->full[w->nfull++] = w->cur;
    pthread_cond_broadcast(&w->changed);
    while (!w->nfree)
        pthread_cond_wait(&w->changed, &w->mu);
    w->cur = w->free_[--w->nfree];
    int failed = w->failed;
    if (failed)
        *e = w->err;
    pthread_mutex_unlock(&w->mu);
    return failed ? -1 : 0;
}

/* Writes a packed row of TOTAL bytes (computed by s903_writer_pack) to D. */
static void pack_into(char *d, int64_t line, uint64_t null, const char *const *values,
                      const size_t *lens, size_t n)
{
    memcpy(d, &line, sizeof line);
    d += sizeof line;
    memcpy(d, &null, sizeof null);
    d += sizeof null;
    for (size_t c = 0; c < n; c++) {
        if (null >> c & 1)
            continue;
        uint32_t len = (uint32_t)lens[c];
        memcpy(d, &len, sizeof len);
        memcpy(d + sizeof len, values[c], len);
        d += sizeof len + len;
    }
}

int s903_writer_pack(liia_buf *out, long line, uint64_t null, const char *const *values,
                     const size_t *lens, size_t n)
{
    /* Length-prefixed: a cell may hold a NUL byte, and a misread length
     * would shift every later row of the batch.  Packed on the stack and
     * appended once: an append per cell was 3% of the ingest thread. */
    size_t total = sizeof(int64_t) + sizeof null;
    for (size_t c = 0; c < n; c++) {
        if (null >> c & 1)
            continue;
        if (lens[c] > UINT32_MAX / 2)
            return -1;
        total += sizeof(uint32_t) + lens[c];
    }
    char stack[1024];
    char *d = total <= sizeof stack ? stack : malloc(total);
    if (!d)
        return -1;
    pack_into(d, line, null, values, lens, n);
    int rc = liia_buf_append(out, d, total);
    if (d != stack)
        free(d);
    return rc;
}

int s903_writer_row(struct s903_writer *w, const void *packed, size_t len,
                    const char *flags, const char *more_flags, liia_error *e)
{
    /* one extend, not an append a piece: this runs for every row */
    size_t nf = strlen(flags), nm = strlen(more_flags), comma = nf && nm;
    char *d = liia_buf_extend(&w->cur->data, len + nf + comma + nm + 1);
    if (!d)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    memcpy(d, packed, len);
    memcpy(d + len, flags, nf);
    d[len + nf] = ',';   /* overwritten by the NUL when there is no comma */
    memcpy(d + len + nf + comma, more_flags, nm);
    d[len + nf + comma + nm] = '\0';
    if (++w->cur->rows < BATCH_ROWS)
        return 0;
    return hand_over(w, e);
}

int s903_writer_finish(struct s903_writer *w, int abandon, liia_error *e)
{
    pthread_mutex_lock(&w->mu);
    if (w->cur->rows)
        w->full[w->nfull++] = w->cur;
    w->cur = NULL;
    w->closing = 1;
    w->abandon = abandon;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    int failed = w->failed && !abandon;
    if (failed)
        *e = w->err;
    destroy(w);
    return failed ? -1 : 0;
}
