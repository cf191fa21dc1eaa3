/*
 * reader_xml_internal.h - the compiled layout, shared by the layout
 * compiler (reader_xml_layout.c) and the reader (reader_xml.c).
 */
#ifndef LIIA_READER_XML_INTERNAL_H
#define LIIA_READER_XML_INTERNAL_H

#include "reader_xml.h"

#define XL_MAX_PARTS 16
#define XL_MAX_COLS 32

enum xl_kind { XL_VALUE, XL_INHERIT, XL_ORDINAL };

/* One element name on the way down from the root.  A node may open a
 * record (part >= 0), hold a column's value (col_part >= 0), both (a
 * "." column), or neither (an element on the way to one). */
struct xl_node {
    char *name;
    size_t id;                         /* 0.. nnodes-1, for the reader's caches */
    int part;
    int col_part, col;
    struct xl_node **kids;
    size_t nkids;
};

struct xl_part {
    char *name;
    int parent;                        /* enclosing part, -1 for top level */
    int depth;                         /* elements from the root, root = 0 */
    size_t ncols;
    const char *names[XL_MAX_COLS];    /* owned through colnames */
    char *colnames[XL_MAX_COLS];
    enum xl_kind kind[XL_MAX_COLS];
    /* XL_INHERIT: the part and column the value really comes from (an
     * XL_VALUE or XL_ORDINAL column of an enclosing part) */
    int src_part[XL_MAX_COLS], src_col[XL_MAX_COLS];
};

struct liia_xml_layout {
    struct xl_node top;                /* its one kid is the root element */
    struct xl_part parts[XL_MAX_PARTS];
    size_t nparts;
    size_t nnodes;
};

#endif
