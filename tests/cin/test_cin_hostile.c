/*
 * test_cin_hostile.c - hostile XML through the CIN reader: every file of
 * tests/cin/hostile/ plus the large ones made here must be refused with
 * the status and phrase below, a file name and (where there is one) a
 * line; nothing may be fetched, expanded or printed (libxml2's messages
 * are caught: stderr is checked to stay empty), and a file XXE would read
 * must never reach a record.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader_xml.h"
#include "unit.h"

struct hostile {
    const char *file;
    const char *phrase;
    int has_line;
};

static const struct hostile CASES[] = {
    {"xxe_file.xml", "document type (<!DOCTYPE>)", 1},
    {"external_dtd.xml", "document type (<!DOCTYPE>)", 1},
    {"parameter_entity.xml", "document type (<!DOCTYPE>)", 1},
    {"billion_laughs.xml", "document type (<!DOCTYPE>)", 1},
    {"undeclared_entity.xml", "not well-formed XML", 1},
    {"truncated.xml", "ends before its XML does", 1},
    {"latin1_declared_utf8.xml", "not in the encoding it declares", 1},
    {"unknown_encoding.xml", "not in the encoding it declares", 1},
    {"csv_not_xml.xml", "this is not an XML file", 1},
    {"empty.xml", "the file is empty", 0},
    {"wrong_root.xml", "the root element is <Children>", 1},
    {"two_roots.xml", "not well-formed XML", 1},
    {"mismatched_tags.xml", "not well-formed XML", 1},
    /* made by make_large() */
    {"deep_nesting.xml", "nested more than 64 deep", 1},
    {"huge_value.xml", "longer than 4096 bytes", 1},
    {"huge_text_node.xml", "longer than 10 MB", 1},
    {"child_with_200000_reviews.xml", "more than 100,000 records", 1},
    /* past the reader's own look at the prolog: libxml2's DOCTYPE node */
    {"utf16_doctype.xml", "document type (<!DOCTYPE>)", 1},
    {"long_comment_then_doctype.xml", "document type (<!DOCTYPE>)", 1},
};

static int count(void *ctx, const liia_record *rec, liia_error *e)
{
    (void)e;
    long *n = ctx;
    for (size_t i = 0; i < rec->nfields; i++)   /* nothing read from /etc */
        if (rec->values[i] && strstr(rec->values[i], "root:"))
            return -1;
    ++*n;
    return 0;
}

static void write_file(const char *name, const char *head, const char *unit,
                       long times, const char *tail)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SCRATCH_DIR, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(head, f);
    for (long i = 0; i < times; i++)
        fputs(unit, f);
    fputs(tail, f);
    CHECK(fclose(f) == 0);
}

static const char XXE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE Message [\n"
    "<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>\n"
    "<Message><Children><Child><ChildIdentifiers><LAchildID>&secret;</LAchildID>"
    "</ChildIdentifiers></Child></Children></Message>\n";

static void make_utf16(void)
{
    FILE *f = fopen(SCRATCH_DIR "/utf16_doctype.xml", "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("\xFF\xFE", f);
    for (const char *p = XXE; *p; p++) {
        fputc(*p, f);
        fputc(0, f);
    }
    CHECK(fclose(f) == 0);
}

static void make_large(void)
{
    make_utf16();
    write_file("long_comment_then_doctype.xml", "<?xml version=\"1.0\"?>\n<!--",
               "padding padding padding padding padding padding padding padding\n", 2000,
               "-->\n<!DOCTYPE Message [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
               "<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID>"
               "</ChildIdentifiers></Child></Children></Message>\n");
    static const char HEAD[] = "<?xml version=\"1.0\"?>\n<Message><Children><Child>"
                               "<ChildIdentifiers><LAchildID>";
    /* 200 levels of an unknown element inside a known one */
    FILE *f = fopen(SCRATCH_DIR "/deep_nesting.xml", "wb");
    CHECK(f != NULL);
    if (f) {
        fputs("<?xml version=\"1.0\"?>\n<Message><Children><Child>\n", f);
        for (int i = 0; i < 200; i++)
            fputs("<x>", f);
        for (int i = 0; i < 200; i++)
            fputs("</x>", f);
        fputs("</Child></Children></Message>\n", f);
        CHECK(fclose(f) == 0);
    }
    write_file("huge_value.xml", HEAD, "0123456789", 1000,
               "</LAchildID></ChildIdentifiers></Child></Children></Message>\n");
    /* 12 MB of text outside any column: not kept, but refused past 10 MB */
    write_file("huge_text_node.xml", "<?xml version=\"1.0\"?>\n<Message><Children><Child><Note>",
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
               120000, "</Note></Child></Children></Message>\n");
    write_file("child_with_200000_reviews.xml",
               "<?xml version=\"1.0\"?>\n<Message><Children><Child><CINdetails>"
               "<ChildProtectionPlans><Reviews>\n",
               "<CPPreviewDate>2024-01-01</CPPreviewDate>\n", 200000,
               "</Reviews></ChildProtectionPlans></CINdetails></Child></Children></Message>\n");
}

static void run_case(const liia_xml_layout *l, const struct hostile *h)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", HOSTILE_DIR, h->file);
    if (access(path, R_OK) != 0)
        snprintf(path, sizeof path, "%s/%s", SCRATCH_DIR, h->file);
    liia_error e;
    liia_error_clear(&e);
    liia_reader *r = liia_reader_xml_open(path, l, &e);
    CHECK(r != NULL);
    if (!r)
        return;
    long n = 0;
    int rc = liia_reader_run(r, count, &n, &e);
    int ok = rc == -1 && e.status == LIIA_E_DATA && strstr(e.message, h->phrase) &&
             !strcmp(e.file, path) && e.fix[0] && (!h->has_line || e.line > 0);
    if (!ok)
        fprintf(stderr, "%s: rc %d status %d line %ld: %s (fix: %s)\n", h->file, rc,
                (int)e.status, e.line, e.message, e.fix);
    CHECK(ok);
    /* The signature never expands or fetches either. */
    liia_signature sig;
    liia_error_clear(&e);
    if (r->ops->signature(r, &sig, &e) == 0)
        CHECK(!strstr(sig.collection, "root:"));
    liia_reader_free(r);
}

int main(void)
{
    make_large();
    liia_error e;
    liia_error_clear(&e);
    liia_xml_layout *l = liia_xml_layout_load(SCHEMA_DIR "/cin/tables.json", 0, &e);
    CHECK(l != NULL);
    if (!l)
        return unit_result("test_cin_hostile");
    /* libxml2 must print nothing: stderr goes to a file while the cases run. */
    fflush(stderr);
    int saved = dup(2);
    int fd = open(SCRATCH_DIR "/stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(saved >= 0 && fd >= 0 && dup2(fd, 2) == 2);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        run_case(l, &CASES[i]);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    struct stat st;
    CHECK(stat(SCRATCH_DIR "/stderr.txt", &st) == 0);
    CHECK(st.st_size == 0);
    if (st.st_size) {
        fprintf(stderr, "printed while reading hostile files:\n");
        FILE *f = fopen(SCRATCH_DIR "/stderr.txt", "r");
        char line[300];
        while (f && fgets(line, sizeof line, f))
            fputs(line, stderr);
        if (f)
            fclose(f);
    }
    liia_xml_layout_free(l);
    return unit_result("test_cin_hostile");
}
