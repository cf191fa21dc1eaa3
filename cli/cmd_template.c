/* cmd_template.c - `liia-bench template --la LA --period P --out DIR`: a
 * blank quarterly return for one authority and quarter, as CSV and as a
 * workbook that checks each value as it is typed (report/rp_template.c). */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "liia_report.h"

static const char usage[] =
    "usage: liia-bench template --la LA --period P --out DIR [--format csv|xlsx|both]\n"
    "\n"
    "Writes a blank quarterly return for one authority and quarter, with every\n"
    "measure of the catalogue (schemas/measures.json) on its own row:\n"
    "  DIR/<LA>_<period>.csv             the return as the platform reads it,\n"
    "                                    values blank, ready to fill in\n"
    "  DIR/<LA>_<period>_template.xlsx   the same rows with Excel data validation\n"
    "                                    (counts: whole numbers of 0 or more; FTE:\n"
    "                                    at most 2 decimal places; the authority's\n"
    "                                    codes, the quarter and the measure ids from\n"
    "                                    lists) and an Instructions sheet with each\n"
    "                                    measure's definition; save its Return sheet\n"
    "                                    as CSV UTF-8 to send it\n"
    "A value left blank is 'not supplied'. Files are created 0600.\n"
    "\n"
    "  --la LA        the authority: GSS code, DfE number, 3-letter code or name\n"
    "  --period P     the quarter: 2025-03-31 or 2024-25Q4\n"
    "  --out DIR      output directory (created if missing)\n"
    "  --format F     csv, xlsx or both (default both)\n"
    "  -h, --help     this text\n";

/* The authority's short code and name (gss resolved already). */
static int authority(sqlite3 *db, const char *gss, char code[8], char name[128],
                     liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT short_code, name FROM authority WHERE gss_code = ?1",
                        &st, e))
        return -1;
    sqlite3_bind_text(st, 1, gss, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        liia_strlcpy(code, (const char *)sqlite3_column_text(st, 0), 8);
        liia_strlcpy(name, (const char *)sqlite3_column_text(st, 1), 128);
    }
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the authority");
    return 0;
}

static int parse_format(const char *s, int *csv, int *xlsx)
{
    *csv = !strcmp(s, "csv") || !strcmp(s, "both");
    *xlsx = !strcmp(s, "xlsx") || !strcmp(s, "both");
    return *csv || *xlsx ? 0 : -1;
}

/* The authority and quarter as given, resolved as every command does. */
static int resolve(const struct cli_ctx *ctx, const char *la, const char *period,
                   char gss[10], char code[8], char name[128], char canon[11],
                   liia_error *e)
{
    sqlite3 *db = NULL;
    if (liia_period_parse(period, canon, e)) {
        e->status = LIIA_E_USAGE;
        return -1;
    }
    if (cli_open_store(ctx, LIIA_STORE_READONLY, &db, e))
        return -1;
    int rc = liia_authority_resolve(db, la, gss, e);
    if (rc && e->status == LIIA_E_DATA)
        e->status = LIIA_E_USAGE;
    if (!rc)
        rc = authority(db, gss, code, name, e);
    liia_store_close(db);
    return rc;
}

int cmd_template(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"la", required_argument, NULL, 'l'},   {"period", required_argument, NULL, 'p'},
        {"out", required_argument, NULL, 'o'},  {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *la = NULL, *period = NULL, *out = NULL;
    int csv = 1, xlsx = 1, c;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "l:p:o:f:h", opts, NULL)) != -1) {
        if (c == 'l')
            la = optarg;
        else if (c == 'p')
            period = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 'f' && parse_format(optarg, &csv, &xlsx))
            return cli_usage_error("template", "--format must be csv, xlsx or both, "
                                   "not '%s'", optarg);
        else if (c != 'f')
            return cli_usage_error("template", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("template", "unexpected argument '%s'", argv[optind]);
    if (!la || !period || !out)
        return cli_usage_error("template", "--la LA, --period P and --out DIR are required");
    liia_error e;
    liia_error_clear(&e);
    char gss[10], code[8], name[128], canon[11], fy[16], label[48];
    if (resolve(ctx, la, period, gss, code, name, canon, &e))
        return cli_fail(&e);
    liia_period_fy_form(canon, fy, sizeof fy);
    liia_period_label(canon, label, sizeof label);
    liia_template t = {.gss_code = gss, .short_code = code, .la_name = name,
                       .period = canon, .period_fy = fy, .period_label = label};
    int written;
    if (liia_report_template(&t, out, csv, xlsx, &written, &e))
        return cli_fail(&e);
    printf("wrote %d template file%s for %s (%s), %s to %s\n", written,
           written == 1 ? "" : "s", name, code, label, out);
    return LIIA_EXIT_OK;
}
