/* functions.c - the SQL functions SQLite lacks: median, funnel limits and
 * flags, disclosure control, period labels, working days. */
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
    /* oom first: a failure on the first value leaves n at 0, and a NULL
     * median then would be a wrong figure, not an error */
    if (a && a->oom) {
        sqlite3_result_error_nomem(cx);
    } else if (!a || a->n == 0) {
        sqlite3_result_null(cx);
    } else {
        qsort(a->v, a->n, sizeof *a->v, cmp_double);
        sqlite3_result_double(cx, a->n % 2 ? a->v[a->n / 2]
                                           : (a->v[a->n / 2 - 1] + a->v[a->n / 2]) / 2);
    }
    if (a)
        free(a->v);
}

/* ---------------------------------------------------------------- funnel */

/* One implementation of the control limits (docs/maths.md): bench's flags
 * and the drawn funnel both call liia_funnel_limit, so a point outside a
 * drawn limit is always flagged and a flagged point always outside. */

/* Beyond these a call is not about a London authority: refused (NULL)
 * rather than searched, so every call is bounded in time. */
#define MAX_DEN 1e9
#define MAX_RATE 1e6 /* per 10,000 */
#define MAX_TERMS 20000000L

static double log_pmf(double k, double n, double p)
{
    if (n <= 0) /* Poisson(p) */
        return k * log(p) - p - lgamma(k + 1);
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) +
           (n - k) * log1p(-p);
}

/* P(X = k + dir) / P(X = k). */
static double pmf_ratio(double k, double n, double p, int dir)
{
    if (n <= 0)
        return dir > 0 ? p / (k + 1) : k / p;
    return dir > 0 ? (n - k) / (k + 1) * p / (1 - p)
                   : k / (n - k + 1) * (1 - p) / p;
}

/* Sums the pmf from k away from the mode (dir +1 or -1), each term from
 * the last by the pmf ratio: terms shrink geometrically there, so the loop
 * stops after a few standard deviations (and never runs unbounded). */
static double tail_from(double k, double n, double p, int dir)
{
    double sum = 0, hi = n > 0 ? n : INFINITY, t = exp(log_pmf(k, n, p));
    for (long i = 0; k >= 0 && k <= hi && i < MAX_TERMS; i++, k += dir) {
        sum += t;
        if (t == 0 || t < 1e-17 * sum)
            break;
        t *= pmf_ratio(k, n, p, dir);
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
 * probability p for a percentage, or a Poisson mean for a rate; scale
 * turns a count over den back into the unit.  -1 for a unit without a
 * funnel or arguments out of range. */
static int funnel_model(double den, double target, const char *unit,
                        double *n, double *lambda, double *scale)
{
    if (!unit || !isfinite(den) || den <= 0 || den > MAX_DEN ||
        !isfinite(target) || target < 0)
        return -1;
    if (strcmp(unit, "pct") == 0 && target <= 100) {
        *n = round(den);
        *lambda = target / 100;
        *scale = 100;
        return *n > 0 ? 0 : -1;
    }
    if (strcmp(unit, "per10k") == 0 && target <= MAX_RATE) {
        *n = 0;
        *lambda = target * den / 10000;
        *scale = 10000;
        return 0;
    }
    return -1;
}

/* Standard normal quantile (Abramowitz and Stegun 26.2.23, |error| <
 * 4.5e-4): only the starting point of the exact search below. */
static double z_of(double prob)
{
    double q = prob < 0.5 ? prob : 1 - prob, t = sqrt(-2 * log(q));
    double z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                       (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    return prob < 0.5 ? -z : z;
}

/* The exact quantile of the count: the smallest r whose cdf F(r) reaches
 * prob.  Not interpolated: then a count is beyond the upper limit exactly
 * when its exact tail probability P(X >= count) is below 1 - prob, so the
 * drawn limit and the exact test agree point for point (and a small
 * authority is not over-read).  Starts at the normal guess and walks by
 * the pmf ratio. */
static double count_limit(double n, double lambda, double prob)
{
    double mean = n > 0 ? n * lambda : lambda;
    if (lambda <= 0 || (n > 0 && lambda >= 1))
        return mean;
    double sd = sqrt(n > 0 ? mean * (1 - lambda) : mean);
    double r = floor(mean + z_of(prob) * sd), hi = n > 0 ? n : INFINITY, up, lo;
    r = r < 0 ? 0 : r > hi ? hi : r;
    eng_tails(r, n, lambda, &up, &lo);
    double F = lo, P = exp(log_pmf(r, n, lambda));
    for (long i = 0; i < MAX_TERMS && r > 0 && F - P >= prob; i++) {
        F -= P; /* F(r - 1) still reaches prob: step down */
        P *= pmf_ratio(r, n, lambda, -1);
        r--;
    }
    for (long i = 0; i < MAX_TERMS && F < prob && r < hi; i++) {
        P *= pmf_ratio(r, n, lambda, 1);
        r++;
        F += P;
    }
    return r;
}

double liia_funnel_limit(double den, double target, const char *unit,
                         double prob, double tau2)
{
    double n, lambda, scale;
    if (!(prob > 0 && prob < 1) || !isfinite(tau2) || tau2 < 0 ||
        funnel_model(den, target, unit, &n, &lambda, &scale))
        return NAN;
    double per = n > 0 ? n : den; /* counts are per trial or per child */
    double theta = target / scale, limit = count_limit(n, lambda, prob) / per;
    /* Overdispersion, additive random effects (Spiegelhalter 2005, 6.2):
     * the limit's distance from the target grows from the within-authority
     * sd s to sqrt(s^2 + tau2). */
    double s2 = n > 0 ? theta * (1 - theta) / n : theta / den;
    if (tau2 > 0 && s2 > 0)
        limit = theta + (limit - theta) * sqrt(1 + tau2 / s2);
    if (limit < 0)
        limit = 0;
    if (n > 0 && limit > 1)
        limit = 1;
    return limit * scale;
}

/* Beyond a limit by more than rounding noise: num / den x scale and the
 * limit r / den x scale are computed apart, and a count on the limit must
 * read as on it whichever way it was divided. */
static int beyond(double value, double limit, int dir)
{
    double eps = 1e-9 * (fabs(limit) > 1 ? fabs(limit) : 1);
    return dir > 0 ? value > limit + eps : value < limit - eps;
}

const char *liia_funnel_flag(double value, double den, double target,
                             const char *unit, double tau2)
{
    double u998 = liia_funnel_limit(den, target, unit, 0.999, tau2);
    if (!isfinite(value) || isnan(u998))
        return NULL;
    /* two-sided 95% and 99.8% limits: 2.5% and 0.1% in each tail; a
     * value on a limit is within it.  Upper: beyond r(0.975) means
     * P(X >= count) < 2.5%; lower: below r(0.025) means P(X <= count) <
     * 2.5%. */
    return beyond(value, u998, 1) ? "high_998"
           : beyond(value, liia_funnel_limit(den, target, unit, 0.001, tau2), -1) ? "low_998"
           : beyond(value, liia_funnel_limit(den, target, unit, 0.975, tau2), 1) ? "high_95"
           : beyond(value, liia_funnel_limit(den, target, unit, 0.025, tau2), -1) ? "low_95"
                                                                             : "within";
}

/* funnel_flag(num, den, target, unit [, tau2]): num is the numerator (the
 * value is num / den in the unit). */
static void funnel_flag(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    for (int i = 0; i < argc; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            sqlite3_result_null(cx);
            return;
        }
    double num = sqlite3_value_double(argv[0]), den = sqlite3_value_double(argv[1]);
    const char *unit = (const char *)sqlite3_value_text(argv[3]);
    double scale = unit && !strcmp(unit, "pct") ? 100 : 10000;
    const char *flag = den > 0 ? liia_funnel_flag(num / den * scale, den,
                                                  sqlite3_value_double(argv[2]), unit,
                                                  argc > 4 ? sqlite3_value_double(argv[4]) : 0)
                               : NULL;
    if (flag)
        sqlite3_result_text(cx, flag, -1, SQLITE_STATIC);
    else
        sqlite3_result_null(cx);
}

/* funnel_limit(den, target, unit, prob [, tau2]) in the indicator's unit;
 * NULL for arguments out of range (never a long search). */
static void funnel_limit(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    for (int i = 0; i < argc; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            sqlite3_result_null(cx);
            return;
        }
    double v = liia_funnel_limit(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
                                 (const char *)sqlite3_value_text(argv[2]),
                                 sqlite3_value_double(argv[3]),
                                 argc > 4 ? sqlite3_value_double(argv[4]) : 0);
    if (isnan(v))
        sqlite3_result_null(cx);
    else
        sqlite3_result_double(cx, v);
}

/* ------------------------------------------------------- overdispersion */

/* overdispersion(num, den, target, unit): tau2, the between-authority
 * variance (additive random effects) of Spiegelhalter (2005, section 6),
 * in the natural scale (proportion, or rate per child).  z-scores against
 * the target are winsorised at their 10th and 90th percentiles; phi is the
 * mean squared z; with N authorities, when N phi exceeds the 95% point of
 * chi-squared on N - 1 df, tau2 = (N phi - (N - 1)) / (sum w - sum w^2 /
 * sum w), w = 1 / s^2; else 0.  Fewer than 5 authorities: 0. */
typedef struct od_acc {
    double *z, *w;
    size_t n, cap;
    int oom;
} od_acc;

static void od_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    od_acc *a = sqlite3_aggregate_context(cx, sizeof *a);
    double n, lambda, scale;
    (void)argc;
    for (int i = 0; i < 4; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            return;
    double num = sqlite3_value_double(argv[0]), den = sqlite3_value_double(argv[1]);
    double target = sqlite3_value_double(argv[2]);
    if (!a || a->oom || !isfinite(num) ||
        funnel_model(den, target, (const char *)sqlite3_value_text(argv[3]), &n,
                     &lambda, &scale))
        return;
    double theta = target / scale, per = n > 0 ? n : den;
    double s2 = n > 0 ? theta * (1 - theta) / n : theta / den;
    if (!(s2 > 0))
        return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        double *z = realloc(a->z, cap * sizeof *z), *w = z ? realloc(a->w, cap * sizeof *w) : NULL;
        if (z)
            a->z = z;
        if (!z || !w) {
            a->oom = 1;
            return;
        }
        a->w = w;
        a->cap = cap;
    }
    a->z[a->n] = (num / per - theta) / sqrt(s2);
    a->w[a->n++] = 1 / s2;
}

static void od_final(sqlite3_context *cx)
{
    od_acc *a = sqlite3_aggregate_context(cx, 0);
    double tau2 = 0;
    if (a && a->oom) {
        sqlite3_result_error_nomem(cx);
    } else {
        if (a && a->n >= 5) {
            size_t N = a->n;
            double *sorted = malloc(N * sizeof *sorted);
            if (!sorted) {
                sqlite3_result_error_nomem(cx);
                free(a->z);
                free(a->w);
                return;
            }
            memcpy(sorted, a->z, N * sizeof *sorted);
            qsort(sorted, N, sizeof *sorted, cmp_double);
            double lo = sorted[(size_t)floor(0.1 * (double)(N - 1))];
            double hi = sorted[(size_t)ceil(0.9 * (double)(N - 1))];
            double phi = 0, sw = 0, sw2 = 0;
            for (size_t i = 0; i < N; i++) {
                double z = a->z[i] < lo ? lo : a->z[i] > hi ? hi : a->z[i];
                phi += z * z;
                sw += a->w[i];
                sw2 += a->w[i] * a->w[i];
            }
            phi /= (double)N;
            /* chi-squared 95% point on N - 1 df (Wilson-Hilferty) */
            double k = (double)N - 1, c = 2 / (9 * k);
            double chi95 = k * pow(1 - c + 1.644854 * sqrt(c), 3);
            if ((double)N * phi > chi95 && sw - sw2 / sw > 0)
                tau2 = ((double)N * phi - k) / (sw - sw2 / sw);
            free(sorted);
        }
        sqlite3_result_double(cx, tau2);
    }
    if (a) {
        free(a->z);
        free(a->w);
    }
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

/* ---------------------------------------------------------------- working days */

/* working_days(from, to): the working days after `from` up to and including
 * `to` (Monday to Friday, less England's bank holidays from the store's
 * bank_holiday table, migration 090); negative when `to` is before `from`.
 * Dates are 'YYYY-MM-DD'.  NULL for anything else, and for a range outside
 * the years the table covers: a count that silently ignored holidays would
 * look right and be wrong (schemas/reference/bank_holidays_england.csv is
 * the file to extend).  O(log holidays) a call: day numbers, not a walk.
 *
 * The holidays are read when the function is registered (before `query`
 * fences the connection with its authorizer) and again when this connection
 * has written since (a test, or `init` loading the file). */

#define WD_MIN_YEAR 1900 /* 1900-01-01, day 0, was a Monday */
#define WD_MAX_YEAR 2199

struct liia_calendar {
    sqlite3 *db;
    int *day;       /* sorted day numbers */
    size_t n;
    int first_year, last_year; /* covered years; n == 0: none */
    int changes;    /* sqlite3_total_changes when read; -1: never read */
};

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Days since 1900-01-01 of a real date y-m-d in range, else -1. */
static int day_of(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < WD_MIN_YEAR || y > WD_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
        d > mdays[m - 1] + (m == 2 && is_leap(y)))
        return -1;
    /* whole years since 1900, then the months of this one */
    int n = (y - WD_MIN_YEAR) * 365 + (y - 1 - 1896) / 4 - (y - 1 - 1800) / 100 +
            (y - 1 - 1600) / 400;
    for (int mm = 1; mm < m; mm++)
        n += mdays[mm - 1] + (mm == 2 && is_leap(y));
    return n + d - 1;
}

/* Days since 1900-01-01 of a strict 'YYYY-MM-DD' date in range, else -1. */
static int day_number(const char *s, int *year)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    *year = atoi(s);
    return day_of(*year, atoi(s + 5), atoi(s + 8));
}

/* Weekdays among days 0..n (n >= -1). */
static long weekdays_to(long n)
{
    return (n + 1) / 7 * 5 + ((n + 1) % 7 < 5 ? (n + 1) % 7 : 5);
}

/* Holidays among days <= n. */
static long holidays_to(const liia_calendar *h, int n)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->day[mid] <= n)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo;
}

/* (Re)reads bank_holiday; a store without the table has no holidays. */
static int holidays_read(liia_calendar *h)
{
    sqlite3_stmt *st = NULL;
    h->n = 0;
    h->changes = sqlite3_total_changes(h->db);
    if (sqlite3_prepare_v2(h->db, "SELECT date FROM bank_holiday ORDER BY date",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    int rc = 0, y;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int d = day_number((const char *)sqlite3_column_text(st, 0), &y);
        if (d < 0)
            continue; /* the table's CHECK keeps these out */
        if (h->n % 64 == 0) {
            int *p = realloc(h->day, (h->n + 64) * sizeof *p);
            if (!p) {
                rc = -1;
                break;
            }
            h->day = p;
        }
        if (h->n == 0)
            h->first_year = y;
        h->last_year = y;
        h->day[h->n++] = d;
    }
    sqlite3_finalize(st);
    return rc;
}

void liia_calendar_free(liia_calendar *h)
{
    if (h)
        free(h->day);
    free(h);
}

static void holidays_free(void *p)
{
    liia_calendar_free(p);
}

liia_calendar *liia_calendar_load(sqlite3 *db, liia_error *e)
{
    liia_calendar *h = calloc(1, sizeof *h);
    if (h) {
        h->db = db;
        if (!holidays_read(h))
            return h;
        liia_calendar_free(h);
    }
    liia_fail(e, LIIA_E_NOMEM, "out of memory reading the bank holidays");
    return NULL;
}

/* Days a and b (ya, yb their years): the signed count, 0 when not covered. */
static int count_between(const liia_calendar *h, int a, int ya, int b, int yb, long *n)
{
    if (a < 0 || b < 0 || h->n == 0 || ya < h->first_year || yb < h->first_year ||
        ya > h->last_year || yb > h->last_year)
        return 0;
    int lo = a < b ? a : b, hi = a < b ? b : a;
    long k = weekdays_to(hi) - weekdays_to(lo) - (holidays_to(h, hi) - holidays_to(h, lo));
    *n = a <= b ? k : -k;
    return 1;
}

int liia_working_days(const liia_calendar *h, int32_t from, int32_t to, long *n)
{
    int ya = from / 10000, yb = to / 10000;
    return h && count_between(h, day_of(ya, from / 100 % 100, from % 100), ya,
                              day_of(yb, to / 100 % 100, to % 100), yb, n);
}

/* yyyymmdd of day number n (day_of's inverse), 0 when out of range. */
static int32_t ymd_of(int n)
{
    int y = WD_MIN_YEAR + n / 366, m = 1;
    while (y < WD_MAX_YEAR && day_of(y + 1, 1, 1) <= n)
        y++;
    while (m < 12 && day_of(y, m + 1, 1) <= n)
        m++;
    int d = n - day_of(y, m, 1) + 1;
    return n < 0 || d > 31 ? 0 : (int32_t)(y * 10000 + m * 100 + d);
}

/* Working days in (lo, hi], lo <= hi. */
static long between(const liia_calendar *h, int lo, int hi)
{
    return weekdays_to(hi) - weekdays_to(lo) - (holidays_to(h, hi) - holidays_to(h, lo));
}

int liia_working_day_shift(const liia_calendar *h, int32_t ymd, long n, int32_t *out)
{
    int y = ymd / 10000, x = day_of(y, ymd / 100 % 100, ymd % 100);
    if (!h || x < 0 || n == 0 || n > 100000 || n < -100000)
        return 0;
    /* n > 0: the first day r with n working days in (x, r]; n < 0: the
     * last day r with -n working days in [r, x), i.e. (r - 1, x - 1].
     * Each count is O(log holidays), so a binary search over a range
     * wide enough for any run of holidays. */
    long k = n > 0 ? n : -n;
    int lo = n > 0 ? x + 1 : x - (int)(2 * k + 30), hi = n > 0 ? x + (int)(2 * k + 30) : x - 1;
    if (lo < 1 || hi > day_of(WD_MAX_YEAR, 12, 31))
        return 0;
    while (lo < hi) {
        int mid = lo + (hi - lo + (n < 0)) / 2;
        if (n > 0 ? between(h, x, mid) >= k : between(h, mid - 1, x - 1) >= k)
            hi = n > 0 ? mid : hi, lo = n > 0 ? lo : mid;
        else
            lo = n > 0 ? mid + 1 : lo, hi = n > 0 ? hi : mid - 1;
    }
    int32_t r = ymd_of(lo);
    int ry = r / 10000;
    if (!r || h->n == 0 || y < h->first_year || y > h->last_year || ry < h->first_year ||
        ry > h->last_year)
        return 0;
    *out = r;
    return 1;
}

static void working_days(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    liia_calendar *h = sqlite3_user_data(cx);
    int ya, yb;
    long n;
    (void)argc;
    if (h->changes != sqlite3_total_changes(h->db) && holidays_read(h)) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    int a = day_number((const char *)sqlite3_value_text(argv[0]), &ya);
    int b = day_number((const char *)sqlite3_value_text(argv[1]), &yb);
    if (count_between(h, a, ya, b, yb, &n))
        sqlite3_result_int64(cx, n);
    else
        sqlite3_result_null(cx);
}

static int register_working_days(sqlite3 *db)
{
    liia_error e;
    liia_calendar *h = liia_calendar_load(db, &e);
    if (!h)
        return SQLITE_NOMEM;
    /* not DETERMINISTIC: the answer follows the bank_holiday table */
    return sqlite3_create_function_v2(db, "working_days", 2, SQLITE_UTF8, h,
                                      working_days, NULL, NULL, holidays_free);
}

int liia_engine_register_functions(sqlite3 *db, liia_error *e)
{
    const int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "median", 1, f, NULL, NULL, median_step,
                                median_final) != SQLITE_OK ||
        sqlite3_create_function(db, "funnel_flag", 4, f, NULL, funnel_flag,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "funnel_flag", 5, f, NULL, funnel_flag,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "funnel_limit", 4, f, NULL, funnel_limit,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "funnel_limit", 5, f, NULL, funnel_limit,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "overdispersion", 4, f, NULL, NULL,
                                od_step, od_final) != SQLITE_OK ||
        sqlite3_create_function(db, "disclose", 2, f, NULL, disclose, NULL,
                                NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "period_label", 1, f, NULL, period_label,
                                NULL, NULL) != SQLITE_OK ||
        register_working_days(db) != SQLITE_OK)
        return liia_db_fail(e, db, "registering the engine's SQL functions");
    return 0;
}
