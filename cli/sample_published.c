/*
 * sample_published.c - `liia-bench sample --published --out DIR`: synthetic
 * files in DfE's open-data layouts (docs/published.md) for every English
 * authority of schemas/reference/areas.csv, its region and England, the
 * years 2023-2025, and DfE's wide neighbour model built from the bundled
 * London neighbours.  Deterministic: the figures come from a hash of the
 * seed, the area, the year and the measure; regions and England are the
 * sums of their authorities rounded to the nearest 10, as DfE publishes
 * them; counts of 1 to 5 are 'c', as DfE suppresses them.
 */
#include <getopt.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sample.h"

enum { MAX_AREAS = 200, FIRST_YEAR = 2023, LAST_YEAR = 2025, NYEARS = 3 };

typedef struct area {
    char code[32], name[64], type[16], region[16], region_name[40], io[16], num[16];
    int number;
    double pop[NYEARS + 1]; /* mid-year FIRST_YEAR-1 .. LAST_YEAR-1 */
} area;

typedef struct gen {
    area a[MAX_AREAS];
    int n;
    uint64_t seed;
    FILE *f;        /* the stream over out's temporary */
    liia_outfile out;
} gen;

/* ------------------------------------------------------------ the model */

/* A figure as a share of its base ("pop": per child), drawn per authority
 * within [lo, hi) and drifting a little by year; dp: decimals published. */
static const struct model {
    const char *id, *base;
    double lo, hi;
    int dp;
} model[] = {
    {"cin_at_end", "pop", .024, .041, 0},
    {"referrals", "pop", .033, .060, 0},
    {"referrals_repeat_12m", "referrals", .15, .25, 0},
    {"referrals_nfa", "referrals", .03, .10, 0},
    {"cpp_started", "pop", .0033, .0058, 0},
    {"cpp_started_repeat", "cpp_started", .15, .28, 0},
    {"cpp_at_end", "pop", .0028, .0050, 0},
    {"cpp_at_end_2y_plus", "cpp_at_end", .01, .05, 0},
    {"cla_at_end", "pop", .0035, .0110, 0},
    {"cla_started", "pop", .0016, .0030, 0},
    {"cla_ceased", "pop", .0016, .0030, 0},
    {"cla_lt_cohort", "cla_at_end", .13, .17, 0},
    {"cla_lt_stable", "cla_lt_cohort", .60, .75, 0},
    {"cla_3plus", "cla_at_end", .08, .12, 0},
    {"cl_total", "cla_at_end", .55, .65, 0},
    {"cl_eet", "cl_total", .45, .62, 0},
    {"cl_suitable", "cl_total", .82, .92, 0},
    {"inpost", "pop", .0030, .0045, 1},
    {"agency", "inpost", .08, .30, 1},
    {"vacancy", "inpost", .10, .30, 1},
    {"leavers", "inpost", .10, .18, 1},
    {"case_holders", "inpost", .55, .70, 1},
    {"cases", "case_holders", 12, 20, 0},
};
#define NMODEL (sizeof model / sizeof model[0])

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t hash(uint64_t h, const char *s)
{
    while (*s)
        h = mix(h ^ (unsigned char)*s++) + 0x9E3779B97F4A7C15ULL;
    return h;
}

static double unit(uint64_t h)
{
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static int model_index(const char *id)
{
    for (size_t i = 0; i < NMODEL; i++)
        if (!strcmp(model[i].id, id))
            return (int)i;
    return -1;
}

static double la_figure(const gen *g, const area *a, int year, int m)
{
    const struct model *md = &model[m];
    uint64_t h = hash(hash(g->seed, a->code), md->id);
    double share = md->lo + (md->hi - md->lo) * unit(h);
    share *= 1 + 0.06 * (unit(mix(h + (uint64_t)year)) - 0.5);
    double base = !strcmp(md->base, "pop") ? a->pop[year - FIRST_YEAR]
                : la_figure(g, a, year, model_index(md->base));
    double scale = md->dp ? 10 : 1;
    return round(base * share * scale) / scale;
}

static int member(const area *la, const area *of)
{
    return !strcmp(of->type, "england") || !strcmp(la->region, of->code) ||
           !strcmp(la->io, of->code);
}

/* An authority's figure, or the sum of its members rounded to 10. */
static double figure(const gen *g, const area *a, int year, const char *id)
{
    int m = model_index(id);
    if (!strcmp(a->type, "la"))
        return la_figure(g, a, year, m);
    double sum = 0;
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->a[i].type, "la") && member(&g->a[i], a))
            sum += la_figure(g, &g->a[i], year, m);
    return model[m].dp ? round(sum * 10) / 10 : round(sum / 10) * 10;
}

/* ------------------------------------------------------------ writing */

/* The standard columns; la_name before new_la_code in the looked-after
 * files, after it in the others; the CP files quote empty codes. */
static void prefix(gen *g, const area *a, int year, int name_first, int quote_empty)
{
    const char *q = quote_empty ? "\"\"" : "";
    int la = !strcmp(a->type, "la"), eng = !strcmp(a->type, "england");
    fprintf(g->f, "%d,Reporting year,%s,E92000001,England,", year,
            la ? "Local authority" : eng ? "National" : "Regional");
    if (eng)
        fprintf(g->f, "%s,%s,", q, q);
    else if (la)
        fprintf(g->f, "%s,%s,", a->io[0] ? a->io : a->region,
                a->io[0] ? (!strcmp(a->io, "E13000001") ? "Inner London" : "Outer London")
                         : a->region_name);
    else
        fprintf(g->f, "%s,\"%s\",", a->code, a->name);
    fprintf(g->f, "%s,", la ? a->num : "");
    if (!la)
        fprintf(g->f, "%s,%s", q, q);
    else if (name_first)
        fprintf(g->f, "\"%s\",%s", a->name, a->code);
    else
        fprintf(g->f, "%s,\"%s\"", a->code, a->name);
}

/* Former authorities (Cumbria, Northamptonshire) that DfE's files still
 * list: every figure 'x' (not available), as there. */
static int gone(const area *a)
{
    return a->number == 909 || a->number == 928;
}

/* A count as DfE publishes it: 1-5 suppressed at authority level, groups
 * rounded to the nearest 10. */
static void count(gen *g, const area *a, double v, int dp)
{
    int la = !strcmp(a->type, "la");
    if (gone(a))
        fputs(",x", g->f);
    else if (la && v >= 1 && v <= 5 && !dp)
        fputs(",c", g->f);
    else
        fprintf(g->f, ",%.*f", dp, la || dp ? v : round(v / 10) * 10);
}

/* A rate, 'c' when its numerator is suppressed, 'z' with no denominator. */
static void rate(gen *g, const area *a, double num, double den, double scale, int dp)
{
    if (gone(a))
        fputs(",x", g->f);
    else if (den <= 0)
        fputs(",z", g->f);
    else if (!strcmp(a->type, "la") && num >= 1 && num <= 5 && dp >= 0)
        fputs(",c", g->f);
    else
        fprintf(g->f, ",%.*f", dp < 0 ? -dp : dp, num * scale / den);
}

#define FIG(id) figure(g, a, year, id)

static void row_b1(gen *g, const area *a, int year)
{
    prefix(g, a, year, 0, 0);
    fputs(",Children in Need", g->f);
    count(g, a, round(FIG("cin_at_end") * 1.9), 0);
    count(g, a, FIG("cin_at_end"), 0);
}

static void row_c1(gen *g, const area *a, int year)
{
    double r = FIG("referrals"), rr = FIG("referrals_repeat_12m"), nfa = FIG("referrals_nfa");
    prefix(g, a, year, 0, 0);
    fputs(",Referrals and Re-referrals", g->f);
    count(g, a, r, 0);
    count(g, a, rr, 0);
    rate(g, a, rr, r, 100, 1);
    count(g, a, nfa, 0);
    rate(g, a, nfa, r, 100, 1);
}

/* A CP file: a total, a subset and the subset's percentage. */
static void row_subset(gen *g, const area *a, int year, const char *category,
                       const char *total_id, const char *subset_id)
{
    double total = FIG(total_id), subset = FIG(subset_id);
    prefix(g, a, year, 0, 1);
    fprintf(g->f, ",%s", category);
    count(g, a, total, 0);
    count(g, a, subset, 0);
    rate(g, a, subset, total, 100, 1);
}

static void row_d3(gen *g, const area *a, int year)
{
    row_subset(g, a, year, "Child Protection Plans which are a second or subsequent plan",
               "cpp_started", "cpp_started_repeat");
}

static void row_d5(gen *g, const area *a, int year)
{
    row_subset(g, a, year, "Child Protection Plans by length of time", "cpp_at_end",
               "cpp_at_end_2y_plus");
}

static void row_csww(gen *g, const area *a, int year)
{
    double in = FIG("inpost"), ag = FIG("agency"), va = FIG("vacancy"),
           le = FIG("leavers"), ch = FIG("case_holders"), cs = FIG("cases");
    prefix(g, a, year, 0, 0);
    count(g, a, in, 1);
    count(g, a, ag, 1);
    count(g, a, va, 1);
    count(g, a, le, 1);
    count(g, a, cs, 0);
    count(g, a, ch, 1);
    rate(g, a, ag, ag + in, 100, -1);
    rate(g, a, va, va + in, 100, -1);
    rate(g, a, le, in, 100, -1);
    rate(g, a, cs, ch, 1, -1);
}

static void row_ons(gen *g, const area *a, int year)
{
    prefix(g, a, year, 0, 0);
    fprintf(g->f, ",Children aged 0 to 17 years,%.0f", a->pop[year + 1 - FIRST_YEAR]);
}

/* The long layouts: one row per filter value. */
static void row_cla(gen *g, const area *a, int year)
{
    static const char *const types[3][2] = {
        {"Children looked after on 31 March each year", "cla_at_end"},
        {"Children starting to be looked after each year", "cla_started"},
        {"Children ceasing to be looked after each year", "cla_ceased"}};
    double pop = a->pop[year - FIRST_YEAR];
    for (int i = 0; i < 3; i++) {
        double v = FIG(types[i][1]);
        if (i)
            fputc('\n', g->f);
        prefix(g, a, year, 1, 0);
        fprintf(g->f, ",%s,%.0f", types[i][0], pop);
        count(g, a, v, 0);
        rate(g, a, v, pop, 10000, 0);
    }
}

static void long_row(gen *g, const area *a, int year, const char *group,
                     const char *what, double v, double total)
{
    prefix(g, a, year, 1, 0);
    fprintf(g->f, ",\"%s\",\"%s\"", group, what);
    count(g, a, v, 0);
    rate(g, a, v, total, 100, 0);
}

static void row_stability(gen *g, const area *a, int year)
{
    static const char lt[] = "Children looked after continuously for at least 2.5 years "
                             "on 31 March aged under 16 years";
    double cohort = FIG("cla_lt_cohort"), cla = FIG("cla_at_end");
    long_row(g, a, year, lt, "Living with the same carer for at least 2 years",
             FIG("cla_lt_stable"), cohort);
    fputc('\n', g->f);
    long_row(g, a, year, lt, "Total children", cohort, cohort);
    fputc('\n', g->f);
    long_row(g, a, year, "CLA on 31 March", "With 3 or more placements during the year",
             FIG("cla_3plus"), cla);
    fputc('\n', g->f);
    long_row(g, a, year, "CLA on 31 March", "Total children", cla, cla);
}

static void row_activity(gen *g, const area *a, int year)
{
    double t = FIG("cl_total"), eet = FIG("cl_eet");
    long_row(g, a, year, "19 to 21 years", "Total in education, employment or training",
             eet, t);
    fputc('\n', g->f);
    long_row(g, a, year, "19 to 21 years", "Total not in education, employment or training",
             t - eet, t);
    fputc('\n', g->f);
    long_row(g, a, year, "19 to 21 years", "Total", t, t);
}

static void row_accommodation(gen *g, const area *a, int year)
{
    double t = FIG("cl_total"), ok = FIG("cl_suitable");
    long_row(g, a, year, "19 to 21 years", "Accommodation considered suitable", ok, t);
    fputc('\n', g->f);
    long_row(g, a, year, "19 to 21 years", "Accommodation considered unsuitable", t - ok, t);
    fputc('\n', g->f);
    long_row(g, a, year, "19 to 21 years", "Suitability total", t, t);
}

#define STD_AFTER "time_period,time_identifier,geographic_level,country_code,country_name," \
                  "region_code,region_name,old_la_code,new_la_code,la_name"
#define STD_BEFORE "time_period,time_identifier,geographic_level,country_code,country_name," \
                   "region_code,region_name,old_la_code,la_name,new_la_code"
#define BOM "\xEF\xBB\xBF"

static const struct file {
    const char *name, *header;
    void (*row)(gen *g, const area *a, int year);
    int first_year;
} files[] = {
    {"b1_children_in_need.csv", STD_AFTER ",category,Anypoint_episodes,At31_episodes",
     row_b1, FIRST_YEAR},
    {"c1_referrals.csv", STD_AFTER ",category,referral_count,rereferral_count,"
     "rereferral_percent,no_further_action_count,no_further_action_percent", row_c1,
     FIRST_YEAR},
    {"d3_cpps_subsequent_plan.csv", STD_AFTER ",category,CPP_start,CPP_subsequent,"
     "CPP_subsequent_percent", row_d3, FIRST_YEAR},
    {"d5_cpps_at31march_by_duration.csv", STD_AFTER ",category,CPP_At31,2_years_or_more,"
     "2_years_or_more_percent", row_d5, FIRST_YEAR},
    {"cla_number_and_rate_per_10k_children.csv", BOM STD_BEFORE ",population_type,"
     "population_estimate,children_count,rate_per_10000", row_cla, FIRST_YEAR},
    {"la_cla_placement_stability.csv", BOM STD_BEFORE ",cla_group,placement_stability,"
     "children_count,children_percent", row_stability, FIRST_YEAR},
    {"la_care_leavers_activity.csv", BOM STD_BEFORE ",care_leaver_age,breakdown,"
     "care_leaver_count,care_leaver_percent", row_activity, FIRST_YEAR},
    {"la_care_leavers_accommodation_suitability.csv", STD_BEFORE ",care_leaver_age,"
     "breakdown,care_leaver_count,care_leaver_percent", row_accommodation, FIRST_YEAR},
    {"csww_indicators.csv", STD_AFTER ",inpost_fte,agency_fte,vacancy_fte,leavers_fte,"
     "cases,case_holders_fte,agency_rate_fte,vacancy_rate_fte,turnover_rate_fte,"
     "caseload_fte", row_csww, FIRST_YEAR},
    {"ons_mid-year_population_estimates.csv", STD_AFTER ",age_group,population_estimate",
     row_ons, FIRST_YEAR - 1},
};

/* Written through liia_outfile (a 0600 temporary renamed into place), so
 * a link planted at the name is replaced, never followed. */
static int open_out(gen *g, const char *dir, const char *name, liia_error *e)
{
    char *path = liia_path_join(dir, name);
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_outfile_open(&g->out, path, e);
    free(path);
    if (rc)
        return -1;
    if (!(g->f = liia_outfile_stream(&g->out, e))) {
        liia_outfile_abort(&g->out);
        return -1;
    }
    return 0;
}

/* rc != 0: the writer failed, the temporary is removed. */
static int close_out(gen *g, int rc, liia_error *e)
{
    if (!rc && ferror(g->f)) {
        liia_strlcpy(e->file, g->out.path, sizeof e->file);
        liia_error_fix(e, "check the output directory has space and is writable");
        rc = liia_fail(e, LIIA_E_IO, "cannot write the file");
    }
    g->f = NULL;
    return liia_outfile_finish(&g->out, rc, e);
}

/* Kingston and Richmond share one workforce: one joint row in Kingston's
 * place, as DfE has it. */
static void csww_rows(gen *g, const area *a, int year)
{
    area joint;
    if (a->number == 318)
        return;
    if (a->number == 314) {
        joint = *a;
        snprintf(joint.code, sizeof joint.code, "E09000021 / E09000027");
        snprintf(joint.num, sizeof joint.num, "314 / 318");
        snprintf(joint.name, sizeof joint.name, "Kingston upon Thames / Richmond upon Thames");
        a = &joint;
    }
    row_csww(g, a, year);
    fputc('\n', g->f);
}

static int write_one(gen *g, const char *dir, const struct file *fl, liia_error *e)
{
    if (open_out(g, dir, fl->name, e))
        return -1;
    fprintf(g->f, "%s\n", fl->header);
    for (int year = LAST_YEAR - (fl->row == row_ons); year >= fl->first_year; year--)
        for (int i = 0; i < g->n; i++) {
            if (fl->row == row_csww) {
                csww_rows(g, &g->a[i], year);
                continue;
            }
            fl->row(g, &g->a[i], year);
            fputc('\n', g->f);
        }
    return close_out(g, 0, e);
}

/* ------------------------------------------------------------ reading */

static const char *field(const liia_csv_record *rec, const int *col, int i)
{
    return col[i] >= 0 && (size_t)col[i] < rec->nfields ? rec->fields[col[i]] : "";
}

static int header_cols(const liia_csv_record *rec, const char *const *names, int *col,
                       int n, liia_error *e)
{
    for (int i = 0; i < n; i++) {
        col[i] = -1;
        for (size_t c = 0; c < rec->nfields; c++)
            if (!strcmp(rec->fields[c], names[i]))
                col[i] = (int)c;
        if (col[i] < 0)
            return liia_fail(e, LIIA_E_SCHEMA, "reference file lacks column %s", names[i]);
    }
    return 0;
}

typedef struct area_read {
    gen *g;
    int col[8];
} area_read;

static int area_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    static const char *const names[] = {"area_code", "dfe_la_number", "name", "area_type",
                                        "region_code", "region_name", "inner_outer_code",
                                        "last_year"};
    area_read *r = ctx;
    gen *g = r->g;
    if (rec->record_no == 1)
        return header_cols(rec, names, r->col, 8, e);
    int number = atoi(field(rec, r->col, 1));
    if (atoi(field(rec, r->col, 7)) != LAST_YEAR || g->n == MAX_AREAS)
        return 0;
    for (int i = 0; i < g->n; i++)
        if (number && g->a[i].number == number)
            return 0; /* a former code of the same authority */
    area *a = &g->a[g->n++];
    memset(a, 0, sizeof *a);
    liia_strlcpy(a->code, field(rec, r->col, 0), sizeof a->code);
    liia_strlcpy(a->num, field(rec, r->col, 1), sizeof a->num);
    liia_strlcpy(a->name, field(rec, r->col, 2), sizeof a->name);
    liia_strlcpy(a->type, field(rec, r->col, 3), sizeof a->type);
    liia_strlcpy(a->region, field(rec, r->col, 4), sizeof a->region);
    liia_strlcpy(a->region_name, field(rec, r->col, 5), sizeof a->region_name);
    liia_strlcpy(a->io, field(rec, r->col, 6), sizeof a->io);
    a->number = number;
    return 0;
}

/* London's real estimates (schemas/reference), others synthetic. */
static int pop_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    gen *g = ctx;
    (void)e;
    if (rec->record_no == 1 || rec->nfields < 5)
        return 0;
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->a[i].code, rec->fields[0]) && !strcmp(g->a[i].type, "la"))
            for (int y = 0; y <= NYEARS; y++) /* mid_2022, mid_2023, ... from column 2 */
                g->a[i].pop[y] = atof(rec->fields[2 + y < (int)rec->nfields
                                                  ? 2 + y : (int)rec->nfields - 1]);
    return 0;
}

static void fill_population(gen *g)
{
    for (int i = 0; i < g->n; i++) {
        area *a = &g->a[i];
        double base = 20000 + 230000 * unit(hash(hash(g->seed, a->code), "pop"));
        if (a->pop[0] || strcmp(a->type, "la"))
            continue;
        for (int y = 0; y <= NYEARS; y++)
            a->pop[y] = round(base * (1 + 0.005 * y));
    }
    for (int i = 0; i < g->n; i++)
        for (int j = 0; j < g->n && strcmp(g->a[i].type, "la"); j++)
            if (!strcmp(g->a[j].type, "la") && member(&g->a[j], &g->a[i]))
                for (int y = 0; y <= NYEARS; y++)
                    g->a[i].pop[y] += g->a[j].pop[y];
}

static int read_ref(const char *schema_dir, const char *name, liia_csv_cb cb, void *ctx,
                    liia_error *e)
{
    char *path = liia_path_join(schema_dir, name);
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_csv_read_file(path, 0, cb, ctx, NULL, e);
    free(path);
    return rc;
}

/* DfE's wide model from the bundled long list of London's neighbours. */
typedef struct sn_read {
    gen *g;
    int col[5], last;
} sn_read;

static int sn_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    static const char *const names[] = {"dfe_la_number", "la_name", "rank",
                                        "neighbour_dfe_la_number", "closeness"};
    sn_read *r = ctx;
    if (rec->record_no == 1)
        return header_cols(rec, names, r->col, 5, e);
    int la = atoi(field(rec, r->col, 0));
    if (la != r->last)
        fprintf(r->g->f, "%s%d,\"%s\",3,London", r->last ? "\n" : "", la,
                field(rec, r->col, 1));
    r->last = la;
    fprintf(r->g->f, ",%s,%s", field(rec, r->col, 3), field(rec, r->col, 4));
    return 0;
}

static int write_sn(gen *g, const char *schema_dir, const char *dir, liia_error *e)
{
    sn_read r = {.g = g};
    if (open_out(g, dir, "sn_model_2025_wide.csv", e))
        return -1;
    fputs(BOM "old_la_code,la_name,region_ind,region_name", g->f);
    for (int k = 1; k <= 10; k++)
        fprintf(g->f, ",SN_%d,SN_%dP", k, k);
    fputc('\n', g->f);
    int rc = read_ref(schema_dir, "reference/stat_neighbours_2025.csv", sn_row, &r, e);
    fputc('\n', g->f);
    return close_out(g, rc, e);
}

int sample_published_write(const char *schema_dir, const char *out_dir, uint64_t seed,
                           int *written, liia_error *e)
{
    gen *g = calloc(1, sizeof *g);
    area_read ar = {.g = g};
    int rc = -1;
    *written = 0;
    if (!g)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    g->seed = seed;
    if (read_ref(schema_dir, "reference/areas.csv", area_row, &ar, e) ||
        read_ref(schema_dir, "reference/population_0_17.csv", pop_row, g, e))
        goto done;
    fill_population(g);
    if (mkdir(out_dir, 0700) && errno != EEXIST) {
        liia_strlcpy(e->file, out_dir, sizeof e->file);
        liia_fail(e, LIIA_E_IO, "cannot create the output directory: %s", strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++, ++*written)
        if (write_one(g, out_dir, &files[i], e))
            goto done;
    rc = write_sn(g, schema_dir, out_dir, e);
    *written += !rc;
done:
    free(g);
    return rc;
}

int sample_published_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--published"))
            return 1;
    return 0;
}

static const char usage[] =
    "usage: liia-bench sample --published --out DIR [--seed N]\n"
    "\n"
    "Writes synthetic DfE/ONS published-statistics files in the open-data\n"
    "layouts 'liia-bench import' reads (docs/published.md): children in need,\n"
    "referrals, CP plans, looked after numbers and rates, placement stability,\n"
    "care leavers, the workforce, ONS population 0-17, for every English\n"
    "authority, region and England, 2023-2025, and DfE's wide neighbour model\n"
    "for London.  The same seed always gives byte-identical files.\n";

int sample_published_main(int argc, char **argv, const struct cli_ctx *ctx)
{
    static const struct option opts[] = {
        {"published", no_argument, NULL, 'p'},
        {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    uint64_t seed = SAMPLE_DEFAULT_SEED;
    int c, written = 0;
    char *end;
    (void)ctx;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 's' && (seed = strtoull(optarg, &end, 10), *end || !*optarg))
            return cli_usage_error("sample", "--seed '%s' is not a whole number", optarg);
        else if (c == 'h')
            return fputs(usage, stdout), LIIA_EXIT_OK;
        else if (c != 'p' && c != 's')
            return cli_usage_error("sample", "unknown option");
    }
    if (optind < argc || !out)
        return cli_usage_error("sample", "--published needs --out DIR and no other arguments");
    liia_error e;
    liia_error_clear(&e);
    if (sample_published_write(liia_schema_dir(), out, seed, &written, &e))
        return cli_fail(&e);
    printf("wrote %d published-statistics files to %s (seed %llu)\n", written, out,
           (unsigned long long)seed);
    return LIIA_EXIT_OK;
}
