/*
 * rp_xlsx_la.c - the authority workbook: Summary, one sheet per theme with
 * native Excel charts, Trend, Rankings (the charts' data), Data quality,
 * Reconciliation (with SSDA903 data only) and Definitions.
 *
 * libxlsxwriter 1.1 cannot combine a column chart with a line chart, so
 * London and the quadrant appear in the ranked chart as bars of their own
 * colour at their place in the ranking (as LAIT does), not as lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int g; /* quadrant index or -1 */
    lxw_worksheet *trend, *ranks;
} la_book;

/* ------------------------------------------------------------ Summary */

static const struct {
    const char *head;
    double width;
} SUMMARY_COLS[] = {
    {"Theme", 16},       {"Id", 7},           {"Indicator", 44},
    {"Unit", 11},        {"Value", 10},       {"London", 10},
    {"Quadrant", 10},    {"Statistical neighbours (median)", 14},
    {"Neighbour coverage", 11}, {"Rank", 17}, {"Quartile", 11},
    {"Change on last quarter", 11}, {"Direction (quarter)", 15},
    {"Change on a year ago", 11}, {"Direction (year)", 15},
    {"Funnel plot", 16}, {"Note", 40}, {"Source (one return per value)", 18},
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
    rp_str(F, ws, r, 0, theme_title(ind->theme), F->text);
    rp_str(F, ws, r, 1, ind->id, F->text);
    rp_str(F, ws, r, 2, ind->title, F->text);
    rp_str(F, ws, r, 3, rp_unit_text(ind), F->text);
    rp_put_value(ws, r, 4, F, ind, c->has_value, c->value, 0);
    rp_put_value(ws, r, 5, F, ind, L->has_value, L->value,
                 rp_suppressed(L->suppressed, 0));
    if (b->g >= 0) {
        const rp_cell *G = &s->group[(size_t)b->g * s->n_ind + i];
        rp_put_value(ws, r, 6, F, ind, G->has_value, G->value,
                     rp_suppressed(G->suppressed, 0));
    }
    rp_put_value(ws, r, 7, F, ind, c->has_sn, c->sn, 0);
    rp_str(F, ws, r, 8, c->sn_coverage, F->text);
    char rank[48];
    rp_rank_text(s, c, rank, sizeof rank);
    rp_str(F, ws, r, 9, rank, F->text);
    rp_str(F, ws, r, 10, rp_quartile_text(c->quartile, ind->polarity),
           rp_fmt_quartile(F, c->quartile, ind->polarity));
    rp_put_value(ws, r, 11, F, ind, c->has_change_prev, c->change_prev, 0);
    rp_str(F, ws, r, 12, rp_direction_text(c->dir_prev),
           rp_fmt_direction(F, c->dir_prev));
    rp_put_value(ws, r, 13, F, ind, c->has_change_yoy, c->change_yoy, 0);
    rp_str(F, ws, r, 14, rp_direction_text(c->dir_yoy),
           rp_fmt_direction(F, c->dir_yoy));
    rp_str(F, ws, r, 15, rp_funnel_text(c->funnel), F->text);
    rp_str(F, ws, r, 16, c->null_reason[0] ? c->null_reason
                         : c->small_base ? "small base: not ranked, read the "
                                           "funnel plot"
                         : c->suppressed ? "shown to other authorities as c "
                                           "(1 to 5 children)"
                                         : "", F->text);
    if (c->has_value)
        rp_str(F, ws, r, 17, rp_source_name(c->source), F->text);
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
        if (cov[0] && k >= 5 && k <= 7)
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
    chart_series_set_categories(se, "Rankings", r0, 2, r1, 2);
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
    snprintf(t, sizeof t, "%s: %s (blue), London (black), quadrant (red)",
             b->s->ind[i].id, b->s->auth[b->a].short_code);
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
    char t[200];
    snprintf(t, sizeof t, "%s: last 8 quarters", b->s->ind[i].id);
    chart_title_set_name(ch, t);
    lxw_chart_font small = {.size = 9};
    chart_title_set_name_font(ch, &small);
    chart_axis_set_name(ch->y_axis, rp_unit_text(&b->s->ind[i]));
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    return ch;
}

/* ------------------------------------------------------------ themes */

static void key_facts(la_book *b, lxw_worksheet *ws, lxw_row_t r, size_t i)
{
    rp_row row;
    rp_summary_row(b->s, b->a, i, &row);
    char line[600];
    snprintf(line, sizeof line, "%s: %s    London %s    quadrant %s    "
             "neighbours %s    %s    %s    %s    funnel: %s",
             b->s->auth[b->a].short_code, row.value[0] ? row.value : "n/a",
             row.london, row.quadrant, row.sn, row.rank, row.quartile,
             row.change, row.funnel);
    rp_str(&b->F, ws, r, 0, line, b->F.text);
}

static void write_theme(la_book *b, int t)
{
    lxw_worksheet *ws = rp_sheet(&b->F, rp_theme_titles[t]);
    if (!ws)
        return;
    sheet_title(b, ws, rp_theme_titles[t]);
    rp_str(&b->F, ws, 1, 0,
           "Left: all London authorities ranked, this authority in blue, "
           "London in black, the quadrant in red; right: the last 8 "
           "quarters. Figures: Summary sheet; chart data: Rankings and "
           "Trend sheets.", b->F.subtitle);
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
                         const char *path, liia_error *e)
{
    char title[160];
    snprintf(title, sizeof title, "%s benchmark pack, %s", s->auth[a].name,
             s->label);
    lxw_workbook *wb = rp_wb_open(path, title, s->created, e);
    if (!wb)
        return -1;
    la_book b = {.s = s, .a = a, .g = rp_group_of(s, a)};
    rp_fmts_init(&b.F, wb);
    lxw_worksheet *summary = rp_sheet(&b.F, "Summary");
    for (int t = 0; t < RP_N_THEMES; t++)
        write_theme(&b, t);
    b.trend = rp_sheet(&b.F, "Trend");
    b.ranks = rp_sheet(&b.F, "Rankings");
    lxw_worksheet *dq = rp_sheet(&b.F, "Data quality");
    if (!summary || !b.trend || !b.ranks || !dq)
        rp_chk(&b.F, LXW_ERROR_MEMORY_MALLOC_FAILED);
    else {
        write_summary(&b, summary);
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
