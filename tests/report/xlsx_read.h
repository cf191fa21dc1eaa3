/*
 * xlsx_read.h - just enough of an .xlsx reader for tests: a workbook is a
 * zip of XML, so members are read with `unzip -p` and cells found by their
 * reference ("D17") in the sheet XML, shared strings resolved by index.
 */
#ifndef XLSX_READ_H
#define XLSX_READ_H

#include <stddef.h>

/* A zip member's bytes (NUL-terminated, caller frees), NULL if absent. */
char *xlsx_member(const char *xlsx, const char *member);
/* Names of the files in the zip, one per line (caller frees). */
char *xlsx_list(const char *xlsx);

typedef struct xlsx_sheet {
    char *xml;
    char **strings; /* shared strings of the workbook */
    size_t nstrings;
    char value[256]; /* the last cell read */
} xlsx_sheet;

/* Opens xl/worksheets/sheet<n>.xml; 0 on success. */
int xlsx_sheet_open(xlsx_sheet *s, const char *xlsx, int n);
void xlsx_sheet_close(xlsx_sheet *s);
/* The cell's text (shared string resolved) or number as written, "" when
 * the cell is empty or absent.  The returned pointer is valid until the
 * next call. */
const char *xlsx_cell(xlsx_sheet *s, const char *ref);

/* The same for the cell whose "<c" is at c in s->xml (a scan over every
 * cell without searching the sheet for each). */
const char *xlsx_cell_at(xlsx_sheet *s, const char *c);

/* The number of pages pdfinfo reports, -1 on failure. */
int pdf_pages(const char *pdf);

#endif
