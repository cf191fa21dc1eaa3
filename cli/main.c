/* main.c - global options and the command table. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli.h"

#ifndef LIIA_VERSION
#define LIIA_VERSION "unknown"
#endif
/* The installed schemas relative to the installed binary's directory
 * (from GNUInstallDirs, so it follows --prefix). */
#ifndef LIIA_SCHEMAS_FROM_BIN
#define LIIA_SCHEMAS_FROM_BIN "../share/liia-bench/schemas"
#endif

struct cli_command {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
};

static const struct cli_command commands[] = {
    {"init", cmd_init, "create the store, load schemas/reference (idempotent)"},
    {"validate", cmd_validate, "validate returns, store nothing"},
    {"ingest", cmd_ingest, "validate and store returns"},
    {"status", cmd_status, "submission grid: authority x return for a period"},
    {"history", cmd_history, "all versions of an authority's submissions"},
    {"bench", cmd_bench, "(re)compute benchmarks"},
    {"report", cmd_report, "write benchmark packs (xlsx, PDF, charts)"},
    {"query", cmd_query, "read-only SQL over the documented views"},
    {"indicators", cmd_indicators, "list the indicator catalogue"},
    {"measures", cmd_measures, "list the measure catalogue"},
    {"schemas", cmd_schemas, "list the return schemas"},
    {"template", cmd_template, "write a blank quarterly return (CSV and xlsx)"},
    {"import", cmd_import, "import DfE/ONS published statistics (open-data CSV)"},
    {"reconcile", cmd_reconcile, "compare SSDA903-derived measures with the quarterly return"},
    {"sample", cmd_sample, "write deterministic synthetic returns"},
    {"demo", cmd_demo, "init + ingest sample-data + bench + report, end to end"},
    {"user", cmd_user, "manage portal accounts (add, list, disable, reset)"},
    {"serve", cmd_serve, "the web portal (upload, findings, sign-off, packs)"},
    {"backup", cmd_backup, "consistent copy of the store while it is in use"},
    {"key", cmd_key, "print a platform key file's fingerprint (key fingerprint [FILE])"},
};

static void print_usage(FILE *out)
{
    fputs("usage: liia-bench [--db PATH] COMMAND [ARGS...]\n"
          "       liia-bench --version\n\n"
          "The Pan-London children's services data platform and benchmarking engine.\n"
          "The store is --db PATH, else $LIIA_DB, else ./liia.db.\n"
          "Schemas and reference data are read from $LIIA_SCHEMAS, else the\n"
          "share/liia-bench/schemas installed with the binary, else the source\n"
          "tree it was built from; --version says which.\n\ncommands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'liia-bench COMMAND --help' describes a command.\n"
          "Exit codes: 0 success, 1 data rejected, 2 usage error, 3 runtime error.\n",
          out);
}

/* The schemas installed with this binary (realpath'd into buf), or NULL
 * when there are none, e.g. when it runs from a build tree. */
static const char *installed_schemas(char buf[PATH_MAX])
{
    char exe[PATH_MAX], joined[2 * PATH_MAX];
    struct stat st;
    if (!realpath("/proc/self/exe", exe) || !strrchr(exe, '/'))
        return NULL;
    *strrchr(exe, '/') = '\0';
    if (snprintf(joined, sizeof joined, "%s/%s", exe, LIIA_SCHEMAS_FROM_BIN) >=
            (int)sizeof joined ||
        !realpath(joined, buf) || stat(buf, &st) || !S_ISDIR(st.st_mode))
        return NULL;
    return buf;
}

/* Chooses the schemas for every layer below (which reads no environment)
 * and returns why, for --version. */
static const char *choose_schema_dir(void)
{
    static char installed[PATH_MAX];
    const char *env = getenv("LIIA_SCHEMAS");
    if (env && *env) {
        liia_schema_dir_set(env);
        return "from $LIIA_SCHEMAS";
    }
    if (installed_schemas(installed)) {
        liia_schema_dir_set(installed);
        return "installed with the binary";
    }
    liia_schema_dir_set(NULL);
    return "the source tree it was built from";
}

static void print_version(const char *schemas_why)
{
    printf("liia-bench %s\nschemas: %s (%s)\n", LIIA_VERSION, liia_schema_dir(),
           schemas_why);
}

/* OpenSSL 3 sets itself up lazily, and an allocation that fails while it
 * does leaves it a NULL lock it later dereferences (found by the chaos
 * test inside EVP_MD_fetch): set it up, and fetch the digest ingest uses,
 * before anything else, where a failure is an error. */
static int crypto_ready(void)
{
    if (!OPENSSL_init_crypto(0, NULL))
        return 0;
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_MD_free(md);
    return md != NULL;
}

int main(int argc, char **argv)
{
    if (!crypto_ready()) {
        fputs("liia-bench: error: out of memory setting up OpenSSL\n", stderr);
        return LIIA_EXIT_RUNTIME;
    }
    const char *schemas_why = choose_schema_dir();
    /* The key file, like the schemas, is chosen here: core reads no environment. */
    liia_key_file_set(getenv("LIIA_KEY_FILE"));
    struct cli_ctx ctx = {
        .db_path = getenv("LIIA_DB"),
        .stdout_is_tty = isatty(STDOUT_FILENO),
        .stderr_is_tty = isatty(STDERR_FILENO),
    };
    /* Past a file size limit write() should fail with EFBIG, reported
     * like a full disk, rather than the signal killing the process with
     * half-written output. */
    signal(SIGXFSZ, SIG_IGN);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            ctx.db_path = argv[++i];
        } else if (!strncmp(argv[i], "--db=", 5)) {
            ctx.db_path = argv[i] + 5;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_usage(stdout);
            return LIIA_EXIT_OK;
        } else if (!strcmp(argv[i], "--version")) {
            print_version(schemas_why);
            return LIIA_EXIT_OK;
        } else {
            fprintf(stderr, "liia-bench: unknown option '%s'\n", argv[i]);
            print_usage(stderr);
            return LIIA_EXIT_USAGE;
        }
    }
    if (!ctx.db_path || !*ctx.db_path)
        ctx.db_path = "liia.db";
    if (i >= argc) {
        print_usage(stderr);
        return LIIA_EXIT_USAGE;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (!strcmp(argv[i], commands[c].name))
            return commands[c].fn(argc - i, argv + i, &ctx);
    fprintf(stderr, "liia-bench: '%s' is not a command. See 'liia-bench --help'.\n", argv[i]);
    return LIIA_EXIT_USAGE;
}
