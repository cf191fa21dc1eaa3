/* libFuzzer target: validating an SSDA903 submission (validate-only on an
 * in-memory store) whose episodes table is the fuzzed input and whose
 * header table is a fixed, valid one, so the input reaches the code lists,
 * the DfE rules and the derived measures rather than stopping at "which
 * table is this".  Must never crash, leak or store anything. */
#include <stdlib.h>

#include "liia_ingest.h"
#include "support.h"

#ifndef FUZZ_903_HEADER
#error "FUZZ_903_HEADER (the fixed header table) is set by CMake"
#endif

/* The key and header table, copied into the scratch directory once. */
static const char *key_path(void)
{
    static char *key;
    if (key)
        return key;
    liia_error e;
    liia_error_clear(&e);
    int created;
    char *data = NULL;
    size_t len;
    key = liia_path_join(fuzz_scratch(), "platform.key");
    if (!key || liia_key_create(key, &created, &e) ||
        liia_read_file(FUZZ_903_HEADER, &data, &len, &e)) {
        liia_error_print(stderr, &e);
        abort();
    }
    fuzz_write(fuzz_scratch(), "header.csv", (const unsigned char *)data, len);
    free(data);
    return key;
}

static long long stored_rows(sqlite3 *db)
{
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM submission) + "
                           "(SELECT count(*) FROM submission_value)", -1,
                           &st, NULL) != SQLITE_OK)
        abort();
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (sqlite3_finalize(st) != SQLITE_OK)
        abort();
    return n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    sqlite3 *db = fuzz_store();
    liia_ingest_options o = {.return_type = "ssda903", .la = "CAM",
                             .period = "2025-03-31", .key_path = key_path(),
                             .validate_only = 1};
    char *header = liia_path_join(fuzz_scratch(), "header.csv");
    if (!header)
        abort();
    const char *files[] = {header,
                           fuzz_write(fuzz_scratch(), "episodes.csv", data, size)};
    liia_ingest_result r;
    liia_ingest_result_init(&r);
    liia_error e;
    liia_error_clear(&e);
    int rc = liia_ingest_submission(db, "ssda903", files, 2, &o, &r, &e);
    if (rc != 0 && (!e.message[0] || e.status == LIIA_OK))
        abort(); /* a failure without a message */
    if (rc == 0 && r.outcome == LIIA_INGEST_REJECTED && r.findings.errors == 0)
        abort(); /* rejected without a reason */
    liia_ingest_result_free(&r);
    free(header);
    if (stored_rows(db) != 0)
        abort(); /* validate-only wrote something */
    return 0;
}
