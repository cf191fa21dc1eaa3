/* The store: migrations, idempotent reference loading, authorities, key. */
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "liia_core.h"
#include "migrations.h"
#include "unit.h"

static long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void resolves(sqlite3 *db, const char *in, const char *want)
{
    char gss[10] = "";
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_authority_resolve(db, in, gss, &e), 0);
    CHECK_STR(gss, want);
}

/* A store as liia-bench left it at user_version `version`. */
static sqlite3 *store_at_version(int version)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    for (size_t i = 0; i < liia_migration_count; i++)
        if (liia_migrations[i].version <= version)
            CHECK_INT(sqlite3_exec(db, liia_migrations[i].sql, NULL, NULL, NULL), SQLITE_OK);
    char *set = sqlite3_mprintf("PRAGMA user_version = %d", version);
    CHECK_INT(sqlite3_exec(db, set, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(set);
    return db;
}

/* Migrations 005, 006 and 210 on rows an older liia-bench stored: a
 * pseudonym stored as hex becomes the same 16 bytes an ingest now stores
 * (its first 16: the child still links), and each row keeps its submission
 * and line under the integer key submission_id << 32 | line. */
static void test_old_rows_migrate(void)
{
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = store_at_version(4);
    const char *hex = "00ff10abcdef0123456789abcdef0123456789abcdef0123456789abcdef0189";
    char *sql = sqlite3_mprintf(
        "INSERT INTO cla_child (submission_id, line, child_pid, sex) VALUES (1, 2, %Q, 'M');"
        "INSERT INTO cla_child (submission_id, line, child_pid, sex) VALUES (7, 3, NULL, 'F');"
        "INSERT INTO cla_episode (submission_id, line, child_pid, decom) "
        " VALUES (1, 2, %Q, '2024-04-01');"
        "INSERT INTO cla_uasc (submission_id, line, child_pid) VALUES (1, 2, NULL);",
        hex, hex);
    CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    CHECK_INT(liia_store_migrate(db, &e), 0);
    CHECK_INT(liia_store_version(db), liia_store_latest_version());
    CHECK_INT(count(db, "SELECT count(*) FROM cla_child WHERE typeof(child_pid) = 'blob' "
                        "AND length(child_pid) = 16 AND lower(hex(child_pid)) = "
                        "'00ff10abcdef0123456789abcdef0123'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cla_episode e JOIN cla_child c "
                        "USING (child_pid)"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cla_uasc WHERE child_pid IS NULL"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cla_child WHERE submission_id = 1 AND line = 2 "
                        "AND sex = 'M' AND id = 4294967298"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cla_child WHERE submission_id = 7 AND line = 3 "
                        "AND sex = 'F' AND id = 7 * 4294967296 + 3"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cla_episode WHERE submission_id = 1 "
                        "AND line = 2 AND decom = '2024-04-01'"), 1);
    sqlite3_close(db);
}

/* Migration 210 on a store of 32-byte pseudonyms: every table with a
 * child_pid column, those of migrations (SSDA903, the CIN census) and
 * those a return's schema made at its first ingest, keeps the first 16
 * bytes of each; so a child stored before links with the same child
 * ingested after (pseudo.c writes those 16 bytes). */
static void test_pids_cut_to_128_bits(void)
{
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(liia_store_migrate(db, &e), 0);
    /* rows as a liia-bench before 210 stored them, then the store put back */
    CHECK_INT(sqlite3_exec(db,
        "INSERT INTO cla_episode (id, child_pid, decom) VALUES (4294967298, "
        " x'00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef', '2024-04-01');"
        "INSERT INTO cin_child (id, line, child_pid) VALUES (4294967298, 2, "
        " x'00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef');"
        "CREATE TABLE cla_social_worker (id INTEGER PRIMARY KEY, child_pid BLOB, sw_id TEXT);"
        "INSERT INTO cla_social_worker VALUES (4294967298, "
        " x'00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef', 'SW1'), "
        " (4294967299, NULL, 'SW2'), (4294967300, x'0011', 'SW3');"
        "CREATE TABLE other (id INTEGER PRIMARY KEY, pid BLOB);"
        "INSERT INTO other VALUES (1, "
        " x'00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef');"
        "PRAGMA user_version = 209;", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(liia_store_migrate(db, &e), 0);
    CHECK_INT(liia_store_version(db), liia_store_latest_version());
    /* the first 16 bytes, in every table with a child_pid column */
    CHECK_INT(count(db, "SELECT count(*) FROM cla_episode "
                        "WHERE hex(child_pid) = '00112233445566778899AABBCCDDEEFF'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cin_child "
                        "WHERE hex(child_pid) = '00112233445566778899AABBCCDDEEFF'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cla_social_worker "
                        "WHERE hex(child_pid) = '00112233445566778899AABBCCDDEEFF'"), 1);
    /* NULL and a shorter value as they were; a column of another name untouched */
    CHECK_INT(count(db, "SELECT count(*) FROM cla_social_worker WHERE child_pid IS NULL"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM cla_social_worker WHERE child_pid = x'0011'"), 1);
    CHECK_INT(count(db, "SELECT length(pid) FROM other"), 32);
    sqlite3_close(db);
}

static void write_key(const char *path, const void *bytes, size_t n)
{
    unlink(path);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(bytes, 1, n, f) == n);
    if (f)
        fclose(f);
    chmod(path, 0600);
}

/* The key is bound to its store by a fingerprint (issue 11 item 1): a lost
 * key is never silently replaced, a wrong one is refused, and the key file
 * must be exactly one key. */
static void test_key_binding(void)
{
    const char *path = SCRATCH_DIR "/bound.db", *k = SCRATCH_DIR "/bound.db.key";
    unsigned char key[LIIA_KEY_BYTES], other[LIIA_KEY_BYTES];
    char fp[LIIA_KEY_FINGERPRINT_HEX + 1], fp2[LIIA_KEY_FINGERPRINT_HEX + 1], got[80];
    int created = 0;
    liia_error e;
    sqlite3 *db = NULL;
    liia_error_clear(&e);
    unlink(path);
    unlink(k);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK_INT(liia_key_init_for_store(db, k, &created, &e), 0);
    CHECK_INT(created, 1);
    CHECK_INT(liia_key_load(k, key, &e), 0);
    CHECK_INT(liia_key_fingerprint(key, fp), 0);
    CHECK_INT(liia_store_meta_get(db, "key_fingerprint", got, sizeof got, &e), 1);
    CHECK_STR(got, fp);
    /* The fingerprint is not the key, nor its plain hash. */
    CHECK(strlen(fp) == LIIA_KEY_FINGERPRINT_HEX);
    CHECK_INT(liia_key_init_for_store(db, k, &created, &e), 0); /* idempotent */
    CHECK_INT(created, 0);
    CHECK_INT(liia_key_load_for_store(db, k, 1, other, &e), 0);
    CHECK(memcmp(key, other, sizeof key) == 0);

    /* Lost: neither ingest nor init makes a new one. */
    unlink(k);
    CHECK_INT(liia_key_load_for_store(db, k, 1, other, &e), -1);
    CHECK(strstr(e.message, "is missing") != NULL);
    CHECK(strstr(e.fix, "backup") != NULL && strstr(e.fix, "init") == NULL);
    liia_error_clear(&e);
    CHECK_INT(liia_key_init_for_store(db, k, &created, &e), -1);
    CHECK_INT(created, 0);
    CHECK(access(k, F_OK) != 0);

    /* Another key (a wrong backup) is refused; the right one is accepted. */
    memset(other, 0x5a, sizeof other);
    other[0] = 1;
    write_key(k, other, sizeof other);
    liia_error_clear(&e);
    CHECK_INT(liia_key_load_for_store(db, k, 1, other, &e), -1);
    CHECK(strstr(e.message, "not the one") != NULL);
    CHECK_INT(liia_key_init_for_store(db, k, &created, &e), -1);
    CHECK_INT(liia_key_fingerprint(other, fp2), 0);
    CHECK(strcmp(fp, fp2) != 0);
    write_key(k, key, sizeof key);
    CHECK_INT(liia_key_load_for_store(db, k, 1, other, &e), 0);

    /* Not exactly one key: too long, too short, all zeros, the store. */
    unsigned char big[LIIA_KEY_BYTES * 2];
    memcpy(big, key, sizeof key);
    memcpy(big + sizeof key, key, sizeof key);
    write_key(k, big, sizeof big);
    CHECK_INT(liia_key_load(k, other, &e), -1);
    CHECK(strstr(e.message, "exactly 32") != NULL);
    write_key(k, big, LIIA_KEY_BYTES - 1);
    CHECK_INT(liia_key_load(k, other, &e), -1);
    memset(big, 0, sizeof big);
    write_key(k, big, LIIA_KEY_BYTES);
    CHECK_INT(liia_key_load(k, other, &e), -1);
    CHECK(strstr(e.message, "all zeros") != NULL);
    liia_error_clear(&e);
    CHECK_INT(liia_key_load_for_store(db, path, 1, other, &e), -1);
    CHECK_INT(e.status, LIIA_E_USAGE);
    CHECK(strstr(e.message, "is the store itself") != NULL);
    CHECK_INT(liia_key_init_for_store(db, path, &created, &e), -1);
    liia_store_close(db);

    /* A store from before fingerprints that holds pseudonyms: init will not
     * create a key for it either. */
    unlink(k);
    db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(liia_store_migrate(db, &e), 0);
    CHECK_INT(sqlite3_exec(db, "PRAGMA foreign_keys = OFF; INSERT INTO cla_child "
                           "(id, child_pid) VALUES (1 << 32 | 2, x'00')", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(liia_key_init_for_store(db, k, &created, &e), -1);
    CHECK(strstr(e.message, "is missing") != NULL);
    CHECK(access(k, F_OK) != 0);
    sqlite3_close(db);
}

/* An empty file made by hand before init becomes owner-only, as init's
 * own; a store with rows keeps the mode its operator gave it. */
static void test_hand_made_file(void)
{
    const char *path = SCRATCH_DIR "/touched.db";
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0 && fchmod(fd, 0644) == 0 && close(fd) == 0);
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    sqlite3_close(db);
    CHECK_INT(chmod(path, 0640), 0);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
    sqlite3_close(db);
}

int main(void)
{
    test_old_rows_migrate();
    test_pids_cut_to_128_bits();
    test_hand_made_file();

    const char *path = SCRATCH_DIR "/test_store.db";
    unlink(path);
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;

    CHECK_INT(liia_store_open(path, LIIA_STORE_READONLY, &db, &e), -1);
    CHECK(strstr(e.fix, "liia-bench init") != NULL);
    /* A writer on a missing (say mistyped) store makes nothing: only
     * CREATE (init, demo) does. */
    liia_error_clear(&e);
    CHECK_INT(liia_store_open(path, LIIA_STORE_READWRITE, &db, &e), -1);
    CHECK_INT(e.status, LIIA_E_IO);
    CHECK_STR(e.message, "no store here");
    CHECK(strstr(e.fix, "liia-bench init") != NULL);
    CHECK(access(path, F_OK) != 0);

    liia_error_clear(&e);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(liia_store_version(db), liia_store_latest_version());
    CHECK_INT(count(db, "PRAGMA foreign_keys"), 1);
    CHECK_INT(count(db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);

    for (int pass = 0; pass < 2; pass++) { /* idempotent */
        CHECK_INT(liia_reference_load(db, SCHEMA_DIR, NULL, &e), 0);
        CHECK_INT(count(db, "SELECT count(*) FROM authority"), 33);
        CHECK_INT(count(db, "SELECT count(*) FROM population WHERE area_code LIKE 'E09%'"), 99);
        CHECK_INT(count(db, "SELECT count(*) FROM stat_neighbour"), 330);
        CHECK_INT(count(db, "SELECT count(*) FROM grouping"), 99);
        CHECK_INT(count(db, "SELECT count(*) FROM measure_def"), 38);
    }
    /* Neighbours outside London have no GSS code in the store. */
    CHECK_INT(count(db, "SELECT count(*) FROM stat_neighbour WHERE gss_code = "
                        "'E09000001' AND neighbour_gss_code IS NULL"), 1);

    resolves(db, "E09000007", "E09000007");
    resolves(db, "cam", "E09000007");
    resolves(db, "202", "E09000007");
    resolves(db, " CIT ", "E09000001");
    char gss[10];
    CHECK_INT(liia_authority_resolve(db, "XYZ", gss, &e), -1);
    CHECK(strstr(e.message, "not one of the 33") != NULL);

    /* A user's groupings file replaces the bundled one; a bad one changes
     * nothing. */
    const char *g = SCRATCH_DIR "/groupings.csv";
    FILE *f = fopen(g, "w");
    fputs("grouping,group_code,group_name,gss_code\n"
          "pair,P1,Pair one,E09000001\npair,P1,Pair one,E09000002\n", f);
    fclose(f);
    CHECK_INT(liia_reference_load(db, SCHEMA_DIR, g, &e), 0);
    CHECK_INT(count(db, "SELECT count(*) FROM grouping"), 2);
    f = fopen(g, "w");
    fputs("grouping,group_code,group_name,gss_code\npair,P1,Pair,E09999999\n", f);
    fclose(f);
    liia_error_clear(&e);
    CHECK_INT(liia_reference_load(db, SCHEMA_DIR, g, &e), -1);
    CHECK_INT(e.line, 2);
    CHECK_STR(e.file, g);
    CHECK_INT(count(db, "SELECT count(*) FROM grouping"), 2);
    liia_store_close(db);

    CHECK_INT(liia_store_open(path, LIIA_STORE_READONLY, &db, &e), 0);
    CHECK(sqlite3_exec(db, "DELETE FROM authority", NULL, NULL, NULL) != SQLITE_OK);
    liia_store_close(db);

    /* The key: created private, loaded, refused when others can read it. */
    const char *k = SCRATCH_DIR "/test.key";
    unlink(k);
    int created = 0;
    unsigned char key[LIIA_KEY_BYTES], again[LIIA_KEY_BYTES];
    CHECK_INT(liia_key_create(k, &created, &e), 0);
    CHECK_INT(created, 1);
    CHECK(stat(k, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(liia_key_create(k, &created, &e), 0);
    CHECK_INT(created, 0);
    CHECK_INT(liia_key_load(k, key, &e), 0);
    CHECK_INT(liia_key_load(k, again, &e), 0);
    CHECK(memcmp(key, again, sizeof key) == 0);
    chmod(k, 0644);
    CHECK_INT(liia_key_load(k, key, &e), -1);
    CHECK(strstr(e.fix, "chmod 600") != NULL);
    unlink(k);
    CHECK_INT(liia_key_load(k, key, &e), -1);
    test_key_binding();
    return unit_result("test_store");
}
