/*
 * ssda903.h - the child-level SSDA903 return (children looked after):
 * header, episodes and optional uasc tables, validated against DfE code
 * lists and rule codes (schemas/ssda903/), pseudonymised on the way in and
 * stored with the looked-after measures derived from the episodes.
 *
 * A submission is ingested like every return's, by liia_ingest_submission()
 * (liia_ingest.h, return type "ssda903"), which reaches it through
 * ingest_ssda903_ops (ssda903_ops.c); see docs/ssda903.md.  This header
 * is what else the return offers: the reconciliation with the quarterly
 * return.
 */
#ifndef LIIA_SSDA903_H
#define LIIA_SSDA903_H

#include "liia_ingest.h"

/* One line of the reconciliation of derived and quarterly-return values. */
typedef struct liia_903_recon_row {
    char measure[48];
    int has_quarterly, has_derived;
    double quarterly, derived;
    double diff;                /* derived - quarterly */
    int flagged;                /* |diff| above the tolerance */
} liia_903_recon_row;

/* Compares the measures derived from the latest accepted SSDA903 data for
 * (la_code, period) with the authority's accepted quarterly return.  A
 * difference is flagged when it exceeds max(abs_tol, rel_tol * quarterly).
 * Rows are in catalogue order; caller frees *rows. */
int liia_ssda903_reconcile(sqlite3 *db, const char *la_code,
                           const char *period, double rel_tol, double abs_tol,
                           liia_903_recon_row **rows, size_t *nrows,
                           liia_error *e);

#endif
