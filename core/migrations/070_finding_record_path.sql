-- 070: a finding's location beyond line and column (issue 12).  Child-level
-- returns are read through a reader (ingest/reader.h) that numbers the
-- records of each part and, for structured files, names where a record
-- sits: an XML element path (the CIN census) or an xlsx sheet and cell.
-- Both are stored with the finding and shown by the findings view.
ALTER TABLE finding ADD COLUMN record INTEGER;   -- 1-based within its part
ALTER TABLE finding ADD COLUMN path TEXT;        -- XML path or "Sheet!C14"

DROP VIEW findings;
CREATE VIEW findings AS
SELECT f.submission_id, s.la_code, s.period, s.return_type, s.status,
       f.severity, f.tbl AS table_name, f.line, f.col AS column_number,
       f.column_name, f.value, f.rule_id, f.message, f.fix,
       f.record AS record_number, f.path
  FROM finding f
  JOIN submission s ON s.id = f.submission_id;
