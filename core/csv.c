/*
 * csv.c - streaming CSV reading over libcsv.
 *
 * Bytes flow through three stages before libcsv sees them:
 *   1. sniffing (first bytes only): BOM stripped; spreadsheets and other
 *      binary files recognised and refused with a message saying what to do;
 *   2. encoding: UTF-8 validated; text that is not UTF-8 either converted
 *      from Windows-1252 (what Excel writes for "CSV (Comma delimited)") or
 *      refused;
 *   3. line endings: CRLF and lone CR become LF, and the text is fed to
 *      libcsv one line at a time, so every record knows the line it ends on.
 * Memory is bounded by the longest record, not the file.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "liia_core.h"

enum {
    CHUNK = 64 * 1024,
    MAX_FIELD = 1024 * 1024,
    MAX_FIELDS = 4096,
};

typedef struct csv_reader {
    struct csv_parser parser;
    const char *name;
    unsigned flags;
    liia_csv_cb cb;
    void *cb_ctx;
    liia_csv_info *info;
    liia_error *e;
    int failed;   /* e is filled in; stop feeding */
    int stopped;  /* callback asked to stop early */
    int sniffed;
    /* encoding stage */
    int cp1252;
    int seen_multibyte;
    unsigned char hold[4]; /* incomplete UTF-8 sequence */
    size_t nhold;
    long enc_line;
    liia_buf utf8;
    /* line-ending stage */
    int pending_cr;
    liia_buf lines;
    long line; /* lines completely fed so far */
    long record_start; /* line on which the record being read began */
    int in_record;
    /* record assembly */
    liia_buf fields;
    size_t *offsets, *lengths;
    const char **ptrs;
    size_t nfields, capfields;
} csv_reader;

static int reader_fail(csv_reader *r, long line, const char *fix,
                       const char *fmt, ...) LIIA_PRINTF(4, 5);

static int reader_fail(csv_reader *r, long line, const char *fix,
                       const char *fmt, ...)
{
    liia_error *e = r->e;
    liia_strlcpy(e->file, r->name, sizeof e->file);
    e->line = line;
    e->severity = LIIA_SEV_ERROR;
    e->status = LIIA_E_DATA;
    liia_strlcpy(e->rule_id, "CSV", sizeof e->rule_id);
    if (fix)
        liia_error_fix(e, "%s", fix);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    r->failed = 1;
    return -1;
}

static int reader_nomem(csv_reader *r)
{
    liia_fail(r->e, LIIA_E_NOMEM, "out of memory reading %s", r->name);
    r->failed = 1;
    return -1;
}

/* ------------------------------------------------------------ records */

static int field_too_long(csv_reader *r)
{
    return reader_fail(r, r->line + 1, "a field this long is never valid data: "
                       "check the file was exported from the right system",
                       "a field is longer than %s", "1 MiB");
}

static void on_field(void *s, size_t len, void *data)
{
    csv_reader *r = data;
    if (r->failed || r->stopped)
        return;
    if (len > MAX_FIELD) {
        field_too_long(r);
        return;
    }
    if (r->nfields == MAX_FIELDS) {
        reader_fail(r, r->line + 1, "check the delimiter is a comma and the "
                    "file is the return it claims to be",
                    "a row has more than %s columns", "4096");
        return;
    }
    if (r->nfields == r->capfields) {
        size_t cap = r->capfields ? r->capfields * 2 : 32;
        size_t *o = realloc(r->offsets, cap * sizeof *o);
        if (!o) { reader_nomem(r); return; }
        r->offsets = o;
        size_t *l = realloc(r->lengths, cap * sizeof *l);
        if (!l) { reader_nomem(r); return; }
        r->lengths = l;
        const char **p = realloc(r->ptrs, (cap + 1) * sizeof *p);
        if (!p) { reader_nomem(r); return; }
        r->ptrs = p;
        r->capfields = cap;
    }
    r->offsets[r->nfields] = r->fields.len;
    r->lengths[r->nfields] = len;
    r->nfields++;
    if (liia_buf_append_z(&r->fields, s, len))
        reader_nomem(r);
}

static void on_record(int c, void *data)
{
    csv_reader *r = data;
    (void)c;
    if (r->failed || r->stopped || r->nfields == 0)
        goto reset;
    for (size_t i = 0; i < r->nfields; i++)
        r->ptrs[i] = r->fields.data + r->offsets[i];
    r->ptrs[r->nfields] = NULL;
    liia_csv_record rec = {
        .nfields = r->nfields,
        .fields = r->ptrs,
        .lengths = r->lengths,
        .line = r->record_start,
        .record_no = ++r->info->records,
    };
    int rc = r->cb(&rec, r->cb_ctx, r->e);
    if (rc < 0) {
        r->failed = 1;
        if (!r->e->file[0])
            liia_strlcpy(r->e->file, r->name, sizeof r->e->file);
    } else if (rc > 0) {
        r->stopped = 1;
    }
reset:
    r->nfields = 0;
    r->in_record = 0;
    liia_buf_reset(&r->fields);
}

static int feed_csv(csv_reader *r, const char *p, size_t n)
{
    /* libcsv hands a field over only when it ends: stop a field that never
     * does here, before it has buffered the whole file. */
    if (r->parser.entry_pos > MAX_FIELD && !r->failed)
        return field_too_long(r);
    if (csv_parse(&r->parser, p, n, on_field, on_record, r) != n && !r->failed)
        return reader_fail(r, r->line + 1,
                           "a quote (\") inside a field must be doubled (\"\"), "
                           "and a field containing a quote must be quoted",
                           "malformed quoting: a quote mark (\") may only open "
                           "and close a whole field, or be doubled inside one%s", "");
    return r->failed ? -1 : 0;
}

/* ------------------------------------------------------------ line endings */

/* Normalises CRLF and lone CR to LF, then feeds whole lines to libcsv. */
static int feed_lines(csv_reader *r, const char *p, size_t n)
{
    liia_buf_reset(&r->lines);
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (r->pending_cr) {
            r->pending_cr = 0;
            if (liia_buf_append(&r->lines, "\n", 1))
                return reader_nomem(r);
            if (c == '\n')
                continue;
        }
        if (c == '\r') {
            r->pending_cr = 1;
            continue;
        }
        /* Copy the run up to the next CR in one go. */
        const char *cr = memchr(p + i, '\r', n - i);
        size_t run = cr ? (size_t)(cr - (p + i)) : n - i;
        if (liia_buf_append(&r->lines, p + i, run))
            return reader_nomem(r);
        i += run - 1;
    }
    const char *s = r->lines.data, *end = s + r->lines.len;
    while (s < end && !r->failed && !r->stopped) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        if (!r->in_record && !(len == 1 && *s == '\n')) {
            r->in_record = 1;
            r->record_start = r->line + 1;
        }
        if (feed_csv(r, s, len))
            return -1;
        if (nl)
            r->line++;
        s += len;
    }
    return r->failed ? -1 : 0;
}

/* ------------------------------------------------------------ encoding */

/* Windows-1252 0x80-0x9F; 0 marks the five bytes it leaves undefined. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

static int put_codepoint(liia_buf *b, unsigned cp)
{
    char u[3];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    return liia_buf_append(b, u, n);
}

static int nul_byte(csv_reader *r)
{
    return reader_fail(r, r->enc_line + 1,
                       "export the data again as CSV text; a file "
                       "with NUL bytes is binary, not CSV",
                       "the file contains a NUL byte%s", "");
}

static int convert_cp1252(csv_reader *r, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned cp = p[i];
        if (!cp)
            return nul_byte(r);
        if (cp >= 0x80 && cp < 0xA0 && !(cp = cp1252_high[cp - 0x80])) {
            char byte[8];
            snprintf(byte, sizeof byte, "0x%02X", p[i]);
            return reader_fail(r, r->enc_line + 1,
                               "save the file as UTF-8: in Excel use File > Save As > "
                               "\"CSV UTF-8 (Comma delimited)\"",
                               "the file is neither UTF-8 nor Windows-1252 text "
                               "(byte %s)", byte);
        }
        if (cp == '\n')
            r->enc_line++;
        if (put_codepoint(&r->utf8, cp))
            return reader_nomem(r);
    }
    return 0;
}

/* Length of the UTF-8 sequence led by c, 0 if c cannot lead one. */
static size_t utf8_len(unsigned char c)
{
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

static int utf8_second_ok(unsigned char lead, unsigned char c)
{
    if ((c & 0xC0) != 0x80) return 0;
    if (lead == 0xE0) return c >= 0xA0;
    if (lead == 0xED) return c < 0xA0;
    if (lead == 0xF0) return c >= 0x90;
    if (lead == 0xF4) return c < 0x90;
    return 1;
}

static int not_utf8(csv_reader *r, const unsigned char *p, size_t n)
{
    if ((r->flags & LIIA_CSV_CONVERT_CP1252) && !r->seen_multibyte) {
        r->cp1252 = 1;
        r->info->converted_cp1252 = 1;
        return convert_cp1252(r, p, n);
    }
    char byte[8];
    snprintf(byte, sizeof byte, "0x%02X", p[0]);
    return reader_fail(r, r->enc_line + 1,
                       "save the file as UTF-8: in Excel use File > Save As > "
                       "\"CSV UTF-8 (Comma delimited)\"; in other tools choose "
                       "the UTF-8 encoding when exporting",
                       "the file is not UTF-8 text (byte %s; it looks like "
                       "Windows-1252 from Excel)", byte);
}

/* Validates UTF-8 (sequences may straddle chunks) and copies it to utf8. */
static int decode(csv_reader *r, const unsigned char *p, size_t n)
{
    liia_buf_reset(&r->utf8);
    if (r->cp1252)
        return convert_cp1252(r, p, n);
    unsigned char seq[4 + CHUNK];
    size_t i = 0;
    while (i < n) {
        if (!r->nhold && p[i] < 0x80) {
            size_t j = i;
            while (j < n && p[j] < 0x80) {
                if (p[j] == '\n')
                    r->enc_line++;
                if (!p[j])
                    return nul_byte(r);
                j++;
            }
            if (liia_buf_append(&r->utf8, p + i, j - i))
                return reader_nomem(r);
            i = j;
            continue;
        }
        unsigned char lead = r->nhold ? r->hold[0] : p[i];
        size_t need = utf8_len(lead);
        if (!r->nhold)
            r->hold[r->nhold++] = p[i++];
        while (need && r->nhold < need && i < n) {
            unsigned char c = p[i];
            int ok = r->nhold == 1 ? utf8_second_ok(lead, c) : (c & 0xC0) == 0x80;
            if (!ok)
                break;
            r->hold[r->nhold++] = p[i++];
        }
        if (need && r->nhold == need) {
            if (liia_buf_append(&r->utf8, r->hold, need))
                return reader_nomem(r);
            r->nhold = 0;
            r->seen_multibyte = 1;
            continue;
        }
        if (need && i == n)
            return 0; /* sequence continues in the next chunk */
        memcpy(seq, r->hold, r->nhold);
        memcpy(seq + r->nhold, p + i, n - i);
        size_t total = r->nhold + (n - i);
        r->nhold = 0;
        return not_utf8(r, seq, total);
    }
    return 0;
}

/* ------------------------------------------------------------ sniffing */

/* Text that is not CSV at all: a web page saved instead of the download
 * (a login or error page) or a JSON export.  Told apart here because the
 * CSV parser would report only its first symptom, "unknown column". */
static int sniff_text(csv_reader *r, const unsigned char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, n--;
    if ((n >= 5 && !strncasecmp((const char *)p, "<html", 5)) ||
        (n >= 9 && !strncasecmp((const char *)p, "<!doctype", 9)) ||
        (n >= 5 && !strncasecmp((const char *)p, "<?xml", 5)))
        return reader_fail(r, 1, "this is usually a login or error page saved "
                           "instead of the export; export the return from "
                           "your system again as a .csv file",
                           "this is a web page (HTML or XML), not a CSV file%s", "");
    if (n >= 1 && (*p == '{' || *p == '['))
        return reader_fail(r, 1, "export the return as CSV (comma separated "
                           "values) with a header row, not as JSON",
                           "this is a JSON file, not a CSV file%s", "");
    return 0;
}

static int sniff(csv_reader *r, const unsigned char **p, size_t *n)
{
    r->sniffed = 1;
    if (*n >= 4 && !memcmp(*p, "PK\3\4", 4))
        return reader_fail(r, 1, "open it in Excel and use File > Save As > "
                           "\"CSV UTF-8 (Comma delimited)\", then send the .csv",
                           "this is an Excel workbook (.xlsx) or other zip file, "
                           "not a CSV file%s", "");
    if (*n >= 4 && !memcmp(*p, "\xD0\xCF\x11\xE0", 4))
        return reader_fail(r, 1, "open it in Excel and use File > Save As > "
                           "\"CSV UTF-8 (Comma delimited)\", then send the .csv",
                           "this is an old-style Excel workbook (.xls), not a "
                           "CSV file%s", "");
    if (*n >= 2 && ((*p)[0] == 0xFF || (*p)[0] == 0xFE) &&
        ((*p)[1] == 0xFE || (*p)[1] == 0xFF))
        return reader_fail(r, 1, "save the file as \"CSV UTF-8 (Comma "
                           "delimited)\" rather than \"Unicode Text\"",
                           "the file is UTF-16 text, not UTF-8%s", "");
    if (*n >= 3 && !memcmp(*p, "\xEF\xBB\xBF", 3)) {
        r->info->had_bom = 1;
        *p += 3;
        *n -= 3;
    }
    return sniff_text(r, *p, *n);
}

static int feed(csv_reader *r, const unsigned char *p, size_t n)
{
    if (!r->sniffed && sniff(r, &p, &n))
        return -1;
    if (decode(r, p, n))
        return -1;
    return feed_lines(r, r->utf8.data, r->utf8.len);
}

static int finish(csv_reader *r)
{
    if (r->failed)
        return -1;
    if (r->stopped)
        return 0;
    if (r->nhold) {
        unsigned char tail[4];
        size_t n = r->nhold;
        memcpy(tail, r->hold, n);
        r->nhold = 0;
        liia_buf_reset(&r->utf8);
        if (not_utf8(r, tail, n) || feed_lines(r, r->utf8.data, r->utf8.len))
            return -1;
    }
    if (csv_fini(&r->parser, on_field, on_record, r) != 0 && !r->failed)
        return reader_fail(r, r->record_start,
                           "add the closing quote (\") to the field that starts "
                           "on this line",
                           "a quoted field is never closed: %s",
                           "the file ends inside quotes");
    r->info->lines = r->line + (r->lines.len && !r->pending_cr &&
                                r->lines.data[r->lines.len - 1] != '\n');
    return r->failed ? -1 : 0;
}

static int reader_init(csv_reader *r, const char *name, unsigned flags,
                       liia_csv_cb cb, void *ctx, liia_csv_info *info,
                       liia_error *e)
{
    memset(r, 0, sizeof *r);
    memset(info, 0, sizeof *info);
    r->name = name;
    r->flags = flags;
    r->cb = cb;
    r->cb_ctx = ctx;
    r->info = info;
    r->e = e;
    liia_buf_init(&r->utf8);
    liia_buf_init(&r->lines);
    liia_buf_init(&r->fields);
    /* The default libcsv mode accepts malformed quoting silently. */
    if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory starting CSV reader");
    /* libcsv grows a field's buffer by this much at a time (128 bytes by
     * default: a long field meant thousands of reallocs, each a copy). */
    csv_set_blk_size(&r->parser, CHUNK);
    return 0;
}

static void reader_free(csv_reader *r)
{
    csv_free(&r->parser);
    liia_buf_free(&r->utf8);
    liia_buf_free(&r->lines);
    liia_buf_free(&r->fields);
    free(r->offsets);
    free(r->lengths);
    free(r->ptrs);
}

int liia_csv_read_mem(const char *name, const char *data, size_t len,
                      unsigned flags, liia_csv_cb cb, void *ctx,
                      liia_csv_info *info, liia_error *e)
{
    csv_reader r;
    liia_csv_info local;
    if (reader_init(&r, name, flags, cb, ctx, info ? info : &local, e))
        return -1;
    int rc = 0;
    for (size_t off = 0; off < len && !r.stopped && !rc; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        rc = feed(&r, (const unsigned char *)data + off, n);
    }
    if (!rc)
        rc = finish(&r);
    reader_free(&r);
    return rc;
}

/* Reads the open file f through r (reader_init'ed) to the end. */
static int read_stream(csv_reader *r, FILE *f, const char *path, liia_error *e)
{
    int rc = 0;
    static_assert(CHUNK <= 1 << 20, "chunk fits on the stack");
    unsigned char buf[CHUNK];
    while (!rc && !r->stopped) {
        size_t n = fread(buf, 1, sizeof buf, f);
        if (n)
            rc = feed(r, buf, n);
        if (n < sizeof buf)
            break;
    }
    if (!rc && ferror(f)) {
        liia_strlcpy(e->file, path, sizeof e->file);
        rc = liia_fail(e, LIIA_E_IO, "read error: %s", strerror(errno));
    }
    if (!rc)
        rc = finish(r);
    return rc;
}

/* ------------------------------------------------------------ two threads */

/* LIIA_CSV_THREAD: libcsv, the UTF-8 check and the line endings run on a
 * thread of their own, a few batches of records ahead of the callback,
 * which still runs on the caller's thread, record by record, in order.
 * What the caller sees is the same as one thread gives: every record
 * before a malformed line reaches the callback, then the error. */
enum { PIPE_BATCHES = 4, PIPE_BYTES = 256 * 1024 };

struct pipe_batch {
    liia_buf bytes;                 /* the fields, each NUL-terminated */
    size_t *off, *len;              /* per field of the batch */
    size_t nf, capf;
    struct pipe_rec { size_t nfields, first; long line, record_no; } *recs;
    size_t nr, capr;
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    struct pipe_batch b[PIPE_BATCHES];
    size_t head, count;             /* full batches: a ring from head */
    size_t fill;                    /* the batch the parser fills */
    int done, stop;                 /* parser finished; callback stopped */
    int rc;                         /* the parser's result */
    liia_error e;                   /* its error */
    csv_reader r;
    FILE *f;
    const char *path;
};

static int batch_add(struct pipe_batch *b, const liia_csv_record *rec)
{
    struct pipe_rec *recs = liia_grow_array(b->recs, &b->capr, b->nr + 1, sizeof *recs, 256);
    if (!recs)
        return -1;
    b->recs = recs;
    if (b->nf + rec->nfields > b->capf) {
        size_t cap = b->capf ? b->capf : 1024;
        while (cap < b->nf + rec->nfields)
            cap *= 2;
        size_t *o = realloc(b->off, cap * sizeof *o);
        if (!o)
            return -1;
        b->off = o;
        size_t *l = realloc(b->len, cap * sizeof *l);
        if (!l)
            return -1;
        b->len = l;
        b->capf = cap;
    }
    b->recs[b->nr++] = (struct pipe_rec){rec->nfields, b->nf, rec->line, rec->record_no};
    for (size_t i = 0; i < rec->nfields; i++) {
        b->off[b->nf] = b->bytes.len;
        b->len[b->nf++] = rec->lengths[i];
        if (liia_buf_append_z(&b->bytes, rec->fields[i], rec->lengths[i]))
            return -1;
    }
    return 0;
}

/* The filled batch goes to the callback's side; the next free one is
 * taken (1: the callback has stopped, stop reading). */
static int pass_batch(struct pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->count++;
    pthread_cond_broadcast(&p->changed);
    while (p->count == PIPE_BATCHES && !p->stop)
        pthread_cond_wait(&p->changed, &p->mu);
    int stop = p->stop;
    p->fill = (p->head + p->count) % PIPE_BATCHES;
    pthread_mutex_unlock(&p->mu);
    struct pipe_batch *b = &p->b[p->fill];
    liia_buf_reset(&b->bytes);
    b->nf = b->nr = 0;
    return stop;
}

static int enqueue(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct pipe *p = ctx;
    struct pipe_batch *b = &p->b[p->fill];
    if (batch_add(b, rec))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return b->bytes.len >= PIPE_BYTES ? pass_batch(p) : 0;
}

static void *parse_thread(void *arg)
{
    struct pipe *p = arg;
    int rc = read_stream(&p->r, p->f, p->path, &p->e);
    struct pipe_batch *b = &p->b[p->fill];
    pthread_mutex_lock(&p->mu);
    if (b->nr)
        p->count++;
    p->rc = rc;
    p->done = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Hands each record of batch b to the callback; its result. */
static int run_batch(const struct pipe_batch *b, liia_csv_cb cb, void *ctx,
                     const char ***ptrs, size_t *cap, long *last, liia_error *e)
{
    for (size_t i = 0; i < b->nr; i++) {
        const struct pipe_rec *r = &b->recs[i];
        if (r->nfields + 1 > *cap) {
            const char **n = realloc(*ptrs, (r->nfields + 1) * sizeof *n);
            if (!n)
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            *ptrs = n;
            *cap = r->nfields + 1;
        }
        for (size_t k = 0; k < r->nfields; k++)
            (*ptrs)[k] = b->bytes.data + b->off[r->first + k];
        (*ptrs)[r->nfields] = NULL;
        liia_csv_record rec = {r->nfields, *ptrs, b->len + r->first, r->line, r->record_no};
        *last = r->record_no;
        int rc = cb(&rec, ctx, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* The callback's side: batches as they fill, until the parser is done or
 * the callback stops. */
static int consume(struct pipe *p, liia_csv_cb cb, void *ctx, long *last, liia_error *e)
{
    const char **ptrs = NULL;
    size_t cap = 0;
    int rc = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->count && !p->done)
            pthread_cond_wait(&p->changed, &p->mu);
        if (!p->count) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        struct pipe_batch *b = &p->b[p->head];
        pthread_mutex_unlock(&p->mu);
        rc = run_batch(b, cb, ctx, &ptrs, &cap, last, e);
        pthread_mutex_lock(&p->mu);
        p->head = (p->head + 1) % PIPE_BATCHES;
        p->count--;
        p->stop = rc != 0;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->mu);
        if (rc)
            break;
    }
    free(ptrs);
    return rc;
}

static void pipe_free(struct pipe *p)
{
    for (size_t i = 0; i < PIPE_BATCHES; i++) {
        liia_buf_free(&p->b[i].bytes);
        free(p->b[i].off);
        free(p->b[i].len);
        free(p->b[i].recs);
    }
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->mu);
}

static int read_threaded(FILE *f, const char *path, unsigned flags, liia_csv_cb cb,
                         void *ctx, liia_csv_info *info, liia_error *e)
{
    struct pipe *p = calloc(1, sizeof *p);
    if (!p)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->changed, NULL);
    for (size_t i = 0; i < PIPE_BATCHES; i++)
        liia_buf_init(&p->b[i].bytes);
    liia_error_clear(&p->e);
    p->f = f;
    p->path = path;
    pthread_t th;
    int rc = reader_init(&p->r, path, flags, enqueue, p, info, &p->e);
    if (rc == 0 && pthread_create(&th, NULL, parse_thread, p) != 0)
        rc = 1;   /* no thread: read on this one */
    if (rc == 0) {
        long last = 0;
        rc = consume(p, cb, ctx, &last, e);
        pthread_join(th, NULL);
        /* records counts what the callback saw, as on one thread (the
         * parser may have read further ahead) */
        if (rc)
            info->records = last;
        if (rc > 0)
            rc = 0;   /* the callback stopped early: not an error */
        else if (rc == 0 && p->rc) {
            *e = p->e;
            rc = -1;
        }
        reader_free(&p->r);
    } else {
        reader_free(&p->r);
        if (rc > 0)
            rc = -2;
        else
            *e = p->e;
    }
    pipe_free(p);
    free(p);
    return rc;
}

int liia_csv_read_file(const char *path, unsigned flags, liia_csv_cb cb,
                       void *ctx, liia_csv_info *info, liia_error *e)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "check the file name and that you can read it");
        return liia_fail(e, LIIA_E_IO, "cannot open: %s", strerror(errno));
    }
    liia_csv_info local;
    int rc = -2;
    if ((flags & LIIA_CSV_THREAD) && f != stdin)
        rc = read_threaded(f, path, flags, cb, ctx, info ? info : &local, e);
    if (rc == -2) {
        csv_reader r;
        rc = reader_init(&r, path, flags, cb, ctx, info ? info : &local, e);
        if (!rc)
            rc = read_stream(&r, f, path, e);
        reader_free(&r);
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

int liia_csv_write_field(FILE *out, const char *s, int excel_safe)
{
    /* A leading quote makes Excel show the cell as text, never a formula. */
    int formula = excel_safe && (s[0] == '=' || s[0] == '+' || s[0] == '-' ||
                                 s[0] == '@' || s[0] == '\t' || s[0] == '\r');
    int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote && fputc('"', out) == EOF)
        return -1;
    if (formula && fputc('\'', out) == EOF)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p == '"' && fputc('"', out) == EOF)
            return -1;
        if (fputc(*p, out) == EOF)
            return -1;
    }
    if (quote && fputc('"', out) == EOF)
        return -1;
    return 0;
}
