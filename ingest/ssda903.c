/*
 * ssda903.c - one SSDA903 submission from files to store, in one
 * transaction: recognise the tables, stream them in (validated and
 * pseudonymised), run the ordered-episode rules, derive the measures,
 * replace the previous version.  A structural problem (a table or column
 * missing, a file unreadable) rejects the submission; cell and rule
 * findings do not, unless strict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ingest_internal.h"
#include "ssda903.h"
#include "ssda903_child.h"
#include "ssda903_load.h"

void liia_903_result_init(liia_903_result *r)
{
    memset(r, 0, sizeof *r);
    liia_findings_init(&r->findings);
}

void liia_903_result_free(liia_903_result *r)
{
    if (r) {
        liia_findings_free(&r->findings);
        liia_rule_counts_free(&r->rule_counts);
    }
}

/* SHA-256 over the files in table order (header, episodes, uasc; files
 * not recognised first), so the same tables given in another order are the
 * same submission.  A file that cannot be read is already a finding. */
static void submission_hash(const struct s903_run *run, char out[65])
{
    const char **paths = calloc(run->ninputs, sizeof *paths);
    size_t n = 0;
    for (int t = -1; paths && t < (int)run->s->ntables; t++)
        for (size_t i = 0; i < run->ninputs; i++)
            if (run->inputs[i].table == t)
                paths[n++] = run->inputs[i].path;
    liia_error ignored;
    liia_error_clear(&ignored);
    if (!paths || n != run->ninputs || ingest_sha256_files(paths, n, out, &ignored))
        liia_strlcpy(out, "unreadable", 65);
    free(paths);
}

/* 1 when the files are byte for byte the accepted version's (r then names
 * that version), 0 when not, -1 on a database failure (ingest_store.c). */
static int same_as_accepted(sqlite3 *db, const liia_903_options *o,
                            liia_903_result *r, liia_error *e)
{
    long long id;
    int version;
    int same = ingest_identical_resend(db, r->la_code, r->period, "ssda903", r->sha256,
                                       o->strict, &id, &version, e);
    if (same == 1) {
        r->unchanged = 1;
        r->accepted = 1;
        r->submission_id = id;
        r->version = version;
    }
    return same;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, liia_error *e)
{
    int rc = sqlite3_step(st);
    int fin = sqlite3_finalize(st);
    if ((rc != SQLITE_DONE && rc != SQLITE_ROW) || fin != SQLITE_OK)
        return liia_db_fail(e, db, what);
    return 0;
}

/* The accepted version this one replaces (0 if none) and the next number. */
static int previous_version(sqlite3 *db, const liia_903_result *r, long long *prev,
                            int *next, liia_error *e)
{
    int version;
    char sha[65];
    return ingest_current_version(db, r->la_code, r->period, "ssda903", prev, &version,
                                  sha, e) ||
           ingest_next_version(db, r->la_code, r->period, "ssda903", next, e) ? -1 : 0;
}

/* History keeps a superseded version's metadata and findings, not its
 * rows: the schema's store tables (their rows keyed by submission) and the
 * derived measures go. */
static int supersede(sqlite3 *db, const struct s903_schema *s, long long old,
                     liia_error *e)
{
    if (ingest_supersede(db, old, e))
        return -1;
    for (size_t t = 0; t <= s->ntables; t++) {
        char *sql = t < s->ntables
            ? sqlite3_mprintf("DELETE FROM \"%w\" WHERE " S903_ROWS_OF_SUBMISSION,
                              s->tables[t].store)
            : sqlite3_mprintf("DELETE FROM derived_measure WHERE submission_id = ?1");
        sqlite3_stmt *st;
        int rc = sql ? liia_db_prepare(db, sql, &st, e)
                     : liia_fail(e, LIIA_E_NOMEM, "out of memory");
        sqlite3_free(sql);
        if (rc)
            return -1;
        sqlite3_bind_int64(st, 1, old);
        if (step_done(db, st, "replacing the previous version", e))
            return -1;
    }
    return 0;
}

static int insert_submission(sqlite3 *db, const liia_903_options *o,
                             liia_903_result *r, const char *status,
                             long long supersedes, liia_error *e)
{
    ingest_file_names(o->files, o->nfiles, r->file_name, sizeof r->file_name);
    sqlite3_stmt *st;
    int rc = liia_db_prepare(db,
        "INSERT INTO submission (la_code, period, return_type, version, status, "
        "received_at, file_name, sha256, supersedes) VALUES (?, ?, 'ssda903', ?, ?, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?, ?)", &st, e);
    if (rc)
        return -1;
    sqlite3_bind_text(st, 1, r->la_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->period, -1, SQLITE_STATIC);
    if (!strcmp(status, "accepted"))
        sqlite3_bind_int(st, 3, r->version);
    sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->sha256, -1, SQLITE_STATIC);
    if (supersedes)
        sqlite3_bind_int64(st, 7, supersedes);
    rc = step_done(db, st, "recording the submission", e);
    r->submission_id = sqlite3_last_insert_rowid(db);
    return rc;
}

static int finish_submission(sqlite3 *db, const liia_903_result *r,
                             const struct s903_schema *s, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "UPDATE submission SET errors = ?, warnings = ?, rows = ? "
                        "WHERE id = ?", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, (long long)r->findings.errors);
    sqlite3_bind_int64(st, 2, (long long)r->findings.warnings);
    sqlite3_bind_int64(st, 3, r->rows_header + r->rows_episodes + r->rows_uasc);
    sqlite3_bind_int64(st, 4, r->submission_id);
    if (step_done(db, st, "recording the submission", e))
        return -1;
    if (s903_store_findings(db, r->submission_id, &r->findings, s, e))
        return -1;
    return ingest_insert_rule_counts(db, r->submission_id, &r->rule_counts, e);
}

struct finding_key {
    int table;
    long line, column;
    size_t seq;
};

static int by_place(const void *a, const void *b)
{
    const struct finding_key *x = a, *y = b;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Findings in the order a data lead reads the files: by table (header,
 * episodes, uasc), line and column, whichever pass found them (a rule
 * across a child's episodes is found when the child ends).  Left as they
 * are if there is no memory to sort. */
static void sort_findings(liia_findings *f, const struct s903_schema *s)
{
    struct finding_key *keys = malloc((f->count + 1) * sizeof *keys);
    if (!keys)
        return;
    for (size_t i = 0; i < f->count; i++) {
        const liia_error *x = &f->items[i];
        keys[i] = (struct finding_key){s903_table_index(s, x->table), x->line, x->column, i};
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

/* Records a rejected submission (metadata and findings, no rows), unless
 * only validating, and reports the rejection. */
static int record_rejection(sqlite3 *db, const liia_903_options *o,
                            liia_903_result *r, const struct s903_schema *s,
                            const char *why, liia_error *e)
{
    sort_findings(&r->findings, s);
    r->accepted = 0;
    r->submission_id = 0;
    if (!o->validate_only) {
        if (liia_db_begin(db, e))
            return -1;
        if (insert_submission(db, o, r, "rejected", 0, e) ||
            finish_submission(db, r, s, e) || liia_db_commit(db, e)) {
            liia_db_rollback(db);
            return -1;
        }
    }
    liia_error_clear(e);
    liia_error_fix(e, "correct the files and submit again; the findings list every problem");
    return liia_fail(e, LIIA_E_DATA, "SSDA903 submission rejected: %s", why);
}

/* The episodes, grouped by child as extracts list them; when they are
 * not, everything they did is rolled back and they are loaded again as
 * they come, then checked and counted in child order from the store. */
static int load_episodes(struct s903_run *run, struct s903_input *in, liia_error *e)
{
    struct ingest_tally_mark mark;
    if (ingest_tally_mark(run->counts, run->findings, &mark))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (liia_db_exec(run->db, "SAVEPOINT s903_episodes", e)) {
        ingest_tally_mark_free(&mark);
        return -1;
    }
    int rc = s903_load_table(run, in, 0, e);
    if (rc == S903_UNGROUPED) {
        ingest_tally_restore(run->counts, run->findings, &mark);
        ingest_tally_mark_free(&mark);
        if (liia_db_exec(run->db, "ROLLBACK TO s903_episodes", e))
            return -1;
        s903_kids_reset_episodes(run->kids);
        in->rows = 0;
        rc = s903_load_table(run, in, 1, e);
        if (rc == 0)
            rc = s903_episodes_in_order(run, e);
    } else {
        ingest_tally_mark_free(&mark);
    }
    if (rc)
        return -1;
    return liia_db_exec(run->db, "RELEASE s903_episodes", e);
}

/* The parts in the schema's load order (the child part first, the
 * ordered part last), so that the child index knows every child's header
 * and other rows before the first episode. */
static int load_all(struct s903_run *run, liia_903_result *r, liia_error *e)
{
    for (size_t k = 0; k < run->s->ntables; k++)
        for (size_t i = 0; i < run->ninputs; i++) {
            struct s903_input *in = &run->inputs[i];
            if (in->table != (int)run->s->load_order[k])
                continue;
            enum s903_role role = run->s->tables[in->table].role;
            struct stat sb;
            /* A header row is some 40 bytes: one child each. */
            if (role == ROLE_CHILD && stat(in->path, &sb) == 0 &&
                s903_kids_reserve(run->kids, (size_t)sb.st_size / 40, e))
                return -1;
            if (role == ROLE_ORDERED ? load_episodes(run, in, e)
                                     : s903_load_table(run, in, 0, e))
                return -1;
            if (role == ROLE_CHILD) r->rows_header = in->rows;
            else if (role == ROLE_ORDERED) r->rows_episodes = in->rows;
            else r->rows_uasc += in->rows;   /* every other part */
        }
    return s903_kids_finish(run->kids, e) || s903_run_sql_rules(run, e) ? -1 : 0;
}

/* Everything between BEGIN and COMMIT.  Returns 1 when strict rejects. */
static int store(struct s903_run *run, const liia_903_options *o, liia_903_result *r,
                 liia_error *e)
{
    int next = 0;
    if (previous_version(run->db, r, &r->superseded, &next, e))
        return -1;
    r->version = next;
    if ((r->superseded && supersede(run->db, run->s, r->superseded, e)) ||
        insert_submission(run->db, o, r, "accepted", r->superseded, e))
        return -1;
    run->sid = r->submission_id;
    if (load_all(run, r, e))
        return -1;
    if (o->strict && r->findings.errors)
        return 1;
    sort_findings(&r->findings, run->s);
    if (s903_derive(run, e) || finish_submission(run->db, r, run->s, e))
        return -1;
    r->accepted = 1;
    if (o->validate_only) {
        liia_db_rollback(run->db);
        r->submission_id = 0;
        return 0;
    }
    return liia_db_commit(run->db, e);
}

/* Recognises every file; 1 when the set is not a complete submission. */
static int identify_all(struct s903_run *run, liia_error *e)
{
    int problem = 0;
    for (size_t i = 0; i < run->ninputs; i++) {
        int rc = s903_identify(run, &run->inputs[i], e);
        if (rc < 0)
            return -1;
        problem |= rc;
        for (size_t j = 0; j < i && rc == 0; j++)
            if (run->inputs[j].table == run->inputs[i].table) {
                const char *t = run->s->tables[run->inputs[i].table].name;
                if (s903_add_finding(run, LIIA_SEV_ERROR, run->inputs[i].path,
                                     t, 0, 0, NULL, NULL, 0, "LIIA-903-TABLE",
                                     "give each table once",
                                     "a second %s table (also in %s)", t,
                                     run->inputs[j].path))
                    return liia_fail(e, LIIA_E_NOMEM, "out of memory");
                problem = 1;
            }
    }
    for (size_t t = 0; t < run->s->ntables; t++) {
        int found = 0;
        for (size_t i = 0; i < run->ninputs; i++)
            found |= run->inputs[i].table == (int)t;
        if (!found && run->s->tables[t].required) {
            if (s903_add_finding(run, LIIA_SEV_ERROR, "", run->s->tables[t].name,
                                 0, 0, NULL, NULL, 0, "LIIA-903-TABLE",
                                 "give the header and episodes tables as separate CSV files",
                                 "the %s table is missing", run->s->tables[t].name))
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            problem = 1;
        }
    }
    return problem;
}

static int setup(sqlite3 *db, const liia_903_options *o, liia_903_result *r,
                 struct s903_schema *s, unsigned char key[LIIA_KEY_BYTES], liia_error *e)
{
    if (!o->la || !o->period || o->nfiles == 0 || o->nfiles > S903_MAX_PARTS) {
        liia_error_fix(e, "liia-bench ingest --return ssda903 --la LA --period P "
                          "header.csv episodes.csv [uasc.csv reviews.csv ...]");
        return liia_fail(e, LIIA_E_USAGE, "an SSDA903 submission needs --la, --period "
                         "and its files (header and episodes at least, each table once)");
    }
    /* As the quarterly return: a wrong --la or --period is a usage error
     * (exit 2), not a rejected submission. */
    if (liia_authority_resolve(db, o->la, r->la_code, e) ||
        liia_period_parse(o->period, r->period, e)) {
        if (e->status == LIIA_E_DATA)
            e->status = LIIA_E_USAGE;
        r->la_code[0] = r->period[0] = '\0';
        return -1;
    }
    if (!o->key_path) {
        liia_error_fix(e, "run 'liia-bench init' to create the platform key");
        return liia_fail(e, LIIA_E_USAGE, "no platform key file given");
    }
    if (liia_key_load_for_store(db, o->key_path, !o->validate_only, key, e))
        return -1;
    liia_error_clear(e);
    return s903_schema_load(o->schema_dir ? o->schema_dir : liia_schema_dir(),
                            liia_period_fy_end_year(r->period), s, e);
}

/* The collection year's start, the period, and the quarters of the year up
 * to the period (Q1 ends in June) with their bounds for the measures. */
static void collection_dates(const char *period, struct s903_run *run)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-04-01", liia_period_fy_end_year(period) - 1);
    liia_strlcpy(run->dates.start, tmp, sizeof run->dates.start);
    memcpy(run->dates.end, period, 11);
    int m = atoi(period + 5);
    run->nquarters = m <= 3 ? 4 : (size_t)(m - 3) / 3;
    for (size_t i = 0; i < run->nquarters; i++) {
        struct s903_dates *d = &run->quarters[i];
        *d = run->dates;
        liia_period_shift(period, (int)(run->nquarters - 1 - i), d->qe);
        int y = atoi(d->qe), qm = atoi(d->qe + 5);
        snprintf(tmp, sizeof tmp, "%04d-%02d-01", y, qm - 2);
        liia_strlcpy(d->qs, tmp, sizeof d->qs);
        snprintf(tmp, sizeof tmp, "%04d-%02d-01", qm == 12 ? y : y - 1, qm == 12 ? 1 : qm + 1);
        liia_strlcpy(d->y1, tmp, sizeof d->y1);
        d->qs_n = s903_ymd(d->qs);
        d->qe_n = s903_ymd(d->qe);
        d->y1_n = s903_ymd(d->y1);
    }
}

static int ingest(sqlite3 *db, const liia_903_options *o, liia_903_result *r,
                  struct s903_run *run, liia_error *e)
{
    int rc = identify_all(run, e);
    if (rc < 0)
        return -1;
    submission_hash(run, r->sha256);
    if (rc > 0)
        return record_rejection(db, o, r, run->s, "a table or column is missing or unreadable", e);
    /* An identical resend is answered before a single row is read. */
    if (!o->validate_only && (rc = same_as_accepted(db, o, r, e)) != 0)
        return rc < 0 ? -1 : 0;
    /* A bounded page cache (16 MB): dirty pages spill to the WAL from the
     * writer thread while the load runs, and the sort of a file whose
     * episodes are not grouped by child spills to temporary files.  A
     * larger cache made no ingest faster (the commit's sync of the WAL
     * dominates), only bigger. */
    if (liia_db_exec(db, "PRAGMA cache_size = -16384", e) || liia_db_begin(db, e))
        return -1;
    rc = store(run, o, r, e);
    if (rc == 0)
        return 0;
    liia_db_rollback(db);
    r->submission_id = 0;
    r->rows_header = r->rows_episodes = r->rows_uasc = 0;
    if (rc > 0)
        return record_rejection(db, o, r, run->s, "errors found and --strict given", e);
    /* A file that turns out unreadable half-way is a rejected table. */
    if (e->status == LIIA_E_DATA || e->status == LIIA_E_IO) {
        int take = ingest_tally(&r->rule_counts, &r->findings, e->rule_id, e->severity);
        if (take < 0 || (take && liia_findings_add(&r->findings, e)))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        liia_error_clear(e);
        return record_rejection(db, o, r, run->s, "a table could not be read", e);
    }
    return -1;
}

/* Where validate stages the rows: a private temporary database (a file
 * SQLite deletes on close, pages beyond the cache spill there) with the
 * store's tables, so validating never takes the store's write lock and a
 * data lead's check does not wait for, or hold up, an ingest.  Foreign
 * keys are off: the authority and measure catalogues are the store's. */
static int open_scratch(sqlite3 **out, liia_error *e)
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

int liia_ssda903_ingest(sqlite3 *db, const liia_903_options *o,
                        liia_903_result *r, liia_error *e)
{
    struct s903_schema s;
    unsigned char key[LIIA_KEY_BYTES];
    memset(&s, 0, sizeof s);
    if (setup(db, o, r, &s, key, e)) {
        OPENSSL_cleanse(key, sizeof key);
        return -1;
    }
    sqlite3 *scratch = NULL;
    if (o->validate_only && open_scratch(&scratch, e)) {
        OPENSSL_cleanse(key, sizeof key);
        s903_schema_free(&s);
        return -1;
    }
    if (scratch)
        db = scratch;
    struct s903_run run = {.db = db, .s = &s, .findings = &r->findings,
                           .counts = &r->rule_counts,
                           .ninputs = o->nfiles};
    memcpy(run.period, r->period, 11);
    collection_dates(r->period, &run);
    run.ps = liia_pseudo_new(key, r->la_code, e);
    OPENSSL_cleanse(key, sizeof key);
    run.inputs = calloc(o->nfiles, sizeof *run.inputs);
    int rc = -1;
    if (run.ps && !(run.kids = s903_kids_new(&run, e))) {
        liia_pseudo_free(run.ps);
        run.ps = NULL;
    }
    if (run.ps && run.inputs) {
        for (size_t i = 0; i < o->nfiles; i++)
            run.inputs[i].path = o->files[i];
        rc = ingest(db, o, r, &run, e);
    } else if (run.ps) {
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; run.inputs && i < o->nfiles; i++)
        free(run.inputs[i].map);
    free(run.inputs);
    s903_kids_free(run.kids);
    liia_pseudo_free(run.ps);
    s903_schema_free(&s);
    sqlite3_close(scratch);
    return rc;
}
