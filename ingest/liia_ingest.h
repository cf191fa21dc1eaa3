/*
 * liia_ingest.h - returns from files to store: recognise the return type,
 * validate every cell and rule, and store an accepted submission as a new
 * version in one transaction (or, for validate, store nothing).
 *
 * A command line names files; liia_ingest_plan() groups them into
 * submissions (the quarterly return: one file each; a child-level return:
 * all its tables together) and liia_ingest_submission() runs one group.
 */
#ifndef LIIA_INGEST_H
#define LIIA_INGEST_H

#include "liia_core.h"

typedef struct liia_ingest_options {
    const char *return_type;   /* NULL = recognised from the header row */
    const char *la;            /* optional check: GSS, DfE number or short */
    const char *period;        /* optional check: 2025-03-31 or 2024-25Q4 */
    const char *today;         /* "YYYY-MM-DD": refuse quarters more than
                                * one quarter after it; NULL = no check */
    const char *schema_dir;    /* NULL = liia_schema_dir() */
    const char *key_path;      /* platform key for child-level returns */
    int validate_only;         /* check everything, write nothing */
    int strict;                /* child-level returns: any error rejects the
                                * whole submission (the quarterly return is
                                * always strict) */
} liia_ingest_options;

/*
 * Findings are bounded: of each rule's findings in a submission the first
 * LIIA_FINDINGS_LISTED_PER_RULE are kept (listed on the terminal, in JSON
 * and the reports, and stored), every one is counted.  An extract with a
 * finding on every cell costs a summary, not a copy of itself, in memory
 * and in the store (docs/ssda903.md).
 */
#define LIIA_FINDINGS_LISTED_PER_RULE 200

typedef struct liia_rule_count {
    char rule_id[32];
    liia_severity severity;
    size_t count;              /* every finding of the rule */
    size_t listed;             /* of those, kept in the findings list */
    const char *key;           /* the rule id string last seen (a pointer
                                * compare before a strcmp) */
} liia_rule_count;

typedef struct liia_rule_counts {
    liia_rule_count *items;
    size_t n, cap, last;
} liia_rule_counts;

void liia_rule_counts_free(liia_rule_counts *c);

typedef enum liia_ingest_outcome {
    LIIA_INGEST_ACCEPTED = 0,  /* stored as a new version (or would be) */
    LIIA_INGEST_UNCHANGED,     /* identical to the accepted version: no-op */
    LIIA_INGEST_REJECTED,      /* errors: recorded with findings, no values */
} liia_ingest_outcome;

typedef struct liia_ingest_result {
    liia_ingest_outcome outcome;
    char return_type[32];
    char la_code[10];          /* GSS code, "" if it could not be told */
    char period[11];           /* quarter end, "" if it could not be told */
    char file_name[256];       /* base name(s) as recorded */
    char sha256[65];
    long long submission_id;   /* 0 when nothing was recorded */
    int version;               /* version stored (or current, if unchanged) */
    long long superseded;      /* id of the version replaced, or 0 */
    long rows;                 /* data rows read */
    liia_findings findings;    /* in file order; errors and warnings count
                                * every finding, items the listed ones */
    liia_rule_counts rule_counts; /* per rule; empty when every finding is
                                   * listed (a one-file return) */
} liia_ingest_result;

void liia_ingest_result_init(liia_ingest_result *r);
void liia_ingest_result_free(liia_ingest_result *r);

/* One submission's files: indexes into the caller's file list. */
typedef struct liia_ingest_group {
    const char *return_type;   /* static string from the return table */
    size_t first, count;
} liia_ingest_group;

/*
 * Groups files into submissions.  The return type is opts->return_type or
 * recognised from each file's header row.  *groups is allocated (caller
 * frees).  -1 with e filled when a type is unknown or a file unreadable.
 */
int liia_ingest_plan(const char *const *files, size_t nfiles,
                     const liia_ingest_options *o, liia_ingest_group **groups,
                     size_t *ngroups, liia_error *e);

/*
 * The ingest of one submission, for every return type: the one call the
 * command line and the portal make.  Validates the files and, unless
 * validate_only, records them in one transaction: a new version that
 * supersedes the accepted one, or nothing when they are identical to it
 * (LIIA_INGEST_UNCHANGED), or a rejection with its findings and no rows.
 * validate_only stores nothing and takes no write lock on db.  Returns 0
 * whenever the data was judged (r->outcome says how, r->findings why);
 * -1 with e filled for usage, I/O or database failures, after which
 * nothing of this submission is stored.  Prints nothing.
 */
int liia_ingest_submission(sqlite3 *db, const char *return_type,
                           const char *const *files, size_t nfiles,
                           const liia_ingest_options *o,
                           liia_ingest_result *r, liia_error *e);

/* Writes findings as CSV (Excel-safe cells) to path. */
int liia_ingest_write_findings(const char *path, const liia_findings *f,
                               liia_error *e);

/* The registered return types, for `schemas` and --return. */
typedef struct liia_return_info {
    const char *id, *title, *schema; /* schema: path under schemas/ */
    int one_file_per_submission;
} liia_return_info;

size_t liia_ingest_return_count(void);
const liia_return_info *liia_ingest_return_info(size_t i);

#endif /* LIIA_INGEST_H */
