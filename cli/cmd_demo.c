/*
 * cmd_demo.c - the whole quarter end to end on the bundled sample data:
 * init, ingest every sample return, bench, report.  Each step is the real
 * command, run exactly as a user would type it.
 */
#include <getopt.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: liia-bench demo [--out DIR] [--data DIR]\n"
    "\n"
    "Runs the quarter end to end on the bundled synthetic sample data:\n"
    "  init; ingest DATA/quarterly/*.csv; bench; report --all --out DIR\n"
    "The store is DIR/liia.db (its platform key DIR/liia.db.key).\n"
    "\n"
    "  --out DIR   where the store and the packs go (default: demo-out)\n"
    "  --data DIR  sample data (default: the sample-data/ beside schemas/)\n";

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one command with its argv, prints how long it took. */
static int step(const char *title, cli_cmd_fn fn, int argc, char **argv,
                const struct cli_ctx *ctx)
{
    printf("\n== %s\n", title);
    fflush(stdout);
    double t0 = now_seconds();
    int rc = fn(argc, argv, ctx);
    fflush(stdout);
    printf("== %s: %s in %.2f s\n", argv[0],
           rc == LIIA_EXIT_OK ? "done" : "FAILED", now_seconds() - t0);
    return rc;
}

static int ingest_samples(const char *data_dir, const struct cli_ctx *ctx)
{
    char *pattern = liia_path_join(data_dir, "quarterly/*.csv");
    glob_t g = {0};
    int found = pattern && glob(pattern, 0, NULL, &g) == 0;
    free(pattern);
    if (!found || g.gl_pathc == 0) {
        globfree(&g);
        fprintf(stderr, "liia-bench demo: no sample returns in %s/quarterly; "
                        "run 'liia-bench sample --out %s/quarterly'\n",
                data_dir, data_dir);
        return LIIA_EXIT_RUNTIME;
    }
    char **argv = calloc(g.gl_pathc + 2, sizeof *argv);
    if (!argv) {
        globfree(&g);
        return LIIA_EXIT_RUNTIME;
    }
    argv[0] = "ingest";
    for (size_t i = 0; i < g.gl_pathc; i++)
        argv[i + 1] = g.gl_pathv[i];
    char title[64];
    snprintf(title, sizeof title, "ingest %zu sample returns", g.gl_pathc);
    int rc = step(title, cmd_ingest, (int)g.gl_pathc + 1, argv, ctx);
    free(argv);
    globfree(&g);
    return rc;
}

int cmd_demo(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = "demo-out";
    char *default_data = liia_path_join(liia_schema_dir(), "../sample-data");
    const char *data = default_data;
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd': data = optarg; break;
        case 'h': fputs(usage, stdout); free(default_data); return LIIA_EXIT_OK;
        default: free(default_data); return cli_usage_error("demo", "unknown option");
        }
    }
    if (!data || optind < argc) {
        free(default_data);
        return cli_usage_error("demo", "unexpected argument");
    }
    if (mkdir(out, 0755) && access(out, W_OK)) {
        fprintf(stderr, "liia-bench demo: cannot create '%s'\n", out);
        free(default_data);
        return LIIA_EXIT_RUNTIME;
    }
    char *db_path = liia_path_join(out, "liia.db");
    struct cli_ctx demo_ctx = *ctx;
    demo_ctx.db_path = db_path;
    printf("liia-bench demo: store %s, packs in %s\n", db_path, out);

    char *init_argv[] = {"init", NULL};
    char *bench_argv[] = {"bench", NULL};
    char *report_argv[] = {"report", "--all", "--out", (char *)out, NULL};
    int rc = step("init: create the store and load reference data", cmd_init,
                  1, init_argv, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = ingest_samples(data, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = step("bench: benchmark every period", cmd_bench, 1, bench_argv,
                  &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = step("report: packs for every authority, latest period",
                  cmd_report, 4, report_argv, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        printf("\nliia-bench demo: finished; open %s/ for the packs and %s/charts/ "
               "for the charts, or try:\n  liia-bench --db %s query \"SELECT * "
               "FROM benchmark WHERE area_type = 'region' LIMIT 10\"\n",
               out, out, db_path);
    free(db_path);
    free(default_data);
    return rc;
}
