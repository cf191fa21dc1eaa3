-- Read-only views of the reference data for `liia-bench query`
-- (docs/views.md): authorities with their codes and groupings, DfE
-- statistical neighbours, and ONS child populations.  Views only: the
-- tables behind them stay outside the query allowlist.

CREATE VIEW authorities AS
SELECT a.gss_code AS la_code, a.dfe_la_number, a.short_code, a.name,
       a.inner_outer, a.ics,
       (SELECT g.group_code FROM grouping g
         WHERE g.gss_code = a.gss_code AND g.grouping = 'quadrant') AS quadrant
  FROM authority a;

CREATE VIEW groupings AS
SELECT g.grouping, g.group_code, g.group_name, g.gss_code AS la_code, a.name
  FROM grouping g JOIN authority a ON a.gss_code = g.gss_code;

-- neighbour_code is NULL for a neighbour outside London (no figures here).
CREATE VIEW neighbours AS
SELECT n.gss_code AS la_code, a.name, n.rank,
       n.neighbour_gss_code AS neighbour_code, n.neighbour_dfe_la_number,
       n.neighbour_name, n.closeness
  FROM stat_neighbour n JOIN authority a ON a.gss_code = n.gss_code;

CREATE VIEW populations AS
SELECT area_code, area_name, mid_year, count AS children_0_17
  FROM population;

-- Every version's values (superseded ones included), so "read back an
-- earlier version" is a documented query rather than one on a table.
CREATE VIEW measure_versions AS
SELECT s.la_code, s.period, s.return_type, s.version, s.status,
       v.measure, v.value, s.id AS submission_id
  FROM submission s
  JOIN submission_value v ON v.submission_id = s.id
 WHERE s.status IN ('accepted', 'superseded');
