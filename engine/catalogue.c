/* catalogue.c - loads schemas/indicators.json (and, through returns.c,
 * schemas/returns.json) into the store. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "liia_engine.h"
#include "engine_internal.h"

static int schema_fail(liia_error *e, const char *path, const char *id,
                       const char *what)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    if (id)
        liia_error_set_value(e, id, strlen(id));
    liia_error_fix(e, "correct schemas/indicators.json (see docs/maths.md)");
    return liia_fail(e, LIIA_E_SCHEMA, "indicator catalogue: %s", what);
}

/* Joins the terms with " + " into buf, in brackets when there are several
 * ("a / (b + c)", not "a / b + c"); -1 when a term is not a string. */
static int terms_text(json_t *arr, liia_buf *buf)
{
    size_t i, n = json_array_size(arr);
    json_t *t;
    liia_buf_reset(buf);
    if (!json_is_array(arr) || n == 0 || liia_buf_appendf(buf, "%s", n > 1 ? "(" : ""))
        return -1;
    json_array_foreach(arr, i, t) {
        if (!json_is_string(t))
            return -1;
        if (liia_buf_appendf(buf, "%s%s", i ? " + " : "", json_string_value(t)))
            return -1;
    }
    return liia_buf_appendf(buf, "%s", n > 1 ? ")" : "");
}

static int insert_terms(sqlite3 *db, sqlite3_stmt *st, const char *id,
                        const char *part, json_t *arr, liia_error *e)
{
    size_t i;
    json_t *t;
    json_array_foreach(arr, i, t) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, part, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, json_string_value(t), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            return liia_db_fail(e, db, "storing an indicator term");
        sqlite3_reset(st);
    }
    return 0;
}

static int insert_indicator(sqlite3 *db, sqlite3_stmt *def, sqlite3_stmt *term,
                            json_t *ind, int order, const char *path,
                            liia_error *e)
{
    const char *id = json_string_value(json_object_get(ind, "id"));
    const char *keys[] = {"title", "theme", "unit", "kind", "definition"};
    json_t *num = json_object_get(ind, "numerator");
    json_t *den = json_object_get(ind, "denominator");
    liia_buf nt, dt;
    int rc = -1;
    if (!id)
        return schema_fail(e, path, NULL, "an indicator has no \"id\"");
    liia_buf_init(&nt);
    liia_buf_init(&dt);
    if (terms_text(num, &nt) || terms_text(den, &dt)) {
        rc = schema_fail(e, path, id, "numerator and denominator must be "
                         "non-empty lists of measure ids or \"pop\"");
        goto out;
    }
    sqlite3_bind_text(def, 1, id, -1, SQLITE_TRANSIENT);
    for (int k = 0; k < 5; k++)
        sqlite3_bind_text(def, k + 2,
                          json_string_value(json_object_get(ind, keys[k])), -1,
                          SQLITE_TRANSIENT);
    sqlite3_bind_int(def, 7, (int)json_integer_value(json_object_get(ind, "decimals")));
    sqlite3_bind_int(def, 8, (int)json_integer_value(json_object_get(ind, "polarity")));
    sqlite3_bind_text(def, 9, nt.data, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(def, 10, dt.data, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(def, 11, order);
    if (sqlite3_step(def) != SQLITE_DONE) {
        liia_error_set_value(e, id, strlen(id));
        rc = liia_db_fail(e, db, "storing an indicator (missing or invalid field)");
        goto out;
    }
    sqlite3_reset(def);
    rc = insert_terms(db, term, id, "num", num, e);
    if (rc == 0)
        rc = insert_terms(db, term, id, "den", den, e);
out:
    liia_buf_free(&nt);
    liia_buf_free(&dt);
    return rc;
}

static int load_small_tables(sqlite3 *db, json_t *doc, const char *path,
                             liia_error *e)
{
    json_t *units = json_object_get(doc, "units");
    json_t *pref = json_object_get(doc, "measure_source_preference");
    sqlite3_stmt *su = NULL, *sp = NULL;
    const char *k;
    json_t *v;
    size_t i;
    int rc = -1;
    if (!json_is_object(units) || !json_is_array(pref))
        return schema_fail(e, path, NULL, "\"units\" (object) and "
                           "\"measure_source_preference\" (list) are required");
    if (liia_db_prepare(db, "INSERT INTO unit_scale VALUES (?, ?)", &su, e) ||
        liia_db_prepare(db, "INSERT INTO measure_source_pref VALUES (?, ?)", &sp, e))
        goto out;
    json_object_foreach(units, k, v) {
        sqlite3_bind_text(su, 1, k, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(su, 2, json_number_value(v));
        if (sqlite3_step(su) != SQLITE_DONE || sqlite3_reset(su) != SQLITE_OK) {
            liia_db_fail(e, db, "storing a unit scale");
            goto out;
        }
    }
    json_array_foreach(pref, i, v) {
        sqlite3_bind_text(sp, 1, json_string_value(v), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(sp, 2, (int)i + 1);
        if (sqlite3_step(sp) != SQLITE_DONE || sqlite3_reset(sp) != SQLITE_OK) {
            liia_db_fail(e, db, "storing the measure source preference");
            goto out;
        }
    }
    rc = 0;
out:
    sqlite3_finalize(su);
    sqlite3_finalize(sp);
    return rc;
}

/* Every term must be 'pop' or a known measure: a typo in the catalogue
 * would otherwise give an indicator that is silently always null. */
static int check_terms(sqlite3 *db, const char *path, liia_error *e)
{
    sqlite3_stmt *st;
    int rc;
    if (liia_db_prepare(db, "SELECT indicator || ': ' || term FROM indicator_term "
                        "WHERE term <> 'pop' AND term NOT IN (SELECT id FROM measure_def) "
                        "UNION ALL SELECT id || ': ' || unit FROM indicator_def "
                        "WHERE unit NOT IN (SELECT unit FROM unit_scale) LIMIT 1",
                        &st, e))
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = schema_fail(e, path, (const char *)sqlite3_column_text(st, 0),
                         "unknown measure or unit");
    else if (rc == SQLITE_DONE)
        rc = 0;
    else
        rc = liia_db_fail(e, db, "checking the indicator catalogue");
    sqlite3_finalize(st);
    return rc;
}

static int load_doc(sqlite3 *db, json_t *doc, const char *path, liia_error *e)
{
    json_t *list = json_object_get(doc, "indicators");
    sqlite3_stmt *def = NULL, *term = NULL;
    json_t *ind;
    size_t i;
    int rc = -1;
    if (!json_is_array(list))
        return schema_fail(e, path, NULL, "\"indicators\" must be a list");
    if (liia_db_exec(db, "DELETE FROM indicator_term; DELETE FROM indicator_def; "
                     "DELETE FROM unit_scale; DELETE FROM measure_source_pref;", e) ||
        load_small_tables(db, doc, path, e) ||
        liia_db_prepare(db, "INSERT INTO indicator_def (id, title, theme, unit, kind, "
                        "definition, decimals, polarity, numerator_expr, "
                        "denominator_expr, sort_order) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        &def, e) ||
        liia_db_prepare(db, "INSERT INTO indicator_term VALUES (?, ?, ?)", &term, e))
        goto out;
    json_array_foreach(list, i, ind) {
        if (insert_indicator(db, def, term, ind, (int)i + 1, path, e))
            goto out;
    }
    rc = check_terms(db, path, e);
out:
    sqlite3_finalize(def);
    sqlite3_finalize(term);
    return rc;
}

int liia_engine_load_catalogue(sqlite3 *db, const char *schema_dir,
                               liia_error *e)
{
    char *path = liia_path_join(schema_dir, "indicators.json");
    json_error_t je;
    json_t *doc;
    int own_tx, rc;
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    doc = json_load_file(path, 0, &je);
    if (!doc) {
        e->line = je.line;
        e->column = je.column;
        rc = schema_fail(e, path, NULL, je.text);
        free(path);
        return rc;
    }
    own_tx = sqlite3_get_autocommit(db);
    rc = own_tx ? liia_db_begin(db, e) : 0;
    if (rc == 0)
        rc = load_doc(db, doc, path, e);
    if (rc == 0)
        rc = liia_engine_load_returns(db, schema_dir, e);
    if (own_tx && rc == 0)
        rc = liia_db_commit(db, e);
    else if (own_tx && rc != 0)
        liia_db_rollback(db);
    json_decref(doc);
    free(path);
    return rc;
}

int liia_engine_catalogue_open(const char *schema_dir, sqlite3 **out,
                               liia_error *e)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return liia_fail(e, LIIA_E_NOMEM, "cannot open a memory database");
    }
    if (liia_store_migrate(db, e) ||
        liia_reference_load(db, schema_dir, NULL, e) ||
        liia_engine_load_catalogue(db, schema_dir, e)) {
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}
