/* cmd_history.c - `liia-bench history (--la LA | --since DATE) [--period P]
 * [--json]`: every version of an authority's submissions, accepted,
 * superseded or rejected; or everything received since a date
 * (liia_app_history, as the operator). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "liia_app.h"

static const char usage[] =
    "usage: liia-bench history (--la LA | --since DATE) [--period P] [--json]\n"
    "\n"
    "Lists every file received for an authority (all quarters, or one), newest\n"
    "quarter first and, within a quarter, oldest version first: version, status\n"
    "(accepted, superseded, rejected), when it was received, its SHA-256, errors\n"
    "and warnings, days late (after the due date schemas/returns.json or the\n"
    "portal sets, when the return was due; - when not due or no date is set)\n"
    "and the authority's contact.  With --since (and no --la), every\n"
    "authority's files received on or after DATE, in the order they arrived:\n"
    "\"what arrived this week\".  --json adds each row's due date.\n"
    "\n"
    "  --la LA      GSS code, DfE number, 3-letter code or name\n"
    "  --since DATE received on or after DATE (YYYY-MM-DD, UTC)\n"
    "  --period P   one quarter (2025-03-31 or 2024-25Q4)\n"
    "  --json       JSON instead of a table\n"
    "  -h, --help   this text\n";

static const char *field(json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static void print_row(json_t *row, liia_buf *scratch, int all)
{
    if (all)
        printf("%-9s  ", field(row, "la_code"));
    /* a rejected file has no version */
    json_t *v = json_object_get(row, "version");
    json_t *late = json_object_get(row, "days_late");
    char version[24] = "-", days[24] = "-";
    if (json_is_integer(v))
        snprintf(version, sizeof version, "%lld", (long long)json_integer_value(v));
    if (json_is_integer(late))
        snprintf(days, sizeof days, "%lld", (long long)json_integer_value(late));
    printf("%-10s %-10s %7s  %-10s  %-20s  %-12.12s %6lld %8lld %4s  %-28s  %s\n",
           field(row, "period"), field(row, "return_type"), version, field(row, "status"),
           field(row, "received_at"), field(row, "sha256"),
           (long long)json_integer_value(json_object_get(row, "errors")),
           (long long)json_integer_value(json_object_get(row, "warnings")), days,
           field(row, "contact_email")[0] ? field(row, "contact_email") : "-",
           cli_printable(scratch, field(row, "file_name"))); /* the name as sent */
}

static void list(json_t *rows, int json, int all, const char *since)
{
    size_t i;
    json_t *row;
    if (json) {
        if (json_dumpf(rows, stdout, JSON_INDENT(2)) == 0)
            putchar('\n');
        return;
    }
    if (all)
        printf("%-9s  ", "la_code");
    printf("%-10s %-10s %7s  %-10s  %-20s  %-12s %6s %8s %4s  %-28s  %s\n", "period",
           "return", "version", "status", "received_at", "sha256", "errors", "warnings", "late",
           "contact", "file");
    liia_buf scratch;
    liia_buf_init(&scratch);
    json_array_foreach(rows, i, row)
        print_row(row, &scratch, all);
    liia_buf_free(&scratch);
    if (!json_array_size(rows) && since)
        printf("(nothing received since %s)\n", since);
    else if (!json_array_size(rows))
        printf("(nothing received yet)\n");
}

/* YYYY-MM-DD with a real month and day, so the string comparison with
 * received_at (ISO 8601) means "on or after". */
static int valid_date(const char *s)
{
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return 0;
    return y >= 2000 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

int cmd_history(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"la", required_argument, NULL, 'l'}, {"period", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},     {"help", no_argument, NULL, 'h'},
        {"since", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    const char *la = NULL, *period_arg = NULL, *since = NULL;
    int json = 0, c;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "l:p:s:jh", opts, NULL)) != -1) {
        if (c == 'l')
            la = optarg;
        else if (c == 'p')
            period_arg = optarg;
        else if (c == 's')
            since = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage_error("history", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("history", "unexpected argument '%s'", argv[optind]);
    if (!la && !since)
        return cli_usage_error("history", "give --la LA, --since DATE, or both");
    if (since && !valid_date(since))
        return cli_usage_error("history", "--since '%s' is not a date: write YYYY-MM-DD "
                               "(e.g. 2025-04-01)", since);
    liia_error e;
    liia_actor op;
    json_t *rows = NULL;
    sqlite3 *db = NULL;
    liia_error_clear(&e);
    liia_actor_operator(&op, "cli");
    int rc = cli_open_store(ctx, LIIA_STORE_READONLY, &db, &e);
    if (!rc)
        rc = liia_app_history(db, &op, la, period_arg, since, &rows, &e);
    liia_store_close(db);
    if (rc)
        return cli_fail(&e);
    list(rows, json, !la, since);
    json_decref(rows);
    return LIIA_EXIT_OK;
}
