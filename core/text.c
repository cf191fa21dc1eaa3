/* text.c - text made safe to show on a terminal. */
#include <string.h>

#include "liia_core.h"

/* C0 controls, DEL and the C1 controls (U+0080-U+009F, UTF-8 C2 80..C2 9F;
 * U+009B is a CSI on many terminals) in a file name or a cell could move
 * the cursor, clear the screen or forge a line of output. */
int liia_buf_append_printable(liia_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int c1 = c == 0xC2 && i + 1 < len && ((unsigned char)s[i + 1] & 0xE0) == 0x80;
        char esc[8] = "\\";
        size_t n = 2;
        if (c == '\n' || c == '\r' || c == '\t') {
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            esc[1] = 'x', esc[2] = hex[c >> 4], esc[3] = hex[c & 15], n = 4;
        } else if (c1) {
            c = (unsigned char)s[++i];
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4], esc[5] = hex[c & 15], n = 6;
        } else {
            esc[0] = (char)c, n = 1;
        }
        if (liia_buf_append(b, esc, n))
            return -1;
    }
    return 0;
}
