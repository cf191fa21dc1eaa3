/*
 * published_desc.c - reads the layout descriptions in schemas/published/:
 * adding a published measure or a new file layout is a JSON change.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "published_internal.h"

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int desc_fail(liia_error *e, const char *path, const char *what)
{
    liia_strlcpy(e->file, path, sizeof e->file);
    liia_error_fix(e, "see docs/published.md for the layout description format");
    return liia_fail(e, LIIA_E_SCHEMA, "layout description: %s", what);
}

/* "where": {"column": "value", ...} */
static int load_where(json_t *w, pub_map *m, const char *path, liia_error *e)
{
    const char *k;
    json_t *v;
    if (w && !json_is_object(w))
        return desc_fail(e, path, "\"where\" must be an object");
    json_object_foreach(w, k, v) {
        if (m->nwhere == PUB_MAX_WHERE || !json_is_string(v))
            return desc_fail(e, path, "\"where\": at most 4 column: \"value\" pairs");
        m->where_col[m->nwhere] = k;
        m->where_val[m->nwhere++] = json_string_value(v);
    }
    return 0;
}

static int load_maps(pub_desc *d, json_t *doc, const char *path, liia_error *e)
{
    static const char *const lists[2] = {"measures", "rates"};
    static const char *const kinds[2] = {"measure", "rate"};
    static const char *const keys[2] = {"measure", "indicator"};
    size_t n = json_array_size(json_object_get(doc, "measures")) +
               json_array_size(json_object_get(doc, "rates"));
    d->maps = calloc(n ? n : 1, sizeof *d->maps);
    if (!d->maps)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(doc, lists[l]), i, m) {
            pub_map *p = &d->maps[d->nmaps++];
            p->kind = kinds[l];
            p->id = jstr(m, keys[l]);
            p->column = jstr(m, "column");
            if (!p->id || !p->column)
                return desc_fail(e, path, l ? "each rate needs \"indicator\" and \"column\""
                                            : "each measure needs \"measure\" and \"column\"");
            if (load_where(json_object_get(m, "where"), p, path, e))
                return -1;
        }
    }
    return 0;
}

static int load_recognise(pub_desc *d, json_t *rec, const char *path, liia_error *e)
{
    json_t *cols = json_object_get(rec, "columns"), *vals = json_object_get(rec, "values");
    size_t i;
    json_t *c;
    if (!json_array_size(cols))
        return desc_fail(e, path, "\"recognise\": {\"columns\": [...]} is required");
    d->columns = calloc(json_array_size(cols), sizeof *d->columns);
    if (!d->columns)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_array_foreach(cols, i, c) {
        if (!json_is_string(c))
            return desc_fail(e, path, "recognise columns must be strings");
        d->columns[d->ncolumns++] = json_string_value(c);
    }
    const char *k;
    json_t *list;
    json_object_foreach(vals, k, list) {
        d->value_col = k;
        json_array_foreach(list, i, c)
            if (d->nvalues < PUB_MAX_VALUES && json_is_string(c))
                d->values[d->nvalues++] = json_string_value(c);
    }
    return 0;
}

static int load_one(pub_desc *d, json_t *doc, const char *path, liia_error *e)
{
    json_t *nb = json_object_get(doc, "neighbours");
    d->id = jstr(doc, "id");
    d->title = jstr(doc, "title");
    d->year_label = jstr(doc, "year");
    if (!d->id || !d->title || !d->year_label)
        return desc_fail(e, path, "\"id\", \"title\" and \"year\" are required");
    d->population = json_is_true(json_object_get(doc, "population"));
    if (nb) {
        d->nb_la_col = jstr(nb, "authority_column");
        d->nb_prefix = jstr(nb, "prefix");
        d->nb_suffix = jstr(nb, "closeness_suffix");
        d->nb_count = (int)json_integer_value(json_object_get(nb, "count"));
        if (!d->nb_la_col || !d->nb_prefix || !d->nb_suffix || d->nb_count < 1 ||
            d->nb_count > 10)
            return desc_fail(e, path, "\"neighbours\" needs authority_column, prefix, "
                                      "closeness_suffix and count (1-10)");
    }
    if (load_recognise(d, json_object_get(doc, "recognise"), path, e) ||
        load_maps(d, doc, path, e))
        return -1;
    if (!nb && !d->nmaps)
        return desc_fail(e, path, "no \"measures\" or \"rates\"");
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json file names of dir, sorted; caller frees each and the list. */
static int list_json(const char *dir, char ***out, size_t *n, liia_error *e)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (!d) {
        liia_strlcpy(e->file, dir, sizeof e->file);
        return liia_fail(e, LIIA_E_SCHEMA, "cannot open the layout descriptions");
    }
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
            continue;
        if (*n == cap) {
            char **grown = realloc(*out, (cap = cap * 2 + 16) * sizeof **out);
            if (!grown)
                break;
            *out = grown;
        }
        if (!((*out)[*n] = liia_path_join(dir, de->d_name)))
            break;
        (*n)++;
    }
    closedir(d);
    if (de)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    qsort(*out, *n, sizeof **out, by_name);
    return 0;
}

static int load_all(pub_descs *d, char **files, size_t n, liia_error *e)
{
    d->items = calloc(n ? n : 1, sizeof *d->items);
    d->docs = calloc(n ? n : 1, sizeof *d->docs);
    if (!d->items || !d->docs)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_error_t je;
        json_t *doc = json_load_file(files[i], 0, &je);
        if (!doc) {
            e->line = je.line;
            return desc_fail(e, files[i], je.text);
        }
        d->docs[d->ndocs++] = doc;
        if (load_one(&d->items[d->count++], doc, files[i], e))
            return -1;
    }
    return 0;
}

int pub_descs_load(const char *schema_dir, pub_descs *d, liia_error *e)
{
    char *dir = liia_path_join(schema_dir, "published");
    char **files = NULL;
    size_t n = 0;
    int rc;
    memset(d, 0, sizeof *d);
    if (!dir)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    rc = list_json(dir, &files, &n, e);
    if (!rc)
        rc = load_all(d, files, n, e);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    free(dir);
    if (rc)
        pub_descs_free(d);
    return rc;
}

void pub_descs_free(pub_descs *d)
{
    for (size_t i = 0; d->items && i < d->count; i++) {
        free(d->items[i].maps);
        free(d->items[i].columns);
    }
    for (size_t i = 0; d->docs && i < d->ndocs; i++)
        json_decref(d->docs[i]);
    free(d->items);
    free(d->docs);
    memset(d, 0, sizeof *d);
}

int pub_column(const liia_csv_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->nfields; i++)
        if (!strcmp(rec->fields[i], name))
            return (int)i;
    return -1;
}

int liia_published_layouts(const char *schema_dir, liia_buf *out, liia_error *e)
{
    pub_descs d;
    if (pub_descs_load(schema_dir, &d, e))
        return -1;
    int rc = 0;
    for (size_t i = 0; !rc && i < d.count; i++)
        rc = liia_buf_appendf(out, "  %s (%s)\n", d.items[i].id, d.items[i].title);
    pub_descs_free(&d);
    return rc ? liia_fail(e, LIIA_E_NOMEM, "out of memory") : 0;
}
