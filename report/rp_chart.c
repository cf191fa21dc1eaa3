/*
 * rp_chart.c - the four cairo charts.  Each draws into a rectangle in
 * points, so one function makes the PNG, the SVG and the PDF figure; font
 * sizes follow the rectangle so a chart stays legible at any size.  Text is
 * laid out with pangocairo in DejaVu Sans (fonts-dejavu-core).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pango/pangocairo.h>

#include "rp_internal.h"

void rp_set_rgb(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0,
                         ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
}

static PangoLayout *layout(cairo_t *cr, const char *text, double size,
                           int bold)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(
        bold ? "DejaVu Sans Bold" : "DejaVu Sans");
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, text, -1);
    return l;
}

double rp_text_height(cairo_t *cr, const char *text, double w, double size,
                      int bold)
{
    PangoLayout *l = layout(cr, text, size, bold);
    if (w > 0) {
        pango_layout_set_width(l, (int)(w * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD);
    }
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    g_object_unref(l);
    return (double)ph / PANGO_SCALE;
}

double rp_text_width(cairo_t *cr, const char *text, double size, int bold)
{
    PangoLayout *l = layout(cr, text, size, bold);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    g_object_unref(l);
    return (double)pw / PANGO_SCALE;
}

double rp_text(cairo_t *cr, const char *text, double x, double y, double w,
               double size, int bold, int align)
{
    PangoLayout *l = layout(cr, text, size, bold);
    if (w > 0) {
        pango_layout_set_width(l, (int)(w * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD);
        pango_layout_set_alignment(l, align == 1   ? PANGO_ALIGN_CENTER
                                      : align == 2 ? PANGO_ALIGN_RIGHT
                                                   : PANGO_ALIGN_LEFT);
    }
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    double tw = (double)pw / PANGO_SCALE;
    /* Without a width, align is about the point x. */
    double tx = w > 0 ? x : align == 1 ? x - tw / 2 : align == 2 ? x - tw : x;
    cairo_move_to(cr, tx, y);
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);
    return (double)ph / PANGO_SCALE;
}

/* Text rotated 90 degrees anticlockwise, its end at (x, y). */
static void text_up(cairo_t *cr, const char *text, double x, double y,
                    double size)
{
    PangoLayout *l = layout(cr, text, size, 0);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    cairo_save(cr);
    cairo_translate(cr, x - (double)ph / PANGO_SCALE / 2, y);
    cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, 0, 0);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
    g_object_unref(l);
}

/* Room left of a plot for its value axis: the tick labels and, beside
 * them, the rotated unit title (every chart with a value axis moves its
 * plot this far right of its rectangle). */
#define Y_ROOM 4.5

/* The unit title beside a value axis, laid out to read upwards within a
 * plot h high: on one line if it fits, else on two, else on two at
 * RP_MIN_PT, else on one line cut short with an ellipsis (the subtitle
 * says the unit in full). */
static PangoLayout *axis_title_layout(cairo_t *cr, const char *text,
                                      double h, double size)
{
    PangoLayout *l = NULL;
    for (int k = 0; k < 4; k++) {
        if (l)
            g_object_unref(l);
        l = layout(cr, text, k < 2 ? size : RP_MIN_PT, 0);
        pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
        pango_layout_set_width(l, (int)(h * PANGO_SCALE));
        if (k == 1 || k == 2)
            pango_layout_set_wrap(l, PANGO_WRAP_WORD);
        else
            pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        PangoRectangle ink;
        pango_layout_get_pixel_extents(l, &ink, NULL);
        if (k == 3 || (ink.width <= h && !pango_layout_is_ellipsized(l) &&
                       pango_layout_get_line_count(l) <= 2))
            break;
    }
    return l;
}

/* Draws it with its first line's top at x, along the plot's whole height:
 * anchored to the plot, so it cannot climb into the subtitle or the
 * legend above it. */
static void axis_title(cairo_t *cr, PangoLayout *l, rp_rect p, double x)
{
    cairo_save(cr);
    cairo_translate(cr, x, p.y + p.h);
    cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, 0, 0);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
}

typedef rp_axis axis;

/* Bars are lengths: a ranked chart's axis always starts at zero. */
static axis nice_axis(double hi)
{
    axis a = {0, 1, 0.2, 0};
    if (!(hi > 0))
        return a;
    double raw = hi / 5, mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    a.step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    return a;
}

/* The smallest text a chart draws is 0.75 of its base size (the codes
 * under the bars): the base never goes below RP_MIN_PT / 0.75. */
#define FONT_FLOOR (RP_MIN_PT / 0.75)

double rp_font_for(rp_rect r)
{
    double f = r.h / 30;
    return f < FONT_FLOOR ? FONT_FLOOR : f > 11 ? 11 : f;
}

/* Title, subtitle and (optionally) the source line; returns the rectangle
 * left for the plot. */
rp_rect rp_frame(cairo_t *cr, rp_rect r, const char *title,
                 const char *subtitle, const rp_snapshot *s, int with_source,
                 double f)
{
    rp_set_rgb(cr, 0xFFFFFF);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_fill(cr);
    rp_set_rgb(cr, RP_DARK);
    double y = r.y + f * 0.4;
    y += rp_text(cr, title, r.x + f, y, r.w - 2 * f, f * 1.25, 1, 0);
    rp_set_rgb(cr, 0x555555);
    y += rp_text(cr, subtitle, r.x + f, y, r.w - 2 * f, f * 0.95, 0, 0);
    double bottom = r.y + r.h;
    if (with_source) {
        char src[160];
        snprintf(src, sizeof src, "Source: %s, %s", rp_source_text(s),
                 s->short_label);
        bottom -= f * 1.6;
        rp_text(cr, src, r.x + f, bottom, 0, f * 0.85, 0, 0);
    }
    rp_rect p = {r.x, y + f * 0.6, r.w, bottom - y - f * 0.6};
    return p;
}

/* The width of the widest tick label rp_text would draw. */
static double tick_width(cairo_t *cr, axis a, double size)
{
    double w = 0;
    for (double t = a.lo; t <= a.hi + a.step / 2; t += a.step) {
        char lab[32];
        snprintf(lab, sizeof lab, "%g", t);
        double lw = rp_text_width(cr, lab, size, 0);
        w = lw > w ? lw : w;
    }
    return w;
}

/* The value axis: grid, tick labels and the unit title.  The plot gives
 * up width on its left when the title and the labels need more than the
 * Y_ROOM it left them (a title on two lines beside wide labels). */
static void y_grid(cairo_t *cr, rp_rect *pp, axis a, double f,
                   const rp_indicator *ind)
{
    PangoLayout *title = axis_title_layout(cr, rp_unit_text(ind), pp->h,
                                           f * 0.85);
    int tw, th;
    pango_layout_get_size(title, &tw, &th);
    double edge = pp->x - f * Y_ROOM;
    double need = f * 0.2 + (double)th / PANGO_SCALE + f * 0.3 +
                  tick_width(cr, a, f * 0.85) + f * 0.4;
    if (need > f * Y_ROOM) {
        pp->x += need - f * Y_ROOM;
        pp->w -= need - f * Y_ROOM;
    }
    rp_rect p = *pp;
    cairo_set_line_width(cr, 0.4);
    for (double t = a.lo; t <= a.hi + a.step / 2; t += a.step) {
        double y = p.y + p.h - (t - a.lo) / (a.hi - a.lo) * p.h;
        rp_set_rgb(cr, 0xDDDDDD);
        cairo_move_to(cr, p.x, y);
        cairo_line_to(cr, p.x + p.w, y);
        cairo_stroke(cr);
        char lab[32];
        snprintf(lab, sizeof lab, "%g", t);
        rp_set_rgb(cr, 0x444444);
        rp_text(cr, lab, p.x - f * 0.4, y - f * 0.65, 0, f * 0.85, 0, 2);
    }
    if (a.broken) {
        /* a zig-zag across the axis foot: the scale does not start at 0 */
        double y = p.y + p.h, z = f * 0.35;
        rp_set_rgb(cr, 0xFFFFFF);
        cairo_rectangle(cr, p.x - z * 1.5, y - z * 2.2, z * 3, z * 1.6);
        cairo_fill(cr);
        rp_set_rgb(cr, 0x444444);
        cairo_set_line_width(cr, 0.8);
        for (int k = 0; k < 2; k++) {
            double yy = y - z * (1.9 - k * 1.0);
            cairo_move_to(cr, p.x - z * 1.5, yy + z * 0.3);
            cairo_line_to(cr, p.x - z * 0.5, yy - z * 0.3);
            cairo_line_to(cr, p.x + z * 0.5, yy + z * 0.3);
            cairo_line_to(cr, p.x + z * 1.5, yy - z * 0.3);
            cairo_stroke(cr);
        }
    }
    rp_set_rgb(cr, 0x444444);
    axis_title(cr, title, p, edge + f * 0.2);
    g_object_unref(title);
}

static double ypos(rp_rect p, axis a, double v)
{
    return p.y + p.h - (v - a.lo) / (a.hi - a.lo) * p.h;
}

/* A horizontal reference line with its label at the right. */
static void ref_line(cairo_t *cr, rp_rect p, axis a, double v,
                     const char *label, unsigned rgb, double dash,
                     double label_dy, double f)
{
    double y = ypos(p, a, v);
    rp_set_rgb(cr, rgb);
    cairo_set_line_width(cr, f * 0.18);
    double d[] = {dash, dash * 0.6};
    cairo_set_dash(cr, d, 2, 0);
    cairo_move_to(cr, p.x, y);
    cairo_line_to(cr, p.x + p.w, y);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    rp_text(cr, label, p.x + p.w + f * 0.3, y - f * 0.6 + label_dy, 0,
            f * 0.85, 1, 0);
}

enum { SHOWN = 1, SUPPRESSED = 2, MISSING = 3 }; /* also the chart order */

/* The ranked bars are labelled with short codes (a name per bar would
 * leave no room for the bars): every page and file with one carries this
 * key of codes to names. */
double rp_code_key(cairo_t *cr, rp_rect r, const rp_snapshot *s)
{
    const double size = RP_MIN_PT, line = RP_MIN_PT * 1.25;
    int cols = r.w > 400 ? 4 : 3;
    size_t rows = (s->n_auth + (size_t)cols - 1) / (size_t)cols;
    double cw = r.w / cols;
    rp_set_rgb(cr, RP_DARK);
    rp_text(cr, "Key to the codes under the bars:", r.x, r.y, 0, size, 1, 0);
    for (size_t a = 0; a < s->n_auth; a++) {
        char t[96];
        snprintf(t, sizeof t, "%s %s", s->auth[a].short_code,
                 s->auth[a].name);
        double x = r.x + cw * (double)(a / rows);
        double y = r.y + line * (1 + (double)(a % rows));
        rp_text(cr, t, x, y, cw - 2, size, 0, 0);
    }
    return line * (1 + (double)rows) + 2;
}

double rp_code_key_height(double w, const rp_snapshot *s)
{
    size_t cols = w > 400 ? 4 : 3;
    return RP_MIN_PT * 1.25 * (1 + (double)((s->n_auth + cols - 1) / cols)) +
           2;
}

typedef struct ranked {
    size_t a;
    double v;
    int shown, rank; /* rank: 0 (unranked) sorts after the ranked */
} ranked;

static int ranked_cmp(const void *x, const void *y)
{
    const ranked *p = x, *q = y;
    if (p->shown != q->shown)
        return p->shown - q->shown;
    /* suppressed and missing bars in the authorities' fixed order: sorted
     * by their hidden values they gave those values' order away */
    if (p->shown != SHOWN)
        return p->a < q->a ? -1 : 1;
    if (p->v != q->v)
        return p->v > q->v ? -1 : 1;
    if (p->rank != q->rank) /* equal at the published precision */
        return p->rank - q->rank;
    return p->a < q->a ? -1 : 1;
}

/* How authority a's bar is drawn in the pack of own (-1: London-wide). */
static int bar_state(const rp_snapshot *s, size_t a, size_t i, int own)
{
    const rp_cell *c = rp_la(s, a, i);
    return !c->has_value ? MISSING
           : rp_suppressed(c->suppressed, (int)a == own) ? SUPPRESSED
                                                         : SHOWN;
}

void rp_ranked_subtitle(const rp_snapshot *s, size_t i, int own, char *out,
                        size_t outsz)
{
    size_t n[4] = {0, 0, 0, 0};
    for (size_t a = 0; a < s->n_auth; a++)
        n[bar_state(s, a, i, own)]++;
    const rp_indicator *ind = &s->ind[i];
    /* a suppressed figure exists and is withheld: counted apart from the
     * authorities with none, so neither is mistaken for the other (how
     * many is no secret: the c bars show it, never which or in what
     * order of value) */
    char sup[48] = "", miss[48] = "";
    if (n[SUPPRESSED])
        snprintf(sup, sizeof sup, ", %zu suppressed (c)", n[SUPPRESSED]);
    if (n[MISSING])
        snprintf(miss, sizeof miss, ", %zu with no value (-)", n[MISSING]);
    snprintf(out, outsz, "%s, %s; %s; %zu of %zu authorities shown%s%s",
             rp_unit_text(ind), s->short_label,
             ind->polarity ? "best on the left" : "highest on the left",
             n[SHOWN], s->n_auth, sup, miss);
}

/* Authorities in chart order: best first (highest first for context),
 * then suppressed, then missing. */
static void rank_order(const rp_snapshot *s, size_t i, int own, ranked *out,
                       double *vmax)
{
    int flip = s->ind[i].polarity < 0;
    *vmax = 0;
    for (size_t a = 0; a < s->n_auth; a++) {
        const rp_cell *c = rp_la(s, a, i);
        out[a].a = a;
        out[a].v = flip ? -c->value : c->value;
        out[a].rank = c->rank > 0 ? c->rank : 1 << 20;
        out[a].shown = bar_state(s, a, i, own);
        if (out[a].shown == SHOWN && c->value > *vmax)
            *vmax = c->value;
    }
    qsort(out, s->n_auth, sizeof *out, ranked_cmp);
}

static void group_value(const rp_snapshot *s, int g, size_t i, int *has,
                        double *v)
{
    const rp_cell *c = g < 0 ? &s->london[i]
                             : &s->group[(size_t)g * s->n_ind + i];
    *has = c->has_value && !rp_suppressed(c->suppressed, 0);
    *v = c->value;
}

static void bar(cairo_t *cr, rp_rect p, axis a, double x, double bw,
                double v, unsigned rgb)
{
    double y = ypos(p, a, v);
    rp_set_rgb(cr, rgb);
    cairo_rectangle(cr, x, y, bw, p.y + p.h - y);
    cairo_fill(cr);
}

/* London and quadrant lines; when the two are close their labels are
 * pushed apart so neither hides the other. */
static void ranked_refs(cairo_t *cr, rp_rect p, axis a, const rp_snapshot *s,
                        size_t i, int own, double f)
{
    char lab[64], val[32];
    int hl = 0, hg = 0;
    double lv = 0, gv = 0, dl = 0, dg = 0;
    group_value(s, -1, i, &hl, &lv);
    int g = own >= 0 ? rp_group_of(s, (size_t)own) : -1;
    if (g >= 0)
        group_value(s, g, i, &hg, &gv);
    double gap = ypos(p, a, gv) - ypos(p, a, lv);
    if (hl && hg && gap > -f * 1.1 && gap < f * 1.1) {
        double push = (f * 1.1 - (gap < 0 ? -gap : gap)) / 2;
        dl = gap < 0 ? push : -push;
        dg = -dl;
    }
    if (hl) {
        rp_fmt_value(&s->ind[i], 1, lv, val, sizeof val);
        snprintf(lab, sizeof lab, "London %s", val);
        ref_line(cr, p, a, lv, lab, 0x000000, f * 0.6, dl, f);
    }
    if (hg) {
        rp_fmt_value(&s->ind[i], 1, gv, val, sizeof val);
        snprintf(lab, sizeof lab, "%s %s", s->group_names[g], val);
        ref_line(cr, p, a, gv, lab, RP_VERMILION, f * 0.25, dg, f);
    }
}

/* The authority's own value above its bar, on white so neighbouring bars
 * do not run through it. */
static void own_label(cairo_t *cr, const char *text, double cx, double y,
                      double f)
{
    double w = f * 0.62 * (double)strlen(text) + f * 0.4;
    rp_set_rgb(cr, 0xFFFFFF);
    cairo_rectangle(cr, cx - w / 2, y, w, f * 1.15);
    cairo_fill(cr);
    rp_set_rgb(cr, RP_BLUE);
    rp_text(cr, text, cx, y, 0, f * 0.85, 1, 1);
}

void rp_chart_ranked(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t i,
                     int own, int with_source)
{
    double f = rp_font_for(r), vmax;
    if (with_source) {
        /* a chart file stands alone: its own key to the codes */
        double kh = rp_code_key_height(r.w - 2 * f, s);
        rp_set_rgb(cr, 0xFFFFFF);
        cairo_rectangle(cr, r.x, r.y, r.w, r.h);
        cairo_fill(cr);
        rp_rect k = {r.x + f, r.y + r.h - kh - f * 0.5, r.w - 2 * f, kh};
        rp_code_key(cr, k, s);
        r.h -= kh + f * 0.5;
    }
    ranked order[RP_MAX_AUTH];
    rank_order(s, i, own, order, &vmax);
    const rp_indicator *ind = &s->ind[i];
    char sub[240];
    rp_ranked_subtitle(s, i, own, sub, sizeof sub);
    rp_rect p = rp_frame(cr, r, ind->title, sub, s, with_source, f);
    p.x += f * Y_ROOM;
    p.w -= f * Y_ROOM + f * 9;
    p.h -= f * 3.2; /* room for the codes under the bars */
    int hg;
    double lv, gv;
    group_value(s, -1, i, &hg, &lv);
    if (hg && lv > vmax)
        vmax = lv;
    int g = own >= 0 ? rp_group_of(s, (size_t)own) : -1;
    group_value(s, g, i, &hg, &gv);
    if (hg && gv > vmax)
        vmax = gv;
    axis a = nice_axis(vmax);
    y_grid(cr, &p, a, f, ind);
    double slot = p.w / (double)s->n_auth, bw = slot * 0.78;
    for (size_t k = 0; k < s->n_auth; k++) {
        const ranked *o = &order[k];
        double x = p.x + slot * (double)k + (slot - bw) / 2;
        int mine = (int)o->a == own;
        if (o->shown == SHOWN)
            bar(cr, p, a, x, bw, rp_la(s, o->a, i)->value,
                mine ? RP_BLUE : 0xBBBBBB);
        rp_set_rgb(cr, mine ? RP_BLUE : 0x444444);
        if (o->shown != SHOWN)
            rp_text(cr, o->shown == SUPPRESSED ? "c" : "-", x + bw / 2,
                    p.y + p.h - f * 1.2, 0, f * 0.8, 0, 1);
        text_up(cr, s->auth[o->a].short_code, x + bw / 2,
                p.y + p.h + f * 0.3 + f * 2.2, f * 0.75);
        if (mine && o->shown == SHOWN) {
            char val[32];
            rp_fmt_value(ind, 1, rp_la(s, o->a, i)->value, val, sizeof val);
            own_label(cr, val, x + bw / 2,
                      ypos(p, a, rp_la(s, o->a, i)->value) - f * 1.3, f);
        }
    }
    ranked_refs(cr, p, a, s, i, own, f);
}

static double trend_x(rp_rect p, int q)
{
    return p.x + p.w * ((double)q + 0.5) / RP_TREND_QUARTERS;
}

typedef const rp_point *(*series_fn)(const rp_snapshot *s, size_t q,
                                     size_t k, size_t i);

static const rp_point *series_la(const rp_snapshot *s, size_t q, size_t k,
                                 size_t i)
{
    return rp_trend_la(s, q, k, i);
}

static const rp_point *series_london(const rp_snapshot *s, size_t q,
                                     size_t k, size_t i)
{
    (void)k;
    return rp_trend_london(s, q, i);
}

static const rp_point *series_group(const rp_snapshot *s, size_t q, size_t k,
                                    size_t i)
{
    return rp_trend_group(s, q, k, i);
}

static int point_shown(const rp_point *pt, int own)
{
    return pt->has && !rp_suppressed(pt->sup, own);
}

/* One line with markers through n points (x, y); a point not shown
 * leaves a gap.  marker 0 circle, 1 square, 2 diamond, so series differ
 * in shape as well as colour. */
static void polyline(cairo_t *cr, size_t n, const double *xs,
                     const double *ys, const unsigned char *shown,
                     unsigned rgb, double dash, int marker, double f)
{
    rp_set_rgb(cr, rgb);
    cairo_set_line_width(cr, f * 0.22);
    double d[] = {dash, dash * 0.6};
    cairo_set_dash(cr, d, dash > 0 ? 2 : 0, 0);
    int open = 0;
    for (size_t q = 0; q < n; q++) {
        if (!shown[q]) {
            open = 0;
            continue;
        }
        if (open)
            cairo_line_to(cr, xs[q], ys[q]);
        else
            cairo_move_to(cr, xs[q], ys[q]);
        open = 1;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    double m = f * 0.32;
    for (size_t q = 0; q < n; q++) {
        if (!shown[q])
            continue;
        double x = xs[q], y = ys[q];
        if (marker == 0)
            cairo_arc(cr, x, y, m, 0, 2 * M_PI);
        else if (marker == 1)
            cairo_rectangle(cr, x - m, y - m, 2 * m, 2 * m);
        else {
            cairo_move_to(cr, x, y - m * 1.3);
            cairo_line_to(cr, x + m * 1.3, y);
            cairo_line_to(cr, x, y + m * 1.3);
            cairo_line_to(cr, x - m * 1.3, y);
            cairo_close_path(cr);
        }
        cairo_fill(cr);
    }
}

/* One quarterly series; gaps where a quarter has no value. */
static void series(cairo_t *cr, rp_rect p, axis a, const rp_snapshot *s,
                   series_fn fn, size_t k, size_t i, int own, unsigned rgb,
                   double dash, int marker, double f)
{
    double xs[RP_TREND_QUARTERS], ys[RP_TREND_QUARTERS];
    unsigned char shown[RP_TREND_QUARTERS];
    for (int q = 0; q < RP_TREND_QUARTERS; q++) {
        const rp_point *pt = fn(s, (size_t)q, k, i);
        shown[q] = (unsigned char)point_shown(pt, own);
        xs[q] = trend_x(p, q);
        ys[q] = shown[q] ? ypos(p, a, pt->v) : 0;
    }
    polyline(cr, RP_TREND_QUARTERS, xs, ys, shown, rgb, dash, marker, f);
}

/* The quadrants a trend shows: the authority's own, or every quadrant on
 * the London-wide chart. */
static size_t trend_groups(const rp_snapshot *s, int own,
                           int out[RP_MAX_GROUPS])
{
    if (own >= 0) {
        out[0] = rp_group_of(s, (size_t)own);
        return out[0] >= 0;
    }
    for (size_t g = 0; g < s->n_groups; g++)
        out[g] = (int)g;
    return s->n_groups;
}

/* The smallest and largest value the trend draws. */
static void trend_range(const rp_snapshot *s, size_t i, int own,
                        const int *groups, size_t ng, double *lo, double *hi)
{
    double m = 0, mn = HUGE_VAL;
    for (size_t q = 0; q < RP_TREND_QUARTERS; q++) {
        const rp_point *pts[2 + RP_MAX_GROUPS];
        size_t n = 0;
        pts[n++] = rp_trend_london(s, q, i);
        if (own >= 0)
            pts[n++] = rp_trend_la(s, q, (size_t)own, i);
        for (size_t k = 0; k < ng; k++)
            pts[n++] = rp_trend_group(s, q, (size_t)groups[k], i);
        for (size_t k = 0; k < n; k++) {
            /* only what is drawn: a suppressed point sets no bound */
            if (!point_shown(pts[k], own >= 0 && k == 1))
                continue;
            if (pts[k]->v > m)
                m = pts[k]->v;
            if (pts[k]->v < mn)
                mn = pts[k]->v;
        }
    }
    *lo = mn == HUGE_VAL ? 0 : mn;
    *hi = m;
}

static void legend_item(cairo_t *cr, double *x, double *y, double x0,
                        double right, const char *label, unsigned rgb,
                        double dash, double f)
{
    {
        PangoLayout *m = layout(cr, label, f * 0.85, 0);
        int mw, mh;
        pango_layout_get_size(m, &mw, &mh);
        g_object_unref(m);
        if (*x > x0 && *x + f * 2.4 + (double)mw / PANGO_SCALE > right) {
            *x = x0; /* wrap: the next line of the legend */
            *y += f * 1.3;
        }
    }
    double yy = *y;
    rp_set_rgb(cr, rgb);
    cairo_set_line_width(cr, f * 0.22);
    double d[] = {dash, dash * 0.6};
    cairo_set_dash(cr, d, dash > 0 ? 2 : 0, 0);
    cairo_move_to(cr, *x, yy + f * 0.55);
    cairo_line_to(cr, *x + f * 2, yy + f * 0.55);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    rp_set_rgb(cr, RP_DARK);
    PangoLayout *l = layout(cr, label, f * 0.85, 0);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    cairo_move_to(cr, *x + f * 2.4, yy);
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);
    *x += f * 3.4 + (double)pw / PANGO_SCALE;
}

static void trend_axis(cairo_t *cr, rp_rect p, const rp_snapshot *s, double f)
{
    rp_set_rgb(cr, 0x444444);
    for (int q = 0; q < RP_TREND_QUARTERS; q++) {
        char fy[16];
        liia_period_fy_form(s->trend_periods[q], fy, sizeof fy);
        /* "2024-25Q4" -> "Q4", with "24-25" under the first quarter and
         * each Q1: eight labels stay apart at any width. */
        char lab[24];
        if (q == 0 || fy[8] == '1')
            snprintf(lab, sizeof lab, "%.2s\n%.5s", fy + 7, fy + 2);
        else
            snprintf(lab, sizeof lab, "%.2s", fy + 7);
        rp_text(cr, lab, trend_x(p, q), p.y + p.h + f * 0.3, 0, f * 0.8, 0,
                1);
    }
}

/* Quadrant series styles: the authority's own quadrant is vermilion;
 * the London-wide chart cycles through the rest of the Okabe-Ito set. */
static const unsigned GROUP_COLOURS[] = {RP_VERMILION, RP_GREEN, RP_PURPLE,
                                         RP_SKY, RP_ORANGE};
enum { N_GROUP_COLOURS = sizeof GROUP_COLOURS / sizeof GROUP_COLOURS[0] };

void rp_chart_trend(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t i,
                    int own, int with_source)
{
    double f = rp_font_for(r);
    const rp_indicator *ind = &s->ind[i];
    char sub[128];
    snprintf(sub, sizeof sub, "%s, last 8 quarters to %s", rp_unit_text(ind),
             s->short_label);
    rp_rect p = rp_frame(cr, r, ind->title, sub, s, with_source, f);
    int groups[RP_MAX_GROUPS];
    size_t ng = trend_groups(s, own, groups);
    double x0 = p.x + f * 4.5, lx = x0, ly = p.y, right = p.x + p.w - f;
    double dash[] = {f * 0.25, f * 0.9};
    if (own >= 0)
        legend_item(cr, &lx, &ly, x0, right, s->auth[own].name, RP_BLUE, 0,
                    f);
    legend_item(cr, &lx, &ly, x0, right, "London", 0x000000, f * 0.6, f);
    for (size_t k = 0; k < ng; k++)
        legend_item(cr, &lx, &ly, x0, right, s->group_names[groups[k]],
                    GROUP_COLOURS[k % N_GROUP_COLOURS], dash[k % 2], f);
    double used = ly - p.y + f * 2;
    double lo, hi;
    trend_range(s, i, own, groups, ng, &lo, &hi);
    axis a = rp_trend_axis(ind, lo, hi);
    if (a.broken) {
        char note[96];
        snprintf(note, sizeof note, "axis starts at %g, not 0", a.lo);
        rp_set_rgb(cr, 0x555555);
        rp_text(cr, note, right, p.y + used - f * 0.5, 0, f * 0.8, 0, 2);
        used += f * 0.9;
    }
    p.y += used;
    p.h -= used + f * 2.6;
    p.x += f * Y_ROOM;
    p.w -= f * (Y_ROOM + 1);
    y_grid(cr, &p, a, f, ind);
    trend_axis(cr, p, s, f);
    series(cr, p, a, s, series_london, 0, i, -1, 0x000000, f * 0.6, 1, f);
    for (size_t k = 0; k < ng; k++)
        series(cr, p, a, s, series_group, (size_t)groups[k], i, -1,
               GROUP_COLOURS[k % N_GROUP_COLOURS], dash[k % 2], 2, f);
    if (own >= 0)
        series(cr, p, a, s, series_la, (size_t)own, i, own, RP_BLUE, 0, 0, f);
}

/* ------------------------------------------------------------ long run */

/* The long-run series' styles: colour, dash (in f) and marker differ, so
 * no line is told apart by colour alone. */
static const unsigned LR_COLOUR[RP_LR_SERIES] = {RP_BLUE, RP_VERMILION,
                                                 0x000000, RP_GREEN};
static const double LR_DASH[RP_LR_SERIES] = {0, 0.25, 0.6, 1.2};
static const int LR_MARKER[RP_LR_SERIES] = {0, 2, 1, 0};

/* Year labels under n points: every step-th, counted back from the
 * latest, so they never overlap at any width. */
static void year_axis(cairo_t *cr, rp_rect p, const rp_extra *x,
                      const rp_longrun *lr, double f)
{
    size_t n = (size_t)(lr->last - lr->first + 1);
    PangoLayout *l = layout(cr, "2025", f * 0.8, 0);
    int tw, th;
    pango_layout_get_size(l, &tw, &th);
    g_object_unref(l);
    double gap = p.w / (double)n, need = (double)tw / PANGO_SCALE + f * 0.6;
    size_t step = (size_t)ceil(need / gap);
    rp_set_rgb(cr, 0x444444);
    for (size_t k = 0; k < n; k++) {
        if ((n - 1 - k) % (step ? step : 1))
            continue;
        char yr[16];
        snprintf(yr, sizeof yr, "%d", x->years[(size_t)lr->first + k]);
        rp_text(cr, yr, p.x + gap * ((double)k + 0.5), p.y + p.h + f * 0.3,
                0, f * 0.8, 0, 1);
    }
}

void rp_lr_names(const rp_snapshot *s, size_t a, const rp_longrun *lr,
                 char names[RP_LR_SERIES][200])
{
    /* a legend label: a name too long for it is cut, never overrun, and
     * never inside a UTF-8 character (the workbook's XML must stay valid) */
    if (!lr->joint[0])
        snprintf(names[RP_LR_OWN], 200, "%s", s->auth[a].name);
    else if (snprintf(names[RP_LR_OWN], 200, "%s (DfE's joint figure with %s)",
                      s->auth[a].name, lr->joint) >= 200) {
        size_t cut = 196;
        while (cut > 0 && ((unsigned char)names[RP_LR_OWN][cut] & 0xC0) == 0x80)
            cut--;
        memcpy(names[RP_LR_OWN] + cut, "...", 4);
    }
    snprintf(names[RP_LR_NB], 200, "Statistical neighbours' median");
    snprintf(names[RP_LR_LONDON], 200, "London (DfE)");
    snprintf(names[RP_LR_ENGLAND], 200, "England");
}

void rp_chart_longrun(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t a,
                      const rp_extra *x, const rp_longrun *lr)
{
    double f = rp_font_for(r);
    const rp_indicator *ind = &s->ind[lr->ind];
    char sub[400], names[RP_LR_SERIES][200];
    int n0 = snprintf(sub, sizeof sub, "%s, years to 31 March %d to %d",
                      rp_unit_text(ind), x->years[lr->first],
                      x->years[lr->last]);
    /* said under the title, where it wraps: a legend entry does not */
    if (lr->joint[0] && n0 > 0 && (size_t)n0 < sizeof sub)
        snprintf(sub + n0, sizeof sub - (size_t)n0, "; %s: DfE's joint "
                 "figure with %s", s->auth[a].name, lr->joint);
    rp_rect p = rp_frame(cr, r, ind->title, sub, s, 0, f);
    rp_lr_names(s, a, lr, names);
    snprintf(names[RP_LR_OWN], sizeof names[RP_LR_OWN], "%s", s->auth[a].name);
    double x0 = p.x + f * 4.5, lx = x0, ly = p.y, right = p.x + p.w - f;
    double lo = HUGE_VAL, hi = 0;
    for (int sr = 0; sr < RP_LR_SERIES; sr++) {
        legend_item(cr, &lx, &ly, x0, right, names[sr], LR_COLOUR[sr],
                    LR_DASH[sr] * f, f);
        for (int y = lr->first; y <= lr->last; y++)
            if (lr->has[sr][y]) {
                lo = lr->v[sr][y] < lo ? lr->v[sr][y] : lo;
                hi = lr->v[sr][y] > hi ? lr->v[sr][y] : hi;
            }
    }
    double used = ly - p.y + f * 2;
    axis ax = rp_trend_axis(ind, lo == HUGE_VAL ? 0 : lo, hi);
    if (ax.broken) {
        char note[96];
        snprintf(note, sizeof note, "axis starts at %g, not 0", ax.lo);
        rp_set_rgb(cr, 0x555555);
        rp_text(cr, note, right, p.y + used - f * 0.5, 0, f * 0.8, 0, 2);
        used += f * 0.9;
    }
    p.y += used;
    p.h -= used + f * 1.6;
    p.x += f * Y_ROOM;
    p.w -= f * (Y_ROOM + 1);
    y_grid(cr, &p, ax, f, ind);
    year_axis(cr, p, x, lr, f);
    size_t n = (size_t)(lr->last - lr->first + 1);
    for (int sr = RP_LR_SERIES - 1; sr >= 0; sr--) {
        double xs[RP_MAX_YEARS], ys[RP_MAX_YEARS];
        unsigned char shown[RP_MAX_YEARS];
        for (size_t k = 0; k < n; k++) {
            size_t y = (size_t)lr->first + k;
            shown[k] = lr->has[sr][y];
            xs[k] = p.x + p.w * ((double)k + 0.5) / (double)n;
            ys[k] = shown[k] ? ypos(p, ax, lr->v[sr][y]) : 0;
        }
        polyline(cr, n, xs, ys, shown, LR_COLOUR[sr], LR_DASH[sr] * f,
                 LR_MARKER[sr], f);
    }
}
