/* ssda903_upn.h - what DfE rules 210, 442 and 444 need of a child's UPN,
 * held in memory for one ingest and never stored.
 *
 * UPN is checked (rule 168) and dropped at the door.  Three rules read it
 * after that check: 442 (UPN blank), 210 (UN4 with a late episode) and 444
 * (the same UPN on two header rows).  While the header streams in, the
 * row's UPN is reduced to its kind (blank, UN1-UN5, or a UPN) and, for a
 * UPN, to a 64-bit tag: the first 8 bytes of HMAC-SHA256 under a key drawn
 * at random for this ingest (OpenSSL RAND_bytes) and never written
 * anywhere, so a tag cannot be linked to another ingest's or recomputed
 * from a guessed UPN once the ingest ends.  Kinds and tags live in this
 * structure only (16 bytes a header row), are read by the SQL rules
 * through the function s903_upn(KIND) while they run, and are wiped with
 * OPENSSL_cleanse when the ingest ends, accepted or not.  Internal to
 * ingest/. */
#ifndef LIIA_SSDA903_UPN_H
#define LIIA_SSDA903_UPN_H

#include <stddef.h>
#include <sqlite3.h>

#include "liia_core.h"

struct s903_upn;

/* tags: whether to compute tags (only when a loaded rule asks for
 * duplicates: it costs an HMAC a header row).  NULL on failure (e set). */
struct s903_upn *s903_upn_new(int tags, liia_error *e);
void s903_upn_free(struct s903_upn *u);

/* Notes the UPN cell (trimmed, len bytes) of the header row on line;
 * valid: it passed its cell check (168).  A UPN that failed it is, as
 * every cell that failed its check, no UPN to the rules (not a duplicate,
 * and not blank either).  -1 on ENOMEM or OpenSSL failure. */
int s903_upn_add(struct s903_upn *u, long line, const char *upn, size_t len, int valid);

/* Registers, or with u NULL removes, the SQL function s903_upn(KIND) on
 * db: a JSON array of the header lines whose UPN is of KIND, in line
 * order: 'blank', 'UN1' ... 'UN5', or 'duplicate' (a UPN, not a UN code,
 * on more than one header row; every such row). */
int s903_upn_register(sqlite3 *db, struct s903_upn *u, liia_error *e);

#endif
