/*
 * ssda903_upn.c - a child's UPN reduced, for one ingest, to what rules 210,
 * 442 and 444 read: its kind and a tag under a key of this ingest only
 * (why and for how long: ssda903_upn.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "pseudo.h"
#include "ssda903_upn.h"

enum { KIND_BLANK = 0, KIND_UPN = 6 };   /* 1-5: UN1-UN5 */

struct upn_row {
    uint64_t tag;     /* KIND_UPN with tags: first 8 bytes of the HMAC */
    uint32_t line;
    uint8_t kind;
};

struct s903_upn {
    liia_pseudo *tagger;   /* NULL: no tags wanted */
    struct upn_row *rows;
    size_t n, cap;
};

struct s903_upn *s903_upn_new(int tags, liia_error *e)
{
    struct s903_upn *u = calloc(1, sizeof *u);
    if (!u) {
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!tags)
        return u;
    unsigned char key[LIIA_KEY_BYTES];
    if (RAND_bytes(key, sizeof key) != 1) {
        free(u);
        liia_fail(e, LIIA_E_IO, "cannot draw a key for this ingest (OpenSSL)");
        return NULL;
    }
    u->tagger = liia_pseudo_new(key, "UPN", e);
    OPENSSL_cleanse(key, sizeof key);
    if (!u->tagger) {
        free(u);
        return NULL;
    }
    return u;
}

void s903_upn_free(struct s903_upn *u)
{
    if (!u)
        return;
    liia_pseudo_free(u->tagger);
    if (u->rows)
        OPENSSL_cleanse(u->rows, u->cap * sizeof *u->rows);
    free(u->rows);
    free(u);
}

static uint64_t hex64(const char *hex)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++) {
        char c = hex[i];
        v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return v;
}

int s903_upn_add(struct s903_upn *u, long line, const char *upn, size_t len, int valid)
{
    uint8_t kind = KIND_UPN;
    if (len && !valid)
        return 0;
    if (len == 0)
        kind = KIND_BLANK;
    else if (len == 3 && upn[0] == 'U' && upn[1] == 'N' && upn[2] >= '1' && upn[2] <= '5')
        kind = (uint8_t)(upn[2] - '0');
    if (kind == KIND_UPN && !u->tagger)
        return 0;   /* nothing reads it */
    if (u->n == u->cap) {
        size_t cap = u->cap ? 2 * u->cap : 256;
        struct upn_row *rows = malloc(cap * sizeof *rows);
        if (!rows)
            return -1;
        if (u->n)
            memcpy(rows, u->rows, u->n * sizeof *rows);
        if (u->rows)
            OPENSSL_cleanse(u->rows, u->cap * sizeof *u->rows);
        free(u->rows);
        u->rows = rows;
        u->cap = cap;
    }
    struct upn_row *r = &u->rows[u->n];
    memset(r, 0, sizeof *r);
    r->line = (uint32_t)line;
    r->kind = kind;
    if (kind == KIND_UPN) {
        char hex[LIIA_PID_HEX + 1];
        if (liia_pseudo_child(u->tagger, upn, len, hex))
            return -1;
        r->tag = hex64(hex);
        OPENSSL_cleanse(hex, sizeof hex);
    }
    u->n++;
    return 0;
}

static int by_tag(const void *a, const void *b)
{
    const struct upn_row *x = a, *y = b;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int by_line(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The lines of rows whose tag another row shares, in line order; *n of
 * them.  NULL with *n 0 when there are none (or on ENOMEM: -1 in *n). */
static uint32_t *duplicate_lines(const struct s903_upn *u, long *n)
{
    struct upn_row *t = malloc((u->n ? u->n : 1) * sizeof *t);
    uint32_t *lines = malloc((u->n ? u->n : 1) * sizeof *lines);
    size_t nt = 0, nl = 0;
    *n = -1;
    if (!t || !lines) {
        free(t);
        free(lines);
        return NULL;
    }
    for (size_t i = 0; i < u->n; i++)
        if (u->rows[i].kind == KIND_UPN)
            t[nt++] = u->rows[i];
    qsort(t, nt, sizeof *t, by_tag);
    for (size_t i = 0; i < nt; i++)
        if ((i > 0 && t[i - 1].tag == t[i].tag) || (i + 1 < nt && t[i + 1].tag == t[i].tag))
            lines[nl++] = t[i].line;
    OPENSSL_cleanse(t, (u->n ? u->n : 1) * sizeof *t);
    free(t);
    qsort(lines, nl, sizeof *lines, by_line);
    *n = (long)nl;
    return lines;
}

/* s903_upn(KIND): see ssda903_upn.h. */
static void upn_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct s903_upn *u = sqlite3_user_data(cx);
    const char *kind = (const char *)sqlite3_value_text(argv[0]);
    (void)argc;
    if (!kind)
        kind = "";
    int want = !strcmp(kind, "blank") ? KIND_BLANK
             : strlen(kind) == 3 && !strncmp(kind, "UN", 2) && kind[2] >= '1' && kind[2] <= '5'
                 ? kind[2] - '0' : -1;
    long nd = 0;
    uint32_t *dup = NULL;
    if (want < 0 && strcmp(kind, "duplicate")) {
        sqlite3_result_error(cx, "s903_upn: KIND is blank, UN1-UN5 or duplicate", -1);
        return;
    }
    if (want < 0 && (dup = duplicate_lines(u, &nd)) == NULL && nd < 0) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    sqlite3_str *s = sqlite3_str_new(NULL);
    sqlite3_str_appendchar(s, 1, '[');
    int first = 1;
    for (size_t i = 0; want >= 0 && i < u->n; i++)
        if (u->rows[i].kind == want) {
            sqlite3_str_appendf(s, first ? "%u" : ",%u", (unsigned)u->rows[i].line);
            first = 0;
        }
    for (long i = 0; i < nd; i++)
        sqlite3_str_appendf(s, i ? ",%u" : "%u", (unsigned)dup[i]);
    free(dup);
    sqlite3_str_appendchar(s, 1, ']');
    int len = sqlite3_str_length(s);
    char *json = sqlite3_str_finish(s);
    if (!json)
        sqlite3_result_error_nomem(cx);
    else
        sqlite3_result_text(cx, json, len, sqlite3_free);
}

int s903_upn_register(sqlite3 *db, struct s903_upn *u, liia_error *e)
{
    int rc = sqlite3_create_function_v2(db, "s903_upn", 1, SQLITE_UTF8, u,
                                        u ? upn_fn : NULL, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : liia_db_fail(e, db, "registering s903_upn");
}
