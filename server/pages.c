/* pages.c - server-rendered HTML: one layout, escaped text, accessible
 * tables and forms; no JavaScript anywhere. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_internal.h"

const char srv_css[] =
    "body{font-family:DejaVu Sans,Arial,sans-serif;margin:0;color:#0b0c0c;background:#fff;"
    "line-height:1.4}\n"
    "header{background:#1d3557;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;"
    "gap:1em;align-items:center}\n"
    "header a,header button{color:#fff}\nheader nav ul{list-style:none;margin:0;padding:0;"
    "display:flex;gap:1em;flex-wrap:wrap}\n"
    "main{padding:1em;max-width:80em}\n.skip{position:absolute;left:-999em}\n"
    ".skip:focus{left:1em;top:1em;background:#ffdd00;color:#0b0c0c;padding:.3em}\n"
    "table{border-collapse:collapse;margin:1em 0}\nth,td{border:1px solid #505a5f;"
    "padding:.3em .5em;text-align:left;vertical-align:top}\n"
    "caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
    ".error{color:#a4161a;font-weight:bold}\n.sev-error{background:#fde2e2}\n"
    ".sev-warning{background:#fff4cc}\n.value{font-family:DejaVu Sans Mono,monospace;"
    "background:#fde2e2;outline:2px solid #a4161a}\n"
    ".bad{background:#fde2e2;outline:2px solid #a4161a}\n.flag{color:#a4161a}\n"
    ".pid{font-family:DejaVu Sans Mono,monospace}\n.blank{font-style:italic}\n"
    "main li{margin:.4em 0}\nmain li a{display:inline-block;min-height:24px;padding:.2em 0}\n"
    "label{display:block;font-weight:bold;margin-top:.6em}\n"
    "input,select,textarea,button{font-size:1em;margin:.2em 0}\n"
    "button{background:#00703c;color:#fff;border:0;padding:.4em .8em;cursor:pointer}\n"
    "header button{background:transparent;border:1px solid #fff}\n"
    "a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #ffdd00}\n";

void hp(liia_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!text)
        return; /* out of memory: the page is cut short, never overrun */
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    /* Out of memory cuts the page short; html_end still ends what is there. */
    int cut_short = liia_buf_append(b, text, (size_t)n);
    (void)cut_short;
    free(text);
}

void html_esc(liia_buf *b, const char *s)
{
    /* A page is UTF-8: text that is not (a value quoted from a request)
     * is shown with U+FFFD for each bad byte. */
    char *clean = s && !liia_app_utf8_valid(s) ? malloc(3 * strlen(s) + 1) : NULL;
    if (clean) {
        liia_app_utf8_clean(s, clean, 3 * strlen(s) + 1);
        s = clean;
    } else if (s && !liia_app_utf8_valid(s)) {
        return; /* out of memory: the page is cut short, as hp() does */
    }
    for (; s && *s; s++) {
        const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
                          : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (rep ? liia_buf_append(b, rep, strlen(rep)) : liia_buf_append(b, s, 1))
            break;
    }
    free(clean);
}

void html_csrf(liia_buf *b, struct req *r)
{
    hp(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->s.csrf);
}

static void nav(liia_buf *b, struct req *r)
{
    liia_role role = r->s.actor.role;
    hp(b, "<nav aria-label=\"Main\"><ul><li><a href=\"/\">Start</a></li>");
    if (role == LIIA_ROLE_DATA_LEAD)
        hp(b, "<li><a href=\"/upload\">Upload a return</a></li>");
    if (role == LIIA_ROLE_DATA_LEAD || role == LIIA_ROLE_DCS)
        hp(b, "<li><a href=\"/history\">History</a></li>");
    if (role != LIIA_ROLE_ANALYST)
        hp(b, "<li><a href=\"/packs\">Packs</a></li>");
    if (role == LIIA_ROLE_PROGRAMME)
        hp(b, "<li><a href=\"/audit\">Audit</a></li>");
    if (role == LIIA_ROLE_ANALYST)
        hp(b, "<li><a href=\"/query\">Query</a></li>");
    hp(b, "</ul></nav><span>Signed in as ");
    html_esc(b, r->s.actor.name);
    hp(b, " (%s)</span><form method=\"post\" action=\"/logout\">",
                           liia_role_name(role));
    html_csrf(b, r);
    hp(b, "<button type=\"submit\">Sign out</button></form>");
}

void html_begin(liia_buf *b, struct req *r, const char *title)
{
    hp(b, "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
                              "<meta name=\"viewport\" content=\"width=device-width, "
                              "initial-scale=1\"><title>");
    html_esc(b, title);
    hp(b, " - LIIA benchmarking</title><link rel=\"stylesheet\" "
                              "href=\"/style.css\"></head><body><a class=\"skip\" "
                              "href=\"#main\">Skip to main content</a><header><strong>LIIA "
                              "benchmarking</strong>");
    if (r->signed_in)
        nav(b, r);
    hp(b, "</header><main id=\"main\"><h1>");
    html_esc(b, title);
    hp(b, "</h1>");
}

enum MHD_Result html_end(liia_buf *b, struct req *r, unsigned status)
{
    if (liia_buf_appendf(b, "</main></body></html>\n")) {
        liia_buf_free(b);
        return srv_send(r, 500, "text/plain; charset=utf-8", NULL, 0, NULL);
    }
    size_t len = b->len;
    return srv_send(r, status, "text/html; charset=utf-8", liia_buf_detach(b), len, NULL);
}

static void cell(liia_buf *b, json_t *v)
{
    if (json_is_string(v))
        html_esc(b, json_string_value(v));
    else if (json_is_integer(v))
        hp(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        hp(b, "%g", json_real_value(v));
    else
        hp(b, "-");
}

void html_table(liia_buf *b, const char *caption, json_t *rows, const char *const *cols,
                const char *link_key, const char *link_prefix)
{
    size_t i;
    json_t *row;
    hp(b, "<table><caption>");
    html_esc(b, caption);
    hp(b, "</caption><thead><tr>");
    for (const char *const *c = cols; *c; c++) {
        hp(b, "<th scope=\"col\">");
        html_esc(b, strchr(*c, ':') + 1);
        hp(b, "</th>");
    }
    hp(b, "</tr></thead><tbody>");
    json_array_foreach(rows, i, row) {
        hp(b, "<tr>");
        for (const char *const *c = cols; *c; c++) {
            char key[48];
            snprintf(key, sizeof key, "%.*s", (int)(strchr(*c, ':') - *c), *c);
            json_t *link = c == cols && link_key ? json_object_get(row, link_key) : NULL;
            hp(b, "<td>");
            if (json_is_integer(link) && json_integer_value(link) > 0) {
                hp(b, "<a href=\"%s%lld\">", link_prefix, (long long)json_integer_value(link));
                cell(b, json_object_get(row, key));
                hp(b, "</a>");
            } else {
                cell(b, json_object_get(row, key));
            }
            hp(b, "</td>");
        }
        hp(b, "</tr>");
    }
    hp(b, "</tbody></table>");
}
