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
    /* Every text is cleaned to valid UTF-8 first: a sign-in name is
     * whatever was typed (or sent), and one invalid byte in the trail
     * would make /audit fail to render. */
    const char *texts[] = {a->name[0] ? a->name : "(anonymous)", liia_role_name(a->role),
                           a->la_code, action, target, outcome, a->client, detail};
    int bound = SQLITE_OK;
    for (int i = 0; bound == SQLITE_OK && i < 8; i++)
        bound = app_bind_text(st, i + 1, texts[i]);
    if (bound != SQLITE_OK) {
        sqlite3_finalize(st);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory writing the audit trail");
    }
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
