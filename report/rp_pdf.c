/*
 * rp_pdf.c - the authority's PDF pack on a cairo PDF surface, A4 portrait:
 * cover, one-page summary table, then each theme: per indicator its ranked
 * bar chart beside its trend, then the theme's short table (charts first,
 * tables second).
 */
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>

#include "rp_internal.h"

#define A4_W 595.276
#define A4_H 841.89
#define MARGIN 36.0

#define RANK_H 152.0
#define PAIR_H 152.0
#define TABLE_PT RP_MIN_PT

typedef struct pdf {
    cairo_t *cr;
    const rp_snapshot *s;
    size_t a;
    const rp_extra *x;
    int page;
    int key; /* this page has ranked bars: the code key goes at its foot */
    int published; /* a long-run page: its source is DfE, not the returns */
    int oom;       /* text was lost: the PDF must not be written */
} pdf;

static double key_height(const pdf *p)
{
    return rp_code_key_height(A4_W - 2 * MARGIN, p->s);
}

/* The lowest y content may reach on this page. */
static double bottom(const pdf *p)
{
    return A4_H - MARGIN - 12 - (p->key ? key_height(p) + 6 : 0);
}

static void footer(pdf *p)
{
    char line[160];
    if (p->key) {
        rp_rect k = {MARGIN, A4_H - MARGIN - 12 - key_height(p),
                     A4_W - 2 * MARGIN, key_height(p)};
        rp_code_key(p->cr, k, p->s);
    }
    if (p->page > 1) {
        if (p->published)
            snprintf(line, sizeof line, "Source: DfE and ONS published "
                     "statistics (Explore Education Statistics, Open "
                     "Government Licence v3.0)");
        else
            snprintf(line, sizeof line, "Source: %s, %s",
                     rp_source_text(p->s), p->s->short_label);
        rp_set_rgb(p->cr, 0x555555);
        rp_text(p->cr, line, MARGIN, A4_H - MARGIN - 4, 0, 7, 0, 0);
    }
    snprintf(line, sizeof line, "%s benchmark pack, %s    page %d",
             p->s->auth[p->a].name, p->s->short_label, p->page);
    rp_set_rgb(p->cr, 0x555555);
    rp_text(p->cr, line, A4_W / 2, A4_H - MARGIN + 8, 0, 7.5, 0, 1);
}

static void new_page(pdf *p, int key)
{
    if (p->page) {
        footer(p);
        cairo_show_page(p->cr);
    }
    p->page++;
    p->key = key;
}

static void cover(pdf *p, const char *produced)
{
    cairo_t *cr = p->cr;
    rp_set_rgb(cr, RP_BLUE);
    cairo_rectangle(cr, 0, 0, A4_W, 220);
    cairo_fill(cr);
    rp_set_rgb(cr, 0xFFFFFF);
    rp_text(cr, "London Innovation and Improvement Alliance", MARGIN, 60, 0,
            14, 0, 0);
    rp_text(cr, "Children's services benchmark pack", MARGIN, 90, 0, 24, 1,
            0);
    rp_set_rgb(cr, RP_DARK);
    rp_text(cr, p->s->auth[p->a].name, MARGIN, 280, 0, 30, 1, 0);
    rp_text(cr, p->s->label, MARGIN, 330, 0, 18, 0, 0);
    char line[200];
    snprintf(line, sizeof line, "Produced %s from the %s for the quarter "
             "ending %s.", produced, rp_source_text(p->s), p->s->period);
    double w = A4_W - 2 * MARGIN;
    rp_set_rgb(cr, 0x444444);
    double y = 380 + rp_text(cr, line, MARGIN, 380, w, 11, 0, 0) + 6;
    char cov[48];
    if (rp_coverage(p->s, cov, sizeof cov)[0]) {
        char warn[300];
        snprintf(warn, sizeof warn, "Coverage: only %d of %d authorities sent "
                 "a return for this quarter. London, quadrant and neighbour "
                 "comparators, ranks and quartiles are over those returns "
                 "only.", p->s->returns, p->s->authorities);
        rp_set_rgb(cr, RP_VERMILION);
        y += rp_text(cr, warn, MARGIN, y, w, 11, 1, 0) + 6;
        rp_set_rgb(cr, 0x444444);
    }
    rp_text(cr,
            "How to read this pack: the headlines come first, then every "
            "indicator against London (the authorities whose figure is "
            "published, pooled: the Data quality page says how many), England "
            "(DfE's published figure for the year to 31 March), the "
            "quadrant and the statistical neighbours (DfE's model). Each "
            "indicator says which way is better (\"higher is better\", "
            "\"lower is better\", or \"context\": neither). Rank 1 is best "
            "(or highest, for context indicators). Changes are given on the "
            "last quarter and on a year ago, with an arrow and a word "
            "(improving, worsening, stable; higher or lower for context "
            "indicators); changes in percentages are in percentage points "
            "(pp). Flow indicators cover the 12 months to the quarter end. "
            "A funnel flag says whether the difference from London is "
            "larger than chance would explain for an authority of this size "
            "(\"Against London\": as expected, high or low at 95%, very high "
            "or very low at 99.8%; exact binomial or Poisson limits, widened "
            "for the ordinary spread between authorities where the data "
            "show more than chance: Spiegelhalter 2005). A figure on a small "
            "base (under 10 in the denominator, or under 5 events for a "
            "rate) is marked \"small base\" instead of a rank. Trend axes "
            "start at zero unless the values are far from it; an axis that "
            "does not is marked with a break and says where it starts. Other "
            "authorities' figures based on 1 to 5 children are shown as c. "
            "A blank or thin comparator is marked \u2020 and explained under "
            "its theme's table.",
            MARGIN, y + 8, w, 10, 0, 0);
}

/* ------------------------------------------------------------ headlines */

typedef struct hl_ctx {
    pdf *p;
    double y;
} hl_ctx;

static void hl_line(void *ctx, int kind, const char *text)
{
    hl_ctx *h = ctx;
    double w = A4_W - 2 * MARGIN;
    if (kind == RP_HL_HEAD) {
        rp_set_rgb(h->p->cr, RP_BLUE);
        h->y += 8 + rp_text(h->p->cr, text, MARGIN, h->y + 8, w, 11.5, 1, 0);
        h->y += 3;
        return;
    }
    rp_set_rgb(h->p->cr, RP_DARK);
    rp_text(h->p->cr, "\u2022", MARGIN + 4, h->y, 0, 9.5, 0, 0);
    h->y += rp_text(h->p->cr, text, MARGIN + 16, h->y, w - 16, 9.5, 0, 0) + 4;
}

static double heading(pdf *p, const char *text, double y)
{
    rp_set_rgb(p->cr, RP_DARK);
    return y + rp_text(p->cr, text, MARGIN, y, A4_W - 2 * MARGIN, 15, 1, 0) +
           6;
}

static void headlines(pdf *p)
{
    char t[160];
    snprintf(t, sizeof t, "Headlines: %s, %s", p->s->auth[p->a].name,
             p->s->short_label);
    hl_ctx h = {p, heading(p, t, MARGIN)};
    rp_set_rgb(p->cr, 0x444444);
    h.y += rp_text(p->cr, "Generated from the figures in this pack; each "
                          "line names the table it comes from.",
                   MARGIN, h.y, A4_W - 2 * MARGIN, 9, 0, 0);
    rp_headlines(p->s, p->a, p->x, hl_line, &h);
}

/* ------------------------------------------------------------ tables */

static const double COLS[] = {96, 30, 34, 34, 36, 38, 46, 38, 34, 50, 50,
                              37, 0};
static const char *const HEADS[] = {"Indicator", "Better when", "Value",
                                    "London",
                                    "England (DfE)", "Quadrant", "Neighbours",
                                    "Rank", "Quartile", "On last quarter",
                                    "On a year ago", "Against London"};
enum { N_COLS = sizeof HEADS / sizeof HEADS[0], QUARTILE_COL = 8 };

/* The funnel flag in a few words: the column is narrow. */
static const char *funnel_short(const char *funnel)
{
    if (!strcmp(funnel, "within"))
        return "as expected";
    if (!strcmp(funnel, "high_95"))
        return "high";
    if (!strcmp(funnel, "low_95"))
        return "low";
    if (!strcmp(funnel, "high_998"))
        return "very high";
    if (!strcmp(funnel, "low_998"))
        return "very low";
    return funnel;
}

static double row_height(pdf *p, const char *const *cells, int bold)
{
    double h = 0;
    for (int k = 0; COLS[k] > 0; k++) {
        double t = rp_text_height(p->cr, cells[k], COLS[k] - 6, TABLE_PT,
                                  bold);
        if (t > h)
            h = t;
    }
    return h + 4;
}

static double table_head(pdf *p, double y)
{
    double x = MARGIN;
    char london[48], cov[32];
    const char *heads[N_COLS];
    memcpy(heads, HEADS, sizeof heads);
    if (rp_coverage(p->s, cov, sizeof cov)[0]) {
        snprintf(london, sizeof london, "London (%s)", cov);
        heads[3] = london;
    }
    double h = row_height(p, heads, 1);
    rp_set_rgb(p->cr, 0xE8E8E8);
    cairo_rectangle(p->cr, MARGIN, y, A4_W - 2 * MARGIN, h);
    cairo_fill(p->cr);
    rp_set_rgb(p->cr, RP_DARK);
    for (int k = 0; COLS[k] > 0; x += COLS[k], k++)
        rp_text(p->cr, heads[k], x + 3, y + 2, COLS[k] - 6, TABLE_PT, 1,
                k ? 2 : 0);
    return y + h;
}

/* One line of a summary table, its height following its longest cell;
 * the quartile cell is filled with its colour and says it in words.
 * Returns the y below it, or -1 when it does not fit above limit. */
static double table_row(pdf *p, size_t i, double y, double limit)
{
    rp_row row;
    rp_summary_row(p->s, p->a, i, &row);
    const rp_indicator *ind = &p->s->ind[i];
    char title[160], sn[80];
    snprintf(title, sizeof title, "%s%s", ind->title, row.noted ? " \u2020" : "");
    liia_strlcpy(sn, row.sn, sizeof sn);
    /* the direction over its change, in a narrow column */
    for (char *c = strstr(row.change, ", "); c; c = NULL)
        c[0] = '\n', memmove(c + 1, c + 2, strlen(c + 2) + 1);
    for (char *c = strstr(row.change_yoy, ", "); c; c = NULL)
        c[0] = '\n', memmove(c + 1, c + 2, strlen(c + 2) + 1);
    const char *better = ind->polarity > 0   ? "higher"
                         : ind->polarity < 0 ? "lower"
                                             : "context";
    const char *cells[] = {title, better, row.value, row.london,
                           row.england, row.quadrant, sn, row.rank,
                           row.quartile, row.change, row.change_yoy,
                           funnel_short(rp_la(p->s, p->a, i)->funnel)};
    double h = row_height(p, cells, 0);
    if (y + h > limit)
        return -1;
    double x = MARGIN;
    int q = rp_la(p->s, p->a, i)->quartile;
    for (int k = 0; COLS[k] > 0; x += COLS[k], k++) {
        if (k == QUARTILE_COL && q) {
            rp_set_rgb(p->cr, rp_quartile_fill(q, ind->polarity));
            cairo_rectangle(p->cr, x + 1, y + 0.5, COLS[k] - 2, h - 1);
            cairo_fill(p->cr);
            rp_set_rgb(p->cr, rp_quartile_ink(q, ind->polarity));
        } else
            rp_set_rgb(p->cr, k == 2 ? RP_BLUE : RP_DARK);
        rp_text(p->cr, cells[k], x + 3, y + 2, COLS[k] - 6, TABLE_PT, k == 2,
                k ? 2 : 0);
    }
    rp_set_rgb(p->cr, 0xDDDDDD);
    cairo_set_line_width(p->cr, 0.3);
    cairo_move_to(p->cr, MARGIN, y + h);
    cairo_line_to(p->cr, A4_W - MARGIN, y + h);
    cairo_stroke(p->cr);
    return y + h;
}

/* A new "(continued)" page. */
static double continued(pdf *p, const char *what, int key)
{
    new_page(p, key);
    char cont[96];
    snprintf(cont, sizeof cont, "%s (continued)", what);
    return heading(p, cont, MARGIN);
}

/* The rows of the indicators of one theme (or all, t < 0), with a head,
 * over as many pages as they need. */
static double rows(pdf *p, int t, double y, const char *what)
{
    y = table_head(p, y);
    for (int k = 0; k < RP_N_THEMES; k++) {
        if (t >= 0 && k != t)
            continue;
        if (t < 0) {
            if (y + 14 > bottom(p))
                y = table_head(p, continued(p, what, p->key));
            rp_set_rgb(p->cr, RP_BLUE);
            y += rp_text(p->cr, rp_theme_titles[k], MARGIN, y + 3, 0, 8, 1,
                         0) + 5;
        }
        for (size_t i = 0; i < p->s->n_ind; i++) {
            if (strcmp(p->s->ind[i].theme, rp_theme_ids[k]))
                continue;
            double ny = table_row(p, i, y, bottom(p));
            if (ny < 0) {
                y = table_head(p, continued(p, what, p->key));
                ny = table_row(p, i, y, bottom(p));
            }
            y = ny < 0 ? y : ny;
        }
    }
    return y;
}

static void summary(pdf *p)
{
    double y = heading(p, "Summary: every indicator", MARGIN);
    y = rows(p, -1, y, "Summary");
    rp_set_rgb(p->cr, 0x444444);
    rp_text(p->cr, "\u2020 a blank or thin comparator, or a note sent with "
                   "the return: explained under the theme's table. England: "
                   "DfE's published figure for the year shown.",
            MARGIN, y + 4, A4_W - 2 * MARGIN, TABLE_PT, 0, 0);
}

/* Under a theme's table: every blank or thin comparator explained, the
 * neighbour median's sources and year, and the return's notes. */
static double notes(pdf *p, int t, double y, const char *what)
{
    double w = A4_W - 2 * MARGIN;
    rp_set_rgb(p->cr, RP_DARK);
    if (y + 20 > bottom(p))
        y = continued(p, what, 1);
    y += rp_text(p->cr, "Notes on the comparators", MARGIN, y + 6, 0, 8, 1,
                 0) + 8;
    for (size_t i = 0; i < p->s->n_ind; i++) {
        if (strcmp(p->s->ind[i].theme, rp_theme_ids[t]))
            continue;
        liia_buf b;
        liia_buf_init(&b);
        if (liia_buf_appendf(&b, "%s: ", p->s->ind[i].title) ||
            rp_comparator_notes(p->s, p->a, i, p->x, &b) < 0)
            p->oom = 1;
        if (b.len > 2 && b.data[b.len - 2] == ';')
            b.data[b.len - 2] = '.';
        double h = rp_text_height(p->cr, b.data, w, TABLE_PT, 0);
        if (y + h > bottom(p))
            y = continued(p, what, 1);
        rp_set_rgb(p->cr, RP_DARK);
        y += rp_text(p->cr, b.data, MARGIN, y, w, TABLE_PT, 0, 0) + 3;
        liia_buf_free(&b);
    }
    return y;
}

/* A theme: charts first (each indicator's ranked bars across the page,
 * its trend and funnel plot below), then its table and the notes. */
static void theme(pdf *p, int t)
{
    const rp_snapshot *s = p->s;
    const char *what = rp_theme_titles[t];
    new_page(p, 1);
    double y = heading(p, what, MARGIN), w = A4_W - 2 * MARGIN;
    for (size_t i = 0; i < s->n_ind; i++) {
        if (strcmp(s->ind[i].theme, rp_theme_ids[t]))
            continue;
        if (y + RANK_H + PAIR_H > bottom(p))
            y = continued(p, what, 1);
        rp_rect ranked = {MARGIN, y, w, RANK_H - 6};
        rp_rect left = {MARGIN, y + RANK_H, w * 0.5 - 4, PAIR_H - 8};
        rp_rect right = {MARGIN + w * 0.5 + 4, y + RANK_H, w * 0.5 - 4,
                         PAIR_H - 8};
        rp_chart_ranked(p->cr, ranked, s, i, (int)p->a, 0);
        rp_chart_trend(p->cr, left, s, i, (int)p->a, 0);
        rp_chart_funnel(p->cr, right, s, i, (int)p->a, 0);
        y += RANK_H + PAIR_H;
    }
    if (y + 60 > bottom(p))
        y = continued(p, what, 1);
    y = rows(p, t, y + 6, what);
    notes(p, t, y + 4, what);
}

/* ------------------------------------------------------------ long run */

static void neighbour_names(pdf *p, double *y)
{
    const rp_neighbours *n = &p->s->nb[p->a];
    liia_buf b;
    liia_buf_init(&b);
    int rc = n->model_year
                 ? liia_buf_appendf(&b, "Statistical neighbours (DfE's %d "
                                        "model), closest first: ",
                                    n->model_year)
                 : liia_buf_appendf(&b, "Statistical neighbours, closest "
                                        "first: ");
    for (int k = 0; !rc && k < n->n; k++)
        rc = liia_buf_appendf(&b, "%s%s", k ? ", " : "", n->name[k]);
    if (!rc && !n->n)
        rc = liia_buf_appendf(&b, "none recorded");
    if (!rc && liia_buf_appendf(&b, ".") == 0) {
        rp_set_rgb(p->cr, RP_DARK);
        *y += rp_text(p->cr, b.data, MARGIN, *y, A4_W - 2 * MARGIN, 8, 0, 0) +
              6;
    }
    liia_buf_free(&b);
}

/* Two charts a row, three rows a page: at A4 each is 256 x 225 pt, so
 * its smallest text (the axis labels) stays at 7 pt or more and a decade
 * of years is labelled without overlap. */
enum { LR_COLS = 2 };
#define LR_CHART_H 225.0

static void long_run(pdf *p)
{
    const rp_extra *x = p->x;
    if (!x || !x->n_years)
        return;
    const char *what = "Long run: DfE's published figures";
    new_page(p, 0);
    p->published = 1;
    double y = heading(p, what, MARGIN);
    char models[200], t[700];
    rp_lr_models(x, models, sizeof models);
    snprintf(t, sizeof t, "Years to 31 March, as DfE published them (Explore "
             "Education Statistics); a gap where DfE published no figure or "
             "withheld it. The neighbours' median is over the neighbours DfE "
             "published a figure for, drawn from 3, with the neighbours of "
             "the model in force each year (%s); a joint figure DfE "
             "publishes for two authorities is neither's own and is left "
             "out of every median.", models);
    rp_set_rgb(p->cr, 0x444444);
    y += rp_text(p->cr, t, MARGIN, y, A4_W - 2 * MARGIN, 8, 0, 0) + 6;
    neighbour_names(p, &y);
    double gap = 10, w = (A4_W - 2 * MARGIN - gap) / LR_COLS;
    int col = 0;
    for (size_t k = 0; k < x->n_lr; k++) {
        if (!x->lr[k].any)
            continue;
        if (col == 0 && y + LR_CHART_H > bottom(p))
            y = continued(p, what, 0);
        rp_rect r = {MARGIN + (w + gap) * col, y, w, LR_CHART_H};
        rp_chart_longrun(p->cr, r, p->s, p->a, x, &x->lr[k]);
        if (++col == LR_COLS) {
            col = 0;
            y += LR_CHART_H + gap;
        }
    }
}

static void metadata(cairo_surface_t *sf, const pdf *p, const char *produced)
{
    char title[160], date[32];
    snprintf(title, sizeof title, "%s benchmark pack, %s",
             p->s->auth[p->a].name, p->s->label);
    /* A fixed date: cairo would otherwise stamp the time of the run. */
    snprintf(date, sizeof date, "%.10sT12:00:00Z", produced);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR,
                                   "liia-bench");
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_MOD_DATE, date);
}

int rp_write_la_pdf(const rp_snapshot *s, size_t a, const rp_extra *x,
                    const char *produced, liia_outfile *out, liia_error *e)
{
    const char *path = out->path;
    cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(
        rp_cairo_write, out, A4_W, A4_H);
    pdf p = {cairo_create(sf), s, a, x, 0, 0, 0, 0};
    metadata(sf, &p, produced);
    new_page(&p, 0);
    cover(&p, produced);
    new_page(&p, 0);
    headlines(&p);
    new_page(&p, 0);
    summary(&p);
    for (int t = 0; t < RP_N_THEMES; t++)
        theme(&p, t);
    long_run(&p);
    footer(&p);
    cairo_show_page(p.cr);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (st == CAIRO_STATUS_SUCCESS && p.oom)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory writing %s", path);
    if (st == CAIRO_STATUS_SUCCESS)
        return 0;
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "check the output directory is writable and has space");
    return liia_fail(e, LIIA_E_IO, "cannot write PDF: %s",
                     cairo_status_to_string(st));
}
