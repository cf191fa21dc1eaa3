/* pseudo.c - keyed child pseudonyms, month-only dates, postcode sectors. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pseudo.h"

struct liia_pseudo {
    EVP_MAC *mac;
    EVP_MAC_CTX *keyed;   /* keyed once; re-initialised per child */
    char la[16];
    char last_child[64];  /* one-entry cache; cleansed on free */
    size_t last_len;
    char last_pid[LIIA_PID_HEX + 1];
};

liia_pseudo *liia_pseudo_new(const unsigned char key[LIIA_KEY_BYTES],
                             const char *la_code, liia_error *e)
{
    liia_pseudo *p = calloc(1, sizeof *p);
    if (!p) {
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    liia_strlcpy(p->la, la_code, sizeof p->la);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    p->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    p->keyed = p->mac ? EVP_MAC_CTX_new(p->mac) : NULL;
    if (!p->keyed || !EVP_MAC_init(p->keyed, key, LIIA_KEY_BYTES, params)) {
        liia_pseudo_free(p);
        liia_fail(e, LIIA_E_IO, "cannot set up HMAC-SHA256 (OpenSSL)");
        return NULL;
    }
    return p;
}

void liia_pseudo_free(liia_pseudo *p)
{
    if (!p)
        return;
    EVP_MAC_CTX_free(p->keyed);
    EVP_MAC_free(p->mac);
    OPENSSL_cleanse(p, sizeof *p);
    free(p);
}

static void to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

int liia_pseudo_child(liia_pseudo *p, const char *child, size_t len,
                      char out[LIIA_PID_HEX + 1])
{
    if (p->last_len && len == p->last_len && !memcmp(child, p->last_child, len)) {
        memcpy(out, p->last_pid, LIIA_PID_HEX + 1);
        return 0;
    }
    /* The separator keeps ("E0900001","23") and ("E090000","123") apart. */
    static const unsigned char sep = 0x1f;
    unsigned char md[32];
    size_t mdlen = 0;
    /* Re-initialising with no key keeps the key already set: no context
     * is allocated per child. */
    EVP_MAC_CTX *c = p->keyed;
    int ok = EVP_MAC_init(c, NULL, 0, NULL) &&
             EVP_MAC_update(c, (const unsigned char *)p->la, strlen(p->la)) &&
             EVP_MAC_update(c, &sep, 1) &&
             EVP_MAC_update(c, (const unsigned char *)child, len) &&
             EVP_MAC_final(c, md, &mdlen, sizeof md) && mdlen == sizeof md;
    if (!ok)
        return -1;
    to_hex(md, sizeof md, out);
    if (len < sizeof p->last_child) {
        memcpy(p->last_child, child, len);
        p->last_len = len;
        memcpy(p->last_pid, out, LIIA_PID_HEX + 1);
    } else {
        p->last_len = 0;
    }
    return 0;
}

void liia_pseudo_month(const char *iso_date, char out[11])
{
    memcpy(out, iso_date, 8);
    memcpy(out + 8, "01", 3);
}

/* Outward code: A9, A99, AA9, AA99, A9A, AA9A (letters then digits). */
static int outward_ok(const char *s, size_t n)
{
    if (n < 2 || n > 4 || !isalpha((unsigned char)s[0]))
        return 0;
    size_t i = isalpha((unsigned char)s[1]) ? 2 : 1;
    if (i >= n || !isdigit((unsigned char)s[i]))
        return 0;
    for (i++; i < n; i++)
        if (!isalnum((unsigned char)s[i]))
            return 0;
    return 1;
}

int liia_pseudo_postcode_sector(const char *text, char *out, size_t outsz)
{
    char pc[16];
    size_t n = 0;
    if (outsz)
        out[0] = '\0';
    for (const char *s = text; *s; s++) {
        if (*s == ' ')
            continue;
        if (n + 1 >= sizeof pc)
            return -1;
        pc[n++] = (char)toupper((unsigned char)*s);
    }
    pc[n] = '\0';
    /* Inward code: a digit and two letters. */
    if (n < 5 || !isdigit((unsigned char)pc[n - 3]) ||
        !isalpha((unsigned char)pc[n - 2]) || !isalpha((unsigned char)pc[n - 1]) ||
        !outward_ok(pc, n - 3) || outsz < n - 1)
        return -1;
    memcpy(out, pc, n - 3);
    out[n - 3] = ' ';
    out[n - 2] = pc[n - 3];
    out[n - 1] = '\0';
    return 0;
}
