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

/* ------------------------------------------------------------ ordered pass */

/* Every row of the submission once, sorted by child: its header rows, its
 * dated episodes by DECOM, its undated episodes, its uasc rows.  Episodes
 * come from the child-ordered copy, so only the small header and uasc
 * tables and each child's few episodes are sorted (SQLite's external merge
 * sort, memory bounded by the page cache). */
static const char ordered_sql[] =
    "SELECT k, line, decom, dec, rne, rec, ls, dob, child_pid FROM ("
    " SELECT 0 AS k, line, child_pid, NULL AS decom, NULL AS dec, NULL AS rne,"
    "  NULL AS rec, NULL AS ls, dob_month AS dob"
    "  FROM cla_child WHERE submission_id = ?1 AND child_pid IS NOT NULL"
    " UNION ALL"
    " SELECT CASE WHEN decom IS NULL THEN 2 ELSE 1 END, line, child_pid, decom, dec,"
    "  rne, rec, ls, NULL"
    "  FROM temp.s903_episode"
    " UNION ALL"
    " SELECT 3, line, child_pid, NULL, NULL, NULL, NULL, NULL, NULL"
    "  FROM cla_uasc WHERE submission_id = ?1 AND child_pid IS NOT NULL)"
    " ORDER BY child_pid, k, decom, line";

/* A child's header rows (normally one; more only when INT32 fires). */
struct hdr {
    long line;
    char dob[11];
};

struct opass {
    struct s903_run *run;
    sqlite3_stmt *upd[S903_MAX_TABLES];
    char pid[LIIA_PID_HEX + 1];
    struct hdr *hdrs;
    size_t nhdrs, cap;
    int has_episodes;
    struct s903_orow before, pending;  /* dated episodes awaiting their next */
    int have_before, have_pending;
};

static int fire(struct opass *p, const struct s903_rule *r, const struct s903_orow *row,
                long line, liia_error *e)
{
    struct s903_run *run = p->run;
    const struct s903_table *t = &run->s->tables[r->table];
    const char *v = r->check->value ? (const char *)row + r->check->value : "";
    if (s903_add_finding(run->findings, r->severity, file_of_table(run, r->table),
                         t->name, line, col_number(run, r->table, r->col),
                         t->cols[r->col].name, v[0] ? v : NULL, strlen(v), r->code,
                         r->fix, "%s", r->message))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return flag_row(run, &p->upd[r->table], t->store, line, r->code, e);
}

/* Runs the checks of one scope on a row. */
static int check_row(struct opass *p, enum s903_scope scope, const struct s903_orow *row,
                     const struct s903_orow *prev, const struct s903_orow *next,
                     liia_error *e)
{
    const struct s903_schema *s = p->run->s;
    struct s903_ocase c = {.cur = row, .prev = prev, .next = next,
                           .dob = p->nhdrs ? p->hdrs[0].dob : NULL,
                           .has_header = p->nhdrs > 0, .d = &p->run->dates};
    for (size_t i = 0; i < s->nrules; i++) {
        const struct s903_rule *r = &s->rules[i];
        if (!r->check || r->check->scope != scope)
            continue;
        size_t times = scope == SC_EPISODE_HEADER ? p->nhdrs : 1;
        for (size_t h = 0; h < times; h++) {
            if (scope == SC_EPISODE_HEADER)
                c.dob = p->hdrs[h].dob;
            if (r->check->fires(&c) && fire(p, r, row, row->line, e))
                return -1;
        }
    }
    return 0;
}

static int episode_checks(struct opass *p, const struct s903_orow *row,
                          const struct s903_orow *prev, const struct s903_orow *next,
                          liia_error *e)
{
    if (row->kind == OK_DATED && check_row(p, SC_DATED, row, prev, next, e))
        return -1;
    return check_row(p, SC_EPISODE, row, NULL, NULL, e) ||
           check_row(p, SC_EPISODE_HEADER, row, NULL, NULL, e) ? -1 : 0;
}

/* The pending dated episode learns it has no later one. */
static int flush_pending(struct opass *p, const struct s903_orow *next, liia_error *e)
{
    if (!p->have_pending)
        return 0;
    if (episode_checks(p, &p->pending, p->have_before ? &p->before : NULL, next, e))
        return -1;
    p->before = p->pending;
    p->have_before = 1;
    p->have_pending = 0;
    return 0;
}

static int end_child(struct opass *p, liia_error *e)
{
    if (flush_pending(p, NULL, e))
        return -1;
    for (size_t h = 0; h < p->nhdrs && !p->has_episodes; h++) {
        struct s903_orow row = {.kind = OK_HEADER, .line = p->hdrs[h].line};
        if (check_row(p, SC_HEADER_ALONE, &row, NULL, NULL, e))
            return -1;
    }
    p->nhdrs = 0;
    p->has_episodes = p->have_before = p->have_pending = 0;
    return 0;
}

static int add_header(struct opass *p, const struct s903_orow *row, liia_error *e)
{
    if (p->nhdrs && check_row(p, SC_HEADER_DUP, row, NULL, NULL, e))
        return -1;
    if (p->nhdrs == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        struct hdr *h = realloc(p->hdrs, cap * sizeof *h);
        if (!h)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        p->hdrs = h;
        p->cap = cap;
    }
    p->hdrs[p->nhdrs].line = row->line;
    memcpy(p->hdrs[p->nhdrs++].dob, row->dob, sizeof row->dob);
    return 0;
}

static int take_row(struct opass *p, const struct s903_orow *row, liia_error *e)
{
    switch (row->kind) {
    case OK_HEADER:
        return add_header(p, row, e);
    case OK_DATED:
        p->has_episodes = 1;
        if (flush_pending(p, row, e))
            return -1;
        p->pending = *row;
        p->have_pending = 1;
        return 0;
    case OK_UNDATED:
        p->has_episodes = 1;
        return flush_pending(p, NULL, e) || episode_checks(p, row, NULL, NULL, e) ? -1 : 0;
    default:
        return flush_pending(p, NULL, e) || check_row(p, SC_UASC, row, NULL, NULL, e)
                   ? -1 : 0;
    }
}

static void col_copy(sqlite3_stmt *st, int i, char *out, size_t n)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    liia_strlcpy(out, v ? v : "", n);
}

static void read_row(sqlite3_stmt *st, struct s903_orow *row)
{
    row->kind = (enum s903_okind)sqlite3_column_int(st, 0);
    row->line = (long)sqlite3_column_int64(st, 1);
    col_copy(st, 2, row->decom, sizeof row->decom);
    col_copy(st, 3, row->dec, sizeof row->dec);
    col_copy(st, 4, row->rne, sizeof row->rne);
    col_copy(st, 5, row->rec, sizeof row->rec);
    col_copy(st, 6, row->ls, sizeof row->ls);
    col_copy(st, 7, row->dob, sizeof row->dob);
}

static int ordered_pass(struct opass *p, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(p->run->db, ordered_sql, &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, p->run->sid);
    int rc, bad = 0;
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *pid = (const char *)sqlite3_column_text(st, 8);
        struct s903_orow row;
        read_row(st, &row);
        if (pid && strcmp(pid, p->pid)) {
            bad = end_child(p, e);
            liia_strlcpy(p->pid, pid, sizeof p->pid);
        }
        bad = bad || take_row(p, &row, e);
    }
    if (!bad && rc != SQLITE_DONE)
        bad = liia_db_fail(e, p->run->db, "checking episodes in order");
    bad = bad || end_child(p, e);
    if (sqlite3_finalize(st) != SQLITE_OK && !bad)
        bad = liia_db_fail(e, p->run->db, "checking episodes in order");
    return bad ? -1 : 0;
}

/* temp.s903_episode: this submission's episodes (with a child) keyed by
 * (child_pid, line), written in that order from one sort.  The cross-row
 * rules and the measures (schemas/ssda903/measures.json) read it: their
 * per-child grouping then follows the key instead of sorting again, once
 * per rule and once per measure and quarter.  Columns are the store's, from
 * the schema (trusted data, quoted with %w); the copy is taken before the
 * cross-row rules add their flags.  Dropped by s903_derive; a rollback
 * removes it too. */
static int stage_episodes(struct s903_run *run, liia_error *e)
{
    const struct s903_table *t = NULL;
    for (size_t i = 0; i < run->s->ntables; i++)
        if (!strcmp(run->s->tables[i].name, "episodes"))
            t = &run->s->tables[i];
    if (!t)
        return 0;
    sqlite3_str *cols = sqlite3_str_new(run->db);
    sqlite3_str_appendall(cols, "submission_id, line, flags");
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].store && strcmp(t->cols[c].store, "child_pid"))
            sqlite3_str_appendf(cols, ", \"%w\"", t->cols[c].store);
    char *list = sqlite3_str_finish(cols);
    char *ddl = list ? sqlite3_mprintf(
        "DROP TABLE IF EXISTS temp.s903_episode;"
        "CREATE TEMP TABLE s903_episode (child_pid NOT NULL, %s,"
        " PRIMARY KEY (child_pid, line)) WITHOUT ROWID", list) : NULL;
    char *copy = list ? sqlite3_mprintf(
        "INSERT INTO temp.s903_episode SELECT child_pid, %s FROM \"%w\""
        " WHERE submission_id = ?1 AND child_pid IS NOT NULL ORDER BY child_pid, line",
        list, t->store) : NULL;
    sqlite3_free(list);
    sqlite3_stmt *st = NULL;
    int rc = !ddl || !copy ? liia_fail(e, LIIA_E_NOMEM, "out of memory")
           : liia_db_exec(run->db, ddl, e) ? -1
           : liia_db_prepare(run->db, copy, &st, e);
    sqlite3_free(ddl);
    sqlite3_free(copy);
    if (rc)
        return -1;
    sqlite3_bind_int64(st, 1, run->sid);
    rc = sqlite3_step(st);
    if (sqlite3_finalize(st) != SQLITE_OK || rc != SQLITE_DONE)
        return liia_db_fail(e, run->db, "ordering the episodes by child");
    return 0;
}

int s903_run_sql_rules(struct s903_run *run, liia_error *e)
{
    if (stage_episodes(run, e))
        return -1;
    struct opass p = {.run = run};
    int ordered = 0;
    for (size_t i = 0; i < run->s->nrules; i++)
        ordered |= run->s->rules[i].check != NULL;
    int rc = ordered ? ordered_pass(&p, e) : 0;
    for (size_t i = 0; i < run->s->nrules && rc == 0; i++) {
        const struct s903_rule *r = &run->s->rules[i];
        if (r->sql && file_of_table(run, r->table)[0])
            rc = run_sql_rule(run, r, &p.upd[r->table], e);
    }
    for (size_t t = 0; t < S903_MAX_TABLES; t++)
        if (sqlite3_finalize(p.upd[t]) != SQLITE_OK && rc == 0)
            rc = liia_db_fail(e, run->db, "flagging rows");
    free(p.hdrs);
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
    if (rc == 0)
        rc = liia_db_exec(run->db, "DROP TABLE IF EXISTS temp.s903_episode", e);
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
