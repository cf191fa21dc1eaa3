/* rp_xlsx.h - workbook helpers shared by the report's three workbooks. */
#ifndef RP_XLSX_H
#define RP_XLSX_H

#include "rp_internal.h"

typedef struct rp_fmts {
    lxw_workbook *wb;
    lxw_format *title, *subtitle, *heading, *head, *text, *bold, *wrap;
    lxw_format *right, *better, *worse, *error, *warning;
    lxw_format *quartile[2][5]; /* [judged][quartile 0..4] */
    lxw_format *num[5][2];      /* [decimals][pct], made on first use */
    lxw_format *chg[5][2];      /* changes: "+0.5 pp" for percentages */
    /* The first failed write (sticky, like ferror): the writers below
     * record it and rp_wb_finish reports it, so no write goes unchecked
     * without an if around each of hundreds of cells. */
    lxw_error err;
} rp_fmts;

void rp_str(rp_fmts *F, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
            const char *s, lxw_format *f);
void rp_num(rp_fmts *F, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
            double v, lxw_format *f);
/* Records the result of any other libxlsxwriter call. */
void rp_chk(rp_fmts *F, lxw_error err);
/* Closes the workbook; fails with the first recorded write error, or the
 * close's own. */
int rp_wb_finish(rp_fmts *F, const char *path, liia_error *e);

/* A workbook whose "created" property is fixed to created. */
lxw_workbook *rp_wb_open(const char *path, const char *title, time_t created,
                         liia_error *e);
/* The same with libxlsxwriter's options (constant memory, where its own
 * temporary files go). */
lxw_workbook *rp_wb_open_opt(const char *path, lxw_workbook_options *opt,
                             const char *title, time_t created, liia_error *e);

void rp_fmts_init(rp_fmts *F, lxw_workbook *wb);
/* A new worksheet set up to print on A4 landscape, one page wide; NULL
 * (recorded in F->err) when out of memory. */
lxw_worksheet *rp_sheet(rp_fmts *F, const char *name);
lxw_format *rp_fmt_num(rp_fmts *F, const rp_indicator *ind);
lxw_format *rp_fmt_quartile(rp_fmts *F, int quartile, int polarity);
lxw_format *rp_fmt_direction(rp_fmts *F, const char *dir);
/* A value cell: blank when missing, "c" when suppressed, else a number in
 * the indicator's format. */
void rp_put_value(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, rp_fmts *F,
                  const rp_indicator *ind, int has, double v, int suppressed);

/* A change on an earlier period: percentage points ("+0.5 pp") for a
 * percentage, a signed number otherwise; blank when there is none. */
void rp_put_change(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, rp_fmts *F,
                   const rp_indicator *ind, int has, double v);

/* rp_xlsx_dq.c: the authority's Data quality sheet and the overview's
 * submission grid, read from the submissions, measures and findings
 * views. */
int rp_write_data_quality(sqlite3 *db, const rp_snapshot *s, size_t a,
                          rp_fmts *F, lxw_worksheet *ws, liia_error *e);
int rp_write_submission_grid(sqlite3 *db, const rp_snapshot *s, rp_fmts *F,
                             lxw_worksheet *ws, liia_error *e);
/* The London overview's data-quality summary: per authority and return,
 * the rows `status` shows (liia_returns_grid: one source for both), with
 * the files received that quarter. */
int rp_write_dq_summary(sqlite3 *db, const rp_snapshot *s, rp_fmts *F,
                        lxw_worksheet *ws, liia_error *e);

/* rp_xlsx_recon.c: the authority's Reconciliation sheet (SSDA903-derived
 * measures against the quarterly return), added only when the authority
 * has SSDA903 data for the period. */
int rp_write_reconciliation(sqlite3 *db, const rp_snapshot *s, size_t a,
                            rp_fmts *F, liia_error *e);

#endif
