/*
 * test_published_import.c - `import` on small synthetic files in DfE's
 * open-data layouts: wide and long layouts, both column orders, quoted
 * empty codes, a BOM, every DfE symbol kept as a reason, joint rows, the
 * unrecognised-file message, malformed and duplicated rows rejected with
 * nothing stored, re-import (unchanged; revised supersedes and keeps the
 * old), ONS population into the reference, neighbour models by year.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "liia_engine.h"
#include "liia_published.h"

#define STD_AFTER "time_period,time_identifier,geographic_level,country_code,country_name," \
                  "region_code,region_name,old_la_code,new_la_code,la_name"
#define STD_BEFORE "time_period,time_identifier,geographic_level,country_code,country_name," \
                   "region_code,region_name,old_la_code,la_name,new_la_code"
#define ENG "2025,Reporting year,National,E92000001,England,"
#define LON "E13000001,Inner London,"

/* C1 in the wide layout, la_name after new_la_code, quoted empty codes and
 * every symbol somewhere. */
static const char c1[] =
    STD_AFTER ",category,referral_count,rereferral_count,rereferral_percent,"
    "no_further_action_count,no_further_action_percent\n"
    ENG "\"\",\"\",,\"\",\"\",Referrals,632830,142900,22.6,41340,6.5\n"
    "2025,Reporting year,Regional,E92000001,England,E12000007,London,,\"\",\"\",Referrals,"
    "80000,16000,20.0,5000,6.3\n"
    "2025,Reporting year,Local authority,E92000001,England," LON "202,E09000007,Camden,"
    "Referrals,1500,300,20.0,c,c\n"
    "2025,Reporting year,Local authority,E92000001,England," LON "201,E09000001,"
    "City of London,Referrals,x,z,z,k,low\n"
    "2025,Reporting year,Local authority,E92000001,England," LON "206,E09000019,Islington,"
    "Referrals,1200,u,u,~,:\n"
    "2025,Reporting year,Local authority district,E92000001,England,,,,E07000001,X,"
    "Referrals,1,1,1,1,1\n";

/* The same file with la_name before new_la_code and the columns shuffled. */
static const char c1_reordered[] =
    "rereferral_count,referral_count," STD_BEFORE ",category,rereferral_percent,"
    "no_further_action_count,no_further_action_percent\n"
    "142900,632830," ENG ",,,,,Referrals,22.6,41340,6.5\n"
    "16000,80000,2025,Reporting year,Regional,E92000001,England,E12000007,London,,,,"
    "Referrals,20.0,5000,6.3\n"
    "300,1500,2025,Reporting year,Local authority,E92000001,England," LON
    "202,Camden,E09000007,Referrals,20.0,c,c\n"
    "z,x,2025,Reporting year,Local authority,E92000001,England," LON
    "201,City of London,E09000001,Referrals,z,k,low\n"
    "u,1200,2025,Reporting year,Local authority,E92000001,England," LON
    "206,Islington,E09000019,Referrals,u,~,:\n"
    "1,1,2025,Reporting year,Local authority district,E92000001,England,,,,X,E07000001,"
    "Referrals,1,1,1\n";

/* Children looked after: the long layout, with a BOM. */
static const char cla[] =
    "\xEF\xBB\xBF" STD_BEFORE ",population_type,population_estimate,children_count,"
    "rate_per_10000\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,840,"
    "County Durham,E06000047,Children looked after on 31 March each year,100000,1100,110\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,840,"
    "County Durham,E06000047,Children starting to be looked after each year,100000,300,30\n";

static const char csww[] =
    STD_AFTER ",inpost_fte,agency_fte,vacancy_fte,caseload_fte,leavers_fte,cases,"
    "case_holders_fte,agency_rate_fte,vacancy_rate_fte,turnover_rate_fte\n"
    "2025,Reporting year,Local authority,E92000001,England,E13000002,Outer London,314 / 318,"
    "E09000021 / E09000027,Kingston upon Thames / Richmond upon Thames,137.4,24,24,13.9,"
    "38.5,1679,120.7,14.9,14.9,28\n";

static const char pop[] =
    STD_AFTER ",age_group,population_estimate\n"
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,840,"
    "E06000047,County Durham,Children aged 0 to 17 years,100000\n";

static const char sn[] =
    "\xEF\xBB\xBFold_la_code,la_name,region_ind,region_name,SN_1,SN_1P,SN_2,SN_2P,SN_3,"
    "SN_3P,SN_4,SN_4P,SN_5,SN_5P,SN_6,SN_6P,SN_7,SN_7P,SN_8,SN_8P,SN_9,SN_9P,SN_10,SN_10P\n"
    "202,Camden,3,London,840,Close ,213,Close ,205,Close,210,Close,208,Close,207,Close,"
    "209,Close,204,Close,206,Close,,\n";

static sqlite3 *db;

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

static int import(const char *path, const char *text, liia_published_result *r,
                  liia_error *e)
{
    put(path, text);
    liia_error_clear(e);
    return liia_published_import(db, liia_schema_dir(), path, r, e);
}

static long long num(const char *sql)
{
    sqlite3_stmt *st;
    liia_error e;
    long long v = -1;
    if (liia_db_prepare(db, sql, &st, &e) == 0 && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "query failed: %s\n", sql);
    sqlite3_finalize(st);
    return v;
}

static void wide_and_symbols(void)
{
    liia_published_result r;
    liia_error e;
    CHECK_INT(import("pub_c1.csv", c1, &r, &e), 0);
    CHECK_STR(r.layout, "c1_referrals");
    CHECK_INT(r.rows, 6);
    CHECK_INT(r.skipped, 1); /* the district row */
    CHECK_INT(r.symbols, 11);
    CHECK_INT(num("SELECT count(*) FROM published WHERE symbol IS NOT NULL AND value IS NULL"), 11);
    CHECK_INT(num("SELECT count(DISTINCT symbol) FROM published"), 8);
    CHECK_INT(num("SELECT value FROM published WHERE area_code = 'E92000001' AND "
                  "measure = 'referrals' AND year = 2025"), 632830);
    CHECK_INT(num("SELECT count(*) FROM published WHERE area_code = 'E12000007'"), 5);
    CHECK_INT(num("SELECT count(*) FROM published WHERE symbol = 'low' AND "
                  "symbol_meaning LIKE 'rounds to zero%'"), 1);
    /* the computed indicator and DfE's own, side by side */
    CHECK_INT(num("SELECT round(computed * 10) FROM published_indicators_calc WHERE "
                  "area_code = 'E92000001' AND indicator = 'FD04' AND year = 2025"), 226);
    CHECK_INT(num("SELECT count(*) FROM published_indicators_calc WHERE area_code = 'E09000019' "
                  "AND indicator = 'FD04' AND value IS NULL AND null_reason LIKE "
                  "'referrals_repeat_12m published as ''u''%'"), 1);
    /* same content, other column order and unquoted codes: same figures */
    CHECK_INT(import("pub_c1.csv", c1_reordered, &r, &e), 0);
    CHECK_INT(r.version, 2);
    CHECK_INT(num("SELECT count(*) FROM (SELECT kind, measure, area_code, year, value, symbol "
                  "FROM published_value WHERE file_id = 1 EXCEPT SELECT kind, measure, "
                  "area_code, year, value, symbol FROM published_value WHERE file_id = 2)"), 0);
    CHECK_INT(num("SELECT count(*) FROM published_value WHERE file_id = 2"), 25);
}

static void reimport_and_history(void)
{
    liia_published_result r;
    liia_error e;
    CHECK_INT(import("pub_c1.csv", c1_reordered, &r, &e), 0);
    CHECK_INT(r.unchanged, 1);
    CHECK_INT(r.version, 2);
    char revised[sizeof c1 + 16];
    snprintf(revised, sizeof revised, "%s", c1);
    memcpy(strstr(revised, "632830"), "632840", 6);
    CHECK_INT(import("pub_c1_revised.csv", revised, &r, &e), 0);
    CHECK_INT(r.version, 3);
    CHECK_INT(r.superseded, 2);
    CHECK_INT(num("SELECT count(*) FROM published_files WHERE layout = 'c1_referrals' "
                  "AND status = 'superseded'"), 2);
    CHECK_INT(num("SELECT value FROM published WHERE area_code = 'E92000001' AND "
                  "measure = 'referrals'"), 632840);
    CHECK_INT(num("SELECT count(*) FROM published_value WHERE area_code = 'E92000001' AND "
                  "measure = 'referrals'"), 3); /* every version kept */
}

static void long_bom_joint_population(void)
{
    liia_published_result r;
    liia_error e;
    CHECK_INT(import("pub_cla.csv", cla, &r, &e), 0);
    CHECK_STR(r.layout, "cla_numbers_rates");
    CHECK_INT(num("SELECT value FROM published WHERE measure = 'cla_at_end' AND "
                  "area_code = 'E06000047'"), 1100);
    CHECK_INT(num("SELECT value FROM published WHERE measure = 'CLA02' AND kind = 'rate'"), 30);
    CHECK_INT(import("pub_csww.csv", csww, &r, &e), 0);
    CHECK_INT(num("SELECT count(*) FROM published WHERE measure = 'sw_fte_agency' AND "
                  "value = 24 AND joint_code = 'E09000021 / E09000027'"), 2);
    CHECK_INT(import("pub_pop.csv", pop, &r, &e), 0);
    CHECK_INT(num("SELECT count FROM population WHERE area_code = 'E06000047' AND "
                  "mid_year = 2024"), 100000);
    CHECK_INT(num("SELECT round(value) FROM published_indicators_calc WHERE area_code = "
                  "'E06000047' AND indicator = 'CLA01' AND year = 2025"), 110);
    /* a reload of the reference keeps the imported estimates */
    CHECK_INT(liia_reference_load(db, liia_schema_dir(), NULL, &e), 0);
    CHECK_INT(num("SELECT count FROM population WHERE area_code = 'E06000047'"), 100000);
}

static void neighbour_models(void)
{
    liia_published_result r;
    liia_error e;
    CHECK_INT(import("sn_model_2026_wide.csv", sn, &r, &e), 0);
    CHECK_STR(r.layout, "sn_model");
    CHECK_INT(r.model_year, 2026);
    CHECK_INT(r.values, 9);
    CHECK_INT(num("SELECT neighbour_dfe_la_number FROM stat_neighbour_model WHERE "
                  "model_year = 2026 AND dfe_la_number = 202 AND rank = 1"), 840);
    CHECK_INT(num("SELECT count(*) FROM stat_neighbour_model WHERE model_year = 2025 AND "
                  "file_id = 0"), 330); /* the bundled 2025 model is kept */
    CHECK_INT(import("sn_model_wide.csv", sn, &r, &e), -1);
    CHECK(strstr(e.message, "year is not in the file name") != NULL);
}

static void refused(void)
{
    liia_published_result r;
    liia_error e;
    long long files = num("SELECT count(*) FROM published_file");
    CHECK_INT(import("pub_other.csv", "la_code,period,measure,value,note\n", &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK(strstr(e.message, "not recognised") != NULL);
    CHECK(strstr(e.fix, "c1_referrals") && strstr(e.fix, "sn_model") &&
          strstr(e.fix, "csww_workforce"));
    char bad[sizeof c1];
    snprintf(bad, sizeof bad, "%s", c1);
    memcpy(strstr(bad, "1500"), "15a0", 4);
    CHECK_INT(import("pub_bad.csv", bad, &r, &e), -1);
    CHECK(strstr(e.message, "not a number or a DfE symbol") != NULL);
    CHECK_INT(e.line, 4);
    CHECK_STR(e.column_name, "referral_count");
    char dup[2 * sizeof cla];
    snprintf(dup, sizeof dup, "%s%s", cla, strchr(cla, '\n') + 1);
    CHECK_INT(import("pub_dup.csv", dup, &r, &e), -1);
    CHECK(strstr(e.message, "duplicated row") != NULL);
    CHECK_INT(num("SELECT count(*) FROM published_file"), files); /* nothing stored */
}

int main(void)
{
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(liia_store_migrate(db, &e), 0);
    CHECK_INT(liia_reference_load(db, liia_schema_dir(), NULL, &e), 0);
    CHECK_INT(liia_engine_load_catalogue(db, liia_schema_dir(), &e), 0);
    if (e.status)
        liia_error_print(stderr, &e);
    /* DfE's 153 authorities of 2025, and Cumbria and Northamptonshire, which
     * the looked-after files still list (as 'x') that year */
    CHECK_INT(num("SELECT count(DISTINCT dfe_la_number) FROM area WHERE area_type = 'la' "
                  "AND last_year = 2025 AND dfe_la_number NOT IN (909, 928)"), 153);
    CHECK_INT(num("SELECT count(*) FROM area WHERE area_type <> 'la'"), 12);
    wide_and_symbols();
    reimport_and_history();
    long_bom_joint_population();
    neighbour_models();
    refused();
    sqlite3_close(db);
    return unit_result("published_import");
}
