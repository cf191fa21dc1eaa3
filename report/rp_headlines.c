/*
 * rp_headlines.c - the headlines page at the front of an authority's PDF
 * and workbook: where it is unusual against London (the funnel flags),
 * its biggest movements on a year ago, and its data-quality position this
 * quarter (the quarterly return and any child-level return).  Every sentence is generated from figures the pack's tables
 * show, and names the table and indicator it comes from, so a reader can
 * check it; nothing is written that the figures do not say.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_internal.h"

enum { MOVES = 3 };

static const char *judgement(int polarity, int higher)
{
    if (!polarity)
        return "a context indicator, neither better nor worse";
    return (polarity > 0) == higher ? "better than London"
                                    : "worse than London";
}

static void unusual(const rp_snapshot *s, size_t a, rp_line_fn fn,
                    void *ctx)
{
    char line[512], v[32], l[32];
    int n = 0;
    fn(ctx, RP_HL_HEAD, "Where the funnel plot says the difference from "
                        "London is more than chance");
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->n_ind; i++) {
            const rp_cell *c = rp_la(s, a, i);
            const rp_indicator *ind = &s->ind[i];
            int very = !strncmp(c->funnel + (c->funnel[0] == 'h' ? 4 : 3),
                                "_998", 4);
            int flagged = !strncmp(c->funnel, "high_", 5) ||
                          !strncmp(c->funnel, "low_", 4);
            if (!flagged || !c->has_value || very != !pass)
                continue;
            int higher = c->funnel[0] == 'h';
            rp_fmt_value(ind, 1, c->value, v, sizeof v);
            rp_fmt_value(ind, s->london[i].has_value, s->london[i].value, l,
                         sizeof l);
            snprintf(line, sizeof line, "%s: %s, %s than London's %s beyond "
                     "the %s limits; %s (Summary, %s).", ind->title, v,
                     higher ? "higher" : "lower", l, very ? "99.8%" : "95%",
                     judgement(ind->polarity, higher), ind->id);
            fn(ctx, RP_HL_LINE, line);
            n++;
        }
    if (!n)
        fn(ctx, RP_HL_LINE, "No indicator is outside the 95% limits: every "
                            "difference from London is within what chance "
                            "and the ordinary spread between authorities "
                            "explain (Summary, Against London).");
}

typedef struct move {
    size_t i;
    double score;
} move;

static int move_cmp(const void *x, const void *y)
{
    const move *p = x, *q = y;
    if (p->score != q->score)
        return p->score > q->score ? -1 : 1;
    return p->i < q->i ? -1 : 1;
}

/* The authority's own value a year earlier as its pack shows it (the
 * trend's quarter four back, at its published precision), or NULL.  Not
 * the value less the change: that mixed a rounded value with an unrounded
 * change, so an earlier 0 came out as a small remainder or, when exact, a
 * zero that silenced the change.  Only the pack's own authority's values
 * are read here: no other authority's figure, suppressed or not, enters
 * a sentence. */
static const rp_point *year_ago(const rp_snapshot *s, size_t a, size_t i)
{
    const rp_point *p = rp_trend_la(s, RP_TREND_QUARTERS - 5, a, i);
    return p->has ? p : NULL;
}

/* Relative size of a change, so rates and percentages compare; from 0 it
 * has no bound and comes first (HUGE_VAL, never a division by zero). */
static double move_score(double change, double before)
{
    return before != 0 ? fabs(change / before) : HUGE_VAL;
}

static void move_line(const rp_snapshot *s, size_t a, size_t i, char *line,
                      size_t linesz)
{
    const rp_cell *c = rp_la(s, a, i);
    const rp_indicator *ind = &s->ind[i];
    char v[32], was[32], chg[32];
    double before = year_ago(s, a, i)->v;
    rp_fmt_value(ind, 1, c->value, v, sizeof v);
    rp_fmt_value(ind, 1, before, was, sizeof was);
    rp_fmt_change(ind, 1, c->change_yoy, chg, sizeof chg);
    if (before == 0) /* "+4.1 pp on a year ago (0.0% then)" buries it */
        snprintf(line, linesz, "%s: %s, %s from %s a year ago (%s), %s "
                 "(Summary, %s: on a year ago).", ind->title, v,
                 c->change_yoy < 0 ? "down" : "up", was, chg,
                 rp_direction_text(c->dir_yoy), ind->id);
    else
        snprintf(line, linesz, "%s: %s, %s on a year ago (%s then), %s "
                 "(Summary, %s: on a year ago).", ind->title, v, chg, was,
                 rp_direction_text(c->dir_yoy), ind->id);
}

static void movements(const rp_snapshot *s, size_t a, rp_line_fn fn,
                      void *ctx)
{
    move m[256];
    size_t n = 0;
    for (size_t i = 0; i < s->n_ind && n < 256; i++) {
        const rp_cell *c = rp_la(s, a, i);
        const rp_point *then = year_ago(s, a, i);
        /* only a change the pack calls a change */
        if (!c->has_value || !c->has_change_yoy || !then ||
            !strcmp(c->dir_yoy, "stable") || !c->dir_yoy[0] ||
            !strcmp(c->dir_yoy, "not comparable"))
            continue;
        m[n].i = i;
        m[n++].score = move_score(c->change_yoy, then->v);
    }
    qsort(m, n, sizeof *m, move_cmp);
    fn(ctx, RP_HL_HEAD, "Biggest movements on a year ago");
    char line[512];
    for (size_t k = 0; k < n && k < MOVES; k++) {
        move_line(s, a, m[k].i, line, sizeof line);
        fn(ctx, RP_HL_LINE, line);
    }
    if (!n)
        fn(ctx, RP_HL_LINE, "No indicator can be compared with a year ago, "
                            "or none moved at its shown precision.");
}

/* A child-level return's position: its errors blank the cells they are
 * in (the return is accepted all the same), so the figures taken from it
 * may rest on fewer records than were sent. */
static void child_return(const rp_return_dq *r, rp_line_fn fn, void *ctx)
{
    char line[512], used[64];
    if (r->values)
        snprintf(used, sizeof used, "%d of this quarter's figure%s come%s from "
                 "it", r->values, r->values == 1 ? "" : "s",
                 r->values == 1 ? "s" : "");
    else
        snprintf(used, sizeof used, "none of this quarter's figures come from "
                 "it");
    if (r->accepted)
        snprintf(line, sizeof line, "%s: version %d accepted with %d "
                 "error%s%s and %d warning%s; %s (Data quality).", r->title,
                 r->version, r->errors, r->errors == 1 ? "" : "s",
                 r->errors ? (r->errors == 1 ? " (its cell blanked)"
                                             : " (their cells blanked)")
                           : "",
                 r->warnings, r->warnings == 1 ? "" : "s", used);
    else
        snprintf(line, sizeof line, "%s: rejected with %d error%s; %s (Data "
                 "quality).", r->title, r->errors, r->errors == 1 ? "" : "s",
                 used);
    fn(ctx, RP_HL_LINE, line);
}

static void quality(const rp_snapshot *s, size_t a, const rp_extra *x,
                    rp_line_fn fn, void *ctx)
{
    char line[512], cov[48];
    fn(ctx, RP_HL_HEAD, "Data quality this quarter");
    if (x->version)
        snprintf(line, sizeof line, "Quarterly return: version %d accepted "
                 "with %d warning%s (%d file%s received in all); %d measure%s "
                 "not supplied (Data quality).", x->version, x->warnings,
                 x->warnings == 1 ? "" : "s", x->received,
                 x->received == 1 ? "" : "s", x->not_supplied,
                 x->not_supplied == 1 ? "" : "s");
    else
        snprintf(line, sizeof line, "Quarterly return: %s for %s (Data "
                 "quality).", x->status, s->short_label);
    fn(ctx, RP_HL_LINE, line);
    for (size_t k = 0; k < x->n_child; k++)
        child_return(&x->child[k], fn, ctx);
    snprintf(line, sizeof line, "%d of %zu indicators have a value for %s "
             "(Summary, Data quality).", x->with_value, s->n_ind,
             s->auth[a].name);
    fn(ctx, RP_HL_LINE, line);
    if (rp_coverage(s, cov, sizeof cov)[0]) {
        snprintf(line, sizeof line, "Only %s this quarter: London, quadrant "
                 "and neighbour comparators and ranks are over those.", cov);
        fn(ctx, RP_HL_LINE, line);
    }
}

void rp_headlines(const rp_snapshot *s, size_t a, const rp_extra *x,
                  rp_line_fn fn, void *ctx)
{
    unusual(s, a, fn, ctx);
    movements(s, a, fn, ctx);
    quality(s, a, x, fn, ctx);
}
