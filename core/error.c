/* error.c - the one error type, and the findings list built from it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "liia_core.h"

/* Parallel to liia_status; test_core checks the two stay the same length. */
static const char *const status_names[LIIA_STATUS_COUNT] = {
    [LIIA_OK] = "ok",
    [LIIA_E_USAGE] = "usage error",
    [LIIA_E_DATA] = "rejected",
    [LIIA_E_IO] = "I/O error",
    [LIIA_E_DB] = "database error",
    [LIIA_E_SCHEMA] = "schema error",
    [LIIA_E_NOMEM] = "out of memory",
    [LIIA_E_INTERRUPTED] = "interrupted",
};

void liia_error_clear(liia_error *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

int liia_fail(liia_error *e, liia_status status, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->status = status;
    return -1;
}

void liia_error_fix(liia_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->fix, sizeof e->fix, fmt, ap);
    va_end(ap);
}

/* Copies len bytes of src into dst[size] with control characters as '?',
 * truncating long values with "..." (never inside a UTF-8 sequence). */
static void copy_printable(char *dst, size_t size, const char *src, size_t len)
{
    size_t cap = size - 1, out = 0;
    int truncated = len > cap;
    if (truncated)
        cap -= 3;
    for (size_t i = 0; i < len && out < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[out++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (truncated)
        while (out > 0 && ((unsigned char)dst[out - 1] & 0xC0) == 0x80)
            out--;
    if (truncated) {
        if (out > 0 && ((unsigned char)dst[out - 1] & 0xC0) == 0xC0)
            out--;
        memcpy(dst + out, "...", 3);
        out += 3;
    }
    dst[out] = '\0';
}

void liia_error_set_value(liia_error *e, const char *value, size_t len)
{
    copy_printable(e->value, sizeof e->value, value, len);
}

void liia_error_set_child_id(liia_error *e, const char *id, size_t len)
{
    copy_printable(e->child_id, sizeof e->child_id, id, len);
}

const char *liia_status_name(liia_status s)
{
    if ((unsigned)s >= LIIA_STATUS_COUNT || !status_names[s])
        return "unknown error";
    return status_names[s];
}

int liia_status_exit_code(liia_status s)
{
    switch (s) {
    case LIIA_OK: return LIIA_EXIT_OK;
    case LIIA_E_DATA: return LIIA_EXIT_REJECTED;
    case LIIA_E_USAGE: return LIIA_EXIT_USAGE;
    default: return LIIA_EXIT_RUNTIME;
    }
}

static const char *severity_word(const liia_error *e)
{
    if (e->status != LIIA_OK && e->status != LIIA_E_DATA)
        return "error";
    switch (e->severity) {
    case LIIA_SEV_WARNING: return "warning";
    case LIIA_SEV_INFO: return "note";
    default: return "error";
    }
}

void liia_error_print(FILE *out, const liia_error *e)
{
    if (e->file[0]) {
        fputs(e->file, out);
        if (e->table[0])
            fprintf(out, "[%s]", e->table);
        if (e->line > 0)
            fprintf(out, ":%ld", e->line);
        if (e->column > 0)
            fprintf(out, ":%ld", e->column);
        if (e->path[0])
            fprintf(out, " %s", e->path);
        /* A CSV record's number is its line less the header's, unless
         * quoted newlines or blank lines came before it: only then (and
         * for structured files) is it worth saying. */
        int rec = e->record > 0 && (e->path[0] || e->record != e->line - 1);
        if (rec && e->child_id[0])
            fprintf(out, " (record %ld, child %s)", e->record, e->child_id);
        else if (rec)
            fprintf(out, " (record %ld)", e->record);
        else if (e->child_id[0])
            fprintf(out, " (child %s)", e->child_id);
        fputs(": ", out);
    }
    fprintf(out, "%s: ", severity_word(e));
    if (e->column_name[0])
        fprintf(out, "column '%s': ", e->column_name);
    fputs(e->message, out);
    if (e->value[0] || e->column > 0)
        fprintf(out, " (value \"%s\")", e->value);
    if (e->rule_id[0])
        fprintf(out, " [%s]", e->rule_id);
    fputc('\n', out);
    if (e->fix[0])
        fprintf(out, "  fix: %s\n", e->fix);
}

void liia_findings_init(liia_findings *f)
{
    memset(f, 0, sizeof *f);
}

void liia_findings_free(liia_findings *f)
{
    if (!f)
        return;
    free(f->items);
    memset(f, 0, sizeof *f);
}

int liia_findings_add(liia_findings *f, const liia_error *e)
{
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        liia_error *items = realloc(f->items, cap * sizeof *items);
        if (!items)
            return -1;
        f->items = items;
        f->cap = cap;
    }
    f->items[f->count++] = *e;
    if (e->severity == LIIA_SEV_ERROR)
        f->errors++;
    else if (e->severity == LIIA_SEV_WARNING)
        f->warnings++;
    return 0;
}
