/*
 * rp_findings.c - the data lead's error workbook: the submitted file laid
 * out as they sent it, every offending cell filled (orange = error, yellow
 * = warning, and the word in the comment) with a comment giving the rule
 * id, what is wrong and how to fix it; then a Findings sheet listing all
 * of them, including file-level ones with no cell.
 *
 * The workbook holds the submitted rows, so it is as sensitive as the file
 * itself and is written only where the submitter asked (--report-dir).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rp_xlsx.h"

enum { MAX_XLSX_ROWS = 1048576, COMMENT_MAX = 2000 };

typedef struct fx_pos {
    long line, column;
    size_t index;
} fx_pos;

typedef struct fx_ctx {
    rp_fmts F;
    lxw_worksheet *rows;
    const liia_findings *fs;
    struct fx_pos *order; /* cell findings sorted by line, column */
    size_t n_order, next;
    size_t truncated;
    char **header;   /* copy of the header row, to place findings that name
                        a column but not its number */
    size_t nheader;
    const char *outcome; /* what happened to the submission, or NULL */
} fx_ctx;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

char *liia_report_findings_path(const char *dir, const char *csv_path)
{
    const char *b = base_name(csv_path);
    size_t n = strlen(b);
    if (n > 4 && !strcasecmp(b + n - 4, ".csv"))
        n -= 4;
    liia_buf name;
    liia_buf_init(&name);
    if (liia_buf_append(&name, b, n) ||
        liia_buf_appendf(&name, "_findings.xlsx")) {
        liia_buf_free(&name);
        return NULL;
    }
    char *path = liia_path_join(dir, name.data);
    liia_buf_free(&name);
    return path;
}

/* A finding belongs on the rows sheet when it names a line of this file. */
static int on_this_file(const liia_error *f, const char *csv_path)
{
    return f->line > 0 &&
           (!f->file[0] || !strcmp(f->file, csv_path) ||
            !strcmp(base_name(f->file), base_name(csv_path)));
}

static int by_position(const void *x, const void *y)
{
    const fx_pos *p = x, *q = y;
    if (p->line != q->line)
        return p->line < q->line ? -1 : 1;
    if (p->column != q->column)
        return p->column < q->column ? -1 : 1;
    return p->index < q->index ? -1 : 1;
}

/* The field a finding points at: its column, else the header field named
 * by column_name, else the first field. */
static long finding_column(const fx_ctx *c, const liia_error *f)
{
    if (f->column > 0)
        return f->column - 1;
    for (size_t k = 0; f->column_name[0] && k < c->nheader; k++)
        if (!strcmp(c->header[k], f->column_name))
            return (long)k;
    return 0;
}

static int build_order(fx_ctx *c, const char *csv_path, liia_error *e)
{
    c->order = calloc(c->fs->count + 1, sizeof *c->order);
    if (!c->order)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t k = 0; k < c->fs->count; k++)
        if (on_this_file(&c->fs->items[k], csv_path))
            c->order[c->n_order++] = (fx_pos){c->fs->items[k].line,
                                              c->fs->items[k].column, k};
    qsort(c->order, c->n_order, sizeof *c->order, by_position);
    return 0;
}

static void comment_append(liia_buf *b, const liia_error *f)
{
    if (b->len >= COMMENT_MAX)
        return;
    if (liia_buf_appendf(b, "%s%s %s: %s%s%s", b->len ? "\n\n" : "",
                         f->severity == LIIA_SEV_ERROR ? "Error" : "Warning",
                         f->rule_id, f->message, f->fix[0] ? "\nFix: " : "",
                         f->fix))
        return; /* out of memory: a shorter comment, the cell still marked */
}

static int keep_header(fx_ctx *c, const liia_csv_record *rec, liia_error *e)
{
    c->header = calloc(rec->nfields + 1, sizeof *c->header);
    if (!c->header)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t k = 0; k < rec->nfields; k++, c->nheader++)
        if (!(c->header[k] = strdup(rec->fields[k])))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return 0;
}

/* Writes field k of a record, marked and commented if findings point at
 * it (findings [first, last) of c->order are this record's). */
static void put_field(fx_ctx *c, lxw_row_t r, long k,
                      const liia_csv_record *rec, size_t first, size_t last,
                      liia_buf *note)
{
    int errors = 0, warnings = 0;
    liia_buf_reset(note);
    for (size_t j = first; j < last; j++) {
        const liia_error *f = &c->fs->items[c->order[j].index];
        if (finding_column(c, f) != k)
            continue;
        comment_append(note, f);
        errors += f->severity == LIIA_SEV_ERROR;
        warnings += f->severity != LIIA_SEV_ERROR;
    }
    lxw_format *fmt = errors     ? c->F.error
                      : warnings ? c->F.warning
                      : rec->record_no == 1 ? c->F.head
                                            : c->F.text;
    const char *v = (size_t)k < rec->nfields ? rec->fields[k] : "";
    rp_str(&c->F, c->rows, r, (lxw_col_t)k, v, fmt);
    if (errors + warnings) {
        lxw_comment_options o = {.width = 360, .height = 160};
        rp_chk(&c->F, worksheet_write_comment_opt(c->rows, r, (lxw_col_t)k,
                                                  note->data, &o));
    }
}

static int on_record(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    fx_ctx *c = ctx;
    if (rec->record_no == 1 && keep_header(c, rec, e))
        return -1;
    while (c->next < c->n_order && c->order[c->next].line < rec->line)
        c->next++; /* points inside a multi-line record: Findings sheet */
    size_t first = c->next;
    long width = (long)rec->nfields;
    while (c->next < c->n_order && c->order[c->next].line == rec->line) {
        long k = finding_column(c, &c->fs->items[c->order[c->next].index]);
        width = k + 1 > width ? k + 1 : width;
        c->next++;
    }
    if (rec->record_no > MAX_XLSX_ROWS) {
        c->truncated++;
        return 0;
    }
    liia_buf note;
    liia_buf_init(&note);
    for (long k = 0; k < width; k++)
        put_field(c, (lxw_row_t)(rec->record_no - 1), k, rec, first, c->next,
                  &note);
    liia_buf_free(&note);
    return 0;
}

static void findings_sheet(fx_ctx *c, lxw_worksheet *ws)
{
    rp_fmts *F = &c->F;
    char t[160];
    /* an accepted child-level return can carry errors (its cells stored
     * as blank and flagged): the caller says what happened */
    const char *what = c->outcome ? c->outcome
                       : c->fs->errors ? "the file was rejected and nothing was stored"
                                       : NULL;
    snprintf(t, sizeof t, "%zu error%s, %zu warning%s%s%s", c->fs->errors,
             c->fs->errors == 1 ? "" : "s", c->fs->warnings,
             c->fs->warnings == 1 ? "" : "s", what ? ": " : "", what ? what : "");
    rp_str(F, ws, 0, 0, t, F->title);
    static const char *const heads[] = {"Severity", "Rule", "File", "Table",
                                        "Line", "Column", "Column name",
                                        "Value", "Message", "Fix", "Record",
                                        "Path", "Child"};
    static const double widths[] = {10, 11, 24, 10, 7, 8, 16, 18, 60, 60, 8, 40, 14};
    for (lxw_col_t k = 0; k < 13; k++) {
        rp_str(F, ws, 2, k, heads[k], F->head);
        rp_chk(F, worksheet_set_column(ws, k, k, widths[k], NULL));
    }
    for (size_t k = 0; k < c->fs->count; k++) {
        const liia_error *f = &c->fs->items[k];
        lxw_row_t r = (lxw_row_t)(3 + k);
        int err = f->severity == LIIA_SEV_ERROR;
        rp_str(F, ws, r, 0, err ? "error" : "warning",
               err ? F->error : F->warning);
        rp_str(F, ws, r, 1, f->rule_id, F->text);
        rp_str(F, ws, r, 2, base_name(f->file), F->text);
        rp_str(F, ws, r, 3, f->table, F->text);
        if (f->line > 0)
            rp_num(F, ws, r, 4, (double)f->line, F->text);
        if (f->column > 0)
            rp_num(F, ws, r, 5, (double)f->column, F->text);
        rp_str(F, ws, r, 6, f->column_name, F->text);
        rp_str(F, ws, r, 7, f->value, F->text);
        rp_str(F, ws, r, 8, f->message, F->wrap);
        rp_str(F, ws, r, 9, f->fix, F->wrap);
        /* the record within its part; the XML path or xlsx cell */
        if (f->record > 0)
            rp_num(F, ws, r, 10, (double)f->record, F->text);
        rp_str(F, ws, r, 11, f->path, F->text);
        /* the sender's own CHILD id (never stored: see liia_error) */
        rp_str(F, ws, r, 12, f->child_id, F->text);
    }
    worksheet_freeze_panes(ws, 3, 0);
    rp_chk(F, worksheet_autofilter(ws, 2, 0, (lxw_row_t)(2 + c->fs->count),
                                   12));
}

static void fx_free(fx_ctx *c)
{
    for (size_t k = 0; k < c->nheader; k++)
        free(c->header[k]);
    free(c->header);
    free(c->order);
}

/* The CSV's modification time, so re-running on the same file gives the
 * same workbook. */
static time_t file_time(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_mtime : 0;
}

/* The folder of path: libxlsxwriter's own scratch files (the submitted
 * rows, unlinked as soon as they are made) stay beside the report rather
 * than in a shared /tmp that may be memory. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static int write_workbook(const char *csv_path, const liia_findings *findings,
                          const char *outcome, const char *xlsx_path,
                          const char *tmp_path, liia_error *e)
{
    /* Constant memory: each row goes to disk when the next starts, so a
     * 20 MB file does not become a gigabyte of cells (rows are written in
     * order, which is how this workbook is laid out). */
    char *folder = folder_of(xlsx_path);
    if (!folder)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = folder};
    lxw_workbook *wb = rp_wb_open_opt(tmp_path, &opt, "Validation findings",
                                      file_time(csv_path), e);
    free(folder);
    if (!wb)
        return -1;
    fx_ctx c = {.fs = findings, .outcome = outcome};
    rp_fmts_init(&c.F, wb);
    c.rows = rp_sheet(&c.F, "Submitted rows");
    lxw_worksheet *list = rp_sheet(&c.F, "Findings");
    int rc = 0;
    if (!c.rows || !list)
        rp_chk(&c.F, LXW_ERROR_MEMORY_MALLOC_FAILED);
    else if (!(rc = build_order(&c, csv_path, e))) {
        rp_chk(&c.F, worksheet_set_column(c.rows, 0, 40, 14, NULL));
        worksheet_freeze_panes(c.rows, 1, 0);
        /* A file that cannot be read at all (binary, bad encoding) still
         * gets its Findings sheet: that is the report the user needs. */
        liia_error read_err;
        liia_error_clear(&read_err);
        if (liia_csv_read_file(csv_path, LIIA_CSV_CONVERT_CP1252, on_record,
                               &c, NULL, &read_err) &&
            read_err.status == LIIA_E_NOMEM) {
            *e = read_err;
            rc = -1;
        }
        findings_sheet(&c, list);
    }
    fx_free(&c);
    if (rc) {
        liia_error close_err;
        liia_error_clear(&close_err);
        rp_wb_finish(&c.F, xlsx_path, &close_err);
        return -1;
    }
    return rp_wb_finish(&c.F, xlsx_path, e);
}

int liia_report_findings_xlsx_outcome(const char *csv_path,
                                      const liia_findings *findings,
                                      const char *outcome,
                                      const char *xlsx_path, liia_error *e)
{
    liia_outfile out;
    if (liia_outfile_open(&out, xlsx_path, e))
        return -1;
    int rc = write_workbook(csv_path, findings, outcome, xlsx_path, out.tmp, e);
    return liia_outfile_finish(&out, rc, e);
}

int liia_report_findings_xlsx(const char *csv_path,
                              const liia_findings *findings,
                              const char *xlsx_path, liia_error *e)
{
    return liia_report_findings_xlsx_outcome(csv_path, findings, NULL, xlsx_path, e);
}
