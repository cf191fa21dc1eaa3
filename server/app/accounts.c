/* accounts.c - roles and operator-managed accounts; passwords are kept as
 * Argon2id hashes (libsodium's crypto_pwhash_str, interactive limits). */
#include <string.h>

#include <sodium.h>

#include "app_internal.h"

static const char *const role_names[] = {
    [LIIA_ROLE_NONE] = "none",          [LIIA_ROLE_OPERATOR] = "operator",
    [LIIA_ROLE_DATA_LEAD] = "data_lead", [LIIA_ROLE_DCS] = "dcs",
    [LIIA_ROLE_PROGRAMME] = "programme", [LIIA_ROLE_ANALYST] = "analyst",
};

int liia_app_init(liia_error *e)
{
    return sodium_init() < 0 ? liia_fail(e, LIIA_E_IO, "cannot initialise libsodium") : 0;
}

void liia_actor_operator(liia_actor *a, const char *client)
{
    memset(a, 0, sizeof *a);
    a->role = LIIA_ROLE_OPERATOR;
    liia_strlcpy(a->name, "operator", sizeof a->name);
    liia_strlcpy(a->client, client ? client : "cli", sizeof a->client);
}

const char *liia_role_name(liia_role r)
{
    return (unsigned)r <= LIIA_ROLE_ANALYST ? role_names[r] : "none";
}

int liia_role_parse(const char *s, liia_role *r)
{
    for (int i = LIIA_ROLE_DATA_LEAD; i <= LIIA_ROLE_ANALYST; i++)
        if (s && !strcmp(s, role_names[i])) {
            *r = (liia_role)i;
            return 0;
        }
    return -1;
}

void liia_app_random_password(char out[21])
{
    /* No 0/O, 1/l/I: read aloud or copied from a letter without doubt. */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[20] = '\0';
}

static int valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 2 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@'))
            return 0;
    }
    return 1;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], liia_error *e)
{
    size_t n = strlen(pw);
    /* counted in characters, as the message says (six e-acutes are 12
     * bytes); a byte that is not UTF-8 counts as one */
    size_t chars = liia_app_utf8_length(pw);
    if (chars < LIIA_APP_PASSWORD_MIN || chars > LIIA_APP_PASSWORD_MAX) {
        liia_error_fix(e, "choose a password of %d to %d characters (a passphrase of "
                          "several words is easiest)", LIIA_APP_PASSWORD_MIN, LIIA_APP_PASSWORD_MAX);
        return app_refuse(e, LIIA_APP_INVALID, "the password must be %d to %d characters long",
                          LIIA_APP_PASSWORD_MIN, LIIA_APP_PASSWORD_MAX);
    }
    if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return liia_fail(e, LIIA_E_NOMEM, "not enough memory to hash the password");
    return 0;
}

static const liia_role operator_only[] = {0};

/* Runs one UPDATE/INSERT bound to (name, text2, int3); -1 if it changed no
 * row (LIIA_APP_NOT_FOUND). */
static int change_user(sqlite3 *db, const char *sql, const char *name, const char *t2,
                       long long i3, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, i3);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK)) {
        if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
            return app_refuse(e, LIIA_APP_CONFLICT, "there is already a user '%s'", name);
        return liia_db_fail(e, db, "changing an account");
    }
    if (sqlite3_changes(db) == 0)
        return app_refuse(e, LIIA_APP_NOT_FOUND, "no user '%s'", name);
    return 0;
}

static int end_sessions(sqlite3 *db, const char *name, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "DELETE FROM app_session WHERE user_id = (SELECT id FROM "
                            "app_user WHERE name = ?1)", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "ending sessions");
    return 0;
}

/* Audits the outcome of a user change and passes rc through. */
static int audited(sqlite3 *db, const liia_actor *by, const char *action, const char *name,
                   const char *detail, int rc, liia_error *e)
{
    if (rc)
        app_audit_error(db, by, action, name, e);
    else if (liia_app_audit(db, by, action, name, "ok", detail, e))
        return -1;
    return rc;
}

int liia_app_user_add(sqlite3 *db, const liia_actor *by, const char *name, liia_role role,
                      const char *la, int can_sign_off, const char *password, liia_error *e)
{
    if (app_require(db, by, "manage accounts", operator_only, e))
        return -1;
    char gss[10] = "", hash[crypto_pwhash_STRBYTES];
    int scoped = role == LIIA_ROLE_DATA_LEAD || role == LIIA_ROLE_DCS;
    int rc = 0;
    if (!valid_name(name))
        rc = app_refuse(e, LIIA_APP_INVALID, "a user name is 2-63 letters, digits or . _ - @");
    else if (role < LIIA_ROLE_DATA_LEAD || role > LIIA_ROLE_ANALYST)
        rc = app_refuse(e, LIIA_APP_INVALID, "unknown role");
    else if (scoped != (la != NULL && la[0]))
        rc = app_refuse(e, LIIA_APP_INVALID, scoped ? "a %s belongs to one authority: give --la"
                                                    : "a %s sees all authorities: no --la",
                        liia_role_name(role));
    else if (can_sign_off && role != LIIA_ROLE_DATA_LEAD)
        rc = app_refuse(e, LIIA_APP_INVALID, "only a data lead is delegated sign-off");
    if (!rc && scoped)
        rc = app_resolve_la(db, la, gss, e);
    if (!rc && password)
        rc = hash_password(password, hash, e);
    if (!rc) {
        sqlite3_stmt *st;
        rc = liia_db_prepare(db, "INSERT INTO app_user (name, role, la_code, password_hash, "
                                 "can_sign_off, created_at) VALUES (?1, ?2, nullif(?3, ''), ?4, "
                                 "?5, datetime('now'))", &st, e);
        if (!rc) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, liia_role_name(role), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, gss, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, password ? hash : NULL, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 5, can_sign_off);
            int s = sqlite3_step(st);
            if ((s != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
                rc = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE
                         ? app_refuse(e, LIIA_APP_CONFLICT, "there is already a user '%s'", name)
                         : liia_db_fail(e, db, "adding an account");
        }
    }
    return audited(db, by, "user add", name, liia_role_name(role), rc, e);
}

int liia_app_user_reset(sqlite3 *db, const liia_actor *by, const char *name,
                        const char *password, liia_error *e)
{
    if (app_require(db, by, "manage accounts", operator_only, e))
        return -1;
    char hash[crypto_pwhash_STRBYTES];
    int rc = hash_password(password, hash, e);
    if (!rc)
        rc = change_user(db, "UPDATE app_user SET password_hash = ?2, failed_logins = ?3, "
                             "last_failed = NULL, locked_until = NULL, disabled = 0 "
                             "WHERE name = ?1",
                         name, hash, 0, e);
    if (!rc)
        rc = end_sessions(db, name, e);
    return audited(db, by, "user reset", name, NULL, rc, e);
}

int liia_app_user_disable(sqlite3 *db, const liia_actor *by, const char *name, liia_error *e)
{
    if (app_require(db, by, "manage accounts", operator_only, e))
        return -1;
    int rc = change_user(db, "UPDATE app_user SET disabled = ?3 WHERE name = ?1 AND "
                             "?2 IS NULL", name, NULL, 1, e);
    if (!rc)
        rc = end_sessions(db, name, e);
    return audited(db, by, "user disable", name, NULL, rc, e);
}

int liia_app_user_list(sqlite3 *db, const liia_actor *by, json_t **out, liia_error *e)
{
    if (app_require(db, by, "list accounts", operator_only, e))
        return -1;
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT u.name, u.role, u.la_code, a.short_code, u.can_sign_off, "
                            "u.disabled, u.password_hash IS NOT NULL AS has_password, "
                            "u.locked_until, u.created_at FROM app_user u LEFT JOIN authority a "
                            "ON a.gss_code = u.la_code ORDER BY u.name",
                        &st, e))
        return -1;
    return app_rows_json(db, st, out, "listing accounts", e);
}
