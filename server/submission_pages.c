/* submission_pages.c - uploading a return, the validation page (summary,
 * then every finding with its location, value, rule and fix, filtered by
 * rule or severity), the findings as CSV, explaining a warning and
 * signing off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server_internal.h"

#define PAGE_FINDINGS 100 /* findings a page; the CSV has them all */

enum MHD_Result upload_form(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "Upload a return");
    hp(&b, "<p>The quarterly return is one CSV file.  A child-level return (SSDA903) is its "
           "tables together: header, episodes and the others you have; the children in need "
           "census is its one XML file. For both, choose the return and give the quarter.</p>"
           "<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">");
    html_csrf(&b, r);
    hp(&b, "<label for=\"file\">File or files</label><input id=\"file\" name=\"file\" "
           "type=\"file\" multiple required accept=\".csv,.xml\"><label for=\"return\">Return"
           "</label><select id=\"return\" name=\"return\"><option value=\"\">Recognise from the "
           "file</option><option value=\"quarterly\">Quarterly return</option><option "
           "value=\"ssda903\">SSDA903 (children looked after)</option><option value=\"cin\">"
           "Children in need census (XML)</option></select><label for=\"period\">Quarter "
           "(needed for SSDA903 and the CIN census, e.g. 2025-03-31)</label><input "
           "id=\"period\" name=\"period\"><p><button type=\"submit\">Upload and check</button>"
           "</p></form>");
    return html_end(&b, r, 200);
}

static enum MHD_Result fresh_page(struct req *r, long long sid, json_t *ids);

static const char *str_or_empty(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* A finding's place, the same in the upload's answer and in the store:
 * table, line, rule and column. */
static void finding_key(json_t *f, char *key, size_t size)
{
    snprintf(key, size, "%s|%lld|%s|%s", str_or_empty(f, "table"),
             (long long)json_integer_value(json_object_get(f, "line")),
             str_or_empty(f, "rule_id"), str_or_empty(f, "column_name"));
}

/* The submitter's own child ids by finding_key, from the answer to its
 * upload (the store has none: docs/portal.md); NULL when there are none. */
static json_t *child_ids(json_t *result)
{
    json_t *ids = NULL, *f;
    size_t i;
    json_array_foreach(json_object_get(result, "findings"), i, f) {
        const char *id = json_string_value(json_object_get(f, "child_id"));
        char key[192];
        finding_key(f, key, sizeof key);
        if (id && (ids || (ids = json_object())) &&
            json_object_set_new(ids, key, liia_app_json_text(id)))
            break;
    }
    return ids;
}

enum MHD_Result upload(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    const char *paths[SRV_MAX_FILES];
    for (size_t i = 0; i < r->nfiles; i++)
        paths[i] = r->files[i].path;
    liia_app_upload u = {.files = paths, .nfiles = r->nfiles,
                         .return_type = srv_field(r, "return"), .la = srv_field(r, "la"),
                         .period = srv_field(r, "period")};
    liia_error e;
    liia_error_clear(&e);
    json_t *j;
    if (liia_app_submit(r->db, &r->o->app, &r->s.actor, &u, &j, &e))
        return srv_error(r, &e);
    long long sid = json_integer_value(json_object_get(j, "submission_id"));
    if (r->api)
        return srv_send_json(r, 200, j);
    json_t *ids = sid > 0 ? child_ids(j) : NULL;
    json_decref(j);
    if (ids)
        return fresh_page(r, sid, ids);
    char to[64];
    snprintf(to, sizeof to, "/submissions/%lld", sid);
    return sid > 0 ? srv_redirect(r, to) : srv_redirect(r, "/");
}

/* The child filter: the pseudonym it resolved to (all 32 digits), else as
 * given. */
static const char *child_filter(struct req *r)
{
    return r->child[0] ? r->child : srv_field(r, "child");
}

static int keep(json_t *f, const char *severity, const char *rule, const char *child)
{
    const char *s = json_string_value(json_object_get(f, "severity"));
    const char *id = json_string_value(json_object_get(f, "rule_id"));
    const char *c = json_string_value(json_object_get(f, "child"));
    return (!severity || !*severity || (s && !strcmp(s, severity))) &&
           (!rule || !*rule || (id && !strcmp(id, rule))) &&
           (!child || !*child || (c && !strcasecmp(c, child)));
}

/* A query string argument, percent-encoded. */
static void url_arg(liia_buf *b, const char *key, const char *v)
{
    if (!v || !*v)
        return;
    hp(b, "&amp;%s=", key);
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.')
            hp(b, "%c", c);
        else
            hp(b, "%%%02X", c);
    }
}

/* The validation page's address with the filters of this request. */
static void page_link(liia_buf *b, struct req *r, long long sid, long long page,
                      const char *child)
{
    hp(b, "/submissions/%lld?page=%lld", sid, page);
    url_arg(b, "severity", srv_field(r, "severity"));
    url_arg(b, "rule", srv_field(r, "rule"));
    url_arg(b, "child", child);
}

/* The first 12 hex digits: enough to tell a submission's children apart
 * on a page; links and the API carry all 32. */
static void child_short(liia_buf *b, const char *child)
{
    hp(b, "<span class=\"pid\">%.12s&hellip;</span>", child);
}

static void summary(liia_buf *b, json_t *j)
{
    static const char *const cols[] = {"authority:Authority", "period:Quarter",
                                       "return_type:Return", "file:File", "version:Version",
                                       "status:Status", "received_at:Received (UTC)",
                                       "errors:Errors", "warnings:Warnings",
                                       "signed_by:Signed off by", "signed_at:Signed off at", NULL};
    json_t *rows = json_pack("[O]", j);
    html_table(b, "Summary", rows, cols, NULL, NULL);
    json_decref(rows);
    long long errors = json_integer_value(json_object_get(j, "errors"));
    const char *status = json_string_value(json_object_get(j, "status"));
    if (!strcmp(status, "rejected"))
        hp(b, "<p class=\"error\">Rejected: nothing from this file was stored. Fix the errors "
              "below in your file and <a href=\"/upload\">upload it again</a>.</p>");
    else if (errors)
        hp(b, "<p class=\"error\">Errors must be fixed: correct the file and <a "
              "href=\"/upload\">upload it again</a>.</p>");
    else if (!strcmp(status, "superseded"))
        hp(b, "<p>A newer version of this return has replaced this one.</p>");
}

static void filter_form(liia_buf *b, struct req *r, long long id, int workbook, int children)
{
    const char *severity = srv_field(r, "severity"), *rule = srv_field(r, "rule");
    hp(b, "<form method=\"get\" action=\"/submissions/%lld\"><label for=\"severity\">Show"
          "</label><select id=\"severity\" name=\"severity\"><option value=\"\">all findings"
          "</option><option value=\"error\"%s>errors</option><option value=\"warning\"%s>"
          "warnings</option></select><label for=\"rule\">Rule id</label><input id=\"rule\" "
          "name=\"rule\" value=\"", id, severity && !strcmp(severity, "error") ? " selected" : "",
       severity && !strcmp(severity, "warning") ? " selected" : "");
    html_esc(b, rule);
    hp(b, "\">");
    if (children) {
        hp(b, "<label for=\"child\">Child (pseudonym, as in the Child column)</label><input "
              "id=\"child\" name=\"child\" size=\"70\" value=\"");
        html_esc(b, srv_field(r, "child"));
        hp(b, "\">");
    }
    hp(b, " <button type=\"submit\">Filter</button></form><p><a href=\"/submissions/%lld/"
          "findings.csv\">Download the findings (CSV, opens in Excel)</a></p>", id);
    if (workbook)
        hp(b, "<p><a href=\"/submissions/%lld/findings.xlsx\">Download your file with the "
              "problem cells highlighted (Excel workbook)</a></p>", id);
}

static void explain_cell(liia_buf *b, struct req *r, json_t *f, long long sid, int can_explain)
{
    const char *note = json_string_value(json_object_get(f, "explanation"));
    if (note) {
        html_esc(b, note);
        hp(b, " (");
        html_esc(b, json_string_value(json_object_get(f, "explained_by")));
        hp(b, ")");
    }
    if (!can_explain || strcmp(json_string_value(json_object_get(f, "severity")), "warning"))
        return;
    long long fid = json_integer_value(json_object_get(f, "id"));
    hp(b, "<form method=\"post\" action=\"/submissions/%lld/explain\">", sid);
    html_csrf(b, r);
    hp(b, "<input type=\"hidden\" name=\"finding\" value=\"%lld\"><label for=\"note%lld\">"
          "Explain warning %lld</label><textarea id=\"note%lld\" name=\"note\" rows=\"2\" "
          "cols=\"30\" required></textarea><button type=\"submit\">Save note</button></form>",
       fid, fid, fid, fid);
}

static void finding_cells(liia_buf *b, json_t *f, long long sid, int children)
{
    static const char *const keys[] = {"table", "line", "column_name", "rule_id", "message",
                                       "fix"};
    const char *sev = json_string_value(json_object_get(f, "severity"));
    hp(b, "<tr class=\"sev-%s\"><td>%s</td>", sev, sev);
    if (children) {
        const char *c = json_string_value(json_object_get(f, "child"));
        const char *own = json_string_value(json_object_get(f, "child_id"));
        hp(b, "<td>");
        if (own) { /* only in the answer to the upload */
            hp(b, "<span class=\"child-id\">");
            html_esc(b, own);
            hp(b, "</span> ");
        }
        if (c) {
            hp(b, "<a href=\"/submissions/%lld?child=%s\">", sid, c);
            child_short(b, c);
            hp(b, "</a>");
        }
        hp(b, "</td>");
    }
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(f, keys[k]);
        hp(b, "<td>");
        /* line 0: a finding on the whole file (a missing table, a CIN
         * census's authority-level rule) */
        if (json_is_integer(v) && k == 1 && json_integer_value(v) == 0)
            hp(b, "whole file");
        else if (json_is_integer(v))
            hp(b, "%lld", (long long)json_integer_value(v));
        else
            html_esc(b, json_string_value(v));
        hp(b, "</td>");
    }
    const char *value = json_string_value(json_object_get(f, "value"));
    hp(b, "<td>");
    if (value && *value) {
        hp(b, "<span class=\"value\">");
        html_esc(b, value);
        hp(b, "</span>");
    }
    hp(b, "</td><td>");
}

/* Previous/next links when the filtered findings fill more than a page. */
static void pager(liia_buf *b, struct req *r, long long sid, long long page, size_t shown)
{
    long long pages = ((long long)shown + PAGE_FINDINGS - 1) / PAGE_FINDINGS;
    if (pages <= 1)
        return;
    const char *child = child_filter(r);
    hp(b, "<nav aria-label=\"Pages of findings\"><p>Findings %lld to %lld of %zu (page %lld "
          "of %lld). ", (page - 1) * PAGE_FINDINGS + 1,
       page * PAGE_FINDINGS < (long long)shown ? page * PAGE_FINDINGS : (long long)shown, shown,
       page, pages);
    if (page > 1) {
        hp(b, "<a rel=\"prev\" href=\"");
        page_link(b, r, sid, page - 1, child);
        hp(b, "\">Previous page</a> ");
    }
    if (page < pages) {
        hp(b, "<a rel=\"next\" href=\"");
        page_link(b, r, sid, page + 1, child);
        hp(b, "\">Next page</a>");
    }
    hp(b, "</p></nav>");
}

static void findings_table(liia_buf *b, struct req *r, json_t *j, long long sid,
                           int can_explain, int children)
{
    const char *severity = srv_field(r, "severity"), *rule = srv_field(r, "rule");
    const char *child = child_filter(r);
    long long page = srv_field_id(r, "page");
    json_t *f;
    size_t i, shown = 0, matching = 0;
    json_array_foreach(json_object_get(j, "findings"), i, f)
        matching += keep(f, severity, rule, child);
    /* A page past the last (a bookmark, fewer findings now) is the last. */
    long long pages = ((long long)matching + PAGE_FINDINGS - 1) / PAGE_FINDINGS;
    page = page < 1 ? 1 : page > pages && pages ? pages : page;
    hp(b, "<table><caption>Findings</caption><thead><tr><th scope=\"col\">Severity</th>%s"
          "<th scope=\"col\">Table</th><th scope=\"col\">Line</th><th scope=\"col\">Column</th>"
          "<th scope=\"col\">Rule</th><th scope=\"col\">Problem</th><th scope=\"col\">What to "
          "do</th><th scope=\"col\">Value</th><th scope=\"col\">Explanation</th></tr></thead>"
          "<tbody>", children ? "<th scope=\"col\">Child</th>" : "");
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (!keep(f, severity, rule, child))
            continue;
        long long n = (long long)shown++;
        if (n < (page - 1) * PAGE_FINDINGS || n >= page * PAGE_FINDINGS)
            continue;
        finding_cells(b, f, sid, children);
        explain_cell(b, r, f, sid, can_explain);
        hp(b, "</td></tr>");
    }
    hp(b, "</tbody></table>");
    if (!shown)
        hp(b, "<p>No finding matches the filter.</p>");
    pager(b, r, sid, page, shown);
}

/* The findings on one stored row of a table ("row": its line, or its
 * record in a census), as rule ids; marks each named
 * cell's column in bad[] with the submitted value the finding kept. */
static void row_findings(json_t *findings, const char *table, long long line, json_t *columns,
                         const char **bad, liia_buf *rules)
{
    json_t *f, *c;
    size_t i, k;
    json_array_foreach(findings, i, f) {
        const char *t = json_string_value(json_object_get(f, "table"));
        if (!t || strcmp(t, table) || json_integer_value(json_object_get(f, "row")) != line)
            continue;
        const char *col = json_string_value(json_object_get(f, "column_name"));
        const char *v = json_string_value(json_object_get(f, "value"));
        json_array_foreach(columns, k, c)
            if (col && !strcmp(col, json_string_value(c)))
                bad[k] = v ? v : "";
        hp(rules, "%s%s", rules->len ? ", " : "",
           json_string_value(json_object_get(f, "rule_id")));
    }
}

/* A stored cell; with a finding (bad != NULL) highlighted and, when the
 * store kept it blank, the value as submitted (withheld if identifying). */
static void child_cell(liia_buf *b, json_t *v, int stored, const char *bad)
{
    hp(b, bad ? "<td class=\"bad\">" : "<td>");
    if (json_is_string(v) && strlen(json_string_value(v)) == 64)
        child_short(b, json_string_value(v));
    else if (json_is_string(v))
        html_esc(b, json_string_value(v));
    else if (json_is_integer(v))
        hp(b, "%lld", (long long)json_integer_value(v));
    else if (bad && *bad)
        html_esc(b, bad);
    else
        hp(b, "<span class=\"blank\">%s</span>", stored ? "(blank)" : "(not kept)");
    hp(b, bad ? " <strong class=\"flag\">(finding)</strong></td>" : "</td>");
}

/* One child's rows, table by table, each cell with a finding highlighted
 * and every row's rule ids beside it: the child's problems together. */
static void child_rows(liia_buf *b, json_t *child, json_t *findings)
{
    json_t *t, *row, *c;
    size_t i, k, n;
    /* a census's rows are numbered by record (the findings give its line
     * in the file too), a CSV table's by line */
    const char *by = json_string_value(json_object_get(child, "numbered_by"));
    int by_record = by && !strcmp(by, "record");
    hp(b, "<h2>Child ");
    child_short(b, json_string_value(json_object_get(child, "child")));
    hp(b, "</h2><p>This child's rows as stored: the child is shown by pseudonym, dates of birth "
          "as their month, postcodes as their sector; a cell that failed its own check is "
          "stored blank. Cells with a finding are highlighted and marked \"(finding)\".</p>");
    json_array_foreach(json_object_get(child, "tables"), i, t) {
        const char *table = json_string_value(json_object_get(t, "table"));
        json_t *columns = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
        if (!json_array_size(rows))
            continue;
        hp(b, "<table class=\"rows\"><caption>");
        html_esc(b, table);
        hp(b, ": %zu row%s%s</caption><thead><tr><th scope=\"col\">%s</th>",
           json_array_size(rows), json_array_size(rows) == 1 ? "" : "s",
           json_is_true(json_object_get(t, "truncated")) ? " (the first 500)" : "",
           by_record ? "Record" : "Line");
        json_array_foreach(columns, k, c) {
            hp(b, "<th scope=\"col\">");
            html_esc(b, json_string_value(c));
            hp(b, "</th>");
        }
        hp(b, "<th scope=\"col\">Findings</th></tr></thead><tbody>");
        json_array_foreach(rows, n, row) {
            long long line = json_integer_value(json_object_get(row, "line"));
            const char *bad[64] = {0};
            liia_buf rules;
            liia_buf_init(&rules);
            if (json_array_size(columns) <= sizeof bad / sizeof bad[0])
                row_findings(findings, table, line, columns, bad, &rules);
            hp(b, "<tr><th scope=\"row\">%lld</th>", line);
            json_array_foreach(json_object_get(row, "cells"), k, c)
                child_cell(b, c, json_is_true(json_array_get(json_object_get(t, "stored"), k)),
                           k < sizeof bad / sizeof bad[0] ? bad[k] : NULL);
            hp(b, "<td>");
            html_esc(b, rules.data);
            hp(b, "</td></tr>");
            liia_buf_free(&rules);
        }
        hp(b, "</tbody></table>");
    }
}

static void sign_off_form(liia_buf *b, struct req *r, json_t *j, long long sid)
{
    const liia_actor *a = &r->s.actor;
    int may = a->role == LIIA_ROLE_DCS || (a->role == LIIA_ROLE_DATA_LEAD && a->can_sign_off);
    const char *status = json_string_value(json_object_get(j, "status"));
    if (!may || strcmp(status, "accepted") || json_is_string(json_object_get(j, "signed_by")))
        return;
    hp(b, "<h2>Sign off</h2><p>Signing off records your name and the time against this "
          "version. Every warning must be explained first.</p><form method=\"post\" "
          "action=\"/submissions/%lld/signoff\">", sid);
    html_csrf(b, r);
    hp(b, "<button type=\"submit\">Sign off this return</button></form>");
}

static enum MHD_Result findings_csv(struct req *r, json_t *j)
{
    static const char *const keys[] = {"severity", "table", "line", "column", "column_name",
                                       "value", "rule_id", "message", "fix", "explanation", "child"};
    char *text = NULL;
    size_t len = 0, i;
    json_t *f;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        json_decref(j);
        return srv_send(r, 500, "text/plain; charset=utf-8", NULL, 0, NULL);
    }
    fputs("severity,table,line,column,column_name,value,rule_id,message,fix,explanation,child\n",
          out);
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            json_t *v = json_object_get(f, keys[k]);
            char num[32];
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            liia_csv_write_field(out, json_is_integer(v) ? num : json_is_string(v)
                                                                  ? json_string_value(v) : "", 1);
            fputc(k + 1 < sizeof keys / sizeof keys[0] ? ',' : '\n', out);
        }
    }
    json_decref(j);
    if (fclose(out) != 0) {
        free(text);
        return srv_send(r, 500, "text/plain; charset=utf-8", NULL, 0, NULL);
    }
    return srv_send(r, 200, "text/csv; charset=utf-8", text, len,
                    "attachment; filename=\"findings.csv\"");
}

/* The findings of one child (an array of the same objects). */
static json_t *child_findings(json_t *j, const char *child)
{
    json_t *out = json_array(), *f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f)
        if (keep(f, NULL, NULL, child))
            json_array_append(out, f);
    return out;
}

/* GET /api/submissions/N/children/PSEUDONYM: the child's rows. */
static enum MHD_Result child_json(struct req *r, long long id, const char *child)
{
    liia_error e;
    liia_error_clear(&e);
    json_t *c;
    if (liia_app_child(r->db, &r->s.actor, id, child, &c, &e))
        return srv_error(r, &e);
    return srv_send_json(r, 200, c);
}

/* Where the Child column's ids come from: the sender's own CHILD is
 * never stored, so only the answer to the upload can show it. */
static void child_id_note(liia_buf *b, int fresh)
{
    if (fresh)
        hp(b, "<p class=\"note\">The Child column shows your own CHILD id beside the "
              "platform's pseudonym. This page, the answer to your upload, is the only time "
              "the portal shows it: the platform does not keep your ids, so when you come "
              "back to this submission later the findings show the pseudonym, and the table "
              "and line (record) to find the row in your file.</p>");
    else
        hp(b, "<p class=\"note\">The platform does not keep your CHILD ids, only a "
              "pseudonym: find a finding's row in your file by its table and line. Your own "
              "ids are shown once, in the answer to the upload (or by validating the file "
              "again).</p>");
}

/* Puts the upload's child ids (child_ids) on the stored findings. */
static void add_child_ids(json_t *j, json_t *ids)
{
    json_t *f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        char key[192];
        finding_key(f, key, sizeof key);
        json_t *id = json_object_get(ids, key);
        if (id)
            json_object_set(f, "child_id", id);
    }
}

/* The filter's child: its stored rows into *c, the pseudonym into
 * r->child.  A child the submission does not have (a bad or ambiguous
 * prefix) is said on the page itself, above the filter form (*refused). */
static int filter_child(struct req *r, long long id, json_t **c, liia_error *e, int *refused)
{
    const char *child = srv_field(r, "child");
    *c = NULL;
    *refused = 0;
    if (!child || !*child)
        return 0;
    if (liia_app_child(r->db, &r->s.actor, id, child, c, e)) {
        *refused = !strcmp(e->rule_id, LIIA_APP_INVALID);
        return *refused ? 0 : -1;
    }
    liia_strlcpy(r->child, json_string_value(json_object_get(*c, "child")), sizeof r->child);
    return 0;
}

static enum MHD_Result validation_page(struct req *r, long long id, json_t *j, int fresh)
{
    json_t *c = NULL;
    liia_error e;
    liia_error_clear(&e);
    int refused, children = json_array_size(json_object_get(j, "findings")) &&
                   json_object_get(json_array_get(json_object_get(j, "findings"), 0), "child");
    if (filter_child(r, id, &c, &e, &refused)) {
        json_decref(j);
        return srv_error(r, &e);
    }
    char title[64];
    snprintf(title, sizeof title, "Submission %lld", id);
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, title);
    summary(&b, j);
    const char *status = json_string_value(json_object_get(j, "status"));
    int can_explain = (r->s.actor.role == LIIA_ROLE_DATA_LEAD ||
                       r->s.actor.role == LIIA_ROLE_DCS) &&
                      !strcmp(status, "accepted") && !json_is_string(json_object_get(j, "signed_by"));
    sign_off_form(&b, r, j, id);
    const char *rt = json_string_value(json_object_get(j, "return_type"));
    int workbook = rt && !strcmp(rt, "quarterly") &&
                   json_integer_value(json_object_get(j, "errors")) +
                           json_integer_value(json_object_get(j, "warnings")) > 0;
    if (refused) {
        hp(&b, "<p class=\"error\" role=\"alert\">");
        html_esc(&b, e.message);
        hp(&b, ". ");
        html_esc(&b, e.fix);
        hp(&b, "</p>");
    }
    filter_form(&b, r, id, workbook, children || c || refused);
    if (children)
        child_id_note(&b, fresh);
    if (c) {
        json_t *mine = child_findings(j, json_string_value(json_object_get(c, "child")));
        child_rows(&b, c, mine);
        json_decref(mine);
        json_decref(c);
    }
    findings_table(&b, r, j, id, can_explain, children);
    json_decref(j);
    return html_end(&b, r, refused ? 400 : 200);
}

enum MHD_Result submission(struct req *r, long long id, const char *rest)
{
    liia_error e;
    liia_error_clear(&e);
    json_t *j;
    if (!strcmp(rest, "findings.xlsx")) {
        char *path;
        if (liia_app_findings_xlsx(r->db, &r->o->app, &r->s.actor, id, &path, &e))
            return srv_error(r, &e);
        enum MHD_Result ok = srv_send_file(
            r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "findings.xlsx");
        free(path);
        return ok;
    }
    if (r->api && !strncmp(rest, "children/", 9))
        return child_json(r, id, rest + 9);
    if (*rest && strcmp(rest, "findings.csv"))
        return srv_send_json(r, 404, json_pack("{s:s}", "error", "not found"));
    if (liia_app_submission(r->db, &r->s.actor, id, &j, &e))
        return srv_error(r, &e);
    if (*rest)
        return findings_csv(r, j);
    if (!r->api)
        return validation_page(r, id, j, 0);
    const char *child = srv_field(r, "child");
    if (child && *child) { /* the API's filter by child: all 32 digits or a unique prefix */
        if (liia_app_child_resolve(r->db, &r->s.actor, id, child, r->child, &e)) {
            json_decref(j);
            return srv_error(r, &e);
        }
        json_object_set_new(j, "findings", child_findings(j, r->child));
    }
    return srv_send_json(r, 200, j);
}

/* The validation page as the answer to an upload with child findings:
 * the stored submission with the sender's own child ids beside them. */
static enum MHD_Result fresh_page(struct req *r, long long sid, json_t *ids)
{
    liia_error e;
    liia_error_clear(&e);
    json_t *j;
    if (liia_app_submission(r->db, &r->s.actor, sid, &j, &e)) {
        json_decref(ids);
        return srv_error(r, &e);
    }
    add_child_ids(j, ids);
    json_decref(ids);
    return validation_page(r, sid, j, 1);
}

enum MHD_Result submission_post(struct req *r, long long id, const char *rest)
{
    liia_error e;
    liia_error_clear(&e);
    int rc;
    if (!strcmp(rest, "explain"))
        rc = liia_app_explain(r->db, &r->s.actor, id, srv_field_id(r, "finding"),
                              srv_field(r, "note"), &e);
    else if (!strcmp(rest, "signoff"))
        rc = liia_app_sign_off(r->db, &r->s.actor, id, &e);
    else
        return srv_send_json(r, 404, json_pack("{s:s}", "error", "not found"));
    if (rc)
        return srv_error(r, &e);
    if (r->api)
        return srv_send_json(r, 200, json_pack("{s:b}", "ok", 1));
    char to[64];
    snprintf(to, sizeof to, "/submissions/%lld", id);
    return srv_redirect(r, to);
}
