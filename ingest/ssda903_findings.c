/*
 * ssda903_findings.c - how every pass of the SSDA903 ingest reports: a
 * finding counted per rule and listed while its rule has room
 * (ingest_tally), the row's flags, where a table's file and columns are.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "ssda903_run.h"

static int list_finding(struct s903_run *run, liia_severity sev, const char *file,
                        const char *table, long line, long col,
                        const char *column_name, const char *value, size_t vlen,
                        const char *rule, const char *fix, const char *fmt, va_list ap)
    LIIA_PRINTF(12, 0);

/* A value of an identifying column, in a return whose findings never
 * show one ("withhold_pii": the lifecycle withholds the others' values
 * only where findings are stored). */
static int identifying(const struct s903_schema *s, const char *table, const char *column)
{
    if (!s->withhold_pii || !table || !column)
        return 0;
    int t = s903_table_index(s, table);
    int c = t >= 0 ? s903_col_index(&s->tables[t], column) : -1;
    return c >= 0 && s->tables[t].cols[c].pii != PII_NONE;
}

/* 1 when column is the child identifier of table (type child). */
static int child_column(const struct s903_schema *s, const char *table, const char *column)
{
    if (!table || !column || !column[0])
        return 0;
    int t = s903_table_index(s, table);
    int c = t >= 0 ? s903_col_index(&s->tables[t], column) : -1;
    return c >= 0 && s->tables[t].cols[c].type == S903_CHILD;
}

/* A finding named its child once the id is found: the id, and as the
 * value of a finding on the CHILD column what the file says (withheld, as
 * list_finding withholds it, where the return never shows one). */
static void name_child(const struct s903_schema *s, liia_error *f, const char *id,
                       size_t len)
{
    liia_error_set_child_id(f, id, len);
    if (f->value[0] || !child_column(s, f->table, f->column_name))
        return;
    if (identifying(s, f->table, f->column_name))
        liia_strlcpy(f->value, "(withheld: identifying)", sizeof f->value);
    else
        liia_error_set_value(f, id, len);
}

/* The listed finding just added names its child by pseudonym only. */
static int add_pending(struct s903_run *run, const unsigned char *pid)
{
    if (run->npending == run->cappending) {
        size_t cap = run->cappending ? 2 * run->cappending : 64;
        struct s903_pending *p = realloc(run->pending, cap * sizeof *p);
        if (!p)
            return -1;
        run->pending = p;
        run->cappending = cap;
    }
    struct s903_pending *p = &run->pending[run->npending++];
    p->finding = run->findings->count - 1;
    memcpy(p->pid, pid, LIIA_PID_BYTES);
    return 0;
}

static int list_finding(struct s903_run *run, liia_severity sev, const char *file,
                        const char *table, long line, long col,
                        const char *column_name, const char *value, size_t vlen,
                        const char *rule, const char *fix, const char *fmt, va_list ap)
{
    liia_error e;
    liia_error_clear(&e);
    e.status = LIIA_E_DATA;
    e.severity = sev;
    liia_strlcpy(e.file, file ? file : "", sizeof e.file);
    liia_strlcpy(e.table, table ? table : "", sizeof e.table);
    e.line = line;
    e.column = col;
    if (line && line == run->at.line) {
        e.record = run->at.record;
        liia_strlcpy(e.path, run->at.path ? run->at.path : "", sizeof e.path);
        if (run->at.child)
            liia_error_set_child_id(&e, run->at.child, run->at.child_len);
    }
    liia_strlcpy(e.column_name, column_name ? column_name : "", sizeof e.column_name);
    /* A rule on the CHILD column shows what the file says (the child's own
     * id, back to its sender only; the store withholds it), never the
     * pseudonym the rules compared; when the row is gone from memory,
     * s903_fill_child_ids fills it in. */
    if (child_column(run->s, table, column_name)) {
        value = e.child_id;
        vlen = strlen(e.child_id);
    }
    if (value && vlen && identifying(run->s, table, column_name))
        liia_strlcpy(e.value, "(withheld: identifying)", sizeof e.value);
    else if (value)
        liia_error_set_value(&e, value, vlen);
    liia_strlcpy(e.rule_id, rule, sizeof e.rule_id);
    liia_strlcpy(e.fix, fix ? fix : "", sizeof e.fix);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    if (liia_findings_add(run->findings, &e))
        return -1;
    return line && line == run->at.line && !e.child_id[0] && run->at.pid
               ? add_pending(run, run->at.pid) : 0;
}

int s903_list_finding(struct s903_run *run, liia_severity sev, const char *file,
                      const char *table, long line, long col,
                      const char *column_name, const char *value, size_t vlen,
                      const char *rule, const char *fix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = list_finding(run, sev, file, table, line, col, column_name, value, vlen,
                          rule, fix, fmt, ap);
    va_end(ap);
    return rc;
}

int s903_add_finding(struct s903_run *run, liia_severity sev, const char *file,
                     const char *table, long line, long col,
                     const char *column_name, const char *value, size_t vlen,
                     const char *rule, const char *fix, const char *fmt, ...)
{
    int take = ingest_tally(run->counts, run->findings, rule, sev);
    if (take <= 0)
        return take;
    va_list ap;
    va_start(ap, fmt);
    int rc = list_finding(run, sev, file, table, line, col, column_name, value, vlen,
                          rule, fix, fmt, ap);
    va_end(ap);
    return rc;
}

long s903_table_rows(const struct s903_run *run, int table)
{
    long n = 0;
    for (size_t i = 0; i < run->ninputs; i++)
        if (run->inputs[i].table == table)
            n += run->inputs[i].rows;
    return n;
}

const char *s903_table_file(const struct s903_run *run, int table)
{
    for (size_t i = 0; i < run->ninputs; i++)
        if (run->inputs[i].table == table)
            return run->inputs[i].path;
    return "";
}

int s903_table_colno(const struct s903_run *run, int table, int col)
{
    for (size_t i = 0; i < run->ninputs; i++)
        if (run->inputs[i].table == table)
            return run->inputs[i].map[col] + 1;
    return 0;
}

int s903_flag(liia_buf *flags, const char *code)
{
    /* Not liia_buf_appendf: on an error-dense file every row comes here. */
    return (flags->len && liia_buf_append(flags, ",", 1)) ||
           liia_buf_append(flags, code, strlen(code)) ? -1 : 0;
}


/* ------------------------------------------------------------ child ids */

struct at_line {
    long line;
    size_t i;           /* index in the findings */
};

struct fill {
    liia_findings *f;
    struct at_line *order;  /* findings to fill, by line */
    size_t n, next;
    size_t field;           /* the CHILD field of the file */
    size_t nfields;         /* its header row's: a row of another count is misaligned */
    const struct s903_schema *s;
};

static int fill_row(void *ctx, const liia_record *rec, liia_error *e)
{
    (void)e;
    struct fill *x = ctx;
    while (x->next < x->n && x->order[x->next].line < rec->line)
        x->next++;
    if (x->next == x->n)
        return 1;   /* past the last line wanted: stop reading */
    /* a misaligned row's CHILD field may be another cell: name no child */
    const char *s = x->field < rec->nfields && rec->nfields == x->nfields
                        ? rec->values[x->field] : NULL;
    size_t len = s ? rec->lengths[x->field] : 0;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    for (; len && x->next < x->n && x->order[x->next].line == rec->line; x->next++) {
        name_child(x->s, &x->f->items[x->order[x->next].i], s, len);
    }
    return 0;
}

static int by_line(const void *a, const void *b)
{
    const struct at_line *x = a, *y = b;
    return x->line != y->line ? (x->line < y->line ? -1 : 1) : (x->i < y->i ? -1 : x->i > y->i);
}

/* One file: the findings on its rows without a child id, then a read. */
static int fill_file(struct s903_run *run, const struct s903_input *in, size_t field,
                     struct at_line *order, liia_error *e)
{
    liia_findings *f = run->findings;
    struct fill x = {f, order, 0, 0, field, in->nfields, run->s};
    for (size_t i = 0; i < f->count; i++)
        if (f->items[i].line > 1 && !f->items[i].child_id[0] &&
            !strcmp(f->items[i].file, in->path))
            order[x.n++] = (struct at_line){f->items[i].line, i};
    if (!x.n)
        return 0;
    qsort(order, x.n, sizeof *order, by_line);
    liia_reader *reader = liia_reader_open(in->path, e);
    int rc = reader ? liia_reader_run(reader, fill_row, &x, e) : -1;
    liia_reader_free(reader);
    return rc;
}

struct recall {
    const struct s903_run *run;
    const struct s903_pending *pending;
};

static void recalled(void *ctx, size_t i, const char *child, size_t len)
{
    struct recall *r = ctx;
    size_t at = r->pending[i].finding;
    liia_findings *f = r->run->findings;
    if (at >= f->count || f->items[at].child_id[0])
        return;
    name_child(r->run->s, &f->items[at], child, len);
}

/* The findings of children known by pseudonym, named from the memory of
 * the ids this ingest hashed: no file is read again for them. */
static int recall_pending(struct s903_run *run, liia_error *e)
{
    if (!run->npending)
        return 0;
    unsigned char (*pids)[LIIA_PID_BYTES] = malloc(run->npending * sizeof *pids);
    if (!pids)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < run->npending; i++)
        memcpy(pids[i], run->pending[i].pid, LIIA_PID_BYTES);
    struct recall r = {run, run->pending};
    int rc = liia_pseudo_recall(run->ps, (const unsigned char (*)[LIIA_PID_BYTES])pids,
                                run->npending, recalled, &r);
    free(pids);
    return rc ? liia_fail(e, LIIA_E_NOMEM, "out of memory") : 0;
}

int s903_fill_child_ids(struct s903_run *run, liia_error *e)
{
    struct at_line *order = NULL;
    int rc = recall_pending(run, e);
    if (rc)
        return -1;
    for (size_t i = 0; !rc && i < run->ninputs; i++) {
        const struct s903_input *in = &run->inputs[i];
        if (in->table < 0)
            continue;
        const struct s903_table *t = &run->s->tables[in->table];
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].type != S903_CHILD || in->map[c] < 0)
                continue;
            if (!order && !(order = malloc((run->findings->count + 1) * sizeof *order)))
                return liia_fail(e, LIIA_E_NOMEM, "out of memory");
            rc = fill_file(run, in, (size_t)in->map[c], order, e);
            break;
        }
    }
    free(order);
    return rc;
}
