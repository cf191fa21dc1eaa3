/*
 * ssda903_schema.c - compiles the JSON of schemas/ssda903 once per ingest: code
 * lists resolved for the collection year and sorted, rule conditions turned
 * into trees with column indexes, so the per-row work is lookups only.
 * Rules come one file (or one range of codes) per file from rules/; each
 * says the collection years it applies to.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reader.h"
#include "ssda903_internal.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int s903_table_index(const struct s903_schema *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return (int)i;
    return -1;
}

int s903_col_index(const struct s903_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return (int)i;
    return -1;
}

/* A header field (as read: leading blanks, and blanks or a note after the
 * name, are tolerated) naming column name. */
static int names_column(const char *field, const char *name)
{
    size_t n = strlen(name);
    while (*field == ' ' || *field == '\t')
        field++;
    return !strncasecmp(field, name, n) && (field[n] == '\0' || field[n] == ' ');
}

static int csv_recognised(const struct s903_schema *s, const liia_signature *sig)
{
    for (size_t t = 0; t < s->ntables; t++) {
        const struct s903_table *tab = &s->tables[t];
        size_t hit = 0, child = 0;
        for (size_t c = 0; c < tab->ncols; c++)
            for (size_t f = 0; f < sig->nnames; f++)
                if (names_column(sig->names[f], tab->cols[c].name)) {
                    hit++;
                    child |= tab->cols[c].type == S903_CHILD;
                    break;
                }
        if (child && 2 * hit >= tab->ncols)
            return 1;
    }
    return 0;
}

int s903_schema_recognises(const struct s903_schema *s, const liia_signature *sig)
{
    if (!strcmp(sig->format, "csv"))
        return csv_recognised(s, sig);
    json_t *want = json_object_get(s->docs[0], "signature");
    const char *format = json_string_value(json_object_get(want, "format"));
    const char *root = json_string_value(json_object_get(want, "root"));
    const char *coll = json_string_value(json_object_get(want, "collection"));
    return format && !strcmp(format, sig->format) && root && !strcmp(root, sig->root) &&
           (!coll || !strcasecmp(coll, sig->collection));
}

static int bad(liia_error *e, const char *file, const char *what)
{
    liia_strlcpy(e->file, file, sizeof e->file);
    liia_error_fix(e, "restore schemas/ssda903/ from the release");
    return liia_fail(e, LIIA_E_SCHEMA, "malformed SSDA903 schema: %s", what);
}

static int codes_from_array(json_t *arr, struct s903_codes *c, liia_error *e)
{
    size_t n = json_array_size(arr);
    c->codes = calloc(n ? n : 1, sizeof *c->codes);
    if (!c->codes)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *v = json_string_value(json_array_get(arr, i));
        if (!v)
            return bad(e, "codelists", "a code is not a string");
        c->codes[c->n++] = v;
    }
    qsort(c->codes, c->n, sizeof *c->codes, cmp_str);
    return s903_codes_build(c, e);
}

/* The code list whose from/to years include the collection year. */
static int codes_for_year(json_t *lists, const char *name, int year,
                          struct s903_codes *c, liia_error *e)
{
    json_t *versions = json_object_get(lists, name);
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v) {
        json_t *from = json_object_get(v, "from"), *to = json_object_get(v, "to");
        if ((from && json_integer_value(from) > year) ||
            (to && json_integer_value(to) < year))
            continue;
        return codes_from_array(json_object_get(v, "codes"), c, e);
    }
    liia_error_fix(e, "add a version of code list %s covering %d to "
                      "schemas/ssda903/codelists.json", name, year);
    return liia_fail(e, LIIA_E_SCHEMA, "no %s code list for the collection year "
                     "ending %d", name, year);
}

static const struct { const char *name; enum s903_type type; } types[] = {
    {"child", S903_CHILD}, {"code", S903_CODE}, {"date", S903_DATE},
    {"upn", S903_UPN}, {"postcode", S903_POSTCODE}, {"text", S903_TEXT},
    {"datetime", S903_DATETIME}, {"bool", S903_BOOL}, {"int", S903_INT},
    {"pdate", S903_PDATE},
};

/* "pii": how a value that identifies a child is reduced before it is
 * stored (and masked in stored findings).  Each mode fits one type: the
 * identifier is replaced by its keyed HMAC, a date kept to its month, a
 * postcode to its sector, anything else dropped (never stored). */
static int load_pii(json_t *jc, struct s903_col *c, liia_error *e)
{
    static const struct { const char *name; enum s903_pii mode; int type; } modes[] = {
        {"hmac", PII_HMAC, S903_CHILD}, {"month", PII_MONTH, S903_DATE},
        {"sector", PII_SECTOR, S903_POSTCODE}, {"drop", PII_DROP, -1},
    };
    json_t *v = json_object_get(jc, "pii");
    const char *mode = json_string_value(v);
    c->pii = PII_NONE;
    for (size_t i = 0; mode && i < sizeof modes / sizeof *modes; i++)
        if (!strcmp(mode, modes[i].name)) {
            if (modes[i].type >= 0 && (int)c->type != modes[i].type)
                return bad(e, "tables.json", "pii hmac is for child, month for date and "
                                             "sector for postcode columns");
            c->pii = modes[i].mode;
        }
    if ((v && c->pii == PII_NONE) || (c->pii == PII_DROP && c->store))
        return bad(e, "tables.json", "pii is one of hmac, month, sector, drop (a dropped "
                                     "column has no store)");
    /* the identifier and postcodes are never stored as given */
    if ((c->type == S903_CHILD && c->pii != PII_HMAC) ||
        (c->type == S903_POSTCODE && c->pii != PII_SECTOR) ||
        (c->type == S903_UPN && c->pii != PII_DROP))
        return bad(e, "tables.json", "a child column needs pii hmac, a postcode pii "
                                     "sector, a UPN pii drop");
    c->degrade_month = c->pii == PII_MONTH;
    return 0;
}

/* A code list renamed across years (codelists.json "maps": {"LIST":
 * {"values": {code: stored code}}}): its codes are stored as the new
 * list's. */
static const json_t *code_map(json_t *codelists, const char *list)
{
    return json_object_get(json_object_get(json_object_get(codelists, "maps"), list),
                           "values");
}

/* "identifies": "la" (a text or int cell: the authority's DfE number),
 * "year" (an int cell: the year the collection year ends; a date cell: a
 * day in it) or "activity" (a date cell: its table's dates show the year,
 * see ID_ACTIVITY). */
static int load_identifies(json_t *jc, struct s903_col *c, liia_error *e)
{
    const char *id = json_string_value(json_object_get(jc, "identifies"));
    c->identifies = ID_NONE;
    if (!json_object_get(jc, "identifies"))
        return 0;
    if (id && !strcmp(id, "la") && (c->type == S903_TEXT || c->type == S903_INT))
        c->identifies = ID_LA;
    else if (id && !strcmp(id, "year") && (c->type == S903_INT || c->type == S903_DATE))
        c->identifies = ID_YEAR;
    else if (id && !strcmp(id, "activity") && c->type == S903_DATE)
        c->identifies = ID_ACTIVITY;
    else
        return bad(e, "tables.json", "\"identifies\" is \"la\" (a text or int column), "
                                     "\"year\" (an int or date column) or \"activity\" "
                                     "(a date column)");
    return 0;
}

static int load_col(json_t *jc, json_t *codelists, int year, struct s903_col *c,
                    liia_error *e)
{
    const char *type = json_string_value(json_object_get(jc, "type"));
    c->name = json_string_value(json_object_get(jc, "name"));
    if (!c->name || !type)
        return bad(e, "tables.json", "a column needs name and type");
    size_t i;
    for (i = 0; i < sizeof types / sizeof *types; i++)
        if (!strcmp(types[i].name, type))
            break;
    if (i == sizeof types / sizeof *types)
        return bad(e, "tables.json", "unknown column type");
    c->type = types[i].type;
    c->required = json_is_true(json_object_get(jc, "required"));
    c->optional_column = json_is_true(json_object_get(jc, "optional_column"));
    c->store = json_string_value(json_object_get(jc, "store"));
    if (load_pii(jc, c, e))
        return -1;
    c->rule = json_string_value(json_object_get(jc, "rule"));
    if (!c->rule)
        c->rule = "LIIA-903-CELL";
    c->given = json_object_get(jc, "inherit") || json_object_get(jc, "ordinal");
    c->upn_no_unknown = json_is_false(json_object_get(jc, "un_codes"));
    if (load_identifies(jc, c, e))
        return -1;
    if (c->type == S903_CODE && year) {
        const char *list = json_string_value(json_object_get(jc, "codelist"));
        if (!list)
            return bad(e, "tables.json", "a code column needs a codelist");
        c->map = code_map(codelists, list);
        return codes_for_year(json_object_get(codelists, "lists"), list, year, &c->codes, e);
    }
    return 0;
}

/* Names the schema gives the store (tables, columns) are SQL identifiers
 * written into DDL and INSERTs: checked here, never taken from input. */
static int ident_ok(const char *v)
{
    if (!v || !(*v >= 'a' && *v <= 'z') || strlen(v) > 63)
        return 0;
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') || *v == '_'))
            return 0;
    return 1;
}

/* "cross_order_by": one or two date columns of a part that is neither
 * the child's nor ordered (docs/rules.md). */
static int load_cross_order(json_t *jt, struct s903_table *t, liia_error *e)
{
    json_t *by = json_object_get(jt, "cross_order_by");
    const char *end = json_string_value(json_object_get(jt, "period_end"));
    t->cross_order[0] = t->cross_order[1] = -1;
    t->period_col = -1;
    if (end && (t->order_col < 0 || (t->period_col = s903_col_index(t, end)) < 0 ||
                t->cols[t->period_col].type != S903_DATE))
        return bad(e, "tables.json", "period_end is a date column of a part ordered by a "
                                     "date");
    if (!by)
        return 0;
    if (!json_is_array(by) || json_array_size(by) < 1 || json_array_size(by) > 2 ||
        t->role != ROLE_PART)
        return bad(e, "tables.json", "cross_order_by is a list of one or two date columns "
                                     "of a part neither the child's nor ordered");
    for (size_t i = 0; i < json_array_size(by); i++) {
        const char *name = json_string_value(json_array_get(by, i));
        int col = name ? s903_col_index(t, name) : -1;
        if (col < 0 || t->cols[col].type != S903_DATE)
            return bad(e, "tables.json", "cross_order_by is a list of one or two date "
                                         "columns of a part neither the child's nor ordered");
        t->cross_order[i] = col;
    }
    return 0;
}

/* "role", "order_by": what the part is to the per-child pass.  order_by
 * names a date column of the part, or is "file" (the records of a child in
 * the order the file gives them).  Any number of parts may be ordered;
 * ordered_table is the first (SSDA903's episodes: the part read last). */
static int load_role(json_t *jt, struct s903_schema *s, struct s903_table *t, int idx,
                     liia_error *e)
{
    const char *role = json_string_value(json_object_get(jt, "role"));
    const char *order_by = json_string_value(json_object_get(jt, "order_by"));
    t->role = ROLE_PART;
    t->order_col = -1;
    if (role && !strcmp(role, "child")) {
        if (s->child_table >= 0)
            return bad(e, "tables.json", "one part has \"role\": \"child\"");
        t->role = ROLE_CHILD;
        s->child_table = idx;
    } else if (role) {
        return bad(e, "tables.json", "role is \"child\" (or absent)");
    }
    if (order_by) {
        if (t->role != ROLE_PART ||
            (strcmp(order_by, "file") &&
             ((t->order_col = s903_col_index(t, order_by)) < 0 ||
              t->cols[t->order_col].type != S903_DATE)))
            return bad(e, "tables.json", "order_by is on a part other than the child's: "
                                         "a date column of its own, or \"file\"");
        t->role = ROLE_ORDERED;
        if (s->ordered_table < 0)
            s->ordered_table = idx;
    }
    return load_cross_order(jt, t, e);
}

/* The order parts are read in: each after the parts its "after" names
 * (the child part first by default, the ordered parts last), else as
 * listed. */
static int load_order(json_t *tables, struct s903_schema *s, liia_error *e)
{
    if (!(s->load_order = calloc(s->ntables, sizeof *s->load_order)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    char *done = calloc(s->ntables, 1);
    if (!done)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    size_t n = 0;
    for (int pass = 0; n < s->ntables && pass <= (int)s->ntables; pass++)
        for (size_t t = 0; t < s->ntables; t++) {
            if (done[t])
                continue;
            json_t *after = json_object_get(json_array_get(tables, t), "after");
            int ready = s->tables[t].role == ROLE_CHILD || s->child_table < 0 ||
                        done[s->child_table];
            for (size_t o = 0; ready && o < s->ntables; o++)
                if (s->tables[t].role == ROLE_ORDERED && !done[o] &&
                    s->tables[o].role != ROLE_ORDERED)
                    ready = 0;
            size_t i;
            json_t *a;
            json_array_foreach(after, i, a) {
                int o = s903_table_index(s, json_string_value(a) ? json_string_value(a) : "");
                if (o < 0) {
                    free(done);
                    return bad(e, "tables.json", "\"after\" names no part");
                }
                ready &= done[o];
            }
            if (ready) {
                done[t] = 1;
                s->load_order[n++] = t;
            }
        }
    free(done);
    return n == s->ntables ? 0 : bad(e, "tables.json", "\"after\" goes round in a circle");
}

/* "2024-25" -> 2025; 0 when absent, -1 when malformed. */
static int year_of(json_t *v)
{
    const char *t = json_string_value(v);
    if (!v)
        return 0;
    if (!t || strlen(t) != 7 || t[4] != '-')
        return -1;
    int y = atoi(t);
    return y >= 2000 && y < 2100 && atoi(t + 5) == (y + 1) % 100 ? y + 1 : -1;
}

/* 1 when a column's from/to (collection years) include the year ending
 * in year (always for year 0: the columns of every year), -1 when they
 * are malformed. */
static int col_in_year(json_t *jc, int year)
{
    int from = year_of(json_object_get(jc, "from")), to = year_of(json_object_get(jc, "to"));
    if (from < 0 || to < 0)
        return -1;
    return !year || ((!from || from <= year) && (!to || year <= to));
}

static int load_tables(json_t *doc, json_t *lists, int year,
                       struct s903_schema *s, liia_error *e)
{
    json_t *tables = json_object_get(doc, "tables");
    const char *dates = json_string_value(json_object_get(doc, "dates"));
    const char *key = json_string_value(json_object_get(doc, "key"));
    s->iso_dates = dates && !strcmp(dates, "iso");
    s->key_record = key && !strcmp(key, "record");
    s->withhold_pii = json_is_true(json_object_get(doc, "withhold_pii"));
    s->rule_prefix = json_string_value(json_object_get(doc, "rule_prefix"));
    if (!s->rule_prefix)
        s->rule_prefix = "LIIA-903";
    const char *format = json_string_value(json_object_get(doc, "format"));
    s->xml = format && !strcmp(format, "xml");
    if (strlen(s->rule_prefix) > 20)
        return bad(e, "tables.json", "\"rule_prefix\" is at most 20 characters");
    if ((json_object_get(doc, "dates") && !s->iso_dates) ||
        (json_object_get(doc, "key") && !s->key_record))
        return bad(e, "tables.json", "\"dates\" is \"iso\" and \"key\" is \"record\" "
                                     "when given");
    s->child_table = s->ordered_table = -1;
    if (json_array_size(tables) == 0 || json_array_size(tables) > S903_MAX_PARTS)
        return bad(e, "tables.json", "tables must list 1 to 27 parts");
    if (!(s->tables = calloc(json_array_size(tables), sizeof *s->tables)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    size_t i, j;
    json_t *jt, *jc;
    json_array_foreach(tables, i, jt) {
        struct s903_table *t = &s->tables[s->ntables++];
        t->name = json_string_value(json_object_get(jt, "name"));
        t->store = json_string_value(json_object_get(jt, "store"));
        t->required = json_is_true(json_object_get(jt, "required"));
        t->element = json_string_value(json_object_get(jt, "element"));
        json_t *cols = json_object_get(jt, "columns");
        size_t n = json_array_size(cols);
        if (!t->name || !ident_ok(t->store) || n == 0)
            return bad(e, "tables.json", "a part needs a name, a store table named "
                                         "^[a-z][a-z0-9_]{0,62}$ and columns");
        if (!(t->cols = calloc(n, sizeof *t->cols)) || !(t->hcols = calloc(n, sizeof *t->hcols)))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        size_t stored = 0;
        json_array_foreach(cols, j, jc) {
            int in = col_in_year(jc, year);
            if (in < 0)
                return bad(e, "tables.json", "a column's from/to are collection years "
                                             "such as \"2024-25\"");
            if (!in)
                continue;   /* not in this year's return: no column at all */
            struct s903_col *c = &t->cols[t->ncols++];
            if (load_col(jc, lists, year, c, e))
                return -1;
            if (!c->name || (c->store && (!ident_ok(c->store) || !strcmp(c->store, "id") ||
                                          !strcmp(c->store, "flags") ||
                                          !strcmp(c->store, "line"))))
                return bad(e, "tables.json", "a column needs a name and its store column "
                                             "^[a-z][a-z0-9_]{0,62}$ (not id, line or flags)");
            stored += c->store != NULL;
            t->identifies |= c->identifies != ID_NONE;
        }
        if (stored + (size_t)s->key_record > S903_MAX_STORED)
            return bad(e, "tables.json", "a part stores at most 64 columns");
        if (load_role(jt, s, t, (int)i, e))
            return -1;
    }
    return load_order(tables, s, e);
}

/* Where a condition is compiled: the schema, the table of its row, and
 * whether it may read the child's other records (a rule, not a measure). */
struct cctx {
    struct s903_schema *s;
    int table;
    int refs;
    int agg;                       /* inside an aggregate's where: the row
                                    * is the counted record, no prev/next */
    int outer;                     /* inside an aggregate: the rule's
                                    * table (outer.COL), else -1 */
    int own;                       /* inside an aggregate over the rule's
                                    * own ordered part */
};

/* References only the per-child pass of the episodes has: the record two
 * before, the child's first and last. */
static int episodes_only(int ref)
{
    return ref == REF_PREV2 || ref == REF_FIRST || ref == REF_LAST;
}

static int is_episodes(const struct cctx *x)
{
    return x->s->tables[x->table].role == ROLE_ORDERED;
}

/* The length of "PART." when name starts with the child part's name and
 * a dot (SSDA903 "header.DOB", CIN "child.PersonBirthDate"): the child's
 * one record, whatever the return calls its child part; 0 otherwise. */
static size_t child_prefix(const struct s903_schema *s, const char *name)
{
    if (s->child_table < 0)
        return 0;
    const char *part = s->tables[s->child_table].name;
    size_t n = strlen(part);
    return !strncmp(name, part, n) && name[n] == '.' ? n + 1 : 0;
}

/* "DEC", "prev.DEC", "next.DECOM", "header.DOB" (CHILDPART.COL): the column
 * and the record it is read from (the child part's columns are then kept
 * per child); -1 if none. */
static int column_ref(const struct cctx *x, const char *name, int *ref)
{
    static const struct { const char *prefix; int ref; } refs[] = {
        {"prev.", REF_PREV}, {"next.", REF_NEXT},
        {"prev2.", REF_PREV2}, {"first.", REF_FIRST}, {"last.", REF_LAST},
        {"period_first.", REF_PFIRST}, {"period_last.", REF_PLAST},
    };
    *ref = REF_CUR;
    int table = x->table;
    size_t n = child_prefix(x->s, name);
    if (!n && !strncmp(name, "outer.", 6)) {
        if (x->outer < 0)
            return -1;
        *ref = REF_OUTER;
        name += 6;
        table = x->outer;
        return s903_col_index(&x->s->tables[table], name);
    }
    if (n) {
        if (!x->refs)
            return -1;
        *ref = REF_HEADER;
        name += n;
        table = x->s->child_table;
    }
    for (size_t i = 0; !n && i < sizeof refs / sizeof *refs; i++) {
        n = strlen(refs[i].prefix);
        if (strncmp(name, refs[i].prefix, n)) {
            n = 0;
            continue;
        }
        int period = refs[i].ref == REF_PFIRST || refs[i].ref == REF_PLAST;
        if (!x->refs || (x->agg && !period) ||
            (episodes_only(refs[i].ref) && !is_episodes(x)) ||
            (period && x->s->tables[x->table].period_col < 0))
            return -1;
        *ref = refs[i].ref;
        name += n;
    }
    struct s903_table *t = &x->s->tables[table];
    int col = s903_col_index(t, name);
    if (col < 0 || *ref != REF_HEADER)
        return col;
    for (size_t i = 0; i < t->nhcols; i++)
        if (t->hcols[i] == col)
            return col;
    if (t->cols[col].type != S903_DATE && t->cols[col].type != S903_CODE)
        return -1;   /* kept per child: dates and codes only */
    t->hcols[t->nhcols++] = col;
    return col;
}

/* "-11y", "+18y", "+1m", "-7d", "-45wd" (working days) after an operand;
 * 0 if s is not one. */
static int offset(const char *s, struct s903_cond *c)
{
    if ((*s != '+' && *s != '-') || s[1] < '0' || s[1] > '9')
        return 0;
    char *end;
    long n = strtol(s + 1, &end, 10);
    int v = (int)n * (*s == '-' ? -1 : 1);
    if (!strcmp(end, "wd") && n <= 9999) {
        c->op_wdays = v;
        c->shifted = v != 0;
        return 1;
    }
    if (end[1] != '\0' || n > 9999)
        return 0;
    switch (*end) {
    case 'y': c->op_years = v; c->shifted = v != 0; return 1;
    case 'm': c->op_months = v; c->shifted = v != 0; return 1;
    case 'd': c->op_days = v; c->shifted = v != 0; return 1;
    default:  return 0;
    }
}

/* "DOB", "prev.DEC", "$start", "$end", "$qs", "$qe", "$y1", "1991-10-14",
 * each optionally followed by an offset (+18y, -1m, +7d). */
static int load_operand(const char *text, const struct cctx *x, struct s903_cond *c)
{
    char base[64];
    liia_strlcpy(base, text, sizeof base);
    if (base[0] != '1' && base[0] != '2') {   /* a date's own '-' is no offset */
        char *sign = strpbrk(base + 1, "+-");
        if (sign) {
            if (!offset(sign, c))
                return -1;
            *sign = '\0';
        }
    }
    static const struct { const char *name; enum s903_opnd op; } named[] = {
        {"$start", OP_START}, {"$end", OP_END}, {"$qs", OP_QS}, {"$qe", OP_QE},
        {"$y1", OP_Y1},
    };
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcmp(base, named[i].name)) {
            c->op = named[i].op;
            return 0;
        }
    if (s903_parse_date(base, strlen(base), c->op_date) == 0) {
        c->op = OP_DATE;
        c->op_ymd = s903_ymd(c->op_date);
    }
    else if ((c->op_col = column_ref(x, base, &c->op_ref)) >= 0)
        c->op = OP_COL;
    else
        return -1;
    return 0;
}

static int load_cond(json_t *j, const struct cctx *x, struct s903_cond *c,
                     liia_error *e);

static int load_kids(json_t *arr, const struct cctx *x, struct s903_cond *c,
                     liia_error *e)
{
    c->nkids = json_is_array(arr) ? (uint32_t)json_array_size(arr) : 1;
    c->kids = calloc(c->nkids ? c->nkids : 1, sizeof *c->kids);
    if (!c->kids)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (!json_is_array(arr))
        return load_cond(arr, x, &c->kids[0], e);
    for (size_t i = 0; i < c->nkids; i++)
        if (load_cond(json_array_get(arr, i), x, &c->kids[i], e))
            return -1;
    return 0;
}

static const struct { const char *key; enum s903_kind kind; } cmps[] = {
    {"before", C_BEFORE}, {"after", C_AFTER}, {"same", C_SAME},
    {"on_or_before", C_ON_OR_BEFORE}, {"on_or_after", C_ON_OR_AFTER},
};

/* {"exists": "prev" | "next" | CHILDPART | PART}: the child part by its
 * name is the child's record (SSDA903 "header"). */
static int load_exists(const char *what, const struct cctx *x, struct s903_cond *c,
                       liia_error *e)
{
    static const struct { const char *name; int bit; } refs[] = {
        {"prev", REF_PREV}, {"next", REF_NEXT},
        {"prev2", REF_PREV2}, {"first", REF_FIRST}, {"last", REF_LAST},
    };
    c->kind = C_EXISTS;
    /* the child part by its name: the child's record (REF_HEADER) */
    if (x->refs && x->s->child_table >= 0 &&
        !strcmp(what, x->s->tables[x->s->child_table].name)) {
        c->exists = REF_HEADER;
        return 0;
    }
    for (size_t i = 0; x->refs && i < sizeof refs / sizeof *refs; i++)
        if (!strcmp(what, refs[i].name)) {
            if ((x->agg && refs[i].bit != REF_HEADER) ||
                (episodes_only(refs[i].bit) && !is_episodes(x)))
                return bad(e, "rules", "'exists' prev2/first/last is for episodes rules, "
                                       "and an aggregate's where sees no other record");
            c->exists = refs[i].bit;
            return 0;
        }
    int part = s903_table_index(x->s, what);
    if (!x->refs || part < 0)
        return bad(e, "rules", "'exists' names no record (prev, next, header) or part");
    c->exists = S903_EX_PART + part;
    return 0;
}

/* {"dated": REF}: the cell is a date the comparisons can read (given, and
 * a real date: a partial date DfE's way, S903_PDATE).  Only a date column
 * has one. */
static int load_dated(const char *col, const struct cctx *x, struct s903_cond *c,
                      liia_error *e)
{
    c->kind = C_DATED;
    if ((c->col = column_ref(x, col, &c->ref)) < 0)
        return bad(e, "rules or measures.json", "a condition names no column of its table");
    int table = c->ref == REF_HEADER ? x->s->child_table : c->ref == REF_OUTER ? x->outer
                                                                                : x->table;
    enum s903_type t = x->s->tables[table].cols[c->col].type;
    if (t != S903_DATE && t != S903_PDATE)
        return bad(e, "rules", "'dated' names a column that is not a date or pdate");
    return 0;
}

/* {"some" | "none" | "count": PART, "where": C, "at_least"/"at_most"/
 * "more_than"/"less_than": N}: how many of the child's records in PART
 * meet C; {"first" | "last": PART, "where": C, "holds": C2}: the first or
 * last of them (in the part's order) meets C2. */
static int load_count(json_t *j, const struct cctx *x, struct s903_cond *c,
                      liia_error *e)
{
    static const char *const keys[] = {"some", "none", "count", "first", "last"};
    const char *part = NULL;
    size_t k;
    for (k = 0; k < 5 && !part; k++)
        part = json_string_value(json_object_get(j, keys[k]));
    k--;
    /* the rule's own ordered part: the child pass's records; any other
     * part (the child part, the rule's own unordered part): a cross rule */
    int other = part ? s903_table_index(x->s, part) : -1;
    if (other < 0)
        other = -2;
    else if (other == x->table && is_episodes(x))
        other = -1;
    if (!x->refs || x->agg || other == -2)
        return bad(e, "rules", "an aggregate (some, none, count) counts the child's "
                               "records of a part, and not inside another");
    c->kind = C_COUNT;
    c->part = other;
    c->pick = k >= 3 ? (int)k - 2 : 0;
    c->at_least = k == 0 ? 1 : 0;
    c->at_most = k == 1 ? 0 : LONG_MAX;
    static const struct { const char *key; int lo; long add; } lim[] = {
        {"at_least", 1, 0}, {"more_than", 1, 1}, {"at_most", 0, 0}, {"less_than", 0, -1},
    };
    for (size_t i = 0; k == 2 && i < sizeof lim / sizeof *lim; i++) {
        json_t *n = json_object_get(j, lim[i].key);
        if (!n)
            continue;
        if (!json_is_integer(n) || json_integer_value(n) < 0)
            return bad(e, "rules", "a count's limit is a whole number");
        *(lim[i].lo ? &c->at_least : &c->at_most) = (long)json_integer_value(n) + lim[i].add;
    }
    json_t *where = json_object_get(j, "where");
    struct cctx in = *x;
    in.agg = 1;
    /* outer.COL: the record the rule is on, also among its own part's */
    in.outer = x->table;
    in.own = other == -1;
    if (other >= 0)
        in.table = other;
    if (!json_is_object(where))
        return bad(e, "rules", "an aggregate needs 'where' (the condition on each record)");
    if (!c->pick)
        return load_kids(where, &in, c, e);
    json_t *holds = json_object_get(j, "holds");
    if (!json_is_object(holds))
        return bad(e, "rules", "'first' and 'last' need 'holds' (the condition on the "
                               "record they pick)");
    json_t *both = json_pack("[OO]", where, holds);
    if (!both)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = load_kids(both, &in, c, e);
    json_decref(both);
    return rc;
}

/* {"col": DATE, "weekday": ["Sat", "Sun"]}: the date falls on one of the
 * days (C_WEEKDAY). */
/* The end of the bracket expression opening at p ('['), NULL when it has
 * none: a ']' first (after any '^') is a member, as is "[:alpha:]". */
static const char *bracket_end(const char *p)
{
    p++;
    p += *p == '^';
    p += *p == ']';
    for (; *p && *p != ']'; p++)
        if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            const char *close = p + 2;
            while (*close && !(close[0] == p[1] && close[1] == ']'))
                close++;
            if (!*close)
                return NULL;
            p = close + 1;
        }
    return *p ? p : NULL;
}

/* 1 when PCRE2 reads the POSIX extended pattern as POSIX does: no
 * backslash (an escape inside brackets in PCRE2, a literal in POSIX; GNU's
 * \< \> are not PCRE2's), no "{,n}" (literal text in PCRE2), and no
 * quantifier after a quantifier, an opening '(' , a '|' or a '^' (PCRE2's
 * lazy and possessive quantifiers, "(?" options and "(*" verbs). */
static int pcre2_reads_alike(const char *p)
{
    if (strchr(p, '\\'))
        return 0;
    int after = 1;   /* after a quantifier, or where none may stand */
    for (; *p; p++) {
        int quantifier = *p == '*' || *p == '+' || *p == '?' || *p == '{';
        if (quantifier && after)
            return 0;
        if (*p == '[' && !(p = bracket_end(p)))
            return 0;
        if (*p == '{' && (p[1] == ',' || !(p = strchr(p, '}'))))
            return 0;
        after = quantifier || *p == '(' || *p == '|' || *p == '^';
    }
    return 1;
}

/* "matches": POSIX extended, as the schema format promises, matched by
 * PCRE2's JIT: glibc's regexec took 600 cycles a cell on a census's UPN
 * rules (its per-call setup), a tenth of the ingest thread.  A pattern
 * PCRE2 would read otherwise is refused; glibc's compiled pattern is kept
 * for a cell on which PCRE2 would backtrack past its limit. */
static int compile_matches(struct s903_cond *c, const char *pattern, liia_error *e)
{
    if (!(c->posix = malloc(sizeof *c->posix)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (regcomp(c->posix, pattern, REG_EXTENDED | REG_NOSUB)) {
        free(c->posix);
        c->posix = NULL;
        return bad(e, "rules", "'matches' is not a POSIX extended regular expression");
    }
    if (!pcre2_reads_alike(pattern))
        return bad(e, "rules", "'matches' has a backslash, '{,' or a quantifier after a "
                               "quantifier, '(', '|' or '^' (write it without: PCRE2, "
                               "which matches, would read it otherwise)");
    int err;
    PCRE2_SIZE at;
    /* '.' matches a newline and '$' only the very end, as in POSIX */
    c->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                          PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_NO_AUTO_CAPTURE |
                              PCRE2_NEVER_UTF | PCRE2_NEVER_UCP,
                          &err, &at, NULL);
    if (!c->re)
        return bad(e, "rules", "'matches' is a pattern PCRE2 cannot compile");
    /* without JIT (no executable memory allowed) PCRE2 interprets it */
    (void)pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
    if (!(c->md = pcre2_match_data_create_from_pattern(c->re, NULL)) ||
        !(c->limit = pcre2_match_context_create(NULL)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    /* A tenth of a millisecond or so; then glibc answers */
    pcre2_set_match_limit(c->limit, S903_PCRE2_LIMIT);
    return 0;
}

static int load_weekday(json_t *v, const struct s903_table *t, struct s903_cond *c,
                        liia_error *e)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    size_t i;
    json_t *d;
    c->kind = C_WEEKDAY;
    if (t->cols[c->col].type != S903_DATE || !json_is_array(v) || !json_array_size(v))
        return bad(e, "rules", "'weekday' is a list of days (\"Mon\" .. \"Sun\") of a "
                               "date column");
    json_array_foreach(v, i, d) {
        size_t k = 0;
        while (k < 7 && (!json_is_string(d) || strcmp(json_string_value(d), days[k])))
            k++;
        if (k == 7)
            return bad(e, "rules", "'weekday' names a day other than Mon .. Sun");
        c->code_bits |= (uint64_t)1 << k;
    }
    return 0;
}

/* {"repeated": COL}: an earlier record of the part in the file gave the
 * column the same value (DfE's uniqueness rules: 8510 LAchildID, 1520
 * UPN).  A row rule of a return read in one pass (XML), and the whole of
 * its rule: every record's value must reach the set (load_rule). */
static int load_repeated(const char *col, const struct cctx *x, struct s903_cond *c,
                         liia_error *e)
{
    c->kind = C_REPEATED;
    if ((c->col = column_ref(x, col, &c->ref)) < 0 || c->ref != REF_CUR || x->agg)
        return bad(e, "rules", "'repeated' names a column of the rule's own part");
    if (!x->s->xml)
        return bad(e, "rules", "'repeated' is for a return read in one pass (XML)");
    if (!(c->seen = s903_seen_new(0)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return 0;
}

/* 1 when c reads the value (not just given or blank) of a column dropped
 * at the door (no "store": UPN) of a record other than the row as read:
 * in the child's pass only whether it was given is known. */
static int reads_dropped(const struct s903_cond *c, const struct s903_schema *s, int table,
                         int outer)
{
    switch (c->kind) {
    case C_ALL: case C_ANY: case C_NOT:
        for (size_t i = 0; i < c->nkids; i++)
            if (reads_dropped(&c->kids[i], s, table, outer))
                return 1;
        return 0;
    case C_COUNT:
        for (size_t i = 0; i < c->nkids; i++)
            if (reads_dropped(&c->kids[i], s, c->part >= 0 ? c->part : table, table))
                return 1;
        return 0;
    case C_PRESENT: case C_BLANK: case C_EXISTS: case C_EARLIER: case C_REPEATED:
        return 0;
    default: {
        int refs[2] = {c->ref, -1}, cols[2] = {c->col, -1};
        if (c->kind == C_EQUALS || c->kind == C_WORKDAYS ||
            (c->kind >= C_BEFORE && c->op == OP_COL)) {
            refs[1] = c->op_ref;
            cols[1] = c->op_col;
        }
        for (size_t i = 0; i < 2 && refs[i] >= 0; i++) {
            int t = refs[i] == REF_HEADER ? s->child_table : refs[i] == REF_OUTER ? outer : table;
            if (t >= 0 && !s->tables[t].cols[cols[i]].store)
                return 1;
        }
        return 0;
    }
    }
}

/* 1 when C_REPEATED is in c (at any depth). */
static int has_repeated(const struct s903_cond *c)
{
    int r = c->kind == C_REPEATED;
    for (size_t i = 0; i < c->nkids && !r; i++)
        r = has_repeated(&c->kids[i]);
    return r;
}

/* A date column of the record a reference reads (0 when it is one). */
static int date_ref(const struct cctx *x, const char *name, int *col, int *ref)
{
    if (!name || (*col = column_ref(x, name, ref)) < 0)
        return -1;
    int table = *ref == REF_HEADER ? x->s->child_table : *ref == REF_OUTER ? x->outer : x->table;
    return x->s->tables[table].cols[*col].type == S903_DATE ? 0 : -1;
}

/* {"working_days": [FROM, TO], "at_most": N, "at_least": N}: the working
 * days after FROM up to and including TO (s903_cond C_WORKDAYS). */
static int load_workdays(json_t *j, json_t *v, const struct cctx *x, struct s903_cond *c,
                         liia_error *e)
{
    json_t *lo = json_object_get(j, "at_least"), *hi = json_object_get(j, "at_most");
    c->kind = C_WORKDAYS;
    c->at_least = LONG_MIN;
    c->at_most = LONG_MAX;
    if (json_array_size(v) != 2 ||
        date_ref(x, json_string_value(json_array_get(v, 0)), &c->col, &c->ref) ||
        date_ref(x, json_string_value(json_array_get(v, 1)), &c->op_col, &c->op_ref) ||
        (!lo && !hi) || (lo && !json_is_integer(lo)) || (hi && !json_is_integer(hi)))
        return bad(e, "rules or measures.json", "'working_days' is [FROM, TO], two date "
                   "columns, with 'at_most' or 'at_least' a whole number");
    if (lo)
        c->at_least = (long)json_integer_value(lo);
    if (hi)
        c->at_most = (long)json_integer_value(hi);
    return 0;
}

static int load_cond(json_t *j, const struct cctx *x, struct s903_cond *c,
                     liia_error *e)
{
    json_t *v;
    if ((v = json_object_get(j, "working_days")))
        return load_workdays(j, v, x, c, e);
    if (json_object_get(j, "some") || json_object_get(j, "none") ||
        json_object_get(j, "count") || json_object_get(j, "first") ||
        json_object_get(j, "last"))
        return load_count(j, x, c, e);
    if ((v = json_object_get(j, "all")) || (v = json_object_get(j, "any")) ||
        (v = json_object_get(j, "not"))) {
        c->kind = json_object_get(j, "all") ? C_ALL
                : json_object_get(j, "any") ? C_ANY : C_NOT;
        return load_kids(v, x, c, e);
    }
    const char *col;
    if ((col = json_string_value(json_object_get(j, "exists"))))
        return load_exists(col, x, c, e);
    if ((col = json_string_value(json_object_get(j, "repeated"))))
        return load_repeated(col, x, c, e);
    col = json_string_value(json_object_get(j, "present"));
    c->kind = C_PRESENT;
    if (!col) {
        col = json_string_value(json_object_get(j, "blank"));
        c->kind = C_BLANK;
    }
    if (!col && (col = json_string_value(json_object_get(j, "dated"))))
        return load_dated(col, x, c, e);
    if (!col && (col = json_string_value(json_object_get(j, "earlier")))) {
        /* the counted record comes before the rule's record in their
         * part's order: the ties a date comparison cannot break */
        c->kind = C_EARLIER;
        return x->own && !strcmp(col, "outer") ? 0
               : bad(e, "rules", "'earlier' is {\"earlier\": \"outer\"}, inside an "
                                 "aggregate over the rule's own ordered part");
    }
    if (!col) {
        col = json_string_value(json_object_get(j, "col"));
        c->kind = C_IN;
    }
    if (!col || (c->col = column_ref(x, col, &c->ref)) < 0)
        return bad(e, "rules or measures.json", "a condition names no column of its table");
    if (c->kind != C_IN)
        return 0;
    const struct s903_table *t = &x->s->tables[c->ref == REF_HEADER ? x->s->child_table
                                               : c->ref == REF_OUTER ? x->outer
                                                                     : x->table];
    const char *other = json_string_value(json_object_get(j, "equals"));
    if (other) {
        c->kind = C_EQUALS;
        if ((c->op_col = column_ref(x, other, &c->op_ref)) < 0)
            return bad(e, "rules", "'equals' names no column");
        return 0;
    }
    if ((v = json_object_get(j, "weekday")))
        return load_weekday(v, t, c, e);
    const char *pattern = json_string_value(json_object_get(j, "matches"));
    if (pattern) {
        c->kind = C_MATCHES;
        return compile_matches(c, pattern, e);
    }
    if ((v = json_object_get(j, "in"))) {
        if (codes_from_array(v, &c->codes, e))
            return -1;
        const struct s903_codes *listed = &t->cols[c->col].codes;
        if (t->cols[c->col].type == S903_CODE && listed->n <= 64) {
            c->has_code_bits = 1;
            for (size_t i = 0; i < listed->n; i++)
                if (s903_codes_has(&c->codes, listed->codes[i]))
                    c->code_bits |= (uint64_t)1 << i;
        }
        return 0;
    }
    for (size_t i = 0; i < sizeof cmps / sizeof *cmps; i++) {
        const char *op = json_string_value(json_object_get(j, cmps[i].key));
        if (!op)
            continue;
        c->kind = cmps[i].kind;
        if (load_operand(op, x, c))
            return bad(e, "rules or measures.json", "a date comparison has an unknown operand");
        return 0;
    }
    return bad(e, "rules or measures.json", "a condition has no in or date comparison");
}

/* A rough cost of evaluating a condition: a code test is a bit test, a
 * date comparison parses and may shift dates, a regular expression runs
 * a matcher. */
static unsigned cond_cost(const struct s903_cond *c)
{
    unsigned n = 0;
    switch (c->kind) {
    case C_ALL: case C_ANY: case C_NOT:
        for (size_t i = 0; i < c->nkids; i++)
            n += cond_cost(&c->kids[i]);
        return n;
    case C_EXISTS:  return 1;
    case C_PRESENT: case C_BLANK: case C_DATED: case C_EARLIER: return 2;
    case C_REPEATED: return 16;
    case C_IN:      return c->has_code_bits ? 2 : 6;
    case C_EQUALS:  return 4;
    case C_WORKDAYS: return 12;
    case C_WEEKDAY: return 6;
    case C_MATCHES: return 64;
    case C_COUNT:   return 32 + 4 * cond_cost(&c->kids[0]);
    default:        return 8 + 4 * (c->op_years || c->op_months || c->op_days) +
                           16 * (c->op_wdays != 0);
    }
}

/* Puts the cheap terms of every all/any first (stable): a condition has
 * no side effects, so the order changes only how soon an all meets a
 * false term, and most rows fail a rule on its first code test. */
static void order_cond(struct s903_cond *c)
{
    for (size_t i = 0; i < c->nkids; i++)
        order_cond(&c->kids[i]);
    if (c->kind != C_ALL && c->kind != C_ANY)
        return;
    for (size_t i = 1; i < c->nkids; i++) {
        struct s903_cond k = c->kids[i];
        unsigned cost = cond_cost(&k);
        size_t j = i;
        for (; j > 0 && cond_cost(&c->kids[j - 1]) > cost; j--)
            c->kids[j] = c->kids[j - 1];
        c->kids[j] = k;
    }
}

/* What a condition reads beyond its own row: bit 0 another record or an
 * exists, bit 1 a cell, bit 2 what a header row cannot know as it streams
 * in (a later header row of the child, or rows in another part), bit 3
 * the cells of another part's records (an aggregate over it). */
static unsigned reads(const struct s903_cond *c, const struct s903_schema *s)
{
    unsigned r = 0;
    switch (c->kind) {
    case C_ALL: case C_ANY: case C_NOT:
        for (size_t i = 0; i < c->nkids; i++)
            r |= reads(&c->kids[i], s);
        return r;
    case C_COUNT:
        return c->part >= 0 ? 11 : 3;
    case C_EARLIER:
        return 1;
    case C_EXISTS:
        r = 1;
        if (c->exists == REF_NEXT || (c->exists >= S903_EX_PART &&
            c->exists - S903_EX_PART != s->child_table))
            r |= 4;
        return r;
    default:
        r = 2 | (c->ref != REF_CUR);
        if ((c->kind == C_EQUALS || c->kind == C_WORKDAYS ||
             (c->kind >= C_BEFORE && c->op == OP_COL)) && c->op_ref != REF_CUR)
            r |= 1;
        return r;
    }
}

/* 1 when a header or uasc rule reads what is not known while those parts
 * stream in: a cell of another record of the part, or the next record
 * (a header row knows only whether an earlier one came). */
static int uses_next_or_prev_cells(const struct s903_cond *c, int header_part)
{
    switch (c->kind) {
    case C_ALL: case C_ANY: case C_NOT:
        for (size_t i = 0; i < c->nkids; i++)
            if (uses_next_or_prev_cells(&c->kids[i], header_part))
                return 1;
        return 0;
    case C_EXISTS:
        return c->exists == REF_NEXT || (c->exists == REF_PREV && !header_part);
    default:
        return c->ref == REF_PREV || c->ref == REF_NEXT ||
               ((c->kind == C_EQUALS || c->kind == C_WORKDAYS ||
                 (c->kind >= C_BEFORE && c->op == OP_COL)) &&
                (c->op_ref == REF_PREV || c->op_ref == REF_NEXT));
    }
}

/* Row, child or end rule (enum s903_when), and what each part allows: the
 * header and uasc are read before the episodes, one row at a time. */
static int classify(struct s903_rule *r, const struct s903_schema *s, liia_error *e)
{
    unsigned rd = reads(&r->cond, s);
    enum s903_role role = s->tables[r->table].role;
    int episodes = role == ROLE_ORDERED;
    r->when = !(rd & 1) ? W_ROW : episodes || !(rd & 4) ? W_CHILD : W_END;
    /* Another part's records, or (a part other than the child's) what
     * the child has in parts read later: the cross-part pass, or where a
     * child's records come together the child's own pass. */
    int neighbours = role == ROLE_PART && s->tables[r->table].cross_order[0] >= 0 &&
                     uses_next_or_prev_cells(&r->cond, 0);
    /* a rule that "needs" a part runs where every file is known */
    if ((rd & 8) || (r->when == W_END && role != ROLE_CHILD) || neighbours ||
        r->needs >= 0)
        r->when = s->xml ? W_CHILD : W_CROSS;
    if (r->when == W_CROSS && !episodes && s->tables[r->table].cross_order[0] < 0 &&
        uses_next_or_prev_cells(&r->cond, 0))
        return bad(e, "rules", "a cross rule reads next/prev cells only on an ordered "
                               "part or one with \"cross_order_by\"");
    if (r->when == W_END && ((rd & 2) || role != ROLE_CHILD))
        return bad(e, "rules", "a header rule asking about other parts or a later "
                               "header row may use 'exists' only (uasc rules may ask "
                               "only 'exists': \"header\")");
    if (r->when == W_CHILD && !episodes &&
        uses_next_or_prev_cells(&r->cond, role == ROLE_CHILD))
        return bad(e, "rules", "a header or uasc rule may read header.COL and ask "
                               "'exists' (prev: header rules), not next/prev cells");
    return 0;
}

static int load_file_rule(json_t *when, struct s903_schema *s, struct s903_rule *r,
                          liia_error *e);
static int add_mrule(struct s903_schema *s, const char *code, int table, int measure,
                     json_t *where, liia_error *e);

static int load_rule(json_t *jr, struct s903_schema *s, struct s903_rule *r,
                     liia_error *e)
{
    const char *table = json_string_value(json_object_get(jr, "table"));
    const char *col = json_string_value(json_object_get(jr, "column"));
    const char *sev = json_string_value(json_object_get(jr, "severity"));
    r->code = json_string_value(json_object_get(jr, "code"));
    r->message = json_string_value(json_object_get(jr, "message"));
    r->fix = json_string_value(json_object_get(jr, "fix"));
    r->sql = json_string_value(json_object_get(jr, "sql"));
    r->severity = sev && !strcmp(sev, "warning") ? LIIA_SEV_WARNING : LIIA_SEV_ERROR;
    if (!r->code || !r->message || !table || !col ||
        (r->table = s903_table_index(s, table)) < 0 ||
        (r->col = s903_col_index(&s->tables[r->table], col)) < 0)
        return bad(e, "rules", "a rule needs code, message, table and column");
    if (!r->fix)
        r->fix = "";
    r->needs = -1;
    const char *needs = json_string_value(json_object_get(jr, "needs"));
    if (needs && ((r->needs = s903_table_index(s, needs)) < 0 || s->xml))
        return bad(e, "rules", "'needs' names a part (of a return sent as several files)");
    json_t *when = json_object_get(jr, "when");
    if (!r->sql && !when)
        return bad(e, "rules", "a rule needs 'when' (or 'sql')");
    if (r->sql)
        return 0;
    const char *scope = json_string_value(json_object_get(jr, "scope"));
    if (scope && !strcmp(scope, "file"))
        return load_file_rule(when, s, r, e);
    if (scope && strcmp(scope, "record"))
        return bad(e, "rules", "'scope' is \"record\" (the default) or \"file\"");
    struct cctx x = {s, r->table, 1, 0, -1, 0};
    if (load_cond(when, &x, &r->cond, e) || classify(r, s, e))
        return -1;
    if (has_repeated(&r->cond) && r->cond.kind != C_REPEATED)
        return bad(e, "rules", "'repeated' is a rule's whole condition (every record's "
                               "value must be seen)");
    if (r->when != W_ROW && reads_dropped(&r->cond, s, r->table, -1))
        return bad(e, "rules", "a rule across a child's records may ask only whether a "
                               "column dropped at the door (UPN) was given, not its value");
    order_cond(&r->cond);
    return 0;
}

/* A file rule's term: {"count": PART, "where": C} or {"distinct":
 * "PART.COL", "where": C}. */
static int load_fterm(struct s903_schema *s, const char *code, json_t *j, struct s903_fnum *f,
                      liia_error *e)
{
    const char *part = json_string_value(json_object_get(j, "count"));
    const char *dist = json_string_value(json_object_get(j, "distinct"));
    char name[64];
    int table = -1, col = -1;
    if (dist && strchr(dist, '.') && (size_t)(strchr(dist, '.') - dist) < sizeof name) {
        liia_strlcpy(name, dist, (size_t)(strchr(dist, '.') - dist) + 1);
        if ((table = s903_table_index(s, name)) >= 0)
            col = s903_col_index(&s->tables[table], strchr(dist, '.') + 1);
    } else if (part) {
        table = s903_table_index(s, part);
    }
    if (table < 0 || (dist && col < 0))
        return bad(e, "rules", "a file rule counts {\"count\": PART} or {\"distinct\": "
                               "\"PART.COL\"} of a part of the return");
    struct s903_fterm *t = liia_grow_array(s->fterms, &s->capfterms, s->nfterms + 1,
                                           sizeof *t, 8);
    if (!t)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    s->fterms = t;
    s->fterms[s->nfterms] = (struct s903_fterm){table, col, 0, NULL};
    if (dist && !(s->fterms[s->nfterms].seen = s903_seen_new(0)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    f->kind = F_TERM;
    f->term = (int)s->nfterms++;
    return add_mrule(s, code, table, -1 - f->term, json_object_get(j, "where"), e);
}

/* A file rule's number (s903_fnum). */
static int load_fnum(struct s903_schema *s, const char *code, json_t *j, struct s903_fnum *f,
                     liia_error *e)
{
    json_t *v;
    if (json_is_number(j)) {
        f->kind = F_NUM;
        f->num = json_number_value(j);
        return 0;
    }
    if (!(v = json_object_get(j, "sum")) && !(v = json_object_get(j, "share")))
        return load_fterm(s, code, j, f, e);
    f->kind = json_object_get(j, "sum") ? F_SUM : F_SHARE;
    f->nkids = json_array_size(v);
    if (f->nkids == 0 || (f->kind == F_SHARE && f->nkids != 2))
        return bad(e, "rules", "'sum' is a list of numbers, 'share' two");
    if (!(f->kids = calloc(f->nkids, sizeof *f->kids)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < f->nkids; i++)
        if (load_fnum(s, code, json_array_get(v, i), &f->kids[i], e))
            return -1;
    return 0;
}

/* One comparison: {"more_than" | "at_least" | "less_than" | "at_most" |
 * "equals": [A, B]}. */
static int load_fcmp(json_t *j, struct s903_schema *s, const char *code, struct s903_fcmp *c,
                     liia_error *e)
{
    static const struct { const char *key; enum s903_kind k; } ops[] = {
        {"more_than", C_AFTER}, {"at_least", C_ON_OR_AFTER}, {"less_than", C_BEFORE},
        {"at_most", C_ON_OR_BEFORE}, {"equals", C_SAME},
    };
    json_t *v = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof *ops && !v; i++)
        if ((v = json_object_get(j, ops[i].key)))
            c->op = ops[i].k;
    if (json_array_size(v) != 2)
        return bad(e, "rules", "a file rule compares: {\"more_than\" | \"at_least\" | "
                               "\"less_than\" | \"at_most\" | \"equals\": [A, B]}, or "
                               "{\"all\": [comparisons]}");
    return load_fnum(s, code, json_array_get(v, 0), &c->ab[0], e) ||
           load_fnum(s, code, json_array_get(v, 1), &c->ab[1], e) ? -1 : 0;
}

/* "scope": "file": a comparison, or {"all": [...]} of them, judged once
 * the file is read (s903_file_rules). */
static int load_file_rule(json_t *when, struct s903_schema *s, struct s903_rule *r,
                          liia_error *e)
{
    json_t *all = json_object_get(when, "all");
    if (!s->xml)
        return bad(e, "rules", "a file rule is for a return read in one pass (XML)");
    r->when = W_FILE;
    r->nfcmps = all ? json_array_size(all) : 1;
    if (r->nfcmps == 0)
        return bad(e, "rules", "a file rule's 'all' lists its comparisons");
    if (!(r->fcmps = calloc(r->nfcmps, sizeof *r->fcmps)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < r->nfcmps; i++)
        if (load_fcmp(all ? json_array_get(all, i) : when, s, r->code, &r->fcmps[i], e))
            return -1;
    return 0;
}

/* 1 when the rule applies in the collection year ending in year. */
static int in_year(json_t *jr, int year, liia_error *e)
{
    int from = year_of(json_object_get(jr, "from")), to = year_of(json_object_get(jr, "to"));
    if (from < 0 || to < 0)
        return bad(e, "rules", "'from' and 'to' are collection years such as \"2024-25\"");
    return (!from || from <= year) && (!to || year <= to);
}

static int add_rules_of(json_t *doc, struct s903_schema *s, size_t *cap, liia_error *e)
{
    json_t *list = json_object_get(doc, "rules");
    size_t n = list ? json_array_size(list) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *jr = list ? json_array_get(list, i) : doc;
        int in = in_year(jr, s->year, e);
        if (in < 0)
            return -1;
        if (!in)
            continue;
        if (s->nrules == *cap) {
            size_t c = *cap ? 2 * *cap : 64;
            struct s903_rule *r = realloc(s->rules, c * sizeof *r);
            if (!r)
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            s->rules = r;
            *cap = c;
        }
        memset(&s->rules[s->nrules], 0, sizeof *s->rules);
        if (load_rule(jr, s, &s->rules[s->nrules++], e))
            return -1;
    }
    return 0;
}

/* Keeps table's records, and its column col (-1: none), for the
 * cross-part pass; -1 when the pass cannot (a column past the 64 a
 * record's mask holds). */
static int keep_cross(struct s903_schema *s, int table, int col)
{
    struct s903_table *t = &s->tables[table];
    t->cross_keep = 1;
    if (col >= 64)
        return -1;
    if (col >= 0)   /* -1: the records, no column */
        t->cross_cols |= (uint64_t)1 << col;
    return 0;
}

/* Marks what the cross-part pass holds for condition c, read on a record
 * of table (outer: the rule's table inside an aggregate over another
 * part, else -1). */
static int mark_cross(struct s903_schema *s, const struct s903_cond *c, int table, int outer)
{
    int rc = 0;
    switch (c->kind) {
    case C_ALL: case C_ANY: case C_NOT:
        for (size_t i = 0; i < c->nkids; i++)
            rc |= mark_cross(s, &c->kids[i], table, outer);
        return rc;
    case C_COUNT:
        for (size_t i = 0; i < c->nkids; i++)
            rc |= c->part >= 0 ? keep_cross(s, c->part, -1) |
                                     mark_cross(s, &c->kids[i], c->part, table)
                               : mark_cross(s, &c->kids[i], table, table);
        return rc;
    case C_EXISTS: case C_EARLIER:
        return 0;   /* the child index knows; the order is the pass's */
    default: {
        int refs[2] = {c->ref, -1}, cols[2] = {c->col, 0};
        if (c->kind == C_EQUALS || c->kind == C_WORKDAYS ||
            (c->kind >= C_BEFORE && c->op == OP_COL)) {
            refs[1] = c->op_ref;
            cols[1] = c->op_col;
        }
        for (size_t i = 0; i < 2 && refs[i] >= 0; i++)
            rc |= keep_cross(s, refs[i] == REF_HEADER ? s->child_table
                                : refs[i] == REF_OUTER ? outer : table, cols[i]);
        return rc;
    }
    }
}

/* Each table's row, child and cross rules, indexed (s903_ruleset_new). */
static int list_rules(struct s903_schema *s, liia_error *e)
{
    for (size_t i = 0; i < s->nrules; i++) {
        const struct s903_rule *r = &s->rules[i];
        /* the reported column, but a CHILD one: its finding shows the
         * sender's own id (read again from the file), not the pseudonym */
        int col = s->tables[r->table].cols[r->col].type == S903_CHILD ? -1 : r->col;
        if (!r->sql && r->when == W_CROSS &&
            (keep_cross(s, r->table, col) || mark_cross(s, &r->cond, r->table, -1)))
            return bad(e, "rules", "a cross rule reads a column past a table's 64th");
    }
    /* a kept ordered part is put in its order again */
    for (size_t t = 0; t < s->ntables; t++) {
        const struct s903_table *tab = &s->tables[t];
        int cols[4] = {tab->order_col, tab->cross_order[0], tab->cross_order[1],
                       tab->period_col};
        for (size_t i = 0; i < 4 && tab->cross_keep; i++)
            if (cols[i] >= 0 && keep_cross(s, (int)t, cols[i]))
                return bad(e, "rules", "a cross rule reads a column past a table's 64th");
    }
    for (size_t t = 0; t < s->ntables; t++) {
        struct s903_table *tab = &s->tables[t];
        if (!(tab->row_set = s903_ruleset_new(s, (int)t, W_ROW, e)) ||
            !(tab->child_set = s903_ruleset_new(s, (int)t, W_CHILD, e)) ||
            !(tab->cross_set = s903_ruleset_new(s, (int)t, W_CROSS, e)))
            return -1;
    }
    return 0;
}

static int load_rules(struct s903_schema *s, liia_error *e)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->nrule_docs; i++)
        if (add_rules_of(s->rule_docs[i], s, &cap, e))
            return -1;
    return list_rules(s, e);
}

/* The index of the term (table, condition), compiled on first sight. */
static int term_index(struct s903_schema *s, int table, json_t *cond, liia_error *e)
{
    for (size_t i = 0; i < s->nterms; i++)
        if (s->terms[i].table == table && json_equal(s->terms[i].json, cond))
            return (int)i;
    if (s->nterms == S903_MAX_TERMS)
        return bad(e, "measures.json", "more than 32 distinct measure terms");
    struct s903_term *t = &s->terms[s->nterms];
    t->table = table;
    t->json = cond;
    struct cctx x = {s, table, 0, 0, -1, 0};
    if (load_cond(cond, &x, &t->cond, e))
        return -1;
    order_cond(&t->cond);
    return (int)s->nterms++;
}

/* {PART: COND, "at_least": N}: PART is a part's name, "episode" the
 * ordered part (the only one whose rows are counted: at_least); the child
 * part has no terms (its facts are rules' business). */
static int load_term(struct s903_schema *s, json_t *jt, struct s903_measure_term *mt,
                     liia_error *e)
{
    const char *key;
    json_t *cond;
    json_object_foreach(jt, key, cond) {
        if (!strcmp(key, "at_least"))
            continue;
        int table = !strcmp(key, "episode") ? s->ordered_table : s903_table_index(s, key);
        if (table < 0 || table == s->child_table)
            return bad(e, "measures.json", "a term names a part other than the child's "
                                           "(\"episode\": the ordered part)");
        json_t *n = json_object_get(jt, "at_least");
        mt->at_least = n ? (int)json_integer_value(n) : 1;
        if (mt->at_least < 1 || (table != s->ordered_table && mt->at_least != 1))
            return bad(e, "measures.json", "at_least must be 1 or more (episode terms only)");
        return (mt->term = term_index(s, table, cond, e)) < 0 ? -1 : 0;
    }
    return bad(e, "measures.json", "a term needs a part: 'episode' or a part's name");
}

/* Marks the conditions that read a quarter's dates (s903_cond quarterly). */
static int mark_quarterly(struct s903_cond *c)
{
    int q = c->kind >= C_BEFORE && (c->op == OP_QS || c->op == OP_QE || c->op == OP_Y1);
    for (size_t i = 0; i < c->nkids; i++)
        q |= mark_quarterly(&c->kids[i]);
    c->quarterly = (unsigned char)q;
    return q;
}

/* A condition counted in the child's pass (schema mrules): a measure's
 * (measure >= 0) or a file rule's term (-1 - its index); where NULL:
 * every record. */
static int add_mrule(struct s903_schema *s, const char *code, int table, int measure,
                     json_t *where, liia_error *e)
{
    struct s903_rule *r = liia_grow_array(s->mrules, &s->capmrules, s->nmrules + 1,
                                          sizeof *r, 16);
    if (!r)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    s->mrules = r;
    r = &s->mrules[s->nmrules++];
    *r = (struct s903_rule){.code = code, .message = "", .fix = "", .table = table,
                            .when = W_CHILD, .measure = measure, .needs = -1};
    struct cctx x = {s, table, 1, 0, -1, 0};
    if (where && load_cond(where, &x, &r->cond, e))
        return -1;
    if (has_repeated(&r->cond))
        return bad(e, "measures.json or rules", "'repeated' is a record rule's condition");
    if (reads_dropped(&r->cond, s, table, -1))
        return bad(e, "measures.json or rules", "a count may ask only whether a column "
                                                "dropped at the door (UPN) was given");
    order_cond(&r->cond);
    mark_quarterly(&r->cond);
    return 0;
}

/* One {"part": P, "where": C} of a "count" measure: C compiled as a rule
 * on P, run in the child's pass (W_CHILD: it may read the child's other
 * records of every part). */
static int load_measure_of(struct s903_schema *s, json_t *jo, size_t m, liia_error *e)
{
    const char *part = json_string_value(json_object_get(jo, "part"));
    json_t *where = json_object_get(jo, "where");
    int table = part ? s903_table_index(s, part) : -1;
    if (table < 0 || !json_is_object(where))
        return bad(e, "measures.json", "each of a count measure's 'of' is {\"part\": a "
                   "part's name, \"where\": a condition}");
    return add_mrule(s, s->measures[m].measure, table, (int)m, where, e);
}

/* {"count": "records" | "children", "of": [...]}: counted in the child's
 * pass, where a child's records come together (an XML return). */
static int load_count_measure(struct s903_schema *s, json_t *jm, const char *count,
                              liia_error *e)
{
    size_t m = s->nmeasures - 1, i;
    json_t *of = json_object_get(jm, "of"), *jo;
    s->measures[m].count = !strcmp(count, "records") ? S903_COUNT_RECORDS
                           : !strcmp(count, "children") ? S903_COUNT_CHILDREN
                                                        : S903_COUNT_TERMS;
    if (s->measures[m].count == S903_COUNT_TERMS || !s->xml || json_array_size(of) == 0 ||
        (s->measures[m].count == S903_COUNT_CHILDREN && s->child_table < 0))
        return bad(e, "measures.json", "'count' is \"records\" or \"children\", with "
                   "an 'of' list, in a return whose child's records come together (XML)");
    json_array_foreach(of, i, jo) {
        if (load_measure_of(s, jo, m, e))
            return -1;
    }
    return 0;
}

/* Each part's "count" measure conditions as a rule set. */
static int measure_sets(struct s903_schema *s, liia_error *e)
{
    for (size_t t = 0; t < s->ntables; t++) {
        int any = 0;
        for (size_t i = 0; i < s->nmrules; i++)
            any |= s->mrules[i].table == (int)t;
        if (any && !(s->tables[t].measure_set =
                         s903_ruleset_of(s, (int)t, s->mrules, s->nmrules, e)))
            return -1;
    }
    return 0;
}

static int load_measures(json_t *doc, struct s903_schema *s, liia_error *e)
{
    json_t *ms = json_object_get(doc, "measures");
    s->measures = calloc(json_array_size(ms) + 1, sizeof *s->measures);
    if (!s->measures)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    size_t i, j;
    json_t *jm, *jt;
    json_array_foreach(ms, i, jm) {
        struct s903_measure *m = &s->measures[s->nmeasures++];
        json_t *terms = json_object_get(jm, "children_with");
        m->measure = json_string_value(json_object_get(jm, "measure"));
        const char *count = json_string_value(json_object_get(jm, "count"));
        if (count && m->measure && !terms) {
            m->requires = -1;
            if (load_count_measure(s, jm, count, e))
                return -1;
            continue;
        }
        const char *req = json_string_value(json_object_get(jm, "requires"));
        m->requires = req ? s903_table_index(s, req) : -1;
        if (req && m->requires < 0)
            return bad(e, "measures.json", "'requires' names no part");
        if (!m->measure || json_array_size(terms) == 0 ||
            json_array_size(terms) > sizeof m->terms / sizeof *m->terms)
            return bad(e, "measures.json", "a measure needs measure and 1 to 8 "
                       "children_with terms (or, an XML return's, count and of)");
        json_array_foreach(terms, j, jt) {
            if (load_term(s, jt, &m->terms[m->nterms++], e))
                return -1;
        }
    }
    return measure_sets(s, e);
}

/* dir is the schema folder of the return (schemas/ssda903). */
static int load_doc(const char *dir, const char *name, json_t **out, liia_error *e)
{
    char *sub = strdup(dir);
    char *path = sub ? liia_path_join(sub, name) : NULL;
    free(sub);
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_error_t je;
    *out = json_load_file(path, 0, &je);
    if (!*out) {
        liia_strlcpy(e->file, path, sizeof e->file);
        e->line = je.line;
        e->column = je.column;
        free(path);
        liia_error_fix(e, "restore %s from the release", dir);
        return liia_fail(e, LIIA_E_SCHEMA, "cannot load the return's schema: %s", je.text);
    }
    free(path);
    return 0;
}

static int is_json_name(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

/* Every .json file of rules/, in name order (one file per rule or per range of
 * codes, so rule writers do not edit the same file). */
static int load_rule_docs(const char *dir, struct s903_schema *s, liia_error *e)
{
    char *sub = liia_path_join(dir, "rules");
    struct dirent **names = NULL;
    int n = sub ? scandir(sub, &names, is_json_name, alphasort) : -1;
    int rc = 0;
    if (n < 0) {
        liia_strlcpy(e->file, sub ? sub : "", sizeof e->file);
        liia_error_fix(e, "restore %s from the release", sub ? sub : dir);
        rc = liia_fail(e, LIIA_E_SCHEMA, "cannot list the return's rule files");
    } else if (!(s->rule_docs = calloc((size_t)n + 1, sizeof *s->rule_docs))) {
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        char name[300];
        snprintf(name, sizeof name, "rules/%s", names[i]->d_name);
        if (rc == 0 && load_doc(dir, name, &s->rule_docs[s->nrule_docs], e) == 0)
            s->nrule_docs++;
        else
            rc = -1;
        free(names[i]);
    }
    free(names);
    free(sub);
    return rc;
}

int s903_schema_load(const char *dir, int fy_end_year, struct s903_schema *s,
                     liia_error *e)
{
    char *folder = liia_path_join(dir, "ssda903");
    if (!folder) {
        memset(s, 0, sizeof *s);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    int rc = s903_schema_load_return(folder, fy_end_year, s, e);
    free(folder);
    return rc;
}

int s903_schema_load_return(const char *dir, int fy_end_year, struct s903_schema *s,
                            liia_error *e)
{
    memset(s, 0, sizeof *s);
    s->year = fy_end_year;
    static const char *const names[] = {"tables.json", "codelists.json", "measures.json"};
    for (size_t i = 0; i < (fy_end_year ? 3u : 1u); i++)
        if (load_doc(dir, names[i], &s->docs[i], e))
            goto fail;
    if (load_tables(s->docs[0], s->docs[1], fy_end_year, s, e))
        goto fail;
    if (!fy_end_year)
        return 0;
    if (load_rule_docs(dir, s, e) || load_rules(s, e) || load_measures(s->docs[2], s, e))
        goto fail;
    return 0;
fail:
    s903_schema_free(s);
    return -1;
}

static void free_codes(struct s903_codes *c)
{
    free(c->codes);
    free(c->slots);
}

static void free_cond(struct s903_cond *c)
{
    s903_seen_free(c->seen);
    pcre2_match_data_free(c->md);
    pcre2_match_context_free(c->limit);
    pcre2_code_free(c->re);
    if (c->posix) {
        regfree(c->posix);
        free(c->posix);
    }
    for (size_t i = 0; i < c->nkids; i++)
        free_cond(&c->kids[i]);
    free(c->kids);
    free_codes(&c->codes);
}

static void free_fnums(struct s903_fnum *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free_fnums(f[i].kids, f[i].nkids);
    free(f);
}

void s903_schema_free(struct s903_schema *s)
{
    for (size_t t = 0; t < s->ntables; t++) {
        for (size_t c = 0; c < s->tables[t].ncols; c++)
            free_codes(&s->tables[t].cols[c].codes);
        s903_ruleset_free(s->tables[t].row_set);
        s903_ruleset_free(s->tables[t].child_set);
        s903_ruleset_free(s->tables[t].cross_set);
        s903_ruleset_free(s->tables[t].measure_set);
        free(s->tables[t].cols);
        free(s->tables[t].hcols);
    }
    free(s->tables);
    free(s->load_order);
    for (size_t i = 0; i < s->nrules; i++) {
        free_cond(&s->rules[i].cond);
        for (size_t k = 0; k < s->rules[i].nfcmps; k++)
            for (size_t h = 0; h < 2; h++)
                free_fnums(s->rules[i].fcmps[k].ab[h].kids, s->rules[i].fcmps[k].ab[h].nkids);
        free(s->rules[i].fcmps);
    }
    for (size_t i = 0; i < s->nfterms; i++)
        s903_seen_free(s->fterms[i].seen);
    free(s->fterms);
    for (size_t i = 0; i < s->nterms; i++)
        free_cond(&s->terms[i].cond);
    for (size_t i = 0; i < s->nmrules; i++)
        free_cond(&s->mrules[i].cond);
    free(s->mrules);
    free(s->rules);
    free(s->measures);
    for (size_t i = 0; i < 3; i++)
        json_decref(s->docs[i]);
    for (size_t i = 0; i < s->nrule_docs; i++)
        json_decref(s->rule_docs[i]);
    free(s->rule_docs);
    memset(s, 0, sizeof *s);
}
