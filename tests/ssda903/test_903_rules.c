/*
 * The DfE rules are tested one fixture pair per rule
 * (schemas/ssda903/fixtures/, test_903_fixture.c: one CTest test each).
 * Here: the base child those fixtures start from passes every rule, so a
 * fixture tests its own rule only.  Period 2024-03-31: collection year
 * 2023-24 (SEX coded 1/2).
 */
#include "t903.h"
#include "unit.h"

#define H "1001,1,15/06/2010,WBRI,A123456789012,,\n"
#define E "1001,01/05/2023,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,SC123456\n"

/* The base child is clean. */
static void test_base_is_clean(struct t903 *t)
{
    liia_ingest_result r;
    liia_error e;
    liia_ingest_result_init(&r);
    CHECK_INT(t903_ingest(t, "2024-03-31", H, E, "1001,1,15/06/2010,\n", 0, &r, &e), 0);
    for (size_t i = 0; i < r.findings.count; i++)
        liia_error_print(stderr, &r.findings.items[i]);
    /* but for the note that the rules comparing with last year's return
     * did not run (the store holds none) */
    CHECK_INT(r.findings.count, 1);
    const liia_error *nr = t903_finding(&r, "LIIA-903-PREV");
    CHECK(nr != NULL && nr->severity == LIIA_SEV_INFO && strstr(nr->message, "503A") &&
          strstr(nr->message, "no 2022-23 return stored"));
    CHECK_INT(r.findings.errors + r.findings.warnings, 0);
    liia_ingest_result_free(&r);
}

int main(void)
{
    struct t903 t;
    if (t903_open(&t, "test_903_rules"))
        return 1;
    test_base_is_clean(&t);
    t903_close(&t);
    return unit_result("test_903_rules");
}
