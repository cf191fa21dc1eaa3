/* changes.c - what a new accepted version replaced (issue 13: "a file for
 * the wrong quarter silently replaces a published one"): the version, the
 * quarter by name, when the old one arrived, which values move and by how
 * much, and whether the authority has sent a later quarter of the return,
 * so a data lead who sent last quarter's file again sees it at once. */
#include <string.h>
#include "liia_engine.h"

/* The replaced version, its arrival, the quarter and the authority's
 * latest quarter of the same return; ?1 = the new submission. */
static const char replaced_sql[] =
    "SELECT o.version, o.received_at, n.period, n.return_type, a.short_code, a.name, "
    " (SELECT max(x.period) FROM submission x WHERE x.la_code = n.la_code "
    "   AND x.return_type = n.return_type AND x.status = 'accepted'), o.id "
    "FROM submission n JOIN submission o ON o.id = n.supersedes "
    "JOIN authority a ON a.gss_code = n.la_code WHERE n.id = ?1";

/* Each measure whose value differs between the two versions (blank = not
 * supplied), in catalogue order: the values sent, or for a child-level
 * return those derived for its quarter. */
#define VALUES_OF(p) \
    "SELECT measure, value FROM submission_value WHERE submission_id = " p \
    " UNION ALL SELECT d.measure, d.value FROM derived_measure d JOIN submission s" \
    " ON s.id = d.submission_id AND s.period = d.period WHERE d.submission_id = " p
static const char changed_sql[] =
    "WITH n AS (" VALUES_OF("?1") "), o AS (" VALUES_OF("?2") "), "
    "m AS (SELECT measure FROM n UNION SELECT measure FROM o) "
    "SELECT m.measure, o.value, n.value FROM m "
    "LEFT JOIN n ON n.measure = m.measure LEFT JOIN o ON o.measure = m.measure "
    "LEFT JOIN measure_def d ON d.id = m.measure "
    "WHERE n.value IS NOT o.value ORDER BY coalesce(d.sort_order, 1e9), m.measure";

static void value_text(sqlite3_stmt *st, int i, char out[32])
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        liia_strlcpy(out, "blank", 32);
    else
        snprintf(out, 32, "%.10g", sqlite3_column_double(st, i));
}

/* "; 2 values change: contacts 4210 -> 4300 (+90), ..." (the first 5). */
static int changes(sqlite3 *db, long long id, long long old_id, liia_buf *out, liia_error *e)
{
    sqlite3_stmt *st;
    int rc, n = 0;
    /* a superseded child-level version keeps no derived values: nothing
     * to compare with */
    if (liia_db_prepare(db, "SELECT EXISTS (" VALUES_OF("?1") ")", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, old_id);
    rc = sqlite3_step(st);
    int had = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    if ((rc != SQLITE_ROW) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the replaced version");
    if (!had)
        return 0;
    liia_buf list;
    liia_buf_init(&list);
    if (liia_db_prepare(db, changed_sql, &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, old_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char before[32], after[32], diff[40] = "";
        value_text(st, 1, before);
        value_text(st, 2, after);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL && sqlite3_column_type(st, 2) != SQLITE_NULL)
            snprintf(diff, sizeof diff, " (%+.10g)",
                     sqlite3_column_double(st, 2) - sqlite3_column_double(st, 1));
        if (++n <= 5 && liia_buf_appendf(&list, "%s%s %s -> %s%s", n > 1 ? ", " : "",
                                          (const char *)sqlite3_column_text(st, 0), before,
                                          after, diff))
            rc = SQLITE_NOMEM;
    }
    int bad = (rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK);
    if (!bad && liia_buf_appendf(out, n ? "; %d value%s change%s: %s%s" : "; no value changes",
                                 n, n == 1 ? "" : "s", n == 1 ? "s" : "",
                                 list.data ? list.data : "", n > 5 ? ", ..." : ""))
        bad = 1;
    liia_buf_free(&list);
    return bad ? liia_db_fail(e, db, "comparing the two versions") : 0;
}

int liia_engine_describe_replacement(sqlite3 *db, long long id, liia_buf *out, liia_error *e)
{
    sqlite3_stmt *st;
    long long old_id = 0;
    if (liia_db_prepare(db, replaced_sql, &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), bad = 0;
    if (rc == SQLITE_ROW) {
        char label[48], latest[48];
        const char *period = (const char *)sqlite3_column_text(st, 2);
        const char *last = (const char *)sqlite3_column_text(st, 6);
        old_id = sqlite3_column_int64(st, 7);
        liia_period_label(period, label, sizeof label);
        bad = liia_buf_appendf(out, "replaces version %d of %s's %s %s return, received %s",
                               sqlite3_column_int(st, 0), sqlite3_column_text(st, 5), label,
                               sqlite3_column_text(st, 3), sqlite3_column_text(st, 1));
        if (!bad && last && strcmp(last, period) > 0) {
            liia_period_label(last, latest, sizeof latest);
            bad = liia_buf_appendf(out, " (not the latest quarter: %s has sent %s; check "
                                   "this is the quarter you meant)",
                                   sqlite3_column_text(st, 4), latest);
        }
    }
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "reading the replaced version");
    if (bad)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (rc == SQLITE_DONE)
        return 0; /* nothing replaced */
    return changes(db, id, old_id, out, e);
}
