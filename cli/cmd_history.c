/* cmd_history.c - `liia-bench history (--la LA | --since DATE) [--period P]
 * [--json]`: every version of an authority's submissions, accepted,
 * superseded or rejected; or everything received since a date. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char usage[] =
    "usage: liia-bench history (--la LA | --since DATE) [--period P] [--json]\n"
    "\n"
    "Lists every file received for an authority (all quarters, or one), newest\n"
    "quarter first and, within a quarter, oldest version first: version, status\n"
    "(accepted, superseded, rejected), when it was received, its SHA-256, errors\n"
    "and warnings.  With --since (and no --la), every authority's files received\n"
    "on or after DATE, in the order they arrived: \"what arrived this week\".\n"
    "\n"
    "  --la LA      GSS code, DfE number, 3-letter code or name\n"
    "  --since DATE received on or after DATE (YYYY-MM-DD, UTC)\n"
    "  --period P   one quarter (2025-03-31 or 2024-25Q4)\n"
    "  --json       JSON instead of a table\n"
    "  -h, --help   this text\n";

static const char sql[] =
    "SELECT id, period, return_type, version, status, received_at, file_name, "
    "sha256, errors, warnings, rows, supersedes, la_code FROM submission "
    "WHERE (?1 IS NULL OR la_code = ?1) AND (?2 IS NULL OR period = ?2) "
    "AND (?3 IS NULL OR received_at >= ?3) "
    "ORDER BY CASE WHEN ?1 IS NULL THEN received_at END, period DESC, return_type, id";

static const char *text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static json_t *row_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; o && i < sqlite3_column_count(st); i++) {
        json_t *v = sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
                    : sqlite3_column_type(st, i) == SQLITE_INTEGER
                        ? json_integer(sqlite3_column_int64(st, i))
                        : json_string(text(st, i));
        if (json_object_set_new(o, sqlite3_column_name(st, i), v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static void print_row(sqlite3_stmt *st, liia_buf *scratch, int all)
{
    if (all)
        printf("%-9s  ", text(st, 12));
    /* a rejected file has no version */
    const char *version = sqlite3_column_type(st, 3) == SQLITE_NULL ? "-" : text(st, 3);
    printf("%-10s %-10s %7s  %-10s  %-20s  %-12.12s %6d %8d  %s\n", text(st, 1),
           text(st, 2), version, text(st, 4), text(st, 5), text(st, 7),
           sqlite3_column_int(st, 8), sqlite3_column_int(st, 9),
           cli_printable(scratch, text(st, 6))); /* the file name as sent */
}

static int list(sqlite3 *db, const char *gss, const char *period, const char *since,
                int json, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    int all = !gss[0];
    if (!all)
        sqlite3_bind_text(st, 1, gss, -1, SQLITE_STATIC);
    if (period[0])
        sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    if (since)
        sqlite3_bind_text(st, 3, since, -1, SQLITE_STATIC);
    json_t *arr = json ? json_array() : NULL;
    liia_buf scratch;
    liia_buf_init(&scratch);
    int rc, n = 0;
    if (!json && all)
        printf("%-9s  ", "la_code");
    if (!json)
        printf("%-10s %-10s %7s  %-10s  %-20s  %-12s %6s %8s  %s\n", "period", "return",
               "version", "status", "received_at", "sha256", "errors", "warnings", "file");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        if (!json)
            print_row(st, &scratch, all);
        else if (json_array_append_new(arr, row_json(st)))
            rc = SQLITE_NOMEM;
    }
    liia_buf_free(&scratch);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK)) {
        json_decref(arr);
        return liia_db_fail(e, db, "reading the history");
    }
    if (json && json_dumpf(arr, stdout, JSON_INDENT(2)) == 0)
        putchar('\n');
    else if (!json && n == 0 && since)
        printf("(nothing received since %s)\n", since);
    else if (!json && n == 0)
        printf("(nothing received yet)\n");
    json_decref(arr);
    return 0;
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
    liia_error_clear(&e);
    char gss[10] = "", period[11] = "";
    sqlite3 *db = NULL;
    if (period_arg && liia_period_parse(period_arg, period, &e)) {
        e.status = LIIA_E_USAGE;
        return cli_fail(&e);
    }
    int rc = cli_open_store(ctx, LIIA_STORE_READONLY, &db, &e);
    if (!rc && la && (rc = liia_authority_resolve(db, la, gss, &e)) != 0)
        e.status = LIIA_E_USAGE;
    if (!rc)
        rc = list(db, gss, period, since, json, &e);
    liia_store_close(db);
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
