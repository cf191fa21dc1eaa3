/*
 * report.c - the pack run: one snapshot of the period, then per authority a
 * workbook and a PDF, then the London overview and the chart images.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_internal.h"

static int resolve_period(sqlite3 *db, const liia_report_opts *o,
                          char period[11], liia_error *e)
{
    if (o->period && o->period[0]) {
        liia_strlcpy(period, o->period, 11);
        return 0;
    }
    return rp_latest_period(db, o->today, period, e);
}

/* One output of the run: which writer, and what it needs. */
typedef struct rp_job {
    enum { JOB_LA_XLSX, JOB_LA_PDF, JOB_LONDON_XLSX } kind;
    sqlite3 *db;
    const rp_snapshot *s;
    size_t a;
    const rp_extra *x;
    const char *produced;
} rp_job;

cairo_status_t rp_cairo_write(void *closure, const unsigned char *data,
                              unsigned int length)
{
    liia_error ignored; /* kept in the outfile; commit reports it */
    liia_error_clear(&ignored);
    return liia_outfile_write(closure, data, length, &ignored)
               ? CAIRO_STATUS_WRITE_ERROR
               : CAIRO_STATUS_SUCCESS;
}

int rp_output_failed(rp_failures *f, liia_error *e)
{
    if (e->status != LIIA_E_IO)
        return -1; /* the database or memory: nothing after it would work */
    if (!f->count)
        f->first = *e;
    f->count++;
    if (liia_buf_appendf(&f->names, "%s\n", e->file))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    liia_error_clear(e);
    return 0;
}

/* Writes dir/name through a temporary renamed into place, so a failed or
 * killed run leaves the previous file whole, never a truncated one.
 * Returns 1 when the file was written, 0 when it could not be (recorded
 * in f: the run goes on), -1 to stop. */
static int write_file(const char *dir, const char *name, const rp_job *j,
                      rp_failures *f, liia_error *e)
{
    char *path = rp_path(dir, name, e);
    if (!path)
        return -1;
    liia_outfile out;
    int rc = liia_outfile_open(&out, path, e);
    if (!rc) {
        rc = j->kind == JOB_LA_XLSX
                 ? rp_write_la_workbook(j->db, j->s, j->a, j->x, out.tmp, e)
             : j->kind == JOB_LA_PDF
                 ? rp_write_la_pdf(j->s, j->a, j->x, j->produced, &out, e)
                 : rp_write_london_workbook(j->db, j->s, out.tmp, e);
        rc = liia_outfile_finish(&out, rc, e);
    } else if (!e->file[0])
        liia_strlcpy(e->file, path, sizeof e->file);
    free(path);
    return rc ? rp_output_failed(f, e) : 1;
}

/* 1 when both files of the pack were written, 0 when either was not. */
static int authority_pack(sqlite3 *db, const rp_snapshot *s, size_t a,
                          const liia_report_opts *o, rp_failures *f,
                          liia_error *e)
{
    char name[96];
    rp_extra x;
    if (rp_extra_load(db, s, a, &x, e))
        return -1;
    rp_job j = {JOB_LA_XLSX, db, s, a, &x,
                o->produced ? o->produced : s->period};
    snprintf(name, sizeof name, "%s_%s_benchmark.xlsx",
             s->auth[a].short_code, s->period);
    int xlsx = write_file(o->out_dir, name, &j, f, e);
    int pdf = -1;
    if (xlsx >= 0) {
        j.kind = JOB_LA_PDF;
        snprintf(name, sizeof name, "%s_%s_benchmark.pdf",
                 s->auth[a].short_code, s->period);
        pdf = write_file(o->out_dir, name, &j, f, e);
    }
    rp_extra_free(&x);
    return pdf < 0 ? -1 : xlsx && pdf;
}

/* Chart images: for one authority its own charts (highlighted); for
 * --all the London-wide set, since each authority's charts are already in
 * its workbook and PDF. */
static int chart_images(const rp_snapshot *s, int own, const char *dir,
                        int *written, rp_failures *f, liia_error *e)
{
    static const struct {
        const char *suffix;
        rp_draw_fn fn;
    } kinds[] = {{"ranked", rp_chart_ranked},
                 {"trend", rp_chart_trend},
                 {"funnel", rp_chart_funnel}};
    const char *who = own >= 0 ? s->auth[own].short_code : "London";
    char base[4096];
    for (size_t i = 0; i < s->n_ind; i++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            int n = snprintf(base, sizeof base, "%s/%s_%s_%s_%s", dir, who,
                             s->period, s->ind[i].id, kinds[k].suffix);
            if (n < 0 || (size_t)n >= sizeof base - 4) /* room for .png */
                return liia_fail(e, LIIA_E_USAGE, "output path too long");
            if (rp_chart_files(base, 560, 340, kinds[k].fn, s, i, own,
                               written, f, e))
                return -1;
        }
    if (own >= 0)
        return 0;
    int n = snprintf(base, sizeof base, "%s/London_%s_tartan_rug", dir,
                     s->period);
    if (n < 0 || (size_t)n >= sizeof base - 4)
        return liia_fail(e, LIIA_E_USAGE, "output path too long");
    return rp_rug_files(base, s, written, f, e);
}

static int london_outputs(sqlite3 *db, const rp_snapshot *s, const char *dir,
                          liia_report_result *res, rp_failures *f,
                          liia_error *e)
{
    char name[96];
    snprintf(name, sizeof name, "London_%s_overview.xlsx", s->period);
    rp_job j = {JOB_LONDON_XLSX, db, s, 0, NULL, NULL};
    int rc = write_file(dir, name, &j, f, e);
    res->overviews += rc > 0;
    return rc < 0 ? -1 : 0;
}

static int check_period(const rp_snapshot *s, liia_error *e)
{
    if (s->n_rows)
        return 0;
    liia_strlcpy(e->value, s->period, sizeof e->value);
    liia_error_fix(e, "ingest returns for that quarter and run "
                      "'liia-bench bench --period %s'", s->period);
    return liia_fail(e, LIIA_E_DATA, "no benchmarks for %s", s->label);
}

/* Never writes figures older than the store: every quarter the pack shows
 * (the period and the trend's seven before it) must have been benchmarked
 * since the last return for it was accepted (the bench_freshness view). */
static int check_fresh(sqlite3 *db, const rp_snapshot *s, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT period, state FROM bench_freshness WHERE"
                        " period BETWEEN ?1 AND ?2 AND state <> 'current'"
                        " ORDER BY period DESC LIMIT 1", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, s->trend_periods[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->period, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    char period[11] = "", state[24] = "", label[48];
    if (rc == SQLITE_ROW) {
        liia_strlcpy(period, (const char *)sqlite3_column_text(st, 0), sizeof period);
        liia_strlcpy(state, (const char *)sqlite3_column_text(st, 1), sizeof state);
    }
    if (sqlite3_finalize(st) != SQLITE_OK || (rc != SQLITE_ROW && rc != SQLITE_DONE))
        return liia_db_fail(e, db, "checking the benchmarks are current");
    if (rc == SQLITE_DONE)
        return 0;
    liia_period_label(period, label, sizeof label);
    liia_strlcpy(e->value, period, sizeof e->value);
    liia_error_fix(e, "run 'liia-bench bench' to recompute the benchmarks, "
                      "then report again");
    return liia_fail(e, LIIA_E_DATA, "the benchmarks for %s %s", label,
                     strcmp(state, "stale") ? "have not been computed"
                                            : "are older than the returns in "
                                              "the store (a return was "
                                              "accepted after 'bench' ran)");
}

static int run(sqlite3 *db, const liia_report_opts *o, const rp_snapshot *s,
               const char *charts, liia_report_result *res, rp_failures *f,
               liia_error *e)
{
    int one = -1;
    if (!o->all && (one = o->la ? rp_auth_index(s, o->la) : -1) < 0) {
        liia_strlcpy(e->value, o->la ? o->la : "", sizeof e->value);
        liia_error_fix(e, "give --la with a London authority, or --all");
        return liia_fail(e, LIIA_E_USAGE, "unknown authority");
    }
    if (o->progress)
        liia_progress_start(o->progress, "report", o->all ? (long)s->n_auth
                                                          : 1);
    for (size_t a = 0; a < s->n_auth; a++) {
        if (!o->all && (int)a != one)
            continue;
        if (o->progress)
            liia_progress_step(o->progress, s->auth[a].short_code);
        int rc = authority_pack(db, s, a, o, f, e);
        if (rc < 0)
            return -1;
        res->packs += rc;
    }
    if (o->progress)
        liia_progress_end(o->progress);
    if (o->all && london_outputs(db, s, o->out_dir, res, f, e))
        return -1;
    return chart_images(s, one, charts, &res->charts, f, e);
}

/* Files that could not be written: the first one's error, and every name
 * for the caller to list. */
static int report_failures(rp_failures *f, liia_report_result *res,
                           liia_error *e)
{
    res->n_not_written = f->count;
    res->not_written = liia_buf_detach(&f->names);
    *e = f->first;
    liia_error_fix(e, "%s; the %d file%s not written keep%s the previous "
                      "copy, if there was one",
                   f->first.fix, f->count, f->count == 1 ? "" : "s",
                   f->count == 1 ? "s" : "");
    return -1;
}

int liia_report_packs(sqlite3 *db, const liia_report_opts *o,
                      liia_report_result *res, liia_error *e)
{
    memset(res, 0, sizeof *res);
    if (resolve_period(db, o, res->period, e) ||
        rp_mkdir_p(o->out_dir, e))
        return -1;
    char *charts = rp_path(o->out_dir, "charts", e);
    if (!charts || rp_mkdir_p(charts, e)) {
        free(charts);
        return -1;
    }
    /* One read transaction: the snapshot, the freshness check and the
     * sheets read later (data quality, pooled values) all see the store as
     * it was at one moment, whatever is ingested meanwhile (WAL). */
    int own_tx = sqlite3_get_autocommit(db);
    if (own_tx && liia_db_exec(db, "BEGIN", e)) {
        free(charts);
        return -1;
    }
    rp_failures f = {.count = 0};
    liia_buf_init(&f.names);
    rp_snapshot s;
    int rc = rp_snapshot_load(db, res->period, &s, e);
    if (!rc) {
        rc = check_period(&s, e) || check_fresh(db, &s, e) ||
                     run(db, o, &s, charts, res, &f, e)
                 ? -1
                 : 0;
        rp_snapshot_free(&s);
    }
    if (own_tx)
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL); /* read only: nothing to lose */
    if (!rc && f.count)
        rc = report_failures(&f, res, e);
    liia_buf_free(&f.names);
    free(charts);
    return rc;
}

void liia_report_result_free(liia_report_result *res)
{
    if (res) {
        free(res->not_written);
        res->not_written = NULL;
        res->n_not_written = 0;
    }
}
