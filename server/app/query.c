/* query.c - the analysts' read-only query and the operator's backup. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_internal.h"
#include "liia_engine.h"

#define QUERY_TIMEOUT_MS 10000

int liia_app_query(const liia_app_config *c, const liia_actor *a, const char *sql, int json,
                   char **text, liia_error *e)
{
    *text = NULL;
    if (!(a->role == LIIA_ROLE_OPERATOR || a->role == LIIA_ROLE_ANALYST))
        return app_refuse(e, LIIA_APP_DENIED, "only analysts run queries");
    size_t len;
    FILE *f = open_memstream(text, &len);
    if (!f)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    liia_query_opts o = {.format = json ? LIIA_QUERY_JSON : LIIA_QUERY_CSV,
                         .timeout_ms = QUERY_TIMEOUT_MS};
    int rc = liia_engine_query(c->db_path, sql ? sql : "", &o, f, e);
    if (fclose(f) != 0 && !rc)
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

/* SQLite's online backup, a few pages at a time so a writer is never
 * blocked for long; restarts by itself if the source changes meanwhile. */
static int copy(sqlite3 *src, sqlite3 *dst, liia_error *e)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        return liia_db_fail(e, dst, "starting the backup");
    int rc;
    while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
           rc == SQLITE_LOCKED)
        sqlite3_sleep(rc == SQLITE_OK ? 0 : 50);
    if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE)
        return liia_db_fail(e, dst, "copying the store");
    return 0;
}

int liia_app_backup(const char *db_path, const liia_actor *a, const char *dest, liia_error *e)
{
    if (a->role != LIIA_ROLE_OPERATOR)
        return app_refuse(e, LIIA_APP_DENIED, "only the operator backs up the store");
    /* The copy holds everything the store does: owner-only from the start,
     * and never over an existing file or through a symlink. */
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    if (fd < 0 || close(fd) != 0) {
        liia_strlcpy(e->file, dest, sizeof e->file);
        liia_error_fix(e, "name a new file in an existing, writable folder");
        return liia_fail(e, LIIA_E_IO, "cannot create the backup file");
    }
    sqlite3 *src = NULL, *dst = NULL;
    int rc = liia_store_open(db_path, LIIA_STORE_READONLY, &src, e);
    if (!rc && sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        rc = liia_db_fail(e, dst, "opening the backup file");
    if (!rc)
        rc = copy(src, dst, e);
    if (!rc)
        rc = liia_db_exec(dst, "PRAGMA journal_mode = DELETE", e);
    sqlite3_close(dst);
    liia_store_close(src);
    if (rc)
        (void)unlink(dest);
    return rc;
}
