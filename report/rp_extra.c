/*
 * rp_extra.c - what one authority's own pack adds to the period snapshot:
 * the notes its data lead sent with the quarterly return, its
 * data-quality position for the headlines (the quarterly return and any
 * child-level return of the quarter), and DfE's published annual
 * series (the long-run page) for it, the median of its statistical
 * neighbours, London and England.
 *
 * Published series are DfE's own publications (public: DfE applied its
 * own suppression, kept as a reason, never a number), so no further
 * disclosure control applies; the neighbour median needs 3 published
 * values, as the quarterly one does.  Notes are the authority's own and
 * appear only in its own pack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_internal.h"

typedef int (*x_row_fn)(sqlite3_stmt *st, const rp_snapshot *s,
                        rp_extra *x);

static int x_query(sqlite3 *db, const char *sql, const char *la,
                   const char *period, const rp_snapshot *s, rp_extra *x,
                   x_row_fn fn, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    if (sqlite3_bind_text(st, 1, la, -1, SQLITE_STATIC) ||
        sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC)) {
        sqlite3_finalize(st);
        return liia_db_fail(e, db, "binding the pack's query");
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(st, s, x)) {
            sqlite3_finalize(st);
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
    if (sqlite3_finalize(st) != SQLITE_OK || rc != SQLITE_DONE)
        return liia_db_fail(e, db, "reading the pack's notes and series");
    return 0;
}

static const char *text_at(sqlite3_stmt *st, int k)
{
    const unsigned char *t = sqlite3_column_text(st, k);
    return t ? (const char *)t : "";
}

static int ind_of(const rp_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->n_ind; i++)
        if (!strcmp(s->ind[i].id, id))
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------ notes */

/* Notes of the accepted quarterly return. */
static const char SQL_NOTES[] =
    "SELECT v.measure, v.note FROM submission s"
    "  JOIN submission_value v ON v.submission_id = s.id"
    " WHERE s.la_code = ?1 AND s.period = ?2 AND s.status = 'accepted'"
    "   AND s.return_type = 'quarterly' AND trim(coalesce(v.note, '')) <> ''"
    " ORDER BY v.measure";

/* Whether measure is one of the ids in an indicator's expression. */
static int uses(const char *expr, const char *measure)
{
    size_t n = strlen(measure);
    for (const char *p = strstr(expr, measure); p; p = strstr(p + 1, measure)) {
        int before = p == expr || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                                    (p[-1] >= '0' && p[-1] <= '9'));
        char c = p[n];
        int after = !(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
        if (before && after)
            return 1;
    }
    return 0;
}

/* Beside every indicator whose numerator or denominator uses the
 * measure. */
static int add_note(sqlite3_stmt *st, const rp_snapshot *s, rp_extra *x)
{
    const char *measure = text_at(st, 0), *text = text_at(st, 1);
    for (size_t i = 0; i < s->n_ind; i++) {
        if (!uses(s->ind[i].numerator_expr, measure) &&
            !uses(s->ind[i].denominator_expr, measure))
            continue;
        char *n = x->notes[i];
        size_t len = strlen(n);
        if (len + 4 < sizeof x->notes[0])
            snprintf(n + len, sizeof x->notes[0] - len, "%s%s: %s",
                     len ? "; " : "", measure, text);
    }
    return 0;
}

/* ------------------------------------------------------------ quality */

static const char SQL_DQ[] =
    "SELECT (SELECT count(*) FROM submissions WHERE la_code = ?1"
    "          AND period = ?2 AND return_type = 'quarterly'),"
    "       (SELECT version FROM submissions WHERE la_code = ?1 AND period = ?2"
    "          AND return_type = 'quarterly' AND status = 'accepted'),"
    "       (SELECT warnings FROM submissions WHERE la_code = ?1 AND period = ?2"
    "          AND return_type = 'quarterly' AND status = 'accepted'),"
    "       (SELECT count(*) FROM measure_def d WHERE NOT EXISTS (SELECT 1"
    "          FROM measures m WHERE m.measure = d.id AND m.la_code = ?1"
    "          AND m.period = ?2))";

static int add_dq(sqlite3_stmt *st, const rp_snapshot *s, rp_extra *x)
{
    (void)s;
    x->received = sqlite3_column_int(st, 0);
    x->version = sqlite3_column_int(st, 1);
    x->warnings = sqlite3_column_int(st, 2);
    x->not_supplied = sqlite3_column_int(st, 3);
    liia_strlcpy(x->status, sqlite3_column_type(st, 1) == SQLITE_NULL
                                ? (x->received ? "rejected" : "not received")
                                : "accepted", sizeof x->status);
    return 0;
}

/* Every child-level return the authority sent for the quarter: the
 * accepted version if any, else the latest rejected file (as the Data
 * quality sheet's grid), with how many of its pack's figures it gave. */
static const char SQL_CHILD[] =
    "SELECT t.title, s.status = 'accepted', coalesce(s.version, 0), s.errors,"
    "       s.warnings,"
    "       (SELECT count(*) FROM benchmark b WHERE b.period = ?2"
    "          AND b.area_type = 'la' AND b.area_code = ?1"
    "          AND b.value IS NOT NULL AND b.shared_with IS NULL"
    "          AND b.source = t.id AND s.status = 'accepted'"
    "          AND (b.source_submission IS NULL OR b.source_submission = s.id))"
    "  FROM return_type t JOIN submissions s ON s.id = (SELECT id FROM"
    "       submissions WHERE la_code = ?1 AND period = ?2"
    "       AND return_type = t.id"
    "       ORDER BY status = 'accepted' DESC, id DESC LIMIT 1)"
    " WHERE t.id <> 'quarterly' ORDER BY t.rowid";

static int add_child(sqlite3_stmt *st, const rp_snapshot *s, rp_extra *x)
{
    (void)s;
    if (x->n_child == RP_MAX_RETURNS)
        return 0;
    rp_return_dq *r = &x->child[x->n_child++];
    liia_strlcpy(r->title, text_at(st, 0), sizeof r->title);
    r->accepted = sqlite3_column_int(st, 1);
    r->version = sqlite3_column_int(st, 2);
    r->errors = sqlite3_column_int(st, 3);
    r->warnings = sqlite3_column_int(st, 4);
    r->values = sqlite3_column_int(st, 5);
    return 0;
}

/* ------------------------------------------------------------ long run */

static const char SQL_YEARS[] =
    "SELECT DISTINCT year FROM published_indicators WHERE value IS NOT NULL"
    "   AND ?1 IS NOT NULL AND year <= CAST(substr(?2, 1, 4) AS INTEGER)"
    " ORDER BY year DESC LIMIT 16";
/* DfE's neighbour models, oldest first (stat_neighbour_model). */
static const char SQL_MODELS[] =
    "SELECT DISTINCT model_year FROM sn_model WHERE ?1 IS NOT NULL"
    "   AND ?2 IS NOT NULL ORDER BY 1";
/* The authority's, London's and England's published values, and its
 * neighbours' under the model in force for each year (as the benchmark's
 * comparator: the latest model not newer than the year, the oldest before
 * every model; one value per DfE number).  A joint row (Kingston and
 * Richmond's shared workforce, given to each member by the import) is no
 * neighbour's own figure and never enters a median; beside the
 * authority's own value it names the other members. */
static const char SQL_SERIES[] =
    "WITH j AS MATERIALIZED (SELECT DISTINCT coalesce(t.indicator, v.measure)"
    "  AS indicator, v.area_code, v.year, v.joint_code FROM published_value v"
    "  JOIN published_file f ON f.id = v.file_id AND f.status = 'accepted'"
    "  LEFT JOIN indicator_term t ON v.kind = 'measure' AND t.term = v.measure"
    "  WHERE v.joint_code IS NOT NULL),"
    " p AS MATERIALIZED (SELECT area_code, area_type, dfe_la_number,"
    "  indicator, year, value FROM published_indicators"
    "  WHERE value IS NOT NULL AND ?2 IS NOT NULL),"
    " nb AS MATERIALIZED (SELECT y.year, m.neighbour_dfe_la_number AS n"
    "  FROM (SELECT DISTINCT year, coalesce((SELECT max(model_year) FROM"
    "   sn_model WHERE model_year <= p.year), (SELECT min(model_year) FROM"
    "   sn_model)) AS model_year FROM p) y"
    "  JOIN stat_neighbour_model m ON m.model_year = y.model_year"
    "  AND m.dfe_la_number ="
    "  (SELECT dfe_la_number FROM authority WHERE gss_code = ?1))"
    "SELECT 0, indicator, year, value, (SELECT group_concat(a.name, ' / ')"
    "  FROM j JOIN area a ON instr(j.joint_code, a.area_code) > 0"
    "  AND a.area_code <> ?1 WHERE j.indicator = p.indicator"
    "  AND j.area_code = p.area_code AND j.year = p.year)"
    " FROM p WHERE area_code = ?1"
    " UNION ALL SELECT 2, indicator, year, value, NULL FROM p"
    " WHERE area_code = 'E12000007'"
    " UNION ALL SELECT 3, indicator, year, value, NULL FROM p"
    " WHERE area_code = 'E92000001'"
    " UNION ALL SELECT 1, indicator, year, value, NULL FROM (SELECT indicator,"
    "  year, value, ROW_NUMBER() OVER (PARTITION BY indicator, year,"
    "  dfe_la_number ORDER BY area_code DESC) AS rn FROM p"
    "  WHERE area_type = 'la' AND (year, dfe_la_number) IN (SELECT year, n"
    "  FROM nb) AND NOT EXISTS (SELECT 1 FROM j WHERE j.indicator ="
    "  p.indicator AND j.area_code = p.area_code AND j.year = p.year))"
    " WHERE rn = 1 ORDER BY 2, 3, 1, 4";

static int add_year(sqlite3_stmt *st, const rp_snapshot *s, rp_extra *x)
{
    (void)s;
    if (x->n_years < RP_MAX_YEARS)
        x->years[x->n_years++] = sqlite3_column_int(st, 0);
    return 0;
}

static int year_index(const rp_extra *x, int year)
{
    for (size_t k = 0; k < x->n_years; k++)
        if (x->years[k] == year)
            return (int)k;
    return -1;
}

static int add_series(sqlite3_stmt *st, const rp_snapshot *s, rp_extra *x)
{
    int kind = sqlite3_column_int(st, 0), i = ind_of(s, text_at(st, 1));
    int y = year_index(x, sqlite3_column_int(st, 2));
    if (i < 0 || y < 0 || kind < 0 || kind >= RP_LR_SERIES)
        return 0;
    rp_longrun *lr = &x->lr[i];
    double v = sqlite3_column_double(st, 3);
    if (!lr->any || y < lr->first)
        lr->first = y;
    if (!lr->any || y > lr->last)
        lr->last = y;
    lr->any = 1;
    if (kind == RP_LR_OWN && sqlite3_column_type(st, 4) != SQLITE_NULL)
        liia_strlcpy(lr->joint, text_at(st, 4), sizeof lr->joint);
    if (kind != RP_LR_NB) {
        lr->v[kind][y] = v;
        lr->has[kind][y] = 1;
    } else if (lr->nb_n[y] < RP_MAX_NB)
        lr->nbv[y][lr->nb_n[y]++] = v;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* As the quarterly comparator: the median of 3 or more values. */
static void medians(rp_extra *x)
{
    for (size_t k = 0; k < x->n_lr; k++)
        for (size_t y = 0; y < x->n_years; y++) {
            rp_longrun *lr = &x->lr[k];
            size_t n = lr->nb_n[y];
            if (n < 3)
                continue;
            qsort(lr->nbv[y], n, sizeof lr->nbv[y][0], cmp_double);
            lr->v[RP_LR_NB][y] = n % 2 ? lr->nbv[y][n / 2]
                                       : (lr->nbv[y][n / 2 - 1] +
                                          lr->nbv[y][n / 2]) / 2;
            lr->has[RP_LR_NB][y] = 1;
        }
}

/* The model years, oldest first, in x->model until years() places them. */
static int add_model(sqlite3_stmt *st, const rp_snapshot *s, rp_extra *x)
{
    (void)s;
    if (x->n_models < RP_MAX_YEARS)
        x->model[x->n_models++] = sqlite3_column_int(st, 0);
    return 0;
}

/* Every year from the earliest published (at most RP_MAX_YEARS back) to
 * the latest, so a year missing from DfE's files is a gap on the chart,
 * not a year silently skipped; and the neighbour model of each year. */
static void years(rp_extra *x)
{
    int lo = x->years[0], hi = x->years[0];
    for (size_t k = 1; k < x->n_years; k++) {
        lo = x->years[k] < lo ? x->years[k] : lo;
        hi = x->years[k] > hi ? x->years[k] : hi;
    }
    if (hi - lo >= RP_MAX_YEARS)
        lo = hi - RP_MAX_YEARS + 1;
    int models[RP_MAX_YEARS];
    size_t nm = x->n_models;
    memcpy(models, x->model, sizeof models);
    x->n_years = (size_t)(hi - lo + 1);
    for (size_t k = 0; k < x->n_years; k++) {
        x->years[k] = lo + (int)k;
        x->model[k] = nm ? models[0] : 0;
        for (size_t m = 0; m < nm; m++)
            if (models[m] <= x->years[k])
                x->model[k] = models[m];
    }
}

static int long_run(sqlite3 *db, const rp_snapshot *s, size_t a,
                    rp_extra *x, liia_error *e)
{
    if (x_query(db, SQL_YEARS, s->auth[a].gss, s->period, s, x, add_year, e) ||
        x_query(db, SQL_MODELS, s->auth[a].gss, s->period, s, x, add_model,
                e))
        return -1;
    if (x->n_years)
        years(x);
    x->lr = calloc(s->n_ind + 1, sizeof *x->lr);
    if (!x->lr)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    x->n_lr = s->n_ind;
    for (size_t i = 0; i < s->n_ind; i++)
        x->lr[i].ind = i;
    if (x_query(db, SQL_SERIES, s->auth[a].gss, s->period, s, x, add_series,
                e))
        return -1;
    medians(x);
    return 0;
}

void rp_lr_models(const rp_extra *x, char *out, size_t outsz)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < x->n_years; k++) {
        size_t e = k;
        while (e + 1 < x->n_years && x->model[e + 1] == x->model[k])
            e++;
        if (!x->model[k])
            snprintf(out, outsz, "no DfE model loaded");
        else if (k == 0 && e + 1 == x->n_years)
            snprintf(out, outsz, "DfE's %d model for every year",
                     x->model[k]);
        else if (used < outsz) {
            char span[32];
            if (e == k)
                snprintf(span, sizeof span, "%d", x->years[k]);
            else
                snprintf(span, sizeof span, "%d to %d", x->years[k],
                         x->years[e]);
            used += (size_t)snprintf(out + used, outsz - used,
                                     "%s%d model for %s",
                                     k ? ", its " : "DfE's ", x->model[k],
                                     span);
        }
        k = e;
    }
}

int rp_extra_load(sqlite3 *db, const rp_snapshot *s, size_t a, rp_extra *x,
                  liia_error *e)
{
    memset(x, 0, sizeof *x);
    x->notes = calloc(s->n_ind + 1, sizeof *x->notes);
    if (!x->notes)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < s->n_ind; i++)
        x->with_value += rp_la(s, a, i)->has_value;
    if (x_query(db, SQL_NOTES, s->auth[a].gss, s->period, s, x, add_note, e) ||
        x_query(db, SQL_DQ, s->auth[a].gss, s->period, s, x, add_dq, e) ||
        x_query(db, SQL_CHILD, s->auth[a].gss, s->period, s, x, add_child,
                e) ||
        long_run(db, s, a, x, e)) {
        rp_extra_free(x);
        return -1;
    }
    return 0;
}

void rp_extra_free(rp_extra *x)
{
    free(x->notes);
    free(x->lr);
    memset(x, 0, sizeof *x);
}
