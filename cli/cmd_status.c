/* cmd_status.c - placeholder until the owning issue lands. */
#include <stdio.h>
#include "cli.h"

int cmd_status(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "liia-bench status: not built yet\n");
    return LIIA_EXIT_RUNTIME;
}
