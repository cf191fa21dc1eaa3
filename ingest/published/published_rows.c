/*
 * published_rows.c - the rows of a recognised published file: which area
 * and year each is for, which figures its layout takes from it, and DfE's
 * symbols kept as reasons.  Columns are found by name, so their order
 * (la_name before or after new_la_code) does not matter.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "published_internal.h"

/* The standard Explore Education Statistics columns. */
enum { C_TIME, C_LEVEL, C_COUNTRY, C_COUNTRY_NAME, C_REGION, C_REGION_NAME,
       C_OLD, C_NEW, C_NAME, C_STD };
static const char *const std_cols[C_STD] = {
    "time_period", "geographic_level", "country_code", "country_name",
    "region_code", "region_name", "old_la_code", "new_la_code", "la_name"};

static const char *const symbols[] = {"c", "x", "z", "k", "u", "low", "~", ":", NULL};

typedef struct rows {
    sqlite3 *db;
    const pub_desc *d;
    liia_published_result *r;
    int std[C_STD];
    int *col;                      /* per map: its column */
    int (*where)[PUB_MAX_WHERE];   /* per map: its filter columns */
    sqlite3_stmt *value, *joint, *area, *sn;
} rows;

static const char *cell(const liia_csv_record *rec, int c)
{
    return c >= 0 && (size_t)c < rec->nfields ? rec->fields[c] : "";
}

static int row_fail(const liia_csv_record *rec, int c, const char *name,
                    liia_error *e)
{
    e->line = rec->line;
    e->column = c + 1;
    liia_strlcpy(e->column_name, name, sizeof e->column_name);
    liia_error_set_value(e, cell(rec, c), strlen(cell(rec, c)));
    return -1;
}

static int missing_column(const char *name, long line, const char *layout,
                          liia_error *e)
{
    e->line = line;
    liia_strlcpy(e->column_name, name, sizeof e->column_name);
    liia_error_fix(e, "the %s layout (schemas/published/%s.json) takes this column; "
                      "check the file is the whole open-data CSV as downloaded",
                   layout, layout);
    return liia_fail(e, LIIA_E_DATA, "column '%s' is missing", name);
}

/* DfE's neighbour model: the authority column, SN_k and SN_kP. */
static int neighbour_header(rows *w, const liia_csv_record *rec, liia_error *e)
{
    char name[32];
    if ((w->std[0] = pub_column(rec, w->d->nb_la_col)) < 0)
        return missing_column(w->d->nb_la_col, rec->line, w->d->id, e);
    for (int k = 0; k < w->d->nb_count; k++)
        for (int band = 0; band < 2; band++) {
            snprintf(name, sizeof name, "%s%d%s", w->d->nb_prefix, k + 1,
                     band ? w->d->nb_suffix : "");
            if ((w->col[2 * k + band] = pub_column(rec, name)) < 0)
                return missing_column(name, rec->line, w->d->id, e);
        }
    return 0;
}

static int header(rows *w, const liia_csv_record *rec, liia_error *e)
{
    const pub_desc *d = w->d;
    if (d->nb_count)
        return neighbour_header(w, rec, e);
    for (int i = 0; i < C_STD; i++)
        if ((w->std[i] = pub_column(rec, std_cols[i])) < 0)
            return missing_column(std_cols[i], rec->line, d->id, e);
    for (size_t m = 0; m < d->nmaps; m++) {
        if ((w->col[m] = pub_column(rec, d->maps[m].column)) < 0)
            return missing_column(d->maps[m].column, rec->line, d->id, e);
        for (int k = 0; k < d->maps[m].nwhere; k++)
            if ((w->where[m][k] = pub_column(rec, d->maps[m].where_col[k])) < 0)
                return missing_column(d->maps[m].where_col[k], rec->line, d->id, e);
    }
    return 0;
}

/* "2025" (a reporting or mid-year) or "202425" (financial year: its end). */
static int parse_year(const liia_csv_record *rec, int c, int *year, liia_error *e)
{
    const char *t = cell(rec, c);
    size_t n = strspn(t, "0123456789");
    if ((n == 4 || n == 6) && !t[n]) {
        *year = (int)strtol(t, NULL, 10);
        if (n == 6)
            *year = *year / 100 + 1;
        if (*year >= 1990 && *year <= 2100)
            return 0;
    }
    row_fail(rec, c, "time_period", e);
    liia_error_fix(e, "time_period must be a year (2025) or a financial year (202425)");
    return liia_fail(e, LIIA_E_DATA, "time_period is not a year");
}

/* A figure: a number, a DfE symbol (kept as the reason), or empty (none). */
static int parse_figure(const liia_csv_record *rec, int c, const char *name,
                        double *v, const char **sym, liia_error *e)
{
    const char *t = cell(rec, c);
    char *end;
    *sym = NULL;
    if (!t[0])
        return 1;
    for (int i = 0; symbols[i]; i++)
        if (!strcmp(t, symbols[i])) {
            *sym = symbols[i];
            return 0;
        }
    errno = 0;
    *v = strtod(t, &end);
    if (!errno && end != t && !*end && isfinite(*v) && *v >= 0)
        return 0;
    row_fail(rec, c, name, e);
    liia_error_fix(e, "a figure must be a non-negative number or one of DfE's symbols "
                      "c, x, z, k, u, low, ~, :");
    return liia_fail(e, LIIA_E_DATA, "not a number or a DfE symbol");
}

static int matches(const rows *w, size_t m, const liia_csv_record *rec)
{
    const pub_map *p = &w->d->maps[m];
    for (int k = 0; k < p->nwhere; k++)
        if (strcmp(cell(rec, w->where[m][k]), p->where_val[k]))
            return 0;
    return 1;
}

static int store_figure(rows *w, const pub_map *p, const char *code, const char *joint,
                        int year, double v, const char *sym, long line, liia_error *e)
{
    sqlite3_stmt *st = joint ? w->joint : w->value;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, w->r->file_id);
    sqlite3_bind_text(st, 2, p->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, year);
    if (sym)
        sqlite3_bind_null(st, 6);
    else
        sqlite3_bind_double(st, 6, v);
    sqlite3_bind_text(st, 7, sym, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, joint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, line);
    if (sqlite3_step(st) != SQLITE_DONE)
        return liia_db_fail(e, w->db, "storing a published figure");
    if (!joint && sqlite3_changes(w->db) == 0) {
        e->line = line;
        liia_error_set_value(e, code, strlen(code));
        liia_error_fix(e, "each area, year and figure may appear once in a file");
        return liia_fail(e, LIIA_E_DATA, "duplicated row: %s for %d already given",
                         p->id, year);
    }
    return 0;
}

/* A joint row ("E09000021 / E09000027"): each member gets the figure,
 * unless the file also gives the member's own. */
static int store_all(rows *w, const pub_map *p, const char *code, int year, double v,
                     const char *sym, long line, liia_error *e)
{
    if (!strstr(code, " / "))
        return store_figure(w, p, code, NULL, year, v, sym, line, e);
    char one[16];
    for (const char *s = code; *s;) {
        size_t n = strcspn(s, " /");
        if (n && n < sizeof one) {
            memcpy(one, s, n);
            one[n] = '\0';
            if (store_figure(w, p, one, code, year, v, sym, line, e))
                return -1;
        }
        s += n + strspn(s + n, " /");
    }
    return 0;
}

/* The area a row is for: England, a region (or Inner/Outer London) or an
 * authority; 0 for other geographic levels (skipped).  A new code is
 * added to the area list. */
static int area_of(rows *w, const liia_csv_record *rec, int year, char *code,
                   size_t size, liia_error *e)
{
    const char *level = cell(rec, w->std[C_LEVEL]);
    int c = !strcmp(level, "National") ? C_COUNTRY
          : !strcmp(level, "Regional") ? C_REGION
          : !strcmp(level, "Local authority") ? C_NEW : -1;
    if (c < 0)
        return 0;
    liia_strlcpy(code, cell(rec, w->std[c]), size);
    if (!code[0]) {
        row_fail(rec, w->std[c], std_cols[c], e);
        liia_error_fix(e, "a %s row needs its %s", level, std_cols[c]);
        return liia_fail(e, LIIA_E_DATA, "area code is empty");
    }
    if (strstr(code, " / "))
        return 1; /* a joint row: its members are areas already */
    const char *region = cell(rec, w->std[C_REGION]);
    int london = !strncmp(region, "E13", 3);
    const char *type = c == C_COUNTRY ? "england" : c == C_NEW ? "la"
                     : !strncmp(code, "E13", 3) ? "inner_outer" : "region";
    const char *name = cell(rec, w->std[c == C_COUNTRY ? C_COUNTRY_NAME
                                        : c == C_REGION ? C_REGION_NAME : C_NAME]);
    sqlite3_stmt *st = w->area;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, c == C_NEW ? cell(rec, w->std[C_OLD]) : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, c == C_COUNTRY || !strcmp(type, "region") ? ""
                      : london ? "E12000007" : region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c == C_COUNTRY || !strcmp(type, "region") ? ""
                      : london ? "London" : cell(rec, w->std[C_REGION_NAME]), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 7, c == C_NEW && london ? region : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, year);
    if (sqlite3_step(st) != SQLITE_DONE)
        return liia_db_fail(e, w->db, "recording an area");
    return 1;
}

static const char AREA_UPSERT[] =
    "INSERT INTO area (area_code, dfe_la_number, name, area_type, region_code, "
    "region_name, inner_outer_code, first_year, last_year) VALUES (?1, "
    "CAST(NULLIF(?2, '') AS INTEGER), ?3, ?4, NULLIF(?5, ''), NULLIF(?6, ''), "
    "NULLIF(?7, ''), ?8, ?8) ON CONFLICT (area_code) DO UPDATE SET "
    "first_year = min(coalesce(first_year, excluded.first_year), excluded.first_year), "
    "last_year = max(coalesce(last_year, excluded.last_year), excluded.last_year)";

static int parse_number(const liia_csv_record *rec, int c, const char *name, long *n,
                        liia_error *e)
{
    char *end;
    const char *t = cell(rec, c);
    errno = 0;
    *n = strtol(t, &end, 10);
    if (t[0] && !*end && !errno && *n > 0)
        return 0;
    row_fail(rec, c, name, e);
    liia_error_fix(e, "statistical neighbours are given by DfE number (e.g. 202)");
    return liia_fail(e, LIIA_E_DATA, "not a DfE authority number");
}

/* One authority's row of DfE's wide model: SN_1..SN_n with closeness. */
static int neighbour_row(rows *w, const liia_csv_record *rec, liia_error *e)
{
    long la, nb;
    w->r->rows++;
    if (parse_number(rec, w->std[0], w->d->nb_la_col, &la, e))
        return -1;
    for (int k = 0; k < w->d->nb_count; k++) {
        if (!cell(rec, w->col[2 * k])[0]) {
            w->r->skipped++; /* no neighbour at this rank */
            continue;
        }
        if (parse_number(rec, w->col[2 * k], "neighbour", &nb, e))
            return -1;
        sqlite3_reset(w->sn);
        sqlite3_bind_int(w->sn, 1, w->r->model_year);
        sqlite3_bind_int64(w->sn, 2, w->r->file_id);
        sqlite3_bind_int64(w->sn, 3, la);
        sqlite3_bind_int(w->sn, 4, k + 1);
        sqlite3_bind_int64(w->sn, 5, nb);
        sqlite3_bind_text(w->sn, 6, cell(rec, w->col[2 * k + 1]), -1, SQLITE_STATIC);
        if (sqlite3_step(w->sn) != SQLITE_DONE) {
            e->line = rec->line;
            return liia_db_fail(e, w->db, "storing a statistical neighbour "
                                "(is an authority listed twice?)");
        }
        w->r->values++;
    }
    return 0;
}

static int data_row(rows *w, const liia_csv_record *rec, liia_error *e)
{
    char code[64];
    int year = 0, taken = 0;
    w->r->rows++;
    if (parse_year(rec, w->std[C_TIME], &year, e))
        return -1;
    int known = area_of(w, rec, year, code, sizeof code, e);
    if (known <= 0)
        return known < 0 ? -1 : (w->r->skipped++, 0);
    for (size_t m = 0; m < w->d->nmaps; m++) {
        double v = 0;
        const char *sym;
        if (!matches(w, m, rec))
            continue;
        taken = 1;
        int rc = parse_figure(rec, w->col[m], w->d->maps[m].column, &v, &sym, e);
        if (rc < 0 || (rc == 0 && store_all(w, &w->d->maps[m], code, year, v, sym,
                                            rec->line, e)))
            return -1;
        if (rc == 0)
            sym ? w->r->symbols++ : w->r->values++;
    }
    if (!taken)
        w->r->skipped++;
    return 0;
}

static int on_record(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    rows *w = ctx;
    if (rec->record_no == 1)
        return header(w, rec, e);
    return w->d->nb_count ? neighbour_row(w, rec, e) : data_row(w, rec, e);
}

static int prepare(rows *w, liia_error *e)
{
    static const char ins[] =
        "INSERT INTO published_value (file_id, kind, measure, area_code, year, value, "
        "symbol, joint_code, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ";
    char sql[sizeof ins + 256];
    snprintf(sql, sizeof sql, "%sON CONFLICT DO UPDATE SET value = excluded.value, "
             "symbol = excluded.symbol, joint_code = NULL, line = excluded.line "
             "WHERE published_value.joint_code IS NOT NULL", ins);
    if (liia_db_prepare(w->db, sql, &w->value, e))
        return -1;
    snprintf(sql, sizeof sql, "%sON CONFLICT DO NOTHING", ins);
    return liia_db_prepare(w->db, sql, &w->joint, e) ||
           liia_db_prepare(w->db, AREA_UPSERT, &w->area, e) ||
           liia_db_prepare(w->db, "INSERT INTO sn_model (model_year, file_id, dfe_la_number, "
                           "rank, neighbour_dfe_la_number, closeness) VALUES (?1, ?2, ?3, ?4, "
                           "?5, NULLIF(trim(?6), ''))", &w->sn, e) ? -1 : 0;
}

int pub_rows_import(sqlite3 *db, const pub_desc *d, const char *path,
                    liia_published_result *r, liia_error *e)
{
    rows w = {.db = db, .d = d, .r = r};
    int rc = -1;
    w.col = calloc(d->nmaps + 2 * (size_t)d->nb_count + 1, sizeof *w.col);
    w.where = calloc(d->nmaps + 1, sizeof *w.where);
    if (!w.col || !w.where)
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
    else if (!prepare(&w, e))
        rc = liia_csv_read_file(path, 0, on_record, &w, NULL, e);
    sqlite3_finalize(w.value);
    sqlite3_finalize(w.joint);
    sqlite3_finalize(w.area);
    sqlite3_finalize(w.sn);
    free(w.col);
    free(w.where);
    return rc;
}
