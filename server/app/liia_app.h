/*
 * liia_app.h - the application layer: what a person may do with the
 * platform, as library calls that take an actor and enforce access.
 *
 * The CLI calls these as the operator (a shell on the server: every
 * right); the portal (server/) calls them as the signed-in user.  Results
 * come back as jansson objects for either front end to render, errors as
 * the one liia_error.  Nothing here prints or reads the environment.
 *
 * Access: a data lead or DCS sees only their own authority's submissions,
 * findings, history and packs; something of another authority is reported
 * exactly as if it did not exist (LIIA_APP_NOT_FOUND), so an error never
 * tells one authority about another.  The programme team sees everything
 * and runs the quarter; an analyst has only the read-only query.  Every
 * action, refused or not, is written to the audit table.
 */
#ifndef LIIA_APP_H
#define LIIA_APP_H

#include <time.h>

#include <jansson.h>

#include "liia_core.h"

typedef enum liia_role {
    LIIA_ROLE_NONE = 0,
    LIIA_ROLE_OPERATOR,   /* the command line on the server */
    LIIA_ROLE_DATA_LEAD,  /* one authority: uploads, explains warnings */
    LIIA_ROLE_DCS,        /* one authority: signs off, downloads the pack */
    LIIA_ROLE_PROGRAMME,  /* LIIA programme team: all authorities, runs the quarter */
    LIIA_ROLE_ANALYST,    /* read-only query over the documented views */
} liia_role;

typedef struct liia_actor {
    liia_role role;
    long long user_id;    /* 0 for the operator */
    char name[64];
    char la_code[10];     /* GSS code for data_lead and dcs, else "" */
    int can_sign_off;     /* a data lead with delegated sign-off */
    char client[64];      /* where the request came from, for the audit */
} liia_actor;

/* Rule ids of access errors (e->rule_id), for the front ends to map onto
 * exit codes or HTTP statuses.  Their status is LIIA_E_USAGE. */
#define LIIA_APP_SIGNIN "APP-SIGNIN"       /* not signed in, or bad name/password */
#define LIIA_APP_LOCKED "APP-LOCKED"       /* too many failed sign-ins */
#define LIIA_APP_DENIED "APP-DENIED"       /* the role may not do this */
#define LIIA_APP_NOT_FOUND "APP-NOTFOUND"  /* absent, or not yours */
#define LIIA_APP_INVALID "APP-INVALID"     /* a malformed request */
#define LIIA_APP_CONFLICT "APP-CONFLICT"   /* not in a state that allows it */

/* Where the application finds what is not in the store. */
typedef struct liia_app_config {
    const char *db_path;
    const char *key_path;    /* platform key for child-level returns */
    const char *packs_dir;   /* publications are written below it */
    const char *schema_dir;  /* NULL = liia_schema_dir() */
    /* Where a one-file (aggregate) return's findings workbook is kept,
     * <findings_dir>/<submission id>.xlsx; NULL = none are written.  Never
     * for child-level returns: the workbook copies the submitted rows. */
    const char *findings_dir;
    /* A session ends after this many minutes without a request (as well
     * as LIIA_APP_SESSION_HOURS after sign-in); 0 = the default. */
    int session_idle_minutes;
    /* The clock sessions are timed by, seconds since the epoch; NULL =
     * time().  Tests inject one to move time without sleeping. */
    time_t (*clock)(void);
} liia_app_config;

/* Once per process, before any other call (libsodium). */
int liia_app_init(liia_error *e);

/* The command line's actor: every right, audited as "operator". */
void liia_actor_operator(liia_actor *a, const char *client);
const char *liia_role_name(liia_role r);
/* "data_lead", "dcs", "programme", "analyst"; -1 otherwise. */
int liia_role_parse(const char *s, liia_role *r);

/* ------------------------------------------------------------ text */

/* Text people send must be UTF-8: jansson cannot carry anything else, so
 * one stored invalid byte would break every page that shows it. */
int liia_app_utf8_valid(const char *s);
/* The number of characters (code points) of s; an invalid byte counts one. */
size_t liia_app_utf8_length(const char *s);
/* s into out (sz > 0 bytes) as valid UTF-8: every byte that starts no
 * valid sequence becomes U+FFFD; a character that does not fit is left
 * out whole, never cut. */
void liia_app_utf8_clean(const char *s, char *out, size_t sz);
/* A JSON string of s (NULL = ""), cleaned as above if need be: never
 * fails on the text itself, NULL only when out of memory. */
json_t *liia_app_json_text(const char *s);

/* ------------------------------------------------------------ accounts */

#define LIIA_APP_PASSWORD_MIN 12
#define LIIA_APP_PASSWORD_MAX 256

/* Adds an account; data_lead and dcs need la (any accepted form).  password
 * NULL leaves the account unable to sign in until reset. */
int liia_app_user_add(sqlite3 *db, const liia_actor *by, const char *name,
                      liia_role role, const char *la, int can_sign_off,
                      const char *password, liia_error *e);
/* Sets a new password, clears any lockout, re-enables the account and ends
 * its sessions. */
int liia_app_user_reset(sqlite3 *db, const liia_actor *by, const char *name,
                        const char *password, liia_error *e);
/* Disables an account and ends its sessions. */
int liia_app_user_disable(sqlite3 *db, const liia_actor *by, const char *name,
                          liia_error *e);
/* [{name, role, la_code, short_code, can_sign_off, disabled, locked_until,
 *   created_at}] (never a hash). */
int liia_app_user_list(sqlite3 *db, const liia_actor *by, json_t **out,
                       liia_error *e);
/* A random password of 20 characters from an unambiguous alphabet. */
void liia_app_random_password(char out[21]);

/* ------------------------------------------------------------ sessions */

typedef struct liia_session {
    liia_actor actor;
    char token[65];   /* hex; only its SHA-256 is stored */
    char csrf[65];    /* hex; must accompany every state-changing request */
} liia_session;

#define LIIA_APP_SESSION_HOURS 8        /* absolute: from sign-in */
#define LIIA_APP_SESSION_IDLE_MINUTES 30 /* default idle limit */
#define LIIA_APP_SESSION_IDLE_MAX (LIIA_APP_SESSION_HOURS * 60)
#define LIIA_APP_LOCK_AFTER 5          /* failures in a row lock an account */
#define LIIA_APP_LOCK_MINUTES 15
#define LIIA_APP_CLIENT_FAILURES 20    /* per client per LOCK_MINUTES */

/* Checks the password (Argon2id) and opens a session.  Unknown names,
 * wrong passwords and disabled accounts are one error (LIIA_APP_SIGNIN),
 * and take the same time; a locked account or a client with too many
 * failures gets LIIA_APP_LOCKED. */
int liia_app_sign_in(sqlite3 *db, const liia_app_config *c, const char *name,
                     const char *password, const char *client, liia_session *out,
                     liia_error *e);
/* Finds the live session of a token (LIIA_APP_SIGNIN if none, or if it
 * was signed in LIIA_APP_SESSION_HOURS ago, or has been idle for
 * c->session_idle_minutes) and notes the request (to the minute: at most
 * one write a minute per session). */
int liia_app_session(sqlite3 *db, const liia_app_config *c, const char *token,
                     const char *client, liia_session *out, liia_error *e);
int liia_app_sign_out(sqlite3 *db, const liia_session *s, liia_error *e);
/* Constant-time comparison of a submitted CSRF token with the session's. */
int liia_app_csrf_ok(const liia_session *s, const char *token);
/* Random hex token (64 characters), e.g. for a pre-sign-in form. */
void liia_app_random_token(char out[65]);

/* ------------------------------------------------------------ audit */

/* Records one action; outcome is "ok", "refused" or "failed". */
int liia_app_audit(sqlite3 *db, const liia_actor *a, const char *action,
                   const char *target, const char *outcome,
                   const char *detail, liia_error *e);
/* The latest `limit` entries, newest first: programme team only. */
int liia_app_audit_list(sqlite3 *db, const liia_actor *a, int limit,
                        json_t **out, liia_error *e);

/* ------------------------------------------------------------ use cases */

/* The submission grid for a period ("" or NULL = latest), as `status
 * --json`, restricted to the actor's authority for data_lead/dcs. */
int liia_app_status(sqlite3 *db, const liia_actor *a, const char *period,
                    json_t **out, liia_error *e);
/* The grid with its filters: each row also says whether the return is
 * due this quarter (expected: due, optional, not due; state missing only
 * when due), its due date and days late as of today (schemas/returns.json,
 * or the date the programme team set), and the authority's contact. */
typedef struct liia_app_status_opts {
    const char *period;      /* "" or NULL = latest */
    const char *today;       /* YYYY-MM-DD; NULL = today */
    const char *return_type; /* NULL = every return type */
    int missing_only;        /* only returns due and not accepted */
} liia_app_status_opts;
int liia_app_status_grid(sqlite3 *db, const liia_actor *a, const liia_app_status_opts *o,
                         json_t **out, liia_error *e);
/* Every version received for an authority (la NULL = the actor's own),
 * oldest quarter last, each with its due date, days late and the
 * authority's contact (liia_returns_history, engine/returns.c); since (YYYY-MM-DD, or NULL) keeps only what was
 * received on or after it, and with no la and an unscoped actor lists every
 * authority's files in arrival order (each row carries la_code). */
int liia_app_history(sqlite3 *db, const liia_actor *a, const char *la,
                     const char *period, const char *since, json_t **out,
                     liia_error *e);
/* One stored submission in the shape of one `ingest --json` result, plus
 * each finding's id and explanation and the sign-off; for a child-level
 * return each finding also has "child", its row's child's pseudonym (or
 * null). */
int liia_app_submission(sqlite3 *db, const liia_actor *a, long long id,
                        json_t **out, liia_error *e);

/* One child of a child-level submission, named by its pseudonym (the 32
 * hex digits "child" of each finding, or a unique prefix of at least 12
 * as liia_app_child_resolve takes: never a raw identifier): the child's
 * stored rows of each table, {submission_id, child, tables: [{table,
 * columns, stored, rows: [{line, cells}], truncated}]}, at most 500 rows a
 * table.  stored[i] is false for a column the return only checks (UPN);
 * its cells, and a cell that failed its own check, are null.  Rows are kept for the current version only: a superseded
 * version's child has none. */
int liia_app_child(sqlite3 *db, const liia_actor *a, long long id, const char *child,
                   json_t **out, liia_error *e);

/* A child of submission id named by all 32 hex digits of its pseudonym, or
 * by a prefix of at least 12 (what the validation page shows) that only
 * one child of the submission's stored rows has: the 32 digits, upper
 * case, into full.  LIIA_APP_INVALID for anything else, saying whether no
 * child or several begin so. */
int liia_app_child_resolve(sqlite3 *db, const liia_actor *a, long long id, const char *child,
                           char full[65], liia_error *e);

typedef struct liia_app_upload {
    const char *const *files;   /* paths of the uploaded tables */
    size_t nfiles;
    const char *return_type;    /* NULL = recognised from the header */
    const char *la;             /* NULL = the actor's own authority */
    const char *period;         /* required for child-level returns */
} liia_app_upload;

/* The one JSON form of a finding, shared by `ingest --json` and the
 * portal: {file, line, column, column_name, severity, rule_id, value,
 * message, fix}. */
json_t *liia_app_finding_json(const liia_error *f);

/* 0 if a may upload a return (a data lead, or the operator); else refuses
 * (LIIA_APP_DENIED) and audits.  The portal asks before it reads an
 * upload's body, so nobody else can make it stage a file. */
int liia_app_may_upload(sqlite3 *db, const liia_actor *a, liia_error *e);

/* Validates and stores one submission (data lead of its authority, or the
 * operator).  *out is the `ingest --json` result object.  0 whenever the
 * data was judged, rejected or not. */
int liia_app_submit(sqlite3 *db, const liia_app_config *c, const liia_actor *a,
                    const liia_app_upload *u, json_t **out, liia_error *e);

/* The findings workbook of a submission (its rows with the failing cells
 * highlighted and commented, and every finding), if the actor may see the
 * submission and one was written (caller frees). */
int liia_app_findings_xlsx(sqlite3 *db, const liia_app_config *c, const liia_actor *a,
                           long long id, char **path, liia_error *e);

/* Explains one warning of an accepted version (the authority's data lead
 * or DCS). */
int liia_app_explain(sqlite3 *db, const liia_actor *a, long long submission_id,
                     long long finding_id, const char *note, liia_error *e);
/* Signs off an accepted version with no errors and every warning
 * explained (the authority's DCS, or a data lead with delegated sign-off). */
int liia_app_sign_off(sqlite3 *db, const liia_actor *a, long long submission_id,
                      liia_error *e);

/* ------------------------------------------------------------ the quarter */

/* Programme team: the due date (YYYY-MM-DD) of a return for a quarter. */
int liia_app_due_set(sqlite3 *db, const liia_actor *a, const char *return_type,
                     const char *period, const char *due, liia_error *e);
/* Every authority x return (the actor's own for a data lead/DCS): the
 * rows of liia_returns_grid (engine/returns.c, the grid `status` prints:
 * what schemas/returns.json makes due, due date, days late, contact) with
 * "state" the workflow state (not due, not sent, rejected, errors to fix,
 * awaiting explanation, awaiting sign-off, signed off) and "return_state"
 * status's state; days late as of today (YYYY-MM-DD; NULL = today). */
int liia_app_grid(sqlite3 *db, const liia_actor *a, const char *period,
                  const char *today, json_t **out, liia_error *e);
/* The grid's cells that are due and not signed off, as CSV (caller frees). */
int liia_app_chase_csv(sqlite3 *db, const liia_actor *a, const char *period,
                       const char *today, char **csv, liia_error *e);
/* Programme team: benchmarks the quarter and writes every pack into a new
 * publication directory below c->packs_dir. */
int liia_app_publish(sqlite3 *db, const liia_app_config *c, const liia_actor *a,
                     const char *period, json_t **out, liia_error *e);
/* The pack files the actor may download, of every publication, newest
 * first: [{period, publication, published_at, file, la_code, latest, href}]. */
int liia_app_packs(sqlite3 *db, const liia_actor *a, json_t **out,
                   liia_error *e);
/* The path of one pack file, if the actor may have it (caller frees):
 * "FILE" of the latest publication of its period, or "N/FILE" of
 * publication N (kept unchanged when the quarter is published again). */
int liia_app_pack_path(sqlite3 *db, const liia_actor *a, const char *file,
                       char **path, liia_error *e);

/* Analysts (and the operator): one read-only SELECT over the documented
 * views, as CSV or JSON text (caller frees). json selects the format. */
int liia_app_query(const liia_app_config *c, const liia_actor *a,
                   const char *sql, int json, char **text, liia_error *e);

/* Consistent copy of the store at dest while it is in use (SQLite online
 * backup); dest must not exist.  Operator only. */
int liia_app_backup(const char *db_path, const liia_actor *a, const char *dest,
                    liia_error *e);

#endif /* LIIA_APP_H */
