/*
 * reader_xml.c - the XML reader: streams a file through libxml2's SAX2
 * push parser and pushes one record per part element (reader_xml.h).
 *
 * Why SAX2 and not xmlTextReader: the reader builds a tree node for every
 * element and text (white space between tags included) and frees it on
 * the next step; on a 100,000-child census that was 0.47 s of the 1.5 s
 * ingest, on the thread every other check waits for.  The SAX2 callbacks
 * of the same parser, fed 256 KiB at a time, do the same reading in about
 * 0.2 s, with the same limits, and memory stays one Child.
 *
 * Safety: the parser gets XML_PARSE_NONET and none of NOENT, DTDLOAD,
 * DTDATTR, DTDVALID, XINCLUDE or HUGE, so no external entity, DTD or
 * include is ever fetched, no entity is substituted and libxml2's own
 * size limits stay on (10 MB of look-ahead: a text without end is
 * refused).  On top, any DOCTYPE is refused as soon as the parser meets
 * its name, before a declaration in it is read (a CIN census has none;
 * entity declarations, billion laughs included, only ever come with one),
 * as is any entity reference, nesting deeper than LIIA_XML_MAX_DEPTH and
 * a value longer than LIIA_XML_MAX_VALUE.  libxml2's messages are caught,
 * never printed.
 *
 * Order: the records of a top-level part (a Child) and everything in it
 * are held until its element closes, then pushed parents first, so every
 * inherited value (LAchildID, CINreferralDate) is known whatever the order
 * of the elements inside; memory is one Child, not the file.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "reader_xml_internal.h"

/* libxml2 is loaded when the first XML file is opened, not linked: on
 * Debian it brings ICU (31 MB of data mapped) and libstdc++, which every
 * other command of the binary would then carry, and a run under a tight
 * address-space limit (tests/system/outputs.sh) could no longer even
 * start.  The calls below go through this table; the names stay
 * libxml2's (the macros after it). */
#define XML_FUNCS(X)                                                           \
    X(xmlInitParser) X(xmlCreatePushParserCtxt) X(xmlCtxtUseOptions)           \
    X(xmlParseChunk) X(xmlStopParser) X(xmlFreeParserCtxt) X(xmlFreeDoc)

static struct {
#define X(f) __typeof__(f) *f;
    XML_FUNCS(X)
#undef X
} xmlf;
static char xml_load_error[256];
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_load(void)
{
    void *h = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    const char *missing = NULL;
    if (h) {
#define X(f) if (!missing && !(*(void **)&xmlf.f = dlsym(h, #f))) missing = #f;
        XML_FUNCS(X)
#undef X
    }
    if (!h || missing) {
        const char *why = dlerror();
        snprintf(xml_load_error, sizeof xml_load_error, "%s%s%s",
                 missing ? missing : "", missing ? ": " : "", why ? why : "not found");
        memset(&xmlf, 0, sizeof xmlf);
        return;
    }
    xmlf.xmlInitParser();
}

/* 0 when libxml2 is loaded; -1 with e filled (exit 3) when it cannot be. */
static int xml_ready(const char *file, liia_error *e)
{
    pthread_once(&xml_once, xml_load);
    if (xmlf.xmlParseChunk)
        return 0;
    liia_error_clear(e);
    liia_strlcpy(e->file, file, sizeof e->file);
    liia_error_fix(e, "install libxml2 (libxml2.so.2; scripts/setup.sh does), or give "
                      "the process more memory");
    return liia_fail(e, LIIA_E_IO, "cannot load libxml2 to read the XML file: %s",
                     xml_load_error);
}

#define xmlInitParser (*xmlf.xmlInitParser)
#define xmlCreatePushParserCtxt (*xmlf.xmlCreatePushParserCtxt)
#define xmlCtxtUseOptions (*xmlf.xmlCtxtUseOptions)
#define xmlParseChunk (*xmlf.xmlParseChunk)
#define xmlStopParser (*xmlf.xmlStopParser)
#define xmlFreeParserCtxt (*xmlf.xmlFreeParserCtxt)
#define xmlFreeDoc (*xmlf.xmlFreeDoc)

#define NOVAL SIZE_MAX

/* A record read but not pushed yet. */
struct prec {
    int part;
    int parent;                 /* index in pending of the enclosing record */
    long line;
    long ordinal;               /* 1-based among its part's siblings */
    size_t path;                /* offset in the arena */
    size_t vals;                /* index of its first value slot */
    long kids[XL_MAX_PARTS];    /* records of each part opened inside it */
};

/* Records read but not pushed yet: the top-level records (Children) read
 * whole, then the one being read.  The parse thread fills one batch while
 * the caller's thread pushes the records of another (xml_run). */
struct val {
    size_t off, len;            /* in the arena; off NOVAL: absent */
};

struct batch {
    struct prec *pending;
    size_t npending, cap;
    struct val *vals;
    size_t nvals, capvals;
    liia_buf arena;             /* paths and values, NUL-terminated */
    size_t whole;               /* pending[0..whole): whole top-level records */
};

/* Batches in all, and the size at which a batch is handed over: a few
 * hundred KB held, whatever the file's size; large enough that handing
 * over is rare (about 1,000 times for 10^5 Children). */
#define NBATCH 8
#define BATCH_BYTES (128 * 1024)

struct level {
    const struct xl_node *node; /* NULL: an element the layout does not know */
    const char *name;           /* for paths; the node's name or "?" */
    int rec;                    /* record this element opened, or -1 */
    int prev_open;              /* open[part] before it did */
    int capture;                /* collecting text for a column */
    unsigned index;             /* position among same-part siblings */
};

struct xml_reader {
    liia_reader base;
    const liia_xml_layout *layout;
    const char *mem;            /* open_mem: the data, else NULL */
    size_t memlen;
    xmlParserCtxtPtr ctxt;
    /* the first libxml2 error, caught by on_error */
    char xerr[256];
    int xerr_code;
    long xerr_line;
    /* the run: where records go, and whether a callback refused the file
     * (failed: e says why; the parser was stopped) */
    liia_error *e;
    int failed;
    int seen_root;
    size_t textrun;             /* bytes of text no column holds, since the last tag */
    int at_eof;                 /* the last chunk was given to the parser */
    /* the signature (xml_signature): what it fills, and done when found */
    liia_signature *sig;
    char signames[4][32];
    long signodes;
    int sig_done;
    /* reading state */
    struct level stack[LIIA_XML_MAX_DEPTH + 1];
    unsigned counts[LIIA_XML_MAX_DEPTH + 1][XL_MAX_PARTS];
    int depth;                  /* levels in use */
    int open[XL_MAX_PARTS];     /* innermost open record of each part */
    struct batch *b;            /* the batch the parse fills */
    liia_buf text;              /* the value being collected */
    long recno[XL_MAX_PARTS];   /* records pushed per part */
    /* The element path of the open elements, kept as they open and close
     * (len[d]: its length with d levels open). */
    char path[512];
    size_t pathlen[LIIA_XML_MAX_DEPTH + 1];
    /* Per layout node, the libxml2 dictionary string it last matched: an
     * element name is then one pointer comparison, not a strcmp. */
    const char **seen;
    long top_ordinal[XL_MAX_PARTS];
    /* The hand-over between the parse thread and the caller's: full
     * batches in order, empty ones to fill; all under mu. */
    struct batch batches[NBATCH];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *full[NBATCH], *empty[NBATCH];
    size_t nfull, fullat, nempty;
    int parse_done;
    atomic_int stop;            /* the caller's thread takes no more records */
    liia_error perr;            /* the parse thread's refusal (failed) */
};

/* ------------------------------------------------------------ errors */

static void on_error(void *arg, xmlErrorPtr err)
{
    struct xml_reader *r = arg;
    if (r->xerr[0] || !err || err->level < XML_ERR_ERROR)
        return;
    liia_strlcpy(r->xerr, err->message ? err->message : "malformed XML", sizeof r->xerr);
    r->xerr[strcspn(r->xerr, "\n")] = '\0';
    r->xerr_code = err->code;
    r->xerr_line = err->line;
}

/* The element path of the open elements into out. */
static void path_now(const struct xml_reader *r, char *out, size_t outsz)
{
    liia_strlcpy(out, r->path, outsz);
}

/* Appends "/name" or "/name[index]" for the element just opened at level
 * d; a path too long for the buffer stops growing (it is only shown). */
static void path_push(struct xml_reader *r, int d, const char *name, unsigned index)
{
    size_t n = r->pathlen[d], room = sizeof r->path - n;
    size_t len = strlen(name);
    char num[16];
    size_t k = 0;
    if (index) {
        char tmp[16];
        size_t t = 0;
        for (unsigned v = index; v; v /= 10)
            tmp[t++] = (char)('0' + v % 10);
        num[k++] = '[';
        while (t)
            num[k++] = tmp[--t];
        num[k++] = ']';
    }
    if (1 + len + k < room) {
        r->path[n] = '/';
        memcpy(r->path + n + 1, name, len);
        memcpy(r->path + n + 1 + len, num, k);
        n += 1 + len + k;
        r->path[n] = '\0';
    }
    r->pathlen[d + 1] = n;
}

/* The line the parser is on: in a start tag's callback, the line the tag
 * ends on (a census's tags each sit on one line). */
static long line_now(const struct xml_reader *r)
{
    return r->ctxt && r->ctxt->input ? r->ctxt->input->line : 0;
}

/* Fills e with the file, line and path; status DATA (the file is refused). */
static int refuse(struct xml_reader *r, liia_error *e, long line, const char *fix,
                  const char *fmt, ...) LIIA_PRINTF(5, 6);
static int refuse(struct xml_reader *r, liia_error *e, long line, const char *fix,
                  const char *fmt, ...)
{
    char msg[sizeof e->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    liia_error_clear(e);
    liia_strlcpy(e->file, r->base.file, sizeof e->file);
    e->line = line;
    path_now(r, e->path, sizeof e->path);
    liia_strlcpy(e->rule_id, "LIIA-CIN-XML", sizeof e->rule_id);
    liia_error_fix(e, "%s", fix);
    return liia_fail(e, LIIA_E_DATA, "%s", msg);
}

static int oom(struct xml_reader *r, liia_error *e)
{
    liia_error_clear(e);
    liia_strlcpy(e->file, r->base.file, sizeof e->file);
    return liia_fail(e, LIIA_E_NOMEM, "out of memory reading the XML file");
}

static const char FIX_DOCTYPE[] =
    "export the census again without a DOCTYPE line (COLLECT's XML has none)";
static const char MSG_DOCTYPE[] =
    "the file declares a document type (<!DOCTYPE>): refused, because DTDs and "
    "entities can read other files or expand without end, and a CIN census has none";

static const char FIX_EXPORT[] =
    "export the census again from the case management system (the DfE "
    "COLLECT XML) and ingest that file unchanged";

/* libxml2 said the file is not well-formed: say why in the user's terms. */
static int parse_failed(struct xml_reader *r, liia_error *e)
{
    const char *what = r->xerr[0] ? r->xerr : "the XML parser stopped";
    long line = r->xerr_line > 0 ? r->xerr_line : line_now(r);
    switch (r->xerr_code) {
    case XML_ERR_DOCUMENT_EMPTY:
        return refuse(r, e, line, FIX_EXPORT, "the file is empty%s", "");
    case XML_ERR_INVALID_CHAR:
    case XML_ERR_INVALID_ENCODING:
    case XML_ERR_UNSUPPORTED_ENCODING:
    case XML_ERR_UNKNOWN_ENCODING:
        return refuse(r, e, line,
                      "save the file as UTF-8 (as COLLECT exports it) or declare its "
                      "real encoding in the first line (<?xml version=\"1.0\" "
                      "encoding=\"...\"?>)",
                      "the file's characters are not in the encoding it declares: %s", what);
    case XML_ERR_DOCUMENT_END:
    case XML_ERR_TAG_NOT_FINISHED:
    case XML_ERR_GT_REQUIRED:
    case XML_ERR_LTSLASH_REQUIRED:
        if (r->at_eof || r->depth > 0)
            return refuse(r, e, line,
                          "the file is cut short (an interrupted copy or upload?): "
                          "copy or export it again in full",
                          "the file ends before its XML does: %s", what);
        break;
    case XML_ERR_NAME_TOO_LONG:
        return refuse(r, e, line, FIX_EXPORT, "the file passes a size limit: %s", what);
    default:
        break;
    }
    return refuse(r, e, line, FIX_EXPORT, "the file is not well-formed XML: %s", what);
}

/* ------------------------------------------------------------ records */

static int arena_add(struct batch *b, const char *s, size_t n, size_t *off)
{
    /* NUL-terminated all the same: paths are C strings */
    *off = b->arena.len;
    char *at = liia_buf_extend(&b->arena, n + 1);
    if (!at)
        return -1;
    memcpy(at, s, n);
    at[n] = '\0';
    return 0;
}

static int open_record(struct xml_reader *r, int part, struct level *lv, liia_error *e)
{
    const struct xl_part *xp = &r->layout->parts[part];
    struct batch *b = r->b;
    if (b->npending - b->whole == LIIA_XML_MAX_PENDING)
        return refuse(r, e, line_now(r), FIX_EXPORT,
                      "one child holds more than 100,000 records%s; no census child "
                      "comes near that", "");
    if (b->npending == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        struct prec *p = realloc(b->pending, cap * sizeof *p);
        if (!p)
            return oom(r, e);
        b->pending = p;
        b->cap = cap;
    }
    if (b->nvals + xp->ncols > b->capvals) {
        size_t cap = b->capvals ? 2 * b->capvals : 1024;
        while (cap < b->nvals + xp->ncols)
            cap *= 2;
        struct val *v = realloc(b->vals, cap * sizeof *v);
        if (!v)
            return oom(r, e);
        b->vals = v;
        b->capvals = cap;
    }
    struct prec *p = &b->pending[b->npending];
    memset(p, 0, sizeof *p);
    p->part = part;
    p->parent = xp->parent >= 0 ? r->open[xp->parent] : -1;
    p->line = line_now(r);
    p->ordinal = p->parent >= 0 ? ++b->pending[p->parent].kids[part]
                                : ++r->top_ordinal[part];
    p->vals = b->nvals;
    for (size_t c = 0; c < xp->ncols; c++)
        b->vals[b->nvals++] = (struct val){NOVAL, 0};
    lv->rec = (int)b->npending;
    if (arena_add(b, r->path, r->pathlen[r->depth], &p->path) != 0)
        return oom(r, e);
    lv->prev_open = r->open[part];
    r->open[part] = lv->rec;
    b->npending++;
    return 0;
}

/* Fills the inherited and ordinal values of records [from, npending) of
 * b, a top-level record just read whole: on the parse thread, so the
 * thread that takes the records only points at them.  Parents come
 * before their records, so what a record inherits is already filled. */
static int resolve(struct xml_reader *r, struct batch *b, size_t from)
{
    for (size_t i = from; i < b->npending; i++) {
        const struct prec *p = &b->pending[i];
        const struct xl_part *xp = &r->layout->parts[p->part];
        for (size_t c = 0; c < xp->ncols; c++) {
            struct val *v = &b->vals[p->vals + c];
            if (xp->kind[c] == XL_INHERIT) {
                int at = p->parent;
                while (at >= 0 && b->pending[at].part != xp->src_part[c])
                    at = b->pending[at].parent;
                if (at >= 0)
                    *v = b->vals[b->pending[at].vals + (size_t)xp->src_col[c]];
            } else if (xp->kind[c] == XL_ORDINAL) {
                char tmp[24], num[24];
                size_t t = 0, n = 0;
                for (unsigned long o = (unsigned long)p->ordinal; o || !t; o /= 10)
                    tmp[t++] = (char)('0' + o % 10);
                while (t)
                    num[n++] = tmp[--t];
                if (arena_add(b, num, n, &v->off) != 0)
                    return -1;
                v->len = n;
            }
        }
    }
    return 0;
}

static void batch_reset(struct batch *b)
{
    b->npending = b->nvals = b->whole = 0;
    liia_buf_reset(&b->arena);
}

/* Pushes the batch's whole records, parents first (the order they opened
 * in); on the caller's thread. */
static int flush(struct xml_reader *r, const struct batch *b, liia_record_fn fn, void *ctx,
                 liia_error *e)
{
    const char *values[XL_MAX_COLS];
    size_t lengths[XL_MAX_COLS];
    for (size_t i = 0; i < b->whole; i++) {
        const struct prec *p = &b->pending[i];
        const struct xl_part *xp = &r->layout->parts[p->part];
        for (size_t c = 0; c < xp->ncols; c++) {
            const struct val *v = &b->vals[p->vals + c];
            values[c] = v->off == NOVAL ? NULL : b->arena.data + v->off;
            lengths[c] = v->len;
        }
        liia_record rec = {
            .part = xp->name, .nfields = xp->ncols, .names = xp->names,
            .values = values, .lengths = lengths, .record = ++r->recno[p->part],
            .line = p->line, .path = b->arena.data + p->path,
        };
        if (fn(ctx, &rec, e) != 0) {
            if (!e->file[0])
                liia_strlcpy(e->file, r->base.file, sizeof e->file);
            if (e->status == LIIA_OK)
                liia_fail(e, LIIA_E_DATA, "the record at %s was refused", rec.path);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ elements */

static const struct xl_node *kid_named(struct xml_reader *r, const struct xl_node *n,
                                       const char *name)
{
    if (!n)
        return NULL;
    for (size_t i = 0; i < n->nkids; i++)
        if (r->seen[n->kids[i]->id] == name)
            return n->kids[i];
    for (size_t i = 0; i < n->nkids; i++)
        if (!strcmp(n->kids[i]->name, name)) {
            r->seen[n->kids[i]->id] = name;
            return n->kids[i];
        }
    return NULL;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int store_value(struct xml_reader *r, const struct level *lv, liia_error *e)
{
    int rec = r->open[lv->node->col_part];
    size_t slot = r->b->pending[rec].vals + (size_t)lv->node->col;
    if (r->b->vals[slot].off != NOVAL)   /* the element given twice: the first counts */
        return 0;
    const char *s = r->text.data;
    size_t n = r->text.len;
    while (n && is_space(s[0]))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;
    if (arena_add(r->b, s, n, &r->b->vals[slot].off) != 0)
        return oom(r, e);
    r->b->vals[slot].len = n;
    return 0;
}

/* Hands the filled batch to the caller's thread and takes an empty one
 * (waiting for one to come back); -1 when the caller wants no more. */
static int hand_over(struct xml_reader *r)
{
    pthread_mutex_lock(&r->mu);
    r->full[(r->fullat + r->nfull++) % NBATCH] = r->b;
    pthread_cond_broadcast(&r->cv);
    while (!r->nempty && !atomic_load(&r->stop))
        pthread_cond_wait(&r->cv, &r->mu);
    r->b = r->nempty ? r->empty[--r->nempty] : NULL;
    pthread_mutex_unlock(&r->mu);
    return r->b ? 0 : -1;
}

static int end_element(struct xml_reader *r, liia_error *e)
{
    struct level *lv = &r->stack[r->depth - 1];
    if (lv->capture && store_value(r, lv, e) != 0)
        return -1;
    if (lv->rec >= 0) {
        int part = lv->node->part;
        r->open[part] = lv->prev_open;
        if (r->layout->parts[part].parent < 0) {
            if (resolve(r, r->b, r->b->whole) != 0)
                return oom(r, e);
            r->b->whole = r->b->npending;
            if (r->b->arena.len >= BATCH_BYTES && hand_over(r) != 0)
                return -1;
        }
    }
    r->depth--;
    r->path[r->pathlen[r->depth]] = '\0';
    return 0;
}

static int start_element(struct xml_reader *r, const char *name, liia_error *e)
{
    if (r->depth == 0 && strcmp(name, r->layout->top.kids[0]->name)) {
        return refuse(r, e, line_now(r),
                      "ingest a CIN census file (its root element is <Message>, as "
                      "COLLECT exports it)",
                      "the root element is <%s>; this is not a CIN census file", name);
    }
    if (r->depth == LIIA_XML_MAX_DEPTH)
        return refuse(r, e, line_now(r), FIX_EXPORT,
                      "elements are nested more than 64 deep%s; a CIN census is "
                      "nested 8 deep", "");
    const struct xl_node *up = r->depth ? r->stack[r->depth - 1].node : &r->layout->top;
    struct level *lv = &r->stack[r->depth];
    memset(lv, 0, sizeof *lv);
    memset(r->counts[r->depth], 0, sizeof r->counts[r->depth]);
    lv->node = kid_named(r, up, name);
    lv->name = lv->node ? lv->node->name : "?";
    lv->rec = -1;
    const struct xl_node *n = lv->node;
    if (n && n->part >= 0)
        lv->index = ++r->counts[r->depth ? r->depth - 1 : 0][n->part];
    path_push(r, r->depth, lv->name, lv->index);
    r->depth++;
    if (n && n->part >= 0 && open_record(r, n->part, lv, e) != 0)
        return -1;
    if (n && n->col_part >= 0 && r->open[n->col_part] >= 0) {
        lv->capture = 1;
        liia_buf_reset(&r->text);
    }
    return 0;
}

static int text(struct xml_reader *r, const char *v, size_t n, liia_error *e)
{
    if (r->text.len + n > LIIA_XML_MAX_VALUE) {
        refuse(r, e, line_now(r),
               "correct the value in the case management system and export again",
               "a value is longer than 4096 bytes (element <%s>); no census item comes near that",
               r->stack[r->depth - 1].name);
        return -1;
    }
    if (n && liia_buf_append(&r->text, v, n) != 0)
        return oom(r, e);
    return 0;
}

/* ------------------------------------------------------------ SAX2 callbacks */

/* A callback refused the file (e filled): no further callback may run. */
static void halt(struct xml_reader *r)
{
    r->failed = 1;
    xmlStopParser(r->ctxt);
}

static void on_start(void *u, const xmlChar *local, const xmlChar *prefix,
                     const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
                     int ndefaulted, const xmlChar **attrs)
{
    (void)prefix, (void)uri, (void)nns, (void)ns, (void)nattrs, (void)ndefaulted;
    (void)attrs;
    struct xml_reader *r = u;
    if (r->failed)
        return;
    if (atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        halt(r);
        return;
    }
    r->seen_root = 1;
    r->textrun = 0;
    if (start_element(r, (const char *)local, r->e) != 0)
        halt(r);
}

static void on_end(void *u, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)local, (void)prefix, (void)uri;
    struct xml_reader *r = u;
    r->textrun = 0;
    if (!r->failed && r->depth && end_element(r, r->e) != 0)
        halt(r);
}

/* Text, CDATA and the white space between tags alike: only the text of an
 * element that holds a column is kept (it may come in pieces). */
static void on_text(void *u, const xmlChar *v, int n)
{
    struct xml_reader *r = u;
    if (r->failed || !r->depth)
        return;
    if (r->stack[r->depth - 1].capture) {
        if (text(r, (const char *)v, (size_t)n, r->e) != 0)
            halt(r);
        return;
    }
    /* Text no column holds is not kept, but a run without end is still a
     * hostile file, as libxml2's tree builder would say too. */
    if ((r->textrun += (size_t)n) > LIIA_XML_MAX_TEXT) {
        refuse(r, r->e, line_now(r), FIX_EXPORT,
               "a text is longer than 10 MB (in element <%s>); no census item comes near that",
               r->stack[r->depth - 1].name);
        halt(r);
    }
}

/* Called with the DOCTYPE's name, before any declaration in it is read. */
static void on_doctype(void *u, const xmlChar *name, const xmlChar *id, const xmlChar *sys)
{
    (void)name, (void)id, (void)sys;
    struct xml_reader *r = u;
    if (!r->failed) {
        refuse(r, r->e, line_now(r), FIX_DOCTYPE, "%s", MSG_DOCTYPE);
        halt(r);
    }
}

static void on_entity_decl(void *u, const xmlChar *name, int type, const xmlChar *id,
                           const xmlChar *sys, xmlChar *content)
{
    (void)type, (void)id, (void)sys, (void)content;
    on_doctype(u, name, NULL, NULL);
}

/* No entity is ever known: a reference to one is a well-formedness error
 * (libxml2's own), or, where it is only a warning, refused here. */
static xmlEntityPtr on_get_entity(void *u, const xmlChar *name)
{
    (void)u, (void)name;
    return NULL;
}

static void on_reference(void *u, const xmlChar *name)
{
    (void)name;
    struct xml_reader *r = u;
    if (!r->failed) {
        refuse(r, r->e, line_now(r), FIX_EXPORT,
               "the file uses an entity (&name;)%s: refused, a CIN census has none", "");
        halt(r);
    }
}

/* ------------------------------------------------------------ the prolog */

#define PROLOG_MAX 65536

/* Up to PROLOG_MAX bytes of the start of the file into buf; the count. */
static size_t file_head(const struct xml_reader *r, char *buf)
{
    if (r->mem) {
        size_t n = r->memlen < PROLOG_MAX ? r->memlen : PROLOG_MAX;
        memcpy(buf, r->mem, n);
        return n;
    }
    FILE *f = fopen(r->base.file, "rb");
    if (!f)
        return 0;   /* the parser says why */
    size_t n = fread(buf, 1, PROLOG_MAX, f);
    fclose(f);
    return n;
}

static long lines_to(const char *buf, size_t at)
{
    long line = 1;
    for (size_t i = 0; i < at; i++)
        line += buf[i] == '\n';
    return line;
}

/* Looks at what comes before the root element without a parser, so a
 * DOCTYPE is refused before libxml2 reads a byte of it, and an empty file
 * or one that is not XML at all gets a message of its own.  UTF-16 and
 * other encodings are left to the parser (whose DOCTYPE check still
 * holds). */
static int prolog_check(struct xml_reader *r, liia_error *e)
{
    char *buf = malloc(PROLOG_MAX);
    if (!buf)
        return oom(r, e);
    size_t n = file_head(r, buf), i = 0;
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3;
    int rc = 0;
    for (;;) {
        while (i < n && is_space(buf[i]))
            i++;
        const char *end = NULL;
        size_t close = 2;   /* "?>"; a comment's "-->" is 3 */
        if (i == n) {
            if (n < PROLOG_MAX && !memchr(buf, '<', n))
                rc = refuse(r, e, 0, FIX_EXPORT, "%s", "the file is empty");
            break;
        }
        if (buf[i] != '<' && (unsigned char)buf[i] < 0x80 && buf[i]) {
            rc = refuse(r, e, lines_to(buf, i),
                        "ingest the CIN census XML file (it starts with <?xml or <Message>)",
                        "this is not an XML file (it starts with '%c'%s)", buf[i],
                        memchr(buf, ',', n) ? "; a CSV file?" : "");
            break;
        }
        if (n - i >= 9 && !memcmp(buf + i, "<!DOCTYPE", 9)) {
            rc = refuse(r, e, lines_to(buf, i), FIX_DOCTYPE, "%s", MSG_DOCTYPE);
            break;
        }
        if (n - i >= 4 && !memcmp(buf + i, "<!--", 4)) {
            end = memmem(buf + i + 4, n - i - 4, "-->", 3);
            close = 3;
        }
        else if (n - i >= 2 && !memcmp(buf + i, "<?", 2))
            end = memmem(buf + i + 2, n - i - 2, "?>", 2);
        if (!end)
            break;   /* the root element, or more than the head holds */
        i = (size_t)(end - buf) + close;
    }
    free(buf);
    return rc;
}

/* ------------------------------------------------------------ the parse */

#define CHUNK (64 * 1024)

/* The callbacks a run or a signature gives the parser: no tree is built,
 * and none that would define, load or resolve an entity is left to
 * libxml2's defaults. */
static void sax_init(xmlSAXHandler *sax, startElementNsSAX2Func start,
                     endElementNsSAX2Func end, charactersSAXFunc chars)
{
    memset(sax, 0, sizeof *sax);
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = start;
    sax->endElementNs = end;
    sax->characters = chars;
    sax->ignorableWhitespace = chars;
    sax->cdataBlock = chars;
    sax->internalSubset = on_doctype;
    sax->externalSubset = on_doctype;
    sax->entityDecl = on_entity_decl;
    sax->getEntity = on_get_entity;
    sax->getParameterEntity = on_get_entity;
    sax->reference = on_reference;
    sax->serror = on_error;
}

static int cannot_open(struct xml_reader *r, int err, liia_error *e)
{
    liia_error_clear(e);
    liia_strlcpy(e->file, r->base.file, sizeof e->file);
    liia_error_fix(e, "check the file name and that you may read it");
    return liia_fail(e, LIIA_E_IO, "cannot open the file: %s",
                     err ? strerror(err) : "unreadable");
}

/* Gives the parser one chunk (the first creates it: libxml2 reads the
 * encoding from its first bytes).  -1 when the parser could not be made. */
static int give(struct xml_reader *r, const xmlSAXHandler *sax, const char *buf,
                size_t n, int last)
{
    if (!r->ctxt) {
        /* NONET and nothing that loads or substitutes: see the top of the file. */
        int head = n < 4 ? (int)n : 4;
        r->ctxt = xmlCreatePushParserCtxt((xmlSAXHandler *)sax, r, buf, head, r->base.file);
        if (!r->ctxt)
            return -1;
        xmlCtxtUseOptions(r->ctxt, XML_PARSE_NONET);
        buf += head;
        n -= (size_t)head;
    }
    r->at_eof = last;
    xmlParseChunk(r->ctxt, buf, (int)n, last);
    return 0;
}

/* 1 when the parse should go on: no refusal, no parse error, nothing
 * found that ends a signature. */
static int going(const struct xml_reader *r)
{
    return !r->failed && !r->xerr[0] && !r->sig_done &&
           (!r->ctxt || r->ctxt->instate != XML_PARSER_EOF);
}

/* Streams the file (or the memory) through the parser with sax. */
static int parse(struct xml_reader *r, const xmlSAXHandler *sax, liia_error *e)
{
    if (r->ctxt) {
        xmlFreeDoc(r->ctxt->myDoc);
        xmlFreeParserCtxt(r->ctxt);
        r->ctxt = NULL;
    }
    r->xerr[0] = '\0';
    r->xerr_code = 0;
    r->xerr_line = 0;
    r->failed = r->seen_root = r->at_eof = r->sig_done = 0;
    r->depth = 0;
    r->path[0] = '\0';
    r->pathlen[0] = 0;
    r->e = e;
    if (r->mem) {
        size_t at = 0;
        do {
            size_t n = r->memlen - at < CHUNK ? r->memlen - at : CHUNK;
            if (give(r, sax, r->mem + at, n, at + n == r->memlen) != 0)
                return oom(r, e);
            at += n;
        } while (at < r->memlen && going(r));
        return 0;
    }
    int fd = open(r->base.file, O_RDONLY | O_CLOEXEC);
    char *buf = fd >= 0 ? malloc(CHUNK) : NULL;
    int err = errno, rc = 0;
    if (!buf) {
        if (fd >= 0)
            close(fd);
        return fd < 0 ? cannot_open(r, err, e) : oom(r, e);
    }
    for (ssize_t n = 1; n > 0 && going(r);) {
        n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = cannot_open(r, errno, e);
            break;
        }
        if (give(r, sax, buf, (size_t)n, n == 0) != 0) {
            rc = oom(r, e);
            break;
        }
    }
    free(buf);
    close(fd);
    return rc;
}

/* The parse thread: reads the whole file into batches, then hands over
 * the last (its refusal, if any, in perr and failed). */
static void *parse_main(void *arg)
{
    struct xml_reader *r = arg;
    xmlSAXHandler sax;
    sax_init(&sax, on_start, on_end, on_text);
    if (parse(r, &sax, &r->perr) != 0)
        r->failed = 1;
    pthread_mutex_lock(&r->mu);
    if (r->b)   /* NULL: the caller stopped taking them */
        r->full[(r->fullat + r->nfull++) % NBATCH] = r->b;
    r->b = NULL;
    r->parse_done = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* The next full batch, NULL once the parse thread is done and all are
 * taken. */
static struct batch *take(struct xml_reader *r)
{
    pthread_mutex_lock(&r->mu);
    while (!r->nfull && !r->parse_done)
        pthread_cond_wait(&r->cv, &r->mu);
    struct batch *b = NULL;
    if (r->nfull) {
        b = r->full[r->fullat];
        r->fullat = (r->fullat + 1) % NBATCH;
        r->nfull--;
    }
    pthread_mutex_unlock(&r->mu);
    return b;
}

static void give_back(struct xml_reader *r, struct batch *b)
{
    batch_reset(b);
    pthread_mutex_lock(&r->mu);
    r->empty[r->nempty++] = b;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* libxml2 parses on a thread of its own while this one pushes the records
 * of the Children already read: the parse is a third of the reading, and
 * the callback (the checks, the rules) the rest. */
static int xml_run(liia_reader *base, liia_record_fn fn, void *ctx, liia_error *e)
{
    struct xml_reader *r = (struct xml_reader *)base;
    if (!r->layout) {
        liia_error_clear(e);
        return liia_fail(e, LIIA_E_USAGE, "XML reader run without a layout");
    }
    if (prolog_check(r, e) != 0)
        return -1;
    free(r->seen);
    if (!(r->seen = calloc(r->layout->nnodes + 1, sizeof *r->seen)))
        return oom(r, e);
    memset(r->recno, 0, sizeof r->recno);
    memset(r->top_ordinal, 0, sizeof r->top_ordinal);
    for (int p = 0; p < XL_MAX_PARTS; p++)
        r->open[p] = -1;
    for (int i = 0; i < NBATCH; i++)
        batch_reset(&r->batches[i]);
    r->b = &r->batches[0];
    r->nempty = 0;
    for (int i = NBATCH - 1; i > 0; i--)
        r->empty[r->nempty++] = &r->batches[i];
    r->nfull = r->fullat = 0;
    r->parse_done = 0;
    atomic_store(&r->stop, 0);
    liia_error_clear(&r->perr);
    pthread_t parser;
    if (pthread_create(&parser, NULL, parse_main, r) != 0) {
        liia_error_clear(e);
        return liia_fail(e, LIIA_E_NOMEM, "cannot start a thread to read the XML file");
    }
    int rc = 0;
    for (struct batch *b; (b = take(r));) {
        if (!rc && (rc = flush(r, b, fn, ctx, e)) != 0)
            atomic_store(&r->stop, 1);
        give_back(r, b);
    }
    pthread_join(parser, NULL);
    if (rc)
        return -1;
    if (r->failed) {
        *e = r->perr;
        return -1;
    }
    if (r->xerr[0])
        return parse_failed(r, e);
    if (!r->seen_root) {
        r->xerr_code = XML_ERR_DOCUMENT_EMPTY;
        return parse_failed(r, e);
    }
    return 0;
}

/* ------------------------------------------------------------ signature */

/* The signature reads the root element and Header/CollectionDetails/
 * Collection from the start of the file only: it stops at Children, or
 * after 100,000 elements. */
static void sig_start(void *u, const xmlChar *local, const xmlChar *prefix,
                      const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
                      int ndefaulted, const xmlChar **attrs)
{
    (void)prefix, (void)uri, (void)nns, (void)ns, (void)nattrs, (void)ndefaulted;
    (void)attrs;
    struct xml_reader *r = u;
    const char *name = (const char *)local;
    r->seen_root = 1;
    if (r->depth < 4)
        liia_strlcpy(r->signames[r->depth], name, sizeof r->signames[r->depth]);
    if (r->depth == 0)
        liia_strlcpy(r->sig->root, name, sizeof r->sig->root);
    if ((r->depth == 1 && !strcmp(name, "Children")) || ++r->signodes >= 100000) {
        r->sig_done = 1;
        xmlStopParser(r->ctxt);
    }
    r->depth++;
    liia_buf_reset(&r->text);
}

static int in_collection(const struct xml_reader *r)
{
    return r->depth == 4 && !strcmp(r->signames[1], "Header") &&
           !strcmp(r->signames[2], "CollectionDetails") &&
           !strcmp(r->signames[3], "Collection");
}

static void sig_end(void *u, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)local, (void)prefix, (void)uri;
    struct xml_reader *r = u;
    if (in_collection(r)) {
        size_t n = r->text.len < sizeof r->sig->collection ? r->text.len
                                                           : sizeof r->sig->collection - 1;
        if (n)
            memcpy(r->sig->collection, r->text.data, n);
        r->sig->collection[n] = '\0';
        r->sig_done = 1;
        xmlStopParser(r->ctxt);
    }
    r->depth -= r->depth > 0;
}

static void sig_text(void *u, const xmlChar *v, int n)
{
    struct xml_reader *r = u;
    /* out of memory: the collection stays unknown, and the caller says so */
    if (in_collection(r) && r->text.len + (size_t)n <= LIIA_XML_MAX_VALUE &&
        liia_buf_append(&r->text, (const char *)v, (size_t)n) != 0) {
        r->sig_done = 1;
        xmlStopParser(r->ctxt);
    }
}

static int xml_signature(liia_reader *base, liia_signature *out, liia_error *e)
{
    struct xml_reader *r = (struct xml_reader *)base;
    memset(out, 0, sizeof *out);
    liia_strlcpy(out->format, "xml", sizeof out->format);
    if (prolog_check(r, e) != 0)
        return -1;
    memset(r->signames, 0, sizeof r->signames);
    r->signodes = 0;
    r->sig = out;
    xmlSAXHandler sax;
    sax_init(&sax, sig_start, sig_end, sig_text);
    int rc = parse(r, &sax, e);
    r->sig = NULL;
    if (rc != 0 || r->failed)
        return -1;
    if (r->xerr[0] && !out->root[0])
        return parse_failed(r, e);
    return 0;
}

static void xml_free(liia_reader *base)
{
    struct xml_reader *r = (struct xml_reader *)base;
    if (r->ctxt) {
        xmlFreeDoc(r->ctxt->myDoc);
        xmlFreeParserCtxt(r->ctxt);
    }
    for (int i = 0; i < NBATCH; i++) {
        free(r->batches[i].pending);
        free(r->batches[i].vals);
        liia_buf_free(&r->batches[i].arena);
    }
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r->seen);
    liia_buf_free(&r->text);
    free((char *)r->base.file);
    free(r);
}

static const struct liia_reader_ops xml_ops = {
    .format = "xml", .run = xml_run, .signature = xml_signature, .free = xml_free,
};

static liia_reader *xml_new(const char *name, const char *mem, size_t len,
                            const liia_xml_layout *layout, liia_error *e)
{
    if (xml_ready(name, e))
        return NULL;
    struct xml_reader *r = calloc(1, sizeof *r);
    char *file = strdup(name);
    int locked = r && pthread_mutex_init(&r->mu, NULL) == 0;
    int signals = locked && pthread_cond_init(&r->cv, NULL) == 0;
    if (!signals || !file || (mem && len > INT32_MAX)) {
        if (signals)
            pthread_cond_destroy(&r->cv);
        if (locked)
            pthread_mutex_destroy(&r->mu);
        free(r);
        free(file);
        liia_error_clear(e);
        liia_fail(e, LIIA_E_NOMEM, "out of memory opening %s", name);
        return NULL;
    }
    r->base.ops = &xml_ops;
    r->base.file = file;
    r->layout = layout;
    r->mem = mem ? mem : NULL;
    r->memlen = len;
    for (int i = 0; i < NBATCH; i++)
        liia_buf_init(&r->batches[i].arena);
    liia_buf_init(&r->text);
    return &r->base;
}

liia_reader *liia_reader_xml_open(const char *path, const liia_xml_layout *layout,
                                  liia_error *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        liia_error_clear(e);
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "check the file name and that you may read it");
        liia_strlcpy(e->rule_id, "LIIA-CIN-XML", sizeof e->rule_id);
        liia_fail(e, LIIA_E_IO, "cannot open the file: %s", strerror(err));
        return NULL;
    }
    fclose(f);
    return xml_new(path, NULL, 0, layout, e);
}

liia_reader *liia_reader_xml_open_mem(const char *name, const char *data,
                                      size_t len, const liia_xml_layout *layout,
                                      liia_error *e)
{
    /* xmlReaderForMemory wants a non-NULL buffer even when it is empty. */
    return xml_new(name, data ? data : "", len, layout, e);
}
