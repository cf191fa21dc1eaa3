/*
 * ingest_internal.h - how a return type plugs into the one ingest pipeline.
 *
 * To add a return type (e.g. ssda903):
 *   1. write `const struct liia_return_ops ingest_<id>_ops` in your own
 *      ingest/<id>*.c: info (id = the return_type.id row your migration
 *      inserts, title, schema path under schemas/, one_file_per_submission),
 *      recognise() and run();
 *   2. declare it below and add `&ingest_<id>_ops` to return_types[] in
 *      ingest/return_types.c (one line; order = recognition priority);
 *   3. nothing else: plan/submission/status/history/schemas pick it up.
 *
 * run() contract: validate the files and, unless o->validate_only, record
 * the submission through the helpers below, all writes in ONE transaction
 * begun with liia_db_begin(); a rejected submission is recorded (status
 * 'rejected', findings, no values) in its own transaction.  Fill r
 * (outcome, la_code, period, sha256, version, findings ...).  Return 0
 * when the data was judged, -1 only for usage/I/O/DB failures.
 */
#ifndef LIIA_INGEST_INTERNAL_H
#define LIIA_INGEST_INTERNAL_H

#include "liia_ingest.h"
#include "reader.h"

struct liia_return_ops {
    liia_return_info info;
    /* 1 when a file with this signature (reader.h: a CSV file's header
     * names, an XML file's root element and collection) is one of this
     * return's files: recognised from content, never from the file name. */
    int (*recognise)(const liia_signature *sig);
    int (*run)(sqlite3 *db, const char *const *files, size_t nfiles,
               const liia_ingest_options *o, liia_ingest_result *r,
               liia_error *e);
};

extern const struct liia_return_ops ingest_quarterly_ops;
extern const struct liia_return_ops ingest_ssda903_ops;
extern const struct liia_return_ops ingest_cin_ops;

/* The table, in ingest/return_types.c; NULL when id is unknown. */
const struct liia_return_ops *ingest_return_find(const char *id);
const struct liia_return_ops *ingest_return_at(size_t i);
size_t ingest_return_count(void);

/* ---- helpers shared by every return type (ingest/ingest_store.c) ---- */

/* SHA-256 (hex) over the files' bytes in order, streamed. */
int ingest_sha256_files(const char *const *files, size_t nfiles,
                        char out[65], liia_error *e);
/* "a.csv + b.csv": base names, truncated to fit. */
void ingest_file_names(const char *const *files, size_t nfiles,
                       char *out, size_t outsz);
/* Current accepted version of (la, period, type): id, version, sha256; all
 * zero/empty when none. */
int ingest_current_version(sqlite3 *db, const char *la, const char *period,
                           const char *type, long long *id, int *version,
                           char sha256[65], liia_error *e);
/* The next version number of (la, period, type). */
int ingest_next_version(sqlite3 *db, const char *la, const char *period,
                        const char *type, int *next, liia_error *e);
/* Marks version id superseded (caller's transaction). */
int ingest_supersede(sqlite3 *db, long long id, liia_error *e);
/* 1 when sha256 is the accepted version's of (la, period, type), named
 * by *id and *version: an identical resend, nothing to do.  0 when not,
 * or when strict and that version was accepted with errors (the files are
 * judged again).  -1 on a database failure. */
int ingest_identical_resend(sqlite3 *db, const char *la, const char *period,
                            const char *type, const char *sha256, int strict,
                            long long *id, int *version, liia_error *e);
/* Inside the caller's transaction: marks the current accepted version
 * superseded and inserts r as the next accepted version; sets
 * r->submission_id, r->version, r->superseded. */
int ingest_insert_accepted(sqlite3 *db, liia_ingest_result *r, liia_error *e);
/* Inserts every finding of r for r->submission_id (caller's transaction). */
int ingest_insert_findings(sqlite3 *db, const liia_ingest_result *r,
                           liia_error *e);
/* Records r as rejected with its findings, in its own transaction. */
int ingest_record_rejection(sqlite3 *db, liia_ingest_result *r,
                            liia_error *e);
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
