/*
 * The parts of the SSDA903 ingest written for speed: the cross-row rules
 * per child (episodes in any order and any interleaving of children, which
 * sends them through the store in child order; undated episodes stay out
 * of the DECOM order; duplicate header rows), the schema checks (every
 * ordered rule has a built-in check; a measure is terms the ingest can
 * evaluate, shared between measures), measure terms evaluated for every
 * quarter in one walk, and the HMAC context reused across children.
 * Period 2024-03-31: collection year 2023-24 (SEX coded 1/2).
 */
#include <sys/stat.h>

#include "pseudo.h"
#include "ssda903_internal.h"
#include "t903.h"
#include "unit.h"

#define H1 "1001,1,15/06/2010,WBRI,A123456789012,,\n"
#define H2 "2002,2,15/06/2011,WBRI,UN2,,\n"
#define TAIL ",N1 9GU,N7 6QR,SC123456\n"

static size_t count_rule(const liia_ingest_result *r, const char *rule, long line)
{
    size_t n = 0;
    for (size_t i = 0; i < r->findings.count; i++)
        n += !strcmp(r->findings.items[i].rule_id, rule) &&
             (line == 0 || r->findings.items[i].line == line);
    return n;
}

/* 1001's second episode comes first in the file and 2002's episode sits
 * between 1001's two: the rules still see 1001's episodes in DECOM order. */
static void test_interleaved_unordered(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", H1 H2,
                          "1001,01/09/2023,P,C2,N1,U2,PR1,,,CARPL" TAIL
                          "2002,01/05/2023,S,C2,N1,U1,PR1,,," TAIL
                          "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1," TAIL,
                          NULL, 0, &r, &e), 0);
    /* line 2 continues line 4 but starts two months after it ended */
    CHECK_INT((long)count_rule(&r, "433", 2), 1);
    CHECK_INT((long)count_rule(&r, "433", 0), 1);
    /* line 4 is 1001's first episode (S) and has a successor; it ends X1
     * on 01/07 but the successor starts 01/09: 388 (DfE's first case) */
    CHECK_INT((long)count_rule(&r, "357", 0), 0);
    CHECK_INT((long)count_rule(&r, "388", 4), 1);
    CHECK_INT((long)count_rule(&r, "388", 0), 1);
    CHECK_INT((long)count_rule(&r, "142", 0), 0);
    CHECK_INT((long)count_rule(&r, "501", 0), 0);
    CHECK_INT((long)count_rule(&r, "INT03", 0), 0);
    /* the flag lands on the row the rule is about */
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_episode WHERE line = 2 "
                                "AND flags = '433' AND submission_id = "
                                "(SELECT MAX(id) FROM submission)"), 1);
    liia_ingest_result_free(&r);
}

/* An episode whose DECOM failed its cell check is stored without one: it is
 * no "later episode" for 142 and no "previous episode" for 501/433. */
static void test_undated_episode_outside_order(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", H1,
                          "1001,01/05/2023,S,C2,N1,U1,PR1,,," TAIL
                          "1001,99/99/2023,P,C2,N1,U2,PR1,,,CARPL" TAIL,
                          NULL, 0, &r, &e), 0);
    CHECK_INT((long)count_rule(&r, "141", 3), 1);
    CHECK_INT((long)count_rule(&r, "142", 0), 0);
    CHECK_INT((long)count_rule(&r, "433", 0), 0);
    CHECK_INT((long)count_rule(&r, "INT03", 0), 0);
    liia_ingest_result_free(&r);
}

/* Child 3003 twice in the header and never in episodes: INT32 on both
 * rows (as DfE: every copy), EPI on both. */
static void test_duplicate_header_rows(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31",
                          H1 "3003,1,15/06/2012,WBRI,UN1,,\n"
                             "3003,1,15/06/2012,WBRI,UN1,,\n",
                          "1001,01/05/2023,S,C2,N1,U1,PR1,,," TAIL, NULL, 0, &r, &e), 0);
    CHECK_INT((long)count_rule(&r, "INT32", 0), 2);
    CHECK_INT((long)count_rule(&r, "INT32", 3), 1);
    CHECK_INT((long)count_rule(&r, "INT32", 4), 1);
    CHECK_INT((long)count_rule(&r, "EPI", 0), 2);
    CHECK_INT((long)count_rule(&r, "EPI", 3), 1);
    CHECK_INT((long)count_rule(&r, "EPI", 4), 1);
    liia_ingest_result_free(&r);
}


/* A schema directory under SCRATCH_DIR/name: the real schema with one of
 * its files replaced by text. */
static int schema_with(const char *name, const char *file, const char *text,
                       char dir[600])
{
    char sub[700], path[800];
    snprintf(dir, 600, "%s/%s", SCRATCH_DIR, name);
    snprintf(sub, sizeof sub, "%s/ssda903", dir);
    mkdir(dir, 0700);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/rules", sub);
    mkdir(path, 0700);
    static const char *const files[] = {"tables.json", "codelists.json", "measures.json",
                                        "rules/142.json", "rules/INT32.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char from[600];
        snprintf(from, sizeof from, "%s/ssda903/%s", SCHEMA_DIR, files[i]);
        snprintf(path, sizeof path, "%s/%s", sub, files[i]);
        if (strcmp(files[i], file) && t903_copy_file(from, path))
            return -1;
    }
    snprintf(path, sizeof path, "%s/%s", sub, file);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static void schema_refused(const char *name, const char *file, const char *text,
                           const char *message)
{
    char dir[600];
    CHECK_INT(schema_with(name, file, text, dir), 0);
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(s903_schema_load(dir, 2024, &s, &e), -1);
    CHECK_STR(e.message, message);
}

/* An ordered rule names a code with no built-in check: a schema error,
 * not a rule that silently never runs.  A measure must say what it counts
 * in terms the ingest can evaluate. */
static void test_schema_refusals(void)
{
    schema_refused("schema_unknown_exists", "rules/999.json",
                   "{\"code\": \"999\", \"table\": \"episodes\", \"column\": \"DEC\","
                   " \"message\": \"m\", \"when\": {\"exists\": \"cousin\"}}\n",
                   "malformed SSDA903 schema: 'exists' names no record (prev, next, "
                   "header) or part");
    schema_refused("schema_header_reads_episodes", "rules/998.json",
                   "{\"code\": \"998\", \"table\": \"header\", \"column\": \"DOB\","
                   " \"message\": \"m\", \"when\": {\"all\": [{\"exists\": \"episodes\"},"
                   " {\"present\": \"DOB\"}]}}\n",
                   "malformed SSDA903 schema: a header rule asking about other parts or "
                   "a later header row may use 'exists' only (uasc rules may ask only "
                   "'exists': \"header\")");
    schema_refused("schema_bad_year", "rules/997.json",
                   "{\"code\": \"997\", \"table\": \"episodes\", \"column\": \"DEC\","
                   " \"message\": \"m\", \"from\": \"2025\", \"when\": {\"present\": \"DEC\"}}\n",
                   "malformed SSDA903 schema: 'from' and 'to' are collection years such "
                   "as \"2024-25\"");
    schema_refused("schema_measure_no_terms", "measures.json",
                   "{\"measures\": [{\"measure\": \"cla_at_end\"}]}\n",
                   "malformed SSDA903 schema: a measure needs measure and 1 to 8 "
                   "children_with terms (or, an XML return's, count and of)");
    schema_refused("schema_term_no_table", "measures.json",
                   "{\"measures\": [{\"measure\": \"m\", \"children_with\": "
                   "[{\"header\": {\"present\": \"DOB\"}}]}]}\n",
                   "malformed SSDA903 schema: a term names a part other than the "
                   "child's (\"episode\": the ordered part)");
    schema_refused("schema_term_at_least", "measures.json",
                   "{\"measures\": [{\"measure\": \"m\", \"children_with\": "
                   "[{\"episode\": {\"present\": \"DEC\"}, \"at_least\": 0}]}]}\n",
                   "malformed SSDA903 schema: at_least must be 1 or more (episode terms only)");
    schema_refused("schema_term_column", "measures.json",
                   "{\"measures\": [{\"measure\": \"m\", \"children_with\": "
                   "[{\"episode\": {\"present\": \"DUC\"}}]}]}\n",
                   "malformed SSDA903 schema: a condition names no column of its table");
    schema_refused("schema_term_operand", "measures.json",
                   "{\"measures\": [{\"measure\": \"m\", \"children_with\": "
                   "[{\"episode\": {\"col\": \"DEC\", \"after\": \"$quarter\"}}]}]}\n",
                   "malformed SSDA903 schema: a date comparison has an unknown operand");
    /* aggregates count the child's records of a part named in tables.json,
     * never inside another; their where sees the counted record (and
     * outer.COL, the rule's); prev2/first/last are episodes' */
    schema_refused("schema_count_header", "rules/996.json",
                   "{\"code\": \"996\", \"table\": \"uasc\", \"column\": \"DUC\","
                   " \"message\": \"m\", \"when\": {\"some\": \"headers\","
                   " \"where\": {\"present\": \"DOB\"}}}\n",
                   "malformed SSDA903 schema: an aggregate (some, none, count) counts the "
                   "child's records of a part, and not inside another");
    schema_refused("schema_count_nested", "rules/996.json",
                   "{\"code\": \"996\", \"table\": \"missing\", \"column\": \"MIS_START\","
                   " \"message\": \"m\", \"when\": {\"some\": \"episodes\","
                   " \"where\": {\"none\": \"uasc\", \"where\": {\"present\": \"DUC\"}}}}\n",
                   "malformed SSDA903 schema: an aggregate (some, none, count) counts the "
                   "child's records of a part, and not inside another");
    /* outer.COL only inside an aggregate (over any part, the rule's own
     * included); earlier only over the rule's own ordered part */
    schema_refused("schema_outer_top", "rules/996.json",
                   "{\"code\": \"996\", \"table\": \"episodes\", \"column\": \"DEC\","
                   " \"message\": \"m\", \"when\": {\"present\": \"outer.DEC\"}}\n",
                   "malformed SSDA903 schema: a condition names no column of its table");
    schema_refused("schema_earlier_top", "rules/996.json",
                   "{\"code\": \"996\", \"table\": \"episodes\", \"column\": \"DEC\","
                   " \"message\": \"m\", \"when\": {\"earlier\": \"outer\"}}\n",
                   "malformed SSDA903 schema: 'earlier' is {\"earlier\": \"outer\"}, inside an "
                   "aggregate over the rule's own ordered part");
    schema_refused("schema_earlier_other", "rules/996.json",
                   "{\"code\": \"996\", \"table\": \"missing\", \"column\": \"MIS_START\","
                   " \"message\": \"m\", \"when\": {\"some\": \"episodes\","
                   " \"where\": {\"earlier\": \"outer\"}}}\n",
                   "malformed SSDA903 schema: 'earlier' is {\"earlier\": \"outer\"}, inside an "
                   "aggregate over the rule's own ordered part");
    schema_refused("schema_last_holds", "rules/996.json",
                   "{\"code\": \"996\", \"table\": \"oc3\", \"column\": \"IN_TOUCH\","
                   " \"message\": \"m\", \"when\": {\"last\": \"episodes\","
                   " \"where\": {\"present\": \"DECOM\"}}}\n",
                   "malformed SSDA903 schema: 'first' and 'last' need 'holds' (the condition "
                   "on the record they pick)");
    schema_refused("schema_needs", "rules/996.json",
                   "{\"code\": \"996\", \"table\": \"episodes\", \"column\": \"DEC\","
                   " \"needs\": \"nothing\", \"message\": \"m\","
                   " \"when\": {\"present\": \"DEC\"}}\n",
                   "malformed SSDA903 schema: 'needs' names a part (of a return sent as "
                   "several files)");
    schema_refused("schema_count_prev", "rules/995.json",
                   "{\"code\": \"995\", \"table\": \"episodes\", \"column\": \"DEC\","
                   " \"message\": \"m\", \"when\": {\"count\": \"episodes\", \"at_least\": 2,"
                   " \"where\": {\"present\": \"prev.DEC\"}}}\n",
                   "malformed SSDA903 schema: a condition names no column of its table");
    schema_refused("schema_count_where", "rules/994.json",
                   "{\"code\": \"994\", \"table\": \"episodes\", \"column\": \"DEC\","
                   " \"message\": \"m\", \"when\": {\"none\": \"episodes\"}}\n",
                   "malformed SSDA903 schema: an aggregate needs 'where' (the condition on "
                   "each record)");
    schema_refused("schema_prev2_header", "rules/993.json",
                   "{\"code\": \"993\", \"table\": \"header\", \"column\": \"DOB\","
                   " \"message\": \"m\", \"when\": {\"exists\": \"prev2\"}}\n",
                   "malformed SSDA903 schema: 'exists' prev2/first/last is for episodes "
                   "rules, and an aggregate's where sees no other record");
}

/* 'equals' compares a cell with another record's (here the child's header
 * row, from a uasc row) and 'matches' a cell with a pattern. */
static void test_equals_matches(struct t903 *t)
{
    char dir[600];
    CHECK_INT(schema_with("schema_equals", "rules/990.json",
                          "{\"code\": \"990\", \"table\": \"uasc\", \"column\": \"SEX\","
                          " \"message\": \"m\", \"when\": {\"all\": [{\"exists\": \"header\"},"
                          " {\"not\": {\"col\": \"SEX\", \"equals\": \"header.SEX\"}}]}}\n", dir), 0);
    CHECK_INT(schema_with("schema_equals", "rules/991.json",
                          "{\"code\": \"991\", \"table\": \"episodes\", \"column\": \"URN\","
                          " \"message\": \"m\", \"when\": {\"all\": [{\"present\": \"URN\"},"
                          " {\"not\": {\"col\": \"URN\", \"matches\": \"^SC[0-9]{6}$\"}}]}}\n",
                          dir), 0);
    const char *files[3] = {
        t903_file("eq_header.csv", T903_HEADER_COLS, H1 H2),
        t903_file("eq_episodes.csv", T903_EPISODE_COLS,
                  "1001,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC12345X\n"
                  "2002,01/05/2023,S,C2,N1,U1,PR1,,," TAIL),
        t903_file("eq_uasc.csv", T903_UASC_COLS, "1001,2,15/06/2010,\n2002,2,15/06/2011,\n")};
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = t->key_path,
                          .schema_dir = dir,
                          .validate_only = 1};
    size_t nfiles = 3;
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    liia_error_clear(&e);
    CHECK_INT(t903_submit(t->db, &o, files, nfiles, &r, &e), 0);
    CHECK_INT((long)count_rule(&r, "990", 0), 1);   /* 1001: header 1, uasc 2 */
    CHECK_INT((long)count_rule(&r, "990", 2), 1);
    CHECK_INT((long)count_rule(&r, "991", 0), 1);   /* SC12345X */
    CHECK_INT((long)count_rule(&r, "991", 2), 1);
    liia_ingest_result_free(&r);
}

/* The shipped measures share their terms: 'open at the quarter end' is
 * one term for the five measures that use it. */
static void test_terms_shared(void)
{
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(s903_schema_load(SCHEMA_DIR, 2025, &s, &e), 0);
    CHECK_INT((long)s.nmeasures, 7);
    CHECK_INT((long)s.nterms, 7);   /* 6 episode terms, 1 uasc term */
    int open = s.measures[0].terms[0].term;   /* cla_at_end */
    size_t users = 0;
    for (size_t m = 0; m < s.nmeasures; m++)
        for (size_t t = 0; t < s.measures[m].nterms; t++)
            users += s.measures[m].terms[t].term == open;
    CHECK_INT((long)users, 3);   /* cla_at_end, uasc_at_end, cla_3plus */
    s903_schema_free(&s);
}

/* s903_cond_mask answers, in one walk, what s903_cond_eval answers for
 * each quarter: checked on every term of the shipped measures over a grid
 * of episodes around the quarter boundaries. */
static void test_cond_mask_matches_eval(void)
{
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(s903_schema_load(SCHEMA_DIR, 2025, &s, &e), 0);
    int ep = s903_table_index(&s, "episodes");
    const struct s903_table *t = &s.tables[ep];
    struct s903_dates q[4];
    static const char *const qe[] = {"2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31"};
    static const char *const qs[] = {"2024-04-01", "2024-07-01", "2024-10-01", "2025-01-01"};
    static const char *const y1[] = {"2023-07-01", "2023-10-01", "2024-01-01", "2024-04-01"};
    for (int i = 0; i < 4; i++) {
        memset(&q[i], 0, sizeof q[i]);
        liia_strlcpy(q[i].start, "2024-04-01", sizeof q[i].start);
        liia_strlcpy(q[i].end, "2025-03-31", sizeof q[i].end);
        liia_strlcpy(q[i].qs, qs[i], sizeof q[i].qs);
        liia_strlcpy(q[i].qe, qe[i], sizeof q[i].qe);
        liia_strlcpy(q[i].y1, y1[i], sizeof q[i].y1);
    }
    static const char *const dates[] = {"", "2023-06-30", "2023-10-01", "2024-04-01",
                                        "2024-06-30", "2024-07-01", "2024-12-31", "2025-03-31"};
    static const char *const codes[] = {"S", "L", "V3", "U1", "K2", "E11", "X1", ""};
    struct s903_cell cells[64];
    int decom = s903_col_index(t, "DECOM"), dec = s903_col_index(t, "DEC");
    int mismatches = 0, checked = 0;
    for (size_t a = 0; a < 8; a++)
        for (size_t b = 0; b < 8; b++)
            for (size_t k = 0; k < 8; k++) {
                memset(cells, 0, sizeof cells);
                for (size_t c = 0; c < t->ncols; c++) {
                    const char *v = (int)c == decom ? dates[a] : (int)c == dec ? dates[b]
                                  : codes[(k + c) % 8];
                    cells[c].raw = v;
                    cells[c].len = strlen(v);
                    cells[c].ok = cells[c].len > 0;
                    if (t->cols[c].type == S903_DATE && cells[c].ok)
                        liia_strlcpy(cells[c].iso, v, sizeof cells[c].iso);
                }
                for (size_t n = 0; n < s.nterms; n++) {
                    if (s.terms[n].table != ep)
                        continue;
                    uint32_t m = s903_cond_mask(&s.terms[n].cond, cells, q, 4);
                    for (int i = 0; i < 4; i++, checked++)
                        mismatches += (int)(m >> i & 1) !=
                                      s903_cond_eval(&s.terms[n].cond, cells, &q[i]);
                }
            }
    CHECK_INT(mismatches, 0);
    CHECK(checked > 10000);
    s903_schema_free(&s);
}

/* The keyed context is re-initialised per child: A after B hashes as A did
 * on a fresh context. */
static void test_hmac_context_reuse(void)
{
    unsigned char key[LIIA_KEY_BYTES];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)(i * 7 + 1);
    liia_error e;
    liia_error_clear(&e);
    liia_pseudo *p = liia_pseudo_new(key, "E09000007", &e);
    liia_pseudo *fresh = liia_pseudo_new(key, "E09000007", &e);
    CHECK(p != NULL && fresh != NULL);
    if (!p || !fresh) {
        liia_pseudo_free(p);
        liia_pseudo_free(fresh);
        return;
    }
    char a1[LIIA_PID_HEX + 1], b[LIIA_PID_HEX + 1], a2[LIIA_PID_HEX + 1];
    char want[LIIA_PID_HEX + 1];
    CHECK_INT(liia_pseudo_child(p, "1001", 4, a1), 0);
    CHECK_INT(liia_pseudo_child(p, "2002", 4, b), 0);
    CHECK_INT(liia_pseudo_child(p, "1001", 4, a2), 0);
    CHECK_INT(liia_pseudo_child(fresh, "1001", 4, want), 0);
    CHECK_STR(a1, want);
    CHECK_STR(a2, want);
    CHECK(strcmp(a1, b) != 0);
    liia_pseudo_free(p);
    liia_pseudo_free(fresh);
}

int main(void)
{
    struct t903 t;
    if (t903_open(&t, "test_903_perf_parts"))
        return 1;
    test_interleaved_unordered(&t);
    test_undated_episode_outside_order(&t);
    test_duplicate_header_rows(&t);
    test_equals_matches(&t);
    t903_close(&t);
    test_schema_refusals();
    test_terms_shared();
    test_cond_mask_matches_eval();
    test_hmac_context_reuse();
    return unit_result("test_903_perf_parts");
}
