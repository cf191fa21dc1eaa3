/*
 * test_dfe.c - reproduces published DfE rates through bench + query.
 *
 * Source: DfE, "Children looked after in England including adoptions",
 * reporting year 2025 (explore-education-statistics.service.gov.uk/
 * find-statistics/children-looked-after-in-england-including-adoptions/2025),
 * headline table: children looked after on 31 March 2024 = 83,530 (rate 69
 * per 10,000 children under 18) and on 31 March 2025 = 81,770 (rate 67).
 * Populations: schemas/reference/population_0_17.csv, England mid-2023
 * 12,059,476 and mid-2024 12,183,016 (the series DfE used in that release).
 *
 * The engine only benchmarks London authorities, so the scratch store gives
 * one authority England's child population and England's counts.  The
 * financial-year rule matters: 83,530 / 12,059,476 = 69.3 (mid-2023, right)
 * but / 11,901,267 (mid-2022) = 70.2; 81,770 / 12,183,016 = 67.1 (mid-2024,
 * right) but / 12,059,476 (mid-2023) = 67.8 -> 68.
 */
#include <stdlib.h>
#include "unit.h"
#include "liia_engine.h"

static int setup(sqlite3 *db, liia_error *e)
{
    static const char sql[] =
        "UPDATE population SET count = (SELECT p.count FROM population p"
        " WHERE p.area_code = 'E92000001' AND p.mid_year = population.mid_year)"
        " WHERE area_code = 'E09000007';"
        "INSERT INTO submission (id, la_code, period, return_type, version, status,"
        " received_at, file_name, sha256) VALUES"
        " (1, 'E09000007', '2024-03-31', 'quarterly', 1, 'accepted', 'x', 'dfe', 'x'),"
        " (2, 'E09000007', '2025-03-31', 'quarterly', 1, 'accepted', 'x', 'dfe', 'x');"
        "INSERT INTO submission_value (submission_id, measure, value) VALUES"
        " (1, 'cla_at_end', 83530), (2, 'cla_at_end', 81770);";
    return liia_db_exec(db, sql, e);
}

int main(void)
{
    const char *path = "engine_dfe_test.db";
    sqlite3 *db = NULL;
    liia_error e;
    liia_query_opts o = {LIIA_QUERY_CSV, 0, NULL, 0, NULL};
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    liia_error_clear(&e);
    remove(path);
    CHECK(f != NULL);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK_INT(liia_reference_load(db, liia_schema_dir(), NULL, &e), 0);
    CHECK_INT(liia_engine_load_catalogue(db, liia_schema_dir(), &e), 0);
    CHECK_INT(setup(db, &e), 0);
    CHECK_INT(liia_engine_bench(db, NULL, NULL, &e), 0);
    liia_store_close(db);
    if (e.status)
        liia_error_print(stderr, &e);
    CHECK_INT(liia_engine_query(path, "SELECT period, round(value) AS rate, "
                                "pop_mid_year FROM benchmark WHERE indicator = 'CLA01' "
                                "AND area_type = 'la' AND area_code = 'E09000007' "
                                "ORDER BY period", &o, f, &e), 0);
    CHECK(fclose(f) == 0);
    CHECK_STR(out, "period,rate,pop_mid_year\r\n"
                   "2024-03-31,69.0,2023\r\n"
                   "2025-03-31,67.0,2024\r\n");
    free(out);
    return unit_result("engine_dfe");
}
