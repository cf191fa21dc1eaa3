/* cmd_reconcile.c - placeholder until the owning issue lands. */
#include <stdio.h>
#include "cli.h"

int cmd_reconcile(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "liia-bench reconcile: not built yet\n");
    return LIIA_EXIT_RUNTIME;
}
