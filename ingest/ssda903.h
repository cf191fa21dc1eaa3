/*
 * ssda903.h - the child-level SSDA903 return (children looked after):
 * header, episodes and optional uasc tables, validated against DfE code
 * lists and rule codes (schemas/ssda903/), pseudonymised on the way in and
 * stored with the looked-after measures derived from the episodes.
 *
 * The ingest pipeline reaches it through ingest_ssda903_ops (ssda903_ops.c);
 * see docs/ssda903.md.
 */
#ifndef LIIA_SSDA903_H
#define LIIA_SSDA903_H

#include "liia_ingest.h"

typedef struct liia_903_options {
    const char *la;             /* GSS code, DfE number or short code */
    const char *period;         /* quarter end or 2024-25Q4 form */
    const char *key_path;       /* platform key file (see liia_key_path_for) */
    const char *schema_dir;     /* NULL = liia_schema_dir() */
    const char *const *files;   /* header, episodes, [uasc] in any order */
    size_t nfiles;
    int strict;                 /* reject on any error finding */
    int validate_only;          /* check everything, store nothing */
} liia_903_options;

typedef struct liia_903_result {
    long long submission_id;    /* 0 when nothing was recorded */
    int version;
    int accepted;               /* 1 accepted, 0 rejected */
    int unchanged;              /* identical to the accepted version: the
                                 * files were not read, nothing stored;
                                 * submission_id and version are its */
    char la_code[10];
    char period[11];
    long rows_header, rows_episodes, rows_uasc;  /* rows_uasc: every part other
                                                  * than the child's and the ordered one */
    long long superseded;       /* id of the version replaced, or 0 */
    char sha256[65];            /* over the files in the order given */
    char file_name[256];        /* "header.csv + episodes.csv" */
    liia_findings findings;     /* raw values: for the authority only;
                                 * the first LIIA_FINDINGS_LISTED_PER_RULE
                                 * of each rule, errors/warnings count all */
    liia_rule_counts rule_counts;
} liia_903_result;

void liia_903_result_init(liia_903_result *r);
void liia_903_result_free(liia_903_result *r);

/*
 * Validates and stores one submission in one transaction.  Returns 0 when
 * accepted (findings may hold errors and warnings: they do not reject it
 * unless strict), -1 otherwise with e filled: status LIIA_E_DATA when the
 * submission was rejected (a table or column missing or unreadable, or an
 * error under strict; its metadata and findings are recorded, no rows),
 * another status for usage or runtime failures (nothing recorded).
 * With validate_only everything is checked in a transaction that is then
 * rolled back: the result is the same, the store is unchanged.
 */
int liia_ssda903_ingest(sqlite3 *db, const liia_903_options *o,
                        liia_903_result *r, liia_error *e);

/* One line of the reconciliation of derived and quarterly-return values. */
typedef struct liia_903_recon_row {
    char measure[48];
    int has_quarterly, has_derived;
    double quarterly, derived;
    double diff;                /* derived - quarterly */
    int flagged;                /* |diff| above the tolerance */
} liia_903_recon_row;

/* Compares the measures derived from the latest accepted SSDA903 data for
 * (la_code, period) with the authority's accepted quarterly return.  A
 * difference is flagged when it exceeds max(abs_tol, rel_tol * quarterly).
 * Rows are in catalogue order; caller frees *rows. */
int liia_ssda903_reconcile(sqlite3 *db, const char *la_code,
                           const char *period, double rel_tol, double abs_tol,
                           liia_903_recon_row **rows, size_t *nrows,
                           liia_error *e);

#endif
