/*
 * sample_quarterly.c - deterministic synthetic quarterly returns for the 33
 * London authorities (docs/sample-data.md).
 *
 * Each authority gets persistent parameters (a "pressure" that makes it
 * high or low across the board, a rate or share per measure, a trend), then
 * eight quarters are drawn from them.  Subsets are drawn as shares of their
 * parent and stocks are driven by their flows, so every file satisfies the
 * consistency rules of schemas/rules/quarterly.json by construction.  The
 * only randomness is a seeded splitmix64 per authority: no rand(), no time,
 * no locale.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sample.h"

#define SAMPLE_QUARTERS 8
#define SAMPLE_FIRST_PERIOD "2023-06-30"
#define SAMPLE_MAX_LA 40
#define SAMPLE_MAX_MEASURES 256

/* ------------------------------------------------------------ the model */

enum gen_kind {
    GEN_RATE,  /* per 10,000 children aged 0-17; flows per year, stocks at the end */
    GEN_SHARE, /* a share (or ratio) of the base measure */
    GEN_STOCK, /* last quarter's stock + inflow (base) - outflow, pulled to a rate */
};

struct gen_spec {
    const char *id;
    enum gen_kind kind;
    double lo, hi;          /* range of the rate, share or target rate */
    const char *base;       /* SHARE: of this; STOCK: the inflow */
    const char *outflow;    /* STOCK: the outflow it sets */
    const char *cap;        /* never above this measure ... */
    const char *cap_less;   /* ... less this one */
    const char *at_least[2];
};

/* Rough London figures (docs/sample-data.md).  Listed in dependency order:
 * a measure comes after every measure it refers to.  A catalogue measure
 * with no line here is written blank. */
static const struct gen_spec model[] = {
    {"contacts", GEN_RATE, 1500, 2600, NULL, NULL, NULL, NULL, {NULL, NULL}},
    {"referrals", GEN_RATE, 330, 600, NULL, NULL, "contacts", NULL, {NULL, NULL}},
    {"referrals_repeat_12m", GEN_SHARE, .18, .22, "referrals", NULL, NULL, NULL, {NULL, NULL}},
    {"referrals_nfa", GEN_SHARE, .06, .10, "referrals", NULL, NULL, NULL, {NULL, NULL}},
    {"assessments_completed", GEN_SHARE, .90, 1.0, "referrals", NULL, NULL, NULL, {NULL, NULL}},
    {"assessments_within_45wd", GEN_SHARE, .75, .95, "assessments_completed", NULL, NULL, NULL, {NULL, NULL}},
    {"assessments_not_in_need", GEN_SHARE, .25, .35, "assessments_completed", NULL, NULL, NULL, {NULL, NULL}},
    {"s47_started", GEN_RATE, 130, 240, NULL, NULL, NULL, NULL, {NULL, NULL}},
    {"icpc_held", GEN_SHARE, .25, .35, "s47_started", NULL, NULL, NULL, {NULL, NULL}},
    {"icpc_within_15wd", GEN_SHARE, .75, .90, "icpc_held", NULL, NULL, NULL, {NULL, NULL}},
    {"cpp_started", GEN_RATE, 33, 58, NULL, NULL, NULL, NULL, {NULL, NULL}},
    {"cpp_started_repeat", GEN_SHARE, .15, .25, "cpp_started", NULL, NULL, NULL, {NULL, NULL}},
    {"cpp_at_end", GEN_STOCK, 28, 50, "cpp_started", "cpp_ended", NULL, NULL, {NULL, NULL}},
    {"cpp_at_end_2y_plus", GEN_SHARE, .02, .05, "cpp_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"cpp_visits_in_time", GEN_SHARE, .85, .95, "cpp_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"cla_started", GEN_RATE, 16, 28, NULL, NULL, NULL, NULL, {NULL, NULL}},
    {"cla_at_end", GEN_STOCK, 35, 68, "cla_started", "cla_ceased", NULL, NULL, {NULL, NULL}},
    {"cin_at_end", GEN_RATE, 240, 410, NULL, NULL, NULL, NULL, {"cla_at_end", "cpp_at_end"}},
    {"uasc_at_end", GEN_SHARE, .10, .25, "cla_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"cla_3plus_placements_12m", GEN_SHARE, .08, .12, "cla_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"cla_lt_cohort", GEN_SHARE, .13, .17, "cla_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"cla_lt_stable", GEN_SHARE, .65, .75, "cla_lt_cohort", NULL, NULL, NULL, {NULL, NULL}},
    {"cla_placed_20mi_plus", GEN_SHARE, .15, .25, "cla_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"cla_in_foster", GEN_SHARE, .60, .70, "cla_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"cla_in_residential", GEN_SHARE, .12, .18, "cla_at_end", NULL, "cla_at_end", "cla_in_foster", {NULL, NULL}},
    {"cla_reviews_on_time", GEN_SHARE, .85, .95, "cla_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"care_leavers_19_21", GEN_SHARE, .55, .65, "cla_at_end", NULL, NULL, NULL, {NULL, NULL}},
    {"care_leavers_eet", GEN_SHARE, .50, .60, "care_leavers_19_21", NULL, NULL, NULL, {NULL, NULL}},
    {"care_leavers_suitable", GEN_SHARE, .85, .92, "care_leavers_19_21", NULL, NULL, NULL, {NULL, NULL}},
    {"care_leavers_in_touch", GEN_SHARE, .88, .96, "care_leavers_19_21", NULL, NULL, NULL, {NULL, NULL}},
    {"sw_fte_employed", GEN_RATE, 25, 35, NULL, NULL, NULL, NULL, {NULL, NULL}},
    {"sw_fte_agency", GEN_SHARE, .12, .28, "sw_fte_employed", NULL, NULL, NULL, {NULL, NULL}},
    /* 15-25% of posts (employed + vacant) is 18-33% of those employed. */
    {"sw_fte_vacancies", GEN_SHARE, .176, .333, "sw_fte_employed", NULL, NULL, NULL, {NULL, NULL}},
    {"sw_fte_leavers", GEN_SHARE, .03, .05, "sw_fte_employed", NULL, NULL, NULL, {NULL, NULL}},
    {"sw_fte_case_holding", GEN_SHARE, .60, .70, "sw_fte_employed", NULL, NULL, NULL, {NULL, NULL}},
    {"sw_cases_held", GEN_SHARE, 14, 18, "sw_fte_case_holding", NULL, NULL, NULL, {NULL, NULL}},
};
#define MODEL_N (sizeof model / sizeof model[0])

/* Quarter-to-quarter noise (relative), the pull of a stock back to its
 * target rate per quarter, and the range of yearly trends. */
static const double rate_noise = 0.05, share_noise = 0.04, outflow_noise = 0.10;
static const double stock_pull = 0.25, trend_lo = -0.04, trend_hi = 0.06;
/* Below this many a quarter, a count flow varies as a Poisson count. */
static const double small_flow = 30;
/* Largest net change of a driven stock in a quarter, once it has this many. */
static const double stock_max_step = 0.15, stock_step_from = 10;

/* Measures some authorities leave out, as they do in real returns.  The
 * quarters mask has bit q set for the q-th quarter from 2023-06-30.  A
 * measure matches when its id starts with `measure`. */
struct omission {
    const char *la;
    const char *measure;
    unsigned quarters;
    int row_absent;     /* 1: no row at all; 0: the row with a blank value */
    const char *note;
};

static const struct omission omissions[] = {
    {"RUT", "sw_", 0xFF, 0, "shared workforce with Kingston: reported under KUT"},
    {"HAV", "cla_placed_20mi_plus", 0xFF, 1, NULL},
    {"HAW", "cpp_visits_in_time", 0xFF, 0, "not recorded in the case management system"},
    {"CIT", "sw_fte_vacancies", 0x05, 0, "not available this quarter"},
    {"CIT", "sw_fte_leavers", 0x24, 0, NULL},
};
#define OMISSIONS_N (sizeof omissions / sizeof omissions[0])

/* ------------------------------------------------------------ the PRNG */

/* splitmix64: tiny, fast, and the same on every platform. */
struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi), from the top 53 bits so it is exact in a double. */
static double rng_range(struct rng *r, double lo, double hi)
{
    double u = (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return lo + (hi - lo) * u;
}

/* Poisson(lambda) by Knuth's product method, for small counts where
 * relative noise would round to the same figure every quarter. */
static double rng_poisson(struct rng *r, double lambda)
{
    double limit = exp(-lambda), p = 1.0;
    int k = -1;
    do {
        k++;
        p *= rng_range(r, 0, 1);
    } while (p > limit);
    return k;
}

/* Quarter-to-quarter variation of an expected flow: Poisson while it is
 * small (City of London's handful of cases), relative noise once large. */
static double flow_noise(struct rng *r, double x, double rel)
{
    return x < small_flow ? rng_poisson(r, x) : x * rng_range(r, 1 - rel, 1 + rel);
}

/* Each authority has its own stream, so one authority's numbers do not
 * depend on how many draws another needed. */
static void rng_seed(struct rng *r, uint64_t seed, const char *short_code)
{
    uint64_t h = 1469598103934665603ULL;    /* FNV-1a */
    for (const char *p = short_code; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    r->s = seed ^ h;
    (void)rng_next(r);
}

/* ------------------------------------------------------------ inputs */

struct authority {
    char gss[10];
    char short_code[8];
    double pop;         /* children aged 0-17, mid-2023 */
};

struct measure {
    const char *id;     /* owned by the catalogue's JSON document */
    int is_flow, is_fte;
};

struct inputs {
    struct authority la[SAMPLE_MAX_LA];
    int nla;
    json_t *doc;        /* measures.json */
    struct measure *m;
    size_t nm;
};

/* Column positions found from a reference file's header row. */
struct ref_reader {
    struct inputs *in;
    int col[2];
    const char *names[2];
};

static int find_columns(struct ref_reader *rr, const liia_csv_record *rec, liia_error *e)
{
    for (int c = 0; c < 2; c++) {
        rr->col[c] = -1;
        for (size_t i = 0; i < rec->nfields; i++)
            if (!strcmp(rec->fields[i], rr->names[c]))
                rr->col[c] = (int)i;
        if (rr->col[c] < 0)
            return liia_fail(e, LIIA_E_SCHEMA, "reference file has no '%s' column",
                             rr->names[c]);
    }
    return 0;
}

static int authority_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct ref_reader *rr = ctx;
    if (rec->record_no == 1)
        return find_columns(rr, rec, e);
    if ((size_t)rr->col[0] >= rec->nfields || (size_t)rr->col[1] >= rec->nfields)
        return liia_fail(e, LIIA_E_SCHEMA, "authorities.csv: short row");
    if (rr->in->nla == SAMPLE_MAX_LA)
        return liia_fail(e, LIIA_E_SCHEMA, "authorities.csv: more than %d authorities",
                         SAMPLE_MAX_LA);
    struct authority *a = &rr->in->la[rr->in->nla++];
    liia_strlcpy(a->gss, rec->fields[rr->col[0]], sizeof a->gss);
    liia_strlcpy(a->short_code, rec->fields[rr->col[1]], sizeof a->short_code);
    a->pop = 0;
    return 0;
}

static int population_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct ref_reader *rr = ctx;
    if (rec->record_no == 1)
        return find_columns(rr, rec, e);
    if ((size_t)rr->col[0] >= rec->nfields || (size_t)rr->col[1] >= rec->nfields)
        return liia_fail(e, LIIA_E_SCHEMA, "population_0_17.csv: short row");
    for (int i = 0; i < rr->in->nla; i++)
        if (!strcmp(rr->in->la[i].gss, rec->fields[rr->col[0]]))
            rr->in->la[i].pop = strtod(rec->fields[rr->col[1]], NULL);
    return 0;
}

static int read_reference(const char *schema_dir, const char *name, liia_csv_cb cb,
                          struct ref_reader *rr, liia_error *e)
{
    char *dir = liia_path_join(schema_dir, "reference");
    char *path = dir ? liia_path_join(dir, name) : NULL;
    int rc = path ? liia_csv_read_file(path, 0, cb, rr, NULL, e)
                  : liia_fail(e, LIIA_E_NOMEM, "out of memory");
    free(dir);
    free(path);
    return rc;
}

static int load_authorities(const char *schema_dir, struct inputs *in, liia_error *e)
{
    struct ref_reader rr = {in, {0}, {"gss_code", "short_code"}};
    if (read_reference(schema_dir, "authorities.csv", authority_row, &rr, e))
        return -1;
    struct ref_reader pr = {in, {0}, {"area_code", "mid_2023"}};
    if (read_reference(schema_dir, "population_0_17.csv", population_row, &pr, e))
        return -1;
    for (int i = 0; i < in->nla; i++)
        if (in->la[i].pop <= 0)
            return liia_fail(e, LIIA_E_SCHEMA,
                             "population_0_17.csv has no mid_2023 population for %s",
                             in->la[i].gss);
    return 0;
}

static int load_measures(const char *schema_dir, struct inputs *in, liia_error *e)
{
    char *path = liia_path_join(schema_dir, "measures.json");
    json_error_t je;
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    in->doc = json_load_file(path, 0, &je);
    liia_strlcpy(e->file, path, sizeof e->file);
    free(path);
    const json_t *arr = json_object_get(in->doc, "measures"), *m;
    if (!json_is_array(arr))
        return liia_fail(e, LIIA_E_SCHEMA, "cannot read the measure catalogue: %s",
                         in->doc ? "no \"measures\" array" : je.text);
    in->nm = json_array_size(arr);
    in->m = calloc(in->nm ? in->nm : 1, sizeof *in->m);
    if (!in->m)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    size_t i;
    json_array_foreach(arr, i, m) {
        const char *id = json_string_value(json_object_get(m, "id"));
        const char *kind = json_string_value(json_object_get(m, "kind"));
        const char *unit = json_string_value(json_object_get(m, "unit"));
        if (!id || !kind || !unit)
            return liia_fail(e, LIIA_E_SCHEMA, "measure %zu lacks id, kind or unit", i + 1);
        in->m[i] = (struct measure){id, !strcmp(kind, "flow"), !strcmp(unit, "fte")};
    }
    e->file[0] = '\0';
    return 0;
}

static void inputs_free(struct inputs *in)
{
    free(in->m);
    json_decref(in->doc);
}

/* ------------------------------------------------------------ the plan */

/* The model resolved against the catalogue: indices instead of names. */
struct plan_step {
    const struct gen_spec *spec;
    int idx, base, outflow, cap, cap_less, at_least[2];
};

struct plan {
    struct plan_step step[MODEL_N];
    size_t n;
};

static int measure_index(const struct inputs *in, const char *id)
{
    if (!id)
        return -1;
    for (size_t i = 0; i < in->nm; i++)
        if (!strcmp(in->m[i].id, id))
            return (int)i;
    return -1;
}

/* A referenced measure missing from the catalogue is a broken model. */
static int resolve(const struct inputs *in, const char *id, int *out, liia_error *e)
{
    *out = measure_index(in, id);
    if (id && *out < 0)
        return liia_fail(e, LIIA_E_SCHEMA,
                         "the sample model refers to measure '%s', not in measures.json", id);
    return 0;
}

static int plan_build(const struct inputs *in, struct plan *p, liia_error *e)
{
    p->n = 0;
    for (size_t i = 0; i < MODEL_N; i++) {
        const struct gen_spec *s = &model[i];
        struct plan_step *st = &p->step[p->n];
        st->spec = s;
        st->idx = measure_index(in, s->id);
        if (st->idx < 0)
            continue;   /* dropped from the catalogue: nothing to generate */
        if (resolve(in, s->base, &st->base, e) || resolve(in, s->outflow, &st->outflow, e) ||
            resolve(in, s->cap, &st->cap, e) || resolve(in, s->cap_less, &st->cap_less, e) ||
            resolve(in, s->at_least[0], &st->at_least[0], e) ||
            resolve(in, s->at_least[1], &st->at_least[1], e))
            return -1;
        p->n++;
    }
    return 0;
}

/* ------------------------------------------------------------ generation */

/* What persists for one authority across its quarters. */
struct la_state {
    struct rng rng;
    double k;                   /* children / 10,000 */
    double trend;               /* relative change per year */
    double param[MODEL_N];      /* rate or share drawn for this authority */
    double stock[MODEL_N];      /* last quarter's stock (GEN_STOCK) */
};

struct quarter {
    double v[SAMPLE_MAX_MEASURES];           /* value per catalogue measure */
    double expected[SAMPLE_MAX_MEASURES];    /* the noiseless value, for flows that drive stocks */
    int set[SAMPLE_MAX_MEASURES];
};

static double round_unit(double x, int is_fte)
{
    if (x < 0)
        x = 0;
    return is_fte ? floor(x * 100.0 + 0.5) / 100.0 : floor(x + 0.5);
}

static void la_state_init(struct la_state *s, const struct plan *p,
                          const struct authority *a, uint64_t seed)
{
    rng_seed(&s->rng, seed, a->short_code);
    s->k = a->pop / 10000.0;
    s->trend = rng_range(&s->rng, trend_lo, trend_hi);
    /* A high-pressure authority is high on most rates, as in real data. */
    double pressure = rng_range(&s->rng, 0, 1);
    for (size_t i = 0; i < p->n; i++) {
        const struct gen_spec *g = p->step[i].spec;
        double pos = g->kind == GEN_SHARE ? rng_range(&s->rng, 0, 1)
                                          : 0.6 * pressure + 0.4 * rng_range(&s->rng, 0, 1);
        s->param[i] = g->lo + (g->hi - g->lo) * pos;
        s->stock[i] = -1;
    }
}

/* Expected count this quarter for a rate per 10,000 (flows are yearly). */
static double rate_expected(const struct la_state *s, size_t i, int q, int is_flow)
{
    double trend = 1.0 + s->trend * q / 4.0;
    return s->param[i] * s->k * trend / (is_flow ? 4.0 : 1.0);
}

static void gen_rate(struct la_state *s, const struct inputs *in, size_t i,
                     const struct plan_step *st, int q, struct quarter *qt)
{
    const struct measure *m = &in->m[st->idx];
    double x = rate_expected(s, i, q, m->is_flow);
    qt->expected[st->idx] = x;
    if (m->is_flow && !m->is_fte)
        x = flow_noise(&s->rng, x, rate_noise);
    else
        x *= rng_range(&s->rng, 1 - rate_noise, 1 + rate_noise);
    qt->v[st->idx] = round_unit(x, m->is_fte);
}

static void gen_share(struct la_state *s, const struct inputs *in, size_t i,
                      const struct plan_step *st, struct quarter *qt)
{
    const struct gen_spec *g = st->spec;
    double share = s->param[i] * rng_range(&s->rng, 1 - share_noise, 1 + share_noise);
    share = share < g->lo ? g->lo : share > g->hi ? g->hi : share;
    double x = round_unit(qt->v[st->base] * share, in->m[st->idx].is_fte);
    /* A share of at most 1 is a subset: rounding must not lift it above. */
    if (g->hi <= 1.0 && x > qt->v[st->base])
        x = qt->v[st->base];
    qt->v[st->idx] = x;
}

/* The stock moves by its flows exactly, so the stock-flow rule holds; the
 * outflow leans against drift from the authority's target rate. */
static void gen_stock(struct la_state *s, size_t i, const struct plan_step *st, int q,
                      struct quarter *qt)
{
    double target = rate_expected(s, i, q, 0);
    if (s->stock[i] < 0)
        s->stock[i] = floor(target + 0.5);
    double prev = s->stock[i], in = qt->v[st->base];
    double out = qt->expected[st->base] + (prev - target) * stock_pull;
    out = round_unit(flow_noise(&s->rng, out < 0 ? 0 : out, outflow_noise), 0);
    /* Real stocks turn over slowly: cap the quarter's net change so no
     * stock (nor a share of it) trips the implausible-change warning. */
    double step = floor(prev * stock_max_step);
    if (prev >= stock_step_from && out < in - step)
        out = in - step;
    if (prev >= stock_step_from && out > in + step)
        out = in + step;
    if (out > prev + in)
        out = prev + in;
    qt->v[st->outflow] = out;
    qt->set[st->outflow] = 1;
    qt->v[st->idx] = prev + in - out;
    s->stock[i] = qt->v[st->idx];
}

static void apply_bounds(const struct plan_step *st, struct quarter *qt)
{
    double *x = &qt->v[st->idx];
    if (st->cap >= 0) {
        double cap = qt->v[st->cap] - (st->cap_less >= 0 ? qt->v[st->cap_less] : 0);
        if (*x > cap)
            *x = cap > 0 ? cap : 0;
    }
    for (int j = 0; j < 2; j++)
        if (st->at_least[j] >= 0 && *x < qt->v[st->at_least[j]])
            *x = qt->v[st->at_least[j]];
}

static void gen_quarter(struct la_state *s, const struct inputs *in, const struct plan *p,
                        int q, struct quarter *qt)
{
    memset(qt->set, 0, sizeof qt->set);
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_step *st = &p->step[i];
        if (st->spec->kind == GEN_RATE)
            gen_rate(s, in, i, st, q, qt);
        else if (st->spec->kind == GEN_SHARE)
            gen_share(s, in, i, st, qt);
        else
            gen_stock(s, i, st, q, qt);
        apply_bounds(st, qt);
        qt->set[st->idx] = 1;
    }
}

/* ------------------------------------------------------------ output */

static const struct omission *omitted(const char *la, const char *measure, int q)
{
    for (size_t i = 0; i < OMISSIONS_N; i++) {
        const struct omission *o = &omissions[i];
        if (!strcmp(o->la, la) && !strncmp(measure, o->measure, strlen(o->measure)) &&
            (o->quarters >> q & 1u))
            return o;
    }
    return NULL;
}

static int write_row(FILE *f, const struct authority *a, const char *period,
                     const struct measure *m, const struct quarter *qt, size_t i, int q)
{
    const struct omission *o = omitted(a->short_code, m->id, q);
    if (o && o->row_absent)
        return 0;
    if (fprintf(f, "%s,%s,%s,", a->short_code, period, m->id) < 0)
        return -1;
    int rc = 0;
    if (!o && qt->set[i])
        rc = m->is_fte ? fprintf(f, "%.2f", qt->v[i]) : fprintf(f, "%.0f", qt->v[i]);
    if (rc < 0 || fputc(',', f) == EOF)
        return -1;
    if (o && o->note && liia_csv_write_field(f, o->note, 1))
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

/* Through liia_outfile: a 0600 temporary renamed into place, so a link
 * planted at the name is replaced, never followed. */
static int write_file(const char *out_dir, const struct authority *a, const char *period,
                      const struct inputs *in, const struct quarter *qt, int q, liia_error *e)
{
    char name[64];
    liia_outfile out;
    snprintf(name, sizeof name, "%s_%s.csv", a->short_code, period);
    char *path = liia_path_join(out_dir, name);
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_outfile_open(&out, path, e);
    free(path);
    if (rc)
        return -1;
    FILE *f = liia_outfile_stream(&out, e);
    if (!f)
        return liia_outfile_finish(&out, -1, e);
    int bad = fputs("la_code,period,measure,value,note\n", f) == EOF;
    for (size_t i = 0; i < in->nm && !bad; i++)
        bad = write_row(f, a, period, &in->m[i], qt, i, q) != 0;
    if (bad) {
        liia_strlcpy(e->file, out.path, sizeof e->file);
        liia_error_fix(e, "check the output directory has space and is writable");
        liia_fail(e, LIIA_E_IO, "cannot write the file: %s", strerror(errno));
    }
    return liia_outfile_finish(&out, bad ? -1 : 0, e);
}

static int write_authority(const char *out_dir, const struct authority *a,
                           const struct inputs *in, const struct plan *p, uint64_t seed,
                           liia_error *e)
{
    struct la_state s;
    struct quarter qt;
    char period[11];
    la_state_init(&s, p, a, seed);
    for (int q = 0; q < SAMPLE_QUARTERS; q++) {
        liia_period_shift(SAMPLE_FIRST_PERIOD, -q, period);
        gen_quarter(&s, in, p, q, &qt);
        if (write_file(out_dir, a, period, in, &qt, q, e))
            return -1;
    }
    return 0;
}

static int make_dir(const char *dir, liia_error *e)
{
    struct stat st;
    if (mkdir(dir, 0700) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    liia_strlcpy(e->file, dir, sizeof e->file);
    liia_error_fix(e, "give --out a directory you can write to (it is created if missing)");
    return liia_fail(e, LIIA_E_IO, "cannot create the output directory: %s",
                     errno == EEXIST ? "a file of that name exists" : strerror(errno));
}

int sample_quarterly_write(const char *schema_dir, const char *out_dir, uint64_t seed,
                           int *written, liia_error *e)
{
    struct inputs in = {0};
    struct plan p;
    int rc = -1;
    *written = 0;
    if (load_authorities(schema_dir, &in, e) || load_measures(schema_dir, &in, e))
        goto done;
    if (in.nm > SAMPLE_MAX_MEASURES) {
        liia_fail(e, LIIA_E_SCHEMA, "measures.json has %zu measures; the generator takes "
                  "at most %d", in.nm, SAMPLE_MAX_MEASURES);
        goto done;
    }
    if (plan_build(&in, &p, e) || make_dir(out_dir, e))
        goto done;
    for (int i = 0; i < in.nla; i++) {
        if (write_authority(out_dir, &in.la[i], &in, &p, seed, e))
            goto done;
        *written += SAMPLE_QUARTERS;
    }
    rc = 0;
done:
    inputs_free(&in);
    return rc;
}
