/*
 * cin.c - the CIN census return type (struct liia_return_ops): one XML file
 * per submission, read through reader_xml.c, each cell checked against
 * tables.json and the year's code lists, pseudonymised at the door (the
 * SSDA903 key and rule: LAchildID -> the same HMAC as CHILD), one row per
 * record in the part's table, all in one transaction (docs/cin.md).
 */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "cin_internal.h"
#include "cin_measures.h"
#include "ssda903_child.h"

struct cin_run {
    sqlite3 *db;
    const struct cin_schema *s;
    liia_pseudo *ps;
    liia_ingest_result *r;
    const char *file;
    int store;                      /* 0 when only validating */
    sqlite3_stmt *ins[16];
    const char *part_ptr[16];
    long rows;
    /* the DfE rules of schemas/cin/rules, run by the child-level engine:
     * its schema of the year, each part's table in it, the collection
     * year's dates, the child being read and the flags' updates */
    const struct s903_schema *es;
    const int *tab;
    struct s903_dates dates;
    struct s903_group *g;
    sqlite3_stmt *upd[16];
    struct s903_cell cells[32], stored[32];
    liia_error *err;
};

/* ------------------------------------------------------------ storing */

static int prepare_inserts(struct cin_run *run, liia_error *e)
{
    for (size_t p = 0; p < run->s->nparts; p++) {
        const struct cin_part *part = &run->s->parts[p];
        liia_buf cols, qs;
        liia_buf_init(&cols);
        liia_buf_init(&qs);
        int rc = 0;
        for (size_t c = 0; c < part->ncols && !rc; c++)
            if (part->cols[c].store)
                rc = liia_buf_appendf(&cols, ", \"%s\"", part->cols[c].store) ||
                     liia_buf_appendf(&qs, ", ?%zu", c + 4);
        char *sql = rc ? NULL : sqlite3_mprintf("INSERT INTO \"%w\" (id, line, flags%s) "
                                                "VALUES (?1, ?2, ?3%s)",
                                                part->store, cols.data, qs.data);
        liia_buf_free(&cols);
        liia_buf_free(&qs);
        if (!sql)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        rc = liia_db_prepare(run->db, sql, &run->ins[p], e);
        sqlite3_free(sql);
        if (rc)
            return -1;
    }
    return 0;
}

static void finalize_inserts(struct cin_run *run)
{
    for (size_t p = 0; p < 16; p++) {
        sqlite3_finalize(run->ins[p]);
        sqlite3_finalize(run->upd[p]);
        run->ins[p] = run->upd[p] = NULL;
    }
}

static void bind_value(sqlite3_stmt *st, int at, const struct cin_value *v)
{
    switch (v->kind) {
    case CV_TEXT: sqlite3_bind_text(st, at, v->text, -1, SQLITE_TRANSIENT); break;
    case CV_INT: sqlite3_bind_int64(st, at, v->i); break;
    case CV_BLOB: sqlite3_bind_blob(st, at, v->blob, 32, SQLITE_TRANSIENT); break;
    default: sqlite3_bind_null(st, at); break;
    }
}

/* ------------------------------------------------------------ findings */

/* Where a finding is and what it says. */
struct cin_at {
    const char *table, *column, *rule, *message, *fix;
    long line, column_no, record;
    const char *path;
    liia_severity sev;
    int pii;                        /* the column identifies a child */
};

/* Counts a finding and lists it while its rule has room; an identifying
 * value never reaches a finding. */
static int list_finding(struct cin_run *run, const struct cin_at *at, const char *value)
{
    int take = ingest_tally(&run->r->rule_counts, &run->r->findings, at->rule, at->sev);
    if (take <= 0)
        return take;
    liia_error f;
    liia_error_clear(&f);
    f.severity = at->sev;
    liia_strlcpy(f.file, run->file, sizeof f.file);
    liia_strlcpy(f.table, at->table, sizeof f.table);
    f.line = at->line;
    f.column = at->column_no;
    liia_strlcpy(f.column_name, at->column, sizeof f.column_name);
    f.record = at->record;
    liia_strlcpy(f.path, at->path ? at->path : "", sizeof f.path);
    liia_strlcpy(f.rule_id, at->rule, sizeof f.rule_id);
    if (value && value[0] && at->pii)
        liia_strlcpy(f.value, "(withheld: identifying)", sizeof f.value);
    else if (value && value[0])
        liia_error_set_value(&f, value, strlen(value));
    liia_fail(&f, LIIA_E_DATA, "%s", at->message);
    liia_strlcpy(f.fix, at->fix, sizeof f.fix);
    return liia_findings_add(&run->r->findings, &f);
}

static int add_finding(struct cin_run *run, const liia_record *rec, const struct cin_part *p,
                       size_t c, const char *value, const char *why)
{
    const struct cin_col *col = &p->cols[c];
    char message[256], fix[200];
    snprintf(message, sizeof message, "%s %s", col->name, why);
    snprintf(fix, sizeof fix, "correct %s in the case management system and export the "
             "census again", col->name);
    struct cin_at at = {p->name, col->name, col->rule, message, fix, rec->line, (long)c + 1,
                        rec->record, rec->path, LIIA_SEV_ERROR, col->pii != CP_NONE};
    return list_finding(run, &at, value);
}

/* A DfE rule of schemas/cin/rules that holds for a record. */
static int rule_finding(struct cin_run *run, const struct s903_rule *r, long line,
                        long record, const char *path, const char *value)
{
    const struct s903_table *t = &run->es->tables[r->table];
    struct cin_at at = {t->name, t->cols[r->col].name, r->code, r->message, r->fix, line,
                        r->col + 1, record, path, r->severity,
                        t->cols[r->col].pii != PII_NONE};
    return list_finding(run, &at, value);
}

/* Appends a code to comma-separated flags (a fixed buffer: a record
 * breaking more rules than it holds keeps the first). */
static void add_flag(char *flags, size_t size, const char *code)
{
    size_t n = strlen(flags);
    if (!strstr(flags, code) && n + strlen(code) + 2 < size)
        snprintf(flags + n, size - n, "%s%s", n ? "," : "", code);
}

/* ------------------------------------------------------------ the rules */

/* A record's cells as the engine reads them (ssda903_internal.h): as
 * received for the rules on the record alone; as stored for the rules
 * across the child's records (the identifier and dropped values blank,
 * dates of birth to the month, a value that failed its check blank). */
static void rule_cells(const struct s903_table *t, const liia_record *rec, const int *ok,
                       struct s903_cell *out, int stored)
{
    for (size_t c = 0; c < t->ncols; c++) {
        const struct s903_col *col = &t->cols[c];
        const char *v = rec->values[c];
        struct s903_cell *x = &out[c];
        memset(x, 0, sizeof *x);
        x->raw = v ? v : "";
        x->len = strlen(x->raw);
        x->ok = ok[c] && x->len;
        if (stored && (!x->ok || col->pii == PII_HMAC || col->pii == PII_DROP)) {
            x->raw = "";
            x->len = 0;
            x->ok = 0;
            continue;
        }
        if (x->ok && col->type == S903_DATE && s903_parse_date(x->raw, x->len, x->iso))
            x->ok = 0;
        if (x->ok && col->type == S903_CODE)
            x->code = s903_codes_index(&col->codes, x->raw);
        if (stored && col->degrade_month && x->iso[0]) {
            memcpy(x->iso + 8, "01", 2);
            x->month = 1;
            x->raw = x->iso;
        }
    }
}

/* A rule on one record (s903_hit_fn): reported and flagged before the
 * record is stored. */
struct row_hit {
    struct cin_run *run;
    const liia_record *rec;
    char *flags;
    size_t size;
};

static int row_hit(void *ctx, const struct s903_rule *r)
{
    struct row_hit *h = ctx;
    const struct s903_cell *v = &h->run->cells[r->col];
    add_flag(h->flags, h->size, r->code);
    return rule_finding(h->run, r, h->rec->line, h->rec->record, h->rec->path,
                        v->len ? v->raw : NULL) < 0 ? -1 : 0;
}

/* A rule across the child's records (s903_group_fn): the record is
 * stored already, so its flags are updated. */
static int child_hit(void *ctx, const struct s903_group_hit *h)
{
    struct cin_run *run = ctx;
    const struct s903_rule *r = h->r;
    if (rule_finding(run, r, h->line, h->record, h->path,
                     h->cell && h->cell->len ? h->cell->raw : NULL) < 0)
        return liia_fail(run->err, LIIA_E_NOMEM, "out of memory");
    if (!run->store)
        return 0;
    sqlite3_stmt **st = &run->upd[r->table];
    if (!*st) {
        char *sql = sqlite3_mprintf("UPDATE \"%w\" SET flags = COALESCE(flags || ',', '') || ?2 "
                                    "WHERE id = ?1", run->es->tables[r->table].store);
        int rc = sql ? liia_db_prepare(run->db, sql, st, run->err)
                     : liia_fail(run->err, LIIA_E_NOMEM, "out of memory");
        sqlite3_free(sql);
        if (rc)
            return -1;
    }
    sqlite3_bind_int64(*st, 1, (sqlite3_int64)((unsigned long long)run->r->submission_id << 32 |
                                               (unsigned long long)h->record));
    sqlite3_bind_text(*st, 2, r->code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(*st);
    sqlite3_reset(*st);
    return rc == SQLITE_DONE ? 0 : liia_db_fail(run->err, run->db, "flagging a CIN record");
}

/* ------------------------------------------------------------ records */

/* The engine's rules on a record: those on the record alone now, those
 * across the child's records (held in run->g) when the child is complete,
 * that is when the next child's record comes (or the file ends). */
static int check_rules(struct cin_run *run, int p, const liia_record *rec, const int *ok,
                       char *flags, size_t size, liia_error *e)
{
    int t = run->tab[p];
    const struct s903_table *et = &run->es->tables[t];
    run->err = e;
    rule_cells(et, rec, ok, run->cells, 0);
    struct s903_rows rows = {.row = {run->cells}};
    struct row_hit h = {run, rec, flags, size};
    if (s903_ruleset_run(et->row_set, &rows, &run->dates, row_hit, &h))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (t == run->es->child_table && s903_group_end(run->g, &run->dates, child_hit, run))
        return -1;
    rule_cells(et, rec, ok, run->stored, 1);
    return s903_group_add(run->g, t, run->stored, rec->line, rec->record, rec->path, e);
}

static int on_record(void *ctx, const liia_record *rec, liia_error *e)
{
    struct cin_run *run = ctx;
    /* The reader names a part by the same pointer every time. */
    size_t p = 0;
    while (p < run->s->nparts && run->part_ptr[p] != rec->part)
        p++;
    if (p == run->s->nparts) {
        for (p = 0; p < run->s->nparts && strcmp(run->s->parts[p].name, rec->part); p++)
            ;
        if (p < run->s->nparts)
            run->part_ptr[p] = rec->part;
    }
    if (p == run->s->nparts || rec->nfields != run->s->parts[p].ncols)
        return liia_fail(e, LIIA_E_SCHEMA, "the reader and the CIN schema disagree");
    const struct cin_part *part = &run->s->parts[p];
    sqlite3_stmt *st = run->ins[p];
    char flags[160] = "", why[160];
    int ok[32];
    for (size_t c = 0; c < part->ncols; c++) {
        struct cin_value v;
        int rc = cin_cell(run->s, &part->cols[c], run->ps, rec->values[c], &v, why, sizeof why);
        if (rc < 0)
            return liia_fail(e, LIIA_E_NOMEM, "pseudonymising failed (OpenSSL)");
        ok[c] = rc == 0;
        if (rc && part->cols[c].own) {
            if (add_finding(run, rec, part, c, rec->values[c], why) < 0)
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            add_flag(flags, sizeof flags, part->cols[c].rule);
        }
        if (run->store && part->cols[c].store)
            bind_value(st, (int)c + 4, &v);
    }
    if (check_rules(run, (int)p, rec, ok, flags, sizeof flags, e))
        return -1;
    run->rows++;
    if (!run->store)
        return 0;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)((unsigned long long)run->r->submission_id << 32 |
                                              (unsigned long long)rec->record));
    sqlite3_bind_int64(st, 2, rec->line);
    if (flags[0])
        sqlite3_bind_text(st, 3, flags, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 3);
    int rc = sqlite3_step(st);
    if (sqlite3_reset(st) != SQLITE_OK || rc != SQLITE_DONE)
        return liia_db_fail(e, run->db, "storing a CIN record");
    return 0;   /* every column is bound again for the next record */
}

/* ------------------------------------------------------------ submission */

static int setup(sqlite3 *db, const char *const *files, size_t nfiles,
                 const liia_ingest_options *o, liia_ingest_result *r,
                 unsigned char key[LIIA_KEY_BYTES], liia_error *e)
{
    if (!o->la || !o->period || nfiles != 1) {
        liia_error_fix(e, "liia-bench ingest --return cin --la LA --period P census.xml");
        return liia_fail(e, LIIA_E_USAGE, "a CIN census submission needs --la, --period "
                         "and one XML file");
    }
    (void)files;
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
    return liia_key_load_for_store(db, o->key_path, !o->validate_only, key, e);
}

/* Removes the rows of a superseded version (history keeps its metadata). */
static int delete_rows(struct cin_run *run, long long sid, liia_error *e)
{
    for (size_t p = 0; sid && p < run->s->nparts; p++) {
        char *sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE id >= ?1 AND id < ?2",
                                    run->s->parts[p].store);
        sqlite3_stmt *st;
        int rc = sql ? liia_db_prepare(run->db, sql, &st, e)
                     : liia_fail(e, LIIA_E_NOMEM, "out of memory");
        sqlite3_free(sql);
        if (rc)
            return -1;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)((unsigned long long)sid << 32));
        sqlite3_bind_int64(st, 2, (sqlite3_int64)((unsigned long long)(sid + 1) << 32));
        rc = sqlite3_step(st);
        if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
            return liia_db_fail(e, run->db, "replacing the previous version");
    }
    return 0;
}

/* What the lifecycle keeps between open, stage, discard and close. */
struct cin_sub {
    struct cin_schema s;
    int have_schema;
    struct s903_schema es;          /* the engine's: the rules of the year */
    int have_es;
    int tab[16];                    /* each part's table in es */
    liia_pseudo *ps;
    const char *schema_dir;
};

/* The engine's schema of the year: the same parts and columns as the
 * CIN schema's (both read tables.json), and the rules. */
static int load_engine(struct cin_sub *sub, int year, liia_error *e)
{
    char *dir = liia_path_join(sub->schema_dir, "cin");
    int rc = dir ? s903_schema_load_return(dir, year, &sub->es, e)
                 : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    free(dir);
    if (rc)
        return -1;
    sub->have_es = 1;
    for (size_t p = 0; p < sub->s.nparts; p++) {
        const struct cin_part *part = &sub->s.parts[p];
        int t = s903_table_index(&sub->es, part->name);
        if (t < 0 || sub->es.tables[t].ncols != part->ncols)
            return liia_fail(e, LIIA_E_SCHEMA, "the CIN schema and its rules' disagree on "
                                               "part %s", part->name);
        sub->tab[p] = t;
    }
    return 0;
}

static int cin_open(struct ingest_job *job, void **state, liia_error *e)
{
    struct cin_sub *sub = calloc(1, sizeof *sub);
    if (!sub)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    *state = sub;
    sub->schema_dir = job->o->schema_dir ? job->o->schema_dir : liia_schema_dir();
    unsigned char key[LIIA_KEY_BYTES];
    int rc = setup(job->db, job->files, job->nfiles, job->o, job->r, key, e);
    if (rc == 0) {
        liia_error_clear(e);
        rc = cin_schema_load(sub->schema_dir, liia_period_fy_end_year(job->r->period),
                             &sub->s, e);
        sub->have_schema = rc == 0;
        if (rc == 0)
            rc = load_engine(sub, liia_period_fy_end_year(job->r->period), e);
    }
    if (rc == 0 && !(sub->ps = liia_pseudo_new(key, job->r->la_code, e)))
        rc = -1;
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

/* Reads the census into the part tables under the new submission and
 * derives the measures (schemas/cin/measures.json), all inside the
 * lifecycle's transaction.  A file the reader refuses (not XML, a
 * DOCTYPE, cut short ...) is LIIA_E_DATA/IO: the lifecycle records it as
 * the submission's finding and rejects it. */
static int cin_stage(void *state, struct ingest_job *job, liia_error *e)
{
    struct cin_sub *sub = state;
    struct cin_run run = {.db = job->db, .s = &sub->s, .ps = sub->ps, .r = job->r,
                          .file = job->files[0], .store = 1, .es = &sub->es,
                          .tab = sub->tab, .err = e};
    char start[32];
    snprintf(start, sizeof start, "%04d-04-01", liia_period_fy_end_year(job->r->period) - 1);
    liia_strlcpy(run.dates.start, start, sizeof run.dates.start);
    liia_strlcpy(run.dates.end, job->r->period, sizeof run.dates.end);
    if (!(run.g = s903_group_new(&sub->es, e)))
        return -1;
    liia_reader *rd = liia_reader_xml_open(run.file, sub->s.layout, e);
    if (!rd) {
        s903_group_free(run.g);
        /* libxml2 that cannot be loaded is the platform's failure (exit 3),
         * not the borough's file */
        if (e->status == LIIA_E_IO && !e->rule_id[0])
            e->status = LIIA_E_SCHEMA;
        return -1;
    }
    int rc = liia_db_exec(run.db, "PRAGMA cache_size = -16384", e) || prepare_inserts(&run, e)
                 ? -1 : liia_reader_run(rd, on_record, &run, e);
    if (rc == 0)
        rc = s903_group_end(run.g, &run.dates, child_hit, &run);
    liia_reader_free(rd);
    finalize_inserts(&run);
    s903_group_free(run.g);
    job->r->rows += run.rows;
    /* the derived measures (schemas/cin/measures.json) in the same
     * transaction; validate's scratch copy has no catalogue to count into */
    if (rc == 0 && !job->o->validate_only)
        rc = liia_cin_derive_measures(run.db, job->r->submission_id, job->r->period,
                                      sub->schema_dir, NULL, e);
    if (rc && (e->status == LIIA_E_DATA || e->status == LIIA_E_IO) && !e->rule_id[0])
        liia_strlcpy(e->rule_id, "LIIA-CIN-XML", sizeof e->rule_id);
    return rc;
}

static int cin_discard(void *state, sqlite3 *db, long long old, liia_error *e)
{
    struct cin_sub *sub = state;
    struct cin_run run = {.db = db, .s = &sub->s};
    return delete_rows(&run, old, e);
}

static void cin_close(void *state)
{
    struct cin_sub *sub = state;
    if (!sub)
        return;
    liia_pseudo_free(sub->ps);
    if (sub->have_es)
        s903_schema_free(&sub->es);
    if (sub->have_schema)
        cin_schema_free(&sub->s);
    free(sub);
}

/* A CIN census is an XML file whose root is tables.json's "root" and whose
 * Header/CollectionDetails/Collection is its "collection". */
static int recognise(const liia_signature *sig)
{
    if (strcmp(sig->format, "xml"))
        return 0;
    char *path = liia_path_join(liia_schema_dir(), "cin/tables.json");
    json_error_t je;
    json_t *doc = path ? json_load_file(path, 0, &je) : NULL;
    free(path);
    const char *root = json_string_value(json_object_get(doc, "root"));
    const char *coll = json_string_value(json_object_get(doc, "collection"));
    int yes = root && coll && !strcmp(sig->root, root) && !strcmp(sig->collection, coll);
    json_decref(doc);
    return yes;
}

const struct liia_return_ops ingest_cin_ops = {
    .info = {"cin", "Children in need census (child-level)", "cin/tables.json", 1, 0},
    .stage_checks = 1,
    .recognise = recognise,
    .open = cin_open,
    .stage = cin_stage,
    .discard = cin_discard,
    .close = cin_close,
};
