/*
 * cmd_import.c - `liia-bench import FILE... [--json]`: DfE/ONS published
 * statistics (Explore Education Statistics CSV) into the store, each file
 * in its own transaction (ingest/published/).  `import --history` lists
 * every version imported.
 */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "liia_published.h"

static const char usage[] =
    "usage: liia-bench [--db PATH] import FILE... [--json]\n"
    "       liia-bench [--db PATH] import --history [--json]\n"
    "\n"
    "Imports DfE and ONS published statistics: the open-data CSV files of\n"
    "Explore Education Statistics (children in need B1, referrals C1, CP plans\n"
    "D3 and D5, children looked after numbers and rates, placement stability,\n"
    "care leavers, the social work workforce, ONS population 0-17) and DfE's\n"
    "statistical-neighbour model (sn_model_YYYY_wide.csv).  Each file is\n"
    "recognised by its header against schemas/published/*.json.  DfE's symbols\n"
    "(c, x, z, k, u, low, ~, :) are kept as reasons, never as numbers.  A\n"
    "revised file supersedes the one imported before, which is kept; the\n"
    "same file again changes nothing.  Each file is one transaction.\n"
    "\n"
    "  --history    list every published file imported, all versions\n"
    "  --json       JSON instead of text\n"
    "  -h, --help   this text\n"
    "\n"
    "Exit codes: 0 imported, 1 a file was not recognised or not valid (others\n"
    "are still imported), 2 usage, 3 runtime.\n";

static json_t *result_json(const char *path, const liia_published_result *r,
                           double secs)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:i, s:b, s:I, s:i, s:I, s:I, s:I, s:I, s:f}",
                     "file", path, "layout", r->layout, "title", r->title,
                     "file_id", (json_int_t)r->file_id, "version", r->version,
                     "unchanged", r->unchanged, "supersedes", (json_int_t)r->superseded,
                     "model_year", r->model_year, "rows", (json_int_t)r->rows,
                     "values", (json_int_t)r->values, "symbols", (json_int_t)r->symbols,
                     "skipped", (json_int_t)r->skipped, "seconds", secs);
}

static void print_result(const char *path, const liia_published_result *r, double secs)
{
    if (r->unchanged) {
        printf("%s: %s, unchanged (already imported as version %d)\n", path, r->layout,
               r->version);
        return;
    }
    printf("%s: %s version %d%s: %ld rows, %ld figures, %ld DfE symbols, %ld rows "
           "not used (%.2f s)\n", path, r->layout, r->version,
           r->superseded ? " (supersedes the previous version)" : "", r->rows,
           r->values, r->symbols, r->skipped, secs);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Imports every file; returns the worst exit code. */
static int import_all(sqlite3 *db, char **files, int n, json_t *out)
{
    int worst = LIIA_EXIT_OK;
    double start = now();
    for (int i = 0; i < n; i++) {
        liia_published_result r;
        liia_error e;
        double t0 = now();
        liia_error_clear(&e);
        if (liia_published_import(db, liia_schema_dir(), files[i], &r, &e)) {
            int code = cli_fail(&e);
            worst = code > worst ? code : worst;
            if (code == LIIA_EXIT_RUNTIME)
                break;
            continue;
        }
        if (out)
            json_array_append_new(out, result_json(files[i], &r, now() - t0));
        else
            print_result(files[i], &r, now() - t0);
    }
    if (!out && n > 1)
        printf("%d files in %.2f s\n", n, now() - start);
    return worst;
}

static int history(sqlite3 *db, int json, liia_error *e)
{
    sqlite3_stmt *st;
    json_t *arr = json ? json_array() : NULL;
    int rc;
    if (liia_db_prepare(db, "SELECT id, layout, coalesce(model_year, ''), version, status, "
                        "received_at, file_name, sha256, rows, value_count, symbol_count "
                        "FROM published_file ORDER BY layout, model_year, id", &st, e))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *c[11];
        for (int i = 0; i < 11; i++)
            c[i] = (const char *)sqlite3_column_text(st, i);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                "id", c[0], "layout", c[1], "version", c[3], "status", c[4],
                "received_at", c[5], "file_name", c[6], "sha256", c[7], "rows", c[8]));
        else
            printf("%-4s %-28s %4s v%-3s %-10s %s %.12s %6s rows  %s\n", c[0], c[1], c[2],
                   c[3], c[4], c[5], c[7], c[8], c[6]);
    }
    sqlite3_finalize(st);
    if (arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(arr);
    }
    return rc == SQLITE_DONE ? 0 : liia_db_fail(e, db, "listing published files");
}

int cmd_import(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"history", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, json = 0, hist = 0;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'H')
            hist = 1;
        else if (c == 'h')
            return fputs(usage, stdout), LIIA_EXIT_OK;
        else
            return cli_usage_error("import", "unknown option");
    }
    if (hist == (optind < argc))
        return cli_usage_error("import", hist ? "--history takes no files"
                                              : "give one or more files to import");
    liia_error e;
    sqlite3 *db = NULL;
    liia_error_clear(&e);
    if (cli_open_store(ctx, LIIA_STORE_READWRITE, &db, &e))
        return cli_fail(&e);
    if (hist) {
        int rc = history(db, json, &e) ? cli_fail(&e) : LIIA_EXIT_OK;
        liia_store_close(db);
        return rc;
    }
    json_t *out = json ? json_array() : NULL;
    int rc = import_all(db, argv + optind, argc - optind, out);
    if (out) {
        json_dumpf(out, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(out);
    }
    liia_store_close(db);
    return rc;
}
