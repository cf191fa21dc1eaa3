/*
 * xlsx_dump.c - every cell of every sheet of a workbook, one per line:
 * "<sheet>\t<ref>\t<text>" (shared strings resolved), so the disclosure
 * attacks in attacks.sh read a pack exactly as a reader of the file could.
 */
#include <stdio.h>
#include <string.h>

#include "liia_core.h"
#include "xlsx_read.h"

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
            liia_strlcpy(text, xlsx_cell_at(&s, c), sizeof text);
            for (char *p = text; *p; p++) /* one cell, one line */
                if (*p == '\t' || *p == '\n' || *p == '\r')
                    *p = ' ';
            printf("%d\t%s\t%s\n", n, ref, text);
        }
        xlsx_sheet_close(&s);
    }
    return sheets ? 0 : 1;
}
