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
     "INSERT INTO bench_period (period, label, fy_end_year, prev_period, yoy_period,"
     " inputs, returns, authorities) SELECT period, period_label(period), "
     "CAST(strftime('%Y', period) AS INTEGER) + (CAST(strftime('%m', period) AS INTEGER) > 3), "
     "date(period, '+1 day', '-3 months', '-1 day'), date(period, '+1 day', '-12 months', '-1 day'), "
     "(SELECT f.current_inputs FROM bench_freshness f WHERE f.period = x.period), "
     "(SELECT count(DISTINCT s.la_code) FROM submission s WHERE s.status = 'accepted'"
     " AND s.return_type = 'quarterly' AND s.period = x.period), "
     "(SELECT count(*) FROM authority) "
     "FROM (SELECT DISTINCT period FROM submission WHERE status = 'accepted' "
     "AND (:p IS NULL OR period = :p)) x"},
    {"measures",
     "CREATE TEMP TABLE mv AS SELECT la_code, period, measure, value, source,"
     " submission_id FROM measures_all_sources"},
    {"measures", "CREATE INDEX temp.mv_key ON mv (la_code, measure, period, source)"},
    {"measures",
     "CREATE TEMP TABLE received AS SELECT DISTINCT la_code, period FROM submission"
     " WHERE status = 'accepted'"},
    /* every (authority, period, indicator, term, quarter of the window) */
    {"terms",
     "CREATE TEMP TABLE mterm AS "
     "WITH cell AS (SELECT a.gss_code AS la, bp.period FROM authority a"
     "  CROSS JOIN bench_period bp WHERE :p IS NULL OR bp.period = :p),"
     " k(k) AS (VALUES (0), (1), (2), (3))"
     "SELECT c.la, c.period, t.indicator, t.part, t.term, md.parent,"
     " date(c.period, '+1 day', printf('-%d months', 3 * k.k), '-1 day') AS q"
     " FROM cell c CROSS JOIN indicator_term t JOIN measure_def md ON md.id = t.term"
     " JOIN k ON k.k = 0 OR md.kind = 'flow'"},
    /* One source per figure (docs/maths.md): the quarterly return, unless
     * ONE child-level submission gives every term for every quarter of the
     * window and agrees with every quarterly value it would replace within
     * the reconciliation tolerance (max(2, 5%)); with no quarterly value to
     * compare it must have been accepted without errors. */
    {"sources",
     "CREATE TEMP TABLE src AS "
     "WITH cand AS (SELECT mt.la, mt.period, mt.indicator, c.source, count(*) AS cells,"
     "  count(mv.value) AS have, count(DISTINCT mv.submission_id) AS subs,"
     "  max(mv.submission_id) AS sub, count(qv.value) AS compared,"
     "  count(*) FILTER (WHERE abs(mv.value - qv.value) > max(2.0, 0.05 * abs(qv.value))) AS off"
     "  FROM mterm mt CROSS JOIN (SELECT DISTINCT source FROM mv"
     "   WHERE source <> 'quarterly') c"
     "  LEFT JOIN mv ON mv.la_code = mt.la AND mv.measure = mt.term AND mv.period = mt.q"
     "   AND mv.source = c.source"
     "  LEFT JOIN mv qv ON qv.la_code = mt.la AND qv.measure = mt.term AND qv.period = mt.q"
     "   AND qv.source = 'quarterly'"
     "  GROUP BY 1, 2, 3, 4),"
     " ok AS (SELECT cand.*, ROW_NUMBER() OVER (PARTITION BY cand.la,"
     "  cand.period, cand.indicator ORDER BY coalesce(sp.rank, 1000000), cand.source) AS rn"
     "  FROM cand JOIN submission s ON s.id = cand.sub"
     "  LEFT JOIN measure_source_pref sp ON sp.source = cand.source"
     "  WHERE cand.have = cand.cells AND cand.subs = 1 AND cand.off = 0"
     "  AND (cand.compared > 0 OR s.errors = 0))"
     "SELECT la, period, indicator, source, sub FROM ok WHERE rn = 1"},
    {"sources", "CREATE INDEX temp.src_key ON src (la, period, indicator)"},
    /* each term of each indicator for each authority and quarter, all from
     * the figure's one source */
    {"terms",
     "CREATE TEMP TABLE tv AS "
     "WITH msum AS (SELECT mt.la, mt.period, mt.indicator, mt.part, mt.term, mt.parent,"
     "  coalesce(src.source, 'quarterly') AS source, src.sub,"
     "  iif(count(mv.value) = count(*), sum(mv.value), NULL) AS value,"
     "  max(iif(mv.value IS NULL, mt.q, NULL)) AS missing"
     "  FROM mterm mt LEFT JOIN src ON src.la = mt.la AND src.period = mt.period"
     "  AND src.indicator = mt.indicator"
     "  LEFT JOIN mv ON mv.la_code = mt.la AND mv.measure = mt.term AND mv.period = mt.q"
     "  AND mv.source = coalesce(src.source, 'quarterly')"
     "  AND (src.sub IS NULL OR mv.submission_id = src.sub)"
     "  GROUP BY 1, 2, 3, 4, 5)"
     "SELECT la, period, indicator, part, term, parent, source, sub, value,"
     " CASE WHEN missing IS NULL THEN NULL"
     "  WHEN NOT EXISTS (SELECT 1 FROM received r WHERE r.la_code = la AND r.period = missing)"
     "  THEN 'quarter ' || missing || ' missing'"
     "  ELSE 'measure ' || term || ' not supplied for ' || missing END AS reason,"
     " NULL AS mid_year, NULL AS fallback FROM msum "
     "UNION ALL "
     "SELECT c.la, c.period, t.indicator, t.part, 'pop', NULL, NULL, NULL, pop.count,"
     " iif(pop.count IS NULL, 'no population estimate', NULL), pop.mid_year,"
     " pop.mid_year <> c.want"
     " FROM (SELECT la, period, want, coalesce((SELECT max(p2.mid_year)"
     "  FROM population p2 WHERE p2.area_code = la AND p2.mid_year <= want),"
     "  (SELECT min(p3.mid_year) FROM population p3 WHERE p3.area_code = la))"
     "  AS mid FROM (SELECT a.gss_code AS la, bp.period, bp.fy_end_year - 1 AS want"
     "  FROM authority a CROSS JOIN bench_period bp WHERE :p IS NULL OR bp.period = :p)) c"
     " JOIN indicator_term t ON t.term = 'pop'"
     " LEFT JOIN population pop ON pop.area_code = c.la AND pop.mid_year = c.mid"},
    /* authority values */
    {"authorities",
     "INSERT INTO bench_row (period, indicator, area_type, area_code, area_name,"
     " numerator, denominator, value, null_reason, pop_mid_year, pop_fallback,"
     " source, source_submission) "
     "SELECT x.period, x.indicator, 'la', x.la, a.name, x.num, x.den,"
     " iif(x.den > 0, x.num * us.scale / x.den, NULL),"
     " CASE WHEN x.reason IS NOT NULL THEN substr(x.reason, 2) END,"
     " x.mid_year, x.fallback, x.source, x.sub "
     "FROM (SELECT period, indicator, la,"
     "  iif(count(*) FILTER (WHERE part = 'num' AND value IS NULL) = 0,"
     "      total(value) FILTER (WHERE part = 'num'), NULL) AS num,"
     "  iif(count(*) FILTER (WHERE part = 'den' AND value IS NULL) = 0,"
     "      total(value) FILTER (WHERE part = 'den'), NULL) AS den,"
     "  min((part = 'den') || reason) AS reason, max(mid_year) AS mid_year,"
     "  max(fallback) AS fallback, max(source) AS source, max(sub) AS sub"
     "  FROM tv GROUP BY 1, 2, 3) x"
     " JOIN authority a ON a.gss_code = x.la"
     " JOIN indicator_def d ON d.id = x.indicator JOIN unit_scale us ON us.unit = d.unit"},
    /* Invariants: a value bench cannot stand behind is withheld (NULL, with
     * the reason in null_reason and check_failed), so it is never
     * published, pooled or ranked. */
    {"checks",
     "UPDATE bench_row SET value = NULL, check_failed = f.why, null_reason = f.why FROM ("
     " SELECT b.period AS pe, b.indicator AS ind, b.area_code AS code, CASE"
     "  WHEN b.denominator < 0 THEN printf('denominator is negative (%g)', b.denominator)"
     "  WHEN b.denominator = 0 THEN 'denominator is 0'"
     "  WHEN o.num_term IS NOT NULL THEN printf('of those above its parent: %s %g > %s %g',"
     "   o.num_term, o.num_value, o.parent, o.parent_value)"
     "  WHEN d.unit = 'pct' AND (b.value > 100 OR b.value < 0)"
     "   THEN printf('percentage %.1f%% outside 0-100 (%g of %g)', b.value,"
     "    b.numerator, b.denominator)"
     "  WHEN b.value < 0 THEN printf('negative value (%g)', b.value) END AS why"
     " FROM bench_row b JOIN indicator_def d ON d.id = b.indicator"
     " LEFT JOIN (SELECT n.la, n.period, n.indicator, min(n.term) AS num_term,"
     "   n.value AS num_value, n.parent, p.value AS parent_value"
     "   FROM tv n JOIN tv p ON p.la = n.la AND p.period = n.period"
     "   AND p.indicator = n.indicator AND p.term = n.parent"
     "   WHERE n.part = 'num' AND n.value > p.value GROUP BY 1, 2, 3) o"
     "  ON o.la = b.area_code AND o.period = b.period AND o.indicator = b.indicator"
     " WHERE b.area_type = 'la' AND b.numerator IS NOT NULL AND b.denominator IS NOT NULL"
     " AND (:p IS NULL OR b.period = :p)) f"
     " WHERE f.why IS NOT NULL AND bench_row.area_type = 'la' AND bench_row.period = f.pe"
     " AND bench_row.indicator = f.ind AND bench_row.area_code = f.code"},
    /* A shared service's figures are the reporting authority's: shown for
     * both, counted once (no numerator or denominator to pool, no rank). */
    {"shared services",
     "UPDATE bench_row SET value = k.value, null_reason = NULL,"
     " shared_with = s.reported_by FROM shared_service s, indicator_def d, bench_row k"
     " WHERE bench_row.area_type = 'la' AND bench_row.value IS NULL"
     " AND bench_row.check_failed IS NULL AND (:p IS NULL OR bench_row.period = :p)"
     " AND s.gss_code = bench_row.area_code AND d.id = bench_row.indicator"
     " AND d.theme = s.theme AND k.area_type = 'la' AND k.period = bench_row.period"
     " AND k.indicator = bench_row.indicator AND k.area_code = s.reported_by"
     " AND k.value IS NOT NULL"},
    /* Disclosure control (docs/disclosure.md): a value on a count of 1 to 5
     * (its numerator, or a count denominator) is shown to nobody but the
     * authority itself; a shared service's row follows its partner's.
     * Small base (docs/maths.md): too few cases to rank. */
    {"disclosure",
     "UPDATE bench_row SET suppressed = (bench_row.numerator BETWEEN 1 AND 5"
     "  OR (d.unit <> 'per10k' AND bench_row.denominator BETWEEN 1 AND 5)),"
     " small_base = iif(d.unit = 'per10k', bench_row.numerator < 5,"
     "  bench_row.denominator < 10)"
     " FROM indicator_def d WHERE d.id = bench_row.indicator"
     " AND bench_row.area_type = 'la' AND bench_row.value IS NOT NULL"
     " AND bench_row.shared_with IS NULL AND (:p IS NULL OR bench_row.period = :p)"},
    {"disclosure",
     "UPDATE bench_row SET suppressed = k.suppressed, small_base = k.small_base"
     " FROM bench_row k WHERE bench_row.area_type = 'la'"
     " AND bench_row.shared_with IS NOT NULL AND (:p IS NULL OR bench_row.period = :p)"
     " AND k.area_type = 'la' AND k.period = bench_row.period"
     " AND k.indicator = bench_row.indicator AND k.area_code = bench_row.shared_with"},
    /* London and every comparator group: pooled, never a mean of rates */
    {"groups",
     "INSERT INTO bench_row (period, indicator, area_type, area_code, area_name,"
     " numerator, denominator, value, n_included, n_possible, null_reason,"
     " pop_mid_year, pop_fallback, source, pub_numerator, pub_denominator,"
     " pub_value, pub_included, suppressed) "
     "WITH grp AS (SELECT 'region' AS area_type, 'E12000007' AS code, 'London' AS name,"
     "  gss_code FROM authority UNION ALL SELECT grouping, group_code, group_name, gss_code"
     "  FROM grouping WHERE grouping IN ('quadrant', 'ics', 'inner_outer')),"
     " pooled AS (SELECT b.period, b.indicator, g.area_type, g.code, g.name,"
     "  sum(b.numerator) FILTER (WHERE b.value IS NOT NULL) AS num,"
     "  sum(b.denominator) FILTER (WHERE b.value IS NOT NULL) AS den,"
     "  count(b.value) AS inc, count(*) AS pos, max(b.pop_mid_year) AS mid_year,"
     "  max(b.pop_fallback) AS fallback,"
     "  group_concat(DISTINCT b.source) FILTER (WHERE b.value IS NOT NULL) AS source,"
     "  sum(b.numerator) FILTER (WHERE b.value IS NOT NULL AND NOT b.suppressed) AS pnum,"
     "  sum(b.denominator) FILTER (WHERE b.value IS NOT NULL AND NOT b.suppressed) AS pden,"
     "  count(b.value) FILTER (WHERE NOT b.suppressed) AS pinc"
     "  FROM grp g JOIN bench_row b ON b.area_type = 'la' AND b.area_code = g.gss_code"
     "  AND (:p IS NULL OR b.period = :p) GROUP BY 1, 2, 3, 4, 5)"
     "SELECT period, indicator, area_type, code, name, num, den,"
     " num * us.scale / den, inc, pos,"
     " iif(inc = 0, 'no authority supplied both numerator and denominator', NULL),"
     " mid_year, fallback, source,"
     /* published: over the members whose own figure is published, totals
      * to the nearest 10, the value at its published precision */
     " round(pnum / 10.0) * 10, round(pden / 10.0) * 10,"
     " round(pnum * us.scale / pden, d.decimals), pinc,"
     " coalesce(pnum BETWEEN 1 AND 5 OR (d.unit <> 'per10k' AND pden BETWEEN 1 AND 5), 0)"
     " FROM pooled"
     " JOIN indicator_def d ON d.id = indicator JOIN unit_scale us ON us.unit = d.unit"},
    /* statistical neighbours: median of the neighbours' published values
     * (never a suppressed one), and only of 3 or more, so the median can
     * never be, or pin down, a suppressed neighbour's value */
    {"neighbours",
     "INSERT INTO bench_row (period, indicator, area_type, area_code, area_name,"
     " value, n_included, n_possible, null_reason) "
     "SELECT b.period, b.indicator, 'sn', b.area_code,"
     " 'Statistical neighbours of ' || b.area_name,"
     " iif(count(nb.value) FILTER (WHERE NOT nb.suppressed) >= 3,"
     "  median(nb.value) FILTER (WHERE NOT nb.suppressed), NULL),"
     " count(nb.value) FILTER (WHERE NOT nb.suppressed), count(*),"
     " CASE WHEN count(nb.value) FILTER (WHERE NOT nb.suppressed) = 0"
     "  THEN 'no statistical neighbour has a published value'"
     "  WHEN count(nb.value) FILTER (WHERE NOT nb.suppressed) < 3"
     "  THEN 'fewer than 3 statistical neighbours have a published value' END"
     " FROM bench_row b JOIN stat_neighbour s ON s.gss_code = b.area_code"
     " LEFT JOIN bench_row nb ON nb.period = b.period AND nb.indicator = b.indicator"
     "  AND nb.area_type = 'la' AND nb.area_code = s.neighbour_gss_code"
     "  AND nb.shared_with IS NOT b.area_code" /* never compared with itself */
     " WHERE b.area_type = 'la' AND (:p IS NULL OR b.period = :p)"
     " GROUP BY b.period, b.indicator, b.area_code"},
    /* ... nor equal, at the published precision, to a suppressed one */
    {"neighbours",
     "UPDATE bench_row SET value = NULL,"
     " null_reason = 'withheld: equal to a suppressed neighbour''s value'"
     " FROM indicator_def d WHERE bench_row.area_type = 'sn'"
     " AND bench_row.value IS NOT NULL AND (:p IS NULL OR bench_row.period = :p)"
     " AND d.id = bench_row.indicator AND EXISTS (SELECT 1 FROM stat_neighbour s"
     "  JOIN bench_row nb ON nb.area_code = s.neighbour_gss_code"
     "  WHERE s.gss_code = bench_row.area_code AND nb.area_type = 'la'"
     "  AND nb.period = bench_row.period AND nb.indicator = bench_row.indicator"
     "  AND nb.suppressed AND round(nb.value, d.decimals) = round(bench_row.value, d.decimals))"},
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
     /* ranked among published values only, so no gap in the ranks marks
      * a suppressed authority; small bases are read on the funnel */
     " AND NOT b.suppressed AND NOT b.small_base"
     " AND (:p IS NULL OR b.period = :p)) r"
     " WHERE bench_row.area_type = 'la' AND bench_row.period = r.pe"
     " AND bench_row.indicator = r.ind AND bench_row.area_code = r.code"},
    /* Overdispersion (Spiegelhalter 2005): estimated per period and
     * indicator from the published values only, against London's published
     * value, and used by the flags below and the drawn funnel alike. */
    {"funnel",
     "UPDATE bench_row SET tau2 = x.t FROM (SELECT b.period AS pe, b.indicator AS ind,"
     "  overdispersion(b.numerator, b.denominator, lon.pub_value, d.unit) AS t"
     "  FROM bench_row b JOIN bench_row lon ON lon.period = b.period"
     "  AND lon.indicator = b.indicator AND lon.area_type = 'region'"
     "  JOIN indicator_def d ON d.id = b.indicator"
     "  WHERE b.area_type = 'la' AND b.value IS NOT NULL AND NOT b.suppressed"
     "  AND b.shared_with IS NULL AND (:p IS NULL OR b.period = :p) GROUP BY 1, 2) x"
     " WHERE bench_row.area_type = 'region' AND bench_row.period = x.pe"
     " AND bench_row.indicator = x.ind"},
    /* the same limits the funnel plot draws (liia_funnel_limit) */
    {"funnel",
     "UPDATE bench_row SET funnel = funnel_flag(bench_row.numerator,"
     " bench_row.denominator, lon.pub_value, d.unit, coalesce(lon.tau2, 0))"
     " FROM bench_row lon, indicator_def d"
     " WHERE bench_row.area_type = 'la' AND bench_row.value IS NOT NULL"
     " AND bench_row.shared_with IS NULL AND (:p IS NULL OR bench_row.period = :p)"
     " AND lon.period = bench_row.period AND lon.indicator = bench_row.indicator"
     " AND lon.area_type = 'region' AND d.id = bench_row.indicator"},
    {"cleaning up", "DROP TABLE temp.tv"},
    {"cleaning up", "DROP TABLE temp.received"},
    {"cleaning up", "DROP TABLE temp.src"},
    {"cleaning up", "DROP TABLE temp.mterm"},
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
