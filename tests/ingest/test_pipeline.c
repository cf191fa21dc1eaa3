/* test_pipeline.c - the public ingest API on a scratch store. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liia_ingest.h"
#include "unit.h"

static sqlite3 *open_scratch(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LIIA_SCRATCH, name);
    unlink(path);
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    if (liia_store_open(path, LIIA_STORE_CREATE, &db, &e) ||
        liia_reference_load(db, liia_schema_dir(), NULL, &e)) {
        liia_error_print(stderr, &e);
        exit(1);
    }
    return db;
}

static long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    CHECK_INT(sqlite3_finalize(st), SQLITE_OK);
    return n;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int rc = f && fputs(text, f) >= 0 ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    return rc;
}

static int submit(sqlite3 *db, const char *file, int validate_only,
                  liia_ingest_result *r)
{
    liia_ingest_options o = {.validate_only = validate_only};
    liia_error e;
    liia_error_clear(&e);
    liia_ingest_result_free(r);
    liia_ingest_result_init(r);
    int rc = liia_ingest_submission(db, "quarterly", &file, 1, &o, r, &e);
    if (rc)
        liia_error_print(stderr, &e);
    return rc;
}

static void test_validate_stores_nothing(sqlite3 *db, liia_ingest_result *r)
{
    CHECK_INT(submit(db, LIIA_FIXTURES "/CAM_2025-03-31.csv", 1, r), 0);
    CHECK_INT(r->outcome, LIIA_INGEST_ACCEPTED);
    CHECK_STR(r->la_code, "E09000007");
    CHECK_STR(r->period, "2025-03-31");
    CHECK_INT(r->rows, 38);
    CHECK_INT(r->findings.count, 0);
    CHECK_INT(count(db, "SELECT count(*) FROM submission"), 0);
}

static void test_last_line_rejects_all(sqlite3 *db, liia_ingest_result *r)
{
    const char *path = LIIA_SCRATCH "/CAM_last_line.csv";
    CHECK_INT(write_text(path, "la_code,period,measure,value,note\n"
                               "CAM,2025-03-31,contacts,4210,\n"
                               "CAM,2025-03-31,referrals,812,\n"
                               "CAM,2025-03-31,referrals_nfa,9x,\n"), 0);
    CHECK_INT(submit(db, path, 0, r), 0);
    CHECK_INT(r->outcome, LIIA_INGEST_REJECTED);
    CHECK_INT(r->findings.errors, 1);
    const liia_error *f = &r->findings.items[0];
    CHECK_INT(f->line, 4);
    CHECK_INT(f->column, 4);
    CHECK_STR(f->rule_id, "QBR-S022");
    CHECK_STR(f->value, "9x");
    CHECK_STR(f->message, "'9x' is not a whole number");
    CHECK(r->submission_id > 0);
    CHECK_INT(count(db, "SELECT count(*) FROM submission_value"), 0);
    CHECK_INT(count(db, "SELECT count(*) FROM submissions WHERE status = 'rejected' "
                        "AND la_code = 'E09000007' AND version IS NULL"), 1);
    /* 35 measures absent from the three rows: warnings, kept with it */
    CHECK_INT(r->findings.warnings, 35);
    CHECK_INT(count(db, "SELECT count(*) FROM findings WHERE rule_id = 'QBR-S025'"), 35);
}

static void test_versions(sqlite3 *db, liia_ingest_result *r)
{
    CHECK_INT(submit(db, LIIA_FIXTURES "/CAM_2025-03-31.csv", 0, r), 0);
    CHECK_INT(r->outcome, LIIA_INGEST_ACCEPTED);
    CHECK_INT(r->version, 1);
    CHECK_INT(strlen(r->sha256), 64);
    long long first = r->submission_id;
    CHECK_INT(count(db, "SELECT count(*) FROM measures"), 38);
    CHECK_INT(submit(db, LIIA_FIXTURES "/CAM_2025-03-31.csv", 0, r), 0);
    CHECK_INT(r->outcome, LIIA_INGEST_UNCHANGED);
    CHECK_INT(r->submission_id, first);
    const char *path = LIIA_SCRATCH "/CAM_v2.csv";
    CHECK_INT(write_text(path, "la_code,period,measure,value,note\n"
                               "202,2024-25Q4,contacts,4300,resent\n"), 0);
    CHECK_INT(submit(db, path, 0, r), 0);
    CHECK_INT(r->outcome, LIIA_INGEST_ACCEPTED);
    CHECK_INT(r->version, 2);
    CHECK_INT(r->superseded, first);
    CHECK_INT(count(db, "SELECT count(*) FROM measures"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM submission_value"), 39);
}

static void test_plan(void)
{
    const char *files[] = {LIIA_FIXTURES "/CAM_2025-03-31.csv", "/nonexistent.csv"};
    liia_ingest_options o = {0};
    liia_ingest_group *g = NULL;
    size_t n = 0;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_ingest_plan(files, 2, &o, &g, &n, &e), 0);
    CHECK_INT(n, 2);
    CHECK_STR(n ? g[0].return_type : "", "quarterly");
    CHECK_INT(n > 1 ? g[1].first : 0, 1);
    free(g);
    o.return_type = "nosuch";
    CHECK_INT(liia_ingest_plan(files, 2, &o, &g, &n, &e), -1);
    CHECK_INT(e.status, LIIA_E_USAGE);
    CHECK_STR(e.message, "unknown return type 'nosuch'");
}

static void test_findings_csv(liia_ingest_result *r)
{
    liia_error e;
    liia_error_clear(&e);
    liia_findings f;
    liia_findings_init(&f);
    liia_error x;
    liia_error_clear(&x);
    x.severity = LIIA_SEV_ERROR;
    x.line = 3;
    strcpy(x.file, "a.csv");
    strcpy(x.value, "=HYPERLINK(\"x\")");
    strcpy(x.rule_id, "QBR-S022");
    strcpy(x.message, "bad, really");
    CHECK_INT(liia_findings_add(&f, &x), 0);
    const char *path = LIIA_SCRATCH "/findings.csv";
    CHECK_INT(liia_ingest_write_findings(path, &f, &e), 0);
    char *text = NULL;
    size_t len = 0;
    CHECK_INT(liia_read_file(path, &text, &len, &e), 0);
    CHECK_STR(text, "file,line,column,column_name,severity,rule_id,value,message,fix,"
                    "record,path,child_id\n"
                    "a.csv,3,,,error,QBR-S022,\"'=HYPERLINK(\"\"x\"\")\",\"bad, really\",,,,\n");
    free(text);
    liia_findings_free(&f);
    CHECK_INT(liia_ingest_write_findings("/nonexistent-dir/x.csv", &r->findings, &e), -1);
    CHECK_INT(e.status, LIIA_E_IO);
}

int main(void)
{
    sqlite3 *db = open_scratch("pipeline.db");
    liia_ingest_result r;
    liia_ingest_result_init(&r);
    test_validate_stores_nothing(db, &r);
    test_last_line_rejects_all(db, &r);
    test_versions(db, &r);
    test_plan();
    test_findings_csv(&r);
    liia_ingest_result_free(&r);
    liia_store_close(db);
    return unit_result("ingest_pipeline");
}
