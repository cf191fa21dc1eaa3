/* ssda903_run.h - one SSDA903 ingest's state (the inputs matched to their
 * tables, the store, the findings) and the finding helpers every pass
 * uses: the loader, the child pass and the passes over the store.
 * Internal to ingest/. */
#ifndef LIIA_SSDA903_RUN_H
#define LIIA_SSDA903_RUN_H

#include "ingest_internal.h"
#include "pseudo.h"
#include "ssda903_internal.h"

/* One input file matched to its table. */
struct s903_input {
    const char *path;
    int table;                       /* schema table index, -1 = unknown */
    int *map;                        /* file field of each schema column
                                      * (s903_identify; freed with the run) */
    size_t nfields;                  /* fields in the file's header row */
    long rows;                       /* rows read and taken in */
    long misaligned;                 /* rows left out: not nfields fields */
};

/* An authority's DfE number and name (what an "identifies": "la" cell is
 * compared with). */
#define S903_MAX_LAS 64
struct s903_la {
    int number;
    char name[64];
};

struct s903_kids;

/* The record being read or checked: a finding on its line also carries
 * its record number, (XML, xlsx) path and the child's raw CHILD (for the
 * sender's eyes only: never stored; NULL when not known). */
struct s903_where {
    long line, record;
    const char *path;
    const char *child;
    size_t child_len;
    /* without child: the child's pseudonym, when known (the cross-part
     * pass); its own id is looked up at the end (s903_fill_child_ids) */
    const unsigned char *pid;
};

/* A listed finding whose child is known by its pseudonym only. */
struct s903_pending {
    size_t finding;                     /* index in the listed findings */
    unsigned char pid[LIIA_PID_BYTES];
};

struct s903_run {
    sqlite3 *db;
    const struct s903_schema *s;
    liia_pseudo *ps;
    struct s903_dates dates;
    /* the quarters of the collection year up to the period, oldest first:
     * dates with qs, qe, y1 set for the measures */
    struct s903_dates quarters[S903_MAX_QUARTERS];
    size_t nquarters;
    struct s903_kids *kids;
    struct s903_upn *upn;             /* UPNs reduced for 210/442/444 */
    char period[11];
    long long sid;
    liia_findings *findings;          /* the listed findings */
    liia_rule_counts *counts;         /* every finding, by rule */
    struct s903_input *inputs;
    size_t ninputs;
    struct s903_where at;
    /* an XML return's "count" measures, counted in the child's pass:
     * quarter q's measure m at q * nmeasures + m (NULL: not counted, as
     * in validate); the working days they read.  Owned. */
    long *mcounts;
    struct liia_calendar *cal;
    struct s903_pending *pending;       /* owned; freed by s903_close */
    size_t npending, cappending;
    long in_year;                       /* rows of the table being read
                                         * with an "activity" date in the
                                         * collection year */
    struct s903_la las[S903_MAX_LAS];   /* every authority (open()) */
    size_t nlas;
    const struct s903_la *la;           /* --la's, NULL before open() */
};

/* The file given for a schema table ("" if none) and the 1-based field
 * number of one of its columns in that file (0 if none). */
const char *s903_table_file(const struct s903_run *run, int table);
/* Rows read of a schema table, over every file given for it. */
long s903_table_rows(const struct s903_run *run, int table);
int s903_table_colno(const struct s903_run *run, int table, int col);

/* Appends a rule code to a row's comma-separated flags; -1 on ENOMEM. */
int s903_flag(liia_buf *flags, const char *code) LIIA_MUST_CHECK;

/* Counts a finding and lists it when it is among the first of its rule
 * (ingest_tally); -1 only on ENOMEM. */
int s903_add_finding(struct s903_run *run, liia_severity sev, const char *file,
                     const char *table, long line, long col,
                     const char *column_name, const char *value, size_t vlen,
                     const char *rule, const char *fix, const char *fmt, ...)
    LIIA_PRINTF(12, 13);
/* The listing half of s903_add_finding, for a caller that has counted the
 * finding with ingest_tally (and builds its message only if listed). */
int s903_list_finding(struct s903_run *run, liia_severity sev, const char *file,
                      const char *table, long line, long col,
                      const char *column_name, const char *value, size_t vlen,
                      const char *rule, const char *fix, const char *fmt, ...)
    LIIA_PRINTF(12, 13);

/* The raw CHILD of the listed findings on a row of a table file that were
 * made when the row was no longer in memory: of a child known by its
 * pseudonym (the cross-part rules), from the pseudonyms' memory of this
 * ingest; the others (a header row's end rules, the SQL rules, a child
 * past that memory's bound) read again from the files up to the last such
 * line.  For the sender's eyes, never stored. */
int s903_fill_child_ids(struct s903_run *run, liia_error *e);

/* The return's steps in the submission lifecycle (ssda903.c), as
 * struct liia_return_ops wants them (ingest_internal.h); the state is the
 * schema of the period's collection year and the run. */
int s903_open(struct ingest_job *job, void **state, liia_error *e);
/* s903_open for the return whose schema folder is schemas/<folder>: a
 * return given as CSV tables (SSDA903) or as one XML file (tables.json
 * "format": "xml", read by reader_xml.c: the CIN census). */
int s903_open_return(struct ingest_job *job, const char *folder, void **state, liia_error *e);
int s903_stage(void *state, struct ingest_job *job, liia_error *e);
int s903_discard(void *state, sqlite3 *db, long long old, liia_error *e);
void s903_close(void *state);
const struct s903_schema *s903_sub_schema(const void *state);

#endif
