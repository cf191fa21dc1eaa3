/*
 * ingest_store.c - the lifecycle's steps in the store, the same for every
 * return type: fingerprint the files, number versions, supersede, record
 * totals, findings (identifying values withheld), rule counts and
 * rejections, and the scratch database validate stages in.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "ingest_internal.h"

int ingest_finding(liia_findings *f, const char *file, long line, long col,
                   const char *column_name, liia_severity sev,
                   const char *rule_id, const char *value,
                   const char *message, const char *fix)
{
    liia_error e;
    liia_error_clear(&e);
    e.status = sev == LIIA_SEV_ERROR ? LIIA_E_DATA : LIIA_OK;
    e.severity = sev;
    liia_strlcpy(e.file, file ? file : "", sizeof e.file);
    e.line = line;
    e.column = col;
    liia_strlcpy(e.column_name, column_name ? column_name : "", sizeof e.column_name);
    if (value)
        liia_error_set_value(&e, value, strlen(value));
    liia_strlcpy(e.rule_id, rule_id, sizeof e.rule_id);
    liia_strlcpy(e.message, message, sizeof e.message);
    liia_strlcpy(e.fix, fix ? fix : "", sizeof e.fix);
    return liia_findings_add(f, &e);
}

static int hash_one(EVP_MD_CTX *md, const char *path, liia_error *e)
{
    FILE *f = fopen(path, "rb");
    unsigned char buf[1 << 15];
    size_t n;
    int ok = f != NULL;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(md, buf, n) == 1;
    if (f && ferror(f))
        ok = 0;
    if (f && fclose(f))
        ok = 0;
    if (ok)
        return 0;
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "check the file exists and you can read it");
    return liia_fail(e, LIIA_E_IO, "cannot read the file to fingerprint it");
}

int ingest_sha256_files(const char *const *files, size_t nfiles,
                        char out[65], liia_error *e)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    int rc = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -1;
    if (rc)
        liia_fail(e, LIIA_E_NOMEM, "cannot start SHA-256");
    for (size_t i = 0; !rc && i < nfiles; i++)
        rc = hash_one(md, files[i], e);
    if (!rc && (EVP_DigestFinal_ex(md, d, &dl) != 1 || dl != 32))
        rc = liia_fail(e, LIIA_E_IO, "SHA-256 failed");
    EVP_MD_CTX_free(md);
    for (unsigned i = 0; !rc && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return rc;
}

/* "a.csv + b.csv + ...": whole names only; when the rest do not fit,
 * " + N more" says so rather than a name cut in the middle. */
void ingest_file_names(const char *const *files, size_t nfiles, char *out,
                       size_t outsz)
{
    enum { MORE = 24 };   /* room kept for " + 4294967295 more" */
    out[0] = '\0';
    for (size_t i = 0; i < nfiles; i++) {
        const char *base = strrchr(files[i], '/');
        const char *name = base ? base + 1 : files[i];
        size_t at = strlen(out), need = (i ? 3 : 0) + strlen(name);
        size_t keep = i + 1 < nfiles && outsz > MORE ? MORE : 0;
        if (at + need + keep >= outsz && i > 0) {
            snprintf(out + at, outsz - at, " + %zu more", nfiles - i);
            return;
        }
        snprintf(out + at, outsz - at, "%s%s", i ? " + " : "", name);
    }
}

/* The accepted version of (la, period, type): id, version, sha256, errors;
 * all zero/empty when none. */
static int current_version(sqlite3 *db, const char *la, const char *period,
                           const char *type, long long *id, int *version,
                           char sha256[65], long long *errors, liia_error *e)
{
    sqlite3_stmt *st;
    *id = *errors = 0;
    *version = 0;
    sha256[0] = '\0';
    if (liia_db_prepare(db, "SELECT id, version, sha256, coalesce(errors, 0) FROM "
                        "submission WHERE la_code = ?1 AND period = ?2 AND "
                        "return_type = ?3 AND status = 'accepted'", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *version = sqlite3_column_int(st, 1);
        liia_strlcpy(sha256, (const char *)sqlite3_column_text(st, 2), 65);
        *errors = sqlite3_column_int64(st, 3);
    }
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the current version");
    return 0;
}

static int next_version(sqlite3 *db, const char *la, const char *period,
                        const char *type, int *next, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT coalesce(max(version), 0) + 1 FROM submission "
                        "WHERE la_code = ?1 AND period = ?2 AND return_type = ?3",
                        &st, e))
        return -1;
    sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *next = sqlite3_column_int(st, 0);
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "numbering the new version");
    return 0;
}

int ingest_identical_resend(sqlite3 *db, const char *la, const char *period,
                            const char *type, const char *sha256, int strict,
                            long long *id, int *version, liia_error *e)
{
    long long errors;
    char sha[65];
    if (current_version(db, la, period, type, id, version, sha, &errors, e))
        return -1;
    if (!*id || strcmp(sha, sha256))
        return 0;
    return strict && errors ? 0 : 1;
}

int ingest_has_accepted(sqlite3 *db, const char *la, const char *period,
                        const char *type, liia_error *e)
{
    long long id, errors;
    int version;
    char sha[65];
    if (current_version(db, la, period, type, &id, &version, sha, &errors, e))
        return -1;
    return id != 0;
}

int ingest_set_sha256(sqlite3 *db, long long id, const char *sha256, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "UPDATE submission SET sha256 = ?1 WHERE id = ?2", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "recording the files' fingerprint");
    return 0;
}

/* Runs st (bound) to completion and finalizes it. */
static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, liia_error *e)
{
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE && rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, what);
    return 0;
}

static int supersede(sqlite3 *db, long long id, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "UPDATE submission SET status = 'superseded' "
                        "WHERE id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return step_done(db, st, "superseding the previous version", e);
}

/* Inserts the submission row; version 0 means rejected.  The totals are
 * the ones known now: ingest_finish_submission sets the final ones. */
static int insert_row(sqlite3 *db, liia_ingest_result *r, const char *status,
                      liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO submission (la_code, period, return_type, "
                        "version, status, received_at, file_name, sha256, errors, "
                        "warnings, rows, supersedes) VALUES (NULLIF(?1, ''), "
                        "NULLIF(?2, ''), ?3, NULLIF(?4, 0), ?5, "
                        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?6, ?7, ?8, ?9, "
                        "?10, NULLIF(?11, 0))", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, r->la_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->return_type, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, r->version);
    sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)r->findings.errors);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)r->findings.warnings);
    sqlite3_bind_int64(st, 10, r->rows);
    sqlite3_bind_int64(st, 11, r->superseded);
    if (step_done(db, st, "recording the submission", e))
        return -1;
    r->submission_id = sqlite3_last_insert_rowid(db);
    return 0;
}

int ingest_insert_accepted(sqlite3 *db, liia_ingest_result *r, long long *old,
                           liia_error *e)
{
    int old_version;
    long long old_errors;
    char old_sha[65];
    if (current_version(db, r->la_code, r->period, r->return_type, old, &old_version,
                        old_sha, &old_errors, e) ||
        next_version(db, r->la_code, r->period, r->return_type, &r->version, e) ||
        (*old && supersede(db, *old, e)))
        return -1;
    r->superseded = *old;
    return insert_row(db, r, "accepted", e);
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Every listed finding of r; the store keeps no identifier, even a
 * malformed one: the return type says which values identify. */
static int insert_findings(sqlite3 *db, const liia_ingest_result *r,
                           const struct liia_return_ops *ops, const void *state,
                           liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO finding (submission_id, severity, tbl, line, "
                        "col, column_name, value, rule_id, message, fix, record, path) "
                        "VALUES (?1, ?2, ?3, NULLIF(?4, 0), NULLIF(?5, 0), ?6, ?7, ?8, ?9, ?10, "
                        "NULLIF(?11, 0), ?12)",
                        &st, e))
        return -1;
    static const char *const sev[] = {"error", "warning", "info"};
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < r->findings.count && rc == SQLITE_DONE; i++) {
        const liia_error *f = &r->findings.items[i];
        int withheld = f->value[0] && ops->withheld && ops->withheld(state, f);
        sqlite3_bind_int64(st, 1, r->submission_id);
        sqlite3_bind_text(st, 2, sev[f->severity], -1, SQLITE_STATIC);
        bind_opt_text(st, 3, f->table);
        sqlite3_bind_int64(st, 4, f->line);
        sqlite3_bind_int64(st, 5, f->column);
        bind_opt_text(st, 6, f->column_name);
        bind_opt_text(st, 7, withheld ? "(withheld)" : f->value);
        sqlite3_bind_text(st, 8, f->rule_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, f->message, -1, SQLITE_STATIC);
        bind_opt_text(st, 10, f->fix);
        sqlite3_bind_int64(st, 11, f->record);
        bind_opt_text(st, 12, f->path);
        rc = sqlite3_step(st);
        if (sqlite3_reset(st) != SQLITE_OK && rc == SQLITE_DONE)
            rc = SQLITE_ERROR;
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "recording the findings");
    return 0;
}

int ingest_finish_submission(sqlite3 *db, const liia_ingest_result *r,
                             const struct liia_return_ops *ops, const void *state,
                             liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "UPDATE submission SET errors = ?1, warnings = ?2, "
                        "rows = ?3 WHERE id = ?4", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)r->findings.errors);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->findings.warnings);
    sqlite3_bind_int64(st, 3, r->rows);
    sqlite3_bind_int64(st, 4, r->submission_id);
    if (step_done(db, st, "recording the submission", e) ||
        insert_findings(db, r, ops, state, e))
        return -1;
    return ingest_insert_rule_counts(db, r->submission_id, &r->rule_counts, e);
}

int ingest_record_rejection(sqlite3 *db, liia_ingest_result *r,
                            const struct liia_return_ops *ops, const void *state,
                            liia_error *e)
{
    r->version = 0;
    r->superseded = 0;
    if (liia_db_begin(db, e))
        return -1;
    if (insert_row(db, r, "rejected", e) || ingest_finish_submission(db, r, ops, state, e) ||
        liia_db_commit(db, e)) {
        liia_db_rollback(db);
        r->submission_id = 0;
        return -1;
    }
    return 0;
}

struct finding_key {
    int part;
    long line, column;
    size_t seq;
};

static int by_place(const void *a, const void *b)
{
    const struct finding_key *x = a, *y = b;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The order a data lead reads the files in, whichever pass found what (a
 * rule across a child's records is found when the child ends). */
void ingest_sort_findings(liia_findings *f, const struct liia_return_ops *ops,
                          const void *state)
{
    if (!ops->rank || f->count < 2)
        return;
    struct finding_key *keys = malloc(f->count * sizeof *keys);
    if (!keys)
        return;
    for (size_t i = 0; i < f->count; i++) {
        const liia_error *x = &f->items[i];
        keys[i] = (struct finding_key){ops->rank(state, x), x->line, x->column, i};
    }
    qsort(keys, f->count, sizeof *keys, by_place);
    /* Position i takes item keys[i].seq: follow each cycle of that
     * permutation with one spare item (findings are big; no second list). */
    for (size_t i = 0; i < f->count; i++) {
        if (keys[i].seq == SIZE_MAX)
            continue;
        liia_error spare = f->items[i];
        size_t at = i;
        for (;;) {
            size_t from = keys[at].seq;
            keys[at].seq = SIZE_MAX;
            if (from == i) {
                f->items[at] = spare;
                break;
            }
            f->items[at] = f->items[from];
            at = from;
        }
    }
    free(keys);
}

/* A file SQLite deletes on close: pages beyond the cache spill there, so
 * a large file validates in bounded memory, and validating never takes
 * the store's write lock, so a data lead's check does not wait for, or
 * hold up, an ingest. */
int ingest_open_scratch(sqlite3 **out, liia_error *e)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (sqlite3_open_v2("", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        int rc = liia_db_fail(e, db, "opening a scratch database to validate in");
        sqlite3_close(db);
        return rc;
    }
    if (liia_db_exec(db, "PRAGMA foreign_keys = OFF; PRAGMA journal_mode = MEMORY; "
                         "PRAGMA synchronous = OFF", e) || liia_store_migrate(db, e)) {
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}
