/*
 * test_bench.c - the benchmark of the hand-built fixture (fixture.c), every
 * expected value worked out by hand below.  Shorthand: CAM Camden, ISL
 * Islington, CIT City of London, HAC Hackney; Q5 = 2025-03-31.
 */
#include <stdlib.h>
#include "unit.h"
#include "fixture.h"
#include "liia_engine.h"

static char got[256];

/* One column (as text, "NULL" for null) of one benchmark row. */
static const char *col(sqlite3 *db, const char *expr, const char *period,
                       const char *ind, const char *type, const char *code)
{
    char *sql = sqlite3_mprintf("SELECT %s FROM benchmark WHERE period = ? AND "
                                "indicator = ? AND area_type = ? AND area_code = ?",
                                expr);
    sqlite3_stmt *st = NULL;
    snprintf(got, sizeof got, "(no row)");
    if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        const char *args[] = {period, ind, type, code};
        for (int i = 0; i < 4; i++)
            sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(got, sizeof got, "%s", t ? (const char *)t : "NULL");
        }
    } else {
        fprintf(stderr, "bad test SQL: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return got;
}

#define Q5 "2025-03-31"
#define CAM "E09000007"
#define ISL "E09000019"
#define CIT "E09000001"
#define HAC "E09000012"
#define V "printf('%.4f', value)"

static void test_pooled_not_mean(sqlite3 *db)
{
    /* FD04 over the 12 months to Q5 (four quarters of each):
     * CAM (20*3+30)/400 = 22.5%, ISL (5*3+0)/200 = 7.5%, CIT 4/8 = 50%,
     * HAC null (2024-09-30 missing).  London pooled = (90+15+4)/(400+200+8)
     * = 109/608 = 17.9276%; the mean of the rates would be 26.67%. */
    CHECK_STR(col(db, V, Q5, "FD04", "la", CAM), "22.5000");
    CHECK_STR(col(db, V, Q5, "FD04", "la", ISL), "7.5000");
    CHECK_STR(col(db, V, Q5, "FD04", "la", CIT), "50.0000");
    CHECK_STR(col(db, V, Q5, "FD04", "region", "E12000007"), "17.9276");
    CHECK_STR(col(db, "numerator || '/' || denominator", Q5, "FD04", "region",
                  "E12000007"), "109/608");
    /* counts are integers in the view (issue 13), FTE sums stay real */
    CHECK_STR(col(db, "typeof(numerator) || ' ' || typeof(denominator)", Q5, "FD04",
                  "region", "E12000007"), "integer integer");
    CHECK_STR(col(db, "coverage", Q5, "FD04", "region", "E12000007"), "3 of 33");
    /* North quadrant = CAM + ISL: 105/600 = 17.5%; East = CIT only */
    CHECK_STR(col(db, V, Q5, "FD04", "quadrant", "N"), "17.5000");
    CHECK_STR(col(db, "quadrant_value", Q5, "FD04", "la", CAM), "17.5");
    CHECK_STR(col(db, "coverage", Q5, "FD04", "ics", "NEL"), "1 of 8");
    CHECK_STR(col(db, "printf('%.4f', london_value)", Q5, "FD04", "la", ISL),
              "17.9276");
}

static void test_missing_quarter(sqlite3 *db)
{
    CHECK_STR(col(db, "value", Q5, "FD04", "la", HAC), "NULL");
    CHECK_STR(col(db, "null_reason", Q5, "FD04", "la", HAC),
              "quarter 2024-09-30 missing");
    /* a stock indicator needs only its own quarter: HAC CLA04 80/400 */
    CHECK_STR(col(db, V, Q5, "CLA04", "la", HAC), "20.0000");
    /* 2024-09-30 rolls back to 2023-12-31, which nobody sent */
    CHECK_STR(col(db, "null_reason", "2024-09-30", "FD03", "la", CAM),
              "quarter 2023-12-31 missing");
    CHECK_STR(col(db, "null_reason", Q5, "FD04", "la", "E09000002"),
              "quarter 2025-03-31 missing");
}

static void test_ranks_and_ties(sqlite3 *db)
{
    /* FD04 polarity -1, ranked among published values only: CIT's 4 of 8
     * is suppressed (numerator 1-5), so ISL 7.5 rank 1 and CAM 22.5 rank 2
     * of 2 published; quartile = 1 + (rank-1)*4/2 -> 1, 3.  No gap in the
     * ranks shows where CIT would have been. */
    CHECK_STR(col(db, "rank || '/' || rank_of || ' q' || quartile", Q5, "FD04", "la", ISL), "1/2 q1");
    CHECK_STR(col(db, "rank || '/' || rank_of || ' q' || quartile", Q5, "FD04", "la", CAM), "2/2 q3");
    CHECK_STR(col(db, "coalesce(rank, 'unranked') || ' ' || suppressed || ' ' || small_base",
                  Q5, "FD04", "la", CIT), "unranked 1 1");
    CHECK_STR(col(db, "rank", Q5, "FD04", "la", HAC), "NULL");
    /* CLA04 context (highest first): HAC 20%, CAM = ISL 10% tie, CIT 0%:
     * ranks 1, 2, 2, 4 of 4; quartiles 1, 2, 2, 4 */
    CHECK_STR(col(db, "rank || ' q' || quartile", Q5, "CLA04", "la", HAC), "1 q1");
    CHECK_STR(col(db, "rank || ' q' || quartile", Q5, "CLA04", "la", CAM), "2 q2");
    CHECK_STR(col(db, "rank || ' q' || quartile", Q5, "CLA04", "la", ISL), "2 q2");
    CHECK_STR(col(db, "rank || ' q' || quartile", Q5, "CLA04", "la", CIT), "4 q4");
}

static void test_neighbours(sqlite3 *db)
{
    /* Camden's 10 neighbours include ISL (10%) and HAC (20%) for CLA04:
     * only 2 published values, so no median ("2 of 10" still said).  For
     * FD04 only ISL: none either.  A median of 1 or 2 values would be
     * those authorities' own figures. */
    CHECK_STR(col(db, "coalesce(sn_value, 'NULL') || ' ' || sn_coverage", Q5, "CLA04", "la", CAM),
              "NULL 2 of 10");
    CHECK_STR(col(db, "null_reason", Q5, "CLA04", "sn", CAM),
              "fewer than 3 statistical neighbours have a published value");
    CHECK_STR(col(db, "coverage", Q5, "FD04", "sn", CAM), "1 of 10");
}

static void test_disclosure(sqlite3 *db)
{
    /* London FD04 keeps its true pooled value (109/608) in the store, and
     * publishes the value over the members whose figure is published
     * (CIT's 4 of 8 is not): 105/600 = 17.5%, totals to the nearest 10,
     * from 2 authorities.  London minus the others then gives nothing. */
    CHECK_STR(col(db, V, Q5, "FD04", "region", "E12000007"), "17.9276");
    CHECK_STR(col(db, "pub_value || ' ' || pub_numerator || '/' || pub_denominator || ' '"
                      " || pub_included", Q5, "FD04", "region", "E12000007"),
              "17.5 110/600 2");
    CHECK_STR(col(db, "london_pub_value", Q5, "FD04", "la", CAM), "17.5");
    /* a zero numerator is published (it discloses no child) */
    CHECK_STR(col(db, "suppressed", Q5, "CLA04", "la", CIT), "0");
}

static void test_direction(sqlite3 *db)
{
    /* FD04 at 2024-12-31: CAM 80/400 = 20%, ISL 20/200 = 10%.  At Q5 CAM
     * rose to 22.5 (lower is better: worsening), ISL fell to 7.5
     * (improving); CIT 50 -> 50 stable; a year earlier nobody has a
     * 12-month value: not comparable.  CLA04 (context) CAM 10 -> 10. */
    CHECK_STR(col(db, "direction_prev", Q5, "FD04", "la", CAM), "worsening");
    CHECK_STR(col(db, "change_prev", Q5, "FD04", "la", CAM), "2.5");
    CHECK_STR(col(db, "direction_prev", Q5, "FD04", "la", ISL), "improving");
    CHECK_STR(col(db, "direction_prev", Q5, "FD04", "la", CIT), "stable");
    CHECK_STR(col(db, "direction_yoy", Q5, "FD04", "la", CAM), "not comparable");
    CHECK_STR(col(db, "direction_prev", Q5, "CLA04", "la", CAM), "stable");
}

static void test_funnel(sqlite3 *db)
{
    /* Binomial against London's published 17.5%: CAM 90 of 400,
     * P(X >= 90) = 0.008 (above the 95% limit, inside 99.8%); ISL 15 of
     * 200, P(X <= 15) < 0.001 (below 99.8%); CIT 4 of 8 is 50% but
     * P(X >= 4) = 0.036: within, not over-read. */
    CHECK_STR(col(db, "funnel", Q5, "FD04", "la", CAM), "high_95");
    CHECK_STR(col(db, "funnel", Q5, "FD04", "la", ISL), "low_998");
    CHECK_STR(col(db, "funnel", Q5, "FD04", "la", CIT), "within");
    CHECK_STR(col(db, "funnel", Q5, "FD04", "la", HAC), "NULL");
}

static void test_population_year(sqlite3 *db)
{
    /* Q5 is in FY 2024-25: mid-2024 (CAM 35276): CLA01 = 300/35276*1e4 =
     * 85.0437.  2024-03-31 is FY 2023-24: mid-2023 (36040) = 83.2408.
     * 2025-06-30 wants mid-2025, not published: mid-2024 with the flag. */
    CHECK_STR(col(db, V " || ' ' || pop_mid_year || ' ' || pop_fallback", Q5, "CLA01", "la", CAM),
              "85.0437 2024 0");
    CHECK_STR(col(db, V " || ' ' || pop_mid_year", "2024-03-31", "CLA01", "la", CAM),
              "83.2408 2023");
    CHECK_STR(col(db, V " || ' ' || pop_mid_year || ' ' || pop_fallback", "2025-06-30", "CLA01", "la", CAM),
              "85.0437 2024 1");
    CHECK_STR(col(db, "period_label", Q5, "CLA01", "la", CAM), "Q4 2024-25 (Jan-Mar 2025)");
}

static void test_shared_workforce(sqlite3 *db)
{
    /* Kingston WF01 = 10 / (10 + 90) = 10%, the only ranked value: 1 of 1.
     * Richmond shows Kingston's 10% (shared_with Kingston), unranked, and
     * London pools Kingston's figures once: 10/100 = 10%, yet both
     * authorities are covered: "2 of 33". */
    CHECK_STR(col(db, V, Q5, "WF01", "la", "E09000021"), "10.0000");
    CHECK_STR(col(db, "rank || ' of ' || rank_of", Q5, "WF01", "la", "E09000021"), "1 of 1");
    CHECK_STR(col(db, V, Q5, "WF01", "la", "E09000027"), "10.0000");
    CHECK_STR(col(db, "shared_with", Q5, "WF01", "la", "E09000027"), "E09000021");
    CHECK_STR(col(db, "coalesce(rank, 'unranked')", Q5, "WF01", "la", "E09000027"),
              "unranked");
    CHECK_STR(col(db, "numerator || '/' || denominator", Q5, "WF01", "region",
                  "E12000007"), "10.0/100.0");
    CHECK_STR(col(db, "coverage", Q5, "WF01", "region", "E12000007"), "2 of 33");
    /* Kingston's neighbours include Richmond: never Kingston's own figure */
    CHECK_STR(col(db, "sn_coverage", Q5, "WF01", "la", "E09000021"), "0 of 10");
    /* other themes are not shared: Richmond's FD01 is its own */
    CHECK_STR(col(db, "shared_with", Q5, "FD01", "la", "E09000027"), "NULL");
}

static void test_invariants(sqlite3 *db)
{
    /* "of those" above its parent: withheld, reason given */
    CHECK_STR(col(db, "coalesce(value, 'NULL') || ' ' || check_failed", Q5, "CLA06", "la", CAM),
              "NULL of those above its parent: cla_lt_stable 12 > cla_lt_cohort 10");
    /* a percentage above 100 (310 of 300) */
    CHECK_STR(col(db, "coalesce(value, 'NULL') || ' ' || null_reason", Q5, "CLA10", "la", CAM),
              "NULL percentage 103.3% outside 0-100 (310 of 300)");
    /* zero and negative denominators */
    CHECK_STR(col(db, "coalesce(value, 'NULL') || ' ' || check_failed", Q5, "CP07", "la", ISL),
              "NULL denominator is 0");
    CHECK_STR(col(db, "coalesce(value, 'NULL') || ' ' || check_failed", Q5, "CL01", "la", HAC),
              "NULL denominator is negative (-5)");
    /* excluded from pooling and ranks: London CLA10 is City's 9/10 alone */
    CHECK_STR(col(db, "numerator || '/' || denominator || ' ' || coverage", Q5, "CLA10",
                  "region", "E12000007"), "9/10 1 of 33");
    CHECK_STR(col(db, "coalesce(rank, 'unranked')", Q5, "CLA10", "la", CAM), "unranked");
    CHECK_STR(col(db, "coalesce(rank, 'unranked')", Q5, "CL01", "la", HAC), "unranked");
    CHECK_STR(col(db, "coverage", Q5, "CL01", "region", "E12000007"), "0 of 33");
    /* every value is from one return: the quarterly one here */
    CHECK_STR(col(db, "source", Q5, "FD04", "la", CAM), "quarterly");
}

static void test_rebuild_one_period(sqlite3 *db)
{
    long all = 0, one = 0;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_engine_bench(db, NULL, &all, &e), 0);
    CHECK_INT(liia_engine_bench(db, Q5, &one, &e), 0);
    /* per period: 32 indicators x (33 la + 33 sn + 1 London + 4 quadrants
     * + 5 ICS + 2 inner/outer + 1 England) = 32 x 79 = 2528; 6 periods */
    CHECK_INT(one, 2528);
    CHECK_INT(all, 6 * 2528);
    /* England is a row of every period and indicator, here without a
     * value: no published statistics were imported (issue 15) */
    CHECK_STR(col(db, "coalesce(value, 'NULL') || ' ' || null_reason || ' ' || area_name",
                  Q5, "FD04", "england", "E92000001"),
              "NULL no DfE published statistics imported England");
    CHECK_STR(col(db, "coalesce(england_value, 'NULL') || ' ' || sn_sources", Q5, "FD04",
                  "la", CAM), "NULL 1 from London quarterly returns; no DfE published "
              "statistics imported, so neighbours outside London have no figure");
    CHECK_STR(col(db, V, Q5, "FD04", "la", CAM), "22.5000");
}

int main(void)
{
    const char *path = "engine_bench_test.db";
    liia_error e;
    long rows = 0;
    sqlite3 *db = fixture_open(path);
    liia_error_clear(&e);
    CHECK(db != NULL);
    if (!db)
        return unit_result("engine_bench");
    CHECK_INT(liia_engine_bench(db, NULL, &rows, &e), 0);
    if (e.status)
        liia_error_print(stderr, &e);
    test_pooled_not_mean(db);
    test_missing_quarter(db);
    test_ranks_and_ties(db);
    test_neighbours(db);
    test_disclosure(db);
    test_direction(db);
    test_funnel(db);
    test_population_year(db);
    test_shared_workforce(db);
    test_invariants(db);
    test_rebuild_one_period(db);
    liia_store_close(db);
    return unit_result("engine_bench");
}
