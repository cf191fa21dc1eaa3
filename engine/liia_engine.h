/*
 * liia_engine.h - the benchmarking engine: indicator catalogue, `bench`
 * (every comparator computed in SQL inside the store) and the read-only
 * `query` runner.  See docs/maths.md and docs/benchmark-view.md.
 */
#ifndef LIIA_ENGINE_H
#define LIIA_ENGINE_H

#include <signal.h>
#include <stdio.h>
#include "liia_core.h"

/* England's working days (Monday to Friday less the store's bank_holiday
 * table, schemas/reference/bank_holidays_england.csv), as the SQL function
 * working_days counts them.  Read once from db; NULL (e filled) when out
 * of memory.  A store without the table has no holidays: nothing is
 * covered. */
typedef struct liia_calendar liia_calendar;
liia_calendar *liia_calendar_load(sqlite3 *db, liia_error *e);
void liia_calendar_free(liia_calendar *c);
/* The working days after from up to and including to (dates as yyyymmdd),
 * negative when to is before from, into *n: 1, or 0 when a date is not
 * a real date or its year is not one the holidays cover (a count that
 * ignored holidays would look right and be wrong). */
int liia_working_days(const liia_calendar *c, int32_t from, int32_t to, long *n);
/* The nth working day after ymd (n > 0) or the -nth before it (n < 0),
 * not counting ymd itself, into *out (yyyymmdd): 1, or 0 when a year is
 * not one the holidays cover. */
int liia_working_day_shift(const liia_calendar *c, int32_t ymd, long n, int32_t *out);

/* Loads schemas/indicators.json (indicators and the measure source
 * preference) into the store, replacing the previous catalogue.  Runs in
 * the caller's transaction if one is open.  Idempotent. */
int liia_engine_load_catalogue(sqlite3 *db, const char *schema_dir,
                               liia_error *e);

/* Loads schemas/returns.json (which returns are due from whom, in which
 * quarters, how many days after the quarter's end, and each authority's
 * contact) into return_expectation and authority_contact, replacing them.
 * Called by liia_engine_load_catalogue, in its transaction. */
int liia_engine_load_returns(sqlite3 *db, const char *schema_dir, liia_error *e);

/* The one grid of what each authority owes for a quarter, read by the
 * CLI's `status` and the portal's grid (liia_app_status_grid, liia_app_grid)
 * so the two cannot disagree.  Per authority x return type: the accepted
 * version, else the latest rejected file; whether it is due (schemas/
 * returns.json; a store it was never loaded into counts every return as
 * due), its due date (a date the programme team set on the portal first),
 * days late (to the day it arrived, or to today while it is not in), the
 * contact, and the portal's workflow (warnings unexplained, sign-off).
 * Columns: short_code, la_code, name, return_type, state (submitted,
 * rejected, missing, not due), expected (due, optional, not due), version,
 * received_at, errors, warnings, missing (measures not supplied), due,
 * days_late, contact, contact_email, submission_id, unexplained, signed_by,
 * signed_at, workflow (not due, not sent, rejected, errors to fix, awaiting
 * explanation, awaiting sign-off, signed off).  *st is prepared and bound;
 * the caller steps and finalizes it. */
typedef struct liia_returns_grid_opts {
    const char *period;      /* quarter end, YYYY-MM-DD */
    const char *la_code;     /* one authority's GSS code; NULL or "" = all */
    const char *return_type; /* NULL or "" = every return type */
    const char *today;       /* YYYY-MM-DD; NULL = today */
    int missing_only;        /* only returns due and not accepted */
} liia_returns_grid_opts;
int liia_returns_grid(sqlite3 *db, const liia_returns_grid_opts *o, sqlite3_stmt **st,
                      liia_error *e);

/* Every version received (`history` and the portal's history): for one
 * authority (la_code GSS, or NULL/"" = all), one quarter (NULL/"" = all),
 * received on or after since (NULL/"" = any); each row with its sign-off,
 * its due date and days late (to the day it arrived) when the return was
 * due from the authority that quarter, as liia_returns_grid says, and the
 * authority's contact.  *st is prepared and bound; the caller steps and
 * finalizes it. */
int liia_returns_history(sqlite3 *db, const char *la_code, const char *period,
                         const char *since, sqlite3_stmt **st, liia_error *e);

/* When accepted submission id replaced an earlier version, appends to out
 * a sentence for the data lead: "replaces version 1 of Camden's Q3 2024-25
 * (Oct-Dec 2024) quarterly return, received ...; 2 values change: contacts
 * 4210 -> 4300 (+90), ...", noting when the authority has already sent a
 * later quarter of the return.  Appends nothing when nothing was replaced. */
int liia_engine_describe_replacement(sqlite3 *db, long long id, liia_buf *out,
                                     liia_error *e);

/* Opens an in-memory database holding only the catalogues (measure ids
 * from schemas/measures.json, then the indicator catalogue) so that
 * `indicators` works without a store.  Close with sqlite3_close. */
int liia_engine_catalogue_open(const char *schema_dir, sqlite3 **out,
                               liia_error *e);

/* Registers the SQL functions the engine and the packs need on db:
 *   median(x)                          aggregate, NULLs ignored
 *   funnel_flag(num, den, target, unit [, tau2])  'within','high_95',
 *                                      'low_95','high_998','low_998' or NULL
 *   funnel_limit(den, target, unit, p [, tau2])  liia_funnel_limit
 *   overdispersion(num, den, target, unit)  aggregate: tau2 (docs/maths.md)
 *   disclose(value, numerator)         'c' when numerator is 1-5, else value
 * unit is 'pct' (binomial) or 'per10k' (Poisson); target in that unit.
 * Every argument is checked: out of range gives NULL, never a long
 * search. */
int liia_engine_register_functions(sqlite3 *db, liia_error *e);

/* The funnel's control limit, in the indicator's unit, at denominator den
 * around target, at lower-tail probability prob (0.025/0.975 for 95%,
 * 0.001/0.999 for 99.8%): the exact binomial ('pct') or Poisson
 * ('per10k') quantile of the count (not interpolated, so a value beyond
 * it is exactly one whose exact tail probability is beyond prob), widened
 * for the between-authority variance tau2 (additive random effects, 0 for
 * none).  NAN for a unit without a funnel or arguments out of range
 * (den not in (0, 1e9], target outside the unit's range, prob outside
 * (0, 1)).  Bench's flags and the drawn funnel both use it. */
double liia_funnel_limit(double den, double target, const char *unit,
                         double prob, double tau2);
/* "within", "high_95", "low_95", "high_998", "low_998" for value (in the
 * unit) against those limits; a value on a limit is within.  NULL when
 * there is no funnel. */
const char *liia_funnel_flag(double value, double den, double target,
                             const char *unit, double tau2);

/* Rebuilds the benchmark tables for one period (canonical end date) or all
 * periods (period NULL) in one transaction.  Progress on stderr only when
 * it is a terminal.  rows_out (may be NULL) receives the number of
 * benchmark rows now stored for the periods rebuilt. */
int liia_engine_bench(sqlite3 *db, const char *period, long *rows_out,
                      liia_error *e);

/* Rebuilds the comparators from published statistics for one period or
 * all (NULL): England and DfE's London figures (bench_published) and each
 * London authority's neighbour comparator over DfE's model, taking a
 * neighbour's quarterly value where it exists and its published figure
 * otherwise (bench_sn_member, bench_sn_published).  Needs the period's
 * benchmark rows; runs in the caller's transaction if one is open, else
 * in its own.  See docs/published.md. */
int liia_engine_published(sqlite3 *db, const char *period, liia_error *e);

typedef enum liia_query_format {
    LIIA_QUERY_TABLE = 0,
    LIIA_QUERY_CSV,
    LIIA_QUERY_JSON,
    /* CSV with text cells as they are: LIIA_QUERY_CSV prefixes a quote to
     * a cell Excel would evaluate (beginning = + - @ tab or CR), as the
     * findings CSV does; this is query --raw-csv. */
    LIIA_QUERY_CSV_RAW,
} liia_query_format;

typedef struct liia_query_param {
    const char *name;  /* without the leading ':' '@' or '$' */
    const char *value; /* bound as text */
} liia_query_param;

typedef struct liia_query_opts {
    liia_query_format format;
    int timeout_ms;                  /* 0 = no limit */
    const liia_query_param *params;
    size_t nparams;
    /* Polled during the query: non-zero stops it (Ctrl-C).  May be NULL. */
    const volatile sig_atomic_t *cancel;
} liia_query_opts;

/* The query's memory bounds (docs/analyst-guide.md): no string or blob
 * longer than LIIA_QUERY_MAX_LENGTH, SQLite's heap at most
 * LIIA_QUERY_HEAP_LIMIT while the query runs, and an aligned table of at
 * most LIIA_QUERY_TABLE_LIMIT bytes. */
#define LIIA_QUERY_MAX_LENGTH (64 * 1024 * 1024)
#define LIIA_QUERY_HEAP_LIMIT (512LL * 1024 * 1024)
#define LIIA_QUERY_TABLE_LIMIT (256 * 1024 * 1024)

/* Opens db_path read-only, installs the authorizer (only SELECT over the
 * documented views; no writes, ATTACH, PRAGMA, extensions), runs sql and
 * writes the result to out.  Errors: LIIA_E_USAGE for bad SQL or a refused
 * statement (message carries the position), LIIA_E_INTERRUPTED on timeout
 * or cancel, LIIA_E_DB / LIIA_E_IO otherwise. */
int liia_engine_query(const char *db_path, const char *sql,
                      const liia_query_opts *opts, FILE *out, liia_error *e);

/* The same, over an already-open connection (tests); the authorizer is
 * installed for the duration and removed afterwards. */
int liia_engine_query_db(sqlite3 *db, const char *sql,
                         const liia_query_opts *opts, FILE *out,
                         liia_error *e);

#endif /* LIIA_ENGINE_H */
