/* cmd_schemas.c - `liia-bench schemas [--json]`: the registered return
 * types and the schema file each is described by. */

#include <jansson.h>

#include "cli.h"
#include "liia_ingest.h"

static const char usage[] =
    "usage: liia-bench schemas [--json]\n"
    "\n"
    "Lists the return types ingest accepts: id (for --return), title, the\n"
    "schema under schemas/ that describes it, and whether each file is a\n"
    "submission of its own or the files together make one.\n"
    "\n"
    "  --json       JSON instead of a table\n"
    "  -h, --help   this text\n";

static int print_json(void)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < liia_ingest_return_count(); i++) {
        const liia_return_info *r = liia_ingest_return_info(i);
        if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}", "id", r->id,
                                                 "title", r->title, "schema", r->schema,
                                                 "one_file_per_submission",
                                                 r->one_file_per_submission))) {
            json_decref(arr);
            return LIIA_EXIT_RUNTIME;
        }
    }
    int rc = arr && json_dumpf(arr, stdout, JSON_INDENT(2)) == 0 ? LIIA_EXIT_OK
                                                                 : LIIA_EXIT_RUNTIME;
    putchar('\n');
    json_decref(arr);
    return rc;
}

int cmd_schemas(int argc, char **argv, const struct cli_ctx *ctx)
{
    int json, rc;
    (void)ctx;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if ((rc = cli_parse_json_only(argc, argv, "schemas", &json)) != LIIA_EXIT_OK)
        return rc;
    if (json)
        return print_json();
    printf("%-12s %-40s %-24s %s\n", "id", "title", "schema", "files");
    for (size_t i = 0; i < liia_ingest_return_count(); i++) {
        const liia_return_info *r = liia_ingest_return_info(i);
        printf("%-12s %-40s %-24s %s\n", r->id, r->title, r->schema,
               r->one_file_per_submission ? "one per submission" : "together");
    }
    return LIIA_EXIT_OK;
}
