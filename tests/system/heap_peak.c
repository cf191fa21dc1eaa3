/*
 * heap_peak.c - an LD_PRELOAD shim that records the peak of the bytes a
 * program holds allocated (malloc, calloc, realloc, free; the sizes by
 * malloc_usable_size), for a memory test that means the same under the
 * sanitizers as without them: peak RSS under ASan is dominated by shadow
 * memory and its allocator, and does not tell a workbook that holds every
 * cell from one that streams them.
 *
 *   LIIA_HEAP_PEAK=F   at exit, write the peak in bytes to file F
 *
 * Built without the sanitizers (it sits in front of ASan's allocator, as
 * chaos_malloc.c does; ASAN_OPTIONS=verify_asan_link_order=0).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static size_t (*real_usable)(void *);
static long long live, peak;
static int armed; /* from this library's constructor on: the sanitizer's
                     runtime is up by then, and may be asked sizes */
/* dlsym may itself calloc before real_calloc is known. */
static char bootstrap[4096];
static size_t bootstrap_used;

static int from_bootstrap(const void *p)
{
    return (const char *)p >= bootstrap && (const char *)p < bootstrap + sizeof bootstrap;
}

static void init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_usable = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
}

static void count(void *p, int sign)
{
    if (!p || !armed || from_bootstrap(p) || !real_usable)
        return;
    long long now = __atomic_add_fetch(&live, sign * (long long)real_usable(p), __ATOMIC_RELAXED);
    long long was = __atomic_load_n(&peak, __ATOMIC_RELAXED);
    while (now > was &&
           !__atomic_compare_exchange_n(&peak, &was, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

void *malloc(size_t n)
{
    init();
    void *p = real_malloc ? real_malloc(n) : NULL;
    count(p, 1);
    return p;
}

void *calloc(size_t a, size_t b)
{
    if (!real_calloc) {
        if (!real_malloc) { /* inside dlsym during init */
            size_t n = (a * b + 15) & ~(size_t)15;
            if (bootstrap_used + n > sizeof bootstrap)
                return NULL;
            void *p = bootstrap + bootstrap_used;
            bootstrap_used += n;
            return p;
        }
        init();
    }
    void *p = real_calloc(a, b);
    count(p, 1);
    return p;
}

void *realloc(void *p, size_t n)
{
    init();
    if (from_bootstrap(p))
        return NULL;
    count(p, -1);
    void *q = real_realloc(p, n);
    count(q ? q : p, 1);
    return q;
}

void free(void *p)
{
    init();
    if (!p || from_bootstrap(p))
        return;
    count(p, -1);
    real_free(p);
}

__attribute__((constructor)) static void arm(void)
{
    init();
    armed = 1;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("LIIA_HEAP_PEAK");
    /* the test's own scratch file, named by the test: not a platform output */
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%lld\n", peak);
        fclose(f);
    }
}
