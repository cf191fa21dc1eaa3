/*
 * liia_report.h - benchmark packs (Excel workbooks, cairo charts and PDF)
 * and the data lead's error workbook.
 *
 * The pack reads only the documented views (benchmark, indicators,
 * submissions, measures, findings), bench_freshness and the reference
 * tables, so it can run on a read-only connection; the store is never
 * written.  It refuses a period whose benchmarks are older than the
 * store's accepted returns (run `bench`), so stale figures are never
 * written.  Disclosure
 * control is applied on the way out: another authority's count of 1 to 5,
 * or a rate whose numerator is 1 to 5, is shown as "c"; an authority's own
 * figures are never suppressed in its own pack.
 */
#ifndef LIIA_REPORT_H
#define LIIA_REPORT_H

#include "liia_core.h"

typedef struct liia_report_opts {
    /* Canonical period end date; NULL or "" = the latest quarter with
     * accepted returns that is not after today. */
    const char *period;
    /* "YYYY-MM-DD" for choosing the default period; NULL = no limit. */
    const char *today;
    /* GSS code of one authority, or NULL when all is set. */
    const char *la;
    int all;
    /* Directory for the packs; created if missing.  Charts go to
     * out_dir/charts/. */
    const char *out_dir;
    /* Date printed as "produced" on the PDF cover and in its metadata,
     * "YYYY-MM-DD"; NULL = the period end.  The CLI passes today's date,
     * or SOURCE_DATE_EPOCH's for reproducible output. */
    const char *produced;
    /* Optional: stepped once per authority (stderr, terminals only). */
    liia_progress *progress;
} liia_report_opts;

/* What a run wrote, for the caller to print. */
typedef struct liia_report_result {
    char period[11];
    int packs;        /* authority workbook + PDF pairs */
    int overviews;    /* London overview workbooks */
    int charts;       /* PNG + SVG files under charts/ */
    /* Files that could not be written (a full disk, permissions): the run
     * carries on with the others and then fails with the first one's
     * error.  Each keeps its previous copy, if any: every file is written
     * to a temporary name and renamed into place when complete.  Their
     * paths, one per line, or NULL; freed by liia_report_result_free. */
    char *not_written;
    int n_not_written;
} liia_report_result;

void liia_report_result_free(liia_report_result *result);

/*
 * Writes, per authority, <CODE>_<period>_benchmark.xlsx and .pdf, and with
 * opts->all the London overview London_<period>_overview.xlsx, plus chart
 * images in out_dir/charts/.  CODE is the authority's short code.  The
 * same store and options give the same workbook content.
 */
int liia_report_packs(sqlite3 *db, const liia_report_opts *opts,
                      liia_report_result *result, liia_error *e);

/*
 * The data lead's error workbook: re-reads the submitted CSV at csv_path,
 * lays its rows out on a "Submitted rows" sheet with each offending cell
 * highlighted and commented (rule id, message and fix), and lists every
 * finding on a "Findings" sheet.  Findings without a line (file-level) are
 * listed only on the Findings sheet.
 */
int liia_report_findings_xlsx(const char *csv_path,
                              const liia_findings *findings,
                              const char *xlsx_path, liia_error *e);

/* As liia_report_findings_xlsx, with what happened to the submission after
 * the counts in the Findings sheet's title ("accepted as version 2: cells
 * with errors stored as blank and flagged"); NULL says, when there are
 * errors, that the file was rejected and nothing was stored. */
int liia_report_findings_xlsx_outcome(const char *csv_path,
                                      const liia_findings *findings,
                                      const char *outcome,
                                      const char *xlsx_path, liia_error *e);

/* "<dir>/<basename of csv_path without .csv>_findings.xlsx"; caller frees. */
char *liia_report_findings_path(const char *dir, const char *csv_path);

/* A blank quarterly return for one authority and quarter (`liia-bench
 * template`, report/rp_template.c): columns from schemas/quarterly.json,
 * one row per measure of schemas/measures.json. */
typedef struct liia_template {
    const char *schema_dir;   /* NULL = liia_schema_dir() */
    const char *gss_code, *short_code, *la_name;
    const char *period;       /* 2025-03-31 */
    const char *period_fy;    /* 2024-25Q4 */
    const char *period_label; /* Q4 2024-25 (Jan-Mar 2025) */
} liia_template;

/* Writes into out_dir (made 0700 if missing) <SHORT>_<period>.csv, the CSV
 * the platform reads with every value blank, when csv is set, and
 * <SHORT>_<period>_template.xlsx when xlsx is set: the same Return sheet
 * with Excel data validation of every cell (the authority's codes, the
 * quarter, the measure ids, each value by its unit's rule, the note's
 * length) and an Instructions sheet with every measure's definition.  Each
 * is written through liia_outfile.  *written counts the files. */
int liia_report_template(const liia_template *t, const char *out_dir, int csv, int xlsx,
                         int *written, liia_error *e);

#endif /* LIIA_REPORT_H */
