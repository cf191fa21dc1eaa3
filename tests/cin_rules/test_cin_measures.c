/*
 * The CIN census measures (schemas/cin/measures.json) over a small stored
 * census whose counts are known quarter by quarter: referrals and
 * re-referrals, assessments within 45 working days (the 45th working day
 * after 10 April 2024 is 14 June, past the May bank holidays), ICPCs within
 * 15 working days over Christmas, plans started, ended and open for two
 * years.  The store tables are those tables.json declares (table and column
 * = "store"), made here when no migration has made them yet, so the
 * measures can only use what the layout declares.  Then the values reach
 * `measures` (source cin) and `reconciliation` beside a quarterly return.
 */
#include <jansson.h>
#include <stdlib.h>

#include "cin_measures.h"
#include "liia_core.h"
#include "unit.h"

static sqlite3 *db;

static void exec(const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fprintf(stderr, "%s\n  in: %.200s\n", err ? err : "?", sql);
    CHECK(err == NULL);
    sqlite3_free(err);
}

/* CREATE TABLE IF NOT EXISTS for every part's store table. */
static void make_tables(void)
{
    json_t *doc = json_load_file(SCHEMA_DIR "/cin/tables.json", 0, NULL), *t, *c;
    size_t i, j;
    CHECK(doc != NULL);
    json_array_foreach(json_object_get(doc, "tables"), i, t) {
        char sql[2048];
        int n = snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY, line INTEGER",
                         json_string_value(json_object_get(t, "store")));
        json_array_foreach(json_object_get(t, "columns"), j, c) {
            const char *s = json_string_value(json_object_get(c, "store"));
            char col[80];
            snprintf(col, sizeof col, ", %s,", s ? s : "");
            /* GenderCurrent and Sex are one store column */
            if (s && n > 0 && (size_t)n < sizeof sql - 1 && !strstr(strcat(sql, ","), col))
                n += snprintf(sql + n, sizeof sql - (size_t)n, ", %s", s);
            sql[n] = 0; /* drop the probe's comma */
        }
        if (n > 0 && (size_t)n < sizeof sql - 2)
            exec(strcat(sql, ")"));
    }
    json_decref(doc);
}

/* Child a: a referral in Q1 (two assessments, the 45th and 46th working
 * day; closed RC8), a plan from May to July, an NFA re-referral in Q3.
 * Child b: referred in Q3, assessed too late in Q4, S47 over Christmas with
 * its ICPC 13 working days on, a second plan from the ICPC.  Child c: in
 * need since 2022 on a plan since February 2023, a transfer-in ICPC in Q2.
 * Child d: two NFA referrals on one day in Q2 whose only earlier referral
 * is 13 months before, so neither is a re-referral (a measure that took
 * the same day's other referral for "the previous one" would count both).
 * Two referrals whose LAchildID failed its check (child_pid NULL), one
 * open: referrals, but no child in need and not one child's re-referral. */
static const char census[] =
    "INSERT INTO cin_episode (id, line, child_pid, episode, referral_date, closure_date,"
    " closure_reason, icpc_date, referral_nfa) VALUES"
    " (4294967297, 1, 'a', 1, '2024-04-10', '2024-08-01', 'RC8', NULL, 0),"
    " (4294967298, 2, 'a', 2, '2024-11-01', '2024-11-01', 'RC1', NULL, 1),"
    " (4294967299, 3, 'b', 1, '2024-12-20', NULL, NULL, NULL, 0),"
    " (4294967300, 4, 'c', 1, '2022-03-01', NULL, NULL, '2024-07-15', 0),"
    " (4294967308, 12, 'd', 1, '2023-06-01', '2023-09-01', 'RC1', NULL, 0),"
    " (4294967309, 13, 'd', 2, '2024-07-01', '2024-07-01', 'RC1', NULL, 1),"
    " (4294967310, 14, 'd', 3, '2024-07-01', '2024-07-02', 'RC1', NULL, 1),"
    " (4294967311, 15, NULL, 1, '2024-04-05', NULL, NULL, NULL, 0),"
    " (4294967312, 16, NULL, 1, '2024-06-01', '2024-06-02', 'RC1', NULL, 0);"
    "INSERT INTO cin_assessment (id, line, child_pid, episode, referral_date, assessment,"
    " start_date, authorised_date) VALUES"
    " (4294967301, 5, 'a', 1, '2024-04-10', 1, '2024-04-11', '2024-06-14'),"
    " (4294967302, 6, 'a', 1, '2024-04-10', 2, '2024-04-11', '2024-06-17'),"
    " (4294967303, 7, 'b', 1, '2024-12-20', 1, '2024-12-20', '2025-02-28');"
    "INSERT INTO cin_s47 (id, line, child_pid, episode, referral_date, start_date,"
    " icpc_date, icpc_not_required) VALUES (4294967304, 8, 'b', 1, '2024-12-20', '2024-12-23', '2025-01-14', 0);"
    "INSERT INTO cin_cp_plan (id, line, child_pid, episode, referral_date, plan, start_date,"
    " end_date, previous_plans) VALUES"
    " (4294967305, 9, 'a', 1, '2024-04-10', 1, '2024-05-01', '2024-07-31', 0),"
    " (4294967306, 10, 'b', 1, '2024-12-20', 1, '2025-01-14', NULL, 1),"
    " (4294967307, 11, 'c', 1, '2022-03-01', 1, '2023-02-01', NULL, 0);";

static const struct { const char *measure; double q[4]; } want[] = {
    {"referrals", {3, 2, 2, 0}},
    {"referrals_repeat_12m", {0, 0, 1, 0}},
    {"referrals_nfa", {0, 2, 1, 0}},
    {"assessments_completed", {2, 0, 0, 1}},
    {"assessments_within_45wd", {1, 0, 0, 0}},
    {"assessments_not_in_need", {2, 0, 0, 0}},
    {"cin_at_end", {2, 1, 2, 2}},
    {"s47_started", {0, 0, 1, 0}},
    {"icpc_held", {0, 1, 0, 1}},
    {"icpc_within_15wd", {0, 0, 0, 1}},
    {"cpp_started", {1, 0, 0, 1}},
    {"cpp_started_repeat", {0, 0, 0, 1}},
    {"cpp_ended", {0, 1, 0, 0}},
    {"cpp_at_end", {2, 1, 1, 2}},
    {"cpp_at_end_2y_plus", {0, 0, 0, 1}},
};

static double value(const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st = NULL;
    double v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            v = sqlite3_column_double(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

static void check_values(void)
{
    static const char *const qe[] = {"2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        for (int q = 0; q < 4; q++) {
            double got = value("SELECT value FROM derived_measure WHERE submission_id = 1"
                               " AND measure = ?1 AND period = ?2", want[i].measure, qe[q]);
            if (got != want[i].q[q])
                fprintf(stderr, "%s %s: got %g, want %g\n", want[i].measure, qe[q], got,
                        want[i].q[q]);
            CHECK(got == want[i].q[q]);
        }
}

/* A bad measures file stops with the file and the measure. */
static void check_bad_schema(void)
{
    liia_error e;
    liia_error_clear(&e);
    CHECK(liia_cin_derive_measures(db, 1, "2025-03-31", SCHEMA_DIR "/no-such-dir", NULL, &e) == -1);
    CHECK_INT(e.status, LIIA_E_SCHEMA);
}

int main(void)
{
    liia_error e;
    int n = 0;
    liia_error_clear(&e);
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(liia_store_migrate(db, &e), 0);
    CHECK_INT(liia_reference_load(db, SCHEMA_DIR, NULL, &e), 0);
    make_tables();
    exec("INSERT OR IGNORE INTO return_type (id, title) VALUES ('cin', 'CIN census');"
         "INSERT INTO submission (id, la_code, period, return_type, version, status,"
         " received_at, file_name, sha256) VALUES (1, 'E09000007', '2025-03-31', 'cin', 1,"
         " 'accepted', '2025-04-10', 'census.xml', 'x');");
    exec(census);
    CHECK_INT(liia_cin_derive_measures(db, 1, "2025-03-31", SCHEMA_DIR, &n, &e), 0);
    if (e.status)
        liia_error_print(stderr, &e);
    CHECK_INT(n, 15 * 4);
    check_values();
    /* an earlier period derives its quarters only */
    exec("DELETE FROM derived_measure");
    CHECK_INT(liia_cin_derive_measures(db, 1, "2024-12-31", SCHEMA_DIR, &n, &e), 0);
    CHECK_INT(n, 15 * 3);
    CHECK_INT((int)value("SELECT count(*) FROM derived_measure WHERE period > ?1 OR ?2 IS NULL",
                         "2024-12-31", "x"), 0);
    CHECK_INT(liia_cin_derive_measures(db, 1, "2025-03-31", SCHEMA_DIR, &n, &e), 0);
    /* the values reach `measures` as source cin, and reconciliation sets
     * them beside the quarterly return's */
    CHECK(value("SELECT value FROM measures_all_sources WHERE source = ?1 AND measure = ?2"
                " AND period = '2025-03-31'", "cin", "cpp_at_end") == 2);
    exec("INSERT INTO submission (id, la_code, period, return_type, version, status,"
         " received_at, file_name, sha256) VALUES (2, 'E09000007', '2025-03-31', 'quarterly', 1,"
         " 'accepted', '2025-04-10', 'q.csv', 'y');"
         "INSERT INTO submission_value (submission_id, measure, value) VALUES (2, 'cpp_at_end', 9);");
    CHECK(value("SELECT difference FROM reconciliation WHERE source = ?1 AND measure = ?2"
                " AND period = '2025-03-31'", "cin", "cpp_at_end") == -7);
    check_bad_schema();
    CHECK(sqlite3_close(db) == SQLITE_OK);
    return unit_result("cin_measures");
}
