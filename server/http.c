/* http.c - the libmicrohttpd daemon: listening, request bodies (multipart
 * uploads staged to private temporary files), limits, security headers,
 * cookies and responses; routes.c decides what each request means. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server_internal.h"

#define DEFAULT_MAX_UPLOAD ((size_t)64 << 20)
#define DRAIN_SECONDS 120

/* What the daemon's callbacks share: the options, and how many requests
 * are being handled (so a stop can wait for their answers). */
struct srv_state {
    const liia_server_opts *o;
    atomic_int inflight;
};

static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self'; "
                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* ------------------------------------------------------------ body */

static struct srv_field *field_slot(struct req *r, const char *key)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].key, key))
            return &r->fields[i];
    if (r->nfields == SRV_MAX_FIELDS || strlen(key) >= sizeof r->fields[0].key)
        return NULL;
    struct srv_field *f = &r->fields[r->nfields++];
    liia_strlcpy(f->key, key, sizeof f->key);
    liia_buf_init(&f->val);
    return f;
}

/* Base name with only [A-Za-z0-9._-]; what the submission records. */
static void safe_name(const char *in, char *out, size_t sz)
{
    const char *b = strrchr(in, '/');
    b = b ? b + 1 : in;
    const char *bs = strrchr(b, '\\'); /* a Windows browser's full path */
    b = bs ? bs + 1 : b;
    size_t n = 0;
    for (; *b && n + 1 < sz; b++)
        out[n++] = (*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z') ||
                           (*b >= '0' && *b <= '9') || *b == '.' || *b == '-' || *b == '_'
                       ? *b : '_';
    out[n] = '\0';
    if (!n || out[0] == '.')
        snprintf(out, sz, "upload%zu.csv", n);
}

static int open_upload(struct req *r, const char *filename)
{
    if (r->nfiles == SRV_MAX_FILES) {
        r->too_many_files = 1;
        return -1;
    }
    if (!r->tmpdir[0]) {
        snprintf(r->tmpdir, sizeof r->tmpdir, "%s/liia-upload-XXXXXX",
                 r->o->tmp_dir ? r->o->tmp_dir : "/tmp");
        if (!mkdtemp(r->tmpdir)) {
            r->tmpdir[0] = '\0';
            return -1;
        }
    }
    struct srv_file *f = &r->files[r->nfiles];
    safe_name(filename, f->name, sizeof f->name);
    for (size_t i = 0; i < r->nfiles; i++)
        if (!strcmp(r->files[i].name, f->name)) { /* two tables, one name */
            char renamed[sizeof f->name];
            snprintf(renamed, sizeof renamed, "%zu_%.100s", r->nfiles + 1, f->name);
            memcpy(f->name, renamed, sizeof renamed);
        }
    f->path = liia_path_join(r->tmpdir, f->name);
    if (!f->path)
        return -1;
    r->cur_fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (r->cur_fd < 0) {
        free(f->path);
        f->path = NULL;
        return -1;
    }
    r->nfiles++;
    return 0;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *ctype, const char *enc,
                                 const char *data, uint64_t off, size_t size)
{
    struct req *r = cls;
    (void)kind, (void)ctype, (void)enc;
    if (filename && !r->accept_files) { /* only an allowed upload stages files */
        r->bad_body = 1;
        return MHD_NO;
    }
    if (filename && !strcmp(key, "file")) {
        if (off == 0) {
            if (r->cur_fd >= 0)
                close(r->cur_fd);
            r->cur_fd = -1;
            if (open_upload(r, filename)) {
                r->bad_body = 1;
                return MHD_NO;
            }
        }
        while (size > 0) {
            ssize_t w = write(r->cur_fd, data, size);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                r->bad_body = 1;
                return MHD_NO;
            }
            data += w, size -= (size_t)w;
        }
        return MHD_YES;
    }
    struct srv_field *f = field_slot(r, key);
    if (!f || f->val.len + size > SRV_FIELD_MAX || liia_buf_append(&f->val, data, size)) {
        r->bad_body = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

const char *srv_field(struct req *r, const char *key)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].key, key))
            return r->fields[i].val.data;
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

long long srv_field_id(struct req *r, const char *key)
{
    const char *v = srv_field(r, key);
    char *end;
    long long n = v ? strtoll(v, &end, 10) : 0;
    return v && *v && !*end && n > 0 ? n : 0;
}

const char *srv_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void srv_set_cookie(struct req *r, const char *name, const char *value, int clear)
{
    int i = r->set_cookie[0][0] ? 1 : 0;
    snprintf(r->set_cookie[i], sizeof r->set_cookie[i],
             "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, clear ? "" : value,
             r->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

/* ------------------------------------------------------------ responses */

static void headers(struct req *r, struct MHD_Response *resp, const char *ctype)
{
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    if (r->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    for (int i = 0; i < 2; i++)
        if (r->set_cookie[i][0])
            MHD_add_response_header(resp, "Set-Cookie", r->set_cookie[i]);
}

static enum MHD_Result queue(struct req *r, unsigned status, struct MHD_Response *resp,
                             const char *ctype, const char *disposition)
{
    if (!resp)
        return MHD_NO;
    headers(r, resp, ctype);
    if (disposition)
        MHD_add_response_header(resp, "Content-Disposition", disposition);
    enum MHD_Result ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

enum MHD_Result srv_send(struct req *r, unsigned status, const char *ctype, char *body,
                         size_t len, const char *disposition)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body ? body : (char *)"",
                                        body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        free(body);
    return queue(r, status, resp, ctype, disposition);
}

enum MHD_Result srv_send_json(struct req *r, unsigned status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_INDENT(1) | JSON_ENSURE_ASCII) : NULL;
    json_decref(j);
    if (!s)
        return srv_send(r, 500, "text/plain; charset=utf-8", NULL, 0, NULL);
    return srv_send(r, status, "application/json", s, strlen(s), NULL);
}

enum MHD_Result srv_redirect(struct req *r, const char *to)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (char *)"",
                                                                MHD_RESPMEM_PERSISTENT);
    if (resp)
        MHD_add_response_header(resp, "Location", to);
    return queue(r, 303, resp, "text/plain; charset=utf-8", NULL);
}

enum MHD_Result srv_send_file(struct req *r, const char *path, const char *ctype,
                              const char *name)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return srv_send(r, 404, "text/plain; charset=utf-8", NULL, 0, NULL);
    }
    char disp[256];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
    return queue(r, 200, MHD_create_response_from_fd((uint64_t)sb.st_size, fd), ctype, disp);
}

static unsigned status_of(const liia_error *e)
{
    static const struct { const char *rule; unsigned status; } map[] = {
        {LIIA_APP_SIGNIN, 401}, {LIIA_APP_LOCKED, 429}, {LIIA_APP_DENIED, 403},
        {LIIA_APP_NOT_FOUND, 404}, {LIIA_APP_INVALID, 400}, {LIIA_APP_CONFLICT, 409},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(e->rule_id, map[i].rule))
            return map[i].status;
    return e->status == LIIA_E_USAGE || e->status == LIIA_E_DATA ? 400 : 500;
}

void srv_internal(struct req *r, const liia_error *e)
{
    if (r->o->on_error)
        r->o->on_error(e, r->o->ctx);
}

/* What a portal user can do about an error of this status, when the
 * layer below gave no fix or gave one in the command line's words. */
static const char *portal_fix(unsigned status)
{
    switch (status) {
    case 401: return "sign in again";
    case 403: return "this needs another role, or your own authority's data; ask the LIIA "
                     "programme team if you think you should have it";
    case 404: return "check the address: you see only your own authority's submissions and "
                     "packs";
    case 409: return "reload the page to see the current state of the return";
    case 429: return "wait 15 minutes, then try again";
    case 500: return "try again; if it happens again, tell the LIIA programme team the time";
    default:  return "check the form's fields and try again";
    }
}

/* The rule id and fix a portal user gets: always an APP- rule, and never
 * a command-line flag or command ("--la", "liia-bench ...") in the fix. */
static void portal_error(const liia_error *e, unsigned status, char *rule, size_t rsz,
                         const char **fix)
{
    static const struct { unsigned status; const char *rule; } rules[] = {
        {400, LIIA_APP_INVALID}, {401, LIIA_APP_SIGNIN}, {403, LIIA_APP_DENIED},
        {404, LIIA_APP_NOT_FOUND}, {409, LIIA_APP_CONFLICT}, {429, LIIA_APP_LOCKED},
    };
    snprintf(rule, rsz, "%s", "APP-INTERNAL");
    if (!strncmp(e->rule_id, "APP-", 4) && status != 500)
        snprintf(rule, rsz, "%s", e->rule_id);
    else
        for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
            if (rules[i].status == status)
                snprintf(rule, rsz, "%s", rules[i].rule);
    int cli = strstr(e->fix, "liia-bench") || strstr(e->fix, "--");
    *fix = status == 500 || !e->fix[0] || cli ? portal_fix(status) : e->fix;
}

enum MHD_Result srv_error(struct req *r, const liia_error *e)
{
    unsigned status = status_of(e);
    /* Internal errors carry paths and SQL: the log has them, the user a
     * plain sentence.  An access refusal says only what was refused. */
    const char *msg = status == 500 ? "something went wrong on the server; it has been logged"
                      : status == 404 ? "not found"
                                      : e->message;
    const char *fix;
    char rule[sizeof e->rule_id];
    portal_error(e, status, rule, sizeof rule, &fix);
    if (status == 500)
        srv_internal(r, e);
    if (!r->api && status == 401)
        return srv_redirect(r, "/login");
    if (r->api) /* the texts may quote what was sent: cleaned to UTF-8 */
        return srv_send_json(r, status, json_pack("{s:o, s:s, s:o}", "error",
                                                  liia_app_json_text(msg), "rule_id", rule,
                                                  "fix", liia_app_json_text(fix)));
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, status == 404 ? "Not found" : status == 403 ? "Not allowed"
                                                  : "That did not work");
    hp(&b, "<p class=\"error\" role=\"alert\">");
    html_esc(&b, msg);
    hp(&b, "</p><p>");
    html_esc(&b, fix);
    hp(&b, "</p><p><a href=\"/\">Back to the start page</a></p>");
    return html_end(&b, r, status);
}

enum MHD_Result srv_not_allowed(struct req *r, const char *allow)
{
    char *body = NULL;
    const char *ctype = "application/json";
    if (r->api) {
        json_t *j = json_pack("{s:s, s:s, s:o}", "error", "that method is not allowed here",
                              "rule_id", LIIA_APP_INVALID, "fix",
                              json_sprintf("send %s to this address", allow));
        body = j ? json_dumps(j, JSON_INDENT(1) | JSON_ENSURE_ASCII) : NULL;
        json_decref(j);
    } else { /* a page gets a page; html_end would queue it before the Allow header */
        liia_buf b;
        liia_buf_init(&b);
        html_begin(&b, r, "That did not work");
        hp(&b, "<p class=\"error\" role=\"alert\">This page does not take that kind of "
               "request (it takes %s).</p><p><a href=\"/\">Back to the start page</a></p>"
               "</main></body></html>\n", allow);
        body = liia_buf_detach(&b);
        ctype = "text/html; charset=utf-8";
    }
    size_t len = body ? strlen(body) : 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        free(body);
    else
        MHD_add_response_header(resp, "Allow", allow);
    return queue(r, 405, resp, ctype, NULL);
}

/* ------------------------------------------------------------ lifecycle */

static void client_of(struct MHD_Connection *c, char *out, size_t sz)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)sz);
    else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
                  (socklen_t)sz);
}

/* Behind the trusted proxy, the client is the last address of
 * X-Forwarded-For: the one the proxy itself appended (anything before it
 * the client could have written).  A missing or unreadable header leaves
 * the proxy's own address. */
static void forwarded_client(const liia_server_opts *o, struct MHD_Connection *c, char *client,
                             size_t sz)
{
    if (!o->trusted_proxy || strcmp(client, o->trusted_proxy))
        return;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    const char *last = xff ? strrchr(xff, ',') : NULL;
    last = last ? last + 1 : xff;
    char addr[64];
    unsigned char bin[sizeof(struct in6_addr)];
    if (!last)
        return;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t n = strcspn(last, " \t");
    if (n == 0 || n >= sizeof addr)
        return;
    memcpy(addr, last, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, bin) == 1)
        inet_ntop(AF_INET, bin, client, (socklen_t)sz);
    else if (inet_pton(AF_INET6, addr, bin) == 1)
        inet_ntop(AF_INET6, bin, client, (socklen_t)sz);
}

static struct req *req_new(const liia_server_opts *o, struct MHD_Connection *c,
                           const char *url, const char *method)
{
    struct req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->o = o;
    r->conn = c;
    r->cur_fd = -1;
    r->tls = o->tls_cert != NULL;
    liia_strlcpy(r->method, method, sizeof r->method);
    liia_strlcpy(r->path, url, sizeof r->path);
    r->api = !strncmp(r->path, "/api/", 5);
    client_of(c, r->client, sizeof r->client);
    forwarded_client(o, c, r->client, sizeof r->client);
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!strcmp(method, "POST") && ct &&
        (!strncasecmp(ct, "multipart/form-data", 19) ||
         !strncasecmp(ct, "application/x-www-form-urlencoded", 33)))
        r->pp = MHD_create_post_processor(c, 64 * 1024, post_iter, r);
    return r;
}

static void req_free(struct req *r)
{
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    if (r->cur_fd >= 0)
        close(r->cur_fd);
    for (size_t i = 0; i < r->nfiles; i++) {
        if (r->files[i].path)
            (void)unlink(r->files[i].path);
        free(r->files[i].path);
    }
    if (r->tmpdir[0])
        (void)rmdir(r->tmpdir);
    for (size_t i = 0; i < r->nfields; i++)
        liia_buf_free(&r->fields[i].val);
    liia_store_close(r->db);
    free(r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct srv_state *st = cls;
    (void)c, (void)toe;
    if (*con_cls) {
        req_free(*con_cls);
        atomic_fetch_sub(&st->inflight, 1);
    }
    *con_cls = NULL;
}

static size_t max_upload(const liia_server_opts *o)
{
    return o->max_upload ? o->max_upload : DEFAULT_MAX_UPLOAD;
}

static enum MHD_Result too_large(struct req *r)
{
    liia_error e;
    liia_error_clear(&e);
    liia_error_fix(&e, "upload at most %zu MB at a time", max_upload(r->o) >> 20);
    liia_strlcpy(e.message, "the upload is too large", sizeof e.message);
    liia_strlcpy(e.rule_id, "APP-TOOLARGE", sizeof e.rule_id);
    e.status = LIIA_E_USAGE;
    if (r->api)
        return srv_send_json(r, 413, json_pack("{s:s, s:s, s:s}", "error", e.message,
                                               "rule_id", e.rule_id, "fix", e.fix));
    liia_buf b;
    liia_buf_init(&b);
    html_begin(&b, r, "Upload too large");
    html_esc(&b, e.fix);
    return html_end(&b, r, 413);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *data, size_t *size, void **con_cls)
{
    struct srv_state *st = cls;
    const liia_server_opts *o = st->o;
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        if (!(r = req_new(o, c, url, method)))
            return MHD_NO;
        atomic_fetch_add(&st->inflight, 1);
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > max_upload(o))
            return too_large(r);
        enum MHD_Result answer;
        if (!strcmp(method, "POST") && srv_preflight(r, &answer)) /* before any body */
            return answer;
        return MHD_YES;
    }
    if (*size) {
        r->body_bytes += *size;
        if (r->body_bytes > max_upload(o))
            r->too_large = 1;
        else if (r->pp && !r->bad_body && MHD_post_process(r->pp, data, *size) != MHD_YES)
            r->bad_body = 1;
        *size = 0;
        return MHD_YES;
    }
    if (r->cur_fd >= 0 && close(r->cur_fd) != 0)
        r->bad_body = 1;
    r->cur_fd = -1;
    if (r->too_large)
        return too_large(r);
    return srv_route(r);
}

/* ------------------------------------------------------------ daemon */

static int is_loopback(const struct sockaddr_in *a)
{
    return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
}

static int parse_listen(const char *s, struct sockaddr_in *a, liia_error *e)
{
    char host[64];
    const char *colon = s ? strrchr(s, ':') : NULL;
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || (size_t)(colon - s) >= sizeof host || *end || port < 0 || port > 65535) {
        liia_error_fix(e, "give --listen as IPv4-ADDRESS:PORT, e.g. 127.0.0.1:8080");
        return liia_fail(e, LIIA_E_USAGE, "cannot read the listen address '%s'", s ? s : "");
    }
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
        liia_error_fix(e, "give an IPv4 address, e.g. 127.0.0.1:8080");
        return liia_fail(e, LIIA_E_USAGE, "'%s' is not an IPv4 address", host);
    }
    a->sin_port = htons((uint16_t)port);
    return 0;
}

static int load_tls(const liia_server_opts *o, char **cert, char **key, liia_error *e)
{
    size_t n;
    *cert = *key = NULL;
    if (!o->tls_cert && !o->tls_key)
        return 0;
    if (!o->tls_cert || !o->tls_key)
        return liia_fail(e, LIIA_E_USAGE, "give both --tls-cert and --tls-key");
    if (liia_read_file(o->tls_cert, cert, &n, e) || liia_read_file(o->tls_key, key, &n, e)) {
        free(*cert);
        *cert = NULL;
        return -1;
    }
    return 0;
}

int liia_server_run(const liia_server_opts *o, liia_error *e)
{
    struct sockaddr_in addr;
    char *cert = NULL, *key = NULL, url[96], host[INET_ADDRSTRLEN];
    if (parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &addr, e))
        return -1;
    if (!is_loopback(&addr) && !o->tls_cert && !o->insecure_listen) {
        liia_error_fix(e, "listen on 127.0.0.1 behind a TLS reverse proxy (docs/portal.md), "
                          "give --tls-cert and --tls-key, or say --insecure-listen");
        return liia_fail(e, LIIA_E_USAGE, "plain HTTP is served only on loopback");
    }
    if (load_tls(o, &cert, &key, e))
        return -1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ITC | (cert ? MHD_USE_TLS : 0);
    struct srv_state st = {.o = o};
    atomic_init(&st.inflight, 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, access_cb, &st, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s ? o->timeout_s : 60u,
        MHD_OPTION_CONNECTION_LIMIT, 128u, MHD_OPTION_NOTIFY_COMPLETED, completed, &st,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
        cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_END);
    if (!d) {
        free(cert);
        free(key);
        liia_error_fix(e, "is another server on that port? is the certificate valid?");
        return liia_fail(e, LIIA_E_IO, "cannot listen on %s", o->listen ? o->listen : "127.0.0.1:8080");
    }
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
    snprintf(url, sizeof url, "%s://%s:%u/", cert ? "https" : "http", host,
             (unsigned)ntohs(addr.sin_port));
    if (o->on_ready)
        o->on_ready(url, o->ctx);
    while (!o->stop || !*o->stop)
        usleep(100 * 1000);
    /* Stop accepting; let the requests being handled finish and send their
     * answers (an ingest commits or rolls back), then join the connection
     * threads.  Idle keep-alive connections are simply closed. */
    MHD_socket listen_fd = MHD_quiesce_daemon(d);
    for (int i = 0; i < DRAIN_SECONDS * 20 && atomic_load(&st.inflight) > 0; i++)
        usleep(50 * 1000);
    MHD_stop_daemon(d);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    free(cert);
    free(key);
    return 0;
}
