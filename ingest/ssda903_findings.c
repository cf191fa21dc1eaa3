/*
 * ssda903_findings.c - how every pass of the SSDA903 ingest reports: a
 * finding counted per rule and listed while its rule has room
 * (ingest_tally), the row's flags, where a table's file and columns are.
 */
#include <stdarg.h>
#include <stdio.h>
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
    }
    liia_strlcpy(e.column_name, column_name ? column_name : "", sizeof e.column_name);
    if (value && vlen && identifying(run->s, table, column_name))
        liia_strlcpy(e.value, "(withheld: identifying)", sizeof e.value);
    else if (value)
        liia_error_set_value(&e, value, vlen);
    liia_strlcpy(e.rule_id, rule, sizeof e.rule_id);
    liia_strlcpy(e.fix, fix ? fix : "", sizeof e.fix);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    return liia_findings_add(run->findings, &e);
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

