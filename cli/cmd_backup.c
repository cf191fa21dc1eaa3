/* cmd_backup.c - `liia-bench backup DEST`: a consistent copy of the store
 * while the portal or an ingest is using it (SQLite online backup). */
#include "cli.h"
#include "liia_app.h"

static const char usage[] =
    "usage: liia-bench [--db PATH] backup DEST\n"
    "\n"
    "Copies the store to DEST (a new file, created 0600) with SQLite's online\n"
    "backup: safe while `serve` or an ingest runs; the copy is one consistent\n"
    "moment.  Restore: stop the server, move DEST to the store's path (with\n"
    "no -wal/-shm files beside it), start the server.  The platform key\n"
    "(PATH.key) is not in the store: back it up separately, once.\n"
    "\n"
    "  -h, --help   this text\n";

int cmd_backup(int argc, char **argv, const struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv, usage))
        return LIIA_EXIT_OK;
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error("backup", "name one destination file");
    liia_error e;
    liia_actor op;
    liia_error_clear(&e);
    liia_actor_operator(&op, "cli");
    if (liia_app_backup(ctx->db_path, &op, argv[1], &e))
        return cli_fail(&e);
    printf("backup: %s -> %s\n", ctx->db_path, argv[1]);
    return LIIA_EXIT_OK;
}
