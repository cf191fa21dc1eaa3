/*
 * rp_xlsx_london.c - the London overview workbook for the programme team:
 * the tartan rug (authorities x indicators coloured by quartile, value and
 * quartile shown in each cell), the submission grid, the pooled values
 * of London and every comparator group, and the data-quality summary.  Everything here shows other
 * authorities' figures, so disclosure control applies throughout.
 */
#include <stdio.h>
#include <string.h>

#include "rp_xlsx.h"

typedef struct london_book {
    rp_fmts F;
    const rp_snapshot *s;
    /* [judged][quartile][decimals][pct]: fill plus a number format that
     * also prints the quartile, so the colour is never the only cue. */
    lxw_format *rug[2][5][5][2];
} london_book;

static lxw_format *rug_fmt(london_book *b, const rp_indicator *ind, int q)
{
    int pol = ind->polarity != 0, d = ind->decimals > 4 ? 4 : ind->decimals;
    int pct = !strcmp(ind->unit, "pct");
    q = q >= 1 && q <= 4 ? q : 0;
    lxw_format **f = &b->rug[pol][q][d][pct];
    if (*f)
        return *f;
    *f = workbook_add_format(b->F.wb);
    format_set_font_name(*f, "Arial");
    format_set_font_size(*f, 9);
    format_set_pattern(*f, LXW_PATTERN_SOLID);
    format_set_bg_color(*f, rp_quartile_fill(q, pol));
    format_set_font_color(*f, rp_quartile_ink(q, pol));
    format_set_align(*f, LXW_ALIGN_CENTER);
    char spec[48] = "0";
    if (d)
        snprintf(spec, sizeof spec, "0.%.*s", d, "0000");
    char full[64];
    snprintf(full, sizeof full, "%s%s%s", spec, pct ? "\"%\"" : "",
             q ? (const char *[]){"", "\" Q1\"", "\" Q2\"", "\" Q3\"",
                                  "\" Q4\""}[q]
               : "");
    format_set_num_format(*f, full);
    return *f;
}

static void rug_cell(london_book *b, lxw_worksheet *ws, lxw_row_t r,
                     lxw_col_t col, const rp_cell *c, size_t i)
{
    const rp_indicator *ind = &b->s->ind[i];
    if (!c->has_value)
        rp_str(&b->F, ws, r, col, "n/a", b->F.quartile[0][0]);
    else if (rp_suppressed(c->suppressed, 0))
        rp_str(&b->F, ws, r, col, "c", b->F.quartile[0][0]);
    else
        rp_num(&b->F, ws, r, col, c->value, rug_fmt(b, ind, c->quartile));
}

static void rug_legend(london_book *b, lxw_worksheet *ws, lxw_row_t r)
{
    rp_fmts *F = &b->F;
    rp_str(F, ws, r, 0, "Judged indicators", F->bold);
    rp_str(F, ws, r + 1, 0, "Context indicators", F->bold);
    static const char *const judged[] = {"Q1 best", "Q2", "Q3", "Q4 worst"};
    static const char *const ctx[] = {"Q1 highest", "Q2", "Q3", "Q4 lowest"};
    for (int q = 1; q <= 4; q++) {
        rp_str(F, ws, r, (lxw_col_t)(q + 1), judged[q - 1], F->quartile[1][q]);
        rp_str(F, ws, r + 1, (lxw_col_t)(q + 1), ctx[q - 1],
               F->quartile[0][q]);
    }
    rp_str(F, ws, r + 2, 0, "c = based on 1 to 5 children (suppressed); "
           "n/a = no value for the quarter.", F->subtitle);
}

static void write_rug(london_book *b, lxw_worksheet *ws)
{
    rp_fmts *F = &b->F;
    const rp_snapshot *s = b->s;
    char t[160];
    snprintf(t, sizeof t, "London tartan rug, %s", s->label);
    rp_str(F, ws, 0, 0, t, F->title);
    rp_str(F, ws, 1, 0, "Each cell shows the value and its quartile among "
           "London authorities; colour repeats the quartile.", F->subtitle);
    lxw_format *up = workbook_add_format(F->wb);
    format_set_rotation(up, 90);
    format_set_text_wrap(up);
    format_set_font_size(up, 8);
    format_set_align(up, LXW_ALIGN_CENTER);
    rp_str(F, ws, 3, 0, "Authority", F->head);
    rp_str(F, ws, 3, 1, "Quadrant", F->head);
    rp_chk(F, worksheet_set_column(ws, 0, 0, 24, NULL));
    rp_chk(F, worksheet_set_column(ws, 1, 1, 9, NULL));
    rp_chk(F, worksheet_set_column(ws, 2, (lxw_col_t)(1 + s->n_ind), 10,
                                   NULL));
    rp_chk(F, worksheet_set_row(ws, 4, 120, NULL));
    for (size_t i = 0; i < s->n_ind; i++) {
        rp_str(F, ws, 3, (lxw_col_t)(2 + i), s->ind[i].id, F->head);
        rp_str(F, ws, 4, (lxw_col_t)(2 + i), s->ind[i].title, up);
    }
    for (size_t a = 0; a < s->n_auth; a++) {
        lxw_row_t r = (lxw_row_t)(5 + a);
        rp_str(F, ws, r, 0, s->auth[a].name, F->text);
        rp_str(F, ws, r, 1, s->auth[a].quadrant_name, F->text);
        for (size_t i = 0; i < s->n_ind; i++)
            rug_cell(b, ws, r, (lxw_col_t)(2 + i), rp_la(s, a, i), i);
    }
    /* London's published pooled value beside the authorities (no
     * quartile: it is what they are ranked around) */
    lxw_row_t lr = (lxw_row_t)(5 + s->n_auth);
    rp_str(F, ws, lr, 0, "London (pooled)", F->bold);
    rp_str(F, ws, lr, 1, "all", F->text);
    for (size_t i = 0; i < s->n_ind; i++)
        rug_cell(b, ws, lr, (lxw_col_t)(2 + i), &s->london[i], i);
    rug_legend(b, ws, (lxw_row_t)(7 + s->n_auth));
    worksheet_freeze_panes(ws, 5, 2);
}

static int ind_of(const rp_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->n_ind; i++)
        if (!strcmp(s->ind[i].id, id))
            return (int)i;
    return -1;
}

/* The published pooled values: over the members whose own figure is
 * published, totals rounded to the nearest 10, the value at its published
 * precision; so no suppressed authority's count can be had by taking the
 * others from the total (docs/disclosure.md). */
static const char SQL_POOLED[] =
    "SELECT indicator, area_type, area_name, pub_value, pub_numerator,"
    "       pub_denominator, pub_included || ' of ' || n_possible, suppressed"
    "  FROM benchmark"
    " WHERE period = ?1"
    "   AND area_type IN ('region', 'quadrant', 'ics', 'inner_outer')"
    " ORDER BY indicator, area_type = 'region' DESC, area_type, area_code";

static void pooled_row(london_book *b, lxw_worksheet *ws, lxw_row_t r,
                       sqlite3_stmt *st, size_t i)
{
    rp_fmts *F = &b->F;
    const rp_indicator *ind = &b->s->ind[i];
    int has_v = sqlite3_column_type(st, 3) != SQLITE_NULL;
    int has_n = sqlite3_column_type(st, 4) != SQLITE_NULL;
    int has_d = sqlite3_column_type(st, 5) != SQLITE_NULL;
    double num = sqlite3_column_double(st, 4);
    int c = rp_suppressed(sqlite3_column_int(st, 7), 0);
    rp_str(F, ws, r, 0, ind->id, F->text);
    rp_str(F, ws, r, 1, ind->title, F->text);
    rp_str(F, ws, r, 2, (const char *)sqlite3_column_text(st, 1), F->text);
    rp_str(F, ws, r, 3, (const char *)sqlite3_column_text(st, 2), F->text);
    rp_put_value(ws, r, 4, F, ind, has_v, sqlite3_column_double(st, 3), c);
    if (c)
        rp_str(F, ws, r, 5, "c", F->right);
    else if (has_n)
        rp_num(F, ws, r, 5, num, F->text);
    if (has_d)
        rp_num(F, ws, r, 6, sqlite3_column_double(st, 5), F->text);
    rp_str(F, ws, r, 7, (const char *)sqlite3_column_text(st, 6), F->text);
}

static int write_pooled(london_book *b, sqlite3 *db, lxw_worksheet *ws,
                        liia_error *e)
{
    rp_fmts *F = &b->F;
    char t[160];
    snprintf(t, sizeof t, "Pooled values: London and comparator groups, %s",
             b->s->label);
    rp_str(F, ws, 0, 0, t, F->title);
    rp_str(F, ws, 1, 0, "Sum of numerators over sum of denominators of the "
           "authorities whose figure is published (never a mean of rates); "
           "numerators and denominators rounded to the nearest 10.",
           F->subtitle);
    static const char *const heads[] = {"Id", "Indicator", "Area type",
                                        "Area", "Value", "Numerator (to 10)",
                                        "Denominator (to 10)",
                                        "Published from"};
    static const double widths[] = {7, 44, 12, 24, 10, 12, 12, 11};
    for (lxw_col_t k = 0; k < 8; k++) {
        rp_str(F, ws, 3, k, heads[k], F->head);
        rp_chk(F, worksheet_set_column(ws, k, k, widths[k], NULL));
    }
    sqlite3_stmt *st;
    if (liia_db_prepare(db, SQL_POOLED, &st, e))
        return -1;
    if (sqlite3_bind_text(st, 1, b->s->period, -1, SQLITE_STATIC)) {
        sqlite3_finalize(st);
        return liia_db_fail(e, db, "binding the period");
    }
    lxw_row_t r = 4;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = ind_of(b->s, (const char *)sqlite3_column_text(st, 0));
        if (i >= 0)
            pooled_row(b, ws, r++, st, (size_t)i);
    }
    if (sqlite3_finalize(st) != SQLITE_OK || rc != SQLITE_DONE)
        return liia_db_fail(e, db, "reading pooled values");
    worksheet_freeze_panes(ws, 4, 2);
    rp_chk(F, worksheet_autofilter(ws, 3, 0, r > 4 ? r - 1 : 4, 7));
    return 0;
}

int rp_write_london_workbook(sqlite3 *db, const rp_snapshot *s,
                             const char *path, liia_error *e)
{
    char title[160];
    snprintf(title, sizeof title, "London overview, %s", s->label);
    lxw_workbook *wb = rp_wb_open(path, title, s->created, e);
    if (!wb)
        return -1;
    london_book b = {.s = s};
    rp_fmts_init(&b.F, wb);
    lxw_worksheet *rug = rp_sheet(&b.F, "Tartan rug");
    lxw_worksheet *grid = rp_sheet(&b.F, "Submissions");
    lxw_worksheet *pooled = rp_sheet(&b.F, "Pooled values");
    lxw_worksheet *dq = rp_sheet(&b.F, "Data quality");
    int rc = 0;
    if (!rug || !grid || !pooled || !dq)
        rp_chk(&b.F, LXW_ERROR_MEMORY_MALLOC_FAILED);
    else {
        write_rug(&b, rug);
        rc = rp_write_submission_grid(db, s, &b.F, grid, e) ||
             write_pooled(&b, db, pooled, e) || rp_write_dq_summary(db, s, &b.F, dq, e);
    }
    if (rc) {
        /* Close only to free the workbook; e already says what failed. */
        liia_error close_err;
        liia_error_clear(&close_err);
        rp_wb_finish(&b.F, path, &close_err);
        return -1;
    }
    return rp_wb_finish(&b.F, path, e);
}
