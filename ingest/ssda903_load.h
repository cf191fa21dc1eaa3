/* ssda903_load.h - streaming one SSDA903 table into the store, and the
 * steps that run once all tables are in (rules over ordered episodes,
 * derived measures).  Internal to ingest/. */
#ifndef LIIA_SSDA903_LOAD_H
#define LIIA_SSDA903_LOAD_H

#include "ssda903_run.h"

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

struct liia_reader;
/* Reads a file whose records are of every part, each child's records
 * together (an XML return), through reader: each record checked, stored
 * once its child's rules have run.  Adds the records read to *rows. */
int s903_load_grouped(struct s903_run *run, const char *path, struct liia_reader *reader,
                      long *rows, liia_error *e);

/* The cross-row rules and measures over the stored episodes read back in
 * child order, for a file whose episodes are not grouped by child. */
int s903_episodes_in_order(struct s903_run *run, liia_error *e);

/* The rules given as SQL ('sql' in rules.json), over the stored rows. */
int s903_run_sql_rules(struct s903_run *run, liia_error *e);
/* 1 when a loaded rule reads duplicate UPNs (ssda903_upn.h). */
int s903_wants_upn_tags(const struct s903_schema *s);

/* Stores the derived measures counted while the episodes streamed in. */
int s903_derive(struct s903_run *run, liia_error *e);
/* The file rules ("scope": "file") of an XML return, judged on the terms
 * its child pass counted: a finding of the whole file (no line) for each
 * that holds; -1 when out of memory. */
int s903_file_rules(struct s903_run *run, const char *file);

/* Creates each part's store table from the schema when missing (and adds
 * a column the schema gained): inside the ingest's transaction, before
 * anything reads or deletes a part's rows. */
int s903_store_tables(sqlite3 *db, const struct s903_schema *s, liia_error *e);

#endif
