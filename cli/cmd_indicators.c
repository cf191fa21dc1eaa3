/* cmd_indicators.c - `liia-bench indicators [--json]`: the catalogue as
 * loaded into the store, printed through the same query path analysts use. */
#include <string.h>
#include "cli.h"
#include "liia_engine.h"

static const char usage[] =
    "usage: liia-bench indicators [--json]\n"
    "\n"
    "Lists the indicator catalogue (schemas/indicators.json): id, theme,\n"
    "unit, polarity, flow or stock, numerator / denominator and title.\n"
    "\n"
    "  --json       a JSON array of every field instead of a table\n"
    "  -h, --help   this text\n";

static const char table_sql[] =
    "SELECT id, theme, unit, polarity, kind, numerator_expr || ' / ' || "
    "denominator_expr AS definition, title FROM indicators ORDER BY sort_order";
static const char json_sql[] = "SELECT * FROM indicators ORDER BY sort_order";

int cmd_indicators(int argc, char **argv, const struct cli_ctx *ctx)
{
    liia_query_opts o = {LIIA_QUERY_TABLE, 0, NULL, 0, NULL};
    liia_error e;
    sqlite3 *db = NULL;
    int json, rc;
    liia_error_clear(&e);
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if ((rc = cli_parse_json_only(argc, argv, "indicators", &json)) != LIIA_EXIT_OK)
        return rc;
    if (json)
        o.format = LIIA_QUERY_JSON;
    /* an in-memory store: the catalogue lists without needing `init` */
    rc = liia_engine_catalogue_open(liia_schema_dir(), &db, &e);
    if (rc == 0)
        rc = liia_engine_query_db(db, o.format == LIIA_QUERY_JSON ? json_sql : table_sql,
                                  &o, stdout, &e);
    (void)ctx;
    if (db && sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = liia_fail(&e, LIIA_E_DB, "cannot close the memory database");
    return rc ? cli_fail(&e) : LIIA_EXIT_OK;
}
