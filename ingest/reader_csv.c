/*
 * reader_csv.c - the reader interface over the core CSV reader (libcsv,
 * streaming, BOM, CRLF, quoted newlines, Windows-1252).  The header row
 * gives the field names; every other non-blank row is one record of the
 * file's part, pushed with the reader's own field buffers (nothing is
 * copied per row).  Blank lines are no record: record numbers count the
 * rows under the header as a spreadsheet user does, lines are physical.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader.h"

struct csv_rd {
    liia_reader base;
    char *path;
    char **names;          /* trimmed header names, then "" up to capnames */
    size_t nnames, capnames;
    liia_record_fn fn;
    void *ctx;
    long record;
};

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return strndup(s, n);
}

static void free_names(struct csv_rd *r)
{
    for (size_t i = 0; i < r->capnames; i++)
        free(r->names[i]);
    free(r->names);
    r->names = NULL;
    r->nnames = r->capnames = 0;
}

/* Room for a row of n fields: names past the header's read as "". */
static int pad_names(struct csv_rd *r, size_t n)
{
    if (n <= r->capnames)
        return 0;
    char **p = realloc(r->names, n * sizeof *p);
    if (!p)
        return -1;
    r->names = p;
    for (; r->capnames < n; r->capnames++)
        if (!(p[r->capnames] = strdup("")))
            return -1;
    return 0;
}

static int take_names(struct csv_rd *r, const liia_csv_record *rec, liia_error *e)
{
    free_names(r);
    if (!(r->names = calloc(rec->nfields ? rec->nfields : 1, sizeof *r->names)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (; r->capnames < rec->nfields; r->capnames++)
        if (!(r->names[r->capnames] = trimmed(rec->fields[r->capnames],
                                              rec->lengths[r->capnames])))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    r->nnames = rec->nfields;
    return 0;
}

static int on_csv(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct csv_rd *r = ctx;
    if (rec->record_no == 1)
        return take_names(r, rec, e);
    if (rec->nfields == 1 && rec->lengths[0] == 0)
        return 0;   /* a blank line */
    if (pad_names(r, rec->nfields))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    liia_record out = {.part = NULL, .nfields = rec->nfields,
                       .names = (const char *const *)r->names, .values = rec->fields,
                       .lengths = rec->lengths, .record = ++r->record,
                       .line = rec->line, .path = ""};
    int rc = r->fn(r->ctx, &out, e);
    return rc < 0 ? -1 : rc > 0 ? 1 : 0;
}

/* Parsing on a thread of its own pays from files of some tens of MB (a
 * 64 MB episodes file: 0.35 s less); on files of a few MB the hand-over
 * costs more than it saves (+6% on a 10^5-episode extract: docs/
 * performance.md). */
#define CSV_THREAD_MIN_BYTES (16L << 20)

static unsigned read_flags(const char *path)
{
    struct stat st;
    int big = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= CSV_THREAD_MIN_BYTES;
    return LIIA_CSV_CONVERT_CP1252 | (big ? LIIA_CSV_THREAD : 0);
}

static int csv_run(liia_reader *base, liia_record_fn fn, void *ctx, liia_error *e)
{
    struct csv_rd *r = (struct csv_rd *)base;
    r->fn = fn;
    r->ctx = ctx;
    r->record = 0;
    liia_csv_info info = {0};
    int rc = liia_csv_read_file(r->path, read_flags(r->path), on_csv, r, &info, e);
    base->converted_cp1252 = info.converted_cp1252;
    return rc;
}

static int first_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    return take_names(ctx, rec, e) ? -1 : 1;
}

static int csv_signature(liia_reader *base, liia_signature *out, liia_error *e)
{
    struct csv_rd *r = (struct csv_rd *)base;
    memset(out, 0, sizeof *out);
    liia_strlcpy(out->format, "csv", sizeof out->format);
    if (liia_csv_read_file(r->path, LIIA_CSV_CONVERT_CP1252, first_row, r, NULL, e))
        return -1;
    /* The names move to the signature: the reader takes them again when
     * it runs. */
    out->names = r->names;
    out->nnames = r->nnames;
    for (size_t i = r->nnames; i < r->capnames; i++)
        free(r->names[i]);
    r->names = NULL;
    r->nnames = r->capnames = 0;
    return 0;
}

static void csv_free(liia_reader *base)
{
    struct csv_rd *r = (struct csv_rd *)base;
    free_names(r);
    free(r->path);
    free(r);
}

static const struct liia_reader_ops csv_ops = {
    .format = "csv", .run = csv_run, .signature = csv_signature, .free = csv_free,
};

liia_reader *liia_reader_csv_open(const char *path, liia_error *err)
{
    struct csv_rd *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        liia_fail(err, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    r->base.ops = &csv_ops;
    r->base.file = r->path;
    return &r->base;
}
