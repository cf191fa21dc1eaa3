/*
 * liia_published.h - DfE/ONS published statistics (Explore Education
 * Statistics open-data CSV): `liia-bench import FILE...`.
 *
 * Each file is recognised by its header against the layouts described in
 * schemas/published/ (one JSON file per layout: which filter columns and values and which
 * indicator column give which measure, or DfE's own rate for an
 * indicator) and stored, in one transaction per file, as published_value
 * rows; DfE's symbols (c, x, z, k, u, low, ~, :) are kept as reasons.  A
 * revised file supersedes the accepted version of its layout, which is
 * kept.  DfE's statistical-neighbour model file (wide SN_1..SN_10) is a
 * layout too, kept by model year.  See docs/published.md.
 */
#ifndef LIIA_PUBLISHED_H
#define LIIA_PUBLISHED_H

#include "liia_core.h"

typedef struct liia_published_result {
    char layout[64];       /* the description's id */
    char title[160];
    int model_year;        /* neighbour models; 0 otherwise */
    long long file_id;     /* published_file.id (the accepted version) */
    int version;
    int unchanged;         /* identical to the accepted version: nothing stored */
    long long superseded;  /* the version it replaced, 0 if none */
    long rows;             /* data rows read */
    long values;           /* figures stored (numbers) */
    long symbols;          /* figures stored as a DfE symbol */
    long skipped;          /* rows no measure of the layout takes */
} liia_published_result;

/* Imports one file into the store.  Unrecognised, malformed or
 * inconsistent files: -1 with e->status LIIA_E_DATA (nothing stored);
 * the message of an unrecognised file names the layouts it knows. */
int liia_published_import(sqlite3 *db, const char *schema_dir,
                          const char *path, liia_published_result *r,
                          liia_error *e);

/* "id (title)" of every known layout, one per line, into out. */
int liia_published_layouts(const char *schema_dir, liia_buf *out,
                           liia_error *e);

#endif /* LIIA_PUBLISHED_H */
