/* pseudo.c - keyed child pseudonyms, month-only dates, postcode sectors. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pseudo.h"

/* Children already hashed in this run: one child is in the header, the
 * episodes, the reviews ... of a return, and an HMAC costs several times a
 * lookup.  Entries sit in 1 MB chunks as [length][id][pseudonym's bytes]
 * (chunks, not one growing block: no copy, no doubled peak); a slot holds
 * an entry's place (chunk << 20 | offset) + 1, 0 when empty.  Bounded:
 * past MEMO_CHUNKS chunks or MEMO_ENTRIES children, new children are hashed
 * every time.  The tables of a return list their children in the same
 * order, so the entries following the last one found are tried first: read
 * in sequence, they cost no cache or TLB miss, where a slot and its entry
 * at random in tens of MB cost two (as much as the HMAC itself). */
#define MEMO_ID_MAX 32
#define MEMO_CHUNK_BITS 20
#define MEMO_CHUNK ((size_t)1 << MEMO_CHUNK_BITS)
#define MEMO_CHUNKS 64
#define MEMO_ENTRIES ((size_t)1 << 21)
/* Slots a lookup tries before giving up: at most half full, a lookup
 * takes one or two; ids made to share a slot (the file is the sender's)
 * cost at most this many each, and are hashed, not remembered. */
#define MEMO_PROBES 64
#define MEMO_NONE SIZE_MAX

struct memo {
    uint32_t *slot;
    size_t cap, n;          /* cap: a power of two, or 0 before first use */
    unsigned char *chunk[MEMO_CHUNKS];   /* a length 0 ends a chunk early */
    size_t nchunks, used;   /* used: bytes of the last chunk */
    size_t next;            /* place after the last entry found */
};

struct liia_pseudo {
    EVP_MAC *mac;
    EVP_MAC_CTX *keyed;   /* keyed once; re-initialised per child */
    char la[16];
    char last_child[64];  /* one-entry cache; cleansed on free */
    size_t last_len;
    char last_pid[LIIA_PID_HEX + 1];
    struct memo memo;     /* raw ids: cleansed on free */
};

static uint64_t memo_hash(const char *id, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;   /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 0x100000001b3u;
    return h ^ h >> 29;
}

static const unsigned char *memo_entry(const struct memo *m, uint32_t o)
{
    o--;
    return m->chunk[o >> MEMO_CHUNK_BITS] + (o & (MEMO_CHUNK - 1));
}

/* The slot holding id, or the empty slot where it would go; MEMO_NONE
 * past MEMO_PROBES slots. */
static size_t memo_slot(const struct memo *m, const char *id, size_t len, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);
    for (int k = 0; k < MEMO_PROBES; k++, i = (i + 1) & (m->cap - 1)) {
        uint32_t o = m->slot[i];
        if (!o)
            return i;
        const unsigned char *e = memo_entry(m, o);
        if (e[0] == len && !memcmp(e + 1, id, len))
            return i;
    }
    return MEMO_NONE;
}

/* The entry at or after place (the next chunk's first when its chunk
 * ends there), NULL past the last; *place is moved onto it. */
static const unsigned char *memo_at(const struct memo *m, size_t *place)
{
    size_t c = *place >> MEMO_CHUNK_BITS, off = *place & (MEMO_CHUNK - 1);
    if (c >= m->nchunks)
        return NULL;
    size_t end = c + 1 == m->nchunks ? m->used : MEMO_CHUNK;
    if (off >= end || !m->chunk[c][off]) {   /* its chunk ends here */
        if (++c >= m->nchunks || (c + 1 == m->nchunks && !m->used))
            return NULL;
        off = 0;
    }
    *place = c << MEMO_CHUNK_BITS | off;
    return m->chunk[c] + off;
}

/* The pseudonym's bytes of a child met before, or NULL. */
static const unsigned char *memo_get(struct memo *m, const char *id, size_t len)
{
    if (!m->n || len > MEMO_ID_MAX)
        return NULL;
    size_t place = m->next;
    const unsigned char *e;
    for (int k = 0; k < 4 && (e = memo_at(m, &place)); k++) {
        place += 1u + e[0] + LIIA_PID_BYTES;
        if (e[0] == len && !memcmp(e + 1, id, len)) {
            m->next = place;
            return e + 1 + len;
        }
    }
    size_t i = memo_slot(m, id, len, memo_hash(id, len));
    uint32_t o = i == MEMO_NONE ? 0 : m->slot[i];
    if (!o)
        return NULL;
    e = memo_entry(m, o);
    m->next = o - 1 + 1 + len + LIIA_PID_BYTES;
    return e + 1 + len;
}

/* Doubles the slots (kept at most 1/2 full); 0 when memory is short. */
static int memo_grow(struct memo *m)
{
    size_t cap = m->cap ? 2 * m->cap : 4096;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return 0;
    uint32_t *old = m->slot;
    size_t oldcap = m->cap;
    m->slot = slot;
    m->cap = cap;
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i])
            continue;
        const unsigned char *e = memo_entry(m, old[i]);
        const char *id = (const char *)e + 1;
        size_t at = memo_slot(m, id, e[0], memo_hash(id, e[0]));
        if (at != MEMO_NONE)   /* else forgotten: hashed again if met */
            slot[at] = old[i];
    }
    free(old);
    return 1;
}

/* Remembers a child's pseudonym; a full memo or a failed allocation only
 * means the child is hashed again next time. */
static void memo_put(struct memo *m, const char *id, size_t len,
                     const unsigned char md[LIIA_PID_BYTES])
{
    size_t need = 1 + len + LIIA_PID_BYTES;
    if (!len || len > MEMO_ID_MAX || m->n >= MEMO_ENTRIES)
        return;
    if (!m->nchunks || m->used + need > MEMO_CHUNK) {
        if (m->nchunks && m->used < MEMO_CHUNK)
            m->chunk[m->nchunks - 1][m->used] = 0;   /* the chunk ends */
        if (m->nchunks == MEMO_CHUNKS || !(m->chunk[m->nchunks] = malloc(MEMO_CHUNK)))
            return;
        m->nchunks++;
        m->used = 0;
    }
    if (2 * (m->n + 1) > m->cap && !memo_grow(m))
        return;
    size_t at = memo_slot(m, id, len, memo_hash(id, len));
    if (at == MEMO_NONE)
        return;
    unsigned char *e = m->chunk[m->nchunks - 1] + m->used;
    e[0] = (unsigned char)len;
    memcpy(e + 1, id, len);
    memcpy(e + 1 + len, md, LIIA_PID_BYTES);
    size_t place = (m->nchunks - 1) << MEMO_CHUNK_BITS | m->used;
    m->slot[at] = (uint32_t)(place + 1);
    m->used += need;
    m->n++;
}

/* Cleanses the raw ids before their memory goes. */
static void memo_free(struct memo *m)
{
    for (size_t c = 0; c < m->nchunks; c++) {
        OPENSSL_cleanse(m->chunk[c], c + 1 < m->nchunks ? MEMO_CHUNK : m->used);
        free(m->chunk[c]);
    }
    free(m->slot);
}

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
    memo_free(&p->memo);
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

static void remember_last(liia_pseudo *p, const char *child, size_t len, const char *pid)
{
    if (len < sizeof p->last_child) {
        memcpy(p->last_child, child, len);
        p->last_len = len;
        memcpy(p->last_pid, pid, LIIA_PID_HEX + 1);
    } else {
        p->last_len = 0;
    }
}

int liia_pseudo_child(liia_pseudo *p, const char *child, size_t len,
                      char out[LIIA_PID_HEX + 1])
{
    if (p->last_len && len == p->last_len && !memcmp(child, p->last_child, len)) {
        memcpy(out, p->last_pid, LIIA_PID_HEX + 1);
        return 0;
    }
    const unsigned char *seen = memo_get(&p->memo, child, len);
    if (seen) {
        to_hex(seen, LIIA_PID_BYTES, out);
        remember_last(p, child, len, out);
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
    /* the first 128 bits: HMAC truncation as RFC 2104 section 5 allows */
    to_hex(md, LIIA_PID_BYTES, out);
    memo_put(&p->memo, child, len, md);
    remember_last(p, child, len, out);
    return 0;
}

struct wanted {
    const unsigned char *pid;
    size_t i;
};

static int by_pid(const void *a, const void *b)
{
    const struct wanted *x = a, *y = b;
    int c = memcmp(x->pid, y->pid, LIIA_PID_BYTES);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

int liia_pseudo_recall(const liia_pseudo *p, const unsigned char (*pids)[LIIA_PID_BYTES],
                       size_t n, liia_pseudo_found_fn found, void *ctx)
{
    if (!n || !p->memo.n)
        return 0;
    struct wanted *w = malloc(n * sizeof *w);
    if (!w)
        return -1;
    for (size_t i = 0; i < n; i++)
        w[i] = (struct wanted){pids[i], i};
    qsort(w, n, sizeof *w, by_pid);
    size_t place = 0;
    const unsigned char *e;
    while ((e = memo_at(&p->memo, &place)) != NULL) {
        const unsigned char *pid = e + 1 + e[0];
        size_t lo = 0, hi = n;   /* the first wanted >= pid */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (memcmp(w[mid].pid, pid, LIIA_PID_BYTES) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < n && !memcmp(w[lo].pid, pid, LIIA_PID_BYTES); lo++)
            found(ctx, w[lo].i, (const char *)e + 1, e[0]);
        place += 1u + e[0] + LIIA_PID_BYTES;
    }
    free(w);
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
