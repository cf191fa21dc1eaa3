/*
 * unit.h - the smallest test harness that reports like a real one: each
 * CHECK records a failure with file:line and the test keeps going, so one
 * run shows every broken assertion.  main() returns unit_result().
 */
#ifndef LIIA_UNIT_H
#define LIIA_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_state {
    int checks, failures;
};

static struct unit_state unit_state_;

#define CHECK(cond)                                                        \
    do {                                                                   \
        unit_state_.checks++;                                              \
        if (!(cond)) {                                                     \
            unit_state_.failures++;                                        \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__,         \
                    __LINE__, #cond);                                      \
        }                                                                  \
    } while (0)

#define CHECK_STR(got, want)                                               \
    do {                                                                   \
        const char *g_ = (got), *w_ = (want);                              \
        unit_state_.checks++;                                              \
        if (!g_ || !w_ || strcmp(g_, w_)) {                                \
            unit_state_.failures++;                                        \
            fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, \
                    __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");     \
        }                                                                  \
    } while (0)

#define CHECK_INT(got, want)                                               \
    do {                                                                   \
        long long g_ = (long long)(got), w_ = (long long)(want);           \
        unit_state_.checks++;                                              \
        if (g_ != w_) {                                                    \
            unit_state_.failures++;                                        \
            fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__,     \
                    __LINE__, #got, g_, w_);                               \
        }                                                                  \
    } while (0)

#define CHECK_NEAR(got, want, tol)                                         \
    do {                                                                   \
        double g_ = (got), w_ = (want);                                    \
        unit_state_.checks++;                                              \
        if (!(g_ - w_ <= (tol) && w_ - g_ <= (tol))) {                     \
            unit_state_.failures++;                                        \
            fprintf(stderr, "%s:%d: %s = %.10g, want %.10g\n", __FILE__,   \
                    __LINE__, #got, g_, w_);                               \
        }                                                                  \
    } while (0)

static inline int unit_result(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, unit_state_.checks,
            unit_state_.failures);
    return unit_state_.failures ? 1 : 0;
}

#endif
