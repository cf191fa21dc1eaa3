/* cli_util.c - what every command shares: errors, usage, opening the store. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

int cli_fail(const liia_error *e)
{
    liia_error_print(stderr, e);
    return liia_status_exit_code(e->status == LIIA_OK ? LIIA_E_IO : e->status);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "liia-bench %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nSee 'liia-bench %s --help'.\n", cmd);
    return LIIA_EXIT_USAGE;
}

int cli_wants_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 1;
        }
    }
    return 0;
}

int cli_open_store(const struct cli_ctx *ctx, liia_store_mode mode,
                   sqlite3 **db, liia_error *e)
{
    return liia_store_open(ctx->db_path, mode, db, e);
}
