-- 010: figures a Director can trust (docs/maths.md, docs/disclosure.md).
--  * source: the one return every term and quarter of a value came from;
--  * check_failed: an invariant bench refused to publish (percentage outside
--    0-100, "of those" above its parent, zero or negative denominator);
--  * suppressed / small_base: disclosure control and the small-base rule,
--    decided once by bench so every pack applies the same;
--  * pub_*: what a group's pooled value may publish (over the members whose
--    own figure is published, totals rounded to the nearest 10);
--  * tau2: the overdispersion (Spiegelhalter 2005, additive random effects)
--    that the funnel flags and the drawn funnel both use;
--  * bench_period.inputs: which accepted submissions the period was
--    benchmarked from, so `report` can refuse stale figures.
ALTER TABLE bench_row ADD COLUMN source TEXT;
ALTER TABLE bench_row ADD COLUMN source_submission INTEGER;
ALTER TABLE bench_row ADD COLUMN check_failed TEXT;
ALTER TABLE bench_row ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bench_row ADD COLUMN small_base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bench_row ADD COLUMN pub_numerator REAL;
ALTER TABLE bench_row ADD COLUMN pub_denominator REAL;
ALTER TABLE bench_row ADD COLUMN pub_value REAL;
ALTER TABLE bench_row ADD COLUMN pub_included INTEGER;
ALTER TABLE bench_row ADD COLUMN tau2 REAL;
ALTER TABLE bench_period ADD COLUMN inputs TEXT;
ALTER TABLE bench_period ADD COLUMN returns INTEGER;
ALTER TABLE bench_period ADD COLUMN authorities INTEGER;

-- Per quarter with accepted returns: the accepted submissions its figures
-- can depend on (quarterly returns of the 12 months to it; child-level
-- extracts from those 12 months on, since a later extract of the same
-- collection year replaces an earlier one's quarters), as a fingerprint,
-- against what bench last used.  bench stores current_inputs; report
-- refuses a period whose state is not 'current'.
CREATE VIEW bench_freshness AS
WITH cur AS (
    SELECT p.period,
           (SELECT count(*) || ':' || total(s.id) || ':' || coalesce(max(s.id), 0)
              FROM submission s
             WHERE s.status = 'accepted'
               AND s.period > date(p.period, '+1 day', '-12 months', '-1 day')
               AND (s.period <= p.period OR s.return_type <> 'quarterly')) AS inputs
      FROM (SELECT DISTINCT period FROM submission WHERE status = 'accepted') p)
SELECT cur.period, bp.inputs AS benched_inputs, cur.inputs AS current_inputs,
       CASE WHEN bp.period IS NULL THEN 'not benchmarked'
            WHEN bp.inputs IS NOT cur.inputs THEN 'stale'
            ELSE 'current' END AS state
  FROM cur LEFT JOIN bench_period bp ON bp.period = cur.period
UNION ALL
SELECT bp.period, bp.inputs, NULL, 'stale'
  FROM bench_period bp
 WHERE bp.period NOT IN (SELECT period FROM submission WHERE status = 'accepted');

DROP VIEW benchmark;
CREATE VIEW benchmark AS
SELECT b.period, bp.label AS period_label, b.indicator, d.theme,
       b.area_type, b.area_code, b.area_name,
       b.numerator, b.denominator, b.value, d.unit, d.decimals, d.polarity,
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
       b.small_base, b.pub_numerator, b.pub_denominator, b.pub_value,
       b.pub_included,
       lon.pub_value AS london_pub_value, qv.pub_value AS quadrant_pub_value,
       lon.pub_included AS london_pub_included,
       qv.pub_included AS quadrant_pub_included,
       lon.tau2 AS funnel_tau2,
       bp.returns, bp.authorities
  FROM bench_row b
  JOIN bench_period bp ON bp.period = b.period
  JOIN indicator_def d ON d.id = b.indicator
  LEFT JOIN bench_row p ON p.period = bp.prev_period AND p.indicator = b.indicator
        AND p.area_type = b.area_type AND p.area_code = b.area_code
  LEFT JOIN bench_row y ON y.period = bp.yoy_period AND y.indicator = b.indicator
        AND y.area_type = b.area_type AND y.area_code = b.area_code
  LEFT JOIN bench_row lon ON lon.period = b.period AND lon.indicator = b.indicator
        AND lon.area_type = 'region' AND lon.area_code = 'E12000007'
  LEFT JOIN grouping g ON b.area_type = 'la' AND g.grouping = 'quadrant'
        AND g.gss_code = b.area_code
  LEFT JOIN bench_row qv ON qv.period = b.period AND qv.indicator = b.indicator
        AND qv.area_type = 'quadrant' AND qv.area_code = g.group_code
  LEFT JOIN bench_row sn ON b.area_type = 'la' AND sn.period = b.period
        AND sn.indicator = b.indicator AND sn.area_type = 'sn'
        AND sn.area_code = b.area_code;
