/* cmd_serve.c - `liia-bench serve`: the web portal (server/liia_server.h)
 * until SIGTERM or SIGINT, which let requests in flight finish. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liia_server.h"

static const char usage[] =
    "usage: liia-bench [--db PATH] serve [--listen ADDR:PORT] [--tls-cert F --tls-key F]\n"
    "                                    [--insecure-listen] [--packs DIR]\n"
    "                                    [--max-upload-mb N] [--timeout S]\n"
    "                                    [--idle-minutes N] [--trusted-proxy ADDR]\n"
    "\n"
    "Serves the portal: authorities upload returns and read their findings,\n"
    "explain warnings, sign off and download packs; the programme team runs\n"
    "the quarter; analysts query.  Accounts: 'liia-bench user'.  Pages at /,\n"
    "a JSON API under /api/ (docs/portal.md).\n"
    "\n"
    "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080)\n"
    "  --tls-cert F        PEM certificate: serve HTTPS (with --tls-key)\n"
    "  --tls-key F         PEM private key\n"
    "  --insecure-listen   allow plain HTTP on an address other than loopback\n"
    "                      (only behind a TLS reverse proxy on a private network)\n"
    "  --packs DIR         where publications are written (default PATH.packs)\n"
    "  --max-upload-mb N   largest request body (default 64)\n"
    "  --timeout S         idle connection timeout in seconds (default 60)\n"
    "  --idle-minutes N    sign a user out after N minutes without a request\n"
    "                      (default 30, at most 480; sessions end 8 hours after\n"
    "                      sign-in whatever this is)\n"
    "  --trusted-proxy ADDR  the reverse proxy's address (e.g. 127.0.0.1): a request\n"
    "                      from it is counted against the client address its\n"
    "                      X-Forwarded-For header ends with (per-address sign-in\n"
    "                      limit, audit); from anywhere else the header is ignored\n"
    "  -h, --help          this text\n"
    "\n"
    "SIGTERM or SIGINT stops it: no new connections; requests in flight finish.\n";

/* Set by the signal handler, read by the server loop. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void ready(const char *url, void *ctx)
{
    (void)ctx;
    printf("serving on %s (Ctrl-C or SIGTERM stops)\n", url);
    fflush(stdout);
}

static void log_error(const liia_error *e, void *ctx)
{
    (void)ctx;
    liia_error_print(stderr, e);
}

static int parse(int argc, char **argv, liia_server_opts *o, char **packs)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},   {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},  {"insecure-listen", no_argument, NULL, 'i'},
        {"packs", required_argument, NULL, 'p'},    {"max-upload-mb", required_argument, NULL, 'm'},
        {"timeout", required_argument, NULL, 't'},  {"help", no_argument, NULL, 'h'},
        {"idle-minutes", required_argument, NULL, 'I'},
        {"trusted-proxy", required_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    int c;
    long n;
    char *end;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "l:c:k:ip:m:t:I:P:h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': o->listen = optarg; break;
        case 'c': o->tls_cert = optarg; break;
        case 'k': o->tls_key = optarg; break;
        case 'i': o->insecure_listen = 1; break;
        case 'p': *packs = optarg; break;
        case 'P': o->trusted_proxy = optarg; break;
        case 'm':
        case 't':
            n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 4096)
                return cli_usage_error("serve", "--%s wants a number from 1 to 4096",
                                       c == 'm' ? "max-upload-mb" : "timeout");
            if (c == 'm')
                o->max_upload = (size_t)n << 20;
            else
                o->timeout_s = (unsigned)n;
            break;
        case 'I':
            n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > LIIA_APP_SESSION_IDLE_MAX)
                return cli_usage_error("serve", "--idle-minutes wants a number from 1 to %d",
                                       LIIA_APP_SESSION_IDLE_MAX);
            o->app.session_idle_minutes = (int)n;
            break;
        default: return cli_usage_error("serve", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    return LIIA_EXIT_OK;
}

int cmd_serve(int argc, char **argv, const struct cli_ctx *ctx)
{
    liia_server_opts o = {.on_ready = ready, .on_error = log_error, .stop = &stop_requested};
    char *packs = NULL;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    int rc = parse(argc, argv, &o, &packs);
    if (rc)
        return rc;
    liia_error e;
    liia_error_clear(&e);
    char *key = liia_key_path_for(ctx->db_path);
    size_t n = strlen(ctx->db_path) + sizeof ".findings";
    char *default_packs = packs ? NULL : malloc(n), *findings = malloc(n);
    if (default_packs)
        snprintf(default_packs, n, "%s.packs", ctx->db_path);
    if (findings)
        snprintf(findings, n, "%s.findings", ctx->db_path);
    const char *tmp = getenv("TMPDIR");
    o.app = (liia_app_config){.db_path = ctx->db_path, .key_path = key,
                              .packs_dir = packs ? packs : default_packs,
                              .findings_dir = findings,
                              .session_idle_minutes = o.app.session_idle_minutes};
    o.tmp_dir = tmp && *tmp ? tmp : "/tmp";
    sqlite3 *db = NULL;
    /* Migrate the store before the first request needs it; a missing store
     * is "no store here" (init makes stores), not a new empty one. */
    rc = !key || !o.app.packs_dir || !findings ? liia_fail(&e, LIIA_E_NOMEM, "out of memory") : 0;
    if (!rc)
        rc = liia_app_init(&e);
    if (!rc)
        rc = cli_open_store(ctx, LIIA_STORE_READWRITE, &db, &e);
    liia_store_close(db);
    struct sigaction sa, old_int, old_term, old_pipe;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_requested = 0;
    if (!rc && (sigaction(SIGINT, &sa, &old_int) || sigaction(SIGTERM, &sa, &old_term)))
        rc = liia_fail(&e, LIIA_E_IO, "cannot install the signal handlers");
    sa.sa_handler = SIG_IGN; /* a client that hangs up is not a reason to die */
    if (!rc && sigaction(SIGPIPE, &sa, &old_pipe))
        rc = liia_fail(&e, LIIA_E_IO, "cannot ignore SIGPIPE");
    if (!rc)
        rc = liia_server_run(&o, &e);
    if (!rc)
        printf("stopped\n");
    free(key);
    free(default_packs);
    free(findings);
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
