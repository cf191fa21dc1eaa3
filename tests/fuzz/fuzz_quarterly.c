/* libFuzzer target: validating a quarterly return (validate-only, so the
 * in-memory store never changes) must judge any bytes without crashing,
 * leaking or storing anything, and a rejection must say why. */
#include <stdlib.h>

#include "liia_ingest.h"
#include "support.h"

static long long stored_values(sqlite3 *db)
{
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM submission_value", -1,
                           &st, NULL) != SQLITE_OK)
        abort();
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (sqlite3_finalize(st) != SQLITE_OK)
        abort();
    return n;
}

/* The store holds CAM's previous quarter, so the checks that compare with
 * it (implausible change, stock-flow) run too.  Returns the value count. */
static long long with_previous_quarter(sqlite3 *db)
{
    static long long baseline = -1;
    if (baseline >= 0)
        return baseline;
    char *dir = liia_path_join(liia_schema_dir(), "../sample-data/quarterly");
    char *path = dir ? liia_path_join(dir, "CAM_2024-12-31.csv") : NULL;
    const char *files[] = {path};
    liia_ingest_options o = {.return_type = "quarterly"};
    liia_ingest_result r;
    liia_ingest_result_init(&r);
    liia_error e;
    liia_error_clear(&e);
    if (!path || liia_ingest_submission(db, "quarterly", files, 1, &o, &r, &e) ||
        r.outcome != LIIA_INGEST_ACCEPTED) {
        liia_error_print(stderr, &e);
        abort();
    }
    liia_ingest_result_free(&r);
    free(path);
    free(dir);
    return baseline = stored_values(db);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    sqlite3 *db = fuzz_store();
    long long before = with_previous_quarter(db);
    const char *files[] = {fuzz_write(fuzz_scratch(), "return.csv", data, size)};
    liia_ingest_options o = {.return_type = "quarterly", .validate_only = 1};
    liia_ingest_result r;
    liia_ingest_result_init(&r);
    liia_error e;
    liia_error_clear(&e);
    int rc = liia_ingest_submission(db, "quarterly", files, 1, &o, &r, &e);
    if (rc != 0 && (!e.message[0] || e.status == LIIA_OK))
        abort(); /* a failure without a message */
    if (rc == 0 && r.outcome == LIIA_INGEST_REJECTED && r.findings.errors == 0)
        abort(); /* rejected without a reason */
    liia_ingest_result_free(&r);
    if (stored_values(db) != before)
        abort(); /* validate-only wrote values */
    return 0;
}
