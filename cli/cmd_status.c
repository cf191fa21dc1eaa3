/* cmd_status.c - `liia-bench status [--period P] [--missing] [--return
 * TYPE] [--json]`: the 33 authorities x return types grid for one quarter,
 * with what is due (schemas/returns.json), days late and whom to chase. */
#include <getopt.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "liia_app.h"
#include "liia_ingest.h"

static const char usage[] =
    "usage: liia-bench status [--period P] [--missing] [--return TYPE] [--json]\n"
    "\n"
    "Shows, for every authority and return type, what the platform holds for a\n"
    "quarter: submitted (an accepted version), rejected (only rejected files),\n"
    "missing (due this quarter and not sent) or not due (an optional return, or\n"
    "not due this quarter); the version, when it was received, its errors and\n"
    "warnings, how many measures it did not supply, its due date, days late\n"
    "(as of today; after the due date for what is not in), and the authority's\n"
    "contact.  Which returns are due from whom, when, and the contacts are\n"
    "schemas/returns.json; a due date set on the portal overrides its rule.\n"
    "\n"
    "  --period P     the quarter (default: the latest with any submission)\n"
    "  --missing      only returns that are due and not accepted: who to chase\n"
    "  --return TYPE  only this return type (quarterly, ssda903, ...)\n"
    "  --json         JSON instead of a table\n"
    "  -h, --help     this text\n";

/* A cell as text: a string as it is, an integer written into num. */
static const char *text(json_t *row, const char *key, const char *null, char num[24])
{
    json_t *v = json_object_get(row, key);
    if (json_is_integer(v)) {
        snprintf(num, 24, "%lld", (long long)json_integer_value(v));
        return num;
    }
    return json_is_string(v) ? json_string_value(v) : null;
}

/* The CLI's row: the library's without the portal's submission id. */
static json_t *row_json(json_t *row)
{
    json_t *o = json_deep_copy(row);
    if (o)
        json_object_del(o, "submission_id");
    return o;
}

static void print_row(json_t *row)
{
    char cols[12][64];
    static const char *const keys[] = {"short_code", "name", "return_type", "state",
                                       "version", "received_at", "errors", "warnings",
                                       "missing", "due", "days_late", "contact_email"};
    char num[24];
    for (int i = 0; i < 12; i++)
        snprintf(cols[i], sizeof cols[i], "%s", text(row, keys[i], i < 4 ? "" : "-", num));
    printf("%-5s %-24.24s %-10s %-9s %7s  %-20s %6s %8s %7s  %-10s %4s  %s\n", cols[0],
           cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9],
           cols[10], cols[11]);
}

/* Per return type: how many authorities have an accepted version. */
struct return_tally {
    char id[32];
    int submitted, of; /* of: authorities it is due from this quarter */
};
enum { MAX_RETURN_TYPES = 16 };

static void tally(struct return_tally *t, size_t *nt, const char *id, int submitted, int due)
{
    size_t i = 0;
    while (i < *nt && strcmp(t[i].id, id))
        i++;
    if (i == *nt) {
        if (*nt == MAX_RETURN_TYPES)
            return;
        t[i] = (struct return_tally){.submitted = 0};
        liia_strlcpy(t[i].id, id, sizeof t[i].id);
        ++*nt;
    }
    t[i].submitted += submitted;
    t[i].of += due;
}

static json_t *tallies_json(const struct return_tally *t, size_t nt)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < nt; i++)
        json_object_set_new(o, t[i].id, json_pack("{s:i, s:i}", "submitted",
                                                   t[i].submitted, "of", t[i].of));
    return o;
}

/* The rows listed are every row, or with missing_only those due and not
 * accepted; the closing totals always count every row (the chase list's
 * "3 of 33 submitted" said "0 of 30" when counted from its own rows). */
static int grid(json_t *g, int json, int missing_only)
{
    struct return_tally tallies[MAX_RETURN_TYPES];
    size_t ntallies = 0, i;
    const char *period = json_string_value(json_object_get(g, "period"));
    const char *label = json_string_value(json_object_get(g, "label"));
    json_t *rows = json ? json_array() : NULL, *row;
    int submitted = 0, n = 0;
    if (!json)
        printf("%s: %s\n%-5s %-24s %-10s %-9s %7s  %-20s %6s %8s %7s  %-10s %4s  %s\n",
               period, label, "la", "authority", "return", "state", "version",
               "received_at", "errors", "warnings", "missing", "due", "late", "contact");
    char num[24];
    json_array_foreach(json_object_get(g, "grid"), i, row) {
        int is_submitted = !strcmp(text(row, "state", "", num), "submitted");
        int due = !strcmp(text(row, "expected", "", num), "due");
        submitted += is_submitted;
        tally(tallies, &ntallies, text(row, "return_type", "", num), is_submitted, due);
        if (missing_only && (!due || is_submitted))
            continue;
        n++;
        if (!json)
            print_row(row);
        else if (json_array_append_new(rows, row_json(row)))
            return -1;
    }
    if (!json) {
        for (size_t t = 0; t < ntallies; t++)
            if (tallies[t].of)
                printf("%s: %d of %d submitted\n", tallies[t].id, tallies[t].submitted,
                       tallies[t].of);
            else
                printf("%s: %d submitted (optional, or not due this quarter)\n", tallies[t].id,
                       tallies[t].submitted);
        return 0;
    }
    json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:o, s:o}", "period", period, "label", label,
                          "submitted", submitted, "cells", n, "by_return",
                          tallies_json(tallies, ntallies), "grid", rows);
    json_t *w = json_object_get(g, "withheld");
    if (o && w && json_object_set(o, "withheld", w)) {
        json_decref(o);
        return -1;
    }
    if (o && json_dumpf(o, stdout, JSON_INDENT(2)) == 0)
        putchar('\n');
    json_decref(o);
    return o ? 0 : -1;
}

/* A column as text ("" for NULL). */
static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* The latest quarter with any submission that is not in the future (a
 * return may come in a little ahead of its quarter's end). */
static int latest_period(sqlite3 *db, char period[11], liia_error *e)
{
    sqlite3_stmt *st;
    char today[11];
    cli_today(today);
    if (liia_db_prepare(db, "SELECT max(period) FROM submission WHERE period <= ?1",
                        &st, e))
        return -1;
    sqlite3_bind_text(st, 1, today, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    liia_strlcpy(period, rc == SQLITE_ROW ? col_text(st, 0) : "", 11);
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "finding the latest quarter");
    return 0;
}

/* Values bench withheld for the quarter because they broke an invariant
 * (percentage outside 0-100, "of those" above its parent, zero or negative
 * denominator): never published, pooled or ranked; listed here so the
 * programme team can ask the authority. */
static const char withheld_sql[] =
    "SELECT a.short_code, b.indicator, b.check_failed FROM benchmark b"
    "  JOIN authority a ON a.gss_code = b.area_code"
    " WHERE b.period = ?1 AND b.area_type = 'la' AND b.check_failed IS NOT NULL"
    " ORDER BY a.short_code, b.sort_order";

static int withheld(sqlite3 *db, const char *period, json_t *out, liia_error *e)
{
    sqlite3_stmt *st;
    int rc, n = 0;
    if (liia_db_prepare(db, withheld_sql, &st, e))
        return -1;
    sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out)
            json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "la",
                                                 col_text(st, 0), "indicator",
                                                 col_text(st, 1), "reason",
                                                 col_text(st, 2)));
        else
            printf("%s  withheld  %-5s %-6s %s\n", n++ ? "   " : "checks:",
                   col_text(st, 0), col_text(st, 1), col_text(st, 2));
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the values bench withheld");
    if (!out && !n)
        printf("checks: no value withheld\n");
    return 0;
}

/* --return names a registered return type. */
static int known_return(const char *id)
{
    for (size_t i = 0; i < liia_ingest_return_count(); i++)
        if (!strcmp(liia_ingest_return_info(i)->id, id))
            return 1;
    return 0;
}

/* Parses the options into o and *json; LIIA_EXIT_OK or a usage error. */
static int parse(int argc, char **argv, liia_app_status_opts *o, int *json)
{
    static const struct option opts[] = {
        {"period", required_argument, NULL, 'p'}, {"missing", no_argument, NULL, 'm'},
        {"return", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "p:mr:jh", opts, NULL)) != -1) {
        if (c == 'p')
            o->period = optarg;
        else if (c == 'm')
            o->missing_only = 1;
        else if (c == 'r' && !known_return(optarg))
            return cli_usage_error("status", "--return '%s' is not a return type "
                                   "(see 'liia-bench schemas')", optarg);
        else if (c == 'r')
            o->return_type = optarg;
        else if (c == 'j')
            *json = 1;
        else
            return cli_usage_error("status", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
    return LIIA_EXIT_OK;
}

int cmd_status(int argc, char **argv, const struct cli_ctx *ctx)
{
    liia_app_status_opts o = {0};
    char today[11];
    int json = 0, code;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if ((code = parse(argc, argv, &o, &json)) != LIIA_EXIT_OK)
        return code;
    cli_today(today);
    o.today = today;
    const char *period_arg = o.period;
    liia_error e;
    liia_actor op;
    json_t *g = NULL;
    sqlite3 *db = NULL;
    liia_error_clear(&e);
    liia_actor_operator(&op, "cli");
    char period[11] = "";
    int rc = cli_open_store(ctx, LIIA_STORE_READONLY, &db, &e);
    if (!rc && !period_arg)
        rc = latest_period(db, period, &e);
    if (!rc && (period_arg || period[0])) {
        o.period = period_arg ? period_arg : period;
        /* the whole grid, for the totals; --missing filters the rows */
        liia_app_status_opts all = o;
        all.missing_only = 0;
        rc = liia_app_status_grid(db, &op, &all, &g, &e);
    }
    if (rc) {
        liia_store_close(db);
        return cli_fail(&e);
    }
    if (!g) {
        printf("no submissions yet; give --period to see the empty grid\n");
    } else {
        const char *p = json_string_value(json_object_get(g, "period"));
        json_t *w = json ? json_array() : NULL;
        if (json && !w)
            rc = liia_fail(&e, LIIA_E_NOMEM, "out of memory");
        if (!rc && !json && grid(g, json, o.missing_only))
            rc = liia_fail(&e, LIIA_E_NOMEM, "out of memory");
        if (!rc)
            rc = withheld(db, p, w, &e);
        if (!rc && json && (json_object_set_new(g, "withheld", w) || grid(g, json, o.missing_only)))
            rc = liia_fail(&e, LIIA_E_NOMEM, "out of memory");
        else if (rc)
            json_decref(w);
    }
    liia_store_close(db);
    json_decref(g);
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
