/* test_rules.c - every consistency rule of schemas/rules/quarterly.json,
 * once passing and once failing, plus each kind's edge cases. */
#include <string.h>

#include "quarterly_internal.h"
#include "unit.h"

static const struct { const char *id; double v; } base[] = {
    {"contacts", 4210}, {"referrals", 812}, {"referrals_repeat_12m", 160},
    {"referrals_nfa", 95}, {"assessments_completed", 760},
    {"assessments_within_45wd", 640}, {"assessments_not_in_need", 210},
    {"cin_at_end", 2650}, {"s47_started", 290}, {"icpc_held", 95},
    {"icpc_within_15wd", 76}, {"cpp_started", 88}, {"cpp_started_repeat", 19},
    {"cpp_ended", 84}, {"cpp_at_end", 240}, {"cpp_at_end_2y_plus", 9},
    {"cpp_visits_in_time", 221}, {"cla_at_end", 330}, {"cla_started", 41},
    {"cla_ceased", 38}, {"uasc_at_end", 44}, {"cla_3plus_placements_12m", 31},
    {"cla_lt_cohort", 70}, {"cla_lt_stable", 49}, {"cla_placed_20mi_plus", 58},
    {"cla_in_foster", 225}, {"cla_in_residential", 52}, {"cla_reviews_on_time", 300},
    {"care_leavers_19_21", 260}, {"care_leavers_eet", 150},
    {"care_leavers_suitable", 230}, {"care_leavers_in_touch", 245},
    {"sw_fte_employed", 182.5}, {"sw_fte_agency", 31.25}, {"sw_fte_vacancies", 22},
    {"sw_fte_leavers", 6.4}, {"sw_cases_held", 2610}, {"sw_fte_case_holding", 145.6},
};

static struct q_schema S;

static int idx(const char *id)
{
    int m = q_measure_index(&S, id, strlen(id));
    CHECK(m >= 0);
    return m < 0 ? 0 : m;
}

static void fill(struct q_values *v)
{
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        int m = idx(base[i].id);
        v->v[m] = base[i].v;
        v->has[m] = 1;
        v->line[m] = (long)i + 2;
    }
}

static void set(struct q_values *v, const char *id, double x)
{
    v->v[idx(id)] = x;
}

/* Runs the rules; returns the findings' rule ids joined by spaces. */
static const char *run(const struct q_values *cur, const struct q_values *prev,
                       liia_findings *f)
{
    static char ids[512];
    liia_findings_free(f);
    liia_findings_init(f);
    struct q_sink sink = {f, "CAM.csv", 4};
    CHECK_INT(q_rules_check(&S, cur, prev, "2024-12-31", &sink), 0);
    ids[0] = '\0';
    for (size_t i = 0; i < f->count; i++) {
        size_t at = strlen(ids);
        snprintf(ids + at, sizeof ids - at, "%s%s", i ? " " : "", f->items[i].rule_id);
    }
    return ids;
}

static void test_baseline_passes(struct q_values *cur, liia_findings *f)
{
    fill(cur);
    CHECK_STR(run(cur, NULL, f), "");
}

/* One "le" rule: left over right fails, equal passes. */
static void le_case(struct q_values *cur, liia_findings *f, const char *rule,
                    const char *left, const char *right)
{
    fill(cur);
    set(cur, left, cur->v[idx(right)] + 1);
    CHECK_STR(run(cur, NULL, f), rule);
    fill(cur);
    set(cur, left, cur->v[idx(right)]);
    const char *ids = run(cur, NULL, f);
    CHECK(strstr(ids, rule) == NULL);
}

static void test_le_rules(struct q_values *cur, liia_findings *f)
{
    le_case(cur, f, "QBR-R002", "cla_at_end", "cin_at_end");
    le_case(cur, f, "QBR-R003", "cpp_at_end", "cin_at_end");
    le_case(cur, f, "QBR-R004", "uasc_at_end", "cla_at_end");
    le_case(cur, f, "QBR-R005", "cla_3plus_placements_12m", "cla_at_end");
    le_case(cur, f, "QBR-R007", "cla_placed_20mi_plus", "cla_at_end");
    le_case(cur, f, "QBR-R008", "cla_reviews_on_time", "cla_at_end");
    le_case(cur, f, "QBR-R010", "icpc_held", "s47_started");
    le_case(cur, f, "QBR-R011", "referrals", "contacts");
    /* R006: the cohort over cla_at_end, with its own subset kept below it */
    fill(cur);
    set(cur, "cla_lt_cohort", 331);
    CHECK_STR(run(cur, NULL, f), "QBR-R006");
    CHECK_INT(f->items[0].line, 24);
    CHECK_STR(f->items[0].message, "cla_lt_cohort (331) is more than cla_at_end (330)");
    CHECK_INT(f->items[0].severity, LIIA_SEV_ERROR);
    /* R009 sums its left side */
    fill(cur);
    set(cur, "cla_in_foster", 279);
    set(cur, "cla_in_residential", 52);
    CHECK_STR(run(cur, NULL, f), "QBR-R009");
    CHECK_STR(f->items[0].message,
              "cla_in_foster + cla_in_residential (331) is more than cla_at_end (330)");
    set(cur, "cla_in_foster", 278);
    CHECK_STR(run(cur, NULL, f), "");
    /* warnings are warnings */
    fill(cur);
    set(cur, "referrals", 5000);
    CHECK_STR(run(cur, NULL, f), "QBR-R011");
    CHECK_INT(f->warnings, 1);
    CHECK_INT(f->errors, 0);
}

static void test_le_needs_all_terms(struct q_values *cur, liia_findings *f)
{
    fill(cur);
    set(cur, "cla_in_foster", 400);
    cur->has[idx("cla_in_residential")] = 0;
    const char *ids = run(cur, NULL, f);
    CHECK(strstr(ids, "QBR-R009") == NULL);
    CHECK(strstr(ids, "QBR-R002") == NULL);
}

static void test_parent_rule(struct q_values *cur, liia_findings *f)
{
    static const char *const pairs[][2] = {
        {"referrals_repeat_12m", "referrals"}, {"assessments_within_45wd", "assessments_completed"},
        {"icpc_within_15wd", "icpc_held"}, {"cpp_started_repeat", "cpp_started"},
        {"cpp_visits_in_time", "cpp_at_end"}, {"cla_lt_stable", "cla_lt_cohort"},
        {"care_leavers_in_touch", "care_leavers_19_21"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        fill(cur);
        set(cur, pairs[i][0], cur->v[idx(pairs[i][1])] + 1);
        CHECK_STR(run(cur, NULL, f), "QBR-R001");
    }
    fill(cur);
    set(cur, "care_leavers_eet", 261);
    run(cur, NULL, f);
    CHECK_STR(f->count ? f->items[0].fix : "",
              "care_leavers_eet counts only children already counted in "
              "care_leavers_19_21; correct one of the two values");
    cur->has[idx("care_leavers_19_21")] = 0;
    CHECK_STR(run(cur, NULL, f), "");
}

static void test_implausible_change(struct q_values *cur, struct q_values *prev,
                                    liia_findings *f)
{
    fill(cur);
    fill(prev);
    CHECK_STR(run(cur, prev, f), "");
    set(cur, "cpp_at_end", 313); /* +30.4% */
    CHECK_STR(run(cur, prev, f), "QBR-R020");
    CHECK_STR(f->items[0].message, "cpp_at_end moved from 240 in 2024-12-31 to 313 (+30%)");
    CHECK_INT(f->items[0].severity, LIIA_SEV_WARNING);
    set(cur, "cpp_at_end", 312); /* exactly +30%: not more than 30% */
    CHECK_STR(run(cur, prev, f), "");
    /* flows are not stocks: contacts may swing */
    fill(cur);
    set(cur, "contacts", 9000);
    CHECK_STR(run(cur, prev, f), "");
    /* both sides must be at least 20 */
    fill(cur);
    set(prev, "cpp_at_end_2y_plus", 19);
    set(cur, "cpp_at_end_2y_plus", 40);
    CHECK_STR(run(cur, prev, f), "");
    set(prev, "cpp_at_end_2y_plus", 20);
    CHECK_STR(run(cur, prev, f), "QBR-R020");
    /* nothing last quarter: nothing to compare */
    fill(prev);
    prev->has[idx("cpp_at_end")] = 0;
    set(cur, "cpp_at_end", 400);
    CHECK_STR(run(cur, prev, f), "");
}

static void test_stock_flow(struct q_values *cur, struct q_values *prev,
                            liia_findings *f)
{
    /* prev 330 + 41 started - 38 ceased = 333; tolerance 10% of cur + 5 */
    fill(prev);
    fill(cur);
    set(cur, "cla_reviews_on_time", 250); /* keep R008 and R020 out of the way */
    set(cur, "cla_at_end", 300); /* |300 - 333| = 33 <= 30 + 5 */
    CHECK_STR(run(cur, prev, f), "");
    set(cur, "cla_at_end", 296); /* 37 > 29.6 + 5 */
    CHECK_STR(run(cur, prev, f), "QBR-R021");
    CHECK_STR(f->items[0].message, "cla_at_end is 296, but last quarter's cla_at_end "
                                   "(330) + cla_started (41) - cla_ceased (38) = 333");
    cur->has[idx("cla_ceased")] = 0;
    CHECK_STR(run(cur, prev, f), "");
    CHECK_STR(run(cur, NULL, f), "");
}

static void test_expand(void)
{
    char out[64];
    const char *keys[] = {"a", "bb"};
    const char *vals[] = {"1", "two"};
    q_expand(out, sizeof out, "{a}+{bb}={c} {", keys, vals, 2);
    CHECK_STR(out, "1+two={c} {");
}

int main(void)
{
    liia_error e;
    liia_error_clear(&e);
    if (q_schema_load(NULL, &S, &e)) {
        liia_error_print(stderr, &e);
        return 1;
    }
    struct q_values cur, prev;
    liia_findings f;
    liia_findings_init(&f);
    CHECK_INT(q_values_alloc(&cur, S.nmeasures), 0);
    CHECK_INT(q_values_alloc(&prev, S.nmeasures), 0);
    test_baseline_passes(&cur, &f);
    test_le_rules(&cur, &f);
    test_le_needs_all_terms(&cur, &f);
    test_parent_rule(&cur, &f);
    test_implausible_change(&cur, &prev, &f);
    test_stock_flow(&cur, &prev, &f);
    test_expand();
    liia_findings_free(&f);
    q_values_free(&cur);
    q_values_free(&prev);
    q_schema_free(&S);
    return unit_result("ingest_rules");
}
