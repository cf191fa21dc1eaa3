/* ssda903_identity.h - whole-file checks of a child-level return: a
 * required part with no rows, a cell naming another authority or
 * collection year (tables.json "required", "identifies").  Internal to
 * ingest/. */
#ifndef LIIA_SSDA903_IDENTITY_H
#define LIIA_SSDA903_IDENTITY_H

#include "ssda903_run.h"

/* Reads every authority's DfE number and name (the store's reference, so
 * in open(): validate's scratch database has none) and which is gss. */
int s903_identity_open(struct s903_run *run, sqlite3 *db, const char *gss, liia_error *e);

/* 0 when each of the row's "identifies" cells (checked: cells[c].ok and
 * iso set) is --la's DfE number or names --period's collection year;
 * -1 with e a LIIA_E_DATA error at the cell (rule <prefix>-LA or -YEAR),
 * the file's rejection, otherwise.  map: the file field of each column. */
int s903_identity_check(struct s903_run *run, const char *file, const struct s903_table *t,
                        const struct s903_cell *cells, const int *map, long line,
                        liia_error *e);

/* 0 unless table is "required" and rows (those it could read; misaligned:
 * rows left out for their number of fields) is 0: then -1 with e the
 * file's rejection, rule <prefix>-EMPTY. */
int s903_required_rows(struct s903_run *run, const char *file, int table, long rows,
                       long misaligned, liia_error *e);

#endif
