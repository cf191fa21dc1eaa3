/*
 * rp_data.c - the period snapshot: catalogue, authorities and the benchmark
 * rows of one period (and the seven before it for trends), read through the
 * documented views.  Its size is bounded by 33 authorities x indicators x 8
 * quarters whatever the size of the returns, so packs stream by authority
 * from memory instead of re-querying per chart.
 */
#include <stdlib.h>
#include <string.h>

#include "rp_internal.h"

const char *const rp_theme_ids[RP_N_THEMES] = {
    "front_door", "assessment", "child_protection",
    "looked_after", "care_leavers", "workforce",
};
const char *const rp_theme_titles[RP_N_THEMES] = {
    "Front door", "Assessment", "Child protection",
    "Looked after", "Care leavers", "Workforce",
};

static void col_text(sqlite3_stmt *st, int k, char *out, size_t outsz)
{
    const unsigned char *t = sqlite3_column_text(st, k);
    liia_strlcpy(out, t ? (const char *)t : "", outsz);
}

static double col_num(sqlite3_stmt *st, int k, int *has)
{
    *has = sqlite3_column_type(st, k) != SQLITE_NULL;
    return *has ? sqlite3_column_double(st, k) : 0.0;
}

/* Steps a statement to the end through fn; finalizes it either way. */
typedef int (*row_fn)(sqlite3_stmt *st, rp_snapshot *s, liia_error *e);

static int each_row(sqlite3 *db, sqlite3_stmt *st, rp_snapshot *s, row_fn fn,
                    liia_error *e)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(st, s, e)) {
            sqlite3_finalize(st);
            return -1;
        }
    if (rc != SQLITE_DONE) {
        liia_db_fail(e, db, "reading the benchmark views");
        sqlite3_finalize(st);
        return -1;
    }
    if (sqlite3_finalize(st) != SQLITE_OK)
        return liia_db_fail(e, db, "reading the benchmark views");
    return 0;
}

/* SQLite does the date arithmetic (no TZ, no mktime). */
static int period_time(sqlite3 *db, rp_snapshot *s, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT CAST(strftime('%s', ?1, '+12 hours')"
                            " AS INTEGER)", &st, e))
        return -1;
    int rc = sqlite3_bind_text(st, 1, s->period, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s->created = (time_t)sqlite3_column_int64(st, 0);
    if (sqlite3_finalize(st) != SQLITE_OK || rc != SQLITE_ROW)
        return liia_db_fail(e, db, "converting the period to a date");
    return 0;
}

int rp_latest_period(sqlite3 *db, const char *today, char out[11],
                     liia_error *e)
{
    sqlite3_stmt *st;
    /* the latest quarter with returns, not a future one (a return may be
     * sent a little ahead); refused later if it is not benchmarked, never
     * silently replaced by an older quarter that is */
    if (liia_db_prepare(db, "SELECT max(period) FROM submissions WHERE status ="
                        " 'accepted' AND (?1 IS NULL OR period <= ?1)", &st, e))
        return -1;
    if (today)
        sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW)
        col_text(st, 0, out, 11);
    if (sqlite3_finalize(st) != SQLITE_OK || rc != SQLITE_ROW)
        return liia_db_fail(e, db, "finding the latest period");
    if (!out[0]) {
        liia_error_fix(e, "ingest returns, run 'liia-bench bench', then report");
        return liia_fail(e, LIIA_E_DATA, "no returns have been accepted");
    }
    return 0;
}

static int add_indicator(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    rp_indicator *n = realloc(s->ind, (s->n_ind + 1) * sizeof *n);
    if (!n)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    s->ind = n;
    rp_indicator *ind = &s->ind[s->n_ind];
    memset(ind, 0, sizeof *ind);
    col_text(st, 0, ind->id, sizeof ind->id);
    col_text(st, 1, ind->title, sizeof ind->title);
    col_text(st, 2, ind->theme, sizeof ind->theme);
    col_text(st, 3, ind->unit, sizeof ind->unit);
    ind->decimals = sqlite3_column_int(st, 4);
    ind->polarity = sqlite3_column_int(st, 5);
    col_text(st, 6, ind->kind, sizeof ind->kind);
    col_text(st, 7, ind->numerator_expr, sizeof ind->numerator_expr);
    col_text(st, 8, ind->denominator_expr, sizeof ind->denominator_expr);
    const unsigned char *d = sqlite3_column_text(st, 9);
    ind->definition = strdup(d ? (const char *)d : "");
    if (!ind->definition)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (ind->decimals < 0 || ind->decimals > 6)
        ind->decimals = 1;
    s->n_ind++;
    return 0;
}

static int add_authority(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    if (s->n_auth == RP_MAX_AUTH)
        return liia_fail(e, LIIA_E_SCHEMA, "more than %d authorities in the "
                         "store", RP_MAX_AUTH);
    rp_authority *a = &s->auth[s->n_auth++];
    col_text(st, 0, a->gss, sizeof a->gss);
    col_text(st, 1, a->name, sizeof a->name);
    col_text(st, 2, a->short_code, sizeof a->short_code);
    col_text(st, 3, a->quadrant, sizeof a->quadrant);
    col_text(st, 4, a->quadrant_name, sizeof a->quadrant_name);
    return 0;
}

static int add_group(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    if (s->n_groups == RP_MAX_GROUPS)
        return liia_fail(e, LIIA_E_SCHEMA, "more than %d quadrants",
                         RP_MAX_GROUPS);
    col_text(st, 0, s->groups[s->n_groups], sizeof s->groups[0]);
    col_text(st, 1, s->group_names[s->n_groups], sizeof s->group_names[0]);
    s->n_groups++;
    return 0;
}

static int ind_index(const rp_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->n_ind; i++)
        if (!strcmp(s->ind[i].id, id))
            return (int)i;
    return -1;
}

int rp_auth_index(const rp_snapshot *s, const char *gss)
{
    for (size_t a = 0; a < s->n_auth; a++)
        if (!strcmp(s->auth[a].gss, gss))
            return (int)a;
    return -1;
}

static int group_index(const rp_snapshot *s, const char *code)
{
    for (size_t g = 0; g < s->n_groups; g++)
        if (!strcmp(s->groups[g], code))
            return (int)g;
    return -1;
}

int rp_group_of(const rp_snapshot *s, size_t a)
{
    return group_index(s, s->auth[a].quadrant);
}

/* Which cell of the snapshot a benchmark row belongs to, or NULL when the
 * row is for an area the pack does not show. */
static rp_cell *cell_for(rp_snapshot *s, const char *type, const char *code,
                         int i)
{
    if (!strcmp(type, "la")) {
        int a = rp_auth_index(s, code);
        return a < 0 ? NULL : &s->la[(size_t)a * s->n_ind + (size_t)i];
    }
    if (!strcmp(type, "region"))
        return strcmp(code, "E12000007") ? NULL : &s->london[i];
    int g = group_index(s, code);
    return g < 0 ? NULL : &s->group[(size_t)g * s->n_ind + (size_t)i];
}

static int add_cell(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    (void)e;
    char type[16], code[16], id[16];
    col_text(st, 0, type, sizeof type);
    col_text(st, 1, code, sizeof code);
    col_text(st, 2, id, sizeof id);
    int i = ind_index(s, id);
    rp_cell *c = i < 0 ? NULL : cell_for(s, type, code, i);
    if (!c)
        return 0;
    s->n_rows++;
    c->num = col_num(st, 3, &c->has_num);
    c->den = col_num(st, 4, &c->has_den);
    c->value = col_num(st, 5, &c->has_value);
    c->rank = sqlite3_column_int(st, 6);
    c->rank_of = sqlite3_column_int(st, 7);
    c->quartile = sqlite3_column_int(st, 8);
    c->change_prev = col_num(st, 9, &c->has_change_prev);
    col_text(st, 10, c->dir_prev, sizeof c->dir_prev);
    c->change_yoy = col_num(st, 11, &c->has_change_yoy);
    col_text(st, 12, c->dir_yoy, sizeof c->dir_yoy);
    col_text(st, 13, c->funnel, sizeof c->funnel);
    col_text(st, 14, c->coverage, sizeof c->coverage);
    c->london = col_num(st, 15, &c->has_london);
    c->quadrant = col_num(st, 16, &c->has_quadrant);
    c->sn = col_num(st, 17, &c->has_sn);
    col_text(st, 18, c->sn_coverage, sizeof c->sn_coverage);
    col_text(st, 19, c->null_reason, sizeof c->null_reason);
    col_text(st, 20, c->source, sizeof c->source);
    col_text(st, 21, c->check_failed, sizeof c->check_failed);
    c->suppressed = sqlite3_column_int(st, 22);
    c->small_base = sqlite3_column_int(st, 23);
    s->returns = sqlite3_column_int(st, 24);
    s->authorities = sqlite3_column_int(st, 25);
    c->tau2 = sqlite3_column_double(st, 26);
    if (!strcmp(type, "la") && c->has_value)
        s->child_level |= rp_source_bit(c->source);
    return 0;
}

static size_t trend_cols(const rp_snapshot *s)
{
    return s->n_auth + 1 + s->n_groups;
}

static rp_point *trend_at(const rp_snapshot *s, size_t q, size_t col, size_t i)
{
    return &s->trend[(q * trend_cols(s) + col) * s->n_ind + i];
}

const rp_point *rp_trend_la(const rp_snapshot *s, size_t q, size_t a, size_t i)
{
    return trend_at(s, q, a, i);
}

const rp_point *rp_trend_london(const rp_snapshot *s, size_t q, size_t i)
{
    return trend_at(s, q, s->n_auth, i);
}

const rp_point *rp_trend_group(const rp_snapshot *s, size_t q, size_t g,
                               size_t i)
{
    return trend_at(s, q, s->n_auth + 1 + g, i);
}

rp_cell *rp_la(const rp_snapshot *s, size_t a, size_t i)
{
    return &s->la[a * s->n_ind + i];
}

static int add_point(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    (void)e;
    char period[11], type[16], code[16], id[16];
    col_text(st, 0, period, sizeof period);
    col_text(st, 1, type, sizeof type);
    col_text(st, 2, code, sizeof code);
    col_text(st, 3, id, sizeof id);
    int i = ind_index(s, id), q = -1, col = -1;
    for (int k = 0; k < RP_TREND_QUARTERS; k++)
        if (!strcmp(s->trend_periods[k], period))
            q = k;
    if (!strcmp(type, "la"))
        col = rp_auth_index(s, code);
    else if (!strcmp(type, "region") && !strcmp(code, "E12000007"))
        col = (int)s->n_auth;
    else if (group_index(s, code) >= 0)
        col = (int)s->n_auth + 1 + group_index(s, code);
    if (i < 0 || q < 0 || col < 0)
        return 0;
    int has;
    rp_point *p = trend_at(s, (size_t)q, (size_t)col, (size_t)i);
    p->v = col_num(st, 4, &has);
    p->has = (unsigned char)has;
    p->sup = (unsigned char)(sqlite3_column_int(st, 5) != 0);
    /* the trend's earlier quarters count too: the footers name every
     * return a drawn value came from */
    const unsigned char *src = sqlite3_column_text(st, 6);
    if (p->has && src && !strcmp(type, "la"))
        s->child_level |= rp_source_bit((const char *)src);
    return 0;
}

static int query(sqlite3 *db, rp_snapshot *s, const char *sql,
                 const char *p1, const char *p2, row_fn fn, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, sql, &st, e))
        return -1;
    if ((p1 && sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC)) ||
        (p2 && sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC))) {
        sqlite3_finalize(st);
        return liia_db_fail(e, db, "binding the period");
    }
    return each_row(db, st, s, fn, e);
}

static const char SQL_INDICATORS[] =
    "SELECT id, title, theme, unit, decimals, polarity, kind, numerator_expr,"
    " denominator_expr, definition FROM indicators ORDER BY sort_order, id";
static const char SQL_AUTHORITIES[] =
    "SELECT a.gss_code, a.name, a.short_code, g.group_code, g.group_name"
    "  FROM authority a LEFT JOIN grouping g"
    "    ON g.gss_code = a.gss_code AND g.grouping = 'quadrant'"
    " ORDER BY a.name";
static const char SQL_GROUPS[] =
    "SELECT DISTINCT group_code, group_name FROM grouping"
    " WHERE grouping = 'quadrant' ORDER BY group_code";
/* Only what may be published reaches the snapshot: values at their
 * published precision; for London and the quadrants the published pooled
 * value (over members whose figure is published, totals to the nearest
 * 10), never the true pooled one, which differencing would open
 * (docs/disclosure.md).  Suppression of an authority's own figures is
 * decided per pack (rp_suppressed). */
#define PUB_VALUE "iif(area_type = 'la', round(value, decimals), pub_value)"
static const char SQL_CELLS[] =
    "SELECT area_type, area_code, indicator,"
    " iif(area_type = 'la', numerator, pub_numerator),"
    " iif(area_type = 'la', denominator, pub_denominator), " PUB_VALUE ","
    " rank, rank_of, quartile, change_prev, direction_prev, change_yoy,"
    " direction_yoy, funnel,"
    " iif(area_type = 'la', coverage, pub_included || ' of ' || n_possible),"
    " london_pub_value, quadrant_pub_value,"
    " round(sn_value, decimals), sn_coverage, coalesce(null_reason, note),"
    " coalesce(source, ''), check_failed, suppressed, small_base, returns,"
    " authorities, coalesce(funnel_tau2, 0) FROM benchmark WHERE period = ?1"
    "   AND area_type IN ('la', 'region', 'quadrant')";
static const char SQL_TREND[] =
    "SELECT period, area_type, area_code, indicator, " PUB_VALUE ", suppressed,"
    " coalesce(source, 'quarterly')"
    "  FROM benchmark WHERE period BETWEEN ?1 AND ?2"
    "   AND area_type IN ('la', 'region', 'quadrant')";

/* England as DfE published it for the period's year (bench_published,
 * migration 042): public figures. */
static const char SQL_ENGLAND[] =
    "SELECT indicator, value, year, null_reason FROM bench_published"
    " WHERE period = ?1 AND area_type = 'england'";
/* Why a neighbour median is blank, and where its values came from. */
static const char SQL_SN_REASON[] =
    "SELECT area_code, indicator, coalesce(null_reason, note, '')"
    "  FROM benchmark WHERE period = ?1 AND area_type = 'sn'";
static const char SQL_SN_SOURCES[] =
    "SELECT la_code, indicator, sources, coalesce(year, 0), null_reason,"
    "       n_published, n_quarterly, n_suppressed, n_included, n_possible"
    "  FROM bench_sn_published WHERE period = ?1";
/* Neighbours by name: the period's model where published comparators were
 * computed, else the reference table. */
static const char SQL_NEIGHBOURS[] =
    "SELECT la_code, rank, neighbour_name, model_year FROM bench_sn_member"
    " WHERE period = ?1 AND indicator = (SELECT min(indicator) FROM"
    "  bench_sn_member WHERE period = ?1)"
    " UNION ALL SELECT gss_code, rank, neighbour_name, 0 FROM stat_neighbour"
    " WHERE NOT EXISTS (SELECT 1 FROM bench_sn_member WHERE period = ?1)"
    " ORDER BY 1, 2";

static int add_england(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    (void)e;
    char id[16];
    col_text(st, 0, id, sizeof id);
    int i = ind_index(s, id);
    if (i < 0)
        return 0;
    rp_published *p = &s->england[i];
    s->n_england++;
    p->value = col_num(st, 1, &p->has);
    p->year = sqlite3_column_int(st, 2);
    col_text(st, 3, p->reason, sizeof p->reason);
    return 0;
}

static rp_cell *la_cell(rp_snapshot *s, sqlite3_stmt *st)
{
    char code[16], id[16];
    col_text(st, 0, code, sizeof code);
    col_text(st, 1, id, sizeof id);
    int a = rp_auth_index(s, code), i = ind_index(s, id);
    return a < 0 || i < 0 ? NULL : rp_la(s, (size_t)a, (size_t)i);
}

static int add_sn_reason(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    (void)e;
    rp_cell *c = la_cell(s, st);
    if (c)
        col_text(st, 2, c->sn_reason, sizeof c->sn_reason);
    return 0;
}

static int add_sn_sources(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    (void)e;
    rp_cell *c = la_cell(s, st);
    if (!c)
        return 0;
    col_text(st, 2, c->sn_sources, sizeof c->sn_sources);
    c->sn_year = sqlite3_column_int(st, 3);
    c->sn_published = 1;
    c->sn_np = sqlite3_column_int(st, 5);
    c->sn_nq = sqlite3_column_int(st, 6);
    c->sn_ns = sqlite3_column_int(st, 7);
    c->sn_n = sqlite3_column_int(st, 8);
    c->sn_of = sqlite3_column_int(st, 9);
    /* the benchmark's own reason stands when no published figure took
     * part (bench keeps its London-only median then) */
    if (sqlite3_column_int(st, 5) > 0 && sqlite3_column_type(st, 4) != SQLITE_NULL)
        col_text(st, 4, c->sn_reason, sizeof c->sn_reason);
    return 0;
}

static int add_measure(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    char (*n)[2][96] = realloc(s->measure, (s->n_measures + 1) * sizeof *n);
    if (!n)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    s->measure = n;
    col_text(st, 0, n[s->n_measures][0], sizeof n[0][0]);
    col_text(st, 1, n[s->n_measures][1], sizeof n[0][1]);
    s->n_measures++;
    return 0;
}

void rp_expr_words(const rp_snapshot *s, const char *expr, char *out,
                   size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = expr; *p && o + 1 < outsz;) {
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
        const char *word = NULL;
        for (size_t m = 0; n && m < s->n_measures; m++)
            if (strlen(s->measure[m][0]) == n &&
                !strncmp(s->measure[m][0], p, n))
                word = s->measure[m][1];
        if (!n) {
            out[o++] = *p++;
            out[o] = '\0';
            continue;
        }
        int w = word ? snprintf(out + o, outsz - o, "%s", word)
                     : snprintf(out + o, outsz - o, "%.*s", (int)n, p);
        o += w > 0 ? (size_t)w : 0;
        if (o >= outsz)
            o = outsz - 1;
        p += n;
    }
}

static int add_neighbour(sqlite3_stmt *st, rp_snapshot *s, liia_error *e)
{
    (void)e;
    char code[16];
    col_text(st, 0, code, sizeof code);
    int a = rp_auth_index(s, code);
    if (a < 0 || s->nb[a].n == RP_MAX_NB)
        return 0;
    rp_neighbours *n = &s->nb[a];
    col_text(st, 2, n->name[n->n], sizeof n->name[0]);
    n->model_year = sqlite3_column_int(st, 3);
    n->n++;
    return 0;
}

static int alloc_tables(rp_snapshot *s, liia_error *e)
{
    s->la = calloc(s->n_auth * s->n_ind + 1, sizeof *s->la);
    s->london = calloc(s->n_ind + 1, sizeof *s->london);
    s->group = calloc(s->n_groups * s->n_ind + 1, sizeof *s->group);
    s->trend = calloc(RP_TREND_QUARTERS * trend_cols(s) * s->n_ind + 1,
                      sizeof *s->trend);
    s->england = calloc(s->n_ind + 1, sizeof *s->england);
    s->nb = calloc(s->n_auth + 1, sizeof *s->nb);
    if (!s->la || !s->london || !s->group || !s->trend || !s->england ||
        !s->nb)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return 0;
}

int rp_snapshot_load(sqlite3 *db, const char *period, rp_snapshot *s,
                     liia_error *e)
{
    memset(s, 0, sizeof *s);
    liia_strlcpy(s->period, period, sizeof s->period);
    liia_period_label(period, s->label, sizeof s->label);
    liia_strlcpy(s->short_label, s->label, sizeof s->short_label);
    char *paren = strstr(s->short_label, " (");
    if (paren)
        *paren = '\0';
    for (int k = 0; k < RP_TREND_QUARTERS; k++)
        liia_period_shift(period, RP_TREND_QUARTERS - 1 - k,
                          s->trend_periods[k]);
    if (period_time(db, s, e) ||
        query(db, s, SQL_INDICATORS, NULL, NULL, add_indicator, e) ||
        query(db, s, SQL_AUTHORITIES, NULL, NULL, add_authority, e) ||
        query(db, s, SQL_GROUPS, NULL, NULL, add_group, e) ||
        alloc_tables(s, e) ||
        query(db, s, SQL_CELLS, period, NULL, add_cell, e) ||
        query(db, s, SQL_TREND, s->trend_periods[0], period, add_point, e) ||
        query(db, s, SQL_ENGLAND, period, NULL, add_england, e) ||
        query(db, s, SQL_SN_REASON, period, NULL, add_sn_reason, e) ||
        query(db, s, SQL_SN_SOURCES, period, NULL, add_sn_sources, e) ||
        query(db, s, SQL_NEIGHBOURS, period, NULL, add_neighbour, e) ||
        query(db, s, "SELECT id, lower(substr(title, 1, 1)) || substr(title, 2)"
              " FROM measure_def ORDER BY id", NULL, NULL, add_measure, e)) {
        rp_snapshot_free(s);
        return -1;
    }
    if (!s->n_ind) {
        rp_snapshot_free(s);
        liia_error_fix(e, "run 'liia-bench init' to load the catalogue");
        return liia_fail(e, LIIA_E_SCHEMA, "the indicator catalogue is empty");
    }
    return 0;
}

void rp_snapshot_free(rp_snapshot *s)
{
    for (size_t i = 0; i < s->n_ind; i++)
        free(s->ind[i].definition);
    free(s->ind);
    free(s->la);
    free(s->london);
    free(s->group);
    free(s->trend);
    free(s->england);
    free(s->nb);
    free(s->measure);
    memset(s, 0, sizeof *s);
}
