/* ssda903_dates.c - the dates of the SSDA903 return: parsing dd/mm/yyyy,
 * ISO text, years/months/days arithmetic.  Used by the schema compiler and
 * the rule evaluator alike (neither depends on the other). */
#include <stdint.h>
#include <string.h>

#include "ssda903_internal.h"

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Written by hand: dates are formatted for every date cell and every age
 * check (snprintf was a measurable share of the load), and for every date
 * the cross-part pass reads back: two digits at a time from a table.
 * 0 <= y <= 9999. */
static void format_iso(int y, int m, int d, char iso[11])
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    if ((unsigned)y > 9999u || (unsigned)m > 99u || (unsigned)d > 99u)
        y = m = d = 0;   /* never from a checked date: no read past the table */
    memcpy(iso, pairs + 2 * (y / 100), 2);
    memcpy(iso + 2, pairs + 2 * (y % 100), 2);
    iso[4] = '-';
    memcpy(iso + 5, pairs + 2 * m, 2);
    iso[7] = '-';
    memcpy(iso + 8, pairs + 2 * d, 2);
    iso[10] = '\0';
}

/* The DfE format is dd/mm/yyyy; yyyy-mm-dd is accepted because
 * spreadsheet exports often produce it.  Two-digit years are refused:
 * guessing the century of a date of birth is how errors get in. */
int s903_parse_date(const char *s, size_t len, char iso[11])
{
    int y, m, d;
    if (len == 10 && s[2] == '/' && s[5] == '/') {
        if (digits(s, 2, &d) || digits(s + 3, 2, &m) || digits(s + 6, 4, &y))
            return -1;
    } else if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
            return -1;
    } else {
        return -1;
    }
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    format_iso(y, m, d, iso);
    return 0;
}

/* One part of a partial date: 1 or 2 digits (width 2), 4 digits (width
 * 4), or all Z (*unknown set); -1 otherwise. */
static int pdate_part(const char *s, size_t n, size_t width, int *v, int *unknown)
{
    size_t z = 0;
    while (z < n && s[z] == 'Z')   /* s is not NUL-terminated: a kept cell */
        z++;
    *unknown = n == width && z == n;
    if (*unknown)
        return 0;
    if (n < (width == 2 ? 1 : 4) || n > width)
        return -1;
    return digits(s, n, v);
}

/* As DfE's validator reads DATE_PERM: ZZZZ is 2000; a ZZ month makes the
 * date a year less a day after the given day of January (ZZ/ZZ/2019:
 * 31/12/2019); a ZZ day is the month's last day.  Parts split at the
 * first two '/'. */
int s903_parse_pdate(const char *s, size_t len, char iso[11])
{
    const char *a = memchr(s, '/', len), *b = a ? memchr(a + 1, '/', len - (size_t)(a + 1 - s)) : NULL;
    int d = 1, m = 1, y = 2000, zd, zm, zy;
    if (!b || pdate_part(s, (size_t)(a - s), 2, &d, &zd) ||
        pdate_part(a + 1, (size_t)(b - a - 1), 2, &m, &zm) ||
        pdate_part(b + 1, len - (size_t)(b + 1 - s), 4, &y, &zy))
        return -1;
    d = zd ? 1 : d;
    m = zm ? 1 : m;
    y = zy ? 2000 : y;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    if (zm && d == 1)
        d = 31, m = 12;
    else if (zm)
        d--, y++;
    else if (zd)
        d = days_in_month(y, m);
    if (y > 9999)
        return -1;
    format_iso(y, m, d, iso);
    return 0;
}

static long days_from_civil(int y, int m, int d)
{
    /* H. Hinnant's days_from_civil: days since 1970-01-01. */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Date arithmetic on yyyymmdd integers, not text: every age check of
 * every episode shifts a date (header.DOB+18y), and formatting and
 * re-parsing ISO text was a fifth of the rule evaluation. */
int32_t s903_ymd_add(int32_t ymd, int years, int months, int days)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    if (m < 1 || m > 12 || years < -9999 || years > 9999 || months < -120000 ||
        months > 120000 || days < -3660000 || days > 3660000)
        return 0;
    long mm = (long)(y + years) * 12 + (m - 1) + months;
    y = (int)(mm / 12);
    m = (int)(mm % 12) + 1;
    if (y < 1 || y > 9999)
        return 0;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    if (days)
        civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return 0;
    return (int32_t)(y * 10000 + m * 100 + d);
}

int s903_ymd_weekday(int32_t ymd)
{
    /* 1970-01-01 was a Thursday (3) */
    long z = days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
    return (int)(((z % 7) + 7 + 3) % 7);
}

int32_t s903_ymd_month_end(int32_t ymd)
{
    int y = ymd / 10000, m = ymd / 100 % 100;
    return m < 1 || m > 12 ? 0 : (int32_t)(y * 10000 + m * 100 + days_in_month(y, m));
}

void s903_iso_of_ymd(int32_t ymd, char iso[11])
{
    format_iso(ymd / 10000 % 10000, ymd / 100 % 100, ymd % 100, iso);
}

int32_t s903_ymd(const char *iso)
{
    /* unrolled: the rules and measures read a date this way millions of times */
#define D(i) (int32_t)(iso[i] - '0')
    return D(0) * 10000000 + D(1) * 1000000 + D(2) * 100000 + D(3) * 10000 +
           D(5) * 1000 + D(6) * 100 + D(8) * 10 + D(9);
#undef D
}

