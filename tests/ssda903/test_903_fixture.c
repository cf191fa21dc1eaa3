/*
 * The rule fixtures of schemas/ssda903/fixtures/: one directory per rule
 * (named by its code, or code_variant), each with "fail..." and "pass..."
 * folders: sets of tables (header.csv, episodes.csv, uasc.csv; whichever are there) and an
 * optional fixture.json: {"code": "178", "period": "2024-03-31", "line": 2}
 * (code defaults to the directory name up to '_', period to 2025-03-31;
 * line: where fail/ must report the rule).  A fail set must raise the
 * rule, a pass set must not.
 *
 *   test_903_fixture DIR   checks one fixture (CTest runs one per rule)
 *   test_903_fixture       checks that every rule of rules/ and every cell
 *                          rule of tables.json has a fixture with both sets
 */
#include <dirent.h>
#include <glob.h>
#include <jansson.h>
#include <sys/stat.h>

#include "ssda903_internal.h"
#include "t903.h"
#include "unit.h"

#define FIXTURES SCHEMA_DIR "/ssda903/fixtures"

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Validates one set (a folder of tables) and returns the findings; with
 * store set, ingests it (accepted with its findings) instead, so rules
 * reading last year's return see the one a fixture's previous/ stored. */
static int run_set(struct t903 *t, const char *set, const char *period, int store,
                   liia_ingest_result *r)
{
    static const char *const names[] = {"header.csv", "episodes.csv", "uasc.csv",
                                        "reviews.csv", "oc2.csv", "oc3.csv", "ad1.csv",
                                        "placed_adoption.csv", "prev_perm.csv",
                                        "missing.csv", "social_worker.csv"};
    enum { NNAMES = sizeof names / sizeof *names };
    char paths[NNAMES][1100];
    const char *files[NNAMES];
    size_t n = 0;
    for (size_t i = 0; i < NNAMES; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", set, names[i]);
        if (exists(paths[i]))
            files[n++] = paths[i];
    }
    liia_ingest_options o = {.la = "CAM", .period = period, .key_path = t->key_path,
                          .schema_dir = SCHEMA_DIR,
                          .validate_only = !store};
    size_t nfiles = n;
    liia_error e;
    liia_error_clear(&e);
    int rc = t903_submit(t->db, &o, files, nfiles, r, &e);
    if (rc && e.status != LIIA_E_DATA)
        liia_error_print(stderr, &e);
    return rc && e.status != LIIA_E_DATA ? -1 : 0;
}

static void check_fixture(struct t903 *t, const char *dir)
{
    char path[1100], code[32];
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    snprintf(code, sizeof code, "%.*s", (int)strcspn(base, "_"), base);
    snprintf(path, sizeof path, "%s/fixture.json", dir);
    json_t *j = exists(path) ? json_load_file(path, 0, NULL) : json_object();
    CHECK(j != NULL);
    if (!j)
        return;
    const char *c = json_string_value(json_object_get(j, "code"));
    const char *period = json_string_value(json_object_get(j, "period"));
    long line = (long)json_integer_value(json_object_get(j, "line"));
    if (c)
        snprintf(code, sizeof code, "%s", c);
    /* previous/: the authority's return for the collection year before,
     * ingested first (period a year earlier); the sets are then ingested,
     * and validated too, where the rule must report itself not run. */
    char prev[1100], prev_period[24];
    snprintf(prev, sizeof prev, "%s/previous", dir);
    const char *at_period = period ? period : "2025-03-31";
    int with_prev = exists(prev);
    snprintf(prev_period, sizeof prev_period, "%04d%.6s", (atoi(at_period) - 1) % 10000, at_period + 4);
    if (with_prev) {
        liia_ingest_result r;
        liia_ingest_result_init(&r);
        CHECK_INT(run_set(t, prev, prev_period, 1, &r), 0);
        CHECK_INT(r.version, 1);
        liia_ingest_result_free(&r);
    }
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *de;
    int fails = 0, passes = 0;
    while (d && (de = readdir(d))) {
        int fail = !strncmp(de->d_name, "fail", 4), pass = !strncmp(de->d_name, "pass", 4);
        if (!fail && !pass)
            continue;
        char set[1000];
        snprintf(set, sizeof set, "%s/%s", dir, de->d_name);
        liia_ingest_result r;
        liia_ingest_result_init(&r);
        if (with_prev && fail) {
            CHECK_INT(run_set(t, set, at_period, 0, &r), 0);
            const liia_error *nr = t903_finding(&r, "LIIA-903-PREV");
            CHECK(nr != NULL && strstr(nr->message, code) != NULL);
            CHECK_INT(t903_finding_line(&r, code), 0);
            liia_ingest_result_free(&r);
            liia_ingest_result_init(&r);
        }
        CHECK_INT(run_set(t, set, at_period, with_prev, &r), 0);
        long at = t903_finding_line(&r, code);
        if (fail && !at)
            fprintf(stderr, "%s: rule %s not reported\n", set, code);
        if (pass && at)
            fprintf(stderr, "%s: rule %s reported on line %ld\n", set, code, at);
        CHECK(fail ? at != 0 : at == 0);
        if (fail && line && !strcmp(de->d_name, "fail"))
            CHECK_INT(at, line);
        fails += fail;
        passes += pass;
        liia_ingest_result_free(&r);
    }
    if (d)
        closedir(d);
    CHECK(fails >= 1);
    CHECK(passes >= 1);
    json_decref(j);
}

static int has_pair(const char *code, int year)
{
    char fail[1024], pass[1024];
    snprintf(fail, sizeof fail, FIXTURES "/%s/fail", code);
    snprintf(pass, sizeof pass, FIXTURES "/%s/pass", code);
    int ok = exists(fail) && exists(pass);
    if (!ok) {
        /* a rule whose versions differ by year may have only per-version
         * pairs (393_2022-23, 393_2024-25) */
        char pat[1024];
        glob_t g;
        snprintf(pat, sizeof pat, FIXTURES "/%s_*/fail", code);
        ok = glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0;
        globfree(&g);
    }
    if (!ok)
        fprintf(stderr, "rule %s (%d) has no fixture pair under %s\n", code, year, FIXTURES);
    return ok;
}

/* Every code a rule file or a cell check can report, in every collection
 * year the schema covers, has a fixture. */
static void check_covered(void)
{
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    size_t checked = 0;
    for (int year = 2023; year <= 2026; year++) {
        CHECK_INT(s903_schema_load(SCHEMA_DIR, year, &s, &e), 0);
        for (size_t i = 0; i < s.nrules; i++, checked++)
            CHECK(has_pair(s.rules[i].code, year));
        for (size_t t = 0; t < s.ntables; t++)
            for (size_t c = 0; c < s.tables[t].ncols; c++) {
                const char *code = s.tables[t].cols[c].rule;
                if (strncmp(code, "LIIA-", 5)) {
                    CHECK(has_pair(code, year));
                    checked++;
                }
            }
        s903_schema_free(&s);
    }
    CHECK(checked >= 4 * 59);
}

int main(int argc, char **argv)
{
    struct t903 t;
    char name[128];
    snprintf(name, sizeof name, "fixture_%s",
             argc > 1 ? (strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1])
                      : "all");
    if (t903_open(&t, name))
        return 1;
    if (argc > 1)
        check_fixture(&t, argv[1]);
    else
        check_covered();
    t903_close(&t);
    return unit_result(name);
}
