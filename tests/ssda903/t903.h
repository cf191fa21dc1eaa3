/* t903.h - scratch stores and fixture files for the SSDA903 tests. */
#ifndef T903_H
#define T903_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liia_core.h"
#include "liia_ingest.h"
#include "ssda903.h"

static const char T903_HEADER_COLS[] = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
static const char T903_EPISODE_COLS[] =
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n";
static const char T903_UASC_COLS[] = "CHILD,SEX,DOB,DUC\n";

/* Copies a file (a schema file into a test's own schema folder). */
static inline int t903_copy_file(const char *from, const char *to)
{
    char *text = NULL;
    size_t len = 0;
    liia_error e;
    liia_error_clear(&e);
    if (liia_read_file(from, &text, &len, &e))
        return -1;
    FILE *f = fopen(to, "w");
    int rc = f && fwrite(text, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    free(text);
    return rc;
}

struct t903 {
    char db_path[512], key_path[512];
    sqlite3 *db;
};

/* A fresh store with reference data and a platform key under SCRATCH_DIR. */
static inline int t903_open(struct t903 *t, const char *name)
{
    liia_error e;
    liia_error_clear(&e);
    snprintf(t->db_path, sizeof t->db_path, "%s/%s.db", SCRATCH_DIR, name);
    snprintf(t->key_path, sizeof t->key_path, "%s/%s.key", SCRATCH_DIR, name);
    char wal[600];
    unlink(t->db_path);
    snprintf(wal, sizeof wal, "%s-wal", t->db_path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", t->db_path);
    unlink(wal);
    unlink(t->key_path);
    int created = 0;
    if (liia_store_open(t->db_path, LIIA_STORE_CREATE, &t->db, &e) ||
        liia_reference_load(t->db, SCHEMA_DIR, NULL, &e) ||
        liia_key_create(t->key_path, &created, &e)) {
        liia_error_print(stderr, &e);
        return -1;
    }
    return 0;
}

static inline void t903_close(struct t903 *t)
{
    liia_store_close(t->db);
    t->db = NULL;
}

/* Writes cols + rows to SCRATCH_DIR/name and returns the path (static). */
static inline const char *t903_file(const char *name, const char *cols, const char *rows)
{
    static char paths[4][512];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 512, "%s/%s", SCRATCH_DIR, name);
    FILE *f = fopen(p, "w");
    if (!f)
        return NULL;
    fputs(cols, f);
    fputs(rows, f);
    if (fclose(f))
        return NULL;
    return p;
}

/* One SSDA903 submission through the lifecycle (liia_ingest_submission):
 * 0 when accepted (or unchanged), -1 with e->status LIIA_E_DATA when
 * rejected (r->outcome says so too), -1 with e filled on failure. */
static inline int t903_submit(sqlite3 *db, const liia_ingest_options *o,
                              const char *const *files, size_t n,
                              liia_ingest_result *r, liia_error *e)
{
    liia_error_clear(e);
    if (liia_ingest_submission(db, "ssda903", files, n, o, r, e))
        return -1;
    if (r->outcome != LIIA_INGEST_REJECTED)
        return 0;
    return liia_fail(e, LIIA_E_DATA, "SSDA903 submission rejected");
}

/* Ingests header/episodes[/uasc] rows for CAM: t903_submit's answer. */
static inline int t903_ingest(struct t903 *t, const char *period, const char *header,
                       const char *episodes, const char *uasc, int strict,
                       liia_ingest_result *r, liia_error *e)
{
    const char *files[3];
    size_t n = 0;
    files[n++] = t903_file("header.csv", T903_HEADER_COLS, header);
    files[n++] = t903_file("episodes.csv", T903_EPISODE_COLS, episodes);
    if (uasc)
        files[n++] = t903_file("uasc.csv", T903_UASC_COLS, uasc);
    liia_ingest_options o = {.la = "CAM", .period = period, .key_path = t->key_path,
                             .schema_dir = SCHEMA_DIR, .strict = strict};
    return t903_submit(t->db, &o, files, n, r, e);
}

/* Line of the first finding with this rule id, or 0. */
static inline long t903_finding_line(const liia_ingest_result *r, const char *rule)
{
    for (size_t i = 0; i < r->findings.count; i++)
        if (!strcmp(r->findings.items[i].rule_id, rule))
            return r->findings.items[i].line;
    return 0;
}

static inline const liia_error *t903_finding(const liia_ingest_result *r, const char *rule)
{
    for (size_t i = 0; i < r->findings.count; i++)
        if (!strcmp(r->findings.items[i].rule_id, rule))
            return &r->findings.items[i];
    return NULL;
}

/* The first column of the first row; ?1 and ?2 are bound to id1, id2. */
static inline long t903_count_ids(sqlite3 *db, const char *sql, long long id1,
                                  long long id2)
{
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_bind_parameter_count(st) >= 1)
            sqlite3_bind_int64(st, 1, id1);
        if (sqlite3_bind_parameter_count(st) >= 2)
            sqlite3_bind_int64(st, 2, id2);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

static inline long t903_count(sqlite3 *db, const char *sql)
{
    return t903_count_ids(db, sql, 0, 0);
}

#endif
