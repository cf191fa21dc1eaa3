/* ssda903_reconcile.c - measures derived from child-level returns (SSDA903
 * looked-after, CIN census front door and child protection) against the same
 * authority's quarterly return, so differences in counting show up. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ssda903.h"

/* The view (core/migrations/004_reconciliation.sql) is what the pack's
 * Reconciliation sheet reads too; only the tolerance is applied here, as
 * the caller chose it. */
static const char recon_sql[] =
    "SELECT measure, quarterly, derived FROM reconciliation "
    "WHERE la_code = ?1 AND period = ?2 ORDER BY sort_order, measure";

static void fill_row(sqlite3_stmt *st, double rel_tol, double abs_tol,
                     liia_903_recon_row *row)
{
    memset(row, 0, sizeof *row);
    liia_strlcpy(row->measure, (const char *)sqlite3_column_text(st, 0),
                 sizeof row->measure);
    row->has_quarterly = sqlite3_column_type(st, 1) != SQLITE_NULL;
    row->has_derived = 1;
    row->quarterly = sqlite3_column_double(st, 1);
    row->derived = sqlite3_column_double(st, 2);
    if (row->has_quarterly) {
        row->diff = row->derived - row->quarterly;
        double tol = fmax(abs_tol, rel_tol * fabs(row->quarterly));
        row->flagged = fabs(row->diff) > tol;
    }
}

int liia_ssda903_reconcile(sqlite3 *db, const char *la_code, const char *period,
                           double rel_tol, double abs_tol,
                           liia_903_recon_row **rows, size_t *nrows, liia_error *e)
{
    *rows = NULL;
    *nrows = 0;
    sqlite3_stmt *st;
    if (liia_db_prepare(db, recon_sql, &st, e))
        return -1;
    sqlite3_bind_text(st, 1, la_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*nrows == cap) {
            cap = cap ? 2 * cap : 16;
            liia_903_recon_row *n = realloc(*rows, cap * sizeof *n);
            if (!n) {
                sqlite3_finalize(st);
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            }
            *rows = n;
        }
        fill_row(st, rel_tol, abs_tol, &(*rows)[(*nrows)++]);
    }
    if (rc != SQLITE_DONE) {
        liia_db_fail(e, db, "reading derived measures");
        sqlite3_finalize(st);
        return -1;
    }
    return sqlite3_finalize(st) == SQLITE_OK ? 0 : liia_db_fail(e, db, "reconcile");
}
