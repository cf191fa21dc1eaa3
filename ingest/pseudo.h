/*
 * pseudo.h - pseudonymisation at the door for child-level returns.
 *
 * A child identifier becomes HMAC-SHA256(key, authority || 0x1f || CHILD),
 * its first LIIA_PID_BYTES (128 bits) in hex: stable across quarters for one authority (so episodes link), distinct
 * between authorities that reuse local ids, and not reversible or guessable
 * without the platform key (CHILD values are short, so an unkeyed hash could
 * be brute-forced).  Dates of birth keep the month only; postcodes keep the
 * sector.  Nothing here logs or writes a raw identifier; the ids hashed
 * are remembered in memory for the life of the liia_pseudo (bounded, wiped
 * on free) so that a child met again is not hashed again.
 */
#ifndef LIIA_PSEUDO_H
#define LIIA_PSEUDO_H

#include <stddef.h>
#include "liia_core.h"

#define LIIA_PID_HEX (2 * LIIA_PID_BYTES)

typedef struct liia_pseudo liia_pseudo;

/* Keys an HMAC for one authority; NULL on allocation or OpenSSL failure
 * (e filled).  The key bytes are copied into OpenSSL's context only. */
liia_pseudo *liia_pseudo_new(const unsigned char key[LIIA_KEY_BYTES],
                             const char *la_code, liia_error *e);
void liia_pseudo_free(liia_pseudo *p);

/* Pseudonym of a CHILD value (len bytes) as LIIA_PID_HEX hex digits + NUL.  A child
 * met before by this liia_pseudo (in another table, or the row before) is
 * not hashed again: its digest is remembered, in memory only, up to a
 * bound (pseudo.c).  -1 on OpenSSL failure. */
int liia_pseudo_child(liia_pseudo *p, const char *child, size_t len,
                      char out[LIIA_PID_HEX + 1]);

/* The children this liia_pseudo hashed and still remembers, found by
 * their pseudonym's bytes: found(ctx, i, child, len) for each pids[i]
 * (pids may repeat) whose child is remembered; the others are not named.
 * For a finding made when the child's own id was no longer at hand, shown
 * to its sender only.  One read of the memory in order; -1 on ENOMEM. */
typedef void (*liia_pseudo_found_fn)(void *ctx, size_t i, const char *child, size_t len);
int liia_pseudo_recall(const liia_pseudo *p, const unsigned char (*pids)[LIIA_PID_BYTES],
                       size_t n, liia_pseudo_found_fn found, void *ctx);

/* "YYYY-MM-DD" -> "YYYY-MM-01". */
void liia_pseudo_month(const char *iso_date, char out[11]);

/* Postcode sector: outward code, a space, the first digit of the inward
 * code ("N1 9GU" -> "N1 9", "sw1a2aa" -> "SW1A 2").  Returns -1 (and
 * leaves out empty) when text is not shaped like a UK postcode. */
int liia_pseudo_postcode_sector(const char *text, char *out, size_t outsz);

#endif
