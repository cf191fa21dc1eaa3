/*
 * The CSV reader: every input is also fed in every chunking the file reader
 * could produce (libcsv's own test strategy), by reading it back from disk
 * and from memory and comparing what the callback saw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "liia_core.h"
#include "unit.h"

typedef struct seen {
    liia_buf text; /* records as "line:field|field\n" */
} seen;

static int collect(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    (void)e;
    seen *s = ctx;
    if (liia_buf_appendf(&s->text, "%ld:", rec->line))
        return -1;
    for (size_t i = 0; i < rec->nfields; i++)
        if (liia_buf_appendf(&s->text, "%s%s", i ? "|" : "", rec->fields[i]))
            return -1;
    return liia_buf_append(&s->text, "\n", 1);
}

static int parse(const char *data, size_t len, unsigned flags, char **out,
                 liia_error *e, liia_csv_info *info)
{
    seen s;
    liia_buf_init(&s.text);
    liia_error_clear(e);
    int rc = liia_csv_read_mem("t.csv", data, len, flags, collect, &s, info, e);
    *out = liia_buf_detach(&s.text);
    return rc;
}

static void same(const char *data, const char *want)
{
    char *got;
    liia_error e;
    liia_csv_info info;
    CHECK_INT(parse(data, strlen(data), 0, &got, &e, &info), 0);
    CHECK_STR(got, want);
    free(got);
}

static void fails(const char *data, size_t len, unsigned flags, long line,
                  const char *needle)
{
    char *got;
    liia_error e;
    liia_csv_info info;
    CHECK_INT(parse(data, len, flags, &got, &e, &info), -1);
    CHECK_INT(e.line, line);
    CHECK(strstr(e.message, needle) != NULL);
    if (!strstr(e.message, needle))
        fprintf(stderr, "  message was: %s\n", e.message);
    CHECK(e.fix[0] != '\0');
    free(got);
}

static void basics(void)
{
    same("a,b\n1,2\n", "1:a|b\n2:1|2\n");
    same("a,b\r\n1,2\r\n", "1:a|b\n2:1|2\n");
    same("a,b\r1,2\r", "1:a|b\n2:1|2\n");
    same("a,b\n1,2", "1:a|b\n2:1|2\n");
    same("\xEF\xBB\xBF" "a,b\n1,2\n", "1:a|b\n2:1|2\n");
    same("a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n", "1:a|b\n2:x,y|he said \"hi\"\n");
    /* A record spanning lines reports the line it starts on. */
    same("a,b\n1,\"two\nlines\"\n3,4\n", "1:a|b\n2:1|two\nlines\n4:3|4\n");
    same("a,b\r\n1,\"two\r\nlines\"\r\n3,4\r\n", "1:a|b\n2:1|two\nlines\n4:3|4\n");
    /* Blank lines are skipped but still counted. */
    same("a,b\n\n1,2\n", "1:a|b\n3:1|2\n");
    same("a,b\n1,\n", "1:a|b\n2:1|\n");
    same("caf\xC3\xA9,b\n", "1:caf\xC3\xA9|b\n");
}

static void encodings(void)
{
    char *got;
    liia_error e;
    liia_csv_info info;
    /* "café" in Windows-1252 is rejected by default, with how to fix it... */
    fails("a,b\n1,caf\xE9\n", 11, 0, 2, "not UTF-8");
    /* ...and converted when asked. */
    CHECK_INT(parse("a,b\n1,caf\xE9 \x80\n", 13, LIIA_CSV_CONVERT_CP1252, &got,
                    &e, &info), 0);
    CHECK_STR(got, "1:a|b\n2:1|caf\xC3\xA9 \xE2\x82\xAC\n");
    CHECK_INT(info.converted_cp1252, 1);
    free(got);
    /* Valid UTF-8 earlier in the file means a later bad byte is damage. */
    fails("\xC3\xA9,b\n1,caf\xE9\n", 13, LIIA_CSV_CONVERT_CP1252, 2, "not UTF-8");
    fails("a\n\x81\n", 4, LIIA_CSV_CONVERT_CP1252, 2, "neither UTF-8 nor Windows-1252");
    fails("a,b\n1,\0\n", 8, 0, 2, "NUL byte");
    /* Read as Windows-1252 after a stray byte, a NUL is still binary. */
    fails("a,b\n1,caf\xE9\n2,N2\0x\n", 18, LIIA_CSV_CONVERT_CP1252, 3, "NUL byte");
    fails("PK\3\4rest", 8, 0, 1, "Excel workbook (.xlsx)");
    fails("\xD0\xCF\x11\xE0rest", 8, 0, 1, ".xls");
    fails("\xFF\xFE" "a\0", 4, 0, 1, "UTF-16");
    /* A truncated sequence at the very end. */
    fails("a,b\n1,\xC3", 7, 0, 2, "not UTF-8");
}

static void malformed(void)
{
    fails("a,b\n1,\"open\n", 12, 0, 2, "never closed");
    fails("a,b\n1,x\"y\"z\n", 12, 0, 2, "malformed quoting");
}

/* A UTF-8 character split across the reader's 64 KiB chunks must survive. */
static void chunk_boundaries(void)
{
    size_t n = 64 * 1024 + 64;
    char *data = malloc(n + 1);
    memset(data, 'x', n);
    data[0] = 'a';
    data[1] = '\n';
    data[64 * 1024 - 1] = '\xC3';
    data[64 * 1024] = '\xA9';
    data[n - 1] = '\n';
    data[n] = '\0';
    char *got;
    liia_error e;
    liia_csv_info info;
    CHECK_INT(parse(data, n, 0, &got, &e, &info), 0);
    CHECK(strstr(got, "\xC3\xA9") != NULL);
    CHECK_INT(info.records, 2);
    free(got);
    free(data);
}

static int stop_after_header(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    (void)e;
    ++*(int *)ctx;
    return rec->record_no == 1 ? 1 : 0;
}

static void early_stop_and_limits(void)
{
    int calls = 0;
    liia_error e;
    liia_error_clear(&e);
    CHECK_INT(liia_csv_read_mem("t", "a\n1\n2\n", 6, 0, stop_after_header, &calls,
                                NULL, &e), 0);
    CHECK_INT(calls, 1);
    size_t n = 5000 * 2;
    char *wide = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2) {
        wide[i] = 'x';
        wide[i + 1] = ',';
    }
    wide[n - 1] = '\n';
    fails(wide, n, 0, 1, "more than 4096 columns");
    free(wide);
}

static void writer(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f != NULL);
    CHECK_INT(liia_csv_write_field(f, "=SUM(A1)", 1), 0);
    fputc(',', f);
    CHECK_INT(liia_csv_write_field(f, "a,\"b\"", 1), 0);
    fputc(',', f);
    CHECK_INT(liia_csv_write_field(f, "-5", 0), 0);
    fputc(',', f);
    CHECK_INT(liia_csv_write_field(f, "@cmd", 1), 0);
    fclose(f);
    CHECK_STR(buf, "\"'=SUM(A1)\",\"a,\"\"b\"\"\",-5,\"'@cmd\"");
    free(buf);
}

/* Text shown on a terminal: every control character becomes an escape,
 * UTF-8 text stays as it is (issue 11). */
static void printable(void)
{
    liia_buf b;
    liia_buf_init(&b);
    const char in[] = "a\tb\nc\r\033[2J\x7f\xc2\x9b\xc3\xa9\x01";
    CHECK_INT(liia_buf_append_printable(&b, in, sizeof in - 1), 0);
    CHECK_STR(b.data, "a\\tb\\nc\\r\\x1b[2J\\x7f\\u009b\xc3\xa9\\x01");
    liia_buf_reset(&b);
    CHECK_INT(liia_buf_append_printable(&b, "\xc2", 1), 0); /* cut short */
    CHECK_STR(b.data, "\xc2");
    liia_buf_free(&b);
}

/* ------------------------------------------------------------ threaded */

struct counted {
    seen s;
    long calls, stop_at, fail_at;
};

static int count_cb(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct counted *c = ctx;
    c->calls++;
    if (collect(rec, &c->s, e))
        return -1;
    if (c->fail_at && c->calls == c->fail_at)
        return liia_fail(e, LIIA_E_DATA, "callback failed at %ld", c->calls);
    return c->stop_at && c->calls == c->stop_at ? 1 : 0;
}

/* The file read with and without LIIA_CSV_THREAD: the same records, in
 * the same order, the same result, error and counts. */
static void same_threaded(const char *path, unsigned flags, long stop_at, long fail_at)
{
    struct counted c[2];
    liia_error e[2];
    liia_csv_info info[2];
    int rc[2];
    for (int t = 0; t < 2; t++) {
        memset(&c[t], 0, sizeof c[t]);
        liia_buf_init(&c[t].s.text);
        c[t].stop_at = stop_at;
        c[t].fail_at = fail_at;
        liia_error_clear(&e[t]);
        rc[t] = liia_csv_read_file(path, flags | (t ? LIIA_CSV_THREAD : 0), count_cb, &c[t],
                                   &info[t], &e[t]);
    }
    CHECK_INT(rc[1], rc[0]);
    CHECK_INT(c[1].calls, c[0].calls);
    CHECK(c[0].s.text.len == c[1].s.text.len && !strcmp(c[0].s.text.data, c[1].s.text.data));
    CHECK_STR(e[1].message, e[0].message);
    CHECK_INT(e[1].line, e[0].line);
    CHECK_INT(info[1].records, info[0].records);
    /* stopped early, the parser may have read ahead past a Windows-1252
     * byte that one thread never reached */
    if (rc[0] == 0 && !stop_at) {
        CHECK_INT(info[1].converted_cp1252, info[0].converted_cp1252);
        CHECK_INT(info[1].lines, info[0].lines);
    }
    for (int t = 0; t < 2; t++)
        liia_buf_free(&c[t].s.text);
}

static void threaded(void)
{
    char path[] = "/tmp/test_csv_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(f != NULL);
    if (!f)
        return;
    /* some 60,000 records (several of the reader's batches), a record over
     * two lines, blank lines, CRLF, a Windows-1252 byte near the end */
    fputs("CHILD,DECOM,NOTE\r\n", f);
    for (int i = 0; i < 60000; i++) {
        if (i == 30000)
            fputs("30000,01/05/2024,\"two\r\nlines\"\r\n\r\n", f);
        else
            fprintf(f, "%d,01/05/2024,note %d\r\n", i, i * 7);
    }
    fputs("last,01/05/2024,caf\xE9\r\n", f);
    fclose(f);
    same_threaded(path, LIIA_CSV_CONVERT_CP1252, 0, 0);
    same_threaded(path, 0, 0, 0);                          /* not UTF-8 at the end */
    same_threaded(path, LIIA_CSV_CONVERT_CP1252, 45000, 0);   /* stopped early */
    same_threaded(path, LIIA_CSV_CONVERT_CP1252, 2, 0);
    same_threaded(path, LIIA_CSV_CONVERT_CP1252, 0, 20000);   /* the callback fails */
    same_threaded(path, LIIA_CSV_CONVERT_CP1252, 0, 60001);
    /* malformed quoting half way: every record before it, then the error */
    f = fopen(path, "a");
    CHECK(f != NULL);
    if (f) {
        fputs("1,x\"y\"z,3\r\n", f);
        for (int i = 0; i < 20000; i++)
            fprintf(f, "%d,01/05/2024,more\r\n", i);
        fclose(f);
        same_threaded(path, LIIA_CSV_CONVERT_CP1252, 0, 0);
    }
    remove(path);
}

int main(void)
{
    basics();
    encodings();
    malformed();
    chunk_boundaries();
    early_stop_and_limits();
    writer();
    printable();
    threaded();
    return unit_result("test_csv");
}
