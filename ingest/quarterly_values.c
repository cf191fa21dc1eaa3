/*
 * quarterly_values.c - cell values as data leads type them.  Parsing is
 * strict and explicit (no strtod on raw input): "1,234", "12 ", "5%",
 * "1e3" and "0x10" are all malformed rather than quietly read as something
 * else.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "quarterly_internal.h"

/* No real quarterly figure for one authority comes near this. */
#define Q_MAX_VALUE 1e9

/* Spaces and tabs only, as docs/file-format.md says: a vertical tab, form
 * feed or line break around a value is junk, not padding. */
static int q_blank(char c)
{
    return c == ' ' || c == '\t';
}

void q_trim(const char **s, size_t *len)
{
    while (*len && q_blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && q_blank((*s)[*len - 1]))
        (*len)--;
}

enum q_parse q_parse_number(const char *s, size_t len, int max_dp,
                            double min, double *out)
{
    size_t i = 0, digits = 0, significant = 0, dp = 0;
    int negative = 0, point = 0;
    double v = 0, scale = 1;
    /* Digits only: no '+'.  A '-' is read only to say "negative" rather
     * than "malformed" about -5; "-0" is neither a count nor negative. */
    if (len && s[0] == '-') {
        negative = 1;
        i = 1;
    }
    for (; i < len; i++) {
        if (s[i] == '.' && !point) {
            point = 1;
        } else if (isdigit((unsigned char)s[i])) {
            digits++;
            /* Leading zeros are no part of the value (007 = 7) and do not
             * count towards the 15 digits a double holds exactly; digits
             * past those make the value absurd, but the whole cell is still
             * checked for junk. */
            if ((significant || point || s[i] != '0') && ++significant <= 15)
                v = v * 10 + (s[i] - '0');
            if (point && ++dp <= 15)
                scale *= 10;
        } else {
            return QP_MALFORMED;
        }
    }
    if (digits == 0 || (point && dp == 0) || (negative && v == 0))
        return QP_MALFORMED;
    if (point && max_dp == 0)
        return QP_MALFORMED; /* a count must be a whole number */
    if ((int)dp > max_dp)
        return QP_TOO_MANY_DP;
    if (significant > 15)
        return QP_TOO_LARGE;
    v /= scale; /* one division by an exact power of ten: 12.34 = 1234 / 100 */
    if (negative && v != 0 && -v < min)
        return QP_NEGATIVE;
    if (v > Q_MAX_VALUE)
        return QP_TOO_LARGE;
    *out = negative ? -v : v;
    return QP_OK;
}

int q_suppression_mark(const char *s, size_t len)
{
    /* The marks DfE and ONS tables use for suppressed or missing cells. */
    static const char *const marks[] = {"c", "x", "z", "-", "--", "*", "**", "..",
                                        "n/a", "na", "n.a.", "[c]", "[x]", "[z]",
                                        "~", "suppressed", "redacted"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strlen(marks[i]) == len && !strncasecmp(s, marks[i], len))
            return 1;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

int q_parse_date(const char *s, size_t len, char iso[11])
{
    int d = 0, m = 0, y = 0, nd = 0, nm = 0, ny = 0;
    size_t i = 0;
    for (; i < len && isdigit((unsigned char)s[i]) && nd < 2; i++, nd++)
        d = d * 10 + (s[i] - '0');
    if (i >= len || s[i++] != '/')
        return -1;
    for (; i < len && isdigit((unsigned char)s[i]) && nm < 2; i++, nm++)
        m = m * 10 + (s[i] - '0');
    if (i >= len || s[i++] != '/')
        return -1;
    for (; i < len && isdigit((unsigned char)s[i]) && ny < 4; i++, ny++)
        y = y * 10 + (s[i] - '0');
    if (i != len || nd == 0 || nm == 0 || ny != 4 || m < 1 || m > 12 ||
        y < 1900 || d < 1 || d > days_in_month(y, m))
        return -1;
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    liia_strlcpy(iso, buf, 11);
    return 0;
}

/* Outward code: A9, A99, AA9, AA99, A9A, AA9A; inward: 9AA. */
int q_parse_postcode(const char *s, size_t len, char out[9])
{
    char c[8];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ')
            continue;
        if (!isalnum((unsigned char)s[i]) || n == sizeof c)
            return -1;
        c[n++] = (char)toupper((unsigned char)s[i]);
    }
    if (n < 5 || n > 7 || !isdigit((unsigned char)c[n - 3]) ||
        !isalpha((unsigned char)c[n - 2]) || !isalpha((unsigned char)c[n - 1]) ||
        !isalpha((unsigned char)c[0]))
        return -1;
    size_t out_len = n - 3;
    int has_digit = 0;
    for (size_t i = 1; i < out_len; i++)
        has_digit |= isdigit((unsigned char)c[i]) != 0;
    if (!has_digit)
        return -1;
    memcpy(out, c, out_len);
    out[out_len] = ' ';
    memcpy(out + out_len + 1, c + out_len, 3);
    out[n + 1] = '\0';
    return 0;
}
