-- 004: reconciliation of the looked-after measures derived from SSDA903
-- episodes with the same authority's quarterly return.  `reconcile` and
-- the authority pack's Reconciliation sheet both read this view, so they
-- always agree.
CREATE VIEW reconciliation AS
-- Over the documented measures view (its reads are its own, so query's
-- authorizer allows them) rather than repeating its SQL.
SELECT d.la_code, d.period, d.measure,
       COALESCE(m.title, d.measure) AS title,
       q.value AS quarterly,
       d.value AS ssda903,
       d.value - q.value AS difference,
       -- At reconcile's default tolerance: 5% of the quarterly value, and
       -- never less than 2 children.  NULL when the quarterly return does
       -- not give the measure.
       CASE WHEN q.value IS NULL THEN NULL
            WHEN abs(d.value - q.value) <= max(2.0, 0.05 * abs(q.value)) THEN 1
            ELSE 0 END AS within_tolerance,
       COALESCE(m.sort_order, 1000000000) AS sort_order
  FROM measures d
  LEFT JOIN measures q
         ON q.source = 'quarterly' AND q.la_code = d.la_code
        AND q.period = d.period AND q.measure = d.measure
  LEFT JOIN measure_def m ON m.id = d.measure
 WHERE d.source = 'ssda903';
