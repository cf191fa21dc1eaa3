/*
 * rp_format.c - how figures are written in every pack: decimals per
 * indicator, ranks as "7th of 33", direction as arrow + word, disclosure
 * control, and the quartile palette.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rp_internal.h"

int rp_suppressed(int suppressed, int own)
{
    /* bench decides (numerator, or a count denominator, of 1 to 5), so
     * every pack, chart and overview applies the same rule. */
    return !own && suppressed;
}

int rp_source_bit(const char *source)
{
    if (!source || !*source || !strcmp(source, "quarterly"))
        return 0;
    return !strcmp(source, "cin") ? RP_FROM_CIN : RP_FROM_SSDA903;
}

const char *rp_source_text(const rp_snapshot *s)
{
    static const char *const text[] = {
        "LIIA quarterly returns", "LIIA quarterly returns and SSDA903 extracts",
        "LIIA quarterly returns and CIN census returns",
        "LIIA quarterly returns, SSDA903 extracts and CIN census returns"};
    return text[s->child_level & 3];
}

const char *rp_coverage(const rp_snapshot *s, char *buf, size_t bufsz)
{
    if (s->returns >= s->authorities)
        liia_strlcpy(buf, "", bufsz);
    else
        snprintf(buf, bufsz, "%d of %d returns", s->returns, s->authorities);
    return buf;
}

const char *rp_source_name(const char *source)
{
    if (!strcmp(source, "quarterly"))
        return "quarterly return";
    if (!strcmp(source, "ssda903"))
        return "SSDA903 extract";
    if (!strcmp(source, "cin"))
        return "CIN census return";
    return source;
}

void rp_fmt_value(const rp_indicator *ind, int has, double v, char *out,
                  size_t outsz)
{
    if (!has) {
        liia_strlcpy(out, "", outsz);
        return;
    }
    snprintf(out, outsz, "%.*f%s", ind->decimals, v,
             strcmp(ind->unit, "pct") ? "" : "%");
}

void rp_fmt_rank(int rank, int of, char *out, size_t outsz)
{
    if (rank <= 0) {
        liia_strlcpy(out, "", outsz);
        return;
    }
    const char *sfx = "th";
    if (rank % 100 < 11 || rank % 100 > 13) {
        if (rank % 10 == 1)
            sfx = "st";
        else if (rank % 10 == 2)
            sfx = "nd";
        else if (rank % 10 == 3)
            sfx = "rd";
    }
    snprintf(out, outsz, "%d%s of %d published", rank, sfx, of);
}

void rp_rank_text(const rp_snapshot *s, const rp_cell *c, char *out,
                  size_t outsz)
{
    char cov[48];
    if (c->rank > 0 && rp_coverage(s, cov, sizeof cov)[0]) {
        char r[48];
        rp_fmt_rank(c->rank, c->rank_of, r, sizeof r);
        snprintf(out, outsz, "%s, %s", r, cov);
    } else if (c->rank > 0)
        rp_fmt_rank(c->rank, c->rank_of, out, outsz);
    else if (c->has_value && c->small_base)
        liia_strlcpy(out, "small base", outsz);
    else if (c->has_value && c->suppressed)
        liia_strlcpy(out, "not ranked (c)", outsz);
    else
        liia_strlcpy(out, "", outsz);
}

const char *rp_direction_text(const char *dir)
{
    if (!strcmp(dir, "improving"))
        return "\u25B2 improving";
    if (!strcmp(dir, "worsening"))
        return "\u25BC worsening";
    if (!strcmp(dir, "stable"))
        return "\u25B6 stable";
    if (!strcmp(dir, "higher"))
        return "\u2191 higher";
    if (!strcmp(dir, "lower"))
        return "\u2193 lower";
    if (!strcmp(dir, "not comparable"))
        return "not comparable";
    return dir;
}

const char *rp_funnel_text(const char *funnel)
{
    if (!strcmp(funnel, "within"))
        return "within limits";
    if (!strcmp(funnel, "high_95"))
        return "high (95%)";
    if (!strcmp(funnel, "low_95"))
        return "low (95%)";
    if (!strcmp(funnel, "high_998"))
        return "very high (99.8%)";
    if (!strcmp(funnel, "low_998"))
        return "very low (99.8%)";
    return funnel;
}

const char *rp_quartile_text(int quartile, int polarity)
{
    static const char *const best[] = {"", "Q1 best", "Q2", "Q3",
                                       "Q4 worst"};
    static const char *const high[] = {"", "Q1 highest", "Q2", "Q3",
                                       "Q4 lowest"};
    if (quartile < 1 || quartile > 4)
        return "";
    return polarity ? best[quartile] : high[quartile];
}

const char *rp_unit_text(const rp_indicator *ind)
{
    if (!strcmp(ind->unit, "per10k"))
        return "per 10,000 children";
    if (!strcmp(ind->unit, "pct"))
        return "%";
    return "ratio";
}

/* Blue for better, orange for worse (Paul Tol / ColorBrewer RdBu-like,
 * distinguishable with deuteranopia); purples for context indicators,
 * which have no better or worse. */
unsigned rp_quartile_fill(int quartile, int polarity)
{
    static const unsigned judged[] = {0xEEEEEE, 0x2166AC, 0x92C5DE,
                                      0xF4A582, 0xB2182B};
    static const unsigned context[] = {0xEEEEEE, 0x54278F, 0x9E9AC8,
                                       0xCBC9E2, 0xF2F0F7};
    if (quartile < 1 || quartile > 4)
        quartile = 0;
    return polarity ? judged[quartile] : context[quartile];
}

unsigned rp_quartile_ink(int quartile, int polarity)
{
    if (polarity ? (quartile == 1 || quartile == 4) : quartile == 1)
        return 0xFFFFFF;
    return 0x000000;
}

int rp_mkdir_p(const char *dir, liia_error *e)
{
    char path[4096];
    if (strlen(dir) >= sizeof path) {
        liia_error_fix(e, "use a shorter --out path");
        return liia_fail(e, LIIA_E_USAGE, "output directory name too long");
    }
    liia_strlcpy(path, dir, sizeof path);
    for (char *p = path + 1; ; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0700) && errno != EEXIST) {
            liia_strlcpy(e->file, path, sizeof e->file);
            liia_error_fix(e, "check the --out directory can be created");
            return liia_fail(e, LIIA_E_IO, "cannot create directory: %s",
                             strerror(errno));
        }
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "give --out a directory, not a file");
        return liia_fail(e, LIIA_E_IO, "not a directory");
    }
    return 0;
}

char *rp_path(const char *dir, const char *name, liia_error *e)
{
    char *p = liia_path_join(dir, name);
    if (!p)
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return p;
}

int rp_lxw_check(lxw_error err, const char *path, liia_error *e)
{
    if (err == LXW_NO_ERROR)
        return 0;
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "check the output directory is writable and has space");
    return liia_fail(e, LIIA_E_IO, "cannot write workbook: %s",
                     lxw_strerror(err));
}

static void group_text(const rp_snapshot *s, const rp_cell *c, size_t i,
                       char *out, size_t outsz)
{
    if (c->has_value && rp_suppressed(c->suppressed, 0))
        liia_strlcpy(out, "c", outsz);
    else
        rp_fmt_value(&s->ind[i], c->has_value, c->value, out, outsz);
}

const char *rp_better_text(int polarity)
{
    return polarity > 0 ? "higher is better"
           : polarity < 0 ? "lower is better"
                          : "context";
}

void rp_fmt_change(const rp_indicator *ind, int has, double v, char *out,
                   size_t outsz)
{
    if (!has) {
        liia_strlcpy(out, "", outsz);
        return;
    }
    /* a change at the shown precision: -0.0 reads as 0.0 */
    double r = v, scale = 1;
    for (int k = 0; k < ind->decimals; k++)
        scale *= 10;
    r = (double)(long long)(v * scale + (v < 0 ? -0.5 : 0.5)) / scale;
    if (r == 0)
        r = 0;
    snprintf(out, outsz, "%s%.*f%s", r > 0 ? "+" : "", ind->decimals, r,
             strcmp(ind->unit, "pct") ? "" : " pp");
}

void rp_change_text(const rp_indicator *ind, const char *dir, int has,
                    double v, char *out, size_t outsz)
{
    char chg[32];
    rp_fmt_change(ind, has, v, chg, sizeof chg);
    const char *d = rp_direction_text(dir);
    if (d[0] && chg[0])
        snprintf(out, outsz, "%s, %s", d, chg);
    else
        snprintf(out, outsz, "%s%s", d, chg);
}

void rp_sn_label(const rp_snapshot *s, const rp_cell *c, char *out,
                 size_t outsz)
{
    const char *cov = c->sn_coverage[0] ? c->sn_coverage : "none";
    if (!c->sn_published) {
        snprintf(out, outsz, "median of %s neighbours, from their London "
                 "quarterly returns for %s", cov, s->short_label);
        return;
    }
    char yr[64] = "";
    if (c->sn_year)
        snprintf(yr, sizeof yr, " for the year to 31 March %d", c->sn_year);
    char sup[64] = "";
    if (c->sn_ns)
        snprintf(sup, sizeof sup, ", %d suppressed or not published",
                 c->sn_ns);
    if (strstr(c->sn_sources, "does not publish"))
        snprintf(out, outsz, "median of %d of %d neighbours: %d London "
                 "quarterly returns for %s; DfE does not publish this "
                 "indicator, so neighbours outside London have none",
                 c->sn_n, c->sn_of, c->sn_nq, s->short_label);
    else
        snprintf(out, outsz, "median of %d of %d neighbours: %d London "
                 "quarterly returns for %s, %d DfE published%s%s", c->sn_n,
                 c->sn_of, c->sn_nq, s->short_label, c->sn_np, yr, sup);
}

/* One sentence of a note: "what: why; ".  Out of memory sets *oom: a pack
 * missing a note must not be written as if complete. */
static int note(liia_buf *out, int *oom, const char *what, const char *why)
{
    if (out && liia_buf_appendf(out, "%s: %s; ", what, why))
        *oom = 1;
    return 1;
}

static int group_note(liia_buf *out, int *oom, const char *who, const rp_cell *g)
{
    char why[200];
    if (!g->has_value) {
        snprintf(why, sizeof why, "no pooled value (%s)",
                 g->null_reason[0] ? g->null_reason
                                   : "no member's figure is published");
        return note(out, oom, who, why);
    }
    if (rp_suppressed(g->suppressed, 0))
        return note(out, oom, who, "c, its pooled count is 1 to 5");
    return 0;
}

int rp_comparator_notes(const rp_snapshot *s, size_t a, size_t i,
                        const rp_extra *x, liia_buf *out)
{
    const rp_cell *c = rp_la(s, a, i);
    char lab[400], why[600];
    int n = 0, oom = 0;
    if (c->null_reason[0])
        n += note(out, &oom, c->has_value ? "Value" : "No value", c->null_reason);
    n += group_note(out, &oom, "London", &s->london[i]);
    int g = rp_group_of(s, a);
    if (g >= 0)
        n += group_note(out, &oom, s->group_names[g],
                        &s->group[(size_t)g * s->n_ind + i]);
    rp_sn_label(s, c, lab, sizeof lab);
    if (!c->has_sn) {
        snprintf(why, sizeof why, "no median (%s); %s",
                 c->sn_reason[0] ? c->sn_reason
                                 : "fewer than 3 neighbours have a value",
                 lab);
        n += note(out, &oom, "Neighbours", why);
    } else if (c->sn_published ? c->sn_n < c->sn_of
                               : strncmp(c->sn_coverage, "10 of", 5) != 0) {
        snprintf(why, sizeof why, "only %s", lab);
        n += note(out, &oom, "Neighbours", why);
    } else
        note(out, &oom, "Neighbours", lab); /* a label, not a gap */
    const rp_published *en = &s->england[i];
    if (!en->has)
        n += note(out, &oom, "England", en->reason[0] ? en->reason
                                  : s->n_england
                                      ? "DfE does not publish this indicator"
                                      : "no DfE published statistics have "
                                        "been imported");
    if (x && x->notes && x->notes[i][0])
        n += note(out, &oom, "Note sent with your return", x->notes[i]);
    return oom ? -1 : n;
}

void rp_summary_row(const rp_snapshot *s, size_t a, size_t i, rp_row *row)
{
    const rp_cell *c = rp_la(s, a, i);
    const rp_indicator *ind = &s->ind[i];
    memset(row, 0, sizeof *row);
    if (c->has_value)
        rp_fmt_value(ind, 1, c->value, row->value, sizeof row->value);
    else
        liia_strlcpy(row->value, c->null_reason[0] ? "n/a" : "",
                     sizeof row->value);
    group_text(s, &s->london[i], i, row->london, sizeof row->london);
    int g = rp_group_of(s, a);
    if (g >= 0)
        group_text(s, &s->group[(size_t)g * s->n_ind + i], i, row->quadrant,
                   sizeof row->quadrant);
    char cov[48], v0[32];
    if (rp_coverage(s, cov, sizeof cov)[0] && row->london[0]) {
        liia_strlcpy(v0, row->london, sizeof v0);
        snprintf(row->london, sizeof row->london, "%s (%s)", v0, cov);
    }
    char v[32];
    rp_fmt_value(ind, c->has_sn, c->sn, v, sizeof v);
    if (c->has_sn && c->sn_coverage[0])
        snprintf(row->sn, sizeof row->sn, "%s (%s)", v, c->sn_coverage);
    else
        liia_strlcpy(row->sn, v, sizeof row->sn);
    rp_rank_text(s, c, row->rank, sizeof row->rank);
    row->quartile = rp_quartile_text(c->quartile, ind->polarity);
    row->better = rp_better_text(ind->polarity);
    rp_change_text(ind, c->dir_prev, c->has_change_prev, c->change_prev,
                   row->change, sizeof row->change);
    rp_change_text(ind, c->dir_yoy, c->has_change_yoy, c->change_yoy,
                   row->change_yoy, sizeof row->change_yoy);
    const rp_published *en = &s->england[i];
    if (en->has) {
        rp_fmt_value(ind, 1, en->value, v, sizeof v);
        snprintf(row->england, sizeof row->england, "%s (%d)", v, en->year);
    }
    row->noted = rp_comparator_notes(s, a, i, NULL, NULL) > 0;
    liia_strlcpy(row->funnel, rp_funnel_text(c->funnel), sizeof row->funnel);
}

static double nice(double raw)
{
    double mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

/* docs/maths.md "Trend axes": from zero when the data come near it (the
 * smallest value under half the largest); otherwise over the data with a
 * minimum span (10 percentage points for a percentage, a fifth of the
 * largest value for a rate or ratio), so a change of a few tenths is not
 * drawn as a spike, and marked as not starting at zero. */
rp_axis rp_trend_axis(const rp_indicator *ind, double vmin, double vmax)
{
    rp_axis a = {0, 1, 0.2, 0};
    if (!(vmax > 0))
        return a;
    if (vmin < 0)
        vmin = 0;
    if (vmin <= vmax / 2) {
        a.step = nice(vmax / 5);
        a.hi = ceil(vmax / a.step - 1e-9) * a.step;
        return a;
    }
    double min_span = strcmp(ind->unit, "pct") ? vmax / 5 : 10;
    double span = vmax - vmin > min_span ? vmax - vmin : min_span;
    double mid = (vmin + vmax) / 2;
    a.step = nice(span / 5);
    a.lo = floor((mid - span / 2) / a.step + 1e-9) * a.step;
    a.hi = ceil((mid + span / 2) / a.step - 1e-9) * a.step;
    if (!strcmp(ind->unit, "pct") && a.hi > 100) {
        a.lo -= a.hi - 100;
        a.hi = 100;
    }
    if (a.lo <= 0) {
        a.hi -= a.lo;
        a.lo = 0;
    }
    a.broken = a.lo > 0;
    return a;
}
