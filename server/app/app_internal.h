/* app_internal.h - what the application layer's files share. */
#ifndef LIIA_APP_INTERNAL_H
#define LIIA_APP_INTERNAL_H

#include "liia_app.h"

/* Fills e as an access error (status LIIA_E_USAGE, rule_id one of the
 * LIIA_APP_* ids) and returns -1. */
int app_refuse(liia_error *e, const char *rule, const char *fmt, ...) LIIA_PRINTF(3, 4);

/* text.c: s as valid UTF-8 (each invalid byte U+FFFD), malloc'd; NULL
 * when out of memory. */
char *app_utf8_dup(const char *s);
/* Binds s to parameter i, cleaned to valid UTF-8 if it is not (the store
 * never gets bytes that JSON cannot carry); an SQLite result code. */
int app_bind_text(sqlite3_stmt *st, int i, const char *s);

/* The authority-scoped roles. */
int app_scoped(const liia_actor *a);
/* May a see authority la's own data (submissions, findings, history)? */
int app_sees_la(const liia_actor *a, const char *la);
/* Is a's role one of roles (0-terminated)?  The operator always is. */
int app_allowed(const liia_actor *a, const liia_role *roles);
/* Refuses (and audits) unless a's role is one of the given; roles is a
 * 0-terminated list. */
int app_require(sqlite3 *db, const liia_actor *a, const char *action,
                const liia_role *roles, liia_error *e);

/* The audit entry for a refusal or failure, keeping e as it is. */
void app_audit_error(sqlite3 *db, const liia_actor *a, const char *action,
                     const char *target, const liia_error *e);

/* A column as text ("" for NULL) and a row as a JSON object keyed by
 * column name (integers stay integers, NULL stays null). */
const char *app_text(sqlite3_stmt *st, int i);
json_t *app_row_json(sqlite3_stmt *st);
/* Runs a prepared statement, appending each row to a new array in *out;
 * finalizes st.  what names the query in an error. */
int app_rows_json(sqlite3 *db, sqlite3_stmt *st, json_t **out, const char *what,
                  liia_error *e);

/* The latest period with any submission into period (11 bytes, "" if
 * none), or the canonical form of given. */
int app_period(sqlite3 *db, const char *given, char period[11], liia_error *e);

/* Resolves la, loading the reference data first on a fresh store. */
int app_resolve_la(sqlite3 *db, const char *la, char gss[10], liia_error *e);

/* Reads one submission's authority (gss "" when unattributed); -1 with
 * LIIA_APP_NOT_FOUND when absent or not visible to a. */
int app_submission_la(sqlite3 *db, const liia_actor *a, long long id,
                      char gss[10], liia_error *e);

/* Child-level returns (children.c): adds "child", the pseudonym (32 hex
 * digits) of the child on the finding's stored row, or null, to each
 * finding of submission sid; nothing for a one-file return. */
int app_findings_children(sqlite3 *db, const char *return_type, long long sid,
                          json_t *findings, liia_error *e);

/* *yes: is return_type a child-level return (its schema has tables, none
 * of whose files names an authority)? */
int app_child_level(const char *return_type, int *yes, liia_error *e);

/* Refuses (LIIA_APP_DENIED) a scoped actor's one-file upload whose file
 * names an authority the actor may not act for (attribution.c); o is the
 * ingest's options.  Needs liia_ingest.h. */
struct liia_ingest_options;
int app_check_attribution(sqlite3 *db, const liia_actor *a, const char *return_type,
                          const char *const *files, size_t nfiles,
                          const struct liia_ingest_options *o, liia_error *e);

/* Held around every workbook or pack written: libxlsxwriter formats its
 * "created" date with gmtime(), whose buffer is process-wide, and pango's
 * font caches are not for concurrent use; the portal writes from many
 * threads. */
void app_report_lock(void);
void app_report_unlock(void);

#endif
