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

int main(void)
{
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
    rp_snapshot_free(&s);
    liia_store_close(db);
    return unit_result("test_pack");
}
