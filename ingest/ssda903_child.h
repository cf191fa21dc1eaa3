/* ssda903_child.h - what the SSDA903 ingest knows about each child while
 * the tables stream in: an index of the submission's children (facts from
 * the header and uasc tables, a few dozen bytes a child) and the episodes
 * of the child being read.  When a child's episodes are complete they are
 * put in DECOM order, the cross-row DfE rules run on them and the child is
 * counted into the derived measures; then the rows are handed back to be
 * stored.  Internal to ingest/. */
#ifndef LIIA_SSDA903_CHILD_H
#define LIIA_SSDA903_CHILD_H

#include "ssda903_run.h"

/* s903_kids_episode's answer when the child's episodes are not together in
 * the file: the caller starts the episodes again in child order. */
#define S903_UNGROUPED 2

/* Stores one episode row once its child is complete: xflags holds the
 * codes of the cross-row rules it broke ("" if none), payload is what the
 * caller gave s903_kids_episode. */
typedef int (*s903_emit_fn)(void *ctx, long line, const char *xflags,
                            const void *payload, size_t len, liia_error *e);

struct s903_kids;

struct s903_kids *s903_kids_new(struct s903_run *run, liia_error *e);
void s903_kids_free(struct s903_kids *k);

/* Makes room for about n children (a guess from the header file's size:
 * growing the index as it fills costs a copy of it each time). */
int s903_kids_reserve(struct s903_kids *k, size_t n, liia_error *e);

/* stored: the row's values as stored, one cell per schema column (blank
 * when the cell failed its check or is not stored).  pid: the pseudonym,
 * NULL when CHILD is not valid.  Codes of the rules a row breaks are
 * appended to flags, comma separated. */
/* Starts loading the index slot a header or uasc row's child will take,
 * while the rest of the row is checked: a cache miss per child, hidden. */
void s903_kids_prefetch_slot(struct s903_kids *k, const char *pid);

int s903_kids_header(struct s903_kids *k, const char *pid, long line,
                     const struct s903_cell *stored, liia_buf *flags, liia_error *e);
/* A row of any part other than the child's and the ordered one. */
int s903_kids_part(struct s903_kids *k, int table, const char *pid, long line,
                   const struct s903_cell *stored, liia_buf *flags, liia_error *e);

/* An episode row with a valid CHILD.  It is emitted (emit) when its
 * child's episodes are complete: when a row of another child arrives or at
 * s903_kids_end_episodes.  Returns S903_UNGROUPED when the child's
 * episodes were already complete. */
int s903_kids_episode(struct s903_kids *k, const char *pid, long line,
                      const struct s903_cell *stored, const void *payload,
                      size_t len, s903_emit_fn emit, void *ctx, liia_error *e);
int s903_kids_end_episodes(struct s903_kids *k, s903_emit_fn emit, void *ctx,
                           liia_error *e);

/* Forgets every episode (and the counts) before the episodes are read
 * again in child order. */
int s903_kids_reset_episodes(struct s903_kids *k, liia_error *e);

/* After every table: the header rows of children without episodes. */
int s903_kids_finish(struct s903_kids *k, liia_error *e);

/* After every table: the cross rules (W_CROSS) over each child's records
 * of every part (ssda903_cross.h), reported and flagged on the stored
 * rows. */
int s903_kids_cross(struct s903_kids *k, liia_error *e);

/* Children counted for measure m in quarter q (run->quarters). */
long s903_kids_count(const struct s903_kids *k, size_t q, size_t m);

/* Rule r holds for the i-th record given to s903_part_rules. */
typedef int (*s903_part_hit)(void *ctx, const struct s903_rule *r, size_t i);
/* The child rules of one ordered part over a child's records (own: in
 * the part's order, the first ndated with their order_by date or, for
 * "order_by": "file", all of them; with their periods when the part has
 * "period_end"): each record is the row, its neighbours prev./next.
 * (prev2., first., last., period_first., period_last.), hdr the child's
 * record (CHILDPART.COL,
 * NULL when it has none), parts the exists bits of the child, other the
 * child's records of every part (cross rules; NULL: none).  One
 * evaluator for every return: SSDA903's episodes, each part of a CIN child. */
int s903_part_rules(const struct s903_ruleset *set, const struct s903_part_recs *own,
                    size_t ndated, const struct s903_cell *hdr, uint32_t parts,
                    const struct s903_part_recs *other, const struct s903_dates *d,
                    s903_part_hit fn, void *ctx);

/* A child whose records a file lists together (the CIN census: one XML
 * element per child), held whole: every part's records, ordered per part
 * by its order_by ("file": as given), each part's child rules run by
 * s903_part_rules, and the child part's end rules on the child's record. */
struct s903_group;
struct s903_group *s903_group_new(const struct s903_schema *s, liia_error *e);
void s903_group_free(struct s903_group *g);
/* Counts the schema's "count" measures over each child s903_group_end
 * ends, for quarters q[0..nq) (their $qs, $qe): quarter q's measure m
 * into counts[q * nmeasures + m] (zeroed by the caller, kept by it;
 * NULL: no measures, as in validate); and the file rules' terms into
 * the schema's fterms, whatever counts is.
 * -1 (LIIA_E_SCHEMA) when the schema has more measures than the pass
 * counts. */
int s903_group_count(struct s903_group *g, const struct s903_dates *q, size_t nq,
                     long *counts, liia_error *e);
/* Holds a record of part table: its cells as stored (copied), its line,
 * record number and (XML) element path, and what stores it (payload, len
 * bytes, copied; handed back by s903_group_end). */
int s903_group_add(struct s903_group *g, int table, const struct s903_cell *cells,
                   long line, long record, const char *path, const void *payload,
                   size_t len, liia_error *e);
/* A rule that holds for a held record; cell is the reported column's
 * (NULL for an end rule, which sees no cells). */
struct s903_group_hit {
    const struct s903_rule *r;
    long line, record;
    const char *path;
    const struct s903_cell *cell;
};
typedef int (*s903_group_fn)(void *ctx, const struct s903_group_hit *h);
/* Stores a held record once its child's rules have run: its payload and
 * the codes of the child rules it broke, comma separated ("" if none). */
typedef int (*s903_group_emit_fn)(void *ctx, int table, const void *payload, size_t len,
                                  const char *xflags);
/* Runs the rules over the held child (fn for each that holds), hands its
 * records to emit (may be NULL) in file order and forgets it; -1 as soon
 * as fn or emit fails. */
int s903_group_end(struct s903_group *g, const struct s903_dates *d, s903_group_fn fn,
                   s903_group_emit_fn emit, void *ctx);
/* The cross rules (W_CROSS) over the held child, whose records are
 * already stored: fn for each that holds, then the child is forgotten.
 * parts: the exists bits of the parts not held (the child index's). */
int s903_group_end_cross(struct s903_group *g, const struct s903_dates *d, uint32_t parts,
                         s903_group_fn fn, void *ctx);

/* Appends a rule code to a stored row's flags (rows already stored). */
int s903_flag_stored(struct s903_run *run, sqlite3_stmt **upd, int table, long line,
                     const char *code, liia_error *e);

#endif
