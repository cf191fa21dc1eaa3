/* functions.c - the SQL functions SQLite lacks: median, funnel limits and
 * flags, disclosure control, period labels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "liia_engine.h"
#include "engine_internal.h"

/* ---------------------------------------------------------------- median */

typedef struct median_acc {
    double *v;
    size_t n, cap;
    int oom;
} median_acc;

static void median_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    median_acc *a = sqlite3_aggregate_context(cx, sizeof *a);
    (void)argc;
    if (!a || sqlite3_value_type(argv[0]) == SQLITE_NULL || a->oom)
        return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        double *v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = sqlite3_value_double(argv[0]);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void median_final(sqlite3_context *cx)
{
    median_acc *a = sqlite3_aggregate_context(cx, 0);
    if (!a || a->n == 0) {
        sqlite3_result_null(cx);
    } else if (a->oom) {
        sqlite3_result_error_nomem(cx);
    } else {
        qsort(a->v, a->n, sizeof *a->v, cmp_double);
        sqlite3_result_double(cx, a->n % 2 ? a->v[a->n / 2]
                                           : (a->v[a->n / 2 - 1] + a->v[a->n / 2]) / 2);
    }
    if (a)
        free(a->v);
}

/* ---------------------------------------------------------------- funnel */

static double log_pmf(double k, double n, double p)
{
    if (n <= 0) /* Poisson(p) */
        return k * log(p) - p - lgamma(k + 1);
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) +
           (n - k) * log1p(-p);
}

/* Sums the pmf from k away from the mode (dir +1 or -1): terms shrink
 * geometrically there, so the loop stops after a few standard deviations
 * instead of walking the whole support. */
static double tail_from(double k, double n, double p, int dir)
{
    double sum = 0, hi = n > 0 ? n : INFINITY;
    for (double i = k; i >= 0 && i <= hi; i += dir) {
        double t = exp(log_pmf(i, n, p));
        sum += t;
        /* walking away from the mode, terms only shrink: once one is
         * negligible (or underflows to 0) the rest are too */
        if (t == 0 || t < 1e-17 * sum)
            break;
    }
    return sum > 1 ? 1 : sum;
}

void eng_tails(double obs, double n, double lambda, double *upper,
               double *lower)
{
    double mean = n > 0 ? n * lambda : lambda;
    if (lambda <= 0 || (n > 0 && lambda >= 1)) { /* degenerate target */
        *upper = obs > mean ? 0 : 1;
        *lower = obs < mean ? 0 : 1;
        return;
    }
    *upper = obs > mean ? tail_from(obs, n, lambda, 1)
                        : 1 - (obs > 0 ? tail_from(obs - 1, n, lambda, -1) : 0);
    *lower = obs < mean ? tail_from(obs, n, lambda, -1)
                        : 1 - tail_from(obs + 1, n, lambda, 1);
}

/* Maps (denominator, target in the unit) to the model: n trials with
 * probability p for a percentage, or a Poisson mean for a rate. */
static int funnel_model(double den, double target, const char *unit,
                        double *n, double *lambda)
{
    if (!unit || den <= 0)
        return -1;
    if (strcmp(unit, "pct") == 0) {
        *n = round(den);
        *lambda = target / 100;
        return *n > 0 ? 0 : -1;
    }
    if (strcmp(unit, "per10k") == 0) {
        *n = 0;
        *lambda = target * den / 10000;
        return 0;
    }
    return -1;
}

static void funnel_flag(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    double n, lambda, up, lo;
    (void)argc;
    for (int i = 0; i < 4; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            sqlite3_result_null(cx);
            return;
        }
    if (funnel_model(sqlite3_value_double(argv[1]), sqlite3_value_double(argv[2]),
                     (const char *)sqlite3_value_text(argv[3]), &n, &lambda)) {
        sqlite3_result_null(cx);
        return;
    }
    eng_tails(round(sqlite3_value_double(argv[0])), n, lambda, &up, &lo);
    /* two-sided 95% and 99.8% limits: 2.5% and 0.1% in each tail */
    const char *flag = up < 0.001   ? "high_998"
                       : lo < 0.001 ? "low_998"
                       : up < 0.025 ? "high_95"
                       : lo < 0.025 ? "low_95"
                                    : "within";
    sqlite3_result_text(cx, flag, -1, SQLITE_STATIC);
}

/* The limit for a given denominator: the smallest count whose lower-tail
 * probability reaches prob (prob < 0.5 gives the lower limit, > 0.5 the
 * upper), converted back to the indicator's unit. */
static void funnel_limit(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    double den = sqlite3_value_double(argv[0]), n, lambda, up, lo;
    double prob = sqlite3_value_double(argv[3]);
    const char *unit = (const char *)sqlite3_value_text(argv[2]);
    (void)argc;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL || prob <= 0 || prob >= 1 ||
        funnel_model(den, sqlite3_value_double(argv[1]), unit, &n, &lambda)) {
        sqlite3_result_null(cx);
        return;
    }
    double mean = n > 0 ? n * lambda : lambda;
    double a = 0, b = n > 0 ? n : mean + 40 * sqrt(mean) + 40;
    while (b - a > 1) { /* bisection on the count */
        double mid = floor((a + b) / 2);
        eng_tails(mid, n, lambda, &up, &lo);
        if (lo >= prob)
            b = mid;
        else
            a = mid;
    }
    eng_tails(a, n, lambda, &up, &lo);
    double k = lo >= prob ? a : b;
    sqlite3_result_double(cx, n > 0 ? 100 * k / n : k * 10000 / den);
}

/* ---------------------------------------------------------------- disclosure */

static void disclose(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[1]) != SQLITE_NULL) {
        double num = sqlite3_value_double(argv[1]);
        if (num >= 1 && num <= 5) {
            sqlite3_result_text(cx, "c", 1, SQLITE_STATIC);
            return;
        }
    }
    sqlite3_result_value(cx, argv[0]);
}

static void period_label(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    char label[48];
    const char *p = (const char *)sqlite3_value_text(argv[0]);
    (void)argc;
    if (!p || strlen(p) != 10) {
        sqlite3_result_null(cx);
        return;
    }
    liia_period_label(p, label, sizeof label);
    sqlite3_result_text(cx, label, -1, SQLITE_TRANSIENT);
}

int liia_engine_register_functions(sqlite3 *db, liia_error *e)
{
    const int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "median", 1, f, NULL, NULL, median_step,
                                median_final) != SQLITE_OK ||
        sqlite3_create_function(db, "funnel_flag", 4, f, NULL, funnel_flag,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "funnel_limit", 4, f, NULL, funnel_limit,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "disclose", 2, f, NULL, disclose, NULL,
                                NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "period_label", 1, f, NULL, period_label,
                                NULL, NULL) != SQLITE_OK)
        return liia_db_fail(e, db, "registering the engine's SQL functions");
    return 0;
}
