/* query_out.h - writes a prepared statement's rows as a table, CSV or JSON. */
#ifndef LIIA_QUERY_OUT_H
#define LIIA_QUERY_OUT_H
#include "liia_engine.h"

/* Steps st to the end, writing every row to out.  -1 with e filled when a
 * step or a write fails (SQLITE_INTERRUPT included). */
int qo_write(sqlite3 *db, sqlite3_stmt *st, liia_query_format fmt, FILE *out,
             liia_error *e);
#endif
