/* published.c - comparators from DfE's published statistics (migration
 * 042, docs/published.md): England, DfE's London figure, and each London
 * authority's statistical-neighbour median over its ten neighbours, taking
 * a neighbour's own quarterly value (bench_row) where there is one and its
 * published figure otherwise; the benchmark's 'sn' rows take this median
 * wherever a published figure took part.  Called by liia_engine_bench
 * inside its transaction, after the benchmark rows; one SQL statement per
 * step, like bench.c. */
#include "liia_engine.h"

/* A quarterly figure disclosure control withheld (bench_row.suppressed,
 * docs/disclosure.md) is never a neighbour's figure here, and the median is
 * never equal to one. */
#define SMALL(t) t ".suppressed"

static const char *const steps[] = {
    "DELETE FROM bench_published WHERE :p IS NULL OR period = :p",
    "DELETE FROM bench_sn_member WHERE :p IS NULL OR period = :p",
    "DELETE FROM bench_sn_published WHERE :p IS NULL OR period = :p",
    "DELETE FROM bench_row WHERE area_type = 'england' AND (:p IS NULL OR period = :p)",
    "DELETE FROM pub_indicator",
    "INSERT INTO pub_indicator SELECT * FROM published_indicators_calc",
    /* the published year a period uses: the year to 31 March of a March
     * quarter, else the latest year published by the quarter's end */
    "CREATE TEMP TABLE pub_year AS SELECT bp.period, i.indicator, max(i.year) AS year"
    " FROM bench_period bp JOIN (SELECT DISTINCT indicator, year FROM pub_indicator"
    "  WHERE value IS NOT NULL) i ON printf('%04d-03-31', i.year) <= bp.period"
    " WHERE :p IS NULL OR bp.period = :p GROUP BY 1, 2",
    "CREATE TEMP TABLE pub_model AS SELECT bp.period, coalesce("
    " (SELECT max(model_year) FROM sn_model WHERE model_year <= bp.fy_end_year),"
    " (SELECT min(model_year) FROM sn_model)) AS model_year"
    " FROM bench_period bp WHERE :p IS NULL OR bp.period = :p",
    /* a joint published row (Kingston / Richmond's workforce) is no one
     * authority's figure: it never enters a neighbour median (for a third
     * authority with both as neighbours it would count twice; for a
     * member it is its own figure) */
    "CREATE TEMP TABLE pub_joint AS SELECT DISTINCT coalesce(t.indicator, v.measure)"
    " AS indicator, v.area_code, v.year, v.joint_code FROM published_value v"
    " JOIN published_file f ON f.id = v.file_id AND f.status = 'accepted'"
    " LEFT JOIN indicator_term t ON v.kind = 'measure' AND t.term = v.measure"
    " WHERE v.joint_code IS NOT NULL",
    "INSERT INTO bench_published (period, indicator, area_type, area_code, area_name,"
    " numerator, denominator, value, year, source, null_reason)"
    " SELECT y.period, y.indicator, a.area_type, a.area_code, a.name, p.numerator,"
    " p.denominator, p.value, y.year, p.source, p.null_reason"
    " FROM pub_year y JOIN pub_indicator p ON p.indicator = y.indicator AND p.year = y.year"
    " JOIN area a ON a.area_code = p.area_code"
    " WHERE a.area_type IN ('england', 'inner_outer') OR a.area_code = 'E12000007'",
    /* England in the benchmark (area_type 'england'): DfE's published figure
     * with its year (pub_year) and how it was had (source), on every
     * period and indicator, with the reason where there is none */
    "INSERT INTO bench_row (period, indicator, area_type, area_code, area_name, numerator,"
    " denominator, value, null_reason, source, pub_numerator, pub_denominator, pub_value,"
    " pub_year)"
    " SELECT bp.period, d.id, 'england', 'E92000001', coalesce(e.area_name, 'England'),"
    " e.numerator, e.denominator, e.value,"
    " CASE WHEN e.value IS NOT NULL THEN NULL WHEN e.null_reason IS NOT NULL"
    "  THEN 'DfE: ' || e.null_reason"
    "  WHEN NOT EXISTS (SELECT 1 FROM published_file f WHERE f.status = 'accepted'"
    "   AND f.layout <> 'sn_model') THEN 'no DfE published statistics imported'"
    "  WHEN NOT EXISTS (SELECT 1 FROM pub_indicator p WHERE p.indicator = d.id)"
    "  THEN 'DfE does not publish this indicator (in the files imported)'"
    "  ELSE 'no England figure published by ' || bp.period END,"
    " e.source, e.numerator, e.denominator, round(e.value, d.decimals), e.year"
    " FROM bench_period bp CROSS JOIN indicator_def d"
    " LEFT JOIN bench_published e ON e.period = bp.period AND e.indicator = d.id"
    "  AND e.area_type = 'england'"
    " WHERE :p IS NULL OR bp.period = :p",
    /* each London authority's neighbours under the period's model, named */
    "CREATE TEMP TABLE pub_nb AS SELECT pm.period, pm.model_year, a.gss_code AS la,"
    " m.rank, m.neighbour_dfe_la_number AS nb,"
    " coalesce(na.gss_code, (SELECT ar.area_code FROM area ar WHERE ar.area_type = 'la'"
    "  AND ar.dfe_la_number = m.neighbour_dfe_la_number ORDER BY ar.last_year DESC,"
    "  ar.first_year DESC LIMIT 1)) AS code,"
    " coalesce(na.name, (SELECT ar.name FROM area ar WHERE ar.area_type = 'la'"
    "  AND ar.dfe_la_number = m.neighbour_dfe_la_number ORDER BY ar.last_year DESC,"
    "  ar.first_year DESC LIMIT 1), 'DfE number ' || m.neighbour_dfe_la_number) AS name,"
    " na.gss_code AS member"
    " FROM pub_model pm CROSS JOIN authority a"
    " JOIN (SELECT * FROM stat_neighbour_model) m ON m.model_year = pm.model_year"
    "  AND m.dfe_la_number = a.dfe_la_number"
    " LEFT JOIN authority na ON na.dfe_la_number = m.neighbour_dfe_la_number",
    /* one published value per indicator, year and DfE number (Barnsley and
     * Sheffield have two codes in 2025: the newer code's) */
    "CREATE TEMP TABLE pub_nbval (indicator TEXT, year INTEGER, nb INTEGER,"
    " area_code TEXT, value REAL, reason TEXT, PRIMARY KEY (indicator, year, nb))",
    "INSERT INTO pub_nbval SELECT indicator, year, dfe_la_number, area_code, value,"
    " null_reason FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY indicator, year,"
    "  dfe_la_number ORDER BY value IS NULL, area_code DESC) AS rn FROM pub_indicator"
    "  WHERE area_type = 'la' AND dfe_la_number IS NOT NULL) WHERE rn = 1",
    "INSERT INTO bench_sn_member (period, indicator, la_code, rank, neighbour_dfe_la_number,"
    " neighbour_code, neighbour_name, model_year, value, source, year, null_reason)"
    " SELECT n.period, d.id, n.la, n.rank, n.nb, n.code, n.name, n.model_year,"
    " coalesce(q.value, iif(j.joint_code IS NULL, v.value, NULL)),"
    " CASE WHEN q.value IS NOT NULL THEN 'quarterly'"
    "  WHEN v.value IS NOT NULL AND j.joint_code IS NULL THEN 'published' END,"
    " iif(q.value IS NULL, y.year, NULL),"
    " CASE WHEN q.value IS NOT NULL OR (v.value IS NOT NULL AND j.joint_code IS NULL)"
    "  THEN NULL WHEN instr(j.joint_code, n.la) > 0 OR q2.shared_with = n.la"
    "  THEN 'shares this service with the authority: never compared with itself'"
    "  WHEN j.joint_code IS NOT NULL THEN 'DfE publishes only a joint figure for '"
    "   || (SELECT group_concat(ar.name, ' and ') FROM area ar WHERE ar.area_type = 'la'"
    "   AND instr(j.joint_code, ar.area_code) > 0) || ', which is neither''s own'"
    "  WHEN " SMALL("q2") " THEN 'quarterly value suppressed (1 to 5)'"
    "  WHEN v.reason IS NOT NULL THEN 'DfE: ' || v.reason"
    "  WHEN y.year IS NULL THEN 'DfE does not publish this indicator; no quarterly value'"
    "  ELSE 'no quarterly value and no published figure' END"
    " FROM pub_nb n CROSS JOIN indicator_def d"
    " LEFT JOIN bench_row q ON q.period = n.period AND q.indicator = d.id"
    "  AND q.area_type = 'la' AND q.area_code = n.member AND q.value IS NOT NULL"
    "  AND q.shared_with IS NOT n.la AND NOT " SMALL("q")
    " LEFT JOIN bench_row q2 ON q2.period = n.period AND q2.indicator = d.id"
    "  AND q2.area_type = 'la' AND q2.area_code = n.member"
    " LEFT JOIN pub_year y ON y.period = n.period AND y.indicator = d.id"
    " LEFT JOIN pub_nbval v ON v.indicator = d.id AND v.year = y.year AND v.nb = n.nb"
    " LEFT JOIN pub_joint j ON j.indicator = d.id AND j.area_code = v.area_code"
    "  AND j.year = v.year",
    "INSERT INTO bench_sn_published (period, indicator, la_code, value, n_included,"
    " n_possible, n_quarterly, n_published, n_suppressed, year, model_year, sources,"
    " null_reason)"
    " SELECT period, indicator, la_code, iif(count(value) >= 3, median(value), NULL),"
    " count(value), count(*),"
    " count(*) FILTER (WHERE source = 'quarterly'),"
    " count(*) FILTER (WHERE source = 'published'),"
    " count(*) FILTER (WHERE null_reason LIKE 'DfE: %published as%'"
    "  OR null_reason LIKE 'quarterly value suppressed%'),"
    " max(year) FILTER (WHERE source = 'published'), max(model_year), '', "
    " CASE WHEN count(value) = 0 THEN 'no statistical neighbour has a value'"
    "  WHEN count(value) < 3 THEN 'fewer than 3 statistical neighbours have a value' END"
    " FROM bench_sn_member WHERE :p IS NULL OR period = :p"
    " GROUP BY period, indicator, la_code",
    "UPDATE bench_sn_published SET value = NULL,"
    " null_reason = 'withheld: equal to a suppressed neighbour''s value'"
    " FROM indicator_def d WHERE d.id = bench_sn_published.indicator"
    " AND bench_sn_published.value IS NOT NULL AND (:p IS NULL OR period = :p)"
    " AND EXISTS (SELECT 1 FROM bench_sn_member m JOIN bench_row nb"
    "  ON nb.period = m.period AND nb.indicator = m.indicator AND nb.area_type = 'la'"
    "  AND nb.area_code = m.neighbour_code WHERE m.period = bench_sn_published.period"
    "  AND m.indicator = bench_sn_published.indicator"
    "  AND m.la_code = bench_sn_published.la_code AND " SMALL("nb")
    "  AND round(nb.value, d.decimals) = round(bench_sn_published.value, d.decimals))",
    "UPDATE bench_sn_published SET sources = CASE"
    " WHEN NOT EXISTS (SELECT 1 FROM pub_indicator) THEN n_quarterly || ' from London"
    " quarterly returns; no DfE published statistics imported, so neighbours outside"
    " London have no figure'"
    " WHEN NOT EXISTS (SELECT 1 FROM pub_indicator p WHERE p.indicator ="
    "  bench_sn_published.indicator) THEN n_quarterly || ' from London quarterly returns;"
    " DfE does not publish this indicator, so neighbours outside London have no figure'"
    " ELSE n_quarterly || ' from quarterly returns, ' || n_published || ' DfE published'"
    "  || iif(year IS NULL, '', ' (year to 31 March ' || year || ')')"
    "  || iif(n_suppressed > 0, ', ' || n_suppressed || ' suppressed (1 to 5) or"
    " not available in DfE''s files', '') END WHERE :p IS NULL OR period = :p",
    /* the benchmark's neighbour comparator becomes this one wherever a
     * published figure took part */
    "UPDATE bench_row SET value = s.value, n_included = s.n_included,"
    " n_possible = s.n_possible, null_reason = s.null_reason, pub_year = s.year"
    " FROM bench_sn_published s WHERE bench_row.area_type = 'sn'"
    " AND bench_row.period = s.period AND bench_row.indicator = s.indicator"
    " AND bench_row.area_code = s.la_code AND s.n_published > 0"
    " AND (:p IS NULL OR s.period = :p)",
    "DROP TABLE temp.pub_year",
    "DROP TABLE temp.pub_model",
    "DROP TABLE temp.pub_joint",
    "DROP TABLE temp.pub_nb",
    "DROP TABLE temp.pub_nbval",
};

static int run(sqlite3 *db, const char *sql, const char *period, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    int idx = sqlite3_bind_parameter_index(st, ":p");
    if (idx > 0 && period)
        sqlite3_bind_text(st, idx, period, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : liia_db_fail(e, db, "published comparators");
}

int liia_engine_published(sqlite3 *db, const char *period, liia_error *e)
{
    int own = sqlite3_get_autocommit(db); /* not inside bench's transaction */
    if (liia_engine_register_functions(db, e) || (own && liia_db_begin(db, e)))
        return -1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (run(db, steps[i], period, e)) {
            liia_error ignored;
            liia_error_clear(&ignored);
            (void)liia_db_exec(db, "DROP TABLE IF EXISTS temp.pub_year; DROP TABLE IF "
                               "EXISTS temp.pub_model; DROP TABLE IF EXISTS temp.pub_joint; "
                               "DROP TABLE IF EXISTS temp.pub_nb; "
                               "DROP TABLE IF EXISTS temp.pub_nbval",
                               &ignored);
            if (own)
                liia_db_rollback(db);
            return -1;
        }
    return own ? liia_db_commit(db, e) : 0;
}
