/* session.c - signing in and out: Argon2id password check, lockout and
 * per-client throttling, random session tokens stored only as SHA-256. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app_internal.h"

/* Checked when the name is unknown or has no password, so that every
 * failed sign-in costs one Argon2id verification and the response time
 * does not tell which names exist.  The hash of a random, forgotten
 * password: it matches nothing. */
static const char dummy_hash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$pbVSzJ66lh2TLrB9Y2vBDQ$"
    "rs1Ibw9rgmwldF3ZQC4+iNhMP+uhoZsWcl/TGf78fUk";

void liia_app_random_token(char out[65])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(out, 65, r, sizeof r);
}

static void token_hash(const char *token, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Session times: UTC "YYYY-MM-DD HH:MM:SS" (as SQLite's datetime()), from
 * the configured clock, offset by delta seconds. */
static void stamp(const liia_app_config *c, long delta, char out[20])
{
    time_t t = (c && c->clock ? c->clock() : time(NULL)) + delta;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm))
        liia_strlcpy(out, "0000-00-00 00:00:00", 20); /* ends every session */
}

static long idle_seconds(const liia_app_config *c)
{
    int m = c && c->session_idle_minutes > 0 ? c->session_idle_minutes
                                             : LIIA_APP_SESSION_IDLE_MINUTES;
    return 60L * (m < LIIA_APP_SESSION_IDLE_MAX ? m : LIIA_APP_SESSION_IDLE_MAX);
}

int liia_app_csrf_ok(const liia_session *s, const char *token)
{
    return token && strlen(token) == 64 && s->csrf[0] &&
           sodium_memcmp(s->csrf, token, 64) == 0;
}

/* Failed sign-ins from this client in the lockout window. */
static int client_failures(sqlite3 *db, const char *client, int *n, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT count(*) FROM audit WHERE client = ?1 AND action = "
                            "'sign in' AND outcome <> 'ok' AND at > strftime('%Y-%m-%d "
                            "%H:%M:%f', 'now', ?2)", &st, e))
        return -1;
    char window[32];
    snprintf(window, sizeof window, "-%d minutes", LIIA_APP_LOCK_MINUTES);
    sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, window, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "counting failed sign-ins");
    return 0;
}

struct account {
    int found, has_hash, disabled, locked;
    char hash[crypto_pwhash_STRBYTES];
};

static int load_account(sqlite3 *db, const char *name, liia_actor *a, struct account *acc,
                        liia_error *e)
{
    sqlite3_stmt *st;
    memset(acc, 0, sizeof *acc);
    if (liia_db_prepare(db, "SELECT id, name, role, ifnull(la_code, ''), can_sign_off, "
                            "password_hash, disabled, ifnull(locked_until > datetime('now'), 0) "
                            "FROM app_user WHERE name = ?1", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        acc->found = 1;
        a->user_id = sqlite3_column_int64(st, 0);
        liia_strlcpy(a->name, app_text(st, 1), sizeof a->name);
        if (liia_role_parse(app_text(st, 2), &a->role))
            a->role = LIIA_ROLE_NONE;
        liia_strlcpy(a->la_code, app_text(st, 3), sizeof a->la_code);
        a->can_sign_off = sqlite3_column_int(st, 4);
        acc->has_hash = sqlite3_column_type(st, 5) != SQLITE_NULL;
        liia_strlcpy(acc->hash, app_text(st, 5), sizeof acc->hash);
        acc->disabled = sqlite3_column_int(st, 6);
        acc->locked = sqlite3_column_int(st, 7);
    }
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading an account");
    return 0;
}

/* A failure's count and lock, the same arithmetic for an account (app_user)
 * and for a name no account has (signin_failure), so that from outside the
 * two cannot be told apart: a failure within LOCK_MINUTES of the previous
 * one continues the run, an older run starts again at 1 (so a lock never
 * outlives its window and a name's row can lapse); the LOCK_AFTER-th in a
 * row locks the name for LOCK_MINUTES.  ?2 LOCK_AFTER, ?3 "+N minutes",
 * ?4 "-N minutes"; assignments read the row as it was. */
#define RUN(n) "CASE WHEN last_failed > datetime('now', ?4) THEN " n " + 1 ELSE 1 END"
#define NEXT_FAILURE(n)                                                                 \
    n " = " RUN(n) ", locked_until = CASE WHEN " RUN(n) " >= ?2 THEN datetime('now', ?3) " \
    "ELSE locked_until END, last_failed = datetime('now')"

/* Names without an account whose failures are followed at once; past it
 * the oldest run is forgotten (the per-address limit still holds). */
#define NAMES_TRACKED 10000

static int run_failure(sqlite3 *db, const char *sql, long long id, const char *name,
                       liia_error *e)
{
    sqlite3_stmt *st;
    char lock[32], window[32];
    snprintf(lock, sizeof lock, "+%d minutes", LIIA_APP_LOCK_MINUTES);
    snprintf(window, sizeof window, "-%d minutes", LIIA_APP_LOCK_MINUTES);
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    int full = sqlite3_bind_parameter_count(st) >= 4; /* a row's insert has only ?1 */
    int rc = name ? app_bind_text(st, 1, name) : sqlite3_bind_int64(st, 1, id);
    if (rc == SQLITE_OK && full)
        rc = sqlite3_bind_int(st, 2, LIIA_APP_LOCK_AFTER);
    if (rc == SQLITE_OK && full)
        rc = sqlite3_bind_text(st, 3, lock, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK && full)
        rc = sqlite3_bind_text(st, 4, window, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "counting a failed sign-in");
    return 0;
}

/* Lapsed runs go, then the oldest beyond NAMES_TRACKED: the table stays
 * bounded whatever names are tried. */
static int prune_names(sqlite3 *db, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "DELETE FROM signin_failure WHERE (last_failed <= "
                            "datetime('now', '-' || ?1 || ' minutes') AND "
                            "ifnull(locked_until <= datetime('now'), 1)) OR name IN "
                            "(SELECT name FROM signin_failure ORDER BY last_failed DESC "
                            "LIMIT -1 OFFSET ?2)", &st, e))
        return -1;
    sqlite3_bind_int(st, 1, LIIA_APP_LOCK_MINUTES);
    sqlite3_bind_int(st, 2, NAMES_TRACKED - 1);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "forgetting old failed sign-ins");
    return 0;
}

/* Counts a failure against the account, or against the name tried. */
static int count_failure(sqlite3 *db, const struct account *acc, long long id,
                         const char *name, liia_error *e)
{
    if (acc->found)
        return run_failure(db, "UPDATE app_user SET " NEXT_FAILURE("failed_logins")
                               " WHERE id = ?1", id, NULL, e);
    if (prune_names(db, e))
        return -1;
    if (run_failure(db, "INSERT INTO signin_failure (name, failures, last_failed) VALUES "
                        "(?1, 0, '') ON CONFLICT (name) DO NOTHING", 0, name, e))
        return -1;
    return run_failure(db, "UPDATE signin_failure SET " NEXT_FAILURE("failures")
                           " WHERE name = ?1", 0, name, e);
}

/* Is the name tried, which no account has, locked? */
static int name_locked(sqlite3 *db, const char *name, int *locked, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT ifnull(locked_until > datetime('now'), 0) FROM "
                            "signin_failure WHERE name = ?1", &st, e))
        return -1;
    int rc = app_bind_text(st, 1, name);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    *locked = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading failed sign-ins");
    return 0;
}

static int open_session(sqlite3 *db, const liia_app_config *c, liia_session *s, liia_error *e)
{
    char hashed[65], now[20], ends[20], idle_since[20];
    liia_app_random_token(s->token);
    liia_app_random_token(s->csrf);
    token_hash(s->token, hashed);
    stamp(c, 0, now);
    stamp(c, 3600L * LIIA_APP_SESSION_HOURS, ends);
    stamp(c, -idle_seconds(c), idle_since);
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "DELETE FROM app_session WHERE expires_at <= ?1 OR "
                            "ifnull(last_seen, created_at) <= ?2", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, idle_since, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "ending old sessions");
    if (liia_db_prepare(db, "INSERT INTO app_session (token_sha256, user_id, csrf, "
                            "created_at, expires_at, client, last_seen) VALUES (?1, ?2, ?3, "
                            "?4, ?6, ?5, ?4)", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, hashed, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->actor.user_id);
    sqlite3_bind_text(st, 3, s->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, s->actor.client, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ends, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "opening a session");
    if (liia_db_prepare(db, "UPDATE app_user SET failed_logins = 0, locked_until = NULL, "
                            "last_failed = NULL WHERE id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, s->actor.user_id);
    rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "clearing failed sign-ins");
    return 0;
}

/* rule: LIIA_APP_SIGNIN, LIIA_APP_LOCKED (the name) or "client" (too many
 * failures from this address: LIIA_APP_LOCKED, but an account reset does
 * not lift it, so the fix says only to wait). */
static int refuse_sign_in(sqlite3 *db, const liia_actor *a, const char *rule, liia_error *e)
{
    if (!strcmp(rule, "client")) {
        liia_error_fix(e, "wait %d minutes before signing in again from this address (a "
                          "password reset does not lift this)", LIIA_APP_LOCK_MINUTES);
        app_refuse(e, LIIA_APP_LOCKED, "too many failed sign-ins from this address: try "
                   "again later");
    } else if (!strcmp(rule, LIIA_APP_LOCKED)) {
        liia_error_fix(e, "wait %d minutes, or ask the operator to reset the account",
                       LIIA_APP_LOCK_MINUTES);
        app_refuse(e, rule, "too many failed sign-ins: try again later");
    } else {
        liia_error_fix(e, "check the name and password; the operator can reset a password");
        app_refuse(e, rule, "the name or password is not right");
    }
    app_audit_error(db, a, "sign in", a->name, e);
    return -1;
}

int liia_app_sign_in(sqlite3 *db, const liia_app_config *c, const char *name,
                     const char *password, const char *client, liia_session *out,
                     liia_error *e)
{
    memset(out, 0, sizeof *out);
    liia_actor *a = &out->actor;
    liia_strlcpy(a->name, name ? name : "", sizeof a->name);
    liia_strlcpy(a->client, client ? client : "", sizeof a->client);
    struct account acc;
    int failures = 0, locked = 0;
    if (client_failures(db, a->client, &failures, e) || load_account(db, a->name, a, &acc, e))
        return -1;
    if (failures >= LIIA_APP_CLIENT_FAILURES)
        return refuse_sign_in(db, a, "client", e);
    const char *pw = password ? password : "";
    int match = crypto_pwhash_str_verify(acc.has_hash ? acc.hash : dummy_hash, pw,
                                         strlen(pw)) == 0;
    int ok = match && acc.found && acc.has_hash && !acc.disabled &&
             a->role != LIIA_ROLE_NONE;
    /* A name no account has is locked by the same count as an account:
     * the answers never tell which names exist. */
    if (acc.found)
        locked = acc.locked;
    else if (name_locked(db, a->name, &locked, e))
        return -1;
    if (locked)
        return refuse_sign_in(db, a, LIIA_APP_LOCKED, e);
    if (!ok) {
        if (count_failure(db, &acc, a->user_id, a->name, e))
            return -1;
        return refuse_sign_in(db, a, LIIA_APP_SIGNIN, e);
    }
    if (open_session(db, c, out, e))
        return -1;
    return liia_app_audit(db, a, "sign in", a->name, "ok", NULL, e);
}

/* Notes a request on the session, at most once a minute (a page view is
 * otherwise read-only: no write lock for most requests). */
static int touch(sqlite3 *db, const liia_app_config *c, const char *hashed, const char *seen,
                 liia_error *e)
{
    char now[20], minute_ago[20];
    stamp(c, 0, now);
    stamp(c, -60, minute_ago);
    if (strcmp(seen, minute_ago) > 0)
        return 0;
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "UPDATE app_session SET last_seen = ?2 WHERE token_sha256 = ?1",
                        &st, e))
        return -1;
    sqlite3_bind_text(st, 1, hashed, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "noting a session's request");
    return 0;
}

int liia_app_session(sqlite3 *db, const liia_app_config *c, const char *token,
                     const char *client, liia_session *out, liia_error *e)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != 64) {
        liia_error_fix(e, "sign in");
        return app_refuse(e, LIIA_APP_SIGNIN, "not signed in");
    }
    char hashed[65], now[20], idle_since[20], seen[20] = "";
    token_hash(token, hashed);
    stamp(c, 0, now);
    stamp(c, -idle_seconds(c), idle_since);
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT u.id, u.name, u.role, ifnull(u.la_code, ''), "
                            "u.can_sign_off, s.csrf, ifnull(s.last_seen, s.created_at) "
                            "FROM app_session s JOIN app_user u ON u.id = s.user_id "
                            "WHERE s.token_sha256 = ?1 AND s.expires_at > ?2 AND "
                            "ifnull(s.last_seen, s.created_at) > ?3 AND u.disabled = 0",
                        &st, e))
        return -1;
    sqlite3_bind_text(st, 1, hashed, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, idle_since, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
    liia_actor *a = &out->actor;
    if (found) {
        a->user_id = sqlite3_column_int64(st, 0);
        liia_strlcpy(a->name, app_text(st, 1), sizeof a->name);
        if (liia_role_parse(app_text(st, 2), &a->role))
            a->role = LIIA_ROLE_NONE;
        liia_strlcpy(a->la_code, app_text(st, 3), sizeof a->la_code);
        a->can_sign_off = sqlite3_column_int(st, 4);
        liia_strlcpy(out->csrf, app_text(st, 5), sizeof out->csrf);
        liia_strlcpy(seen, app_text(st, 6), sizeof seen);
        liia_strlcpy(out->token, token, sizeof out->token);
    }
    liia_strlcpy(a->client, client ? client : "", sizeof a->client);
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading a session");
    if (!found || a->role == LIIA_ROLE_NONE) {
        memset(out, 0, sizeof *out);
        liia_error_fix(e, "sign in again");
        return app_refuse(e, LIIA_APP_SIGNIN, "not signed in, or the session has ended");
    }
    return touch(db, c, hashed, seen, e);
}

int liia_app_sign_out(sqlite3 *db, const liia_session *s, liia_error *e)
{
    char hashed[65];
    token_hash(s->token, hashed);
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "DELETE FROM app_session WHERE token_sha256 = ?1", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, hashed, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "ending a session");
    return liia_app_audit(db, &s->actor, "sign out", s->actor.name, "ok", NULL, e);
}
