/* test_functions.c - the SQL functions registered by the engine. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "liia_engine.h"

static char got[128];

static const char *eval_unbounded(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    snprintf(got, sizeof got, "(error)");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(got, sizeof got, "%s", t ? (const char *)t : "NULL");
    }
    sqlite3_finalize(st);
    return got;
}

/* A call that loops never returns to the progress handler, so a hang here
 * would only end at CTest's timeout: the alarm ends it in seconds, saying
 * which check hung.  Async-signal-safe: write and _exit only. */
#define HANG_BOUND_S 10
static const char *volatile hanging = "";

static void on_hang(int sig)
{
    static const char pre[] = "FAIL: an SQL function did not return within 10 s (each "
                              "must be bounded; funnel_limit(1e18, ...) once looped "
                              "forever): ";
    ssize_t w = write(STDERR_FILENO, pre, sizeof pre - 1);
    w = write(STDERR_FILENO, (const char *)hanging, strlen((const char *)hanging));
    w = write(STDERR_FILENO, "\n", 1);
    (void)w, (void)sig;
    _exit(1);
}

/* Every call of the test runs under the alarm. */
static const char *eval(sqlite3 *db, const char *sql)
{
    hanging = sql;
    alarm(HANG_BOUND_S);
    const char *r = eval_unbounded(db, sql);
    alarm(0);
    return r;
}

/* working_days over England's holidays of 2024 and 2025 (an in-memory
 * table shaped as migration 090's), then over the bundled file as `init`
 * loads it into a migrated store. */
static void test_working_days(sqlite3 *db)
{
    liia_error e;
    liia_error_clear(&e);
    /* no table, or an empty one: no coverage, so no answer */
    CHECK_STR(eval(db, "SELECT working_days('2025-01-06', '2025-01-10')"), "NULL");
    CHECK(sqlite3_exec(db, "CREATE TABLE bank_holiday (date TEXT PRIMARY KEY, title TEXT);"
                           "INSERT INTO bank_holiday VALUES ('2024-01-01','a'),('2024-03-29','b'),"
                           "('2024-04-01','c'),('2024-05-06','d'),('2024-05-27','e'),"
                           "('2024-08-26','f'),('2024-12-25','g'),('2024-12-26','h'),"
                           "('2025-01-01','i'),('2025-04-18','j'),('2025-04-21','k'),"
                           "('2025-05-05','l'),('2025-05-26','m'),('2025-08-25','n'),"
                           "('2025-12-25','o'),('2025-12-26','p')", NULL, NULL, NULL) == SQLITE_OK);
    /* Fri 20 Dec -> Fri 27 Dec: Mon 23, Tue 24, Fri 27 (25, 26 holidays) */
    CHECK_STR(eval(db, "SELECT working_days('2024-12-20', '2024-12-27')"), "3");
    CHECK_STR(eval(db, "SELECT working_days('2024-12-27', '2024-12-20')"), "-3");
    CHECK_STR(eval(db, "SELECT working_days('2025-06-02', '2025-06-02')"), "0");
    /* a weekend alone is no working day; a plain week is five */
    CHECK_STR(eval(db, "SELECT working_days('2025-01-03', '2025-01-05')"), "0");
    CHECK_STR(eval(db, "SELECT working_days('2025-06-02', '2025-06-09')"), "5");
    /* Easter: Thu 17 Apr -> Tue 22 Apr 2025 is Tue 22 only */
    CHECK_STR(eval(db, "SELECT working_days('2025-04-17', '2025-04-22')"), "1");
    /* 45 working days from a referral on 1 April 2025 run past 5 June
     * (Easter and two May holidays in between): 43 by 5 June */
    CHECK_STR(eval(db, "SELECT working_days('2025-04-01', '2025-06-05')"), "43");
    CHECK_STR(eval(db, "SELECT working_days('2024-02-28', '2024-03-01')"), "2");
    /* the collection year 2024-25: 254 working days after 1 April 2024 */
    CHECK_STR(eval(db, "SELECT working_days('2024-04-01', '2025-03-31')"), "254");
    /* the same count from C (the CIN measures' working_days condition) */
    liia_calendar *cal = liia_calendar_load(db, &e);
    long n = 0;
    CHECK(cal != NULL);
    CHECK(liia_working_days(cal, 20241220, 20241227, &n) == 1 && n == 3);
    CHECK(liia_working_days(cal, 20241227, 20241220, &n) == 1 && n == -3);
    CHECK(liia_working_days(cal, 20250401, 20250605, &n) == 1 && n == 43);
    CHECK(liia_working_days(cal, 20240401, 20250331, &n) == 1 && n == 254);
    CHECK(liia_working_days(cal, 20231229, 20240102, &n) == 0);
    CHECK(liia_working_days(cal, 20250229, 20250303, &n) == 0);
    CHECK(liia_working_days(NULL, 20250401, 20250605, &n) == 0);
    /* the nth working day before or after (the rules' "-45wd" operands):
     * 1 April 2024 was Easter Monday, the day before Good Friday */
    int32_t r = 0;
    CHECK(liia_working_day_shift(cal, 20240401, -1, &r) == 1 && r == 20240328);
    CHECK(liia_working_day_shift(cal, 20250331, -45, &r) == 1 && r == 20250127);
    CHECK(liia_working_day_shift(cal, 20250331, -15, &r) == 1 && r == 20250310);
    CHECK(liia_working_day_shift(cal, 20241220, 3, &r) == 1 && r == 20241227);
    CHECK(liia_working_day_shift(cal, 20250103, 1, &r) == 1 && r == 20250106);
    CHECK(liia_working_day_shift(cal, 20240503, 1, &r) == 1 && r == 20240507);
    CHECK(liia_working_day_shift(cal, 20240410, 45, &r) == 1 && r == 20240614);
    /* the 45th working day after is where working_days counts 45 */
    CHECK(liia_working_days(cal, 20240410, 20240614, &n) == 1 && n == 45);
    CHECK(liia_working_day_shift(cal, 20240102, -3, &r) == 0);   /* into 2023 */
    CHECK(liia_working_day_shift(cal, 20251230, 5, &r) == 0);    /* into 2026 */
    CHECK(liia_working_day_shift(cal, 20250230, 1, &r) == 0);    /* no such day */
    CHECK(liia_working_day_shift(NULL, 20250103, 1, &r) == 0);
    liia_calendar_free(cal);
    /* outside the years covered, not a date, or NULL: NULL */
    CHECK_STR(eval(db, "SELECT working_days('2023-12-29', '2024-01-02')"), "NULL");
    CHECK_STR(eval(db, "SELECT working_days('2025-12-31', '2026-01-02')"), "NULL");
    CHECK_STR(eval(db, "SELECT working_days('2025-02-29', '2025-03-03')"), "NULL");
    CHECK_STR(eval(db, "SELECT working_days('20250101', '2025-01-03')"), "NULL");
    CHECK_STR(eval(db, "SELECT working_days(NULL, '2025-01-03')"), "NULL");
    CHECK_STR(eval(db, "SELECT working_days('2025-01-02', 45)"), "NULL");
    CHECK_STR(eval(db, "SELECT working_days('9999-01-01', '2025-01-03')"), "NULL");
    /* the table is read again after this connection writes to it */
    CHECK(sqlite3_exec(db, "INSERT INTO bank_holiday VALUES ('2025-06-04', 'x')",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK_STR(eval(db, "SELECT working_days('2025-06-02', '2025-06-09')"), "4");

    /* the bundled file through migration 090 and `init`'s loader: 2019-2027 */
    sqlite3 *store;
    CHECK_INT(sqlite3_open(":memory:", &store), SQLITE_OK);
    CHECK_INT(liia_store_migrate(store, &e), 0);
    CHECK_INT(liia_reference_load(store, liia_schema_dir(), NULL, &e), 0);
    CHECK_INT(liia_engine_register_functions(store, &e), 0);
    CHECK_STR(eval(store, "SELECT count(*) FROM bank_holiday"), "75");
    CHECK_STR(eval(store, "SELECT working_days('2022-09-16', '2022-09-20')"), "1");
    CHECK_STR(eval(store, "SELECT working_days('2027-03-25', '2027-03-30')"), "1");
    CHECK_STR(eval(store, "SELECT working_days('2019-01-01', '2027-12-31')"), "2274");
    CHECK_STR(eval(store, "SELECT working_days('2018-12-31', '2019-01-02')"), "NULL");
    /* a weekend date is refused by the table */
    CHECK(sqlite3_exec(store, "INSERT INTO bank_holiday VALUES ('2025-06-07', 'Sat')",
                       NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_close(store) == SQLITE_OK);
}

int main(void)
{
    sqlite3 *db;
    liia_error e;
    liia_error_clear(&e);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hang;
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK_INT(liia_engine_register_functions(db, &e), 0);
    /* median ignores NULLs; even counts average the middle two */
    CHECK_STR(eval(db, "SELECT median(column1) FROM (VALUES (3), (1), (NULL), (2))"), "2.0");
    CHECK_STR(eval(db, "SELECT median(column1) FROM (VALUES (4), (1), (3), (2))"), "2.5");
    CHECK_STR(eval(db, "SELECT median(column1) FROM (VALUES (NULL))"), "NULL");
    /* Poisson, rate 20 per 10,000 over 10,000 children: lambda = 20.
     * P(X >= 30) = 0.0218 -> high_95; P(X >= 36) = 0.0008 -> high_998;
     * P(X <= 10) = 0.0108 -> low_95; 20 -> within */
    CHECK_STR(eval(db, "SELECT funnel_flag(30, 10000, 20, 'per10k')"), "high_95");
    CHECK_STR(eval(db, "SELECT funnel_flag(36, 10000, 20, 'per10k')"), "high_998");
    CHECK_STR(eval(db, "SELECT funnel_flag(10, 10000, 20, 'per10k')"), "low_95");
    CHECK_STR(eval(db, "SELECT funnel_flag(20, 10000, 20, 'per10k')"), "within");
    CHECK_STR(eval(db, "SELECT funnel_flag(2, 3, 1.5, 'ratio')"), "NULL");
    /* far tails underflow to 0: must still answer (this once looped) */
    CHECK_STR(eval(db, "SELECT funnel_flag(5000, 10000, 20, 'per10k')"), "high_998");
    CHECK_STR(eval(db, "SELECT funnel_flag(0, 100000, 500, 'per10k')"), "low_998");
    CHECK_STR(eval(db, "SELECT funnel_flag(90000, 100000, 10, 'pct')"), "high_998");
    /* the 97.5% limit of Poisson(20) is 29 (P(X <= 28) = 0.966,
     * P(X <= 29) = 0.978): 29 per 10,000 */
    CHECK_STR(eval(db, "SELECT funnel_limit(10000, 20, 'per10k', 0.975)"), "29.0");
    /* a limit agrees with the flag: 29 is on the 97.5% limit (within),
     * 30 beyond it (high_95) */
    CHECK_STR(eval(db, "SELECT funnel_flag(29, 10000, 20, 'per10k')"), "within");
    /* arguments out of range are refused at once, never searched: this
     * call once looped forever (bisection on doubles above 2^53) */
    CHECK_STR(eval(db, "SELECT funnel_limit(1e18, 50, 'pct', 0.975)"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_flag(1e17, 1e18, 50, 'pct')"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_limit(100, 150, 'pct', 0.975)"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_limit(100, -1, 'per10k', 0.975)"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_limit(100, 20, 'per10k', 1)"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_limit(100, 20, 'per10k', 0.9, -1)"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_limit(-5, 20, 'per10k', 0.9)"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_limit(100, 20, 'ratio', 0.9)"), "NULL");
    CHECK_STR(eval(db, "SELECT funnel_limit(100, 20, NULL, 0.9)"), "NULL");
    /* the largest denominator taken still answers, bounded */
    CHECK_STR(eval(db, "SELECT funnel_limit(1e9, 50, 'pct', 0.975) > 50"), "1");
    /* overdispersion widens the limits: tau2 = 4e-6 (sd 0.002 per child,
     * 20 per 10,000) doubles the 97.5% limit's distance from 20 */
    CHECK_STR(eval(db, "SELECT printf('%.2f', funnel_limit(10000, 20, 'per10k', 0.975, 0))"),
              "29.00");
    CHECK(atof(eval(db, "SELECT funnel_limit(10000, 20, 'per10k', 0.975, 4e-6)")) > 45);
    CHECK_STR(eval(db, "SELECT funnel_flag(30, 10000, 20, 'per10k', 4e-6)"), "within");
    /* tau2 by winsorised z-scores: ten authorities spread far beyond
     * Poisson chance around 27.5 per 10,000 are overdispersed; ten close
     * to it are not; fewer than five: 0 */
    CHECK(atof(eval(db, "SELECT overdispersion(column1, 10000, 27.5, 'per10k') FROM (VALUES"
                        " (5), (10), (15), (20), (25), (30), (35), (40), (45), (50))")) > 1e-6);
    CHECK_STR(eval(db, "SELECT overdispersion(column1, 10000, 27.5, 'per10k') FROM (VALUES"
                       " (26), (27), (28), (29), (27), (28), (26), (29), (27), (28))"), "0.0");
    CHECK_STR(eval(db, "SELECT overdispersion(column1, 10000, 27.5, 'per10k') FROM (VALUES"
                       " (5), (50), (10), (45))"), "0.0");
    /* disclosure: numerators 1-5 are suppressed, 0 and 6 are not */
    CHECK_STR(eval(db, "SELECT disclose(12.5, 5)"), "c");
    CHECK_STR(eval(db, "SELECT disclose(12.5, 1)"), "c");
    CHECK_STR(eval(db, "SELECT disclose(0, 0)"), "0");
    CHECK_STR(eval(db, "SELECT disclose(14.3, 6)"), "14.3");
    CHECK_STR(eval(db, "SELECT period_label('2024-09-30')"), "Q2 2024-25 (Jul-Sep 2024)");
    test_working_days(db);
    CHECK(sqlite3_close(db) == SQLITE_OK);
    return unit_result("engine_functions");
}
