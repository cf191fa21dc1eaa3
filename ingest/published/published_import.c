/*
 * published_import.c - `liia-bench import`: one published file, recognised
 * by its header, mapped through its layout description into
 * published_value (or sn_model), in one transaction.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "published_internal.h"
#include "../ingest_internal.h"

/* ------------------------------------------------------------ recognition */

typedef struct sniff {
    const pub_descs *d;
    unsigned char cand[64]; /* layouts whose columns the header has */
    int ncand, chosen;
    int value_col[64];
} sniff;

static int unrecognised(const pub_descs *d, liia_error *e)
{
    liia_buf b;
    liia_buf_init(&b);
    for (size_t i = 0; i < d->count; i++)
        if (liia_buf_appendf(&b, "%s%s", i ? ", " : "", d->items[i].id)) {
            liia_buf_free(&b);
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
    e->line = 1;
    liia_error_fix(e, "import takes DfE/ONS open-data CSV files in a known layout: %s "
                      "(schemas/published/*.json; a new layout is a new description there)",
                   b.data);
    liia_buf_free(&b);
    return liia_fail(e, LIIA_E_DATA, "file not recognised: its header matches none of "
                     "the %zu published-statistics layouts", d->count);
}

static int sniff_header(sniff *s, const liia_csv_record *rec, liia_error *e)
{
    for (size_t i = 0; i < s->d->count && i < 64; i++) {
        const pub_desc *p = &s->d->items[i];
        size_t have = 0;
        while (have < p->ncolumns && pub_column(rec, p->columns[have]) >= 0)
            have++;
        s->cand[i] = have == p->ncolumns;
        s->value_col[i] = p->value_col ? pub_column(rec, p->value_col) : -1;
        if (s->cand[i]) {
            s->ncand++;
            s->chosen = (int)i;
        }
    }
    if (!s->ncand)
        return unrecognised(s->d, e);
    return s->ncand == 1; /* one candidate: stop reading */
}

/* Several layouts share a header (care leavers' activity and
 * accommodation): the first row whose filter value only one of them lists
 * decides. */
static int sniff_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    sniff *s = ctx;
    if (rec->record_no == 1)
        return sniff_header(s, rec, e);
    for (size_t i = 0; i < s->d->count && i < 64; i++) {
        const pub_desc *p = &s->d->items[i];
        int c = s->value_col[i];
        if (!s->cand[i] || c < 0 || (size_t)c >= rec->nfields)
            continue;
        for (int v = 0; v < p->nvalues; v++)
            if (!strcmp(rec->fields[c], p->values[v])) {
                s->chosen = (int)i;
                s->ncand = 1;
                return 1;
            }
    }
    return 0;
}

static int recognise(const pub_descs *d, const char *path, int *chosen, liia_error *e)
{
    sniff s = {.d = d, .chosen = -1};
    if (liia_csv_read_file(path, 0, sniff_row, &s, NULL, e))
        return -1;
    if (s.ncand > 1) { /* undecided: a layout that needs no value, if any */
        s.chosen = -1;
        for (size_t i = 0; i < d->count && i < 64; i++)
            if (s.cand[i] && !d->items[i].value_col && s.chosen < 0)
                s.chosen = (int)i;
    }
    if (s.chosen < 0) {
        liia_strlcpy(e->file, path, sizeof e->file);
        e->line = 1;
        liia_error_fix(e, "these layouts share a header and are told apart by a filter "
                          "value (schemas/published/*.json, \"recognise\": \"values\"); "
                          "check the file is complete as DfE published it");
        return liia_fail(e, LIIA_E_DATA, "file not recognised: its header fits %d layouts "
                         "and no row has a value that tells which", s.ncand);
    }
    *chosen = s.chosen;
    return 0;
}

/* ------------------------------------------------------------ versions */

/* The model year of a neighbour model file: the first 20YY in its name. */
static int model_year_of(const char *path, liia_error *e)
{
    const char *base = strrchr(path, '/');
    const char *start = base ? base + 1 : path;
    for (const char *p = start; p[0] && p[1] && p[2] && p[3]; p++)
        if (p[0] == '2' && p[1] == '0' && isdigit((unsigned char)p[2]) &&
            isdigit((unsigned char)p[3]) && !isdigit((unsigned char)p[4]) &&
            (p == start || !isdigit((unsigned char)p[-1])))
            return atoi(p);
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "name the file with its model year, as DfE does "
                      "(sn_model_2025_wide.csv)");
    return liia_fail(e, LIIA_E_DATA, "the statistical-neighbour model's year is not in "
                     "the file name");
}

/* Is the file the accepted version already?  Else supersede it and add
 * the new version. */
static int new_version(sqlite3 *db, const char *path, const char *sha,
                       liia_published_result *r, liia_error *e)
{
    sqlite3_stmt *st;
    const char *base = strrchr(path, '/');
    if (liia_db_prepare(db, "SELECT id, version, sha256 FROM published_file WHERE layout = ?1 "
                        "AND coalesce(model_year, 0) = ?2 AND status = 'accepted'", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, r->layout, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, r->model_year);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r->superseded = sqlite3_column_int64(st, 0);
        r->version = sqlite3_column_int(st, 1);
        r->unchanged = !strcmp((const char *)sqlite3_column_text(st, 2), sha);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return liia_db_fail(e, db, "reading published versions");
    if (r->unchanged) {
        r->file_id = r->superseded;
        r->superseded = 0;
        return 0;
    }
    if (liia_db_prepare(db, "UPDATE published_file SET status = 'superseded' WHERE id = ?1",
                        &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, r->superseded);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE ||
        liia_db_prepare(db, "INSERT INTO published_file (layout, model_year, version, status, "
                        "received_at, file_name, sha256, supersedes) VALUES (?1, NULLIF(?2, 0), "
                        "?3, 'accepted', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4, ?5, "
                        "NULLIF(?6, 0))", &st, e))
        return rc != SQLITE_DONE ? liia_db_fail(e, db, "superseding") : -1;
    sqlite3_bind_text(st, 1, r->layout, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, r->model_year);
    sqlite3_bind_int(st, 3, ++r->version);
    sqlite3_bind_text(st, 4, base ? base + 1 : path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, sha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, r->superseded);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return liia_db_fail(e, db, "recording the published file");
    r->file_id = sqlite3_last_insert_rowid(db);
    return 0;
}

static int finish(sqlite3 *db, const pub_desc *d, liia_published_result *r,
                  liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "UPDATE published_file SET rows = ?2, value_count = ?3, "
                        "symbol_count = ?4 WHERE id = ?1", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, r->file_id);
    sqlite3_bind_int64(st, 2, r->rows);
    sqlite3_bind_int64(st, 3, r->values);
    sqlite3_bind_int64(st, 4, r->symbols);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return liia_db_fail(e, db, "recording the published file");
    return d->population ? liia_reference_published_population(db, e) : 0;
}

static int import_in_tx(sqlite3 *db, const pub_desc *d, const char *path,
                        liia_published_result *r, liia_error *e)
{
    char sha[65];
    if (ingest_sha256_files(&path, 1, sha, e) || new_version(db, path, sha, r, e))
        return -1;
    if (r->unchanged)
        return 0;
    if (pub_rows_import(db, d, path, r, e))
        return -1;
    return finish(db, d, r, e);
}

int liia_published_import(sqlite3 *db, const char *schema_dir, const char *path,
                          liia_published_result *r, liia_error *e)
{
    pub_descs d;
    int chosen = -1;
    memset(r, 0, sizeof *r);
    if (pub_descs_load(schema_dir, &d, e))
        return -1;
    int rc = recognise(&d, path, &chosen, e);
    if (!rc) {
        const pub_desc *p = &d.items[chosen];
        liia_strlcpy(r->layout, p->id, sizeof r->layout);
        liia_strlcpy(r->title, p->title, sizeof r->title);
        if (p->nb_count && (r->model_year = model_year_of(path, e)) <= 0)
            rc = -1;
        if (!rc && !(rc = liia_db_begin(db, e))) {
            rc = import_in_tx(db, p, path, r, e);
            if (rc || liia_db_commit(db, e)) {
                liia_db_rollback(db);
                rc = -1;
            }
        }
    }
    pub_descs_free(&d);
    if (rc && !e->file[0])
        liia_strlcpy(e->file, path, sizeof e->file);
    return rc;
}
