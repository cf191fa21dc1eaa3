/*
 * ingest.c - the one pipeline every return type goes through: group the
 * command line's files into submissions and run each through the one
 * submission lifecycle (open, fingerprint, identical resend, one
 * transaction: version, stage, verdict, findings; or the rejection), with
 * the return type's ops judging the files and staging the rows; and write
 * findings for the data lead.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest_internal.h"

void liia_ingest_result_init(liia_ingest_result *r)
{
    memset(r, 0, sizeof *r);
    liia_findings_init(&r->findings);
}

void liia_ingest_result_free(liia_ingest_result *r)
{
    if (r) {
        liia_findings_free(&r->findings);
        liia_rule_counts_free(&r->rule_counts);
    }
}

size_t liia_ingest_return_count(void)
{
    return ingest_return_count();
}

const liia_return_info *liia_ingest_return_info(size_t i)
{
    const struct liia_return_ops *ops = ingest_return_at(i);
    return ops ? &ops->info : NULL;
}

const liia_return_info *liia_ingest_return_find(const char *id)
{
    const struct liia_return_ops *ops = ingest_return_find(id);
    return ops ? &ops->info : NULL;
}

/* The return type whose files look like this one, read from its content
 * (reader.h: a CSV header row, an XML root element and collection); the
 * default type when nothing matches or the file cannot be read (its own
 * validator then says why, with a rule id). */
static const struct liia_return_ops *recognise(const char *path)
{
    liia_error ignored;
    liia_error_clear(&ignored);
    liia_signature sig = {0};
    liia_reader *r = liia_reader_open(path, &ignored);
    const struct liia_return_ops *found = NULL;
    if (r && r->ops->signature(r, &sig, &ignored) == 0)
        for (size_t i = 0; i < ingest_return_count() && !found; i++)
            if (ingest_return_at(i)->recognise(&sig))
                found = ingest_return_at(i);
    liia_signature_free(&sig);
    liia_reader_free(r);
    return found ? found : ingest_return_at(0);
}

static int unknown_type(const char *id, liia_error *e)
{
    liia_buf b;
    liia_buf_init(&b);
    for (size_t i = 0; i < ingest_return_count(); i++)
        if (liia_buf_appendf(&b, "%s%s", i ? ", " : "", ingest_return_at(i)->info.id))
            break;
    liia_error_set_value(e, id, strlen(id));
    liia_error_fix(e, "use one of: %s (liia-bench schemas lists them)", b.data);
    liia_buf_free(&b);
    return liia_fail(e, LIIA_E_USAGE, "unknown return type '%s'", id);
}

int liia_ingest_plan(const char *const *files, size_t nfiles,
                     const liia_ingest_options *o, liia_ingest_group **groups,
                     size_t *ngroups, liia_error *e)
{
    const struct liia_return_ops *forced = NULL;
    *groups = NULL;
    *ngroups = 0;
    if (o->return_type && !(forced = ingest_return_find(o->return_type)))
        return unknown_type(o->return_type, e);
    liia_ingest_group *g = calloc(nfiles ? nfiles : 1, sizeof *g);
    if (!g)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < nfiles; i++) {
        const struct liia_return_ops *ops = forced ? forced : recognise(files[i]);
        /* Tables of a multi-file return given side by side are one
         * submission; every file of a one-file return is its own. */
        if (n && !ops->info.one_file_per_submission &&
            !strcmp(g[n - 1].return_type, ops->info.id)) {
            g[n - 1].count++;
            continue;
        }
        g[n++] = (liia_ingest_group){ops->info.id, i, 1};
    }
    *groups = g;
    *ngroups = n;
    return 0;
}

static const liia_return_info *recognise_other(const struct liia_return_ops *self,
                                              const liia_signature *sig)
{
    for (size_t i = 0; i < ingest_return_count(); i++) {
        const struct liia_return_ops *ops = ingest_return_at(i);
        if (ops != self && ops->recognise(sig))
            return &ops->info;
    }
    return NULL;
}

/* The submission is rejected: its findings (and metadata) are recorded
 * in their own transaction, unless only validating. */
static int reject(struct ingest_job *job, const struct liia_return_ops *ops,
                  const void *state, liia_error *e)
{
    liia_ingest_result *r = job->r;
    r->outcome = LIIA_INGEST_REJECTED;
    r->submission_id = 0;
    ingest_sort_findings(&r->findings, ops, state);
    if (job->o->validate_only)
        return 0;
    return ingest_record_rejection(job->db, r, ops, state, e);
}

/* A file that turned out unreadable half-way through staging is a
 * finding that rejects the submission, not a runtime failure. */
static int unreadable(liia_ingest_result *r, liia_error *e)
{
    if (e->status != LIIA_E_DATA && e->status != LIIA_E_IO)
        return -1;
    int take = ingest_tally(&r->rule_counts, &r->findings, e->rule_id, e->severity);
    if (take < 0 || (take && liia_findings_add(&r->findings, e)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    liia_error_clear(e);
    return 1;
}

/* The files' SHA-256, taken on a thread of its own while a first version
 * is read and checked: it is needed before a row is read only when there
 * is an accepted version it could be a resend of.  (On a 100 MB census it
 * is 0.08 s, on the path every other step waits for.) */
struct fingerprint {
    const char *const *files;
    size_t nfiles;
    pthread_t thread;
    int running;
    int rc;
    char sha256[65];
    liia_error err;
};

static void *fingerprint_main(void *arg)
{
    struct fingerprint *f = arg;
    f->rc = ingest_sha256_files(f->files, f->nfiles, f->sha256, &f->err);
    return NULL;
}

static void fingerprint_start(struct fingerprint *f, const struct ingest_job *job)
{
    memset(f, 0, sizeof *f);
    f->files = job->hash_order;
    f->nfiles = job->nfiles;
    liia_error_clear(&f->err);
    /* no thread to be had: taken when it is needed, on this one */
    f->running = pthread_create(&f->thread, NULL, fingerprint_main, f) == 0;
    if (!f->running)
        f->rc = 1;
}

/* Waits for the fingerprint into r->sha256; -1 (e filled) when a file
 * could not be read.  Harmless to call again. */
static int fingerprint_wait(struct fingerprint *f, liia_ingest_result *r, liia_error *e)
{
    if (f->running) {
        pthread_join(f->thread, NULL);
        f->running = 0;
    } else if (f->rc == 1) {
        f->rc = ingest_sha256_files(f->files, f->nfiles, f->sha256, &f->err);
    }
    if (f->rc) {
        *e = f->err;
        return -1;
    }
    liia_strlcpy(r->sha256, f->sha256, sizeof r->sha256);
    return 0;
}

/* Between BEGIN and COMMIT (on the store, or validate's scratch copy):
 * the version row, the staged rows, the verdict, the findings.  0 when
 * accepted (committed, or rolled back for validate), 1 when rejected
 * (rolled back), -1 on failure (rolled back). */
static int stage(struct ingest_job *job, const struct liia_return_ops *ops, void *state,
                 struct fingerprint *fp, liia_error *e)
{
    liia_ingest_result *r = job->r;
    long long old = 0;
    if (ingest_insert_accepted(job->db, r, &old, e) ||
        (old && ops->discard && ops->discard(state, job->db, old, e)))
        return -1;
    int staged = ops->stage ? ops->stage(state, job, e) : 0;
    liia_error ferr;
    liia_error_clear(&ferr);
    int known = r->sha256[0] != '\0';
    if (fingerprint_wait(fp, r, &ferr) && !staged) {
        *e = ferr;
        return -1;
    }
    if (staged)
        return unreadable(r, e);
    if (!known && r->submission_id && ingest_set_sha256(job->db, r->submission_id, r->sha256, e))
        return -1;
    if (r->findings.errors && (ops->info.reject_on_error || job->o->strict))
        return 1;
    ingest_sort_findings(&r->findings, ops, state);
    if (ingest_finish_submission(job->db, r, ops, state, e))
        return -1;
    r->outcome = LIIA_INGEST_ACCEPTED;
    if (job->o->validate_only) {
        r->submission_id = r->version = 0;
        r->superseded = 0;
        return 0;
    }
    return liia_db_commit(job->db, e);
}

static int run_staged(struct ingest_job *job, const struct liia_return_ops *ops,
                      void *state, struct fingerprint *fp, liia_error *e);

/* After open(): fingerprint, identical resend, the one transaction. */
static int run(struct ingest_job *job, const struct liia_return_ops *ops, void *state,
               int verdict, liia_error *e)
{
    liia_ingest_result *r = job->r;
    if (verdict || (r->findings.errors && ops->info.reject_on_error) ||
        (job->o->validate_only && !ops->stage_checks)) {
        if (ingest_sha256_files(job->hash_order, job->nfiles, r->sha256, e)) {
            if (!verdict) /* a file open() could read has gone */
                return -1;
            liia_strlcpy(r->sha256, "unreadable", sizeof r->sha256);
            liia_error_clear(e);
        }
        if (!verdict && !(r->findings.errors && ops->info.reject_on_error)) {
            r->outcome = LIIA_INGEST_ACCEPTED;
            return 0;
        }
        return reject(job, ops, state, e);
    }
    struct fingerprint fp;
    fingerprint_start(&fp, job);
    r->sha256[0] = '\0';
    int rc = run_staged(job, ops, state, &fp, e);
    liia_error ignored;
    liia_error_clear(&ignored);
    fingerprint_wait(&fp, r, &ignored);   /* never left running */
    return rc;
}

/* run() once the fingerprint is on its way: the one transaction. */
static int run_staged(struct ingest_job *job, const struct liia_return_ops *ops,
                      void *state, struct fingerprint *fp, liia_error *e)
{
    liia_ingest_result *r = job->r;
    sqlite3 *store = job->db, *scratch = NULL;
    if (job->o->validate_only) {
        if (ingest_open_scratch(&scratch, e))
            return -1;
        job->db = scratch;
    }
    int rc = liia_db_begin(job->db, e);
    long long id;
    int version, same = 0;
    /* An identical resend is answered before a single row is read, in the
     * transaction, so two senders of the same files store one version;
     * with no accepted version there is nothing it could be a resend of,
     * and the fingerprint is waited for only once the rows are staged. */
    if (!rc && !scratch)
        same = ingest_has_accepted(job->db, r->la_code, r->period, r->return_type, e);
    if (!rc && same == 1)
        same = fingerprint_wait(fp, r, e) ? -1
             : ingest_identical_resend(job->db, r->la_code, r->period, r->return_type,
                                       r->sha256, ops->info.reject_on_error || job->o->strict,
                                       &id, &version, e);
    if (!rc && same == 1) {
        r->outcome = LIIA_INGEST_UNCHANGED;
        r->submission_id = id;
        r->version = version;
        liia_db_rollback(job->db);
    } else if (!rc && same == 0) {
        rc = stage(job, ops, state, fp, e);
        if (rc || job->o->validate_only)
            liia_db_rollback(job->db);
    } else if (!rc) {
        rc = -1;
        liia_db_rollback(job->db);
    }
    job->db = store;
    /* The return type's state may still hold statements on the scratch
     * database until close(): it goes when the last is finalized. */
    sqlite3_close_v2(scratch);
    return rc == 1 ? reject(job, ops, state, e) : rc;
}

/* A file named that cannot be opened (a mistyped name, a folder) is the
 * caller's mistake, found before anything is read or recorded: every return
 * type answers it the same way, and the authority's history does not show
 * a rejected return it never sent. */
static int files_readable(const char *const *files, size_t nfiles, liia_error *e)
{
    for (size_t i = 0; i < nfiles; i++) {
        int fd = open(files[i], O_RDONLY | O_CLOEXEC);
        struct stat sb;
        int err = fd < 0 ? errno : fstat(fd, &sb) ? errno : S_ISDIR(sb.st_mode) ? EISDIR : 0;
        if (fd >= 0)
            close(fd);
        if (err) {
            liia_fail(e, LIIA_E_IO, "cannot open: %s", strerror(err));
            liia_strlcpy(e->file, files[i], sizeof e->file);
            liia_strlcpy(e->fix, "check the file name and that you can read it",
                         sizeof e->fix);
            liia_strlcpy(e->rule_id, "LIIA-FILE", sizeof e->rule_id);
            return -1;
        }
    }
    return 0;
}

int liia_ingest_submission(sqlite3 *db, const char *return_type,
                           const char *const *files, size_t nfiles,
                           const liia_ingest_options *o,
                           liia_ingest_result *r, liia_error *e)
{
    const struct liia_return_ops *ops = ingest_return_find(return_type);
    if (!ops)
        return unknown_type(return_type ? return_type : "", e);
    liia_strlcpy(r->return_type, ops->info.id, sizeof r->return_type);
    ingest_file_names(files, nfiles, r->file_name, sizeof r->file_name);
    /* --period is the user's: a quarter out of range is a usage error,
     * before anything is read (a file's own period is checked as a row) */
    char period[11];
    if (o->period && o->today && (liia_period_parse(o->period, period, e) ||
                                  liia_period_check(period, o->today, e))) {
        e->status = LIIA_E_USAGE;
        return -1;
    }
    if (files_readable(files, nfiles, e))
        return -1;
    const char **order = malloc((nfiles ? nfiles : 1) * sizeof *order);
    if (!order)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    memcpy(order, files, nfiles * sizeof *order);
    struct ingest_job job = {.db = db, .files = files, .nfiles = nfiles, .o = o,
                             .r = r, .hash_order = order,
                             .recognise_other = recognise_other};
    void *state = NULL;
    int rc = ops->open(&job, &state, e);
    if (rc >= 0)
        rc = run(&job, ops, state, rc, e);
    if (rc)
        r->submission_id = 0;
    ops->close(state);
    free(order);
    return rc;
}

static int write_row(FILE *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((i && fputc(',', out) == EOF) || liia_csv_write_field(out, cells[i], 1))
            return -1;
    return fputc('\n', out) == EOF ? -1 : 0;
}

int liia_ingest_write_findings(const char *path, const liia_findings *f,
                               liia_error *e)
{
    /* The findings hold the authority's raw values: 0600, never through a
     * planted link, renamed into place only when whole. */
    liia_outfile file;
    if (liia_outfile_open(&file, path, e))
        return -1;
    FILE *out = liia_outfile_stream(&file, e);
    if (!out) {
        liia_outfile_abort(&file);
        return -1;
    }
    static const char *const header[] = {"file", "line", "column", "column_name",
                                         "severity", "rule_id", "value", "message", "fix",
                                         "record", "path", "child_id"};
    static const char *const sev[] = {"error", "warning", "info"};
    int rc = write_row(out, header, 12);
    for (size_t i = 0; !rc && i < f->count; i++) {
        const liia_error *x = &f->items[i];
        char line[24] = "", col[24] = "", rec[24] = "";
        if (x->line > 0)
            snprintf(line, sizeof line, "%ld", x->line);
        if (x->column > 0)
            snprintf(col, sizeof col, "%ld", x->column);
        if (x->record > 0)
            snprintf(rec, sizeof rec, "%ld", x->record);
        const char *cells[] = {x->file, line, col, x->column_name, sev[x->severity],
                               x->rule_id, x->value, x->message, x->fix, rec, x->path,
                               x->child_id};
        rc = write_row(out, cells, 12);
    }
    if (rc) {
        liia_outfile_abort(&file);
        liia_strlcpy(e->file, path, sizeof e->file);
        return liia_fail(e, LIIA_E_IO, "error writing the findings report");
    }
    return liia_outfile_commit(&file, e);
}
