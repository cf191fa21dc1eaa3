/*
 * rp_format.c - how figures are written in every pack: decimals per
 * indicator, ranks as "7th of 33", direction as arrow + word, disclosure
 * control, and the quartile palette.
 */
#include <errno.h>
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

const char *rp_source_text(const rp_snapshot *s)
{
    return s->child_level ? "LIIA quarterly returns and SSDA903 extracts"
                          : "LIIA quarterly returns";
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
    liia_strlcpy(row->change, rp_direction_text(c->dir_prev),
                 sizeof row->change);
    liia_strlcpy(row->funnel, rp_funnel_text(c->funnel), sizeof row->funnel);
}
