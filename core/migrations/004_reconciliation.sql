-- 004: reconciliation of the looked-after measures derived from SSDA903
-- episodes with the same authority's quarterly return.  `reconcile` and
-- the authority pack's Reconciliation sheet both read this view, so they
-- always agree.  Written over the tables (not the measures views) so the
-- query authorizer can allow it as a documented view on its own.
CREATE VIEW reconciliation AS
-- Subqueries, not WITH: SQLite names the view as the reader of tables in
-- its subqueries but not of those in a CTE, and query's authorizer allows
-- only reads made on a documented view's behalf.
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
  FROM (SELECT la_code, period, measure, value
          FROM (SELECT s.la_code, dm.period, dm.measure, dm.value,
                       ROW_NUMBER() OVER (PARTITION BY s.la_code, dm.period, dm.measure
                                          ORDER BY s.period DESC, s.id DESC) AS pick
                  FROM submission s
                  JOIN derived_measure dm ON dm.submission_id = s.id
                 WHERE s.status = 'accepted' AND s.return_type = 'ssda903')
         WHERE pick = 1) d
  LEFT JOIN (SELECT s.la_code, s.period, v.measure, v.value
               FROM submission s
               JOIN submission_value v ON v.submission_id = s.id
              WHERE s.status = 'accepted' AND s.return_type = 'quarterly'
                AND v.value IS NOT NULL) q
         ON q.la_code = d.la_code AND q.period = d.period AND q.measure = d.measure
  LEFT JOIN measure_def m ON m.id = d.measure;
