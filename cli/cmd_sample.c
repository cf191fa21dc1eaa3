/* cmd_sample.c - placeholder until the owning issue lands. */
#include <stdio.h>
#include "cli.h"

int cmd_sample(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "liia-bench sample: not built yet\n");
    return LIIA_EXIT_RUNTIME;
}
