/* audit.c - the audit trail: every action through the application layer,
 * written by the layer itself so no front end can forget one. */
#include "app_internal.h"

int liia_app_audit(sqlite3 *db, const liia_actor *a, const char *action,
                   const char *target, const char *outcome,
                   const char *detail, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO audit (at, actor, role, la_code, action, target, "
                            "outcome, client, detail) VALUES (strftime('%Y-%m-%d %H:%M:%f', "
                            "'now'), ?1, ?2, nullif(?3, ''), ?4, ?5, ?6, nullif(?7, ''), ?8)",
                        &st, e))
        return -1;
    sqlite3_bind_text(st, 1, a->name[0] ? a->name : "(anonymous)", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, liia_role_name(a->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->la_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, target, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, a->client, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, detail, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "writing the audit trail");
    return 0;
}

int liia_app_audit_list(sqlite3 *db, const liia_actor *a, int limit,
                        json_t **out, liia_error *e)
{
    static const liia_role who[] = {LIIA_ROLE_PROGRAMME, 0};
    if (app_require(db, a, "read the audit trail", who, e))
        return -1;
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT id, at, actor, role, la_code, action, target, outcome, "
                            "client, detail FROM audit ORDER BY id DESC LIMIT ?1",
                        &st, e))
        return -1;
    sqlite3_bind_int(st, 1, limit > 0 ? limit : 200);
    return app_rows_json(db, st, out, "reading the audit trail", e);
}
