/*
 * published_internal.h - the layout descriptions of schemas/published/
 * (published_desc.c) as the importer (published_import.c) uses them.
 */
#ifndef LIIA_PUBLISHED_INTERNAL_H
#define LIIA_PUBLISHED_INTERNAL_H

#include <jansson.h>
#include "liia_published.h"

enum { PUB_MAX_WHERE = 4, PUB_MAX_VALUES = 8 };

/* One figure a row can give: a measure, or DfE's rate for an indicator. */
typedef struct pub_map {
    const char *kind;      /* "measure" or "rate" */
    const char *id;        /* measure or indicator id */
    const char *column;
    const char *where_col[PUB_MAX_WHERE];
    const char *where_val[PUB_MAX_WHERE];
    int nwhere;
} pub_map;

typedef struct pub_desc {
    const char *id, *title, *year_label;
    const char **columns;  /* recognised when the header has all of them */
    size_t ncolumns;
    const char *value_col; /* optional: and a row has one of these values */
    const char *values[PUB_MAX_VALUES];
    int nvalues;
    pub_map *maps;
    size_t nmaps;
    int population;        /* figures also go into the population reference */
    /* neighbour model layout (sn_model.json) */
    const char *nb_la_col, *nb_prefix, *nb_suffix;
    int nb_count;
} pub_desc;

typedef struct pub_descs {
    pub_desc *items;
    size_t count;
    json_t **docs;         /* owned: the strings above point into them */
    size_t ndocs;
} pub_descs;

/* Loads every .json file of schemas/published/, sorted by file name. */
int pub_descs_load(const char *schema_dir, pub_descs *d, liia_error *e);
void pub_descs_free(pub_descs *d);

/* The main pass over a recognised file, inside the caller's transaction:
 * every row's figures into published_value (or sn_model) under
 * r->file_id; counts into r. */
int pub_rows_import(sqlite3 *db, const pub_desc *d, const char *path,
                    liia_published_result *r, liia_error *e);

/* Index of name in a header, -1 if absent. */
int pub_column(const liia_csv_record *rec, const char *name);

#endif
