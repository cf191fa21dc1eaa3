/* engine_internal.h - shared between the engine's own files only. */
#ifndef LIIA_ENGINE_INTERNAL_H
#define LIIA_ENGINE_INTERNAL_H

/* Tail probabilities of the funnel model: P(X >= obs) and P(X <= obs) for
 * X ~ Poisson(lambda) (n <= 0) or Binomial(n, p) (n > 0, p = lambda). */
void eng_tails(double obs, double n, double lambda, double *upper,
               double *lower);

#include "liia_core.h"


/* Creates the engine's tables and views when missing. */

#endif
