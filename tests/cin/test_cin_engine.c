/*
 * test_cin_engine.c - the CIN census through the child-level engine's
 * schema compiler (ingest/ssda903_schema.c, docs/rules.md): schemas/cin
 * loads for every collection year with its rules, the child part is named
 * by its own name (child.COL; header.COL is the message header's, refused
 * as a column), every part below the child is ordered per child, and
 * SSDA903's header.COL keeps working.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssda903_internal.h"
#include "unit.h"

/* Distinct rule codes (a rule's variant by year is one code). */
static size_t codes(const struct s903_schema *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nrules; i++) {
        size_t j = 0;
        while (j < i && strcmp(s->rules[j].code, s->rules[i].code))
            j++;
        n += j == i;
    }
    return n;
}

static void years(void)
{
    static const struct { int year; size_t codes; } want[] = {
        {2023, 97}, {2024, 97}, {2025, 101}, {2026, 101},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        struct s903_schema s;
        liia_error e;
        liia_error_clear(&e);
        int rc = s903_schema_load_return(SCHEMA_DIR "/cin", want[i].year, &s, &e);
        if (rc)
            fprintf(stderr, "cin %d: %s\n", want[i].year, e.message);
        CHECK(rc == 0);
        if (rc)
            continue;
        CHECK(codes(&s) == want[i].codes);
        CHECK(s.child_table >= 0 && !strcmp(s.tables[s.child_table].name, "child"));
        int ep = s903_table_index(&s, "cin_episode"), dis = s903_table_index(&s, "disability");
        int hdr = s903_table_index(&s, "header");
        CHECK(ep >= 0 && s.tables[ep].role == ROLE_ORDERED &&
              !strcmp(s.tables[ep].cols[s.tables[ep].order_col].name, "CINreferralDate"));
        CHECK(dis >= 0 && s.tables[dis].role == ROLE_ORDERED && s.tables[dis].order_col == -1);
        CHECK(hdr >= 0 && s.tables[hdr].role == ROLE_PART);
        s903_schema_free(&s);
    }
}

/* A copy of schemas/cin with one rule of ours. */
static int load_with(const char *rule, struct s903_schema *s, liia_error *e)
{
    static const char *const files[] = {"tables.json", "codelists.json", "measures.json"};
    char dir[] = SCRATCH_DIR "/cinXXXXXX", path[512], target[512];
    CHECK(mkdtemp(dir) != NULL);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        snprintf(target, sizeof target, "%s/cin/%s", SCHEMA_DIR, files[i]);
        CHECK(symlink(target, path) == 0);
    }
    snprintf(path, sizeof path, "%s/rules", dir);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof path, "%s/rules/X1.json", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(rule, f);
        fclose(f);
    }
    liia_error_clear(e);
    return s903_schema_load_return(dir, 2025, s, e);
}

static void prefix(void)
{
    struct s903_schema s;
    liia_error e;
    /* the child's record by the child part's own name: a per-child rule */
    CHECK(load_with("{\"code\": \"X1\", \"table\": \"cin_episode\", \"column\": "
                    "\"CINreferralDate\", \"message\": \"m\", \"when\": {\"col\": "
                    "\"CINreferralDate\", \"before\": \"child.PersonBirthDate\"}}", &s, &e) == 0);
    CHECK(s.nrules == 1 && s.rules[0].when == W_CHILD && s.rules[0].cond.op_ref == REF_HEADER);
    s903_schema_free(&s);
    /* header is the CIN message header: no child record of that name */
    CHECK(load_with("{\"code\": \"X1\", \"table\": \"cin_episode\", \"column\": "
                    "\"CINreferralDate\", \"message\": \"m\", \"when\": {\"col\": "
                    "\"CINreferralDate\", \"before\": \"header.ReferenceDate\"}}", &s, &e) == -1);
    CHECK(e.status == LIIA_E_SCHEMA);
    /* prev. within any ordered part */
    CHECK(load_with("{\"code\": \"X1\", \"table\": \"disability\", \"column\": "
                    "\"Disability\", \"message\": \"m\", \"when\": {\"col\": "
                    "\"Disability\", \"equals\": \"prev.Disability\"}}", &s, &e) == 0);
    CHECK(s.nrules == 1 && s.rules[0].when == W_CHILD && s.rules[0].cond.op_ref == REF_PREV);
    s903_schema_free(&s);
}

/* The constructs of 2026-12-05 refused where they cannot hold: each a
 * malformed schema (exit 3) naming what is wrong; and accepted where
 * they can. */
static void new_constructs(void)
{
    static const struct { const char *when, *phrase; } bad[] = {
        /* a repeat is seen only when every record's value reaches the set */
        {"{\"all\": [{\"present\": \"UPN\"}, {\"repeated\": \"UPN\"}]}", "whole condition"},
        {"{\"repeated\": \"child.Sex\"}", "own part"},
        /* the UPN is dropped at the door: past its row, only given or not */
        {"{\"all\": [{\"col\": \"UPN\", \"matches\": \"^A\"}, {\"some\": \"cin_episode\", \"where\": {\"present\": \"ReferralNFA\"}}]}",
         "dropped at the door"},
        {"{\"col\": \"PersonBirthDate\", \"weekday\": [\"Someday\"]}", "Mon .. Sun"},
        {"{\"col\": \"Sex\", \"weekday\": [\"Sat\"]}", "date column"},
        {"{\"working_days\": [\"PersonBirthDate\"], \"at_most\": 3}", "working_days"},
        {"{\"col\": \"PersonBirthDate\", \"before\": \"$end-5xd\"}", "operand"},
    };
    struct s903_schema s;
    liia_error e;
    char rule[512];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(rule, sizeof rule, "{\"code\": \"X1\", \"table\": \"child\", \"column\": "
                 "\"UPN\", \"message\": \"m\", \"when\": %s}", bad[i].when);
        CHECK(load_with(rule, &s, &e) == -1);
        CHECK_INT(e.status, LIIA_E_SCHEMA);
        if (!strstr(e.message, bad[i].phrase))
            fprintf(stderr, "%s: %s\n", bad[i].when, e.message);
        CHECK(strstr(e.message, bad[i].phrase) != NULL);
    }
    static const char *const bad_file[] = {
        "{\"more_than\": [1]}",
        "{\"more_than\": [{\"count\": \"nowhere\"}, 1]}",
        "{\"more_than\": [{\"distinct\": \"disability.NoSuchColumn\"}, 1]}",
        "{\"share\": [1, 2, 3]}",
        "{\"all\": []}",
    };
    for (size_t i = 0; i < sizeof bad_file / sizeof *bad_file; i++) {
        snprintf(rule, sizeof rule, "{\"code\": \"X1\", \"table\": \"child\", \"column\": "
                 "\"UPN\", \"message\": \"m\", \"scope\": \"file\", \"when\": %s}",
                 bad_file[i]);
        CHECK(load_with(rule, &s, &e) == -1);
        CHECK_INT(e.status, LIIA_E_SCHEMA);
    }
    /* accepted: whether the UPN was given, across records; a file rule */
    CHECK(load_with("{\"code\": \"X1\", \"table\": \"child\", \"column\": \"UPN\", "
                    "\"message\": \"m\", \"when\": {\"all\": [{\"blank\": \"UPN\"}, "
                    "{\"some\": \"cin_episode\", \"where\": {\"present\": \"ReferralNFA\"}}]}}", &s, &e) == 0);
    s903_schema_free(&s);
    CHECK(load_with("{\"code\": \"X1\", \"table\": \"child\", \"column\": \"UPN\", "
                    "\"message\": \"m\", \"scope\": \"file\", \"when\": {\"at_most\": "
                    "[{\"share\": [{\"count\": \"child\", \"where\": {\"blank\": \"UPN\"}}, "
                    "{\"count\": \"child\"}]}, 0.5]}}", &s, &e) == 0);
    CHECK(s.nrules == 1 && s.rules[0].when == W_FILE && s.rules[0].nfcmps == 1);
    s903_schema_free(&s);
}

/* SSDA903's child part is called header: header.DOB is its child record. */
/* "matches": POSIX extended as the format promises, matched by PCRE2.
 * A pattern PCRE2 would read otherwise is refused; the rest match as
 * POSIX would, past PCRE2's backtracking limit too. */
static void matches(void)
{
    static const char *const refused[] = {
        "^A\\\\d",          /* a backslash */
        "^[\\\\]]",         /* one inside brackets (PCRE2: an escape) */
        "^A{,3}$",          /* PCRE2: literal text */
        "^A+?$",            /* PCRE2: lazy */
        "^A*+$",            /* PCRE2: possessive */
        "(?i)a",            /* PCRE2: an option (POSIX: refused anyway) */
        "^*A",              /* POSIX: a literal star; PCRE2: a repeat */
    };
    struct s903_schema s;
    liia_error e;
    char rule[512];
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        snprintf(rule, sizeof rule, "{\"code\": \"X1\", \"table\": \"child\", \"column\": "
                 "\"LAchildID\", \"message\": \"m\", \"when\": {\"col\": \"LAchildID\", "
                 "\"matches\": \"%s\"}}", refused[i]);
        CHECK(load_with(rule, &s, &e) == -1);
        CHECK_INT(e.status, LIIA_E_SCHEMA);
        CHECK(strstr(e.message, "'matches'") != NULL);
    }
    static const struct { const char *pattern, *cell; int holds; } cases[] = {
        {"^.{3}$", "a\nb", 1},                  /* '.' matches a newline */
        {"^ab$", "ab\n", 0},                    /* '$' is the very end */
        {"[[:digit:]]{2}", "x12", 1},
        {"^[]a]+$", "]a]", 1},                  /* ']' first: a member */
        {"^[^]a]+$", "]a]", 0},
        {"^[[:alpha:]]+$", "abc]", 0},
        {"^(SW|XX)..+$", "SW12", 1},
        {"^0*[1-9][0-9]*$", "007", 1},
        {"a|b", "xbx", 1},
        /* PCRE2 backtracks past its limit; glibc answers */
        {"^(a|aa)*c$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb", 0},
        {"^(a|aa)*c$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(rule, sizeof rule, "{\"code\": \"X1\", \"table\": \"child\", \"column\": "
                 "\"LAchildID\", \"message\": \"m\", \"when\": {\"col\": \"LAchildID\", "
                 "\"matches\": \"%s\"}}", cases[i].pattern);
        CHECK(load_with(rule, &s, &e) == 0);
        if (s.nrules != 1)
            continue;
        const struct s903_table *t = &s.tables[s.rules[0].table];
        struct s903_cell *cells = calloc(t->ncols, sizeof *cells);
        CHECK(cells != NULL);
        if (cells) {
            cells[s.rules[0].cond.col] = (struct s903_cell){
                .raw = cases[i].cell, .len = strlen(cases[i].cell), .ok = 1};
            int got = s903_cond_eval(&s.rules[0].cond, cells, &(struct s903_dates){0});
            if (got != cases[i].holds)
                fprintf(stderr, "%s on '%s': %d\n", cases[i].pattern, cases[i].cell, got);
            CHECK_INT(got, cases[i].holds);
            free(cells);
        }
        s903_schema_free(&s);
    }
}

static void ssda903(void)
{
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK(s903_schema_load(SCHEMA_DIR, 2025, &s, &e) == 0);
    CHECK(s.child_table >= 0 && !strcmp(s.tables[s.child_table].name, "header"));
    CHECK(s.tables[s.ordered_table].order_col >= 0);
    size_t header_refs = 0;
    for (size_t i = 0; i < s.nrules; i++)
        header_refs += s.rules[i].when == W_CHILD;
    CHECK(header_refs > 0);
    s903_schema_free(&s);
}

/* The set behind {"repeated": COL}: every value once, through the
 * growths, whatever its length; texts differing in one byte (past the
 * hash's 8-byte steps, and a NUL) are different values. */
static void seen(void)
{
    struct s903_seen *s = s903_seen_new(0);
    char v[64];
    CHECK(s != NULL);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 20000; i++) {
            int n = snprintf(v, sizeof v, "%d-child-%0*d", i % 7, 1 + i % 40, i);
            CHECK_INT(s903_seen_add(s, v, (size_t)n), round);
        }
    CHECK_INT(s903_seen_add(s, "ABCDEFGHIJ", 10), 0);
    CHECK_INT(s903_seen_add(s, "ABCDEFGHIK", 10), 0);
    CHECK_INT(s903_seen_add(s, "ABCDEFGHIJ", 9), 0);     /* a prefix is another value */
    CHECK_INT(s903_seen_add(s, "AB\0D", 4), 0);
    CHECK_INT(s903_seen_add(s, "AB\0E", 4), 0);
    CHECK_INT(s903_seen_add(s, "AB\0D", 4), 1);
    CHECK_INT(s903_seen_add(NULL, "x", 1), 0);
    CHECK(s903_seen_value(s, "x", 1) == NULL);   /* a set without values */
    s903_seen_free(s);
    /* with values: a number a text, kept through the growths */
    s = s903_seen_new(1);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 10000; i++) {
            int n = snprintf(v, sizeof v, "pid%d", i);
            uint64_t *x = s903_seen_value(s, v, (size_t)n);
            CHECK(x != NULL && *x == (uint64_t)(round ? i : 0));
            if (x)
                *x = (uint64_t)i;
        }
    s903_seen_free(s);
    s903_seen_free(NULL);
}

int main(void)
{
    seen();
    new_constructs();
    years();
    prefix();
    matches();
    ssda903();
    return unit_result("test_cin_engine");
}
