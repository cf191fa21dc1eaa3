-- 042: comparators from published statistics (engine/published.c,
-- docs/published.md): England and DfE's published London (and Inner/Outer
-- London) figures, and the statistical-neighbour comparator that takes each
-- neighbour's own quarterly value where it exists and its published figure
-- otherwise.  Rebuilt with the benchmark tables.

-- published_indicators_calc, materialised by bench; published_indicators
-- is the documented view of it.
CREATE TABLE pub_indicator (
    area_code     TEXT NOT NULL,
    area_name     TEXT,
    area_type     TEXT,
    dfe_la_number INTEGER,
    year          INTEGER NOT NULL,
    indicator     TEXT NOT NULL,
    numerator     REAL,
    denominator   REAL,
    computed      REAL,
    dfe_value     REAL,
    dfe_symbol    TEXT,
    value         REAL,
    source        TEXT,
    null_reason   TEXT,
    pop_mid_year  INTEGER,
    PRIMARY KEY (indicator, area_code, year)
);
CREATE INDEX pub_indicator_by_number ON pub_indicator (indicator, year, dfe_la_number);

CREATE VIEW published_indicators AS
SELECT area_code, area_name, area_type, dfe_la_number, year, indicator, numerator,
       denominator, computed, dfe_value, dfe_symbol, value, source, null_reason,
       pop_mid_year
  FROM pub_indicator;

-- England and DfE's published London / Inner / Outer London figure for a
-- period: the published year to 31 March of a March quarter; for other
-- quarters the latest year published by then (year says which).
CREATE TABLE bench_published (
    period      TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    area_type   TEXT NOT NULL CHECK (area_type IN ('england', 'region', 'inner_outer')),
    area_code   TEXT NOT NULL,
    area_name   TEXT NOT NULL,
    numerator   REAL,
    denominator REAL,
    value       REAL,
    year        INTEGER NOT NULL,
    source      TEXT,
    null_reason TEXT,
    PRIMARY KEY (period, indicator, area_type, area_code)
);

-- Each London authority's neighbours for a period and indicator, and where
-- each one's value came from.
CREATE TABLE bench_sn_member (
    period                  TEXT NOT NULL,
    indicator               TEXT NOT NULL,
    la_code                 TEXT NOT NULL,
    rank                    INTEGER NOT NULL,
    neighbour_dfe_la_number INTEGER NOT NULL,
    neighbour_code          TEXT,
    neighbour_name          TEXT,
    model_year              INTEGER NOT NULL,
    value                   REAL,
    source                  TEXT CHECK (source IN ('quarterly', 'published')),
    year                    INTEGER,  -- the published year looked at
    null_reason             TEXT,     -- why a neighbour has no value
    PRIMARY KEY (period, indicator, la_code, rank)
);

-- The neighbour comparator: median of the neighbours' values that exist,
-- counting quarterly and published values and saying which.
CREATE TABLE bench_sn_published (
    period       TEXT NOT NULL,
    indicator    TEXT NOT NULL,
    la_code      TEXT NOT NULL,
    value        REAL,
    n_included   INTEGER NOT NULL,
    n_possible   INTEGER NOT NULL,
    n_quarterly  INTEGER NOT NULL,
    n_published  INTEGER NOT NULL,
    n_suppressed INTEGER NOT NULL,    -- a DfE symbol (c, x, ...) or a quarterly value of 1-5 withheld
    year         INTEGER,             -- published year used, if any
    model_year   INTEGER NOT NULL,
    sources      TEXT NOT NULL,
    null_reason  TEXT,
    PRIMARY KEY (period, indicator, la_code)
);

-- For analysts and packs: an authority's value beside England, London
-- pooled and as DfE published it, and the neighbour comparator with its
-- sources.
CREATE VIEW published_comparators AS
SELECT s.period, s.indicator, s.la_code, la.value AS la_value,
       eng.value AS england_value, eng.year AS england_year,
       lon.value AS london_pooled, lonp.value AS london_published,
       lonp.year AS london_published_year,
       s.value AS sn_value, s.n_included || ' of ' || s.n_possible AS sn_coverage,
       s.n_quarterly AS sn_quarterly, s.n_published AS sn_published,
       s.n_suppressed AS sn_suppressed,
       s.year AS sn_published_year, s.model_year AS sn_model_year, s.sources AS sn_sources,
       s.null_reason AS sn_null_reason,
       (SELECT group_concat(m.neighbour_name, ', ') FROM
           (SELECT neighbour_name FROM bench_sn_member m2 WHERE m2.period = s.period
               AND m2.indicator = s.indicator AND m2.la_code = s.la_code ORDER BY m2.rank) m)
           AS sn_names
  FROM bench_sn_published s
  LEFT JOIN bench_row la ON la.period = s.period AND la.indicator = s.indicator
       AND la.area_type = 'la' AND la.area_code = s.la_code
  LEFT JOIN bench_published eng ON eng.period = s.period AND eng.indicator = s.indicator
       AND eng.area_type = 'england'
  LEFT JOIN bench_row lon ON lon.period = s.period AND lon.indicator = s.indicator
       AND lon.area_type = 'region' AND lon.area_code = 'E12000007'
  LEFT JOIN bench_published lonp ON lonp.period = s.period AND lonp.indicator = s.indicator
       AND lonp.area_type = 'region' AND lonp.area_code = 'E12000007';

CREATE VIEW published_neighbours AS
SELECT period, indicator, la_code, rank, neighbour_dfe_la_number, neighbour_code,
       neighbour_name, model_year, value, source, year, null_reason
  FROM bench_sn_member;
