/* cmd_reconcile.c - `liia-bench reconcile`: the measures derived from an
 * authority's child-level returns (SSDA903, CIN census) against its quarterly
 * return for the same quarter; differences above the tolerance flagged. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ssda903.h"

static const char usage[] =
    "usage: liia-bench reconcile --la LA --period P [--tolerance PCT] [--min N]\n"
    "\n"
    "Compares the measures derived from the latest accepted child-level data\n"
    "(SSDA903 episodes, CIN census) with\n"
    "the same authority's accepted quarterly return.  A difference is flagged\n"
    "when it is larger than PCT percent of the quarterly value (default 5) and\n"
    "larger than N (default 2).  Differences are reported, not rejected: exit 0.\n";

static void print_rows(const liia_903_recon_row *rows, size_t n)
{
    printf("%-28s %10s %10s %8s  %s\n", "measure", "quarterly", "derived", "diff", "");
    for (size_t i = 0; i < n; i++) {
        const liia_903_recon_row *r = &rows[i];
        if (r->has_quarterly)
            printf("%-28s %10g %10g %+8g  %s\n", r->measure, r->quarterly, r->derived,
                   r->diff, r->flagged ? "DIFFERS" : "ok");
        else
            printf("%-28s %10s %10g %8s  %s\n", r->measure, "-", r->derived, "-",
                   "not in the quarterly return");
    }
}

int cmd_reconcile(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"la", required_argument, NULL, 'l'}, {"period", required_argument, NULL, 'p'},
        {"tolerance", required_argument, NULL, 't'}, {"min", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *la = NULL, *period_in = NULL;
    double pct = 5, min = 2;
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': la = optarg; break;
        case 'p': period_in = optarg; break;
        case 't': if (cli_parse_number(optarg, 0, 1000, &pct))
                      return cli_usage_error("reconcile", "--tolerance needs a percentage "
                                             "from 0 to 1000, not '%s'", optarg);
                  break;
        case 'm': if (cli_parse_number(optarg, 0, 1e9, &min))
                      return cli_usage_error("reconcile", "--min needs a number from 0 "
                                             "to 1000000000, not '%s'", optarg);
                  break;
        case 'h': fputs(usage, stdout); return LIIA_EXIT_OK;
        default: return cli_usage_error("reconcile", "unknown option");
        }
    }
    if (!la || !period_in)
        return cli_usage_error("reconcile", "--la and --period are required");
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    char gss[10], period[11];
    liia_903_recon_row *rows = NULL;
    size_t n = 0;
    if (liia_period_parse(period_in, period, &e))
        return cli_usage_error("reconcile", "%s", e.message);
    if (cli_open_store(ctx, LIIA_STORE_READONLY, &db, &e) ||
        liia_authority_resolve(db, la, gss, &e) ||
        liia_ssda903_reconcile(db, gss, period, pct / 100, min, &rows, &n, &e)) {
        liia_store_close(db);
        return cli_fail(&e);
    }
    liia_store_close(db);
    if (n == 0)
        printf("no SSDA903 measures for %s %s\n", gss, period);
    else
        print_rows(rows, n);
    free(rows);
    return LIIA_EXIT_OK;
}
