/*
 * ingest_store.c - what every return type does the same way: fingerprint
 * the files, number versions, supersede, record findings and rejections.
 */
#include <stdlib.h>
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

void ingest_file_names(const char *const *files, size_t nfiles, char *out,
                       size_t outsz)
{
    out[0] = '\0';
    for (size_t i = 0; i < nfiles; i++) {
        const char *base = strrchr(files[i], '/');
        size_t at = strlen(out);
        snprintf(out + at, outsz - at, "%s%s", i ? " + " : "", base ? base + 1 : files[i]);
    }
}

int ingest_current_version(sqlite3 *db, const char *la, const char *period,
                           const char *type, long long *id, int *version,
                           char sha256[65], liia_error *e)
{
    sqlite3_stmt *st;
    *id = 0;
    *version = 0;
    sha256[0] = '\0';
    if (liia_db_prepare(db, "SELECT id, version, sha256 FROM submission WHERE "
                        "la_code = ?1 AND period = ?2 AND return_type = ?3 "
                        "AND status = 'accepted'", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *version = sqlite3_column_int(st, 1);
        liia_strlcpy(sha256, (const char *)sqlite3_column_text(st, 2), 65);
    }
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the current version");
    return 0;
}

int ingest_next_version(sqlite3 *db, const char *la, const char *period,
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

static int errors_of(sqlite3 *db, long long id, long long *errors, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT errors FROM submission WHERE id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *errors = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the accepted version");
    return 0;
}

int ingest_identical_resend(sqlite3 *db, const char *la, const char *period,
                            const char *type, const char *sha256, int strict,
                            long long *id, int *version, liia_error *e)
{
    long long errors = 0;
    char sha[65];
    if (ingest_current_version(db, la, period, type, id, version, sha, e))
        return -1;
    if (!*id || strcmp(sha, sha256))
        return 0;
    if (strict && errors_of(db, *id, &errors, e))
        return -1;
    return errors ? 0 : 1;
}

int ingest_supersede(sqlite3 *db, long long id, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "UPDATE submission SET status = 'superseded' "
                        "WHERE id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "superseding the previous version");
    return 0;
}

/* Inserts the submission row; version 0 means rejected. */
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
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "recording the submission");
    r->submission_id = sqlite3_last_insert_rowid(db);
    return 0;
}

int ingest_insert_accepted(sqlite3 *db, liia_ingest_result *r, liia_error *e)
{
    long long old;
    int old_version;
    char old_sha[65];
    if (ingest_current_version(db, r->la_code, r->period, r->return_type, &old,
                               &old_version, old_sha, e) ||
        ingest_next_version(db, r->la_code, r->period, r->return_type, &r->version, e) ||
        (old && ingest_supersede(db, old, e)))
        return -1;
    r->superseded = old;
    return insert_row(db, r, "accepted", e);
}

int ingest_insert_findings(sqlite3 *db, const liia_ingest_result *r, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO finding (submission_id, severity, tbl, line, "
                        "col, column_name, value, rule_id, message, fix, record, path) "
                        "VALUES (?1, ?2, NULLIF(?3, ''), NULLIF(?4, 0), NULLIF(?5, 0), "
                        "NULLIF(?6, ''), ?7, ?8, ?9, ?10, NULLIF(?11, 0), NULLIF(?12, ''))",
                        &st, e))
        return -1;
    static const char *const sev[] = {"error", "warning", "info"};
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < r->findings.count && rc == SQLITE_DONE; i++) {
        const liia_error *f = &r->findings.items[i];
        sqlite3_bind_int64(st, 1, r->submission_id);
        sqlite3_bind_text(st, 2, sev[f->severity], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, f->table, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, f->line);
        sqlite3_bind_int64(st, 5, f->column);
        sqlite3_bind_text(st, 6, f->column_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, f->value, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, f->rule_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, f->message, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, f->fix, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 11, f->record);
        sqlite3_bind_text(st, 12, f->path, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (sqlite3_reset(st) != SQLITE_OK && rc == SQLITE_DONE)
            rc = SQLITE_ERROR;
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "recording the findings");
    return 0;
}

int ingest_record_rejection(sqlite3 *db, liia_ingest_result *r, liia_error *e)
{
    r->version = 0;
    r->superseded = 0;
    if (liia_db_begin(db, e))
        return -1;
    if (insert_row(db, r, "rejected", e) || ingest_insert_findings(db, r, e) ||
        liia_db_commit(db, e)) {
        liia_db_rollback(db);
        r->submission_id = 0;
        return -1;
    }
    return 0;
}
