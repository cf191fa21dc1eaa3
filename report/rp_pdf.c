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
#define CHART_ROW 180.0

typedef struct pdf {
    cairo_t *cr;
    const rp_snapshot *s;
    size_t a;
    int page;
} pdf;

static void footer(pdf *p)
{
    char line[160];
    if (p->page > 1) {
        snprintf(line, sizeof line, "Source: %s, %s", rp_source_text(p->s),
                 p->s->short_label);
        rp_set_rgb(p->cr, 0x555555);
        rp_text(p->cr, line, MARGIN, A4_H - MARGIN - 4, 0, 7, 0, 0);
    }
    snprintf(line, sizeof line, "%s benchmark pack, %s    page %d",
             p->s->auth[p->a].name, p->s->short_label, p->page);
    rp_set_rgb(p->cr, 0x555555);
    rp_text(p->cr, line, A4_W / 2, A4_H - MARGIN + 8, 0, 7.5, 0, 1);
}

static void new_page(pdf *p)
{
    if (p->page) {
        footer(p);
        cairo_show_page(p->cr);
    }
    p->page++;
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
    rp_set_rgb(cr, 0x444444);
    rp_text(cr, line, MARGIN, 380, 0, 11, 0, 0);
    char cov[48];
    if (rp_coverage(p->s, cov, sizeof cov)[0]) {
        char warn[300];
        snprintf(warn, sizeof warn, "Coverage: only %d of %d authorities sent "
                 "a return for this quarter. London, quadrant and neighbour "
                 "comparators, ranks and quartiles are over those returns "
                 "only.", p->s->returns, p->s->authorities);
        rp_set_rgb(cr, RP_VERMILION);
        rp_text(cr, warn, MARGIN, 398, A4_W - 2 * MARGIN, 11, 1, 0);
    }
    rp_text(cr,
            "How to read this pack: each indicator compares the authority "
            "with London, its quadrant and its statistical neighbours. Rank "
            "1 is best (or highest, for context indicators that are neither "
            "better nor worse). Flow indicators cover the 12 months to the "
            "quarter end. A funnel flag says whether the difference from "
            "London is larger than chance would explain for an authority of "
            "this size (\"Against London\": as expected, high or low at 95%, "
            "very high or very low at 99.8%; exact binomial or Poisson "
            "limits, widened for the ordinary spread between authorities "
            "where the data show more than chance: Spiegelhalter 2005, "
            "additive random effects). A figure on a small base (under 10 "
            "in the denominator, or under 5 events for a rate) is marked "
            "\"small base\" instead of a rank: read its funnel flag. Other "
            "authorities' figures based on 1 to 5 children are shown as c.",
            MARGIN, 420, A4_W - 2 * MARGIN, 10.5, 0, 0);
}

static const double COLS[] = {133, 40, 40, 42, 62, 44, 46, 58, 58, 0};
static const char *const HEADS[] = {"Indicator", "Value", "London",
                                    "Quadrant", "Neighbours", "Rank",
                                    "Quartile", "On last quarter",
                                    "Against London"};

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

static void table_head(pdf *p, double y, double h)
{
    double x = MARGIN;
    char london[48], cov[32];
    const char *heads[sizeof HEADS / sizeof HEADS[0]];
    memcpy(heads, HEADS, sizeof heads);
    if (rp_coverage(p->s, cov, sizeof cov)[0]) {
        snprintf(london, sizeof london, "London (%s)", cov);
        heads[2] = london;
    }
    rp_set_rgb(p->cr, 0xE8E8E8);
    cairo_rectangle(p->cr, MARGIN, y, A4_W - 2 * MARGIN, h);
    cairo_fill(p->cr);
    rp_set_rgb(p->cr, RP_DARK);
    for (int k = 0; COLS[k] > 0; x += COLS[k], k++)
        rp_text(p->cr, heads[k], x + 2, y + 2, COLS[k] - 4, 7, 1, k ? 2 : 0);
}

/* One line of the summary table; the quartile cell is filled with its
 * colour and says its quartile in words. */
static void table_row(pdf *p, size_t i, double y, double h)
{
    rp_row row;
    rp_summary_row(p->s, p->a, i, &row);
    const rp_indicator *ind = &p->s->ind[i];
    const char *cells[] = {ind->title, row.value, row.london, row.quadrant,
                           row.sn, row.rank, row.quartile, row.change,
                           funnel_short(rp_la(p->s, p->a, i)->funnel)};
    double x = MARGIN;
    for (int k = 0; COLS[k] > 0; x += COLS[k], k++) {
        int q = rp_la(p->s, p->a, i)->quartile;
        if (k == 6 && q) {
            rp_set_rgb(p->cr, rp_quartile_fill(q, ind->polarity));
            cairo_rectangle(p->cr, x + 1, y + 0.5, COLS[k] - 2, h - 1);
            cairo_fill(p->cr);
            rp_set_rgb(p->cr, rp_quartile_ink(q, ind->polarity));
        } else
            rp_set_rgb(p->cr, k == 1 ? RP_BLUE : RP_DARK);
        rp_text(p->cr, cells[k], x + 2, y + 2, COLS[k] - 4, 6.8, k == 1,
                k ? 2 : 0);
    }
    rp_set_rgb(p->cr, 0xDDDDDD);
    cairo_set_line_width(p->cr, 0.3);
    cairo_move_to(p->cr, MARGIN, y + h);
    cairo_line_to(p->cr, A4_W - MARGIN, y + h);
    cairo_stroke(p->cr);
}

static double heading(pdf *p, const char *text, double y)
{
    rp_set_rgb(p->cr, RP_DARK);
    return y + rp_text(p->cr, text, MARGIN, y, A4_W - 2 * MARGIN, 15, 1, 0) +
           6;
}

static void summary(pdf *p)
{
    double y = heading(p, "Summary: every indicator", MARGIN);
    const double h = 16.5;
    table_head(p, y, h);
    y += h;
    for (int t = 0; t < RP_N_THEMES; t++) {
        rp_set_rgb(p->cr, RP_BLUE);
        rp_text(p->cr, rp_theme_titles[t], MARGIN, y + 3, 0, 8, 1, 0);
        y += h;
        for (size_t i = 0; i < p->s->n_ind; i++)
            if (!strcmp(p->s->ind[i].theme, rp_theme_ids[t])) {
                table_row(p, i, y, h);
                y += h;
            }
    }
}

/* A new "(continued)" page when need points do not fit below y. */
static double room_for(pdf *p, int t, double y, double need)
{
    if (y + need <= A4_H - MARGIN - 12)
        return y;
    new_page(p);
    char cont[64];
    snprintf(cont, sizeof cont, "%s (continued)", rp_theme_titles[t]);
    return heading(p, cont, MARGIN);
}

/* A theme: charts first (each indicator's ranked bars beside its trend),
 * then its short table. */
static void theme(pdf *p, int t)
{
    const rp_snapshot *s = p->s;
    new_page(p);
    double y = heading(p, rp_theme_titles[t], MARGIN), h = 16.5;
    double w = A4_W - 2 * MARGIN;
    int rows = 1;
    for (size_t i = 0; i < s->n_ind; i++) {
        if (strcmp(s->ind[i].theme, rp_theme_ids[t]))
            continue;
        y = room_for(p, t, y, CHART_ROW);
        rp_rect left = {MARGIN, y, w * 0.58, CHART_ROW - 8};
        rp_rect right = {MARGIN + w * 0.6, y, w * 0.4, CHART_ROW - 8};
        rp_chart_ranked(p->cr, left, s, i, (int)p->a, 0);
        rp_chart_trend(p->cr, right, s, i, (int)p->a, 0);
        y += CHART_ROW;
        rows++;
    }
    y = room_for(p, t, y + 6, h * rows);
    table_head(p, y, h);
    y += h;
    for (size_t i = 0; i < s->n_ind; i++)
        if (!strcmp(s->ind[i].theme, rp_theme_ids[t])) {
            table_row(p, i, y, h);
            y += h;
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

int rp_write_la_pdf(const rp_snapshot *s, size_t a, const char *produced,
                    liia_outfile *out, liia_error *e)
{
    const char *path = out->path;
    cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(
        rp_cairo_write, out, A4_W, A4_H);
    pdf p = {cairo_create(sf), s, a, 0};
    metadata(sf, &p, produced);
    new_page(&p);
    cover(&p, produced);
    new_page(&p);
    summary(&p);
    for (int t = 0; t < RP_N_THEMES; t++)
        theme(&p, t);
    footer(&p);
    cairo_show_page(p.cr);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        return 0;
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "check the output directory is writable and has space");
    return liia_fail(e, LIIA_E_IO, "cannot write PDF: %s",
                     cairo_status_to_string(st));
}
