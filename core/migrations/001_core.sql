-- 001: reference data, catalogues, submissions and the quarterly return.
-- Reference tables are reloaded by `init`; submissions are never deleted.

CREATE TABLE authority (
    gss_code      TEXT PRIMARY KEY,
    dfe_la_number INTEGER NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    short_code    TEXT NOT NULL UNIQUE,
    inner_outer   TEXT NOT NULL CHECK (inner_outer IN ('Inner', 'Outer')),
    ics           TEXT NOT NULL
);

-- ONS mid-year estimates of children aged 0-17 (England, London, Inner/Outer
-- London and each authority).
CREATE TABLE population (
    area_code TEXT NOT NULL,
    area_name TEXT NOT NULL,
    mid_year  INTEGER NOT NULL,
    count     INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (area_code, mid_year)
);

-- Comparator groups (quadrant, ics, inner_outer): replaceable by the user.
CREATE TABLE grouping (
    grouping   TEXT NOT NULL,
    group_code TEXT NOT NULL,
    group_name TEXT NOT NULL,
    gss_code   TEXT NOT NULL REFERENCES authority (gss_code),
    PRIMARY KEY (grouping, gss_code)
);

-- DfE statistical neighbours; neighbour_gss_code is NULL outside London.
CREATE TABLE stat_neighbour (
    gss_code                TEXT NOT NULL REFERENCES authority (gss_code),
    rank                    INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 10),
    neighbour_dfe_la_number INTEGER NOT NULL,
    neighbour_name          TEXT NOT NULL,
    neighbour_gss_code      TEXT REFERENCES authority (gss_code),
    closeness               TEXT,
    PRIMARY KEY (gss_code, rank)
);

CREATE TABLE return_type (
    id    TEXT PRIMARY KEY,
    title TEXT NOT NULL
);
INSERT INTO return_type (id, title) VALUES ('quarterly', 'Quarterly benchmarking return');

-- The measure catalogue, loaded from schemas/measures.json.
CREATE TABLE measure_def (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('flow', 'stock')),
    unit       TEXT NOT NULL CHECK (unit IN ('count', 'fte')),
    theme      TEXT NOT NULL,
    title      TEXT NOT NULL,
    definition TEXT NOT NULL,
    parent     TEXT,
    sort_order INTEGER NOT NULL
);

-- Every file received, accepted or not.  la_code/period are NULL only when
-- a rejected file could not be attributed to an authority or quarter.
CREATE TABLE submission (
    id          INTEGER PRIMARY KEY,
    la_code     TEXT REFERENCES authority (gss_code),
    period      TEXT,
    return_type TEXT NOT NULL REFERENCES return_type (id),
    version     INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('accepted', 'superseded', 'rejected')),
    received_at TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    errors      INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0,
    rows        INTEGER NOT NULL DEFAULT 0,
    supersedes  INTEGER REFERENCES submission (id),
    CHECK (status = 'rejected' OR (la_code IS NOT NULL AND period IS NOT NULL AND version IS NOT NULL))
);
-- At most one accepted version per authority, quarter and return.
CREATE UNIQUE INDEX submission_accepted
    ON submission (la_code, period, return_type) WHERE status = 'accepted';
CREATE INDEX submission_by_la ON submission (la_code, period, return_type);

-- Values of a quarterly return; value NULL = listed but not supplied.
CREATE TABLE submission_value (
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    measure       TEXT NOT NULL REFERENCES measure_def (id),
    value         REAL,
    note          TEXT,
    line          INTEGER,
    PRIMARY KEY (submission_id, measure)
);

-- Findings (errors and warnings) of every submission, accepted or rejected.
CREATE TABLE finding (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    severity      TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    tbl           TEXT,
    line          INTEGER,
    col           INTEGER,
    column_name   TEXT,
    value         TEXT,
    rule_id       TEXT NOT NULL,
    message       TEXT NOT NULL,
    fix           TEXT
);
CREATE INDEX finding_by_submission ON finding (submission_id);

CREATE VIEW submissions AS
SELECT id, la_code, period, return_type, version, status, received_at,
       file_name, sha256, errors, warnings, rows
  FROM submission;

CREATE VIEW measures AS
SELECT s.la_code, s.period, v.measure, v.value,
       s.return_type AS source, s.id AS submission_id
  FROM submission s
  JOIN submission_value v ON v.submission_id = s.id
 WHERE s.status = 'accepted' AND v.value IS NOT NULL;

CREATE VIEW findings AS
SELECT f.submission_id, s.la_code, s.period, s.return_type, s.status,
       f.severity, f.tbl AS table_name, f.line, f.col AS column_number,
       f.column_name, f.value, f.rule_id, f.message, f.fix
  FROM finding f
  JOIN submission s ON s.id = f.submission_id;
