-- 091: the measures derived from any child-level return, not only SSDA903.
-- The CIN census (schemas/cin/measures.json, ingest/cin_measures.c) stores
-- its front-door, assessment and child-protection measures in
-- derived_measure like SSDA903's looked-after ones; `measures` gives each
-- with source = its return type ('ssda903', 'cin'), so bench's source rule
-- (docs/maths.md: a value comes wholly from one source) can let either
-- stand in for the quarterly return, and `reconciliation` compares both
-- with the quarterly return.  Within one return type the submission for the
-- later period wins a quarter, as before.
DROP VIEW reconciliation;
DROP VIEW measures;
CREATE VIEW measures AS
SELECT s.la_code, s.period, v.measure, v.value,
       s.return_type AS source, s.id AS submission_id
  FROM submission s
  JOIN submission_value v ON v.submission_id = s.id
 WHERE s.status = 'accepted' AND v.value IS NOT NULL
UNION ALL
SELECT la_code, period, measure, value, source, submission_id
  FROM (SELECT s.la_code, d.period, d.measure, d.value,
               s.return_type AS source, s.id AS submission_id,
               ROW_NUMBER() OVER (PARTITION BY s.la_code, d.period, d.measure, s.return_type
                                  ORDER BY s.period DESC, s.id DESC) AS pick
          FROM submission s
          JOIN derived_measure d ON d.submission_id = s.id
         WHERE s.status = 'accepted' AND s.return_type <> 'quarterly')
 WHERE pick = 1;

-- One row a derived measure: `derived` its value and `source` the return it
-- was derived from; `ssda903` keeps the derived value under its old name
-- for the looked-after rows only.
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
  FROM measures d
  LEFT JOIN measures q
         ON q.source = 'quarterly' AND q.la_code = d.la_code
        AND q.period = d.period AND q.measure = d.measure
  LEFT JOIN measure_def m ON m.id = d.measure
 WHERE d.source <> 'quarterly';
