/*
 * reader_xml_layout.c - compiles a return's tables.json into the tree of
 * element names the XML reader walks (reader_xml_internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "reader_xml_internal.h"

static int bad(liia_error *e, const char *doc, const char *part, const char *what)
{
    liia_error_clear(e);
    liia_strlcpy(e->file, doc ? doc : "tables.json", sizeof e->file);
    if (part)
        liia_strlcpy(e->table, part, sizeof e->table);
    liia_error_fix(e, "restore the schema folder's tables.json from the release");
    return liia_fail(e, LIIA_E_SCHEMA, "layout: %s%s%s", part ? part : "",
                     part ? ": " : "", what);
}

static void node_free(struct xl_node *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        node_free(n->kids[i]);
        free(n->kids[i]);
    }
    free(n->kids);
    free(n->name);
}

void liia_xml_layout_free(liia_xml_layout *l)
{
    if (!l)
        return;
    node_free(&l->top);
    for (size_t p = 0; p < l->nparts; p++) {
        free(l->parts[p].name);
        for (size_t c = 0; c < l->parts[p].ncols; c++)
            free(l->parts[p].colnames[c]);
    }
    free(l);
}

static struct xl_node *kid(liia_xml_layout *l, struct xl_node *n, const char *name,
                           size_t len)
{
    for (size_t i = 0; i < n->nkids; i++)
        if (strlen(n->kids[i]->name) == len && !memcmp(n->kids[i]->name, name, len))
            return n->kids[i];
    struct xl_node **kids = realloc(n->kids, (n->nkids + 1) * sizeof *kids);
    if (!kids)
        return NULL;
    n->kids = kids;
    struct xl_node *k = calloc(1, sizeof *k);
    if (!k || !(k->name = strndup(name, len))) {
        free(k);
        return NULL;
    }
    k->part = k->col_part = k->col = -1;
    k->id = l->nnodes++;
    n->kids[n->nkids++] = k;
    return k;
}

/* Walks (making as needed) from n along a '/'-separated path; "." stays.
 * *depth counts the elements passed.  NULL on a malformed path or ENOMEM. */
static struct xl_node *walk(liia_xml_layout *l, struct xl_node *n, const char *path,
                            int *depth)
{
    if (!strcmp(path, "."))
        return n;
    while (*path) {
        size_t len = strcspn(path, "/");
        if (len == 0 || (len == 1 && path[0] == '.'))
            return NULL;
        if (!(n = kid(l, n, path, len)))
            return NULL;
        if (depth)
            (*depth)++;
        path += len;
        if (*path == '/' && !*++path)
            return NULL;
    }
    return n;
}

/* "2024-25" -> 2025; 0 when absent, -1 when malformed. */
static int year_end(const json_t *v)
{
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    return atoi(s) + 1;
}

int liia_xml_column_in_year(const json_t *col, int year)
{
    int from = year_end(json_object_get(col, "from"));
    int to = year_end(json_object_get(col, "to"));
    if (from < 0 || to < 0)
        return -1;
    return !year || ((!from || year >= from) && (!to || year <= to));
}

static int is_ancestor(const liia_xml_layout *l, int anc, int p)
{
    for (p = l->parts[p].parent; p >= 0; p = l->parts[p].parent)
        if (p == anc)
            return 1;
    return 0;
}

static int find_col(const struct xl_part *p, const char *name)
{
    for (size_t c = 0; c < p->ncols; c++)
        if (!strcmp(p->names[c], name))
            return (int)c;
    return -1;
}

/* Points an inherited column at the value it really copies. */
static int resolve_inherit(liia_xml_layout *l, const char *doc, int p, int c,
                           const char *from, liia_error *e)
{
    struct xl_part *part = &l->parts[p];
    int src = liia_xml_layout_find(l, from);
    if (src < 0 || !is_ancestor(l, src, p))
        return bad(e, doc, part->name, "inherit names a part that does not enclose this one");
    int sc = find_col(&l->parts[src], part->names[c]);
    if (sc < 0)
        return bad(e, doc, part->name, "inherit names a part without that column");
    if (l->parts[src].kind[sc] == XL_INHERIT) {
        part->src_part[c] = l->parts[src].src_part[sc];
        part->src_col[c] = l->parts[src].src_col[sc];
    } else {
        part->src_part[c] = src;
        part->src_col[c] = sc;
    }
    return 0;
}

static int add_column(liia_xml_layout *l, const char *doc, int p, struct xl_node *el,
                      const json_t *col, liia_error *e)
{
    struct xl_part *part = &l->parts[p];
    const char *name = json_string_value(json_object_get(col, "name"));
    const char *path = json_string_value(json_object_get(col, "path"));
    const char *from = json_string_value(json_object_get(col, "inherit"));
    int ordinal = json_is_true(json_object_get(col, "ordinal"));
    if (!name || !*name || (!!path + !!from + ordinal) != 1)
        return bad(e, doc, part->name, "a column needs a name and one of path, inherit, ordinal");
    if (find_col(part, name) >= 0)
        return bad(e, doc, part->name, "a column is named twice");
    if (part->ncols == XL_MAX_COLS)
        return bad(e, doc, part->name, "more than 32 columns");
    size_t c = part->ncols;
    if (!(part->colnames[c] = strdup(name)))
        return bad(e, doc, part->name, "out of memory");
    part->names[c] = part->colnames[c];
    part->ncols++;
    part->kind[c] = path ? XL_VALUE : from ? XL_INHERIT : XL_ORDINAL;
    if (from)
        return resolve_inherit(l, doc, p, (int)c, from, e);
    if (!path)
        return 0;
    struct xl_node *n = walk(l, el, path, NULL);
    if (!n)
        return bad(e, doc, part->name, "a column's path is not a/b/c or \".\"");
    if (n->col_part >= 0)
        return bad(e, doc, part->name, "two columns read the same element");
    n->col_part = p;
    n->col = (int)c;
    return 0;
}

static int add_part(liia_xml_layout *l, const char *doc, const json_t *t, int year,
                    liia_error *e)
{
    const char *name = json_string_value(json_object_get(t, "name"));
    const char *elem = json_string_value(json_object_get(t, "element"));
    const char *parent = json_string_value(json_object_get(t, "parent"));
    const json_t *cols = json_object_get(t, "columns");
    if (!name || !elem || !json_is_array(cols))
        return bad(e, doc, name, "a part needs name, element and columns");
    if (liia_xml_layout_find(l, name) >= 0)
        return bad(e, doc, name, "a part is named twice");
    int p = (int)l->nparts;
    struct xl_part *part = &l->parts[p];
    if (!(part->name = strdup(name)))
        return bad(e, doc, name, "out of memory");
    l->nparts++;
    part->parent = parent ? liia_xml_layout_find(l, parent) : -1;
    if (parent && part->parent < 0)
        return bad(e, doc, name, "parent must name a part listed before this one");
    int depth = -1;
    struct xl_node *el = walk(l, &l->top, elem, &depth);
    if (!el || el == &l->top || el->part >= 0)
        return bad(e, doc, name, "element must be a path from the root, one part each");
    if (l->top.nkids != 1)
        return bad(e, doc, name, "every element path starts at the same root");
    part->depth = depth;
    el->part = p;
    size_t i;
    const json_t *col;
    json_array_foreach(cols, i, col) {
        int in = liia_xml_column_in_year(col, year);
        if (in < 0)
            return bad(e, doc, name, "from/to are collection years such as 2024-25");
        if (in && add_column(l, doc, p, el, col, e) != 0)
            return -1;
    }
    return 0;
}

/* A parent's element must be a proper prefix of its child part's: checked
 * by walking up, once every part is in the tree. */
static int check_nesting(const liia_xml_layout *l, const json_t *tables,
                         const char *doc, liia_error *e)
{
    for (size_t p = 0; p < l->nparts; p++) {
        int par = l->parts[p].parent;
        if (par < 0)
            continue;
        const char *pe = json_string_value(json_object_get(json_array_get(tables, p), "element"));
        const char *ce = json_string_value(json_object_get(json_array_get(tables, par), "element"));
        size_t n = strlen(ce);
        if (strncmp(pe, ce, n) || pe[n] != '/')
            return bad(e, doc, l->parts[p].name, "a part's element must lie inside its parent's");
    }
    return 0;
}

liia_xml_layout *liia_xml_layout_compile(const json_t *doc, const char *name,
                                         int year, liia_error *e)
{
    const json_t *tables = json_object_get(doc, "tables");
    if (!json_is_array(tables) || json_array_size(tables) == 0 ||
        json_array_size(tables) > XL_MAX_PARTS) {
        bad(e, name, NULL, "tables must list 1 to 16 parts");
        return NULL;
    }
    liia_xml_layout *l = calloc(1, sizeof *l);
    if (!l) {
        bad(e, name, NULL, "out of memory");
        return NULL;
    }
    l->top.part = l->top.col_part = l->top.col = -1;
    size_t i;
    const json_t *t;
    json_array_foreach(tables, i, t) {
        if (add_part(l, name, t, year, e) != 0) {
            liia_xml_layout_free(l);
            return NULL;
        }
    }
    if (check_nesting(l, tables, name, e) != 0) {
        liia_xml_layout_free(l);
        return NULL;
    }
    return l;
}

liia_xml_layout *liia_xml_layout_load(const char *path, int year, liia_error *e)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        liia_error_clear(e);
        liia_strlcpy(e->file, path, sizeof e->file);
        e->line = je.line;
        liia_error_fix(e, "restore the schema folder's tables.json from the release");
        liia_fail(e, LIIA_E_SCHEMA, "cannot read the layout: %s", je.text);
        return NULL;
    }
    liia_xml_layout *l = liia_xml_layout_compile(doc, path, year, e);
    json_decref(doc);
    return l;
}

size_t liia_xml_layout_nparts(const liia_xml_layout *l)
{
    return l->nparts;
}

const char *liia_xml_layout_part(const liia_xml_layout *l, size_t i)
{
    return i < l->nparts ? l->parts[i].name : NULL;
}

int liia_xml_layout_find(const liia_xml_layout *l, const char *name)
{
    for (size_t p = 0; p < l->nparts; p++)
        if (!strcmp(l->parts[p].name, name))
            return (int)p;
    return -1;
}

size_t liia_xml_layout_fields(const liia_xml_layout *l, size_t i,
                              const char *const **names)
{
    *names = l->parts[i].names;
    return l->parts[i].ncols;
}
