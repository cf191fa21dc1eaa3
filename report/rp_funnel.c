/*
 * rp_funnel.c - the funnel plot and the tartan rug, and writing any chart
 * as PNG + SVG files.
 *
 * The funnel's control limits are drawn around London's published value by
 * the engine's liia_funnel_limit, the very function bench's flags use:
 * exact binomial for percentages, exact Poisson for rates per 10,000,
 * widened for overdispersion when the data show it (docs/maths.md).  The
 * curve passes through the limit at every plotted authority's size, so a
 * point is drawn beyond a limit exactly when it is flagged.  Ratios
 * (average caseload) have no funnel.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo-svg.h>

#include "liia_engine.h"
#include "rp_internal.h"

enum { CURVE_STEPS = 120 };

/* The denominators a limit is drawn at: evenly spaced, plus every plotted
 * point's own, in order (so the polyline is exact where points are). */
typedef struct curve_xs {
    double n[CURVE_STEPS + 1 + RP_MAX_AUTH];
    size_t count;
} curve_xs;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void curve(cairo_t *cr, rp_rect p, const rp_indicator *ind,
                  const curve_xs *xs, double centre, double tau2, double xmax,
                  double ymax, double prob)
{
    int open = 0;
    for (size_t k = 0; k < xs->count; k++) {
        double v = liia_funnel_limit(xs->n[k], centre, ind->unit, prob, tau2);
        if (isnan(v)) {
            open = 0;
            continue;
        }
        double x = p.x + xs->n[k] / xmax * p.w, y = p.y + p.h - v / ymax * p.h;
        if (open)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        open = 1;
    }
    cairo_stroke(cr);
}

static double nice_step_n(double hi, double n)
{
    double raw = hi / n, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

static double nice_step(double hi)
{
    return nice_step_n(hi, 5);
}

/* "125,000": sizes of tens of thousands are read wrongly without commas. */
static void tick_label(double t, char *out, size_t outsz)
{
    if (t < 1000 || t != floor(t) || t >= 1e15) {
        snprintf(out, outsz, "%g", t);
        return;
    }
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%.0f", t);
    size_t o = 0;
    for (int k = 0; k < n && o + 2 < outsz; k++) {
        if (k && (n - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[k];
    }
    out[o] = '\0';
}

/* Grid, tick labels at round numbers, and the axis titles. */
static void funnel_axes(cairo_t *cr, rp_rect p, double xmax, double ymax,
                        const rp_snapshot *s, const rp_indicator *ind,
                        double f)
{
    /* as many size ticks as fit: a label is up to seven characters */
    double fit = p.w / (f * 5.5);
    double ys = nice_step(ymax), xs = nice_step_n(xmax, fit < 5 ? fit : 5);
    char lab[32];
    cairo_set_line_width(cr, 0.4);
    for (double t = 0; t <= ymax + ys * 1e-6; t += ys) {
        double y = p.y + p.h - t / ymax * p.h;
        rp_set_rgb(cr, 0xDDDDDD);
        cairo_move_to(cr, p.x, y);
        cairo_line_to(cr, p.x + p.w, y);
        cairo_stroke(cr);
        rp_set_rgb(cr, 0x444444);
        snprintf(lab, sizeof lab, "%g", t);
        rp_text(cr, lab, p.x - f * 0.4, y - f * 0.6, 0, f * 0.85, 0, 2);
    }
    for (double t = 0; t <= xmax + xs * 1e-6; t += xs) {
        tick_label(t, lab, sizeof lab);
        /* the last label ends at the axis end so it is never cut off */
        int last = t + xs > xmax + xs * 1e-6;
        rp_text(cr, lab, p.x + t / xmax * p.w, p.y + p.h + f * 0.3, 0,
                f * 0.85, 0, last ? 2 : 1);
    }
    char xl[200], words[160];
    rp_expr_words(s, ind->denominator_expr, words, sizeof words);
    snprintf(xl, sizeof xl, "Authority size: %s",
             strcmp(ind->unit, "per10k") ? words
                                         : "children aged 0-17 (population)");
    rp_text(cr, xl, p.x + p.w / 2, p.y + p.h + f * 1.5, 0, f * 0.85, 0, 1);
}

typedef struct funnel_range {
    double xmin, xmax, ymax;
    size_t shown, hidden;
} funnel_range;

static int funnel_point(const rp_snapshot *s, size_t a, size_t i, int own)
{
    const rp_cell *c = rp_la(s, a, i);
    /* a shared service's row has no terms of its own: its partner's point
     * stands for both */
    return c->has_value && c->has_den && c->has_num && c->den > 0 &&
           !rp_suppressed(c->suppressed, (int)a == own);
}

/* A point's height: its exact value num / den, as bench flagged it (the
 * published value is rounded and could sit across a limit from its flag). */
static double point_value(const rp_indicator *ind, const rp_cell *c)
{
    return c->num / c->den * (strcmp(ind->unit, "pct") ? 10000 : 100);
}

static funnel_range funnel_extent(const rp_snapshot *s, size_t i, int own)
{
    funnel_range fr = {0, 0, 0, 0, 0};
    for (size_t a = 0; a < s->n_auth; a++) {
        const rp_cell *c = rp_la(s, a, i);
        if (!funnel_point(s, a, i, own)) {
            fr.hidden += c->has_value;
            continue;
        }
        fr.shown++;
        if (!fr.xmin || c->den < fr.xmin)
            fr.xmin = c->den;
        if (c->den > fr.xmax)
            fr.xmax = c->den;
        if (point_value(&s->ind[i], c) > fr.ymax)
            fr.ymax = point_value(&s->ind[i], c);
    }
    return fr;
}

static void funnel_points(cairo_t *cr, rp_rect p, const rp_snapshot *s,
                          size_t i, int own, double xmax, double ymax,
                          double f)
{
    for (int pass = 0; pass < 2; pass++) /* own authority drawn on top */
        for (size_t a = 0; a < s->n_auth; a++) {
            int mine = (int)a == own;
            if (mine != pass || !funnel_point(s, a, i, own))
                continue;
            const rp_cell *c = rp_la(s, a, i);
            double x = p.x + c->den / xmax * p.w;
            double y = p.y + p.h - point_value(&s->ind[i], c) / ymax * p.h;
            rp_set_rgb(cr, mine ? RP_BLUE : 0x777777);
            cairo_arc(cr, x, y, f * (mine ? 0.5 : 0.3), 0, 2 * M_PI);
            cairo_fill(cr);
            /* this authority, and any beyond the 99.8% limits, by name */
            int far = strstr(c->funnel, "_998") != NULL;
            if (mine || far) {
                int left = x > p.x + p.w * 0.7;
                rp_text(cr, s->auth[a].name,
                        left ? x - f * 0.7 : x + f * 0.7, y - f * 0.7, 0,
                        f * 0.8, mine, left ? 2 : 0);
            }
        }
}

static void funnel_limits(cairo_t *cr, rp_rect p, const rp_snapshot *s,
                          size_t i, int own, double x0, double xmax,
                          double ymax, double f)
{
    const rp_indicator *ind = &s->ind[i];
    double centre = s->london[i].value, tau2 = s->london[i].tau2;
    curve_xs xs = {.count = 0};
    for (int k = 0; k <= CURVE_STEPS; k++)
        xs.n[xs.count++] = x0 + (xmax - x0) * k / CURVE_STEPS;
    for (size_t a = 0; a < s->n_auth; a++)
        if (funnel_point(s, a, i, own))
            xs.n[xs.count++] = rp_la(s, a, i)->den;
    qsort(xs.n, xs.count, sizeof xs.n[0], cmp_double);
    cairo_save(cr);
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_clip(cr);
    cairo_set_line_width(cr, f * 0.18);
    rp_set_rgb(cr, 0x000000);
    cairo_move_to(cr, p.x, p.y + p.h - centre / ymax * p.h);
    cairo_line_to(cr, p.x + p.w, p.y + p.h - centre / ymax * p.h);
    cairo_stroke(cr);
    double d95[] = {f * 0.6, f * 0.35}, d998[] = {f * 0.15, f * 0.3};
    rp_set_rgb(cr, RP_VERMILION);
    cairo_set_dash(cr, d95, 2, 0);
    curve(cr, p, ind, &xs, centre, tau2, xmax, ymax, 0.975);
    curve(cr, p, ind, &xs, centre, tau2, xmax, ymax, 0.025);
    cairo_set_dash(cr, d998, 2, 0);
    curve(cr, p, ind, &xs, centre, tau2, xmax, ymax, 0.999);
    curve(cr, p, ind, &xs, centre, tau2, xmax, ymax, 0.001);
    cairo_restore(cr);
}

static void funnel_legend_text(const rp_snapshot *s, size_t i,
                               funnel_range fr, char *lab, size_t labsz)
{
    char val[32];
    rp_fmt_value(&s->ind[i], 1, s->london[i].value, val, sizeof val);
    snprintf(lab, labsz, "solid: London %s; dashed: 95%%, dotted: "
             "99.8%% limits (exact%s)%s", val,
             s->london[i].tau2 > 0 ? ", allowing for overdispersion" : "",
             fr.hidden ? "; authorities shown as c are not plotted" : "");
}

/* Why a funnel plot draws nothing, or NULL when it has something to
 * draw: a ratio has no funnel; no authority's value may be plotted; no
 * London value to draw the limits around. */
static const char *funnel_empty(const rp_snapshot *s, size_t i,
                                funnel_range fr)
{
    if (!strcmp(s->ind[i].unit, "ratio"))
        return "A funnel plot does not apply to a ratio";
    if (!fr.shown)
        return "No published values to plot";
    if (!s->london[i].has_value)
        return "No London value to draw the limits around";
    return NULL;
}

void rp_chart_funnel(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t i,
                     int own, int with_source)
{
    double f = rp_font_for(r);
    const rp_indicator *ind = &s->ind[i];
    funnel_range fr = funnel_extent(s, i, own);
    const char *empty = funnel_empty(s, i, fr);
    char sub[160];
    if (empty) /* no count of points that are not drawn */
        snprintf(sub, sizeof sub, "Funnel plot, %s, %s", rp_unit_text(ind),
                 s->short_label);
    else
        snprintf(sub, sizeof sub, "Funnel plot, %s, %s; %zu authorities",
                 rp_unit_text(ind), s->short_label, fr.shown);
    rp_rect p = rp_frame(cr, r, ind->title, sub, s, with_source, f);
    if (empty) {
        /* just the reason: a legend of lines and points not drawn would
         * describe nothing */
        rp_set_rgb(cr, 0x555555);
        rp_text(cr, empty, p.x + p.w / 2, p.y + p.h / 2 - f * 0.6, 0, f, 0, 1);
        return;
    }
    char legend[400];
    funnel_legend_text(s, i, fr, legend, sizeof legend);
    double lh = rp_text_height(cr, legend, p.w - f * 6, f * 0.8, 0);
    rp_set_rgb(cr, RP_DARK);
    rp_text(cr, legend, p.x + f * 4.5, p.y, p.w - f * 6, f * 0.8, 0, 0);
    p.y += lh + f * 0.8;
    p.h -= lh + f * 0.8 + f * 3.2;
    p.x += f * 4.5;
    p.w -= f * 6;
    double centre = s->london[i].value;
    double xmax = fr.xmax * 1.08, x0 = fr.xmin * 0.5;
    /* Scaled on the points and London, not the limits: at half the
     * smallest denominator the 99.8% limit can be five times the values,
     * which squashed every point into the bottom fifth (the City's CLA01:
     * axis 0-250, points near 50).  The limits run off the top, clipped;
     * the axis still rests on published points only (disclosure rule 5). */
    double ymax = (fr.ymax > centre ? fr.ymax : centre) * 1.25;
    if (!strcmp(ind->unit, "pct") && ymax > 100)
        ymax = 100; /* limits clipped to 0-100% (bench never publishes a
                     * percentage outside it) */
    if (!(ymax > 0))
        ymax = 1;
    ymax = ceil(ymax / nice_step(ymax)) * nice_step(ymax);
    xmax = ceil(xmax / nice_step(xmax)) * nice_step(xmax);
    funnel_axes(cr, p, xmax, ymax, s, ind, f);
    funnel_limits(cr, p, s, i, own, x0, xmax, ymax, f);
    funnel_points(cr, p, s, i, own, xmax, ymax, f);
}

/* ------------------------------------------------------------ tartan rug */

/* The rug's type and spacing (points): value, quartile digit, the space
 * either side of a cell's text and between the value and its digit. */
#define RUG_F 9.0
#define RUG_VALUE (RUG_F * 0.8)
#define RUG_PAD 2.0
#define RUG_GAP 3.0
#define RUG_MIN_CW 36.0

/* What a rug cell shows: its value ("c" suppressed, "n/a" none) and its
 * quartile (0: none, as for a value not shown). */
static int rug_text(const rp_snapshot *s, const rp_cell *c, size_t i,
                    char *val, size_t valsz)
{
    int q = c->quartile >= 1 && c->quartile <= 4 ? c->quartile : 0;
    if (!c->has_value || rp_suppressed(c->suppressed, 0)) {
        liia_strlcpy(val, c->has_value ? "c" : "n/a", valsz);
        return 0;
    }
    snprintf(val, valsz, "%.*f", s->ind[i].decimals, c->value);
    return q;
}

static double text_w(cairo_t *cr, const char *text, double size)
{
    return rp_text_width(cr, text, size, 0);
}

/* The widest quartile digit: the value keeps clear of any of them. */
static double digit_w(cairo_t *cr)
{
    double w = 0;
    for (char d = '1'; d <= '4'; d++) {
        char t[2] = {d, '\0'};
        double dw = text_w(cr, t, RP_MIN_PT);
        w = dw > w ? dw : w;
    }
    return w;
}

/* A column wide enough for its widest cell: value, space, digit and the
 * padding either side (a 4-digit rate with one decimal needs more than
 * the usual 36 pt).  Only the text shown is measured: a suppressed value
 * is "c" here, so the rug's width cannot hint at its size. */
static double rug_cell_width(cairo_t *cr, const rp_snapshot *s)
{
    double need = 0, dw = digit_w(cr);
    char val[32];
    for (size_t i = 0; i < s->n_ind; i++)
        for (size_t a = 0; a <= s->n_auth; a++) {
            const rp_cell *c = a < s->n_auth ? rp_la(s, a, i) : &s->london[i];
            int q = rug_text(s, c, i, val, sizeof val);
            double w = 2 * RUG_PAD + text_w(cr, val, RUG_VALUE) +
                       (q ? RUG_GAP + dw : 0);
            need = w > need ? w : need;
        }
    return need + 0.5 > RUG_MIN_CW ? ceil(need + 0.5) : RUG_MIN_CW;
}

/* A rug cell: the value, and its quartile as a small number in the
 * corner so the colour is never the only cue.  The value stands right,
 * clear of the digit's column, so the two never touch. */
static void rug_cell(cairo_t *cr, const rp_snapshot *s, const rp_cell *c,
                     size_t i, double x, double y, double cw, double ch)
{
    const rp_indicator *ind = &s->ind[i];
    char val[32];
    int q = rug_text(s, c, i, val, sizeof val);
    rp_set_rgb(cr, q ? rp_quartile_fill(q, ind->polarity) : 0xFFFFFF);
    cairo_rectangle(cr, x, y, cw - 0.5, ch - 0.5);
    cairo_fill(cr);
    rp_set_rgb(cr, q ? rp_quartile_ink(q, ind->polarity) : 0x666666);
    if (!q) {
        rp_text(cr, val, x + cw * 0.44, y + ch * 0.12, 0, RUG_VALUE, 0, 1);
        return;
    }
    double right = x + cw - 0.5 - RUG_PAD;
    rp_text(cr, val, right - digit_w(cr) - RUG_GAP, y + ch * 0.12, 0,
            RUG_VALUE, 0, 2);
    char qt[4];
    snprintf(qt, sizeof qt, "%d", q);
    rp_text(cr, qt, right, y + ch * 0.05, 0, RP_MIN_PT, 0, 2);
}

static void rug_legend(cairo_t *cr, double x, double y, double f)
{
    static const char *const labels[] = {
        "", "Q1 best", "Q2", "Q3", "Q4 worst"};
    static const char *const ctx[] = {
        "", "Q1 highest", "Q2", "Q3", "Q4 lowest"};
    rp_set_rgb(cr, RP_DARK);
    rp_text(cr, "Judged indicators:", x, y, 0, f * 0.9, 1, 0);
    rp_text(cr, "Context indicators (no better or worse):", x + f * 40, y, 0,
            f * 0.9, 1, 0);
    for (int q = 1; q <= 4; q++)
        for (int pol = 1; pol >= 0; pol--) {
            double bx = x + (pol ? f * 11 : f * 61) + (q - 1) * f * 7;
            rp_set_rgb(cr, rp_quartile_fill(q, pol));
            cairo_rectangle(cr, bx, y, f * 6.5, f * 1.4);
            cairo_fill(cr);
            rp_set_rgb(cr, rp_quartile_ink(q, pol));
            rp_text(cr, pol ? labels[q] : ctx[q], bx + f * 3.25, y + f * 0.2,
                    0, f * 0.8, 0, 1);
        }
}

void rp_chart_rug(cairo_t *cr, rp_rect r, const rp_snapshot *s)
{
    double f = RUG_F, namew = f * 14, headh = f * 2.4;
    rp_set_rgb(cr, 0xFFFFFF);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_fill(cr);
    rp_set_rgb(cr, RP_DARK);
    char title[256];
    snprintf(title, sizeof title, "London tartan rug, %s: value in each "
             "cell, quartile in its corner and by colour (c = 1 to 5 "
             "children, suppressed; n/a = no value)", s->label);
    double y = r.y + f;
    y += rp_text(cr, title, r.x + f, y, 0, f * 1.3, 1, 0) + f * 0.5;
    double cw = (r.w - namew - 2 * f) / (double)s->n_ind;
    /* the authorities, then London's pooled value (no quartile) */
    double ch = (r.h - (y - r.y) - headh - f * 5) / (double)(s->n_auth + 1);
    for (size_t i = 0; i < s->n_ind; i++)
        rp_text(cr, s->ind[i].id, r.x + f + namew + cw * ((double)i + 0.5),
                y + f * 0.5, 0, f * 0.8, 1, 1);
    y += headh;
    for (size_t a = 0; a < s->n_auth; a++, y += ch) {
        rp_set_rgb(cr, RP_DARK);
        rp_text(cr, s->auth[a].name, r.x + f, y + ch * 0.12, 0, f * 0.85, 0,
                0);
        for (size_t i = 0; i < s->n_ind; i++)
            rug_cell(cr, s, rp_la(s, a, i), i,
                     r.x + f + namew + cw * (double)i, y, cw, ch);
    }
    rp_set_rgb(cr, RP_DARK);
    rp_text(cr, "London (pooled)", r.x + f, y + ch * 0.12, 0, f * 0.85, 1, 0);
    for (size_t i = 0; i < s->n_ind; i++)
        rug_cell(cr, s, &s->london[i], i, r.x + f + namew + cw * (double)i, y,
                 cw, ch);
    y += ch;
    rug_legend(cr, r.x + f, y + f, f);
    char src[160];
    snprintf(src, sizeof src, "Source: %s, %s", rp_source_text(s),
             s->short_label);
    rp_set_rgb(cr, 0x555555);
    rp_text(cr, src, r.x + f, y + f * 3, 0, f * 0.85, 0, 0);
}

/* ------------------------------------------------------------ files */

static int surface_check(cairo_surface_t *sf, const char *path, liia_error *e)
{
    cairo_status_t st = cairo_surface_status(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        return 0;
    liia_strlcpy(e->file, path, sizeof e->file);
    return liia_fail(e, LIIA_E_IO, "cannot draw chart: %s",
                     cairo_status_to_string(st));
}

typedef struct chart_job {
    rp_draw_fn fn;
    const rp_snapshot *s;
    size_t i;
    int own;
    int rug;
} chart_job;

static void draw_job(cairo_t *cr, rp_rect r, const chart_job *j)
{
    if (j->rug)
        rp_chart_rug(cr, r, j->s);
    else
        j->fn(cr, r, j->s, j->i, j->own, 1);
}

/* PNG at twice the point size (144 dpi) so it stays sharp in a document. */
static int write_png(liia_outfile *out, double w, double h,
                     const chart_job *j, liia_error *e)
{
    const char *path = out->path;
    cairo_surface_t *sf = cairo_image_surface_create(
        CAIRO_FORMAT_RGB24, (int)(w * 2), (int)(h * 2));
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, 2, 2);
    rp_rect r = {0, 0, w, h};
    draw_job(cr, r, j);
    cairo_destroy(cr);
    int rc = surface_check(sf, path, e);
    if (!rc && cairo_surface_write_to_png_stream(sf, rp_cairo_write, out) !=
                   CAIRO_STATUS_SUCCESS) {
        liia_strlcpy(e->file, path, sizeof e->file);
        rc = liia_fail(e, LIIA_E_IO, "cannot write PNG");
    }
    cairo_surface_destroy(sf);
    return rc;
}

static int write_svg(liia_outfile *out, double w, double h,
                     const chart_job *j, liia_error *e)
{
    const char *path = out->path;
    cairo_surface_t *sf =
        cairo_svg_surface_create_for_stream(rp_cairo_write, out, w, h);
    cairo_t *cr = cairo_create(sf);
    rp_rect r = {0, 0, w, h};
    draw_job(cr, r, j);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    int rc = surface_check(sf, path, e);
    cairo_surface_destroy(sf);
    return rc;
}

static int write_both(const char *base, double w, double h,
                      const chart_job *j, int *written, rp_failures *f,
                      liia_error *e)
{
    char path[4096];
    for (int svg = 0; svg < 2; svg++) {
        /* Through a temporary renamed into place: never half a chart under
         * its final name. */
        liia_outfile out;
        snprintf(path, sizeof path, "%s.%s", base, svg ? "svg" : "png");
        int rc = liia_outfile_open(&out, path, e);
        if (!rc)
            rc = liia_outfile_finish(&out, svg ? write_svg(&out, w, h, j, e)
                                               : write_png(&out, w, h, j, e),
                                     e);
        if (rc && rp_output_failed(f, e))
            return -1;
        *written += !rc;
    }
    return 0;
}

int rp_chart_files(const char *base, double w, double h, rp_draw_fn fn,
                   const rp_snapshot *s, size_t i, int own, int *written,
                   rp_failures *f, liia_error *e)
{
    chart_job j = {fn, s, i, own, 0};
    return write_both(base, w, h, &j, written, f, e);
}

int rp_rug_files(const char *base, const rp_snapshot *s, int *written,
                 rp_failures *f, liia_error *e)
{
    chart_job j = {NULL, s, 0, -1, 1};
    /* the text is measured on a scratch surface: the file's width
     * follows its widest cell */
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(sf);
    double cw = rug_cell_width(cr, s);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS)
        return liia_fail(e, LIIA_E_NOMEM, "cannot measure the tartan rug: %s",
                         cairo_status_to_string(st));
    double w = 14 * RUG_F + 2 * RUG_F + cw * (double)s->n_ind;
    double h = 16.0 * (double)(s->n_auth + 1) + RUG_F * 12;
    return write_both(base, w, h, &j, written, f, e);
}
