/*
 * rp_xlsx_dq.c - data quality: what an authority supplied this quarter
 * (versions, measures, warnings, indicator coverage) and the programme
 * team's submission grid.  Read from the core views; values shown are
 * aggregate counts, never child-level identifiers.
 */
#include <stdio.h>
#include <string.h>

#include "liia_engine.h"
#include "rp_xlsx.h"

enum { MAX_RETURNS = 6 };

/* Writes every row of a query (bound to ?1 = la, ?2 = period) from row r;
 * returns the next free row, or -1. */
static long table(sqlite3 *db, const char *sql, const char *la,
                  const char *period, rp_fmts *F, lxw_worksheet *ws, long r,
                  liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    if (sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC)) {
        sqlite3_finalize(st);
        return liia_db_fail(e, db, "binding the data quality query");
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int k = 0; k < sqlite3_column_count(st); k++) {
            int type = sqlite3_column_type(st, k);
            if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
                rp_num(F, ws, (lxw_row_t)r, (lxw_col_t)k,
                       sqlite3_column_double(st, k), F->text);
            else
                rp_str(F, ws, (lxw_row_t)r, (lxw_col_t)k,
                       (const char *)sqlite3_column_text(st, k), F->wrap);
        }
        r++;
    }
    if (sqlite3_finalize(st) != SQLITE_OK || rc != SQLITE_DONE)
        return liia_db_fail(e, db, "reading data quality");
    return r;
}

static long heads(rp_fmts *F, lxw_worksheet *ws, long r, const char *title,
                  const char *const *names, int n)
{
    rp_str(F, ws, (lxw_row_t)r, 0, title, F->heading);
    for (int k = 0; k < n; k++)
        rp_str(F, ws, (lxw_row_t)r + 1, (lxw_col_t)k, names[k], F->head);
    return r + 2;
}

static long none_if_empty(rp_fmts *F, lxw_worksheet *ws, long before,
                          long after, const char *text)
{
    if (after != before)
        return after;
    rp_str(F, ws, (lxw_row_t)after, 0, text, F->subtitle);
    return after + 1;
}

/* Every return of the quarter, and how many of the pack's values each
 * one supplied (all terms and quarters of a value come from one return). */
static const char SQL_SUBMISSIONS[] =
    "SELECT s.return_type, s.version, s.status, s.received_at, s.file_name,"
    "       s.errors, s.warnings,"
    "       (SELECT count(*) FROM benchmark b WHERE b.period = ?2"
    "          AND b.area_type = 'la' AND b.area_code = ?1 AND b.value IS NOT NULL"
    "          AND b.shared_with IS NULL AND b.source = s.return_type"
    "          AND (b.source_submission IS NULL OR b.source_submission = s.id)"
    "          AND s.status = 'accepted') AS values_used"
    "  FROM submissions s"
    " WHERE s.la_code = ?1 AND s.period = ?2 ORDER BY s.return_type, s.id";
static const char SQL_NOT_SUPPLIED[] =
    "SELECT d.id, d.title FROM measure_def d"
    " WHERE NOT EXISTS (SELECT 1 FROM measures m WHERE m.measure = d.id"
    "                      AND m.la_code = ?1 AND m.period = ?2)"
    " ORDER BY d.sort_order";
static const char SQL_WARNINGS[] =
    "SELECT return_type, severity, rule_id, line, column_name, value,"
    "       message, fix FROM findings"
    " WHERE la_code = ?1 AND period = ?2 AND status = 'accepted'"
    " ORDER BY return_type, line, rule_id";

/* What the data lead wrote beside a figure: the authority's own words,
 * shown only in its own pack. */
static const char SQL_NOTES[] =
    "SELECT v.measure, v.note FROM submissions s"
    "  JOIN submission_value v ON v.submission_id = s.id"
    " WHERE s.la_code = ?1 AND s.period = ?2 AND s.status = 'accepted'"
    "   AND trim(coalesce(v.note, '')) <> ''"
    " ORDER BY s.return_type, v.measure";

static long coverage(const rp_snapshot *s, size_t a, rp_fmts *F,
                     lxw_worksheet *ws, long r)
{
    static const char *const names[] = {"Id", "Indicator", "This authority",
                                        "London coverage", "Note",
                                        "Source"};
    r = heads(F, ws, r, "Indicator coverage and source", names, 6);
    for (size_t i = 0; i < s->n_ind; i++, r++) {
        const rp_cell *c = rp_la(s, a, i);
        rp_str(F, ws, (lxw_row_t)r, 0, s->ind[i].id, F->text);
        rp_str(F, ws, (lxw_row_t)r, 1, s->ind[i].title, F->text);
        rp_str(F, ws, (lxw_row_t)r, 2, c->has_value      ? "value"
                                       : c->check_failed[0] ? "withheld by a check"
                                                          : "no value",
               c->has_value ? F->text : F->warning);
        rp_str(F, ws, (lxw_row_t)r, 3, s->london[i].coverage, F->text);
        rp_str(F, ws, (lxw_row_t)r, 4, c->null_reason, F->wrap);
        if (c->has_value)
            rp_str(F, ws, (lxw_row_t)r, 5, rp_source_name(c->source), F->text);
    }
    return r;
}

int rp_write_data_quality(sqlite3 *db, const rp_snapshot *s, size_t a,
                          rp_fmts *F, lxw_worksheet *ws, liia_error *e)
{
    static const char *const subs[] = {"Return", "Version", "Status",
                                       "Received", "File", "Errors",
                                       "Warnings", "Values taken from it"};
    static const char *const meas[] = {"Measure", "Title"};
    static const char *const warns[] = {"Return", "Severity", "Rule", "Line",
                                        "Column", "Value", "Message", "Fix"};
    const char *la = s->auth[a].gss, *p = s->period;
    char t[200];
    snprintf(t, sizeof t, "Data quality: %s, %s", s->auth[a].name, s->label);
    rp_str(F, ws, 0, 0, t, F->title);
    const double widths[] = {14, 40, 16, 22, 30, 12, 50, 50};
    for (lxw_col_t k = 0; k < 8; k++)
        rp_chk(F, worksheet_set_column(ws, k, k, widths[k], NULL));
    long r = heads(F, ws, 2, "Returns received for this quarter", subs, 8);
    long r2 = table(db, SQL_SUBMISSIONS, la, p, F, ws, r, e);
    if (r2 < 0)
        return -1;
    r = none_if_empty(F, ws, r, r2, "No return received for this quarter.");
    r = heads(F, ws, r + 1, "Measures not supplied", meas, 2);
    if ((r2 = table(db, SQL_NOT_SUPPLIED, la, p, F, ws, r, e)) < 0)
        return -1;
    r = none_if_empty(F, ws, r, r2, "Every measure was supplied.");
    r = heads(F, ws, r + 1, "Warnings on the accepted return", warns, 8);
    if ((r2 = table(db, SQL_WARNINGS, la, p, F, ws, r, e)) < 0)
        return -1;
    r = none_if_empty(F, ws, r, r2, "No warnings.");
    static const char *const notes[] = {"Measure", "Note sent with the return"};
    r = heads(F, ws, r + 1, "Notes sent with the return", notes, 2);
    if ((r2 = table(db, SQL_NOTES, la, p, F, ws, r, e)) < 0)
        return -1;
    r = none_if_empty(F, ws, r, r2, "No notes.");
    coverage(s, a, F, ws, r + 1);
    return 0;
}

/* ------------------------------------------------------------ grid */

typedef struct grid {
    char returns[MAX_RETURNS][32];
    char titles[MAX_RETURNS][64];
    int n;
} grid;

static int load_returns(sqlite3 *db, grid *gr, liia_error *e)
{
    sqlite3_stmt *st;
    /* In the order the returns joined the platform (their migrations):
     * the quarterly return first, then SSDA903, the CIN census. */
    if (liia_db_prepare(db, "SELECT id, title FROM return_type ORDER BY rowid",
                        &st, e))
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && gr->n < MAX_RETURNS) {
        liia_strlcpy(gr->returns[gr->n],
                     (const char *)sqlite3_column_text(st, 0), 32);
        liia_strlcpy(gr->titles[gr->n],
                     (const char *)sqlite3_column_text(st, 1), 64);
        gr->n++;
    }
    if (sqlite3_finalize(st) != SQLITE_OK ||
        (rc != SQLITE_DONE && rc != SQLITE_ROW))
        return liia_db_fail(e, db, "reading return types");
    return 0;
}

/* The submission that stands for (la, return): the accepted version if
 * any, else the latest attempt. */
static const char SQL_GRID[] =
    "SELECT version, status, errors, warnings, received_at FROM submissions"
    " WHERE la_code = ?1 AND period = ?2 AND return_type = ?3"
    " ORDER BY status = 'accepted' DESC, id DESC LIMIT 1";

static int grid_cell(sqlite3_stmt *st, const char *la, const char *period,
                     const char *ret, char *out, size_t outsz, int *kind)
{
    sqlite3_reset(st);
    if (sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 3, ret, -1, SQLITE_STATIC))
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        liia_strlcpy(out, "not received", outsz);
        *kind = 0;
        return 0;
    }
    if (rc != SQLITE_ROW)
        return -1;
    const char *status = (const char *)sqlite3_column_text(st, 1);
    int errors = sqlite3_column_int(st, 2), warnings = sqlite3_column_int(st, 3);
    if (!strcmp(status, "accepted") && errors) {
        /* the same counts as status and history: an accepted child-level
         * return can carry errors (its cells blanked and flagged) */
        snprintf(out, outsz, "v%d accepted, %d error%s (cells blanked), %d warning%s",
                 sqlite3_column_int(st, 0), errors, errors == 1 ? "" : "s", warnings,
                 warnings == 1 ? "" : "s");
        *kind = 2;
    } else if (!strcmp(status, "accepted")) {
        snprintf(out, outsz, "v%d accepted, %d warning%s",
                 sqlite3_column_int(st, 0), warnings, warnings == 1 ? "" : "s");
        *kind = warnings ? 2 : 1;
    } else {
        snprintf(out, outsz, "rejected, %d error%s", errors,
                 errors == 1 ? "" : "s");
        *kind = 3;
    }
    return 0;
}

int rp_write_submission_grid(sqlite3 *db, const rp_snapshot *s, rp_fmts *F,
                             lxw_worksheet *ws, liia_error *e)
{
    grid gr = {0};
    if (load_returns(db, &gr, e))
        return -1;
    char t[160];
    snprintf(t, sizeof t, "Submissions for %s", s->label);
    rp_str(F, ws, 0, 0, t, F->title);
    rp_str(F, ws, 1, 0, "The accepted version of each return, or the latest "
           "attempt if none was accepted.", F->subtitle);
    rp_str(F, ws, 3, 0, "Authority", F->head);
    rp_chk(F, worksheet_set_column(ws, 0, 0, 26, NULL));
    rp_chk(F, worksheet_set_column(ws, 1, (lxw_col_t)gr.n, 30, NULL));
    for (int k = 0; k < gr.n; k++)
        rp_str(F, ws, 3, (lxw_col_t)(k + 1), gr.titles[k], F->head);
    lxw_format *kinds[] = {F->quartile[0][0], F->quartile[1][2], F->warning,
                           F->error};
    sqlite3_stmt *st;
    if (liia_db_prepare(db, SQL_GRID, &st, e))
        return -1;
    for (size_t a = 0; a < s->n_auth; a++) {
        lxw_row_t r = (lxw_row_t)(4 + a);
        rp_str(F, ws, r, 0, s->auth[a].name, F->text);
        for (int k = 0; k < gr.n; k++) {
            char cell[64];
            int kind;
            if (grid_cell(st, s->auth[a].gss, s->period, gr.returns[k], cell,
                          sizeof cell, &kind)) {
                liia_db_fail(e, db, "reading the submission grid");
                sqlite3_finalize(st);
                return -1;
            }
            rp_str(F, ws, r, (lxw_col_t)(k + 1), cell, kinds[kind]);
        }
    }
    if (sqlite3_finalize(st) != SQLITE_OK)
        return liia_db_fail(e, db, "reading the submission grid");
    worksheet_freeze_panes(ws, 4, 1);
    return 0;
}

/* ------------------------------------------------------------ summary */

static const char SQL_FILES[] =
    "SELECT count(*) FROM submission WHERE la_code = ?1 AND period = ?2"
    "   AND return_type = ?3";

/* Files received for the grid row's authority, quarter and return. */
static int files_received(sqlite3_stmt *n, sqlite3_stmt *row, const char *period)
{
    sqlite3_reset(n);
    if (sqlite3_bind_value(n, 1, sqlite3_column_value(row, 1)) ||
        sqlite3_bind_text(n, 2, period, -1, SQLITE_STATIC) ||
        sqlite3_bind_value(n, 3, sqlite3_column_value(row, 3)) ||
        sqlite3_step(n) != SQLITE_ROW)
        return -1;
    return sqlite3_column_int(n, 0);
}

/* The grid's columns (liia_engine.h) the summary shows, in its order. */
static const char *const SUMMARY_COLS[] = {"name", "return_type", "state", "workflow",
                                           "version", "received_at", "errors", "warnings",
                                           "unexplained", "missing"};
enum { N_SUMMARY = sizeof SUMMARY_COLS / sizeof SUMMARY_COLS[0] };

/* Each summary column's index in the grid's result; -1 if one is gone. */
static int summary_cols(sqlite3_stmt *st, int idx[N_SUMMARY])
{
    for (int k = 0; k < N_SUMMARY; k++) {
        idx[k] = -1;
        for (int c = 0; c < sqlite3_column_count(st); c++)
            if (!strcmp(sqlite3_column_name(st, c), SUMMARY_COLS[k]))
                idx[k] = c;
        if (idx[k] < 0)
            return -1;
    }
    return 0;
}

/* One grid row: text columns as they are, counts as numbers, NULL blank. */
static void summary_row(rp_fmts *F, lxw_worksheet *ws, lxw_row_t r, sqlite3_stmt *st,
                        const int idx[N_SUMMARY], int files)
{
    for (lxw_col_t k = 0; k < N_SUMMARY; k++) {
        int c = idx[k];
        if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
            rp_num(F, ws, r, k, (double)sqlite3_column_int64(st, c), F->text);
        else if (sqlite3_column_type(st, c) != SQLITE_NULL)
            rp_str(F, ws, r, k, (const char *)sqlite3_column_text(st, c), F->text);
    }
    rp_num(F, ws, r, 10, files, F->text);
}

int rp_write_dq_summary(sqlite3 *db, const rp_snapshot *s, rp_fmts *F,
                        lxw_worksheet *ws, liia_error *e)
{
    char t[160];
    snprintf(t, sizeof t, "Data quality, %s", s->label);
    rp_str(F, ws, 0, 0, t, F->title);
    rp_str(F, ws, 1, 0, "Per authority and return, what `liia-bench status` shows for the "
           "quarter (the accepted version, else the latest rejected file): errors, "
           "warnings and warnings not yet explained; and every file received.", F->subtitle);
    static const char *const heads[] = {"Authority", "Return", "State", "Workflow",
                                        "Latest version", "Received (UTC)", "Errors",
                                        "Warnings", "Unexplained warnings",
                                        "Measures not supplied", "Files received"};
    static const double widths[] = {26, 11, 10, 20, 9, 21, 8, 9, 12, 11, 9};
    for (lxw_col_t k = 0; k < 11; k++) {
        rp_str(F, ws, 3, k, heads[k], F->head);
        rp_chk(F, worksheet_set_column(ws, k, k, widths[k], NULL));
    }
    liia_returns_grid_opts o = {.period = s->period};
    sqlite3_stmt *st, *n;
    if (liia_returns_grid(db, &o, &st, e))
        return -1;
    if (liia_db_prepare(db, SQL_FILES, &n, e)) {
        sqlite3_finalize(st);
        return -1;
    }
    lxw_row_t r = 4;
    int rc = SQLITE_ERROR, files = 0, idx[N_SUMMARY];
    if (summary_cols(st, idx) == 0)
        while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
               (files = files_received(n, st, s->period)) >= 0)
            summary_row(F, ws, r++, st, idx, files);
    int bad = (rc != SQLITE_DONE) | (sqlite3_finalize(n) != SQLITE_OK);
    if ((sqlite3_finalize(st) != SQLITE_OK) | bad)
        return liia_db_fail(e, db, "reading the data-quality summary");
    worksheet_freeze_panes(ws, 4, 1);
    rp_chk(F, worksheet_autofilter(ws, 3, 0, r > 4 ? r - 1 : 4, 10));
    return 0;
}
