/*
 * ssda903_ops.c - the SSDA903 return type as the ingest pipeline sees it
 * (struct liia_return_ops, ingest_internal.h): recognised by its header
 * rows, run through liia_ssda903_ingest().
 */
#include <string.h>
#include <strings.h>

#include "ingest_internal.h"
#include "ssda903.h"
#include "ssda903_internal.h"

/* Whether the file is one of the return's: tables.json decides
 * (s903_schema_recognises), for no particular year (the columns and the
 * XML root do not change with the code lists). */
static int recognise(const liia_signature *sig)
{
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    if (s903_schema_load(liia_schema_dir(), 0, &s, &e))
        return 0;
    int found = s903_schema_recognises(&s, sig);
    s903_schema_free(&s);
    return found;
}

static void copy_result(liia_903_result *from, liia_ingest_result *r)
{
    liia_strlcpy(r->return_type, "ssda903", sizeof r->return_type);
    liia_strlcpy(r->la_code, from->la_code, sizeof r->la_code);
    liia_strlcpy(r->period, from->period, sizeof r->period);
    if (from->file_name[0]) /* else the pipeline's names stand */
        liia_strlcpy(r->file_name, from->file_name, sizeof r->file_name);
    liia_strlcpy(r->sha256, from->sha256, sizeof r->sha256);
    r->submission_id = from->submission_id;
    r->version = from->version;
    r->superseded = from->superseded;
    r->rows = from->rows_header + from->rows_episodes + from->rows_uasc;
    /* Hand the findings over rather than copying them. */
    liia_findings_free(&r->findings);
    r->findings = from->findings;
    liia_findings_init(&from->findings);
    liia_rule_counts_free(&r->rule_counts);
    r->rule_counts = from->rule_counts;
    memset(&from->rule_counts, 0, sizeof from->rule_counts);
}

static int run(sqlite3 *db, const char *const *files, size_t nfiles,
               const liia_ingest_options *o, liia_ingest_result *r, liia_error *e)
{
    liia_903_options so = {.la = o->la, .period = o->period, .key_path = o->key_path,
                           .schema_dir = o->schema_dir, .files = files,
                           .nfiles = nfiles, .validate_only = o->validate_only,
                           .strict = o->strict};
    liia_903_result res;
    liia_903_result_init(&res);
    int rc = liia_ssda903_ingest(db, &so, &res, e);
    copy_result(&res, r);
    liia_903_result_free(&res);
    if (rc == 0) {
        r->outcome = res.unchanged ? LIIA_INGEST_UNCHANGED : LIIA_INGEST_ACCEPTED;
        return 0;
    }
    if (e->status != LIIA_E_DATA)
        return -1;
    r->outcome = LIIA_INGEST_REJECTED;
    liia_error_clear(e);
    return 0;
}

const struct liia_return_ops ingest_ssda903_ops = {
    .info = {"ssda903", "SSDA903 children looked after (child-level)",
             "ssda903/tables.json", 0},
    .recognise = recognise,
    .run = run,
};
