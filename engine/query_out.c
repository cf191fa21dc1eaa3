/* query_out.c - result formats of `query`.  CSV and JSON stream row by row;
 * the aligned table must see every row to size its columns (so it is
 * bounded in size, and shows control characters as escapes: it is the
 * terminal's format). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "query_out.h"

static int step_fail(sqlite3 *db, int rc, liia_error *e)
{
    if (rc == SQLITE_INTERRUPT)
        return liia_fail(e, LIIA_E_INTERRUPTED, "query interrupted");
    if ((rc & 0xff) == SQLITE_TOOBIG) {
        liia_error_fix(e, "narrow the query: no single value may exceed %d MB",
                       LIIA_QUERY_MAX_LENGTH >> 20);
        return liia_fail(e, LIIA_E_DB, "query stopped: a value is too large");
    }
    if ((rc & 0xff) == SQLITE_NOMEM) {
        liia_error_fix(e, "narrow the query: it may use at most %lld MB",
                       LIIA_QUERY_HEAP_LIMIT >> 20);
        return liia_fail(e, LIIA_E_NOMEM, "query stopped: out of memory");
    }
    return liia_db_fail(e, db, "running the query");
}

/* Text cells are escaped for Excel unless raw; numbers never are (a
 * negative number is not a formula). */
static int csv_cell(FILE *out, sqlite3_stmt *st, int i, int excel_safe)
{
    int type = sqlite3_column_type(st, i);
    const char *t = (const char *)sqlite3_column_text(st, i);
    return liia_csv_write_field(out, t ? t : "",
                                excel_safe && type != SQLITE_INTEGER && type != SQLITE_FLOAT);
}

static int write_csv(sqlite3 *db, sqlite3_stmt *st, int excel_safe, FILE *out,
                     liia_error *e)
{
    int n = sqlite3_column_count(st), rc;
    for (int i = 0; i < n; i++)
        if ((i && fputc(',', out) == EOF) ||
            liia_csv_write_field(out, sqlite3_column_name(st, i), excel_safe))
            return liia_fail(e, LIIA_E_IO, "cannot write the result");
    if (fputs("\r\n", out) == EOF)
        return liia_fail(e, LIIA_E_IO, "cannot write the result");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++)
            if ((i && fputc(',', out) == EOF) || csv_cell(out, st, i, excel_safe))
                return liia_fail(e, LIIA_E_IO, "cannot write the result");
        if (fputs("\r\n", out) == EOF)
            return liia_fail(e, LIIA_E_IO, "cannot write the result");
    }
    return rc == SQLITE_DONE ? 0 : step_fail(db, rc, e);
}

static json_t *cell_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_NULL: return json_null();
    default: return json_stringn((const char *)sqlite3_column_text(st, i),
                                 (size_t)sqlite3_column_bytes(st, i));
    }
}

/* A JSON array of objects, one per row, keys in column order. */
static int write_json(sqlite3 *db, sqlite3_stmt *st, FILE *out, liia_error *e)
{
    int n = sqlite3_column_count(st), rc, first = 1;
    if (fputs("[", out) == EOF)
        return liia_fail(e, LIIA_E_IO, "cannot write the result");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int i = 0; row && i < n; i++)
            if (json_object_set_new(row, sqlite3_column_name(st, i), cell_json(st, i))) {
                json_decref(row);
                row = NULL;
            }
        if (!row)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        if (fputs(first ? "\n" : ",\n", out) == EOF ||
            json_dumpf(row, out, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))) {
            json_decref(row);
            return liia_fail(e, LIIA_E_IO, "cannot write the result");
        }
        json_decref(row);
        first = 0;
    }
    if (rc != SQLITE_DONE)
        return step_fail(db, rc, e);
    return fputs("\n]\n", out) == EOF ? liia_fail(e, LIIA_E_IO, "cannot write the result") : 0;
}

typedef struct table {
    char **cells; /* row-major, header first; NULL = SQL NULL */
    int *numeric;
    size_t ncells, cap;
    size_t bytes;  /* held in cells, against LIIA_QUERY_TABLE_LIMIT */
    liia_buf tmp;
} table;

/* -1 out of memory, 1 over the size limit. */
static int table_add(table *t, const char *s, int numeric)
{
    if (s) {
        liia_buf_reset(&t->tmp);
        if (liia_buf_append_printable(&t->tmp, s, strlen(s)))
            return -1;
        if ((t->bytes += t->tmp.len + 1) > LIIA_QUERY_TABLE_LIMIT)
            return 1;
        s = t->tmp.data;
    }
    if (t->ncells == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **c = realloc(t->cells, cap * sizeof *c);
        int *nu = c ? realloc(t->numeric, cap * sizeof *nu) : NULL;
        if (c)
            t->cells = c;
        if (!nu)
            return -1;
        t->numeric = nu;
        t->cap = cap;
    }
    t->cells[t->ncells] = s ? strdup(s) : NULL;
    if (s && !t->cells[t->ncells])
        return -1;
    t->numeric[t->ncells++] = numeric;
    return 0;
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->numeric);
    liia_buf_free(&t->tmp);
}

/* Writes one line of cells padded to the column widths, with no trailing
 * blanks (an empty last cell would otherwise leave them). */
static int table_line(const table *t, size_t first, int n, const size_t *w,
                      liia_buf *line, FILE *out)
{
    liia_buf_reset(line);
    for (size_t c = 0; c < (size_t)n; c++) {
        const char *s = t->cells[first + c] ? t->cells[first + c] : "";
        if (liia_buf_appendf(line, t->numeric[first + c] ? "%*s%s" : "%-*s%s",
                             (int)w[c], s, c + 1 < (size_t)n ? "  " : ""))
            return -1;
    }
    while (line->len && line->data[line->len - 1] == ' ')
        line->data[--line->len] = '\0';
    return fprintf(out, "%s\n", line->data) < 0 ? -1 : 0;
}

static int table_print(const table *t, int n, FILE *out)
{
    size_t *w = calloc((size_t)n, sizeof *w);
    liia_buf line;
    int bad = !w;
    liia_buf_init(&line);
    for (size_t i = 0; w && i < t->ncells; i++) {
        size_t len = t->cells[i] ? strlen(t->cells[i]) : 0;
        if (len > w[i % (size_t)n])
            w[i % (size_t)n] = len;
    }
    for (size_t row = 0; !bad && row < t->ncells; row += (size_t)n) {
        bad |= table_line(t, row, n, w, &line, out);
        for (size_t k = 0; !bad && row == 0 && k < (size_t)n; k++) {
            for (size_t d = 0; d < w[k]; d++) /* rule under the header */
                bad |= fputc('-', out) == EOF;
            bad |= fputs(k + 1 < (size_t)n ? "  " : "\n", out) == EOF;
        }
    }
    liia_buf_free(&line);
    free(w);
    return bad ? -1 : 0;
}

int qo_decimals_load(sqlite3 *db, qo_decimals *d, liia_error *e)
{
    sqlite3_stmt *st;
    int rc;
    d->n = 0;
    if (liia_db_prepare(db, "SELECT id, decimals FROM indicator_def", &st, e))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && d->n < QO_MAX_INDICATORS) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        liia_strlcpy(d->id[d->n], id ? id : "", sizeof d->id[d->n]);
        d->decimals[d->n++] = sqlite3_column_int(st, 1);
    }
    if ((rc != SQLITE_DONE && rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the indicators' decimals");
    return 0;
}

/* Is column name in the indicator's unit (value, london_value, change_yoy)? */
static int indicator_valued(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n && (!strcmp(name, "value") || (n > 6 && !strcmp(name + n - 6, "_value")) ||
                 !strncmp(name, "change_", 7));
}

/* The row's decimals: its `decimals` column, else its `indicator`'s; -1
 * when the row names no indicator. */
static int row_decimals(sqlite3_stmt *st, int n, const qo_decimals *dec)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(sqlite3_column_name(st, i), "decimals") &&
            sqlite3_column_type(st, i) == SQLITE_INTEGER)
            return sqlite3_column_int(st, i);
    for (int i = 0; dec && i < n; i++) {
        const char *id = (const char *)sqlite3_column_text(st, i);
        if (!strcmp(sqlite3_column_name(st, i), "indicator") && id)
            for (size_t k = 0; k < dec->n; k++)
                if (!strcmp(dec->id[k], id))
                    return dec->decimals[k];
    }
    return -1;
}

/* A cell as the table shows it: an indicator-valued real at its decimals. */
static int table_cell(table *t, sqlite3_stmt *st, int i, int decimals)
{
    int type = sqlite3_column_type(st, i);
    char num[64];
    if (type == SQLITE_FLOAT && decimals >= 0 && decimals <= 6 &&
        indicator_valued(sqlite3_column_name(st, i))) {
        double v = sqlite3_column_double(st, i);
        if (fabs(v) < 0.5 * pow(10, -decimals))
            v = 0; /* never "-0.0" */
        snprintf(num, sizeof num, "%.*f", decimals, v);
        return table_add(t, num, 1);
    }
    return table_add(t, (const char *)sqlite3_column_text(st, i),
                     type == SQLITE_INTEGER || type == SQLITE_FLOAT);
}

static int write_table(sqlite3 *db, sqlite3_stmt *st, const qo_decimals *dec, FILE *out,
                       liia_error *e)
{
    int n = sqlite3_column_count(st), rc, oom = 0;
    table t = {0};
    liia_buf_init(&t.tmp);
    for (int i = 0; i < n && !oom; i++)
        oom = table_add(&t, sqlite3_column_name(st, i), 0);
    while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int decimals = row_decimals(st, n, dec);
        for (int i = 0; i < n && !oom; i++)
            oom = table_cell(&t, st, i, decimals);
    }
    if (oom > 0) {
        liia_error_fix(e, "use --format csv or json for a result this large, or "
                          "narrow the query");
        rc = liia_fail(e, LIIA_E_NOMEM, "the result is over %d MB: too large for "
                       "a table", LIIA_QUERY_TABLE_LIMIT >> 20);
    } else if (oom)
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    else if (rc != SQLITE_DONE)
        rc = step_fail(db, rc, e);
    else if (n > 0 && table_print(&t, n, out))
        rc = liia_fail(e, LIIA_E_IO, "cannot write the result");
    else
        rc = 0;
    table_free(&t);
    return rc;
}

int qo_write(sqlite3 *db, sqlite3_stmt *st, liia_query_format fmt,
             const qo_decimals *dec, FILE *out, liia_error *e)
{
    switch (fmt) {
    case LIIA_QUERY_CSV: return write_csv(db, st, 1, out, e);
    case LIIA_QUERY_CSV_RAW: return write_csv(db, st, 0, out, e);
    case LIIA_QUERY_JSON: return write_json(db, st, out, e);
    default: return write_table(db, st, dec, out, e);
    }
}
