/*
 * test_published_dfe.c - DfE's own figures, reproduced.  Imports every real
 * published file in ../shared/ees (beside the source tree; CI has it) and,
 * for England and every London authority, recomputes from the imported
 * numerators and denominators - the way the platform's indicators do
 * (schemas/indicators.json, view published_indicators_calc) - the rates DfE
 * publishes for the year to 31 March 2025, and compares them with the rate
 * columns of the files, read here independently of the import's layout
 * descriptions, at the precision DfE publishes them.
 *
 * Exit 77 (skipped, with a message) only when ../shared/ees is absent.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "liia_engine.h"
#include "liia_published.h"

/* Where DfE publishes each rate: file, filter (column = value) and column. */
static const struct rate {
    const char *file, *indicator, *fcol, *fval, *column;
} rates[] = {
    {"cla_number_and_rate_per_10k_children.csv", "CLA01", "population_type",
     "Children looked after on 31 March each year", "rate_per_10000"},
    {"c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "FD04", NULL,
     NULL, "rereferral_percent"},
    {"d3_cpps_subsequent_plan_2013_to_2025.csv", "CP05", NULL, NULL,
     "CPP_subsequent_percent"},
    {"d5_cpps_at31march_by_duration_2013_to_2025.csv", "CP06", NULL, NULL,
     "2_years_or_more_percent"},
    {"csww_indicators_2017_to_2025.csv", "WF01", NULL, NULL, "agency_rate_fte"},
    {"csww_indicators_2017_to_2025.csv", "WF02", NULL, NULL, "vacancy_rate_fte"},
    {"csww_indicators_2017_to_2025.csv", "WF04", NULL, NULL, "caseload_fte"},
};

typedef struct check {
    sqlite3 *db;
    sqlite3_stmt *get;
    const struct rate *r;
    int c_time, c_level, c_region, c_code, c_filter, c_rate;
    int compared, suppressed, london_rows, england_rows, from_dfe, rounding;
} check;

static int col(const liia_csv_record *rec, const char *name)
{
    for (size_t i = 0; name && i < rec->nfields; i++)
        if (!strcmp(rec->fields[i], name))
            return (int)i;
    return -1;
}

/* The rate from counts each published to 1 dp (FTEs) can move by the
 * inputs' rounding: the range of num/den with every term +-0.05. */
static int within_input_rounding(const check *k, double want, double scale)
{
    const char *id = k->r->indicator;
    double num = sqlite3_column_double(k->get, 2), den = sqlite3_column_double(k->get, 3);
    int terms = !strcmp(id, "WF01") || !strcmp(id, "WF02") ? 2 : 1;
    double u = !strcmp(id, "WF04") ? 1 : 100, lo, hi;
    if (id[0] != 'W')
        return 0;
    lo = u * (num - 0.05) / (den + 0.05 * terms);
    hi = u * (num + 0.05) / (den - 0.05 * terms);
    return want + 0.5 / scale >= lo && want - 0.5 / scale <= hi;
}

/* Our value for one area at the precision of DfE's published string. */
static void compare(check *k, const char *code, const char *published, long line)
{
    const char *dot = strchr(published, '.');
    int dp = dot ? (int)strlen(dot + 1) : 0;
    double scale = pow(10, dp), want = atof(published);
    sqlite3_reset(k->get);
    sqlite3_bind_text(k->get, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(k->get, 2, k->r->indicator, -1, SQLITE_STATIC);
    int rc = sqlite3_step(k->get);
    int computed = rc == SQLITE_ROW && sqlite3_column_type(k->get, 0) != SQLITE_NULL;
    double got = rc == SQLITE_ROW && sqlite3_column_type(k->get, 1) != SQLITE_NULL
                     ? floor(sqlite3_column_double(k->get, 1) * scale + 0.5 + 1e-9) / scale
                     : -1;
    unit_state_.checks++;
    k->compared++;
    if (!computed)
        k->from_dfe++;
    if (fabs(got - want) < 0.5 / scale)
        return;
    if (computed && within_input_rounding(k, want, scale)) {
        k->rounding++;
        printf("  %s %s: %.*f from FTEs published to 1 dp, DfE %s (within their rounding)\n",
               k->r->indicator, code, dp, got, published);
        return;
    }
    unit_state_.failures++;
    fprintf(stderr, "%s line %ld: %s %s: computed %.*f (%s), DfE publishes %s\n",
            k->r->file, line, k->r->indicator, code, dp, got,
            rc == SQLITE_ROW && sqlite3_column_text(k->get, 4)
                ? (const char *)sqlite3_column_text(k->get, 4) : "no value", published);
}

static int on_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    check *k = ctx;
    (void)e;
    if (rec->record_no == 1) {
        k->c_time = col(rec, "time_period");
        k->c_level = col(rec, "geographic_level");
        k->c_region = col(rec, "region_code");
        k->c_code = col(rec, "new_la_code");
        k->c_filter = col(rec, k->r->fcol);
        k->c_rate = col(rec, k->r->column);
        return k->c_rate < 0 || k->c_code < 0 ? -1 : 0;
    }
    const char **f = (const char **)rec->fields;
    int national = !strcmp(f[k->c_level], "National");
    int london = !strcmp(f[k->c_level], "Local authority") &&
                 !strncmp(f[k->c_region], "E13", 3);
    if (strcmp(f[k->c_time], "2025") || !(national || london) ||
        (k->c_filter >= 0 && strcmp(f[k->c_filter], k->r->fval)))
        return 0;
    national ? k->england_rows++ : k->london_rows++;
    const char *rate = f[k->c_rate];
    if (!(rate[0] >= '0' && rate[0] <= '9')) { /* a DfE symbol: nothing to reproduce */
        k->suppressed++;
        return 0;
    }
    if (national) {
        compare(k, "E92000001", rate, rec->line);
        return 0;
    }
    /* a joint row (Kingston / Richmond): both members carry its figure */
    char codes[64];
    liia_strlcpy(codes, f[k->c_code], sizeof codes);
    for (char *save = NULL, *c = strtok_r(codes, " /", &save); c;
         c = strtok_r(NULL, " /", &save))
        compare(k, c, rate, rec->line);
    return 0;
}

static int import_dir(sqlite3 *db, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    while (d && (de = readdir(d))) {
        if (!strstr(de->d_name, ".csv"))
            continue;
        char path[1024];
        liia_published_result r;
        liia_error e;
        liia_error_clear(&e);
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (liia_published_import(db, liia_schema_dir(), path, &r, &e))
            liia_error_print(stderr, &e);
        else
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

int main(void)
{
    const char *dir = LIIA_SOURCE_DIR "/../shared/ees";
    const char *path = "published_dfe_test.db";
    if (access(dir, R_OK) != 0) {
        printf("SKIPPED: %s is absent (DfE's published files; CI has ../shared)\n", dir);
        return 77;
    }
    sqlite3 *db = NULL;
    liia_error e;
    liia_error_clear(&e);
    remove(path);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK_INT(liia_reference_load(db, liia_schema_dir(), NULL, &e), 0);
    CHECK_INT(liia_engine_load_catalogue(db, liia_schema_dir(), &e), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(import_dir(db, dir), 11);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("imported 11 files in %.2f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    /* the view once, not once per lookup */
    CHECK_INT(liia_db_exec(db, "CREATE TEMP TABLE pi AS SELECT * FROM published_indicators_calc",
                           &e), 0);
    check k = {.db = db};
    CHECK_INT(liia_db_prepare(db, "SELECT computed, value, numerator, denominator, null_reason "
                              "FROM pi WHERE area_code = ?1 AND indicator = ?2 AND year = 2025",
                              &k.get, &e), 0);
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        char file[1024];
        k.r = &rates[i];
        k.england_rows = k.london_rows = 0;
        snprintf(file, sizeof file, "%s/%s", dir, rates[i].file);
        CHECK_INT(liia_csv_read_file(file, 0, on_row, &k, NULL, &e), 0);
        /* England once; London's 33 (Kingston and Richmond share a workforce row) */
        CHECK_INT(k.england_rows, 1);
        CHECK(k.london_rows == 33 || (rates[i].indicator[0] == 'W' && k.london_rows == 32));
    }
    printf("%d published rates reproduced (%d computed from the published counts, %d of "
           "them within the rounding of FTEs published to 1 dp; %d taken from DfE's rate "
           "where a count is suppressed), %d published as a symbol\n", k.compared,
           k.compared - k.from_dfe, k.rounding, k.from_dfe, k.suppressed);
    CHECK(k.from_dfe <= 4 && k.rounding <= 4);
    CHECK(k.compared >= 7 * 33 - k.suppressed);
    sqlite3_finalize(k.get);
    liia_store_close(db);
    return unit_result("published_dfe");
}
