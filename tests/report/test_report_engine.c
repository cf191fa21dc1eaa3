/*
 * test_report_engine.c - the packs over the engine's real benchmark view:
 * synthetic accepted returns for 33 authorities x 11 quarters inserted
 * into the store, `bench` run by the engine, then `report --all`.  The
 * workbook's figures must be the view's, and the City of London's small
 * counts must be `c` in everybody else's packs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liia_engine.h"
#include "liia_report.h"
#include "unit.h"
#include "xlsx_read.h"

#define OUT SCRATCH_DIR "/engine_out"
#define PERIOD "2025-03-31"

/* City of London gets about 2% of a typical authority's counts, so some of
 * its numerators fall in 1 to 5. */
static const char RETURNS_SQL[] =
    "WITH RECURSIVE q(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM q"
    "  WHERE n < 10)"
    "INSERT INTO submission (la_code, period, return_type, version, status,"
    " received_at, file_name, sha256)"
    "SELECT gss_code, date('2022-10-01', '+' || (3 * n) || ' months',"
    "       '-1 day'), 'quarterly', 1, 'accepted', '2025-04-01T00:00:00Z',"
    "       'synthetic.csv', 'x' FROM authority, q;"
    "INSERT INTO submission_value (submission_id, measure, value)"
    "SELECT s.id, d.id, round((CASE WHEN s.la_code = 'E09000001' THEN 0.02"
    "        ELSE 0.5 + ((a.dfe_la_number * 7 + d.sort_order * 3) % 10) / 10.0"
    "        END) * (40 + (d.sort_order * 37) % 300)"
    "        * (1 + ((s.id + d.sort_order) % 5) / 50.0))"
    "  FROM submission s JOIN authority a ON a.gss_code = s.la_code,"
    "       measure_def d;"
    "UPDATE submission_value AS c SET value = round(0.6 * p.value)"
    "  FROM submission_value p, measure_def d"
    " WHERE d.id = c.measure AND d.parent IS NOT NULL"
    "   AND p.submission_id = c.submission_id AND p.measure = d.parent;";

static double view_value(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* An indicator where the City of London's numerator is 1 to 5, and its
 * place in the catalogue's order (the packs' order). */
static int small_indicator(sqlite3 *db, char id[16], int *index)
{
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT b.indicator, (SELECT count(*) FROM"
                           " indicators j WHERE j.sort_order < i.sort_order"
                           " OR (j.sort_order = i.sort_order AND j.id <"
                           " i.id)) FROM"
                           " benchmark b JOIN indicators i ON i.id ="
                           " b.indicator WHERE b.period = '" PERIOD "' AND"
                           " b.area_type = 'la' AND b.area_code ="
                           " 'E09000001' AND b.numerator BETWEEN 1 AND 5"
                           " AND b.value IS NOT NULL ORDER BY i.sort_order"
                           " LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        liia_strlcpy(id, (const char *)sqlite3_column_text(st, 0), 16);
        *index = sqlite3_column_int(st, 1);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

static const char *row_with(xlsx_sheet *s, char col, const char *want,
                            int from, int to, char other)
{
    char ref[16];
    for (int r = from; r <= to; r++) {
        snprintf(ref, sizeof ref, "%c%d", col, r);
        if (!strcmp(xlsx_cell(s, ref), want)) {
            snprintf(ref, sizeof ref, "%c%d", other, r);
            return xlsx_cell(s, ref);
        }
    }
    return "(not found)";
}

static void check_camden(sqlite3 *db)
{
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, OUT "/CAM_" PERIOD "_benchmark.xlsx", 2), 0);
    /* values at their published precision; London's published value */
    double want = view_value(db, "SELECT round(value, decimals) FROM benchmark WHERE period ="
                             " '" PERIOD "' AND indicator = 'FD01' AND"
                             " area_type = 'la' AND area_code = 'E09000007'");
    CHECK(!isnan(want));
    CHECK_NEAR(atof(row_with(&s, 'B', "FD01", 5, 40, 'F')), want, 1e-9);
    double london = view_value(db, "SELECT pub_value FROM benchmark WHERE period"
                               " = '" PERIOD "' AND indicator = 'FD01' AND"
                               " area_type = 'region'");
    CHECK_NEAR(atof(row_with(&s, 'B', "FD01", 5, 40, 'G')), london, 1e-9);
    int rank = (int)view_value(db, "SELECT rank FROM benchmark WHERE period"
                               " = '" PERIOD "' AND indicator = 'AS01' AND"
                               " area_type = 'la' AND area_code ="
                               " 'E09000007'");
    CHECK_INT(atoi(row_with(&s, 'B', "AS01", 5, 40, 'L')), rank);
    CHECK(strstr(row_with(&s, 'B', "AS01", 5, 40, 'L'), " of 33") != NULL);
    xlsx_sheet_close(&s);
}

static void check_suppression(sqlite3 *db)
{
    char id[16] = "";
    int i = 0;
    CHECK_INT(small_indicator(db, id, &i), 0);
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, OUT "/CAM_" PERIOD "_benchmark.xlsx", 10), 0);
    int first = 2 + i * 38 + 3;
    CHECK_STR(row_with(&s, 'C', "CIT", first, first + 34, 'D'), "c");
    xlsx_sheet_close(&s);
    /* Its own pack shows the true value. */
    CHECK_INT(xlsx_sheet_open(&s, OUT "/CIT_" PERIOD "_benchmark.xlsx", 2), 0);
    CHECK(strcmp(row_with(&s, 'B', id, 5, 40, 'F'), "c"));
    CHECK(atof(row_with(&s, 'B', id, 5, 40, 'F')) > 0);
    xlsx_sheet_close(&s);
    CHECK_INT(xlsx_sheet_open(&s, OUT "/London_" PERIOD "_overview.xlsx", 1),
              0);
    char col = (char)('C' + i);
    if (col <= 'Z')
        CHECK_STR(row_with(&s, 'A', "City of London", 6, 38, col), "c");
    xlsx_sheet_close(&s);
}

int main(void)
{
    const char *path = SCRATCH_DIR "/test_report_engine.db";
    unlink(path);
    if (system("rm -rf '" OUT "'"))
        return 1;
    sqlite3 *db = NULL;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK_INT(liia_reference_load(db, SCHEMA_DIR, NULL, &e), 0);
    CHECK_INT(liia_engine_load_catalogue(db, SCHEMA_DIR, &e), 0);
    CHECK_INT(liia_db_exec(db, RETURNS_SQL, &e), 0);
    CHECK_INT(liia_engine_bench(db, NULL, NULL, &e), 0);
    if (e.status)
        liia_error_print(stderr, &e);

    liia_report_opts o = {.all = 1, .out_dir = OUT, .produced = "2025-04-30"};
    liia_report_result res;
    CHECK_INT(liia_report_packs(db, &o, &res, &e), 0);
    if (e.status)
        liia_error_print(stderr, &e);
    CHECK_STR(res.period, PERIOD); /* the latest benchmarked */
    CHECK_INT(res.packs, 33);
    CHECK_INT(res.overviews, 1);
    check_camden(db);
    check_suppression(db);
    liia_store_close(db);
    return unit_result("test_report_engine");
}
