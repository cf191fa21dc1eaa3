/*
 * reader.c - which reader a file needs, from its first bytes, and the
 * signature the planner matches against the returns' schemas.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "reader_xml.h"

void liia_signature_free(liia_signature *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i]);
    free(s->names);
    s->names = NULL;
    s->nnames = 0;
}

const char *liia_reader_sniff(const char *path, liia_error *err)
{
    if (!strcmp(path, "-"))
        return "csv";   /* standard input cannot be read twice */
    FILE *f = fopen(path, "rb");
    if (!f) {
        liia_strlcpy(err->file, path, sizeof err->file);
        liia_error_fix(err, "check the file name and that you can read it");
        liia_fail(err, LIIA_E_IO, "cannot open: %s", strerror(errno));
        return NULL;
    }
    unsigned char b[512];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n >= 4 && !memcmp(b, "PK\3\4", 4))
        return "xlsx";
    size_t i = n >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
        i++;
    /* '<' is XML: no return's CSV layout starts with it. */
    return i < n && b[i] == '<' ? "xml" : "csv";
}

/* The XML reader opened for its signature: the planner picks the return,
 * whose run opens the file again with its layout (reader_xml.h). */
static liia_reader *xml_open(const char *path, liia_error *err)
{
    return liia_reader_xml_open(path, NULL, err);
}

/* The readers built in, by format: a new format adds a line. */
static const struct {
    const char *format;
    liia_reader *(*open)(const char *path, liia_error *err);
} readers[] = {
    {"csv", liia_reader_csv_open},
    {"xml", xml_open},
};

liia_reader *liia_reader_open(const char *path, liia_error *err)
{
    const char *format = liia_reader_sniff(path, err);
    if (!format)
        return NULL;
    for (size_t i = 0; i < sizeof readers / sizeof *readers; i++)
        if (!strcmp(readers[i].format, format))
            return readers[i].open(path, err);
    /* No reader yet: the CSV reader says what the file is and how to
     * export it as CSV (its first-bytes checks name xlsx and XML). */
    return liia_reader_csv_open(path, err);
}
