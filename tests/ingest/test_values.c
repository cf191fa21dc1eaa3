/* test_values.c - cell parsing: what a data lead may type, and what not. */
#include <string.h>

#include "quarterly_internal.h"
#include "unit.h"

static enum q_parse num(const char *s, int max_dp, double *v)
{
    return q_parse_number(s, strlen(s), max_dp, 0, v);
}

static void test_counts(void)
{
    double v = -1;
    CHECK_INT(num("512", 0, &v), QP_OK);
    CHECK_NEAR(v, 512, 0);
    CHECK_INT(num("0", 0, &v), QP_OK);
    CHECK_NEAR(v, 0, 0);
    /* Digits only (docs/file-format.md): no sign; "-0" is neither a
     * count nor negative (issue 11). */
    CHECK_INT(num("+7", 0, &v), QP_MALFORMED);
    CHECK_INT(num("-0", 0, &v), QP_MALFORMED);
    CHECK_INT(num("-00.00", 2, &v), QP_MALFORMED);
    CHECK_INT(num("--5", 0, &v), QP_MALFORMED);
    CHECK_INT(num("+-5", 0, &v), QP_MALFORMED);
    CHECK_INT(num("-5", 0, &v), QP_NEGATIVE);
    CHECK_INT(num("12.5", 0, &v), QP_MALFORMED);  /* a count is whole */
    CHECK_INT(num("1,234", 0, &v), QP_MALFORMED);
    CHECK_INT(num("1 234", 0, &v), QP_MALFORMED);
    CHECK_INT(num("5%", 0, &v), QP_MALFORMED);
    CHECK_INT(num("1e3", 0, &v), QP_MALFORMED);
    CHECK_INT(num("0x10", 0, &v), QP_MALFORMED);
    CHECK_INT(num("-", 0, &v), QP_MALFORMED);
    CHECK_INT(num("n/a", 0, &v), QP_MALFORMED);
    CHECK_INT(num("-abc", 0, &v), QP_MALFORMED);
    CHECK_INT(num("1000000001", 0, &v), QP_TOO_LARGE);
    CHECK_INT(num("99999999999999999999999999999999999", 0, &v), QP_TOO_LARGE);
    CHECK_INT(num("9999999999999999999999999999999999x", 0, &v), QP_MALFORMED);
    /* Leading zeros are no part of the value and do not count towards the
     * 15-digit limit; significant digits past it do. */
    v = -1;
    CHECK_INT(num("000000000000000000000000000000000001", 0, &v), QP_OK);
    CHECK_NEAR(v, 1, 0);
    CHECK_INT(num("007", 0, &v), QP_OK);
    CHECK_NEAR(v, 7, 0);
    CHECK_INT(num("0000000000000000000000100000000000000", 0, &v), QP_TOO_LARGE);
    CHECK_INT(num("0000000000000000000000000000000000012.50", 2, &v), QP_OK);
    CHECK_NEAR(v, 12.5, 1e-12);
}

static void test_fte(void)
{
    double v = -1;
    CHECK_INT(num("182.5", 2, &v), QP_OK);
    CHECK_NEAR(v, 182.5, 1e-12);
    CHECK_INT(num("31.25", 2, &v), QP_OK);
    CHECK_NEAR(v, 31.25, 1e-12);
    CHECK_INT(num(".5", 2, &v), QP_OK);
    CHECK_NEAR(v, 0.5, 1e-12);
    CHECK_INT(num("22", 2, &v), QP_OK);
    CHECK_INT(num("31.255", 2, &v), QP_TOO_MANY_DP);
    CHECK_INT(num("-1.5", 2, &v), QP_NEGATIVE);
    CHECK_INT(num("1.", 2, &v), QP_MALFORMED);
    CHECK_INT(num("1.2.3", 2, &v), QP_MALFORMED);
    CHECK_INT(num("", 2, &v), QP_MALFORMED);
    /* a minimum below zero allows negatives (for other return types) */
    CHECK_INT(q_parse_number("-1.5", 4, 2, -10, &v), QP_OK);
    CHECK_NEAR(v, -1.5, 1e-12);
}

static void test_trim(void)
{
    const char *s = "  512\t";
    size_t len = strlen(s);
    q_trim(&s, &len);
    CHECK_INT(len, 3);
    CHECK(!strncmp(s, "512", 3));
    s = "   ";
    len = 3;
    q_trim(&s, &len);
    CHECK_INT(len, 0);
    /* Vertical tab and form feed are not padding: they stay, and the value
     * is malformed (issue 11). */
    double v;
    s = "\v5\f";
    len = 3;
    q_trim(&s, &len);
    CHECK_INT(len, 3);
    CHECK_INT(q_parse_number(s, len, 0, 0, &v), QP_MALFORMED);
}

static void test_dates(void)
{
    char iso[11];
    CHECK_INT(q_parse_date("31/03/2025", 10, iso), 0);
    CHECK_STR(iso, "2025-03-31");
    CHECK_INT(q_parse_date("1/4/2024", 8, iso), 0);
    CHECK_STR(iso, "2024-04-01");
    CHECK_INT(q_parse_date("29/02/2024", 10, iso), 0);
    CHECK_INT(q_parse_date("29/02/2025", 10, iso), -1);
    CHECK_INT(q_parse_date("31/04/2025", 10, iso), -1);
    CHECK_INT(q_parse_date("2025-03-31", 10, iso), -1);
    CHECK_INT(q_parse_date("31/13/2025", 10, iso), -1);
    CHECK_INT(q_parse_date("31/03/25", 8, iso), -1);
}

static void test_postcodes(void)
{
    char pc[9];
    CHECK_INT(q_parse_postcode("nw1 2ab", 7, pc), 0);
    CHECK_STR(pc, "NW1 2AB");
    CHECK_INT(q_parse_postcode("SW1A1AA", 7, pc), 0);
    CHECK_STR(pc, "SW1A 1AA");
    CHECK_INT(q_parse_postcode("E1 6AN", 6, pc), 0);
    CHECK_STR(pc, "E1 6AN");
    CHECK_INT(q_parse_postcode("12345", 5, pc), -1);
    CHECK_INT(q_parse_postcode("NW1", 3, pc), -1);
    CHECK_INT(q_parse_postcode("NW1-2AB", 7, pc), -1);
}

/* The submission's file list: base names, whole, and " + N more" when
 * the rest do not fit (a name cut in half reads as a different file). */
static void test_file_names(void)
{
    const char *two[] = {"/in/CAM_header.csv", "CAM_episodes.csv"};
    char out[200];
    ingest_file_names(two, 2, out, sizeof out);
    CHECK_STR(out, "CAM_header.csv + CAM_episodes.csv");
    const char *many[] = {"/a/CAM_2025-03-31_header.csv", "/a/CAM_2025-03-31_episodes.csv",
                          "/a/CAM_2025-03-31_uasc.csv", "/a/CAM_2025-03-31_reviews.csv",
                          "/a/CAM_2025-03-31_missing.csv"};
    char small[80];
    ingest_file_names(many, 5, small, sizeof small);
    CHECK_STR(small, "CAM_2025-03-31_header.csv + CAM_2025-03-31_episodes.csv + 3 more");
    ingest_file_names(many, 5, out, sizeof out);
    CHECK(strstr(out, "more") == NULL && strstr(out, "_missing.csv") != NULL);
}

int main(void)
{
    test_file_names();
    test_counts();
    test_fte();
    test_trim();
    test_dates();
    test_postcodes();
    return unit_result("ingest_values");
}
