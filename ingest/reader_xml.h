/*
 * reader_xml.h - the XML reader (the CIN census) and the layout that tells
 * it which element is which part.
 *
 * A layout is compiled from a return's tables.json (format: docs/cin.md):
 * each part names its element by a path from the root, each column the
 * element (relative to the part's, "." for the element's own text) that
 * holds its value, or the enclosing part it inherits from, or that it is
 * the record's ordinal among its siblings.  The reader streams the file
 * through libxml2's SAX2 push parser (no DTD, no entities, no network: a
 * file with a DOCTYPE is refused) and pushes one liia_record per part element,
 * parents before their descendants, with the element path
 * (/Message/Children/Child[12]/CINdetails[1]/Assessments[2]) and line.
 * Memory is flat in the file size: only the records of the one top-level
 * record (a Child) being read are held.
 */
#ifndef LIIA_READER_XML_H
#define LIIA_READER_XML_H

#include <jansson.h>

#include "reader.h"

typedef struct liia_xml_layout liia_xml_layout;

/* Compiles a parsed tables.json.  year is the collection year's ending
 * year (2025 = 2024-25): columns whose from/to leave it out are not read;
 * 0 reads every column.  name names the document in errors. */
liia_xml_layout *liia_xml_layout_compile(const json_t *doc, const char *name,
                                         int year, liia_error *e);
/* The same from a file. */
liia_xml_layout *liia_xml_layout_load(const char *path, int year, liia_error *e);
void liia_xml_layout_free(liia_xml_layout *l);

size_t liia_xml_layout_nparts(const liia_xml_layout *l);
const char *liia_xml_layout_part(const liia_xml_layout *l, size_t i);
/* Index of the part called name, or -1. */
int liia_xml_layout_find(const liia_xml_layout *l, const char *name);
/* The field names every record of part i carries, in the order of its
 * columns in tables.json (inherited and ordinal columns included). */
size_t liia_xml_layout_fields(const liia_xml_layout *l, size_t i,
                              const char *const **names);

/* 1 when a tables.json column exists in collection year (its from/to, as
 * "2024-25"; year 0 = any), 0 when not, -1 when from/to are malformed. */
int liia_xml_column_in_year(const json_t *col, int year);

/* Limits past which a file is refused with a message (no census comes
 * near them; a hostile file must not make the reader hold it all). */
#define LIIA_XML_MAX_DEPTH 64            /* elements nested */
#define LIIA_XML_MAX_VALUE 4096          /* bytes in one value */
#define LIIA_XML_MAX_TEXT 10000000       /* bytes of any text between two tags */
#define LIIA_XML_MAX_PENDING 100000      /* records below one Child */

/* Opens path for reading through layout (borrowed; it must outlive the
 * reader).  layout may be NULL to read only the signature. */
liia_reader *liia_reader_xml_open(const char *path, const liia_xml_layout *layout,
                                  liia_error *e);
/* The same over memory (tests, fuzzing); data is borrowed. */
liia_reader *liia_reader_xml_open_mem(const char *name, const char *data,
                                      size_t len, const liia_xml_layout *layout,
                                      liia_error *e);

#endif
