/* children.c - a child-level return read child by child: each finding's
 * child, and one child's stored rows with the cells that have findings,
 * so a data lead sees one child's problems together (as the findings
 * workbook does for the quarterly return, without copying the file).
 *
 * A child is only ever named by its pseudonym, the hex of the keyed HMAC
 * the store holds (docs/ssda903.md): raw identifiers never reach the
 * store, so they cannot reach a page.  Which tables, store tables and
 * columns a return has is read from its schema (tables.json), so another
 * child-level return (CIN) needs no code here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "liia_ingest.h"

#define CHILD_ROWS_MAX 500 /* per table: one child's rows, bounded */

/* A string member of an object, "" if absent. */
static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int ident_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 48)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (p > s && *p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

/* The tables of a return's schema (NULL, no error, for an unknown return
 * or a schema without tables). */
static int schema_tables(const char *return_type, json_t **tables,
                         int *by_record, liia_error *e)
{
    *tables = NULL;
    if (by_record)
        *by_record = 0;
    const liia_return_info *info = liia_ingest_return_find(return_type);
    if (!info)
        return 0;
    char *path = liia_path_join(liia_schema_dir(), info->schema);
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_error_t je;
    json_t *schema = json_load_file(path, 0, &je);
    if (!schema) {
        liia_fail(e, LIIA_E_IO, "cannot read %s: %s", path, je.text);
        free(path);
        return -1;
    }
    free(path);
    json_t *t = json_object_get(schema, "tables");
    *tables = json_is_array(t) ? json_incref(t) : NULL;
    /* "key": "record": rows are stored by record number (an XML return),
     * not by line */
    const char *key = json_string_value(json_object_get(schema, "key"));
    if (by_record)
        *by_record = key && !strcmp(key, "record");
    json_decref(schema);
    return 0;
}

static const char *child_column(json_t *table);

/* The tables of a child-level return's schema: NULL, no error, for a
 * return none of whose tables has a child column (the quarterly return).
 * A census is one file but child-level all the same. */
static int child_tables(const char *return_type, json_t **tables, int *by_record,
                        liia_error *e)
{
    json_t *t;
    size_t i;
    int yes = 0;
    if (schema_tables(return_type, tables, by_record, e))
        return -1;
    json_array_foreach(*tables, i, t)
        yes = yes || child_column(t) != NULL;
    if (!yes) {
        json_decref(*tables);
        *tables = NULL;
    }
    return 0;
}

int app_child_level(const char *return_type, int *yes, liia_error *e)
{
    json_t *tables;
    if (child_tables(return_type, &tables, NULL, e))
        return -1;
    *yes = tables != NULL;
    json_decref(tables);
    return 0;
}

/* The store column of a table's child identifier, or NULL. */
static const char *child_column(json_t *table)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(table, "columns"), i, c) {
        const char *store = json_string_value(json_object_get(c, "store"));
        const char *type = json_string_value(json_object_get(c, "type"));
        if (type && !strcmp(type, "child") && ident_ok(store))
            return store;
    }
    return NULL;
}

/* Each finding of one table gets the pseudonym of the child on its stored
 * row, "row" (one prepared statement a table, one key lookup a finding). */
static int table_children(sqlite3 *db, json_t *t, long long sid, json_t *findings,
                          liia_error *e)
{
    const char *store = str(t, "store"), *col = child_column(t), *name = str(t, "name");
    if (!col || !ident_ok(store))
        return 0;
    char sql[192];
    sqlite3_stmt *st;
    /* names from the schema (checked by ident_ok, quoted with %w: DDL names
     * cannot be bound); the row is bound */
    sqlite3_snprintf(sizeof sql, sql, "SELECT hex(\"%w\") FROM \"%w\" WHERE id = ?1 AND "
                     "\"%w\" IS NOT NULL", col, store, col);
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    json_t *f;
    size_t i;
    int rc = SQLITE_DONE;
    json_array_foreach(findings, i, f) {
        long long row = json_integer_value(json_object_get(f, "row"));
        if (strcmp(str(f, "table"), name) || row <= 0 || row > 0xffffffffLL)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sid << 32) | row);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW &&
            json_object_set_new(f, "child", json_string(app_text(st, 0))) != 0) {
            sqlite3_finalize(st); /* jansson's failure is memory, not the store's */
            return liia_fail(e, LIIA_E_NOMEM, "out of memory reading a finding's child");
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            break;
    }
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading a finding's child");
    return 0;
}

int app_findings_children(sqlite3 *db, const char *return_type, long long sid,
                          json_t *findings, liia_error *e)
{
    json_t *tables, *f, *t;
    size_t i;
    int by_record;
    if (child_tables(return_type, &tables, &by_record, e))
        return -1;
    if (!tables)
        return 0;
    int rc = 0;
    /* "row": the stored row a finding is on, as the child's rows number
     * them (its record in a census, its line in a CSV table; 0: none) */
    json_array_foreach(findings, i, f) {
        json_t *at = json_object_get(f, by_record ? "record" : "line");
        if (json_object_set_new(f, "child", json_null()) ||
            json_object_set_new(f, "row", json_integer(json_integer_value(at))))
            rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    json_array_foreach(tables, i, t)
        if (!rc)
            rc = table_children(db, t, sid, findings, e);
    json_decref(tables);
    return rc;
}

static int return_type_of(sqlite3 *db, long long sid, char rt[32], liia_error *e);

/* How many distinct children of submission sid in one table have a
 * pseudonym starting with prefix (upper-case hex digits only, so LIKE
 * sees no wildcard); the first found into full. */
static int prefix_matches(sqlite3 *db, json_t *t, long long sid, const char *prefix,
                          char full[65], int *n, liia_error *e)
{
    const char *store = str(t, "store"), *col = child_column(t);
    if (!col || !ident_ok(store))
        return 0;
    char sql[256];
    sqlite3_stmt *st;
    /* names from the schema (DDL names cannot be bound), quoted with %w;
     * every value is bound */
    sqlite3_snprintf(sizeof sql, sql, "SELECT DISTINCT hex(\"%w\") FROM \"%w\" WHERE id "
                     "BETWEEN ?1 AND ?1 + 4294967295 AND hex(\"%w\") LIKE ?2 || '%%' LIMIT 2",
                     col, store, col);
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, sid << 32);
    sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!*n || strcmp(full, app_text(st, 0))) {
            if (!*n)
                liia_strlcpy(full, app_text(st, 0), 65);
            ++*n;
        }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "finding a child by pseudonym");
    return 0;
}

/* A pseudonym's hex digits (the store holds LIIA_PID_BYTES bytes). */
#define PID_HEX (2 * LIIA_PID_BYTES)
#define PID_HEX_TEXT "32"
_Static_assert(PID_HEX == 32, "PID_HEX_TEXT names the pseudonym's digits");

/* A pseudonym given in full, or by the unique prefix of at least 12 hex
 * digits the validation page shows, as all PID_HEX (upper case). */
static int child_resolve(sqlite3 *db, json_t *tables, long long sid, const char *child,
                         char full[65], liia_error *e)
{
    size_t len = child ? strlen(child) : 0, i;
    char prefix[65];
    int n = 0;
    json_t *t;
    if (len < 12 || len > PID_HEX || strspn(child, "0123456789abcdefABCDEF") != len) {
        liia_error_fix(e, "give the child's pseudonym as shown on the validation page (its "
                          "first 12 hexadecimal digits or more, up to all " PID_HEX_TEXT "), never the "
                          "child's own identifier");
        return app_refuse(e, LIIA_APP_INVALID, "that is not a child's pseudonym");
    }
    for (i = 0; i <= len; i++)
        prefix[i] = (char)(child[i] >= 'a' && child[i] <= 'f' ? child[i] - 32 : child[i]);
    if (len == PID_HEX) {
        memcpy(full, prefix, PID_HEX + 1);
        return 0;
    }
    json_array_foreach(tables, i, t)
        if (n < 2 && prefix_matches(db, t, sid, prefix, full, &n, e))
            return -1;
    if (n == 1)
        return 0;
    liia_error_fix(e, n ? "give more of the pseudonym's digits (the child's link on the "
                          "validation page has all " PID_HEX_TEXT ")"
                        : "check the digits against the Child column of this submission");
    return app_refuse(e, LIIA_APP_INVALID, n ? "more than one child's pseudonym begins %s"
                      : "no child of this submission has a pseudonym beginning %s", prefix);
}

int liia_app_child_resolve(sqlite3 *db, const liia_actor *a, long long id, const char *child,
                           char full[65], liia_error *e)
{
    char gss[10], rt[32];
    json_t *tables = NULL;
    int rc = app_allowed(a, (const liia_role[]){LIIA_ROLE_DATA_LEAD, LIIA_ROLE_DCS,
                                                 LIIA_ROLE_PROGRAMME, 0})
                 ? 0 : app_refuse(e, LIIA_APP_DENIED, "a %s may not see children",
                                  liia_role_name(a->role));
    if (!rc)
        rc = app_submission_la(db, a, id, gss, e) || return_type_of(db, id, rt, e) ||
             child_tables(rt, &tables, NULL, e) ? -1 : 0;
    if (!rc)
        rc = child_resolve(db, tables, id, child, full, e);
    json_decref(tables);
    return rc;
}

/* A pseudonym as PID_HEX hex digits (either case) into its bytes. */
static int app_child_ok(const char *child, unsigned char pid[LIIA_PID_BYTES])
{
    if (!child || strlen(child) != PID_HEX)
        return 0;
    for (int i = 0; i < LIIA_PID_BYTES; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = child[2 * i + j];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0)
                return 0;
            v = v * 16 + (unsigned)d;
        }
        pid[i] = (unsigned char)v;
    }
    return 1;
}

/* One stored table's rows of the child: {table, columns, rows: [{line,
 * cells}], truncated}.  A column the store does not keep (UPN) is null. */
static int table_rows(sqlite3 *db, json_t *t, long long sid,
                      const unsigned char pid[LIIA_PID_BYTES],
                      json_t **out, liia_error *e)
{
    const char *store = json_string_value(json_object_get(t, "store"));
    const char *ccol = child_column(t);
    json_t *cols = json_object_get(t, "columns"), *c, *names = json_array(), *kept = json_array();
    size_t i;
    liia_buf sql;
    liia_buf_init(&sql);
    int bad = !names || !kept || liia_buf_appendf(&sql, "SELECT id & 4294967295");
    json_array_foreach(cols, i, c) {
        const char *s = json_string_value(json_object_get(c, "store"));
        const char *type = json_string_value(json_object_get(c, "type"));
        int child = type && !strcmp(type, "child");
        bad = bad || json_array_append_new(names, json_string(str(c, "name"))) ||
              json_array_append_new(kept, json_boolean(ident_ok(s))) ||
              (ident_ok(s) ? liia_buf_appendf(&sql, child ? ", hex(%s)" : ", %s", s)
                           : liia_buf_appendf(&sql, ", NULL"));
    }
    bad = bad || liia_buf_appendf(&sql, " FROM %s WHERE id BETWEEN ?1 AND ?1 + 4294967295 AND "
                                        "%s = ?2 ORDER BY id LIMIT %d", store, ccol,
                                  CHILD_ROWS_MAX + 1);
    sqlite3_stmt *st = NULL;
    if (bad) {
        json_decref(names);
        json_decref(kept);
        liia_buf_free(&sql);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    int rc = liia_db_prepare(db, sql.data, &st, e);
    liia_buf_free(&sql);
    if (rc) {
        json_decref(names);
        json_decref(kept);
        return -1;
    }
    sqlite3_bind_int64(st, 1, sid << 32);
    sqlite3_bind_blob(st, 2, pid, LIIA_PID_BYTES, SQLITE_STATIC);
    json_t *rows = json_array();
    int n = 0;
    while (rows && (rc = sqlite3_step(st)) == SQLITE_ROW && n++ < CHILD_ROWS_MAX) {
        json_t *row = app_row_json(st), *cells = json_array();
        int full = !row || !cells;
        for (int k = 1; !full && k < sqlite3_column_count(st); k++)
            full = json_array_append(cells, json_object_get(row, sqlite3_column_name(st, k)));
        json_decref(row);
        if (full)
            json_decref(cells);
        if (full || json_array_append_new(rows, json_pack("{s:I, s:o}", "line",
                                                          (json_int_t)sqlite3_column_int64(st, 0),
                                                          "cells", cells))) {
            json_decref(rows); /* out of memory: reported below */
            rows = NULL;
        }
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK);
    if (failed || !rows) {
        json_decref(rows);
        json_decref(names);
        json_decref(kept);
        return failed ? liia_db_fail(e, db, "reading a child's rows")
                      : liia_fail(e, LIIA_E_NOMEM, "out of memory reading a child's rows");
    }
    *out = json_pack("{s:s, s:o, s:o, s:o, s:b}", "table", str(t, "name"), "columns", names,
                     "stored", kept,
                     "rows", rows, "truncated", n > CHILD_ROWS_MAX);
    return *out ? 0 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
}

static int return_type_of(sqlite3 *db, long long sid, char rt[32], liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT return_type FROM submission WHERE id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, sid);
    int rc = sqlite3_step(st);
    liia_strlcpy(rt, rc == SQLITE_ROW ? app_text(st, 0) : "", 32);
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading a submission");
    return 0;
}

int liia_app_child(sqlite3 *db, const liia_actor *a, long long id, const char *child,
                   json_t **out, liia_error *e)
{
    static const liia_role readers[] = {LIIA_ROLE_DATA_LEAD, LIIA_ROLE_DCS,
                                        LIIA_ROLE_PROGRAMME, 0};
    char gss[10], rt[32], target[48];
    unsigned char pid[LIIA_PID_BYTES];
    json_t *tables = NULL, *t, *list = NULL;
    size_t i;
    int by_record = 0;
    snprintf(target, sizeof target, "submission %lld child", id);
    if (app_require(db, a, "see a child's findings", readers, e))
        return -1;
    int rc = app_submission_la(db, a, id, gss, e) || return_type_of(db, id, rt, e) ||
             child_tables(rt, &tables, &by_record, e);
    if (!rc && !tables)
        rc = app_refuse(e, LIIA_APP_INVALID, "a %s return has no children: only child-level "
                        "returns are read child by child", rt);
    char full[65];
    if (!rc)
        rc = child_resolve(db, tables, id, child, full, e);
    if (!rc && !app_child_ok(full, pid))
        rc = app_refuse(e, LIIA_APP_INVALID, "that is not a child's pseudonym");
    if (!rc && !(list = json_array()))
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_array_foreach(tables, i, t) {
        json_t *one;
        if (rc || !ident_ok(json_string_value(json_object_get(t, "store"))) || !child_column(t))
            continue;
        if (!(rc = table_rows(db, t, id, pid, &one, e)))
            json_array_append_new(list, one);
    }
    json_decref(tables);
    if (rc) {
        json_decref(list);
        app_audit_error(db, a, "view a child", target, e);
        return -1;
    }
    char hex[PID_HEX + 1];
    for (int k = 0; k < LIIA_PID_BYTES; k++)
        snprintf(hex + 2 * k, 3, "%02X", pid[k]);
    /* rows[].line is the row's record number in a census, its line in a
     * CSV table: "numbered_by" says which, for the page's heading */
    *out = json_pack("{s:I, s:s, s:o, s:s}", "submission_id", (json_int_t)id, "child", hex,
                     "tables", list, "numbered_by", by_record ? "record" : "line");
    if (!*out)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return liia_app_audit(db, a, "view a child", target, "ok", NULL, e);
}
