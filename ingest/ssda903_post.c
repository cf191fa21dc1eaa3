/*
 * ssda903_post.c - what runs once every table is stored: the DfE rules that
 * need episodes in order or another table, the derived looked-after
 * measures, and the findings (identifying values masked).
 */
#include <stdlib.h>
#include <string.h>

#include "ssda903_load.h"

static void bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_sid(sqlite3_stmt *st, long long sid)
{
    int i = sqlite3_bind_parameter_index(st, ":sid");
    if (i > 0)
        sqlite3_bind_int64(st, i, sid);
}

static const char *file_of_table(const struct s903_run *run, int table)
{
    for (size_t i = 0; i < run->ninputs; i++)
        if (run->inputs[i].table == table)
            return run->inputs[i].path;
    return "";
}

static int col_number(const struct s903_run *run, int table, int col)
{
    for (size_t i = 0; i < run->ninputs; i++)
        if (run->inputs[i].table == table)
            return run->inputs[i].map[col] + 1;
    return 0;
}

/* Appends the rule code to the row's flags. */
static int flag_row(struct s903_run *run, sqlite3_stmt **upd, const char *store,
                    long line, const char *code, liia_error *e)
{
    if (!*upd) {
        char *sql = sqlite3_mprintf(
            "UPDATE \"%w\" SET flags = COALESCE(flags || ',', '') || ?1 "
            "WHERE submission_id = ?2 AND line = ?3", store);
        int rc = sql ? liia_db_prepare(run->db, sql, upd, e)
                     : liia_fail(e, LIIA_E_NOMEM, "out of memory");
        sqlite3_free(sql);
        if (rc)
            return -1;
    }
    sqlite3_bind_text(*upd, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(*upd, 2, run->sid);
    sqlite3_bind_int64(*upd, 3, line);
    int rc = sqlite3_step(*upd);
    sqlite3_reset(*upd);
    return rc == SQLITE_DONE ? 0 : liia_db_fail(e, run->db, "flagging a row");
}

static int run_sql_rule(struct s903_run *run, const struct s903_rule *r,
                        sqlite3_stmt **upd, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(run->db, r->sql, &st, e))
        return -1;
    bind_sid(st, run->sid);
    bind_named_text(st, ":start", run->dates.start);
    bind_named_text(st, ":end", run->dates.end);
    const struct s903_table *t = &run->s->tables[r->table];
    const char *file = file_of_table(run, r->table);
    int colno = col_number(run, r->table, r->col);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long line = (long)sqlite3_column_int64(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (s903_add_finding(run->findings, r->severity, file, t->name, line, colno,
                             t->cols[r->col].name, v, v ? strlen(v) : 0, r->code,
                             r->fix, "%s", r->message)) {
            sqlite3_finalize(st);
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
        if (flag_row(run, upd, t->store, line, r->code, e)) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    if (rc != SQLITE_DONE) {
        liia_db_fail(e, run->db, r->code);
        sqlite3_finalize(st);
        return -1;
    }
    return sqlite3_finalize(st) == SQLITE_OK ? 0 : liia_db_fail(e, run->db, r->code);
}

int s903_run_sql_rules(struct s903_run *run, liia_error *e)
{
    sqlite3_stmt *upd[S903_MAX_TABLES] = {0};
    int rc = 0;
    for (size_t i = 0; i < run->s->nrules && rc == 0; i++) {
        const struct s903_rule *r = &run->s->rules[i];
        if (r->sql && file_of_table(run, r->table)[0])
            rc = run_sql_rule(run, r, &upd[r->table], e);
    }
    for (size_t t = 0; t < S903_MAX_TABLES; t++)
        if (sqlite3_finalize(upd[t]) != SQLITE_OK && rc == 0)
            rc = liia_db_fail(e, run->db, "flagging rows");
    return rc;
}

/* ------------------------------------------------------------ measures */

/* First day of the quarter ending qe, and the first day of the 12 months
 * ending qe. */
static void quarter_bounds(const char *qe, char qs[11], char y1[11])
{
    int y = atoi(qe), m = atoi(qe + 5);
    char a[32], b[32];
    snprintf(a, sizeof a, "%04d-%02d-01", y, m - 2);
    if (m == 12)
        snprintf(b, sizeof b, "%04d-01-01", y);
    else
        snprintf(b, sizeof b, "%04d-%02d-01", y - 1, m + 1);
    liia_strlcpy(qs, a, 11);
    liia_strlcpy(y1, b, 11);
}

static int derive_one(struct s903_run *run, const struct s903_measure *m,
                      const char *qe, sqlite3_stmt *ins, liia_error *e)
{
    char qs[11], y1[11];
    quarter_bounds(qe, qs, y1);
    sqlite3_stmt *st;
    if (liia_db_prepare(run->db, m->sql, &st, e))
        return -1;
    bind_sid(st, run->sid);
    bind_named_text(st, ":qs", qs);
    bind_named_text(st, ":qe", qe);
    bind_named_text(st, ":y1", y1);
    int rc = sqlite3_step(st);
    double v = rc == SQLITE_ROW ? sqlite3_column_double(st, 0) : 0;
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) || sqlite3_finalize(st) != SQLITE_OK)
        return liia_db_fail(e, run->db, m->measure);
    sqlite3_bind_int64(ins, 1, run->sid);
    sqlite3_bind_text(ins, 2, qe, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 3, m->measure, -1, SQLITE_STATIC);
    sqlite3_bind_double(ins, 4, v);
    rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    return rc == SQLITE_DONE ? 0 : liia_db_fail(e, run->db, "storing a derived measure");
}

int s903_derive(struct s903_run *run, int have_uasc, liia_error *e)
{
    sqlite3_stmt *ins;
    if (liia_db_prepare(run->db, "INSERT INTO derived_measure (submission_id, period, "
                        "measure, value) VALUES (?, ?, ?, ?)", &ins, e))
        return -1;
    /* Quarters of the collection year up to the period: Q1 ends in June. */
    int m = atoi(run->period + 5);
    int quarters = m <= 3 ? 4 : (m - 3) / 3;
    int rc = 0;
    for (int back = quarters - 1; back >= 0 && rc == 0; back--) {
        char qe[11];
        liia_period_shift(run->period, back, qe);
        for (size_t i = 0; i < run->s->nmeasures && rc == 0; i++) {
            const struct s903_measure *ms = &run->s->measures[i];
            if (ms->requires && !strcmp(ms->requires, "uasc") && !have_uasc)
                continue;
            rc = derive_one(run, ms, qe, ins, e);
        }
    }
    if (sqlite3_finalize(ins) != SQLITE_OK && rc == 0)
        rc = liia_db_fail(e, run->db, "storing derived measures");
    return rc;
}

/* ------------------------------------------------------------ findings */

static const char *const identifying[] = {"CHILD", "UPN", "DOB", "MC_DOB",
                                          "HOME_POST", "PL_POST"};

static int is_identifying(const char *column)
{
    for (size_t i = 0; i < sizeof identifying / sizeof *identifying; i++)
        if (!strcmp(column, identifying[i]))
            return 1;
    return 0;
}

static const char *sev_name(liia_severity s)
{
    return s == LIIA_SEV_ERROR ? "error" : s == LIIA_SEV_WARNING ? "warning" : "info";
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int s903_store_findings(sqlite3 *db, long long sid, const liia_findings *f,
                        liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO finding (submission_id, severity, tbl, line, "
                        "col, column_name, value, rule_id, message, fix) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, e))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < f->count && rc == 0; i++) {
        const liia_error *x = &f->items[i];
        sqlite3_bind_int64(st, 1, sid);
        sqlite3_bind_text(st, 2, sev_name(x->severity), -1, SQLITE_STATIC);
        bind_opt_text(st, 3, x->table);
        if (x->line) sqlite3_bind_int64(st, 4, x->line); else sqlite3_bind_null(st, 4);
        if (x->column) sqlite3_bind_int64(st, 5, x->column); else sqlite3_bind_null(st, 5);
        bind_opt_text(st, 6, x->column_name);
        /* The store keeps no identifier, even a malformed one. */
        bind_opt_text(st, 7, x->value[0] && is_identifying(x->column_name)
                                 ? "(withheld)" : x->value);
        sqlite3_bind_text(st, 8, x->rule_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, x->message, -1, SQLITE_STATIC);
        bind_opt_text(st, 10, x->fix);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = liia_db_fail(e, db, "storing findings");
        sqlite3_reset(st);
    }
    if (sqlite3_finalize(st) != SQLITE_OK && rc == 0)
        rc = liia_db_fail(e, db, "storing findings");
    return rc;
}
