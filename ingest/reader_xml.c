/*
 * reader_xml.c - the XML reader: streams a file with libxml2's
 * xmlTextReader and pushes one record per part element (reader_xml.h).
 *
 * Safety: the parser gets XML_PARSE_NONET and none of NOENT, DTDLOAD,
 * DTDATTR, DTDVALID, XINCLUDE or HUGE, so no external entity, DTD or
 * include is ever fetched, no entity is substituted and libxml2's own
 * size and depth limits stay on.  On top, any DOCTYPE is refused as soon
 * as the reader meets it (a CIN census has none; entity declarations,
 * billion laughs included, only ever come with one), as is any entity
 * reference, nesting deeper than LIIA_XML_MAX_DEPTH and a value longer
 * than LIIA_XML_MAX_VALUE.  libxml2's messages are caught, never printed.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>
#include <pthread.h>

#include <libxml/xmlreader.h>

#include "reader_xml_internal.h"

/* libxml2 is loaded when the first XML file is opened, not linked: on
 * Debian it brings ICU (31 MB of data mapped) and libstdc++, which every
 * other command of the binary would then carry, and a run under a tight
 * address-space limit (tests/system/outputs.sh) could no longer even
 * start.  The calls below go through this table; the names stay
 * libxml2's (the macros after it). */
#define XML_FUNCS(X)                                                           \
    X(xmlInitParser) X(xmlReaderForFile) X(xmlReaderForMemory)                 \
    X(xmlFreeTextReader) X(xmlGetLineNo) X(xmlTextReaderConstLocalName)        \
    X(xmlTextReaderConstValue) X(xmlTextReaderCurrentNode)                     \
    X(xmlTextReaderGetParserLineNumber) X(xmlTextReaderIsEmptyElement)         \
    X(xmlTextReaderNodeType) X(xmlTextReaderRead) X(xmlTextReaderReadState)    \
    X(xmlTextReaderSetStructuredErrorHandler)

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
    if (xmlf.xmlTextReaderRead)
        return 0;
    liia_error_clear(e);
    liia_strlcpy(e->file, file, sizeof e->file);
    liia_error_fix(e, "install libxml2 (libxml2.so.2; scripts/setup.sh does), or give "
                      "the process more memory");
    return liia_fail(e, LIIA_E_IO, "cannot load libxml2 to read the XML file: %s",
                     xml_load_error);
}

#define xmlInitParser (*xmlf.xmlInitParser)
#define xmlReaderForFile (*xmlf.xmlReaderForFile)
#define xmlReaderForMemory (*xmlf.xmlReaderForMemory)
#define xmlFreeTextReader (*xmlf.xmlFreeTextReader)
#define xmlGetLineNo (*xmlf.xmlGetLineNo)
#define xmlTextReaderConstLocalName (*xmlf.xmlTextReaderConstLocalName)
#define xmlTextReaderConstValue (*xmlf.xmlTextReaderConstValue)
#define xmlTextReaderCurrentNode (*xmlf.xmlTextReaderCurrentNode)
#define xmlTextReaderGetParserLineNumber (*xmlf.xmlTextReaderGetParserLineNumber)
#define xmlTextReaderIsEmptyElement (*xmlf.xmlTextReaderIsEmptyElement)
#define xmlTextReaderNodeType (*xmlf.xmlTextReaderNodeType)
#define xmlTextReaderRead (*xmlf.xmlTextReaderRead)
#define xmlTextReaderReadState (*xmlf.xmlTextReaderReadState)
#define xmlTextReaderSetStructuredErrorHandler (*xmlf.xmlTextReaderSetStructuredErrorHandler)

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
    xmlTextReaderPtr xr;
    /* the first libxml2 error, caught by on_error */
    char xerr[256];
    int xerr_code;
    long xerr_line;
    /* where the last text node ended (0: none yet); an element past line
     * 65,535 starts there (line_now) */
    long text_line;
    /* reading state */
    struct level stack[LIIA_XML_MAX_DEPTH + 1];
    unsigned counts[LIIA_XML_MAX_DEPTH + 1][XL_MAX_PARTS];
    int depth;                  /* levels in use */
    int open[XL_MAX_PARTS];     /* innermost open record of each part */
    struct prec *pending;
    size_t npending, cap;
    size_t *vals;               /* value offsets, NOVAL = absent */
    size_t nvals, capvals;
    liia_buf arena;             /* paths and values, NUL-terminated */
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

/* The line of the current node.  libxml2 keeps a node's line in 16 bits:
 * past 65,535 an element's is USHRT_MAX and xmlGetLineNo answers with its
 * first child's, a text node whose line (kept in psvi by
 * XML_PARSE_BIG_LINES) is where that text ENDS: the line after the start
 * tag when the tag ends its line.  The text before the element ends where
 * the element starts, so that is its line (text_line, kept by
 * text_node); the parser's own line is ahead, by as much as the reader
 * has buffered. */
static long line_now(const struct xml_reader *r)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(r->xr);
    if (node && node->type == XML_ELEMENT_NODE && node->line == USHRT_MAX && r->text_line)
        return r->text_line;
    long line = node ? xmlGetLineNo(node) : -1;
    return line > 0 ? line : xmlTextReaderGetParserLineNumber(r->xr);
}

/* Keeps where a text node (white space between tags included) ends: its
 * line, or past 65,535 the line XML_PARSE_BIG_LINES kept in psvi. */
static void note_text_line(struct xml_reader *r, xmlNodePtr node)
{
    if (node)
        r->text_line = node->line < USHRT_MAX ? (long)node->line
                                              : (long)(ptrdiff_t)node->psvi;
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
        if (xmlTextReaderReadState(r->xr) == XML_TEXTREADER_MODE_EOF || r->depth > 0)
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

static int arena_add(struct xml_reader *r, const char *s, size_t n, size_t *off)
{
    *off = r->arena.len;
    if (liia_buf_append(&r->arena, s, n) != 0 || liia_buf_append(&r->arena, "", 1) != 0)
        return -1;
    return 0;
}

static int open_record(struct xml_reader *r, int part, struct level *lv, liia_error *e)
{
    const struct xl_part *xp = &r->layout->parts[part];
    if (r->npending == LIIA_XML_MAX_PENDING)
        return refuse(r, e, line_now(r), FIX_EXPORT,
                      "one child holds more than 100,000 records%s; no census child "
                      "comes near that", "");
    if (r->npending == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        struct prec *p = realloc(r->pending, cap * sizeof *p);
        if (!p)
            return oom(r, e);
        r->pending = p;
        r->cap = cap;
    }
    if (r->nvals + xp->ncols > r->capvals) {
        size_t cap = r->capvals ? 2 * r->capvals : 1024;
        while (cap < r->nvals + xp->ncols)
            cap *= 2;
        size_t *v = realloc(r->vals, cap * sizeof *v);
        if (!v)
            return oom(r, e);
        r->vals = v;
        r->capvals = cap;
    }
    struct prec *p = &r->pending[r->npending];
    memset(p, 0, sizeof *p);
    p->part = part;
    p->parent = xp->parent >= 0 ? r->open[xp->parent] : -1;
    p->line = line_now(r);
    p->ordinal = p->parent >= 0 ? ++r->pending[p->parent].kids[part]
                                : ++r->top_ordinal[part];
    p->vals = r->nvals;
    for (size_t c = 0; c < xp->ncols; c++)
        r->vals[r->nvals++] = NOVAL;
    lv->rec = (int)r->npending;
    if (arena_add(r, r->path, r->pathlen[r->depth], &p->path) != 0)
        return oom(r, e);
    lv->prev_open = r->open[part];
    r->open[part] = lv->rec;
    r->npending++;
    return 0;
}

/* The value of column c of the record at index rec (following inheritance). */
static const char *value_of(struct xml_reader *r, size_t rec, size_t c, char *ord,
                            size_t *len)
{
    const struct prec *p = &r->pending[rec];
    const struct xl_part *xp = &r->layout->parts[p->part];
    if (xp->kind[c] == XL_INHERIT) {
        int want = xp->src_part[c];
        int at = p->parent;
        while (at >= 0 && r->pending[at].part != want)
            at = r->pending[at].parent;
        if (at < 0)
            return NULL;
        return value_of(r, (size_t)at, (size_t)xp->src_col[c], ord, len);
    }
    if (xp->kind[c] == XL_ORDINAL) {
        char tmp[24];
        size_t t = 0;
        for (unsigned long v = (unsigned long)p->ordinal; v || !t; v /= 10)
            tmp[t++] = (char)('0' + v % 10);
        for (*len = 0; t;)
            ord[(*len)++] = tmp[--t];
        ord[*len] = '\0';
        return ord;
    }
    size_t off = r->vals[p->vals + c];
    if (off == NOVAL)
        return NULL;
    *len = strlen(r->arena.data + off);
    return r->arena.data + off;
}

/* Pushes every pending record, parents first (the order they opened in). */
static int flush(struct xml_reader *r, liia_record_fn fn, void *ctx, liia_error *e)
{
    const char *values[XL_MAX_COLS];
    size_t lengths[XL_MAX_COLS];
    char ords[XL_MAX_COLS][24];
    for (size_t i = 0; i < r->npending; i++) {
        const struct prec *p = &r->pending[i];
        const struct xl_part *xp = &r->layout->parts[p->part];
        for (size_t c = 0; c < xp->ncols; c++) {
            lengths[c] = 0;
            values[c] = value_of(r, i, c, ords[c], &lengths[c]);
        }
        liia_record rec = {
            .part = xp->name, .nfields = xp->ncols, .names = xp->names,
            .values = values, .lengths = lengths, .record = ++r->recno[p->part],
            .line = p->line, .path = r->arena.data + p->path,
        };
        if (fn(ctx, &rec, e) != 0) {
            if (!e->file[0])
                liia_strlcpy(e->file, r->base.file, sizeof e->file);
            if (e->status == LIIA_OK)
                liia_fail(e, LIIA_E_DATA, "the record at %s was refused", rec.path);
            return -1;
        }
    }
    r->npending = 0;
    r->nvals = 0;
    liia_buf_reset(&r->arena);
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
    size_t slot = r->pending[rec].vals + (size_t)lv->node->col;
    if (r->vals[slot] != NOVAL)   /* the element given twice: the first counts */
        return 0;
    const char *s = r->text.data;
    size_t n = r->text.len;
    while (n && is_space(s[0]))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;
    if (arena_add(r, s, n, &r->vals[slot]) != 0)
        return oom(r, e);
    return 0;
}

static int end_element(struct xml_reader *r, liia_record_fn fn, void *ctx,
                       liia_error *e)
{
    struct level *lv = &r->stack[r->depth - 1];
    if (lv->capture && store_value(r, lv, e) != 0)
        return -1;
    if (lv->rec >= 0) {
        int part = lv->node->part;
        r->open[part] = lv->prev_open;
        if (r->layout->parts[part].parent < 0 && flush(r, fn, ctx, e) != 0)
            return -1;
    }
    r->depth--;
    r->path[r->pathlen[r->depth]] = '\0';
    return 0;
}

static int start_element(struct xml_reader *r, liia_record_fn fn, void *ctx,
                         liia_error *e)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
    if (!name)
        return oom(r, e);
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
    if (xmlTextReaderIsEmptyElement(r->xr))
        return end_element(r, fn, ctx, e);
    return 0;
}

static int text_node(struct xml_reader *r, xmlNodePtr node, liia_error *e)
{
    note_text_line(r, node);
    if (!r->depth || !r->stack[r->depth - 1].capture)
        return 0;
    const char *v = (const char *)xmlTextReaderConstValue(r->xr);
    size_t n = v ? strlen(v) : 0;
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

static int node(struct xml_reader *r, liia_record_fn fn, void *ctx, liia_error *e)
{
    /* Text (white space between tags most of all) is read as text whatever
     * its kind: xmlTextReaderNodeType would tell white space from text,
     * looking up every ancestor's xml:space for each, to no use here. */
    xmlNodePtr cur = xmlTextReaderCurrentNode(r->xr);
    if (cur && (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE))
        return text_node(r, cur, e);
    switch (xmlTextReaderNodeType(r->xr)) {
    case XML_READER_TYPE_ELEMENT:
        return start_element(r, fn, ctx, e);
    case XML_READER_TYPE_END_ELEMENT:
        return r->depth ? end_element(r, fn, ctx, e) : 0;
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        return text_node(r, xmlTextReaderCurrentNode(r->xr), e);
    case XML_READER_TYPE_DOCUMENT_TYPE:
        return refuse(r, e, line_now(r), FIX_DOCTYPE, "%s", MSG_DOCTYPE);
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
        return refuse(r, e, line_now(r), FIX_EXPORT,
                      "the file uses an entity (&name;)%s: refused, a CIN census has none", "");
    default:
        return 0;
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

/* ------------------------------------------------------------ the reader */

static int open_parser(struct xml_reader *r, liia_error *e)
{
    /* NONET and nothing that loads or substitutes: see the top of the file. */
    int opts = XML_PARSE_NONET | XML_PARSE_BIG_LINES;
    if (r->xr)
        xmlFreeTextReader(r->xr);
    r->xerr[0] = '\0';
    r->xerr_code = 0;
    r->xerr_line = 0;
    r->text_line = 0;
    r->xr = r->mem ? xmlReaderForMemory(r->mem, (int)r->memlen, r->base.file, NULL, opts)
                   : xmlReaderForFile(r->base.file, NULL, opts);
    if (!r->xr) {
        liia_error_clear(e);
        liia_strlcpy(e->file, r->base.file, sizeof e->file);
        liia_error_fix(e, "check the file name and that you may read it");
        return liia_fail(e, LIIA_E_IO, "cannot open the file: %s",
                         errno ? strerror(errno) : "unreadable");
    }
    xmlTextReaderSetStructuredErrorHandler(r->xr, on_error, r);
    return 0;
}

static int xml_run(liia_reader *base, liia_record_fn fn, void *ctx, liia_error *e)
{
    struct xml_reader *r = (struct xml_reader *)base;
    if (!r->layout) {
        liia_error_clear(e);
        return liia_fail(e, LIIA_E_USAGE, "XML reader run without a layout");
    }
    if (prolog_check(r, e) != 0 || open_parser(r, e) != 0)
        return -1;
    r->depth = 0;
    r->path[0] = '\0';
    r->pathlen[0] = 0;
    free(r->seen);
    if (!(r->seen = calloc(r->layout->nnodes + 1, sizeof *r->seen)))
        return oom(r, e);
    r->npending = r->nvals = 0;
    liia_buf_reset(&r->arena);
    memset(r->recno, 0, sizeof r->recno);
    memset(r->top_ordinal, 0, sizeof r->top_ordinal);
    for (int p = 0; p < XL_MAX_PARTS; p++)
        r->open[p] = -1;
    int rc, seen_root = 0;
    while ((rc = xmlTextReaderRead(r->xr)) == 1) {
        seen_root |= r->depth > 0;
        if (node(r, fn, ctx, e) != 0)
            return -1;
    }
    if (rc < 0 || r->xerr[0])
        return parse_failed(r, e);
    if (!seen_root && !r->depth) {
        r->xerr_code = XML_ERR_DOCUMENT_EMPTY;
        return parse_failed(r, e);
    }
    return 0;
}

/* ------------------------------------------------------------ signature */

/* The root element and Header/CollectionDetails/Collection, read from the
 * start of the file only (it stops at Children). */
static int xml_signature(liia_reader *base, liia_signature *out, liia_error *e)
{
    struct xml_reader *r = (struct xml_reader *)base;
    memset(out, 0, sizeof *out);
    liia_strlcpy(out->format, "xml", sizeof out->format);
    if (prolog_check(r, e) != 0 || open_parser(r, e) != 0)
        return -1;
    char names[4][32] = {{0}};
    int depth = 0, rc, nodes = 0;
    r->depth = 0;
    r->path[0] = '\0';
    while ((rc = xmlTextReaderRead(r->xr)) == 1 && nodes++ < 100000) {
        int type = xmlTextReaderNodeType(r->xr);
        const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE)
            return node(r, NULL, NULL, e);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (depth < 4)
                liia_strlcpy(names[depth], name ? name : "", sizeof names[depth]);
            if (depth == 0)
                liia_strlcpy(out->root, name ? name : "", sizeof out->root);
            if (depth == 1 && !strcmp(names[1], "Children"))
                break;
            depth += !xmlTextReaderIsEmptyElement(r->xr);
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            depth--;
        } else if (type == XML_READER_TYPE_TEXT && depth == 4 &&
                   !strcmp(names[1], "Header") && !strcmp(names[2], "CollectionDetails") &&
                   !strcmp(names[3], "Collection")) {
            const char *v = (const char *)xmlTextReaderConstValue(r->xr);
            liia_strlcpy(out->collection, v ? v : "", sizeof out->collection);
            break;
        }
    }
    if (rc < 0 && !out->root[0])
        return parse_failed(r, e);
    return 0;
}

static void xml_free(liia_reader *base)
{
    struct xml_reader *r = (struct xml_reader *)base;
    if (r->xr)
        xmlFreeTextReader(r->xr);
    free(r->pending);
    free(r->vals);
    free(r->seen);
    liia_buf_free(&r->arena);
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
    if (!r || !file || (mem && len > INT32_MAX)) {
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
    liia_buf_init(&r->arena);
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
