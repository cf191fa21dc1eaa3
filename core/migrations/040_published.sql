-- 040: England-wide areas, DfE statistical-neighbour models by year, and
-- published statistics imported from DfE/ONS open-data files (docs/published.md).
-- Separate from `authority` (the 33 London members who send returns).

-- Every English upper-tier authority (current and former codes), region,
-- Inner/Outer London and England; schemas/reference/areas.csv, loaded by init,
-- plus any area an imported file names that the reference does not.
CREATE TABLE area (
    area_code        TEXT PRIMARY KEY,  -- ONS GSS code
    dfe_la_number    INTEGER,           -- DfE number (old_la_code); NULL above authorities
    name             TEXT NOT NULL,
    area_type        TEXT NOT NULL CHECK (area_type IN ('la', 'region', 'inner_outer', 'england')),
    region_code      TEXT,              -- the E12 region (London for Inner/Outer London)
    region_name      TEXT,
    inner_outer_code TEXT,              -- E13000001/2 for London authorities
    first_year       INTEGER,           -- years the code appears in DfE's files
    last_year        INTEGER
);
CREATE INDEX area_by_number ON area (dfe_la_number, last_year);

-- DfE statistical-neighbour models, kept by model year so a new model is
-- added beside the old one.  file_id 0 = the bundled London-only reference
-- (schemas/reference/stat_neighbours_2025.csv); otherwise the imported
-- model file (DfE's wide SN_1..SN_10 layout).
CREATE TABLE sn_model (
    model_year              INTEGER NOT NULL,
    file_id                 INTEGER NOT NULL DEFAULT 0,
    dfe_la_number           INTEGER NOT NULL,
    rank                    INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 10),
    neighbour_dfe_la_number INTEGER NOT NULL,
    closeness               TEXT,
    PRIMARY KEY (model_year, file_id, dfe_la_number, rank)
);

-- Every published file imported.  A revised file of the same layout (and,
-- for neighbour models, the same model year) supersedes the accepted one,
-- which is kept.
CREATE TABLE published_file (
    id           INTEGER PRIMARY KEY,
    layout       TEXT NOT NULL,  -- schemas/published/<layout>.json
    model_year   INTEGER,        -- neighbour models only
    version      INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('accepted', 'superseded')),
    received_at  TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    rows         INTEGER NOT NULL DEFAULT 0,
    value_count  INTEGER NOT NULL DEFAULT 0,
    symbol_count INTEGER NOT NULL DEFAULT 0,
    supersedes   INTEGER REFERENCES published_file (id)
);
CREATE UNIQUE INDEX published_file_accepted
    ON published_file (layout, coalesce(model_year, 0)) WHERE status = 'accepted';

-- DfE's symbols: kept as the reason a figure is absent, never as a number.
CREATE TABLE published_symbol (
    symbol  TEXT PRIMARY KEY,
    meaning TEXT NOT NULL
);
INSERT INTO published_symbol (symbol, meaning) VALUES
    ('c', 'confidential: suppressed to protect individuals'),
    ('x', 'not available'),
    ('z', 'not applicable'),
    ('k', 'rounds to zero but is not zero'),
    ('low', 'rounds to zero but is not zero'),
    ('u', 'low reliability'),
    ('~', 'rounds to zero but is not zero (legacy symbol)'),
    (':', 'not available (legacy symbol)');

-- One published figure: a measure (a measure of schemas/measures.json or
-- 'pop') or DfE's own published rate for an indicator (kind 'rate'), for an
-- area and year (time_period: the year to 31 March for reporting years, the
-- mid-year for ONS estimates).  joint_code: the figure is a joint row
-- (e.g. Kingston/Richmond's shared workforce) given to each member.
CREATE TABLE published_value (
    file_id    INTEGER NOT NULL REFERENCES published_file (id),
    kind       TEXT NOT NULL CHECK (kind IN ('measure', 'rate')),
    measure    TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    year       INTEGER NOT NULL,
    value      REAL,
    symbol     TEXT REFERENCES published_symbol (symbol),
    joint_code TEXT,
    line       INTEGER NOT NULL,
    PRIMARY KEY (file_id, kind, measure, area_code, year),
    CHECK ((value IS NULL) = (symbol IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX published_value_by_area ON published_value (measure, area_code, year);

-- The figures of the accepted version of each layout.
CREATE VIEW published AS
SELECT v.area_code, a.name AS area_name, a.area_type, a.dfe_la_number,
       v.year, v.kind, v.measure, v.value, v.symbol, s.meaning AS symbol_meaning,
       v.joint_code, f.layout, f.id AS file_id, f.version
  FROM published_value v
  JOIN published_file f ON f.id = v.file_id AND f.status = 'accepted'
  LEFT JOIN area a ON a.area_code = v.area_code
  LEFT JOIN published_symbol s ON s.symbol = v.symbol;

CREATE VIEW published_files AS
SELECT id, layout, model_year, version, status, received_at, file_name, sha256,
       rows, value_count, symbol_count, supersedes
  FROM published_file;

-- The neighbours in force for a model year: the imported model when there
-- is one, else the bundled reference.  A year uses the latest model not
-- newer than it (the oldest model for years before every model).
CREATE VIEW stat_neighbour_model AS
SELECT m.model_year, m.dfe_la_number, m.rank, m.neighbour_dfe_la_number, m.closeness,
       m.file_id
  FROM sn_model m
 WHERE m.file_id = coalesce((SELECT f.id FROM published_file f
                              WHERE f.layout = 'sn_model' AND f.status = 'accepted'
                                AND f.model_year = m.model_year), 0);
