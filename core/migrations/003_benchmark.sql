-- 003: the benchmarking engine's tables and views.
-- indicator_def/indicator_term/unit_scale/measure_source_pref are loaded from
-- schemas/indicators.json by init; bench_* are rebuilt by `bench`.
CREATE TABLE indicator_def (
    id               TEXT PRIMARY KEY,
    title            TEXT NOT NULL,
    theme            TEXT NOT NULL,
    unit             TEXT NOT NULL CHECK (unit IN ('per10k', 'pct', 'ratio')),
    decimals         INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 4),
    polarity         INTEGER NOT NULL CHECK (polarity IN (-1, 0, 1)),
    kind             TEXT NOT NULL CHECK (kind IN ('flow', 'stock')),
    numerator_expr   TEXT NOT NULL,
    denominator_expr TEXT NOT NULL,
    definition       TEXT NOT NULL,
    sort_order       INTEGER NOT NULL
);

-- Numerator and denominator are sums of terms: a measure id or 'pop'.
CREATE TABLE indicator_term (
    indicator TEXT NOT NULL REFERENCES indicator_def (id),
    part      TEXT NOT NULL CHECK (part IN ('num', 'den')),
    term      TEXT NOT NULL,
    PRIMARY KEY (indicator, part, term)
);

CREATE TABLE unit_scale (
    unit  TEXT PRIMARY KEY,
    scale REAL NOT NULL
);

-- When two returns give the same measure for the same authority and
-- quarter, bench uses the source with the lowest rank.
CREATE TABLE measure_source_pref (
    source TEXT PRIMARY KEY,
    rank   INTEGER NOT NULL
);

-- A service two authorities share, reported once (schemas/reference/
-- shared_services.csv): gss_code's figures for theme are in reported_by's.
CREATE TABLE shared_service (
    gss_code    TEXT NOT NULL REFERENCES authority (gss_code),
    reported_by TEXT NOT NULL REFERENCES authority (gss_code),
    theme       TEXT NOT NULL,
    note        TEXT NOT NULL,
    PRIMARY KEY (gss_code, theme)
);

CREATE TABLE bench_period (
    period      TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    fy_end_year INTEGER NOT NULL,
    prev_period TEXT NOT NULL,
    yoy_period  TEXT NOT NULL
);

CREATE TABLE bench_row (
    period       TEXT NOT NULL REFERENCES bench_period (period),
    indicator    TEXT NOT NULL,
    area_type    TEXT NOT NULL CHECK (area_type IN ('la', 'region', 'quadrant', 'ics', 'inner_outer', 'sn')),
    area_code    TEXT NOT NULL,
    area_name    TEXT NOT NULL,
    numerator    REAL,
    denominator  REAL,
    value        REAL,
    n_included   INTEGER,
    n_possible   INTEGER,
    rank         INTEGER,
    rank_of      INTEGER,
    quartile     INTEGER,
    funnel       TEXT,
    null_reason  TEXT,
    pop_mid_year INTEGER,
    pop_fallback INTEGER,
    shared_with  TEXT,
    PRIMARY KEY (period, indicator, area_type, area_code)
);

CREATE VIEW indicators AS
SELECT id, title, theme, unit, decimals, polarity, kind, numerator_expr,
       denominator_expr, definition, sort_order
  FROM indicator_def;

CREATE VIEW benchmark AS
SELECT b.period, bp.label AS period_label, b.indicator, d.theme,
       b.area_type, b.area_code, b.area_name,
       b.numerator, b.denominator, b.value, d.unit, d.decimals, d.polarity,
       CASE WHEN b.n_possible IS NOT NULL
            THEN b.n_included || ' of ' || b.n_possible END AS coverage,
       b.n_included, b.n_possible, b.rank, b.rank_of, b.quartile,
       p.value AS prev_value, b.value - p.value AS change_prev,
       CASE WHEN b.value IS NULL OR p.value IS NULL THEN 'not comparable'
            WHEN round(b.value, d.decimals) = round(p.value, d.decimals) THEN 'stable'
            WHEN d.polarity = 0 THEN iif(b.value > p.value, 'higher', 'lower')
            WHEN (b.value > p.value) = (d.polarity > 0) THEN 'improving'
            ELSE 'worsening' END AS direction_prev,
       y.value AS yoy_value, b.value - y.value AS change_yoy,
       CASE WHEN b.value IS NULL OR y.value IS NULL THEN 'not comparable'
            WHEN round(b.value, d.decimals) = round(y.value, d.decimals) THEN 'stable'
            WHEN d.polarity = 0 THEN iif(b.value > y.value, 'higher', 'lower')
            WHEN (b.value > y.value) = (d.polarity > 0) THEN 'improving'
            ELSE 'worsening' END AS direction_yoy,
       b.funnel,
       lon.value AS london_value,
       g.group_code AS quadrant_code, qv.value AS quadrant_value,
       sn.value AS sn_value,
       CASE WHEN sn.n_possible IS NOT NULL
            THEN sn.n_included || ' of ' || sn.n_possible END AS sn_coverage,
       b.null_reason, b.shared_with,
       (SELECT sh.note FROM shared_service sh WHERE b.shared_with IS NOT NULL
           AND sh.gss_code = b.area_code AND sh.theme = d.theme) AS note,
       b.pop_mid_year, b.pop_fallback, d.sort_order
  FROM bench_row b
  JOIN bench_period bp ON bp.period = b.period
  JOIN indicator_def d ON d.id = b.indicator
  LEFT JOIN bench_row p ON p.period = bp.prev_period AND p.indicator = b.indicator
        AND p.area_type = b.area_type AND p.area_code = b.area_code
  LEFT JOIN bench_row y ON y.period = bp.yoy_period AND y.indicator = b.indicator
        AND y.area_type = b.area_type AND y.area_code = b.area_code
  LEFT JOIN bench_row lon ON lon.period = b.period AND lon.indicator = b.indicator
        AND lon.area_type = 'region' AND lon.area_code = 'E12000007'
  LEFT JOIN grouping g ON b.area_type = 'la' AND g.grouping = 'quadrant'
        AND g.gss_code = b.area_code
  LEFT JOIN bench_row qv ON qv.period = b.period AND qv.indicator = b.indicator
        AND qv.area_type = 'quadrant' AND qv.area_code = g.group_code
  LEFT JOIN bench_row sn ON b.area_type = 'la' AND sn.period = b.period
        AND sn.indicator = b.indicator AND sn.area_type = 'sn'
        AND sn.area_code = b.area_code;
