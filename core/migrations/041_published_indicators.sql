-- 041: (internal; `bench` materialises it as pub_indicator, which the
-- documented view published_indicators shows) indicators computed from published figures exactly as the engine
-- computes them from returns (indicator_term: sums of measures, 'pop' = ONS
-- 0-17 estimate for mid-(Y-1), as DfE does for the year to 31 March Y),
-- beside DfE's own published rate where it publishes one.  Only indicators
-- whose every measure some imported layout gives (docs/published.md).
-- value is computed from the published counts; where a count is suppressed
-- but DfE publishes the rate (City of London: 0 of 'c' plans), DfE's rate,
-- and source says which.
CREATE VIEW published_indicators_calc AS
WITH m AS (
    SELECT v.area_code, v.year, v.measure, v.value, v.symbol
      FROM published_value v
      JOIN published_file f ON f.id = v.file_id AND f.status = 'accepted'
     WHERE v.kind = 'measure' AND v.measure <> 'pop'),
ind AS (
    SELECT d.id FROM indicator_def d
     WHERE NOT EXISTS (SELECT 1 FROM indicator_term t
                        WHERE t.indicator = d.id AND t.term <> 'pop'
                          AND NOT EXISTS (SELECT 1 FROM m WHERE m.measure = t.term))),
cells AS (SELECT DISTINCT area_code, year FROM m),
terms AS (
    SELECT c.area_code, c.year, t.indicator, t.part,
           iif(t.term = 'pop', p.count, v.value) AS value,
           iif(t.term = 'pop', p.mid_year, NULL) AS mid_year,
           CASE WHEN t.term = 'pop' THEN iif(p.count IS NULL,
                    'no population estimate for mid-' || (c.year - 1), NULL)
                WHEN v.symbol IS NOT NULL THEN t.term || ' published as ''' || v.symbol
                    || ''' (' || s.meaning || ')'
                WHEN v.value IS NULL THEN t.term || ' not published' END AS reason
      FROM cells c
      JOIN indicator_term t ON t.indicator IN (SELECT id FROM ind)
      LEFT JOIN m v ON t.term <> 'pop' AND v.area_code = c.area_code
           AND v.year = c.year AND v.measure = t.term
      LEFT JOIN published_symbol s ON s.symbol = v.symbol
      LEFT JOIN population p ON t.term = 'pop' AND p.area_code = c.area_code
           AND p.mid_year = c.year - 1),
agg AS (
    SELECT area_code, year, indicator,
           iif(count(*) FILTER (WHERE part = 'num' AND value IS NULL) = 0,
               total(value) FILTER (WHERE part = 'num'), NULL) AS numerator,
           iif(count(*) FILTER (WHERE part = 'den' AND value IS NULL) = 0,
               total(value) FILTER (WHERE part = 'den'), NULL) AS denominator,
           min(reason) AS reason, max(mid_year) AS pop_mid_year
      FROM terms GROUP BY area_code, year, indicator)
SELECT x.area_code, a.name AS area_name, a.area_type, a.dfe_la_number, x.year,
       x.indicator, x.numerator, x.denominator, x.computed,
       r.value AS dfe_value, r.symbol AS dfe_symbol,
       coalesce(x.computed, r.value) AS value,
       CASE WHEN x.computed IS NOT NULL THEN 'published counts'
            WHEN r.value IS NOT NULL THEN 'DfE published rate' END AS source,
       CASE WHEN x.computed IS NOT NULL OR r.value IS NOT NULL THEN NULL
            WHEN x.reason IS NOT NULL THEN x.reason
            WHEN x.denominator = 0 THEN 'denominator is 0' END AS null_reason,
       x.pop_mid_year
  FROM (SELECT agg.*, iif(denominator > 0, numerator * us.scale / denominator, NULL)
               AS computed
          FROM agg JOIN indicator_def d ON d.id = agg.indicator
          JOIN unit_scale us ON us.unit = d.unit) x
  LEFT JOIN area a ON a.area_code = x.area_code
  LEFT JOIN published r ON r.kind = 'rate' AND r.measure = x.indicator
       AND r.area_code = x.area_code AND r.year = x.year;
