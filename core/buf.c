/* buf.c - growable string buffer (git's strbuf, curl's dynbuf). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"

/* Shared empty string so data is never NULL before the first append. */
static char empty_data[1];

void liia_buf_init(liia_buf *b)
{
    b->data = empty_data;
    b->len = b->cap = 0;
}

void liia_buf_free(liia_buf *b)
{
    if (b->cap)
        free(b->data);
    liia_buf_init(b);
}

void liia_buf_reset(liia_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

static int buf_grow(liia_buf *b, size_t extra)
{
    if (extra >= SIZE_MAX - b->len)   /* len + extra + 1 would wrap */
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *p = realloc(b->cap ? b->data : NULL, cap);
    if (!p)
        return -1;
    if (!b->cap)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

char *liia_buf_extend(liia_buf *b, size_t n)
{
    if (buf_grow(b, n))
        return NULL;
    char *at = b->data + b->len;
    b->len += n;
    b->data[b->len] = '\0';
    return at;
}

int liia_buf_append(liia_buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n))
        return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

void *liia_grow_array(void *p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : first ? first : 1;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return NULL;
        n *= 2;
    }
    void *q = realloc(p, n * elem);
    if (q)
        *cap = n;
    return q;
}

int liia_buf_append_z(liia_buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n + 1))
        return -1;
    if (n)   /* an empty field may come as NULL */
        memcpy(b->data + b->len, p, n);
    b->data[b->len + n] = '\0';
    b->len += n + 1;
    b->data[b->len] = '\0';
    return 0;
}

int liia_buf_appendf(liia_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_grow(b, (size_t)n))
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *liia_buf_detach(liia_buf *b)
{
    char *p = b->cap ? b->data : calloc(1, 1);
    liia_buf_init(b);
    return p;
}

void liia_strlcpy(char *dst, const char *src, size_t dstsz)
{
    if (!dstsz)
        return;
    size_t n = strlen(src);
    if (n >= dstsz)
        n = dstsz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}
