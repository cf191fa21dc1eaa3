/*
 * sample.h - `liia-bench sample`: deterministic synthetic returns.  The
 * quarterly generator writes one return per authority and quarter; the
 * SSDA903 generator (sample_ssda903.c) is reached with --ssda903.
 */
#ifndef LIIA_CLI_SAMPLE_H
#define LIIA_CLI_SAMPLE_H

#include <stdint.h>

#include "cli.h"

/* The seed used when --seed is not given. */
#define SAMPLE_DEFAULT_SEED 2025u

/* Writes out_dir/<SHORT>_<period>.csv for the 33 authorities and the
 * quarters 2023-06-30 .. 2025-03-31, reading the authorities, populations
 * and measure catalogue from schema_dir.  Same seed, same bytes.  Sets
 * *written to the number of files written. */
int sample_quarterly_write(const char *schema_dir, const char *out_dir,
                           uint64_t seed, int *written, liia_error *e);

/* `liia-bench sample --ssda903 ...` (owned by the SSDA903 generator). */
int sample_ssda903_main(int argc, char **argv, const struct cli_ctx *ctx);

/* `liia-bench sample --cin ...` (cli/sample_cin.c): synthetic children in
 * need census XML files with planted breaches. */
int sample_cin_main(int argc, char **argv, const struct cli_ctx *ctx);

/* `liia-bench sample --published ...` (cli/sample_published.c): synthetic
 * DfE/ONS files in the open-data layouts `import` reads. */
int sample_published_wanted(int argc, char **argv);
int sample_published_main(int argc, char **argv, const struct cli_ctx *ctx);
int sample_published_write(const char *schema_dir, const char *out_dir,
                           uint64_t seed, int *written, liia_error *e);

#endif
