/* cmd_measures.c - `liia-bench measures [--json]`: the measure catalogue,
 * read from schemas/measures.json (no store needed). */
#include <stdlib.h>

#include <jansson.h>

#include "cli.h"

static const char usage[] =
    "usage: liia-bench measures [--json]\n"
    "\n"
    "Lists the measures of the quarterly return (schemas/measures.json): id,\n"
    "kind (flow: during the quarter; stock: on its last day), unit (count or\n"
    "fte), theme, the measure it is a subset of, and title.\n"
    "\n"
    "  --json       the catalogue's measures as JSON\n"
    "  -h, --help   this text\n";

static const char *field(const json_t *m, const char *key)
{
    const char *s = json_string_value(json_object_get(m, key));
    return s ? s : "";
}

static int load(json_t **doc, liia_error *e)
{
    char *path = liia_path_join(liia_schema_dir(), "measures.json");
    json_error_t je;
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    *doc = json_load_file(path, 0, &je);
    if (!*doc || !json_is_array(json_object_get(*doc, "measures"))) {
        liia_strlcpy(e->file, path, sizeof e->file);
        e->line = je.line;
        free(path);
        return liia_fail(e, LIIA_E_SCHEMA, "cannot read the measure catalogue: %s",
                         *doc ? "no \"measures\" array" : je.text);
    }
    free(path);
    return 0;
}

int cmd_measures(int argc, char **argv, const struct cli_ctx *ctx)
{
    int json, rc;
    (void)ctx;
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if ((rc = cli_parse_json_only(argc, argv, "measures", &json)) != LIIA_EXIT_OK)
        return rc;
    liia_error e;
    liia_error_clear(&e);
    json_t *doc = NULL;
    if (load(&doc, &e))
        return cli_fail(&e);
    const json_t *arr = json_object_get(doc, "measures"), *m;
    size_t i;
    rc = LIIA_EXIT_OK;
    if (json) {
        rc = json_dumpf(arr, stdout, JSON_INDENT(2)) ? LIIA_EXIT_RUNTIME : LIIA_EXIT_OK;
        putchar('\n');
    } else {
        printf("%-26s %-5s %-5s %-16s %-22s %s\n", "id", "kind", "unit", "theme",
               "subset of", "title");
        json_array_foreach(arr, i, m)
            printf("%-26s %-5s %-5s %-16s %-22s %s\n", field(m, "id"), field(m, "kind"),
                   field(m, "unit"), field(m, "theme"), field(m, "parent"),
                   field(m, "title"));
    }
    json_decref(doc);
    return rc;
}
