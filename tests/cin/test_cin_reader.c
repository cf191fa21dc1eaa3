/*
 * test_cin_reader.c - the XML reader and its layout (ingest/reader_xml.h)
 * on the CIN census layout of schemas/cin/tables.json: which records come
 * out, in which order, with which inherited keys, ordinals, paths and
 * lines; the signature; bad layouts; a callback that stops the reader.
 */
#include <stdlib.h>
#include <string.h>

#include "reader_xml.h"
#include "unit.h"

static liia_xml_layout *layout(int year)
{
    liia_error e;
    liia_error_clear(&e);
    liia_xml_layout *l = liia_xml_layout_load(SCHEMA_DIR "/cin/tables.json", year, &e);
    if (!l)
        fprintf(stderr, "layout: %s\n", e.message);
    return l;
}

/* Every record as one line: part#record@line path name=value;... */
static int collect(void *ctx, const liia_record *rec, liia_error *e)
{
    (void)e;
    liia_buf *out = ctx;
    if (liia_buf_appendf(out, "%s#%ld@%ld %s", rec->part, rec->record, rec->line,
                         rec->path) != 0)
        return -1;
    for (size_t i = 0; i < rec->nfields; i++) {
        if (!rec->values[i])
            continue;
        if (strlen(rec->values[i]) != rec->lengths[i] ||
            liia_buf_appendf(out, " %s=%s", rec->names[i], rec->values[i]) != 0)
            return -1;
    }
    return liia_buf_append(out, "\n", 1);
}

/* CINreferralDate after the Assessments, a blank, a duplicate, unknown
 * elements, CDATA, a predefined entity, white space around values. */
static const char CENSUS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                       /* 1 */
    "<Message>\n"
    "<Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>"
    "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>"
    "<Source><LEA>202</LEA></Source></Header>\n"                          /* 3 */
    "<Children>\n"
    "<Child>\n"                                                           /* 5 */
    " <ChildIdentifiers><LAchildID> DB1 </LAchildID><UPN>A123</UPN>"
    "<PersonBirthDate>2015-06-14</PersonBirthDate><Sex>F</Sex>"
    "<GenderCurrent>2</GenderCurrent></ChildIdentifiers>\n"
    " <ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
    "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>\n"
    " <CINdetails>\n"                                                     /* 8 */
    "  <Assessments><AssessmentActualStartDate>2024-05-01</AssessmentActualStartDate>\n"
    "   <FactorsIdentifiedAtAssessment><AssessmentFactors>2A</AssessmentFactors>"
    "<AssessmentFactors><![CDATA[3B]]></AssessmentFactors></FactorsIdentifiedAtAssessment>\n"
    "  </Assessments>\n"
    "  <CINreferralDate>2024-04-30</CINreferralDate><ReferralSource>1A</ReferralSource>"
    "<ReferralSource>9</ReferralSource><PrimaryNeedCode/><Unknown>x &amp; y</Unknown>\n"
    "  <ChildProtectionPlans><CPPstartDate>2024-06-01</CPPstartDate>"
    "<Reviews><CPPreviewDate>2024-09-01</CPPreviewDate>"
    "<CPPreviewDate>2024-12-01</CPPreviewDate></Reviews></ChildProtectionPlans>\n"
    "  <ReferralNFA>false</ReferralNFA>\n"
    " </CINdetails>\n"
    " <CINdetails><CINreferralDate>2025-01-02</CINreferralDate></CINdetails>\n" /* 16 */
    "</Child>\n"
    "<Child><ChildIdentifiers><LAchildID>DB&amp;2</LAchildID></ChildIdentifiers>"
    "<CINdetails><Section47><S47ActualStartDate>2025-02-03</S47ActualStartDate>"
    "</Section47></CINdetails></Child>\n"                                /* 18 */
    "</Children>\n"
    "</Message>\n";

static const char WANT_2025[] =
    "header#1@3 /Message/Header[1] Collection=CIN Year=2025 ReferenceDate=2025-03-31 LEA=202\n"
    "child#1@5 /Message/Children/Child[1] LAchildID=DB1 UPN=A123 "
    "PersonBirthDate=2015-06-14 Sex=F Ethnicity=WBRI\n"
    "disability#1@7 /Message/Children/Child[1]/ChildCharacteristics/Disabilities/Disability[1] "
    "LAchildID=DB1 Disability=NONE\n"
    "cin_episode#1@8 /Message/Children/Child[1]/CINdetails[1] LAchildID=DB1 CINdetailsID=1 "
    "CINreferralDate=2024-04-30 ReferralSource=1A PrimaryNeedCode= ReferralNFA=false\n"
    "assessment#1@9 /Message/Children/Child[1]/CINdetails[1]/Assessments[1] LAchildID=DB1 "
    "CINdetailsID=1 CINreferralDate=2024-04-30 AssessmentID=1 AssessmentActualStartDate=2024-05-01\n"
    "assessment_factor#1@10 /Message/Children/Child[1]/CINdetails[1]/Assessments[1]/"
    "FactorsIdentifiedAtAssessment/AssessmentFactors[1] LAchildID=DB1 CINdetailsID=1 "
    "CINreferralDate=2024-04-30 AssessmentID=1 AssessmentActualStartDate=2024-05-01 "
    "AssessmentFactors=2A\n"
    "assessment_factor#2@10 /Message/Children/Child[1]/CINdetails[1]/Assessments[1]/"
    "FactorsIdentifiedAtAssessment/AssessmentFactors[2] LAchildID=DB1 CINdetailsID=1 "
    "CINreferralDate=2024-04-30 AssessmentID=1 AssessmentActualStartDate=2024-05-01 "
    "AssessmentFactors=3B\n"
    "cp_plan#1@13 /Message/Children/Child[1]/CINdetails[1]/ChildProtectionPlans[1] "
    "LAchildID=DB1 CINdetailsID=1 CINreferralDate=2024-04-30 CPPID=1 CPPstartDate=2024-06-01\n"
    "cp_review#1@13 /Message/Children/Child[1]/CINdetails[1]/ChildProtectionPlans[1]/Reviews/"
    "CPPreviewDate[1] LAchildID=DB1 CINdetailsID=1 CINreferralDate=2024-04-30 CPPID=1 "
    "CPPstartDate=2024-06-01 CPPreviewDate=2024-09-01\n"
    "cp_review#2@13 /Message/Children/Child[1]/CINdetails[1]/ChildProtectionPlans[1]/Reviews/"
    "CPPreviewDate[2] LAchildID=DB1 CINdetailsID=1 CINreferralDate=2024-04-30 CPPID=1 "
    "CPPstartDate=2024-06-01 CPPreviewDate=2024-12-01\n"
    "cin_episode#2@16 /Message/Children/Child[1]/CINdetails[2] LAchildID=DB1 CINdetailsID=2 "
    "CINreferralDate=2025-01-02\n"
    "child#2@18 /Message/Children/Child[2] LAchildID=DB&2\n"
    "cin_episode#3@18 /Message/Children/Child[2]/CINdetails[1] LAchildID=DB&2 CINdetailsID=1\n"
    "s47#1@18 /Message/Children/Child[2]/CINdetails[1]/Section47[1] LAchildID=DB&2 "
    "CINdetailsID=1 S47ActualStartDate=2025-02-03\n";

static void test_layout(void)
{
    liia_xml_layout *l = layout(0);
    CHECK(l != NULL);
    if (!l)
        return;
    CHECK_INT(liia_xml_layout_nparts(l), 10);
    int a = liia_xml_layout_find(l, "assessment");
    CHECK(a >= 0);
    CHECK_INT(liia_xml_layout_find(l, "nothing"), -1);
    const char *const *names;
    size_t n = liia_xml_layout_fields(l, (size_t)a, &names);
    CHECK_INT(n, 7);
    CHECK_STR(names[0], "LAchildID");
    CHECK_STR(names[2], "CINreferralDate");
    CHECK_STR(names[3], "AssessmentID");
    /* Every year: both the old and the new sex item are read. */
    int c = liia_xml_layout_find(l, "child");
    n = liia_xml_layout_fields(l, (size_t)c, &names);
    int gender = 0, sex = 0;
    for (size_t i = 0; i < n; i++) {
        gender |= !strcmp(names[i], "GenderCurrent");
        sex |= !strcmp(names[i], "Sex");
    }
    CHECK(gender && sex);
    liia_xml_layout_free(l);
    /* 2023-24 reads GenderCurrent only, 2024-25 Sex only. */
    for (int year = 2024; year <= 2025; year++) {
        l = layout(year);
        CHECK(l != NULL);
        if (!l)
            continue;
        n = liia_xml_layout_fields(l, (size_t)liia_xml_layout_find(l, "child"), &names);
        gender = sex = 0;
        for (size_t i = 0; i < n; i++) {
            gender |= !strcmp(names[i], "GenderCurrent");
            sex |= !strcmp(names[i], "Sex");
        }
        CHECK_INT(gender, year == 2024);
        CHECK_INT(sex, year == 2025);
        liia_xml_layout_free(l);
    }
}

static void test_records(void)
{
    liia_xml_layout *l = layout(2025);
    liia_error e;
    liia_error_clear(&e);
    liia_reader *r = l ? liia_reader_xml_open_mem("census.xml", CENSUS, sizeof CENSUS - 1,
                                                  l, &e) : NULL;
    CHECK(r != NULL);
    if (!r) {
        liia_xml_layout_free(l);
        return;
    }
    CHECK_STR(r->ops->format, "xml");
    liia_buf out;
    liia_buf_init(&out);
    CHECK_INT(liia_reader_run(r, collect, &out, &e), 0);
    CHECK_STR(out.data, WANT_2025);
    /* A reader runs again from the start. */
    liia_buf_reset(&out);
    CHECK_INT(liia_reader_run(r, collect, &out, &e), 0);
    CHECK_STR(out.data, WANT_2025);

    liia_signature sig;
    CHECK_INT(r->ops->signature(r, &sig, &e), 0);
    CHECK_STR(sig.format, "xml");
    CHECK_STR(sig.root, "Message");
    CHECK_STR(sig.collection, "CIN");
    CHECK_INT(sig.nnames, 0);
    liia_buf_free(&out);
    liia_reader_free(r);
    liia_xml_layout_free(l);
}

static int stop_at_episode(void *ctx, const liia_record *rec, liia_error *e)
{
    int *seen = ctx;
    ++*seen;
    if (strcmp(rec->part, "cin_episode"))
        return 0;
    liia_error_clear(e);
    e->line = rec->line;
    liia_strlcpy(e->path, rec->path, sizeof e->path);
    return liia_fail(e, LIIA_E_DATA, "stopped");
}

static void test_stop_and_files(void)
{
    liia_xml_layout *l = layout(2025);
    liia_error e;
    liia_error_clear(&e);
    liia_reader *r = l ? liia_reader_xml_open_mem("census.xml", CENSUS, sizeof CENSUS - 1,
                                                  l, &e) : NULL;
    int seen = 0;
    CHECK(r && liia_reader_run(r, stop_at_episode, &seen, &e) == -1);
    CHECK_INT(seen, 4);   /* header, child, disability, episode */
    CHECK_STR(e.message, "stopped");
    CHECK_STR(e.file, "census.xml");   /* filled in by the reader */
    CHECK_STR(e.path, "/Message/Children/Child[1]/CINdetails[1]");
    CHECK_INT(e.line, 8);
    liia_reader_free(r);

    /* A missing file: an I/O error naming it. */
    liia_error_clear(&e);
    r = liia_reader_xml_open(SCRATCH_DIR "/no-such.xml", l, &e);
    CHECK(r == NULL);
    CHECK_INT(e.status, LIIA_E_IO);
    CHECK(strstr(e.file, "no-such.xml") != NULL);

    /* The same census from a file: same records. */
    FILE *f = fopen(SCRATCH_DIR "/census.xml", "wb");
    CHECK(f && fwrite(CENSUS, 1, sizeof CENSUS - 1, f) == sizeof CENSUS - 1);
    if (f)
        fclose(f);
    r = liia_reader_xml_open(SCRATCH_DIR "/census.xml", l, &e);
    liia_buf out;
    liia_buf_init(&out);
    CHECK(r && liia_reader_run(r, collect, &out, &e) == 0);
    CHECK_STR(out.data, WANT_2025);
    liia_buf_free(&out);
    liia_reader_free(r);

    /* Without a layout only the signature can be read. */
    r = liia_reader_xml_open(SCRATCH_DIR "/census.xml", NULL, &e);
    liia_signature sig;
    CHECK(r && r->ops->signature(r, &sig, &e) == 0);
    CHECK_STR(sig.collection, "CIN");
    CHECK(r && liia_reader_run(r, collect, &out, &e) == -1);
    liia_reader_free(r);
    liia_xml_layout_free(l);
}

/* Comments before the root element (an export tool's banner) are
 * skipped whole, "-->" and all: the same records as without them. */
static void test_leading_comment(void)
{
    liia_xml_layout *l = layout(2025);
    liia_error e;
    liia_buf x, out;
    liia_buf_init(&x);
    liia_buf_init(&out);
    const char *body = strstr(CENSUS, "<Message");
    CHECK(body && liia_buf_appendf(&x, "<?xml version=\"1.0\"?>\n<!-- exported\n"
                                       "by the case system -->\n<!--x-->%s", body) == 0);
    liia_error_clear(&e);
    liia_reader *r = l ? liia_reader_xml_open_mem("c.xml", x.data, x.len, l, &e) : NULL;
    CHECK(r && liia_reader_run(r, collect, &out, &e) == 0);
    if (e.status)
        fprintf(stderr, "%s\n", e.message);
    CHECK(out.data && strstr(out.data, "cin_episode") != NULL);
    liia_reader_free(r);
    liia_buf_free(&out);
    liia_buf_free(&x);
    liia_xml_layout_free(l);
}

static void bad_layout(const char *json, const char *phrase)
{
    json_error_t je;
    json_t *doc = json_loads(json, 0, &je);
    CHECK(doc != NULL);
    liia_error e;
    liia_error_clear(&e);
    liia_xml_layout *l = liia_xml_layout_compile(doc, "bad.json", 0, &e);
    CHECK(l == NULL);
    CHECK_INT(e.status, LIIA_E_SCHEMA);
    if (!strstr(e.message, phrase))
        fprintf(stderr, "bad layout: \"%s\" lacks \"%s\"\n", e.message, phrase);
    CHECK(strstr(e.message, phrase) != NULL);
    liia_xml_layout_free(l);
    json_decref(doc);
}

static void test_bad_layouts(void)
{
    bad_layout("{\"tables\": []}", "1 to 16 parts");
    bad_layout("{\"tables\": [{\"name\": \"a\", \"element\": \"R/A\", \"columns\": []},"
               "{\"name\": \"a\", \"element\": \"R/B\", \"columns\": []}]}",
               "named twice");
    bad_layout("{\"tables\": [{\"name\": \"a\", \"element\": \"R/A\", \"columns\": []},"
               "{\"name\": \"b\", \"element\": \"S/B\", \"columns\": []}]}",
               "same root");
    bad_layout("{\"tables\": [{\"name\": \"a\", \"element\": \"R/A\", \"columns\": []},"
               "{\"name\": \"b\", \"element\": \"R/B\", \"parent\": \"a\", \"columns\": []}]}",
               "inside its parent");
    bad_layout("{\"tables\": [{\"name\": \"a\", \"element\": \"R/A\", \"columns\": ["
               "{\"name\": \"x\", \"path\": \"X\"}]},"
               "{\"name\": \"b\", \"element\": \"R/B\", \"columns\": ["
               "{\"name\": \"x\", \"inherit\": \"a\"}]}]}",
               "does not enclose");
    bad_layout("{\"tables\": [{\"name\": \"a\", \"element\": \"R/A\", \"columns\": ["
               "{\"name\": \"x\", \"path\": \"X//Y\"}]}]}",
               "a/b/c");
    bad_layout("{\"tables\": [{\"name\": \"a\", \"element\": \"R/A\", \"columns\": ["
               "{\"name\": \"x\", \"path\": \"X\", \"ordinal\": true}]}]}",
               "one of path");
    bad_layout("{\"tables\": [{\"name\": \"a\", \"element\": \"R/A\", \"columns\": ["
               "{\"name\": \"x\", \"path\": \"X\", \"from\": \"2024\"}]}]}",
               "collection years");
}

/* Each record's line is its start tag's, past line 65,535 too (libxml2
 * keeps a node's line in 16 bits; it used to come out one line late). */
struct lines {
    long bad, seen, child, episode;
};

static int check_line(void *ctx, const liia_record *rec, liia_error *e)
{
    (void)e;
    struct lines *l = ctx;
    long want = 0;
    if (!strcmp(rec->part, "child"))
        want = 5 + 5 * (rec->record - 1);
    else if (!strcmp(rec->part, "cin_episode"))
        want = 6 + 5 * (rec->record - 1);
    else
        return 0;
    l->seen++;
    if (rec->line != want && l->bad++ < 3)
        fprintf(stderr, "%s %ld at line %ld, want %ld\n", rec->part, rec->record, rec->line,
                want);
    return 0;
}

/* Fails at the 20,000th record, long after the parse thread has filled
 * every batch and waits for one to come back. */
static int stop_late(void *ctx, const liia_record *rec, liia_error *e)
{
    long *n = ctx;
    if (++*n < 20000)
        return 0;
    liia_strlcpy(e->rule_id, "TEST-STOP", sizeof e->rule_id);
    return liia_fail(e, LIIA_E_DATA, "stopped at %s %ld", rec->part, rec->record);
}

static void test_big_lines(void)
{
    enum { CHILDREN = 15000 };          /* 5 lines each: 75,000 lines */
    liia_buf x;
    liia_buf_init(&x);
    int rc = liia_buf_appendf(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>\n"
                              "<Header><CollectionDetails><Collection>CIN</Collection>"
                              "</CollectionDetails></Header>\n<Children>\n");
    for (int i = 0; i < CHILDREN && rc == 0; i++)
        rc = liia_buf_appendf(&x, "<Child>\n <CINdetails>\n  <CINreferralDate>2024-05-01"
                                  "</CINreferralDate>\n </CINdetails>\n</Child>\n");
    rc = rc || liia_buf_appendf(&x, "</Children>\n</Message>\n");
    CHECK_INT(rc, 0);
    liia_xml_layout *l = layout(2025);
    liia_error e;
    liia_error_clear(&e);
    liia_reader *r = l && !rc ? liia_reader_xml_open_mem("big.xml", x.data, x.len, l, &e)
                              : NULL;
    CHECK(r != NULL);
    struct lines got = {0, 0, 0, 0};
    if (r)
        CHECK_INT(liia_reader_run(r, check_line, &got, &e), 0);
    CHECK_INT(got.seen, 2 * CHILDREN);
    CHECK_INT(got.bad, 0);
    /* The same file read again, by a callback that gives up half-way:
     * its error comes back, the parse stops, nothing hangs or leaks. */
    long n = 0;
    liia_error_clear(&e);
    if (r)
        CHECK_INT(liia_reader_run(r, stop_late, &n, &e), -1);
    CHECK_INT(n, 20000);
    CHECK(!strcmp(e.rule_id, "TEST-STOP") && strstr(e.message, "stopped at child 10000"));
    liia_reader_free(r);
    liia_xml_layout_free(l);
    liia_buf_free(&x);
}

int main(void)
{
    test_big_lines();
    test_layout();
    test_records();
    test_stop_and_files();
    test_leading_comment();
    test_bad_layouts();
    return unit_result("test_cin_reader");
}
