/* returns.c - loads schemas/returns.json: which returns are due from which
 * authorities in which quarters, how many days after the quarter's end,
 * and each authority's contact (migration 101); and the one grid of what
 * is owed that `status` and the portal both read. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "liia_engine.h"

static int returns_fail(liia_error *e, const char *path, const char *id, const char *what)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    if (id)
        liia_error_set_value(e, id, strlen(id));
    liia_error_fix(e, "correct schemas/returns.json (see docs/operations.md)");
    return liia_fail(e, LIIA_E_SCHEMA, "returns: %s", what);
}

/* ",1,4," from [1, 4]; NULL when an element is not a quarter 1-4. */
static int quarter_list(json_t *arr, char out[16])
{
    size_t i;
    json_t *q;
    liia_strlcpy(out, ",", 16);
    if (!json_array_size(arr) || json_array_size(arr) > 4)
        return -1;
    json_array_foreach(arr, i, q) {
        json_int_t v = json_integer_value(q);
        if (!json_is_integer(q) || v < 1 || v > 4)
            return -1;
        snprintf(out + strlen(out), 16 - strlen(out), "%d,", (int)v);
    }
    return 0;
}

/* ",CAM,ISL," from ["CAM", "ISL"]; "" for absent (every authority). */
static int code_list(json_t *arr, liia_buf *out)
{
    size_t i;
    json_t *c;
    liia_buf_reset(out);
    if (!arr)
        return 0;
    if (!json_array_size(arr) || liia_buf_appendf(out, ","))
        return -1;
    json_array_foreach(arr, i, c)
        if (!json_is_string(c) || liia_buf_appendf(out, "%s,", json_string_value(c)))
            return -1;
    return 0;
}

static int load_return(sqlite3 *db, sqlite3_stmt *st, json_t *r, const char *path,
                       liia_buf *codes, liia_error *e)
{
    const char *id = json_string_value(json_object_get(r, "id"));
    const char *expected = json_string_value(json_object_get(r, "expected"));
    json_t *days = json_object_get(r, "due_days");
    char quarters[16];
    if (!id)
        return returns_fail(e, path, NULL, "a return has no \"id\"");
    if (!expected || (strcmp(expected, "required") && strcmp(expected, "optional")))
        return returns_fail(e, path, id, "\"expected\" must be \"required\" or \"optional\"");
    if (quarter_list(json_object_get(r, "quarters"), quarters))
        return returns_fail(e, path, id, "\"quarters\" must list quarters 1 to 4");
    if (days && (!json_is_integer(days) || json_integer_value(days) < 0))
        return returns_fail(e, path, id, "\"due_days\" must be a whole number of 0 or more");
    if (code_list(json_object_get(r, "authorities"), codes))
        return returns_fail(e, path, id, "\"authorities\" must list short codes");
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, expected, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, quarters, -1, SQLITE_TRANSIENT);
    if (days)
        sqlite3_bind_int64(st, 4, json_integer_value(days));
    else
        sqlite3_bind_null(st, 4);
    if (codes->len)
        sqlite3_bind_text(st, 5, codes->data, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 5);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : liia_db_fail(e, db, "storing a return");
}

/* An address with one '@', something either side, a dot in the domain
 * and no space: enough to catch a name typed into the wrong field. */
static int plausible_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at > s && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
           at[strlen(at) - 1] != '.' && !strpbrk(s, " \t,;<>");
}

/* The programme team edits contacts by hand: each malformed entry is named
 * (its position and la) with what is wrong. */
static int check_contact(json_t *c, size_t i, const char *path, liia_error *e)
{
    const char *la = json_string_value(json_object_get(c, "la"));
    json_t *email = json_object_get(c, "email"), *ph = json_object_get(c, "placeholder");
    json_t *phone = json_object_get(c, "phone");
    char what[160];
    const char *bad = !json_is_object(c) ? "is not an object"
        : !la || !la[0] ? "needs \"la\", the authority's short code (CAM)"
        : !json_string_length(json_object_get(c, "name")) ? "needs a \"name\""
        : email && (!json_is_string(email) || !plausible_email(json_string_value(email)))
            ? "has an \"email\" that is not an address (name@domain)"
        : phone && !json_is_string(phone) ? "has a \"phone\" that is not text"
        : ph && !json_is_boolean(ph) ? "has a \"placeholder\" that is not true or false"
        : NULL;
    if (!bad)
        return 0;
    snprintf(what, sizeof what, "contact %zu (%s) %s", i + 1, la && la[0] ? la : "no la", bad);
    return returns_fail(e, path, NULL, what);
}

static int load_contact(sqlite3 *db, sqlite3_stmt *st, json_t *c, size_t i,
                        const char *path, liia_error *e)
{
    const char *la = json_string_value(json_object_get(c, "la"));
    const char *name = json_string_value(json_object_get(c, "name"));
    if (check_contact(c, i, path, e))
        return -1;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, json_string_value(json_object_get(c, "email")), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, json_string_value(json_object_get(c, "phone")), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, la, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return returns_fail(e, path, la, "two contacts for one authority: keep one");
    if (rc != SQLITE_DONE)
        return liia_db_fail(e, db, "storing a contact");
    if (sqlite3_changes(db) == 0)
        return returns_fail(e, path, la, "a contact's \"la\" is not a short code of "
                            "schemas/reference/authorities.csv");
    return 0;
}

static int load_doc(sqlite3 *db, json_t *doc, const char *path, liia_error *e)
{
    sqlite3_stmt *ret = NULL, *con = NULL;
    liia_buf codes;
    size_t i;
    json_t *x;
    int rc = -1;
    liia_buf_init(&codes);
    if (!json_is_array(json_object_get(doc, "returns")))
        return returns_fail(e, path, NULL, "\"returns\" must be a list");
    if (liia_db_exec(db, "DELETE FROM return_expectation; DELETE FROM authority_contact", e) ||
        liia_db_prepare(db, "INSERT INTO return_expectation VALUES (?, ?, ?, ?, ?)", &ret, e) ||
        liia_db_prepare(db, "INSERT INTO authority_contact (la_code, name, email, phone) "
                        "SELECT gss_code, ?1, ?2, ?3 FROM authority WHERE short_code = ?4",
                        &con, e))
        goto out;
    json_array_foreach(json_object_get(doc, "returns"), i, x)
        if (load_return(db, ret, x, path, &codes, e))
            goto out;
    if (json_object_get(doc, "contacts") && !json_is_array(json_object_get(doc, "contacts"))) {
        returns_fail(e, path, NULL, "\"contacts\" must be a list");
        goto out;
    }
    json_array_foreach(json_object_get(doc, "contacts"), i, x)
        if (load_contact(db, con, x, i, path, e))
            goto out;
    rc = 0;
out:
    sqlite3_finalize(ret);
    sqlite3_finalize(con);
    liia_buf_free(&codes);
    return rc;
}

int liia_engine_load_returns(sqlite3 *db, const char *schema_dir, liia_error *e)
{
    char *path = liia_path_join(schema_dir, "returns.json");
    json_error_t je;
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_t *doc = json_load_file(path, 0, &je);
    int rc;
    if (!doc) {
        e->line = je.line;
        e->column = je.column;
        rc = returns_fail(e, path, NULL, je.text);
    } else {
        rc = load_doc(db, doc, path, e);
    }
    json_decref(doc);
    free(path);
    return rc;
}

/* Whether return x (return_expectation) is due from authority a in quarter
 * P, and its due date (d: the portal's due_date first): one text for the
 * grid and the history.  Quarter 1 is April-June. */
#define IN_QUARTER(P)                                                                      \
    "coalesce(instr(x.quarters, ',' || ((CAST(strftime('%m', " P ") AS INTEGER) + 8) / 3 " \
    "% 4 + 1) || ',') > 0 AND (x.authorities IS NULL OR "                                  \
    "instr(x.authorities, ',' || a.short_code || ',') > 0), 0)"
#define DUE_DATE(P)                                                                        \
    "coalesce(d.due, iif(x.due_days IS NULL, NULL, date(" P ", '+' || x.due_days || "      \
    "' days')))"
/* a store init never loaded returns.json into counts every return as due */
#define DUE_NOW(P)                                                                         \
    "((" IN_QUARTER(P) " AND x.expected = 'required') OR (SELECT count(*) = 0 FROM "       \
    "return_expectation))"

/* ?1 period, ?2 one authority ("" = all), ?3 today, ?4 one return type
 * ("" = all), ?5 = 1 for only what is due and not in.  missing counts
 * catalogue measures without a value (quarterly return only). */
static const char grid_sql[] =
    "WITH cell AS (SELECT a.short_code, a.gss_code AS la_code, a.name, rt.id AS return_type, "
    "  s.id AS submission_id, s.status, s.version, s.received_at, s.errors, s.warnings, "
    "  " IN_QUARTER("?1") " AS this_quarter, " DUE_NOW("?1") " AS due_now, "
    "  " DUE_DATE("?1") " AS due_date, c.name AS contact, c.email AS contact_email "
    " FROM authority a CROSS JOIN return_type rt "
    " LEFT JOIN return_expectation x ON x.return_type = rt.id "
    " LEFT JOIN due_date d ON d.return_type = rt.id AND d.period = ?1 "
    " LEFT JOIN authority_contact c ON c.la_code = a.gss_code "
    " LEFT JOIN submission s ON s.id = (SELECT id FROM submission x WHERE "
    "  x.la_code = a.gss_code AND x.return_type = rt.id AND x.period = ?1 "
    "  AND x.status IN ('accepted', 'rejected') "
    "  ORDER BY x.status = 'accepted' DESC, x.id DESC LIMIT 1) "
    " WHERE (?2 = '' OR a.gss_code = ?2) AND (?4 = '' OR rt.id = ?4)), "
    "flagged AS (SELECT cell.*, g.signed_by, g.at AS signed_at, "
    "  (SELECT count(*) FROM finding f WHERE f.submission_id = cell.submission_id "
    "   AND cell.status = 'accepted' AND f.severity = 'warning' AND NOT EXISTS "
    "   (SELECT 1 FROM explanation e WHERE e.finding_id = f.id)) AS unexplained "
    "  FROM cell LEFT JOIN signoff g ON g.submission_id = cell.submission_id "
    "   AND cell.status = 'accepted') "
    "SELECT short_code, la_code, name, return_type, "
    "  CASE WHEN status = 'accepted' THEN 'submitted' WHEN status = 'rejected' THEN 'rejected' "
    "       WHEN due_now THEN 'missing' ELSE 'not due' END AS state, "
    "  CASE WHEN due_now THEN 'due' WHEN this_quarter THEN 'optional' "
    "       ELSE 'not due' END AS expected, "
    "  version, received_at, errors, warnings, "
    "  CASE WHEN status = 'accepted' AND return_type = 'quarterly' THEN "
    "    (SELECT count(*) FROM measure_def) - (SELECT count(*) FROM submission_value v "
    "     WHERE v.submission_id = flagged.submission_id AND v.value IS NOT NULL) END AS missing, "
    "  iif(due_now, due_date, NULL) AS due, "
    "  CASE WHEN NOT due_now OR due_date IS NULL THEN NULL "
    "       WHEN status = 'accepted' THEN max(0, CAST(julianday(date(received_at)) - "
    "        julianday(due_date) AS INTEGER)) "
    "       ELSE max(0, CAST(julianday(date(?3)) - julianday(due_date) AS INTEGER)) END "
    "   AS days_late, "
    "  contact, contact_email, submission_id, "
    "  iif(status = 'accepted', unexplained, NULL) AS unexplained, signed_by, signed_at, "
    "  CASE WHEN status = 'rejected' THEN 'rejected' "
    "       WHEN status IS NULL THEN iif(due_now, 'not sent', 'not due') "
    "       WHEN errors > 0 THEN 'errors to fix' WHEN signed_at IS NOT NULL THEN 'signed off' "
    "       WHEN unexplained > 0 THEN 'awaiting explanation' "
    "       ELSE 'awaiting sign-off' END AS workflow "
    "FROM flagged WHERE ?5 = 0 OR (due_now AND coalesce(status, '') <> 'accepted') "
    "ORDER BY name, return_type";

int liia_returns_grid(sqlite3 *db, const liia_returns_grid_opts *o, sqlite3_stmt **st,
                      liia_error *e)
{
    if (liia_db_prepare(db, grid_sql, st, e))
        return -1;
    sqlite3_bind_text(*st, 1, o->period, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*st, 2, o->la_code ? o->la_code : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*st, 3, o->today && o->today[0] ? o->today : "now", -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(*st, 4, o->return_type ? o->return_type : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(*st, 5, o->missing_only);
    return 0;
}

/* Every version received, with its due date and days late (to the day it
 * arrived) when the return was due, and the authority's contact; ?1 one
 * authority ("" = all), ?2 one quarter ("" = all), ?3 received on or after
 * ("" = any).  One authority: newest quarter first, within it the files
 * in the order they arrived; every authority: in the order they arrived.
 * The order is the id's (received_at has whole seconds: files of the same
 * second came out by period and return type). */
static const char history_sql[] =
    "SELECT s.id, s.period, s.return_type, s.version, s.status, s.received_at, s.file_name, "
    "  s.sha256, s.errors, s.warnings, s.rows, s.supersedes, g.signed_by, g.at AS signed_at, "
    "  s.la_code, iif(" DUE_NOW("s.period") ", " DUE_DATE("s.period") ", NULL) AS due, "
    "  iif(" DUE_NOW("s.period") ", max(0, CAST(julianday(date(s.received_at)) - "
    "   julianday(" DUE_DATE("s.period") ") AS INTEGER)), NULL) AS days_late, "
    "  c.name AS contact, c.email AS contact_email "
    "FROM submission s JOIN authority a ON a.gss_code = s.la_code "
    "LEFT JOIN signoff g ON g.submission_id = s.id "
    "LEFT JOIN return_expectation x ON x.return_type = s.return_type "
    "LEFT JOIN due_date d ON d.return_type = s.return_type AND d.period = s.period "
    "LEFT JOIN authority_contact c ON c.la_code = s.la_code "
    "WHERE (?1 = '' OR s.la_code = ?1) AND (?2 = '' OR s.period = ?2) "
    "AND (?3 = '' OR s.received_at >= ?3) "
    "ORDER BY CASE WHEN ?1 = '' THEN s.id END, s.period DESC, s.id";

int liia_returns_history(sqlite3 *db, const char *la_code, const char *period,
                         const char *since, sqlite3_stmt **st, liia_error *e)
{
    if (liia_db_prepare(db, history_sql, st, e))
        return -1;
    sqlite3_bind_text(*st, 1, la_code ? la_code : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*st, 2, period ? period : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*st, 3, since ? since : "", -1, SQLITE_TRANSIENT);
    return 0;
}
