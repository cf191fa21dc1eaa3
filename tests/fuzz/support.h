/*
 * support.h - what the libFuzzer targets share: a scratch directory and an
 * in-memory store, each made once per process (libFuzzer calls the target
 * millions of times; making them per input would fuzz mkdir, not us).
 */
#ifndef LIIA_FUZZ_SUPPORT_H
#define LIIA_FUZZ_SUPPORT_H

#include <stddef.h>

#include "liia_core.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* A private scratch directory, removed (with its files) at exit. */
const char *fuzz_scratch(void);
/* Writes data to dir/name (replacing it); the path (static storage, valid
 * until the next call) or NULL.  Aborts on I/O failure: a broken harness
 * must not pass as "no crash found". */
const char *fuzz_write(const char *dir, const char *name,
                       const unsigned char *data, size_t size);
/* An in-memory store at the latest schema with the reference data loaded;
 * aborts if it cannot be made. */
sqlite3 *fuzz_store(void);

#endif
