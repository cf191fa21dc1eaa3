/* util.c - access checks and row-to-JSON helpers shared by the use cases. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app_internal.h"

/* The one lock of the application layer (see app_internal.h). */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

void app_report_lock(void)
{
    (void)pthread_mutex_lock(&report_lock); /* a default mutex: cannot fail here */
}

void app_report_unlock(void)
{
    (void)pthread_mutex_unlock(&report_lock);
}

int app_refuse(liia_error *e, const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->status = LIIA_E_USAGE;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    liia_strlcpy(e->rule_id, rule, sizeof e->rule_id);
    return -1;
}

int app_scoped(const liia_actor *a)
{
    return a->role == LIIA_ROLE_DATA_LEAD || a->role == LIIA_ROLE_DCS;
}

int app_sees_la(const liia_actor *a, const char *la)
{
    if (a->role == LIIA_ROLE_OPERATOR || a->role == LIIA_ROLE_PROGRAMME)
        return 1;
    return app_scoped(a) && la && la[0] && !strcmp(a->la_code, la);
}

int app_allowed(const liia_actor *a, const liia_role *roles)
{
    if (a->role == LIIA_ROLE_OPERATOR)
        return 1;
    for (; *roles; roles++)
        if (*roles == a->role)
            return 1;
    return 0;
}

int app_require(sqlite3 *db, const liia_actor *a, const char *action,
                const liia_role *roles, liia_error *e)
{
    if (app_allowed(a, roles))
        return 0;
    app_refuse(e, LIIA_APP_DENIED, "a %s may not %s", liia_role_name(a->role), action);
    app_audit_error(db, a, action, NULL, e);
    return -1;
}

void app_audit_error(sqlite3 *db, const liia_actor *a, const char *action,
                     const char *target, const liia_error *e)
{
    liia_error ignored;
    liia_error_clear(&ignored);
    int refused = e->status == LIIA_E_USAGE || e->status == LIIA_E_DATA;
    /* Best effort: the caller already reports e; a failed audit write
     * would only replace it. */
    (void)liia_app_audit(db, a, action, target, refused ? "refused" : "failed",
                         e->rule_id[0] ? e->rule_id : liia_status_name(e->status),
                         &ignored);
}

const char *app_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* A stored text as JSON: the store may hold bytes that are not UTF-8 (a
 * row written before the portal cleaned its input, a message cut inside a
 * character), and jansson refuses those; they are shown as U+FFFD rather
 * than failing the whole page. */
json_t *app_row_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; o && i < sqlite3_column_count(st); i++) {
        int t = sqlite3_column_type(st, i);
        json_t *v = t == SQLITE_NULL      ? json_null()
                    : t == SQLITE_INTEGER ? json_integer(sqlite3_column_int64(st, i))
                    : t == SQLITE_FLOAT   ? json_real(sqlite3_column_double(st, i))
                                          : liia_app_json_text(app_text(st, i));
        if (!v || json_object_set_new(o, sqlite3_column_name(st, i), v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

int app_rows_json(sqlite3 *db, sqlite3_stmt *st, json_t **out, const char *what,
                  liia_error *e)
{
    json_t *arr = json_array();
    int rc = SQLITE_ROW, oom = !arr;
    while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW)
        oom = json_array_append_new(arr, app_row_json(st)) != 0;
    int finalized = sqlite3_finalize(st);
    if (oom) { /* jansson's NULL: memory, not the store (whose error is "not an error") */
        json_decref(arr);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory %s", what);
    }
    if ((rc != SQLITE_DONE) | (finalized != SQLITE_OK)) {
        json_decref(arr);
        return liia_db_fail(e, db, what);
    }
    *out = arr;
    return 0;
}

int app_period(sqlite3 *db, const char *given, char period[11], liia_error *e)
{
    period[0] = '\0';
    if (given && given[0]) {
        if (liia_period_parse(given, period, e) == 0)
            return 0;
        e->status = LIIA_E_USAGE; /* a bad request, not rejected data */
        return -1;
    }
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT max(period) FROM submission", &st, e))
        return -1;
    int rc = sqlite3_step(st);
    liia_strlcpy(period, rc == SQLITE_ROW ? app_text(st, 0) : "", 11);
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "finding the latest quarter");
    return 0;
}

int app_resolve_la(sqlite3 *db, const char *la, char gss[10], liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT count(*) FROM authority", &st, e))
        return -1;
    int rc = sqlite3_step(st), n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "counting authorities");
    if (!n && liia_reference_load(db, liia_schema_dir(), NULL, e))
        return -1;
    if (liia_authority_resolve(db, la, gss, e) == 0)
        return 0;
    e->status = LIIA_E_USAGE; /* a bad request, not rejected data */
    /* Words for the portal as well as the CLI (core's fix names a command). */
    if (strstr(e->fix, "liia-bench"))
        liia_error_fix(e, "give the authority as its GSS code (E09000007), DfE number (202), "
                          "3-letter code (CAM) or name (Camden); the quarter's grid lists all "
                          "33");
    return -1;
}

int app_submission_la(sqlite3 *db, const liia_actor *a, long long id,
                      char gss[10], liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT la_code FROM submission WHERE id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
    liia_strlcpy(gss, found ? app_text(st, 0) : "", 10);
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading a submission");
    /* An unattributed rejected file belongs to nobody but the operator
     * and the programme team, like any other authority's. */
    if (!found || !app_sees_la(a, gss))
        return app_refuse(e, LIIA_APP_NOT_FOUND, "no submission %lld", id);
    return 0;
}
