/* cmd_report.c - placeholder until the owning issue lands. */
#include <stdio.h>
#include "cli.h"

int cmd_report(int argc, char **argv, const struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "liia-bench report: not built yet\n");
    return LIIA_EXIT_RUNTIME;
}
