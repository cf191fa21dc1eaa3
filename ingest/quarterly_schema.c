/*
 * quarterly_schema.c - loads schemas/quarterly.json, the measure catalogue
 * and the rules file into struct q_schema, resolving every name once.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "quarterly_internal.h"

const char *const q_check_names[QC_COUNT] = {
    "empty_file", "no_rows", "unknown_column", "missing_column",
    "duplicate_column", "ragged_row", "unreadable", "converted_cp1252",
    "blank_required", "unknown_authority", "bad_period",
    "two_authorities", "two_periods", "authority_mismatch",
    "period_mismatch", "unknown_measure", "duplicate_measure",
    "malformed_value", "negative_value", "too_many_decimals",
    "not_supplied", "too_long", "value_too_large", "period_range",
    "ignored_empty", "measure_variant", "column_variant",
    "suppressed_value",
};

/* Schema errors name the file and the JSON path that is wrong. */
static int bad(liia_error *e, const char *file, const char *what, const char *name)
{
    liia_strlcpy(e->file, file, sizeof e->file);
    liia_error_fix(e, "correct %s (docs/schema-format.md describes the format)", file);
    return liia_fail(e, LIIA_E_SCHEMA, "%s '%s'", what, name ? name : "");
}

static json_t *load_json(const char *dir, const char *name, liia_error *e)
{
    char *path = liia_path_join(dir, name);
    if (!path) {
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        liia_strlcpy(e->file, path, sizeof e->file);
        e->line = je.line;
        e->column = je.column;
        liia_error_fix(e, "repair the JSON (docs/schema-format.md)");
        liia_fail(e, LIIA_E_SCHEMA, "cannot load schema: %s", je.text);
    }
    free(path);
    return doc;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int q_measure_index(const struct q_schema *s, const char *id, size_t len)
{
    for (size_t i = 0; i < s->nmeasures; i++)
        if (strlen(s->measures[i].id) == len && !memcmp(s->measures[i].id, id, len))
            return (int)i;
    return -1;
}

int q_column_index(const struct q_schema *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (strlen(s->cols[i].name) == len && !strncasecmp(s->cols[i].name, name, len))
            return (int)i;
    return -1;
}

/* a and b equal with case, ' ', '_' and '-' ignored; plural_ok lets a
 * end in an extra 's'. */
static int loose_eq(const char *a, size_t alen, const char *b, int plural_ok)
{
    size_t i = 0;
    for (;;) {
        while (i < alen && strchr(" _-", a[i]))
            i++;
        while (*b && strchr(" _-", *b))
            b++;
        if (i == alen || !*b)
            break;
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)*b))
            return 0;
        i++;
        b++;
    }
    if (!*b && plural_ok && i < alen && tolower((unsigned char)a[i]) == 's')
        i++;
    return i == alen && !*b;
}

int q_measure_variant(const struct q_schema *s, const char *id, size_t len)
{
    for (size_t i = 0; i < s->nmeasures; i++)
        if (loose_eq(id, len, s->measures[i].id, 0))
            return (int)i;
    return -1;
}

int q_column_variant(const struct q_schema *s, const char *name, size_t len)
{
    if (!len)
        return -1;
    for (size_t i = 0; i < s->ncols; i++)
        if (loose_eq(name, len, s->cols[i].name, 1))
            return (int)i;
    return -1;
}

/* Optimal string alignment distance, case ignored; ids are short. */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    enum { W = 65 };
    size_t d[W][W];
    if (n >= W || m >= W)
        return (size_t)-1;
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

int q_measure_nearest(const struct q_schema *s, const char *id, size_t len)
{
    /* A third of the id's length (at least 2): a typo, not another word. */
    size_t limit = len / 3 < 2 ? 2 : len / 3, best = limit + 1;
    int at = -1;
    for (size_t i = 0; i < s->nmeasures; i++) {
        size_t d = edit_distance(id, len, s->measures[i].id, strlen(s->measures[i].id));
        if (d < best) {
            best = d;
            at = (int)i;
        }
    }
    return at;
}

static int parse_type(const char *t, enum q_type *out)
{
    static const struct { const char *name; enum q_type type; } types[] = {
        {"authority", QT_AUTHORITY}, {"period", QT_PERIOD}, {"code", QT_CODE},
        {"integer", QT_INTEGER}, {"decimal", QT_DECIMAL}, {"text", QT_TEXT},
        {"date", QT_DATE}, {"postcode", QT_POSTCODE}, {"@unit", QT_UNIT},
    };
    for (size_t i = 0; t && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(t, types[i].name)) {
            *out = types[i].type;
            return 0;
        }
    return -1;
}

static enum q_role parse_role(const char *r)
{
    static const char *const roles[] = {"", "authority", "period", "key", "value", "note"};
    for (size_t i = 1; r && i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(r, roles[i]))
            return (enum q_role)i;
    return QR_NONE;
}

static int load_columns(struct q_schema *s, const json_t *table, liia_error *e)
{
    const json_t *cols = json_object_get(table, "columns");
    size_t i;
    const json_t *c;
    if (!json_is_array(cols) || json_array_size(cols) > Q_MAX_COLS)
        return bad(e, "quarterly.json", "tables[0].columns must be an array of at most 16 columns", "");
    json_array_foreach(cols, i, c) {
        struct q_column *qc = &s->cols[s->ncols++];
        qc->name = str(c, "name");
        if (!qc->name || parse_type(str(c, "type"), &qc->type))
            return bad(e, "quarterly.json", "column without a name or known type", qc->name);
        qc->role = parse_role(str(c, "role"));
        qc->required = json_is_true(json_object_get(c, "required"));
        qc->optional_column = json_is_true(json_object_get(c, "optional_column"));
        qc->max_length = (int)json_integer_value(json_object_get(c, "max_length"));
        qc->max_dp = (int)json_integer_value(json_object_get(c, "max_dp"));
    }
    const json_t *rec = json_object_get(table, "recognise");
    json_array_foreach(rec, i, c) {
        if (s->nrecognise < sizeof s->recognise / sizeof s->recognise[0] && json_is_string(c))
            s->recognise[s->nrecognise++] = json_string_value(c);
    }
    for (i = 0; i < s->ncols; i++) {
        size_t at = strlen(s->expected_header);
        snprintf(s->expected_header + at, sizeof s->expected_header - at, "%s%s",
                 i ? "," : "", s->cols[i].name);
    }
    return 0;
}

static int load_checks(struct q_schema *s, liia_error *e)
{
    const json_t *checks = json_object_get(s->doc, "checks");
    for (int i = 0; i < QC_COUNT; i++) {
        const json_t *c = json_object_get(checks, q_check_names[i]);
        struct q_message *m = &s->checks[i];
        m->id = str(c, "id");
        m->message = str(c, "message");
        m->fix = str(c, "fix");
        const char *sev = str(c, "severity");
        if (!m->id || !m->message || !m->fix || !sev ||
            (strcmp(sev, "error") && strcmp(sev, "warning") && strcmp(sev, "info")))
            return bad(e, "quarterly.json", "checks: missing or incomplete check", q_check_names[i]);
        m->severity = !strcmp(sev, "error") ? LIIA_SEV_ERROR
                      : !strcmp(sev, "warning") ? LIIA_SEV_WARNING : LIIA_SEV_INFO;
    }
    return 0;
}

static int unit_type(const struct q_schema *s, struct q_measure *m)
{
    const json_t *u = json_object_get(json_object_get(s->doc, "units"), m->unit);
    enum q_type t;
    if (!u || parse_type(str(u, "type"), &t) || (t != QT_INTEGER && t != QT_DECIMAL))
        return -1;
    m->type = t;
    m->max_dp = t == QT_DECIMAL ? (int)json_integer_value(json_object_get(u, "max_dp")) : 0;
    m->min = json_number_value(json_object_get(u, "min"));
    return 0;
}

static int load_measures(struct q_schema *s, liia_error *e)
{
    const json_t *arr = json_object_get(s->measures_doc, "measures");
    size_t n = json_array_size(arr), i;
    const json_t *m;
    if (!n)
        return bad(e, "measures.json", "no measures in", "measures");
    s->measures = calloc(n, sizeof *s->measures);
    if (!s->measures)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_array_foreach(arr, i, m) {
        struct q_measure *q = &s->measures[s->nmeasures++];
        q->id = str(m, "id");
        q->kind = str(m, "kind");
        q->unit = str(m, "unit");
        q->theme = str(m, "theme");
        q->title = str(m, "title");
        q->definition = str(m, "definition");
        q->parent = -1;
        if (!q->id || !q->kind || !q->unit || !q->title || unit_type(s, q))
            return bad(e, "measures.json", "measure without id, kind, title or a known unit", q->id);
    }
    json_array_foreach(arr, i, m) {
        const char *p = str(m, "parent");
        if (p && (s->measures[i].parent = q_measure_index(s, p, strlen(p))) < 0)
            return bad(e, "measures.json", "unknown parent measure", p);
    }
    return 0;
}

static int load_terms(const struct q_schema *s, const json_t *arr, int *out,
                      size_t *n, const char *rule, liia_error *e)
{
    size_t i;
    const json_t *t;
    if (!json_array_size(arr) || json_array_size(arr) > Q_MAX_TERMS)
        return bad(e, "rules/quarterly.json", "rule needs 1 to 8 measures in left and right:", rule);
    json_array_foreach(arr, i, t) {
        const char *id = json_string_value(t);
        if (!id || (out[i] = q_measure_index(s, id, strlen(id))) < 0)
            return bad(e, "rules/quarterly.json", "unknown measure in rule", id ? id : rule);
    }
    *n = i;
    return 0;
}

static int measure_param(const struct q_schema *s, const json_t *r, const char *key,
                         int *out, liia_error *e)
{
    const char *id = str(r, key);
    if (!id || (*out = q_measure_index(s, id, strlen(id))) < 0)
        return bad(e, "rules/quarterly.json", "unknown measure in rule parameter", key);
    return 0;
}

static int load_rule(const struct q_schema *s, const json_t *r, struct q_rule *q,
                     liia_error *e)
{
    const char *kind = str(r, "kind"), *sev = str(r, "severity");
    q->msg.id = str(r, "id");
    q->msg.message = str(r, "message");
    q->msg.fix = str(r, "fix");
    if (!q->msg.id || !q->msg.message || !q->msg.fix || !kind || !sev ||
        (strcmp(sev, "error") && strcmp(sev, "warning")))
        return bad(e, "rules/quarterly.json", "rule needs id, kind, severity, message and fix:", q->msg.id);
    q->msg.severity = strcmp(sev, "error") ? LIIA_SEV_WARNING : LIIA_SEV_ERROR;
    if (!strcmp(kind, "le")) {
        q->kind = QK_LE;
        return load_terms(s, json_object_get(r, "left"), q->left, &q->nleft, q->msg.id, e) ||
               load_terms(s, json_object_get(r, "right"), q->right, &q->nright, q->msg.id, e);
    }
    if (!strcmp(kind, "parent_le")) {
        q->kind = QK_PARENT_LE;
        return 0;
    }
    if (!strcmp(kind, "implausible_change")) {
        q->kind = QK_IMPLAUSIBLE;
        q->measure_kind = str(r, "measure_kind");
        q->threshold = json_number_value(json_object_get(r, "threshold"));
        q->minimum = json_number_value(json_object_get(r, "minimum"));
        return q->threshold > 0 ? 0 : bad(e, "rules/quarterly.json", "threshold must be > 0 in", q->msg.id);
    }
    if (!strcmp(kind, "stock_flow")) {
        q->kind = QK_STOCK_FLOW;
        q->relative = json_number_value(json_object_get(r, "relative"));
        q->absolute = json_number_value(json_object_get(r, "absolute"));
        return measure_param(s, r, "stock", &q->stock, e) ||
               measure_param(s, r, "inflow", &q->inflow, e) ||
               measure_param(s, r, "outflow", &q->outflow, e);
    }
    return bad(e, "rules/quarterly.json", "unknown rule kind", kind);
}

static int load_rules(struct q_schema *s, const char *dir, liia_error *e)
{
    const char *name = str(s->doc, "rules");
    if (!name)
        return 0;
    if (!(s->rules_doc = load_json(dir, name, e)))
        return -1;
    const json_t *arr = json_object_get(s->rules_doc, "rules"), *r;
    size_t i;
    s->rules = calloc(json_array_size(arr) + 1, sizeof *s->rules);
    if (!s->rules)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_array_foreach(arr, i, r) {
        if (load_rule(s, r, &s->rules[s->nrules], e))
            return -1;
        s->nrules++;
    }
    return 0;
}

int q_schema_load(const char *dir, struct q_schema *s, liia_error *e)
{
    memset(s, 0, sizeof *s);
    if (!dir)
        dir = liia_schema_dir();
    if (!(s->doc = load_json(dir, "quarterly.json", e)) ||
        !(s->measures_doc = load_json(dir, "measures.json", e)))
        goto fail;
    s->id = str(s->doc, "id");
    s->title = str(s->doc, "title");
    const json_t *table = json_array_get(json_object_get(s->doc, "tables"), 0);
    if (!s->id || !s->title || !table) {
        bad(e, "quarterly.json", "needs id, title and one table", "");
        goto fail;
    }
    if (load_columns(s, table, e) || load_checks(s, e) || load_measures(s, e) ||
        load_rules(s, dir, e))
        goto fail;
    return 0;
fail:
    q_schema_free(s);
    return -1;
}

void q_schema_free(struct q_schema *s)
{
    if (!s)
        return;
    free(s->measures);
    free(s->rules);
    json_decref(s->doc);
    json_decref(s->measures_doc);
    json_decref(s->rules_doc);
    memset(s, 0, sizeof *s);
}
