/*
 * test_reader.c - the reader interface over CSV (ingest/reader.h): what the
 * engine is told of each record (names, values, record number, physical
 * line) through the quirks of real exports, the sniffing of a file's
 * format, and the signature the planner matches.
 */
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "unit.h"

static char *write_tmp(const char *name, const char *bytes, size_t n)
{
    char *path = liia_path_join(LIIA_SCRATCH, name);
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
    return path;
}

struct seen {
    long record[8], line[8];
    char first[8][32], second_name[8][16];
    size_t nfields[8];
    int n, stop_at;
};

static int collect(void *ctx, const liia_record *rec, liia_error *e)
{
    struct seen *s = ctx;
    (void)e;
    if (s->n < 8) {
        s->record[s->n] = rec->record;
        s->line[s->n] = rec->line;
        s->nfields[s->n] = rec->nfields;
        liia_strlcpy(s->first[s->n], rec->values[0], sizeof s->first[0]);
        liia_strlcpy(s->second_name[s->n], rec->nfields > 1 ? rec->names[1] : "",
                     sizeof s->second_name[0]);
        CHECK(rec->part == NULL);
        CHECK_STR(rec->path, "");
    }
    s->n++;
    return s->stop_at && s->n == s->stop_at ? 1 : 0;
}

/* BOM, CRLF, a quoted newline, a blank line: records count rows under the
 * header (blank lines are none), lines stay physical. */
static void test_quirks(void)
{
    static const char csv[] = "\xEF\xBB\xBF" " CHILD ,DECOM\r\n"
                              "A1,01/04/2024\r\n"
                              "\"B\r\n2\",02/04/2024\r\n"
                              "\r\n"
                              "C3,03/04/2024\r\n"
                              "D4,04/04/2024,extra\r\n";
    char *path = write_tmp("quirks.csv", csv, sizeof csv - 1);
    liia_error e;
    liia_error_clear(&e);
    liia_reader *r = liia_reader_open(path, &e);
    CHECK(r != NULL);
    CHECK_STR(r->ops->format, "csv");
    struct seen s = {0};
    CHECK_INT(liia_reader_run(r, collect, &s, &e), 0);
    CHECK_INT(s.n, 4);
    CHECK_INT(s.record[0], 1);
    CHECK_INT(s.line[0], 2);
    CHECK_STR(s.first[0], "A1");
    CHECK_STR(s.second_name[0], "DECOM");
    CHECK_INT(s.record[1], 2);
    CHECK_INT(s.line[1], 3);
    CHECK_STR(s.first[1], "B\n2");
    CHECK_INT(s.record[2], 3);
    CHECK_INT(s.line[2], 6);           /* after the quoted newline and the blank line */
    CHECK_STR(s.first[2], "C3");
    CHECK_INT(s.nfields[3], 3);        /* a longer row: its extra field has a name "" */
    /* the same reader runs again (the loader reads a file after identifying it) */
    struct seen again = {.stop_at = 2};
    CHECK_INT(liia_reader_run(r, collect, &again, &e), 0);
    CHECK_INT(again.n, 2);
    CHECK_INT(again.record[0], 1);

    liia_signature sig;
    CHECK_INT(r->ops->signature(r, &sig, &e), 0);
    CHECK_STR(sig.format, "csv");
    CHECK_INT(sig.nnames, 2);
    CHECK_STR(sig.names[0], "CHILD");  /* BOM and blanks gone */
    CHECK_STR(sig.names[1], "DECOM");
    liia_signature_free(&sig);
    CHECK_INT(sig.nnames, 0);
    liia_reader_free(r);
    free(path);
}

static int stop_with_error(void *ctx, const liia_record *rec, liia_error *e)
{
    (void)ctx;
    return liia_fail(e, LIIA_E_DATA, "stopped at record %ld", rec->record);
}

static void test_errors(void)
{
    liia_error e;
    liia_error_clear(&e);
    CHECK(liia_reader_open(LIIA_SCRATCH "/no-such-file.csv", &e) == NULL);
    CHECK_INT(e.status, LIIA_E_IO);

    static const char csv[] = "CHILD,DOB\nA,\"unclosed\n";
    char *path = write_tmp("unclosed.csv", csv, sizeof csv - 1);
    liia_reader *r = liia_reader_open(path, &e);
    struct seen s = {0};
    liia_error_clear(&e);
    CHECK_INT(liia_reader_run(r, collect, &s, &e), -1);
    CHECK_INT(e.status, LIIA_E_DATA);
    CHECK_INT(e.line, 2);
    liia_reader_free(r);
    free(path);

    static const char ok[] = "CHILD\nA\nB\n";
    path = write_tmp("two.csv", ok, sizeof ok - 1);
    r = liia_reader_open(path, &e);
    liia_error_clear(&e);
    CHECK_INT(liia_reader_run(r, stop_with_error, NULL, &e), -1);
    CHECK_STR(e.message, "stopped at record 1");
    liia_reader_free(r);
    free(path);
}

static void test_sniff(void)
{
    liia_error e;
    liia_error_clear(&e);
    static const char xml[] = "\xEF\xBB\xBF\n  <?xml version=\"1.0\"?><Message/>";
    static const char zip[] = "PK\3\4rest";
    static const char csv[] = "CHILD,SEX\n";
    char *a = write_tmp("s.xml", xml, sizeof xml - 1);
    char *b = write_tmp("s.xlsx", zip, sizeof zip - 1);
    char *c = write_tmp("s.txt", csv, sizeof csv - 1);
    CHECK_STR(liia_reader_sniff(a, &e), "xml");
    CHECK_STR(liia_reader_sniff(b, &e), "xlsx");
    CHECK_STR(liia_reader_sniff(c, &e), "csv");   /* content, not the name */
    /* No xlsx reader yet: the CSV reader says what the file is. */
    liia_reader *r = liia_reader_open(b, &e);
    struct seen s = {0};
    CHECK_INT(liia_reader_run(r, collect, &s, &e), -1);
    CHECK(strstr(e.message, "Excel") != NULL);
    liia_reader_free(r);
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    test_quirks();
    test_errors();
    test_sniff();
    return unit_result("ingest_reader");
}
