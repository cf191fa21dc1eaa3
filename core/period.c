/* period.c - quarters: stored as their end date, also read as 2024-25Q4. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "liia_core.h"

static const char *const quarter_months[4] = {"Jan-Mar", "Apr-Jun", "Jul-Sep",
                                              "Oct-Dec"};

/* Parses exactly n digits at s. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int quarter_end_day(int month)
{
    switch (month) {
    case 3: case 12: return 31;
    case 6: case 9: return 30;
    default: return 0;
    }
}

static void format_end(int year, int month, char out[11])
{
    /* Bounded fields so the compiler can see 10 characters always fit. */
    unsigned y = (unsigned)year % 10000u, m = (unsigned)month % 100u;
    unsigned d = (unsigned)quarter_end_day(month) % 100u;
    snprintf(out, 11, "%04u-%02u-%02u", y, m, d);
}

static int parse_iso(const char *s, int *y, int *m, int *d)
{
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && !digits(s, 4, y) &&
                   !digits(s + 5, 2, m) && !digits(s + 8, 2, d)
               ? 0
               : -1;
}

/* dd/mm/yyyy, which is what Excel makes of a date in a UK locale. */
static int parse_uk(const char *s, int *y, int *m, int *d)
{
    return strlen(s) == 10 && s[2] == '/' && s[5] == '/' && !digits(s, 2, d) &&
                   !digits(s + 3, 2, m) && !digits(s + 6, 4, y)
               ? 0
               : -1;
}

static int parse_fy(const char *s, int *y, int *m)
{
    int y1, y2, q;
    if (strlen(s) != 9 || s[4] != '-' || (s[7] != 'Q' && s[7] != 'q') ||
        digits(s, 4, &y1) || digits(s + 5, 2, &y2) || digits(s + 8, 1, &q))
        return -1;
    /* The same years as the date form accepts, so both round-trip. */
    if ((y1 + 1) % 100 != y2 || q < 1 || q > 4 || y1 < 2000 || y1 > 2098)
        return -1;
    static const int end_month[4] = {6, 9, 12, 3};
    *m = end_month[q - 1];
    *y = q == 4 ? y1 + 1 : y1;
    return 0;
}

/* A well-formed quarter end in any year: y, m filled. */
static int any_quarter_end(const char *s, int *y, int *m)
{
    int d, y1, y2, q;
    if (strlen(s) == 9 && s[4] == '-' && (s[7] == 'Q' || s[7] == 'q') &&
        !digits(s, 4, &y1) && !digits(s + 5, 2, &y2) && !digits(s + 8, 1, &q) &&
        (y1 + 1) % 100 == y2 && q >= 1 && q <= 4) {
        static const int end_month[4] = {6, 9, 12, 3};
        *m = end_month[q - 1];
        *y = q == 4 ? y1 + 1 : y1;
        return 1;
    }
    return (!parse_iso(s, y, m, &d) || !parse_uk(s, y, m, &d)) &&
           quarter_end_day(*m) && d == quarter_end_day(*m);
}

int liia_period_out_of_range(const char *text, const char *today, char *why,
                             size_t whysz)
{
    int y, m, ty, tm, td;
    if (!any_quarter_end(text, &y, &m))
        return 0;
    char end[11];
    format_end(y, m, end);
    if (strcmp(end, LIIA_FIRST_PERIOD) < 0) {
        snprintf(why, whysz, "is before the first supported quarter (Q1 "
                 "2000-01, ending %s)", LIIA_FIRST_PERIOD);
        return 1;
    }
    if (strcmp(end, "2099-03-31") > 0) {
        snprintf(why, whysz, "is after the last supported quarter "
                 "(2099-03-31)");
        return 1;
    }
    if (!today || parse_iso(today, &ty, &tm, &td))
        return 0;
    /* today + 3 months as a date string: "2027-02-30" still compares
     * correctly with every real quarter end */
    char limit[16];
    tm += 3;
    if (tm > 12)
        tm -= 12, ty++;
    snprintf(limit, sizeof limit, "%04d-%02d-%02d", ty % 10000, tm % 100,
             td % 100);
    if (strcmp(end, limit) > 0) {
        snprintf(why, whysz, "is more than one quarter after today (%.10s)",
                 today);
        return 1;
    }
    return 0;
}

static int period_range_fail(const char *text, const char *why,
                                  liia_error *e)
{
    liia_error_set_value(e, text, strlen(text));
    liia_error_fix(e, "check the year: the platform takes quarters from %s "
                      "up to one quarter after today", LIIA_FIRST_PERIOD);
    return liia_fail(e, LIIA_E_DATA, "period '%s' %s", text, why);
}

int liia_period_check(const char *period, const char *today, liia_error *e)
{
    char why[96];
    return liia_period_out_of_range(period, today, why, sizeof why)
               ? period_range_fail(period, why, e)
               : 0;
}

int liia_period_parse(const char *text, char out[11], liia_error *e)
{
    char s[32];
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    while (n && isspace((unsigned char)*text))
        text++, n--;
    if (n >= sizeof s)
        n = sizeof s - 1;
    memcpy(s, text, n);
    s[n] = '\0';

    int y = 0, m = 0, d = 0;
    if (!parse_fy(s, &y, &m)) {
        format_end(y, m, out);
        return 0;
    }
    if ((!parse_iso(s, &y, &m, &d) || !parse_uk(s, &y, &m, &d)) &&
        quarter_end_day(m) && d == quarter_end_day(m) &&
        /* financial years 2000-01 .. 2098-99, as parse_fy accepts */
        y >= 2000 && (m <= 3 ? y : y + 1) <= 2099 && !(y == 2000 && m == 3)) {
        format_end(y, m, out);
        return 0;
    }
    char why[96];
    if (liia_period_out_of_range(s, NULL, why, sizeof why))
        return period_range_fail(s, why, e);
    liia_error_set_value(e, text, strlen(text));
    liia_error_fix(e, "give the quarter's last day as YYYY-MM-DD (for example "
                      "2025-03-31, 2025-06-30, 2025-09-30 or 2025-12-31) or the "
                      "financial-year form 2024-25Q4 (Q1 = Apr-Jun)");
    return liia_fail(e, LIIA_E_DATA, "'%s' is not a quarter", s);
}

static void split(const char *period, int *y, int *m)
{
    int d;
    if (parse_iso(period, y, m, &d) || !quarter_end_day(*m)) {
        *y = 0;
        *m = 3;
    }
}

int liia_period_fy_end_year(const char *period)
{
    int y, m;
    split(period, &y, &m);
    return m <= 3 ? y : y + 1;
}

void liia_period_fy_form(const char *period, char *out, size_t outsz)
{
    int y, m;
    split(period, &y, &m);
    int fy_end = m <= 3 ? y : y + 1;
    int q = m <= 3 ? 4 : (m - 3) / 3;
    snprintf(out, outsz, "%04d-%02dQ%d", (fy_end - 1) % 10000, fy_end % 100, q);
}

void liia_period_label(const char *period, char *out, size_t outsz)
{
    int y, m;
    split(period, &y, &m);
    int fy_end = m <= 3 ? y : y + 1;
    int q = m <= 3 ? 4 : (m - 3) / 3;
    snprintf(out, outsz, "Q%d %04d-%02d (%s %04d)", q, (fy_end - 1) % 10000,
             fy_end % 100, quarter_months[(m - 1) / 3], y % 10000);
}

void liia_period_shift(const char *period, int quarters_back, char out[11])
{
    int y, m;
    split(period, &y, &m);
    int index = y * 4 + (m / 3 - 1) - quarters_back;
    format_end(index / 4, (index % 4 + 1) * 3, out);
}
