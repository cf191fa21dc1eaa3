/*
 * cmd_ingest.c - `liia-bench ingest|validate FILE...`: group the files into
 * submissions, run each through the ingest library, print every finding on
 * stderr and one summary line per submission on stdout (or JSON), and with
 * --report-dir the findings as CSV and as a workbook per file.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <errno.h>

#include <jansson.h>

#include "cmd_ingest.h"
#include "liia_app.h"
#include "liia_ingest.h"
#include "liia_report.h"

static const char ingest_usage[] =
    "usage: liia-bench ingest FILE... [--return TYPE] [--la LA] [--period P]\n"
    "                         [--strict] [--report-dir DIR] [--json] [--quiet]\n"
    "\n"
    "Validates each return and stores it as a new version.\n"
    "Quarterly return: one file per submission; a file with any error is\n"
    "rejected whole: its findings are recorded, none of its values.\n"
    "SSDA903: the tables of one authority and period, given together:\n"
    "  liia-bench ingest --return ssda903 --la CAM --period 2025-03-31 \\\n"
    "      header.csv episodes.csv [uasc.csv]\n"
    "  A missing table or column rejects the submission.  A cell or DfE rule\n"
    "  error does not: the cell is stored as blank and flagged, the row kept.\n"
    "CIN census: the DfE COLLECT XML file, one per submission:\n"
    "  liia-bench ingest --return cin --la CAM --period 2025-03-31 census.xml\n"
    "  Findings carry DfE's rule codes (a 'Q' code is a query); a file that is\n"
    "  not well-formed XML, or has a DOCTYPE, is refused.\n"
    "Sending files identical to the accepted version changes nothing.\n"
    "\n"
    "  --return TYPE     return type: quarterly, ssda903 or cin (default:\n"
    "                    recognised from the header row or XML root)\n"
    "  --la LA           the authority the files must be for (GSS, DfE number\n"
    "                    or short code; required for ssda903 and cin)\n"
    "  --period P        the quarter they must be for (2025-03-31 or 2024-25Q4;\n"
    "                    required for ssda903 and cin)\n"
    "  --strict          reject an SSDA903 submission on any error\n"
    "  --report-dir DIR  also write DIR/<file>_findings.csv and\n"
    "                    DIR/<file>_findings.xlsx (offending cells highlighted)\n"
    "                    for each file with findings\n"
    "  --json            print the results as JSON on stdout\n"
    "  -q, --quiet       do not list the findings on stderr (they are stored,\n"
    "                    and --report-dir writes them); outcomes still print\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 accepted (warnings allowed), 1 rejected, 2 usage, 3 runtime.\n";

static const char validate_usage[] =
    "usage: liia-bench validate FILE... [--return TYPE] [--la LA] [--period P]\n"
    "                           [--strict] [--report-dir DIR] [--json] [--quiet]\n"
    "\n"
    "Runs every check ingest runs and stores nothing.  Options as for ingest.\n"
    "\n"
    "  --return TYPE     return type: quarterly, ssda903 or cin (default:\n"
    "                    recognised from the header row or XML root)\n"
    "  --la LA           the authority the files must be for\n"
    "  --period P        the quarter they must be for\n"
    "  --strict          an SSDA903 submission with any error is invalid\n"
    "  --report-dir DIR  also write DIR/<file>_findings.csv and .xlsx\n"
    "  --json            print the results as JSON on stdout\n"
    "  -q, --quiet       do not list the findings on stderr\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage, 3 runtime.\n";

struct tally {
    size_t outcome[3]; /* by liia_ingest_outcome */
    size_t errors, warnings;
};

struct run {
    liia_ingest_options o;
    const char *report_dir;
    int json;
    int quiet;        /* findings not listed on stderr */
    json_t *results;
    struct tally tally;
};

/* One submission as the CLI describes it. */
struct sub {
    const char *const *files;
    size_t nfiles;
    int one_file;      /* a one-file return: named by its file */
    int rejects;       /* any error rejects it: the return's policy */
    char label[512];
};

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}


/* The authority's short code (CAM), else its GSS code as given. */
static void short_code(sqlite3 *db, const char *gss, char *out, size_t sz)
{
    sqlite3_stmt *st = NULL;
    snprintf(out, sz, "%s", gss[0] ? gss : "?");
    if (sqlite3_prepare_v2(db, "SELECT short_code FROM authority WHERE gss_code = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return; /* the label falls back to the GSS code */
    sqlite3_bind_text(st, 1, gss, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, sz, "%s", (const char *)sqlite3_column_text(st, 0));
    if (sqlite3_finalize(st) != SQLITE_OK)
        snprintf(out, sz, "%s", gss[0] ? gss : "?");
}

/* "CAM 2025-03-31 ssda903 (a.csv + b.csv)" names every table submitted;
 * a one-file return is named by its path as given. */
static void label(sqlite3 *db, struct sub *s, const liia_ingest_result *r)
{
    if (s->one_file) {
        snprintf(s->label, sizeof s->label, "%s", s->files[0]);
        return;
    }
    char la[16];
    short_code(db, r->la_code, la, sizeof la);
    snprintf(s->label, sizeof s->label, "%s %s %s (%s)", la,
             r->period[0] ? r->period : "?", r->return_type, r->file_name);
}

/* Errors in an accepted child-level submission blanked cells, they did not
 * reject it: say so, so nobody takes "accepted" for "clean". */
static void print_summary(const struct sub *s, const liia_ingest_result *r, int validate)
{
    size_t ne = r->findings.errors, nw = r->findings.warnings;
    const char *es = plural(ne, "error", "errors"), *ws = plural(nw, "warning", "warnings");
    liia_buf printable;
    liia_buf_init(&printable);
    const char *name = cli_printable(&printable, s->label);
    if (r->outcome == LIIA_INGEST_REJECTED)
        printf("%s: rejected: %zu %s, %zu %s%s\n", name, ne, es, nw, ws,
               validate ? "" : "; no values stored");
    else if (r->outcome == LIIA_INGEST_UNCHANGED)
        printf("%s: unchanged: identical to accepted version %d; nothing stored\n",
               name, r->version);
    else if (s->rejects && validate)
        printf("%s: valid (%zu %s, %zu %s)\n", name, ne, es, nw, ws);
    else if (s->rejects)
        printf("%s: accepted as version %d (%zu %s, %zu %s)\n", name, r->version,
               ne, es, nw, ws);
    else if (validate)
        printf("%s: valid; %zu %s%s, %zu %s\n", name, ne, es,
               ne ? " (cells would be stored as blank and flagged)" : "", nw, ws);
    else
        printf("%s: accepted as version %d; %zu %s%s, %zu %s\n", name, r->version, ne,
               es, ne ? " (cells stored as blank and flagged)" : "", nw, ws);
    liia_buf_free(&printable);
}

/* The closing line when several submissions were given. */
static void print_tally(const struct tally *t, int validate)
{
    size_t n = t->outcome[0] + t->outcome[1] + t->outcome[2];
    if (validate)
        printf("%zu submissions: %zu valid, %zu rejected", n,
               t->outcome[LIIA_INGEST_ACCEPTED], t->outcome[LIIA_INGEST_REJECTED]);
    else
        printf("%zu submissions: %zu accepted, %zu rejected, %zu unchanged", n,
               t->outcome[LIIA_INGEST_ACCEPTED], t->outcome[LIIA_INGEST_REJECTED],
               t->outcome[LIIA_INGEST_UNCHANGED]);
    if (t->errors)
        printf("; %zu %s", t->errors, plural(t->errors, "error", "errors"));
    printf("%s %zu %s\n", t->errors ? "," : ";", t->warnings,
           plural(t->warnings, "warning", "warnings"));
}

static json_t *files_json(const struct sub *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->nfiles; i++)
        if (json_array_append_new(a, json_string(s->files[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* Each rule's count when findings were left out of the list (bounded per
 * rule: LIIA_FINDINGS_LISTED_PER_RULE), else NULL. */
static json_t *rule_counts_json(const liia_ingest_result *r)
{
    static const char *const sev[] = {"error", "warning", "info"};
    if (r->findings.count == r->findings.errors + r->findings.warnings)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->rule_counts.n; i++) {
        const liia_rule_count *c = &r->rule_counts.items[i];
        if (json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "rule_id",
                                               c->rule_id, "severity", sev[c->severity],
                                               "count", (json_int_t)c->count,
                                               "listed", (json_int_t)c->listed))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* error_policy: "reject" when any error rejects the submission, "flag"
 * when errors blank and flag the cell and the submission stands. */
static int add_json(struct run *run, const struct sub *s, const liia_ingest_result *r,
                    const liia_error *report_err)
{
    static const char *const outcome[] = {"accepted", "unchanged", "rejected"};
    json_t *findings = json_array();
    for (size_t i = 0; findings && i < r->findings.count; i++)
        if (json_array_append_new(findings, liia_app_finding_json(&r->findings.items[i])))
            return -1;
    json_t *o = json_pack("{s:s, s:s, s:o?, s:s, s:s, s:s, s:s?, s:s?, s:s, s:I, s:I, s:I, "
                          "s:I, s:I, s:I, s:o, s:o*}",
                          "file", s->files[0], "submission", s->label,
                          "files", files_json(s), "return_type", r->return_type,
                          "outcome", run->o.validate_only && r->outcome == LIIA_INGEST_ACCEPTED
                                         ? "valid" : outcome[r->outcome],
                          "error_policy", s->rejects || run->o.strict ? "reject" : "flag",
                          "la_code", r->la_code[0] ? r->la_code : NULL,
                          "period", r->period[0] ? r->period : NULL,
                          "sha256", r->sha256,
                          "submission_id", (json_int_t)r->submission_id,
                          "version", (json_int_t)r->version,
                          "supersedes", (json_int_t)r->superseded,
                          "rows", (json_int_t)r->rows,
                          "errors", (json_int_t)r->findings.errors,
                          "warnings", (json_int_t)r->findings.warnings,
                          "findings", findings, "rule_counts", rule_counts_json(r));
    if (o && report_err &&
        json_object_set_new(o, "report_error", json_string(report_err->message))) {
        json_decref(o);
        return -1;
    }
    return o ? json_array_append_new(run->results, o) : -1;
}

/* DIR/<file without .csv>_findings.csv and _findings.xlsx */
static int write_pair(const struct run *run, const char *file, const liia_findings *f,
                      const liia_ingest_result *r, liia_error *e)
{
    /* the submission's outcome, not this file's errors, says what was kept */
    char outcome[160];
    if (r->outcome == LIIA_INGEST_REJECTED)
        snprintf(outcome, sizeof outcome, "the %s was rejected and nothing was stored",
                 f == &r->findings ? "file" : "submission");
    else if (run->o.validate_only)
        snprintf(outcome, sizeof outcome, "validated only: nothing was stored%s",
                 r->findings.errors ? " (the cells with errors would be stored as blank "
                                      "and flagged)" : "");
    else if (r->outcome == LIIA_INGEST_UNCHANGED)
        snprintf(outcome, sizeof outcome, "identical to version %d already accepted: "
                 "nothing changed", r->version);
    else
        snprintf(outcome, sizeof outcome, "accepted as version %d%s", r->version,
                 r->findings.errors ? "; the cells with errors were stored as blank and "
                                      "flagged" : "");
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    if (len > 4 && !strcasecmp(base + len - 4, ".csv"))
        len -= 4;
    char name[300];
    snprintf(name, sizeof name, "%.*s_findings.csv", (int)(len < 250 ? len : 250), base);
    char *csv = liia_path_join(run->report_dir, name);
    char *xlsx = liia_report_findings_path(run->report_dir, file);
    int rc = csv && xlsx ? 0 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (!rc)
        rc = liia_ingest_write_findings(csv, f, e);
    if (!rc)
        rc = liia_report_findings_xlsx_outcome(file, f, outcome, xlsx, e);
    free(csv);
    free(xlsx);
    return rc;
}

static int names_a_file(const struct sub *s, const char *file)
{
    for (size_t j = 0; j < s->nfiles; j++)
        if (!strcmp(file, s->files[j]))
            return 1;
    return 0;
}

/* Findings about file i of the submission; the first file also takes the
 * submission's own findings (a table missing). */
static int findings_of(const struct sub *s, size_t i, const liia_findings *all,
                       liia_findings *out)
{
    for (size_t k = 0; k < all->count; k++) {
        const char *file = all->items[k].file;
        int mine = !strcmp(file, s->files[i]) || (i == 0 && !names_a_file(s, file));
        if (mine && liia_findings_add(out, &all->items[k]))
            return -1;
    }
    return 0;
}

/* One file's report per table file with findings; a one-file return always
 * gets its report (an empty one says "no findings"). */
static int write_reports(const struct run *run, const struct sub *s,
                         const liia_ingest_result *r, liia_error *e)
{
    if (s->one_file)
        return write_pair(run, s->files[0], &r->findings, r, e);
    int rc = 0;
    for (size_t i = 0; !rc && i < s->nfiles; i++) {
        liia_findings mine;
        liia_findings_init(&mine);
        if (findings_of(s, i, &r->findings, &mine))
            rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
        else if (mine.count)
            rc = write_pair(run, s->files[i], &mine, r, e);
        liia_findings_free(&mine);
    }
    return rc;
}

static void print_findings(const struct sub *s, const liia_ingest_result *r)
{
    liia_buf printable;
    liia_buf_init(&printable);
    for (size_t i = 0; i < r->findings.count; i++)
        cli_print_error(stderr, &r->findings.items[i]);
    if (r->findings.count < r->findings.errors + r->findings.warnings)
        fprintf(stderr, "%s: only the first %zu of %zu findings are listed (at most %d "
                "of each rule; every rule's count is stored)\n",
                cli_printable(&printable, s->label), r->findings.count,
                r->findings.errors + r->findings.warnings, LIIA_FINDINGS_LISTED_PER_RULE);
    liia_buf_free(&printable);
}

/* The findings report could not be written after the outcome was decided
 * (and, for ingest, committed): say so without hiding the outcome. */
static void report_warning(const struct sub *s, const liia_ingest_result *r,
                           const liia_error *re, int validate)
{
    cli_print_error(stderr, re);
    liia_buf printable;
    liia_buf_init(&printable);
    const char *name = cli_printable(&printable, s->label);
    if (validate)
        fprintf(stderr, "%s: warning: the findings report was not written; "
                "nothing was stored\n", name);
    else if (r->outcome == LIIA_INGEST_ACCEPTED)
        fprintf(stderr, "%s: warning: the findings report was not written, but the "
                "submission was stored as version %d: its outcome above stands; run "
                "'liia-bench validate --report-dir' on the same files for the report\n",
                name, r->version);
    else
        fprintf(stderr, "%s: warning: the findings report was not written; the "
                "outcome above stands; run 'liia-bench validate --report-dir' on the "
                "same files for the report\n", name);
    liia_buf_free(&printable);
}

/* One submission: its exit code (0, 1 rejected, 3 runtime).  Once the
 * submission is decided (and, for ingest, committed) the exit code is its
 * outcome's; a findings report that cannot be written is a warning, except
 * for validate, whose report is all it produces (3). */
static int one(sqlite3 *db, struct run *run, char **files, const liia_ingest_group *g)
{
    liia_ingest_result r;
    liia_error e, re;
    liia_error_clear(&e);
    liia_error_clear(&re);
    liia_ingest_result_init(&r);
    const liia_return_info *info = liia_ingest_return_find(g->return_type);
    struct sub s = {.files = (const char *const *)files + g->first, .nfiles = g->count,
                    .one_file = !info || info->one_file_per_submission,
                    .rejects = !info || info->reject_on_error};
    int rc = liia_ingest_submission(db, g->return_type, s.files, s.nfiles, &run->o, &r, &e);
    if (!rc)
        label(db, &s, &r);
    if (!rc && !run->json && !run->quiet)
        print_findings(&s, &r);
    int report_failed = !rc && run->report_dir && write_reports(run, &s, &r, &re);
    if (!rc && run->json && add_json(run, &s, &r, report_failed ? &re : NULL))
        rc = liia_fail(&e, LIIA_E_NOMEM, "out of memory");
    int code = rc ? cli_fail(&e) : r.outcome == LIIA_INGEST_REJECTED ? LIIA_EXIT_REJECTED
                                                                      : LIIA_EXIT_OK;
    if (!rc && !run->json)
        print_summary(&s, &r, run->o.validate_only);
    if (!rc && !run->json && !run->o.validate_only && r.superseded &&
        r.outcome == LIIA_INGEST_ACCEPTED)
        cli_print_replacement(db, r.submission_id);
    if (!rc && report_failed) {
        report_warning(&s, &r, &re, run->o.validate_only);
        if (run->o.validate_only)
            code = LIIA_EXIT_RUNTIME;
    }
    if (!rc) {
        run->tally.outcome[r.outcome]++;
        run->tally.errors += r.findings.errors;
        run->tally.warnings += r.findings.warnings;
    }
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

/* validate stores nothing, so it makes no store: without one (none yet, or
 * a mistyped --db) it checks against a private in-memory database that holds
 * the bundled reference data (ensure_reference), which is all the checks
 * read; validate's staging has its own scratch database anyway.  ingest
 * needs an existing store: a missing one is "no store here". */
static int open_store(const struct cli_ctx *ctx, int validate_only, sqlite3 **db,
                      liia_error *e)
{
    struct stat sb;
    if (!validate_only || stat(ctx->db_path, &sb) == 0 || errno != ENOENT)
        return cli_open_store(ctx, LIIA_STORE_READWRITE, db, e);
    if (sqlite3_open_v2(":memory:", db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return liia_db_fail(e, *db, "opening an in-memory database to validate in");
    return liia_db_exec(*db, "PRAGMA foreign_keys = ON", e) || liia_store_migrate(*db, e)
               ? -1 : 0;
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
        open_store(ctx, run->o.validate_only, &db, &e) || ensure_reference(db, &e)) {
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
    if (ngroups > 1 && !run->json)
        print_tally(&run->tally, run->o.validate_only);
    free(groups);
    liia_store_close(db);
    return worst;
}

/* The report folder is made (owner-only: the reports hold the submitted
 * rows) before anything is ingested, so a bad --report-dir never leaves a
 * stored submission without its report. */
static int prepare_report_dir(const char *dir)
{
    struct stat sb;
    if (mkdir(dir, 0700) == 0 || (errno == EEXIST && stat(dir, &sb) == 0 &&
                                  S_ISDIR(sb.st_mode)))
        return 0;
    liia_error e;
    liia_error_clear(&e);
    liia_strlcpy(e.file, dir, sizeof e.file);
    liia_error_fix(&e, "give --report-dir a folder you can write to (its parent "
                       "must exist)");
    liia_fail(&e, LIIA_E_IO, "cannot create the report folder: %s",
              errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
    return cli_fail(&e);
}

int cli_ingest_main(int argc, char **argv, const struct cli_ctx *ctx, int validate_only)
{
    static const struct option opts[] = {
        {"return", required_argument, NULL, 'r'}, {"la", required_argument, NULL, 'l'},
        {"period", required_argument, NULL, 'p'}, {"report-dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},         {"strict", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = validate_only ? "validate" : "ingest";
    struct run run = {.o = {.validate_only = validate_only}};
    if (cli_wants_help(argc, argv, validate_only ? validate_usage : ingest_usage))
        return LIIA_EXIT_OK;
    optind = 0; /* 0, not 1: fully resets getopt when demo reuses commands */
    int c;
    while ((c = getopt_long(argc, argv, "r:l:p:d:jsqh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': run.o.return_type = optarg; break;
        case 'l': run.o.la = optarg; break;
        case 'p': run.o.period = optarg; break;
        case 'd': run.report_dir = optarg; break;
        case 'j': run.json = 1; break;
        case 's': run.o.strict = 1; break;
        case 'q': run.quiet = 1; break;
        default: return cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "name at least one file");
    if (run.report_dir && prepare_report_dir(run.report_dir))
        return LIIA_EXIT_RUNTIME;
    /* Child-level returns pseudonymise with the platform key beside the store. */
    char *key_path = liia_key_path_for(ctx->db_path);
    run.o.key_path = key_path;
    char today[11];
    cli_today(today);
    run.o.today = today;
    if (!key_path || (run.json && !(run.results = json_array()))) {
        free(key_path);
        liia_error e;
        liia_error_clear(&e);
        liia_fail(&e, LIIA_E_NOMEM, "out of memory");
        return cli_fail(&e);
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
