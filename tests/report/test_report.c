/*
 * test_report.c - packs read back: the workbook's sheets, key cells,
 * charts and disclosure control; the PDF's pages; the PNG's size and that
 * something is drawn; the same content on two runs; the London overview;
 * the data lead's findings workbook; and the errors a user can see.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>

#include "fixture.h"
#include "liia_engine.h"
#include "liia_report.h"
#include "unit.h"
#include "xlsx_read.h"

#define OUT SCRATCH_DIR "/out"
#define PERIOD "2025-03-31"

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

static int run_pack(sqlite3 *db, const char *la, int all, const char *dir,
                    liia_report_result *res, liia_error *e)
{
    liia_report_opts o = {.period = PERIOD, .la = la, .all = all,
                          .out_dir = dir, .produced = "2025-04-30"};
    liia_error_clear(e);
    return liia_report_packs(db, &o, res, e);
}

static const char *row_with(xlsx_sheet *s, char col, const char *want,
                            int from, int to, char other)
{
    char ref[16];
    for (int r = from; r <= to; r++) {
        snprintf(ref, sizeof ref, "%c%d", col, r);
        if (!strcmp(xlsx_cell(s, ref), want)) {
            snprintf(ref, sizeof ref, "%c%d", other, r);
            return xlsx_cell(s, ref);
        }
    }
    return NULL;
}

static void test_sheets(const char *xlsx)
{
    char *wb = xlsx_member(xlsx, "xl/workbook.xml");
    CHECK(wb != NULL);
    const char *names[] = {"Headlines", "Summary", "Front door",
                           "Assessment", "Child protection", "Looked after",
                           "Care leavers", "Workforce", "Trend", "Rankings",
                           "Funnel", "Data quality", "Definitions"};
    const char *prev = wb;
    for (size_t k = 0; wb && k < sizeof names / sizeof names[0]; k++) {
        char tag[64];
        snprintf(tag, sizeof tag, "<sheet name=\"%s\"", names[k]);
        const char *at = strstr(wb, tag);
        CHECK(at != NULL && at >= prev); /* present and in this order */
        if (at)
            prev = at;
    }
    free(wb);
    /* Three native charts per indicator: ranked, trend and funnel, but no
     * funnel for the ratio (WF04) nor for CL03, which Camden did not
     * supply: 32 + 32 + 30. */
    char *list = xlsx_list(xlsx);
    CHECK(list && strstr(list, "xl/charts/chart94.xml"));
    CHECK(list && !strstr(list, "xl/charts/chart95.xml"));
    free(list);
    char *chart = xlsx_member(xlsx, "xl/charts/chart1.xml");
    CHECK(chart && strstr(chart, "<c:barChart>"));
    CHECK(chart && strstr(chart, "Rankings"));
    free(chart);
    /* the funnel: a scatter chart of the Funnel sheet, axis titles in
     * words, this authority named */
    chart = xlsx_member(xlsx, "xl/charts/chart3.xml");
    CHECK(chart && strstr(chart, "<c:scatterChart>"));
    CHECK(chart && strstr(chart, "Funnel!"));
    CHECK(chart && strstr(chart, "Authority size: children aged 0-17"));
    CHECK(chart && strstr(chart, "Camden"));
    free(chart);
    chart = xlsx_member(xlsx, "xl/charts/chart6.xml"); /* FD02 funnel */
    CHECK(chart && strstr(chart, "Authority size: contacts<"));
    CHECK(chart && strstr(chart, "<c:max val=\"100\"/>"));
    free(chart);
    char *core = xlsx_member(xlsx, "docProps/core.xml");
    CHECK(core && strstr(core, "2025-03-31T12:00:00Z"));
    free(core);
}

/* Camden's summary: its own rank, its missing CL03 with the reason. */
static void test_summary(sqlite3 *db, const char *xlsx)
{
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, xlsx, 2), 0);
    CHECK(strstr(xlsx_cell(&s, "A1"), "Camden") != NULL);
    CHECK_STR(xlsx_cell(&s, "B5"), "FD01");
    sqlite3_stmt *st;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT rank, rank_of FROM benchmark"
                                 " WHERE period = '" PERIOD "' AND indicator"
                                 " = 'FD01' AND area_code = 'E09000007'",
                                 -1, &st, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    int want = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    const char *rank = xlsx_cell(&s, "L5");
    CHECK(strstr(rank, " of 33") != NULL);
    CHECK_INT(atoi(rank), want);
    CHECK(strstr(xlsx_cell(&s, "M5"), "Q") == xlsx_cell(&s, "M5"));
    CHECK_STR(row_with(&s, 'B', "CL03", 5, 40, 'S'), "not supplied");
    CHECK_STR(row_with(&s, 'B', "CL03", 5, 40, 'F'), "");
    CHECK_STR(xlsx_cell(&s, "E5"), "context");
    CHECK_STR(row_with(&s, 'B', "FD04", 5, 40, 'E'), "lower is better");
    /* no published statistics in this store: the England column is blank
     * and says why; the return's note is beside the figures it concerns */
    CHECK_STR(xlsx_cell(&s, "H5"), "");
    const char *why = row_with(&s, 'B', "FD03", 5, 40, 'U');
    CHECK(why && strstr(why, "England: no DfE published statistics"));
    CHECK(why && strstr(why, "Note sent with your return: referrals: Caf\u00e9 "
                             "referrals incl. \u00a3 funded"));
    CHECK(why && strstr(why, "Neighbours: only median of 9 of 10 neighbours, "
                             "from their London quarterly returns for Q4 "
                             "2024-25"));
    CHECK(!strstr(row_with(&s, 'B', "CLA01", 5, 40, 'U'), "Note sent"));
    xlsx_sheet_close(&s);
    /* changes in percentage points */
    char *styles = xlsx_member(xlsx, "xl/styles.xml");
    CHECK(styles && strstr(styles, "+0.0&quot; pp&quot;;-0.0&quot; pp&quot;"));
    free(styles);
    /* the headlines come first, each line naming its table */
    CHECK_INT(xlsx_sheet_open(&s, xlsx, 1), 0);
    CHECK(strstr(xlsx_cell(&s, "A1"), "Headlines: Camden") != NULL);
    CHECK_STR(xlsx_cell(&s, "A4"), "Where the funnel plot says the "
                                   "difference from London is more than "
                                   "chance");
    CHECK(strstr(xlsx_cell(&s, "A5"), "(Summary, ") != NULL);
    xlsx_sheet_close(&s);
    /* the note in the Data quality sheet */
    CHECK_INT(xlsx_sheet_open(&s, xlsx, 12), 0);
    const char *notes = row_with(&s, 'A', "Notes sent with the return", 3,
                                 200, 'A');
    CHECK(notes != NULL);
    CHECK_STR(row_with(&s, 'B', "Caf\u00e9 referrals incl. \u00a3 funded",
                       3, 200, 'A'), "referrals");
    xlsx_sheet_close(&s);
}

/* Another authority's count of 1 to 5 is "c" in Camden's Rankings; the
 * City of London's own pack shows its true CP05 (3 of 240 = 1.25%, 1.3 at
 * its published precision). */
static void test_suppression(void)
{
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, OUT "/CAM_" PERIOD "_benchmark.xlsx", 10), 0);
    int cp05 = 2 + 12 * 38 + 3; /* 1-based first data row of block 13 */
    CHECK_STR(row_with(&s, 'C', "CIT", cp05, cp05 + 34, 'D'), "c");
    CHECK(strcmp(row_with(&s, 'C', "CAM", cp05, cp05 + 34, 'D'), "c"));
    CHECK_STR(row_with(&s, 'C', "CIT", cp05, cp05 + 34, 'E'), "");
    CHECK(strstr(row_with(&s, 'C', "CAM", cp05, cp05 + 34, 'E'), " of 33"));
    xlsx_sheet_close(&s);
    CHECK_INT(xlsx_sheet_open(&s, OUT "/CIT_" PERIOD "_benchmark.xlsx", 2), 0);
    const char *v = row_with(&s, 'B', "CP05", 5, 40, 'F');
    CHECK_STR(v, "1.3");
    xlsx_sheet_close(&s);
}

static void test_png(const char *png)
{
    cairo_surface_t *sf = cairo_image_surface_create_from_png(png);
    CHECK_INT(cairo_surface_status(sf), CAIRO_STATUS_SUCCESS);
    CHECK_INT(cairo_image_surface_get_width(sf), 1120);
    CHECK_INT(cairo_image_surface_get_height(sf), 680);
    cairo_surface_flush(sf);
    const unsigned char *px = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf), h = 680, w = 1120;
    long ink = 0, blue = 0;
    for (int y = 0; px && y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned v = *(const unsigned *)(px + y * stride + x * 4) & 0xFFFFFF;
            ink += v != 0xFFFFFF;
            blue += v == 0x0072B2; /* the authority's own bar */
        }
    CHECK(ink > (long)w * h / 20);
    CHECK(blue > 100);
    cairo_surface_destroy(sf);
}

static int same_member(const char *a, const char *b, const char *member)
{
    char *x = xlsx_member(a, member), *y = xlsx_member(b, member);
    int same = x && y && !strcmp(x, y);
    free(x);
    free(y);
    return same;
}

static int same_file(const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

static void test_deterministic(sqlite3 *db)
{
    liia_report_result res;
    liia_error e;
    CHECK_INT(run_pack(db, "E09000007", 0, OUT "2", &res, &e), 0);
    const char *a = OUT "/CAM_" PERIOD "_benchmark.xlsx";
    const char *b = OUT "2/CAM_" PERIOD "_benchmark.xlsx";
    char *list = xlsx_list(a);
    int members = 0;
    for (char *line = list ? strtok(list, "\n") : NULL; line;
         line = strtok(NULL, "\n"), members++)
        CHECK(same_member(a, b, line));
    CHECK(members > 70);
    free(list);
    /* Byte-identical too: fixed dates in the zip, the properties and the
     * PDF metadata. */
    CHECK(same_file(a, b));
    CHECK(same_file(OUT "/CAM_" PERIOD "_benchmark.pdf",
                    OUT "2/CAM_" PERIOD "_benchmark.pdf"));
}

/* The overview's Data quality sheet (4) is, row for row, what `status`
 * shows (liia_returns_grid): authority, return, state, workflow, version,
 * errors, warnings, unexplained warnings. */
static void dq_agrees_with_status(sqlite3 *db, const char *ov)
{
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, ov, 4), 0);
    CHECK_STR(xlsx_cell(&s, "I4"), "Unexplained warnings");
    liia_returns_grid_opts o = {.period = PERIOD};
    sqlite3_stmt *st;
    liia_error e;
    CHECK_INT(liia_returns_grid(db, &o, &st, &e), 0);
    static const struct { char col; int grid; } map[] = {
        {'A', 2}, {'B', 3}, {'C', 4}, {'D', 19}, {'E', 6}, {'G', 8}, {'H', 9}, {'I', 16}};
    int r = 5, camden = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
            char ref[16];
            snprintf(ref, sizeof ref, "%c%d", map[k].col, r);
            const char *want = (const char *)sqlite3_column_text(st, map[k].grid);
            CHECK_STR(xlsx_cell(&s, ref), want ? want : "");
        }
        if (!strcmp((const char *)sqlite3_column_text(st, 0), "CAM") &&
            !strcmp((const char *)sqlite3_column_text(st, 3), "quarterly")) {
            camden = r;
        }
        r++;
    }
    sqlite3_finalize(st);
    CHECK(r >= 5 + 33 * 2 && camden > 0); /* every authority, every return */
    /* the counts changed above: Camden's 11 errors, to fix */
    char ref[16];
    snprintf(ref, sizeof ref, "G%d", camden);
    CHECK_STR(xlsx_cell(&s, ref), "11");
    snprintf(ref, sizeof ref, "D%d", camden);
    CHECK_STR(xlsx_cell(&s, ref), "errors to fix");
    snprintf(ref, sizeof ref, "K%d", camden); /* every file, rejected ones too */
    sqlite3_stmt *n;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT count(*) FROM submission WHERE la_code = "
                                     "'E09000007' AND period = '" PERIOD "' AND return_type "
                                     "= 'quarterly'", -1, &n, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(n), SQLITE_ROW);
    CHECK_STR(xlsx_cell(&s, ref), (const char *)sqlite3_column_text(n, 0));
    CHECK(sqlite3_column_int(n, 0) >= 1);
    sqlite3_finalize(n);
    xlsx_sheet_close(&s);
}

/* The tartan rug chart's cells (its SVG's rectangles one indicator
 * column wide, cw - 0.5 = 35.5 pt) form rows: one per authority and
 * London's pooled row last, uncoloured (white: no quartile).  */
static void rug_chart_has_london_row(const char *svg, int n_auth)
{
    char *text = NULL;
    size_t len = 0;
    liia_error e;
    CHECK_INT(liia_read_file(svg, &text, &len, &e), 0);
    double rows[64], last = -1;
    int nrows = 0, cells = 0, last_white = 0, last_cells = 0;
    for (const char *p = text ? strstr(text, "fill:rgb(") : NULL; p;
         p = strstr(p + 1, "fill:rgb(")) {
        const char *d = strstr(p, "d=\"M "), *end = strchr(p, '>');
        double x1, y1, x2, y2;
        if (!d || d > end || sscanf(d, "d=\"M %lf %lf L %lf %lf", &x1, &y1, &x2, &y2) != 4 ||
            y2 != y1 || x2 - x1 != 35.5)
            continue;
        cells++;
        int white = !strncmp(p, "fill:rgb(100%,100%,100%)", 24);
        int k = 0;
        while (k < nrows && rows[k] != y1)
            k++;
        if (k == nrows && nrows < 64)
            rows[nrows++] = y1;
        if (y1 > last) {
            last = y1;
            last_white = white;
            last_cells = 1;
        } else if (y1 == last) {
            last_white &= white;
            last_cells++;
        }
    }
    free(text);
    CHECK_INT(nrows, n_auth + 1);
    CHECK(last_cells > 10); /* every indicator */
    CHECK_INT(cells, (n_auth + 1) * last_cells);
    CHECK(last_white);
}

static void test_london(sqlite3 *db)
{
    liia_report_result res;
    liia_error e;
    CHECK_INT(run_pack(db, NULL, 1, OUT "all", &res, &e), 0);
    CHECK_INT(res.packs, 33);
    CHECK_INT(res.overviews, 1);
    CHECK(exists(OUT "all/WES_" PERIOD "_benchmark.pdf"));
    CHECK(exists(OUT "all/charts/London_" PERIOD "_tartan_rug.png"));
    CHECK(exists(OUT "all/charts/London_" PERIOD "_tartan_rug.svg"));
    rug_chart_has_london_row(OUT "all/charts/London_" PERIOD "_tartan_rug.svg", 33);
    CHECK(exists(OUT "all/charts/London_" PERIOD "_CP05_funnel.svg"));
    const char *ov = OUT "all/London_" PERIOD "_overview.xlsx";
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, ov, 1), 0);
    CHECK_STR(xlsx_cell(&s, "C4"), "FD01");
    CHECK_STR(row_with(&s, 'A', "City of London", 6, 38, 'O'), "c"); /* CP05 */
    CHECK(strcmp(row_with(&s, 'A', "Camden", 6, 38, 'O'), "c"));
    /* London's pooled row under the authorities */
    CHECK_STR(xlsx_cell(&s, "A39"), "London (pooled)");
    CHECK(strcmp(xlsx_cell(&s, "C39"), ""));
    xlsx_sheet_close(&s);
    CHECK_INT(xlsx_sheet_open(&s, ov, 2), 0);
    /* columns in the order the returns joined: quarterly (B), ssda903
     * (C), cin (D) */
    CHECK_STR(row_with(&s, 'A', "Camden", 5, 37, 'B'),
              "v1 accepted, 1 warning");
    CHECK_STR(row_with(&s, 'A', "Barnet", 5, 37, 'B'), "not received");
    xlsx_sheet_close(&s);
    /* The grid shows the submission's own counts, errors included, as
     * status and history do (an accepted child-level return can carry
     * errors; the counts alone are changed here, not the inputs). */
    CHECK_INT(sqlite3_exec(db, "UPDATE submission SET errors = 11 WHERE la_code = "
                               "'E09000007' AND status = 'accepted'", NULL, NULL, NULL), 0);
    CHECK_INT(run_pack(db, NULL, 1, OUT "all", &res, &e), 0);
    CHECK_INT(xlsx_sheet_open(&s, ov, 2), 0);
    CHECK_STR(row_with(&s, 'A', "Camden", 5, 37, 'B'),
              "v1 accepted, 11 errors (cells blanked), 1 warning");
    xlsx_sheet_close(&s);
    dq_agrees_with_status(db, ov);
    CHECK_INT(sqlite3_exec(db, "UPDATE submission SET errors = 0 WHERE la_code = "
                               "'E09000007' AND status = 'accepted'", NULL, NULL, NULL), 0);
}

static void test_errors(sqlite3 *db)
{
    liia_report_result res;
    liia_error e;
    CHECK_INT(run_pack(db, "E06000001", 0, OUT "x", &res, &e), -1);
    CHECK_INT(e.status, LIIA_E_USAGE);
    CHECK_STR(e.message, "unknown authority");
    CHECK_STR(e.fix, "give --la with a London authority, or --all");
    liia_report_opts o = {.period = "2020-03-31", .la = "E09000007",
                          .out_dir = OUT "x"};
    liia_error_clear(&e);
    CHECK_INT(liia_report_packs(db, &o, &res, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK_STR(e.message, "no benchmarks for Q4 2019-20 (Jan-Mar 2020)");
    CHECK_STR(e.fix, "ingest returns for that quarter and run "
                     "'liia-bench bench --period 2020-03-31'");
    o.period = PERIOD;
    o.out_dir = "/proc/no/such/dir";
    liia_error_clear(&e);
    CHECK_INT(liia_report_packs(db, &o, &res, &e), -1);
    CHECK_INT(e.status, LIIA_E_IO);
    CHECK(strstr(e.message, "cannot create directory") == e.message);
}

/* A store whose views hold nothing (or no catalogue) for the pack. */
static void test_empty_store(void)
{
    const char *path = SCRATCH_DIR "/test_report_empty.db";
    unlink(path);
    sqlite3 *db = NULL;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK_INT(liia_db_exec(db, "CREATE TEMP TABLE benchmark (period TEXT);"
                           "CREATE TEMP TABLE indicators (id TEXT);", &e), 0);
    liia_report_opts o = {.la = "E09000007", .out_dir = OUT "x"};
    liia_report_result res;
    CHECK_INT(liia_report_packs(db, &o, &res, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    /* the default period is the latest quarter with returns: none */
    CHECK_STR(e.message, "no returns have been accepted");
    CHECK_STR(e.fix, "ingest returns, run 'liia-bench bench', then report");
    liia_store_close(db);
}

/* Output that cannot be written: a file where the directory should be,
 * and a workbook path in a directory that does not exist. */
static void test_unwritable(sqlite3 *db)
{
    FILE *fp = fopen(SCRATCH_DIR "/a_file", "w");
    CHECK(fp && fclose(fp) == 0);
    liia_report_result res;
    liia_error e;
    CHECK_INT(run_pack(db, "E09000007", 0, SCRATCH_DIR "/a_file", &res, &e),
              -1);
    CHECK_INT(e.status, LIIA_E_IO);
    CHECK_STR(e.message, "not a directory");
    CHECK_STR(e.fix, "give --out a directory, not a file");
    liia_findings f;
    liia_findings_init(&f);
    liia_error_clear(&e);
    CHECK_INT(liia_report_findings_xlsx(SCRATCH_DIR "/a_file", &f,
                                        SCRATCH_DIR "/no/such/x.xlsx", &e),
              -1);
    CHECK_INT(e.status, LIIA_E_IO);
    CHECK(strstr(e.message, "cannot create the output file: ") == e.message);
    CHECK_STR(e.file, SCRATCH_DIR "/no/such/x.xlsx");
    liia_findings_free(&f);
}

static void add_finding(liia_findings *f, liia_severity sev, long line,
                        long col, const char *rule, const char *msg)
{
    liia_error e;
    liia_error_clear(&e);
    e.severity = sev;
    e.status = LIIA_E_DATA;
    e.line = line;
    e.column = col;
    liia_strlcpy(e.rule_id, rule, sizeof e.rule_id);
    liia_strlcpy(e.message, msg, sizeof e.message);
    liia_strlcpy(e.fix, "enter a whole number", sizeof e.fix);
    CHECK_INT(liia_findings_add(f, &e), 0);
}

static void test_findings(void)
{
    const char *csv = SCRATCH_DIR "/camden_q4.csv";
    FILE *fp = fopen(csv, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fputs("la_code,period,measure,value,note\n"
          "CAM,2025-03-31,contacts,1200,\n"
          "CAM,2025-03-31,referrals,-4,\n"
          "CAM,2025-03-31,cla_at_end,640,\"moved, see note\"\n", fp);
    CHECK_INT(fclose(fp), 0);
    liia_findings f;
    liia_findings_init(&f);
    add_finding(&f, LIIA_SEV_ERROR, 3, 4, "QBR-E004", "value is negative");
    add_finding(&f, LIIA_SEV_WARNING, 4, 4, "QBR-W002", "implausible change");
    add_finding(&f, LIIA_SEV_WARNING, 0, 0, "QBR-W001", "21 measures not "
                "supplied");
    char *path = liia_report_findings_path(SCRATCH_DIR, csv);
    CHECK_STR(path, SCRATCH_DIR "/camden_q4_findings.xlsx");
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_report_findings_xlsx(csv, &f, path, &e), 0);
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, path, 1), 0);
    CHECK_STR(xlsx_cell(&s, "D3"), "-4");
    CHECK_STR(xlsx_cell(&s, "E4"), "moved, see note");
    xlsx_sheet_close(&s);
    char *comments = xlsx_member(path, "xl/comments1.xml");
    CHECK(comments && strstr(comments, "ref=\"D3\""));
    CHECK(comments && strstr(comments, "ref=\"D4\""));
    CHECK(comments && strstr(comments, "Error QBR-E004: value is negative"));
    CHECK(comments && strstr(comments, "Fix: enter a whole number"));
    CHECK(comments && !strstr(comments, "QBR-W001"));
    free(comments);
    CHECK_INT(xlsx_sheet_open(&s, path, 2), 0);
    CHECK_STR(xlsx_cell(&s, "A1"), "1 error, 2 warnings: the file was "
                                   "rejected and nothing was stored");
    CHECK_STR(xlsx_cell(&s, "B6"), "QBR-W001");
    CHECK_STR(xlsx_cell(&s, "A4"), "error");
    xlsx_sheet_close(&s);
    free(path);
    liia_findings_free(&f);
}

/* The Reconciliation sheet is there only when the authority has SSDA903
 * data for the period, and shows what `reconcile` shows: Camden's derived
 * cla_at_end 196 against 195 in its quarterly return (within the 2-child
 * minimum: yes), cla_started 1020 against 20 (no). */
static int has_sheet(const char *xlsx, const char *name)
{
    char tag[64];
    snprintf(tag, sizeof tag, "<sheet name=\"%s\"", name);
    char *wb = xlsx_member(xlsx, "xl/workbook.xml");
    int found = wb && strstr(wb, tag);
    free(wb);
    return found;
}

static void test_reconciliation(sqlite3 *db, const char *without)
{
    CHECK(!has_sheet(without, "Reconciliation"));
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_db_exec(db,
        "INSERT INTO submission (id, la_code, period, return_type, version, status,"
        " received_at, file_name, sha256) VALUES"
        " (9002, 'E09000007', '" PERIOD "', 'ssda903', 1, 'accepted', 'x', 'h + e', 's');"
        "INSERT OR REPLACE INTO submission_value (submission_id, measure, value)"
        " SELECT id, m.column1, m.column2 FROM submission,"
        "        (VALUES ('cla_at_end', 195), ('cla_started', 20)) m"
        "  WHERE la_code = 'E09000007' AND period = '" PERIOD "'"
        "    AND return_type = 'quarterly' AND status = 'accepted';"
        "INSERT INTO derived_measure (submission_id, period, measure, value) VALUES"
        " (9002, '" PERIOD "', 'cla_at_end', 196), (9002, '" PERIOD "', 'cla_started', 1020);",
        &e), 0);
    if (e.status)
        liia_error_print(stderr, &e);
    liia_report_result res;
    CHECK_INT(run_pack(db, "E09000007", 0, OUT "r", &res, &e), 0);
    const char *xlsx = OUT "r/CAM_" PERIOD "_benchmark.xlsx";
    CHECK(has_sheet(xlsx, "Reconciliation"));
    xlsx_sheet s;
    CHECK_INT(xlsx_sheet_open(&s, xlsx, 13), 0); /* after Data quality */
    CHECK(strstr(xlsx_cell(&s, "A1"), "Reconciliation") != NULL);
    CHECK_STR(xlsx_cell(&s, "A5"), "cla_at_end");
    CHECK_STR(xlsx_cell(&s, "C5"), "195");
    CHECK_STR(xlsx_cell(&s, "D5"), "196");
    CHECK_STR(xlsx_cell(&s, "E5"), "1");
    CHECK_STR(xlsx_cell(&s, "F5"), "yes");
    CHECK_STR(xlsx_cell(&s, "A6"), "cla_started");
    CHECK_STR(xlsx_cell(&s, "E6"), "1000");
    CHECK_STR(xlsx_cell(&s, "F6"), "no: check the counting");
    CHECK_STR(xlsx_cell(&s, "A7"), "");
    xlsx_sheet_close(&s);
}

int main(void)
{
    const char *path = SCRATCH_DIR "/test_report.db";
    unlink(path);
    if (system("rm -rf '" OUT "' '" OUT "2' '" OUT "all' '" OUT "x' '" OUT "r'"))
        return 1;
    sqlite3 *db = NULL;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_store_open(path, LIIA_STORE_CREATE, &db, &e), 0);
    CHECK_INT(fixture_load(db, SCHEMA_DIR), 0);

    /* a note sent with Camden's return, shown in its own pack */
    CHECK_INT(liia_db_exec(db, "INSERT OR REPLACE INTO submission_value"
                           " (submission_id, measure, value, note) SELECT id,"
                           " 'referrals', 2400, 'Caf\u00e9 referrals incl."
                           " \u00a3 funded' FROM submission WHERE la_code ="
                           " 'E09000007' AND period = '" PERIOD "' AND status ="
                           " 'accepted' AND return_type = 'quarterly'", &e), 0);
    liia_report_result res;
    CHECK_INT(run_pack(db, "E09000007", 0, OUT, &res, &e), 0);
    if (e.status)
        liia_error_print(stderr, &e);
    CHECK_STR(res.period, PERIOD);
    CHECK_INT(res.packs, 1);
    CHECK_INT(res.charts, 32 * 3 * 2);
    const char *xlsx = OUT "/CAM_" PERIOD "_benchmark.xlsx";
    CHECK(exists(xlsx));
    CHECK(exists(OUT "/CAM_" PERIOD "_benchmark.pdf"));
    test_sheets(xlsx);
    test_summary(db, xlsx);
    /* Cover, headlines, the summary (two pages: rows grow with their
     * wrapped cells at 7 pt), then per theme two indicators a page (ranked
     * bars across the page, trend and funnel below, the code key at the
     * foot), then the theme's table and notes: front door (5 indicators)
     * 3 pages, assessment (3) 2, child protection (7) 4 and its table and
     * notes 5, looked after (10) 5 and the table 6, care leavers (3) 2,
     * workforce (4) 2 and the table 3.  No long-run page: this store has
     * no published statistics. */
    CHECK_INT(pdf_pages(OUT "/CAM_" PERIOD "_benchmark.pdf"), 25);
    test_png(OUT "/charts/CAM_" PERIOD "_FD01_ranked.png");
    CHECK(exists(OUT "/charts/CAM_" PERIOD "_CP05_funnel.svg"));
    CHECK_INT(run_pack(db, "E09000001", 0, OUT, &res, &e), 0);
    test_suppression();
    test_deterministic(db);
    test_london(db);
    test_errors(db);
    test_empty_store();
    test_unwritable(db);
    test_findings();
    test_reconciliation(db, xlsx); /* last: it adds submissions */
    liia_store_close(db);
    return unit_result("test_report");
}
