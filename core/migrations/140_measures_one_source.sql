-- 140: `measures` gives one row per authority, period and measure, from the
-- source the benchmark used (issue 13: "two rows per measure for
-- authorities with an SSDA903 extract ... sum(value) gives 10,862 against
-- the benchmark's 10,127").  Every source's row moves to the documented
-- view `measures_all_sources` (the old `measures`, unchanged), which bench
-- and `reconciliation` read.
--
-- The rule (docs/views.md): a child-level value (ssda903, cin) is the row
-- when bench took that measure for that quarter from that very submission
-- for some figure of the authority (bench_row.source_submission: the trust
-- rule of docs/maths.md, "one source per figure"); otherwise the quarterly
-- return's value is the row; a child-level value bench did not use is in
-- measures_all_sources only.  Before `bench` has run for a quarter, every
-- row is the quarterly return's.
DROP VIEW reconciliation;
DROP VIEW measures;

CREATE VIEW measures_all_sources AS
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

-- u: (authority, submission, measure, quarter) bench took from a
-- child-level submission: every term of a figure whose source_submission
-- is set, for the figure's quarter (a stock) or the four quarters of its
-- window (a flow), as engine/bench.c builds mterm.  A used child-level
-- value comes first, then the quarterly value; of two child-level returns
-- bench used for one measure and quarter, the preferred
-- (measure_source_preference), as bench orders them.  No CTE: query's
-- authorizer sees a view's own reads only (engine/query.c).
CREATE VIEW measures AS
SELECT la_code, period, measure, value, source, submission_id
  FROM (SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.la_code, m.period, m.measure
                                       ORDER BY u.submission_id IS NULL,
                                                coalesce(sp.rank, 1000000), m.source) AS pick
          FROM measures_all_sources m
          LEFT JOIN (SELECT DISTINCT b.area_code AS la_code,
                            b.source_submission AS submission_id, t.term AS measure,
                            date(b.period, '+1 day', printf('-%d months', 3 * k.k),
                                 '-1 day') AS period
                       FROM bench_row b
                       JOIN indicator_term t ON t.indicator = b.indicator
                       JOIN measure_def md ON md.id = t.term
                       JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2
                             UNION ALL SELECT 3) k ON k.k = 0 OR md.kind = 'flow'
                      WHERE b.area_type = 'la' AND b.source_submission IS NOT NULL) u
                 ON u.la_code = m.la_code AND u.submission_id = m.submission_id
                AND u.measure = m.measure AND u.period = m.period
          LEFT JOIN measure_source_pref sp ON sp.source = m.source
         WHERE m.source = 'quarterly' OR u.submission_id IS NOT NULL)
 WHERE pick = 1;

-- As 091, over every source.
CREATE VIEW reconciliation AS
SELECT d.la_code, d.period, d.measure,
       COALESCE(m.title, d.measure) AS title,
       d.source,
       q.value AS quarterly,
       d.value AS derived,
       CASE WHEN d.source = 'ssda903' THEN d.value END AS ssda903,
       d.value - q.value AS difference,
       CASE WHEN q.value IS NULL THEN NULL
            WHEN abs(d.value - q.value) <= max(2.0, 0.05 * abs(q.value)) THEN 1
            ELSE 0 END AS within_tolerance,
       COALESCE(m.sort_order, 1000000000) AS sort_order
  FROM measures_all_sources d
  LEFT JOIN measures_all_sources q
         ON q.source = 'quarterly' AND q.la_code = d.la_code
        AND q.period = d.period AND q.measure = d.measure
  LEFT JOIN measure_def m ON m.id = d.measure
 WHERE d.source <> 'quarterly';
