/* cin_measures.c - the CIN census measures: SQL as data (schemas/cin/
 * measures.json), run per quarter over the stored submission.  The census
 * is one file a year, so a few statements over the submission's rows per
 * quarter cost little; nothing here knows a measure. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cin_measures.h"
#include "liia_engine.h"

typedef struct cin_measure {
    const char *id;
    sqlite3_stmt *st;
    int all_quarters;           /* "quarters": one run, a column a quarter */
} cin_measure;

static int schema_fail(liia_error *e, const char *path, const char *id, const char *what)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    if (id)
        liia_error_set_value(e, id, strlen(id));
    liia_error_fix(e, "each measure of cin/measures.json is {\"measure\": an id of "
                      "schemas/measures.json, \"sql\": one SELECT returning one number}");
    return liia_fail(e, LIIA_E_SCHEMA, "%s", what);
}

/* Known to the catalogue (measure_def, loaded by init from measures.json). */
static int in_catalogue(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = NULL;
    int found = sqlite3_prepare_v2(db, "SELECT 1 FROM measure_def WHERE id = ?1", -1,
                                   &st, NULL) == SQLITE_OK &&
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static int prepare_all(sqlite3 *db, json_t *list, const char *path, cin_measure *m,
                       liia_error *e)
{
    size_t i;
    json_t *j;
    json_array_foreach(list, i, j) {
        const char *id = json_string_value(json_object_get(j, "measure"));
        const char *sql = json_string_value(json_object_get(j, "sql"));
        if (!id || !sql)
            return schema_fail(e, path, id, "a measure needs \"measure\" and \"sql\"");
        if (!in_catalogue(db, id))
            return schema_fail(e, path, id, "measure is not in the catalogue");
        m[i].id = id;
        m[i].all_quarters = json_is_true(json_object_get(j, "quarters"));
        if (sqlite3_prepare_v2(db, sql, -1, &m[i].st, NULL) != SQLITE_OK) {
            liia_error_set_value(e, id, strlen(id));
            return schema_fail(e, path, id, sqlite3_errmsg(db));
        }
    }
    return 0;
}

static void bind(sqlite3_stmt *st, const char *name, const char *text, sqlite3_int64 n)
{
    int k = name ? sqlite3_bind_parameter_index(st, name) : 0;
    if (k > 0 && text)
        sqlite3_bind_text(st, k, text, -1, SQLITE_TRANSIENT);
    else if (k > 0)
        sqlite3_bind_int64(st, k, n);
}

/* The collection year's quarters: [qs, qe] each, ys its first day, and
 * how many of them end by the period. */
struct year_q {
    char qs[4][11], qe[4][11], ys[11];
    int n;
};

/* Column col of m's answer as quarter q's value; a NULL answer stores
 * nothing (the value is not known, not zero). */
static int store_value(sqlite3 *db, sqlite3_stmt *ins, const cin_measure *m, int col,
                       sqlite3_int64 sid, const char *qe, int *n, liia_error *e)
{
    if (sqlite3_column_type(m->st, col) == SQLITE_NULL)
        return 0;
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, sid);
    sqlite3_bind_text(ins, 2, qe, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 3, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_double(ins, 4, sqlite3_column_double(m->st, col));
    if (sqlite3_step(ins) != SQLITE_DONE)
        return liia_db_fail(e, db, "storing a CIN census measure");
    (*n)++;
    return 0;
}

/* One measure for quarter q (q < 0: every quarter at once, its :qs1..:qe4,
 * a column per quarter) into derived_measure. */
static int run_one(sqlite3 *db, sqlite3_stmt *ins, const cin_measure *m, sqlite3_int64 sid,
                   const struct year_q *y, int q, int *n, liia_error *e)
{
    sqlite3_reset(m->st);
    bind(m->st, ":sid", NULL, sid);
    /* a submission's rows: id = submission_id << 32 | record (migration 085) */
    bind(m->st, ":lo", NULL, sid * 4294967296LL);
    bind(m->st, ":hi", NULL, sid * 4294967296LL + 4294967295LL);
    bind(m->st, ":ys", y->ys, 0);
    for (int k = 0; k < 4; k++) {
        char name[8];
        snprintf(name, sizeof name, ":qs%d", k + 1);
        bind(m->st, q < 0 ? name : k ? NULL : ":qs", q < 0 ? y->qs[k] : y->qs[q], 0);
        snprintf(name, sizeof name, ":qe%d", k + 1);
        bind(m->st, q < 0 ? name : k ? NULL : ":qe", q < 0 ? y->qe[k] : y->qe[q], 0);
    }
    int rc = sqlite3_step(m->st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return liia_db_fail(e, db, "deriving a CIN census measure");
    if (rc == SQLITE_DONE)
        return 0;
    if (q >= 0)
        return store_value(db, ins, m, 0, sid, y->qe[q], n, e);
    for (int k = 0; k < y->n; k++)
        if (store_value(db, ins, m, k, sid, y->qe[k], n, e))
            return -1;
    return 0;
}

/* The quarters of the collection year: [qs, qe] pairs, the number of
 * them up to period returned (all four are filled). */
static int quarters(const char *period, char qs[4][11], char qe[4][11], char ys[11])
{
    static const char *const first[] = {"04-01", "07-01", "10-01", "01-01"};
    static const char *const last[] = {"06-30", "09-30", "12-31", "03-31"};
    /* a canonical period's year has four digits: keep it so for the compiler */
    int y = liia_period_fy_end_year(period) % 10000, n = 0;
    y = y < 1001 ? 1001 : y;
    snprintf(ys, 11, "%04d-04-01", (y - 1) % 10000);
    for (int q = 0; q < 4; q++) {
        int year = (q == 3 ? y : y - 1) % 10000;
        snprintf(qs[q], 11, "%04d-%s", year, first[q]);
        snprintf(qe[q], 11, "%04d-%s", year, last[q]);
        n += strcmp(qe[q], period) <= 0;
    }
    return n;
}

static int derive(sqlite3 *db, const cin_measure *m, size_t nm, sqlite3_int64 sid,
                  const char *period, int *n, liia_error *e)
{
    struct year_q y;
    y.n = quarters(period, y.qs, y.qe, y.ys);
    int rc = 0;
    sqlite3_stmt *ins;
    if (liia_db_prepare(db, "INSERT OR REPLACE INTO derived_measure (submission_id, "
                            "period, measure, value) VALUES (?1, ?2, ?3, ?4)", &ins, e))
        return -1;
    for (size_t i = 0; i < nm && !rc; i++)
        rc = m[i].all_quarters ? run_one(db, ins, &m[i], sid, &y, -1, n, e) : 0;
    for (int q = 0; q < y.n && !rc; q++)
        for (size_t i = 0; i < nm && !rc; i++)
            rc = m[i].all_quarters ? 0 : run_one(db, ins, &m[i], sid, &y, q, n, e);
    sqlite3_finalize(ins);
    return rc;
}

int liia_cin_derive_measures(sqlite3 *db, sqlite3_int64 sid, const char *period,
                             const char *schema_dir, int *n_out, liia_error *e)
{
    char *path = liia_path_join(schema_dir, "cin/measures.json");
    json_error_t je;
    json_t *doc = path ? json_load_file(path, 0, &je) : NULL;
    json_t *list = json_object_get(doc, "measures");
    size_t nm = json_array_size(list);
    cin_measure *m = calloc(nm ? nm : 1, sizeof *m);
    int n = 0, rc;
    if (!path || !m)
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    else if (!json_is_array(list))
        rc = schema_fail(e, path, NULL, doc ? "no \"measures\" array" : je.text);
    else
        rc = liia_engine_register_functions(db, e) || prepare_all(db, list, path, m, e) ||
             derive(db, m, nm, sid, period, &n, e);
    for (size_t i = 0; m && i < nm; i++)
        sqlite3_finalize(m[i].st);
    free(m);
    json_decref(doc);
    free(path);
    if (n_out)
        *n_out = n;
    return rc ? -1 : 0;
}
