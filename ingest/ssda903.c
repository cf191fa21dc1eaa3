/*
 * ssda903.c - what the SSDA903 return does in the one submission lifecycle
 * (ingest.c): open() checks the options, loads the key and the year's
 * schema and recognises every file's table (a table or column missing
 * rejects the submission); stage() streams the tables in (validated and
 * pseudonymised), runs the ordered-episode and SQL rules and derives the
 * measures; discard() drops a superseded version's rows.  Cell and rule
 * findings do not reject, unless strict: the lifecycle decides.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ingest_internal.h"
#include "ssda903_child.h"
#include "ssda903_identity.h"
#include "ssda903_load.h"
#include "liia_engine.h"
#include "reader_xml.h"
#include "ssda903_upn.h"

struct s903_sub {
    struct s903_schema s;
    struct s903_run run;
    /* a return read by the XML reader (tables.json "format": "xml"): the
     * layout the reader follows, compiled from the same tables.json */
    liia_xml_layout *layout;
};

const struct s903_schema *s903_sub_schema(const void *state)
{
    return &((const struct s903_sub *)state)->s;
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
        if (s903_kids_reset_episodes(run->kids, e))
            return -1;
        in->rows = in->misaligned = 0;
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
static int load_all(struct s903_run *run, long *rows, liia_error *e)
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
            if ((role == ROLE_ORDERED ? load_episodes(run, in, e)
                                      : s903_load_table(run, in, 0, e)) ||
                s903_required_rows(run, in->path, in->table, in->rows, in->misaligned, e))
                return -1;
            *rows += in->rows;
            /* the rows so far are in the WAL: its write-back overlaps the rest */
            liia_db_start_writeback(run->db);
        }
    return s903_kids_finish(run->kids, e) || s903_kids_cross(run->kids, e) ||
           s903_run_sql_rules(run, e) ||
           s903_fill_child_ids(run, e) ? -1 : 0;
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

/* The return's schema folder: schemas/<folder> (or the --schema-dir's). */
static char *return_dir(const struct ingest_job *job, const char *folder)
{
    return liia_path_join(job->o->schema_dir ? job->o->schema_dir : liia_schema_dir(), folder);
}

/* 1 when the return is one XML file (tables.json "format"). */
static int xml_return(const struct ingest_job *job, const char *folder)
{
    char *dir = return_dir(job, folder);
    char *path = dir ? liia_path_join(dir, "tables.json") : NULL;
    json_error_t je;
    json_t *doc = path ? json_load_file(path, 0, &je) : NULL;
    const char *format = json_string_value(json_object_get(doc, "format"));
    int xml = format && !strcmp(format, "xml");
    json_decref(doc);
    free(path);
    free(dir);
    return xml;
}

static int setup(const struct ingest_job *job, const char *folder, int xml,
                 struct s903_schema *s, unsigned char key[LIIA_KEY_BYTES], liia_error *e)
{
    const liia_ingest_options *o = job->o;
    liia_ingest_result *r = job->r;
    sqlite3 *db = job->db;
    if (xml && (!o->la || !o->period || job->nfiles != 1)) {
        liia_error_fix(e, "liia-bench ingest --return %s --la LA --period P FILE.xml", folder);
        return liia_fail(e, LIIA_E_USAGE, "a %s submission needs --la, --period and one "
                         "XML file", folder);
    }
    if (!o->la || !o->period || job->nfiles == 0 || job->nfiles > S903_MAX_PARTS) {
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
    if (o->validate_only && (!o->key_path || access(o->key_path, F_OK) != 0)) {
        /* validate stores nothing and shows the authority its own ids, so
         * on a data lead's machine (no store, no platform key) a key of
         * this run only, kept nowhere, pseudonymises as well */
        if (RAND_bytes(key, LIIA_KEY_BYTES) != 1)
            return liia_fail(e, LIIA_E_IO, "no random bytes for this check's key");
    } else if (!o->key_path) {
        liia_error_fix(e, "run 'liia-bench init' to create the platform key");
        return liia_fail(e, LIIA_E_USAGE, "no platform key file given");
    } else if (liia_key_load_for_store(db, o->key_path, !o->validate_only, key, e)) {
        return -1;
    }
    liia_error_clear(e);
    char *dir = return_dir(job, folder);
    int rc = dir ? s903_schema_load_return(dir, liia_period_fy_end_year(r->period), s, e)
                 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    free(dir);
    return rc;
}

/* The collection year's start, the period, and the quarters of the year up
 * to the period (Q1 ends in June) with their bounds for the measures. */
static void collection_dates(const char *period, struct s903_run *run)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-04-01", liia_period_fy_end_year(period) - 1);
    liia_strlcpy(run->dates.start, tmp, sizeof run->dates.start);
    memcpy(run->dates.end, period, 11);
    run->dates.start_n = s903_ymd(run->dates.start);
    run->dates.end_n = s903_ymd(run->dates.end);
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

/* The files in table order (header, episodes, uasc; files not
 * recognised first), so the same tables given in another order are the
 * same submission. */
static void hash_order(const struct s903_run *run, const char **order)
{
    size_t n = 0;
    for (int t = -1; t < (int)run->s->ntables; t++)
        for (size_t i = 0; i < run->ninputs; i++)
            if (run->inputs[i].table == t)
                order[n++] = run->inputs[i].path;
}

/* The XML reader's layout of the year, from the same tables.json: its
 * fields of each part must be the schema's columns, in order. */
static int xml_layout(struct s903_sub *sub, liia_error *e)
{
    const struct s903_schema *s = &sub->s;
    if (!(sub->layout = liia_xml_layout_compile(s->docs[0], "tables.json", s->year, e)))
        return -1;
    for (size_t t = 0; t < s->ntables; t++) {
        const char *const *names;
        int i = liia_xml_layout_find(sub->layout, s->tables[t].name);
        int same = i >= 0 &&
                   liia_xml_layout_fields(sub->layout, (size_t)i, &names) == s->tables[t].ncols;
        for (size_t c = 0; same && c < s->tables[t].ncols; c++)
            same = !strcmp(names[c], s->tables[t].cols[c].name);
        if (!same)
            return liia_fail(e, LIIA_E_SCHEMA, "tables.json: the XML layout and the columns "
                             "of part %s differ", s->tables[t].name);
    }
    return 0;
}

/* The working days the rules and measures read ({"working_days": ...}),
 * for every quarter. */
static int calendar(struct s903_run *run, sqlite3 *db, liia_error *e)
{
    if (!(run->cal = liia_calendar_load(db, e)))
        return -1;
    run->dates.cal = run->cal;
    for (size_t q = 0; q < run->nquarters; q++)
        run->quarters[q].cal = run->cal;
    return 0;
}

int s903_open_return(struct ingest_job *job, const char *folder, void **state, liia_error *e)
{
    struct s903_sub *sub = calloc(1, sizeof *sub);
    if (!sub)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    *state = sub;
    unsigned char key[LIIA_KEY_BYTES];
    int xml = xml_return(job, folder);
    int rc = setup(job, folder, xml, &sub->s, key, e);
    struct s903_run *run = &sub->run;
    *run = (struct s903_run){.db = job->db, .s = &sub->s, .findings = &job->r->findings,
                             .counts = &job->r->rule_counts, .ninputs = job->nfiles};
    if (!rc) {
        memcpy(run->period, job->r->period, 11);
        collection_dates(job->r->period, run);
        run->ps = liia_pseudo_new(key, job->r->la_code, e);
        if (run->ps && (s903_identity_open(run, job->db, job->r->la_code, e) ||
                        calendar(run, job->db, e)))
            rc = -1;
    }
    OPENSSL_cleanse(key, sizeof key);
    if (rc || !run->ps || !(run->upn = s903_upn_new(s903_wants_upn_tags(&sub->s), e)))
        return -1;
    if (xml) {
        job->hash_order[0] = job->files[0];
        return xml_layout(sub, e);
    }
    if (!(run->kids = s903_kids_new(run, e)))
        return -1;
    if (!(run->inputs = calloc(job->nfiles, sizeof *run->inputs)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < job->nfiles; i++)
        run->inputs[i].path = job->files[i];
    rc = identify_all(run, e);
    if (rc >= 0)
        hash_order(run, job->hash_order);
    return rc;
}

int s903_open(struct ingest_job *job, void **state, liia_error *e)
{
    return s903_open_return(job, "ssda903", state, e);
}

/* An XML return: its one file through the XML reader, each child's
 * records together, the measures counted as each child ends. */
static int stage_xml(struct s903_sub *sub, struct ingest_job *job, liia_error *e)
{
    struct s903_run *run = &sub->run;
    /* validate's scratch copy has no catalogue to count into */
    if (!job->o->validate_only &&
        !(run->mcounts = calloc(run->nquarters * run->s->nmeasures + 1, sizeof *run->mcounts)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    liia_reader *rd = liia_reader_xml_open(job->files[0], sub->layout, e);
    if (!rd) {
        /* libxml2 that cannot be loaded is the platform's failure (exit 3),
         * not the authority's file */
        if (e->status == LIIA_E_IO && !e->rule_id[0])
            e->status = LIIA_E_SCHEMA;
        return -1;
    }
    int rc = s903_load_grouped(run, job->files[0], rd, &job->r->rows, e);
    liia_reader_free(rd);
    if (rc == 0 && s903_file_rules(run, job->files[0]))
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    liia_db_start_writeback(run->db);   /* while the findings are stored */
    if (rc == 0 && run->mcounts)
        rc = s903_derive(run, e);
    if (rc && (e->status == LIIA_E_DATA || e->status == LIIA_E_IO) && !e->rule_id[0])
        liia_strlcpy(e->rule_id, "LIIA-CIN-XML", sizeof e->rule_id);
    return rc;
}

int s903_stage(void *state, struct ingest_job *job, liia_error *e)
{
    struct s903_sub *sub = state;
    struct s903_run *run = &sub->run;
    run->db = job->db;
    run->sid = job->r->submission_id;
    if (sub->layout)
        return s903_store_tables(run->db, &sub->s, e) ||
               liia_db_exec(run->db, "PRAGMA cache_size = -16384", e) ? -1
               : stage_xml(sub, job, e);
    /* A bounded page cache (16 MB): dirty pages spill to the WAL from the
     * writer thread while the load runs, and the sort of a file whose
     * episodes are not grouped by child spills to temporary files.  A
     * larger cache made no ingest faster (the commit's sync of the WAL
     * dominates), only bigger. */
    if (s903_store_tables(run->db, &((struct s903_sub *)state)->s, e) ||
        liia_db_exec(run->db, "PRAGMA cache_size = -16384", e) ||
        load_all(run, &job->r->rows, e))
        return -1;
    return s903_derive(run, e);
}

/* History keeps a superseded version's metadata and findings, not its
 * rows: the schema's store tables (their rows keyed by submission) and the
 * derived measures go. */
int s903_discard(void *state, sqlite3 *db, long long old, liia_error *e)
{
    const struct s903_schema *s = &((struct s903_sub *)state)->s;
    /* the tables must exist before a superseded version's rows go */
    if (s903_store_tables(db, s, e))
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
        rc = sqlite3_step(st);
        if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
            return liia_db_fail(e, db, "replacing the previous version");
    }
    return 0;
}

void s903_close(void *state)
{
    struct s903_sub *sub = state;
    if (!sub)
        return;
    for (size_t i = 0; sub->run.inputs && i < sub->run.ninputs; i++)
        free(sub->run.inputs[i].map);
    free(sub->run.inputs);
    s903_kids_free(sub->run.kids);
    liia_xml_layout_free(sub->layout);
    s903_upn_free(sub->run.upn);
    free(sub->run.pending);
    free(sub->run.mcounts);
    liia_calendar_free(sub->run.cal);
    liia_pseudo_free(sub->run.ps);
    s903_schema_free(&sub->s);
    free(sub);
}
