/*
 * SSDA903 ingest end to end through liia_ingest_submission(): structural
 * rejections, cell findings stored as NULL and flagged, --strict, the
 * platform key, no raw identifier anywhere in the store files,
 * resubmission, derived measures on a hand-made episode set, the measures
 * view, reconciliation, and the public fake 903 data.
 */
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pseudo.h"
#include "t903.h"
#include "unit.h"

#define H1 "1001,1,15/06/2010,WBRI,A123456789012,,\n"
#define E1 "1001,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n"

static long rows_of(sqlite3 *db, long long sid)
{
    return t903_count_ids(db,
        "SELECT (SELECT COUNT(*) FROM cla_child WHERE submission_id = ?1)"
        " + (SELECT COUNT(*) FROM cla_episode WHERE submission_id = ?1)"
        " + (SELECT COUNT(*) FROM derived_measure WHERE submission_id = ?1)", sid, 0);
}

/* CAM's 2023-24 return of the files given: what the submission returns. */
static int submit_cam(struct t903 *t, const char *const *files, size_t n,
                      liia_ingest_result *r, liia_error *e)
{
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = t->key_path,
                          .schema_dir = SCHEMA_DIR};
    liia_ingest_result_init(r);
    liia_error_clear(e);
    return t903_submit(t->db, &o, files, n, r, e);
}

static void expect_rejected(struct t903 *t, const char *const *files, size_t n,
                            const char *rule, const char *message)
{
    liia_ingest_result r;
    liia_error e;
    long before = t903_count(t->db, "SELECT COUNT(*) FROM cla_episode");
    CHECK_INT(submit_cam(t, files, n, &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK_INT(liia_status_exit_code(e.status), LIIA_EXIT_REJECTED);
    CHECK_INT(r.outcome, LIIA_INGEST_REJECTED);
    const liia_error *f = t903_finding(&r, rule);
    CHECK(f != NULL);
    if (f)
        CHECK_STR(f->message, message);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_episode"), before);
    CHECK(r.submission_id > 0);
    CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM submission WHERE id = ?1 AND "
                             "status = 'rejected' AND errors >= 1", r.submission_id, 0), 1);
    CHECK_INT(rows_of(t->db, r.submission_id), 0);
    liia_ingest_result_free(&r);
}

/* A file that cannot be opened is the caller's mistake: exit 3 with the
 * file named, nothing recorded (as for a quarterly return or a census). */
static void expect_unopenable(struct t903 *t, const char *const *files, size_t n,
                              const char *bad)
{
    liia_ingest_result r;
    liia_error e;
    long before = t903_count(t->db, "SELECT COUNT(*) FROM submission");
    CHECK_INT(submit_cam(t, files, n, &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_IO);
    CHECK_INT(liia_status_exit_code(e.status), LIIA_EXIT_RUNTIME);
    CHECK_STR(e.file, bad);
    CHECK(strstr(e.message, "cannot open: ") == e.message);
    CHECK_STR(e.fix, "check the file name and that you can read it");
    CHECK_STR(e.rule_id, "LIIA-FILE");
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM submission"), before);
    liia_ingest_result_free(&r);
}

static void test_rejections(struct t903 *t)
{
    const char *files[3];
    files[0] = t903_file("r_header.csv", T903_HEADER_COLS, H1);
    expect_rejected(t, files, 1, "LIIA-903-TABLE", "the episodes table is missing");

    files[1] = t903_file("r_episodes.csv",
                         "CHILD,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
                         "REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n",
                         "1001,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n");
    expect_rejected(t, files, 2, "LIIA-903-COLUMN", "the episodes table has no DECOM column");

    files[1] = SCRATCH_DIR "/no-such-episodes.csv";
    expect_unopenable(t, files, 2, files[1]);
    files[1] = SCRATCH_DIR;
    expect_unopenable(t, files, 2, files[1]);

    files[1] = t903_file("r_other.csv", "la_code,period,measure,value,note\n",
                         "CAM,2024-03-31,referrals,1,\n");
    expect_rejected(t, files, 2, "LIIA-903-TABLE",
                    "cannot tell which SSDA903 table this file is: its header row "
                    "matches none of header, episodes, uasc, reviews, oc2, oc3, ad1, "
                    "placed_adoption, prev_perm, missing, social_worker");

    /* A required table (tables.json "required") with only its header row
     * is refused: accepted, it would supersede the good version with no
     * rows (test_empty_keeps_accepted). */
    files[0] = t903_file("r_header.csv", T903_HEADER_COLS, H1);
    files[1] = t903_file("r_episodes.csv", T903_EPISODE_COLS, "");
    expect_rejected(t, files, 2, "LIIA-903-EMPTY",
                    "the episodes table has no data rows: accepted, the return would "
                    "replace the accepted version with nothing");
    files[0] = t903_file("r_header0.csv", T903_HEADER_COLS, "");
    expect_rejected(t, files, 2, "LIIA-903-EMPTY",
                    "the header table has no data rows: accepted, the return would "
                    "replace the accepted version with nothing");
    /* rows with the wrong number of fields are no rows */
    files[0] = t903_file("r_header1.csv", T903_HEADER_COLS, "1001,,1,15/06/2010,WBRI,,,\n");
    files[1] = t903_file("r_episodes1.csv", T903_EPISODE_COLS, E1);
    expect_rejected(t, files, 2, "LIIA-903-EMPTY",
                    "the header table has no data rows with the header row's number of "
                    "fields: accepted, the return would replace the accepted version with "
                    "nothing");

    /* Issue 11: a column given twice is refused, as in the quarterly return. */
    files[1] = t903_file("r_dup.csv",
                         "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
                         "REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,decom\n",
                         "1001,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456,"
                         "01/06/2023\n");
    expect_rejected(t, files, 2, "LIIA-903-COLUMN",
                    "column 'decom' appears more than once in the header row");
}

/* An extract of header rows only does not supersede the accepted version
 * (its measures stay). */
static void test_empty_keeps_accepted(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2023-12-31", H1, E1, NULL, 0, &r, &e), 0);
    long long good = r.submission_id;
    liia_ingest_result_free(&r);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2023-12-31", "", "", NULL, 0, &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK_INT(r.outcome, LIIA_INGEST_REJECTED);
    CHECK(t903_finding(&r, "LIIA-903-EMPTY") != NULL);
    liia_ingest_result_free(&r);
    CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM submission WHERE id = ?1 AND "
                             "status = 'accepted'", good, 0), 1);
    CHECK(t903_count_ids(t->db, "SELECT COUNT(*) FROM derived_measure WHERE "
                         "submission_id = ?1", good, 0) > 0);
}

/* n children, each with one episode starting on decom and still open. */
static char *open_episodes(int n, const char *decom, char **header)
{
    liia_buf h, ep;
    liia_buf_init(&h);
    liia_buf_init(&ep);
    for (int i = 0; i < n; i++)
        if (liia_buf_appendf(&h, "%d,1,15/06/2010,WBRI,,,\n", 2000 + i) ||
            liia_buf_appendf(&ep, "%d,%s,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n",
                             2000 + i, decom))
            break;
    *header = h.data;
    return ep.data;
}

/* An extract of another collection year sent for this one: 50 or more
 * episodes and none starting or ending in the year is refused whole
 * (LIIA-903-YEAR) and the accepted version stays; 49 are not judged (a
 * small return may have no move in a year), nor 50 with one in the year. */
static void test_other_year(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    char *h, *ep = open_episodes(50, "01/05/2021", &h);
    CHECK(ep && h);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2023-12-31", H1, E1, NULL, 0, &r, &e), 0);
    long long good = r.submission_id;
    liia_ingest_result_free(&r);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2023-12-31", h, ep, NULL, 0, &r, &e), -1);
    CHECK_INT(r.outcome, LIIA_INGEST_REJECTED);
    const liia_error *f = t903_finding(&r, "LIIA-903-YEAR");
    CHECK(f != NULL);
    if (f)
        CHECK_STR(f->message, "none of the 50 rows of the episodes table has a date from "
                  "2023-04-01 to 2023-12-31 (the 2023-24 collection year up to --period): "
                  "the file looks like another year's extract");
    liia_ingest_result_free(&r);
    CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM submission WHERE id = ?1 AND "
                             "status = 'accepted'", good, 0), 1);
    free(h);
    free(ep);
    ep = open_episodes(49, "01/05/2021", &h);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2023-12-31", h, ep, NULL, 0, &r, &e), 0);
    CHECK(t903_finding(&r, "LIIA-903-YEAR") == NULL);
    liia_ingest_result_free(&r);
    free(h);
    free(ep);
    ep = open_episodes(50, "01/05/2021", &h);
    ep[strlen(ep) - 1] = '\0';   /* one more, starting in the year */
    liia_buf more;
    liia_buf_init(&more);
    CHECK_INT(liia_buf_appendf(&more, "%s\n%s", ep, E1), 0);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2023-12-31", h, more.data, NULL, 0, &r, &e), 0);
    CHECK(t903_finding(&r, "LIIA-903-YEAR") == NULL);
    liia_ingest_result_free(&r);
    liia_buf_free(&more);
    free(h);
    free(ep);
}

/* A header table saved as Windows-1252 (an e acute in a child's id) is
 * read converted, with a warning as the quarterly return's QBR-S008. */
static void test_cp1252_warning(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2023-12-31", "1001\xe9,1,15/06/2010,WBRI,A123456789012,,\n",
                          "1001\xe9,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n",
                          NULL, 0, &r, &e), 0);
    const liia_error *f = t903_finding(&r, "LIIA-903-ENCODING");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, LIIA_SEV_WARNING);
        CHECK_STR(f->table, "header");
        CHECK_STR(f->message, "the file was saved as Windows-1252 (Excel 'CSV (Comma "
                  "delimited)'), not UTF-8; it was converted");
    }
    CHECK_INT(r.findings.warnings, 2);   /* header and episodes */
    liia_ingest_result_free(&r);
}

/* Issue 11: --la and --period are checked like the quarterly return's: a
 * usage error (exit 2) with the reason, nothing recorded. */
static void test_bad_la_period(struct t903 *t)
{
    static const char *const cases[][2] = {{"ZZZ", "2024-03-31"}, {"CAM", "2024-13-31"}};
    for (size_t i = 0; i < 2; i++) {
        const char *files[2] = {t903_file("lp_header.csv", T903_HEADER_COLS, H1),
                                t903_file("lp_episodes.csv", T903_EPISODE_COLS, E1)};
        liia_ingest_options o = {.la = cases[i][0], .period = cases[i][1],
                              .key_path = t->key_path, .schema_dir = SCHEMA_DIR};
    size_t nfiles = 2;
        liia_ingest_result r;
        liia_error e;
        liia_ingest_result_init(&r);
        liia_error_clear(&e);
        long before = t903_count(t->db, "SELECT COUNT(*) FROM submission");
        CHECK_INT(t903_submit(t->db, &o, files, nfiles, &r, &e), -1);
        CHECK_INT(e.status, LIIA_E_USAGE);
        CHECK_INT(liia_status_exit_code(e.status), LIIA_EXIT_USAGE);
        CHECK(strstr(e.message, i ? "2024-13-31" : "ZZZ") != NULL);
        CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM submission"), before);
        liia_ingest_result_free(&r);
    }
}

/* Issue 11: findings are bounded.  Every header row breaks 103 and every
 * episode 145: each rule lists and stores its first
 * LIIA_FINDINGS_LISTED_PER_RULE findings and counts them all, accepted or
 * rejected (--strict). */
static void test_bounded_findings(struct t903 *t)
{
    enum { N = LIIA_FINDINGS_LISTED_PER_RULE + 57 };
    liia_buf h, ep;
    liia_buf_init(&h);
    liia_buf_init(&ep);
    for (int i = 0; i < N; i++) {
        CHECK_INT(liia_buf_appendf(&h, "%d,1,15/06/2010,XXXX,A123456789012,,\n", 5000 + i), 0);
        CHECK_INT(liia_buf_appendf(&ep, "%d,01/05/2023,S,C2,N9,U1,PR1,,,,N1 9GU,N7 6QR,\n",
                                   5000 + i), 0);
    }
    for (int strict = 0; strict < 2; strict++) {
        liia_ingest_result r;
        liia_error e;
        liia_ingest_result_init(&r);
        int rc = t903_ingest(t, "2024-03-31", h.data, ep.data, NULL, strict, &r, &e);
        CHECK_INT(rc, strict ? -1 : 0);
        CHECK_INT(r.findings.errors, 2 * N);
        /* and the note that last year's rules did not run */
        CHECK_INT(r.findings.count, 2 * LIIA_FINDINGS_LISTED_PER_RULE + 1);
        size_t seen = 0;
        for (size_t i = 0; i < r.rule_counts.n; i++) {
            const liia_rule_count *c = &r.rule_counts.items[i];
            if (!strcmp(c->rule_id, "103") || !strcmp(c->rule_id, "145")) {
                CHECK_INT(c->count, N);
                CHECK_INT(c->listed, LIIA_FINDINGS_LISTED_PER_RULE);
                seen++;
            }
        }
        CHECK_INT(seen, 2);
        CHECK(r.submission_id > 0);
        CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM finding WHERE "
                                 "submission_id = ?1 AND rule_id = '145'", r.submission_id, 0),
                  LIIA_FINDINGS_LISTED_PER_RULE);
        CHECK_INT(t903_count_ids(t->db, "SELECT count FROM finding_count WHERE "
                                 "submission_id = ?1 AND rule_id = '145'", r.submission_id, 0),
                  N);
        CHECK_INT(t903_count_ids(t->db, "SELECT errors FROM submission WHERE id = ?1",
                                 r.submission_id, 0), 2 * N);
        /* the first findings of the file are the ones listed */
        CHECK_INT(t903_finding_line(&r, "145"), 2);
        liia_ingest_result_free(&r);
    }
    liia_buf_free(&h);
    liia_buf_free(&ep);
}

/* A bad cell is reported with its place and DfE code, stored as NULL and
 * flagged; the row is kept.  --strict rejects instead. */
static void test_cell_findings(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", "1001,3,15/06/2010,WBRI,A123456789012,,\n",
                          E1, NULL, 0, &r, &e), 0);
    const liia_error *f = t903_finding(&r, "101");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->message, "'3' is not a valid SEX code for 2023-24");
        CHECK_STR(f->fix, "use one of: 1 2");
        CHECK_STR(f->table, "header");
        CHECK_STR(f->column_name, "SEX");
        CHECK_STR(f->value, "3");
        CHECK_INT(f->line, 2);
        CHECK_INT(f->column, 2);
    }
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_child c JOIN submission s "
                         "ON s.id = c.submission_id WHERE s.status = 'accepted' AND "
                         "c.sex IS NULL AND c.flags = '101' AND c.dob_month = '2010-06-01'"), 1);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM finding f JOIN submission s ON "
                         "s.id = f.submission_id WHERE s.status = 'accepted' AND "
                         "f.rule_id = '101' AND f.value = '3' AND f.line = 2"), 1);
    liia_ingest_result_free(&r);

    /* From 2024-25 the same code list is M/F/U. */
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2025-03-31", "1001,1,15/06/2010,WBRI,A123456789012,,\n",
                          "1001,01/05/2024,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n",
                          NULL, 0, &r, &e), 0);
    f = t903_finding(&r, "101");
    CHECK(f != NULL);
    if (f)
        CHECK_STR(f->message, "'1' is not a valid SEX code for 2024-25");
    liia_ingest_result_free(&r);

    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", "1001,3,15/06/2010,WBRI,A123456789012,,\n",
                          E1, NULL, 1, &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK_INT(r.outcome, LIIA_INGEST_REJECTED);
    CHECK_INT(rows_of(t->db, r.submission_id), 0);
    liia_ingest_result_free(&r);
}

static void test_key_required(struct t903 *t)
{
    const char *files[2] = {t903_file("k_header.csv", T903_HEADER_COLS, H1),
                            t903_file("k_episodes.csv", T903_EPISODE_COLS, E1)};
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31",
                          .key_path = SCRATCH_DIR "/missing.key",
                          .schema_dir = SCHEMA_DIR};
    size_t nfiles = 2;
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    liia_error_clear(&e);
    long before = t903_count(t->db, "SELECT COUNT(*) FROM submission");
    CHECK_INT(t903_submit(t->db, &o, files, nfiles, &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_IO);
    CHECK(strstr(e.message, "no platform key") != NULL);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM submission"), before);
    liia_ingest_result_free(&r);
}

/* validate: the same judgement, nothing stored. */
static void test_validate_only(struct t903 *t)
{
    const char *files[2] = {t903_file("v_header.csv", T903_HEADER_COLS,
                                      "1001,3,15/06/2010,WBRI,A123456789012,,\n"),
                            t903_file("v_episodes.csv", T903_EPISODE_COLS, E1)};
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = t->key_path,
                          .schema_dir = SCHEMA_DIR,
                          .validate_only = 1};
    size_t nfiles = 2;
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    liia_error_clear(&e);
    long subs = t903_count(t->db, "SELECT COUNT(*) FROM submission");
    long findings = t903_count(t->db, "SELECT COUNT(*) FROM finding");
    CHECK_INT(t903_submit(t->db, &o, files, nfiles, &r, &e), 0);
    CHECK(t903_finding(&r, "101") != NULL);
    CHECK_INT(r.submission_id, 0);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM submission"), subs);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM finding"), findings);
    liia_ingest_result_free(&r);

    /* Issue 12: validate takes no write lock.  Another connection holds
     * the store's write lock; validating (episodes out of child order, so
     * the savepoint path runs too) neither waits nor fails. */
    sqlite3 *other = NULL;
    CHECK_INT(sqlite3_open(t->db_path, &other), SQLITE_OK);
    CHECK_INT(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(t->db, 50);
    files[1] = t903_file("v_episodes2.csv", T903_EPISODE_COLS,
                         "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,X1,,N1 9GU,N7 6QR,\n"
                         "2002,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,\n"
                         "1001,01/06/2023,P,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,\n");
    liia_ingest_result_init(&r);
    liia_error_clear(&e);
    CHECK_INT(t903_submit(t->db, &o, files, nfiles, &r, &e), 0);
    CHECK(t903_finding(&r, "101") != NULL);
    CHECK(t903_finding(&r, "INT03") != NULL);   /* 2002 has no header row */
    CHECK(t903_finding(&r, "388") == NULL);     /* 1001's episodes join up */
    liia_ingest_result_free(&r);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    sqlite3_busy_timeout(t->db, 60000);

    files[1] = t903_file("v_missing.csv", "CHILD,DECOM\n", "1001,01/05/2023\n");
    liia_ingest_result_init(&r);
    CHECK_INT(t903_submit(t->db, &o, files, nfiles, &r, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM submission"), subs);
    liia_ingest_result_free(&r);
}

/* ------------------------------------------------------------ privacy */

static int file_contains(const char *path, const char *needle)
{
    char *data = NULL;
    size_t len = 0;
    liia_error e;
    liia_error_clear(&e);
    if (liia_read_file(path, &data, &len, &e))
        return 0;
    size_t n = strlen(needle);
    int found = 0;
    for (size_t i = 0; !found && i + n <= len; i++)
        found = !memcmp(data + i, needle, n);
    free(data);
    return found;
}

/* The UPN rules (210, 442, 444: ssda903_upn.h) read UPNs reduced in
 * memory: a 2025-26 ingest with a UPN on two header rows (so every UPN is
 * tagged) reports 444 and 442, stores the findings' values withheld, and
 * leaves no way to ask for the UPNs again (s903_upn is gone). */
static void upn_rules_keep_nothing(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2025-06-30",
                          "CHXQ5538333,F,23/05/2003,WIRT,Y091189125198,1,17/09/2021\n"
                          "CHXQ5604914,M,22/01/2002,BAFR,Y091189125198,,\n"
                          "CHXQ5700001,M,22/01/2012,BAFR,,,\n",
                          "CHXQ5538333,21/07/2022,S,C2,N2,U1,PR1,,,,V26 3IN,Y27 2BR,SC9468114\n"
                          "CHXQ5604914,28/03/2023,S,C1,N4,K2,PR2,,,,P7 1ZG,K9 2HV,SC9929131\n"
                          "CHXQ5700001,28/03/2023,S,C1,N4,U1,PR1,,,,P7 1ZG,K9 2HV,SC9929131\n",
                          NULL, 0, &r, &e), 0);
    CHECK_INT(t903_finding_line(&r, "444"), 2);
    CHECK_INT(t903_finding_line(&r, "442"), 4);
    liia_ingest_result_free(&r);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM finding WHERE rule_id = '444' AND "
                         "(value IS NULL OR value = '(withheld)')"), 2);
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(t->db, "SELECT s903_upn('duplicate')", -1, &st, NULL) != SQLITE_OK);
    sqlite3_finalize(st);
}

/* Neither the UPN's SHA-256 (hex or bytes) nor its HMAC under the
 * platform key (as a child identifier is pseudonymised) is in the store. */
static void no_upn_hash_in(struct t903 *t, const char *wal)
{
    static const char upn[] = "Y091189125198";
    unsigned char md[32], key[LIIA_KEY_BYTES];
    char hex[65], pid[LIIA_PID_HEX + 1], needle[40];
    unsigned mdlen = 0;
    liia_error e;
    liia_error_clear(&e);
    CHECK(EVP_Digest(upn, strlen(upn), md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    CHECK_INT(liia_key_load(t->key_path, key, &e), 0);
    liia_pseudo *p = liia_pseudo_new(key, "E09000007", &e);
    OPENSSL_cleanse(key, sizeof key);
    CHECK(p != NULL && liia_pseudo_child(p, upn, strlen(upn), pid) == 0);
    liia_pseudo_free(p);
    const char *hashes[] = {hex, pid};
    for (size_t i = 0; i < 2; i++) {
        snprintf(needle, sizeof needle, "%.32s", hashes[i]);
        CHECK(!file_contains(t->db_path, needle) && !file_contains(wal, needle));
    }
    memcpy(needle, md, 16);
    needle[16] = '\0';
    CHECK(memchr(needle, 0, 16) != NULL || (!file_contains(t->db_path, needle) &&
                                            !file_contains(wal, needle)));
}

/* A row with a stray comma after CHILD (header: the DOB lands in ETHNIC;
 * episodes: a postcode in URN, stored as given) is one LIIA-903-ROW error
 * with no value and no child named; none of its cells is checked, shown
 * or stored (test_no_raw_identifiers then scans the store for them). */
static void misaligned_rows_store_nothing(struct t903 *t, const char *header)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    char shifted[512];
    snprintf(shifted, sizeof shifted, "%s%s", header,
             "CHXQ5700002,,1,23/05/2003,WIRT,Y091189125198,1,17/09/2021\n");
    CHECK_INT(t903_ingest(t, "2024-03-31", shifted,
                          "CHXQ5538333,21/07/2022,S,C2,N2,U1,PR1,,,,V26 3IN,Y27 2BR,SC9468114\n"
                          "CHXQ5604914,,28/03/2023,S,C1,N4,K2,PR2,,,,P7 1ZG,K9 2HV,SC9929131\n",
                          NULL, 0, &r, &e), 0);
    size_t rowf = 0;
    for (size_t i = 0; i < r.findings.count; i++) {
        const liia_error *f = &r.findings.items[i];
        if ((!strcmp(f->table, "header") && f->line == 4) ||
            (!strcmp(f->table, "episodes") && f->line == 3)) {
            CHECK_STR(f->rule_id, "LIIA-903-ROW");
            CHECK_STR(f->value, "");
            CHECK_STR(f->child_id, "");
            CHECK(strstr(f->message, "not checked or stored") != NULL);
            rowf++;
        }
    }
    CHECK_INT(rowf, 2);
    CHECK_INT(t903_count_ids(t->db, "SELECT (SELECT COUNT(*) FROM cla_child WHERE "
                             "submission_id = ?1 AND line = 4) + (SELECT COUNT(*) FROM "
                             "cla_episode WHERE submission_id = ?1 AND line = 3)",
                             r.submission_id, 0), 0);
    CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM finding WHERE submission_id = ?1 "
                             "AND rule_id = 'LIIA-903-ROW' AND value IS NULL",
                             r.submission_id, 0), 2);
    liia_ingest_result_free(&r);
}

static void test_no_raw_identifiers(struct t903 *t)
{
    /* Distinctive identifiers so a hit cannot be a coincidence. */
    static const char header[] =
        "CHXQ5538333,2,23/05/2003,WIRT,Y091189125198,1,17/09/2021\n"
        "CHXQ5604914,1,22/01/2002,BAFR,N047771244288,,\n";
    static const char episodes[] =
        "CHXQ5538333,21/07/2022,S,C2,N2,U1,PR1,24/04/2023,X1,,V26 3IN,Y27 2BR,SC9468114\n"
        "CHXQ5538333,24/04/2023,P,C2,N2,U2,PR1,,,CARPL,B7 5MB,Q11 5KI,SC1148477\n"
        "CHXQ5604914,28/03/2023,S,C1,N4,K2,PR2,,,,P7 1ZG,K9 2HV,SC9929131\n";
    static const char uasc[] = "CHXQ5604914,1,22/01/2002,\n";
    static const char *const raw[] = {
        "CHXQ5538333", "CHXQ5604914", "Y091189125198", "N047771244288",
        "23/05/2003", "2003-05-23", "22/01/2002", "2002-01-22", "17/09/2021", "2021-09-17",
        "V26 3IN", "V263IN", "Y27 2BR", "B7 5MB", "Q11 5KI", "P7 1ZG", "K9 2HV",
    };
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", header, episodes, uasc, 0, &r, &e), 0);
    CHECK_INT(r.rows, 2 + 3 + 1);
    /* A finding on an identifying column keeps its value for the authority
     * but the store withholds it. */
    liia_ingest_result_free(&r);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", header,
                          "CHXQ5538333,21/07/2022,S,C2,N2,U1,PR1,,,,V26 3IX1,Y27 2BR,SC1\n",
                          NULL, 0, &r, &e), 0);
    CHECK(t903_finding(&r, "392c") != NULL);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM finding WHERE rule_id = '392c' AND "
                         "value = '(withheld)'"), 1);
    liia_ingest_result_free(&r);
    misaligned_rows_store_nothing(t, header);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", header, episodes, uasc, 0, &r, &e), 0);
    liia_ingest_result_free(&r);

    /* The stored pseudonymised values are what they should be. */
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_child c JOIN submission s ON "
                         "s.id = c.submission_id WHERE s.status = 'accepted' AND "
                         "c.dob_month = '2003-05-01' AND c.mc_dob_month = '2021-09-01' "
                         "AND typeof(c.child_pid) = 'blob' AND length(c.child_pid) = 16"), 1);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_episode e JOIN submission s ON "
                         "s.id = e.submission_id WHERE s.status = 'accepted' AND "
                         "s.period = '2024-03-31' AND e.home_sector = 'V26 3' AND e.pl_sector = 'Y27 2'"), 1);

    upn_rules_keep_nothing(t);

    liia_store_close(t->db);   /* checkpoint: everything is in the files */
    t->db = NULL;
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", t->db_path);
    for (size_t i = 0; i < sizeof raw / sizeof *raw; i++) {
        int in_db = file_contains(t->db_path, raw[i]);
        int in_wal = file_contains(wal, raw[i]);
        if (in_db || in_wal)
            fprintf(stderr, "raw identifier %s found in the store\n", raw[i]);
        CHECK(!in_db && !in_wal);
    }
    no_upn_hash_in(t, wal);
    liia_error_clear(&e);
    CHECK_INT(liia_store_open(t->db_path, LIIA_STORE_CREATE, &t->db, &e), 0);
}

/* The same child in two quarters (two collection years) links. */
static void test_linkage(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", H1, E1, NULL, 0, &r, &e), 0);
    liia_ingest_result_free(&r);
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-06-30", H1,
                          "1001,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n",
                          NULL, 0, &r, &e), 0);
    liia_ingest_result_free(&r);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(DISTINCT c.child_pid) FROM cla_child c JOIN "
                         "submission s ON s.id = c.submission_id WHERE s.status = "
                         "'accepted' AND s.period IN ('2024-03-31', '2024-06-30')"), 1);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(DISTINCT s.period) FROM cla_child c JOIN "
                         "submission s ON s.id = c.submission_id WHERE s.status = "
                         "'accepted' AND s.period IN ('2024-03-31', '2024-06-30')"), 2);
}

/* ------------------------------------------------------------ resubmission */

static void test_resubmission(struct t903 *t)
{
    liia_ingest_result a, b;
    liia_error e;
    liia_ingest_result_init(&a);
    liia_ingest_result_init(&b);
    CHECK_INT(t903_ingest(t, "2023-12-31", "1001,3,15/06/2010,WBRI,A123456789012,,\n", E1,
                          NULL, 0, &a, &e), 0);
    CHECK_INT(t903_ingest(t, "2023-12-31", H1, E1, NULL, 0, &b, &e), 0);
    CHECK_INT(b.version, a.version + 1);
    CHECK(b.superseded == a.submission_id);
    CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM submission WHERE id = ?1 AND "
                             "status = 'superseded'", a.submission_id, 0), 1);
    CHECK_INT(rows_of(t->db, a.submission_id), 0);          /* rows gone */
    CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM finding WHERE submission_id = ?1 "
                             "AND rule_id = '101'", a.submission_id, 0), 1); /* findings kept */
    CHECK_INT(t903_count_ids(t->db, "SELECT COUNT(*) FROM submission WHERE id = ?1 AND "
                             "status = 'accepted' AND supersedes = ?2", b.submission_id,
                             a.submission_id), 1);
    CHECK(rows_of(t->db, b.submission_id) > 0);
    liia_ingest_result_free(&a);
    liia_ingest_result_free(&b);
}

/* ------------------------------------------------------------ measures */

/*
 * Period 2024-03-31: quarters ending 2023-06-30 (Q1), 09-30 (Q2), 12-31 (Q3)
 * and 2024-03-31 (Q4).
 *   C01 A: started 2023-01-10, foster U1, open throughout.
 *   C02 B: started 2023-05-01 in a children's home (K2), ceased 2023-08-15 (E3).
 *   C03 C: started 2023-07-01 U3, moved 09-01 to U4, moved 11-01 to secure K1.
 *   C04 D: short breaks (V3) from 2023-10-01: never counted.
 *   C05 E: UASC (no DUC), started 2023-12-01 foster U2.
 *   C06 F: UASC until 2024-01-15, started 2023-04-10 in R1 (neither foster nor home).
 *   C07 G: U1 since 2022-12-01; legal status change only (L) 2023-06-01;
 *          moved to U2 2024-02-01: two placements in the year, not three.
 *   C08 H: started 2023-05-05 U1, ceased 06-10 (E3), started again 10-10 U1.
 *
 *            at_end started ceased uasc foster resid 3plus
 *   Q1 (Jun)   4 ABFG  3 BFH  1 H   1 F  2 AG  1 B   0
 *   Q2 (Sep)   4 ACFG  1 C    1 B   1 F  3 ACG 0     0   (C: 2 placements)
 *   Q3 (Dec)   6 ACEFGH 2 EH  0     2 EF 4 AEGH 1 C  1 C
 *   Q4 (Mar)   6 ACEFGH 0     0     1 E  4 AEGH 1 C  1 C (G: 2, H: 2)
 */
static const char measure_header[] =
    "C01,1,15/06/2010,WBRI,UN1,,\nC02,2,15/06/2011,WBRI,UN1,,\n"
    "C03,1,15/06/2009,WBRI,UN1,,\nC04,2,15/06/2012,WBRI,UN1,,\n"
    "C05,1,15/06/2007,WBRI,UN1,,\nC06,1,15/06/2008,WBRI,UN1,,\n"
    "C07,2,15/06/2013,WBRI,UN1,,\nC08,1,15/06/2014,WBRI,UN1,,\n";
static const char measure_episodes[] =
    "C01,10/01/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,\n"
    "C02,01/05/2023,S,C2,N1,K2,PR1,15/08/2023,E3,,N1 9GU,N7 6QR,\n"
    "C03,01/07/2023,S,C2,N1,U3,PR1,01/09/2023,X1,,N1 9GU,N7 6QR,\n"
    "C03,01/09/2023,P,C2,N1,U4,PR1,01/11/2023,X1,CARPL,N1 9GU,N7 6QR,\n"
    "C03,01/11/2023,P,C2,N1,K1,PR1,,,CARPL,N1 9GU,N7 6QR,\n"
    "C04,01/10/2023,S,V3,N1,U1,PR1,,,,N1 9GU,N7 6QR,\n"
    "C05,01/12/2023,S,C2,N1,U2,PR1,,,,N1 9GU,N7 6QR,\n"
    "C06,10/04/2023,S,C2,N1,R1,PR1,,,,N1 9GU,N7 6QR,\n"
    "C07,01/12/2022,S,C2,N1,U1,PR1,01/06/2023,X1,,N1 9GU,N7 6QR,\n"
    "C07,01/06/2023,L,C1,N1,U1,PR1,01/02/2024,X1,,N1 9GU,N7 6QR,\n"
    "C07,01/02/2024,P,C1,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,\n"
    "C08,05/05/2023,S,C2,N1,U1,PR1,10/06/2023,E3,,N1 9GU,N7 6QR,\n"
    "C08,10/10/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,\n";
static const char measure_uasc[] = "C05,1,15/06/2007,\nC06,1,15/06/2008,15/01/2024\n";

static double measure(sqlite3 *db, const char *period, const char *m)
{
    sqlite3_stmt *st;
    double v = -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM measures_all_sources WHERE la_code = 'E09000007' "
                           "AND period = ? AND measure = ? AND source = 'ssda903'",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, m, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_double(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

static void expect_quarter(sqlite3 *db, const char *q, double at_end, double started,
                           double ceased, double uasc, double foster, double resid,
                           double plus3)
{
    CHECK_NEAR(measure(db, q, "cla_at_end"), at_end, 0);
    CHECK_NEAR(measure(db, q, "cla_started"), started, 0);
    CHECK_NEAR(measure(db, q, "cla_ceased"), ceased, 0);
    CHECK_NEAR(measure(db, q, "uasc_at_end"), uasc, 0);
    CHECK_NEAR(measure(db, q, "cla_in_foster"), foster, 0);
    CHECK_NEAR(measure(db, q, "cla_in_residential"), resid, 0);
    CHECK_NEAR(measure(db, q, "cla_3plus_placements_12m"), plus3, 0);
}

static void test_derived_measures(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", measure_header, measure_episodes, measure_uasc,
                          0, &r, &e), 0);
    liia_ingest_result_free(&r);
    expect_quarter(t->db, "2023-06-30", 4, 3, 1, 1, 2, 1, 0);
    expect_quarter(t->db, "2023-09-30", 4, 1, 1, 1, 3, 0, 0);
    expect_quarter(t->db, "2023-12-31", 6, 2, 0, 2, 4, 1, 1);
    expect_quarter(t->db, "2024-03-31", 6, 0, 0, 1, 4, 1, 1);

    /* Without the uasc table there is no uasc_at_end (not zero). */
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", measure_header, measure_episodes, NULL,
                          0, &r, &e), 0);
    liia_ingest_result_free(&r);
    CHECK_NEAR(measure(t->db, "2024-03-31", "uasc_at_end"), -1, 0);
    CHECK_NEAR(measure(t->db, "2024-03-31", "cla_at_end"), 6, 0);
}

/* A quarterly return for the same authority and period, for reconcile. */
static void add_quarterly(sqlite3 *db, const char *period, const char *m, double v)
{
    static const char *const sql[] = {
        "INSERT OR IGNORE INTO submission (id, la_code, period, return_type, version, "
        "status, received_at, file_name, sha256) VALUES (90000, 'E09000007', ?1, "
        "'quarterly', 1, 'accepted', 'now', 'q.csv', 'x')",
        "INSERT INTO submission_value (submission_id, measure, value) VALUES "
        "(90000, ?2, ?3)"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = NULL;
        CHECK_INT(sqlite3_prepare_v2(db, sql[i], -1, &st, NULL), SQLITE_OK);
        if (i == 0)
            sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
        else {
            sqlite3_bind_text(st, 2, m, -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 3, v);
        }
        CHECK_INT(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
}

static void test_reconcile(struct t903 *t)
{
    add_quarterly(t->db, "2024-03-31", "cla_at_end", 6);
    add_quarterly(t->db, "2024-03-31", "cla_in_foster", 9);
    liia_903_recon_row *rows = NULL;
    size_t n = 0;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_ssda903_reconcile(t->db, "E09000007", "2024-03-31", 0.10, 1, &rows,
                                     &n, &e), 0);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(rows[i].measure, "cla_at_end")) {
            seen++;
            CHECK(rows[i].has_quarterly);
            CHECK_NEAR(rows[i].diff, 0, 0);
            CHECK_INT(rows[i].flagged, 0);
        } else if (!strcmp(rows[i].measure, "cla_in_foster")) {
            seen++;
            CHECK_NEAR(rows[i].derived, 4, 0);
            CHECK_NEAR(rows[i].diff, -5, 0);
            CHECK_INT(rows[i].flagged, 1);
        } else if (!strcmp(rows[i].measure, "cla_started")) {
            seen++;
            CHECK_INT(rows[i].has_quarterly, 0);
            CHECK_INT(rows[i].flagged, 0);
        }
    }
    CHECK_INT(seen, 3);
    free(rows);
}

/* ------------------------------------------------------------ public fake data */

static void test_public_fake_data(struct t903 *t)
{
    const char *files[2] = {FIXTURE_DIR "/fake903_episodes.csv",
                            FIXTURE_DIR "/fake903_header.csv"};
    liia_ingest_options o = {.la = "CAM", .period = "2018-03-31", .key_path = t->key_path,
                          .schema_dir = SCHEMA_DIR};
    size_t nfiles = 2;
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    liia_error_clear(&e);
    CHECK_INT(t903_submit(t->db, &o, files, nfiles, &r, &e), 0);
    CHECK_INT(r.outcome, LIIA_INGEST_ACCEPTED);
    CHECK_INT(r.rows, 18 + 35);
    CHECK(r.findings.errors > 0);
    CHECK(t903_finding(&r, "147") != NULL);   /* DEC with two-digit years */
    CHECK(t903_finding(&r, "148") != NULL);   /* REC on open episodes */
    CHECK(measure(t->db, "2018-03-31", "cla_at_end") > 0);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_child WHERE child_pid IN "
                         "('538333', '604914', '95227')"), 0);
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_episode WHERE home_sector = "
                         "'V26 3IN' OR child_pid = '538333'"), 0);
    liia_ingest_result_free(&r);
}

int main(void)
{
    struct t903 t;
    if (t903_open(&t, "test_903_ingest"))
        return 1;
    test_rejections(&t);
    test_empty_keeps_accepted(&t);
    test_other_year(&t);
    test_cp1252_warning(&t);
    test_bad_la_period(&t);
    test_bounded_findings(&t);
    test_cell_findings(&t);
    test_key_required(&t);
    test_validate_only(&t);
    test_linkage(&t);
    test_resubmission(&t);
    test_derived_measures(&t);
    test_reconcile(&t);
    test_public_fake_data(&t);
    test_no_raw_identifiers(&t);
    t903_close(&t);
    return unit_result("test_903_ingest");
}
