/*
 * rp_xlsx.c - what every workbook shares: opening with fixed document
 * properties (so the same inputs give the same content), closing with the
 * error checked, and one set of cell formats.
 */
#include <stdio.h>
#include <string.h>

#include "rp_xlsx.h"

lxw_workbook *rp_wb_open(const char *path, const char *title, time_t created,
                         liia_error *e)
{
    return rp_wb_open_opt(path, NULL, title, created, e);
}

lxw_workbook *rp_wb_open_opt(const char *path, lxw_workbook_options *opt,
                             const char *title, time_t created, liia_error *e)
{
    lxw_workbook *wb = workbook_new_opt(path, opt);
    if (!wb) {
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_error_fix(e, "check the output directory is writable");
        liia_fail(e, LIIA_E_IO, "cannot create workbook");
        return NULL;
    }
    lxw_doc_properties props = {0};
    props.title = (char *)title;
    props.author = "liia-bench";
    props.company = "London Innovation and Improvement Alliance";
    props.created = created;
    if (workbook_set_properties(wb, &props) != LXW_NO_ERROR) {
        lxw_error err = workbook_close(wb);
        (void)err; /* already failing; the first error is the one to report */
        liia_fail(e, LIIA_E_NOMEM, "cannot set workbook properties");
        return NULL;
    }
    return wb;
}

static lxw_format *fmt(lxw_workbook *wb, int bold, double size)
{
    lxw_format *f = workbook_add_format(wb);
    format_set_font_name(f, "Arial");
    format_set_font_size(f, size);
    if (bold)
        format_set_bold(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    return f;
}

static lxw_format *fill(lxw_workbook *wb, unsigned bg, unsigned ink)
{
    lxw_format *f = fmt(wb, 0, 10);
    format_set_pattern(f, LXW_PATTERN_SOLID);
    format_set_bg_color(f, bg);
    format_set_font_color(f, ink);
    format_set_align(f, LXW_ALIGN_CENTER);
    return f;
}

void rp_fmts_init(rp_fmts *F, lxw_workbook *wb)
{
    memset(F, 0, sizeof *F);
    F->wb = wb;
    F->title = fmt(wb, 1, 16);
    F->subtitle = fmt(wb, 0, 10);
    format_set_font_color(F->subtitle, 0x555555);
    F->heading = fmt(wb, 1, 12);
    format_set_font_color(F->heading, RP_BLUE);
    F->head = fmt(wb, 1, 10);
    format_set_pattern(F->head, LXW_PATTERN_SOLID);
    format_set_bg_color(F->head, 0xE8E8E8);
    format_set_bottom(F->head, LXW_BORDER_THIN);
    format_set_text_wrap(F->head);
    F->text = fmt(wb, 0, 10);
    F->bold = fmt(wb, 1, 10);
    F->wrap = fmt(wb, 0, 10);
    format_set_text_wrap(F->wrap);
    F->right = fmt(wb, 0, 10);
    format_set_align(F->right, LXW_ALIGN_RIGHT);
    F->better = fmt(wb, 1, 10);
    format_set_font_color(F->better, RP_BLUE);
    F->worse = fmt(wb, 1, 10);
    format_set_font_color(F->worse, RP_VERMILION);
    F->error = fill(wb, 0xF4A582, 0x000000);
    F->warning = fill(wb, 0xFFE8A0, 0x000000);
    format_set_align(F->error, LXW_ALIGN_LEFT);
    format_set_align(F->warning, LXW_ALIGN_LEFT);
    for (int pol = 0; pol < 2; pol++)
        for (int q = 0; q < 5; q++)
            F->quartile[pol][q] = fill(wb, rp_quartile_fill(q, pol),
                                       rp_quartile_ink(q, pol));
}

lxw_format *rp_fmt_num(rp_fmts *F, const rp_indicator *ind)
{
    int d = ind->decimals > 4 ? 4 : ind->decimals;
    int pct = !strcmp(ind->unit, "pct");
    if (!F->num[d][pct]) {
        char spec[32] = "0";
        if (d)
            snprintf(spec, sizeof spec, "0.%.*s", d, "0000");
        if (pct)
            strcat(spec, "\"%\"");
        F->num[d][pct] = fmt(F->wb, 0, 10);
        format_set_num_format(F->num[d][pct], spec);
    }
    return F->num[d][pct];
}

void rp_put_change(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, rp_fmts *F,
                   const rp_indicator *ind, int has, double v)
{
    int d = ind->decimals > 4 ? 4 : ind->decimals;
    int pct = !strcmp(ind->unit, "pct");
    if (!has) {
        rp_str(F, ws, r, c, "", F->text);
        return;
    }
    if (!F->chg[d][pct]) {
        char n[16] = "0", spec[96];
        if (d)
            snprintf(n, sizeof n, "0.%.*s", d, "0000");
        const char *u = pct ? "\" pp\"" : "";
        snprintf(spec, sizeof spec, "+%s%s;-%s%s;%s%s", n, u, n, u, n, u);
        F->chg[d][pct] = fmt(F->wb, 0, 10);
        format_set_num_format(F->chg[d][pct], spec);
    }
    rp_num(F, ws, r, c, v, F->chg[d][pct]);
}

lxw_format *rp_fmt_quartile(rp_fmts *F, int quartile, int polarity)
{
    return F->quartile[polarity != 0][quartile >= 1 && quartile <= 4
                                          ? quartile : 0];
}

lxw_format *rp_fmt_direction(rp_fmts *F, const char *dir)
{
    if (!strcmp(dir, "improving"))
        return F->better;
    if (!strcmp(dir, "worsening"))
        return F->worse;
    return F->text;
}

void rp_chk(rp_fmts *F, lxw_error err)
{
    if (err != LXW_NO_ERROR && F->err == LXW_NO_ERROR)
        F->err = err;
}

void rp_str(rp_fmts *F, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
            const char *s, lxw_format *f)
{
    if (s && s[0])
        rp_chk(F, worksheet_write_string(ws, r, c, s, f));
    else if (f)
        rp_chk(F, worksheet_write_blank(ws, r, c, f));
}

void rp_num(rp_fmts *F, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
            double v, lxw_format *f)
{
    rp_chk(F, worksheet_write_number(ws, r, c, v, f));
}

void rp_put_value(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, rp_fmts *F,
                  const rp_indicator *ind, int has, double v, int suppressed)
{
    if (!has)
        rp_str(F, ws, r, c, "", F->text);
    else if (suppressed)
        rp_str(F, ws, r, c, "c", F->right);
    else
        rp_num(F, ws, r, c, v, rp_fmt_num(F, ind));
}

int rp_wb_finish(rp_fmts *F, const char *path, liia_error *e)
{
    lxw_error close_err = workbook_close(F->wb);
    F->wb = NULL;
    return rp_lxw_check(F->err != LXW_NO_ERROR ? F->err : close_err, path, e);
}

lxw_worksheet *rp_sheet(rp_fmts *F, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(F->wb, name);
    if (!ws) {
        rp_chk(F, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    /* Printed by people who take packs to meetings: A4 landscape, one
     * page wide, as many pages tall as needed. */
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
    return ws;
}
