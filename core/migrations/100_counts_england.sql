-- 100: counts are integers in every view, England in the benchmark, and the
-- neighbour comparator labelled (issue 13: "counts come out as decimals";
-- issue 15: England rows, neighbour names, sources and year).
--
-- Values are stored REAL (a return mixes counts and FTE), so a count read
-- back came out as 12.0.  The views now give a count as an INTEGER: a
-- measure of unit 'count' (measure_def), a population, and a numerator or
-- denominator every term of which is one of those (indicator_term).  FTE
-- measures and every rate keep their decimals.  Views are written over the
-- tables (query's authorizer lets a documented view read only what it reads
-- itself, never through a helper view), so the rule (a
-- part is whole when every term is a count or the population) is repeated.
--
-- bench_row gains area_type 'england' (England, E92000001, from DfE's
-- published statistics: engine/published.c) and pub_year (the published
-- year an 'england' or 'sn' row used).  SQLite cannot change a CHECK in
-- place: the table is rebuilt, and the views over it with it.

DROP VIEW benchmark;
DROP VIEW published_comparators;

CREATE TABLE bench_row_v100 (
    period          TEXT NOT NULL REFERENCES bench_period (period),
    indicator       TEXT NOT NULL,
    area_type       TEXT NOT NULL CHECK (area_type IN ('la', 'region', 'quadrant', 'ics',
                                                       'inner_outer', 'sn', 'england')),
    area_code       TEXT NOT NULL,
    area_name       TEXT NOT NULL,
    numerator       REAL,
    denominator     REAL,
    value           REAL,
    n_included      INTEGER,
    n_possible      INTEGER,
    rank            INTEGER,
    rank_of         INTEGER,
    quartile        INTEGER,
    funnel          TEXT,
    null_reason     TEXT,
    pop_mid_year    INTEGER,
    pop_fallback    INTEGER,
    shared_with     TEXT,
    source          TEXT,
    source_submission INTEGER,
    check_failed    TEXT,
    suppressed      INTEGER NOT NULL DEFAULT 0,
    small_base      INTEGER NOT NULL DEFAULT 0,
    pub_numerator   REAL,
    pub_denominator REAL,
    pub_value       REAL,
    pub_included    INTEGER,
    tau2            REAL,
    pub_year        INTEGER,
    PRIMARY KEY (period, indicator, area_type, area_code)
);
INSERT INTO bench_row_v100 (period, indicator, area_type, area_code, area_name, numerator,
       denominator, value, n_included, n_possible, rank, rank_of, quartile, funnel,
       null_reason, pop_mid_year, pop_fallback, shared_with, source, source_submission,
       check_failed, suppressed, small_base, pub_numerator, pub_denominator, pub_value,
       pub_included, tau2)
SELECT period, indicator, area_type, area_code, area_name, numerator, denominator, value,
       n_included, n_possible, rank, rank_of, quartile, funnel, null_reason, pop_mid_year,
       pop_fallback, shared_with, source, source_submission, check_failed, suppressed,
       small_base, pub_numerator, pub_denominator, pub_value, pub_included, tau2
  FROM bench_row;
DROP TABLE bench_row;
ALTER TABLE bench_row_v100 RENAME TO bench_row;

-- Every column of migration 010's view, in its order, then England, the
-- neighbour comparator's label and names, and the published year.
CREATE VIEW benchmark AS
SELECT b.period, bp.label AS period_label, b.indicator, d.theme,
       b.area_type, b.area_code, b.area_name,
       iif(nu.whole, CAST(b.numerator AS INTEGER), b.numerator) AS numerator,
       iif(du.whole, CAST(b.denominator AS INTEGER), b.denominator) AS denominator,
       b.value, d.unit, d.decimals, d.polarity,
       CASE WHEN b.n_possible IS NOT NULL
            THEN b.n_included || ' of ' || b.n_possible END AS coverage,
       b.n_included, b.n_possible, b.rank, b.rank_of, b.quartile,
       p.value AS prev_value, b.value - p.value AS change_prev,
       CASE WHEN b.value IS NULL OR p.value IS NULL THEN 'not comparable'
            WHEN round(b.value, d.decimals) = round(p.value, d.decimals) THEN 'stable'
            WHEN d.polarity = 0 THEN iif(b.value > p.value, 'higher', 'lower')
            WHEN (b.value > p.value) = (d.polarity > 0) THEN 'improving'
            ELSE 'worsening' END AS direction_prev,
       y.value AS yoy_value, b.value - y.value AS change_yoy,
       CASE WHEN b.value IS NULL OR y.value IS NULL THEN 'not comparable'
            WHEN round(b.value, d.decimals) = round(y.value, d.decimals) THEN 'stable'
            WHEN d.polarity = 0 THEN iif(b.value > y.value, 'higher', 'lower')
            WHEN (b.value > y.value) = (d.polarity > 0) THEN 'improving'
            ELSE 'worsening' END AS direction_yoy,
       b.funnel,
       lon.value AS london_value,
       g.group_code AS quadrant_code, qv.value AS quadrant_value,
       sn.value AS sn_value,
       CASE WHEN sn.n_possible IS NOT NULL
            THEN sn.n_included || ' of ' || sn.n_possible END AS sn_coverage,
       b.null_reason, b.shared_with,
       (SELECT sh.note FROM shared_service sh WHERE b.shared_with IS NOT NULL
           AND sh.gss_code = b.area_code AND sh.theme = d.theme) AS note,
       b.pop_mid_year, b.pop_fallback, d.sort_order,
       b.source, b.source_submission, b.check_failed, b.suppressed,
       b.small_base,
       iif(nu.whole, CAST(b.pub_numerator AS INTEGER), b.pub_numerator) AS pub_numerator,
       iif(du.whole, CAST(b.pub_denominator AS INTEGER), b.pub_denominator) AS pub_denominator,
       b.pub_value, b.pub_included,
       lon.pub_value AS london_pub_value, qv.pub_value AS quadrant_pub_value,
       lon.pub_included AS london_pub_included,
       qv.pub_included AS quadrant_pub_included,
       lon.tau2 AS funnel_tau2,
       bp.returns, bp.authorities,
       eng.value AS england_value, eng.pub_year AS england_year,
       b.pub_year,
       snp.sources AS sn_sources, snp.year AS sn_year,
       (SELECT group_concat(m.neighbour_name, ', ') FROM
           (SELECT m2.neighbour_name FROM bench_sn_member m2
             WHERE m2.period = b.period AND m2.indicator = b.indicator
               AND m2.la_code = b.area_code ORDER BY m2.rank) m) AS sn_names
  FROM bench_row b
  JOIN bench_period bp ON bp.period = b.period
  JOIN indicator_def d ON d.id = b.indicator
  LEFT JOIN (SELECT t.indicator, min(t.term = 'pop' OR coalesce(md.unit = 'count', 0)) AS whole
               FROM indicator_term t LEFT JOIN measure_def md ON md.id = t.term
              WHERE t.part = 'num' GROUP BY t.indicator) nu ON nu.indicator = b.indicator
  LEFT JOIN (SELECT t.indicator, min(t.term = 'pop' OR coalesce(md.unit = 'count', 0)) AS whole
               FROM indicator_term t LEFT JOIN measure_def md ON md.id = t.term
              WHERE t.part = 'den' GROUP BY t.indicator) du ON du.indicator = b.indicator
  LEFT JOIN bench_row p ON p.period = bp.prev_period AND p.indicator = b.indicator
        AND p.area_type = b.area_type AND p.area_code = b.area_code
  LEFT JOIN bench_row y ON y.period = bp.yoy_period AND y.indicator = b.indicator
        AND y.area_type = b.area_type AND y.area_code = b.area_code
  LEFT JOIN bench_row lon ON lon.period = b.period AND lon.indicator = b.indicator
        AND lon.area_type = 'region' AND lon.area_code = 'E12000007'
  LEFT JOIN bench_row eng ON eng.period = b.period AND eng.indicator = b.indicator
        AND eng.area_type = 'england' AND eng.area_code = 'E92000001'
  LEFT JOIN grouping g ON b.area_type = 'la' AND g.grouping = 'quadrant'
        AND g.gss_code = b.area_code
  LEFT JOIN bench_row qv ON qv.period = b.period AND qv.indicator = b.indicator
        AND qv.area_type = 'quadrant' AND qv.area_code = g.group_code
  LEFT JOIN bench_row sn ON b.area_type = 'la' AND sn.period = b.period
        AND sn.indicator = b.indicator AND sn.area_type = 'sn'
        AND sn.area_code = b.area_code
  LEFT JOIN bench_sn_published snp ON b.area_type IN ('la', 'sn')
        AND snp.period = b.period AND snp.indicator = b.indicator
        AND snp.la_code = b.area_code;

CREATE VIEW published_comparators AS
SELECT s.period, s.indicator, s.la_code, la.value AS la_value,
       eng.value AS england_value, eng.year AS england_year,
       lon.value AS london_pooled, lonp.value AS london_published,
       lonp.year AS london_published_year,
       s.value AS sn_value, s.n_included || ' of ' || s.n_possible AS sn_coverage,
       s.n_quarterly AS sn_quarterly, s.n_published AS sn_published,
       s.n_suppressed AS sn_suppressed,
       s.year AS sn_published_year, s.model_year AS sn_model_year, s.sources AS sn_sources,
       s.null_reason AS sn_null_reason,
       (SELECT group_concat(m.neighbour_name, ', ') FROM
           (SELECT neighbour_name FROM bench_sn_member m2 WHERE m2.period = s.period
               AND m2.indicator = s.indicator AND m2.la_code = s.la_code ORDER BY m2.rank) m)
           AS sn_names
  FROM bench_sn_published s
  LEFT JOIN bench_row la ON la.period = s.period AND la.indicator = s.indicator
       AND la.area_type = 'la' AND la.area_code = s.la_code
  LEFT JOIN bench_published eng ON eng.period = s.period AND eng.indicator = s.indicator
       AND eng.area_type = 'england'
  LEFT JOIN bench_row lon ON lon.period = s.period AND lon.indicator = s.indicator
       AND lon.area_type = 'region' AND lon.area_code = 'E12000007'
  LEFT JOIN bench_published lonp ON lonp.period = s.period AND lonp.indicator = s.indicator
       AND lonp.area_type = 'region' AND lonp.area_code = 'E12000007';

-- measures: a count as an integer, every child-level return's derived
-- measures with their return as source (as 091) (an FTE keeps its decimals; a measure
-- outside the catalogue is an integer only when it is a whole number).
DROP VIEW measures;
CREATE VIEW measures AS
SELECT la_code, period, measure,
       CASE WHEN unit = 'fte' THEN value
            WHEN unit = 'count' OR value = CAST(value AS INTEGER)
            THEN CAST(value AS INTEGER) ELSE value END AS value,
       source, submission_id
  FROM (SELECT s.la_code, s.period, v.measure, v.value, md.unit,
               s.return_type AS source, s.id AS submission_id
          FROM submission s
          JOIN submission_value v ON v.submission_id = s.id
          LEFT JOIN measure_def md ON md.id = v.measure
         WHERE s.status = 'accepted' AND v.value IS NOT NULL
        UNION ALL
        SELECT la_code, period, measure, value, unit, source, submission_id
          FROM (SELECT s.la_code, d.period, d.measure, d.value, md.unit,
                       s.return_type AS source, s.id AS submission_id,
                       ROW_NUMBER() OVER (PARTITION BY s.la_code, d.period, d.measure,
                                                       s.return_type
                                          ORDER BY s.period DESC, s.id DESC) AS pick
                  FROM submission s
                  JOIN derived_measure d ON d.submission_id = s.id
                  LEFT JOIN measure_def md ON md.id = d.measure
                 WHERE s.status = 'accepted' AND s.return_type <> 'quarterly')
         WHERE pick = 1);

DROP VIEW measure_versions;
CREATE VIEW measure_versions AS
SELECT s.la_code, s.period, s.return_type, s.version, s.status, v.measure,
       iif(md.unit = 'count', CAST(v.value AS INTEGER), v.value) AS value,
       s.id AS submission_id
  FROM submission s
  JOIN submission_value v ON v.submission_id = s.id
  LEFT JOIN measure_def md ON md.id = v.measure
 WHERE s.status IN ('accepted', 'superseded');

DROP VIEW published;
CREATE VIEW published AS
SELECT v.area_code, a.name AS area_name, a.area_type, a.dfe_la_number,
       v.year, v.kind, v.measure,
       iif(v.kind = 'measure' AND (v.measure = 'pop' OR md.unit = 'count'),
           CAST(v.value AS INTEGER), v.value) AS value,
       v.symbol, s.meaning AS symbol_meaning,
       v.joint_code, f.layout, f.id AS file_id, f.version
  FROM published_value v
  JOIN published_file f ON f.id = v.file_id AND f.status = 'accepted'
  LEFT JOIN area a ON a.area_code = v.area_code
  LEFT JOIN published_symbol s ON s.symbol = v.symbol
  LEFT JOIN measure_def md ON md.id = v.measure;

DROP VIEW published_indicators;
CREATE VIEW published_indicators AS
SELECT p.area_code, p.area_name, p.area_type, p.dfe_la_number, p.year, p.indicator,
       iif(nu.whole, CAST(p.numerator AS INTEGER), p.numerator) AS numerator,
       iif(du.whole, CAST(p.denominator AS INTEGER), p.denominator) AS denominator,
       p.computed, p.dfe_value, p.dfe_symbol, p.value, p.source, p.null_reason,
       p.pop_mid_year
  FROM pub_indicator p
  LEFT JOIN (SELECT t.indicator, min(t.term = 'pop' OR coalesce(md.unit = 'count', 0)) AS whole
               FROM indicator_term t LEFT JOIN measure_def md ON md.id = t.term
              WHERE t.part = 'num' GROUP BY t.indicator) nu ON nu.indicator = p.indicator
  LEFT JOIN (SELECT t.indicator, min(t.term = 'pop' OR coalesce(md.unit = 'count', 0)) AS whole
               FROM indicator_term t LEFT JOIN measure_def md ON md.id = t.term
              WHERE t.part = 'den' GROUP BY t.indicator) du ON du.indicator = p.indicator;
