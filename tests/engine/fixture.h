/* fixture.h - a small store built by hand for the engine and query tests. */
#ifndef ENGINE_FIXTURE_H
#define ENGINE_FIXTURE_H
#include "liia_core.h"

/* Creates a fresh store at path with the reference data, the catalogue and
 * the hand-computed fixture described in fixture.c.  NULL on failure. */
sqlite3 *fixture_open(const char *path);

#endif
