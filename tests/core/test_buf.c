/* The growable buffer: appends, NUL-terminated packing, and extend (a
 * region handed to the caller to fill) across the buffer's growth. */
#include <stdint.h>
#include <stdlib.h>

#include "liia_core.h"
#include "unit.h"

static void test_append(void)
{
    liia_buf b;
    liia_buf_init(&b);
    CHECK_STR(b.data, "");
    CHECK_INT(liia_buf_append(&b, "ab", 2), 0);
    CHECK_INT(liia_buf_append_z(&b, "cd", 2), 0);
    CHECK_INT(liia_buf_append_z(&b, NULL, 0), 0);   /* an empty field */
    CHECK_INT((long)b.len, 6);
    CHECK(!memcmp(b.data, "abcd\0\0", 7));
    liia_buf_reset(&b);
    CHECK_STR(b.data, "");
    liia_buf_free(&b);
}

/* extend: the bytes come back where the pointer said, the buffer stays
 * NUL-terminated, and what was there survives every growth (from empty,
 * then past its capacity many times over). */
static void test_extend(void)
{
    liia_buf b;
    liia_buf_init(&b);
    char *d = liia_buf_extend(&b, 0);
    CHECK(d != NULL);
    CHECK_INT((long)b.len, 0);
    CHECK_STR(b.data, "");
    size_t want = 0;
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)(i % 37) + 1;
        d = liia_buf_extend(&b, n);
        CHECK(d == b.data + want);
        if (!d)
            break;
        memset(d, 'a' + i % 26, n);
        want += n;
        CHECK_INT((long)b.len, (long)want);
        CHECK(b.data[b.len] == '\0');
    }
    size_t at = 0;
    int same = 1;
    for (int i = 0; i < 2000 && at < b.len; i++) {
        size_t n = (size_t)(i % 37) + 1;
        for (size_t j = 0; j < n; j++)
            same &= b.data[at + j] == 'a' + i % 26;
        at += n;
    }
    CHECK(same && at == b.len);
    /* a size no allocation can meet: NULL, the buffer as it was */
    size_t len = b.len;
    CHECK(liia_buf_extend(&b, SIZE_MAX - 8) == NULL);
    CHECK_INT((long)b.len, (long)len);
    liia_buf_free(&b);
}

int main(void)
{
    test_append();
    test_extend();
    return unit_result("test_buf");
}
