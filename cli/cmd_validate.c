/* cmd_validate.c - `liia-bench validate FILE...`: ingest's checks, no writes. */
#include "cmd_ingest.h"

int cmd_validate(int argc, char **argv, const struct cli_ctx *ctx)
{
    return cli_ingest_main(argc, argv, ctx, 1);
}
