/* cmd_query.c - `liia-bench query SQL [--format F] [--param n=v]...`. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "liia_engine.h"

#define MAX_PARAMS 32

static const char usage[] =
    "usage: liia-bench query SQL [--format table|csv|json] [--param NAME=VALUE]...\n"
    "                            [--timeout SECONDS]\n"
    "\n"
    "Runs one read-only SELECT over the documented views: benchmark,\n"
    "indicators, measures, submissions, findings (docs/analyst-guide.md).\n"
    "\n"
    "  -f, --format F      table (default on a terminal), csv (default when\n"
    "                      piped) or json\n"
    "  -p, --param N=V     binds V to :N in the statement (repeatable)\n"
    "  -t, --timeout S     stop after S seconds (default 30; 0 = no limit)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 ok, 2 bad or refused SQL, 3 store error or time limit.\n";

/* The one piece of process-wide state: a signal handler can reach nothing
 * else.  Only ever set to 1 by SIGINT and polled by the query. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int parse_format(const char *s, liia_query_format *f)
{
    if (!strcmp(s, "table"))
        *f = LIIA_QUERY_TABLE;
    else if (!strcmp(s, "csv"))
        *f = LIIA_QUERY_CSV;
    else if (!strcmp(s, "json"))
        *f = LIIA_QUERY_JSON;
    else
        return -1;
    return 0;
}

static int add_param(char *arg, liia_query_param *p, size_t *n)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || *n == MAX_PARAMS)
        return -1;
    *eq = '\0';
    p[*n].name = arg[0] == ':' || arg[0] == '@' || arg[0] == '$' ? arg + 1 : arg;
    p[*n].value = eq + 1;
    (*n)++;
    return 0;
}

static int parse_args(int argc, char **argv, liia_query_opts *o,
                      liia_query_param *params)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"param", required_argument, NULL, 'p'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "f:p:t:h", opts, NULL)) != -1) {
        if (c == 'f' && parse_format(optarg, &o->format))
            return cli_usage_error("query", "--format must be table, csv or json, not '%s'", optarg);
        if (c == 'p' && add_param(optarg, params, &o->nparams))
            return cli_usage_error("query", "--param wants NAME=VALUE (at most %d), not '%s'",
                                   MAX_PARAMS, optarg);
        if (c == 't') {
            double s = strtod(optarg, &end);
            if (*end || s < 0 || s > 86400)
                return cli_usage_error("query", "--timeout wants seconds (0-86400), not '%s'", optarg);
            o->timeout_ms = (int)(s * 1000);
        }
        if (c == '?')
            return cli_usage_error("query", "unknown option");
    }
    if (argc - optind != 1)
        return cli_usage_error("query", "give exactly one SQL statement (quoted)");
    return 0;
}

int cmd_query(int argc, char **argv, const struct cli_ctx *ctx)
{
    liia_query_param params[MAX_PARAMS];
    liia_query_opts o = {ctx->stdout_is_tty ? LIIA_QUERY_TABLE : LIIA_QUERY_CSV,
                         30000, params, 0, &interrupted};
    struct sigaction sa, old;
    liia_error e;
    int rc;
    liia_error_clear(&e);
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if ((rc = parse_args(argc, argv, &o, params)) != 0)
        return rc;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    if (sigaction(SIGINT, &sa, &old) != 0)
        return cli_fail((liia_fail(&e, LIIA_E_IO, "cannot install the Ctrl-C handler"), &e));
    rc = liia_engine_query(ctx->db_path, argv[optind], &o, stdout, &e);
    (void)sigaction(SIGINT, &old, NULL);
    if (rc == 0 && fflush(stdout) != 0)
        rc = liia_fail(&e, LIIA_E_IO, "cannot write the result");
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
