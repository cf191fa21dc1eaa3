/* store.c - the SQLite store: open, pragmas, migrations, small helpers. */
#define _GNU_SOURCE   /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "liia_core.h"
#include "migrations.h"

/* Long enough for a 33-authority ingest queue; short enough that a stuck
 * writer is reported rather than waited on forever. */
enum { BUSY_TIMEOUT_MS = 60000 };

/* Why the store (or SQLite's temporary files) could not be written, in
 * words a data lead can act on, into cause[size]; "" when SQLite's own
 * message says all there is.  SQLite keeps no errno for a failed write,
 * so what can be seen is looked at: a file size limit on this process, a
 * nearly full disk under the store. */
static void os_cause(sqlite3 *db, char *cause, size_t size)
{
    int code = sqlite3_extended_errcode(db) & 0xff;
    cause[0] = '\0';
    if (code != SQLITE_IOERR && code != SQLITE_FULL)
        return;
    struct rlimit lim;
    if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
        snprintf(cause, size, " (files this process writes may not grow past %llu KB: "
                 "ulimit -f)", (unsigned long long)lim.rlim_cur / 1024);
        return;
    }
    const char *path = sqlite3_db_filename(db, "main");
    char dir[4096];
    struct statvfs fs;
    if (!path || !path[0] || strlen(path) >= sizeof dir)
        return;
    memcpy(dir, path, strlen(path) + 1);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir] = '\0';   /* "/x.db" -> "/" */
    if (statvfs(slash ? dir : ".", &fs) == 0 &&
        (unsigned long long)fs.f_bavail * fs.f_frsize < (64ull << 20))
        snprintf(cause, size, " (%llu MB free on the disk that holds the store)",
                 (unsigned long long)fs.f_bavail * fs.f_frsize >> 20);
}

/* The fix for a failed SQLite call, from its error code. */
static void db_fix(liia_error *e, sqlite3 *db)
{
    int code = sqlite3_extended_errcode(db) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        liia_error_fix(e, "another liia-bench process is writing to the store; "
                          "try again when it has finished");
    else if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN)
        liia_error_fix(e, "check the store path (--db or $LIIA_DB) and that you "
                          "may write to it and its folder");
    else if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        liia_error_fix(e, "the store file is damaged or is not a liia-bench "
                          "store; restore it from a backup");
    else if (code == SQLITE_IOERR || code == SQLITE_FULL)
        liia_error_fix(e, "make room on the disk that holds the store (while a command "
                          "writes, its -wal file beside the store grows by what is "
                          "written) and in the temporary folder, or lift the limit on "
                          "file size if one is set, then run the command again");
}

int liia_db_fail(liia_error *e, sqlite3 *db, const char *what)
{
    int code = sqlite3_extended_errcode(db);
    char cause[160];
    os_cause(db, cause, sizeof cause);
    db_fix(e, db);
    return liia_fail(e, code == SQLITE_INTERRUPT ? LIIA_E_INTERRUPTED : LIIA_E_DB,
                     "%s: %s%s", what, sqlite3_errmsg(db), cause);
}

int liia_db_exec(sqlite3 *db, const char *sql, liia_error *e)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    char cause[160];
    os_cause(db, cause, sizeof cause);
    liia_fail(e, LIIA_E_DB, "database error: %s%s", msg ? msg : sqlite3_errmsg(db), cause);
    db_fix(e, db);
    sqlite3_free(msg);
    return -1;
}

int liia_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
                    liia_error *e)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
        return 0;
    *st = NULL;
    return liia_db_fail(e, db, "preparing statement");
}

int liia_db_begin(sqlite3 *db, liia_error *e)
{
    return liia_db_exec(db, "BEGIN IMMEDIATE", e);
}

int liia_db_commit(sqlite3 *db, liia_error *e)
{
    if (liia_db_exec(db, "COMMIT", e)) {
        liia_db_rollback(db);
        return -1;
    }
    return 0;
}

void liia_db_start_writeback(sqlite3 *db)
{
#ifdef __linux__
    /* A read-only descriptor of our own: SQLite's are not ours to use, and
     * starting write-back of a file's dirty pages changes nothing it reads
     * or promises (its sync at commit still waits for every page). */
    sqlite3_filename name = sqlite3_db_filename(db, "main");
    /* an in-memory or temporary store has no name, nor a WAL */
    const char *wal = name && name[0] ? sqlite3_filename_wal(name) : NULL;
    int fd = wal && wal[0] ? open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
    if (fd >= 0) {
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        close(fd);
    }
#else
    (void)db;
#endif
}

void liia_db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int liia_store_meta_get(sqlite3 *db, const char *name, char *out, size_t outsz,
                        liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT value FROM store_meta WHERE name = ?1", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        liia_strlcpy(out, (const char *)sqlite3_column_text(st, 0), outsz);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : liia_db_fail(e, db, "reading store_meta");
}

int liia_store_meta_set(sqlite3 *db, const char *name, const char *value,
                        liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO store_meta (name, value) VALUES (?1, ?2) "
                        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        &st, e))
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : liia_db_fail(e, db, "writing store_meta");
}

int liia_store_latest_version(void)
{
    return liia_migration_count
               ? liia_migrations[liia_migration_count - 1].version
               : 0;
}

int liia_store_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Migration 210: every stored pseudonym cut to its first LIIA_PID_BYTES,
 * as ingest now stores them, so that stored children keep linking.  In C
 * because the tables with a child_pid column are not a fixed list (a
 * return's schema adds its parts' tables at its first ingest). */
static int shorten_pids(sqlite3 *db, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c "
                        "WHERE m.type = 'table' AND c.name = 'child_pid' ORDER BY 1", &st, e))
        return -1;
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        /* a table's name from the schema itself (names cannot be bound,
         * so quoted with %w); the length is bound */
        char *sql = sqlite3_mprintf("UPDATE \"%w\" SET child_pid = substr(child_pid, 1, ?1) "
                                    "WHERE length(child_pid) > ?1",
                                    (const char *)sqlite3_column_text(st, 0));
        sqlite3_stmt *up = NULL;
        rc = !sql ? liia_fail(e, LIIA_E_NOMEM, "out of memory") : liia_db_prepare(db, sql, &up, e);
        sqlite3_free(sql);
        if (!rc && (sqlite3_bind_int(up, 1, LIIA_PID_BYTES) != SQLITE_OK ||
                    sqlite3_step(up) != SQLITE_DONE))
            rc = liia_db_fail(e, db, "cutting the stored pseudonyms to 16 bytes");
        sqlite3_finalize(up);
    }
    if (!rc && step != SQLITE_DONE)
        rc = liia_db_fail(e, db, "listing the tables of pseudonyms");
    sqlite3_finalize(st);
    return rc;
}

/* What a migration needs done in C after its SQL (by version). */
static int migration_code(sqlite3 *db, int version, liia_error *e)
{
    return version == 210 ? shorten_pids(db, e) : 0;
}

static int apply_migration(sqlite3 *db, const struct liia_migration *m,
                           liia_error *e)
{
    if (liia_db_begin(db, e))
        return -1;
    /* Another process may have migrated while we waited for the lock. */
    if (liia_store_version(db) >= m->version) {
        liia_db_rollback(db);
        return 0;
    }
    char *set = sqlite3_mprintf("PRAGMA user_version = %d", m->version);
    if (!set) {
        liia_db_rollback(db);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    int rc = liia_db_exec(db, m->sql, e);
    if (!rc)
        rc = migration_code(db, m->version, e);
    if (!rc)
        rc = liia_db_exec(db, set, e);
    sqlite3_free(set);
    if (rc) {
        liia_db_rollback(db);
        char why[sizeof e->message];
        liia_strlcpy(why, e->message, sizeof why);
        return liia_fail(e, LIIA_E_DB, "migration %s failed: %s", m->name, why);
    }
    return liia_db_commit(db, e);
}

/* liia_unhex(text): the bytes a hex string spells, NULL if it is not one.
 * Migration 005 needs it; SQLite's own unhex() arrived in 3.41. */
static void unhex_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *t = sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    if (!t || n % 2) {
        sqlite3_result_null(ctx);
        return;
    }
    unsigned char *out = sqlite3_malloc(n / 2 + 1);
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    for (int i = 0; i < n; i++) {
        int c = t[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) {
            sqlite3_free(out);
            sqlite3_result_null(ctx);
            return;
        }
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] << 4 | d : d);
    }
    sqlite3_result_blob(ctx, out, n / 2, sqlite3_free);
}

int liia_store_migrate(sqlite3 *db, liia_error *e)
{
    int have = liia_store_version(db);
    if (have > liia_store_latest_version()) {
        liia_error_fix(e, "use the liia-bench version that created this store, "
                          "or a newer one");
        return liia_fail(e, LIIA_E_DB, "the store is at version %d, newer than "
                         "this liia-bench understands (%d)", have,
                         liia_store_latest_version());
    }
    if (sqlite3_create_function(db, "liia_unhex", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                NULL, unhex_fn, NULL, NULL) != SQLITE_OK)
        return liia_db_fail(e, db, "registering liia_unhex");
    for (size_t i = 0; i < liia_migration_count; i++)
        if (liia_migrations[i].version > have &&
            apply_migration(db, &liia_migrations[i], e))
            return -1;
    return 0;
}

/* An empty file made by hand (touch liia.db) before init: it is made
 * owner-only as init's own file would be.  A store with rows keeps the mode
 * its operator gave it. */
static int private_if_empty(const char *path, liia_error *e)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return 0;   /* SQLite's open says what is wrong with it */
    int rc = 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0 &&
        (sb.st_mode & 077) && fchmod(fd, 0600) != 0) {
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "make the file readable by its owner only (chmod 600), or "
                          "remove it and let init create it");
        rc = liia_fail(e, LIIA_E_IO, "cannot make the store private: %s", strerror(errno));
    }
    close(fd);
    return rc;
}

/* Creates the file with owner-only permissions before SQLite sees it; SQLite
 * gives its -wal and -shm files the same mode. */
static int create_private(const char *path, liia_error *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return private_if_empty(path, e);
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "check the store path (--db or $LIIA_DB) and that "
                          "its folder exists and is writable");
        return liia_fail(e, LIIA_E_IO, "cannot create the store: %s",
                         strerror(errno));
    }
    return close(fd) ? liia_fail(e, LIIA_E_IO, "cannot create the store: %s",
                                 strerror(errno))
                     : 0;
}

static int not_a_store(liia_error *e, const char *what)
{
    liia_error_fix(e, "check that --db (or $LIIA_DB) names the liia-bench store; "
                      "this file is something else and is left as it is");
    return liia_fail(e, LIIA_E_IO, "not a liia-bench store: %s", what);
}

/* A store in WAL mode needs its folder writable even to be read (SQLite
 * creates the -wal and -shm files beside it). */
static int read_only(liia_error *e)
{
    liia_error_fix(e, "check the permissions of the store file and of its folder "
                      "(SQLite writes its -wal and -shm files there), or use a store "
                      "you may write to (--db or $LIIA_DB)");
    return liia_fail(e, LIIA_E_IO, "the store is read-only for this user");
}

/* Says what the file is before anything reads versions from it or writes
 * to it: another program's file, or another program's SQLite database,
 * must be neither called "version -1" nor migrated. */
static int identify(sqlite3 *db, liia_error *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    long tables = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOTADB)
        return not_a_store(e, "not an SQLite database");
    if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_READONLY)
        return read_only(e);
    if (rc != SQLITE_ROW)
        return liia_db_fail(e, db, "cannot read the store");
    if (tables > 0 && liia_store_version(db) == 0)
        return not_a_store(e, "an SQLite database of another program");
    return 0;
}

static int configure(sqlite3 *db, liia_store_mode mode, liia_error *e)
{
    if (sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS) != SQLITE_OK)
        return liia_db_fail(e, db, "setting busy timeout");
    if (liia_db_exec(db, "PRAGMA foreign_keys = ON", e) || identify(db, e))
        return -1;
    if (mode == LIIA_STORE_READONLY)
        return 0;
    /* SQLite opens a file it may not write read-only without a word; the
     * first write would then fail deep in whatever ran first. */
    if (sqlite3_db_readonly(db, "main") == 1)
        return read_only(e);
    /* 16 KB pages for a new store (a no-op on one that has tables): an
     * SSDA903 ingest reads its stored rows back through the WAL for the
     * SQL rules, a pread per page once the cache is full; at 4 KB that
     * was a fifth more CPU at 10^6 episodes (docs/performance.md). */
    return liia_db_exec(db, "PRAGMA page_size = 16384;"
                            "PRAGMA journal_mode = WAL;"
                            "PRAGMA synchronous = NORMAL", e);
}

int liia_store_open(const char *path, liia_store_mode mode, sqlite3 **out,
                    liia_error *e)
{
    *out = NULL;
    struct stat sb;
    if (mode != LIIA_STORE_CREATE && stat(path, &sb) != 0) {
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "run 'liia-bench init' first, or point --db (or "
                          "$LIIA_DB) at an existing store");
        return liia_fail(e, LIIA_E_IO, "no store here");
    }
    if (mode == LIIA_STORE_CREATE && create_private(path, e))
        return -1;
    int flags = mode == LIIA_STORE_READONLY ? SQLITE_OPEN_READONLY
                                            : SQLITE_OPEN_READWRITE;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        liia_strlcpy(e->file, path, sizeof e->file);
        int rc = liia_db_fail(e, db, "cannot open the store");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_extended_result_codes(db, 1);
    if (configure(db, mode, e) ||
        (mode != LIIA_STORE_READONLY && liia_store_migrate(db, e))) {
        liia_strlcpy(e->file, path, sizeof e->file);
        sqlite3_close(db);
        return -1;
    }
    if (mode == LIIA_STORE_READONLY &&
        liia_store_version(db) != liia_store_latest_version()) {
        int have = liia_store_version(db);
        sqlite3_close(db);
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "run 'liia-bench init' to bring the store up to date");
        return liia_fail(e, LIIA_E_DB, "the store is at version %d; this "
                         "liia-bench needs version %d", have,
                         liia_store_latest_version());
    }
    *out = db;
    return 0;
}

void liia_store_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}
