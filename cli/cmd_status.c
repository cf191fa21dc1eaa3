/* cmd_status.c - `liia-bench status [--period P] [--json]`: the 33
 * authorities x return types grid for one quarter. */
#include <getopt.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char usage[] =
    "usage: liia-bench status [--period P] [--json]\n"
    "\n"
    "Shows, for every authority and return type, what the platform holds for a\n"
    "quarter: submitted (an accepted version), rejected (only rejected files)\n"
    "or missing; the version, when it was received, its errors and warnings,\n"
    "and how many measures it did not supply.\n"
    "\n"
    "  --period P   the quarter (default: the latest with any submission that\n"
    "               is not in the future)\n"
    "  --json       JSON instead of a table\n"
    "  -h, --help   this text\n";

/* Per cell the accepted version, else the latest rejected file.  missing
 * counts catalogue measures without a value (quarterly return only). */
static const char grid_sql[] =
    "SELECT a.short_code, a.gss_code, a.name, rt.id, "
    "  CASE WHEN s.id IS NULL THEN 'missing' WHEN s.status = 'accepted' "
    "       THEN 'submitted' ELSE 'rejected' END, "
    "  s.version, s.received_at, s.errors, s.warnings, "
    "  CASE WHEN s.status = 'accepted' AND rt.id = 'quarterly' THEN "
    "    (SELECT count(*) FROM measure_def) - (SELECT count(*) FROM submission_value v "
    "     WHERE v.submission_id = s.id AND v.value IS NOT NULL) END "
    "FROM authority a CROSS JOIN return_type rt "
    "LEFT JOIN submission s ON s.id = (SELECT id FROM submission x WHERE "
    "  x.la_code = a.gss_code AND x.return_type = rt.id AND x.period = ?1 "
    "  AND x.status IN ('accepted', 'rejected') "
    "  ORDER BY x.status = 'accepted' DESC, x.id DESC LIMIT 1) "
    "ORDER BY a.name, rt.id";

static const char *text(sqlite3_stmt *st, int i, const char *null)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : null;
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
    liia_strlcpy(period, rc == SQLITE_ROW ? text(st, 0, "") : "", 11);
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "finding the latest quarter");
    return 0;
}

static json_t *row_json(sqlite3_stmt *st)
{
    static const char *const keys[] = {"short_code", "la_code", "name", "return_type",
                                       "state", "version", "received_at", "errors",
                                       "warnings", "missing"};
    json_t *o = json_object();
    for (int i = 0; o && i < 10; i++) {
        int t = sqlite3_column_type(st, i);
        json_t *v = t == SQLITE_NULL ? json_null()
                    : t == SQLITE_INTEGER ? json_integer(sqlite3_column_int64(st, i))
                                          : json_string(text(st, i, ""));
        if (json_object_set_new(o, keys[i], v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static void print_row(sqlite3_stmt *st)
{
    printf("%-5s %-24.24s %-10s %-9s %7s  %-20s %6s %8s %7s\n", text(st, 0, ""),
           text(st, 2, ""), text(st, 3, ""), text(st, 4, ""), text(st, 5, "-"),
           text(st, 6, "-"), text(st, 7, "-"), text(st, 8, "-"), text(st, 9, "-"));
}

/* Per return type: how many authorities have an accepted version. */
struct return_tally {
    char id[32];
    int submitted, of;
};
enum { MAX_RETURN_TYPES = 16 };

static void tally(struct return_tally *t, size_t *nt, const char *id, int submitted)
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
    t[i].of++;
}

static json_t *tallies_json(const struct return_tally *t, size_t nt)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < nt; i++)
        json_object_set_new(o, t[i].id, json_pack("{s:i, s:i}", "submitted",
                                                   t[i].submitted, "of", t[i].of));
    return o;
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
                                                 text(st, 0, ""), "indicator",
                                                 text(st, 1, ""), "reason",
                                                 text(st, 2, "")));
        else
            printf("%s  withheld  %-5s %-6s %s\n", n++ ? "   " : "checks:",
                   text(st, 0, ""), text(st, 1, ""), text(st, 2, ""));
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the values bench withheld");
    if (!out && !n)
        printf("checks: no value withheld\n");
    return 0;
}

static int grid(sqlite3 *db, const char *period, int json, liia_error *e)
{
    struct return_tally tallies[MAX_RETURN_TYPES];
    size_t ntallies = 0;
    sqlite3_stmt *st;
    if (liia_db_prepare(db, grid_sql, &st, e))
        return -1;
    sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    char label[48];
    liia_period_label(period, label, sizeof label);
    json_t *rows = json ? json_array() : NULL;
    int rc, submitted = 0, n = 0;
    if (!json)
        printf("%s: %s\n%-5s %-24s %-10s %-9s %7s  %-20s %6s %8s %7s\n", period, label,
               "la", "authority", "return", "state", "version", "received_at",
               "errors", "warnings", "missing");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int is_submitted = !strcmp(text(st, 4, ""), "submitted");
        n++;
        submitted += is_submitted;
        tally(tallies, &ntallies, text(st, 3, ""), is_submitted);
        if (!json)
            print_row(st);
        else if (json_array_append_new(rows, row_json(st)))
            rc = SQLITE_NOMEM;
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK)) {
        json_decref(rows);
        return liia_db_fail(e, db, "reading the submission grid");
    }
    if (!json) {
        for (size_t i = 0; i < ntallies; i++)
            printf("%s: %d of %d submitted\n", tallies[i].id, tallies[i].submitted,
                   tallies[i].of);
        return withheld(db, period, NULL, e);
    } else {
        json_t *w = json_array();
        if (withheld(db, period, w, e)) {
            json_decref(w);
            json_decref(rows);
            return -1;
        }
        json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:o, s:o, s:o}", "period", period,
                              "label", label, "submitted", submitted, "cells", n,
                              "by_return", tallies_json(tallies, ntallies), "grid", rows,
                              "withheld", w);
        if (o && json_dumpf(o, stdout, JSON_INDENT(2)) == 0)
            putchar('\n');
        json_decref(o);
    }
    return 0;
}

int cmd_status(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"period", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *period_arg = NULL;
    int json = 0, c;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "p:jh", opts, NULL)) != -1) {
        if (c == 'p')
            period_arg = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage_error("status", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
    liia_error e;
    liia_error_clear(&e);
    char period[11] = "";
    sqlite3 *db = NULL;
    if (period_arg && liia_period_parse(period_arg, period, &e)) {
        e.status = LIIA_E_USAGE;
        return cli_fail(&e);
    }
    int rc = cli_open_store(ctx, LIIA_STORE_READONLY, &db, &e);
    if (!rc && !period[0])
        rc = latest_period(db, period, &e);
    if (!rc && !period[0]) {
        printf("no submissions yet; give --period to see the empty grid\n");
        liia_store_close(db);
        return LIIA_EXIT_OK;
    }
    if (!rc)
        rc = grid(db, period, json, &e);
    liia_store_close(db);
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
