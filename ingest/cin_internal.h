/*
 * cin_internal.h - the CIN census return (docs/cin.md): its schema for one
 * collection year (schemas/cin/tables.json and codelists.json), the cell
 * checks, and the ingest that runs them over the XML reader.
 *
 * The CIN census's glue around the child-level engine: read
 * (reader_xml.c), check each cell against its type and the year's code
 * list, pseudonymise, store one row per record in the part's table
 * (migration 085), and hand each record to the engine, which runs the DfE
 * rules of schemas/cin/rules (ssda903_schema.c compiles them, the per-child
 * pass of ssda903_child.c runs them: docs/rules.md).
 */
#ifndef LIIA_CIN_INTERNAL_H
#define LIIA_CIN_INTERNAL_H

#include <jansson.h>

#include "ingest_internal.h"
#include "pseudo.h"
#include "reader_xml.h"

enum cin_type { CT_CHILD, CT_CODE, CT_DATE, CT_DATETIME, CT_BOOL, CT_INT, CT_UPN, CT_TEXT };
enum cin_pii { CP_NONE, CP_HMAC, CP_MONTH, CP_DROP };

struct cin_col {
    const char *name, *rule, *store, *codelist;
    enum cin_type type;
    enum cin_pii pii;
    int required;
    int own;                    /* read here (not inherited, not an ordinal) */
    const json_t *codes;        /* the year's codes (array of strings) */
    const char *code[64];       /* the same, for the check */
    size_t ncodes;
    const json_t *map;          /* value -> stored value (GenderCurrent) */
};

struct cin_part {
    const char *name, *store;
    struct cin_col cols[32];
    size_t ncols;
};

struct cin_schema {
    json_t *tables, *codelists;
    int year;                   /* the collection year's ending year */
    char year_label[8];         /* "2024-25" */
    struct cin_part parts[16];
    size_t nparts;
    liia_xml_layout *layout;
};

int cin_schema_load(const char *schema_dir, int year, struct cin_schema *s, liia_error *e);
void cin_schema_free(struct cin_schema *s);

/* A cell's value made ready to store: text (NUL-terminated), an integer, a
 * 32-byte pseudonym, or NULL. */
struct cin_value {
    enum { CV_NULL, CV_TEXT, CV_INT, CV_BLOB } kind;
    char text[80];
    long long i;
    unsigned char blob[32];
};

/* Checks value v (NULL = absent) against column c and converts it.  0 when
 * it passes; 1 when it fails, with what is wrong in why (the stored value
 * is then NULL); -1 on an OpenSSL failure. */
int cin_cell(const struct cin_schema *s, const struct cin_col *c, liia_pseudo *ps,
             const char *v, struct cin_value *out, char *why, size_t whysz);

#endif
