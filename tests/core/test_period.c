/* Periods and error plumbing. */
#include "liia_core.h"
#include "unit.h"

static void accepts(const char *in, const char *want)
{
    char out[11] = "";
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_period_parse(in, out, &e), 0);
    CHECK_STR(out, want);
}

static void rejects(const char *in)
{
    char out[11] = "";
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_period_parse(in, out, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK(strstr(e.fix, "2024-25Q4") != NULL);
}

static void labels(void)
{
    char s[64];
    liia_period_label("2025-03-31", s, sizeof s);
    CHECK_STR(s, "Q4 2024-25 (Jan-Mar 2025)");
    liia_period_label("2024-06-30", s, sizeof s);
    CHECK_STR(s, "Q1 2024-25 (Apr-Jun 2024)");
    liia_period_label("2023-12-31", s, sizeof s);
    CHECK_STR(s, "Q3 2023-24 (Oct-Dec 2023)");
    liia_period_fy_form("2024-09-30", s, sizeof s);
    CHECK_STR(s, "2024-25Q2");
    liia_period_fy_form("2000-03-31", s, sizeof s);
    CHECK_STR(s, "1999-00Q4");
    CHECK_INT(liia_period_fy_end_year("2025-03-31"), 2025);
    CHECK_INT(liia_period_fy_end_year("2024-06-30"), 2025);
    CHECK_INT(liia_period_fy_end_year("2024-12-31"), 2025);
}

static void shifts(void)
{
    char s[11];
    liia_period_shift("2025-03-31", 1, s);
    CHECK_STR(s, "2024-12-31");
    liia_period_shift("2025-03-31", 4, s);
    CHECK_STR(s, "2024-03-31");
    liia_period_shift("2024-06-30", 1, s);
    CHECK_STR(s, "2024-03-31");
    liia_period_shift("2024-12-31", -1, s);
    CHECK_STR(s, "2025-03-31");
    liia_period_shift("2023-06-30", 7, s);
    CHECK_STR(s, "2021-09-30");
}

static void errors(void)
{
    liia_error e;
    liia_error_clear(&e);
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    liia_error_set_value(&e, big, strlen(big));
    CHECK(strlen(e.value) == sizeof e.value - 1);
    CHECK(!strcmp(e.value + sizeof e.value - 4, "..."));
    liia_error_set_value(&e, "a\nb\tc", 5);
    CHECK_STR(e.value, "a?b?c");
    /* A cut in the middle of "é" must not leave half a character. */
    char accents[400] = "";
    for (int i = 0; i < 150; i++)
        strcat(accents, "\xC3\xA9");
    liia_error_set_value(&e, accents, strlen(accents));
    size_t n = strlen(e.value);
    CHECK(!strcmp(e.value + n - 3, "..."));
    CHECK(((unsigned char)e.value[n - 4] & 0xC0) == 0x80);
    for (int s = 0; s < LIIA_STATUS_COUNT; s++)
        CHECK(strcmp(liia_status_name((liia_status)s), "unknown error") != 0);
    CHECK_INT(liia_status_exit_code(LIIA_E_DATA), 1);
    CHECK_INT(liia_status_exit_code(LIIA_E_USAGE), 2);
    CHECK_INT(liia_status_exit_code(LIIA_E_DB), 3);
    CHECK_INT(liia_fail(&e, LIIA_E_IO, "x %d", 1), -1);
    CHECK_STR(e.message, "x 1");
}

/* A quarter before the first supported one, or too far ahead, has its own
 * message, never "not a quarter" (issue 10). */
static void ranges(void)
{
    char out[11], why[96];
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_period_parse("1999-03-31", out, &e), -1);
    CHECK_STR(e.message, "period '1999-03-31' is before the first supported "
                         "quarter (Q1 2000-01, ending 2000-06-30)");
    CHECK(strstr(e.fix, "2000-06-30") != NULL);
    liia_error_clear(&e);
    CHECK_INT(liia_period_parse("1998-99Q4", out, &e), -1);
    CHECK(strstr(e.message, "before the first supported quarter") != NULL);
    liia_error_clear(&e);
    CHECK_INT(liia_period_parse("1999-02-28", out, &e), -1);
    CHECK(strstr(e.message, "is not a quarter") != NULL);
    /* today 2026-12-03: up to 2027-03-03 is within one quarter */
    CHECK_INT(liia_period_out_of_range("2026-12-31", "2026-12-03", why, sizeof why), 0);
    CHECK_INT(liia_period_out_of_range("2027-03-31", "2026-12-03", why, sizeof why), 1);
    CHECK_STR(why, "is more than one quarter after today (2026-12-03)");
    CHECK_INT(liia_period_out_of_range("2027-03-31", "2026-12-31", why, sizeof why), 0);
    CHECK_INT(liia_period_out_of_range("2035-06-30", NULL, why, sizeof why), 0);
    CHECK_INT(liia_period_out_of_range("not a date", "2026-12-03", why, sizeof why), 0);
    liia_error_clear(&e);
    CHECK_INT(liia_period_check("2035-06-30", "2026-12-03", &e), -1);
    CHECK_STR(e.message, "period '2035-06-30' is more than one quarter after today (2026-12-03)");
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK_INT(liia_period_check("2025-03-31", "2026-12-03", &e), 0);
}

int main(void)
{
    ranges();
    accepts("2025-03-31", "2025-03-31");
    accepts(" 2024-06-30 ", "2024-06-30");
    accepts("2024-25Q4", "2025-03-31");
    accepts("2024-25q1", "2024-06-30");
    accepts("2024-25Q3", "2024-12-31");
    accepts("31/12/2024", "2024-12-31");
    rejects("2025-03-30");
    rejects("2025-02-28");
    rejects("2024-26Q4");
    rejects("2024-25Q5");
    rejects("45382");
    rejects("");
    rejects("2025-3-31");
    labels();
    shifts();
    errors();
    return unit_result("test_period");
}
