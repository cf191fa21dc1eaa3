/* test_schema.c - the quarterly schema as shipped, and how a broken one
 * is refused. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "quarterly_internal.h"
#include "unit.h"

static void test_shipped(void)
{
    struct q_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(q_schema_load(NULL, &s, &e), 0);
    CHECK_STR(s.id, "quarterly");
    CHECK_INT(s.nmeasures, 38);
    CHECK_STR(s.expected_header, "la_code,period,measure,value,note");
    int m = q_measure_index(&s, "care_leavers_eet", strlen("care_leavers_eet"));
    CHECK(m >= 0);
    CHECK_STR(s.measures[s.measures[m].parent].id, "care_leavers_19_21");
    int fte = q_measure_index(&s, "sw_fte_agency", 13);
    CHECK_INT(s.measures[fte].type, QT_DECIMAL);
    CHECK_INT(s.measures[fte].max_dp, 2);
    CHECK_INT(s.measures[0].type, QT_INTEGER);
    CHECK_INT(q_column_index(&s, "MEASURE", 7), 2); /* headers are case-blind */
    /* every rule and check id is unique */
    for (size_t i = 0; i < s.nrules; i++)
        for (size_t j = i + 1; j < s.nrules; j++)
            CHECK(strcmp(s.rules[i].msg.id, s.rules[j].msg.id));
    for (int i = 0; i < QC_COUNT; i++)
        for (int j = i + 1; j < QC_COUNT; j++)
            CHECK(strcmp(s.checks[i].id, s.checks[j].id));
    CHECK_INT(s.checks[QC_NOT_SUPPLIED].severity, LIIA_SEV_WARNING);
    CHECK_INT(s.checks[QC_UNKNOWN_MEASURE].severity, LIIA_SEV_ERROR);
    q_schema_free(&s);
}

/* A scratch schemas/ copy with one file replaced. */
static int write_file(const char *dir, const char *name, const char *text)
{
    char *path = liia_path_join(dir, name);
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = f && fputs(text, f) >= 0 ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    free(path);
    return rc;
}

static int copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    char *path = liia_path_join(from_dir, name), *text = NULL;
    size_t len;
    liia_error e;
    liia_error_clear(&e);
    int rc = path ? liia_read_file(path, &text, &len, &e) : -1;
    if (!rc)
        rc = write_file(to_dir, name, text);
    free(text);
    free(path);
    return rc;
}

static const char *scratch(const char *name)
{
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", LIIA_SCRATCH, name);
    mkdir(dir, 0700);
    char rules[600];
    snprintf(rules, sizeof rules, "%s/rules", dir);
    mkdir(rules, 0700);
    CHECK_INT(copy_file(liia_schema_dir(), dir, "quarterly.json"), 0);
    CHECK_INT(copy_file(liia_schema_dir(), dir, "measures.json"), 0);
    CHECK_INT(copy_file(liia_schema_dir(), dir, "rules/quarterly.json"), 0);
    return dir;
}

static void test_broken_rule(void)
{
    const char *dir = scratch("schema_bad_rule");
    CHECK_INT(write_file(dir, "rules/quarterly.json",
                         "{\"rules\": [{\"id\": \"X1\", \"kind\": \"le\", \"severity\": "
                         "\"error\", \"message\": \"m\", \"fix\": \"f\", \"left\": "
                         "[\"cla_at_end\"], \"right\": [\"no_such_measure\"]}]}"), 0);
    struct q_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(q_schema_load(dir, &s, &e), -1);
    CHECK_INT(e.status, LIIA_E_SCHEMA);
    CHECK_STR(e.message, "unknown measure in rule 'no_such_measure'");
    CHECK_STR(e.file, "rules/quarterly.json");
}

static void test_broken_json(void)
{
    const char *dir = scratch("schema_bad_json");
    CHECK_INT(write_file(dir, "measures.json", "{\"measures\": [\n{\"id\": }]}"), 0);
    struct q_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(q_schema_load(dir, &s, &e), -1);
    CHECK_INT(e.status, LIIA_E_SCHEMA);
    CHECK_INT(e.line, 2);
    CHECK(strstr(e.message, "cannot load schema: ") == e.message);
}

static void test_unknown_kind(void)
{
    const char *dir = scratch("schema_bad_kind");
    CHECK_INT(write_file(dir, "rules/quarterly.json",
                         "{\"rules\": [{\"id\": \"X2\", \"kind\": \"ge\", \"severity\": "
                         "\"error\", \"message\": \"m\", \"fix\": \"f\"}]}"), 0);
    struct q_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(q_schema_load(dir, &s, &e), -1);
    CHECK_STR(e.message, "unknown rule kind 'ge'");
}

/* A new measure with a parent is checked by QBR-R001 without C changes. */
static void test_new_measure_is_data(void)
{
    const char *dir = scratch("schema_new_measure");
    CHECK_INT(write_file(dir, "measures.json",
                         "{\"measures\": [{\"id\": \"cla_at_end\", \"kind\": \"stock\", "
                         "\"unit\": \"count\", \"theme\": \"t\", \"title\": \"CLA\", "
                         "\"definition\": \"d\"}, {\"id\": \"cla_new_subset\", \"kind\": "
                         "\"stock\", \"unit\": \"count\", \"theme\": \"t\", \"title\": "
                         "\"S\", \"definition\": \"d\", \"parent\": \"cla_at_end\"}]}"), 0);
    CHECK_INT(write_file(dir, "rules/quarterly.json",
                         "{\"rules\": [{\"id\": \"QBR-R001\", \"kind\": \"parent_le\", "
                         "\"severity\": \"error\", \"message\": \"{left} > {right}\", "
                         "\"fix\": \"f\"}]}"), 0);
    struct q_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(q_schema_load(dir, &s, &e), 0);
    struct q_values v;
    CHECK_INT(q_values_alloc(&v, s.nmeasures), 0);
    v.v[0] = 10, v.has[0] = 1, v.line[0] = 2;
    v.v[1] = 11, v.has[1] = 1, v.line[1] = 3;
    liia_findings f;
    liia_findings_init(&f);
    struct q_sink sink = {&f, "x.csv", 4};
    CHECK_INT(q_rules_check(&s, &v, NULL, "", &sink), 0);
    CHECK_INT(f.errors, 1);
    CHECK_STR(f.count ? f.items[0].message : "", "cla_new_subset > cla_at_end");
    CHECK_INT(f.count ? f.items[0].line : 0, 3);
    liia_findings_free(&f);
    q_values_free(&v);
    q_schema_free(&s);
}

int main(void)
{
    test_shipped();
    test_broken_rule();
    test_broken_json();
    test_unknown_kind();
    test_new_measure_is_data();
    return unit_result("ingest_schema");
}
