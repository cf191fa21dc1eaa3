/* workflow.c - the quarter: warnings explained, sign-off, due dates, the
 * programme team's grid and chase list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "liia_engine.h"

#define NOTE_MAX 2000

/* One row's integer columns of a submission visible to a. */
struct sub_state {
    char la[10];
    int accepted, errors, unexplained, signed_off;
};

static int sub_state(sqlite3 *db, const liia_actor *a, long long id, struct sub_state *s,
                     liia_error *e)
{
    memset(s, 0, sizeof *s);
    if (app_submission_la(db, a, id, s->la, e))
        return -1;
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT s.status = 'accepted', s.errors, (SELECT count(*) FROM "
                            "finding f WHERE f.submission_id = s.id AND f.severity = 'warning' "
                            "AND NOT EXISTS (SELECT 1 FROM explanation x WHERE x.finding_id = "
                            "f.id)), EXISTS (SELECT 1 FROM signoff g WHERE g.submission_id = "
                            "s.id) FROM submission s WHERE s.id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->accepted = sqlite3_column_int(st, 0);
        s->errors = sqlite3_column_int(st, 1);
        s->unexplained = sqlite3_column_int(st, 2);
        s->signed_off = sqlite3_column_int(st, 3);
    }
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading a submission");
    return 0;
}

static int insert_explanation(sqlite3 *db, const liia_actor *a, long long sub, long long fid,
                              const char *note, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT OR REPLACE INTO explanation (finding_id, submission_id, "
                            "note, author, at) SELECT id, submission_id, ?3, ?4, "
                            "datetime('now') FROM finding WHERE id = ?2 AND submission_id = ?1 "
                            "AND severity = 'warning'", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, sub);
    sqlite3_bind_int64(st, 2, fid);
    sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "recording an explanation");
    return sqlite3_changes(db) ? 0
                               : app_refuse(e, LIIA_APP_NOT_FOUND, "that submission has no "
                                            "warning %lld", fid);
}

int liia_app_explain(sqlite3 *db, const liia_actor *a, long long sub, long long fid,
                     const char *note, liia_error *e)
{
    static const liia_role who[] = {LIIA_ROLE_DATA_LEAD, LIIA_ROLE_DCS, 0};
    struct sub_state s;
    char target[64];
    snprintf(target, sizeof target, "submission %lld finding %lld", sub, fid);
    /* Characters, not bytes: 2000 euro signs are 6000 bytes.  A note that
     * is not UTF-8 is refused: stored, it would break every page showing
     * the submission (JSON cannot carry it). */
    size_t n = liia_app_utf8_length(note);
    int rc = app_allowed(a, who) ? 0
             : app_refuse(e, LIIA_APP_DENIED, "a %s may not explain warnings",
                          liia_role_name(a->role));
    if (!rc && !liia_app_utf8_valid(note)) {
        liia_error_fix(e, "type the note again (or paste it as plain text) and save it");
        rc = app_refuse(e, LIIA_APP_INVALID, "the note is not valid UTF-8 text");
    }
    if (!rc && (n == 0 || n > NOTE_MAX)) {
        liia_error_fix(e, "write the explanation in 1 to %d characters", NOTE_MAX);
        rc = app_refuse(e, LIIA_APP_INVALID, "a note is 1 to %d characters (this one is %zu)",
                        NOTE_MAX, n);
    }
    if (!rc)
        rc = sub_state(db, a, sub, &s, e);
    if (!rc && (!s.accepted || s.signed_off)) {
        liia_error_fix(e, "%s", s.signed_off ? "nothing to do: this version is signed off"
                       : "explain the warnings of the current version (the history page "
                         "lists every version)");
        rc = app_refuse(e, LIIA_APP_CONFLICT, "only the current, unsigned version's warnings "
                        "are explained");
    }
    if (!rc)
        rc = insert_explanation(db, a, sub, fid, note, e);
    if (rc) {
        app_audit_error(db, a, "explain", target, e);
        return -1;
    }
    return liia_app_audit(db, a, "explain", target, "ok", NULL, e);
}

int liia_app_sign_off(sqlite3 *db, const liia_actor *a, long long sub, liia_error *e)
{
    struct sub_state s;
    char target[32];
    snprintf(target, sizeof target, "submission %lld", sub);
    int may = a->role == LIIA_ROLE_OPERATOR || a->role == LIIA_ROLE_DCS ||
              (a->role == LIIA_ROLE_DATA_LEAD && a->can_sign_off);
    int rc = may ? 0 : app_refuse(e, LIIA_APP_DENIED, "only the authority's DCS (or a data "
                                  "lead they delegate to) signs off");
    if (!rc)
        rc = sub_state(db, a, sub, &s, e);
    if (!rc && (!s.accepted || s.signed_off || s.errors || s.unexplained)) {
        liia_error_fix(e, "%s", !s.accepted ? "sign off the current version (the history page "
                                              "lists every version)"
                       : s.signed_off ? "nothing to do: it is already signed off"
                       : s.errors ? "upload a corrected return, then sign off the new version"
                                  : "explain each warning on the validation page (Save note), "
                                    "then sign off");
        rc = app_refuse(e, LIIA_APP_CONFLICT, !s.accepted ? "only the current accepted version "
                        "is signed off" : s.signed_off ? "already signed off"
                        : s.errors ? "errors must be fixed by uploading a corrected return"
                                   : "every warning needs an explanation first");
    }
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = liia_db_prepare(db, "INSERT INTO signoff (submission_id, signed_by, role, at) "
                                 "VALUES (?1, ?2, ?3, datetime('now'))", &st, e);
    if (!rc) {
        sqlite3_bind_int64(st, 1, sub);
        sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, liia_role_name(a->role), -1, SQLITE_STATIC);
        int s2 = sqlite3_step(st);
        if ((s2 != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
            rc = liia_db_fail(e, db, "recording a sign-off");
    }
    if (rc) {
        app_audit_error(db, a, "sign off", target, e);
        return -1;
    }
    return liia_app_audit(db, a, "sign off", target, "ok", NULL, e);
}

/* A real calendar date as YYYY-MM-DD (SQLite's date() would roll 02-30
 * over into March). */
static int valid_date(const char *s)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, n = 0;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        y < 2000 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return 0;
    return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

int liia_app_due_set(sqlite3 *db, const liia_actor *a, const char *return_type,
                     const char *period_in, const char *due, liia_error *e)
{
    static const liia_role who[] = {LIIA_ROLE_PROGRAMME, 0};
    char period[11], target[64];
    if (app_require(db, a, "set due dates", who, e))
        return -1;
    int rc = period_in && period_in[0] ? app_period(db, period_in, period, e)
                                       : app_refuse(e, LIIA_APP_INVALID, "name the quarter");
    if (!rc && !valid_date(due)) {
        liia_error_fix(e, "give a real date, e.g. 2025-05-01");
        rc = app_refuse(e, LIIA_APP_INVALID, "give the due date as YYYY-MM-DD");
    }
    snprintf(target, sizeof target, "%s %s", return_type ? return_type : "?",
             rc ? "?" : period);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = liia_db_prepare(db, "INSERT OR REPLACE INTO due_date (return_type, period, due, "
                                 "set_by, set_at) SELECT id, ?2, ?3, ?4, datetime('now') FROM "
                                 "return_type WHERE id = ?1", &st, e);
    if (!rc) {
        sqlite3_bind_text(st, 1, return_type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, due, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        if ((s != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
            rc = liia_db_fail(e, db, "setting a due date");
        else if (!sqlite3_changes(db)) {
            liia_error_fix(e, "choose the return from the form's list");
            rc = app_refuse(e, LIIA_APP_INVALID, "no return type '%s'", return_type);
        }
    }
    if (rc) {
        app_audit_error(db, a, "set due date", target, e);
        return -1;
    }
    return liia_app_audit(db, a, "set due date", target, "ok", due, e);
}

/* The grid is engine/returns.c's (the one `status` prints), its state the
 * portal's workflow: not due, not sent, rejected, errors to fix, awaiting
 * explanation, awaiting sign-off, signed off. */
static int grid_rows(sqlite3 *db, const liia_actor *a, const char *period_in, const char *today,
                     char period[11], json_t **rows, liia_error *e)
{
    static const liia_role who[] = {LIIA_ROLE_DATA_LEAD, LIIA_ROLE_DCS, LIIA_ROLE_PROGRAMME, 0};
    sqlite3_stmt *st;
    size_t i;
    json_t *row;
    if (app_require(db, a, "see the quarter's grid", who, e) ||
        app_period(db, period_in, period, e))
        return -1;
    liia_returns_grid_opts g = {.period = period, .la_code = app_scoped(a) ? a->la_code : "",
                                .today = today};
    if (liia_returns_grid(db, &g, &st, e) ||
        app_rows_json(db, st, rows, "reading the quarter's grid", e))
        return -1;
    json_array_foreach(*rows, i, row) {
        json_t *w = json_object_get(row, "workflow");
        if (json_object_set(row, "return_state", json_object_get(row, "state")) ||
            json_object_set(row, "state", w) || json_object_del(row, "workflow")) {
            json_decref(*rows);
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
    }
    return 0;
}

int liia_app_grid(sqlite3 *db, const liia_actor *a, const char *period_in, const char *today,
                  json_t **out, liia_error *e)
{
    char period[11], label[48] = "";
    json_t *rows;
    if (grid_rows(db, a, period_in, today, period, &rows, e))
        return -1;
    if (period[0])
        liia_period_label(period, label, sizeof label);
    *out = json_pack("{s:s, s:s, s:o}", "period", period, "label", label, "grid", rows);
    return *out ? 0 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
}

static void csv_cell(FILE *f, json_t *v, int last)
{
    char num[32];
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        s = num;
    }
    liia_csv_write_field(f, s, 1);
    fputc(last ? '\n' : ',', f);
}

int liia_app_chase_csv(sqlite3 *db, const liia_actor *a, const char *period_in,
                       const char *today, char **csv, liia_error *e)
{
    static const char *const cols[] = {"short_code", "la_code", "name", "return_type",
                                       "state", "due", "days_late", "errors", "unexplained"};
    static const liia_role who[] = {LIIA_ROLE_PROGRAMME, 0};
    char period[11];
    json_t *rows, *row;
    size_t i, len;
    if (app_require(db, a, "download the chase list", who, e) ||
        grid_rows(db, a, period_in, today, period, &rows, e))
        return -1;
    FILE *f = open_memstream(csv, &len);
    if (!f) {
        json_decref(rows);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    fputs("period,short_code,la_code,authority,return_type,state,due,days_late,errors,"
          "unexplained_warnings\n", f);
    json_array_foreach(rows, i, row) {
        const char *state = json_string_value(json_object_get(row, "state"));
        if (!strcmp(state, "signed off") || !strcmp(state, "not due"))
            continue;
        fprintf(f, "%s,", period);
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
            csv_cell(f, json_object_get(row, cols[c]), c + 1 == sizeof cols / sizeof cols[0]);
    }
    json_decref(rows);
    if (fclose(f) != 0) {
        free(*csv);
        *csv = NULL;
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    return liia_app_audit(db, a, "download", "chase list", "ok", period, e);
}
