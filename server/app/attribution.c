/* attribution.c - whose return an upload is.  A file that names its
 * authority (the quarterly return's la_code) is recorded against the
 * authority it names, so it must be one the uploader may act for: a data
 * lead's file for another authority is refused before anything is stored
 * (neither authority's history gets a record of it), with a message that
 * says which authority the file names, and the refusal is audited. */
#include <stdio.h>
#include <string.h>

#include "app_internal.h"
#include "liia_ingest.h"

/* The authority's short name for the message ("Hackney (E09000012)"). */
static void la_label(sqlite3 *db, const char *gss, char *out, size_t sz)
{
    sqlite3_stmt *st = NULL;
    snprintf(out, sz, "%s", gss);
    if (sqlite3_prepare_v2(db, "SELECT name FROM authority WHERE gss_code = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, gss, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(out, sz, "%s (%s)", (const char *)sqlite3_column_text(st, 0), gss);
    }
    sqlite3_finalize(st); /* without a name the code alone is still clear */
}

int app_check_attribution(sqlite3 *db, const liia_actor *a, const char *return_type,
                          const char *const *files, size_t nfiles,
                          const liia_ingest_options *o, liia_error *e)
{
    /* Only a file can name another authority than the one the upload is
     * for; a child-level return's tables (SSDA903's CSVs, the CIN census's
     * one XML file) name none: its authority is the upload's (la). */
    int child_level = 0;
    if (!app_scoped(a) || nfiles != 1)
        return 0;
    if (app_child_level(return_type, &child_level, e))
        return -1;
    if (child_level)
        return 0;
    for (size_t i = 0; i < liia_ingest_return_count(); i++)
        if (!strcmp(liia_ingest_return_info(i)->id, return_type) &&
            !liia_ingest_return_info(i)->one_file_per_submission)
            return 0;
    /* The peek is given what the real ingest is given (the uploader's own
     * authority): a return that needs one is read as it will be, and a
     * file that names another authority still says which. */
    liia_ingest_options peek = *o;
    peek.validate_only = 1;
    liia_ingest_result r;
    liia_ingest_result_init(&r);
    int rc = liia_ingest_submission(db, return_type, files, nfiles, &peek, &r, e);
    if (!rc && r.la_code[0] && !app_sees_la(a, r.la_code)) {
        char named[128], own[128];
        la_label(db, r.la_code, named, sizeof named);
        la_label(db, a->la_code, own, sizeof own);
        liia_error_fix(e, "upload your own authority's return: its la_code is %s", a->la_code);
        rc = app_refuse(e, LIIA_APP_DENIED, "this file is the return of %s, not of %s: "
                        "you may upload only your own authority's returns; nothing was stored",
                        named, own);
    }
    liia_ingest_result_free(&r);
    return rc;
}
