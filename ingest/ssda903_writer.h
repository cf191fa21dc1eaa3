/* ssda903_writer.h - a second thread that steps one table's INSERT while the
 * ingest thread reads, checks and pseudonymises the next rows.  Rows travel
 * in a few fixed batches (memory stays flat); the database connection is
 * used by the writer alone until s903_writer_finish returns.  Internal to
 * ingest/. */
#ifndef LIIA_SSDA903_WRITER_H
#define LIIA_SSDA903_WRITER_H

#include <stdint.h>
#include "liia_core.h"

struct s903_writer;
struct s903_writer_part;

/* Rows a part's `many` statement inserts at once (s903_writer_part). */
#define S903_WRITER_MANY 16

/* part->ins: INSERT (submission_id, line, flags, <ncols stored values>); the
 * writer binds sid, the line, the flags (NULL when "") and each value
 * (NULL where bit c of null is set; the bytes of a lower-case hex value
 * where bit c of hex_blob is set: the pseudonyms).  ncols <= 64.  many,
 * or NULL: the same for S903_WRITER_MANY rows, ?1 the submission and each
 * row's line, flags and values the 2 + ncols parameters after the last
 * row's (one statement for 16 rows costs SQLite a third less than 16). */
struct s903_writer *s903_writer_start(sqlite3 *db, const struct s903_writer_part *part,
                                      long long sid, liia_error *e);

/* One writer for the INSERTs of several parts (a file whose records are of
 * every part: the XML returns): part i's statement, stored columns and hex
 * columns as s903_writer_start takes them (copied). */
struct s903_writer_part {
    sqlite3_stmt *ins, *many;
    size_t ncols;
    uint64_t hex_blob;
    uint64_t integer;          /* INTEGER columns: a plain number is bound as one */
};
struct s903_writer *s903_writer_start_parts(sqlite3 *db, const struct s903_writer_part *parts,
                                            size_t nparts, long long sid, liia_error *e);
/* s903_writer_row for a writer of several parts: the row is part's. */
int s903_writer_row_part(struct s903_writer *w, uint32_t part, const void *packed, size_t len,
                         const char *flags, const char *more_flags, liia_error *e);

/* Appends to out a row's line and its n stored values (lens[c] bytes each,
 * any bytes, NUL included; nothing where bit c of null is set), as
 * s903_writer_row takes them.  -1 on ENOMEM. */
int s903_writer_pack(liia_buf *out, long line, uint64_t null, const char *const *values,
                     const size_t *lens, size_t n);

/* Queues a packed row (copied) with its flags: flags and more_flags joined
 * by a comma ("" for none).  -1 when the writer has failed (its error in
 * e) or on ENOMEM. */
int s903_writer_row(struct s903_writer *w, const void *packed, size_t len,
                    const char *flags, const char *more_flags, liia_error *e);

/* Writes what is queued, stops the thread and frees w.  With abandon set
 * the queued rows are dropped (the caller is failing anyway).  -1 with
 * the writer's error in e when a row could not be stored. */
int s903_writer_finish(struct s903_writer *w, int abandon, liia_error *e);

#endif
