/*
 * test_pack.c - what a reader of one pack sees, checked on the report
 * library's own pieces over the fixture store: the headline sentences, the
 * ranked chart's subtitle and layout, the tartan rug's cells and the
 * funnel plot with nothing to plot.  Charts are drawn into image surfaces
 * and read back pixel by pixel, so a test sees what a reader would.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "fixture.h"
#include "rp_internal.h"
#include "unit.h"

#define PERIOD "2025-03-31"
#define CAMDEN "E09000007"

/* ------------------------------------------------------------ helpers */

static size_t ind_at(const rp_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->n_ind; i++)
        if (!strcmp(s->ind[i].id, id))
            return i;
    fprintf(stderr, "no indicator %s in the fixture\n", id);
    exit(1);
}

static size_t auth_at(const rp_snapshot *s, const char *gss)
{
    int a = rp_auth_index(s, gss);
    if (a < 0) {
        fprintf(stderr, "no authority %s in the fixture\n", gss);
        exit(1);
    }
    return (size_t)a;
}

/* The headlines as one text, a line each. */
static void hl_collect(void *ctx, int kind, const char *text)
{
    (void)kind;
    liia_buf *b = ctx;
    if (liia_buf_appendf(b, "%s\n", text))
        fprintf(stderr, "out of memory collecting the headlines\n");
}

static char *headlines(sqlite3 *db, const rp_snapshot *s, size_t a)
{
    rp_extra x;
    liia_error e;
    liia_error_clear(&e);
    if (rp_extra_load(db, s, a, &x, &e)) {
        liia_error_print(stderr, &e);
        return NULL;
    }
    liia_buf b;
    liia_buf_init(&b);
    rp_headlines(s, a, &x, hl_collect, &b);
    rp_extra_free(&x);
    return liia_buf_detach(&b);
}

/* ------------------------------------------------------------ 1 */

/* Camden's child-level returns of the quarter were accepted with errors
 * (their cells in error blanked): its Director reads so on the headlines
 * page, beside the quarterly return's position. */
static void test_headlines_child_returns(sqlite3 *db, const rp_snapshot *s)
{
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_db_exec(db, "INSERT INTO submission (la_code, period,"
                           " return_type, version, status, received_at,"
                           " file_name, sha256, errors, warnings, rows)"
                           " VALUES ('" CAMDEN "', '" PERIOD "', 'ssda903', 1,"
                           " 'accepted', '2025-05-01T09:00:00Z', 'header.csv',"
                           " 'cc', 10, 0, 400), ('" CAMDEN "', '" PERIOD "',"
                           " 'cin', NULL, 'rejected', '2025-05-02T09:00:00Z',"
                           " 'cin.xml', 'dd', 1, 0, 0), ('" CAMDEN "',"
                           " '" PERIOD "', 'cin', 2, 'accepted',"
                           " '2025-05-03T09:00:00Z', 'cin2.xml', 'ee', 3, 1,"
                           " 300)", &e), 0);
    /* two of Camden's figures come from its SSDA903 return */
    CHECK_INT(liia_db_exec(db, "UPDATE temp.benchmark SET source = 'ssda903'"
                           " WHERE area_code = '" CAMDEN "' AND period = '"
                           PERIOD "' AND indicator IN ('CLA01', 'CLA02')",
                           &e), 0);
    char *t = headlines(db, s, auth_at(s, CAMDEN));
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(strstr(t, "Quarterly return: version 1 accepted") != NULL);
    CHECK(strstr(t, "SSDA903 children looked after (child-level): version 1 "
                    "accepted with 10 errors (their cells blanked) and 0 "
                    "warnings; 2 of this quarter's figures come from it (Data "
                    "quality).") != NULL);
    CHECK(strstr(t, "Children in need census (child-level): version 2 "
                    "accepted with 3 errors (their cells blanked) and 1 "
                    "warning; none of this quarter's figures come from it (Data "
                    "quality).") != NULL);
    /* another authority's returns are not Camden's */
    char *o = headlines(db, s, auth_at(s, "E09000001"));
    CHECK(o && !strstr(o, "SSDA903") && !strstr(o, "census"));
    free(o);
    free(t);
    CHECK_INT(liia_db_exec(db, "DELETE FROM submission WHERE return_type <>"
                           " 'quarterly'; UPDATE temp.benchmark SET source ="
                           " 'quarterly'", &e), 0);
}

/* ------------------------------------------------------------ 2 */

/* The City's CP05 (3 children) is suppressed: in anyone else's ranked
 * chart it is counted as suppressed, never as "no value"; in its own pack
 * it is shown.  Camden's CL03 has no value. */
static void test_ranked_subtitle(const rp_snapshot *s)
{
    char sub[240];
    size_t cp05 = ind_at(s, "CP05"), cl03 = ind_at(s, "CL03");
    int cam = (int)auth_at(s, CAMDEN), cit = (int)auth_at(s, "E09000001");
    rp_ranked_subtitle(s, cp05, cam, sub, sizeof sub);
    CHECK_STR(sub, "%, Q4 2024-25; best on the left; 32 of 33 authorities "
                   "shown, 1 suppressed (c)");
    rp_ranked_subtitle(s, cp05, -1, sub, sizeof sub);
    CHECK(strstr(sub, "32 of 33 authorities shown, 1 suppressed (c)") &&
          !strstr(sub, "no value"));
    rp_ranked_subtitle(s, cp05, cit, sub, sizeof sub);
    CHECK(strstr(sub, "; 33 of 33 authorities shown") &&
          !strstr(sub, "suppressed"));
    rp_ranked_subtitle(s, cl03, cit, sub, sizeof sub);
    CHECK(strstr(sub, "32 of 33 authorities shown, 1 with no value (-)") &&
          !strstr(sub, "suppressed"));
}

/* ------------------------------------------------------------ 3 */

typedef void (*chart_fn)(cairo_t *cr, rp_rect r, const rp_snapshot *s,
                         size_t i, int own, int with_source);

/* A chart drawn as the PDF draws it, at twice its size in points. */
static cairo_surface_t *draw(chart_fn fn, rp_rect r, const rp_snapshot *s,
                             size_t i, int own)
{
    cairo_surface_t *sf = cairo_image_surface_create(
        CAIRO_FORMAT_RGB24, (int)(r.w * 2), (int)(r.h * 2));
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, 2, 2);
    fn(cr, r, s, i, own, 0);
    cairo_destroy(cr);
    cairo_surface_flush(sf);
    return sf;
}

static unsigned pixel(cairo_surface_t *sf, int x, int y)
{
    const unsigned char *px = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf);
    return *(const unsigned *)(px + y * stride + x * 4) & 0xFFFFFF;
}

/* Pixels not white in [x0, x1) x [y0, y1) of the surface (in points). */
static long ink(cairo_surface_t *sf, double x0, double x1, double y0,
                double y1)
{
    long n = 0;
    int w = cairo_image_surface_get_width(sf);
    int h = cairo_image_surface_get_height(sf);
    for (int y = (int)(y0 * 2); y < (int)(y1 * 2) && y < h; y++)
        for (int x = (int)(x0 * 2); x < (int)(x1 * 2) && x < w; x++)
            n += pixel(sf, x, y) != 0xFFFFFF;
    return n;
}

/* The rotated unit title ("per 10,000 children") beside the value axis
 * stays beside the plot: nothing is drawn in the strip left of the title
 * and subtitle (they start at f from the left) down to the subtitle's
 * foot, and the title is still drawn there below it. */
static void check_axis_title(const char *what, chart_fn fn, rp_rect r,
                             const rp_snapshot *s, size_t i, int own)
{
    double f = rp_font_for(r);
    cairo_surface_t *sf = draw(fn, r, s, i, own);
    cairo_t *cr = cairo_create(sf);
    char sub[240];
    if (fn == rp_chart_ranked)
        rp_ranked_subtitle(s, i, own, sub, sizeof sub);
    else
        snprintf(sub, sizeof sub, "%s, last 8 quarters to %s",
                 rp_unit_text(&s->ind[i]), s->short_label);
    double foot = f * 0.4 +
                  rp_text_height(cr, s->ind[i].title, r.w - 2 * f, f * 1.25,
                                 1) +
                  rp_text_height(cr, sub, r.w - 2 * f, f * 0.95, 0);
    cairo_destroy(cr);
    long over = ink(sf, 0, f * 0.95, 0, foot);
    long beside = ink(sf, 0, f * 0.95, foot, r.h);
    if (getenv("TEST_PACK_PNG")) /* to look at: the chart as checked */
        cairo_surface_write_to_png(sf, getenv("TEST_PACK_PNG"));
    if (over || !beside)
        fprintf(stderr, "%s: %ld pixels of the axis title beside the title "
                "and subtitle, %ld beside the plot\n", what, over, beside);
    CHECK(over == 0);
    CHECK(beside > 0);
    cairo_surface_destroy(sf);
}

static void test_axis_title(const rp_snapshot *s)
{
    size_t fd01 = ind_at(s, "FD01");
    int cam = (int)auth_at(s, CAMDEN);
    /* the PDF's rectangles (rp_pdf.c: RANK_H, PAIR_H on A4) */
    rp_rect ranked = {0, 0, 523.3, 146}, pair = {0, 0, 257.6, 144};
    check_axis_title("ranked", rp_chart_ranked, ranked, s, fd01, cam);
    check_axis_title("trend", rp_chart_trend, pair, s, fd01, cam);
    check_axis_title("trend, London", rp_chart_trend, pair, s, fd01, -1);
    /* a chart file (560 x 340) */
    rp_rect file = {0, 0, 560, 340};
    check_axis_title("ranked file", rp_chart_ranked, file, s, fd01, cam);
}

/* ------------------------------------------------------------ 4 */

/* The columns of the one cell filled with fill: [x0, x1) x [y0, y1). */
static int find_cell(cairo_surface_t *sf, unsigned fill, int *x0, int *x1,
                     int *y0, int *y1)
{
    int w = cairo_image_surface_get_width(sf);
    int h = cairo_image_surface_get_height(sf);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (pixel(sf, x, y) != fill)
                continue;
            *x0 = x, *y0 = y;
            for (*x1 = x; *x1 < w && pixel(sf, *x1, y) == fill; (*x1)++)
                ;
            for (*y1 = y; *y1 < h && pixel(sf, x, *y1) == fill; (*y1)++)
                ;
            return 0;
        }
    return -1;
}

/* The runs of columns of a cell that hold ink (not its fill): the gap
 * before the last (the quartile digit) and the margins either side. */
static void cell_gaps(cairo_surface_t *sf, unsigned fill, int x0, int x1,
                      int y0, int y1, int *gap, int *left, int *right)
{
    int first = -1, last = -1, start_last = -1, end_prev = -1;
    for (int x = x0; x < x1; x++) {
        int inked = 0;
        for (int y = y0; y < y1 && !inked; y++)
            inked = pixel(sf, x, y) != fill;
        if (!inked)
            continue;
        if (first < 0)
            first = x;
        if (last >= 0 && x > last + 1) { /* a new run */
            end_prev = last;
            start_last = x;
        }
        last = x;
    }
    *gap = start_last >= 0 ? start_last - end_prev - 1 : 0;
    *left = first - x0;
    *right = x1 - 1 - last;
}

/* A 4-digit value with its quartile in the corner: the digit stands clear
 * of the value and both of the cell's edges (the rug is written at 2x: 5
 * pixels are 2.5 pt). */
static void test_rug_digit(rp_snapshot *s)
{
    size_t n = s->n_auth * s->n_ind;
    rp_cell *la = malloc(n * sizeof *la), *lon = malloc(s->n_ind * sizeof *lon);
    CHECK(la && lon);
    if (!la || !lon)
        return;
    memcpy(la, s->la, n * sizeof *la);
    memcpy(lon, s->london, s->n_ind * sizeof *lon);
    for (size_t k = 0; k < n; k++)
        s->la[k].has_value = 0;
    for (size_t i = 0; i < s->n_ind; i++)
        s->london[i].has_value = 0;
    size_t fd01 = ind_at(s, "FD01");
    rp_cell *c = rp_la(s, auth_at(s, CAMDEN), fd01);
    c->has_value = 1;
    c->value = 2452.4;
    c->quartile = 2; /* a wide digit, as 3 and 4 */
    c->suppressed = 0;
    int written = 0;
    rp_failures fl;
    memset(&fl, 0, sizeof fl);
    liia_buf_init(&fl.names);
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(rp_rug_files(SCRATCH_DIR "/pack_rug", s, &written, &fl, &e), 0);
    CHECK_INT(written, 2);
    liia_buf_free(&fl.names);
    cairo_surface_t *sf =
        cairo_image_surface_create_from_png(SCRATCH_DIR "/pack_rug.png");
    CHECK_INT(cairo_surface_status(sf), CAIRO_STATUS_SUCCESS);
    int x0 = 0, x1 = 0, y0 = 0, y1 = 0, gap = 0, left = 0, right = 0;
    unsigned fill = rp_quartile_fill(2, s->ind[fd01].polarity);
    CHECK_INT(find_cell(sf, fill, &x0, &x1, &y0, &y1), 0);
    cell_gaps(sf, fill, x0, x1, y0, y1, &gap, &left, &right);
    if (gap < 5 || left < 3 || right < 3)
        fprintf(stderr, "rug cell %d px wide: %d px between the value and "
                "its quartile, %d px left, %d px right\n", x1 - x0, gap,
                left, right);
    CHECK(gap >= 5);
    CHECK(left >= 3);
    CHECK(right >= 3);
    cairo_surface_destroy(sf);
    memcpy(s->la, la, n * sizeof *la);
    memcpy(s->london, lon, s->n_ind * sizeof *lon);
    free(la);
    free(lon);
}

/* ------------------------------------------------------------ 5 */

/* A funnel plot with nothing to plot says so in a line across its middle
 * and draws no legend: nothing under the subtitle but that line. */
static void check_empty_funnel(const char *what, const rp_snapshot *s,
                               size_t i, int own)
{
    rp_rect r = {0, 0, 257.6, 144}; /* the PDF's */
    double f = rp_font_for(r);
    cairo_surface_t *sf = draw(rp_chart_funnel, r, s, i, own);
    cairo_t *cr = cairo_create(sf);
    /* title and subtitle: one line each at this width */
    double foot = f * 0.4 + rp_text_height(cr, s->ind[i].title, 0, f * 1.25, 1) +
                  rp_text_height(cr, "Funnel plot", 0, f * 0.95, 0);
    cairo_destroy(cr);
    long legend = ink(sf, 0, r.w, foot + f * 0.2, r.h * 0.5 - f * 1.5);
    long note = ink(sf, 0, r.w, r.h * 0.5 - f * 1.5, r.h);
    if (legend || !note)
        fprintf(stderr, "%s: %ld pixels under the subtitle, %ld in the lower "
                "half\n", what, legend, note);
    CHECK(legend == 0);
    CHECK(note > 0);
    if (getenv("TEST_PACK_PNG")) /* to look at: the chart as checked */
        cairo_surface_write_to_png(sf, getenv("TEST_PACK_PNG"));
    cairo_surface_destroy(sf);
}

static void test_empty_funnel(rp_snapshot *s)
{
    /* the City's average caseload: a ratio has no funnel */
    size_t wf04 = ind_at(s, "WF04"), cp06 = ind_at(s, "CP06");
    int cit = (int)auth_at(s, "E09000001");
    check_empty_funnel("WF04, the City", s, wf04, cit);
    /* no authority with a published value */
    rp_cell *saved = malloc(s->n_auth * sizeof *saved);
    CHECK(saved != NULL);
    if (!saved)
        return;
    for (size_t a = 0; a < s->n_auth; a++) {
        saved[a] = *rp_la(s, a, cp06);
        rp_la(s, a, cp06)->has_value = 0;
    }
    check_empty_funnel("CP06, no values", s, cp06, -1);
    for (size_t a = 0; a < s->n_auth; a++)
        *rp_la(s, a, cp06) = saved[a];
    free(saved);
}

/* ------------------------------------------------------------ 6 */

/* Sets Camden's figure for indicator i now and a year ago (the trend's
 * quarter four back), with the change the benchmark gives. */
static void set_change(rp_snapshot *s, size_t i, double now, double then,
                       const char *dir)
{
    size_t cam = auth_at(s, CAMDEN);
    rp_cell *c = rp_la(s, cam, i);
    c->has_value = 1;
    c->value = now;
    c->has_change_yoy = 1;
    c->change_yoy = now - then;
    liia_strlcpy(c->dir_yoy, dir, sizeof c->dir_yoy);
    rp_point *p = (rp_point *)rp_trend_la(s, RP_TREND_QUARTERS - 5, cam, i);
    p->has = 1;
    p->v = then;
}

/* A change from 0% is a change: stated, "up from 0.0%", and first among
 * the biggest (its relative size has no bound); a change of 0 from 0
 * (stable) is not. */
static void test_change_from_zero(sqlite3 *db, rp_snapshot *s)
{
    size_t cp06 = ind_at(s, "CP06"), fd01 = ind_at(s, "FD01");
    size_t cp05 = ind_at(s, "CP05"), cam = auth_at(s, CAMDEN);
    size_t n = s->n_ind;
    rp_cell *saved = malloc(n * sizeof *saved);
    CHECK(saved != NULL);
    if (!saved)
        return;
    memcpy(saved, rp_la(s, cam, 0), n * sizeof *saved);
    set_change(s, cp06, 4.1, 0, "worsening");
    set_change(s, fd01, 60.0, 50.0, "higher");
    set_change(s, cp05, 0, 0, "stable");
    char *t = headlines(db, s, cam);
    CHECK(t != NULL);
    if (t) {
        CHECK(strstr(t, "plans lasting 2 years or more %: 4.1%, up from 0.0% "
                        "a year ago (+4.1 pp), \u25bc worsening (Summary, "
                        "CP06: on a year ago).") != NULL);
        CHECK(strstr(t, "contacts per 10,000: 60.0, +10.0 on a year ago "
                        "(50.0 then)") != NULL);
        CHECK(strstr(t, "CP05: on a year ago") == NULL);
        CHECK(strstr(t, "No indicator can be compared") == NULL);
        CHECK(strstr(t, "nan") == NULL && strstr(t, "inf") == NULL);
        /* the from-zero change is the first of the movements */
        const char *a = strstr(t, "Biggest movements"), *b = strstr(t, "CP06");
        CHECK(a && b && b > a && (!strstr(t, "FD01") || strstr(t, "FD01") > b));
        if (!b)
            fprintf(stderr, "headlines:\n%s", t);
    }
    free(t);
    memcpy(rp_la(s, cam, 0), saved, n * sizeof *saved);
    free(saved);
}

/* The cover and footers name every return a figure came from: a census
 * figure used to be credited to "SSDA903 extracts", and its source shown
 * as the bare code "cin". */
static void test_source_text(void)
{
    rp_snapshot s = {0};
    CHECK_STR(rp_source_text(&s), "LIIA quarterly returns");
    s.child_level |= rp_source_bit("quarterly");
    CHECK_STR(rp_source_text(&s), "LIIA quarterly returns");
    s.child_level |= rp_source_bit("cin");
    CHECK_STR(rp_source_text(&s), "LIIA quarterly returns and CIN census returns");
    s.child_level |= rp_source_bit("ssda903");
    CHECK_STR(rp_source_text(&s),
              "LIIA quarterly returns, SSDA903 extracts and CIN census returns");
    s.child_level = rp_source_bit("ssda903");
    CHECK_STR(rp_source_text(&s), "LIIA quarterly returns and SSDA903 extracts");
    CHECK_STR(rp_source_name("cin"), "CIN census return");
    CHECK_STR(rp_source_name("ssda903"), "SSDA903 extract");
}

/* A long-run legend name too long for its 200 bytes is cut with "...",
 * never inside a UTF-8 character. */
static void test_lr_name_cut(void)
{
    rp_snapshot *s = calloc(1, sizeof *s);
    rp_longrun *lr = calloc(1, sizeof *lr);
    char (*names)[200] = calloc(RP_LR_SERIES, sizeof *names);
    CHECK(s && lr && names);
    if (s && lr && names) {
        snprintf(s->auth[0].name, sizeof s->auth[0].name, "Richmond upon Thames");
        /* "é" (2 bytes) from byte 55 of the joint name on: byte 196 of
         * the label falls inside one of them */
        memset(lr->joint, 'x', 55);
        for (size_t i = 55; i + 2 < sizeof lr->joint; i += 2)
            memcpy(lr->joint + i, "\xc3\xa9", 2);
        rp_lr_names(s, 0, lr, names);
        const char *n = names[RP_LR_OWN];
        size_t len = strlen(n);
        CHECK(len < 200 && len >= 195);
        CHECK(len >= 3 && !strcmp(n + len - 3, "..."));
        for (size_t i = 0; i + 3 < len; i++)   /* every é whole */
            if ((unsigned char)n[i] == 0xc3)
                CHECK((unsigned char)n[i + 1] == 0xa9);
        CHECK((unsigned char)n[len - 4] != 0xc3);
    }
    free(s);
    free(lr);
    free(names);
}

int main(void)
{
    test_source_text();
    test_lr_name_cut();
    const char *path = SCRATCH_DIR "/test_pack.db";
    unlink(path);
    sqlite3 *db = NULL;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK_INT(fixture_load(db, SCHEMA_DIR), 0);
    rp_snapshot s;
    CHECK_INT(rp_snapshot_load(db, PERIOD, &s, &e), 0);
    if (e.status) {
        liia_error_print(stderr, &e);
        return 1;
    }
    test_headlines_child_returns(db, &s);
    test_ranked_subtitle(&s);
    test_axis_title(&s);
    test_rug_digit(&s);
    test_empty_funnel(&s);
    test_change_from_zero(db, &s);
    rp_snapshot_free(&s);
    liia_store_close(db);
    return unit_result("test_pack");
}
