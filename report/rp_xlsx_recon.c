/*
 * rp_xlsx_recon.c - the authority pack's Reconciliation sheet: the
 * measures derived from its child-level returns (SSDA903 episodes, CIN
 * census) beside its quarterly return, read from the `reconciliation` view that `liia-bench
 * reconcile` reads too.  Only the authority's own counts are shown, so no
 * disclosure control applies; there is no sheet without child-level data.
 */
#include "rp_xlsx.h"

static const char SQL_RECON[] =
    "SELECT measure, title, quarterly, derived, difference, within_tolerance"
    "  FROM reconciliation WHERE la_code = ?1 AND period = ?2"
    " ORDER BY sort_order, measure";

static void recon_heads(rp_fmts *F, lxw_worksheet *ws, const rp_snapshot *s, size_t a)
{
    static const char *const heads[] = {"Measure", "Title", "Quarterly return",
                                        "Child-level", "Difference", "Within tolerance?"};
    static const double widths[] = {26, 40, 16, 12, 12, 30};
    char t[200];
    snprintf(t, sizeof t, "Reconciliation: %s, %s", s->auth[a].name, s->label);
    rp_str(F, ws, 0, 0, t, F->title);
    rp_str(F, ws, 1, 0, "Measures derived from the child-level returns (SSDA903, CIN census) "
           "against the quarterly return.  Tolerance: 5% of the quarterly value, "
           "at least 2 children (liia-bench reconcile --tolerance changes it).",
           F->subtitle);
    for (lxw_col_t k = 0; k < 6; k++) {
        rp_str(F, ws, 3, k, heads[k], F->head);
        rp_chk(F, worksheet_set_column(ws, k, k, widths[k], NULL));
    }
    worksheet_freeze_panes(ws, 4, 1);
}

static void recon_row(rp_fmts *F, lxw_worksheet *ws, lxw_row_t r, sqlite3_stmt *st)
{
    rp_str(F, ws, r, 0, (const char *)sqlite3_column_text(st, 0), F->text);
    rp_str(F, ws, r, 1, (const char *)sqlite3_column_text(st, 1), F->text);
    for (int k = 2; k <= 4; k++)
        if (sqlite3_column_type(st, k) != SQLITE_NULL)
            rp_num(F, ws, r, (lxw_col_t)k, sqlite3_column_double(st, k), F->right);
    /* A word, not colour alone: "no" is also filled as a warning. */
    if (sqlite3_column_type(st, 5) == SQLITE_NULL)
        rp_str(F, ws, r, 5, "not in the quarterly return", F->text);
    else if (sqlite3_column_int(st, 5))
        rp_str(F, ws, r, 5, "yes", F->text);
    else
        rp_str(F, ws, r, 5, "no: check the counting", F->warning);
}

int rp_write_reconciliation(sqlite3 *db, const rp_snapshot *s, size_t a, rp_fmts *F,
                            liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, SQL_RECON, &st, e))
        return -1;
    sqlite3_bind_text(st, 1, s->auth[a].gss, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->period, -1, SQLITE_STATIC);
    lxw_worksheet *ws = NULL;
    lxw_row_t r = 4;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!ws && !(ws = rp_sheet(F, "Reconciliation")))
            break; /* out of memory: recorded in F->err */
        if (r == 4)
            recon_heads(F, ws, s, a);
        recon_row(F, ws, r++, st);
    }
    if ((rc != SQLITE_DONE && rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the reconciliation");
    return 0;
}
