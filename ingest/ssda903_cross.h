/* ssda903_cross.h - the cross-part pass of a return sent as several files
 * (SSDA903): the records the cross rules read (W_CROSS: a rule counting
 * the child's records of another part, or a part's rule asking what the
 * child has in parts read after it) are kept, a few bytes each, in an
 * unlinked temporary file per part as the parts stream in; once every
 * part is read they are read back child by child and the cross rules run
 * over each child's records of every part.  Internal to ingest/. */
#ifndef LIIA_SSDA903_CROSS_H
#define LIIA_SSDA903_CROSS_H

#include "ssda903_child.h"

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

/* The exists bits of child kid (struct s903_rows) as the child index
 * knows them. */
typedef uint32_t (*s903_cross_parts_fn)(void *ctx, uint32_t kid);

/* Runs the cross rules over every child with a kept record, in the order
 * of the child index: fn for each that holds (s903_group_fn). */
int s903_cross_run(struct s903_cross *x, const struct s903_dates *d,
                   s903_cross_parts_fn parts, void *pctx, s903_group_fn fn, void *fctx,
                   liia_error *e);

#endif
