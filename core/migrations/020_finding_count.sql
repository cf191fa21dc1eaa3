-- Findings are bounded per submission (issue 11): the first
-- LIIA_FINDINGS_LISTED_PER_RULE findings of each rule are stored in
-- `finding`, and the exact number of each rule's findings here, so an
-- extract with a finding on every cell stores a summary, not a copy of
-- itself.
CREATE TABLE finding_count (
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    rule_id       TEXT NOT NULL,
    severity      TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    count         INTEGER NOT NULL,  -- every finding of the rule
    listed        INTEGER NOT NULL,  -- of those, stored in finding
    PRIMARY KEY (submission_id, rule_id, severity)
) WITHOUT ROWID;

CREATE VIEW finding_counts AS
SELECT c.submission_id, s.la_code, s.period, s.return_type, s.status,
       c.rule_id, c.severity, c.count, c.listed
  FROM finding_count c
  JOIN submission s ON s.id = c.submission_id;
