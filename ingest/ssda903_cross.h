/* ssda903_cross.h - the cross-part pass of a return sent as several files
 * (SSDA903): the records the cross rules read (W_CROSS: a rule counting
 * the child's records of another part, or a part's rule asking what the
 * child has in parts read after it) are kept, a few bytes each, in an
 * unlinked temporary file per part as the parts stream in; once every
 * part is read they are read back child by child, for the child index
 * (ssda903_child.c) to run the cross rules over each child's records of
 * every part.  Internal to ingest/. */
#ifndef LIIA_SSDA903_CROSS_H
#define LIIA_SSDA903_CROSS_H

#include "ssda903_internal.h"

struct s903_cross;

/* The pass for schema s; when no cross rule is loaded it keeps nothing.
 * NULL on failure (e filled). */
struct s903_cross *s903_cross_new(const struct s903_schema *s, liia_error *e);
void s903_cross_free(struct s903_cross *x);

/* 1 when the pass keeps the records of the table. */
int s903_cross_keeps(const struct s903_cross *x, int table);

/* Keeps a record of table for child kid (the child index's number) at
 * line: its cells as stored (only the columns the cross rules read). */
int s903_cross_add(struct s903_cross *x, int table, uint32_t kid, long line,
                   const struct s903_cell *cells, liia_error *e);

/* Forgets the records of a table (the episodes, read again in child
 * order). */
int s903_cross_reset(struct s903_cross *x, int table, liia_error *e);

/* A kept record read back (its cells: the kept columns, the rest blank),
 * and the end of a child's records. */
typedef int (*s903_cross_rec_fn)(void *ctx, int table, const struct s903_cell *cells,
                                 long line, liia_error *e);
typedef int (*s903_cross_child_fn)(void *ctx, uint32_t kid, liia_error *e);

struct s903_cross_pass {
    s903_cross_rec_fn rec;
    s903_cross_child_fn child;
    void *ctx;
};

/* Reads every kept record back, child by child in the order of the child
 * index: rec for each of the child's records (part by part, each part's
 * in file order), then child; -1 as soon as one fails (e filled).  With
 * hi and enough children the later half of the children goes to hi on a
 * thread of its own, read side by side with lo's (hi's callbacks must
 * touch only what is theirs); else lo reads every child. */
int s903_cross_run(struct s903_cross *x, const struct s903_cross_pass *lo,
                   const struct s903_cross_pass *hi, liia_error *e);

#endif
