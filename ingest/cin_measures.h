/* cin_measures.h - the front-door, assessment and child-protection measures
 * derived from a stored CIN census submission (schemas/cin/measures.json). */
#ifndef LIIA_CIN_MEASURES_H
#define LIIA_CIN_MEASURES_H

#include <sqlite3.h>

#include "liia_core.h"

/* Runs every measure of schema_dir/cin/measures.json over submission sid's
 * stored census for each quarter of the collection year up to period
 * (a canonical quarter end), and stores the values in derived_measure
 * (replacing any of the same submission, quarter and measure).  Registers
 * the engine's SQL functions (working_days) on db.  Runs in the caller's
 * transaction.  A measure file that does not load, names a measure not in
 * the catalogue or holds SQL that does not prepare is LIIA_E_SCHEMA, with
 * the file and the measure; *n_out (may be NULL) counts the values stored. */
int liia_cin_derive_measures(sqlite3 *db, sqlite3_int64 sid, const char *period,
                             const char *schema_dir, int *n_out, liia_error *e);

#endif
