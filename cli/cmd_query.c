/* cmd_query.c - `liia-bench query SQL [--format F] [--param n=v]...`. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "cli.h"
#include "liia_engine.h"

#define MAX_PARAMS 32

static const char usage[] =
    "usage: liia-bench query SQL [--format table|csv|json] [--param NAME=VALUE]...\n"
    "                            [--timeout SECONDS] [--raw-csv]\n"
    "\n"
    "Runs one read-only SELECT over the documented views (docs/analyst-guide.md):\n"
    "benchmark, indicators, measures, measures_all_sources, measure_versions,\n"
    "submissions, findings, reconciliation, authorities, groupings, neighbours,\n"
    "populations, published, published_files, published_indicators,\n"
    "published_comparators, published_neighbours.\n"
    "\n"
    "  -f, --format F      table (default on a terminal), csv (default when\n"
    "                      piped) or json\n"
    "  -p, --param N=V     binds V to :N in the statement (repeatable)\n"
    "  -t, --timeout S     stop after S seconds of wall-clock time (default 30,\n"
    "                      at least 0.001, at most 3600)\n"
    "      --raw-csv       CSV with cells as stored: without it a text cell that\n"
    "                      begins = + - @ tab or CR gets a leading ' so Excel\n"
    "                      shows it rather than running it as a formula\n"
    "  -h, --help          this text\n"
    "\n"
    "The result is written only when the query has finished: a query stopped\n"
    "by the time limit, its memory limit or Ctrl-C writes nothing on stdout.\n"
    "Control characters in a table are shown as escapes (\\n, \\x1b).\n"
    "\n"
    "Exit status: 0 ok, 2 bad or refused SQL, 3 store error, time or memory\n"
    "limit, or Ctrl-C.\n";

/* A step that never returns (a C function in a loop) cannot see the
 * progress handler; this much past the time limit the process stops. */
#define HARD_STOP_GRACE_MS 2000
#define MAX_TIMEOUT_S 3600

/* The one piece of process-wide state: a signal handler can reach nothing
 * else.  Only ever set to 1 by SIGINT and polled by the query. */
static volatile sig_atomic_t interrupted;

/* sized for the message arm() formats, with room for a 10-digit time */
static char hard_stop_msg[256];

/* Async-signal-safe: write and _exit only.  Nothing has reached stdout
 * (the result is buffered), so stopping here leaves no partial result. */
static void hard_stop(const char *msg)
{
    ssize_t w = write(STDERR_FILENO, msg, strlen(msg));
    (void)w;
    _exit(LIIA_EXIT_RUNTIME);
}

/* The first Ctrl-C asks the query to stop; a second one stops the process. */
static void on_sigint(int sig)
{
    (void)sig;
    if (interrupted)
        hard_stop("liia-bench query: error: query interrupted\n");
    interrupted = 1;
}

static void on_sigalrm(int sig)
{
    (void)sig;
    hard_stop(hard_stop_msg);
}

/* Seconds as a data lead types them: finite, from 1 ms to an hour (a
 * reader holds back WAL checkpoints while it runs: docs/operations.md). */
static int parse_timeout(const char *s, int *ms)
{
    double v;
    if (cli_parse_number(s, 0.001, MAX_TIMEOUT_S, &v))
        return -1;
    *ms = (int)lround(v * 1000);
    return 0;
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
        {"raw-csv", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, raw = 0, formatted = 0;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "f:p:t:h", opts, NULL)) != -1) {
        if (c == 'f' && parse_format(optarg, &o->format))
            return cli_usage_error("query", "--format must be table, csv or json, not '%s'", optarg);
        formatted |= c == 'f';
        raw |= c == 'r';
        if (c == 'p' && add_param(optarg, params, &o->nparams))
            return cli_usage_error("query", "--param wants NAME=VALUE (at most %d), not '%s'",
                                   MAX_PARAMS, optarg);
        if (c == 't' && parse_timeout(optarg, &o->timeout_ms))
            return cli_usage_error("query", "--timeout wants seconds from 0.001 to %d, "
                                   "not '%s'", MAX_TIMEOUT_S, optarg);
        if (c == '?')
            return cli_usage_error("query", "unknown option");
    }
    if (raw && formatted && o->format != LIIA_QUERY_CSV)
        return cli_usage_error("query", "--raw-csv goes with --format csv");
    if (raw)
        o->format = LIIA_QUERY_CSV_RAW;
    if (argc - optind != 1)
        return cli_usage_error("query", "give exactly one SQL statement (quoted)");
    return 0;
}

/* Ctrl-C and the hard stop; the old SIGINT action is kept in *old. */
static int arm(int timeout_ms, struct sigaction *old)
{
    struct sigaction sa;
    struct itimerval t = {{0, 0}, {0, 0}};
    long ms = timeout_ms + HARD_STOP_GRACE_MS;
    snprintf(hard_stop_msg, sizeof hard_stop_msg, "liia-bench query: error: query "
             "stopped after %d ms (--timeout)\n  fix: narrow the query or raise "
             "--timeout (or try again when no other process holds the store)\n",
             timeout_ms);
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sigalrm;
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        return -1;
    sa.sa_handler = on_sigint;
    interrupted = 0;
    if (sigaction(SIGINT, &sa, old) != 0)
        return -1;
    t.it_value.tv_sec = ms / 1000;
    t.it_value.tv_usec = (ms % 1000) * 1000;
    return setitimer(ITIMER_REAL, &t, NULL);
}

static void disarm(const struct sigaction *old)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    (void)setitimer(ITIMER_REAL, &off, NULL);
    (void)sigaction(SIGINT, old, NULL);
}

static int copy_out(FILE *from, FILE *to)
{
    char buf[65536];
    size_t n;
    rewind(from);
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            return -1;
    return ferror(from) || fflush(to) ? -1 : 0;
}

int cmd_query(int argc, char **argv, const struct cli_ctx *ctx)
{
    liia_query_param params[MAX_PARAMS];
    liia_query_opts o = {ctx->stdout_is_tty ? LIIA_QUERY_TABLE : LIIA_QUERY_CSV,
                         30000, params, 0, &interrupted};
    struct sigaction old;
    liia_error e;
    int rc;
    liia_error_clear(&e);
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if ((rc = parse_args(argc, argv, &o, params)) != 0)
        return rc;
    /* The result goes to an unlinked temporary file (0600) and reaches
     * stdout only once complete: flat in memory, and never partial. */
    FILE *tmp = tmpfile();
    if (!tmp)
        return cli_fail((liia_fail(&e, LIIA_E_IO, "cannot create a temporary file "
                                   "for the result"), &e));
    if (arm(o.timeout_ms, &old) != 0) {
        fclose(tmp);
        return cli_fail((liia_fail(&e, LIIA_E_IO, "cannot install the Ctrl-C handler "
                                   "or the time limit"), &e));
    }
    rc = liia_engine_query(ctx->db_path, argv[optind], &o, tmp, &e);
    disarm(&old);
    if (rc == 0 && copy_out(tmp, stdout) != 0)
        rc = liia_fail(&e, LIIA_E_IO, "cannot write the result");
    fclose(tmp);
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
