/*
 * The parts of the SSDA903 ingest written for speed: the single sorted pass
 * that runs the cross-row rules (episodes arrive in any order and any
 * interleaving of children; undated episodes stay out of the DECOM order;
 * duplicate header rows), the schema check that every ordered rule has a
 * built-in check, and the HMAC context reused across children.
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

static size_t count_rule(const liia_903_result *r, const char *rule, long line)
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
    liia_903_result r;
    liia_error e;
    liia_903_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", H1 H2,
                          "1001,01/09/2023,P,C2,N1,U2,PR1,,,CARPL" TAIL
                          "2002,01/05/2023,S,C2,N1,U1,PR1,,," TAIL
                          "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1," TAIL,
                          NULL, 0, &r, &e), 0);
    /* line 2 continues line 4 but starts two months after it ended */
    CHECK_INT((long)count_rule(&r, "433", 2), 1);
    CHECK_INT((long)count_rule(&r, "433", 0), 1);
    /* line 4 is 1001's first episode (S) and has a successor */
    CHECK_INT((long)count_rule(&r, "357", 0), 0);
    CHECK_INT((long)count_rule(&r, "388", 0), 0);
    CHECK_INT((long)count_rule(&r, "142", 0), 0);
    CHECK_INT((long)count_rule(&r, "501", 0), 0);
    CHECK_INT((long)count_rule(&r, "INT03", 0), 0);
    /* the flag lands on the row the rule is about */
    CHECK_INT(t903_count(t->db, "SELECT COUNT(*) FROM cla_episode WHERE line = 2 "
                                "AND flags = '433' AND submission_id = "
                                "(SELECT MAX(id) FROM submission)"), 1);
    liia_903_result_free(&r);
}

/* An episode whose DECOM failed its cell check is stored without one: it is
 * no "later episode" for 142 and no "previous episode" for 501/433. */
static void test_undated_episode_outside_order(struct t903 *t)
{
    liia_903_result r;
    liia_error e;
    liia_903_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", H1,
                          "1001,01/05/2023,S,C2,N1,U1,PR1,,," TAIL
                          "1001,99/99/2023,P,C2,N1,U2,PR1,,,CARPL" TAIL,
                          NULL, 0, &r, &e), 0);
    CHECK_INT((long)count_rule(&r, "141", 3), 1);
    CHECK_INT((long)count_rule(&r, "142", 0), 0);
    CHECK_INT((long)count_rule(&r, "433", 0), 0);
    CHECK_INT((long)count_rule(&r, "INT03", 0), 0);
    liia_903_result_free(&r);
}

/* Child 3003 twice in the header and never in episodes: INT32 on the
 * second row only, EPI on both. */
static void test_duplicate_header_rows(struct t903 *t)
{
    liia_903_result r;
    liia_error e;
    liia_903_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31",
                          H1 "3003,1,15/06/2012,WBRI,UN1,,\n"
                             "3003,1,15/06/2012,WBRI,UN1,,\n",
                          "1001,01/05/2023,S,C2,N1,U1,PR1,,," TAIL, NULL, 0, &r, &e), 0);
    CHECK_INT((long)count_rule(&r, "INT32", 0), 1);
    CHECK_INT((long)count_rule(&r, "INT32", 4), 1);
    CHECK_INT((long)count_rule(&r, "EPI", 0), 2);
    CHECK_INT((long)count_rule(&r, "EPI", 3), 1);
    CHECK_INT((long)count_rule(&r, "EPI", 4), 1);
    liia_903_result_free(&r);
}

static int copy_file(const char *from, const char *to)
{
    char *text = NULL;
    size_t len = 0;
    liia_error e;
    liia_error_clear(&e);
    if (liia_read_file(from, &text, &len, &e))
        return -1;
    FILE *f = fopen(to, "w");
    int rc = f && fwrite(text, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    free(text);
    return rc;
}

/* An ordered rule names a code with no built-in check: a schema error,
 * not a rule that silently never runs. */
static void test_unknown_ordered_rule(void)
{
    char dir[600], sub[700], path[800];
    snprintf(dir, sizeof dir, "%s/schema_unknown_ordered", SCRATCH_DIR);
    snprintf(sub, sizeof sub, "%s/ssda903", dir);
    mkdir(dir, 0700);
    mkdir(sub, 0700);
    static const char *const keep[] = {"tables.json", "codelists.json", "measures.json"};
    for (size_t i = 0; i < 3; i++) {
        char from[600];
        snprintf(from, sizeof from, "%s/ssda903/%s", SCHEMA_DIR, keep[i]);
        snprintf(path, sizeof path, "%s/%s", sub, keep[i]);
        CHECK_INT(copy_file(from, path), 0);
    }
    snprintf(path, sizeof path, "%s/rules.json", sub);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("{\"rules\": [{\"code\": \"999\", \"table\": \"episodes\", \"column\": \"DEC\","
          " \"message\": \"m\", \"ordered\": \"something in order\"}]}\n", f);
    CHECK_INT(fclose(f), 0);
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(s903_schema_load(dir, 2024, &s, &e), -1);
    CHECK_STR(e.message, "malformed SSDA903 schema: an ordered rule has no built-in "
                         "check for its code");
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
    t903_close(&t);
    test_unknown_ordered_rule();
    test_hmac_context_reuse();
    return unit_result("test_903_perf_parts");
}
