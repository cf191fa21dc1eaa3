/*
 * One test per DfE rule: a submission that breaks it (the rule is reported
 * on the expected line) and one that does not (the rule is absent).  The
 * base child below passes every rule; each case changes only what the rule
 * is about.  Period 2024-03-31: collection year 2023-24 (SEX coded 1/2),
 * running 2023-04-01 to 2024-03-31.
 */
#include "t903.h"
#include "unit.h"

#define H "1001,1,15/06/2010,WBRI,A123456789012,,\n"
#define E "1001,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n"

struct rule_case {
    const char *code;
    long line;                       /* where the failing variant reports it */
    const char *fail_h, *fail_e, *fail_u;
    const char *pass_h, *pass_e, *pass_u;
};

static const struct rule_case cases[] = {
    /* cell checks: code lists, dates, UPN, postcodes */
    {"101", 2, "1001,3,15/06/2010,WBRI,A123456789012,,\n", E, NULL,
               "1001,2,15/06/2010,WBRI,A123456789012,,\n", E, NULL},
    {"102", 2, "1001,1,31/02/2010,WBRI,A123456789012,,\n", E, NULL,
               "1001,1,28/02/2010,WBRI,A123456789012,,\n", E, NULL},
    {"103", 2, "1001,1,15/06/2010,XXXX,A123456789012,,\n", E, NULL,
               "1001,1,15/06/2010,WIRI,A123456789012,,\n", E, NULL},
    {"165", 2, "1001,1,15/06/2010,WBRI,A123456789012,2,\n", E, NULL,
               "1001,1,15/06/2010,WBRI,A123456789012,0,\n", E, NULL},
    {"168", 2, "1001,1,15/06/2010,WBRI,123,,\n", E, NULL,
               "1001,1,15/06/2010,WBRI,UN1,,\n", E, NULL},
    {"171", 2, "1001,2,15/06/2006,WBRI,A123456789012,1,32/01/2023\n", E, NULL,
               "1001,2,15/06/2006,WBRI,A123456789012,1,01/01/2023\n", E, NULL},
    {"141", 2, H, "1001,2023-13-01,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,2023-05-01,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"143", 2, H, "1001,01/05/2023,Q,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, E, NULL},
    {"144", 2, H, "1001,01/05/2023,S,Z9,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C1,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"145", 2, H, "1001,01/05/2023,S,C2,N9,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N8,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"146", 2, H, "1001,01/05/2023,S,C2,N1,Q1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U3,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"147", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/23,E3,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"149", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E99,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"178", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR9,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR2,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"1009", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,,,XYZ,N1 9GU,N7 6QR,SC123456\n", NULL,
                H, "1001,01/05/2023,S,C2,N1,U1,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"392c", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,,,,NOTAPC,N7 6QR,SC123456\n", NULL,
                H, "1001,01/05/2023,S,C2,N1,U1,PR1,,,,SW1A 2AA,N7 6QR,SC123456\n", NULL},
    {"104", 2, H, E, "1001,1,15/06/2010,99/99/2020\n",
               H, E, "1001,1,15/06/2010,01/01/2020\n"},

    /* header row rules */
    {"301", 2, "1001,1,01/05/2024,WBRI,A123456789012,,\n", E, NULL,
               "1001,1,01/05/2010,WBRI,A123456789012,,\n", E, NULL},
    {"174", 2, "1001,1,15/06/2006,WBRI,A123456789012,1,01/01/2023\n", E, NULL,
               "1001,2,15/06/2006,WBRI,A123456789012,1,01/01/2023\n", E, NULL},
    {"611", 2, "1001,2,15/06/2006,WBRI,A123456789012,1,\n", E, NULL,
               "1001,2,15/06/2006,WBRI,A123456789012,1,01/01/2023\n", E, NULL},
    {"612", 2, "1001,2,15/06/2006,WBRI,A123456789012,0,01/01/2023\n", E, NULL,
               "1001,2,15/06/2006,WBRI,A123456789012,1,01/01/2023\n", E, NULL},
    {"621", 2, "1001,2,15/06/2006,WBRI,A123456789012,1,01/01/2006\n", E, NULL,
               "1001,2,15/06/2006,WBRI,A123456789012,1,01/01/2023\n", E, NULL},
    {"620", 2, "1001,2,15/06/2014,WBRI,A123456789012,1,01/01/2023\n", E, NULL,
               "1001,2,15/06/2008,WBRI,A123456789012,1,01/01/2023\n", E, NULL},
    {"625", 2, "1001,2,15/06/2006,WBRI,A123456789012,1,01/05/2024\n", E, NULL,
               "1001,2,15/06/2006,WBRI,A123456789012,1,01/01/2024\n", E, NULL},

    /* episode row rules */
    {"353", 2, H, "1001,01/01/1990,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, E, NULL},
    {"354", 2, H, "1001,01/05/2024,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, E, NULL},
    {"385", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/05/2024,E3,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/03/2024,E3,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"356", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/04/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,02/05/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"355", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/05/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,02/05/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"148", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"378", 2, H, "1001,01/05/2023,S,V2,N1,P1,PR0,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,P1,PR0,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"382", 2, H, "1001,01/05/2023,S,V3,N1,T1,,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,V3,N1,U3,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"384", 2, H, "1001,01/05/2023,S,V3,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,V3,N1,U3,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"408", 2, H, "1001,01/05/2023,S,C2,N1,A5,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,E1,N1,A5,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"380", 2, H, "1001,01/05/2023,S,C2,N1,T2,,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U2,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"381", 2, H, "1001,01/05/2023,S,C2,N1,T2,,01/06/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U2,PR1,01/06/2023,E3,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"527", 2, H, "1001,01/05/2023,S,C2,N1,R2,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, E, NULL},
    {"528", 2, H, "1001,01/05/2023,S,C2,N1,R5,PR2,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR2,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"530", 2, H, "1001,01/05/2023,S,C2,N1,P1,PR4,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,P1,PR0,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"531", 2, H, "1001,01/05/2023,S,C2,N1,P1,PR5,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,P1,PR0,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"550", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR0,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,P1,PR0,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"304", 2, H, E, "1001,1,15/06/2005,01/01/2024\n",
               H, E, "1001,1,15/06/2005,01/01/2023\n"},

    /* episodes in order */
    {"142", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/07/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/07/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"501", 3, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/08/2023,X1,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/07/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/08/2023,X1,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/08/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"433", 3, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,05/07/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/07/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"431", 3, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,E3,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/07/2023,S,C2,N1,U2,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,E3,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/09/2023,S,C2,N1,U2,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"357", 2, H, "1001,01/05/2023,P,C2,N1,U1,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, E, NULL},
    {"388", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/07/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"437", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,E2,,N1 9GU,N7 6QR,SC123456\n"
                  "1001,01/07/2023,P,C2,N1,U2,PR1,,,CARPL,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/07/2023,E2,,N1 9GU,N7 6QR,SC123456\n", NULL},

    /* episodes against the header */
    {"302", 2, "1001,1,15/06/2023,WBRI,UN1,,\n", E, NULL,
               "1001,1,15/04/2023,WBRI,UN1,,\n", E, NULL},
    {"358", 2, "1001,1,15/06/2015,WBRI,A123456789012,,\n",
               "1001,01/05/2023,S,J1,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2023,S,J1,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"352", 2, "1001,1,15/06/2004,WBRI,A123456789012,,\n", E, NULL, H, E, NULL},
    {"386", 2, "1001,1,15/01/2005,WBRI,A123456789012,,\n",
               "1001,01/05/2022,S,C2,N1,U1,PR1,01/06/2023,E11,,N1 9GU,N7 6QR,SC123456\n", NULL,
               H, "1001,01/05/2022,S,C2,N1,U1,PR1,01/06/2023,E11,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"387", 2, "1001,1,15/06/2015,WBRI,A123456789012,,\n",
               "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E5,,N1 9GU,N7 6QR,SC123456\n", NULL,
               "1001,1,15/06/2007,WBRI,A123456789012,,\n",
               "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E5,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"389", 2, H, "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E7,,N1 9GU,N7 6QR,SC123456\n", NULL,
               "1001,1,15/05/2006,WBRI,A123456789012,,\n",
               "1001,01/05/2023,S,C2,N1,U1,PR1,01/06/2023,E7,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"INT03", 3, H, E "2002,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL,
                 H "2002,2,15/06/2011,WBRI,UN2,,\n",
                 E "2002,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"EPI", 3, H "2002,2,15/06/2011,WBRI,UN2,,\n", E, NULL,
               H "2002,2,15/06/2011,WBRI,UN2,,\n",
               E "2002,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n", NULL},
    {"INT32", 3, H H, E, NULL, H, E, NULL},
    {"INT09", 2, H, E, "9999,1,15/06/2010,\n", H, E, "1001,1,15/06/2010,\n"},
};

static void run_case(struct t903 *t, const struct rule_case *c)
{
    liia_903_result r;
    liia_error e;
    liia_903_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", c->fail_h, c->fail_e, c->fail_u, 0, &r, &e), 0);
    long line = t903_finding_line(&r, c->code);
    if (line != c->line)
        fprintf(stderr, "rule %s: breaking row reported on line %ld, want %ld\n",
                c->code, line, c->line);
    CHECK_INT(line, c->line);
    liia_903_result_free(&r);

    liia_903_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", c->pass_h, c->pass_e, c->pass_u, 0, &r, &e), 0);
    if (t903_finding_line(&r, c->code))
        fprintf(stderr, "rule %s: reported on the passing row\n", c->code);
    CHECK_INT(t903_finding_line(&r, c->code), 0);
    liia_903_result_free(&r);
}

/* The base child is clean, so every case above tests one rule only. */
static void test_base_is_clean(struct t903 *t)
{
    liia_903_result r;
    liia_error e;
    liia_903_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", H, E, "1001,1,15/06/2010,\n", 0, &r, &e), 0);
    for (size_t i = 0; i < r.findings.count; i++)
        liia_error_print(stderr, &r.findings.items[i]);
    CHECK_INT(r.findings.count, 0);
    liia_903_result_free(&r);
}

/* Every rule of rules.json and every cell rule of tables.json has a case. */
static void test_all_rules_covered(void)
{
    static const char *const cell_rules[] = {"101", "102", "103", "165", "168", "171",
                                             "141", "143", "144", "145", "146", "147",
                                             "149", "178", "1009", "392c", "104"};
    size_t n = sizeof cases / sizeof *cases;
    CHECK(n >= 40);
    char *text = NULL;
    size_t len = 0;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_read_file(SCHEMA_DIR "/ssda903/rules.json", &text, &len, &e), 0);
    size_t rules_json = 0;
    for (const char *p = text; p && (p = strstr(p, "\"code\": \"")); p += 9) {
        char code[16] = "";
        sscanf(p + 9, "%15[^\"]", code);
        rules_json++;
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= !strcmp(cases[i].code, code);
        if (!found)
            fprintf(stderr, "rule %s of rules.json has no test case\n", code);
        CHECK(found);
    }
    CHECK_INT(rules_json + sizeof cell_rules / sizeof *cell_rules, n);
    free(text);
}

int main(void)
{
    struct t903 t;
    if (t903_open(&t, "test_903_rules"))
        return 1;
    test_base_is_clean(&t);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_case(&t, &cases[i]);
    test_all_rules_covered();
    t903_close(&t);
    return unit_result("test_903_rules");
}
