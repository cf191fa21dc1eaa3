/*
 * ingest.c - the one pipeline every return type goes through: group the
 * command line's files into submissions, dispatch each to its return type,
 * and write findings for the data lead.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"

void liia_ingest_result_init(liia_ingest_result *r)
{
    memset(r, 0, sizeof *r);
    liia_findings_init(&r->findings);
}

void liia_ingest_result_free(liia_ingest_result *r)
{
    if (r) {
        liia_findings_free(&r->findings);
        liia_rule_counts_free(&r->rule_counts);
    }
}

size_t liia_ingest_return_count(void)
{
    return ingest_return_count();
}

const liia_return_info *liia_ingest_return_info(size_t i)
{
    const struct liia_return_ops *ops = ingest_return_at(i);
    return ops ? &ops->info : NULL;
}

/* The return type whose files look like this one, read from its content
 * (reader.h: a CSV header row, an XML root element and collection); the
 * default type when nothing matches or the file cannot be read (its own
 * validator then says why, with a rule id). */
static const struct liia_return_ops *recognise(const char *path)
{
    liia_error ignored;
    liia_error_clear(&ignored);
    liia_signature sig = {0};
    liia_reader *r = liia_reader_open(path, &ignored);
    const struct liia_return_ops *found = NULL;
    if (r && r->ops->signature(r, &sig, &ignored) == 0)
        for (size_t i = 0; i < ingest_return_count() && !found; i++)
            if (ingest_return_at(i)->recognise(&sig))
                found = ingest_return_at(i);
    liia_signature_free(&sig);
    liia_reader_free(r);
    return found ? found : ingest_return_at(0);
}

static int unknown_type(const char *id, liia_error *e)
{
    liia_buf b;
    liia_buf_init(&b);
    for (size_t i = 0; i < ingest_return_count(); i++)
        if (liia_buf_appendf(&b, "%s%s", i ? ", " : "", ingest_return_at(i)->info.id))
            break;
    liia_error_set_value(e, id, strlen(id));
    liia_error_fix(e, "use one of: %s (liia-bench schemas lists them)", b.data);
    liia_buf_free(&b);
    return liia_fail(e, LIIA_E_USAGE, "unknown return type '%s'", id);
}

int liia_ingest_plan(const char *const *files, size_t nfiles,
                     const liia_ingest_options *o, liia_ingest_group **groups,
                     size_t *ngroups, liia_error *e)
{
    const struct liia_return_ops *forced = NULL;
    *groups = NULL;
    *ngroups = 0;
    if (o->return_type && !(forced = ingest_return_find(o->return_type)))
        return unknown_type(o->return_type, e);
    liia_ingest_group *g = calloc(nfiles ? nfiles : 1, sizeof *g);
    if (!g)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < nfiles; i++) {
        const struct liia_return_ops *ops = forced ? forced : recognise(files[i]);
        /* Tables of a multi-file return given side by side are one
         * submission; every file of a one-file return is its own. */
        if (n && !ops->info.one_file_per_submission &&
            !strcmp(g[n - 1].return_type, ops->info.id)) {
            g[n - 1].count++;
            continue;
        }
        g[n++] = (liia_ingest_group){ops->info.id, i, 1};
    }
    *groups = g;
    *ngroups = n;
    return 0;
}

int liia_ingest_submission(sqlite3 *db, const char *return_type,
                           const char *const *files, size_t nfiles,
                           const liia_ingest_options *o,
                           liia_ingest_result *r, liia_error *e)
{
    const struct liia_return_ops *ops = ingest_return_find(return_type);
    if (!ops)
        return unknown_type(return_type ? return_type : "", e);
    liia_strlcpy(r->return_type, ops->info.id, sizeof r->return_type);
    ingest_file_names(files, nfiles, r->file_name, sizeof r->file_name);
    /* --period is the user's: a quarter out of range is a usage error,
     * before anything is read (a file's own period is checked as a row) */
    char period[11];
    if (o->period && o->today && (liia_period_parse(o->period, period, e) ||
                                  liia_period_check(period, o->today, e))) {
        e->status = LIIA_E_USAGE;
        return -1;
    }
    return ops->run(db, files, nfiles, o, r, e);
}

static int write_row(FILE *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((i && fputc(',', out) == EOF) || liia_csv_write_field(out, cells[i], 1))
            return -1;
    return fputc('\n', out) == EOF ? -1 : 0;
}

int liia_ingest_write_findings(const char *path, const liia_findings *f,
                               liia_error *e)
{
    /* The findings hold the authority's raw values: 0600, never through a
     * planted link, renamed into place only when whole. */
    liia_outfile file;
    if (liia_outfile_open(&file, path, e))
        return -1;
    FILE *out = liia_outfile_stream(&file, e);
    if (!out) {
        liia_outfile_abort(&file);
        return -1;
    }
    static const char *const header[] = {"file", "line", "column", "column_name",
                                         "severity", "rule_id", "value", "message", "fix",
                                         "record", "path"};
    static const char *const sev[] = {"error", "warning", "info"};
    int rc = write_row(out, header, 11);
    for (size_t i = 0; !rc && i < f->count; i++) {
        const liia_error *x = &f->items[i];
        char line[24] = "", col[24] = "", rec[24] = "";
        if (x->line > 0)
            snprintf(line, sizeof line, "%ld", x->line);
        if (x->column > 0)
            snprintf(col, sizeof col, "%ld", x->column);
        if (x->record > 0)
            snprintf(rec, sizeof rec, "%ld", x->record);
        const char *cells[] = {x->file, line, col, x->column_name, sev[x->severity],
                               x->rule_id, x->value, x->message, x->fix, rec, x->path};
        rc = write_row(out, cells, 11);
    }
    if (rc) {
        liia_outfile_abort(&file);
        liia_strlcpy(e->file, path, sizeof e->file);
        return liia_fail(e, LIIA_E_IO, "error writing the findings report");
    }
    return liia_outfile_commit(&file, e);
}
