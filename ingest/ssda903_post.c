/*
 * ssda903_post.c - what runs once every table is stored: the DfE rules that
 * need episodes in order or another table, and the derived looked-after
 * measures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssda903_child.h"
#include "ssda903_load.h"
#include "ssda903_upn.h"

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

/* Binds what a rule or a derived set may name: :sid, :prev_sid (0 when
 * last year's return is not stored), :start and :end. */
static void bind_run(sqlite3_stmt *st, const struct s903_run *run, long long prev_sid)
{
    bind_sid(st, run->sid);
    int i = sqlite3_bind_parameter_index(st, ":prev_sid");
    if (i > 0)
        sqlite3_bind_int64(st, i, prev_sid);
    bind_named_text(st, ":start", run->dates.start);
    bind_named_text(st, ":end", run->dates.end);
}

static int run_sql_rule(struct s903_run *run, const struct s903_rule *r,
                        long long prev_sid, sqlite3_stmt **upd, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(run->db, r->sql, &st, e))
        return -1;
    bind_run(st, run, prev_sid);
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

/* The authority's accepted SSDA903 submission of the collection year
 * before this one (of its periods, the latest): what rules reading
 * :prev_sid compare with.  0 when the store holds none (validate's scratch
 * store never does). */
static int previous_sid(struct s903_run *run, long long *prev, liia_error *e)
{
    sqlite3_stmt *st;
    *prev = 0;
    if (liia_db_prepare(run->db, "SELECT p.id FROM submission p JOIN submission c "
                        "ON c.id = ?1 WHERE p.la_code = c.la_code AND p.return_type = "
                        "c.return_type AND p.status = 'accepted' AND p.period >= "
                        "date(?2, '-1 year') AND p.period < ?2 ORDER BY p.period DESC "
                        "LIMIT 1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, run->sid);
    sqlite3_bind_text(st, 2, run->dates.start, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *prev = sqlite3_column_int64(st, 0);
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, run->db, "finding last year's return");
    return 0;
}

/* 1 when a loaded rule asks s903_upn for duplicates: only then is every
 * UPN tagged (an HMAC a header row). */
int s903_wants_upn_tags(const struct s903_schema *s)
{
    for (size_t i = 0; i < s->nrules; i++)
        if (s->rules[i].sql && strstr(s->rules[i].sql, "s903_upn('duplicate')"))
            return 1;
    return 0;
}

/* 1 when sql names the derived set or table NAME (as temp.NAME). */
static int names_derived(const char *sql, const char *name)
{
    char ref[80];
    snprintf(ref, sizeof ref, "temp.%s", name);
    return sql && strstr(sql, ref) != NULL;
}

static const char *derived_sql(json_t *v)
{
    return json_string_value(json_object_get(v, "sql"));
}

/* 1 when sql names :prev_sid, or names a derived set or table whose query
 * does (a derived query may read another, computed before it: depth
 * bounds a cycle in the schema). */
static int reads_previous(const struct s903_schema *s, const char *sql, int depth)
{
    if (!sql)
        return 0;
    if (strstr(sql, ":prev_sid"))
        return 1;
    json_t *v;
    const char *name;
    json_object_foreach(json_object_get(s->docs[0], "derived"), name, v)
        if (depth < 4 && names_derived(sql, name) && reads_previous(s, derived_sql(v), depth + 1))
            return 1;
    return 0;
}

/* A rule reads last year's return when its query names :prev_sid, or names
 * a derived set or table (temp.NAME) whose query does. */
static int needs_previous(const struct s903_schema *s, const struct s903_rule *r)
{
    return reads_previous(s, r->sql, 0);
}

/* Rules that compare with last year's return and found none are not run,
 * and say so: one finding (info) naming them, never silence. */
/* The code as the not-run note lists it: a rule whose code also has a
 * part on this year's rows alone (199, 1000) ran that part. */
static int flag_not_run(liia_buf *skipped, const struct s903_schema *s,
                        const struct s903_rule *r)
{
    char label[80];
    for (size_t i = 0; i < s->nrules; i++)
        if (!strcmp(s->rules[i].code, r->code) && !needs_previous(s, &s->rules[i])) {
            snprintf(label, sizeof label, "%s (last year's part)", r->code);
            return s903_flag(skipped, label);
        }
    return s903_flag(skipped, r->code);
}

static int report_not_run(struct s903_run *run, const char *codes, liia_error *e)
{
    int y = atoi(run->dates.start) - 1, first = -1;
    for (size_t t = 0; t < run->s->ntables && first < 0; t++)
        if (s903_table_file(run, (int)t)[0])
            first = (int)t;
    if (first < 0)
        return 0;
    if (s903_add_finding(run, LIIA_SEV_INFO, s903_table_file(run, first),
                         run->s->tables[first].name, 0, 0, "", "", 0, "LIIA-903-PREV",
                         "ingest the authority's accepted return for the previous "
                         "collection year first (validate never reads the store)",
                         "not run: no %d-%02d return stored (rules %s)", y, (y + 1) % 100,
                         codes))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return 0;
}

/* Rows read for a table in this submission (0 when no file was given). */

/* ------------------------------------------------------------ derived sets */

/* 1 when a SQL rule that will run names the derived set (as temp.NAME),
 * or a derived set or table that will be computed does. */
static int derived_used(const struct s903_run *run, const char *name, long long prev, int depth)
{
    for (size_t i = 0; i < run->s->nrules; i++) {
        const struct s903_rule *r = &run->s->rules[i];
        if (r->sql && s903_table_rows(run, r->table) > 0 && (prev || !needs_previous(run->s, r)) &&
            names_derived(r->sql, name))
            return 1;
    }
    json_t *v;
    const char *other;
    json_object_foreach(json_object_get(run->s->docs[0], "derived"), other, v)
        if (depth < 4 && strcmp(other, name) && names_derived(derived_sql(v), name) &&
            derived_used(run, other, prev, depth + 1))
            return 1;
    return 0;
}

static int exec_bound(struct s903_run *run, char *sql, const char *name, long long prev,
                      liia_error *e)
{
    sqlite3_stmt *st;
    if (!sql || liia_db_prepare(run->db, sql, &st, e)) {
        sqlite3_free(sql);
        return sql ? -1 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    sqlite3_free(sql);
    bind_run(st, run, prev);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, run->db, name);
    return 0;
}

/* One derived set or table, computed into temp.NAME (see derived_sets).
 * The statements are formatted because DDL cannot bind: what is formatted
 * is the schema's own name (quoted with %w) and query text, never input;
 * every value the query reads is bound (bind_run). */
static int derived_make(struct s903_run *run, const char *name, json_t *v, long long prev,
                        liia_error *e)
{
    const char *sql = derived_sql(v);
    const char *needs = json_string_value(json_object_get(v, "needs"));
    int t = needs ? s903_table_index(run->s, needs) : -1;
    int sent = !needs || (t >= 0 && s903_table_file(run, t)[0]);
    if (json_is_true(json_object_get(v, "table"))) {
        /* every column the query returns; empty when its part was not sent */
        char *ddl = sent ? sqlite3_mprintf("CREATE TEMP TABLE \"%w\" AS SELECT * FROM (%s)",
                                           name, sql)
                         : sqlite3_mprintf("CREATE TEMP TABLE \"%w\" AS SELECT * FROM (%s) "
                                           "WHERE 0", name, sql);
        return exec_bound(run, ddl, name, prev, e) ||
               exec_bound(run, sqlite3_mprintf("CREATE INDEX temp.\"%w_child\" ON \"%w\" "
                                               "(child_pid)", name, name), name, prev, e);
    }
    if (exec_bound(run, sqlite3_mprintf("CREATE TEMP TABLE \"%w\" (child_pid BLOB PRIMARY KEY) "
                                        "WITHOUT ROWID", name), name, prev, e))
        return -1;
    if (!sent)
        return 0;  /* the set stays empty: its part was not sent */
    return exec_bound(run, sqlite3_mprintf("INSERT OR IGNORE INTO temp.\"%w\" %s", name, sql),
                      name, prev, e);
}

/* tables.json "derived": {NAME: {"sql": ...}}: facts about children that
 * several SQL rules read.  One that a rule about to run names (as
 * temp.NAME) is computed once before the rules run, so the rules sharing a
 * costly per-child fact do not each recompute it: a set of children (a
 * query returning child_pid: DfE's "looked after continuously for 12
 * months", a pass over the submission's episodes) into a table keyed by
 * child_pid, or with "table": true every column the query returns, indexed
 * by child_pid (each child's first episode this year, its last one last
 * year: the six 503 rules and 502, 562 and 1010 read them).  :sid,
 * :prev_sid, :start and :end are bound.  With "needs": PART it is empty
 * unless that part's file was sent.  With make 0 they are dropped. */
static int derived_sets(struct s903_run *run, long long prev, int make, liia_error *e)
{
    json_t *all = json_object_get(run->s->docs[0], "derived"), *v;
    const char *name;
    json_object_foreach(all, name, v) {
        char ddl[200];
        sqlite3_snprintf(sizeof ddl, ddl, "DROP TABLE IF EXISTS temp.\"%w\"", name);
        if (liia_db_exec(run->db, ddl, e))
            return -1;
        if (make && json_is_string(json_object_get(v, "sql")) && derived_used(run, name, prev, 0) &&
            derived_make(run, name, v, prev, e))
            return -1;
    }
    return 0;
}

/* Each SQL rule reports rows of its own table, so a rule whose table has
 * no rows in this submission cannot find anything and is not prepared at
 * all: with a rule set mostly about tables an authority may not send
 * (oc2, oc3, ad1, missing, ...), most rules cost nothing.  See "Cost of an
 * SQL rule" in docs/ssda903.md for what a rule that does run may cost. */
int s903_run_sql_rules(struct s903_run *run, liia_error *e)
{
    sqlite3_stmt **upd = calloc(run->s->ntables, sizeof *upd);
    liia_buf skipped;
    long long prev = 0;
    liia_buf_init(&skipped);
    if (!upd)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = previous_sid(run, &prev, e);
    /* Last year's derived tables are TEMP tables: with the temp database's
     * default 2 MB page cache, every lookup into them at 10^6 episodes is a
     * read from its file.  64 MB bounds what they may hold in memory. */
    if (rc == 0 && prev)
        rc = liia_db_exec(run->db, "PRAGMA temp.cache_size = -65536", e);
    if (rc == 0)
        rc = s903_upn_register(run->db, run->upn, e);
    if (rc == 0)
        rc = derived_sets(run, prev, 1, e);
    for (size_t i = 0; i < run->s->nrules && rc == 0; i++) {
        const struct s903_rule *r = &run->s->rules[i];
        if (!r->sql || s903_table_rows(run, r->table) == 0 ||
            (r->needs >= 0 && !s903_table_file(run, r->needs)[0]))
            continue;
        if (needs_previous(run->s, r) && !prev)
            rc = flag_not_run(&skipped, run->s, r) ? liia_fail(e, LIIA_E_NOMEM, "out of memory")
                                                   : 0;
        else
            rc = run_sql_rule(run, r, prev, &upd[r->table], e);
    }
    if (rc == 0 && skipped.len)
        rc = report_not_run(run, skipped.data, e);
    if (rc == 0)
        rc = derived_sets(run, prev, 0, e);
    liia_error ignored;   /* the first error is the one reported */
    if (s903_upn_register(run->db, NULL, rc ? &ignored : e) && rc == 0)
        rc = -1;
    for (size_t t = 0; t < run->s->ntables; t++)
        if (sqlite3_finalize(upd[t]) != SQLITE_OK && rc == 0)
            rc = liia_db_fail(e, run->db, "flagging rows");
    liia_buf_free(&skipped);
    free(upd);
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
    const char *pid = "child_pid";   /* the store column of the type child column */
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].type == S903_CHILD && t->cols[c].store)
            pid = t->cols[c].store;
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendf(q, "SELECT line, lower(hex(\"%w\"))", pid);
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].store)
            sqlite3_str_appendf(q, ", \"%w\"", t->cols[c].store);
    sqlite3_str_appendf(q, " FROM \"%w\" WHERE " S903_ROWS_OF_SUBMISSION
                           " AND \"%w\" IS NOT NULL ORDER BY \"%w\", line", t->store, pid,
                        pid);
    return sqlite3_str_finish(q);
}

/* Row values as stored, as the cells the child index reads. */
static void row_cells(sqlite3_stmt *st, const struct s903_table *t,
                      struct s903_cell *cells)
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
        cell->ymd = 0;
        cell->code = 0;   /* conditions look the text up */
        if (v && t->cols[c].type == S903_DATE)
            liia_strlcpy(cell->iso, v, sizeof cell->iso);
        else if (v && t->cols[c].type == S903_PDATE && s903_parse_pdate(v, len, cell->iso))
            cell->iso[0] = '\0';
    }
}

/* The stored episodes sorted by child (SQLite's external merge sort, memory
 * bounded by the page cache) through the child index: the price of a file
 * whose episodes are not grouped by child. */
int s903_episodes_in_order(struct s903_run *run, liia_error *e)
{
    struct reflag f = {.run = run, .table = run->s->ordered_table};
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
    struct s903_cell *cells = calloc(run->s->tables[f.table].ncols, sizeof *cells);
    int step = SQLITE_DONE;
    if (!cells)
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
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
    free(cells);
    /* Sorted by child, a child cannot come back: that would be a bug. */
    return rc == S903_UNGROUPED ? liia_fail(e, LIIA_E_DB, "episodes out of child order")
                                : rc;
}

/* ------------------------------------------------------------ file rules */

static double fnum_value(const struct s903_schema *s, const struct s903_fnum *f)
{
    double v = 0;
    switch (f->kind) {
    case F_NUM:
        return f->num;
    case F_TERM:
        return (double)s->fterms[f->term].count;
    case F_SUM:
        for (size_t i = 0; i < f->nkids; i++)
            v += fnum_value(s, &f->kids[i]);
        return v;
    case F_SHARE:
        v = fnum_value(s, &f->kids[1]);
        return v == 0 ? 0 : fnum_value(s, &f->kids[0]) / v;
    }
    return 0;
}

/* The first comparison that fails (the rule does not hold), else the
 * last; its numbers into ab. */
static int file_rule_holds(const struct s903_schema *s, const struct s903_rule *r, double ab[2])
{
    for (size_t i = 0; i < r->nfcmps; i++) {
        const struct s903_fcmp *c = &r->fcmps[i];
        double a = ab[0] = fnum_value(s, &c->ab[0]), b = ab[1] = fnum_value(s, &c->ab[1]);
        int holds = c->op == C_AFTER ? a > b : c->op == C_ON_OR_AFTER ? a >= b
                    : c->op == C_BEFORE ? a < b : c->op == C_ON_OR_BEFORE ? a <= b : a == b;
        if (!holds)
            return 0;
    }
    return 1;
}

int s903_file_rules(struct s903_run *run, const char *file)
{
    const struct s903_schema *s = run->s;
    run->at = (struct s903_where){0, 0, NULL, NULL, 0, NULL};
    for (size_t i = 0; i < s->nrules; i++) {
        const struct s903_rule *r = &s->rules[i];
        double ab[2] = {0, 0};
        if (r->when != W_FILE || !file_rule_holds(s, r, ab))
            continue;
        const struct s903_table *t = &s->tables[r->table];
        /* the whole file's: no line; the numbers compared say why */
        if (s903_add_finding(run, r->severity, file, t->name, 0, 0, t->cols[r->col].name,
                             NULL, 0, r->code, r->fix, "%s (this file: %.4g against %.4g)",
                             r->message, ab[0], ab[1]))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ measures */

/* A measure stored must be one of the catalogue's (measure_def, loaded by
 * init from schemas/measures.json): else the schema is wrong. */
static int in_catalogue(struct s903_run *run, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(run->db, "SELECT 1 FROM measure_def WHERE id = ?1", &st, e))
        return -1;
    int rc = 0;
    for (size_t m = 0; m < run->s->nmeasures && rc == 0; m++) {
        const char *id = run->s->measures[m].measure;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE) {
            liia_error_set_value(e, id, strlen(id));
            liia_error_fix(e, "name a measure of schemas/measures.json (and run init)");
            rc = liia_fail(e, LIIA_E_SCHEMA, "measures.json: measure %s is not in the "
                           "catalogue", id);
        } else if (step != SQLITE_ROW) {
            rc = liia_db_fail(e, run->db, "reading the measure catalogue");
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int s903_derive(struct s903_run *run, liia_error *e)
{
    sqlite3_stmt *ins;
    if ((run->mcounts && in_catalogue(run, e)) ||
        liia_db_prepare(run->db, "INSERT INTO derived_measure (submission_id, period, "
                        "measure, value) VALUES (?, ?, ?, ?)", &ins, e))
        return -1;
    int rc = 0;
    for (size_t q = 0; q < run->nquarters && rc == 0; q++)
        for (size_t m = 0; m < run->s->nmeasures && rc == 0; m++) {
            const struct s903_measure *ms = &run->s->measures[m];
            if (ms->requires >= 0 && !s903_table_file(run, ms->requires)[0])
                continue;
            sqlite3_bind_int64(ins, 1, run->sid);
            sqlite3_bind_text(ins, 2, run->quarters[q].qe, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, ms->measure, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 4, ms->count == S903_COUNT_TERMS
                                           ? s903_kids_count(run->kids, q, m)
                                           : run->mcounts[q * run->s->nmeasures + m]);
            if (sqlite3_step(ins) != SQLITE_DONE)
                rc = liia_db_fail(e, run->db, "storing a derived measure");
            sqlite3_reset(ins);
        }
    if (sqlite3_finalize(ins) != SQLITE_OK && rc == 0)
        rc = liia_db_fail(e, run->db, "storing derived measures");
    return rc;
}
