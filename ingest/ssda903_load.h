/* ssda903_load.h - streaming one SSDA903 table into the store, and the
 * steps that run once all tables are in (rules over ordered episodes,
 * derived measures, findings).  Internal to ingest/. */
#ifndef LIIA_SSDA903_LOAD_H
#define LIIA_SSDA903_LOAD_H

#include "liia_ingest.h"
#include "pseudo.h"
#include "ssda903_internal.h"

/* One input file matched to its table. */
struct s903_input {
    const char *path;
    int table;                       /* schema table index, -1 = unknown */
    int map[S903_MAX_COLS];          /* file field of each schema column */
    size_t nfields;                  /* fields in the file's header row */
    long rows;
};

struct s903_kids;

struct s903_run {
    sqlite3 *db;
    const struct s903_schema *s;
    liia_pseudo *ps;
    struct s903_dates dates;
    /* the quarters of the collection year up to the period, oldest first:
     * dates with qs, qe, y1 set for the measures */
    struct s903_dates quarters[S903_MAX_QUARTERS];
    size_t nquarters;
    int have_uasc;
    struct s903_kids *kids;
    char period[11];
    long long sid;
    liia_findings *findings;          /* the listed findings */
    liia_rule_counts *counts;         /* every finding, by rule */
    struct s903_input *inputs;
    size_t ninputs;
};

/* Reads the header row of in->path and finds its table; adds a finding and
 * returns 1 when the file cannot be read or recognised or lacks a column;
 * -1 on runtime failure. */
int s903_identify(struct s903_run *run, struct s903_input *in, liia_error *e);

/* Streams in->path into the table's store table, every row through the
 * child index (ssda903_child.h).  Episodes are stored as each child's rows
 * are complete; with direct set they are stored at once and the cross-row
 * rules left to s903_episodes_in_order.  Returns S903_UNGROUPED when the
 * episodes are not grouped by child (nothing of the table is then valid). */
int s903_load_table(struct s903_run *run, struct s903_input *in, int direct,
                    liia_error *e);

/* The cross-row rules and measures over the stored episodes read back in
 * child order, for a file whose episodes are not grouped by child. */
int s903_episodes_in_order(struct s903_run *run, liia_error *e);

/* The rules given as SQL ('sql' in rules.json), over the stored rows. */
int s903_run_sql_rules(struct s903_run *run, liia_error *e);

/* Stores the derived measures counted while the episodes streamed in. */
int s903_derive(struct s903_run *run, liia_error *e);

/* The file given for a schema table ("" if none) and the 1-based field
 * number of one of its columns in that file (0 if none). */
const char *s903_table_file(const struct s903_run *run, int table);
int s903_table_colno(const struct s903_run *run, int table, int col);

/* Stores findings with identifying values masked. */
int s903_store_findings(sqlite3 *db, long long sid, const liia_findings *f,
                        liia_error *e);

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

#endif
