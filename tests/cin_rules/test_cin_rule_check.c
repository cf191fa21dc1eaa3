/*
 * The CIN census rules as data (schemas/cin/rules/, a JSON file a rule) checked
 * against the census layout (schemas/cin/tables.json) before any engine runs them:
 * every part, column and record a rule names exists, every operand and
 * regular expression is well formed, and every rule has a fixture.
 *
 *   test_cin_rule_check DIR   checks the rule(s) of one fixture folder
 *                             (schemas/cin/fixtures/<code>[_variant]) and
 *                             prints "<code> <period> rule|cell" for
 *                             cin_fixture.sh
 *   test_cin_rule_check       checks every rule and that each code has a
 *                             fixture folder
 *
 * A rule with no rule file may still be a cell check of tables.json (its
 * column's "rule"): its fixture is checked the same way.
 */
#include <dirent.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "unit.h"

#define CIN SCHEMA_DIR "/cin"

static json_t *g_tables;  /* tables.json "tables" */
static json_t *g_rules;   /* every rule object of rules/ */
static char g_why[512];   /* the first problem found */

static int bad(const char *code, const char *what, const char *detail)
{
    if (!g_why[0])
        snprintf(g_why, sizeof g_why, "rule %s: %s%s%s", code, what,
                 detail ? ": " : "", detail ? detail : "");
    return -1;
}

static json_t *part(const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(g_tables, i, t)
        if (!strcmp(json_string_value(json_object_get(t, "name")), name))
            return t;
    return NULL;
}

static int has_column(const char *table, const char *col)
{
    json_t *t = part(table), *c;
    size_t i;
    json_array_foreach(json_object_get(t, "columns"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "name")), col))
            return 1;
    return 0;
}

/* The part a condition is read on, and inside an aggregate the rule's own
 * part (outer.COL). */
struct where {
    const char *table, *outer;
};

/* "COL", "prev.COL", "next.COL" (this part), "child.COL" (the child) or,
 * inside an aggregate, "outer.COL" (the record the rule is on). */
static int check_ref(const char *code, const struct where *w, const char *ref)
{
    const char *t = w->table, *col = ref;
    if (!strncmp(ref, "prev.", 5) || !strncmp(ref, "next.", 5))
        col = ref + 5;
    else if (!strncmp(ref, "child.", 6)) {
        t = "child";
        col = ref + 6;
    } else if (!strncmp(ref, "outer.", 6) && w->outer) {
        t = w->outer;
        col = ref + 6;
    }
    return has_column(t, col) ? 0 : bad(code, "no such column", ref);
}

/* An operand: $start, $end, $qs, $qe, $y1, a date or a ref, then at most
 * one +Ny/-Nm/+Nd/-Nwd. */
static int check_operand(const char *code, const struct where *w, const char *op)
{
    char base[128];
    const char *off = strpbrk(op + 1, "+-");
    int y, m, d;
    if (off && op[0] != '$' && strncmp(op, "child.", 6) && strncmp(op, "prev.", 5) &&
        strncmp(op, "next.", 5) && strncmp(op, "outer.", 6) &&
        sscanf(op, "%4d-%2d-%2d", &y, &m, &d) == 3)
        off = strlen(op) > 10 ? op + 10 : NULL;
    snprintf(base, sizeof base, "%.*s", off ? (int)(off - op) : (int)strlen(op), op);
    if (off) {
        char unit[4] = "";
        int n, used = 0;
        if (sscanf(off + 1, "%d%3[a-z]%n", &n, unit, &used) != 2 || off[1 + used] ||
            (strcmp(unit, "y") && strcmp(unit, "m") && strcmp(unit, "d") && strcmp(unit, "wd")))
            return bad(code, "bad offset", op);
    }
    static const char *const named[] = {"$start", "$end", "$qs", "$qe", "$y1"};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcmp(base, named[i]))
            return 0;
    if (sscanf(base, "%4d-%2d-%2d", &y, &m, &d) == 3 && strlen(base) == 10)
        return 0;
    return check_ref(code, w, base);
}

static int check_cond(const char *code, const struct where *w, json_t *c);

static int check_list(const char *code, const struct where *w, json_t *list)
{
    size_t i;
    json_t *k;
    if (!json_is_array(list) || json_array_size(list) == 0)
        return bad(code, "all/any needs a list of conditions", NULL);
    json_array_foreach(list, i, k)
        if (check_cond(code, w, k))
            return -1;
    return 0;
}

static int check_exists(const char *code, const char *what)
{
    if (!strcmp(what, "prev") || !strcmp(what, "next") || part(what))
        return 0;
    return bad(code, "'exists' names no record or part", what);
}

static int check_weekdays(const char *code, json_t *v)
{
    static const char days[] = "Mon Tue Wed Thu Fri Sat Sun";
    size_t i;
    json_t *d;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return bad(code, "'weekday' needs a list of days", NULL);
    json_array_foreach(v, i, d)
        if (!json_is_string(d) || strlen(json_string_value(d)) != 3 ||
            !strstr(days, json_string_value(d)))
            return bad(code, "'weekday' lists Mon..Sun", json_string_value(d));
    return 0;
}

static int check_compare(const char *code, const struct where *w, json_t *c)
{
    static const char *const ops[] = {"before", "after", "same", "on_or_before", "on_or_after"};
    json_t *v;
    if ((v = json_object_get(c, "in")))
        return json_is_array(v) ? 0 : bad(code, "'in' needs a list", NULL);
    if ((v = json_object_get(c, "equals")))
        return check_ref(code, w, json_string_value(v) ? json_string_value(v) : "");
    if ((v = json_object_get(c, "weekday")))
        return check_weekdays(code, v);
    if ((v = json_object_get(c, "matches"))) {
        regex_t re;
        if (!json_is_string(v) || regcomp(&re, json_string_value(v), REG_EXTENDED | REG_NOSUB))
            return bad(code, "bad regular expression", json_string_value(v));
        regfree(&re);
        return 0;
    }
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if ((v = json_object_get(c, ops[i])))
            return json_is_string(v) ? check_operand(code, w, json_string_value(v))
                                     : bad(code, "operand is not a string", ops[i]);
    return bad(code, "'col' without in/equals/matches/weekday/a date comparison", NULL);
}

/* {"some"/"none"/"count"/"first"/"last": PART, "where": C[, "holds": C2]}:
 * C read on PART's records, outer.COL the rule's own record. */
static int check_aggregate(const char *code, const struct where *w, json_t *c, json_t *v)
{
    if (!json_is_string(v) || !part(json_string_value(v)))
        return bad(code, "an aggregate names no part", json_string_value(v));
    struct where in = {json_string_value(v), w->table};
    json_t *holds = json_object_get(c, "holds");
    return check_cond(code, &in, json_object_get(c, "where")) ||
           (holds && check_cond(code, &in, holds));
}

static int check_cond(const char *code, const struct where *w, json_t *c)
{
    json_t *v;
    static const char *const aggs[] = {"some", "none", "count", "first", "last"};
    if (!json_is_object(c))
        return bad(code, "a condition is an object", NULL);
    if ((v = json_object_get(c, "all")) || (v = json_object_get(c, "any")))
        return check_list(code, w, v);
    if ((v = json_object_get(c, "not")))
        return check_cond(code, w, v);
    if ((v = json_object_get(c, "present")) || (v = json_object_get(c, "blank")) ||
        (v = json_object_get(c, "dated")) || (v = json_object_get(c, "repeated")))
        return check_ref(code, w, json_string_value(v) ? json_string_value(v) : "");
    if ((v = json_object_get(c, "exists")))
        return check_exists(code, json_string_value(v) ? json_string_value(v) : "");
    if ((v = json_object_get(c, "earlier")))
        return json_is_string(v) && !strcmp(json_string_value(v), "outer") && w->outer
                   ? 0 : bad(code, "'earlier' is \"outer\", inside an aggregate", NULL);
    if ((v = json_object_get(c, "working_days"))) {
        if (json_array_size(v) != 2 || !json_is_string(json_array_get(v, 0)) ||
            !json_is_string(json_array_get(v, 1)) ||
            (!json_object_get(c, "at_most") && !json_object_get(c, "at_least")))
            return bad(code, "'working_days' is [FROM, TO] with at_most or at_least", NULL);
        return check_ref(code, w, json_string_value(json_array_get(v, 0))) ||
               check_ref(code, w, json_string_value(json_array_get(v, 1)));
    }
    if ((v = json_object_get(c, "col")))
        return check_ref(code, w, json_string_value(v) ? json_string_value(v) : "") ||
               check_compare(code, w, c);
    /* a per-child aggregate over any part (docs/rules.md) */
    for (size_t i = 0; i < sizeof aggs / sizeof *aggs; i++)
        if ((v = json_object_get(c, aggs[i])))
            return check_aggregate(code, w, c, v);
    return bad(code, "unknown condition", json_dumps(c, JSON_COMPACT));
}

/* A file rule's number: a number, {"sum": [...]}, {"share": [A, B]},
 * {"count": PART, "where": C} or {"distinct": "PART.COL", "where": C}. */
static int check_fnum(const char *code, json_t *n)
{
    json_t *v;
    size_t i;
    if (json_is_number(n))
        return 0;
    if ((v = json_object_get(n, "sum")) || (v = json_object_get(n, "share"))) {
        if (!json_is_array(v) || !json_array_size(v))
            return bad(code, "'sum'/'share' need a list", NULL);
        json_array_foreach(v, i, n)
            if (check_fnum(code, n))
                return -1;
        return 0;
    }
    const char *p = json_string_value(json_object_get(n, "count"));
    const char *d = json_string_value(json_object_get(n, "distinct"));
    char t[64] = "";
    if (d && strchr(d, '.'))
        snprintf(t, sizeof t, "%.*s", (int)(strchr(d, '.') - d), d);
    if (p ? !part(p) : !d || !part(t) || !has_column(t, strchr(d, '.') + 1))
        return bad(code, "a file rule counts {count: PART} or {distinct: PART.COL}",
                   p ? p : d);
    struct where w = {p ? p : t, NULL};
    json_t *where = json_object_get(n, "where");
    return where ? check_cond(code, &w, where) : 0;
}

/* A file rule's when: a comparison [A, B], or {"all": [comparisons]}. */
static int check_file_when(const char *code, json_t *when)
{
    static const char *const ops[] = {"more_than", "at_least", "less_than", "at_most",
                                      "equals"};
    json_t *all = json_object_get(when, "all"), *c;
    size_t i, n = all ? json_array_size(all) : 1;
    if (!n)
        return bad(code, "a file rule's 'all' lists comparisons", NULL);
    for (i = 0; i < n; i++) {
        c = all ? json_array_get(all, i) : when;
        json_t *v = NULL;
        for (size_t k = 0; k < sizeof ops / sizeof *ops && !v; k++)
            v = json_object_get(c, ops[k]);
        if (json_array_size(v) != 2 || check_fnum(code, json_array_get(v, 0)) ||
            check_fnum(code, json_array_get(v, 1)))
            return bad(code, "a file rule compares two numbers", NULL);
    }
    return 0;
}

static int check_year(const char *code, json_t *y)
{
    int a, b;
    const char *s = json_string_value(y);
    if (!y)
        return 0;
    if (!s || sscanf(s, "%4d-%2d", &a, &b) != 2 || strlen(s) != 7 || b != (a + 1) % 100)
        return bad(code, "from/to is not a collection year like 2024-25", s);
    return 0;
}

static int check_rule(json_t *r)
{
    const char *code = json_string_value(json_object_get(r, "code"));
    const char *table = json_string_value(json_object_get(r, "table"));
    const char *column = json_string_value(json_object_get(r, "column"));
    const char *sev = json_string_value(json_object_get(r, "severity"));
    if (!code || !table || !column || !json_is_string(json_object_get(r, "message")))
        return bad(code ? code : "?", "needs code, table, column and message", NULL);
    if (!part(table))
        return bad(code, "no such part", table);
    if (!has_column(table, column))
        return bad(code, "no such column", column);
    if (sev && strcmp(sev, "error") && strcmp(sev, "warning"))
        return bad(code, "severity is error or warning", sev);
    struct where w = {table, NULL};
    const char *scope = json_string_value(json_object_get(r, "scope"));
    int file = scope && !strcmp(scope, "file");
    return check_year(code, json_object_get(r, "from")) ||
           check_year(code, json_object_get(r, "to")) ||
           (file ? check_file_when(code, json_object_get(r, "when"))
                 : check_cond(code, &w, json_object_get(r, "when")));
}

static void load(void)
{
    json_t *doc = json_load_file(CIN "/tables.json", 0, NULL);
    DIR *d = opendir(CIN "/rules");
    struct dirent *de;
    CHECK(doc && d);
    g_tables = json_incref(json_object_get(doc, "tables"));
    json_decref(doc);
    g_rules = json_array();
    while (d && (de = readdir(d))) {
        char path[1024];
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
            continue;
        snprintf(path, sizeof path, "%s/%s", CIN "/rules", de->d_name);
        json_t *r = json_load_file(path, 0, NULL);
        CHECK(r != NULL);
        if (json_is_array(json_object_get(r, "rules")))
            json_array_extend(g_rules, json_object_get(r, "rules"));
        else if (r)
            json_array_append(g_rules, r);
        json_decref(r);
    }
    if (d)
        closedir(d);
}

/* A column of tables.json whose own check reports this code. */
static int is_cell_rule(const char *code)
{
    size_t i, j;
    json_t *t, *c;
    json_array_foreach(g_tables, i, t)
        json_array_foreach(json_object_get(t, "columns"), j, c) {
            const char *rule = json_string_value(json_object_get(c, "rule"));
            if (rule && !strcmp(rule, code))
                return 1;
        }
    return 0;
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) ? -1 : (long)sb.st_size;
}

static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ca = 0, cb = 0;
    while (fa && fb && (ca = getc(fa)) == (cb = getc(fb)) && ca != EOF)
        ;
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return fa && fb && ca == cb;
}

static void check_fixture(const char *dir)
{
    char path[1024], fail[1024], pass[1024], code[32];
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    snprintf(path, sizeof path, "%s/fixture.json", dir);
    json_t *meta = json_load_file(path, 0, NULL);
    const char *c = json_string_value(json_object_get(meta, "code"));
    const char *period = json_string_value(json_object_get(meta, "period"));
    snprintf(code, sizeof code, "%.*s", c ? (int)strlen(c) : (int)strcspn(base, "_"), c ? c : base);
    size_t i, nrules = 0;
    json_t *r;
    json_array_foreach(g_rules, i, r)
        if (!strcmp(json_string_value(json_object_get(r, "code")), code)) {
            nrules++;
            if (check_rule(r))
                fprintf(stderr, "%s\n", g_why);
            CHECK(g_why[0] == 0);
        }
    if (!nrules && !is_cell_rule(code))
        fprintf(stderr, "fixture %s: no rule file and no cell check reports %s\n", dir, code);
    CHECK(nrules > 0 || is_cell_rule(code));
    snprintf(fail, sizeof fail, "%s/fail.xml", dir);
    snprintf(pass, sizeof pass, "%s/pass.xml", dir);
    CHECK(file_size(fail) > 0 && file_size(pass) > 0);
    CHECK(!same_file(fail, pass));
    printf("%s %s %s\n", code, period ? period : "2025-03-31", nrules ? "rule" : "cell");
    json_decref(meta);
}

/* Every rule is well formed and every code has a fixture folder. */
static void check_all(void)
{
    size_t i;
    json_t *r;
    json_array_foreach(g_rules, i, r) {
        const char *code = json_string_value(json_object_get(r, "code"));
        char dir[1024];
        g_why[0] = 0;
        if (check_rule(r))
            fprintf(stderr, "%s\n", g_why);
        CHECK(g_why[0] == 0);
        snprintf(dir, sizeof dir, "%s/fixtures/%s/fail.xml", CIN, code ? code : "?");
        if (file_size(dir) <= 0)
            fprintf(stderr, "rule %s has no fixture folder %s\n", code, dir);
        CHECK(file_size(dir) > 0);
    }
    CHECK(json_array_size(g_rules) > 0);
}

int main(int argc, char **argv)
{
    load();
    if (argc > 1)
        check_fixture(argv[1]);
    else
        check_all();
    json_decref(g_rules);
    json_decref(g_tables);
    return unit_result(argc > 1 ? "cin_rule_fixture" : "cin_rules");
}
