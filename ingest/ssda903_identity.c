/*
 * ssda903_identity.c - what a child-level file says about itself, judged
 * against the submission: a required part that is missing or has no rows,
 * a cell that names another authority or collection year (tables.json
 * "identifies").  Each is a whole-file verdict: the caller's load stops
 * with a LIIA_E_DATA error carrying the rule id, which the lifecycle
 * records as the rejection's finding (ingest.c, unreadable()), so such a
 * file never supersedes the accepted version.
 */
#include <stdlib.h>
#include <string.h>

#include "ssda903_identity.h"

int s903_identity_open(struct s903_run *run, sqlite3 *db, const char *gss, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT dfe_la_number, name, gss_code = ?1 FROM authority "
                            "ORDER BY dfe_la_number", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, gss, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && run->nlas < S903_MAX_LAS) {
        struct s903_la *la = &run->las[run->nlas++];
        la->number = sqlite3_column_int(st, 0);
        liia_strlcpy(la->name, (const char *)sqlite3_column_text(st, 1), sizeof la->name);
        if (sqlite3_column_int(st, 2))
            run->la = la;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return liia_db_fail(e, db, "reading the authorities' DfE numbers");
    return 0;
}

/* e as a finding on one cell (or on the file when col < 0). */
static int refuse(struct s903_run *run, const char *file, const struct s903_table *t,
                  long line, int col, long colno, const char *rule_kind,
                  const struct s903_cell *cell, liia_error *e)
{
    e->status = LIIA_E_DATA;
    e->severity = LIIA_SEV_ERROR;
    liia_strlcpy(e->file, file, sizeof e->file);
    liia_strlcpy(e->table, t->name, sizeof e->table);
    e->line = line;
    e->column = col >= 0 ? colno : 0;
    if (col >= 0)
        liia_strlcpy(e->column_name, t->cols[col].name, sizeof e->column_name);
    if (cell && cell->len)
        liia_error_set_value(e, cell->raw, cell->len);
    snprintf(e->rule_id, sizeof e->rule_id, "%s-%s", run->s->rule_prefix, rule_kind);
    if (line && line == run->at.line) {
        e->record = run->at.record;
        liia_strlcpy(e->path, run->at.path ? run->at.path : "", sizeof e->path);
    }
    return -1;
}

static const struct s903_la *la_numbered(const struct s903_run *run, const char *v, size_t n)
{
    if (n == 0 || n > 4 || strspn(v, "0123456789") != n)
        return NULL;
    int number = atoi(v);
    for (size_t i = 0; i < run->nlas; i++)
        if (run->las[i].number == number)
            return &run->las[i];
    return NULL;
}

static int check_la(struct s903_run *run, const struct s903_col *c,
                    const struct s903_cell *cell, liia_error *e)
{
    const struct s903_la *want = run->la;
    if (!want)   /* --la resolved, so never: a store without its numbers */
        return 0;
    const struct s903_la *got = la_numbered(run, cell->raw, cell->len);
    if (got == want)
        return 0;
    liia_error_clear(e);
    if (!cell->len) {
        liia_fail(e, LIIA_E_DATA, "the file does not say which authority it is for (%s "
                  "is blank or missing), so it cannot be checked against --la %s",
                  c->name, want->name);
        liia_error_fix(e, "give %s's DfE number, %d, in %s and send the file again",
                       want->name, want->number, c->name);
    } else if (!got) {
        liia_fail(e, LIIA_E_DATA, "the file is for %s '%.20s', which is not a London "
                  "authority's DfE number, but --la says %s (%d)", c->name, cell->raw,
                  want->name, want->number);
        liia_error_fix(e, "check you picked the right file, or correct %s to %d",
                       c->name, want->number);
    } else {
        liia_fail(e, LIIA_E_DATA, "the file is for %s (%s %d), but --la says %s (%d)",
                  got->name, c->name, got->number, want->name, want->number);
        liia_error_fix(e, "check you picked the right file, or correct --la");
    }
    return -1;
}

/* The collection year a cell names (the year it ends), 0 if none. */
static int year_named(const struct s903_col *c, const struct s903_cell *cell)
{
    if (!cell->ok)
        return 0;
    if (c->type == S903_DATE)
        return liia_period_fy_end_year(cell->iso);
    return cell->len == 4 ? atoi(cell->raw) : 0;
}

static int check_year(struct s903_run *run, const struct s903_col *c,
                      const struct s903_cell *cell, liia_error *e)
{
    int want = run->s->year, got = year_named(c, cell);
    if (got == want)
        return 0;
    liia_error_clear(e);
    if (!got) {
        liia_fail(e, LIIA_E_DATA, "the file does not say which collection year it is for "
                  "(%s is blank, missing or not valid), so it cannot be checked against "
                  "--period %s (%d-%02d)", c->name, run->period, want - 1, want % 100);
        liia_error_fix(e, "give %s as the %d-%02d census has it and send the file again",
                       c->name, want - 1, want % 100);
    } else {
        liia_fail(e, LIIA_E_DATA, "the file is for the %d-%02d collection year (%s "
                  "%.10s), but --period %s is in %d-%02d", got - 1, got % 100, c->name,
                  cell->raw, run->period, want - 1, want % 100);
        liia_error_fix(e, "check you picked the right file, or correct --period");
    }
    return -1;
}

/* 1 when an "activity" cell's date lies in the collection year. */
static int in_year(const struct s903_run *run, const struct s903_cell *cell)
{
    return cell->ok && cell->iso[0] && strcmp(cell->iso, run->dates.start) >= 0 &&
           strcmp(cell->iso, run->dates.end) <= 0;
}

int s903_identity_check(struct s903_run *run, const char *file, const struct s903_table *t,
                        const struct s903_cell *cells, const int *map, long line,
                        liia_error *e)
{
    int counted = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        const struct s903_col *col = &t->cols[c];
        if (col->identifies == ID_ACTIVITY) {
            if (!counted && in_year(run, &cells[c]))
                counted = 1, run->in_year++;
            continue;
        }
        int rc = col->identifies == ID_LA     ? check_la(run, col, &cells[c], e)
                 : col->identifies == ID_YEAR ? check_year(run, col, &cells[c], e)
                                              : 0;
        if (rc)
            return refuse(run, file, t, line, (int)c, map[c] + 1,
                          col->identifies == ID_LA ? "LA" : "YEAR", &cells[c], e);
    }
    return 0;
}

/* 1 when a column of t has "identifies": "activity". */
static int has_activity(const struct s903_table *t)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].identifies == ID_ACTIVITY)
            return 1;
    return 0;
}

/* A table of S903_ACTIVITY_MIN_ROWS rows or more none of whose "activity"
 * dates (SSDA903: DECOM, DEC) lies in --period's collection year is
 * another year's extract: a real return of that size has children
 * starting or leaving care in its year.  Accepted, it would replace the
 * year's accepted version with another year's rows. */
static int activity_year(struct s903_run *run, const char *file, int table, long rows,
                         liia_error *e)
{
    const struct s903_table *t = &run->s->tables[table];
    if (!has_activity(t) || rows < S903_ACTIVITY_MIN_ROWS || run->in_year > 0)
        return 0;
    int y = run->s->year;
    liia_error_clear(e);
    liia_fail(e, LIIA_E_DATA, "none of the %ld rows of the %s table has a date from %s "
              "to %s (the %d-%02d collection year up to --period): the file looks like "
              "another year's extract", rows, t->name, run->dates.start, run->dates.end,
              y - 1, y % 100);
    liia_error_fix(e, "check you exported the %d-%02d return, or correct --period",
                   y - 1, y % 100);
    run->at = (struct s903_where){0, 0, NULL, NULL, 0, NULL};
    return refuse(run, file, t, 0, -1, 0, "YEAR", NULL, e);
}

int s903_required_rows(struct s903_run *run, const char *file, int table, long rows,
                       long misaligned, liia_error *e)
{
    if (activity_year(run, file, table, rows, e))
        return -1;
    const struct s903_table *t = &run->s->tables[table];
    if (!t->required || rows > 0)
        return 0;
    liia_error_clear(e);
    if (run->s->xml) {
        const char *path = t->element ? t->element : t->name;
        const char *el = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        liia_fail(e, LIIA_E_DATA, "the file has no <%s> (%s), which every file of this "
                  "return must have: accepted, it would replace the accepted version with "
                  "nothing", el, path);
        liia_error_fix(e, "export the file again with its <%s> and send it", el);
    } else {
        liia_fail(e, LIIA_E_DATA, "the %s table has no data rows%s: accepted, the return "
                  "would replace the accepted version with nothing", t->name,
                  misaligned ? " with the header row's number of fields" : "");
        liia_error_fix(e, "export the %s table again with its rows (the header row "
                       "alone is not a table) and send the return again", t->name);
    }
    run->at = (struct s903_where){0, 0, NULL, NULL, 0, NULL};
    return refuse(run, file, t, 0, -1, 0, "EMPTY", NULL, e);
}
