/*
 * rp_template.c - a blank quarterly return for one authority and quarter,
 * as the CSV the platform reads and as a workbook whose data validation
 * lets Excel catch a bad value before the file is sent.  Everything comes
 * from the schemas: the columns and value rules from quarterly.json, the
 * measures (rows, definitions, units) from measures.json; no measure is
 * named here.  Both files are written through liia_outfile.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "liia_report.h"
#include "rp_internal.h"

/* The schemas, loaded: the return's columns and the measure catalogue. */
typedef struct tpl {
    json_t *ret, *cat;
    json_t *columns;  /* quarterly.json tables[0].columns */
    json_t *units;    /* quarterly.json units: count, fte */
    json_t *measures; /* measures.json measures */
    const liia_template *t;
} tpl;

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static json_t *load_json(const char *dir, const char *name, liia_error *e)
{
    char *path = liia_path_join(dir, name);
    json_error_t je;
    if (!path) {
        liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return NULL;
    }
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        liia_strlcpy(e->file, path, sizeof e->file);
        e->line = je.line;
        liia_fail(e, LIIA_E_SCHEMA, "cannot read the schema: %s", je.text);
    }
    free(path);
    return doc;
}

static int tpl_load(tpl *p, const liia_template *t, liia_error *e)
{
    memset(p, 0, sizeof *p);
    p->t = t;
    const char *dir = t->schema_dir ? t->schema_dir : liia_schema_dir();
    if (!(p->ret = load_json(dir, "quarterly.json", e)) ||
        !(p->cat = load_json(dir, "measures.json", e)))
        return -1;
    p->columns = json_object_get(json_array_get(json_object_get(p->ret, "tables"), 0),
                                 "columns");
    p->units = json_object_get(p->ret, "units");
    p->measures = json_object_get(p->cat, "measures");
    if (!json_array_size(p->columns) || !json_is_object(p->units) ||
        !json_array_size(p->measures)) {
        liia_error_fix(e, "restore schemas/quarterly.json and schemas/measures.json");
        return liia_fail(e, LIIA_E_SCHEMA, "the quarterly return's schema has no columns, "
                         "units or measures");
    }
    return 0;
}

static void tpl_free(tpl *p)
{
    json_decref(p->ret);
    json_decref(p->cat);
}

/* A data row's cell for column c: the authority, the quarter, the measure;
 * values and notes are left blank for the data lead. */
static const char *cell(const tpl *p, const json_t *c, const json_t *m)
{
    const char *role = str(c, "role");
    if (!strcmp(role, "authority"))
        return p->t->short_code;
    if (!strcmp(role, "period"))
        return p->t->period;
    if (!strcmp(role, "key"))
        return str(m, "id");
    return "";
}

static int write_csv(const tpl *p, FILE *f)
{
    size_t i, k;
    json_t *c, *m;
    json_array_foreach(p->columns, i, c)
        if ((i && fputc(',', f) == EOF) || liia_csv_write_field(f, str(c, "name"), 1))
            return -1;
    if (fputc('\n', f) == EOF)
        return -1;
    json_array_foreach(p->measures, k, m) {
        json_array_foreach(p->columns, i, c)
            if ((i && fputc(',', f) == EOF) || liia_csv_write_field(f, cell(p, c, m), 1))
                return -1;
        if (fputc('\n', f) == EOF)
            return -1;
    }
    return 0;
}

static int csv_file(const tpl *p, const char *path, liia_error *e)
{
    liia_outfile out;
    if (liia_outfile_open(&out, path, e))
        return -1;
    FILE *f = liia_outfile_stream(&out, e);
    int rc = f ? write_csv(p, f) : -1;
    if (f && rc) {
        liia_strlcpy(e->file, path, sizeof e->file);
        liia_fail(e, LIIA_E_IO, "cannot write the template");
    }
    return liia_outfile_finish(&out, rc, e);
}

/* ------------------------------------------------------------ workbook */

typedef struct book {
    lxw_workbook *wb;
    lxw_worksheet *ret, *help;
    lxw_format *head, *wrap, *given, *input;
    lxw_error err; /* the first libxlsxwriter error */
} book;

static void check(book *b, lxw_error rc)
{
    if (rc != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
        b->err = rc;
}

/* The column whose role is role, or -1. */
static int column_of(const tpl *p, const char *role)
{
    size_t i;
    json_t *c;
    json_array_foreach(p->columns, i, c)
        if (!strcmp(str(c, "role"), role))
            return (int)i;
    return -1;
}

/* Excel checks the value as the platform will: the unit's rule from
 * quarterly.json (a whole number >= min, or a decimal >= min with at most
 * max_dp places), with the measure's definition as the cell's prompt. */
static void value_rule(book *b, const tpl *p, const json_t *m, lxw_row_t r, lxw_col_t c)
{
    const json_t *u = json_object_get(p->units, str(m, "unit"));
    lxw_data_validation v = {0};
    char prompt[256], formula[160], title[32], error[256];
    json_int_t dp = json_integer_value(json_object_get(u, "max_dp"));
    double min = json_number_value(json_object_get(u, "min"));
    int whole = !strcmp(str(u, "type"), "integer");
    char cellref[16];
    lxw_rowcol_to_cell(cellref, r, c);
    snprintf(title, sizeof title, "%.31s", str(m, "id"));
    snprintf(prompt, sizeof prompt, "%s: %s. %s; blank = not supplied.", str(m, "title"),
             str(m, "definition"),
             whole ? "A whole number (the true count: the platform applies suppression)"
                   : "A number with at most 2 decimal places");
    if (whole) {
        v.validate = LXW_VALIDATION_TYPE_INTEGER;
        v.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
        v.value_number = min;
        snprintf(error, sizeof error, "%s must be a whole number of %g or more "
                 "(leave it blank if not supplied).", str(m, "id"), min);
    } else {
        /* at most dp decimal places: no built-in rule says that */
        snprintf(formula, sizeof formula, "=AND(ISNUMBER(%s),%s>=%g,ROUND(%s,%d)=%s)",
                 cellref, cellref, min, cellref, (int)dp, cellref);
        v.validate = LXW_VALIDATION_TYPE_CUSTOM_FORMULA;
        v.value_formula = formula;
        snprintf(error, sizeof error, "%s must be a number of %g or more with at most %d "
                 "decimal places (leave it blank if not supplied).", str(m, "id"), min,
                 (int)dp);
    }
    v.ignore_blank = LXW_VALIDATION_ON;
    v.input_title = title;
    v.input_message = prompt;
    v.error_title = "Not a valid value";
    v.error_message = error;
    check(b, worksheet_data_validation_cell(b->ret, r, c, &v));
}

/* The authority, quarter and measure columns take only the codes the
 * platform accepts for this return: a list of the authority's codes, the
 * quarter's two forms, the measure ids listed on the instructions sheet. */
static void code_rules(book *b, const tpl *p, lxw_row_t last, lxw_row_t first_id)
{
    char codes[4][16]; /* libxlsxwriter takes char **, not const */
    liia_strlcpy(codes[0], p->t->short_code, sizeof codes[0]);
    liia_strlcpy(codes[1], p->t->gss_code, sizeof codes[1]);
    liia_strlcpy(codes[2], p->t->period, sizeof codes[2]);
    liia_strlcpy(codes[3], p->t->period_fy, sizeof codes[3]);
    char *la_list[] = {codes[0], codes[1], NULL};
    char *period_list[] = {codes[2], codes[3], NULL};
    char ids[96];
    struct { int col; lxw_data_validation v; } r[3] = {{0}};
    r[0].col = column_of(p, "authority");
    r[0].v.validate = LXW_VALIDATION_TYPE_LIST;
    r[0].v.value_list = la_list;
    r[1].col = column_of(p, "period");
    r[1].v.validate = LXW_VALIDATION_TYPE_LIST;
    r[1].v.value_list = period_list;
    r[2].col = column_of(p, "key");
    /* one of the ids listed on the instructions sheet; a COUNTIF rule, as
     * libxlsxwriter 1.1 leaks a list rule's formula */
    char top[16];
    lxw_rowcol_to_cell(top, 1, (lxw_col_t)(r[2].col < 0 ? 0 : r[2].col));
    r[2].v.validate = LXW_VALIDATION_TYPE_CUSTOM_FORMULA;
    snprintf(ids, sizeof ids, "=COUNTIF(Instructions!$A$%u:$A$%u,%s)=1",
             (unsigned)first_id + 1, (unsigned)(first_id + json_array_size(p->measures)), top);
    r[2].v.value_formula = ids;
    for (int i = 0; i < 3; i++) {
        if (r[i].col < 0)
            continue;
        r[i].v.error_title = "Not accepted";
        r[i].v.error_message = "Choose from the list: this template is for one authority, "
                               "one quarter and the measures of the catalogue.";
        check(b, worksheet_data_validation_range(b->ret, 1, (lxw_col_t)r[i].col, last,
                                                 (lxw_col_t)r[i].col, &r[i].v));
    }
}

static void return_sheet(book *b, const tpl *p, lxw_row_t first_id)
{
    size_t i, k;
    json_t *c, *m;
    int vcol = column_of(p, "value"), ncol = column_of(p, "note");
    json_array_foreach(p->columns, i, c) {
        check(b, worksheet_write_string(b->ret, 0, (lxw_col_t)i, str(c, "name"), b->head));
        check(b, worksheet_set_column(b->ret, (lxw_col_t)i, (lxw_col_t)i,
                                      (int)i == ncol ? 40 : 26, NULL));
    }
    json_array_foreach(p->measures, k, m) {
        lxw_row_t r = (lxw_row_t)k + 1;
        json_array_foreach(p->columns, i, c) {
            const char *v = cell(p, c, m);
            if (v[0])
                check(b, worksheet_write_string(b->ret, r, (lxw_col_t)i, v, b->given));
            else
                check(b, worksheet_write_blank(b->ret, r, (lxw_col_t)i, b->input));
        }
        if (vcol >= 0)
            value_rule(b, p, m, r, (lxw_col_t)vcol);
    }
    lxw_row_t last = (lxw_row_t)json_array_size(p->measures);
    code_rules(b, p, last, first_id);
    if (ncol >= 0) {
        lxw_data_validation v = {0};
        json_t *max = json_object_get(json_array_get(p->columns, (size_t)ncol), "max_length");
        v.validate = LXW_VALIDATION_TYPE_LENGTH;
        v.criteria = LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO;
        v.value_number = max ? json_number_value(max) : 500;
        v.error_message = "The note is too long for the platform.";
        check(b, worksheet_data_validation_range(b->ret, 1, (lxw_col_t)ncol, last,
                                                 (lxw_col_t)ncol, &v));
    }
    worksheet_freeze_panes(b->ret, 1, 0);
}

static const char *const instructions[] = {
    "How to fill in this return",
    "1. On the Return sheet, type each measure's value in the value column: the true "
    "count (a whole number of 0 or more) or, for FTE measures, a number with at most "
    "2 decimal places. Excel refuses anything else.",
    "2. Leave a value blank when you cannot supply it (it is recorded as not supplied). "
    "Never type c, n/a or - : the platform applies suppression itself.",
    "3. Do not change la_code, period or measure, and do not add columns or rows.",
    "4. Save the Return sheet as CSV UTF-8 (File > Save As > CSV UTF-8) and send that "
    "file: liia-bench ingest FILE, or upload it on the portal.",
    "The measures (schemas/measures.json):",
};

/* Instructions, then the catalogue: id, title, kind, unit, of those, definition.
 * Returns the row of the first measure id (the measure column's list). */
static lxw_row_t help_sheet(book *b, const tpl *p)
{
    char line[256];
    lxw_row_t r = 0;
    snprintf(line, sizeof line, "Quarterly benchmarking return: %s (%s), %s", p->t->la_name,
             p->t->short_code, p->t->period_label);
    check(b, worksheet_write_string(b->help, r++, 0, line, b->head));
    for (size_t i = 0; i < sizeof instructions / sizeof instructions[0]; i++)
        check(b, worksheet_write_string(b->help, r++, 0, instructions[i], i ? NULL : b->head));
    static const char *const heads[] = {"id", "title", "kind", "unit", "of those (parent)",
                                        "definition"};
    static const char *const keys[] = {"id", "title", "kind", "unit", "parent", "definition"};
    for (lxw_col_t c = 0; c < 6; c++)
        check(b, worksheet_write_string(b->help, r, c, heads[c], b->head));
    lxw_row_t first = ++r;
    size_t k;
    json_t *m;
    json_array_foreach(p->measures, k, m)
        for (lxw_col_t c = 0; c < 6; c++)
            check(b, worksheet_write_string(b->help, r + (lxw_row_t)k, c, str(m, keys[c]),
                                            c == 5 ? b->wrap : NULL));
    check(b, worksheet_set_column(b->help, 0, 0, 28, NULL));
    check(b, worksheet_set_column(b->help, 1, 1, 40, NULL));
    check(b, worksheet_set_column(b->help, 5, 5, 80, NULL));
    return first;
}

static int xlsx_write(const tpl *p, const char *tmp, liia_error *e)
{
    lxw_workbook_options wo = {.constant_memory = LXW_FALSE};
    book b = {.wb = workbook_new_opt(tmp, &wo)};
    if (!b.wb)
        return liia_fail(e, LIIA_E_IO, "cannot create the workbook");
    /* a fixed creation time: the same template gives the same bytes */
    lxw_doc_properties props = {.title = "Quarterly benchmarking return (blank)",
                                .created = 1735689600};
    check(&b, workbook_set_properties(b.wb, &props));
    b.ret = workbook_add_worksheet(b.wb, "Return");
    b.help = workbook_add_worksheet(b.wb, "Instructions");
    b.head = workbook_add_format(b.wb);
    b.wrap = workbook_add_format(b.wb);
    b.given = workbook_add_format(b.wb);
    b.input = workbook_add_format(b.wb);
    if (!b.ret || !b.help || !b.head || !b.wrap || !b.given || !b.input) {
        workbook_close(b.wb);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    format_set_bold(b.head);
    format_set_text_wrap(b.wrap);
    format_set_font_color(b.given, 0x595959);
    format_set_bg_color(b.input, 0xFFF2CC); /* the cells to fill in */
    format_set_border(b.input, LXW_BORDER_THIN);
    return_sheet(&b, p, help_sheet(&b, p));
    lxw_error closed = workbook_close(b.wb);
    if (b.err == LXW_NO_ERROR)
        b.err = closed;
    if (b.err != LXW_NO_ERROR)
        return liia_fail(e, LIIA_E_IO, "cannot write the workbook: %s",
                         lxw_strerror(b.err));
    return 0;
}

static int xlsx_file(const tpl *p, const char *path, liia_error *e)
{
    liia_outfile out;
    if (liia_outfile_open(&out, path, e))
        return -1;
    int rc = xlsx_write(p, out.tmp, e);
    if (rc && !e->file[0])
        liia_strlcpy(e->file, path, sizeof e->file);
    return liia_outfile_finish(&out, rc, e);
}

/* dir/<SHORT>_<period><suffix>, or NULL (e filled). */
static char *out_path(const char *dir, const liia_template *t, const char *suffix,
                      liia_error *e)
{
    char name[64];
    snprintf(name, sizeof name, "%s_%s%s", t->short_code, t->period, suffix);
    return rp_path(dir, name, e);
}

int liia_report_template(const liia_template *t, const char *out_dir, int csv, int xlsx,
                         int *written, liia_error *e)
{
    tpl p;
    char *path = NULL;
    *written = 0;
    int rc = tpl_load(&p, t, e) || rp_mkdir_p(out_dir, e) ? -1 : 0;
    if (!rc && csv) {
        rc = (path = out_path(out_dir, t, ".csv", e)) ? csv_file(&p, path, e) : -1;
        *written += !rc;
        free(path);
    }
    if (!rc && xlsx) {
        rc = (path = out_path(out_dir, t, "_template.xlsx", e)) ? xlsx_file(&p, path, e) : -1;
        *written += !rc;
        free(path);
    }
    tpl_free(&p);
    return rc;
}
