-- 002: the child-level SSDA903 return (children looked after).
-- Only pseudonymised values are stored: child_pid is HMAC-SHA256(authority,
-- CHILD) under the platform key, dates of birth are the first of the month,
-- postcodes are sectors, UPN is checked and dropped.  Rows of a superseded
-- submission are deleted (history keeps submission metadata and findings).
-- `flags` lists the DfE rule codes a row broke (comma separated); a cell
-- that failed its own check is stored as NULL.

INSERT OR IGNORE INTO return_type (id, title)
VALUES ('ssda903', 'SSDA903 children looked after (child-level)');

CREATE TABLE cla_child (
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    line          INTEGER NOT NULL,
    child_pid     TEXT,
    sex           TEXT,
    dob_month     TEXT,
    ethnic        TEXT,
    mother        INTEGER,
    mc_dob_month  TEXT,
    flags         TEXT,
    PRIMARY KEY (submission_id, line)
) WITHOUT ROWID;

CREATE TABLE cla_episode (
    submission_id       INTEGER NOT NULL REFERENCES submission (id),
    line                INTEGER NOT NULL,
    child_pid           TEXT,
    decom               TEXT,
    rne                 TEXT,
    ls                  TEXT,
    cin                 TEXT,
    place               TEXT,
    place_provider      TEXT,
    dec                 TEXT,
    rec                 TEXT,
    reason_place_change TEXT,
    home_sector         TEXT,
    pl_sector           TEXT,
    urn                 TEXT,
    flags               TEXT,
    PRIMARY KEY (submission_id, line)
) WITHOUT ROWID;

CREATE TABLE cla_uasc (
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    line          INTEGER NOT NULL,
    child_pid     TEXT,
    sex           TEXT,
    dob_month     TEXT,
    duc           TEXT,
    flags         TEXT,
    PRIMARY KEY (submission_id, line)
) WITHOUT ROWID;

-- No index on child_pid: pseudonyms arrive in hash order, so an index on
-- them is a random B-tree insert per row (superlinear once it outgrows the
-- page cache).  The cross-row rules sort the submission's rows by child
-- once instead (ingest/ssda903_post.c), and the measures scan.

-- Looked-after measures derived from the episodes, one row per quarter the
-- submission's collection year covers up to its period.
CREATE TABLE derived_measure (
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    period        TEXT NOT NULL,
    measure       TEXT NOT NULL,
    value         REAL NOT NULL,
    PRIMARY KEY (submission_id, period, measure)
);

-- The measures view gains the derived values of the accepted ssda903
-- submissions.  When two accepted submissions of one authority both cover a
-- quarter (the Q3 and the Q4 extract of one year), the one for the later
-- period wins: it carries the authority's corrections to earlier episodes.
-- Written over the tables: query's authorizer lets a documented view read
-- only what it reads itself, never through a helper view.
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
               'ssda903' AS source, s.id AS submission_id,
               ROW_NUMBER() OVER (PARTITION BY s.la_code, d.period, d.measure
                                  ORDER BY s.period DESC, s.id DESC) AS pick
          FROM submission s
          JOIN derived_measure d ON d.submission_id = s.id
         WHERE s.status = 'accepted' AND s.return_type = 'ssda903')
 WHERE pick = 1;
