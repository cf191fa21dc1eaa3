/* fixture.h - a benchmark fixture for report tests (see fixture.c). */
#ifndef REPORT_FIXTURE_H
#define REPORT_FIXTURE_H

#include "liia_core.h"

/* Loads reference data into db and creates TEMP benchmark/indicators
 * tables on this connection; prints the error and returns -1 on failure. */
int fixture_load(sqlite3 *db, const char *schema_dir);

#endif
