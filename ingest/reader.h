/*
 * reader.h - where the records of a child-level return come from.
 *
 * A reader turns one file into a stream of records.  Each record belongs to
 * one part (table) of the return and carries its location, so a finding can
 * name the file, the part, the record, the line, the field and - for
 * structured files - the element path (XML) or the sheet and cell (xlsx).
 * The engine never sees the file format: CSV is reader_csv.c, the CIN
 * census XML is reader_xml.c, an xlsx reader plugs in the same way.
 *
 * Readers push records to a callback, on the caller's thread and in file
 * order (libcsv and libxml2's SAX2 parser both parse incrementally, each
 * on a thread of its own a few fixed batches ahead, so memory stays flat
 * in the size of the file).
 */
#ifndef LIIA_READER_H
#define LIIA_READER_H

#include <stddef.h>
#include "liia_core.h"

typedef struct liia_record {
    /* The part this record belongs to, as named in the return's schema;
     * NULL when the format does not say (a CSV file is one part, chosen by
     * the planner from its header row). */
    const char *part;
    size_t nfields;
    const char *const *names;   /* field names: CSV header, XML element names */
    const char *const *values;  /* NUL-terminated; NULL = field absent */
    const size_t *lengths;
    long record;                /* 1-based within its part */
    long line;                  /* physical line where the record starts */
    const char *path;           /* XML element path or xlsx "Sheet!A2"; "" for CSV */
} liia_record;

/* Returns 0 to go on, 1 to stop the reader early (not an error: run
 * returns 0), -1 to stop it with err filled. */
typedef int (*liia_record_fn)(void *ctx, const liia_record *rec, liia_error *err);

/* What a file is, read from its first bytes, for the planner to match
 * against the schemas: the format and a signature. */
typedef struct liia_signature {
    char format[8];        /* "csv", "xml", "xlsx" */
    char root[64];         /* XML: the root element; empty otherwise */
    char collection[64];   /* XML: the collection it declares (e.g. "CIN") */
    size_t nnames;         /* CSV: the header row's field names */
    char **names;
} liia_signature;

void liia_signature_free(liia_signature *s);

typedef struct liia_reader liia_reader;

struct liia_reader_ops {
    const char *format;
    /* Reads the whole file, calling fn once per record in file order.
     * Returns 0 at the end of the input, -1 with err filled (file, line,
     * path and what to do) when the file cannot be read or fn stopped. */
    int (*run)(liia_reader *r, liia_record_fn fn, void *ctx, liia_error *err);
    int (*signature)(liia_reader *r, liia_signature *out, liia_error *err);
    void (*free)(liia_reader *r);
};

struct liia_reader {
    const struct liia_reader_ops *ops;
    const char *file;      /* as the user named it, for locations */
    /* set by run: the text was not UTF-8 and was read as Windows-1252
     * (Excel's "CSV (Comma delimited)"), for the return to warn of */
    int converted_cp1252;
};

/* Which reader a file needs, from its first bytes ('<' after an optional
 * BOM and white space: XML; "PK\3\4": xlsx; anything else: CSV). */
const char *liia_reader_sniff(const char *path, liia_error *err);

liia_reader *liia_reader_csv_open(const char *path, liia_error *err);

/* The reader liia_reader_sniff picks for path; NULL with err filled when
 * the file cannot be opened or no reader of its format is built in. */
liia_reader *liia_reader_open(const char *path, liia_error *err);

static inline int liia_reader_run(liia_reader *r, liia_record_fn fn, void *ctx,
                                  liia_error *err)
{
    return r->ops->run(r, fn, ctx, err);
}

static inline void liia_reader_free(liia_reader *r)
{
    if (r)
        r->ops->free(r);
}

#endif
