/* xlsx_read.c - see xlsx_read.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"
#include "xlsx_read.h"

static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    liia_buf b;
    liia_buf_init(&b);
    char chunk[8192];
    size_t n;
    int ok = 1;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        if (liia_buf_append(&b, chunk, n))
            ok = 0;
    if (pclose(p) != 0 || !ok) {
        liia_buf_free(&b);
        return NULL;
    }
    return liia_buf_detach(&b);
}

char *xlsx_member(const char *xlsx, const char *member)
{
    /* unzip reads member names as wildcards: "[" must be written "[[]". */
    char name[512], cmd[4096];
    size_t n = 0;
    for (const char *p = member; *p && n + 4 < sizeof name; p++)
        if (*p == '[') {
            memcpy(name + n, "[[]", 3);
            n += 3;
        } else
            name[n++] = *p;
    name[n] = '\0';
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", xlsx, name);
    char *out = run(cmd);
    if (out && !out[0]) {
        free(out);
        return NULL;
    }
    return out;
}

char *xlsx_list(const char *xlsx)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "unzip -Z1 '%s' 2>/dev/null", xlsx);
    return run(cmd);
}

/* Undoes the XML escapes libxlsxwriter writes. */
static char *unescape(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    static const struct {
        const char *esc;
        char c;
    } map[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
               {"&quot;", '"'}, {"&apos;", '\''}};
    for (size_t i = 0; i < n;) {
        size_t k, m = sizeof map / sizeof map[0];
        for (k = 0; k < m; k++)
            if (!strncmp(s + i, map[k].esc, strlen(map[k].esc)))
                break;
        if (k < m) {
            *o++ = map[k].c;
            i += strlen(map[k].esc);
        } else
            *o++ = s[i++];
    }
    *o = '\0';
    return out;
}

static void load_strings(xlsx_sheet *s, const char *xlsx)
{
    char *xml = xlsx_member(xlsx, "xl/sharedStrings.xml");
    for (const char *p = xml; p && (p = strstr(p, "<si>"));) {
        const char *t = strstr(p, "<t"), *end = strstr(p, "</si>");
        p += 4;
        if (!t || !end)
            break;
        t = strchr(t, '>') + 1;
        const char *te = strstr(t, "</t>");
        char **n = realloc(s->strings, (s->nstrings + 1) * sizeof *n);
        if (!n)
            break;
        s->strings = n;
        s->strings[s->nstrings++] = unescape(t, te && te < end
                                                    ? (size_t)(te - t) : 0);
    }
    free(xml);
}

int xlsx_sheet_open(xlsx_sheet *s, const char *xlsx, int n)
{
    memset(s, 0, sizeof *s);
    char member[64];
    snprintf(member, sizeof member, "xl/worksheets/sheet%d.xml", n);
    s->xml = xlsx_member(xlsx, member);
    if (!s->xml)
        return -1;
    load_strings(s, xlsx);
    return 0;
}

void xlsx_sheet_close(xlsx_sheet *s)
{
    for (size_t k = 0; k < s->nstrings; k++)
        free(s->strings[k]);
    free(s->strings);
    free(s->xml);
    memset(s, 0, sizeof *s);
}

const char *xlsx_cell(xlsx_sheet *s, const char *ref)
{
    char key[32];
    snprintf(key, sizeof key, "<c r=\"%s\"", ref);
    const char *c = strstr(s->xml, key);
    if (!c) {
        s->value[0] = '\0';
        return s->value;
    }
    return xlsx_cell_at(s, c);
}

const char *xlsx_cell_at(xlsx_sheet *s, const char *c)
{
    char *value = s->value;
    value[0] = '\0';
    const char *close = strstr(c, ">");
    if (!close || close[-1] == '/')
        return value; /* <c r="A1" s="3"/>: formatted but empty */
    const char *v = strstr(c, "<v>"), *end = strstr(c, "</c>");
    const char *is = strstr(c, "<is><t");
    if (is && end && is < end) {
        /* An inline string: what constant-memory workbooks write. */
        is = strchr(is + 6, '>') + 1;
        char *text = unescape(is, (size_t)(strstr(is, "</t>") - is));
        liia_strlcpy(value, text ? text : "?", sizeof s->value);
        free(text);
        return value;
    }
    if (!v || !end || v > end)
        return value;
    v += 3;
    size_t n = (size_t)(strstr(v, "</v>") - v);
    if (n >= sizeof s->value)
        n = sizeof s->value - 1;
    memcpy(value, v, n);
    value[n] = '\0';
    const char *t = strstr(c, " t=\"s\"");
    if (t && t < close) {
        size_t idx = (size_t)strtoul(value, NULL, 10);
        liia_strlcpy(value, idx < s->nstrings ? s->strings[idx] : "?",
                     sizeof s->value);
    }
    return value;
}

int pdf_pages(const char *pdf)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", pdf);
    char *out = run(cmd);
    const char *p = out ? strstr(out, "Pages:") : NULL;
    int n = p ? atoi(p + 6) : -1;
    free(out);
    return n;
}
