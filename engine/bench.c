/* bench.c - rebuilds the benchmark tables.  Every comparator is one SQL
 * statement over the whole London x period x indicator grid; C only runs
 * the steps in order inside one transaction (see docs/maths.md). */
#include <string.h>
#include "liia_engine.h"

/* :p is the period to rebuild, NULL for all of them. */
static const struct bench_step {
    const char *label;
    const char *sql;
} steps[] = {
    {"clearing", "DELETE FROM bench_row WHERE :p IS NULL OR period = :p"},
    {"clearing", "DELETE FROM bench_period WHERE :p IS NULL OR period = :p"},
    {"periods",
     "INSERT INTO bench_period SELECT period, period_label(period), "
     "CAST(strftime('%Y', period) AS INTEGER) + (CAST(strftime('%m', period) AS INTEGER) > 3), "
     "date(period, '+1 day', '-3 months', '-1 day'), date(period, '+1 day', '-12 months', '-1 day') "
     "FROM (SELECT DISTINCT period FROM submission WHERE status = 'accepted' "
     "AND (:p IS NULL OR period = :p))"},
    /* one value per authority, quarter and measure: the preferred source */
    {"measures",
     "CREATE TEMP TABLE mv AS SELECT la_code, period, measure, value FROM ("
     " SELECT m.la_code, m.period, m.measure, m.value, ROW_NUMBER() OVER ("
     "  PARTITION BY m.la_code, m.period, m.measure"
     "  ORDER BY coalesce(sp.rank, 1000000), m.source) AS rn"
     " FROM measures m LEFT JOIN measure_source_pref sp ON sp.source = m.source)"
     " WHERE rn = 1"},
    {"measures", "CREATE INDEX temp.mv_key ON mv (la_code, measure, period)"},
    {"measures",
     "CREATE TEMP TABLE received AS SELECT DISTINCT la_code, period FROM submission"
     " WHERE status = 'accepted'"},
    /* each term of each indicator for each authority and quarter */
    {"terms",
     "CREATE TEMP TABLE tv AS "
     "WITH cell AS (SELECT a.gss_code AS la, bp.period, bp.fy_end_year - 1 AS want"
     "  FROM authority a CROSS JOIN bench_period bp WHERE :p IS NULL OR bp.period = :p),"
     " k(k) AS (VALUES (0), (1), (2), (3)),"
     " mterm AS (SELECT c.la, c.period, t.indicator, t.part, t.term, md.kind,"
     "  date(c.period, '+1 day', printf('-%d months', 3 * k.k), '-1 day') AS q"
     "  FROM cell c CROSS JOIN indicator_term t JOIN measure_def md ON md.id = t.term"
     "  JOIN k ON k.k = 0 OR md.kind = 'flow'),"
     " msum AS (SELECT mt.la, mt.period, mt.indicator, mt.part, mt.term,"
     "  iif(count(mv.value) = count(*), sum(mv.value), NULL) AS value,"
     "  max(iif(mv.value IS NULL, mt.q, NULL)) AS missing"
     "  FROM mterm mt LEFT JOIN mv ON mv.la_code = mt.la AND mv.measure = mt.term"
     "  AND mv.period = mt.q GROUP BY 1, 2, 3, 4, 5)"
     "SELECT la, period, indicator, part, value,"
     " CASE WHEN missing IS NULL THEN NULL"
     "  WHEN NOT EXISTS (SELECT 1 FROM received r WHERE r.la_code = la AND r.period = missing)"
     "  THEN 'quarter ' || missing || ' missing'"
     "  ELSE 'measure ' || term || ' not supplied for ' || missing END AS reason,"
     " NULL AS mid_year, NULL AS fallback FROM msum "
     "UNION ALL "
     "SELECT c.la, c.period, t.indicator, t.part, pop.count,"
     " iif(pop.count IS NULL, 'no population estimate', NULL), pop.mid_year,"
     " pop.mid_year <> c.want"
     " FROM (SELECT la, period, want, coalesce((SELECT max(p2.mid_year)"
     "  FROM population p2 WHERE p2.area_code = la AND p2.mid_year <= want),"
     "  (SELECT min(p3.mid_year) FROM population p3 WHERE p3.area_code = la))"
     "  AS mid FROM cell) c"
     " JOIN indicator_term t ON t.term = 'pop'"
     " LEFT JOIN population pop ON pop.area_code = c.la AND pop.mid_year = c.mid"},
    /* authority values */
    {"authorities",
     "INSERT INTO bench_row (period, indicator, area_type, area_code, area_name,"
     " numerator, denominator, value, null_reason, pop_mid_year, pop_fallback) "
     "SELECT x.period, x.indicator, 'la', x.la, a.name, x.num, x.den,"
     " iif(x.den > 0, x.num * us.scale / x.den, NULL),"
     " CASE WHEN x.reason IS NOT NULL THEN substr(x.reason, 2)"
     "  WHEN x.den = 0 THEN 'denominator is 0' END, x.mid_year, x.fallback "
     "FROM (SELECT period, indicator, la,"
     "  iif(count(*) FILTER (WHERE part = 'num' AND value IS NULL) = 0,"
     "      total(value) FILTER (WHERE part = 'num'), NULL) AS num,"
     "  iif(count(*) FILTER (WHERE part = 'den' AND value IS NULL) = 0,"
     "      total(value) FILTER (WHERE part = 'den'), NULL) AS den,"
     "  min((part = 'den') || reason) AS reason, max(mid_year) AS mid_year,"
     "  max(fallback) AS fallback FROM tv GROUP BY 1, 2, 3) x"
     " JOIN authority a ON a.gss_code = x.la"
     " JOIN indicator_def d ON d.id = x.indicator JOIN unit_scale us ON us.unit = d.unit"},
    /* A shared service's figures are the reporting authority's: shown for
     * both, counted once (no numerator or denominator to pool, no rank). */
    {"shared services",
     "UPDATE bench_row SET value = k.value, null_reason = NULL,"
     " shared_with = s.reported_by FROM shared_service s, indicator_def d, bench_row k"
     " WHERE bench_row.area_type = 'la' AND bench_row.value IS NULL"
     " AND (:p IS NULL OR bench_row.period = :p)"
     " AND s.gss_code = bench_row.area_code AND d.id = bench_row.indicator"
     " AND d.theme = s.theme AND k.area_type = 'la' AND k.period = bench_row.period"
     " AND k.indicator = bench_row.indicator AND k.area_code = s.reported_by"
     " AND k.value IS NOT NULL"},
    /* London and every comparator group: pooled, never a mean of rates */
    {"groups",
     "INSERT INTO bench_row (period, indicator, area_type, area_code, area_name,"
     " numerator, denominator, value, n_included, n_possible, null_reason,"
     " pop_mid_year, pop_fallback) "
     "WITH grp AS (SELECT 'region' AS area_type, 'E12000007' AS code, 'London' AS name,"
     "  gss_code FROM authority UNION ALL SELECT grouping, group_code, group_name, gss_code"
     "  FROM grouping WHERE grouping IN ('quadrant', 'ics', 'inner_outer')),"
     " pooled AS (SELECT b.period, b.indicator, g.area_type, g.code, g.name,"
     "  sum(b.numerator) FILTER (WHERE b.value IS NOT NULL) AS num,"
     "  sum(b.denominator) FILTER (WHERE b.value IS NOT NULL) AS den,"
     "  count(b.value) AS inc, count(*) AS pos, max(b.pop_mid_year) AS mid_year,"
     "  max(b.pop_fallback) AS fallback"
     "  FROM grp g JOIN bench_row b ON b.area_type = 'la' AND b.area_code = g.gss_code"
     "  AND (:p IS NULL OR b.period = :p) GROUP BY 1, 2, 3, 4, 5)"
     "SELECT period, indicator, area_type, code, name, num, den,"
     " num * us.scale / den, inc, pos,"
     " iif(inc = 0, 'no authority supplied both numerator and denominator', NULL),"
     " mid_year, fallback FROM pooled"
     " JOIN indicator_def d ON d.id = indicator JOIN unit_scale us ON us.unit = d.unit"},
    /* statistical neighbours: median of the neighbours' values that exist */
    {"neighbours",
     "INSERT INTO bench_row (period, indicator, area_type, area_code, area_name,"
     " value, n_included, n_possible, null_reason) "
     "SELECT b.period, b.indicator, 'sn', b.area_code,"
     " 'Statistical neighbours of ' || b.area_name, median(nb.value), count(nb.value),"
     " count(*), iif(count(nb.value) = 0, 'no statistical neighbour has a value', NULL)"
     " FROM bench_row b JOIN stat_neighbour s ON s.gss_code = b.area_code"
     " LEFT JOIN bench_row nb ON nb.period = b.period AND nb.indicator = b.indicator"
     "  AND nb.area_type = 'la' AND nb.area_code = s.neighbour_gss_code"
     "  AND nb.shared_with IS NOT b.area_code" /* never compared with itself */
     " WHERE b.area_type = 'la' AND (:p IS NULL OR b.period = :p)"
     " GROUP BY b.period, b.indicator, b.area_code"},
    /* rank 1 = best by polarity (highest for context); quartile from the
     * rank so that ties share a quartile, which NTILE would split */
    {"ranks",
     "UPDATE bench_row SET rank = r.rk, rank_of = r.n,"
     " quartile = 1 + ((r.rk - 1) * 4) / r.n FROM ("
     " SELECT b.period AS pe, b.indicator AS ind, b.area_code AS code,"
     "  RANK() OVER (PARTITION BY b.period, b.indicator"
     "   ORDER BY b.value * iif(d.polarity = -1, 1, -1)) AS rk,"
     "  count(*) OVER (PARTITION BY b.period, b.indicator) AS n"
     " FROM bench_row b JOIN indicator_def d ON d.id = b.indicator"
     " WHERE b.area_type = 'la' AND b.value IS NOT NULL AND b.shared_with IS NULL"
     " AND (:p IS NULL OR b.period = :p)) r"
     " WHERE bench_row.area_type = 'la' AND bench_row.period = r.pe"
     " AND bench_row.indicator = r.ind AND bench_row.area_code = r.code"},
    {"funnel",
     "UPDATE bench_row SET funnel = funnel_flag(bench_row.numerator,"
     " bench_row.denominator, lon.value, d.unit) FROM bench_row lon, indicator_def d"
     " WHERE bench_row.area_type = 'la' AND bench_row.value IS NOT NULL"
     " AND bench_row.shared_with IS NULL AND (:p IS NULL OR bench_row.period = :p)"
     " AND lon.period = bench_row.period AND lon.indicator = bench_row.indicator"
     " AND lon.area_type = 'region' AND d.id = bench_row.indicator"},
    {"cleaning up", "DROP TABLE temp.tv"},
    {"cleaning up", "DROP TABLE temp.received"},
    {"cleaning up", "DROP TABLE temp.mv"},
};

static int run_step(sqlite3 *db, const struct bench_step *s, const char *period,
                    liia_error *e)
{
    sqlite3_stmt *st;
    int idx, rc;
    if (liia_db_prepare(db, s->sql, &st, e))
        return -1;
    idx = sqlite3_bind_parameter_index(st, ":p");
    if (idx > 0 && period)
        sqlite3_bind_text(st, idx, period, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        liia_db_fail(e, db, s->label);
        sqlite3_finalize(st);
        return -1;
    }
    if (sqlite3_finalize(st) != SQLITE_OK)
        return liia_db_fail(e, db, s->label);
    return 0;
}

static int count_rows(sqlite3 *db, const char *period, long *rows, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT count(*) FROM bench_row WHERE ?1 IS NULL OR period = ?1",
                        &st, e))
        return -1;
    if (period)
        sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        liia_db_fail(e, db, "counting benchmark rows");
        sqlite3_finalize(st);
        return -1;
    }
    *rows = sqlite3_column_int64(st, 0);
    return sqlite3_finalize(st) == SQLITE_OK ? 0 : liia_db_fail(e, db, "counting");
}

int liia_engine_bench(sqlite3 *db, const char *period, long *rows_out,
                      liia_error *e)
{
    const size_t n = sizeof steps / sizeof steps[0];
    liia_progress prog;
    long rows = 0;
    if (liia_engine_register_functions(db, e) || liia_db_begin(db, e))
        return -1;
    liia_progress_start(&prog, "bench", (long)n);
    for (size_t i = 0; i < n; i++) {
        liia_progress_step(&prog, steps[i].label);
        if (run_step(db, &steps[i], period, e)) {
            liia_progress_end(&prog);
            liia_db_rollback(db);
            return -1;
        }
    }
    liia_progress_end(&prog);
    /* England, DfE's London and neighbours outside London (published.c) */
    if (liia_engine_published(db, period, e) || count_rows(db, period, &rows, e) ||
        liia_db_commit(db, e)) {
        liia_db_rollback(db);
        return -1;
    }
    if (rows_out)
        *rows_out = rows;
    return 0;
}
