/*
 * cli.h - the thin command-line layer: one cmd_<name>() per file, each with
 * its usage text and option table beside it, dispatched from main.c.
 * Commands return a process exit code (enum liia_exit); only this layer
 * prints errors.
 */
#ifndef LIIA_CLI_H
#define LIIA_CLI_H

#include "liia_core.h"

struct cli_ctx {
    const char *db_path;    /* --db, else $LIIA_DB, else ./liia.db */
    int stdout_is_tty;
    int stderr_is_tty;
};

typedef int (*cli_cmd_fn)(int argc, char **argv, const struct cli_ctx *ctx);

int cmd_init(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_validate(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_ingest(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_status(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_history(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_bench(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_report(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_query(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_indicators(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_measures(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_schemas(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_sample(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_demo(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_reconcile(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_user(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_serve(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_backup(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_key(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_import(int argc, char **argv, const struct cli_ctx *ctx);
int cmd_template(int argc, char **argv, const struct cli_ctx *ctx);

/* s with control characters (newlines, escapes, C1) written as escapes, so
 * a file name cannot drive the terminal; valid until scratch is next used.
 * The one helper for echoing outside text on the terminal. */
const char *cli_printable(liia_buf *scratch, const char *s);
/* liia_error_print with every text field passed through cli_printable. */
void cli_print_error(FILE *out, const liia_error *e);
/* Prints e to stderr (cli_print_error) and returns its exit code. */
int cli_fail(const liia_error *e);
/* Today's date, "YYYY-MM-DD" (UTC), or $LIIA_TODAY when set (tests). */
void cli_today(char out[11]);
/* Prints "liia-bench CMD: msg" and a pointer to --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) LIIA_PRINTF(2, 3);
/* Prints usage text to stdout when --help/-h is among argv; returns 1 if so. */
int cli_wants_help(int argc, char **argv, const char *usage);
/* For the listing commands, whose one option is --json: sets *json and
 * returns LIIA_EXIT_OK, or the usage error's exit code. */
int cli_parse_json_only(int argc, char **argv, const char *cmd, int *json);
/* A number argument: all of s, finite (no nan, inf), from lo to hi. */
int cli_parse_number(const char *s, double lo, double hi, double *out);
/* Under an ingest outcome: what the accepted version replaced (its quarter
 * by name, which values moved and by how much), when it replaced one. */
void cli_print_replacement(sqlite3 *db, long long submission_id);
/* Opens the store named by ctx. */
int cli_open_store(const struct cli_ctx *ctx, liia_store_mode mode,
                   sqlite3 **db, liia_error *e);

#endif
