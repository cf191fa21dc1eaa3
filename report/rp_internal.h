/*
 * rp_internal.h - shared between the report library's files: the period
 * snapshot every pack is drawn from, formatting, disclosure control and the
 * chart primitives.  Not installed; the public API is liia_report.h.
 */
#ifndef RP_INTERNAL_H
#define RP_INTERNAL_H

#include <time.h>

#include <cairo.h>
#include <xlsxwriter.h>

#include "liia_report.h"

enum { RP_TREND_QUARTERS = 8, RP_MAX_AUTH = 40, RP_MAX_GROUPS = 8,
       RP_MAX_NB = 10, RP_MAX_YEARS = 16 };

/* No text in a pack, PDF or chart file is drawn smaller than this (A4 at
 * 100%); tests/report/pdf_fonts.py checks the PDFs. */
#define RP_MIN_PT 7.0

typedef struct rp_indicator {
    char id[16];
    char title[128];
    char theme[24];
    char unit[8];        /* per10k | pct | ratio */
    char kind[16];
    int decimals;
    int polarity;        /* 1 higher is better, -1 lower, 0 context */
    char numerator_expr[128];
    char denominator_expr[128];
    char *definition;    /* owned */
} rp_indicator;

typedef struct rp_authority {
    char gss[10];
    char name[64];
    char short_code[8];
    char quadrant[16];     /* group code */
    char quadrant_name[32];
} rp_authority;

/* One row of the benchmark view; has_* say which nullable columns held a
 * value. */
typedef struct rp_cell {
    int has_value, has_num, has_den;
    double value, num, den;
    int rank, rank_of, quartile;          /* 0 = none */
    int has_change_prev, has_change_yoy;
    double change_prev, change_yoy;
    char dir_prev[16], dir_yoy[16];
    char funnel[12];
    char coverage[16];
    int has_london, has_quadrant, has_sn;
    double london, quadrant, sn;
    char sn_coverage[16];
    char null_reason[160];
    char source[24];        /* the one return the value came from */
    char check_failed[160]; /* why bench withheld the value, or "" */
    int suppressed;         /* shown as c to anyone but the authority */
    int small_base;         /* no rank or quartile: read the funnel */
    double tau2;            /* the funnel's overdispersion (0: none) */
    char sn_reason[120];    /* why the neighbour median is blank, or "" */
    char sn_sources[240];   /* where its neighbours' values came from */
    int sn_year;            /* DfE's year to 31 March used by it, or 0 */
    int sn_nq, sn_np, sn_ns, sn_n, sn_of; /* quarterly, published,
                                           * suppressed; k of n */
    int sn_published;       /* computed with published figures */
} rp_cell;

/* A figure DfE publishes (England): public, no disclosure control. */
typedef struct rp_published {
    int has, year;
    double value;
    char reason[96];
} rp_published;

/* An authority's statistical neighbours, by name (DfE's model). */
typedef struct rp_neighbours {
    int n, model_year;
    char name[RP_MAX_NB][64];
} rp_neighbours;

/* A value in the trend: has = 0 when missing. */
typedef struct rp_point {
    double v;
    unsigned char has, sup; /* sup: shown as c to anyone but the authority */
} rp_point;

typedef struct rp_snapshot {
    char period[11];
    char label[40];        /* "Q4 2024-25 (Jan-Mar 2025)" */
    char short_label[24];  /* "Q4 2024-25" */
    char trend_periods[RP_TREND_QUARTERS][11]; /* oldest first */
    /* The period end at noon UTC: every document's fixed "created" time,
     * so two runs give the same content. */
    time_t created;
    rp_indicator *ind;
    size_t n_ind;
    rp_authority auth[RP_MAX_AUTH];
    size_t n_auth;
    size_t n_rows;     /* benchmark rows of the period that were read */
    int child_level;   /* RP_FROM_* of the child-level returns values came from */
    int returns;       /* authorities with a quarterly return this quarter */
    int authorities;   /* of how many */
    char groups[RP_MAX_GROUPS][16];      /* quadrant codes */
    char group_names[RP_MAX_GROUPS][32];
    size_t n_groups;
    rp_cell *la;       /* [auth][ind] */
    rp_cell *london;   /* [ind] */
    rp_cell *group;    /* [group][ind] quadrants */
    rp_point *trend;   /* [quarter][auth + 1 + groups][ind]: la, London, quadrants */
    rp_published *england; /* [ind], DfE's published England figure */
    size_t n_england;      /* how many: 0 when nothing was imported */
    char (*measure)[2][96]; /* [n_measures]: id, title */
    size_t n_measures;
    rp_neighbours *nb;     /* [auth] */
} rp_snapshot;

/* What one authority's own pack adds to the snapshot: the notes its data
 * lead sent with the return, its data-quality position and DfE's
 * published series for it, its neighbours, London and England
 * (rp_extra.c). */
enum { RP_LR_OWN, RP_LR_NB, RP_LR_LONDON, RP_LR_ENGLAND, RP_LR_SERIES };
typedef struct rp_longrun {
    size_t ind;
    double v[RP_LR_SERIES][RP_MAX_YEARS];
    unsigned char has[RP_LR_SERIES][RP_MAX_YEARS];
    unsigned char nb_n[RP_MAX_YEARS]; /* neighbours the median is over */
    double nbv[RP_MAX_YEARS][RP_MAX_NB];
    int any;                          /* DfE publishes it for someone */
    int first, last;                  /* years (indexes) with a value */
    char joint[160]; /* the authority's figure is DfE's joint row with
                      * these areas ("Richmond upon Thames"), or "" */
} rp_longrun;

/* A child-level return of the quarter (SSDA903, the CIN census): the
 * accepted version, else the latest rejected file.  An accepted one can
 * carry errors (the cells in error are blanked), which its Director should
 * know as well as the quarterly return's position. */
enum { RP_MAX_RETURNS = 8 };
typedef struct rp_return_dq {
    char title[64];      /* the return type's title in the store */
    int accepted, version, errors, warnings;
    int values;          /* the pack's own figures taken from it */
} rp_return_dq;

typedef struct rp_extra {
    char (*notes)[256];    /* [ind]: "measure: note; ..." or "" */
    int received, version, warnings, not_supplied, with_value;
    char status[16];
    rp_return_dq child[RP_MAX_RETURNS]; /* in the order returns joined */
    size_t n_child;
    int years[RP_MAX_YEARS]; /* consecutive: a year with no file is a gap */
    size_t n_years;
    int model[RP_MAX_YEARS]; /* DfE's neighbour model in force that year */
    size_t n_models;
    rp_longrun *lr;        /* [ind] */
    size_t n_lr;
} rp_extra;

int rp_extra_load(sqlite3 *db, const rp_snapshot *s, size_t a, rp_extra *x,
                  liia_error *e);
void rp_extra_free(rp_extra *x);

/* ---- rp_data.c */
int rp_latest_period(sqlite3 *db, const char *today, char out[11],
                     liia_error *e);
int rp_snapshot_load(sqlite3 *db, const char *period, rp_snapshot *s,
                     liia_error *e);
void rp_snapshot_free(rp_snapshot *s);
rp_cell *rp_la(const rp_snapshot *s, size_t a, size_t i);
const rp_point *rp_trend_la(const rp_snapshot *s, size_t q, size_t a, size_t i);
const rp_point *rp_trend_london(const rp_snapshot *s, size_t q, size_t i);
const rp_point *rp_trend_group(const rp_snapshot *s, size_t q, size_t g,
                               size_t i);
/* Index of an authority's quadrant in s->groups, or -1. */
int rp_group_of(const rp_snapshot *s, size_t a);
int rp_auth_index(const rp_snapshot *s, const char *gss);

/* The six themes in pack order, with their titles. */
extern const char *const rp_theme_ids[6];
extern const char *const rp_theme_titles[6];
enum { RP_N_THEMES = 6 };

/* ---- rp_format.c */
/* The child-level returns a value may come from (rp_snapshot.child_level). */
enum { RP_FROM_SSDA903 = 1, RP_FROM_CIN = 2 };
/* The bit of rp_snapshot.child_level a value's source sets (0: quarterly). */
int rp_source_bit(const char *source);
/* "LIIA quarterly returns", "... and SSDA903 extracts", "..., SSDA903
 * extracts and CIN census returns": what the pack's figures were really
 * taken from. */
const char *rp_source_text(const rp_snapshot *s);
/* "12 of 33 returns" when not every authority sent a return for the
 * quarter, else "": said beside every comparator and rank. */
const char *rp_coverage(const rp_snapshot *s, char *buf, size_t bufsz);
/* "quarterly return" / "SSDA903 extract" / "CIN census return" for one
 * value's source. */
const char *rp_source_name(const char *source);
/* Disclosure control (docs/disclosure.md): bench marks a value on a count
 * of 1 to 5 (suppressed); it is "c" unless the figure is the pack's own
 * authority's. */
int rp_suppressed(int suppressed, int own);
/* "12.3", "45.6%" (pct), "c", or "" for no value. */
void rp_fmt_value(const rp_indicator *ind, int has, double v, char *out,
                  size_t outsz);
/* "7th of 30 published": ranks are over published values only. */
void rp_fmt_rank(int rank, int of, char *out, size_t outsz);
/* The rank of an authority's own value as its pack shows it: "7th of 30
 * published", "small base", "not ranked (shown as c)", with the quarter's
 * coverage when not every authority sent a return. */
void rp_rank_text(const rp_snapshot *s, const rp_cell *c, char *out,
                  size_t outsz);
/* "▲ improving" etc.: an arrow and the word, never colour alone. */
const char *rp_direction_text(const char *dir);
const char *rp_funnel_text(const char *funnel);
const char *rp_quartile_text(int quartile, int polarity);
const char *rp_unit_text(const rp_indicator *ind);
int rp_mkdir_p(const char *dir, liia_error *e);
/* out_dir/name, or fails with LIIA_E_NOMEM. */
char *rp_path(const char *dir, const char *name, liia_error *e);
/* Checks an lxw_error and turns it into a liia_error naming the file. */
int rp_lxw_check(lxw_error err, const char *path, liia_error *e);

/* The strings of one summary line for authority a (own figures shown,
 * comparators under disclosure control). */
typedef struct rp_row {
    char value[32], london[96], quadrant[32], sn[64], england[48];
    char rank[64], change[64], change_yoy[64], funnel[24];
    const char *quartile, *better;
    int noted; /* a blank or thin comparator, or a note: see the notes */
} rp_row;
void rp_summary_row(const rp_snapshot *s, size_t a, size_t i, rp_row *row);
/* "higher is better", "lower is better", "context" */
const char *rp_better_text(int polarity);
/* A change as the pack prints it: "+0.5 pp" for percentages (percentage
 * points), "+12.3" otherwise; "" when there is none. */
void rp_fmt_change(const rp_indicator *ind, int has, double v, char *out,
                   size_t outsz);
/* "▲ improving, +0.5 pp" */
void rp_change_text(const rp_indicator *ind, const char *dir, int has,
                    double v, char *out, size_t outsz);
/* Sentences explaining every blank or thin comparator of one indicator in
 * authority a's pack, and the notes sent with its return (x may be NULL):
 * appended to out, each ending "; ".  Returns how many, or -1 when out
 * of memory (out is then incomplete). */
int rp_comparator_notes(const rp_snapshot *s, size_t a, size_t i,
                        const rp_extra *x, liia_buf *out);
/* The neighbour median's label: "median of 9 of 10 (4 London returns Q4
 * 2024-25, 5 DfE 2025)". */
void rp_sn_label(const rp_snapshot *s, const rp_cell *c, char *out,
                 size_t outsz);

/* ---- rp_headlines.c: the few things a Director should know, as
 * sentences generated from the figures, each naming the table it comes
 * from. */
typedef void (*rp_line_fn)(void *ctx, int kind, const char *text);
enum { RP_HL_HEAD, RP_HL_LINE };
void rp_headlines(const rp_snapshot *s, size_t a, const rp_extra *x,
                  rp_line_fn fn, void *ctx);

/* ---- trend axes (one rule for the PDF, the charts and the workbook,
 * docs/maths.md "Trend axes") */
typedef struct rp_axis {
    double lo, hi, step;
    int broken; /* does not start at zero: marked on the chart */
} rp_axis;
rp_axis rp_trend_axis(const rp_indicator *ind, double vmin, double vmax);

/* ---- palette: Okabe-Ito, safe for the common colour-vision deficiencies */
#define RP_BLUE 0x0072B2
#define RP_ORANGE 0xE69F00
#define RP_VERMILION 0xD55E00
#define RP_SKY 0x56B4E9
#define RP_GREEN 0x009E73
#define RP_PURPLE 0xCC79A7
#define RP_GREY 0x999999
#define RP_DARK 0x222222
/* Quartile fills, 1 = best (or highest for context indicators). */
unsigned rp_quartile_fill(int quartile, int polarity);
unsigned rp_quartile_ink(int quartile, int polarity);

/* ---- rp_chart.c: every chart draws into a rectangle of a cairo context,
 * so the same code makes the PNG, the SVG and the PDF page. */
typedef struct rp_rect {
    double x, y, w, h;
} rp_rect;

void rp_chart_ranked(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t i,
                     int own, int with_source);
/* The ranked chart's subtitle in the pack of own (-1: London-wide): unit,
 * quarter, order, and how many authorities are shown, suppressed (c) and
 * without a value (-), each counted apart. */
void rp_ranked_subtitle(const rp_snapshot *s, size_t i, int own, char *out,
                        size_t outsz);
void rp_chart_trend(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t i,
                    int own, int with_source);
void rp_chart_funnel(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t i,
                     int own, int with_source);
void rp_chart_rug(cairo_t *cr, rp_rect r, const rp_snapshot *s);
/* DfE's published annual series of one indicator for authority a (the
 * long-run page): the authority, its neighbours' median, London and
 * England, over the years with a value; a year with none is a gap. */
void rp_chart_longrun(cairo_t *cr, rp_rect r, const rp_snapshot *s, size_t a,
                      const rp_extra *x, const rp_longrun *lr);
/* The long-run series' names, as the chart's legend and the workbook say
 * them (the authority's own naming a joint figure's other members). */
void rp_lr_names(const rp_snapshot *s, size_t a, const rp_longrun *lr,
                 char names[RP_LR_SERIES][200]);
/* "DfE's 2025 model for every year" or "DfE's 2019 model for 2013 to
 * 2024, its 2025 model for 2025". */
void rp_lr_models(const rp_extra *x, char *out, size_t outsz);
/* Text with pangocairo; align 0 left, 1 centre, 2 right.  Returns the
 * height used. */
double rp_text(cairo_t *cr, const char *text, double x, double y, double w,
               double size, int bold, int align);
void rp_set_rgb(cairo_t *cr, unsigned rgb);
/* The height rp_text would use. */
double rp_text_height(cairo_t *cr, const char *text, double w, double size,
                      int bold);
/* The width of text on one line, as rp_text without a width lays it out. */
double rp_text_width(cairo_t *cr, const char *text, double size, int bold);
/* The key of short codes to names under ranked bars; returns its
 * height.  rp_code_key_height: the same without drawing. */
double rp_code_key(cairo_t *cr, rp_rect r, const rp_snapshot *s);
double rp_code_key_height(double w, const rp_snapshot *s);
/* An expression of measure ids in words ("cla_at_end" -> "children
 * looked after"). */
void rp_expr_words(const rp_snapshot *s, const char *expr, char *out,
                   size_t outsz);
/* Base font size for a chart rectangle. */
double rp_font_for(rp_rect r);
/* White background, title, subtitle and (optionally) the source line;
 * returns the rectangle left for the plot. */
rp_rect rp_frame(cairo_t *cr, rp_rect r, const char *title,
                 const char *subtitle, const rp_snapshot *s, int with_source,
                 double f);

/* The files a run could not write (a full disk, permissions): it goes on
 * with the others and lists these at the end. */
typedef struct rp_failures {
    liia_buf names;    /* final paths, one per line */
    int count;
    liia_error first;  /* the first one's error */
} rp_failures;
/* After a failed output file: an I/O error is recorded in f and cleared
 * (0: carry on); anything else returns -1 (stop the run). */
int rp_output_failed(rp_failures *f, liia_error *e);

/* cairo's write callback over a liia_outfile (the closure): a write
 * error fails the file at commit even where cairo would not report it. */
cairo_status_t rp_cairo_write(void *closure, const unsigned char *data,
                              unsigned int length);

typedef void (*rp_draw_fn)(cairo_t *cr, rp_rect r, const rp_snapshot *s,
                           size_t i, int own, int with_source);
/* Writes base.png and base.svg of one chart; counts files in *written,
 * records those that could not be written in f. */
int rp_chart_files(const char *base, double w, double h, rp_draw_fn fn,
                   const rp_snapshot *s, size_t i, int own, int *written,
                   rp_failures *f, liia_error *e);
int rp_rug_files(const char *base, const rp_snapshot *s, int *written,
                 rp_failures *f, liia_error *e);

/* ---- rp_xlsx_la.c, rp_xlsx_london.c, rp_pdf.c */
int rp_write_la_workbook(sqlite3 *db, const rp_snapshot *s, size_t a,
                         const rp_extra *x, const char *path, liia_error *e);
int rp_write_london_workbook(sqlite3 *db, const rp_snapshot *s,
                             const char *path, liia_error *e);
int rp_write_la_pdf(const rp_snapshot *s, size_t a, const rp_extra *x,
                    const char *produced, liia_outfile *out, liia_error *e);

#endif
