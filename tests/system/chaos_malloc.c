/*
 * chaos_malloc.c - an LD_PRELOAD shim that makes the Nth allocation fail,
 * as jansson's test_chaos does, so every "out of memory" path of
 * liia-bench is taken once.
 *
 *   LIIA_CHAOS_FAIL=N   fail the Nth malloc/calloc/realloc (1-based) counted
 *                       from the first one the program's own code makes
 *                       (the start marker: what the loader and library
 *                       constructors allocate before main is not counted)
 *   LIIA_CHAOS_COUNT=F  at exit, write how many were counted to file F
 *
 * Only allocations whose caller is the program itself or a library that
 * promises to survive a failed allocation are counted and failed: libc
 * (strdup, fopen, ...), SQLite, jansson, libcsv, OpenSSL's libcrypto.
 * GLib (under pango) aborts on a failed allocation by design, and
 * fontconfig, pixman, cairo and libxlsxwriter do not check all of theirs;
 * failing those would test them, not liia-bench.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int resolving; /* inside dlsym: what it frees is dropped */
static long fail_at = -1, counted;
static int started;
static const char *count_file;
/* dlsym may itself calloc before real_calloc is known. */
static char bootstrap[4096];
static size_t bootstrap_used;

static const char *const counted_libs[] = {
    "libsqlite3.so", "libjansson.so", "libcsv.so", "libcrypto.so",
};

static void init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    resolving = 1;
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    resolving = 0;
}

/* Read when the program first allocates: the environment may not be set
 * up yet when the loader or a sanitizer first calls malloc. */
static void read_env(void)
{
    const char *n = getenv("LIIA_CHAOS_FAIL");
    fail_at = n ? atol(n) : -1;
    count_file = getenv("LIIA_CHAOS_COUNT");
}

/* Is the allocation's caller one whose failures are liia-bench's to
 * handle?  The main program's own code also starts the count. */
static int counts(void *caller)
{
    Dl_info info;
    if (!dladdr(caller, &info) || !info.dli_fname)
        return 0;
    /* The program is the one object that is not a shared library (the
     * sanitizers' readlink interceptor cannot be used this early). */
    if (!strstr(info.dli_fname, ".so")) {
        if (!started)
            read_env();
        started = 1;
        return 1;
    }
    if (!started)
        return 0;
    for (size_t k = 0; k < sizeof counted_libs / sizeof counted_libs[0]; k++)
        if (strstr(info.dli_fname, counted_libs[k]))
            return 1;
    return 0;
}

static int should_fail(void *caller)
{
    if (!counts(caller) || (fail_at < 0 && !count_file))
        return 0;
    return ++counted == fail_at;
}

void *malloc(size_t n)
{
    init();
    if (!real_malloc)
        return NULL;
    return should_fail(__builtin_return_address(0)) ? NULL : real_malloc(n);
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
    return should_fail(__builtin_return_address(0)) ? NULL : real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    init();
    if (!real_realloc)
        return NULL;
    return should_fail(__builtin_return_address(0)) ? NULL : real_realloc(p, n);
}

void free(void *p)
{
    if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap)
        return;
    if (!real_free && !resolving)
        init();
    if (real_free)
        real_free(p); /* else a block dlsym made while resolving: kept */
}

__attribute__((destructor)) static void report_count(void)
{
    if (!count_file)
        return;
    FILE *f = fopen(count_file, "w");
    if (f) {
        fprintf(f, "%ld\n", counted);
        fclose(f);
    }
}
