/* cli_util.c - what every command shares: errors, usage, opening the store. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const char *cli_printable(liia_buf *scratch, const char *s)
{
    liia_buf_reset(scratch);
    return liia_buf_append_printable(scratch, s, strlen(s)) ? "?" : scratch->data;
}

static void printable_field(liia_buf *b, char *field, size_t sz)
{
    liia_strlcpy(field, cli_printable(b, field), sz);
}

void cli_print_error(FILE *out, const liia_error *e)
{
    liia_error c = *e;
    liia_buf b;
    liia_buf_init(&b);
    printable_field(&b, c.file, sizeof c.file);
    printable_field(&b, c.table, sizeof c.table);
    printable_field(&b, c.column_name, sizeof c.column_name);
    printable_field(&b, c.message, sizeof c.message);
    printable_field(&b, c.fix, sizeof c.fix);
    printable_field(&b, c.child_id, sizeof c.child_id);
    liia_buf_free(&b);
    liia_error_print(out, &c);
}

int cli_fail(const liia_error *e)
{
    cli_print_error(stderr, e);
    return liia_status_exit_code(e->status == LIIA_OK ? LIIA_E_IO : e->status);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "liia-bench %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nSee 'liia-bench %s --help'.\n", cmd);
    return LIIA_EXIT_USAGE;
}

int cli_wants_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 1;
        }
    }
    return 0;
}

int cli_parse_json_only(int argc, char **argv, const char *cmd, int *json)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    *json = 0;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
        if (c != 'j')
            return cli_usage_error(cmd, "unknown option");
        *json = 1;
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return LIIA_EXIT_OK;
}

int cli_parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_open_store(const struct cli_ctx *ctx, liia_store_mode mode,
                   sqlite3 **db, liia_error *e)
{
    return liia_store_open(ctx->db_path, mode, db, e);
}

void cli_today(char out[11])
{
    const char *fixed = getenv("LIIA_TODAY");
    time_t t = time(NULL);
    struct tm tm;
    if (fixed && strlen(fixed) == 10) {
        liia_strlcpy(out, fixed, 11);
        return;
    }
    if (!gmtime_r(&t, &tm) || !strftime(out, 11, "%Y-%m-%d", &tm))
        liia_strlcpy(out, "9999-12-31", 11); /* no clock: no future check */
}
