/* cmd_report.c - `liia-bench report`: benchmark packs for a period. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "liia_report.h"

static const char usage[] =
    "usage: liia-bench report [--period P] (--la LA | --all) --out DIR\n"
    "\n"
    "Writes benchmark packs from the benchmarks computed by 'bench':\n"
    "  DIR/<CODE>_<period>_benchmark.xlsx  workbook per authority\n"
    "  DIR/<CODE>_<period>_benchmark.pdf   PDF pack per authority\n"
    "  DIR/London_<period>_overview.xlsx   tartan rug, submissions (--all)\n"
    "  DIR/charts/                         charts as PNG and SVG\n"
    "\n"
    "  --period P   quarter end date (2025-03-31) or 2024-25Q4; default: the\n"
    "               latest quarter with returns that is not in the future\n"
    "  --la LA      one authority: GSS code, DfE number or short code\n"
    "  --all        every authority, and the London overview\n"
    "  --out DIR    output directory (created if missing)\n"
    "\n"
    "Refuses (exit 1) when returns were accepted after 'bench' last ran: run\n"
    "'liia-bench bench' first, so a pack never shows figures older than the\n"
    "store.  Other authorities' figures from 1 to 5 children are shown as c; an\n"
    "authority's own pack shows its own figures in full.  The PDF cover's\n"
    "date is today's, or SOURCE_DATE_EPOCH's for reproducible output.\n";

struct report_args {
    char period[11];
    const char *la, *out;
    int all;
};

static int parse(int argc, char **argv, struct report_args *a)
{
    static const struct option opts[] = {
        {"period", required_argument, NULL, 'p'},
        {"la", required_argument, NULL, 'l'},
        {"all", no_argument, NULL, 'a'},
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    int c;
    liia_error e;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            liia_error_clear(&e);
            if (liia_period_parse(optarg, a->period, &e)) {
                e.status = LIIA_E_USAGE; /* a bad option, not bad data */
                return cli_fail(&e);
            }
            break;
        case 'l': a->la = optarg; break;
        case 'a': a->all = 1; break;
        case 'o': a->out = optarg; break;
        default: return cli_usage_error("report", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("report", "unexpected argument '%s'",
                               argv[optind]);
    if (!a->out)
        return cli_usage_error("report", "--out DIR is required");
    if (!!a->la == !!a->all)
        return cli_usage_error("report", "give either --la LA or --all");
    return 0;
}

/* Today, unless SOURCE_DATE_EPOCH (reproducible-builds.org) fixes it. */
static void produced_date(char out[11])
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 11, "%Y-%m-%d", &tm))
        out[0] = '\0';
}

static int run(sqlite3 *db, const struct report_args *a)
{
    liia_error e;
    liia_error_clear(&e);
    char gss[10] = "", produced[11];
    if (a->la && liia_authority_resolve(db, a->la, gss, &e))
        return cli_fail(&e);
    produced_date(produced);
    char today[11];
    cli_today(today);
    liia_progress progress;
    liia_report_opts o = {
        .period = a->period, .la = a->la ? gss : NULL, .all = a->all,
        .out_dir = a->out, .produced = produced[0] ? produced : NULL,
        .today = today,
        .progress = &progress,
    };
    liia_report_result res;
    int rc = liia_report_packs(db, &o, &res, &e) ? cli_fail(&e) : LIIA_EXIT_OK;
    if (res.n_not_written)
        fprintf(stderr, "report: %d file%s not written (each keeps its previous copy, "
                "if any):\n%s", res.n_not_written, res.n_not_written == 1 ? "" : "s",
                res.not_written);
    if (!rc || res.n_not_written) {
        char label[40];
        liia_period_label(res.period, label, sizeof label);
        printf("%s: wrote %d authority pack%s (xlsx + pdf)%s and %d chart files "
               "to %s\n", label, res.packs, res.packs == 1 ? "" : "s",
               res.overviews ? ", the London overview" : "", res.charts, a->out);
    }
    liia_report_result_free(&res);
    return rc;
}

int cmd_report(int argc, char **argv, const struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    struct report_args a = {0};
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc;
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    if (cli_open_store(ctx, LIIA_STORE_READONLY, &db, &e))
        return cli_fail(&e);
    rc = run(db, &a);
    liia_store_close(db);
    return rc;
}
