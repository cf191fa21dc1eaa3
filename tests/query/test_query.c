/*
 * test_query.c - `query` over the engine fixture: golden output in all three
 * formats, every forbidden statement refused with the store unchanged,
 * SQL errors with their position, parameters and the time limit.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "fixture.h"
#include "liia_engine.h"

#define DB "query_test.db"

static const char golden_sql[] =
    "SELECT area_type, area_code, value, coverage, rank, quartile, funnel "
    "FROM benchmark WHERE period = :p AND indicator = 'FD04' "
    "AND area_type IN ('la', 'region') AND value IS NOT NULL "
    "ORDER BY area_type, area_code";

/* Runs sql read-only against the store file; returns the output (caller
 * frees) and the status in *st. */
static char *run(const char *sql, liia_query_format fmt,
                 const liia_query_param *p, size_t np, int timeout_ms,
                 liia_error *e)
{
    liia_query_opts o = {fmt, timeout_ms, p, np, NULL};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    liia_error_clear(e);
    if (!out)
        return NULL;
    (void)liia_engine_query(DB, sql, &o, out, e);
    if (fclose(out) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static char *slurp(const char *name)
{
    char *path = liia_path_join(GOLDEN_DIR, name), *data = NULL;
    size_t len;
    liia_error e;
    if (!path || liia_read_file(path, &data, &len, &e))
        data = NULL;
    free(path);
    return data;
}

static void test_golden(void)
{
    static const struct { liia_query_format f; const char *file; } cases[] = {
        {LIIA_QUERY_TABLE, "fd04.txt"},
        {LIIA_QUERY_CSV, "fd04.csv"},
        {LIIA_QUERY_JSON, "fd04.json"},
    };
    liia_query_param p = {"p", "2025-03-31"};
    liia_error e;
    for (size_t i = 0; i < 3; i++) {
        char *got = run(golden_sql, cases[i].f, &p, 1, 0, &e);
        char *want = slurp(cases[i].file);
        CHECK_INT(e.status, LIIA_OK);
        CHECK_STR(got, want);
        free(got);
        free(want);
    }
}

/* A digest of everything a write could touch: data, schema, settings. */
static char *store_digest(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *d = NULL;
    if (sqlite3_open_v2(DB, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
            "SELECT (SELECT group_concat(sql, ';') FROM sqlite_master) || '|' ||"
            " (SELECT group_concat(submission_id || measure || value) FROM submission_value) || '|' ||"
            " (SELECT count(*) || ':' || total(value) FROM bench_row) || '|' ||"
            " (SELECT count(*) FROM submission)", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        d = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return d;
}

static void test_forbidden(void)
{
    static const struct { const char *sql, *message; } cases[] = {
        {"DELETE FROM submission_value", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"UPDATE bench_row SET value = 0", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"INSERT INTO submission_value VALUES (1, 'contacts', 1, NULL, NULL)", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"WITH x AS (SELECT 1) DELETE FROM bench_row", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"DROP VIEW benchmark", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"CREATE TABLE t (a)", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"BEGIN", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"VACUUM INTO 'copy.db'", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"ATTACH DATABASE 'other.db' AS o", "statement refused: ATTACH is not allowed: query reads this store only"},
        {"PRAGMA user_version = 99", "statement refused: PRAGMA user_version is not allowed: query is read-only"},
        {"PRAGMA journal_mode", "statement refused: PRAGMA journal_mode is not allowed: query is read-only"},
        {"SELECT load_extension('evil')", "statement refused: load_extension() is not allowed: query cannot load extensions"},
        {"SELECT * FROM submission_value", "statement refused: \"submission_value\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT name FROM sqlite_master", "statement refused: \"sqlite_master\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT * FROM pragma_table_info('submission')", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"PRAGMA writable_schema = 1", "statement refused: PRAGMA writable_schema is not allowed: query is read-only"},
        {"PRAGMA query_only = 0", "statement refused: PRAGMA query_only is not allowed: query is read-only"},
        {"DETACH DATABASE main", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"CREATE TEMP TABLE t (a)", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"SAVEPOINT a", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"ANALYZE", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"REPLACE INTO bench_row SELECT * FROM bench_row", "statement refused: only SELECT over the documented views is allowed: query is read-only"},
        {"SELECT fts3_tokenizer('simple')", "statement refused: fts3_tokenizer() is not allowed: it exposes the program's memory"},
        {"SELECT * FROM main.submission_value", "statement refused: \"submission_value\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT * FROM temp.sqlite_schema", "statement refused: \"sqlite_temp_master\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT * FROM derived_measure", "statement refused: \"derived_measure\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT * FROM measures m JOIN submission_value v ON v.submission_id = m.submission_id", "statement refused: \"submission_value\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT count(*) FROM submission_value", "statement refused: \"submission_value\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT count(*) FROM \"Submission\"", "statement refused: \"Submission\" is not one of the documented views (benchmark, indicators, measures, submissions, findings, reconciliation, authorities, groupings, neighbours, populations, measure_versions, measures_all_sources, published, published_files, published_indicators, published_comparators, published_neighbours)"},
        {"SELECT 1; DELETE FROM submission_value", "only one statement is allowed (a second starts at position 10)"},
    };
    liia_error e;
    char *before = store_digest();
    CHECK(before != NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        free(run(cases[i].sql, LIIA_QUERY_CSV, NULL, 0, 0, &e));
        CHECK_INT(e.status, LIIA_E_USAGE);
        CHECK_STR(e.message, cases[i].message);
        CHECK_INT(liia_status_exit_code(e.status), LIIA_EXIT_USAGE);
    }
    char *after = store_digest();
    CHECK_STR(after, before);
    free(before);
    free(after);
}

static void test_errors_and_params(void)
{
    liia_error e;
    liia_query_param unused = {"x", "1"};
    free(run("SELECT valu FROM benchmark", LIIA_QUERY_CSV, NULL, 0, 0, &e));
    CHECK_STR(e.message, "SQL error at position 8: no such column: valu");
    CHECK_INT(e.column, 8);
    CHECK_STR(e.value, "valu FROM benchmark");
    free(run("SELECT * FROM benchmark WHERE period = :p", LIIA_QUERY_CSV, NULL, 0, 0, &e));
    CHECK_STR(e.message, "parameter :p has no value");
    CHECK_STR(e.fix, "give it a value with --param p=VALUE");
    free(run("SELECT 1", LIIA_QUERY_CSV, &unused, 1, 0, &e));
    CHECK_STR(e.message, "parameter x is not used in the statement");
    /* text is bound as text, never spliced into the SQL */
    liia_query_param inj = {"code", "x' OR '1'='1"};
    char *out = run("SELECT count(*) AS n FROM benchmark WHERE area_code = :code",
                    LIIA_QUERY_CSV, &inj, 1, 0, &e);
    CHECK_STR(out, "n\r\n0\r\n");
    free(out);
    /* every documented view is readable through the authorizer */
    out = run("SELECT (SELECT count(*) FROM measures) > 0 AS m, "
              "(SELECT count(*) FROM submissions) > 0 AS s, "
              "(SELECT count(*) FROM findings) >= 0 AS f, "
              "(SELECT count(*) FROM indicators) > 0 AS i, "
              "(SELECT count(*) FROM reconciliation) >= 0 AS r", LIIA_QUERY_CSV, NULL,
              0, 0, &e);
    CHECK_STR(out, "m,s,f,i,r\r\n1,1,1,1,1\r\n");
    free(out);
    /* a runaway query is stopped by the time limit, whatever the machine,
     * and leaves the store as it was */
    char *before = store_digest();
    CHECK(before != NULL);
    free(run("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) "
             "SELECT count(*) FROM c", LIIA_QUERY_CSV, NULL, 0, 50, &e));
    CHECK_INT(e.status, LIIA_E_INTERRUPTED);
    CHECK_STR(e.message, "query stopped after 50 ms (--timeout)");
    char *after = store_digest();
    CHECK_STR(after, before);
    free(before);
    free(after);
}

int main(void)
{
    liia_error e;
    sqlite3 *db = fixture_open(DB);
    liia_error_clear(&e);
    CHECK(db != NULL);
    if (!db)
        return unit_result("query_test");
    CHECK_INT(liia_engine_bench(db, NULL, NULL, &e), 0);
    liia_store_close(db);
    test_golden();
    test_forbidden();
    test_errors_and_params();
    return unit_result("query_test");
}
