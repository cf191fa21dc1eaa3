/*
 * ssda903_post.c - what runs once every table is stored: the DfE rules that
 * need episodes in order or another table, and the derived looked-after
 * measures.
 */
#include <stdlib.h>
#include <string.h>

#include "ssda903_child.h"
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
    const char *file = s903_table_file(run, r->table);
    int colno = s903_table_colno(run, r->table, r->col);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long line = (long)sqlite3_column_int64(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (s903_add_finding(run, r->severity, file, t->name, line, colno,
                             t->cols[r->col].name, v, v ? strlen(v) : 0, r->code,
                             r->fix, "%s", r->message)) {
            sqlite3_finalize(st);
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
        if (s903_flag_stored(run, upd, r->table, line, r->code, e)) {
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
    sqlite3_stmt *upd[S903_MAX_TABLES] = {NULL};
    int rc = 0;
    for (size_t i = 0; i < run->s->nrules && rc == 0; i++) {
        const struct s903_rule *r = &run->s->rules[i];
        if (r->sql && s903_table_file(run, r->table)[0])
            rc = run_sql_rule(run, r, &upd[r->table], e);
    }
    for (size_t t = 0; t < S903_MAX_TABLES; t++)
        if (sqlite3_finalize(upd[t]) != SQLITE_OK && rc == 0)
            rc = liia_db_fail(e, run->db, "flagging rows");
    return rc;
}

/* ------------------------------------------------------------ out of order */

struct reflag {
    struct s903_run *run;
    int table;
    sqlite3_stmt *upd;
};

/* s903_emit_fn for rows already stored: only the cross-row flags change. */
static int reflag_episode(void *ctx, long line, const char *xflags, const void *payload,
                          size_t len, liia_error *e)
{
    struct reflag *f = ctx;
    (void)payload;
    (void)len;
    return xflags[0] ? s903_flag_stored(f->run, &f->upd, f->table, line, xflags, e) : 0;
}

/* SELECT line, the pseudonym in hex, <stored columns> ... ORDER BY child,
 * line:
 * column names from the schema (trusted data, quoted with %w). */
static char *in_order_sql(const struct s903_table *t)
{
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendall(q, "SELECT line, lower(hex(child_pid))");
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].store)
            sqlite3_str_appendf(q, ", \"%w\"", t->cols[c].store);
    sqlite3_str_appendf(q, " FROM \"%w\" WHERE " S903_ROWS_OF_SUBMISSION
                           " AND child_pid IS NOT NULL ORDER BY child_pid, line", t->store);
    return sqlite3_str_finish(q);
}

/* Row values as stored, as the cells the child index reads. */
static void row_cells(sqlite3_stmt *st, const struct s903_table *t,
                      struct s903_cell cells[S903_MAX_COLS])
{
    int i = 2;
    for (size_t c = 0; c < t->ncols; c++) {
        struct s903_cell *cell = &cells[c];
        const char *v = NULL;
        size_t len = 0;
        if (t->cols[c].store) {
            v = (const char *)sqlite3_column_text(st, i);
            len = (size_t)sqlite3_column_bytes(st, i++);
        }
        cell->raw = v ? v : "";
        cell->len = len;
        cell->ok = v != NULL;
        cell->month = 0;
        cell->iso[0] = '\0';
        cell->code = 0;   /* conditions look the text up */
        if (v && t->cols[c].type == S903_DATE)
            liia_strlcpy(cell->iso, v, sizeof cell->iso);
    }
}

/* The stored episodes sorted by child (SQLite's external merge sort, memory
 * bounded by the page cache) through the child index: the price of a file
 * whose episodes are not grouped by child. */
int s903_episodes_in_order(struct s903_run *run, liia_error *e)
{
    struct reflag f = {.run = run, .table = s903_table_index(run->s, "episodes")};
    if (f.table < 0)
        return 0;
    char *sql = in_order_sql(&run->s->tables[f.table]);
    sqlite3_stmt *st = NULL;
    if (!sql)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_db_prepare(run->db, sql, &st, e);
    sqlite3_free(sql);
    if (rc)
        return -1;
    sqlite3_bind_int64(st, 1, run->sid);
    struct s903_cell cells[S903_MAX_COLS];
    int step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        row_cells(st, &run->s->tables[f.table], cells);
        rc = s903_kids_episode(run->kids, (const char *)sqlite3_column_text(st, 1),
                               (long)sqlite3_column_int64(st, 0), cells, NULL, 0,
                               reflag_episode, &f, e);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = liia_db_fail(e, run->db, "checking episodes in child order");
    if (rc == 0)
        rc = s903_kids_end_episodes(run->kids, reflag_episode, &f, e);
    if (sqlite3_finalize(st) != SQLITE_OK && rc == 0)
        rc = liia_db_fail(e, run->db, "checking episodes in child order");
    if (sqlite3_finalize(f.upd) != SQLITE_OK && rc == 0)
        rc = liia_db_fail(e, run->db, "flagging rows");
    /* Sorted by child, a child cannot come back: that would be a bug. */
    return rc == S903_UNGROUPED ? liia_fail(e, LIIA_E_DB, "episodes out of child order")
                                : rc;
}

/* ------------------------------------------------------------ measures */

int s903_derive(struct s903_run *run, liia_error *e)
{
    sqlite3_stmt *ins;
    if (liia_db_prepare(run->db, "INSERT INTO derived_measure (submission_id, period, "
                        "measure, value) VALUES (?, ?, ?, ?)", &ins, e))
        return -1;
    int rc = 0;
    for (size_t q = 0; q < run->nquarters && rc == 0; q++)
        for (size_t m = 0; m < run->s->nmeasures && rc == 0; m++) {
            const struct s903_measure *ms = &run->s->measures[m];
            if (ms->requires && !strcmp(ms->requires, "uasc") && !run->have_uasc)
                continue;
            sqlite3_bind_int64(ins, 1, run->sid);
            sqlite3_bind_text(ins, 2, run->quarters[q].qe, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, ms->measure, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 4, s903_kids_count(run->kids, q, m));
            if (sqlite3_step(ins) != SQLITE_DONE)
                rc = liia_db_fail(e, run->db, "storing a derived measure");
            sqlite3_reset(ins);
        }
    if (sqlite3_finalize(ins) != SQLITE_OK && rc == 0)
        rc = liia_db_fail(e, run->db, "storing derived measures");
    return rc;
}
