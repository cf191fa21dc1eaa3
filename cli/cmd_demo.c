/*
 * cmd_demo.c - the whole quarter end to end on the bundled sample data:
 * init, ingest every sample return, then each authority's SSDA903 extract
 * and its reconciliation, each authority's CIN census, bench, report.  Each step is the real command,
 * run exactly as a user would type it.
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
    "  init; ingest DATA/quarterly/*.csv;\n"
    "  for each DATA/ssda903/<LA>_<period>_header.csv: ingest --return ssda903\n"
    "  with every table of that return (an authority's earlier year first, so\n"
    "  the later one runs the rules that compare with last year's) and\n"
    "  reconcile; for each DATA/cin/<LA>_<period>_cin.xml: ingest --return cin\n"
    "  and reconcile again (the census's measures beside SSDA903's);\n"
    "  import DATA/published/*.csv; bench; report --all --out DIR\n"
    "The store is DIR/liia.db (its platform key DIR/liia.db.key, whatever\n"
    "$LIIA_KEY_FILE says).  demo only ever uses a store it created itself: if\n"
    "DIR/liia.db exists and is not a demo store, demo stops and changes nothing.\n"
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

/* Runs fn over the files DATA/sub matches, after the arguments in lead;
 * -1 when no file matches. */
static int files_step(const char *data_dir, const char *sub, char *const *lead,
                      int nlead, cli_cmd_fn fn, const char *what,
                      const struct cli_ctx *ctx)
{
    char *pattern = liia_path_join(data_dir, sub);
    glob_t g = {0};
    int found = pattern && glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
    free(pattern);
    char **argv = found ? calloc(g.gl_pathc + (size_t)nlead + 1, sizeof *argv) : NULL;
    if (!argv) {
        globfree(&g);
        return found ? LIIA_EXIT_RUNTIME : -1;
    }
    for (int i = 0; i < nlead; i++)
        argv[i] = lead[i];
    for (size_t i = 0; i < g.gl_pathc; i++)
        argv[i + (size_t)nlead] = g.gl_pathv[i];
    char title[96];
    snprintf(title, sizeof title, "%s %zu %s", lead[0], g.gl_pathc, what);
    int rc = step(title, fn, (int)g.gl_pathc + nlead, argv, ctx);
    free(argv);
    globfree(&g);
    return rc;
}

static int ingest_samples(const char *data_dir, const struct cli_ctx *ctx)
{
    /* --quiet: the findings are stored, the demo points at them */
    char *lead[] = {"ingest", "--quiet"};
    int rc = files_step(data_dir, "quarterly/*.csv", lead, 2, cmd_ingest,
                        "sample returns", ctx);
    if (rc < 0) {
        fprintf(stderr, "liia-bench demo: no sample returns in %s/quarterly; "
                        "run 'liia-bench sample --out %s/quarterly'\n",
                data_dir, data_dir);
        return LIIA_EXIT_RUNTIME;
    }
    return rc;
}

/* DfE/ONS published statistics: every neighbour and England. */
static int import_published_samples(const char *data_dir, const struct cli_ctx *ctx)
{
    char *lead[] = {"import"};
    int rc = files_step(data_dir, "published/*.csv", lead, 1, cmd_import,
                        "published-statistics files", ctx);
    if (rc < 0)
        printf("\n== import: no published statistics in %s/published; skipped "
               "(liia-bench sample --published --out %s/published writes them)\n",
               data_dir, data_dir);
    return rc < 0 ? LIIA_EXIT_OK : rc;
}

/* "DATA/ssda903/CAM_2025-03-31_header.csv" -> "CAM", "2025-03-31" and the
 * path up to "_header.csv"; 0 when the name is not in that form. */
static int split_903_name(const char *header, char la[16], char period[11],
                          char *prefix, size_t sz)
{
    const char *base = strrchr(header, '/');
    base = base ? base + 1 : header;
    const char *us = strchr(base, '_');
    size_t plen = strlen(header) - strlen("_header.csv");
    if (!us || us - base >= 16 || strlen(us) != strlen("_2025-03-31_header.csv") ||
        plen >= sz)
        return 0;
    snprintf(la, 16, "%.*s", (int)(us - base), base);
    snprintf(period, 11, "%.10s", us + 1);
    snprintf(prefix, sz, "%.*s", (int)plen, header);
    return 1;
}

/* The tables of an SSDA903 return after the header, in the order a data
 * lead would list them; those the sample did not write are left out. */
static const char *const tables_903[] = {"episodes", "uasc", "reviews", "oc2", "oc3",
                                         "ad1", "placed_adoption", "prev_perm", "missing",
                                         "social_worker"};
#define NTABLES_903 (sizeof tables_903 / sizeof tables_903[0])

/* After an ingest that exit code rc ended: the authority's child-level
 * measures (what) reconciled with its quarterly return, unless the ingest
 * failed at run time; the worse of the two exit codes. */
static int then_reconcile(int rc, char *la, char *period, const char *what,
                          const struct cli_ctx *ctx)
{
    if (rc == LIIA_EXIT_RUNTIME)
        return rc;
    char title[160];
    char *argv[] = {"reconcile", "--la", la, "--period", period, NULL};
    snprintf(title, sizeof title, "reconcile %s: %s against the quarterly return "
             "(independent synthetic samples: differences expected)", la, what);
    int rc2 = step(title, cmd_reconcile, 5, argv, ctx);
    return rc2 > rc ? rc2 : rc;
}

/* One authority's extract: ingest as a data lead would type it, then
 * reconcile it against the quarterly return already in.  The extracts are
 * taken in name order, so an authority's earlier year comes first and its
 * later year's ingest runs the rules that compare with last year's. */
static int one_903(const char *header, const struct cli_ctx *ctx)
{
    char la[16], period[11], prefix[4096], paths[NTABLES_903][4200], title[160];
    if (!split_903_name(header, la, period, prefix, sizeof prefix)) {
        printf("\n== skipped %s: not named <LA>_<period>_header.csv\n", header);
        return LIIA_EXIT_OK;
    }
    char *argv[9 + NTABLES_903 + 1] = {"ingest", "--quiet", "--return", "ssda903", "--la", la,
                                       "--period", period, (char *)header};
    int argc = 9;
    for (size_t t = 0; t < NTABLES_903; t++) {
        snprintf(paths[t], sizeof paths[t], "%s_%s.csv", prefix, tables_903[t]);
        if (t == 0 || access(paths[t], R_OK) == 0)
            argv[argc++] = paths[t];
    }
    argv[argc] = NULL;
    snprintf(title, sizeof title, "ingest %s's SSDA903 extract for %s", la, period);
    return then_reconcile(step(title, cmd_ingest, argc, argv, ctx), la, period, "SSDA903",
                          ctx);
}

/* "DATA/cin/CAM_2025-03-31_cin.xml" -> "CAM", "2025-03-31"; 0 when the
 * name is not in that form. */
static int split_cin_name(const char *path, char la[16], char period[11])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *us = strchr(base, '_');
    if (!us || us - base >= 16 || strlen(us) != strlen("_2025-03-31_cin.xml"))
        return 0;
    snprintf(la, 16, "%.*s", (int)(us - base), base);
    snprintf(period, 11, "%.10s", us + 1);
    return 1;
}

/* One authority's CIN census, ingested as a data lead would type it, then
 * reconciled: the front door, assessment and child protection measures it
 * derives beside the quarterly return's (and SSDA903's, already shown). */
static int one_cin(const char *path, const struct cli_ctx *ctx)
{
    char la[16], period[11], title[160];
    if (!split_cin_name(path, la, period)) {
        printf("\n== skipped %s: not named <LA>_<period>_cin.xml\n", path);
        return LIIA_EXIT_OK;
    }
    char *argv[] = {"ingest", "--quiet", "--return", "cin", "--la", la,
                    "--period", period, (char *)path, NULL};
    snprintf(title, sizeof title, "ingest %s's CIN census for %s", la, period);
    return then_reconcile(step(title, cmd_ingest, 9, argv, ctx), la, period,
                          "the CIN census and SSDA903", ctx);
}

/* Runs one() on every DATA/<pattern> file; only a runtime failure stops
 * the demo (errors in a sample are its planted breaches). */
static int each_sample(const char *data_dir, const char *pattern, const char *what,
                       const char *how, int (*one)(const char *, const struct cli_ctx *),
                       const struct cli_ctx *ctx)
{
    char *full = liia_path_join(data_dir, pattern);
    glob_t g = {0};
    int found = full && glob(full, 0, NULL, &g) == 0 && g.gl_pathc > 0;
    free(full);
    if (!found)
        printf("\n== %s: no samples in %s; skipped (%s)\n", what, data_dir, how);
    int rc = LIIA_EXIT_OK;
    for (size_t i = 0; found && i < g.gl_pathc && rc != LIIA_EXIT_RUNTIME; i++)
        rc = one(g.gl_pathv[i], ctx);
    globfree(&g);
    return rc == LIIA_EXIT_RUNTIME ? rc : LIIA_EXIT_OK;
}

/* Each SSDA903 return stored, and whether the rules comparing it with the
 * authority's return of the year before ran (they say "not run" in an
 * info finding, LIIA-903-PREV, when that return is not stored). */
static const char previous_year_sql[] =
    "SELECT s.la_code, s.period, s.errors, s.warnings, coalesce((SELECT "
    "substr(f.message, 1, instr(f.message, ' (rules') - 1) FROM findings f WHERE "
    "f.submission_id = s.id AND f.rule_id = 'LIIA-903-PREV'), 'run against the "
    "return of the year before') AS previous_year_rules FROM submissions s "
    "WHERE s.return_type = 'ssda903' AND s.status = 'accepted' ORDER BY s.id";

static int ingest_903_samples(const char *data_dir, const struct cli_ctx *ctx)
{
    int rc = each_sample(data_dir, "ssda903/*_header.csv", "ssda903",
                         "liia-bench sample --ssda903 --out DATA/ssda903 writes them",
                         one_903, ctx);
    char *argv[] = {"query", "--format", "table", (char *)previous_year_sql, NULL};
    if (rc == LIIA_EXIT_OK)
        rc = step("SSDA903 returns: the rules comparing each with the authority's "
                  "return of the year before", cmd_query, 4, argv, ctx);
    return rc == LIIA_EXIT_RUNTIME ? rc : LIIA_EXIT_OK;
}

static int ingest_cin_samples(const char *data_dir, const struct cli_ctx *ctx)
{
    return each_sample(data_dir, "cin/*_cin.xml", "cin",
                       "liia-bench sample --cin --out DATA/cin --link DATA/ssda903 "
                       "writes them", one_cin, ctx);
}

/* 1 when path is a store that demo created (store_meta says so); read
 * without migrating or writing, so a real store is left exactly as it was. */
static int is_demo_store(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int demo = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
               sqlite3_prepare_v2(db, "SELECT 1 FROM store_meta WHERE name = "
                                  "'created_by' AND value = 'demo'", -1, &st,
                                  NULL) == SQLITE_OK &&
               sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return demo;
}

/* The demo's store: a new one, marked as the demo's, or one an earlier
 * demo made.  Any other store at that path is refused untouched: the demo
 * supersedes every submission with synthetic data. */
static int demo_store(const char *db_path)
{
    struct stat sb;
    liia_error e;
    sqlite3 *db = NULL;
    liia_error_clear(&e);
    if (lstat(db_path, &sb) == 0) {
        if (is_demo_store(db_path))
            return LIIA_EXIT_OK;
        fprintf(stderr, "liia-bench demo: %s exists and is not a store demo created; "
                        "demo changes nothing in it\n  fix: give --out a new or empty "
                        "folder (the demo would replace its submissions with "
                        "synthetic data)\n", db_path);
        return LIIA_EXIT_USAGE;
    }
    if (liia_store_open(db_path, LIIA_STORE_CREATE, &db, &e) ||
        liia_store_meta_set(db, "created_by", "demo", &e)) {
        liia_store_close(db);
        return cli_fail(&e);
    }
    liia_store_close(db);
    return LIIA_EXIT_OK;
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
    /* Resolved, so paths print as /x/sample-data/..., not
     * /x/schemas/../sample-data/... */
    char *joined = liia_path_join(liia_schema_dir(), "../sample-data");
    char *default_data = joined ? realpath(joined, NULL) : NULL;
    const char *data = default_data ? default_data : joined;
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd': data = optarg; break;
        case 'h': fputs(usage, stdout); free(default_data); free(joined); return LIIA_EXIT_OK;
        default: free(default_data); free(joined); return cli_usage_error("demo", "unknown option");
        }
    }
    if (!data || optind < argc) {
        free(default_data);
        free(joined);
        return cli_usage_error("demo", "unexpected argument");
    }
    if (mkdir(out, 0755) && access(out, W_OK)) {
        fprintf(stderr, "liia-bench demo: cannot create '%s'\n", out);
        free(default_data);
        free(joined);
        return LIIA_EXIT_RUNTIME;
    }
    char *db_path = liia_path_join(out, "liia.db");
    struct cli_ctx demo_ctx = *ctx;
    demo_ctx.db_path = db_path;
    /* The demo's key is its own, beside its store: never a real one. */
    liia_key_file_set(NULL);
    int rc = db_path ? demo_store(db_path) : LIIA_EXIT_RUNTIME;
    if (rc != LIIA_EXIT_OK) {
        free(db_path);
        free(default_data);
        free(joined);
        return rc;
    }
    printf("liia-bench demo: store %s, packs in %s\n", db_path, out);

    char *init_argv[] = {"init", NULL};
    char *bench_argv[] = {"bench", NULL};
    char *report_argv[] = {"report", "--all", "--out", (char *)out, NULL};
    rc = step("init: create the store and load reference data", cmd_init,
                  1, init_argv, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = ingest_samples(data, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = ingest_903_samples(data, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = ingest_cin_samples(data, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = import_published_samples(data, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = step("bench: benchmark every period", cmd_bench, 1, bench_argv,
                  &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        rc = step("report: packs for every authority, latest period",
                  cmd_report, 4, report_argv, &demo_ctx);
    if (rc == LIIA_EXIT_OK)
        printf("\nliia-bench demo: finished; open %s/ for the packs and %s/charts/ "
               "for the charts, or try:\n  liia-bench --db %s query \"SELECT * "
               "FROM benchmark WHERE area_type = 'region' LIMIT 10\"\n"
               "  liia-bench --db %s query \"SELECT la_code, period, return_type, line, rule_id, "
               "message FROM findings LIMIT 20\"\n  (the findings the demo's "
               "ingests stored)\n",
               out, out, db_path, db_path);
    free(db_path);
    free(default_data);
    free(joined);
    return rc;
}
