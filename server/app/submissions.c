/* submissions.c - the authority's view of its returns: the status grid,
 * history, one submission with its findings, and submitting a return
 * through the ingest library (the one place the portal calls it). */
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_internal.h"
#include "liia_engine.h"
#include "liia_ingest.h"
#include "liia_report.h"

static const liia_role readers[] = {LIIA_ROLE_DATA_LEAD, LIIA_ROLE_DCS, LIIA_ROLE_PROGRAMME, 0};

/* The grid of engine/returns.c (liia_returns_grid), which the portal's
 * quarter grid (workflow.c) reads too: one answer to "what is due, what is
 * in, how late", restricted to the actor's authority for a data lead/DCS. */
int liia_app_status_grid(sqlite3 *db, const liia_actor *a, const liia_app_status_opts *o,
                         json_t **out, liia_error *e)
{
    char period[11], label[48] = "";
    sqlite3_stmt *st;
    json_t *grid = NULL;
    if (app_require(db, a, "see the submission grid", readers, e) ||
        app_period(db, o->period, period, e))
        return -1;
    liia_returns_grid_opts g = {.period = period, .la_code = app_scoped(a) ? a->la_code : "",
                                .return_type = o->return_type, .today = o->today,
                                .missing_only = o->missing_only};
    if (liia_returns_grid(db, &g, &st, e) ||
        app_rows_json(db, st, &grid, "reading the submission grid", e))
        return -1;
    if (period[0])
        liia_period_label(period, label, sizeof label);
    *out = json_pack("{s:s, s:s, s:o}", "period", period, "label", label, "grid", grid);
    return *out ? 0 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
}

int liia_app_status(sqlite3 *db, const liia_actor *a, const char *period_in,
                    json_t **out, liia_error *e)
{
    liia_app_status_opts o = {.period = period_in};
    return liia_app_status_grid(db, a, &o, out, e);
}

int liia_app_history(sqlite3 *db, const liia_actor *a, const char *la,
                     const char *period_in, const char *since, json_t **out, liia_error *e)
{
    char gss[10], period[11] = "";
    if (app_require(db, a, "see a history", readers, e))
        return -1;
    if (la && la[0]) {
        if (app_resolve_la(db, la, gss, e))
            return -1;
    } else if (app_scoped(a)) {
        liia_strlcpy(gss, a->la_code, sizeof gss);
    } else if (since && since[0]) {
        gss[0] = '\0'; /* every authority: "what arrived since" */
    } else {
        return app_refuse(e, LIIA_APP_INVALID, "name an authority");
    }
    if (gss[0] && !app_sees_la(a, gss))
        return app_refuse(e, LIIA_APP_NOT_FOUND, "no such history");
    if (period_in && period_in[0] && app_period(db, period_in, period, e))
        return -1;
    sqlite3_stmt *st;
    if (liia_returns_history(db, gss, period, since, &st, e))
        return -1;
    return app_rows_json(db, st, out, "reading the history", e);
}

/* Stored findings in the shape of `ingest --json`, with each one's id and
 * the note explaining it. */
static int stored_findings(sqlite3 *db, long long id, const char *file, json_t **out,
                           liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT ?2 AS file, ifnull(f.line, 0) AS line, "
                            "ifnull(f.col, 0) AS column, ifnull(f.column_name, '') AS "
                            "column_name, f.severity, f.rule_id, ifnull(f.value, '') AS value, "
                            "f.message, ifnull(f.fix, '') AS fix, f.id, ifnull(f.tbl, '') AS "
                            "\"table\", ifnull(f.record, 0) AS record, ifnull(f.path, '') AS "
                            "path, x.note AS explanation, x.author AS explained_by "
                            "FROM finding f LEFT JOIN explanation x ON x.finding_id = f.id "
                            "WHERE f.submission_id = ?1 ORDER BY f.severity <> 'error', f.id",
                        &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, file, -1, SQLITE_TRANSIENT);
    return app_rows_json(db, st, out, "reading findings", e);
}

int liia_app_submission(sqlite3 *db, const liia_actor *a, long long id, json_t **out,
                        liia_error *e)
{
    char gss[10];
    char target[32];
    snprintf(target, sizeof target, "submission %lld", id);
    if (app_require(db, a, "see a submission", readers, e))
        return -1;
    if (app_submission_la(db, a, id, gss, e)) {
        app_audit_error(db, a, "view findings", target, e);
        return -1;
    }
    sqlite3_stmt *st;
    json_t *rows = NULL, *findings = NULL;
    if (liia_db_prepare(db, "SELECT s.file_name AS file, s.file_name AS submission, "
                            "s.return_type, CASE s.status WHEN 'rejected' THEN 'rejected' "
                            "ELSE 'accepted' END AS outcome, s.status, s.la_code, s.period, "
                            "s.sha256, s.id AS submission_id, ifnull(s.version, 0) AS version, "
                            "ifnull(s.supersedes, 0) AS supersedes, s.rows, s.errors, "
                            "s.warnings, s.received_at, a.short_code, a.name AS authority, "
                            "g.signed_by, g.role AS signed_role, g.at AS signed_at "
                            "FROM submission s LEFT JOIN authority a ON a.gss_code = s.la_code "
                            "LEFT JOIN signoff g ON g.submission_id = s.id WHERE s.id = ?1",
                        &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (app_rows_json(db, st, &rows, "reading a submission", e))
        return -1;
    json_t *o = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    if (!o || stored_findings(db, id, json_string_value(json_object_get(o, "file")),
                              &findings, e)) {
        json_decref(o);
        return o ? -1 : app_refuse(e, LIIA_APP_NOT_FOUND, "no submission %lld", id);
    }
    json_object_set_new(o, "findings", findings);
    if (app_findings_children(db, json_string_value(json_object_get(o, "return_type")), id,
                              findings, e)) {
        json_decref(o);
        return -1;
    }
    *out = o;
    return liia_app_audit(db, a, "view findings", target, "ok", NULL, e);
}

/* ---------------------------------------------------------------- submit */

json_t *liia_app_finding_json(const liia_error *f)
{
    static const char *const sev[] = {"error", "warning", "info"};
    /* Texts through liia_app_json_text: a message cut to its buffer can
     * end inside a character, and a value is whatever the file held. */
    json_t *o = json_pack("{s:o, s:I, s:I, s:o, s:s, s:o, s:o, s:o, s:o}", "file",
                          liia_app_json_text(f->file), "line", (json_int_t)f->line,
                          "column", (json_int_t)f->column, "column_name",
                          liia_app_json_text(f->column_name), "severity", sev[f->severity],
                          "rule_id", liia_app_json_text(f->rule_id), "value",
                          liia_app_json_text(f->value), "message",
                          liia_app_json_text(f->message), "fix", liia_app_json_text(f->fix));
    /* child_id: only in the answer to the sender's own upload (a finding
     * read back from the store has none) */
    if (o && ((f->table[0] && json_object_set_new(o, "table", liia_app_json_text(f->table))) ||
              (f->child_id[0] &&
               json_object_set_new(o, "child_id", liia_app_json_text(f->child_id))))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int one_file_return(const char *id)
{
    const liia_return_info *info = liia_ingest_return_find(id);
    return !info || info->one_file_per_submission;
}

/* "reject" when any error rejects the submission, "flag" when errors
 * flag cells and the submission stands: the return type's policy. */
static const char *error_policy(const char *id)
{
    const liia_return_info *info = liia_ingest_return_find(id);
    return !info || info->reject_on_error ? "reject" : "flag";
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The CLI's name for a child-level submission: "CAM 2025-03-31 ssda903
 * (a.csv + b.csv)". */
static void submission_label(sqlite3 *db, const liia_ingest_result *r, char *out, size_t sz)
{
    sqlite3_stmt *st = NULL;
    char la[16];
    snprintf(la, sizeof la, "%s", r->la_code[0] ? r->la_code : "?");
    if (sqlite3_prepare_v2(db, "SELECT short_code FROM authority WHERE gss_code = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, r->la_code, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(la, sizeof la, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st); /* a failure leaves the GSS code in the label */
    snprintf(out, sz, "%s %s %s (%s)", la, r->period[0] ? r->period : "?", r->return_type,
             r->file_name);
}

/* One result of `ingest --json` (cli/cmd_ingest.c), file names without
 * the server's upload directory. */
static json_t *result_json(sqlite3 *db, const liia_app_upload *u, const liia_ingest_result *r,
                           const char *return_type)
{
    char label[512];
    static const char *const outcome[] = {"accepted", "unchanged", "rejected"};
    json_t *findings = json_array(), *files = json_array();
    for (size_t i = 0; files && i < u->nfiles; i++)
        if (json_array_append_new(files, json_string(base_name(u->files[i]))))
            break;
    for (size_t i = 0; findings && i < r->findings.count; i++) {
        liia_error f = r->findings.items[i];
        /* f.file without the staging directory (source and destination
         * overlap, so not strlcpy). */
        const char *b = base_name(f.file);
        memmove(f.file, b, strlen(b) + 1);
        if (json_array_append_new(findings, liia_app_finding_json(&f)))
            break;
    }
    int one = one_file_return(return_type);
    if (!one)
        submission_label(db, r, label, sizeof label);
    return json_pack("{s:s, s:s, s:o?, s:s, s:s, s:s, s:s?, s:s?, s:s, s:I, s:I, s:I, "
                     "s:I, s:I, s:I, s:o?}",
                     "file", base_name(u->files[0]),
                     "submission", one ? base_name(u->files[0]) : label,
                     "files", files, "return_type", r->return_type,
                     "outcome", outcome[r->outcome], "error_policy", error_policy(return_type),
                     "la_code", r->la_code[0] ? r->la_code : NULL,
                     "period", r->period[0] ? r->period : NULL, "sha256", r->sha256,
                     "submission_id", (json_int_t)r->submission_id,
                     "version", (json_int_t)r->version,
                     "supersedes", (json_int_t)r->superseded, "rows", (json_int_t)r->rows,
                     "errors", (json_int_t)r->findings.errors,
                     "warnings", (json_int_t)r->findings.warnings, "findings", findings);
}

/* The one submission the files form (several tables of a child-level
 * return, or one file). */
static int plan_one(const liia_app_upload *u, const liia_ingest_options *o,
                    liia_ingest_group *g, liia_error *e)
{
    liia_ingest_group *groups = NULL;
    size_t n = 0;
    if (liia_ingest_plan(u->files, u->nfiles, o, &groups, &n, e)) {
        if (e->status == LIIA_E_DATA || e->status == LIIA_E_USAGE)
            liia_strlcpy(e->rule_id, LIIA_APP_INVALID, sizeof e->rule_id);
        return -1;
    }
    int rc = 0;
    if (n != 1 || groups[0].count != u->nfiles) {
        liia_error_fix(e, "upload one return at a time: one quarterly return file, the tables "
                          "of one SSDA903 return, or one CIN census file");
        rc = app_refuse(e, LIIA_APP_INVALID, "these %zu files are %zu submissions: upload "
                        "one return (one file, or the tables of one child-level return) "
                        "at a time", u->nfiles, n);
    }
    else
        *g = groups[0];
    free(groups);
    return rc;
}

static const liia_role uploaders[] = {LIIA_ROLE_DATA_LEAD, 0};

int liia_app_may_upload(sqlite3 *db, const liia_actor *a, liia_error *e)
{
    if (app_allowed(a, uploaders))
        return 0;
    liia_error_fix(e, "your authority's data lead uploads its returns");
    app_refuse(e, LIIA_APP_DENIED, "a %s may not upload a return", liia_role_name(a->role));
    app_audit_error(db, a, "upload", NULL, e);
    return -1;
}

static int may_submit(sqlite3 *db, const liia_actor *a, const liia_app_upload *u,
                      char gss[10], liia_error *e)
{
    gss[0] = '\0';
    if (!app_allowed(a, uploaders)) {
        liia_error_fix(e, "your authority's data lead uploads its returns");
        return app_refuse(e, LIIA_APP_DENIED, "a %s may not upload a return",
                          liia_role_name(a->role));
    }
    if (!u->nfiles)
        return app_refuse(e, LIIA_APP_INVALID, "no file uploaded");
    if (u->la && u->la[0] && app_resolve_la(db, u->la, gss, e))
        return -1;
    if (app_scoped(a) && gss[0] && strcmp(gss, a->la_code))
        return app_refuse(e, LIIA_APP_DENIED, "you can upload only your own authority's returns");
    if (app_scoped(a))
        liia_strlcpy(gss, a->la_code, 10);
    return 0;
}

static char *workbook_path(const liia_app_config *c, long long id)
{
    char name[32];
    snprintf(name, sizeof name, "%lld.xlsx", id);
    return liia_path_join(c->findings_dir, name);
}

/* The data lead's workbook of a one-file return with findings, written
 * beside the store while the uploaded file still exists. */
static int write_workbook(const liia_app_config *c, const char *file, const char *return_type,
                          const liia_ingest_result *r, liia_error *e)
{
    if (!c->findings_dir || !r->submission_id || !r->findings.count ||
        !one_file_return(return_type) || r->outcome == LIIA_INGEST_UNCHANGED)
        return 0;
    if (mkdir(c->findings_dir, 0700) != 0 && errno != EEXIST)
        return liia_fail(e, LIIA_E_IO, "cannot create %s: %s", c->findings_dir, strerror(errno));
    char *path = workbook_path(c, r->submission_id);
    app_report_lock();
    int rc = path ? liia_report_findings_xlsx(file, &r->findings, path, e)
                  : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    app_report_unlock();
    free(path);
    return rc;
}

int liia_app_findings_xlsx(sqlite3 *db, const liia_app_config *c, const liia_actor *a,
                           long long id, char **path, liia_error *e)
{
    char gss[10], target[48];
    struct stat sb;
    *path = NULL;
    snprintf(target, sizeof target, "findings workbook %lld", id);
    int rc = app_allowed(a, readers) ? app_submission_la(db, a, id, gss, e)
             : app_refuse(e, LIIA_APP_DENIED, "a %s may not see findings", liia_role_name(a->role));
    if (!rc && (!c->findings_dir || !(*path = workbook_path(c, id)) || stat(*path, &sb) != 0))
        rc = app_refuse(e, LIIA_APP_NOT_FOUND, "no findings workbook for submission %lld", id);
    if (rc) {
        free(*path);
        *path = NULL;
        app_audit_error(db, a, "download", target, e);
        return -1;
    }
    return liia_app_audit(db, a, "download", target, "ok", NULL, e);
}

/* The ingest library speaks to the command line ("--la, --period",
 * "liia-bench schemas"); a portal user fills in a form: the same refusal
 * in the form's words.  A missing platform key is the operator's problem,
 * not the uploader's: an internal error. */
static void portal_wording(liia_error *e)
{
    char *cut;
    if (strstr(e->message, "needs --la, --period and one XML file")) {
        snprintf(e->message, sizeof e->message, "this return needs the quarter and exactly one "
                 "XML file");
        liia_error_fix(e, "give the quarter (e.g. 2025-03-31) and upload the census as one "
                          "XML file");
    } else if (strstr(e->message, "SSDA903 submission needs --la, --period")) {
        snprintf(e->message, sizeof e->message, "an SSDA903 upload needs the quarter and its "
                 "tables (header and episodes at least, each table once)");
        liia_error_fix(e, "give the quarter (e.g. 2025-03-31) and choose all the return's CSV "
                          "files together (at most 16)");
    } else if ((cut = strstr(e->fix, " (liia-bench schemas lists them)"))) {
        *cut = '\0';
        char list[sizeof e->fix];
        snprintf(list, sizeof list, "%s", e->fix);
        liia_error_fix(e, "choose the return in the Return field (%s), or leave it to be "
                          "recognised from the file", list);
    } else if (strstr(e->fix, "liia-bench init")) {
        e->status = LIIA_E_IO;
        e->rule_id[0] = '\0';
        return;
    }
    if ((e->status == LIIA_E_USAGE || e->status == LIIA_E_DATA) && strncmp(e->rule_id, "APP-", 4))
        liia_strlcpy(e->rule_id, LIIA_APP_INVALID, sizeof e->rule_id);
}

int liia_app_submit(sqlite3 *db, const liia_app_config *c, const liia_actor *a,
                    const liia_app_upload *u, json_t **out, liia_error *e)
{
    char gss[10];
    if (may_submit(db, a, u, gss, e)) {
        app_audit_error(db, a, "upload", NULL, e);
        return -1;
    }
    liia_ingest_options o = {.return_type = u->return_type && u->return_type[0] ? u->return_type
                                                                                 : NULL,
                             .la = gss[0] ? gss : NULL,
                             .period = u->period && u->period[0] ? u->period : NULL,
                             .schema_dir = c->schema_dir, .key_path = c->key_path};
    liia_ingest_group g = {.return_type = NULL};
    liia_ingest_result r;
    liia_ingest_result_init(&r);
    int rc = plan_one(u, &o, &g, e);
    if (!rc)
        rc = app_check_attribution(db, a, g.return_type, u->files, u->nfiles, &o, e);
    if (!rc)
        rc = liia_ingest_submission(db, g.return_type, u->files, u->nfiles, &o, &r, e);
    if (!rc && !(*out = result_json(db, u, &r, g.return_type)))
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    /* The workbook is a convenience: the findings are stored and shown
     * whether or not it could be written. */
    liia_error wb;
    liia_error_clear(&wb);
    if (!rc && write_workbook(c, u->files[0], g.return_type, &r, &wb))
        app_audit_error(db, a, "findings workbook", base_name(u->files[0]), &wb);
    if (rc) {
        portal_wording(e);
        app_audit_error(db, a, "upload", u->nfiles ? base_name(u->files[0]) : NULL, e);
    } else {
        char target[48], detail[96];
        snprintf(target, sizeof target, "submission %lld", r.submission_id);
        snprintf(detail, sizeof detail, "%s: %zu errors, %zu warnings",
                 json_string_value(json_object_get(*out, "outcome")), r.findings.errors,
                 r.findings.warnings);
        rc = liia_app_audit(db, a, "upload", target, "ok", detail, e);
    }
    liia_ingest_result_free(&r);
    return rc;
}
