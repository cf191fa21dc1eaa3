/* query_out.h - writes a prepared statement's rows as a table, CSV or JSON. */
#ifndef LIIA_QUERY_OUT_H
#define LIIA_QUERY_OUT_H
#include "liia_engine.h"

/* The indicators' decimals (indicator_def), read before the analyst's
 * statement runs, so the table can show values as the packs do. */
enum { QO_MAX_INDICATORS = 128 };
typedef struct qo_decimals {
    char id[QO_MAX_INDICATORS][16];
    int decimals[QO_MAX_INDICATORS];
    size_t n;
} qo_decimals;

int qo_decimals_load(sqlite3 *db, qo_decimals *d, liia_error *e);

/* Steps st to the end, writing every row to out.  -1 with e filled when a
 * step or a write fails (SQLITE_INTERRUPT included).  The table rounds a
 * row's indicator-valued cells (columns `value`, `*_value`, `change_*`) to
 * its indicator's decimals (its `decimals` column, else its `indicator`'s
 * from dec); CSV and JSON keep full precision. */
int qo_write(sqlite3 *db, sqlite3_stmt *st, liia_query_format fmt,
             const qo_decimals *dec, FILE *out, liia_error *e);
#endif
