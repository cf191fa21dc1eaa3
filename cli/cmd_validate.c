/* cmd_validate.c - placeholder until the owning issue lands. */
#include <stdio.h>
#include "cli.h"

int cmd_validate(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "liia-bench validate: not built yet\n");
    return LIIA_EXIT_RUNTIME;
}
