/* packs.c - publishing a quarter (bench + every pack, kept per
 * publication) and handing each authority its own pack. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "app_internal.h"
#include "liia_engine.h"
#include "liia_report.h"

static int make_dir(const char *path, liia_error *e)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    liia_strlcpy(e->file, path, sizeof e->file);
    return liia_fail(e, LIIA_E_IO, "cannot create a directory: %s", strerror(errno));
}

#define PUBLICATION_DIR_TRIES 1000

/* packs_dir/<period>/<n>, n from one more than the publications so far, and
 * created here (mkdir is the lock): two publications at once, or one after
 * a publication that failed and left its folder, never share a folder. */
static int publication_dir(sqlite3 *db, const liia_app_config *c, const char *period,
                           char *dir, size_t sz, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT ifnull(max(id), 0) + 1 FROM publication", &st, e))
        return -1;
    int rc = sqlite3_step(st);
    long long n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "numbering a publication");
    snprintf(dir, sz, "%s/%s", c->packs_dir, period);
    if (make_dir(c->packs_dir, e) || make_dir(dir, e))
        return -1;
    long long first = n;
    for (int i = 0; i < PUBLICATION_DIR_TRIES; i++, n++) {
        snprintf(dir, sz, "%s/%s/%lld", c->packs_dir, period, n);
        if (mkdir(dir, 0700) == 0)
            return 0;
        if (errno != EEXIST)
            return make_dir(dir, e);
    }
    /* Not an internal fault: the programme team can act on it, so it is a
     * conflict they are told about (a 500 would hide the fix), naming the
     * folders by period and number, not by the server's path. */
    liia_fail(e, LIIA_E_IO, "%d publication folders in a row already exist for %s "
              "(%lld to %lld), left by publications that failed", PUBLICATION_DIR_TRIES,
              period, first, n - 1);
    liia_strlcpy(e->rule_id, LIIA_APP_CONFLICT, sizeof e->rule_id);
    liia_error_fix(e, "move the folders %s/%lld onwards out of the packs folder (no "
                   "recorded publication uses them), then publish again", period, first);
    return -1;
}

static int record(sqlite3 *db, const liia_actor *a, const char *period, const char *dir,
                  long long *id, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO publication (period, published_by, published_at, dir) "
                            "VALUES (?1, ?2, datetime('now'), ?3)", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, dir, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "recording a publication");
    *id = sqlite3_last_insert_rowid(db);
    return 0;
}

#define PUBLISH_ATTEMPTS 3

/* Did the report refuse benchmarks older than the returns in the store? */
static int stale(const liia_error *e)
{
    return e->status == LIIA_E_DATA && strstr(e->message, "older than the returns");
}

int liia_app_publish(sqlite3 *db, const liia_app_config *c, const liia_actor *a,
                     const char *period_in, json_t **out, liia_error *e)
{
    static const liia_role who[] = {LIIA_ROLE_PROGRAMME, 0};
    char period[11], dir[1024], today[11];
    time_t now = time(NULL);
    struct tm tm;
    strftime(today, sizeof today, "%Y-%m-%d", gmtime_r(&now, &tm));
    liia_report_result res;
    memset(&res, 0, sizeof res);
    long long id = 0;
    if (app_require(db, a, "publish a quarter", who, e))
        return -1;
    int rc = period_in && period_in[0] ? app_period(db, period_in, period, e)
                                       : app_refuse(e, LIIA_APP_INVALID, "name the quarter");
    if (!rc)
        rc = liia_engine_load_catalogue(db, c->schema_dir ? c->schema_dir : liia_schema_dir(), e);
    if (!rc)
        rc = publication_dir(db, c, period, dir, sizeof dir, e);
    liia_report_opts o = {.period = period, .all = 1, .out_dir = dir, .produced = today};
    /* The packs read one snapshot of the store, which must hold the
     * benchmarks of every return in it: a return accepted between the
     * bench and the snapshot (authorities upload while the programme team
     * publishes) makes the report refuse them as stale, and benchmarking
     * again catches up. */
    for (int attempt = 0; !rc && attempt < PUBLISH_ATTEMPTS; attempt++) {
        rc = liia_engine_bench(db, NULL, NULL, e);
        if (!rc) {
            app_report_lock();
            rc = liia_report_packs(db, &o, &res, e);
            app_report_unlock();
        }
        if (!rc || !stale(e))
            break;
        if (attempt + 1 < PUBLISH_ATTEMPTS) {
            liia_error_clear(e);
            rc = 0;
        } else {
            liia_error_fix(e, "returns keep arriving: publish again in a few minutes");
            liia_strlcpy(e->rule_id, LIIA_APP_CONFLICT, sizeof e->rule_id);
        }
    }
    if (!rc)
        rc = record(db, a, period, dir, &id, e);
    if (rc) {
        app_audit_error(db, a, "publish", period_in, e);
        return -1;
    }
    *out = json_pack("{s:I, s:s, s:i, s:i}", "publication", (json_int_t)id, "period", period,
                     "packs", res.packs, "overviews", res.overviews);
    if (!*out)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return liia_app_audit(db, a, "publish", period, "ok", NULL, e);
}

/* Every file of every publication: each authority's two and the London
 * overview (la_code ''), with whether the publication is its period's
 * latest.  Publications are kept, so a pack once downloaded can be fetched
 * again unchanged after the quarter is published anew. */
#define PACK_FILES_SQL                                                                       \
    "WITH f AS (SELECT p.id AS publication, p.period, p.published_at, p.dir, "               \
    "  a.short_code || '_' || p.period || '_benchmark.' || x.ext AS file, "                  \
    "  a.gss_code AS la_code FROM publication p CROSS JOIN authority a CROSS JOIN "          \
    "  (SELECT 'xlsx' AS ext UNION ALL SELECT 'pdf') x "                                     \
    "UNION ALL SELECT p.id, p.period, p.published_at, p.dir, "                               \
    "  'London_' || p.period || '_overview.xlsx', '' FROM publication p), "                  \
    "l AS (SELECT period, max(id) AS id FROM publication GROUP BY period) "

/* For an authority-scoped actor its own two files of each publication, for
 * the programme team every file; newest publication first. */
static const char packs_sql[] =
    PACK_FILES_SQL
    "SELECT f.period, f.publication, f.published_at, f.file, nullif(f.la_code, '') AS la_code, "
    "  CASE WHEN f.publication = l.id THEN 'true' ELSE 'false' END AS latest, "
    "  '/packs/' || f.publication || '/' || f.file AS href "
    "FROM f JOIN l ON l.period = f.period WHERE ?1 = '' OR f.la_code = ?1 "
    "ORDER BY f.period DESC, f.publication DESC, f.la_code, f.file";

int liia_app_packs(sqlite3 *db, const liia_actor *a, json_t **out, liia_error *e)
{
    static const liia_role who[] = {LIIA_ROLE_DATA_LEAD, LIIA_ROLE_DCS, LIIA_ROLE_PROGRAMME, 0};
    sqlite3_stmt *st;
    if (app_require(db, a, "see packs", who, e) || liia_db_prepare(db, packs_sql, &st, e))
        return -1;
    sqlite3_bind_text(st, 1, app_scoped(a) ? a->la_code : "", -1, SQLITE_STATIC);
    if (app_rows_json(db, st, out, "listing packs", e))
        return -1;
    /* "latest" as a JSON boolean, not SQLite's text */
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row) {
        const char *l = json_string_value(json_object_get(row, "latest"));
        if (json_object_set_new(row, "latest", json_boolean(l && !strcmp(l, "true")))) {
            json_decref(*out);
            *out = NULL;
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
    }
    return 0;
}

/* "FILE" (the latest publication of its period) or "N/FILE" (publication
 * N): the publication asked for, 0 for the latest, and the file name. */
static const char *split_pack(const char *name, long long *publication)
{
    *publication = 0;
    const char *slash = strchr(name, '/');
    if (!slash)
        return name;
    long long n = 0;
    for (const char *c = name; c < slash; c++) {
        if (*c < '0' || *c > '9' || n > 1000000000LL)
            return NULL;
        n = n * 10 + (*c - '0');
    }
    if (n <= 0 || strchr(slash + 1, '/'))
        return NULL;
    *publication = n;
    return slash + 1;
}

/* The publication directory and authority of a pack file name, if it is
 * one the actor may have. */
static int find_pack(sqlite3 *db, const liia_actor *a, const char *name, char *dir, size_t sz,
                     const char **file, liia_error *e)
{
    long long publication;
    *file = split_pack(name, &publication);
    if (!*file)
        return app_refuse(e, LIIA_APP_NOT_FOUND, "no such pack");
    sqlite3_stmt *st;
    if (liia_db_prepare(db, PACK_FILES_SQL "SELECT f.dir, f.la_code FROM f JOIN l ON "
                            "l.period = f.period WHERE f.file = ?1 AND f.publication = "
                            "CASE WHEN ?2 > 0 THEN ?2 ELSE l.id END", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, *file, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, publication);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
    char la[10] = "";
    if (found) {
        liia_strlcpy(dir, app_text(st, 0), sz);
        liia_strlcpy(la, app_text(st, 1), sizeof la);
    }
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "finding a pack");
    /* The London overview shows every authority unsuppressed: programme
     * team only.  Another authority's pack is "not found". */
    int may = found && (la[0] ? app_sees_la(a, la)
                              : a->role == LIIA_ROLE_PROGRAMME || a->role == LIIA_ROLE_OPERATOR);
    return may ? 0 : app_refuse(e, LIIA_APP_NOT_FOUND, "no such pack");
}

int liia_app_pack_path(sqlite3 *db, const liia_actor *a, const char *file, char **path,
                       liia_error *e)
{
    static const liia_role who[] = {LIIA_ROLE_DATA_LEAD, LIIA_ROLE_DCS, LIIA_ROLE_PROGRAMME, 0};
    char dir[1024];
    const char *base = NULL;
    struct stat sb;
    *path = NULL;
    int rc = app_require(db, a, "download packs", who, e);
    if (!rc && find_pack(db, a, file, dir, sizeof dir, &base, e))
        rc = -1;
    if (!rc && !(*path = liia_path_join(dir, base)))
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (!rc && stat(*path, &sb) != 0)
        rc = app_refuse(e, LIIA_APP_NOT_FOUND, "no such pack");
    if (rc) {
        free(*path);
        *path = NULL;
        app_audit_error(db, a, "download", file, e);
        return -1;
    }
    return liia_app_audit(db, a, "download", file, "ok", NULL, e);
}
