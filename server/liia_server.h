/*
 * liia_server.h - the portal's HTTP front end (libmicrohttpd): server-
 * rendered pages that work without JavaScript and a JSON API under /api/,
 * both thin callers of the application layer (app/liia_app.h), which
 * enforces who may do what.
 */
#ifndef LIIA_SERVER_H
#define LIIA_SERVER_H

#include <signal.h>

#include "liia_app.h"

typedef struct liia_server_opts {
    liia_app_config app;
    const char *listen;          /* "ADDR:PORT"; NULL = 127.0.0.1:8080 */
    int insecure_listen;         /* allow plain HTTP off loopback (behind a proxy) */
    const char *tls_cert, *tls_key;  /* PEM files; both or neither */
    const char *tmp_dir;         /* uploads are staged below it */
    size_t max_upload;           /* bytes per request; 0 = 64 MiB */
    unsigned timeout_s;          /* idle connection timeout; 0 = 60 */
    /* The reverse proxy's address (as the socket shows it, e.g.
     * "127.0.0.1"); a request from it is from the last address of its
     * X-Forwarded-For.  NULL: the header is never trusted. */
    const char *trusted_proxy;
    /* Set (by a signal handler) to stop: no new connections, requests in
     * flight finish (an ingest commits or rolls back), then return. */
    const volatile sig_atomic_t *stop;
    /* Told the URL once listening, and any internal error (never shown to
     * the user); may be NULL. */
    void (*on_ready)(const char *url, void *ctx);
    void (*on_error)(const liia_error *e, void *ctx);
    void *ctx;
} liia_server_opts;

/* Serves until *o->stop; -1 with e filled if it cannot start (a usage
 * error for a refused listen address). */
int liia_server_run(const liia_server_opts *o, liia_error *e);

#endif /* LIIA_SERVER_H */
