/* cmd_ingest.h - validate and ingest are one command with two modes. */
#ifndef LIIA_CMD_INGEST_H
#define LIIA_CMD_INGEST_H

#include "cli.h"

/* Runs `validate` (validate_only) or `ingest` over argv. */
int cli_ingest_main(int argc, char **argv, const struct cli_ctx *ctx,
                    int validate_only);

#endif
