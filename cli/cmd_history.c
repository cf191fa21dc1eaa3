/* cmd_history.c - placeholder until the owning issue lands. */
#include <stdio.h>
#include "cli.h"

int cmd_history(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "liia-bench history: not built yet\n");
    return LIIA_EXIT_RUNTIME;
}
