/*
 * ingest_internal.h - how a return type plugs into the one submission
 * lifecycle (ingest/ingest.c).
 *
 * The lifecycle is the pipeline's, once for every return type: it
 * fingerprints the files, answers an identical resend, opens the one
 * transaction, numbers the version, supersedes the accepted one, decides
 * accept or reject, stores the findings (identifying values withheld), the
 * per-rule counts and the totals, commits, and for `validate` stages in a
 * private scratch database so it never takes the store's write lock.  A
 * return type only judges its files and stages its rows.
 *
 * To add a return type (e.g. cin):
 *   1. write `const struct liia_return_ops ingest_<id>_ops` in your own
 *      ingest/<id>*.c: info (id = the return_type.id row your migration
 *      inserts), recognise(), open(), stage() and close(); discard(),
 *      withheld() and rank() when it needs them;
 *   2. declare it below and add `&ingest_<id>_ops` to return_types[] in
 *      ingest/return_types.c (one line; order = recognition priority);
 *   3. nothing else: plan, submission, status, history, schemas pick it up.
 * A return type never begins, commits or rolls back a transaction and
 * never writes the submission or finding tables.
 */
#ifndef LIIA_INGEST_INTERNAL_H
#define LIIA_INGEST_INTERNAL_H

#include "liia_ingest.h"
#include "reader.h"

struct liia_return_ops;

/* One submission on its way through the lifecycle, as a return type sees
 * it.  r->return_type and r->file_name are set before open(). */
struct ingest_job {
    sqlite3 *db;              /* open(): the store, to read (authorities, a
                               * previous quarter); stage(): where to stage,
                               * the store inside the lifecycle's
                               * transaction or validate's scratch copy */
    const char *const *files;
    size_t nfiles;
    const liia_ingest_options *o;
    liia_ingest_result *r;    /* findings, rule counts, la_code, period,
                               * rows; submission_id during stage() */
    const char **hash_order;  /* the files in the order they are
                               * fingerprinted: as given, unless open()
                               * puts them in a canonical order (nfiles) */
    /* The other return type a file with this signature is one of, or
     * NULL: for a return type to explain a file sent as the wrong return
     * (given by the lifecycle, so no return type depends on the table of
     * them). */
    const liia_return_info *(*recognise_other)(const struct liia_return_ops *self,
                                               const liia_signature *sig);
};

struct liia_return_ops {
    liia_return_info info;
    /* 1: stage() finds things (its rows are checked as they are staged),
     * so validate stages too (in a scratch database). */
    int stage_checks;
    /* 1 when a file with this signature (reader.h: a CSV file's header
     * names, an XML file's root element and collection) is one of this
     * return's files: recognised from content, never from the file name. */
    int (*recognise)(const liia_signature *sig);
    /* Reads what can be judged before any row is staged, the store only
     * read: options, authority and period (into r), the files' structure
     * (findings into r).  *state is the return type's, freed by close().
     * 0 to go on, 1 when the submission is rejected as it stands (its
     * findings say why), -1 on a usage, I/O or database failure. */
    int (*open)(struct ingest_job *job, void **state, liia_error *e);
    /* Stages the rows under r->submission_id in job->db, inside the
     * lifecycle's transaction, and adds r->rows.  -1 on failure; a file
     * that turns out unreadable (LIIA_E_DATA or LIIA_E_IO) becomes a
     * finding and rejects the submission. */
    int (*stage)(void *state, struct ingest_job *job, liia_error *e);
    /* Deletes a superseded version's staged rows (history keeps its
     * metadata and findings).  NULL: its rows stay. */
    int (*discard)(void *state, sqlite3 *db, long long old_id, liia_error *e);
    /* 1 when a finding's value identifies a child and must not be stored.
     * NULL: nothing is withheld. */
    int (*withheld)(const void *state, const liia_error *f);
    /* The finding's place among the return's parts (a table's index) for
     * the order findings are reported and stored in: by part, line,
     * column.  NULL: in the order they were found. */
    int (*rank)(const void *state, const liia_error *f);
    void (*close)(void *state);
};

extern const struct liia_return_ops ingest_quarterly_ops;
extern const struct liia_return_ops ingest_ssda903_ops;
extern const struct liia_return_ops ingest_cin_ops;

/* The table, in ingest/return_types.c; NULL when id is unknown. */
const struct liia_return_ops *ingest_return_find(const char *id);
const struct liia_return_ops *ingest_return_at(size_t i);
size_t ingest_return_count(void);

/* ---- the lifecycle's store steps (ingest/ingest_store.c) ---- */

/* SHA-256 (hex) over the files' bytes in order, streamed. */
int ingest_sha256_files(const char *const *files, size_t nfiles,
                        char out[65], liia_error *e);
/* "a.csv + b.csv": base names, whole; " + N more" for those that do not fit. */
void ingest_file_names(const char *const *files, size_t nfiles,
                       char *out, size_t outsz);
/* 1 when sha256 is the accepted version's of (la, period, type), named
 * by *id and *version: an identical resend, nothing to do.  0 when not,
 * or when strict and that version was accepted with errors (the files are
 * judged again).  -1 on a database failure. */
int ingest_identical_resend(sqlite3 *db, const char *la, const char *period,
                            const char *type, const char *sha256, int strict,
                            long long *id, int *version, liia_error *e);
/* 1 when (la, period, type) has an accepted version, so a resend of the
 * same files is possible; 0 when not; -1 on a database failure. */
int ingest_has_accepted(sqlite3 *db, const char *la, const char *period,
                        const char *type, liia_error *e);
/* Inside the caller's transaction: the version id's fingerprint, when it
 * was inserted before the fingerprint was known. */
int ingest_set_sha256(sqlite3 *db, long long id, const char *sha256, liia_error *e);
/* Inside the caller's transaction: marks the current accepted version
 * superseded (*old, 0 if none) and inserts r as the next accepted
 * version; sets r->submission_id, r->version, r->superseded. */
int ingest_insert_accepted(sqlite3 *db, liia_ingest_result *r, long long *old,
                           liia_error *e);
/* Inside the caller's transaction: the submission's totals, its findings
 * (values withheld where withheld(state, f) says) and its rule counts. */
int ingest_finish_submission(sqlite3 *db, const liia_ingest_result *r,
                             const struct liia_return_ops *ops,
                             const void *state, liia_error *e);
/* Records r as rejected with its findings, in its own transaction. */
int ingest_record_rejection(sqlite3 *db, liia_ingest_result *r,
                            const struct liia_return_ops *ops,
                            const void *state, liia_error *e);
/* Findings by part (ops->rank), line and column; left as found when the
 * return has no rank or there is no memory to sort. */
void ingest_sort_findings(liia_findings *f, const struct liia_return_ops *ops,
                          const void *state);
/* Where validate stages: a private temporary database with the store's
 * tables (foreign keys off: the catalogues are the store's). */
int ingest_open_scratch(sqlite3 **out, liia_error *e);

/* Adds a finding at (line, column) with rule id, severity, value, message
 * and fix; -1 only when out of memory. */
int ingest_finding(liia_findings *f, const char *file, long line, long col,
                   const char *column_name, liia_severity sev,
                   const char *rule_id, const char *value,
                   const char *message, const char *fix) LIIA_MUST_CHECK;

/* ---- bounded findings (ingest/ingest_tally.c) ---- */

/* Counts a finding of rule (severity sev) in c.  1 when it is among the
 * first LIIA_FINDINGS_LISTED_PER_RULE of its rule: the caller adds it to
 * f (liia_findings_add counts it there); 0 when it is only counted (f's
 * errors or warnings still include it); -1 on ENOMEM.  Call it before
 * formatting a message: most findings of a dense file are never built. */
int ingest_tally(liia_rule_counts *c, liia_findings *f, const char *rule,
                 liia_severity sev) LIIA_MUST_CHECK;

/* A copy of the counts and totals, to go back to (ingest_tally_restore)
 * when a pass is run again. */
struct ingest_tally_mark {
    size_t count, errors, warnings;
    liia_rule_count *items;
    size_t n;
};
int ingest_tally_mark(const liia_rule_counts *c, const liia_findings *f,
                      struct ingest_tally_mark *m) LIIA_MUST_CHECK;
void ingest_tally_restore(liia_rule_counts *c, liia_findings *f,
                          struct ingest_tally_mark *m);
void ingest_tally_mark_free(struct ingest_tally_mark *m);

/* Records c's counts for submission sid (caller's transaction). */
int ingest_insert_rule_counts(sqlite3 *db, long long sid,
                              const liia_rule_counts *c, liia_error *e);

#endif /* LIIA_INGEST_INTERNAL_H */
