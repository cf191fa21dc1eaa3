/*
 * test_app.c - the application layer without HTTP: session expiry (idle
 * and absolute) on an injected clock, so hours pass without sleeping; and
 * whose return an upload is when the file names an authority (recorded
 * against it only for someone who may act for it).
 * Usage: portal_app SOURCE_DIR SCRATCH_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liia_app.h"
#include "unit.h"

#define CAM "E09000007"
#define HAC "E09000012"

static time_t fake_now = 1735732800; /* 2025-01-01 12:00:00 UTC */

static time_t fake_clock(void)
{
    return fake_now;
}

static long long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Is the session of token alive at fake_now (seconds after sign-in)? */
static int alive(sqlite3 *db, const liia_app_config *c, const char *token, long at)
{
    static const time_t start = 1735732800;
    liia_session s;
    liia_error e;
    liia_error_clear(&e);
    fake_now = start + at;
    int ok = liia_app_session(db, c, token, "test", &s, &e) == 0;
    if (!ok && strcmp(e.rule_id, LIIA_APP_SIGNIN))
        fprintf(stderr, "unexpected error: %s %s\n", e.rule_id, e.message);
    return ok;
}

static void sign_in(sqlite3 *db, const liia_app_config *c, liia_session *s)
{
    liia_error e;
    liia_error_clear(&e);
    fake_now = 1735732800;
    CHECK(liia_app_sign_in(db, c, "cam.lead", "correct horse battery", "test", s, &e) == 0);
}

static void test_sessions(sqlite3 *db)
{
    liia_app_config c = {.clock = fake_clock};
    liia_session s;
    /* Idle: the default 30 minutes, counted from the latest request. */
    sign_in(db, &c, &s);
    CHECK(alive(db, &c, s.token, 29 * 60));
    CHECK(alive(db, &c, s.token, 58 * 60));         /* 29 minutes after the last */
    CHECK(!alive(db, &c, s.token, (58 + 31) * 60)); /* 31 minutes idle */
    /* A request within the minute is not written: at most a write a
     * minute per session. */
    sign_in(db, &c, &s);
    CHECK(alive(db, &c, s.token, 30));
    CHECK_INT(count(db, "SELECT count(*) FROM app_session WHERE last_seen = "
                        "'2025-01-01 12:00:00'"), 1);
    CHECK(alive(db, &c, s.token, 61));
    CHECK_INT(count(db, "SELECT count(*) FROM app_session WHERE last_seen = "
                        "'2025-01-01 12:01:01'"), 1);
    /* Absolute: 8 hours after sign-in, however busy. */
    sign_in(db, &c, &s);
    int kept = 1;
    for (long t = 20 * 60; t < LIIA_APP_SESSION_HOURS * 3600L; t += 20 * 60)
        kept &= alive(db, &c, s.token, t);
    CHECK(kept);
    CHECK(alive(db, &c, s.token, LIIA_APP_SESSION_HOURS * 3600L - 1));
    CHECK(!alive(db, &c, s.token, LIIA_APP_SESSION_HOURS * 3600L));
    /* Configured: 5 minutes idle. */
    c.session_idle_minutes = 5;
    sign_in(db, &c, &s);
    CHECK(alive(db, &c, s.token, 4 * 60 + 59));
    CHECK(!alive(db, &c, s.token, (4 * 60 + 59) + 5 * 60));
    /* Signing in clears ended sessions away: a day later only the new
     * one is left. */
    liia_error e;
    liia_error_clear(&e);
    fake_now += 24 * 3600;
    CHECK(liia_app_sign_in(db, &c, "cam.lead", "correct horse battery", "test", &s, &e) == 0);
    CHECK_INT(count(db, "SELECT count(*) FROM app_session"), 1);
}

static char *sample(const char *src, const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/sample-data/quarterly/%s", src, name);
    return path;
}

/* Submits one quarterly file as a; 0 ok, else -1 with e. */
static int submit(sqlite3 *db, const liia_actor *a, const char *path, json_t **out,
                  liia_error *e)
{
    liia_app_config c = {.clock = fake_clock};
    const char *files[] = {path};
    liia_app_upload u = {.files = files, .nfiles = 1};
    *out = NULL;
    return liia_app_submit(db, &c, a, &u, out, e);
}

static void test_attribution(sqlite3 *db, const char *src)
{
    liia_actor op, lead;
    liia_session s;
    liia_error e;
    json_t *out;
    liia_actor_operator(&op, "test");
    sign_in(db, &(liia_app_config){.clock = fake_clock}, &s);
    lead = s.actor;
    /* The data lead's file for another authority: refused, nothing
     * recorded against either authority, the refusal audited. */
    liia_error_clear(&e);
    CHECK(submit(db, &lead, sample(src, "HAC_2025-03-31.csv"), &out, &e) == -1);
    CHECK_STR(e.rule_id, LIIA_APP_DENIED);
    CHECK(strstr(e.message, "Hackney (" HAC ")") && strstr(e.message, "Camden"));
    CHECK(strstr(e.message, "nothing was stored") != NULL);
    CHECK_INT(count(db, "SELECT count(*) FROM submission"), 0);
    CHECK_INT(count(db, "SELECT count(*) FROM audit WHERE action = 'upload' AND outcome = "
                        "'refused' AND actor = 'cam.lead' AND target = 'HAC_2025-03-31.csv' "
                        "AND detail = 'APP-DENIED'"), 1);
    /* The data lead's own file: recorded against their authority. */
    liia_error_clear(&e);
    CHECK(submit(db, &lead, sample(src, "CAM_2025-03-31.csv"), &out, &e) == 0);
    CHECK_STR(json_string_value(json_object_get(out, "la_code")), CAM);
    json_decref(out);
    /* Someone who may act for any authority (the operator): the file for
     * Hackney is recorded against Hackney, the authority it names. */
    liia_error_clear(&e);
    CHECK(submit(db, &op, sample(src, "HAC_2025-03-31.csv"), &out, &e) == 0);
    CHECK_STR(json_string_value(json_object_get(out, "outcome")), "accepted");
    CHECK_STR(json_string_value(json_object_get(out, "la_code")), HAC);
    json_decref(out);
    CHECK_INT(count(db, "SELECT count(*) FROM submission WHERE la_code = '" HAC "' AND "
                        "status = 'accepted'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM submission WHERE la_code = '" CAM "'"), 1);
    /* An explicit la for another authority: refused before the file is read. */
    const char *files[] = {sample(src, "HAC_2025-03-31.csv")};
    liia_app_upload u = {.files = files, .nfiles = 1, .la = "HAC"};
    liia_app_config c = {.clock = fake_clock};
    liia_error_clear(&e);
    CHECK(liia_app_submit(db, &c, &lead, &u, &out, &e) == -1);
    CHECK_STR(e.rule_id, LIIA_APP_DENIED);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: portal_app SOURCE_DIR SCRATCH_DIR\n");
        return 2;
    }
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/portal-app-XXXXXX", argv[2]);
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    if (!mkdtemp(dir) || liia_app_init(&e))
        return 3;
    snprintf(path, sizeof path, "%s/store.db", dir);
    if (liia_store_open(path, LIIA_STORE_CREATE, &db, &e)) {
        liia_error_print(stderr, &e);
        return 3;
    }
    liia_actor op;
    liia_actor_operator(&op, "test");
    CHECK(liia_app_user_add(db, &op, "cam.lead", LIIA_ROLE_DATA_LEAD, "CAM", 0,
                            "correct horse battery", &e) == 0);
    test_sessions(db);
    test_attribution(db, argv[1]);
    liia_store_close(db);
    if (!unit_state_.failures) {
        unlink(path);
        for (const char *x = "-wal"; x; x = x[1] == 'w' ? "-shm" : NULL) {
            char p2[4300];
            snprintf(p2, sizeof p2, "%s%s", path, x);
            unlink(p2);
        }
        rmdir(dir);
    }
    return unit_result("portal_app");
}
