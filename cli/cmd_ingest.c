/*
 * cmd_ingest.c - `liia-bench ingest|validate FILE...`: group the files into
 * submissions, run each through the ingest library, print every finding on
 * stderr and one summary line per submission on stdout (or JSON).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd_ingest.h"
#include "liia_ingest.h"

static const char ingest_usage[] =
    "usage: liia-bench ingest FILE... [--return TYPE] [--la LA] [--period P]\n"
    "                         [--report-dir DIR] [--json]\n"
    "\n"
    "Validates each return and stores it as a new version.  A file with any\n"
    "error is rejected whole: its findings are recorded, none of its values.\n"
    "Sending a file identical to the accepted version changes nothing.\n"
    "\n"
    "  --return TYPE     return type (default: recognised from the header row)\n"
    "  --la LA           the authority the files must be for (GSS, DfE number\n"
    "                    or short code)\n"
    "  --period P        the quarter they must be for (2025-03-31 or 2024-25Q4)\n"
    "  --report-dir DIR  also write DIR/<file>_findings.csv (opens in Excel)\n"
    "  --json            print the results as JSON on stdout\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 accepted (warnings allowed), 1 rejected, 2 usage, 3 runtime.\n";

static const char validate_usage[] =
    "usage: liia-bench validate FILE... [--return TYPE] [--la LA] [--period P]\n"
    "                           [--report-dir DIR] [--json]\n"
    "\n"
    "Runs every check ingest runs and stores nothing.  Options as for ingest.\n"
    "\n"
    "  --return TYPE     return type (default: recognised from the header row)\n"
    "  --la LA           the authority the files must be for\n"
    "  --period P        the quarter they must be for\n"
    "  --report-dir DIR  also write DIR/<file>_findings.csv\n"
    "  --json            print the results as JSON on stdout\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage, 3 runtime.\n";

struct run {
    liia_ingest_options o;
    const char *report_dir;
    int json;
    json_t *results;
};

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void print_summary(const char *name, const liia_ingest_result *r, int validate)
{
    size_t ne = r->findings.errors, nw = r->findings.warnings;
    const char *es = plural(ne, "error", "errors"), *ws = plural(nw, "warning", "warnings");
    if (r->outcome == LIIA_INGEST_REJECTED)
        printf("%s: rejected: %zu %s, %zu %s%s\n", name, ne, es, nw, ws,
               validate ? "" : "; no values stored");
    else if (r->outcome == LIIA_INGEST_UNCHANGED)
        printf("%s: unchanged: identical to accepted version %d; nothing stored\n",
               name, r->version);
    else if (validate)
        printf("%s: valid (%zu %s, %zu %s)\n", name, ne, es, nw, ws);
    else
        printf("%s: accepted as version %d (%zu %s, %zu %s)\n", name, r->version,
               ne, es, nw, ws);
}

static json_t *finding_json(const liia_error *f)
{
    static const char *const sev[] = {"error", "warning", "info"};
    return json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
                     "file", f->file, "line", (json_int_t)f->line,
                     "column", (json_int_t)f->column, "column_name", f->column_name,
                     "severity", sev[f->severity], "rule_id", f->rule_id,
                     "value", f->value, "message", f->message, "fix", f->fix);
}

static int add_json(struct run *run, const char *name, const liia_ingest_result *r)
{
    static const char *const outcome[] = {"accepted", "unchanged", "rejected"};
    json_t *findings = json_array();
    for (size_t i = 0; findings && i < r->findings.count; i++)
        if (json_array_append_new(findings, finding_json(&r->findings.items[i])))
            return -1;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
                          "file", name, "return_type", r->return_type,
                          "outcome", run->o.validate_only && r->outcome == LIIA_INGEST_ACCEPTED
                                         ? "valid" : outcome[r->outcome],
                          "la_code", r->la_code[0] ? r->la_code : NULL,
                          "period", r->period[0] ? r->period : NULL,
                          "sha256", r->sha256,
                          "submission_id", (json_int_t)r->submission_id,
                          "version", (json_int_t)r->version,
                          "supersedes", (json_int_t)r->superseded,
                          "rows", (json_int_t)r->rows,
                          "errors", (json_int_t)r->findings.errors,
                          "warnings", (json_int_t)r->findings.warnings,
                          "findings", findings);
    return o ? json_array_append_new(run->results, o) : -1;
}

/* DIR/<file name without .csv>_findings.csv */
static int write_report(const struct run *run, const char *file,
                        const liia_ingest_result *r, liia_error *e)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    if (len > 4 && !strcasecmp(base + len - 4, ".csv"))
        len -= 4;
    char name[300];
    snprintf(name, sizeof name, "%.*s_findings.csv", (int)(len < 250 ? len : 250), base);
    char *path = liia_path_join(run->report_dir, name);
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_ingest_write_findings(path, &r->findings, e);
    free(path);
    return rc;
}

/* One submission: its exit code (0, 1 rejected, 3 runtime). */
static int one(sqlite3 *db, struct run *run, char **files, const liia_ingest_group *g)
{
    liia_ingest_result r;
    liia_error e;
    liia_error_clear(&e);
    liia_ingest_result_init(&r);
    const char *const *f = (const char *const *)files + g->first;
    int rc = liia_ingest_submission(db, g->return_type, f, g->count, &run->o, &r, &e);
    if (!rc && !run->json) {
        for (size_t i = 0; i < r.findings.count; i++)
            liia_error_print(stderr, &r.findings.items[i]);
        if (r.findings.count < r.findings.errors + r.findings.warnings)
            fprintf(stderr, "%s: only the first %zu of %zu findings are listed\n", f[0],
                    r.findings.count, r.findings.errors + r.findings.warnings);
    }
    if (!rc && run->report_dir)
        rc = write_report(run, f[0], &r, &e);
    if (!rc && run->json && add_json(run, f[0], &r))
        rc = liia_fail(&e, LIIA_E_NOMEM, "out of memory");
    int code = rc ? cli_fail(&e) : r.outcome == LIIA_INGEST_REJECTED ? LIIA_EXIT_REJECTED
                                                                      : LIIA_EXIT_OK;
    if (!rc && !run->json)
        print_summary(f[0], &r, run->o.validate_only);
    liia_ingest_result_free(&r);
    return code;
}

/* The store knows the authorities only once reference data is loaded;
 * load it on first use so a fresh store still resolves CAM. */
static int ensure_reference(sqlite3 *db, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT count(*) FROM authority", &st, e))
        return -1;
    int rc = sqlite3_step(st), n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "counting authorities");
    return n ? 0 : liia_reference_load(db, liia_schema_dir(), NULL, e);
}

static int run_all(struct run *run, int nfiles, char **files, const struct cli_ctx *ctx)
{
    liia_error e;
    liia_error_clear(&e);
    liia_ingest_group *groups = NULL;
    size_t ngroups = 0;
    sqlite3 *db = NULL;
    if (liia_ingest_plan((const char *const *)files, (size_t)nfiles, &run->o, &groups,
                         &ngroups, &e) ||
        cli_open_store(ctx, LIIA_STORE_READWRITE, &db, &e) || ensure_reference(db, &e)) {
        free(groups);
        liia_store_close(db);
        return cli_fail(&e);
    }
    int worst = LIIA_EXIT_OK;
    for (size_t i = 0; i < ngroups; i++) {
        int code = one(db, run, files, &groups[i]);
        if (code > worst) /* runtime 3 > usage 2 > rejected 1 > ok 0 */
            worst = code;
    }
    free(groups);
    liia_store_close(db);
    return worst;
}

int cli_ingest_main(int argc, char **argv, const struct cli_ctx *ctx, int validate_only)
{
    static const struct option opts[] = {
        {"return", required_argument, NULL, 'r'}, {"la", required_argument, NULL, 'l'},
        {"period", required_argument, NULL, 'p'}, {"report-dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = validate_only ? "validate" : "ingest";
    struct run run = {.o = {.validate_only = validate_only}};
    if (cli_wants_help(argc, argv, validate_only ? validate_usage : ingest_usage))
        return LIIA_EXIT_OK;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    int c;
    while ((c = getopt_long(argc, argv, "r:l:p:d:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': run.o.return_type = optarg; break;
        case 'l': run.o.la = optarg; break;
        case 'p': run.o.period = optarg; break;
        case 'd': run.report_dir = optarg; break;
        case 'j': run.json = 1; break;
        default: return cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "name at least one file");
    /* Child-level returns pseudonymise with the platform key beside the store. */
    char *key_path = liia_key_path_for(ctx->db_path);
    run.o.key_path = key_path;
    if (!key_path || (run.json && !(run.results = json_array()))) {
        free(key_path);
        return LIIA_EXIT_RUNTIME;
    }
    int rc = run_all(&run, argc - optind, argv + optind, ctx);
    free(key_path);
    if (run.json && json_dumpf(run.results, stdout, JSON_INDENT(2)) == 0)
        putchar('\n');
    json_decref(run.results);
    return rc;
}

int cmd_ingest(int argc, char **argv, const struct cli_ctx *ctx)
{
    return cli_ingest_main(argc, argv, ctx, 0);
}
