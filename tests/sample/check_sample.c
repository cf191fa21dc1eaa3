/*
 * check_sample.c SCHEMA_DIR DATA_DIR - checks every generated quarterly
 * return against the consistency rules, without the ingest library: the
 * rules are read from schemas/ (parents from measures.json, le /
 * implausible_change / stock_flow from rules/quarterly.json) and applied
 * here, so a generator bug and an ingest bug cannot hide each other.
 * Also checks the file layout, value formats and that rates per 10,000
 * children are in London's range.  Exits 1 on the first broken file set.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "liia_core.h"

#define MAX_M 128
#define MAX_LA 40
#define QUARTERS 8

struct le_rule {
    const char *id;
    int left[4], nleft, right[4], nright;
};

struct checker {
    json_t *measures_doc, *rules_doc;
    const char *id[MAX_M];
    int parent[MAX_M], is_fte[MAX_M], is_stock[MAX_M], nm;
    struct le_rule le[32];
    int nle;
    double change_threshold, change_minimum;
    int sf_stock, sf_in, sf_out;
    double sf_rel, sf_abs;
    char la[MAX_LA][8], gss[MAX_LA][10];
    double pop[MAX_LA];
    int nla;
    long files, comparisons, failures;
};

/* One file's values: NAN = blank or absent. */
struct values {
    double v[MAX_M];
    const struct checker *c;
    const char *la, *period, *path;
    int bad;
};

static int fail(struct checker *c, const char *fmt, ...) LIIA_PRINTF(2, 3);

static int fail(struct checker *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "check_sample: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    c->failures++;
    return -1;
}

static int index_of(const struct checker *c, const char *id)
{
    for (int i = 0; id && i < c->nm; i++)
        if (!strcmp(c->id[i], id))
            return i;
    return -1;
}

static int load_measures(struct checker *c, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/measures.json", dir);
    c->measures_doc = json_load_file(path, 0, NULL);
    const json_t *arr = json_object_get(c->measures_doc, "measures"), *m;
    size_t i;
    if (!json_is_array(arr) || json_array_size(arr) > MAX_M)
        return fprintf(stderr, "check_sample: cannot read %s\n", path), -1;
    json_array_foreach(arr, i, m) {
        c->id[i] = json_string_value(json_object_get(m, "id"));
        c->is_fte[i] = !strcmp(json_string_value(json_object_get(m, "unit")), "fte");
        c->is_stock[i] = !strcmp(json_string_value(json_object_get(m, "kind")), "stock");
    }
    c->nm = (int)i;
    json_array_foreach(arr, i, m)
        c->parent[i] = index_of(c, json_string_value(json_object_get(m, "parent")));
    return 0;
}

static int side(const struct checker *c, const json_t *arr, int *out, int *n)
{
    size_t i;
    const json_t *s;
    *n = 0;
    json_array_foreach(arr, i, s) {
        if (*n == 4 || (out[*n] = index_of(c, json_string_value(s))) < 0)
            return -1;
        (*n)++;
    }
    return *n ? 0 : -1;
}

static int add_rule(struct checker *c, const json_t *r)
{
    const char *kind = json_string_value(json_object_get(r, "kind"));
    if (!strcmp(kind, "le")) {
        struct le_rule *l = &c->le[c->nle++];
        l->id = json_string_value(json_object_get(r, "id"));
        return side(c, json_object_get(r, "left"), l->left, &l->nleft) ||
               side(c, json_object_get(r, "right"), l->right, &l->nright) ? -1 : 0;
    }
    if (!strcmp(kind, "implausible_change")) {
        c->change_threshold = json_number_value(json_object_get(r, "threshold"));
        c->change_minimum = json_number_value(json_object_get(r, "minimum"));
    } else if (!strcmp(kind, "stock_flow")) {
        c->sf_stock = index_of(c, json_string_value(json_object_get(r, "stock")));
        c->sf_in = index_of(c, json_string_value(json_object_get(r, "inflow")));
        c->sf_out = index_of(c, json_string_value(json_object_get(r, "outflow")));
        c->sf_rel = json_number_value(json_object_get(r, "relative"));
        c->sf_abs = json_number_value(json_object_get(r, "absolute"));
    }
    return 0;
}

static int load_rules(struct checker *c, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/rules/quarterly.json", dir);
    c->rules_doc = json_load_file(path, 0, NULL);
    const json_t *arr = json_object_get(c->rules_doc, "rules"), *r;
    size_t i;
    c->sf_stock = -1;
    json_array_foreach(arr, i, r)
        if (c->nle == 32 || add_rule(c, r))
            return fprintf(stderr, "check_sample: rule %zu of %s not understood\n", i, path), -1;
    /* A checker with nothing to check would pass anything. */
    if (c->nle < 10 || c->change_threshold <= 0 || c->sf_stock < 0 || c->sf_in < 0 ||
        c->sf_out < 0)
        return fprintf(stderr, "check_sample: %s lacks the expected rules\n", path), -1;
    return 0;
}

static int authority_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct checker *c = ctx;
    (void)e;
    if (rec->record_no == 1 || rec->nfields < 4 || c->nla == MAX_LA)
        return 0;
    liia_strlcpy(c->gss[c->nla], rec->fields[0], sizeof c->gss[0]);
    liia_strlcpy(c->la[c->nla++], rec->fields[3], sizeof c->la[0]);
    return 0;
}

/* population_0_17.csv: area_code,area_name,mid_2022,mid_2023,mid_2024 */
static int population_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct checker *c = ctx;
    (void)e;
    for (int i = 0; rec->nfields >= 4 && i < c->nla; i++)
        if (!strcmp(c->gss[i], rec->fields[0]))
            c->pop[i] = strtod(rec->fields[3], NULL);
    return 0;
}

static int load_reference(struct checker *c, const char *dir)
{
    char path[1024];
    liia_error e;
    liia_error_clear(&e);
    snprintf(path, sizeof path, "%s/reference/authorities.csv", dir);
    if (liia_csv_read_file(path, 0, authority_row, c, NULL, &e))
        return fprintf(stderr, "check_sample: %s: %s\n", path, e.message), -1;
    snprintf(path, sizeof path, "%s/reference/population_0_17.csv", dir);
    if (liia_csv_read_file(path, 0, population_row, c, NULL, &e))
        return fprintf(stderr, "check_sample: %s: %s\n", path, e.message), -1;
    return c->nla == 33 ? 0 : (fprintf(stderr, "check_sample: %d authorities\n", c->nla), -1);
}

/* Counts are digits only; FTE digits with at most two decimals. */
static int well_formed(const char *s, int is_fte)
{
    size_t digits = strspn(s, "0123456789");
    if (!digits)
        return 0;
    if (!s[digits])
        return 1;
    size_t dp = strspn(s + digits + 1, "0123456789");
    return is_fte && s[digits] == '.' && dp >= 1 && dp <= 2 && !s[digits + 1 + dp];
}

static int row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct values *v = ctx;
    struct checker *c = (struct checker *)v->c;
    (void)e;
    if (rec->record_no == 1) {
        static const char *const head[] = {"la_code", "period", "measure", "value", "note"};
        for (size_t i = 0; i < 5; i++)
            if (rec->nfields != 5 || strcmp(rec->fields[i], head[i]))
                return fail(c, "%s: header is not la_code,period,measure,value,note",
                            v->path);
        return 0;
    }
    int m = index_of(c, rec->fields[2]);
    if (rec->nfields != 5 || strcmp(rec->fields[0], v->la) || strcmp(rec->fields[1], v->period))
        return fail(c, "%s: row for another authority or period (%s)", v->path,
                    rec->fields[0]);
    if (m < 0 || !isnan(v->v[m]))
        return fail(c, "%s: unknown or repeated measure %s", v->path, rec->fields[2]);
    if (!rec->fields[3][0])
        return 0;
    if (!well_formed(rec->fields[3], c->is_fte[m]))
        return fail(c, "%s: malformed value '%s'", v->path, rec->fields[3]);
    v->v[m] = strtod(rec->fields[3], NULL);
    return 0;
}

static int read_values(struct checker *c, const char *dir, int la, const char *period,
                       struct values *v)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s_%s.csv", dir, c->la[la], period);
    *v = (struct values){.c = c, .la = c->la[la], .period = period, .path = path};
    for (int i = 0; i < MAX_M; i++)
        v->v[i] = NAN;
    liia_error e;
    liia_error_clear(&e);
    long before = c->failures;
    c->files++;
    if (liia_csv_read_file(path, 0, row, v, NULL, &e))
        return c->failures > before ? -1 : fail(c, "%s: %s", path, e.message);
    v->path = NULL;
    return 0;
}

static double sum(const struct values *v, const int *idx, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v->v[idx[i]];
    return s;    /* NAN when any is blank: the comparison is then skipped */
}

static void check_le(struct checker *c, const char *what, const char *file, double l, double r)
{
    if (isnan(l) || isnan(r))
        return;
    c->comparisons++;
    if (l > r)
        fail(c, "%s: %s: %g is more than %g", file, what, l, r);
}

static void check_file(struct checker *c, const struct values *v, const char *file)
{
    char what[128];
    for (int m = 0; m < c->nm; m++)
        if (c->parent[m] >= 0) {
            snprintf(what, sizeof what, "%s <= %s", c->id[m], c->id[c->parent[m]]);
            check_le(c, what, file, v->v[m], v->v[c->parent[m]]);
        }
    for (int r = 0; r < c->nle; r++)
        check_le(c, c->le[r].id, file, sum(v, c->le[r].left, c->le[r].nleft),
                 sum(v, c->le[r].right, c->le[r].nright));
}

static void check_change(struct checker *c, const struct values *prev,
                         const struct values *cur, const char *file)
{
    for (int m = 0; m < c->nm; m++) {
        double a = prev->v[m], b = cur->v[m];
        if (!c->is_stock[m] || isnan(a) || isnan(b) || a < c->change_minimum ||
            b < c->change_minimum)
            continue;
        c->comparisons++;
        if (fabs(b - a) > c->change_threshold * a)
            fail(c, "%s: %s changed from %g to %g", file, c->id[m], a, b);
    }
    double expect = prev->v[c->sf_stock] + cur->v[c->sf_in] - cur->v[c->sf_out];
    double got = cur->v[c->sf_stock];
    if (isnan(expect) || isnan(got))
        return;
    c->comparisons++;
    if (fabs(got - expect) > c->sf_rel * expect + c->sf_abs)
        fail(c, "%s: stock-flow: %s is %g, last quarter's plus flows give %g", file,
             c->id[c->sf_stock], got, expect);
}

/* Yearly rate per 10,000 children averaged over the eight quarters. */
static void check_rate(struct checker *c, int la, const char *id, const double *total,
                       int n, double lo, double hi)
{
    int m = index_of(c, id);
    /* One child in the City of London is 11 per 10,000: its rates are
     * noise, so only authorities of 10,000 children or more are held to
     * London's range. */
    if (m < 0 || n == 0 || c->pop[la] < 10000)
        return;
    double per10k = total[m] / n / (c->pop[la] / 10000.0) * (c->is_stock[m] ? 1 : 4);
    c->comparisons++;
    if (per10k < lo || per10k > hi)
        fail(c, "%s: %s is %g per 10,000 children, outside %g-%g", c->la[la], id,
             per10k, lo, hi);
}

static void check_authority(struct checker *c, const char *dir, int la)
{
    struct values prev, cur;
    double total[MAX_M] = {0};
    int n = 0;
    char period[11], file[64];
    for (int q = 0; q < QUARTERS; q++) {
        liia_period_shift("2023-06-30", -q, period);
        snprintf(file, sizeof file, "%s_%s.csv", c->la[la], period);
        if (read_values(c, dir, la, period, &cur))
            return;
        check_file(c, &cur, file);
        if (q > 0)
            check_change(c, &prev, &cur, file);
        for (int m = 0; m < c->nm; m++)
            total[m] += isnan(cur.v[m]) ? 0 : cur.v[m];
        n++;
        prev = cur;
    }
    check_rate(c, la, "contacts", total, n, 1200, 3000);
    check_rate(c, la, "referrals", total, n, 280, 700);
    check_rate(c, la, "cla_at_end", total, n, 25, 85);
    check_rate(c, la, "cpp_at_end", total, n, 18, 65);
}

int main(int argc, char **argv)
{
    static struct checker c;
    if (argc != 3)
        return fprintf(stderr, "usage: check_sample SCHEMA_DIR DATA_DIR\n"), 2;
    if (load_measures(&c, argv[1]) || load_rules(&c, argv[1]) || load_reference(&c, argv[1]))
        return 2;
    for (int la = 0; la < c.nla; la++)
        check_authority(&c, argv[2], la);
    printf("check_sample: %ld files, %ld comparisons, %ld failures\n", c.files,
           c.comparisons, c.failures);
    json_decref(c.measures_doc);
    json_decref(c.rules_doc);
    return c.failures || c.files != 33 * QUARTERS ? 1 : 0;
}
