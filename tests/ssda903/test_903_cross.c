/*
 * The cross-part pass of the SSDA903 child-level rules (ssda903_cross.c):
 * rules counting the child's records of another part (some/none/count
 * PART, outer.COL), asking on a part read early what the child has in a
 * later part ({"exists": "episodes"}), reading prev./next. of a part with
 * "cross_order_by", period_first./period_last. of the episodes'
 * "period_end", and "needs": PART.
 *
 * Compile: each schema refusal of the language, and what compiles as a
 * cross rule (W_CROSS).  Evaluation: one hand-written extract of four
 * children (header, episodes, missing, social_worker; oc2 and missing
 * absent, header row only or with rows for "needs")
 * through the library into a scratch store, ingested with test-only rule
 * files (codes X...) in a schema folder made here (the real tables.json,
 * codelists.json and measures.json, no real rule: only the X rules
 * report).  Every check names the exact lines a rule flags, in the
 * findings and on the stored rows; the same extract with its rows out of
 * child order (missing and social worker rows interleaved: the sorted
 * index read-back; episodes not grouped by child: re-read from the store)
 * flags the same rows, and so does validate (nothing stored).  Rows with
 * a blank CHILD are never reported by a cross rule.  Period 2024-03-31:
 * collection year 2023-24.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "ssda903_internal.h"
#include "t903.h"
#include "unit.h"

/* ------------------------------------------------------------ schema folders */


static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* The real tables.json with the first occurrence of from replaced by to;
 * NULL when from is not in it (the test would test nothing). */
static char *tables_patched(const char *from, const char *to)
{
    char path[600];
    snprintf(path, sizeof path, "%s/ssda903/tables.json", SCHEMA_DIR);
    char *text = NULL;
    size_t len = 0;
    liia_error e;
    liia_error_clear(&e);
    if (liia_read_file(path, &text, &len, &e))
        return NULL;
    char *at = strstr(text, from);
    if (!at) {
        free(text);
        return NULL;
    }
    size_t head = (size_t)(at - text), nf = strlen(from), nt = strlen(to);
    char *out = malloc(len - nf + nt + 1);
    if (out) {
        memcpy(out, text, head);
        memcpy(out + head, to, nt);
        memcpy(out + head + nt, at + nf, len - head - nf);
        out[len - nf + nt] = '\0';
    }
    free(text);
    return out;
}

/* SCRATCH_DIR/name/ssda903 with the real codelists.json and measures.json,
 * tables.json (the real one when tables is NULL) and an empty rules/
 * (emptied of an earlier run's files). */
static int schema_dir(const char *name, const char *tables, char dir[600])
{
    char sub[700], path[800];
    snprintf(dir, 600, "%s/%s", SCRATCH_DIR, name);
    snprintf(sub, sizeof sub, "%s/ssda903", dir);
    mkdir(dir, 0700);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/rules", sub);
    mkdir(path, 0700);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char old[1100];
        snprintf(old, sizeof old, "%s/%s", path, de->d_name);
        unlink(old);
    }
    if (d)
        closedir(d);
    static const char *const files[] = {"tables.json", "codelists.json", "measures.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char from[600];
        snprintf(from, sizeof from, "%s/ssda903/%s", SCHEMA_DIR, files[i]);
        snprintf(path, sizeof path, "%s/%s", sub, files[i]);
        if (i == 0 && tables ? write_text(path, tables) : t903_copy_file(from, path))
            return -1;
    }
    return 0;
}

static int add_rule(const char *dir, const char *file, const char *text)
{
    char path[800];
    snprintf(path, sizeof path, "%s/ssda903/rules/%s", dir, file);
    return write_text(path, text);
}

/* Loads a schema folder of one rule (NULL: none) and tables.json (NULL:
 * the real one) for 2023-24: s903_schema_load's answer. */
static int load_one(const char *name, const char *tables, const char *rule,
                    struct s903_schema *s, liia_error *e)
{
    char dir[600];
    liia_error_clear(e);
    memset(s, 0, sizeof *s);
    if (schema_dir(name, tables, dir) || (rule && add_rule(dir, "X.json", rule)))
        return liia_fail(e, LIIA_E_IO, "cannot write the schema folder %s", name);
    return s903_schema_load(dir, 2024, s, e);
}

#define PREFIX "malformed SSDA903 schema: "

static void refused(const char *name, const char *tables, const char *rule,
                    const char *message)
{
    struct s903_schema s;
    liia_error e;
    int rc = load_one(name, tables, rule, &s, &e);
    CHECK_INT(rc, -1);
    if (rc == 0) {
        fprintf(stderr, "  (%s: loaded, want \"%s\")\n", name, message);
        s903_schema_free(&s);
        return;
    }
    CHECK_STR(e.message, message);
}

/* tables.json patched (from -> to) is refused with message. */
static void tables_refused(const char *name, const char *from, const char *to,
                           const char *message)
{
    char *tables = tables_patched(from, to);
    CHECK(tables != NULL);
    if (!tables)
        return;
    refused(name, tables, NULL, message);
    free(tables);
}

static const struct s903_rule *rule_of(const struct s903_schema *s, const char *code)
{
    for (size_t i = 0; i < s->nrules; i++)
        if (!strcmp(s->rules[i].code, code))
            return &s->rules[i];
    return NULL;
}

/* The one rule X of the folder compiles, as when; returns it loaded in s
 * (freed by the caller) or -1. */
static int compiled(const char *name, const char *tables, const char *rule,
                    enum s903_when when, struct s903_schema *s)
{
    liia_error e;
    int rc = load_one(name, tables, rule, s, &e);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  (%s: %s)\n", name, e.message);
        return -1;
    }
    const struct s903_rule *r = rule_of(s, "X");
    CHECK(r != NULL);
    if (!r) {
        s903_schema_free(s);
        return -1;
    }
    CHECK_INT(r->when, when);
    return 0;
}

#define RULE(table, col, extra, when)                                             \
    "{\"code\": \"X\", \"table\": \"" table "\", \"column\": \"" col "\","       \
    " \"message\": \"m\"" extra ", \"when\": " when "}\n"

/* DfE's partial dates (DATE_PERM) as DfE's validator reads them. */
static void test_pdate(void)
{
    static const struct { const char *in, *want; } ok[] = {
        {"05/04/2020", "2020-04-05"}, {"5/4/2020", "2020-04-05"},
        {"ZZ/04/2020", "2020-04-30"}, {"ZZ/02/2024", "2024-02-29"},
        {"ZZ/ZZ/2019", "2019-12-31"}, {"15/ZZ/2019", "2020-01-14"},
        {"ZZ/ZZ/ZZZZ", "2000-12-31"}, {"01/06/ZZZZ", "2000-06-01"},
    };
    static const char *const bad[] = {"31/02/2020", "ZZ/13/2020", "ZZ/ZZ/ZZ", "01/01/20",
                                      "Z/01/2020", "001/01/2020", "01-01-2020", "",
                                      "01/01/2020/", "32/ZZ/2020", "00/01/2020", "ab/cd/efgh"};
    char iso[11];
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        CHECK_INT(s903_parse_pdate(ok[i].in, strlen(ok[i].in), iso), 0);
        CHECK_STR(iso, ok[i].want);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_INT(s903_parse_pdate(bad[i], strlen(bad[i]), iso), -1);
    /* the cell ends at its length, not at a NUL: a kept cell is followed
     * by the next one's bytes */
    CHECK_INT(s903_parse_pdate("ZZ/ZZ/ZZZZZZ", 10, iso), 0);
    CHECK_STR(iso, "2000-12-31");
    CHECK_INT(s903_parse_pdate("01/02/20201", 10, iso), 0);
    CHECK_STR(iso, "2020-02-01");
}

static void test_compile_refusals(void)
{
    refused("c_dated_text", NULL,
            RULE("missing", "MIS_START", "", "{\"dated\": \"MISSING\"}"),
            PREFIX "'dated' names a column that is not a date or pdate");
    /* aggregates: a part named in tables.json, never inside another */
    refused("c_agg_unknown", NULL,
            RULE("missing", "MIS_START", "",
                 "{\"some\": \"nosuch\", \"where\": {\"present\": \"DECOM\"}}"),
            PREFIX "an aggregate (some, none, count) counts the child's records of a "
                   "part, and not inside another");
    refused("c_agg_nested", NULL,
            RULE("missing", "MIS_START", "",
                 "{\"some\": \"episodes\", \"where\": {\"none\": \"social_worker\","
                 " \"where\": {\"present\": \"SW_DECOM\"}}}"),
            PREFIX "an aggregate (some, none, count) counts the child's records of a "
                   "part, and not inside another");
    /* needs: a part */
    refused("c_needs_unknown", NULL,
            RULE("missing", "MIS_START", ", \"needs\": \"oc4\"", "{\"present\": \"MIS_START\"}"),
            PREFIX "'needs' names a part (of a return sent as several files)");
    /* a cross rule on reviews (neither ordered nor cross_order_by) reading
     * prev. */
    refused("c_prev_unordered", NULL,
            RULE("reviews", "REVIEW", "",
                 "{\"all\": [{\"some\": \"episodes\", \"where\": {\"present\": \"DECOM\"}},"
                 " {\"present\": \"prev.REVIEW\"}]}"),
            PREFIX "a cross rule reads next/prev cells only on an ordered part or one "
                   "with \"cross_order_by\"");
    /* the same on social_worker once its cross_order_by is taken away: with
     * "needs" it is a cross rule (this refusal), without it a child rule
     * (the older refusal) */
    {
        char *t = tables_patched("\"cross_order_by\": [\"SW_DECOM\", \"SW_DEC\"],", "");
        CHECK(t != NULL);
        if (t) {
            refused("c_sw_unordered_needs", t,
                    RULE("social_worker", "SW_DEC", ", \"needs\": \"missing\"",
                         "{\"col\": \"SW_DECOM\", \"before\": \"prev.SW_DEC\"}"),
                    PREFIX "a cross rule reads next/prev cells only on an ordered part or "
                           "one with \"cross_order_by\"");
            refused("c_sw_unordered", t,
                    RULE("social_worker", "SW_DEC", "",
                         "{\"col\": \"SW_DECOM\", \"before\": \"prev.SW_DEC\"}"),
                    PREFIX "a header or uasc rule may read header.COL and ask 'exists' "
                           "(prev: header rules), not next/prev cells");
            free(t);
        }
    }
    /* cross_order_by: one or two date columns of a part neither the child's
     * nor ordered */
    static const char cob[] = PREFIX "cross_order_by is a list of one or two date columns "
                                     "of a part neither the child's nor ordered";
    tables_refused("c_cob_code", "\"cross_order_by\": [\"MIS_START\"]",
                   "\"cross_order_by\": [\"MISSING\"]", cob);
    tables_refused("c_cob_unknown", "\"cross_order_by\": [\"MIS_START\"]",
                   "\"cross_order_by\": [\"MIS_BEGIN\"]", cob);
    tables_refused("c_cob_three", "\"cross_order_by\": [\"MIS_START\"]",
                   "\"cross_order_by\": [\"MIS_START\", \"MIS_END\", \"DOB\"]", cob);
    tables_refused("c_cob_empty", "\"cross_order_by\": [\"MIS_START\"]",
                   "\"cross_order_by\": []", cob);
    tables_refused("c_cob_string", "\"cross_order_by\": [\"MIS_START\"]",
                   "\"cross_order_by\": \"MIS_START\"", cob);
    tables_refused("c_cob_ordered", "\"period_end\": \"DEC\",",
                   "\"period_end\": \"DEC\", \"cross_order_by\": [\"DEC\"],", cob);
    tables_refused("c_cob_child", "\"role\": \"child\",",
                   "\"role\": \"child\", \"cross_order_by\": [\"DOB\"],", cob);
    /* period_end: a date column of a part ordered by a date */
    static const char pe[] = PREFIX "period_end is a date column of a part ordered by a date";
    tables_refused("c_pe_code", "\"period_end\": \"DEC\"", "\"period_end\": \"REC\"", pe);
    tables_refused("c_pe_unknown", "\"period_end\": \"DEC\"", "\"period_end\": \"DEND\"", pe);
    tables_refused("c_pe_unordered", "\"cross_order_by\": [\"MIS_START\"],",
                   "\"cross_order_by\": [\"MIS_START\"], \"period_end\": \"MIS_END\",", pe);
    tables_refused("c_pe_file_order", "\"order_by\": \"DECOM\"", "\"order_by\": \"file\"", pe);
    /* outer. only inside an aggregate over another part; period_first.
     * only on a part with period_end; neither prev. nor next. in an
     * aggregate's where */
    static const char nocol[] = PREFIX "a condition names no column of its table";
    refused("c_outer_bare", NULL,
            RULE("missing", "MIS_START", "", "{\"present\": \"outer.MIS_START\"}"), nocol);
    refused("c_outer_wrong_table", NULL,
            RULE("missing", "MIS_START", "",
                 "{\"some\": \"episodes\", \"where\": {\"present\": \"outer.DECOM\"}}"), nocol);
    refused("c_period_missing", NULL,
            RULE("missing", "MIS_START", "", "{\"present\": \"period_first.MIS_START\"}"),
            nocol);
    refused("c_period_sw_agg", NULL,
            RULE("missing", "MIS_START", "",
                 "{\"some\": \"social_worker\", \"where\": {\"present\": "
                 "\"period_last.SW_DEC\"}}"), nocol);
    refused("c_agg_prev", NULL,
            RULE("missing", "MIS_START", "",
                 "{\"some\": \"social_worker\", \"where\": {\"present\": \"prev.SW_DEC\"}}"),
            nocol);
}

static void test_compile_cross(void)
{
    struct s903_schema s;
    /* a missing rule counting the child's episodes, with outer. */
    if (compiled("k_some_episodes", NULL,
                 RULE("missing", "MIS_START", "",
                      "{\"some\": \"episodes\", \"where\": {\"col\": \"DECOM\","
                      " \"on_or_before\": \"outer.MIS_START\"}}"), W_CROSS, &s) == 0) {
        const struct s903_rule *r = rule_of(&s, "X");
        int ep = s903_table_index(&s, "episodes"), mi = s903_table_index(&s, "missing");
        CHECK_INT(r->cond.kind, C_COUNT);
        CHECK_INT(r->cond.part, ep);
        CHECK_INT(r->needs, -1);
        /* the pass keeps both parts: the rule's reported column, the
         * counted part's DECOM (and DEC: its period_end, order_by) */
        CHECK_INT(s.tables[mi].cross_keep, 1);
        CHECK_INT(s.tables[ep].cross_keep, 1);
        CHECK((s.tables[mi].cross_cols >> s903_col_index(&s.tables[mi], "MIS_START")) & 1);
        CHECK((s.tables[ep].cross_cols >> s903_col_index(&s.tables[ep], "DECOM")) & 1);
        CHECK((s.tables[ep].cross_cols >> s903_col_index(&s.tables[ep], "DEC")) & 1);
        CHECK_INT(s.tables[s903_table_index(&s, "reviews")].cross_keep, 0);
        s903_schema_free(&s);
    }
    /* a social worker rule reading prev.SW_DEC (tables.json: cross_order_by) */
    if (compiled("k_sw_prev", NULL,
                 RULE("social_worker", "SW_DECOM", "",
                      "{\"col\": \"SW_DECOM\", \"before\": \"prev.SW_DEC\"}"), W_CROSS,
                 &s) == 0) {
        const struct s903_table *t = &s.tables[s903_table_index(&s, "social_worker")];
        CHECK_INT(t->cross_order[0], s903_col_index(t, "SW_DECOM"));
        CHECK_INT(t->cross_order[1], s903_col_index(t, "SW_DEC"));
        CHECK_INT(t->cross_keep, 1);
        s903_schema_free(&s);
    }
    /* "needs" alone makes a row rule a cross rule; without it, a row rule */
    if (compiled("k_needs", NULL,
                 RULE("missing", "MIS_START", ", \"needs\": \"oc2\"",
                      "{\"present\": \"MIS_START\"}"), W_CROSS, &s) == 0) {
        CHECK_INT(rule_of(&s, "X")->needs, s903_table_index(&s, "oc2"));
        s903_schema_free(&s);
    }
    if (compiled("k_no_needs", NULL,
                 RULE("missing", "MIS_START", "", "{\"present\": \"MIS_START\"}"), W_ROW,
                 &s) == 0)
        s903_schema_free(&s);
    /* exists of the episodes (read last): a cross rule on missing and uasc,
     * an end rule on the header */
    if (compiled("k_exists_missing", NULL,
                 RULE("missing", "MIS_START", "", "{\"not\": {\"exists\": \"episodes\"}}"),
                 W_CROSS, &s) == 0)
        s903_schema_free(&s);
    if (compiled("k_exists_uasc", NULL,
                 RULE("uasc", "DUC", "", "{\"exists\": \"episodes\"}"), W_CROSS, &s) == 0)
        s903_schema_free(&s);
    if (compiled("k_exists_header", NULL,
                 RULE("header", "CHILD", "", "{\"not\": {\"exists\": \"episodes\"}}"), W_END,
                 &s) == 0)
        s903_schema_free(&s);
    /* a header rule reading a cell and asking about the episodes: refused
     * as an end rule, a cross rule with "needs" */
    refused("k_header_cells_end", NULL,
            RULE("header", "SEX", "",
                 "{\"all\": [{\"not\": {\"exists\": \"episodes\"}},"
                 " {\"col\": \"SEX\", \"in\": [\"1\"]}]}"),
            PREFIX "a header rule asking about other parts or a later header row may use "
                   "'exists' only (uasc rules may ask only 'exists': \"header\")");
    if (compiled("k_header_cells_needs", NULL,
                 RULE("header", "SEX", ", \"needs\": \"oc2\"",
                      "{\"all\": [{\"not\": {\"exists\": \"episodes\"}},"
                      " {\"col\": \"SEX\", \"in\": [\"1\"]}]}"), W_CROSS, &s) == 0)
        s903_schema_free(&s);
    /* an episodes rule counting its own episodes stays a child rule; one
     * counting missing rows is a cross rule */
    if (compiled("k_own_count", NULL,
                 RULE("episodes", "DECOM", "",
                      "{\"count\": \"episodes\", \"where\": {\"present\": \"DEC\"},"
                      " \"more_than\": 1}"), W_CHILD, &s) == 0) {
        CHECK_INT(rule_of(&s, "X")->cond.part, -1);
        s903_schema_free(&s);
    }
    if (compiled("k_ep_missing", NULL,
                 RULE("episodes", "DECOM", "",
                      "{\"none\": \"missing\", \"where\": {\"present\": \"MIS_START\"}}"),
                 W_CROSS, &s) == 0)
        s903_schema_free(&s);
    /* period_first./period_last. on episodes: a child rule */
    if (compiled("k_period", NULL,
                 RULE("episodes", "DECOM", "",
                      "{\"col\": \"DECOM\", \"same\": \"period_first.DECOM\"}"), W_CHILD,
                 &s) == 0) {
        const struct s903_table *t = &s.tables[s903_table_index(&s, "episodes")];
        CHECK_INT(t->period_col, s903_col_index(t, "DEC"));
        s903_schema_free(&s);
    }
}

/* ------------------------------------------------------------ the extract */

/* The test rules: file name and text. */
struct xrule {
    const char *file, *text;
};

#define XR(code, table, col, extra, when)                                          \
    {code ".json", "{\"code\": \"" code "\", \"table\": \"" table "\", \"column\": \"" \
                   col "\", \"message\": \"" code "\"" extra ", \"when\": " when "}\n"}

#define SW_PREV(code, label)                                                      \
    XR(code, "social_worker", "SW_ID", "",                                        \
       "{\"col\": \"prev.SW_ID\", \"matches\": \"^" label "$\"}")

static const struct xrule xrules[] = {
    /* a missing row whose MIS_START falls inside one of the child's
     * episodes (blank DEC: open) */
    XR("XOUT", "missing", "MIS_START", "",
       "{\"all\": [{\"present\": \"MIS_START\"}, {\"some\": \"episodes\", \"where\":"
       " {\"all\": [{\"col\": \"DECOM\", \"on_or_before\": \"outer.MIS_START\"},"
       " {\"any\": [{\"blank\": \"DEC\"}, {\"col\": \"outer.MIS_START\","
       " \"on_or_before\": \"DEC\"}]}]}}]}"),
    /* ... inside one of the child's periods of care */
    XR("XPM", "missing", "MIS_START", "",
       "{\"some\": \"episodes\", \"where\": {\"all\": [{\"col\": \"period_first.DECOM\","
       " \"on_or_before\": \"outer.MIS_START\"}, {\"any\": [{\"blank\": \"period_last.DEC\"},"
       " {\"col\": \"outer.MIS_START\", \"on_or_before\": \"period_last.DEC\"}]}]}}"),
    /* no social worker episode started on or before the missing row */
    XR("XNONE", "missing", "MIS_START", "",
       "{\"none\": \"social_worker\", \"where\": {\"col\": \"SW_DECOM\","
       " \"on_or_before\": \"outer.MIS_START\"}}"),
    /* the child has no episode (read after the missing rows) */
    XR("XNOEP", "missing", "MIS_START", "", "{\"not\": {\"exists\": \"episodes\"}}"),
    /* an episode of a child with no dated missing row */
    XR("XEPNM", "episodes", "DECOM", "",
       "{\"none\": \"missing\", \"where\": {\"present\": \"MIS_START\"}}"),
    /* the episode starts / ends its period of care: in the episodes' child
     * pass, and (needs: a cross rule) in the cross-part pass */
    XR("XPS", "episodes", "DECOM", "", "{\"col\": \"DECOM\", \"same\": \"period_first.DECOM\"}"),
    XR("XPE", "episodes", "DECOM", "", "{\"col\": \"DECOM\", \"same\": \"period_last.DECOM\"}"),
    XR("XPSC", "episodes", "DECOM", ", \"needs\": \"missing\"",
       "{\"col\": \"DECOM\", \"same\": \"period_first.DECOM\"}"),
    XR("XPEC", "episodes", "DECOM", ", \"needs\": \"missing\"",
       "{\"col\": \"DECOM\", \"same\": \"period_last.DECOM\"}"),
    /* social worker order: the first, the one after A, ..., the last */
    XR("XSWF", "social_worker", "SW_ID", "", "{\"blank\": \"prev.SW_ID\"}"),
    SW_PREV("XSWA", "A"), SW_PREV("XSWB", "B"), SW_PREV("XSWC", "C"),
    SW_PREV("XSWD", "D"), SW_PREV("XSWE", "E"),
    XR("XSWL", "social_worker", "SW_ID", "", "{\"blank\": \"next.SW_ID\"}"),
    /* the child's header row in the cross-part pass (header.COL) */
    XR("XHSEX", "missing", "MIS_START", "",
       "{\"all\": [{\"some\": \"episodes\", \"where\": {\"present\": \"DECOM\"}},"
       " {\"col\": \"header.SEX\", \"in\": [\"2\"]}]}"),
    /* count with a bound over another part: 1001 has six SW rows */
    XR("XCNT", "missing", "MIS_START", "",
       "{\"count\": \"social_worker\", \"where\": {\"present\": \"SW_ID\"},"
       " \"at_least\": 3}"),
    /* missing order (cross_order_by MIS_START, blank last): the child's
     * first and last */
    XR("XMF", "missing", "MIS_START", "", "{\"not\": {\"exists\": \"prev\"}}"),
    XR("XML", "missing", "MIS_START", "", "{\"not\": {\"exists\": \"next\"}}"),
    /* the episodes' prev./next. (dated ones only): in the child pass and,
     * with needs, in the cross-part pass */
    XR("XPV", "episodes", "DECOM", "",
       "{\"all\": [{\"exists\": \"prev\"}, {\"blank\": \"prev.DEC\"}]}"),
    XR("XPVC", "episodes", "DECOM", ", \"needs\": \"missing\"",
       "{\"all\": [{\"exists\": \"prev\"}, {\"blank\": \"prev.DEC\"}]}"),
    XR("XNX", "episodes", "DECOM", "",
       "{\"all\": [{\"exists\": \"next\"}, {\"present\": \"next.RNE\"}]}"),
    XR("XNXC", "episodes", "DECOM", ", \"needs\": \"missing\"",
       "{\"all\": [{\"exists\": \"next\"}, {\"present\": \"next.RNE\"}]}"),
    /* identifying columns reported by a cross rule: CHILD shows the
     * sender's id (never the pseudonym), DOB the month kept; the store
     * withholds both */
    XR("XCH", "missing", "CHILD", "", "{\"not\": {\"exists\": \"episodes\"}}"),
    XR("XDOB", "missing", "DOB", "",
       "{\"all\": [{\"present\": \"DOB\"}, {\"not\": {\"exists\": \"episodes\"}}]}"),
    /* first and last of the child's social worker rows (in their order,
     * A to F) meeting a condition: the one picked is tested, not any */
    XR("XFST", "missing", "MIS_START", "",
       "{\"first\": \"social_worker\", \"where\": {\"col\": \"SW_ID\", \"matches\":"
       " \"^[B-F]$\"}, \"holds\": {\"col\": \"SW_ID\", \"matches\": \"^B$\"}}"),
    XR("XLST", "missing", "MIS_START", "",
       "{\"last\": \"social_worker\", \"where\": {\"col\": \"SW_ID\", \"matches\":"
       " \"^[A-E]$\"}, \"holds\": {\"col\": \"SW_ID\", \"matches\": \"^E$\"}}"),
    XR("XLSTN", "missing", "MIS_START", "",
       "{\"last\": \"social_worker\", \"where\": {\"col\": \"SW_ID\", \"matches\":"
       " \"^[A-E]$\"}, \"holds\": {\"col\": \"SW_ID\", \"matches\": \"^D$\"}}"),
    /* a header rule over the child's missing rows: 4004 has none */
    XR("XHM", "header", "SEX", "",
       "{\"none\": \"missing\", \"where\": {\"present\": \"MIS_START\"}}"),
    /* a uasc row of a child with no episode (uasc is read before them) */
    XR("XUE", "uasc", "SEX", "", "{\"not\": {\"exists\": \"episodes\"}}"),
    /* needs oc2 on the child's part */
    XR("XHN", "header", "SEX", ", \"needs\": \"oc2\"", "{\"present\": \"SEX\"}"),
    /* needs oc2: a row rule otherwise, and a none over oc2 */
    XR("XNEED", "missing", "MIS_START", ", \"needs\": \"oc2\"", "{\"present\": \"MIS_START\"}"),
    XR("XNEEDC", "missing", "MIS_START", ", \"needs\": \"oc2\"",
       "{\"all\": [{\"present\": \"MIS_START\"}, {\"none\": \"oc2\", \"where\":"
       " {\"present\": \"CONVICTED\"}}]}"),
};
#define NXRULES (sizeof xrules / sizeof *xrules)

#define EPT ",N1 9GU,N7 6QR,SC123456\n"
#define MISSING_COLS "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
#define SW_COLS "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
#define OC2_COLS                                                                   \
    "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK," \
    "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n"

static const char HEADER_ROWS[] =
    "1001,1,15/06/2010,WBRI,A123456789012,,\n"
    "2002,2,15/06/2011,WBRI,UN2,,\n"
    "3003,1,15/06/2012,WBRI,UN1,,\n"
    "4004,2,15/06/2013,WBRI,UN1,,\n";

/* Rows in child order; line = index + 2.  1001's episodes make two periods
 * of care: 2-4 (3's blank DEC continues it past the gap to 4's DECOM),
 * then 5-6 (5 starts after 4's DEC; 6 starts on 5's DEC).  2002's: two
 * periods, 7 and 8. */
static const char *const EPISODES[] = {
    "1001,01/04/2023,S,C2,N1,U1,PR1,01/06/2023,X1," EPT,     /* 2 */
    "1001,01/06/2023,P,C2,N1,U1,PR1,,," EPT,                 /* 3 */
    "1001,01/09/2023,P,C2,N1,U1,PR1,01/10/2023,E11," EPT,    /* 4 */
    "1001,01/12/2023,S,C2,N1,U1,PR1,01/02/2024,X1," EPT,     /* 5 */
    "1001,01/02/2024,P,C2,N1,U1,PR1,,," EPT,                 /* 6 */
    "2002,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,E11," EPT,    /* 7 */
    "2002,01/09/2023,S,C2,N1,U1,PR1,,," EPT,                 /* 8 */
    "4004,01/05/2023,S,C2,N1,U1,PR1,,," EPT,                 /* 9 */
    "4004,99/99/2023,S,C2,N1,U1,PR1,,," EPT,                 /* 10: undated */
    ",01/05/2023,S,C2,N1,U1,PR1,,," EPT,                     /* 11: no CHILD */
};
#define NEPISODES 10

static const char *const MISSING[] = {
    "1001,,M,15/08/2023,16/08/2023\n",   /* 2: in 1001's first period, in 3 (open) */
    "1001,,M,15/10/2023,16/10/2023\n",   /* 3: between the periods; in 3 (open) */
    "1001,,M,10/03/2024,\n",             /* 4: in the second period (open) */
    "1001,,M,01/03/2023,02/03/2023\n",   /* 5: before every episode */
    "2002,,A,10/06/2023,11/06/2023\n",   /* 6: in 7 */
    "2002,,A,10/08/2023,11/08/2023\n",   /* 7: between 7 and 8 */
    "2002,,A,01/07/2023,02/07/2023\n",   /* 8: on 7's DEC */
    "2002,,A,10/04/2023,\n",             /* 9: before 7 */
    "2002,,A,20/09/2023,\n",             /* 10: in 8 (open) */
    "3003,,M,,\n",                       /* 11: a child with no episode; blank */
    "3003,15/06/2012,M,01/06/2023,\n",   /* 12: before 11 in MIS_START order */
    ",,M,01/06/2023,\n",                 /* 13: no CHILD */
};
#define NMISSING 12

/* 1001's rows in the order A-F: SW_DECOM then SW_DEC, blanks last; the
 * file gives them F, D, B, E, C, A (ties on SW_DECOM where line order
 * and SW_DEC order disagree). */
static const char *const SOCIAL_WORKER[] = {
    "1001,,F,,,\n",                      /* 2 */
    "1001,,D,01/10/2023,,\n",            /* 3 */
    "1001,,B,01/05/2023,01/09/2023,\n",  /* 4 */
    "1001,,E,,01/11/2023,\n",            /* 5 */
    "1001,,C,01/10/2023,01/12/2023,\n",  /* 6 */
    "1001,,A,01/05/2023,01/08/2023,\n",  /* 7 */
    "2002,,Z,01/06/2023,,\n",            /* 8 */
    ",,Q,01/06/2023,,\n",                /* 9: no CHILD */
};
#define NSW 8

/* The extract's rows of one part in file order: perm[j] is the index (in
 * the arrays above) of file row j; NULL: the arrays' order. */
struct part_file {
    const char *const *rows;
    size_t n;
    const size_t *perm;
};

static char *join_rows(const struct part_file *p)
{
    liia_buf b;
    liia_buf_init(&b);
    for (size_t j = 0; j < p->n; j++) {
        const char *row = p->rows[p->perm ? p->perm[j] : j];
        if (liia_buf_append(&b, row, strlen(row)))
            break;
    }
    if (liia_buf_append(&b, "", 1)) {
        liia_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* Maps a file line of a part back to its line in the arrays' order. */
static long canonical_line(const struct part_file *p, long line)
{
    if (!p->perm || line < 2 || (size_t)(line - 2) >= p->n)
        return line;
    return (long)p->perm[line - 2] + 2;
}

/* One ingest of the extract. */
struct run {
    struct t903 t;
    liia_ingest_result r;
    struct part_file ep, mi, sw;
    int ok;
};

/* A part's file: absent, its header row only, or with rows. */
enum given { FILE_ABSENT, FILE_HEADER_ONLY, FILE_ROWS };

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static const struct part_file *part_of(const struct run *x, const char *table)
{
    return !strcmp(table, "episodes") ? &x->ep : !strcmp(table, "missing") ? &x->mi
         : !strcmp(table, "social_worker") ? &x->sw : NULL;
}

/* The lines (in the arrays' order) of rule's findings on table, ascending,
 * comma-separated ("" when none). */
static const char *lines_of(const struct run *x, const char *rule, const char *table)
{
    static char out[4][256];
    static int next;
    char *s = out[next++ % 4];
    long lines[64];
    size_t n = 0;
    const struct part_file *p = part_of(x, table);
    for (size_t i = 0; i < x->r.findings.count && n < 64; i++) {
        const liia_error *f = &x->r.findings.items[i];
        if (!strcmp(f->rule_id, rule) && !strcmp(f->table, table))
            lines[n++] = p ? canonical_line(p, f->line) : f->line;
    }
    qsort(lines, n, sizeof *lines, cmp_long);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(s);
        snprintf(s + len, 256 - len, "%s%ld", i ? "," : "", lines[i]);
    }
    return s;
}

/* Findings of rule on any table. */
static long count_rule(const struct run *x, const char *rule)
{
    long n = 0;
    for (size_t i = 0; i < x->r.findings.count; i++)
        n += !strcmp(x->r.findings.items[i].rule_id, rule);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A comma list sorted ("B,A" -> "A,B") into out. */
static void sort_list(const char *list, char *out, size_t size)
{
    char buf[512];
    char *items[64];
    size_t n = 0;
    liia_strlcpy(buf, list, sizeof buf);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && n < 64;
         tok = strtok_r(NULL, ",", &save))
        items[n++] = tok;
    qsort(items, n, sizeof *items, cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", i ? "," : "", items[i]);
    }
}

/* The stored row's flags at line of store, sorted (static). */
static const char *stored_flags(struct run *x, const char *store, long line)
{
    static char got[512];
    char raw[512] = "", sql[256];
    sqlite3_snprintf(sizeof sql, sql, "SELECT coalesce(flags, '') FROM \"%w\" WHERE line = ?1",
                     store);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(x->t.db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, line);
        if (sqlite3_step(st) == SQLITE_ROW)
            liia_strlcpy(raw, (const char *)sqlite3_column_text(st, 0), sizeof raw);
    }
    sqlite3_finalize(st);
    sort_list(raw, got, sizeof got);
    return got;
}

/* Every stored row of the part carries the codes of the findings on its
 * line, no more, no fewer. */
static void check_stored_flags(struct run *x, const char *table, const char *store)
{
    const struct part_file *p = part_of(x, table);
    for (size_t j = 0; j < p->n; j++) {
        long line = (long)j + 2;
        char want[512] = "", got[512] = "", raw[512] = "";
        for (size_t i = 0; i < x->r.findings.count; i++) {
            const liia_error *f = &x->r.findings.items[i];
            if (f->line == line && !strcmp(f->table, table) && f->rule_id[0]) {
                size_t len = strlen(raw);
                snprintf(raw + len, sizeof raw - len, "%s%s", len ? "," : "", f->rule_id);
            }
        }
        sort_list(raw, want, sizeof want);
        liia_strlcpy(got, stored_flags(x, store, line), sizeof got);
        if (strcmp(got, want))
            fprintf(stderr, "  %s line %ld (file line): stored flags \"%s\", findings \"%s\"\n",
                    table, line, got, want);
        CHECK_STR(got, want);
    }
}

/* Ingests the extract (its parts' rows in the given orders) into a fresh
 * store; x->ok when accepted. */
/* When set, child 3003 is sent under this id instead: longer than the
 * pseudonyms' memory keeps, so its findings' ids are read from the files
 * again (ssda903_findings.c) rather than recalled. */
static const char *long_child;

/* text with every 3003 (only ever the child) as long_child; owned. */
static char *child_ids(const char *text)
{
    liia_buf b;
    liia_buf_init(&b);
    const char *s = text, *hit;
    int bad = 0;
    while (long_child && (hit = strstr(s, "3003")) != NULL) {
        bad |= liia_buf_append(&b, s, (size_t)(hit - s)) ||
               liia_buf_append(&b, long_child, strlen(long_child));
        s = hit + 4;
    }
    if (bad || liia_buf_append(&b, s, strlen(s) + 1)) {
        liia_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static void run_extract(struct run *x, const char *name, const char *schema,
                        const size_t *ep_perm, const size_t *mi_perm, const size_t *sw_perm,
                        enum given oc2, enum given missing, int validate)
{
    memset(x, 0, sizeof *x);
    liia_ingest_result_init(&x->r);
    x->ep = (struct part_file){EPISODES, NEPISODES, ep_perm};
    x->mi = (struct part_file){MISSING, NMISSING, mi_perm};
    x->sw = (struct part_file){SOCIAL_WORKER, NSW, sw_perm};
    if (t903_open(&x->t, name))
        return;
    char *ep = join_rows(&x->ep), *mi = join_rows(&x->mi), *sw = join_rows(&x->sw);
    static const char *const kinds[] = {"header", "episodes", "missing", "sw", "oc2"};
    const char *cols[] = {T903_HEADER_COLS, T903_EPISODE_COLS, MISSING_COLS, SW_COLS,
                          OC2_COLS};
    const char *rows[] = {HEADER_ROWS, ep ? ep : "", mi && missing == FILE_ROWS ? mi : "",
                          sw ? sw : "",
                          oc2 == FILE_ROWS ? "1001,,,,1,,,,,,,\n2002,,,,,,,,,,,\n" : ""};
    /* t903_file's paths rotate over four buffers: each is copied */
    char paths[5][512];
    const char *files[5];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++) {
        if ((i == 2 && missing == FILE_ABSENT) || (i == 4 && oc2 == FILE_ABSENT))
            continue;
        char fn[128];
        snprintf(fn, sizeof fn, "%s_%s.csv", name, kinds[i]);
        char *text = child_ids(rows[i]);
        const char *path = text ? t903_file(fn, cols[i], text) : NULL;
        free(text);
        CHECK(path != NULL);
        liia_strlcpy(paths[n], path ? path : "", sizeof paths[n]);
        files[n] = paths[n];
        n++;
    }
    free(ep);
    free(mi);
    free(sw);
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = x->t.key_path,
                             .schema_dir = schema, .validate_only = validate};
    liia_error e;
    int rc = t903_submit(x->t.db, &o, files, n, &x->r, &e);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  (%s: %s)\n", name, e.message);
        return;
    }
    x->ok = 1;
}

static void run_free(struct run *x)
{
    liia_ingest_result_free(&x->r);
    if (x->t.db)
        t903_close(&x->t);
}

static int eval_schema(char dir[600])
{
    if (schema_dir("cross_eval", NULL, dir))
        return -1;
    for (size_t i = 0; i < NXRULES; i++)
        if (add_rule(dir, xrules[i].file, xrules[i].text))
            return -1;
    return 0;
}

/* What the extract flags, in the arrays' line numbers, whatever order the
 * rows came in. */
static void check_expected(struct run *x)
{
    /* outer.: a missing row inside one of the child's episodes (1001's
     * episode 3 has no DEC: open), not outside; 3003 has no episode */
    CHECK_STR(lines_of(x, "XOUT", "missing"), "2,3,4,6,8,10");
    /* periods of care, read in an aggregate: 3 lies between 1001's two */
    CHECK_STR(lines_of(x, "XPM", "missing"), "2,4,6,8,10");
    /* none over social_worker with outer.: 1001's SW episodes with a blank
     * SW_DECOM start nothing; 3003 has none */
    CHECK_STR(lines_of(x, "XNONE", "missing"), "5,9,11,12");
    /* exists of the episodes from a missing rule */
    CHECK_STR(lines_of(x, "XNOEP", "missing"), "11,12");
    /* none over missing from an episodes rule: 4004's episodes (the
     * undated one too); not line 11 (no CHILD) */
    CHECK_STR(lines_of(x, "XEPNM", "episodes"), "9,10");
    /* periods: a blank DEC continues one, a DECOM after the DEC starts one */
    CHECK_STR(lines_of(x, "XPS", "episodes"), "2,5,7,8,9");
    CHECK_STR(lines_of(x, "XPE", "episodes"), "4,6,7,8,9");
    CHECK_STR(lines_of(x, "XPSC", "episodes"), "2,5,7,8,9");
    CHECK_STR(lines_of(x, "XPEC", "episodes"), "4,6,7,8,9");
    /* social worker order A(7) B(4) C(6) D(3) E(5) F(2); 2002: Z(8) */
    CHECK_STR(lines_of(x, "XSWF", "social_worker"), "7,8");
    CHECK_STR(lines_of(x, "XSWA", "social_worker"), "4");
    CHECK_STR(lines_of(x, "XSWB", "social_worker"), "6");
    CHECK_STR(lines_of(x, "XSWC", "social_worker"), "3");
    CHECK_STR(lines_of(x, "XSWD", "social_worker"), "5");
    CHECK_STR(lines_of(x, "XSWE", "social_worker"), "2");
    CHECK_STR(lines_of(x, "XSWL", "social_worker"), "2,8");
    /* first/last: 1001's social workers A-F (its missing rows 2-5) */
    CHECK_STR(lines_of(x, "XFST", "missing"), "2,3,4,5");
    CHECK_STR(lines_of(x, "XLST", "missing"), "2,3,4,5");
    CHECK_STR(lines_of(x, "XLSTN", "missing"), "");
    /* a header rule counting missing rows: 4004 (header line 5) */
    CHECK_STR(lines_of(x, "XHM", "header"), "5");
    /* header.SEX read in the cross pass: 2002 (SEX 2) */
    CHECK_STR(lines_of(x, "XHSEX", "missing"), "6,7,8,9,10");
    CHECK_STR(lines_of(x, "XCNT", "missing"), "2,3,4,5");
    /* missing by MIS_START, blank last: 1001 5 2 3 4, 2002 9 6 8 7 10,
     * 3003 12 11 */
    CHECK_STR(lines_of(x, "XMF", "missing"), "5,9,12");
    CHECK_STR(lines_of(x, "XML", "missing"), "4,10,11");
    /* the episodes' neighbours, the same in both passes: 4's previous (3)
     * has no DEC; 4004's undated 10 is no next of 9 */
    CHECK_STR(lines_of(x, "XPV", "episodes"), "4");
    CHECK_STR(lines_of(x, "XPVC", "episodes"), "4");
    CHECK_STR(lines_of(x, "XNX", "episodes"), "2,3,4,5,7");
    CHECK_STR(lines_of(x, "XNXC", "episodes"), "2,3,4,5,7");
    /* each X rule reports on its own table only */
    static const char *const codes[] = {"XOUT", "XPM", "XNONE", "XNOEP", "XEPNM", "XPS",
                                        "XPE", "XPSC", "XPEC", "XSWF", "XSWA", "XSWB",
                                        "XSWC", "XSWD", "XSWE", "XSWL", "XHSEX", "XCNT",
                                        "XMF", "XML", "XPV", "XPVC", "XNX", "XNXC", "XCH", "XDOB",
                                        "XHM"};
    static const long counts[] = {6, 5, 4, 2, 2, 5, 5, 5, 5, 2, 1, 1, 1, 1, 1, 2, 5, 4,
                                  3, 3, 1, 1, 5, 5, 2, 1, 1};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        CHECK_INT(count_rule(x, codes[i]), counts[i]);
    /* every X finding names its row's child (the sender's CHILD), the
     * reported column and the stored value of its cell */
    for (size_t i = 0; i < x->r.findings.count; i++) {
        const liia_error *f = &x->r.findings.items[i];
        const struct part_file *p = part_of(x, f->table);
        if (f->rule_id[0] != 'X' || !p)
            continue;
        long line = canonical_line(p, f->line);
        CHECK(line >= 2 && (size_t)(line - 2) < p->n);
        if (line < 2 || (size_t)(line - 2) >= p->n)
            continue;
        const char *row = p->rows[line - 2];
        char child[64];
        size_t n = strcspn(row, ",");
        snprintf(child, sizeof child, "%.*s", (int)n, row);
        CHECK_STR(f->child_id, long_child && !strcmp(child, "3003") ? long_child : child);
    }
    CHECK_STR(lines_of(x, "XCH", "missing"), "11,12");
    CHECK_STR(lines_of(x, "XDOB", "missing"), "12");
    for (size_t i = 0; i < x->r.findings.count; i++) {
        const liia_error *g = &x->r.findings.items[i];
        if (!strcmp(g->rule_id, "XCH")) {
            CHECK_STR(g->value, long_child ? long_child : "3003");   /* never the pseudonym */
            CHECK_STR(g->column_name, "CHILD");
        }
        if (!strcmp(g->rule_id, "XDOB"))   /* the day never reaches the pass */
            CHECK_STR(g->value, "2012-06-01");
    }
    const liia_error *f = NULL;
    for (size_t i = 0; i < x->r.findings.count && !f; i++)
        if (!strcmp(x->r.findings.items[i].rule_id, "XOUT") &&
            canonical_line(&x->mi, x->r.findings.items[i].line) == 2)
            f = &x->r.findings.items[i];
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->column, 4);
        CHECK_STR(f->column_name, "MIS_START");
        CHECK_STR(f->value, "2023-08-15");
        CHECK(strstr(f->file, "_missing.csv") != NULL);
        CHECK_STR(f->message, "XOUT");
    }
    /* the rows with no CHILD were read (their CHILD check) */
    CHECK_STR(lines_of(x, "LIIA-903-CHILD", "missing"), "13");
    CHECK_STR(lines_of(x, "LIIA-903-CHILD", "episodes"), "11");
    CHECK_STR(lines_of(x, "141", "episodes"), "10");
    CHECK_STR(lines_of(x, "LIIA-903-CHILD", "social_worker"), "9");
}

/* Stored flags of every row of the three parts, as the findings say. */
static void check_flags(struct run *x)
{
    check_stored_flags(x, "episodes", "cla_episode");
    check_stored_flags(x, "missing", "cla_missing");
    check_stored_flags(x, "social_worker", "cla_social_worker");
}

static void test_eval_ordered(const char *schema)
{
    struct run x;
    run_extract(&x, "x_ordered", schema, NULL, NULL, NULL, FILE_ABSENT, FILE_ROWS, 0);
    if (x.ok) {
        check_expected(&x);
        check_flags(&x);
        /* needs oc2, no oc2 file: silent */
        CHECK_STR(lines_of(&x, "XNEED", "missing"), "");
        CHECK_STR(lines_of(&x, "XNEEDC", "missing"), "");
        /* a row's flags spelt out: 1001's F (line 2) is E's successor and
         * the last; A (7) the first only */
        CHECK_INT(t903_count(x.t.db, "SELECT COUNT(*) FROM cla_social_worker WHERE line = 7 "
                                     "AND flags = 'XSWF'"), 1);
        CHECK_STR(stored_flags(&x, "cla_missing", 5), "XCNT,XFST,XLST,XMF,XNONE");
        CHECK_STR(stored_flags(&x, "cla_missing", 12), "XCH,XDOB,XMF,XNOEP,XNONE");
        CHECK_STR(stored_flags(&x, "cla_child", 5), "XHM");
        CHECK_STR(stored_flags(&x, "cla_child", 4), "");
        CHECK_STR(lines_of(&x, "XHN", "header"), "");
        /* the stored findings withhold identifying values */
        CHECK_INT(t903_count(x.t.db, "SELECT COUNT(*) FROM finding WHERE rule_id IN ('XCH', "
                                     "'XDOB') AND value = '(withheld)'"), 3);
        CHECK_INT(t903_count(x.t.db, "SELECT COUNT(*) FROM finding WHERE rule_id IN ('XCH', "
                                     "'XDOB')"), 3);
        CHECK_INT(t903_count(x.t.db, "SELECT COUNT(*) FROM finding WHERE rule_id = 'XOUT' "
                                     "AND tbl = 'missing' AND line = 2 AND col = 4 AND "
                                     "value = '2023-08-15'"), 1);
        CHECK_INT(t903_count(x.t.db, "SELECT COUNT(*) FROM cla_missing WHERE line = 13 AND "
                                     "flags LIKE '%X%'"), 0);
        CHECK_INT(t903_count(x.t.db, "SELECT COUNT(*) FROM cla_episode WHERE line = 11 AND "
                                     "flags LIKE '%X%'"), 0);
    }
    run_free(&x);
}

/* The missing rows interleaved (2002, 1001, the blank CHILD, 3003, 2002,
 * 1001, ...; 3003's blank MIS_START after its dated row): read back
 * through the index sorted by child. */
static const size_t MI_SHUFFLED[NMISSING] = {4, 0, 11, 10, 5, 1, 6, 2, 7, 3, 9, 8};
/* The social worker rows with 2002's between 1001's (and the blank CHILD
 * first). */
static const size_t SW_SHUFFLED[NSW] = {7, 0, 1, 2, 6, 3, 4, 5};
/* The episodes not grouped by child: 2002, 1001, 1001, the blank CHILD,
 * 4004, 1001, 1001, 2002, 1001, 4004. */
static const size_t EP_SHUFFLED[NEPISODES] = {6, 3, 1, 9, 7, 0, 4, 5, 2, 8};

static void test_eval_shuffled(const char *schema)
{
    struct run x;
    run_extract(&x, "x_mi_shuffled", schema, NULL, MI_SHUFFLED, NULL, FILE_ABSENT, FILE_ROWS, 0);
    if (x.ok) {
        check_expected(&x);
        check_flags(&x);
    }
    run_free(&x);
    run_extract(&x, "x_sw_shuffled", schema, NULL, NULL, SW_SHUFFLED, FILE_ABSENT, FILE_ROWS, 0);
    if (x.ok) {
        check_expected(&x);
        check_flags(&x);
    }
    run_free(&x);
    run_extract(&x, "x_ep_shuffled", schema, EP_SHUFFLED, NULL, NULL, FILE_ABSENT, FILE_ROWS, 0);
    if (x.ok) {
        check_expected(&x);
        check_flags(&x);
    }
    run_free(&x);
    run_extract(&x, "x_all_shuffled", schema, EP_SHUFFLED, MI_SHUFFLED, SW_SHUFFLED,
                FILE_ROWS, FILE_ROWS, 0);
    if (x.ok) {
        check_expected(&x);
        check_flags(&x);
        CHECK_STR(lines_of(&x, "XNEED", "missing"), "2,3,4,5,6,7,8,9,10,12");
        CHECK_STR(lines_of(&x, "XNEEDC", "missing"), "6,7,8,9,10,12");
        CHECK_STR(lines_of(&x, "XHN", "header"), "2,3,4,5");
    }
    run_free(&x);
}

/* needs oc2: the file absent (test_eval_ordered), header row only (the
 * rules run: no child has an oc2 row), with rows (1001 has a CONVICTED). */
static void test_eval_needs(const char *schema)
{
    struct run x;
    run_extract(&x, "x_oc2_empty", schema, NULL, NULL, NULL, FILE_HEADER_ONLY, FILE_ROWS, 0);
    if (x.ok) {
        CHECK_STR(lines_of(&x, "XNEED", "missing"), "2,3,4,5,6,7,8,9,10,12");
        CHECK_STR(lines_of(&x, "XNEEDC", "missing"), "2,3,4,5,6,7,8,9,10,12");
        CHECK_STR(lines_of(&x, "XHN", "header"), "2,3,4,5");
        CHECK_STR(stored_flags(&x, "cla_child", 5), "XHM,XHN");
        check_expected(&x);
        check_flags(&x);
    }
    run_free(&x);
    run_extract(&x, "x_oc2_rows", schema, NULL, NULL, NULL, FILE_ROWS, FILE_ROWS, 0);
    if (x.ok) {
        CHECK_STR(lines_of(&x, "XNEED", "missing"), "2,3,4,5,6,7,8,9,10,12");
        CHECK_STR(lines_of(&x, "XNEEDC", "missing"), "6,7,8,9,10,12");
        CHECK_STR(lines_of(&x, "XHN", "header"), "2,3,4,5");
        check_expected(&x);
        check_flags(&x);
    }
    run_free(&x);
}

/* validate stores nothing: the same findings. */
/* A child whose id is longer than the pseudonyms' memory keeps: its
 * cross-part findings still name it (read from the files again), as the
 * other children's are (recalled from the memory). */
static void test_eval_long_child(const char *schema)
{
    struct run x;
    long_child = "3003-A-CHILD-ID-LONGER-THAN-THIRTY-TWO-BYTES";
    run_extract(&x, "x_long", schema, EP_SHUFFLED, MI_SHUFFLED, NULL, FILE_ABSENT,
                FILE_ROWS, 0);
    if (x.ok) {
        check_expected(&x);
        CHECK(count_rule(&x, "XCH") > 0);
    }
    run_free(&x);
    long_child = NULL;
}

static void test_eval_validate(const char *schema)
{
    struct run x;
    run_extract(&x, "x_validate", schema, EP_SHUFFLED, MI_SHUFFLED, NULL, FILE_ABSENT,
                FILE_ROWS, 1);
    if (x.ok) {
        check_expected(&x);
        /* no row stored (-1: the part's table was never created) */
        CHECK(t903_count(x.t.db, "SELECT COUNT(*) FROM cla_missing") <= 0);
        CHECK_INT(t903_count(x.t.db, "SELECT COUNT(*) FROM finding"), 0);
    }
    run_free(&x);
}

/* A child with missing and uasc rows only (no header row, no episode), a
 * child with two header rows, and missing rows whose CHILD is spaces or
 * "". */
static void test_eval_orphan(const char *schema)
{
    struct t903 t;
    if (t903_open(&t, "x_orphan"))
        return;
    char paths[4][512];
    const char *files[4];
    const char *p[4] = {
        t903_file("orphan_uasc.csv", T903_UASC_COLS,
                  "1001,1,15/06/2010,\n5005,2,15/06/2011,\n6006,2,15/06/2011,\n"),
        t903_file("orphan_header.csv", T903_HEADER_COLS,
                  "1001,1,15/06/2010,WBRI,A123456789012,,\n"
                  "1001,1,15/06/2010,WBRI,A123456789012,,\n"
                  "6006,2,15/06/2011,WBRI,UN2,,\n"),
        t903_file("orphan_episodes.csv", T903_EPISODE_COLS,
                  "1001,01/05/2023,S,C2,N1,U1,PR1,,," EPT
                  "6006,01/05/2023,S,C2,N1,U1,PR1,,," EPT),
        t903_file("orphan_missing.csv", MISSING_COLS,
                  "5005,,M,01/06/2023,\n6006,,M,01/06/2023,\n"
                  "  ,,M,01/06/2023,\n\"\",,M,01/06/2023,\n")};
    for (size_t i = 0; i < 4; i++) {
        CHECK(p[i] != NULL);
        liia_strlcpy(paths[i], p[i] ? p[i] : "", sizeof paths[i]);
        files[i] = paths[i];
    }
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = t.key_path,
                             .schema_dir = schema};
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_submit(t.db, &o, files, 4, &r, &e), 0);
    struct run x;   /* for lines_of: no part reordered */
    memset(&x, 0, sizeof x);
    x.r = r;
    /* both copies of 1001's header row; 6006 has a missing row */
    CHECK_STR(lines_of(&x, "XHM", "header"), "2,3");
    CHECK_STR(lines_of(&x, "XNOEP", "missing"), "2");
    CHECK_STR(lines_of(&x, "XCH", "missing"), "2");
    CHECK_STR(lines_of(&x, "XOUT", "missing"), "3");
    CHECK_STR(lines_of(&x, "XHSEX", "missing"), "3");
    CHECK_STR(lines_of(&x, "XNONE", "missing"), "2,3");   /* no social worker file */
    /* a CHILD of spaces and a quoted empty one: blank, never a child */
    CHECK_STR(lines_of(&x, "LIIA-903-CHILD", "missing"), "4,5");
    CHECK_STR(lines_of(&x, "XMF", "missing"), "2,3");
    CHECK_STR(lines_of(&x, "XEPNM", "episodes"), "2");
    CHECK_STR(lines_of(&x, "XUE", "uasc"), "3");
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_uasc WHERE line = 3 AND "
                               "flags = 'XUE'"), 1);
    const liia_error *f = t903_finding(&r, "XCH");
    CHECK(f != NULL);
    if (f)
        CHECK_STR(f->value, "5005");
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_child WHERE flags = 'XHM'"), 2);
    liia_ingest_result_free(&r);
    t903_close(&t);
}

/* The episodes rules that need the missing file: silent without it, run
 * with its header row only (then no child has a missing row). */
static void test_eval_needs_missing(const char *schema)
{
    struct run x;
    run_extract(&x, "x_no_missing", schema, NULL, NULL, NULL, FILE_ABSENT, FILE_ABSENT, 0);
    if (x.ok) {
        CHECK_STR(lines_of(&x, "XPS", "episodes"), "2,5,7,8,9");
        CHECK_STR(lines_of(&x, "XPSC", "episodes"), "");
        CHECK_STR(lines_of(&x, "XPEC", "episodes"), "");
        CHECK_STR(lines_of(&x, "XPVC", "episodes"), "");
        CHECK_STR(lines_of(&x, "XNXC", "episodes"), "");
        CHECK_STR(lines_of(&x, "XEPNM", "episodes"), "2,3,4,5,6,7,8,9,10");
        CHECK_STR(lines_of(&x, "XSWF", "social_worker"), "7,8");
        CHECK_STR(lines_of(&x, "XSWL", "social_worker"), "2,8");
        check_stored_flags(&x, "episodes", "cla_episode");
        check_stored_flags(&x, "social_worker", "cla_social_worker");
    }
    run_free(&x);
    run_extract(&x, "x_missing_empty", schema, NULL, NULL, NULL, FILE_ABSENT, FILE_HEADER_ONLY, 0);
    if (x.ok) {
        CHECK_STR(lines_of(&x, "XPSC", "episodes"), "2,5,7,8,9");
        CHECK_STR(lines_of(&x, "XPEC", "episodes"), "4,6,7,8,9");
        CHECK_STR(lines_of(&x, "XPVC", "episodes"), "4");
        CHECK_STR(lines_of(&x, "XNXC", "episodes"), "2,3,4,5,7");
        CHECK_STR(lines_of(&x, "XEPNM", "episodes"), "2,3,4,5,6,7,8,9,10");
        check_stored_flags(&x, "episodes", "cla_episode");
    }
    run_free(&x);
}

/* Every stored row's flags of a part, by line (lines 2..n+1), sorted;
 * -1 when a row is not there. */
static int all_flags(sqlite3 *db, const char *store, char (*flags)[64], size_t n)
{
    char sql[128];
    sqlite3_snprintf(sizeof sql, sql, "SELECT line, coalesce(flags, '') FROM \"%w\"", store);
    sqlite3_stmt *st = NULL;
    size_t seen = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long line = (long)sqlite3_column_int64(st, 0);
        if (line < 2 || (size_t)(line - 2) >= n)
            continue;
        sort_list((const char *)sqlite3_column_text(st, 1), flags[line - 2], 64);
        seen++;
    }
    sqlite3_finalize(st);
    return seen == n ? 0 : -1;
}

/* A strict submission of one child whose missing row is (inside) or is
 * not in its episode, with XOUT as an error or a warning: the lifecycle
 * counts the cross rules' findings. */
static void strict_case(const char *name, const char *severity, int inside, int rejected)
{
    char dir[600], rule[1024];
    snprintf(rule, sizeof rule,
             "{\"code\": \"XOUT\", \"table\": \"missing\", \"column\": \"MIS_START\","
             " \"message\": \"XOUT\", \"severity\": \"%s\", \"when\": {\"some\":"
             " \"episodes\", \"where\": {\"col\": \"DECOM\", \"on_or_before\":"
             " \"outer.MIS_START\"}}}\n", severity);
    CHECK_INT(schema_dir(name, NULL, dir), 0);
    CHECK_INT(add_rule(dir, "XOUT.json", rule), 0);
    struct t903 t;
    if (t903_open(&t, name)) {
        CHECK(0);
        return;
    }
    char paths[3][512], fn[3][64];
    const char *files[3];
    snprintf(fn[0], sizeof fn[0], "%s_header.csv", name);
    snprintf(fn[1], sizeof fn[1], "%s_episodes.csv", name);
    snprintf(fn[2], sizeof fn[2], "%s_missing.csv", name);
    const char *p[3] = {
        t903_file(fn[0], T903_HEADER_COLS, "1001,1,15/06/2010,WBRI,A123456789012,,\n"),
        t903_file(fn[1], T903_EPISODE_COLS, "1001,01/05/2023,S,C2,N1,U1,PR1,,," EPT),
        t903_file(fn[2], MISSING_COLS, inside ? "1001,,M,01/06/2023,\n"
                                              : "1001,,M,01/04/2023,02/04/2023\n")};
    for (size_t i = 0; i < 3; i++) {
        CHECK(p[i] != NULL);
        liia_strlcpy(paths[i], p[i] ? p[i] : "", sizeof paths[i]);
        files[i] = paths[i];
    }
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = t.key_path,
                             .schema_dir = dir, .strict = 1};
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_submit(t.db, &o, files, 3, &r, &e), rejected ? -1 : 0);
    CHECK_INT(r.outcome == LIIA_INGEST_REJECTED, rejected);
    CHECK_INT(r.findings.count, inside);
    CHECK_INT(t903_finding_line(&r, "XOUT"), inside ? 2 : 0);
    const liia_error *f = t903_finding(&r, "XOUT");
    if (f)
        CHECK_INT(f->severity, strcmp(severity, "warning") ? LIIA_SEV_ERROR : LIIA_SEV_WARNING);
    /* a rejected submission stores no row */
    CHECK(rejected ? t903_count(t.db, "SELECT COUNT(*) FROM cla_missing") <= 0
                   : t903_count(t.db, "SELECT COUNT(*) FROM cla_missing") == 1);
    liia_ingest_result_free(&r);
    t903_close(&t);
}

static void test_eval_strict(void)
{
    strict_case("x_strict_error", "error", 1, 1);
    strict_case("x_strict_clean", "error", 0, 0);
    strict_case("x_strict_warning", "warning", 1, 0);
}

#define MANY 20000   /* more than SPLIT_MIN_KIDS: the pass reads two halves side by side */

/* One of test_eval_many's ingests (v 1: reversed): the missing rows'
 * flags by line into flags. */
static void many_run(const char *schema, int v, const char *hdr, const char *ep,
                     const char *mi, char (*flags)[64])
{
    struct t903 t;
    char name[32], paths[3][512];
    const char *files[3];
    snprintf(name, sizeof name, "x_many%d", v);
    if (t903_open(&t, name)) {
        CHECK(0);
        return;
    }
    static const char *const kinds[] = {"header", "episodes", "missing"};
    const char *cols[] = {T903_HEADER_COLS, T903_EPISODE_COLS, MISSING_COLS};
    const char *rows[] = {hdr, ep, mi};
    for (size_t i = 0; i < 3; i++) {
        char fn[64];
        snprintf(fn, sizeof fn, "%s_%s.csv", name, kinds[i]);
        const char *p = t903_file(fn, cols[i], rows[i]);
        CHECK(p != NULL);
        liia_strlcpy(paths[i], p ? p : "", sizeof paths[i]);
        files[i] = paths[i];
    }
    liia_ingest_options o = {.la = "CAM", .period = "2024-03-31", .key_path = t.key_path,
                             .schema_dir = schema};
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_submit(t.db, &o, files, 3, &r, &e), 0);
    liia_ingest_result_free(&r);
    CHECK_INT(all_flags(t.db, "cla_missing", flags, 2 * MANY), 0);
    /* XOUT on every row inside its child's episode, no other */
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_missing WHERE "
                               "','||flags||',' LIKE '%,XOUT,%'"), MANY);
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_missing WHERE "
                               "','||flags||',' LIKE '%,XOUT,%' AND mis_start = "
                               "'2023-06-01'"), MANY);
    /* XHSEX on both rows of each SEX 2 child */
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_missing WHERE "
                               "','||flags||',' LIKE '%,XHSEX,%'"), MANY);
    /* XMF on the earlier row, XML on the later, whatever the file order */
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_missing WHERE "
                               "','||flags||',' LIKE '%,XMF,%' AND mis_start = "
                               "'2023-03-01'"), MANY);
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_missing WHERE "
                               "','||flags||',' LIKE '%,XML,%' AND mis_start = "
                               "'2023-06-01'"), MANY);
    /* every episode: XPS, XPE (one episode, one period), none XEPNM */
    CHECK_INT(t903_count(t.db, "SELECT COUNT(*) FROM cla_episode WHERE "
                               "flags IS NOT NULL AND flags <> ''"), MANY);
    t903_close(&t);
}

/* 3000 children, two missing rows each: in child order and reversed (the
 * index sorted by child over 6000 records, well past a stdio buffer);
 * the episodes reversed too (re-read from the store).  Each row carries
 * the same flags either way. */
static void test_eval_many(const char *schema)
{
    liia_buf hdr, ep[2], mi[2];
    liia_buf_init(&hdr);
    for (int v = 0; v < 2; v++) {
        liia_buf_init(&ep[v]);
        liia_buf_init(&mi[v]);
    }
    char row[160];
    int bad = 0;
    for (int i = 0; i < MANY; i++) {
        snprintf(row, sizeof row, "%d,%d,15/06/2010,WBRI,UN1,,\n", 10000 + i, 1 + i % 2);
        bad |= liia_buf_append(&hdr, row, strlen(row));
    }
    for (int v = 0; v < 2; v++)
        for (int j = 0; j < MANY; j++) {
            int i = v ? MANY - 1 - j : j;
            snprintf(row, sizeof row, "%d,01/05/2023,S,C2,N1,U1,PR1,,," EPT, 10000 + i);
            bad |= liia_buf_append(&ep[v], row, strlen(row));
            /* each child's rows: inside its episode, then before it (v 1:
             * the other way round) */
            for (int k = 0; k < 2; k++) {
                if (k == v)
                    snprintf(row, sizeof row, "%d,,M,01/06/2023,\n", 10000 + i);
                else
                    snprintf(row, sizeof row, "%d,,M,01/03/2023,02/03/2023\n", 10000 + i);
                bad |= liia_buf_append(&mi[v], row, strlen(row));
            }
        }
    bad |= liia_buf_append(&hdr, "", 1);
    for (int v = 0; v < 2; v++)
        bad |= liia_buf_append(&ep[v], "", 1) | liia_buf_append(&mi[v], "", 1);
    CHECK_INT(bad, 0);
    char (*flags[2])[64] = {NULL, NULL};
    for (int v = 0; v < 2 && !bad; v++) {
        flags[v] = calloc(2 * MANY, sizeof *flags[v]);
        CHECK(flags[v] != NULL);
        if (flags[v])
            many_run(schema, v, hdr.data, ep[v].data, mi[v].data, flags[v]);
    }
    /* row by row: line L of the reversed file is line 2 * MANY + 3 - L of
     * the ordered one */
    long differ = 0;
    for (size_t j = 0; !bad && flags[0] && flags[1] && j < 2 * MANY; j++)
        differ += strcmp(flags[0][j], flags[1][2 * MANY - 1 - j]) != 0;
    CHECK_INT(differ, 0);
    CHECK(!bad && flags[0] && strlen(flags[0][0]) > 0);
    for (int v = 0; v < 2; v++) {
        free(flags[v]);
        liia_buf_free(&ep[v]);
        liia_buf_free(&mi[v]);
    }
    liia_buf_free(&hdr);
}

int main(void)
{
    test_pdate();
    test_compile_refusals();
    test_compile_cross();
    char schema[600];
    CHECK_INT(eval_schema(schema), 0);
    test_eval_ordered(schema);
    test_eval_shuffled(schema);
    test_eval_needs(schema);
    test_eval_needs_missing(schema);
    test_eval_validate(schema);
    test_eval_long_child(schema);
    test_eval_orphan(schema);
    test_eval_many(schema);
    test_eval_strict();
    return unit_result("test_903_cross");
}
