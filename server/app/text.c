/* text.c - UTF-8 checks for text people send.  Whatever a user types is
 * stored and later turned into JSON, and jansson refuses a string that is
 * not valid UTF-8: one stored byte 0xFF would make every page that reads
 * it fail.  So free text is refused when invalid (a note), text that must
 * be recorded anyway (a sign-in name in the audit trail) is cleaned, and
 * reading never trusts the store to be clean. */
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0: no
 * overlong forms, surrogates or code points past U+10FFFF (RFC 3629). */
static size_t seq_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (!n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) /* a NUL stops here too: never read past it */
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

int liia_app_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (size_t n; *p; p += n)
        if (!(n = seq_len(p)))
            return 0;
    return 1;
}

size_t liia_app_utf8_length(const char *s)
{
    size_t chars = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (size_t n; *p; p += n ? n : 1, chars++)
        n = seq_len(p);
    return chars;
}

void liia_app_utf8_clean(const char *s, char *out, size_t sz)
{
    static const char fffd[] = "\xEF\xBF\xBD"; /* U+FFFD REPLACEMENT CHARACTER */
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t o = 0;
    for (size_t n; *p; p += n ? n : 1) {
        n = seq_len(p);
        const char *from = n ? (const char *)p : fffd;
        size_t len = n ? n : 3;
        if (o + len >= sz)
            break; /* a character that does not fit is left out whole */
        memcpy(out + o, from, len);
        o += len;
    }
    if (sz)
        out[o] = '\0';
}

char *app_utf8_dup(const char *s)
{
    size_t sz = 3 * strlen(s) + 1; /* each bad byte grows to 3 */
    char *out = malloc(sz);
    if (out)
        liia_app_utf8_clean(s, out, sz);
    return out;
}

json_t *liia_app_json_text(const char *s)
{
    s = s ? s : "";
    if (liia_app_utf8_valid(s))
        return json_string(s);
    char *clean = app_utf8_dup(s);
    json_t *j = clean ? json_string(clean) : NULL;
    free(clean);
    return j;
}

int app_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (!s || liia_app_utf8_valid(s))
        return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    char *clean = app_utf8_dup(s);
    return clean ? sqlite3_bind_text(st, i, clean, -1, free) : SQLITE_NOMEM;
}
