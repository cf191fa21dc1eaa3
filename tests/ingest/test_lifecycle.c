/*
 * test_lifecycle.c - the one submission lifecycle (ingest.c), run the same
 * way against every return type that has a kit below (the quarterly
 * return and SSDA903): an identical resend changes nothing, a new version
 * supersedes the accepted one, a rejection stores its findings and
 * nothing else, a finding's identifying value is withheld in the store
 * (and only there), and validate neither writes nor waits for the store's
 * write lock.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liia_ingest.h"
#include "unit.h"

/* One return type's files for each step, and where its rows are staged. */
struct kit {
    const char *type;
    const char *rows_sql;    /* staged rows of submission ?1 */
    const char *clean[3];    /* version 1: accepted, no errors */
    const char *changed[3];  /* version 2: accepted */
    const char *rejected[3]; /* rejected as it stands */
    const char *masked[3];   /* a finding whose value is identifying, if
                              * the return has identifying columns */
    size_t n;                /* files per submission */
    const char *masked_rule, *masked_value;
    int withholds;           /* the stored value is "(withheld)" */
};

static char key_path[512];

static const char *write_file(const char *name, const char *text)
{
    static char paths[16][512];
    static int next;
    char *p = paths[next++ % 16];
    snprintf(p, 512, "%s/%s", LIIA_SCRATCH, name);
    FILE *f = fopen(p, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f))
        ok = 0;
    CHECK(ok);
    return p;
}

static sqlite3 *open_store(const char *name, char *path, size_t sz)
{
    snprintf(path, sz, "%s/%s", LIIA_SCRATCH, name);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    snprintf(key_path, sizeof key_path, "%s/%s.key", LIIA_SCRATCH, name);
    unlink(key_path);
    liia_error e;
    liia_error_clear(&e);
    sqlite3 *db = NULL;
    int created = 0;
    if (liia_store_open(path, LIIA_STORE_CREATE, &db, &e) ||
        liia_reference_load(db, LIIA_SCHEMAS, NULL, &e) ||
        liia_key_create(key_path, &created, &e)) {
        liia_error_print(stderr, &e);
        exit(1);
    }
    return db;
}

static long count(sqlite3 *db, const char *sql, long long id)
{
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int submit(sqlite3 *db, const struct kit *k, const char *const *files,
                  int validate_only, liia_ingest_result *r)
{
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = key_path,
                             .schema_dir = LIIA_SCHEMAS, .validate_only = validate_only};
    liia_error e;
    liia_error_clear(&e);
    liia_ingest_result_free(r);
    liia_ingest_result_init(r);
    int rc = liia_ingest_submission(db, k->type, files, k->n, &o, r, &e);
    if (rc)
        liia_error_print(stderr, &e);
    return rc;
}

static long submissions(sqlite3 *db)
{
    return count(db, "SELECT count(*) FROM submission", 0);
}

static void test_kit(const struct kit *k)
{
    char path[512];
    char name[64];
    snprintf(name, sizeof name, "lifecycle_%s.db", k->type);
    sqlite3 *db = open_store(name, path, sizeof path);
    liia_ingest_result r;
    liia_ingest_result_init(&r);
    fprintf(stderr, "lifecycle: %s\n", k->type);

    /* Version 1, then the same files again: unchanged, nothing stored. */
    CHECK_INT(submit(db, k, k->clean, 0, &r), 0);
    CHECK_INT(r.outcome, LIIA_INGEST_ACCEPTED);
    CHECK_INT(r.version, 1);
    CHECK_INT(r.findings.errors, 0);
    long long first = r.submission_id;
    long rows = count(db, k->rows_sql, first);
    CHECK(rows > 0);
    CHECK_INT(count(db, "SELECT rows FROM submission WHERE id = ?1", first), r.rows);
    CHECK_INT(submit(db, k, k->clean, 0, &r), 0);
    CHECK_INT(r.outcome, LIIA_INGEST_UNCHANGED);
    CHECK_INT(r.submission_id, first);
    CHECK_INT(r.version, 1);
    CHECK_INT(submissions(db), 1);
    CHECK_INT(count(db, k->rows_sql, first), rows);

    /* A new version supersedes version 1 (history keeps it). */
    CHECK_INT(submit(db, k, k->changed, 0, &r), 0);
    CHECK_INT(r.outcome, LIIA_INGEST_ACCEPTED);
    CHECK_INT(r.version, 2);
    CHECK_INT(r.superseded, first);
    long long second = r.submission_id;
    CHECK_INT(count(db, "SELECT count(*) FROM submission WHERE id = ?1 AND "
                        "status = 'superseded'", first), 1);
    CHECK_INT(count(db, "SELECT supersedes FROM submission WHERE id = ?1", second), first);
    CHECK_INT(count(db, "SELECT count(*) FROM submission WHERE status = 'accepted'", 0), 1);
    CHECK(count(db, k->rows_sql, second) > 0);

    /* A rejection records the attempt and its findings, no rows, and the
     * accepted version stands. */
    long staged = count(db, k->rows_sql, second);
    CHECK_INT(submit(db, k, k->rejected, 0, &r), 0);
    CHECK_INT(r.outcome, LIIA_INGEST_REJECTED);
    CHECK(r.findings.errors > 0);
    CHECK(r.submission_id > second);
    CHECK_INT(count(db, k->rows_sql, r.submission_id), 0);
    CHECK_INT(count(db, k->rows_sql, second), staged);
    CHECK_INT(count(db, "SELECT count(*) FROM submission WHERE id = ?1 AND status = "
                        "'rejected' AND version IS NULL AND errors >= 1", r.submission_id), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM finding WHERE submission_id = ?1 AND "
                        "severity = 'error'", r.submission_id), (long)r.findings.errors);
    CHECK_INT(count(db, "SELECT count(*) FROM submission WHERE id = ?1 AND "
                        "status = 'accepted'", second), 1);

    /* The finding keeps its value for the sender; the store withholds it
     * when it identifies a child. */
    CHECK_INT(submit(db, k, k->masked, 0, &r), 0);
    const liia_error *f = NULL;
    for (size_t i = 0; i < r.findings.count && !f; i++)
        if (!strcmp(r.findings.items[i].rule_id, k->masked_rule))
            f = &r.findings.items[i];
    CHECK(f != NULL);
    CHECK_STR(f ? f->value : "", k->masked_value);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT value FROM finding WHERE submission_id = ?1 "
                                 "AND rule_id = ?2", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, r.submission_id);
    sqlite3_bind_text(st, 2, k->masked_rule, -1, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    const char *stored = (const char *)sqlite3_column_text(st, 0);
    CHECK_STR(stored ? stored : "", k->withholds ? "(withheld)" : k->masked_value);
    sqlite3_finalize(st);

    /* validate while another connection holds the store's write lock:
     * it neither waits nor writes, and judges as ingest does. */
    long before = submissions(db);
    sqlite3 *other = NULL;
    CHECK_INT(sqlite3_open(path, &other), SQLITE_OK);
    CHECK_INT(sqlite3_exec(other, "BEGIN IMMEDIATE; DELETE FROM finding_count", NULL,
                           NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 1);
    CHECK_INT(submit(db, k, k->changed, 1, &r), 0);
    CHECK_INT(r.outcome, LIIA_INGEST_ACCEPTED);
    CHECK_INT(r.submission_id, 0);
    CHECK_INT(submit(db, k, k->rejected, 1, &r), 0);
    CHECK_INT(r.outcome, LIIA_INGEST_REJECTED);
    CHECK(r.findings.errors > 0);
    CHECK_INT(r.submission_id, 0);
    /* ingest cannot have the lock: a runtime failure, nothing half-done */
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = key_path,
                             .schema_dir = LIIA_SCHEMAS};
    liia_error e;
    liia_error_clear(&e);
    liia_ingest_result_free(&r);
    liia_ingest_result_init(&r);
    CHECK_INT(liia_ingest_submission(db, k->type, k->clean, k->n, &o, &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_DB);
    CHECK_INT(r.submission_id, 0);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    sqlite3_busy_timeout(db, 60000);
    CHECK_INT(submissions(db), before);

    liia_ingest_result_free(&r);
    liia_store_close(db);
}

#define QHEAD "la_code,period,measure,value,note\n"
#define HCOLS "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
#define ECOLS "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE," \
              "HOME_POST,PL_POST,URN\n"
#define H1 "1001,1,15/06/2010,WBRI,A123456789012,,\n"
#define EP(home) "1001,01/05/2023,S,C2,N1,U1,PR1,,,," home ",N7 6QR,SC123456\n"

int main(void)
{
    struct kit quarterly = {
        .type = "quarterly", .n = 1,
        .rows_sql = "SELECT count(*) FROM submission_value WHERE submission_id = ?1",
        .clean = {write_file("q_clean.csv", QHEAD "CAM,2024-03-31,contacts,4210,\n"
                                                  "CAM,2024-03-31,referrals,812,\n")},
        .changed = {write_file("q_changed.csv", QHEAD "CAM,2024-03-31,contacts,4300,\n")},
        .rejected = {write_file("q_rejected.csv", QHEAD "CAM,2024-03-31,contacts,4210,\n"
                                                        "CAM,2024-03-31,referrals,9x,\n")},
        .masked = {write_file("q_masked.csv", QHEAD "CAM,2024-03-31,contacts,-4,\n")},
        .masked_rule = "QBR-S023", .masked_value = "-4", .withholds = 0,
    };
    struct kit ssda903 = {
        .type = "ssda903", .n = 2,
        .rows_sql = "SELECT (SELECT count(*) FROM cla_child WHERE submission_id = ?1) + "
                    "(SELECT count(*) FROM cla_episode WHERE submission_id = ?1)",
        .clean = {write_file("s_header.csv", HCOLS H1),
                  write_file("s_episodes.csv", ECOLS EP("N1 9GU"))},
        .changed = {write_file("s_header2.csv", HCOLS H1 "2002,2,15/06/2011,WBRI,UN2,,\n"),
                    write_file("s_episodes2.csv", ECOLS EP("N1 9GU")
                               "2002,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n")},
        /* the episodes table lacks DECOM: rejected as it stands */
        .rejected = {write_file("s_header3.csv", HCOLS H1),
                     write_file("s_episodes3.csv", "CHILD,RNE,LS,CIN,PLACE\n1001,S,C2,N1,U1\n")},
        .masked = {write_file("s_header4.csv", HCOLS H1),
                   write_file("s_episodes4.csv", ECOLS EP("V26 3IX1"))},
        .masked_rule = "392c", .masked_value = "V26 3IX1", .withholds = 1,
    };
    test_kit(&quarterly);
    test_kit(&ssda903);
    return unit_result("ingest_lifecycle");
}
