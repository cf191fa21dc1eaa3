/* server_internal.h - what the HTTP front end's files share. */
#ifndef LIIA_SERVER_INTERNAL_H
#define LIIA_SERVER_INTERNAL_H

#include <microhttpd.h>

#include "liia_server.h"

/* Files in one upload: the tables of the largest child-level return (SSDA903
 * has 11 and its engine takes up to 27), one open staging file at a time;
 * the whole body stays within --max-upload-mb, so every file does too. */
#define SRV_MAX_FILES 16
#define SRV_MAX_FIELDS 16
#define SRV_FIELD_MAX 65536

struct srv_field {
    char key[32];
    liia_buf val;
};

struct srv_file {
    char name[128];   /* sanitised base name, as recorded */
    char *path;
};

/* One request: its body as parsed so far, then who is asking. */
struct req {
    const liia_server_opts *o;
    struct MHD_Connection *conn;
    char method[8];
    char path[512];
    int api, tls;
    char client[64];
    struct MHD_PostProcessor *pp;
    size_t body_bytes;
    int too_large, bad_body, too_many_files;
    int accept_files; /* an upload route, its sender allowed to upload */
    char tmpdir[512];
    struct srv_file files[SRV_MAX_FILES];
    size_t nfiles;
    int cur_fd;
    struct srv_field fields[SRV_MAX_FIELDS];
    size_t nfields;
    char set_cookie[2][256];
    sqlite3 *db;
    liia_session s;
    int signed_in;
    char child[65]; /* the child filter's pseudonym, all 32 digits once resolved */
};

/* http.c: bodies, cookies, responses */
const char *srv_field(struct req *r, const char *key);  /* form field or query arg */
const char *srv_cookie(struct req *r, const char *name);
void srv_set_cookie(struct req *r, const char *name, const char *value, int clear);
/* Queues a response; takes ownership of body (malloc'd). */
enum MHD_Result srv_send(struct req *r, unsigned status, const char *ctype, char *body,
                         size_t len, const char *disposition);
enum MHD_Result srv_send_json(struct req *r, unsigned status, json_t *j);
enum MHD_Result srv_redirect(struct req *r, const char *to);
enum MHD_Result srv_send_file(struct req *r, const char *path, const char *ctype,
                              const char *name);
/* 405 with the Allow header ("GET, HEAD"): JSON under /api/, else a page. */
enum MHD_Result srv_not_allowed(struct req *r, const char *allow);
/* The response for an error from the application layer. */
enum MHD_Result srv_error(struct req *r, const liia_error *e);
void srv_internal(struct req *r, const liia_error *e);

/* A positive integer form field or query argument, else 0. */
long long srv_field_id(struct req *r, const char *key);

/* routes.c */
enum MHD_Result srv_route(struct req *r);
/* Before a POST body is read: signs the request in and, for an upload,
 * checks that its sender may upload.  1 with *answer queued when it
 * refused (the body is never read, no file staged); 0 to read the body. */
int srv_preflight(struct req *r, enum MHD_Result *answer);

/* submission_pages.c: upload, the validation page, explain, sign off */
enum MHD_Result upload_form(struct req *r, long long id, const char *rest);
enum MHD_Result upload(struct req *r, long long id, const char *rest);
enum MHD_Result submission(struct req *r, long long id, const char *rest);
enum MHD_Result submission_post(struct req *r, long long id, const char *rest);

/* pages.c: HTML */
/* Appends formatted text; out of memory cuts the page short. */
void hp(liia_buf *b, const char *fmt, ...) LIIA_PRINTF(2, 3);
void html_esc(liia_buf *b, const char *s);
void html_begin(liia_buf *b, struct req *r, const char *title);
enum MHD_Result html_end(liia_buf *b, struct req *r, unsigned status);
/* A table of rows (JSON objects); cols are "key:Heading" pairs, NULL-ended;
 * link_key/link_prefix make the first column a link to prefix + the key's
 * integer value. */
void html_table(liia_buf *b, const char *caption, json_t *rows, const char *const *cols,
                const char *link_key, const char *link_prefix);
void html_csrf(liia_buf *b, struct req *r);
extern const char srv_css[];

#endif
