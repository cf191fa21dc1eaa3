/* cmd_init.c - create or upgrade the store and (re)load reference data. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "liia_engine.h"

static const char usage[] =
    "usage: liia-bench [--db PATH] init [--groupings FILE] [--schemas DIR]\n"
    "\n"
    "Creates the store (or brings an older one up to date), loads the\n"
    "reference data (authorities, populations, statistical neighbours,\n"
    "comparator groupings) and the catalogues, and creates the platform key\n"
    "used to pseudonymise child-level data.  Safe to run again at any time:\n"
    "submissions are never touched.\n"
    "\n"
    "  --groupings FILE  use these comparator groupings instead of the bundled\n"
    "                    schemas/reference/groupings.csv (same columns:\n"
    "                    grouping,group_code,group_name,gss_code)\n"
    "  --schemas DIR     read schemas from DIR (default: $LIIA_SCHEMAS or the\n"
    "                    bundled schemas/)\n"
    "\n"
    "The key is kept outside the store in PATH.key, or $LIIA_KEY_FILE, and its\n"
    "fingerprint in the store: init never makes a new key for a store that\n"
    "already has one or holds pseudonyms (restore the key from its backup;\n"
    "docs/operations.md).\n";

int cmd_init(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"groupings", required_argument, NULL, 'g'},
        {"schemas", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *groupings = NULL, *schemas = liia_schema_dir();
    int c;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'g': groupings = optarg; break;
        case 's': schemas = optarg; break;
        case 'h': fputs(usage, stdout); return LIIA_EXIT_OK;
        default: return cli_usage_error("init", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);

    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    char *key_path = liia_key_path_for(ctx->db_path);
    int created = 0;
    if (!key_path) {
        liia_fail(&e, LIIA_E_NOMEM, "out of memory");
        return cli_fail(&e);
    }
    /* The key is checked against the store (and created only for a store
     * that has never had one) before anything else is written. */
    int rc = cli_open_store(ctx, LIIA_STORE_CREATE, &db, &e) ||
             liia_key_init_for_store(db, key_path, &created, &e) ||
             liia_reference_load(db, schemas, groupings, &e) ||
             liia_engine_load_catalogue(db, schemas, &e);
    liia_store_close(db);
    /* A key file already there (another store's, via $LIIA_KEY_FILE, say) is
     * adopted, not replaced: say which, so a planned key change that meant
     * to make a new key cannot silently reuse the old one. */
    char fp[LIIA_KEY_FINGERPRINT_HEX + 1];
    if (!rc && !created)
        rc = liia_key_file_fingerprint(key_path, fp, &e);
    if (rc) {
        free(key_path);
        return cli_fail(&e);
    }
    printf("store %s ready (schema version %d)%s\n", ctx->db_path,
           liia_store_latest_version(),
           created ? "; platform key created: back it up now, away from the "
                     "store's backups (docs/operations.md)" : "");
    if (!created)
        printf("platform key: using the existing key at %s (fingerprint %s)\n",
               key_path, fp);
    free(key_path);
    return LIIA_EXIT_OK;
}
