/*
 * cmd_sample.c - `liia-bench sample --out DIR [--seed N]`: deterministic
 * synthetic quarterly returns for all 33 authorities (sample_quarterly.c);
 * with --ssda903, synthetic SSDA903 extracts (sample_ssda903.c); with --cin,
 * synthetic CIN census XML files (sample_cin.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"

static const char usage[] =
    "usage: liia-bench sample --out DIR [--seed N]\n"
    "       liia-bench sample --ssda903 --out DIR [...]   (see --ssda903 --help)\n"
    "       liia-bench sample --cin --out DIR [...]   (CIN census XML; see --cin --help)\n"
    "       liia-bench sample --published --out DIR [--seed N]   (DfE/ONS files)\n"
    "\n"
    "Writes synthetic quarterly returns, DIR/<LA>_<period>.csv, for the 33\n"
    "London authorities and the eight quarters 2023-06-30 .. 2025-03-31\n"
    "(264 files).  Figures follow London rates per 10,000 children; a few\n"
    "authorities leave some measures out (docs/sample-data.md).  The same\n"
    "seed always gives byte-identical files.\n"
    "\n"
    "  --out DIR    output directory (created if missing)\n"
    "  --seed N     generator seed, a whole number (default 2025)\n"
    "  --ssda903    SSDA903 extracts instead of quarterly returns\n"
    "  --cin        children in need census files (XML) instead\n"
    "  -h, --help   this text\n";

static int has_flag(int argc, char **argv, const char *flag)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], flag))
            return 1;
    return 0;
}

static int parse_seed(const char *text, uint64_t *seed)
{
    char *end;
    if (!text[0] || text[0] == '-' || text[0] == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return -1;
    *seed = v;
    return 0;
}

int cmd_sample(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (has_flag(argc, argv, "--ssda903"))
        return sample_ssda903_main(argc, argv, ctx);
    if (has_flag(argc, argv, "--cin"))
        return sample_cin_main(argc, argv, ctx);
    if (sample_published_wanted(argc, argv))
        return sample_published_main(argc, argv, ctx);
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    const char *out = NULL;
    uint64_t seed = SAMPLE_DEFAULT_SEED;
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 's' && parse_seed(optarg, &seed))
            return cli_usage_error("sample", "--seed '%s' is not a whole number "
                                   "from 0 to 18446744073709551615", optarg);
        else if (c != 's')
            return cli_usage_error("sample", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("sample", "unexpected argument '%s'", argv[optind]);
    if (!out)
        return cli_usage_error("sample", "--out DIR is required");
    liia_error e;
    liia_error_clear(&e);
    int written;
    if (sample_quarterly_write(liia_schema_dir(), out, seed, &written, &e))
        return cli_fail(&e);
    printf("wrote %d quarterly returns to %s (seed %llu)\n", written, out,
           (unsigned long long)seed);
    return LIIA_EXIT_OK;
}
