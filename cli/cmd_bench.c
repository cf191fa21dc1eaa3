/* cmd_bench.c - `liia-bench bench [--period P]`. */
#include <getopt.h>
#include <stdio.h>
#include <time.h>
#include "cli.h"
#include "liia_engine.h"

static const char usage[] =
    "usage: liia-bench bench [--period P]\n"
    "\n"
    "Recomputes every benchmark (authorities, London, quadrants, ICS,\n"
    "Inner/Outer London, statistical neighbours) from the accepted returns,\n"
    "for one period or, by default, all of them, in one transaction.  The\n"
    "indicator catalogue is reloaded from schemas/indicators.json first.\n"
    "\n"
    "  -p, --period P   quarter end date (2025-03-31) or 2024-25Q4\n"
    "  -h, --help       this text\n";

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0)
        return 0;
    return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int cmd_bench(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"period", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char period[11] = "";
    liia_error e;
    sqlite3 *db = NULL;
    struct timespec t0 = {0, 0};
    long rows = 0;
    int c, rc;
    liia_error_clear(&e);
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        if (c == 'p' && liia_period_parse(optarg, period, &e)) {
            e.status = LIIA_E_USAGE; /* a bad option, not rejected data */
            return cli_fail(&e);
        }
        if (c == '?')
            return cli_usage_error("bench", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("bench", "unexpected argument '%s'", argv[optind]);
    if (cli_open_store(ctx, LIIA_STORE_READWRITE, &db, &e))
        return cli_fail(&e);
    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = liia_engine_load_catalogue(db, liia_schema_dir(), &e);
    if (rc == 0)
        rc = liia_engine_bench(db, period[0] ? period : NULL, &rows, &e);
    liia_store_close(db);
    if (rc)
        return cli_fail(&e);
    printf("bench: %ld benchmark rows for %s in %.2f s\n", rows,
           period[0] ? period : "all periods", seconds_since(&t0));
    return LIIA_EXIT_OK;
}
