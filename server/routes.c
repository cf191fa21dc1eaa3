/* routes.c - what each URL means: sign-in, the pages and the JSON API.
 * Every handler is a thin caller of one application-layer function; the
 * application layer decides who may do what. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_internal.h"

#define PRE_COOKIE "liia_pre"
#define SESSION_COOKIE "liia_session"

typedef enum MHD_Result (*handler)(struct req *r, long long id, const char *rest);

/* ------------------------------------------------------------ helpers */

/* SQLite's busy timeout sleeps 1, 2, 5 ... 100 ms between tries: with 33
 * uploads queueing for the one write lock most of the wait is sleep after
 * the lock is free.  The portal's writers retry every millisecond instead,
 * for the same 60 s. */
static int busy_retry(void *ctx, int tries)
{
    (void)ctx;
    if (tries >= 60000)
        return 0;
    usleep(1000);
    return 1;
}

static int open_db(struct req *r, liia_error *e)
{
    if (r->db)
        return 0;
    if (liia_store_open(r->o->app.db_path, LIIA_STORE_READWRITE, &r->db, e))
        return -1;
    sqlite3_busy_handler(r->db, busy_retry, NULL);
    return 0;
}

static int authenticate(struct req *r, liia_error *e)
{
    if (open_db(r, e) || liia_app_session(r->db, &r->o->app, srv_cookie(r, SESSION_COOKIE),
                                          r->client, &r->s, e))
        return -1;
    r->signed_in = 1;
    return 0;
}

/* Every state-changing request carries the session's CSRF token, as the
 * form field csrf or the X-CSRF-Token header. */
static int check_csrf(struct req *r, liia_error *e)
{
    const char *t = srv_field(r, "csrf");
    if (!t)
        t = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    if (liia_app_csrf_ok(&r->s, t))
        return 0;
    liia_error_fix(e, "reload the page and try again");
    e->status = LIIA_E_USAGE;
    liia_strlcpy(e->message, "the form has expired or did not come from this site",
                 sizeof e->message);
    liia_strlcpy(e->rule_id, LIIA_APP_DENIED, sizeof e->rule_id);
    (void)liia_app_audit(r->db, &r->s.actor, "csrf", r->path, "refused", NULL, e);
    return -1;
}

static int app_denied(liia_error *e, const char *msg)
{
    e->status = LIIA_E_USAGE;
    liia_strlcpy(e->rule_id, LIIA_APP_DENIED, sizeof e->rule_id);
    liia_strlcpy(e->message, msg, sizeof e->message);
    return -1;
}

static enum MHD_Result fail(struct req *r, const liia_error *e)
{
    return srv_error(r, e);
}

static const char *field_or(struct req *r, const char *key, const char *dflt)
{
    const char *v = srv_field(r, key);
    return v && *v ? v : dflt;
}

/* ------------------------------------------------------------ sign-in */

static enum MHD_Result login_form(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    char pre[65];
    liia_app_random_token(pre);
    srv_set_cookie(r, PRE_COOKIE, pre, 0);
    if (r->api)
        return srv_send_json(r, 200, json_pack("{s:s}", "csrf", pre));
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "Sign in");
    hp(&b, "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" "
           "value=\"%s\"><label for=\"name\">User name</label><input id=\"name\" name=\"name\" "
           "autocomplete=\"username\" required><label for=\"password\">Password</label><input "
           "id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" "
           "required><p><button type=\"submit\">Sign in</button></p></form>", pre);
    return html_end(&b, r, 200);
}

static enum MHD_Result login(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_error e;
    liia_error_clear(&e);
    const char *pre = srv_cookie(r, PRE_COOKIE), *sent = srv_field(r, "csrf");
    if (!pre || !sent || strlen(pre) != 64 || strcmp(pre, sent)) {
        liia_error_fix(&e, "open the sign-in page again and sign in from it");
        e.status = LIIA_E_USAGE;
        liia_strlcpy(e.message, "the sign-in form has expired", sizeof e.message);
        liia_strlcpy(e.rule_id, LIIA_APP_INVALID, sizeof e.rule_id);
        return fail(r, &e);
    }
    if (open_db(r, &e) || liia_app_sign_in(r->db, &r->o->app, srv_field(r, "name"),
                                           srv_field(r, "password"), r->client, &r->s, &e)) {
        if (!r->api && !strcmp(e.rule_id, LIIA_APP_SIGNIN)) {
            liia_buf b;
            liia_buf_init(&b);
            html_begin(&b, r, "Sign in");
            hp(&b, "<p class=\"error\" role=\"alert\">The name or password is not right.</p>"
                   "<p><a href=\"/login\">Try again</a></p>");
            return html_end(&b, r, 401);
        }
        return fail(r, &e);
    }
    r->signed_in = 1;
    srv_set_cookie(r, SESSION_COOKIE, r->s.token, 0);
    srv_set_cookie(r, PRE_COOKIE, "", 1);
    if (!r->api)
        return srv_redirect(r, "/");
    return srv_send_json(r, 200, json_pack("{s:s, s:s, s:s, s:s}", "name", r->s.actor.name,
                                           "role", liia_role_name(r->s.actor.role), "la_code",
                                           r->s.actor.la_code, "csrf", r->s.csrf));
}

static enum MHD_Result logout(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_error e;
    liia_error_clear(&e);
    if (liia_app_sign_out(r->db, &r->s, &e))
        return fail(r, &e);
    srv_set_cookie(r, SESSION_COOKIE, "", 1);
    return r->api ? srv_send_json(r, 200, json_pack("{s:b}", "ok", 1))
                  : srv_redirect(r, "/login");
}

static enum MHD_Result me(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    return srv_send_json(r, 200, json_pack("{s:s, s:s, s:s, s:b}", "name", r->s.actor.name,
                                           "role", liia_role_name(r->s.actor.role), "la_code",
                                           r->s.actor.la_code, "can_sign_off",
                                           r->s.actor.can_sign_off));
}

static enum MHD_Result css(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    char *s = strdup(srv_css);
    return srv_send(r, 200, "text/css; charset=utf-8", s, s ? strlen(s) : 0, NULL);
}

/* ------------------------------------------------------------ the quarter */

static void period_form(liia_buf *b, const char *period)
{
    hp(b, "<form method=\"get\" action=\"/\"><label for=\"period\">Quarter (e.g. 2025-03-31 or "
          "2024-25Q4)</label><input id=\"period\" name=\"period\" value=\"");
    html_esc(b, period);
    hp(b, "\"> <button type=\"submit\">Show</button></form>");
}

static void programme_forms(liia_buf *b, struct req *r, const char *period)
{
    hp(b, "<p><a href=\"/chase.csv?period=%s\">Download the chase list (CSV)</a></p>", period);
    hp(b, "<h2>Set a due date</h2><form method=\"post\" action=\"/due\">");
    html_csrf(b, r);
    hp(b, "<input type=\"hidden\" name=\"period\" value=\"%s\"><label for=\"rt\">Return</label>"
          "<select id=\"rt\" name=\"return_type\"><option>quarterly</option><option>ssda903"
          "</option></select><label for=\"due\">Due (YYYY-MM-DD)</label><input id=\"due\" "
          "name=\"due\" required><p><button type=\"submit\">Set due date</button></p></form>",
       period);
    hp(b, "<h2>Publish the quarter</h2><p>Benchmarks the quarter and writes every authority's "
          "pack; each DCS can then download theirs.</p><form method=\"post\" action=\"/publish\">");
    html_csrf(b, r);
    hp(b, "<input type=\"hidden\" name=\"period\" value=\"%s\"><button type=\"submit\">Publish "
          "%s</button></form>", period, period);
}

static enum MHD_Result home(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    static const char *const cols[] = {"short_code:Authority", "return_type:Return",
                                       "state:State", "errors:Errors", "warnings:Warnings",
                                       "unexplained:Unexplained warnings", "due:Due",
                                       "days_late:Days late", "signed_by:Signed off by", NULL};
    if (r->s.actor.role == LIIA_ROLE_ANALYST)
        return srv_redirect(r, "/query");
    liia_error e;
    liia_error_clear(&e);
    json_t *g;
    if (liia_app_grid(r->db, &r->s.actor, srv_field(r, "period"), NULL, &g, &e))
        return fail(r, &e);
    if (r->api)
        return srv_send_json(r, 200, g);
    const char *period = json_string_value(json_object_get(g, "period"));
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "The quarter");
    period_form(&b, period);
    char caption[96];
    snprintf(caption, sizeof caption, "Returns for %s",
             json_string_value(json_object_get(g, "label")));
    if (period[0])
        html_table(&b, caption, json_object_get(g, "grid"), cols, "submission_id",
                   "/submissions/");
    else
        hp(&b, "<p>Nothing has been received yet.</p>");
    if (r->s.actor.role == LIIA_ROLE_DATA_LEAD)
        hp(&b, "<p><a href=\"/upload\">Upload a return</a></p>");
    if (r->s.actor.role == LIIA_ROLE_PROGRAMME && period[0])
        programme_forms(&b, r, period);
    json_decref(g);
    return html_end(&b, r, 200);
}

static enum MHD_Result status(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_error e;
    liia_error_clear(&e);
    json_t *j;
    if (liia_app_status(r->db, &r->s.actor, srv_field(r, "period"), &j, &e))
        return fail(r, &e);
    return srv_send_json(r, 200, j);
}

static enum MHD_Result history(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    static const char *const cols[] = {"id:Id", "period:Quarter", "return_type:Return",
                                       "version:Version", "status:Status",
                                       "received_at:Received", "file_name:File",
                                       "errors:Errors", "warnings:Warnings",
                                       "signed_by:Signed off by", NULL};
    liia_error e;
    liia_error_clear(&e);
    json_t *j;
    if (liia_app_history(r->db, &r->s.actor, srv_field(r, "la"), srv_field(r, "period"), NULL,
                         &j, &e))
        return fail(r, &e);
    if (r->api)
        return srv_send_json(r, 200, j);
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "History");
    html_table(&b, "Every file received, newest quarter first", j, cols, "id", "/submissions/");
    json_decref(j);
    return html_end(&b, r, 200);
}

static enum MHD_Result due(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_error e;
    liia_error_clear(&e);
    if (liia_app_due_set(r->db, &r->s.actor, srv_field(r, "return_type"), srv_field(r, "period"),
                         srv_field(r, "due"), &e))
        return fail(r, &e);
    return r->api ? srv_send_json(r, 200, json_pack("{s:b}", "ok", 1)) : srv_redirect(r, "/");
}

static enum MHD_Result chase(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_error e;
    liia_error_clear(&e);
    char *csv;
    if (liia_app_chase_csv(r->db, &r->s.actor, srv_field(r, "period"), NULL, &csv, &e))
        return fail(r, &e);
    return srv_send(r, 200, "text/csv; charset=utf-8", csv, strlen(csv),
                    "attachment; filename=\"chase-list.csv\"");
}

static enum MHD_Result publish(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_error e;
    liia_error_clear(&e);
    json_t *j;
    if (liia_app_publish(r->db, &r->o->app, &r->s.actor, srv_field(r, "period"), &j, &e))
        return fail(r, &e);
    if (r->api)
        return srv_send_json(r, 200, j);
    json_decref(j);
    return srv_redirect(r, "/packs");
}

/* ------------------------------------------------------------ packs, audit, query */

/* "Quarter ending 2025-03-31, publication 2, published 2025-05-02 10:00:00
 * UTC (latest)", closing the previous publication's list. */
static void pack_heading(liia_buf *b, json_t *p, json_int_t previous)
{
    if (previous)
        hp(b, "</ul>");
    hp(b, "<h2>Quarter ending ");
    html_esc(b, json_string_value(json_object_get(p, "period")));
    hp(b, ", publication %lld, published ",
       (long long)json_integer_value(json_object_get(p, "publication")));
    html_esc(b, json_string_value(json_object_get(p, "published_at")));
    hp(b, " UTC%s</h2><ul>", json_is_true(json_object_get(p, "latest")) ? " (latest)" : "");
}

static enum MHD_Result packs(struct req *r, long long id, const char *rest)
{
    (void)id;
    liia_error e;
    liia_error_clear(&e);
    if (rest && *rest) {
        char *path;
        if (liia_app_pack_path(r->db, &r->s.actor, rest, &path, &e))
            return fail(r, &e);
        const char *dot = strrchr(rest, '.'), *slash = strrchr(rest, '/');
        enum MHD_Result ok = srv_send_file(
            r, path, dot && !strcmp(dot, ".pdf") ? "application/pdf"
                     : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            slash ? slash + 1 : rest);
        free(path);
        return ok;
    }
    json_t *j, *p;
    size_t i;
    if (liia_app_packs(r->db, &r->s.actor, &j, &e))
        return fail(r, &e);
    if (r->api)
        return srv_send_json(r, 200, j);
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "Benchmark packs");
    if (!json_array_size(j))
        hp(&b, "<p>No quarter has been published yet.</p>");
    json_int_t shown = 0; /* one list per publication, newest first */
    json_array_foreach(j, i, p) {
        json_int_t pub = json_integer_value(json_object_get(p, "publication"));
        if (pub != shown)
            pack_heading(&b, p, shown);
        shown = pub;
        hp(&b, "<li><a href=\"");
        html_esc(&b, json_string_value(json_object_get(p, "href")));
        hp(&b, "\">");
        html_esc(&b, json_string_value(json_object_get(p, "file")));
        hp(&b, "</a></li>");
    }
    if (shown)
        hp(&b, "</ul>");
    json_decref(j);
    return html_end(&b, r, 200);
}

static enum MHD_Result audit(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    static const char *const cols[] = {"at:When (UTC)", "actor:Who", "role:Role",
                                       "la_code:Authority", "action:Action", "target:What",
                                       "outcome:Outcome", "client:From", "detail:Detail", NULL};
    liia_error e;
    liia_error_clear(&e);
    json_t *j;
    if (liia_app_audit_list(r->db, &r->s.actor, 500, &j, &e))
        return fail(r, &e);
    if (r->api)
        return srv_send_json(r, 200, j);
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "Audit trail");
    html_table(&b, "The latest 500 actions, newest first", j, cols, NULL, NULL);
    json_decref(j);
    return html_end(&b, r, 200);
}

static enum MHD_Result query(struct req *r, long long id, const char *rest)
{
    (void)id, (void)rest;
    liia_error e;
    liia_error_clear(&e);
    const char *sql = srv_field(r, "sql");
    int json = r->api && strcmp(field_or(r, "format", "json"), "csv");
    char *text = NULL;
    int rc = 0;
    if (sql && *sql)
        rc = liia_app_query(&r->o->app, &r->s.actor, sql, json, &text, &e);
    else if (r->s.actor.role != LIIA_ROLE_ANALYST)
        rc = app_denied(&e, "only analysts run queries");
    if (rc) {
        /* A refused or bad statement is the analyst's to fix: say why. */
        if (e.status == LIIA_E_USAGE && !e.rule_id[0])
            liia_strlcpy(e.rule_id, LIIA_APP_INVALID, sizeof e.rule_id);
        if (r->api || strcmp(e.rule_id, LIIA_APP_INVALID))
            return fail(r, &e);
    }
    if (r->api)
        return srv_send(r, 200, json ? "application/json" : "text/csv; charset=utf-8", text,
                        text ? strlen(text) : 0, NULL);
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "Query");
    hp(&b, "<p>One read-only SELECT over the documented views: benchmark, indicators, measures, "
           "submissions, findings (see the analyst guide).</p><form method=\"get\" "
           "action=\"/query\"><label for=\"sql\">SQL</label><textarea id=\"sql\" name=\"sql\" "
           "rows=\"5\" cols=\"80\">");
    html_esc(&b, sql);
    hp(&b, "</textarea><p><button type=\"submit\">Run</button></p></form>");
    if (rc) {
        hp(&b, "<p class=\"error\" role=\"alert\">");
        html_esc(&b, e.message);
        hp(&b, "</p>");
    } else if (text) {
        hp(&b, "<h2>Result (CSV)</h2><pre>");
        html_esc(&b, text);
        hp(&b, "</pre>");
    }
    free(text);
    return html_end(&b, r, rc ? 400 : 200);
}

/* ------------------------------------------------------------ text */

static enum MHD_Result arg_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    const char **bad = cls;
    (void)kind;
    if (liia_app_utf8_valid(key) && liia_app_utf8_valid(value))
        return MHD_YES;
    *bad = liia_app_utf8_valid(key) ? key : "?";
    return MHD_NO;
}

/* Refuses a request whose form fields or query arguments are not UTF-8
 * (browsers send UTF-8): what a user types is stored and shown, and text
 * JSON cannot carry must not get in.  The sign-in form is let through: an
 * unknown name is answered like any other (the audit cleans it), and a
 * password is only hashed. */
static int check_utf8(struct req *r, liia_error *e)
{
    const char *bad = NULL;
    if (!strcmp(r->path, "/login") || !strcmp(r->path, "/api/login"))
        return 0;
    for (size_t i = 0; !bad && i < r->nfields; i++)
        if (!liia_app_utf8_valid(r->fields[i].key) ||
            !liia_app_utf8_valid(r->fields[i].val.data))
            bad = liia_app_utf8_valid(r->fields[i].key) ? r->fields[i].key : "?";
    if (!bad)
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_utf8, &bad);
    if (!bad)
        return 0;
    liia_error_fix(e, "type the text again (or paste it as plain text) and send the form "
                      "from the portal's page");
    e->status = LIIA_E_USAGE;
    snprintf(e->message, sizeof e->message, "the field '%.40s' is not valid UTF-8 text", bad);
    liia_strlcpy(e->rule_id, LIIA_APP_INVALID, sizeof e->rule_id);
    return -1;
}

/* ------------------------------------------------------------ table */

struct route {
    const char *method, *path; /* path ending in '/' matches a prefix */
    handler fn;
    int auth, csrf;
};

static const struct route routes[] = {
    {"GET", "/style.css", css, 0, 0},
    {"GET", "/login", login_form, 0, 0},
    {"POST", "/login", login, 0, 0},
    {"POST", "/logout", logout, 1, 1},
    {"GET", "/", home, 1, 0},
    {"GET", "/me", me, 1, 0},
    {"GET", "/grid", home, 1, 0},
    {"GET", "/status", status, 1, 0},
    {"GET", "/history", history, 1, 0},
    {"GET", "/upload", upload_form, 1, 0},
    {"POST", "/upload", upload, 1, 1},
    {"POST", "/submissions", upload, 1, 1},
    {"GET", "/submissions/", submission, 1, 0},
    {"POST", "/submissions/", submission_post, 1, 1},
    {"POST", "/due", due, 1, 1},
    {"GET", "/chase.csv", chase, 1, 0},
    {"POST", "/publish", publish, 1, 1},
    {"GET", "/packs", packs, 1, 0},
    {"GET", "/packs/", packs, 1, 0},
    {"GET", "/audit", audit, 1, 0},
    {"GET", "/query", query, 1, 0},
};

static const struct route *find_route(const char *path, const char *method, long long *id,
                                      const char **rest, int *path_known);

int srv_preflight(struct req *r, enum MHD_Result *answer)
{
    long long id;
    const char *rest;
    int known;
    liia_error e;
    liia_error_clear(&e);
    const struct route *rt = find_route(r->api ? r->path + 4 : r->path, r->method, &id, &rest,
                                        &known);
    if (!rt || !rt->auth)
        return 0; /* answered once the body is in (a 404, 405, the sign-in) */
    if (authenticate(r, &e) || (rt->fn == upload && liia_app_may_upload(r->db, &r->s.actor, &e))) {
        *answer = fail(r, &e);
        return 1;
    }
    r->accept_files = rt->fn == upload;
    return 0;
}

/* "/submissions/12/explain" against "/submissions/": id 12, rest
 * "explain"; "/packs/2/X.pdf" against "/packs/": rest "2/X.pdf". */
static int match(const struct route *rt, const char *path, long long *id, const char **rest)
{
    size_t n = strlen(rt->path);
    *id = 0;
    *rest = NULL;
    if (rt->path[n - 1] != '/' || n == 1)
        return !strcmp(path, rt->path);
    if (strncmp(path, rt->path, n) || !path[n])
        return 0;
    *rest = path + n;
    if (!strcmp(rt->path, "/packs/"))
        return 1; /* "FILE" or "N/FILE": liia_app_pack_path checks */
    if (strcmp(rt->path, "/submissions/"))
        return strchr(*rest, '/') == NULL;
    char *end;
    *id = strtoll(*rest, &end, 10);
    if (*id <= 0 || (*end && *end != '/'))
        return 0;
    *rest = *end ? end + 1 : end;
    return 1;
}

/* The route of path and method (NULL if none); *path_known: some route
 * has the path, with another method. */
static const struct route *find_route(const char *path, const char *method, long long *id,
                                      const char **rest, int *path_known)
{
    *path_known = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(&routes[i], path, id, rest))
            continue;
        *path_known = 1;
        if (!strcmp(routes[i].method, method))
            return &routes[i];
    }
    return NULL;
}

/* The methods a path takes, for the Allow header: "GET, HEAD", "POST"... */
static const char *allowed(const char *path)
{
    int get = 0, post = 0;
    long long id;
    const char *rest;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (match(&routes[i], path, &id, &rest)) {
            get |= !strcmp(routes[i].method, "GET");
            post |= !strcmp(routes[i].method, "POST");
        }
    return get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : "POST";
}

enum MHD_Result srv_route(struct req *r)
{
    const char *path = r->api ? r->path + 4 : r->path;
    liia_error e;
    liia_error_clear(&e);
    if (r->bad_body) {
        liia_error_fix(&e, "send at most %d files (the tables of one return) and plain form "
                           "fields", SRV_MAX_FILES);
        e.status = LIIA_E_USAGE;
        liia_strlcpy(e.message, r->too_many_files ? "too many files in one upload"
                                                  : "the request body could not be read",
                     sizeof e.message);
        liia_strlcpy(e.rule_id, LIIA_APP_INVALID, sizeof e.rule_id);
        return fail(r, &e);
    }
    if (check_utf8(r, &e))
        return fail(r, &e);
    long long id;
    const char *rest;
    int path_known;
    /* HEAD is GET without the body (libmicrohttpd leaves the body out). */
    const char *method = strcmp(r->method, "HEAD") ? r->method : "GET";
    const struct route *rt = find_route(path, method, &id, &rest, &path_known);
    if (rt) {
        if (rt->auth && !r->signed_in && authenticate(r, &e))
            return fail(r, &e);
        if (rt->csrf && check_csrf(r, &e))
            return fail(r, &e);
        return rt->fn(r, id, rest);
    }
    if (path_known)
        return srv_not_allowed(r, allowed(path));
    liia_strlcpy(e.rule_id, LIIA_APP_NOT_FOUND, sizeof e.rule_id);
    liia_strlcpy(e.message, "not found", sizeof e.message);
    e.status = LIIA_E_USAGE;
    return fail(r, &e);
}
