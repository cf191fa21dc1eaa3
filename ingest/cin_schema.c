/*
 * cin_schema.c - the CIN census schema for one collection year and the
 * check of one cell against it (cin_internal.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cin_internal.h"

static int bad(liia_error *e, const char *part, const char *what)
{
    liia_error_clear(e);
    liia_strlcpy(e->file, "cin/tables.json", sizeof e->file);
    if (part)
        liia_strlcpy(e->table, part, sizeof e->table);
    liia_error_fix(e, "restore schemas/cin/ from the release");
    return liia_fail(e, LIIA_E_SCHEMA, "CIN schema: %s%s%s", part ? part : "",
                     part ? ": " : "", what);
}

void cin_schema_free(struct cin_schema *s)
{
    json_decref(s->tables);
    json_decref(s->codelists);
    liia_xml_layout_free(s->layout);
    memset(s, 0, sizeof *s);
}

/* The entry of a code list whose from/to (ending years) hold year. */
static const json_t *codes_for(const json_t *lists, const char *name, int year)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(lists, name), i, v) {
        json_int_t from = json_integer_value(json_object_get(v, "from"));
        json_int_t to = json_integer_value(json_object_get(v, "to"));
        if ((!from || year >= from) && (!to || year <= to))
            return json_object_get(v, "codes");
    }
    return NULL;
}

static int parse_type(const char *t, enum cin_type *out)
{
    static const char *const names[] = {"child", "code", "date", "datetime", "bool",
                                        "int", "upn", "text"};
    for (size_t i = 0; t && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(t, names[i])) {
            *out = (enum cin_type)i;
            return 0;
        }
    return -1;
}

static int parse_pii(const char *t, enum cin_pii *out)
{
    static const char *const names[] = {"hmac", "month", "drop"};
    *out = CP_NONE;
    for (size_t i = 0; t && i < 3; i++)
        if (!strcmp(t, names[i])) {
            *out = (enum cin_pii)(i + 1);
            return 0;
        }
    return t ? -1 : 0;
}

static int load_column(struct cin_schema *s, struct cin_part *p, const json_t *j,
                       liia_error *e)
{
    struct cin_col *c = &p->cols[p->ncols];
    memset(c, 0, sizeof *c);
    c->name = json_string_value(json_object_get(j, "name"));
    c->rule = json_string_value(json_object_get(j, "rule"));
    c->store = json_string_value(json_object_get(j, "store"));
    c->codelist = json_string_value(json_object_get(j, "codelist"));
    c->required = json_is_true(json_object_get(j, "required"));
    c->own = json_object_get(j, "path") != NULL;
    if (parse_type(json_string_value(json_object_get(j, "type")), &c->type) ||
        parse_pii(json_string_value(json_object_get(j, "pii")), &c->pii))
        return bad(e, p->name, "a column's type or pii is unknown");
    if ((c->type == CT_CHILD) != (c->pii == CP_HMAC) ||
        (c->pii == CP_MONTH && c->type != CT_DATE) || (!c->store && c->pii != CP_DROP))
        return bad(e, p->name, "child columns are hmac, month is for dates, only "
                               "dropped columns have no store");
    if (c->store && strspn(c->store, "abcdefghijklmnopqrstuvwxyz_") != strlen(c->store))
        return bad(e, p->name, "a store name is a-z and _ only");
    if (c->own && !c->rule)
        return bad(e, p->name, "a column read from the file needs a rule");
    if (c->type == CT_CODE) {
        c->codes = c->codelist ? codes_for(json_object_get(s->codelists, "lists"),
                                           c->codelist, s->year) : NULL;
        if (!json_is_array(c->codes) || json_array_size(c->codes) > 64)
            return bad(e, p->name, "a code column's list has no codes for the year, "
                                   "or more than 64");
        size_t k;
        const json_t *code;
        json_array_foreach(c->codes, k, code)
            if (!(c->code[c->ncodes++] = json_string_value(code)))
                return bad(e, p->name, "a code is not a string");
        c->map = json_object_get(json_object_get(json_object_get(s->codelists, "maps"),
                                                 c->codelist), "values");
    }
    p->ncols++;
    return 0;
}

static int load_parts(struct cin_schema *s, liia_error *e)
{
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(s->tables, "tables"), i, t) {
        if (i == 16)
            return bad(e, NULL, "more than 16 parts");
        struct cin_part *p = &s->parts[s->nparts++];
        p->name = json_string_value(json_object_get(t, "name"));
        p->store = json_string_value(json_object_get(t, "store"));
        size_t k;
        const json_t *col;
        json_array_foreach(json_object_get(t, "columns"), k, col) {
            int in = liia_xml_column_in_year(col, s->year);
            if (in < 0 || p->ncols == 32)
                return bad(e, p->name, "a column's years or the column count");
            if (in && load_column(s, p, col, e))
                return -1;
        }
        /* The reader's fields must be these columns, in this order. */
        const char *const *names;
        if (liia_xml_layout_fields(s->layout, i, &names) != p->ncols)
            return bad(e, p->name, "layout and columns differ");
        for (k = 0; k < p->ncols; k++)
            if (strcmp(names[k], p->cols[k].name))
                return bad(e, p->name, "layout and columns differ");
    }
    return 0;
}

int cin_schema_load(const char *dir, int year, struct cin_schema *s, liia_error *e)
{
    memset(s, 0, sizeof *s);
    s->year = year;
    char label[32];
    snprintf(label, sizeof label, "%04d-%02d", year - 1, year % 100);
    liia_strlcpy(s->year_label, label, sizeof s->year_label);
    char *tp = liia_path_join(dir, "cin/tables.json");
    char *cp = liia_path_join(dir, "cin/codelists.json");
    json_error_t je;
    if (tp && cp) {
        s->tables = json_load_file(tp, 0, &je);
        s->codelists = s->tables ? json_load_file(cp, 0, &je) : NULL;
    }
    free(tp);
    free(cp);
    if (!s->tables || !s->codelists) {
        cin_schema_free(s);
        return bad(e, NULL, "cannot read tables.json or codelists.json");
    }
    s->layout = liia_xml_layout_compile(s->tables, "cin/tables.json", year, e);
    if (!s->layout || load_parts(s, e)) {
        cin_schema_free(s);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ cells */

static int days_in(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

/* yyyy-mm-dd, a real date (an XML date; a time zone suffix is ignored;
 * with_time: a 'T' and a time may follow). */
static int iso_date(const char *v, int with_time)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? v[i] != '-' : !isdigit((unsigned char)v[i]))
            return 0;
    if (v[10] && v[10] != 'Z' && v[10] != '+' && v[10] != '-' && !(with_time && v[10] == 'T'))
        return 0;
    int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
    return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
}

/* A UPN's shape: a capital letter other than I, O and S, 11 digits, a
 * digit or capital letter (DfE's check letter is not recomputed here). */
static int upn_shape(const char *v)
{
    if (strlen(v) != 13 || !isupper((unsigned char)v[0]) || strchr("IOS", v[0]) ||
        !(isdigit((unsigned char)v[12]) || isupper((unsigned char)v[12])))
        return 0;
    for (int i = 1; i < 12; i++)
        if (!isdigit((unsigned char)v[i]))
            return 0;
    return 1;
}

static int in_codes(const struct cin_col *c, const char *v)
{
    for (size_t i = 0; i < c->ncodes; i++)
        if (c->code[i][0] == v[0] && !strcmp(c->code[i], v))
            return 1;
    return 0;
}

static int hex_val(char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

static int convert(const struct cin_schema *s, const struct cin_col *c, liia_pseudo *ps,
                   const char *v, struct cin_value *out, char *why, size_t whysz)
{
    char *end;
    switch (c->type) {
    case CT_CHILD: {
        char hex[LIIA_PID_HEX + 1];
        if (liia_pseudo_child(ps, v, strlen(v), hex))
            return -1;
        for (int i = 0; i < 32; i++)
            out->blob[i] = (unsigned char)(hex_val(hex[2 * i]) << 4 | hex_val(hex[2 * i + 1]));
        out->kind = CV_BLOB;
        return 0;
    }
    case CT_CODE:
        if (!in_codes(c, v)) {
            snprintf(why, whysz, "is not in the %s code list of %s", c->codelist, s->year_label);
            return 1;
        }
        liia_strlcpy(out->text, c->map && json_string_value(json_object_get(c->map, v))
                                    ? json_string_value(json_object_get(c->map, v)) : v,
                     sizeof out->text);
        break;
    case CT_DATE:
        if (!iso_date(v, 0)) {
            snprintf(why, whysz, "is not a real date yyyy-mm-dd");
            return 1;
        }
        if (c->pii == CP_MONTH)
            liia_pseudo_month(v, out->text);
        else
            liia_strlcpy(out->text, v, 11);
        break;
    case CT_DATETIME:
        if (!iso_date(v, 1)) {
            snprintf(why, whysz, "is not a date and time yyyy-mm-ddThh:mm:ss");
            return 1;
        }
        liia_strlcpy(out->text, v, sizeof out->text);
        break;
    case CT_BOOL:
        if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0")) {
            snprintf(why, whysz, "is not true, false, 1 or 0");
            return 1;
        }
        out->kind = CV_INT;
        out->i = !strcmp(v, "true") || !strcmp(v, "1");
        return 0;
    case CT_INT:
        out->i = strtoll(v, &end, 10);
        if (!isdigit((unsigned char)v[0]) || *end || strlen(v) > 12) {
            snprintf(why, whysz, "is not a whole number");
            return 1;
        }
        out->kind = CV_INT;
        return 0;
    case CT_UPN:
        if (!upn_shape(v)) {
            snprintf(why, whysz, "is not a UPN (a letter, 11 digits, a digit or letter)");
            return 1;
        }
        return 0;   /* checked, never stored */
    case CT_TEXT:
        liia_strlcpy(out->text, v, sizeof out->text);
        break;
    }
    out->kind = CV_TEXT;
    return 0;
}

int cin_cell(const struct cin_schema *s, const struct cin_col *c, liia_pseudo *ps,
             const char *v, struct cin_value *out, char *why, size_t whysz)
{
    out->kind = CV_NULL;
    why[0] = '\0';
    if (!v || !*v) {
        if (c->own && c->required) {
            snprintf(why, whysz, "is missing (required)");
            return 1;
        }
        return 0;
    }
    int rc = convert(s, c, ps, v, out, why, whysz);
    if (rc)
        out->kind = CV_NULL;
    return rc;
}
