/*
 * xlsx_dump.c - every cell of every sheet of a workbook, one per line:
 * "<sheet>\t<ref>\t<text>" (shared strings resolved), so the disclosure
 * attacks in attacks.sh read a pack exactly as a reader of the file could.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"
#include "xlsx_read.h"

/* The text of the cell whose "<c" is at c: xlsx_cell's reading, from
 * where the scan is rather than by searching the sheet for each cell
 * (which made dumping the 34 demo workbooks take a minute). */
static void cell_text(const xlsx_sheet *s, const char *c, char *out, size_t outsz)
{
    const char *close = strchr(c, '>'), *end = strstr(c, "</c>");
    const char *v = strstr(c, "<v>");
    out[0] = '\0';
    if (!close || close[-1] == '/' || !v || !end || v > end)
        return;
    v += 3;
    size_t n = (size_t)(strstr(v, "</v>") - v);
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, v, n);
    out[n] = '\0';
    const char *t = strstr(c, " t=\"s\"");
    if (t && t < close) {
        size_t idx = (size_t)strtoul(out, NULL, 10);
        liia_strlcpy(out, idx < s->nstrings ? s->strings[idx] : "?", outsz);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: xlsx_dump FILE.xlsx\n");
        return 2;
    }
    int sheets = 0;
    for (int n = 1;; n++) {
        xlsx_sheet s;
        if (xlsx_sheet_open(&s, argv[1], n))
            break;
        sheets++;
        for (const char *c = strstr(s.xml, "<c r=\""); c; c = strstr(c + 1, "<c r=\"")) {
            char ref[16];
            size_t k = 0;
            for (const char *p = c + 6; *p && *p != '"' && k + 1 < sizeof ref; p++)
                ref[k++] = *p;
            ref[k] = '\0';
            char text[256];
            cell_text(&s, c, text, sizeof text);
            for (char *p = text; *p; p++) /* one cell, one line */
                if (*p == '\t' || *p == '\n' || *p == '\r')
                    *p = ' ';
            printf("%d\t%s\t%s\n", n, ref, text);
        }
        xlsx_sheet_close(&s);
    }
    return sheets ? 0 : 1;
}
