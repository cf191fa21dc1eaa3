/* Pseudonymisation: stable, keyed, irreversible without the key; dates of
 * birth to the month; postcodes to the sector. */
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pseudo.h"
#include "unit.h"

static void pid(const unsigned char *key, const char *la, const char *child,
                char out[LIIA_PID_HEX + 1])
{
    liia_error e;
    liia_error_clear(&e);
    liia_pseudo *p = liia_pseudo_new(key, la, &e);
    CHECK(p != NULL);
    out[0] = '\0';
    if (p)
        CHECK_INT(liia_pseudo_child(p, child, strlen(child), out), 0);
    liia_pseudo_free(p);
}

/* What someone without the key could compute: a plain SHA-256. */
static void unkeyed(const char *la, const char *child, char out[65])
{
    unsigned char md[32];
    unsigned n = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, la, strlen(la));
    EVP_DigestUpdate(c, "\x1f", 1);
    EVP_DigestUpdate(c, child, strlen(child));
    EVP_DigestFinal_ex(c, md, &n);
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The documented pseudonym computed apart: the first 16 bytes of
 * HMAC-SHA256(key, authority || 0x1f || CHILD), in lower-case hex. */
static void documented(const unsigned char *key, const char *la, const char *child,
                       char out[LIIA_PID_HEX + 1])
{
    unsigned char msg[64], md[32];
    unsigned n = 0;
    size_t la_len = strlen(la), len = strlen(child);
    memcpy(msg, la, la_len);
    msg[la_len] = 0x1f;
    memcpy(msg + la_len + 1, child, len);
    CHECK(HMAC(EVP_sha256(), key, LIIA_KEY_BYTES, msg, la_len + 1 + len, md, &n) != NULL);
    CHECK_INT(n, 32);
    for (int i = 0; i < LIIA_PID_BYTES; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_child(void)
{
    unsigned char k1[LIIA_KEY_BYTES], k2[LIIA_KEY_BYTES];
    memset(k1, 0x11, sizeof k1);
    memset(k2, 0x22, sizeof k2);
    char a[65], b[65], c[65], d[65], plain[65];

    pid(k1, "E09000007", "538333", a);
    pid(k1, "E09000007", "538333", b);
    CHECK_STR(a, b);                         /* stable: quarters link */
    CHECK_INT(strlen(a), 32);                /* 128 bits */
    CHECK(strstr(a, "538333") == NULL);
    char want[LIIA_PID_HEX + 1];
    documented(k1, "E09000007", "538333", want);
    CHECK_STR(a, want);

    pid(k2, "E09000007", "538333", c);
    CHECK(strcmp(a, c) != 0);                /* keyed */
    pid(k1, "E09000019", "538333", d);
    CHECK(strcmp(a, d) != 0);                /* same local id, other authority */
    unkeyed("E09000007", "538333", plain);
    CHECK(strcmp(a, plain) != 0);            /* not a dictionary-able hash */

    /* The one-entry cache must not leak one child's pseudonym to the next. */
    liia_error e;
    liia_error_clear(&e);
    liia_pseudo *p = liia_pseudo_new(k1, "E09000007", &e);
    char x[65], y[65], z[65];
    CHECK_INT(liia_pseudo_child(p, "538333", 6, x), 0);
    CHECK_INT(liia_pseudo_child(p, "538334", 6, y), 0);
    CHECK_INT(liia_pseudo_child(p, "538333", 6, z), 0);
    CHECK(strcmp(x, y) != 0);
    CHECK_STR(x, z);
    CHECK_STR(x, a);
    liia_pseudo_free(p);
}

static void sector(const char *in, const char *want)
{
    char out[16];
    CHECK_INT(liia_pseudo_postcode_sector(in, out, sizeof out), 0);
    CHECK_STR(out, want);
}

static void not_postcode(const char *in)
{
    char out[16] = "x";
    CHECK_INT(liia_pseudo_postcode_sector(in, out, sizeof out), -1);
    CHECK_STR(out, "");
}

static void test_degrade(void)
{
    char m[11];
    liia_pseudo_month("2010-06-15", m);
    CHECK_STR(m, "2010-06-01");
    liia_pseudo_month("2012-02-29", m);
    CHECK_STR(m, "2012-02-01");

    sector("N1 9GU", "N1 9");
    sector("sw1a2aa", "SW1A 2");
    sector("  EC1V 4PW ", "EC1V 4");
    sector("B7 5MB", "B7 5");
    sector("CR0 1XX", "CR0 1");
    not_postcode("");
    not_postcode("N1");
    not_postcode("12345");
    not_postcode("NOT A POSTCODE");
    not_postcode("N1 99U");
}

/* A pseudonymiser for Camden under a key of bytes fill (k[] filled). */
static liia_pseudo *camden(unsigned char k[LIIA_KEY_BYTES], unsigned char fill)
{
    memset(k, fill, LIIA_KEY_BYTES);
    liia_error e;
    liia_error_clear(&e);
    liia_pseudo *p = liia_pseudo_new(k, "E09000007", &e);
    CHECK(p != NULL);
    return p;
}

/* The memo tests' children: more than one 1 MB chunk of entries, every
 * 1000th id longer than the memo keeps. */
enum { MEMO_KIDS = 40000 };

static void memo_id(int i, char id[64])
{
    snprintf(id, 64, i % 1000 ? "C%d" : "LONG-%d-0123456789012345678901234567890", i);
}

/* Children met before are served from memory (pseudo.c's memo): across
 * the memo's growth and its chunks, in either order, and for ids too long
 * for it, every pseudonym is the one a fresh context computes. */
static void test_memo(void)
{
    unsigned char k[LIIA_KEY_BYTES];
    liia_pseudo *p = camden(k, 0x33);
    if (!p)
        return;
    enum { N = MEMO_KIDS };
    static char first[N][LIIA_PID_HEX + 1];
    char id[64], again[LIIA_PID_HEX + 1], want[LIIA_PID_HEX + 1];
    /* in the order remembered (read in sequence), then backwards (each
     * found through its slot) */
    for (int pass = 0; pass < 3; pass++)
        for (int j = 0; j < N; j++) {
            int i = pass == 2 ? N - 1 - j : j;
            memo_id(i, id);
            if (!pass) {
                CHECK_INT(liia_pseudo_child(p, id, strlen(id), first[i]), 0);
                continue;
            }
            CHECK_INT(liia_pseudo_child(p, id, strlen(id), again), 0);
            CHECK_STR(again, first[i]);
            if (i % 997 == 0 || i % 1000 == 0) {
                pid(k, "E09000007", id, want);
                CHECK_STR(again, want);
            }
        }
    /* a prefix of a remembered id is another child */
    pid(k, "E09000007", "C1234", want);
    CHECK_INT(liia_pseudo_child(p, "C123", 4, again), 0);
    CHECK(strcmp(again, want) != 0);
    CHECK_STR(again, first[123]);
    liia_pseudo_free(p);
}

static void unhex16(const char *hex, unsigned char out[LIIA_PID_BYTES])
{
    for (int i = 0; i < LIIA_PID_BYTES; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

struct recalled {
    char name[8][64];
    int found[8];
};

static void on_recall(void *ctx, size_t i, const char *child, size_t len)
{
    struct recalled *r = ctx;
    CHECK(i < 8 && !r->found[i]);   /* each asked once */
    if (i < 8 && len < sizeof r->name[i]) {
        memcpy(r->name[i], child, len);
        r->name[i][len] = '\0';
        r->found[i]++;
    }
}

/* A finding of the cross-part pass knows its child by pseudonym only; the
 * ids hashed are found again from the memo (any chunk, asked twice, in any
 * order), never an id the memo did not keep (too long) or never met. */
static void test_recall(void)
{
    unsigned char k[LIIA_KEY_BYTES];
    liia_pseudo *p = camden(k, 0x55);
    if (!p)
        return;
    static char hex[MEMO_KIDS][LIIA_PID_HEX + 1];
    char id[64];
    for (int i = 0; i < MEMO_KIDS; i++) {
        memo_id(i, id);
        CHECK_INT(liia_pseudo_child(p, id, strlen(id), hex[i]), 0);
    }
    static const int ask[8] = {39999, 7, 1000, 20001, 7, 12345, -1, 1};
    static const char *const want[8] = {"C39999", "C7", NULL, "C20001", "C7", "C12345",
                                        NULL, "C1"};
    unsigned char pids[8][LIIA_PID_BYTES];
    char other[LIIA_PID_HEX + 1];
    pid(k, "E09000007", "NEVER-MET", other);
    for (int i = 0; i < 8; i++)
        unhex16(ask[i] < 0 ? other : hex[ask[i]], pids[i]);
    struct recalled r;
    memset(&r, 0, sizeof r);
    CHECK_INT(liia_pseudo_recall(p, (const unsigned char (*)[LIIA_PID_BYTES])pids, 8,
                                 on_recall, &r), 0);
    for (int i = 0; i < 8; i++) {
        CHECK_INT(r.found[i], want[i] != NULL);
        if (want[i] && r.found[i])
            CHECK_STR(r.name[i], want[i]);
    }
    liia_pseudo_free(p);
}

/* pseudo.c's slot hash (FNV-1a, folded), to make ids share a slot. */
static size_t memo_slot_of(const char *id, size_t cap)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3u;
    return (size_t)(h ^ h >> 29) & (cap - 1);
}

/* A file whose ids all land in one slot (the sender chooses the ids):
 * past the memo's probe bound they are hashed, not remembered, and every
 * pseudonym is still the right one. */
static void test_memo_collisions(void)
{
    unsigned char k[LIIA_KEY_BYTES];
    liia_pseudo *p = camden(k, 0x44);
    if (!p)
        return;
    enum { N = 300 };
    static char ids[N][24], first[N][LIIA_PID_HEX + 1];
    int n = 0;
    for (long i = 0; n < N && i < 100000000L; i++) {
        snprintf(ids[n], sizeof ids[n], "X%ld", i);
        if (memo_slot_of(ids[n], 4096) == 7)   /* the memo's first 4096 slots */
            n++;
    }
    CHECK_INT(n, N);
    char again[LIIA_PID_HEX + 1], want[LIIA_PID_HEX + 1];
    for (int i = 0; i < n; i++)
        CHECK_INT(liia_pseudo_child(p, ids[i], strlen(ids[i]), first[i]), 0);
    for (int i = n - 1; i >= 0; i--) {   /* backwards: through the slots */
        CHECK_INT(liia_pseudo_child(p, ids[i], strlen(ids[i]), again), 0);
        CHECK_STR(again, first[i]);
        pid(k, "E09000007", ids[i], want);
        CHECK_STR(again, want);
    }
    liia_pseudo_free(p);
}

int main(void)
{
    test_child();
    test_memo();
    test_memo_collisions();
    test_recall();
    test_degrade();
    return unit_result("test_903_pseudo");
}
