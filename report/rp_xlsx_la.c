/*
 * rp_xlsx_la.c - the authority workbook: Summary, one sheet per theme with
 * native Excel charts, Trend, Rankings (the charts' data), Data quality,
 * Reconciliation (with SSDA903 data only) and Definitions.
 *
 * libxlsxwriter 1.1 cannot combine a column chart with a line chart, so
 * London and the quadrant appear in the ranked chart as bars of their own
 * colour at their place in the ranking (as LAIT does), not as lines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liia_engine.h"
#include "rp_xlsx.h"

enum {
    TREND_FIRST_ROW = 3,
    RANK_BLOCK_HEAD = 2, /* title and column heads above each block */
    CHART_ROWS = 17,
};

typedef struct la_book {
    rp_fmts F;
    const rp_snapshot *s;
    size_t a;
    const rp_extra *x;
    int g; /* quadrant index or -1 */
    lxw_worksheet *trend, *ranks, *funnel;
} la_book;

/* ------------------------------------------------------------ Summary */

static const struct {
    const char *head;
    double width;
} SUMMARY_COLS[] = {
    {"Theme", 16},       {"Id", 7},           {"Indicator", 44},
    {"Unit", 11},        {"Better when", 10}, {"Value", 10},
    {"London", 10},      {"England (DfE, year to 31 March)", 12},
    {"Quadrant", 10},    {"Statistical neighbours (median)", 14},
    {"Neighbour coverage", 11}, {"Rank", 17}, {"Quartile", 11},
    {"Change on last quarter", 11}, {"Direction (quarter)", 15},
    {"Change on a year ago", 11}, {"Direction (year)", 15},
    {"Funnel plot", 16}, {"Note", 40}, {"Source (one return per value)", 18},
    {"Comparators explained (blank or thin comparators, neighbours' "
     "sources and year, notes sent with the return)", 90},
};
enum { N_SUMMARY_COLS = sizeof SUMMARY_COLS / sizeof SUMMARY_COLS[0] };

static const char *theme_title(const char *id)
{
    for (int t = 0; t < RP_N_THEMES; t++)
        if (!strcmp(rp_theme_ids[t], id))
            return rp_theme_titles[t];
    return id;
}

static void summary_row(la_book *b, lxw_worksheet *ws, lxw_row_t r, size_t i)
{
    rp_fmts *F = &b->F;
    const rp_snapshot *s = b->s;
    const rp_indicator *ind = &s->ind[i];
    const rp_cell *c = rp_la(s, b->a, i), *L = &s->london[i];
    const rp_published *en = &s->england[i];
    rp_str(F, ws, r, 0, theme_title(ind->theme), F->text);
    rp_str(F, ws, r, 1, ind->id, F->text);
    rp_str(F, ws, r, 2, ind->title, F->text);
    rp_str(F, ws, r, 3, rp_unit_text(ind), F->text);
    rp_str(F, ws, r, 4, rp_better_text(ind->polarity), F->text);
    rp_put_value(ws, r, 5, F, ind, c->has_value, c->value, 0);
    rp_put_value(ws, r, 6, F, ind, L->has_value, L->value,
                 rp_suppressed(L->suppressed, 0));
    rp_put_value(ws, r, 7, F, ind, en->has, en->value, 0);
    if (b->g >= 0) {
        const rp_cell *G = &s->group[(size_t)b->g * s->n_ind + i];
        rp_put_value(ws, r, 8, F, ind, G->has_value, G->value,
                     rp_suppressed(G->suppressed, 0));
    }
    rp_put_value(ws, r, 9, F, ind, c->has_sn, c->sn, 0);
    rp_str(F, ws, r, 10, c->sn_coverage, F->text);
    char rank[48];
    rp_rank_text(s, c, rank, sizeof rank);
    rp_str(F, ws, r, 11, rank, F->text);
    rp_str(F, ws, r, 12, rp_quartile_text(c->quartile, ind->polarity),
           rp_fmt_quartile(F, c->quartile, ind->polarity));
    rp_put_change(ws, r, 13, F, ind, c->has_change_prev, c->change_prev);
    rp_str(F, ws, r, 14, rp_direction_text(c->dir_prev),
           rp_fmt_direction(F, c->dir_prev));
    rp_put_change(ws, r, 15, F, ind, c->has_change_yoy, c->change_yoy);
    rp_str(F, ws, r, 16, rp_direction_text(c->dir_yoy),
           rp_fmt_direction(F, c->dir_yoy));
    rp_str(F, ws, r, 17, rp_funnel_text(c->funnel), F->text);
    rp_str(F, ws, r, 18, c->null_reason[0] ? c->null_reason
                         : c->small_base ? "small base: not ranked, read the "
                                           "funnel plot"
                         : c->suppressed ? "shown to other authorities as c "
                                           "(1 to 5 children)"
                                         : "", F->text);
    if (c->has_value)
        rp_str(F, ws, r, 19, rp_source_name(c->source), F->text);
    liia_buf n;
    liia_buf_init(&n);
    if (rp_comparator_notes(s, b->a, i, b->x, &n) < 0)
        rp_chk(&b->F, LXW_ERROR_MEMORY_MALLOC_FAILED);
    if (n.len > 2)
        n.data[n.len - 2] = '\0'; /* the last "; " */
    rp_str(F, ws, r, 20, n.data, F->text);
    liia_buf_free(&n);
}

static void sheet_title(la_book *b, lxw_worksheet *ws, const char *what)
{
    char t[256];
    snprintf(t, sizeof t, "%s: %s, %s", what, b->s->auth[b->a].name,
             b->s->label);
    rp_str(&b->F, ws, 0, 0, t, b->F.title);
}

static void write_summary(la_book *b, lxw_worksheet *ws)
{
    rp_fmts *F = &b->F;
    sheet_title(b, ws, "Benchmark summary");
    rp_str(F, ws, 1, 0,
           "Rank 1 = best (highest for context indicators), among published "
           "values; a small base (denominator under 10, or under 5 events "
           "for a rate) is not ranked: read its funnel flag. Colours show "
           "the quartile and every coloured cell also says it in words. "
           "Other authorities' figures from 1 to 5 children are shown as c. "
           "Funnel plot: exact binomial/Poisson limits around London's "
           "published value, widened for overdispersion between authorities "
           "where the data show it (Spiegelhalter 2005, additive random "
           "effects).",
           F->subtitle);
    char cov[48], head[64];
    rp_coverage(b->s, cov, sizeof cov);
    for (lxw_col_t k = 0; k < N_SUMMARY_COLS; k++) {
        rp_chk(F, worksheet_set_column(ws, k, k, SUMMARY_COLS[k].width, NULL));
        /* beside every comparator: "London (12 of 33 returns)" */
        if (cov[0] && (k == 6 || k == 8 || k == 9))
            snprintf(head, sizeof head, "%s (%s)", SUMMARY_COLS[k].head, cov);
        else
            liia_strlcpy(head, SUMMARY_COLS[k].head, sizeof head);
        rp_str(F, ws, 3, k, head, F->head);
    }
    if (cov[0]) {
        char t[200];
        snprintf(t, sizeof t, "Coverage: only %s for this quarter; London, "
                 "quadrant, neighbours, ranks and quartiles are over those.",
                 cov);
        rp_str(F, ws, 2, 0, t, F->warning);
    }
    rp_chk(F, worksheet_set_row(ws, 3, 42, NULL));
    lxw_row_t r = 4;
    for (size_t i = 0; i < b->s->n_ind; i++)
        summary_row(b, ws, r++, i);
    worksheet_freeze_panes(ws, 4, 3);
    rp_chk(F, worksheet_autofilter(ws, 3, 0, r - 1, N_SUMMARY_COLS - 1));
    rp_chk(F, worksheet_repeat_rows(ws, 3, 3));
}

/* ------------------------------------------------------------ Trend */

static void trend_row(la_book *b, lxw_row_t r, size_t i, const char *area,
                      int col, int own)
{
    rp_fmts *F = &b->F;
    const rp_snapshot *s = b->s;
    rp_str(F, b->trend, r, 0, s->ind[i].id, F->text);
    rp_str(F, b->trend, r, 1, s->ind[i].title, F->text);
    rp_str(F, b->trend, r, 2, area, col < 0 ? F->bold : F->text);
    for (int q = 0; q < RP_TREND_QUARTERS; q++) {
        const rp_point *p = col < 0   ? rp_trend_la(s, (size_t)q, b->a, i)
                            : col == 0 ? rp_trend_london(s, (size_t)q, i)
                                       : rp_trend_group(s, (size_t)q,
                                                        (size_t)b->g, i);
        rp_put_value(b->trend, r, (lxw_col_t)(3 + q), F, &s->ind[i], p->has,
                     p->v, rp_suppressed(p->sup, own));
    }
}

static lxw_row_t trend_first(size_t i)
{
    return (lxw_row_t)(TREND_FIRST_ROW + 3 * i);
}

static void write_trend(la_book *b)
{
    rp_fmts *F = &b->F;
    const rp_snapshot *s = b->s;
    sheet_title(b, b->trend, "Trend over 8 quarters");
    const char *heads[] = {"Id", "Indicator", "Area"};
    for (lxw_col_t k = 0; k < 3; k++)
        rp_str(F, b->trend, 2, k, heads[k], F->head);
    for (int q = 0; q < RP_TREND_QUARTERS; q++) {
        /* "Q4 24-25": short enough for eight chart axis labels. */
        char fy[16], lab[16];
        liia_period_fy_form(s->trend_periods[q], fy, sizeof fy);
        snprintf(lab, sizeof lab, "%.2s %.5s", fy + 7, fy + 2);
        rp_str(F, b->trend, 2, (lxw_col_t)(3 + q), lab, F->head);
    }
    rp_chk(F, worksheet_set_column(b->trend, 0, 0, 7, NULL));
    rp_chk(F, worksheet_set_column(b->trend, 1, 1, 44, NULL));
    rp_chk(F, worksheet_set_column(b->trend, 2, 2, 22, NULL));
    rp_chk(F, worksheet_set_column(b->trend, 3, 10, 11, NULL));
    for (size_t i = 0; i < s->n_ind; i++) {
        lxw_row_t r = trend_first(i);
        trend_row(b, r, i, s->auth[b->a].name, -1, 1);
        trend_row(b, r + 1, i, "London", 0, 0);
        if (b->g >= 0)
            trend_row(b, r + 2, i, s->group_names[b->g], 1, 0);
    }
    worksheet_freeze_panes(b->trend, 3, 3);
}

/* ------------------------------------------------------------ Rankings */

typedef struct entry {
    const char *label, *code;
    double v, sort;
    int state; /* 1 value, 2 suppressed, 3 missing */
    unsigned colour;
    int rank, rank_of; /* authorities only */
} entry;

static int entry_cmp(const void *x, const void *y)
{
    const entry *p = x, *q = y;
    if (p->state != q->state)
        return p->state - q->state;
    /* suppressed and missing rows by name: sorted by their hidden values
     * they gave those values' order away */
    if (p->state != 1)
        return strcmp(p->label, q->label);
    if (p->sort != q->sort)
        return p->sort > q->sort ? -1 : 1;
    /* equal at the published precision: in rank order, so the ranks read
     * down the chart without a jump */
    if ((p->rank > 0) != (q->rank > 0))
        return p->rank > 0 ? -1 : 1;
    if (p->rank != q->rank)
        return p->rank - q->rank;
    return strcmp(p->label, q->label);
}

static entry make_entry(const char *label, const char *code, const rp_cell *c,
                        int own, int flip, unsigned colour)
{
    entry en = {label, code, c->value, flip ? -c->value : c->value, 3, colour,
                c->rank, c->rank_of};
    if (c->has_value)
        en.state = rp_suppressed(c->suppressed, own) ? 2 : 1;
    return en;
}

static size_t rank_entries(const la_book *b, size_t i, entry *out)
{
    const rp_snapshot *s = b->s;
    int flip = s->ind[i].polarity < 0;
    size_t n = 0;
    for (size_t a = 0; a < s->n_auth; a++)
        out[n++] = make_entry(s->auth[a].name, s->auth[a].short_code,
                              rp_la(s, a, i), a == b->a, flip,
                              a == b->a ? RP_BLUE : 0xBBBBBB);
    out[n++] = make_entry("London", "London", &s->london[i], 0, flip,
                          LXW_COLOR_BLACK);
    if (b->g >= 0)
        out[n++] = make_entry(s->group_names[b->g], s->group_names[b->g],
                              &s->group[(size_t)b->g * s->n_ind + i], 0, flip,
                              RP_VERMILION);
    qsort(out, n, sizeof *out, entry_cmp);
    return n;
}

static lxw_row_t rank_first(const la_book *b, size_t i)
{
    return (lxw_row_t)(2 + i * (b->s->n_auth + 2 + RANK_BLOCK_HEAD + 1));
}

static void write_rank_block(la_book *b, size_t i, entry *en, size_t n)
{
    rp_fmts *F = &b->F;
    const rp_indicator *ind = &b->s->ind[i];
    lxw_row_t r = rank_first(b, i);
    char t[200];
    snprintf(t, sizeof t, "%s %s (%s)", ind->id, ind->title,
             ind->polarity ? "best first" : "highest first");
    rp_str(F, b->ranks, r, 0, t, F->heading);
    const char *heads[] = {"Chart order", "Area", "Code", "Value", "Rank"};
    for (lxw_col_t k = 0; k < 5; k++)
        rp_str(F, b->ranks, r + 1, k, heads[k], F->head);
    for (size_t k = 0; k < n; k++) {
        lxw_row_t row = r + RANK_BLOCK_HEAD + (lxw_row_t)k;
        rp_num(F, b->ranks, row, 0, (double)(k + 1), F->text);
        rp_str(F, b->ranks, row, 1, en[k].label,
               en[k].colour == RP_BLUE ? F->better : F->text);
        rp_str(F, b->ranks, row, 2, en[k].code, F->text);
        rp_put_value(b->ranks, row, 3, F, ind, en[k].state != 3, en[k].v,
                     en[k].state == 2);
        char rank[24];
        /* A suppressed figure's rank would narrow it down: left out. */
        rp_fmt_rank(en[k].state == 1 ? en[k].rank : 0, en[k].rank_of, rank,
                    sizeof rank);
        rp_str(F, b->ranks, row, 4, rank, F->text);
    }
}

/* ------------------------------------------------------------ charts */

static lxw_chart *ranked_chart(la_book *b, size_t i, entry *en, size_t n)
{
    lxw_chart *ch = workbook_add_chart(b->F.wb, LXW_CHART_COLUMN);
    lxw_row_t r0 = rank_first(b, i) + RANK_BLOCK_HEAD;
    lxw_row_t r1 = r0 + (lxw_row_t)n - 1;
    lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
    if (!ch || !se)
        return NULL;
    chart_series_set_categories(se, "Rankings", r0, 1, r1, 1);
    chart_series_set_values(se, "Rankings", r0, 3, r1, 3);
    chart_series_set_name(se, b->s->ind[i].title);
    lxw_chart_fill fills[RP_MAX_AUTH + 2];
    lxw_chart_point pts[RP_MAX_AUTH + 2], *ptrs[RP_MAX_AUTH + 3];
    for (size_t k = 0; k < n; k++) {
        fills[k] = (lxw_chart_fill){.color = en[k].colour};
        pts[k] = (lxw_chart_point){.fill = &fills[k]};
        ptrs[k] = &pts[k];
    }
    ptrs[n] = NULL;
    rp_chk(&b->F, chart_series_set_points(se, ptrs));
    char t[200];
    snprintf(t, sizeof t, "%s: %s (blue), London (black), %s (red)",
             b->s->ind[i].id, b->s->auth[b->a].name,
             b->g >= 0 ? b->s->group_names[b->g] : "quadrant");
    chart_title_set_name(ch, t);
    lxw_chart_font small = {.size = 9};
    chart_title_set_name_font(ch, &small);
    chart_axis_set_name(ch->y_axis, rp_unit_text(&b->s->ind[i]));
    lxw_chart_font axis = {.size = 7, .rotation = -90};
    chart_axis_set_num_font(ch->x_axis, &axis);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    chart_set_series_gap(ch, 40);
    return ch;
}

static void trend_series(la_book *b, lxw_chart *ch, lxw_row_t r,
                         const char *name, unsigned colour, uint8_t dash,
                         uint8_t marker)
{
    lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
    if (!se) {
        rp_chk(&b->F, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    chart_series_set_categories(se, "Trend", 2, 3, 2,
                                3 + RP_TREND_QUARTERS - 1);
    chart_series_set_values(se, "Trend", r, 3, r, 3 + RP_TREND_QUARTERS - 1);
    chart_series_set_name(se, name);
    lxw_chart_line line = {.color = colour, .width = 2, .dash_type = dash};
    chart_series_set_line(se, &line);
    chart_series_set_marker_type(se, marker);
    lxw_chart_fill mf = {.color = colour};
    chart_series_set_marker_fill(se, &mf);
    lxw_chart_line ml = {.color = colour};
    chart_series_set_marker_line(se, &ml);
}

static lxw_chart *trend_chart(la_book *b, size_t i)
{
    lxw_chart *ch = workbook_add_chart(b->F.wb, LXW_CHART_LINE);
    if (!ch)
        return NULL;
    lxw_row_t r = trend_first(i);
    trend_series(b, ch, r, b->s->auth[b->a].name, RP_BLUE,
                 LXW_CHART_LINE_DASH_SOLID, LXW_CHART_MARKER_CIRCLE);
    trend_series(b, ch, r + 1, "London", LXW_COLOR_BLACK, LXW_CHART_LINE_DASH_DASH,
                 LXW_CHART_MARKER_SQUARE);
    if (b->g >= 0)
        trend_series(b, ch, r + 2, b->s->group_names[b->g], RP_VERMILION,
                     LXW_CHART_LINE_DASH_ROUND_DOT, LXW_CHART_MARKER_DIAMOND);
    /* the same axis rule as the PDF (docs/maths.md, "Trend axes"), over
     * the values the chart shows */
    double lo = HUGE_VAL, hi = 0;
    for (int q = 0; q < RP_TREND_QUARTERS; q++) {
        const rp_point *pts[3] = {rp_trend_la(b->s, (size_t)q, b->a, i),
                                  rp_trend_london(b->s, (size_t)q, i),
                                  b->g >= 0 ? rp_trend_group(b->s, (size_t)q,
                                                             (size_t)b->g, i)
                                            : NULL};
        for (int k = 0; k < 3; k++) {
            if (!pts[k] || !pts[k]->has || rp_suppressed(pts[k]->sup, k == 0))
                continue;
            lo = pts[k]->v < lo ? pts[k]->v : lo;
            hi = pts[k]->v > hi ? pts[k]->v : hi;
        }
    }
    rp_axis ax = rp_trend_axis(&b->s->ind[i], lo == HUGE_VAL ? 0 : lo, hi);
    chart_axis_set_min(ch->y_axis, ax.lo);
    chart_axis_set_max(ch->y_axis, ax.hi);
    chart_axis_set_major_unit(ch->y_axis, ax.step);
    char t[200];
    if (ax.broken)
        snprintf(t, sizeof t, "%s: last 8 quarters (axis starts at %g, not 0)",
                 b->s->ind[i].id, ax.lo);
    else
        snprintf(t, sizeof t, "%s: last 8 quarters", b->s->ind[i].id);
    chart_title_set_name(ch, t);
    lxw_chart_font small = {.size = 9};
    chart_title_set_name_font(ch, &small);
    chart_axis_set_name(ch->y_axis, rp_unit_text(&b->s->ind[i]));
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    return ch;
}

/* ------------------------------------------------------------ funnel */

enum { FUNNEL_STEPS = 40, FUNNEL_BLOCK = RP_MAX_AUTH + 6 };

static lxw_row_t funnel_first(size_t i)
{
    return (lxw_row_t)(2 + i * FUNNEL_BLOCK);
}

/* As the cairo funnel: a point for every authority whose figure is
 * published (this one always), at its denominator and its published
 * value. */
static int funnel_shown(const la_book *b, size_t a, size_t i)
{
    const rp_cell *c = rp_la(b->s, a, i);
    return c->has_value && c->has_num && c->has_den && c->den > 0 &&
           !rp_suppressed(c->suppressed, a == b->a);
}

static void funnel_point_row(la_book *b, lxw_row_t r, size_t a, size_t i)
{
    rp_fmts *F = &b->F;
    const rp_cell *c = rp_la(b->s, a, i);
    rp_str(F, b->funnel, r, 0, b->s->auth[a].name,
           a == b->a ? F->better : F->text);
    rp_num(F, b->funnel, r, 1, c->den, F->text);
    rp_num(F, b->funnel, r, 2, c->value, rp_fmt_num(F, &b->s->ind[i]));
    rp_str(F, b->funnel, r, 3, rp_funnel_text(c->funnel), F->text);
}

/* Writes indicator i's block: the points (this authority first) and the
 * limits at FUNNEL_STEPS + 1 sizes; returns the number of other points,
 * or -1 when no funnel applies. */
static int funnel_block(la_book *b, size_t i, double *xmax)
{
    rp_fmts *F = &b->F;
    const rp_snapshot *s = b->s;
    const rp_indicator *ind = &s->ind[i];
    lxw_row_t r = funnel_first(i);
    char t[200];
    snprintf(t, sizeof t, "%s %s", ind->id, ind->title);
    rp_str(F, b->funnel, r, 0, t, F->heading);
    if (!strcmp(ind->unit, "ratio") || !s->london[i].has_value ||
        !funnel_shown(b, b->a, i)) {
        rp_str(F, b->funnel, r + 1, 0, strcmp(ind->unit, "ratio")
                   ? "Not enough data for a funnel plot"
                   : "A funnel plot does not apply to a ratio", F->subtitle);
        return -1;
    }
    static const char *const heads[] = {
        "Authority", "Size", "Value", "Funnel plot", "", "Size", "London",
        "95% lower", "95% upper", "99.8% lower", "99.8% upper"};
    for (lxw_col_t k = 0; k < 11; k++)
        rp_str(F, b->funnel, r + 1, k, heads[k], k == 4 ? NULL : F->head);
    double lo = 0, hi = 0;
    int others = 0;
    funnel_point_row(b, r + 2, b->a, i);
    for (size_t a = 0; a < s->n_auth; a++) {
        if (!funnel_shown(b, a, i))
            continue;
        double d = rp_la(s, a, i)->den;
        lo = !lo || d < lo ? d : lo;
        hi = d > hi ? d : hi;
        if (a != b->a)
            funnel_point_row(b, r + 3 + (lxw_row_t)others++, a, i);
    }
    double centre = s->london[i].value, tau2 = s->london[i].tau2;
    double top = strcmp(ind->unit, "pct") ? HUGE_VAL : 100;
    static const double probs[] = {0.025, 0.975, 0.001, 0.999};
    *xmax = hi * 1.08;
    for (int k = 0; k <= FUNNEL_STEPS; k++) {
        lxw_row_t row = r + 2 + (lxw_row_t)k;
        double n = lo * 0.5 + (hi * 1.08 - lo * 0.5) * k / FUNNEL_STEPS;
        rp_num(F, b->funnel, row, 5, round(n), F->text);
        rp_num(F, b->funnel, row, 6, centre, rp_fmt_num(F, ind));
        for (int m = 0; m < 4; m++) {
            double v = liia_funnel_limit(n, centre, ind->unit, probs[m], tau2);
            if (isnan(v))
                continue;
            v = v < 0 ? 0 : v > top ? top : v; /* clipped to 0-100% */
            rp_num(F, b->funnel, row, (lxw_col_t)(7 + m), v,
                   rp_fmt_num(F, ind));
        }
    }
    return others;
}

static lxw_chart_series *scatter(la_book *b, lxw_chart *ch, const char *name,
                                 lxw_row_t r0, lxw_row_t r1, lxw_col_t x,
                                 lxw_col_t y, unsigned colour, uint8_t dash,
                                 int points)
{
    lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
    if (!se) {
        rp_chk(&b->F, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    chart_series_set_categories(se, "Funnel", r0, x, r1, x);
    chart_series_set_values(se, "Funnel", r0, y, r1, y);
    chart_series_set_name(se, name);
    if (points) {
        lxw_chart_line none = {.none = LXW_TRUE};
        chart_series_set_line(se, &none);
        chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
        chart_series_set_marker_size(se, points);
        lxw_chart_fill mf = {.color = colour};
        chart_series_set_marker_fill(se, &mf);
        lxw_chart_line ml = {.color = colour};
        chart_series_set_marker_line(se, &ml);
    } else {
        lxw_chart_line line = {.color = colour, .width = 1.25,
                               .dash_type = dash};
        chart_series_set_line(se, &line);
        chart_series_set_marker_type(se, LXW_CHART_MARKER_NONE);
    }
    return se;
}

/* A native scatter chart of the block: limits as lines, points as
 * markers, this authority blue and labelled with its name. */
static lxw_chart *funnel_chart(la_book *b, size_t i)
{
    double xmax = 0;
    int others = funnel_block(b, i, &xmax);
    if (others < 0)
        return NULL;
    const rp_indicator *ind = &b->s->ind[i];
    lxw_chart *ch = workbook_add_chart(b->F.wb, LXW_CHART_SCATTER_STRAIGHT);
    if (!ch)
        return NULL;
    lxw_row_t r = funnel_first(i) + 2, rl = r + FUNNEL_STEPS;
    scatter(b, ch, "London", r, rl, 5, 6, LXW_COLOR_BLACK,
            LXW_CHART_LINE_DASH_SOLID, 0);
    scatter(b, ch, "95% limits", r, rl, 5, 7, RP_VERMILION,
            LXW_CHART_LINE_DASH_DASH, 0);
    lxw_chart_series *u95 = scatter(b, ch, "95% upper", r, rl, 5, 8,
                                    RP_VERMILION, LXW_CHART_LINE_DASH_DASH, 0);
    scatter(b, ch, "99.8% limits", r, rl, 5, 9, RP_VERMILION,
            LXW_CHART_LINE_DASH_ROUND_DOT, 0);
    lxw_chart_series *u998 = scatter(b, ch, "99.8% upper", r, rl, 5, 10,
                                     RP_VERMILION,
                                     LXW_CHART_LINE_DASH_ROUND_DOT, 0);
    if (others > 0)
        scatter(b, ch, "Other London authorities", r + 1,
                r + (lxw_row_t)others, 1, 2, 0x777777, 0, 5);
    lxw_chart_series *own = scatter(b, ch, b->s->auth[b->a].name, r, r, 1, 2,
                                    RP_BLUE, 0, 8);
    if (own) {
        chart_series_set_labels(own);
        chart_series_set_labels_options(own, LXW_FALSE, LXW_TRUE, LXW_FALSE);
        chart_series_set_labels_position(own, LXW_CHART_LABEL_POSITION_RIGHT);
    }
    /* one legend entry per kind of line */
    int16_t hide[] = {2, 4, -1};
    (void)u95;
    (void)u998;
    rp_chk(&b->F, chart_legend_delete_series(ch, hide));
    char t[200], words[160], xl[200];
    snprintf(t, sizeof t, "%s: funnel plot against London", ind->id);
    chart_title_set_name(ch, t);
    lxw_chart_font small = {.size = 9};
    chart_title_set_name_font(ch, &small);
    rp_expr_words(b->s, ind->denominator_expr, words, sizeof words);
    snprintf(xl, sizeof xl, "Authority size: %s",
             strcmp(ind->unit, "per10k") ? words
                                         : "children aged 0-17 (population)");
    chart_axis_set_name(ch->x_axis, xl);
    chart_axis_set_name(ch->y_axis, rp_unit_text(ind));
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, xmax);
    chart_axis_set_min(ch->y_axis, 0);
    if (!strcmp(ind->unit, "pct"))
        chart_axis_set_max(ch->y_axis, 100);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    return ch;
}

/* ------------------------------------------------------------ headlines */

typedef struct hl_sheet {
    la_book *b;
    lxw_worksheet *ws;
    lxw_row_t r;
} hl_sheet;

static void hl_row(void *ctx, int kind, const char *text)
{
    hl_sheet *h = ctx;
    if (kind == RP_HL_HEAD)
        h->r++;
    rp_str(&h->b->F, h->ws, h->r++, 0, text,
           kind == RP_HL_HEAD ? h->b->F.heading : h->b->F.wrap);
}

static void write_headlines(la_book *b, lxw_worksheet *ws)
{
    sheet_title(b, ws, "Headlines");
    rp_str(&b->F, ws, 1, 0, "Generated from the figures in this workbook; "
           "each line names the sheet and indicator it comes from.",
           b->F.subtitle);
    rp_chk(&b->F, worksheet_set_column(ws, 0, 0, 140, NULL));
    hl_sheet h = {b, ws, 2};
    rp_headlines(b->s, b->a, b->x, hl_row, &h);
}

/* ------------------------------------------------------------ long run */

/* A native line chart of one indicator's rows r .. r + 3 of the Long run
 * sheet (row 6: the years), over the years with a value; an empty cell is
 * a gap (Excel's default for a line chart), never a zero. */
static lxw_chart *long_run_chart(la_book *b, const rp_longrun *lr,
                                 lxw_row_t r)
{
    static const unsigned colour[RP_LR_SERIES] = {RP_BLUE, RP_VERMILION,
                                                  LXW_COLOR_BLACK, RP_GREEN};
    static const uint8_t dash[RP_LR_SERIES] = {
        LXW_CHART_LINE_DASH_SOLID, LXW_CHART_LINE_DASH_ROUND_DOT,
        LXW_CHART_LINE_DASH_DASH, LXW_CHART_LINE_DASH_LONG_DASH};
    static const uint8_t marker[RP_LR_SERIES] = {
        LXW_CHART_MARKER_CIRCLE, LXW_CHART_MARKER_DIAMOND,
        LXW_CHART_MARKER_SQUARE, LXW_CHART_MARKER_TRIANGLE};
    lxw_chart *ch = workbook_add_chart(b->F.wb, LXW_CHART_LINE);
    if (!ch)
        return NULL;
    const rp_indicator *ind = &b->s->ind[lr->ind];
    char names[RP_LR_SERIES][200];
    rp_lr_names(b->s, b->a, lr, names);
    lxw_col_t c0 = (lxw_col_t)(3 + lr->first), c1 = (lxw_col_t)(3 + lr->last);
    double lo = HUGE_VAL, hi = 0;
    for (int sr = 0; sr < RP_LR_SERIES; sr++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se) {
            rp_chk(&b->F, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return ch;
        }
        chart_series_set_categories(se, "Long run", 6, c0, 6, c1);
        chart_series_set_values(se, "Long run", r + (lxw_row_t)sr, c0,
                                r + (lxw_row_t)sr, c1);
        chart_series_set_name(se, names[sr]);
        lxw_chart_line line = {.color = colour[sr], .width = 2,
                               .dash_type = dash[sr]};
        chart_series_set_line(se, &line);
        chart_series_set_marker_type(se, marker[sr]);
        lxw_chart_fill mf = {.color = colour[sr]};
        chart_series_set_marker_fill(se, &mf);
        lxw_chart_line ml = {.color = colour[sr]};
        chart_series_set_marker_line(se, &ml);
        for (int y = lr->first; y <= lr->last; y++)
            if (lr->has[sr][y]) {
                lo = lr->v[sr][y] < lo ? lr->v[sr][y] : lo;
                hi = lr->v[sr][y] > hi ? lr->v[sr][y] : hi;
            }
    }
    /* the trend axis rule (docs/maths.md, "Trend axes") */
    rp_axis ax = rp_trend_axis(ind, lo == HUGE_VAL ? 0 : lo, hi);
    chart_axis_set_min(ch->y_axis, ax.lo);
    chart_axis_set_max(ch->y_axis, ax.hi);
    chart_axis_set_major_unit(ch->y_axis, ax.step);
    char t[300];
    if (!ax.broken)
        snprintf(t, sizeof t, "%s: years to 31 March", ind->title);
    else
        snprintf(t, sizeof t, "%s: years to 31 March (axis starts at %g, "
                 "not 0)", ind->title, ax.lo);
    chart_title_set_name(ch, t);
    lxw_chart_font small = {.size = 9};
    chart_title_set_name_font(ch, &small);
    chart_axis_set_name(ch->y_axis, rp_unit_text(ind));
    chart_show_blanks_as(ch, LXW_CHART_BLANKS_AS_GAP);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    return ch;
}

static void long_run_head(la_book *b, lxw_worksheet *ws)
{
    rp_fmts *F = &b->F;
    const rp_extra *x = b->x;
    const rp_neighbours *nb = &b->s->nb[b->a];
    sheet_title(b, ws, "Long run: DfE's published figures");
    rp_str(F, ws, 1, 0, "Years to 31 March, as DfE published them (Explore "
           "Education Statistics); blank, and a gap in the chart, where DfE "
           "published none or withheld it. The neighbours' median is over "
           "the neighbours DfE published a figure for, shown from 3; a joint "
           "figure DfE publishes for two authorities is neither's own and "
           "is left out of every median.", F->subtitle);
    char models[200], t[260];
    rp_lr_models(x, models, sizeof models);
    snprintf(t, sizeof t, "Neighbours each year: %s.", models);
    rp_str(F, ws, 2, 0, t, F->subtitle);
    snprintf(t, sizeof t, "Statistical neighbours (DfE's %d model), closest "
             "first", nb->model_year);
    rp_str(F, ws, 3, 0, nb->model_year ? t : "Statistical neighbours",
           F->heading);
    for (int k = 0; k < nb->n; k++)
        rp_str(F, ws, 4, (lxw_col_t)(2 + k), nb->name[k], F->text);
    rp_chk(F, worksheet_set_column(ws, 0, 0, 7, NULL));
    rp_chk(F, worksheet_set_column(ws, 1, 1, 44, NULL));
    rp_chk(F, worksheet_set_column(ws, 2, 2, 24, NULL));
    rp_chk(F, worksheet_set_column(ws, 3, 18, 11, NULL));
    static const char *const heads[] = {"Id", "Indicator", "Area"};
    for (lxw_col_t k = 0; k < 3; k++)
        rp_str(F, ws, 6, k, heads[k], F->head);
    for (size_t y = 0; y < x->n_years; y++)
        rp_num(F, ws, 6, (lxw_col_t)(3 + y), x->years[y], F->head);
}

/* The table (rows from 7, four an indicator) and, to its right, two
 * charts a row. */
static void write_long_run(la_book *b, lxw_worksheet *ws)
{
    rp_fmts *F = &b->F;
    const rp_extra *x = b->x;
    long_run_head(b, ws);
    lxw_row_t r = 7;
    int charts = 0;
    for (size_t k = 0; k < x->n_lr; k++) {
        const rp_longrun *lr = &x->lr[k];
        if (!lr->any)
            continue;
        const rp_indicator *ind = &b->s->ind[lr->ind];
        char names[RP_LR_SERIES][200];
        rp_lr_names(b->s, b->a, lr, names);
        for (int sr = 0; sr < RP_LR_SERIES; sr++) {
            lxw_row_t rr = r + (lxw_row_t)sr;
            rp_str(F, ws, rr, 0, ind->id, F->text);
            rp_str(F, ws, rr, 1, ind->title, F->text);
            rp_str(F, ws, rr, 2, names[sr], sr ? F->text : F->bold);
            for (size_t y = 0; y < x->n_years; y++)
                rp_put_value(ws, rr, (lxw_col_t)(3 + y), F, ind,
                             lr->has[sr][y], lr->v[sr][y], 0);
        }
        lxw_chart *ch = long_run_chart(b, lr, r);
        if (!ch)
            rp_chk(F, LXW_ERROR_MEMORY_MALLOC_FAILED);
        else
            rp_chk(F, worksheet_insert_chart(
                          ws, (lxw_row_t)(6 + 16 * (charts / 2)),
                          (lxw_col_t)(4 + x->n_years + 8 * (charts % 2)),
                          ch));
        charts++;
        r += RP_LR_SERIES;
    }
    worksheet_freeze_panes(ws, 7, 3);
}

/* ------------------------------------------------------------ themes */

static void key_facts(la_book *b, lxw_worksheet *ws, lxw_row_t r, size_t i)
{
    rp_row row;
    rp_summary_row(b->s, b->a, i, &row);
    char line[700];
    const char *q = b->g >= 0 ? b->s->group_names[b->g] : "quadrant";
    snprintf(line, sizeof line, "%s: %s (%s)    London %s    England %s    "
             "%s %s    neighbours %s    %s    %s    on the quarter %s    on "
             "a year ago %s    funnel: %s", b->s->auth[b->a].name,
             row.value[0] ? row.value : "n/a", row.better, row.london,
             row.england[0] ? row.england : "n/a", q, row.quadrant, row.sn,
             row.rank, row.quartile, row.change, row.change_yoy, row.funnel);
    rp_str(&b->F, ws, r, 0, line, b->F.text);
}

static void write_theme(la_book *b, lxw_worksheet *ws, int t)
{
    sheet_title(b, ws, rp_theme_titles[t]);
    rp_str(&b->F, ws, 1, 0,
           "Left: all London authorities ranked, this authority in blue, "
           "London in black, the quadrant in red; middle: the last 8 "
           "quarters; right: the funnel plot against London. Figures: "
           "Summary sheet; chart data: Rankings, Trend and Funnel sheets.",
           b->F.subtitle);
    lxw_row_t r = 3;
    entry en[RP_MAX_AUTH + 2];
    for (size_t i = 0; i < b->s->n_ind; i++) {
        if (strcmp(b->s->ind[i].theme, rp_theme_ids[t]))
            continue;
        char head[200];
        snprintf(head, sizeof head, "%s %s", b->s->ind[i].id,
                 b->s->ind[i].title);
        rp_str(&b->F, ws, r, 0, head, b->F.heading);
        key_facts(b, ws, r + 1, i);
        size_t n = rank_entries(b, i, en);
        lxw_chart *rank = ranked_chart(b, i, en, n), *trend = trend_chart(b, i);
        lxw_chart *fun = funnel_chart(b, i);
        lxw_chart_options big = {.x_scale = 1.5, .y_scale = 1.1};
        lxw_chart_options small = {.x_scale = 1.0, .y_scale = 1.1};
        if (!rank || !trend)
            rp_chk(&b->F, LXW_ERROR_MEMORY_MALLOC_FAILED);
        else {
            rp_chk(&b->F, worksheet_insert_chart_opt(ws, r + 2, 0, rank,
                                                     &big));
            rp_chk(&b->F, worksheet_insert_chart_opt(ws, r + 2, 12, trend,
                                                     &small));
        }
        if (fun)
            rp_chk(&b->F, worksheet_insert_chart_opt(ws, r + 2, 20, fun,
                                                     &small));
        r += CHART_ROWS + 3;
    }
}

static void write_rankings(la_book *b)
{
    entry en[RP_MAX_AUTH + 2];
    sheet_title(b, b->ranks, "Rankings (data of the ranked charts)");
    rp_chk(&b->F, worksheet_set_column(b->ranks, 0, 0, 9, NULL));
    rp_chk(&b->F, worksheet_set_column(b->ranks, 1, 1, 26, NULL));
    rp_chk(&b->F, worksheet_set_column(b->ranks, 2, 4, 10, NULL));
    for (size_t i = 0; i < b->s->n_ind; i++) {
        size_t n = rank_entries(b, i, en);
        write_rank_block(b, i, en, n);
    }
}

/* ------------------------------------------------------------ Definitions */

static void write_definitions(la_book *b)
{
    rp_fmts *F = &b->F;
    lxw_worksheet *ws = rp_sheet(F, "Definitions");
    if (!ws)
        return;
    rp_str(F, ws, 0, 0, "Indicator definitions", F->title);
    const char *heads[] = {"Id", "Indicator", "Theme", "Unit", "Polarity",
                           "Numerator", "Denominator", "Definition"};
    const double widths[] = {7, 40, 16, 18, 22, 30, 30, 80};
    for (lxw_col_t k = 0; k < 8; k++) {
        rp_str(F, ws, 2, k, heads[k], F->head);
        rp_chk(F, worksheet_set_column(ws, k, k, widths[k], NULL));
    }
    for (size_t i = 0; i < b->s->n_ind; i++) {
        const rp_indicator *ind = &b->s->ind[i];
        lxw_row_t r = (lxw_row_t)(3 + i);
        rp_str(F, ws, r, 0, ind->id, F->text);
        rp_str(F, ws, r, 1, ind->title, F->wrap);
        rp_str(F, ws, r, 2, theme_title(ind->theme), F->text);
        rp_str(F, ws, r, 3, rp_unit_text(ind), F->text);
        rp_str(F, ws, r, 4, ind->polarity > 0   ? "higher is better"
                            : ind->polarity < 0 ? "lower is better"
                                                : "context (neither)",
               F->text);
        rp_str(F, ws, r, 5, ind->numerator_expr, F->wrap);
        rp_str(F, ws, r, 6, ind->denominator_expr, F->wrap);
        rp_str(F, ws, r, 7, ind->definition, F->wrap);
    }
    worksheet_freeze_panes(ws, 3, 2);
}

int rp_write_la_workbook(sqlite3 *db, const rp_snapshot *s, size_t a,
                         const rp_extra *x, const char *path, liia_error *e)
{
    char title[160];
    snprintf(title, sizeof title, "%s benchmark pack, %s", s->auth[a].name,
             s->label);
    lxw_workbook *wb = rp_wb_open(path, title, s->created, e);
    if (!wb)
        return -1;
    la_book b = {.s = s, .a = a, .x = x, .g = rp_group_of(s, a)};
    rp_fmts_init(&b.F, wb);
    lxw_worksheet *head = rp_sheet(&b.F, "Headlines");
    lxw_worksheet *summary = rp_sheet(&b.F, "Summary");
    /* the chart data sheets exist before the theme sheets' charts refer
     * to them; libxlsxwriter orders sheets by creation, so the themes
     * are created first and the data written into sheets made after */
    b.funnel = NULL;
    lxw_worksheet *themes[RP_N_THEMES];
    for (int t = 0; t < RP_N_THEMES; t++)
        themes[t] = rp_sheet(&b.F, rp_theme_titles[t]);
    b.trend = rp_sheet(&b.F, "Trend");
    b.ranks = rp_sheet(&b.F, "Rankings");
    b.funnel = rp_sheet(&b.F, "Funnel");
    lxw_worksheet *lr = b.x->n_years ? rp_sheet(&b.F, "Long run") : NULL;
    lxw_worksheet *dq = rp_sheet(&b.F, "Data quality");
    int ok = head && summary && b.trend && b.ranks && b.funnel && dq &&
             (lr || !b.x->n_years);
    for (int t = 0; t < RP_N_THEMES; t++)
        ok = ok && themes[t];
    if (!ok)
        rp_chk(&b.F, LXW_ERROR_MEMORY_MALLOC_FAILED);
    else {
        write_headlines(&b, head);
        write_summary(&b, summary);
        sheet_title(&b, b.funnel, "Funnel plot data");
        for (int t = 0; t < RP_N_THEMES; t++)
            write_theme(&b, themes[t], t);
        if (lr)
            write_long_run(&b, lr);
        write_trend(&b);
        write_rankings(&b);
        if (rp_write_data_quality(db, s, a, &b.F, dq, e) ||
            rp_write_reconciliation(db, s, a, &b.F, e)) {
            /* Close only to free the workbook; the query's error in e is
             * the one to report. */
            liia_error close_err;
            liia_error_clear(&close_err);
            rp_wb_finish(&b.F, path, &close_err);
            return -1;
        }
    }
    write_definitions(&b);
    return rp_wb_finish(&b.F, path, e);
}
