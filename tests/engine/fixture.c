/*
 * fixture.c - four authorities, quarters 2024-03-31 .. 2025-03-31 (and one
 * return for 2025-06-30), inserted straight into submission and
 * submission_value.  Every quarter has the same values except where noted:
 *
 *   authority        referrals  repeat_12m  cla_at_end  uasc_at_end
 *   Camden     (N)   100        20 (30 in 2025-03-31)  300  30
 *   Islington  (N)    50         5 (0 in 2025-03-31)   300  30
 *   City       (E)     2         1                      10   0
 *   Hackney    (E)   200        40                     400  80
 *
 * Hackney sent nothing for 2024-09-30.  Camden alone sent 2025-06-30
 * (cla_at_end 300 only), whose financial year wants mid-2025 population.
 *
 * Values that break bench's invariants (inserted straight into the store,
 * as a corrupt or hand-edited store would hold them; ingest refuses them),
 * all for 2025-03-31:
 *   Camden     cla_lt_stable 12 > cla_lt_cohort 10        (CLA06, "of those")
 *   Camden     cla_reviews_on_time 310 > cla_at_end 300   (CLA10, 103.3%)
 *   Islington  cpp_at_end 0, cpp_visits_in_time 0         (CP07, zero den)
 *   Hackney    care_leavers_19_21 -5, care_leavers_eet 0  (CL01, negative)
 *   City       cla_reviews_on_time 9 of cla_at_end 10     (CLA10, valid)
 *
 * For 2025-03-31 only, Kingston reports the workforce it shares with
 * Richmond (sw_fte_agency 10, sw_fte_employed 90); Richmond sends a return
 * without workforce figures (referrals 10 only).
 */
#include <stdio.h>
#include <unistd.h>
#include "fixture.h"
#include "liia_engine.h"

struct fx_row {
    const char *la;
    int referrals, repeat, repeat_q5, cla, uasc;
};

static const struct fx_row rows[] = {
    {"E09000007", 100, 20, 30, 300, 30},
    {"E09000019", 50, 5, 0, 300, 30},
    {"E09000001", 2, 1, 1, 10, 0},
    {"E09000012", 200, 40, 40, 400, 80},
};

static const char *quarters[] = {"2024-03-31", "2024-06-30", "2024-09-30",
                                 "2024-12-31", "2025-03-31"};

static int add_submission(sqlite3 *db, const char *la, const char *period,
                          sqlite3_int64 *id)
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(db, "INSERT INTO submission (la_code, period, "
                           "return_type, version, status, received_at, file_name, sha256) "
                           "VALUES (?, ?, 'quarterly', 1, 'accepted', "
                           "'2025-04-01T00:00:00Z', 'fixture.csv', 'x')", -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    *id = sqlite3_last_insert_rowid(db);
    return sqlite3_finalize(st) == SQLITE_OK ? rc : -1;
}

static int add_value(sqlite3 *db, sqlite3_int64 id, const char *measure, int v)
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(db, "INSERT INTO submission_value (submission_id, "
                           "measure, value) VALUES (?, ?, ?)", -1, &st, NULL))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, measure, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, v);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    return sqlite3_finalize(st) == SQLITE_OK ? rc : -1;
}

static int add_quarter(sqlite3 *db, const struct fx_row *r, int q)
{
    sqlite3_int64 id;
    if (add_submission(db, r->la, quarters[q], &id))
        return -1;
    return add_value(db, id, "referrals", r->referrals) ||
           add_value(db, id, "referrals_repeat_12m", q == 4 ? r->repeat_q5 : r->repeat) ||
           add_value(db, id, "cla_at_end", r->cla) ||
           add_value(db, id, "uasc_at_end", r->uasc);
}

static const struct fx_bad {
    const char *la, *measure;
    int value;
} bad[] = {
    {"E09000007", "cla_lt_cohort", 10},       {"E09000007", "cla_lt_stable", 12},
    {"E09000007", "cla_reviews_on_time", 310}, {"E09000019", "cpp_at_end", 0},
    {"E09000019", "cpp_visits_in_time", 0},   {"E09000012", "care_leavers_19_21", -5},
    {"E09000012", "care_leavers_eet", 0},     {"E09000001", "cla_reviews_on_time", 9},
};

/* The submission id of la's return for period. */
static sqlite3_int64 submission_of(sqlite3 *db, const char *la, const char *period)
{
    sqlite3_stmt *st;
    sqlite3_int64 id = -1;
    if (sqlite3_prepare_v2(db, "SELECT id FROM submission WHERE la_code = ? AND period = ?",
                           -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

static int add_bad(sqlite3 *db)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sqlite3_int64 id = submission_of(db, bad[i].la, "2025-03-31");
        if (id < 0 || add_value(db, id, bad[i].measure, bad[i].value))
            return -1;
    }
    return 0;
}

static int add_all(sqlite3 *db)
{
    sqlite3_int64 id;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (int q = 0; q < 5; q++) {
            if (i == 3 && q == 2)
                continue; /* Hackney: quarter 2024-09-30 missing */
            if (add_quarter(db, &rows[i], q))
                return -1;
        }
    if (add_submission(db, "E09000021", "2025-03-31", &id) ||
        add_value(db, id, "sw_fte_agency", 10) || add_value(db, id, "sw_fte_employed", 90) ||
        add_submission(db, "E09000027", "2025-03-31", &id) ||
        add_value(db, id, "referrals", 10))
        return -1;
    if (add_bad(db) || add_submission(db, "E09000007", "2025-06-30", &id))
        return -1;
    return add_value(db, id, "cla_at_end", 300);
}

sqlite3 *fixture_open(const char *path)
{
    sqlite3 *db = NULL;
    liia_error e;
    liia_error_clear(&e);
    unlink(path);
    if (liia_store_open(path, LIIA_STORE_CREATE, &db, &e) ||
        liia_reference_load(db, liia_schema_dir(), NULL, &e) ||
        liia_engine_load_catalogue(db, liia_schema_dir(), &e) ||
        liia_db_begin(db, &e) || add_all(db) || liia_db_commit(db, &e)) {
        liia_error_print(stderr, &e);
        fprintf(stderr, "fixture: %s\n", db ? sqlite3_errmsg(db) : "no db");
        liia_store_close(db);
        return NULL;
    }
    return db;
}
