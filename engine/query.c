/* query.c - `liia-bench query`: one read-only SELECT over the documented
 * views, fenced by an authorizer, a time limit and Ctrl-C. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "liia_engine.h"
#include "query_out.h"

/* The documented views (docs/analyst-guide.md); nothing else is readable. */
static const char *const views[] = {"benchmark", "indicators", "measures", "submissions",
                                    "findings", "reconciliation", "authorities", "groupings",
                                    "neighbours", "populations", "measure_versions",
                                    "measures_all_sources", "published", "published_files",
                                    "published_indicators", "published_comparators",
                                    "published_neighbours", NULL};

typedef struct qctx {
    const liia_query_opts *opts;
    struct timespec deadline;
    const char *sql;   /* the statement as the analyst wrote it */
    char refused[512]; /* why the authorizer said no (first refusal) */
    int timed_out;
    int internal;      /* la() is looking an authority up: not the analyst */
    int bad_argument;  /* period() or la() was given something it is not */
    liia_buf stored;   /* names of the store's tables and views, NUL-separated */
    qo_decimals dec;   /* for the table: each indicator's decimals */
} qctx;

static int is_view(const char *name)
{
    for (int i = 0; name && views[i]; i++)
        if (sqlite3_stricmp(name, views[i]) == 0)
            return 1;
    return 0;
}

/* Is name something the store holds (as opposed to a CTE of the query)?
 * Built-in tables and table-valued pragmas count as stored: they expose
 * the schema and settings. */
static int is_stored(const qctx *q, const char *name)
{
    if (!name || sqlite3_strnicmp(name, "sqlite_", 7) == 0 ||
        sqlite3_strnicmp(name, "pragma_", 7) == 0 || sqlite3_stricmp(name, "dbstat") == 0)
        return 1;
    for (size_t i = 0; i < q->stored.len; i += strlen(q->stored.data + i) + 1)
        if (sqlite3_stricmp(name, q->stored.data + i) == 0)
            return 1;
    return 0;
}

static int load_stored(sqlite3 *db, qctx *q, liia_error *e)
{
    sqlite3_stmt *st;
    int rc;
    if (liia_db_prepare(db, "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') "
                        "UNION SELECT name FROM temp.sqlite_schema", &st, e))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        if (n && liia_buf_append(&q->stored, n, strlen(n) + 1)) {
            sqlite3_finalize(st);
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
    }
    if (rc != SQLITE_DONE) {
        liia_db_fail(e, db, "listing the store's views");
        sqlite3_finalize(st);
        return -1;
    }
    return sqlite3_finalize(st) == SQLITE_OK ? 0 : liia_db_fail(e, db, "listing views");
}

/* Does the statement name this table itself (as an identifier, however
 * quoted)?  Conservative: a string literal with the name counts too. */
static int names_table(const char *sql, const char *name)
{
    size_t n = strlen(name);
    const unsigned char *p = (const unsigned char *)sql;
    while (*p) {
        const unsigned char *start = p;
        while (*p == '_' || *p == '$' || *p >= 0x80 || (*p >= '0' && *p <= '9') ||
               ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
            p++;
        if ((size_t)(p - start) == n &&
            sqlite3_strnicmp((const char *)start, name, (int)n) == 0)
            return 1;
        if (p == start)
            p++;
    }
    return 0;
}

/* Reading table a1.  Normally SQLite says which view the read is for; but
 * a count(*) over a view flattened onto its table comes as a read of no
 * column with no view named.  Such a read is a direct one only if the
 * statement names the table. */
static int may_read(const qctx *q, const char *a1, const char *col, const char *via)
{
    if (is_view(a1) || is_view(via) || !is_stored(q, a1))
        return 1;
    return !via && col && !col[0] && sqlite3_strnicmp(a1, "sqlite_", 7) != 0 &&
           !names_table(q->sql, a1);
}

static int refuse(qctx *q, const char *pre, const char *what, const char *post)
{
    if (!q->refused[0])
        snprintf(q->refused, sizeof q->refused, "%s%s%s", pre, what ? what : "", post);
    return SQLITE_DENY;
}

/* "benchmark, indicators, ..." from views[] into out: the fix names
 * exactly the views the authorizer admits (docs_sql checks each one is
 * documented). */
static const char *view_list(char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0; views[i]; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? ", " : "", views[i]);
    return out;
}

static int authorizer(void *arg, int action, const char *a1, const char *a2,
                      const char *db, const char *via)
{
    qctx *q = arg;
    (void)db;
    if (q->internal)
        return SQLITE_OK;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_READ:
        /* tables behind a documented view are read on the view's behalf */
        if (may_read(q, a1, a2, via))
            return SQLITE_OK;
        if (!q->refused[0]) {
            char list[400];
            snprintf(q->refused, sizeof q->refused, "\"%s\" is not one of the documented "
                     "views (%s)", a1 ? a1 : "", view_list(list, sizeof list));
        }
        return SQLITE_DENY;
    case SQLITE_FUNCTION:
        if (a2 && sqlite3_stricmp(a2, "load_extension") == 0)
            return refuse(q, "", a2, "() is not allowed: query cannot load extensions");
        /* it hands out (and with two arguments takes) a code pointer */
        if (a2 && sqlite3_stricmp(a2, "fts3_tokenizer") == 0)
            return refuse(q, "", a2, "() is not allowed: it exposes the program's memory");
        return SQLITE_OK;
    case SQLITE_PRAGMA:
        return refuse(q, "PRAGMA ", a1, " is not allowed: query is read-only");
    case SQLITE_ATTACH:
        return refuse(q, "ATTACH is not allowed: query reads this store only", NULL, "");
    default:
        return refuse(q, "only SELECT over the documented views is allowed: "
                      "query is read-only", NULL, "");
    }
}

static int progress(void *arg)
{
    qctx *q = arg;
    struct timespec now;
    if (q->opts->cancel && *q->opts->cancel)
        return 1;
    if (q->opts->timeout_ms > 0 && clock_gettime(CLOCK_MONOTONIC, &now) == 0 &&
        (now.tv_sec > q->deadline.tv_sec ||
         (now.tv_sec == q->deadline.tv_sec && now.tv_nsec >= q->deadline.tv_nsec))) {
        q->timed_out = 1;
        return 1;
    }
    return 0;
}

static int sql_fail(liia_error *e, sqlite3 *db, const char *sql, const qctx *q)
{
    int off = sqlite3_error_offset(db);
    if (off >= 0) {
        e->column = off + 1;
        liia_error_set_value(e, sql + off, strcspn(sql + off, "\n"));
    }
    liia_error_fix(e, "query reads only the documented views; see docs/views.md");
    if (q->refused[0])
        return liia_fail(e, LIIA_E_USAGE, "statement refused: %s", q->refused);
    if (off >= 0)
        return liia_fail(e, LIIA_E_USAGE, "SQL error at position %d: %s", off + 1,
                         sqlite3_errmsg(db));
    return liia_fail(e, LIIA_E_USAGE, "SQL error: %s", sqlite3_errmsg(db));
}

static int bind_params(sqlite3_stmt *st, const liia_query_opts *o, liia_error *e)
{
    static const char prefixes[] = ":@$";
    for (size_t i = 0; i < o->nparams; i++) {
        int idx = 0;
        char name[128];
        for (int p = 0; p < 3 && idx == 0; p++) {
            snprintf(name, sizeof name, "%c%s", prefixes[p], o->params[i].name);
            idx = sqlite3_bind_parameter_index(st, name);
        }
        if (idx == 0) {
            liia_error_set_value(e, o->params[i].name, strlen(o->params[i].name));
            liia_error_fix(e, "write :%s in the statement or drop --param %s",
                           o->params[i].name, o->params[i].name);
            return liia_fail(e, LIIA_E_USAGE, "parameter %s is not used in the statement",
                             o->params[i].name);
        }
        sqlite3_bind_text(st, idx, o->params[i].value, -1, SQLITE_STATIC);
    }
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *n = sqlite3_bind_parameter_name(st, i);
        int bound = 0;
        for (size_t k = 0; n && k < o->nparams; k++)
            bound |= strcmp(n + 1, o->params[k].name) == 0;
        if (!bound) {
            liia_error_fix(e, "give it a value with --param %s=VALUE", n ? n + 1 : "NAME");
            return liia_fail(e, LIIA_E_USAGE, "parameter %s has no value",
                             n ? n : "?");
        }
    }
    return 0;
}

/* Prepares exactly one statement: a second one could smuggle anything the
 * first was checked for. */
static int prepare_one(sqlite3 *db, const char *sql, sqlite3_stmt **st,
                       const qctx *q, liia_error *e)
{
    const char *tail = NULL;
    sqlite3_stmt *next = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, st, &tail) != SQLITE_OK)
        return sql_fail(e, db, sql, q);
    if (!*st) {
        liia_error_fix(e, "give one SELECT statement");
        return liia_fail(e, LIIA_E_USAGE, "no SQL statement given");
    }
    if (tail && sqlite3_prepare_v2(db, tail, -1, &next, NULL) == SQLITE_OK && !next)
        return 0;
    sqlite3_finalize(next);
    sqlite3_finalize(*st);
    *st = NULL;
    e->column = (long)(tail - sql) + 1;
    liia_error_fix(e, "run one statement per query");
    return liia_fail(e, LIIA_E_USAGE, "only one statement is allowed (a second "
                     "starts at position %ld)", e->column);
}

static int run(sqlite3 *db, const char *sql, const liia_query_opts *o,
               qctx *q, FILE *out, liia_error *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (prepare_one(db, sql, &st, q, e))
        return -1;
    if (!sqlite3_stmt_readonly(st)) {
        sqlite3_finalize(st);
        liia_error_fix(e, "query only reads; use the other commands to change the store");
        return liia_fail(e, LIIA_E_USAGE, "statement refused: only SELECT over the "
                         "documented views is allowed: query is read-only");
    }
    rc = bind_params(st, o, e);
    if (rc == 0)
        rc = qo_write(db, st, o->format, &q->dec, out, e);
    if (rc && q->bad_argument)
        e->status = LIIA_E_USAGE; /* the analyst's argument, not the store */
    /* One long step (a big randomblob) can finish past the deadline with
     * no progress call after it: the limit holds for the whole query. */
    if (rc == 0 && progress(q))
        rc = -1;
    sqlite3_finalize(st);
    if (rc && (q->timed_out || (o->cancel && *o->cancel))) {
        liia_error_clear(e);
        if (!q->timed_out)
            return liia_fail(e, LIIA_E_INTERRUPTED, "query interrupted");
        liia_error_fix(e, "narrow the query or raise --timeout");
        return liia_fail(e, LIIA_E_INTERRUPTED, "query stopped after %d ms (--timeout)",
                         o->timeout_ms);
    }
    return rc;
}

/* period('2024-25Q4') = '2025-03-31': a quarter as the other commands
 * take it, so --param p=2024-25Q4 can be written WHERE period = period(:p). */
static void sql_period(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    char canon[11];
    liia_error e;
    liia_error_clear(&e);
    if (!text) {
        sqlite3_result_null(cx);
    } else if (liia_period_parse(text, canon, &e)) {
        ((qctx *)sqlite3_user_data(cx))->bad_argument = 1;
        char msg[1024];
        snprintf(msg, sizeof msg, "period(): %s; %s", e.message, e.fix);
        sqlite3_result_error(cx, msg, -1);
    } else {
        sqlite3_result_text(cx, canon, -1, SQLITE_TRANSIENT);
    }
}

/* la('Camden') = 'E09000007': an authority by any form the CLI accepts. */
static void sql_la(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    qctx *q = sqlite3_user_data(cx);
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    char gss[10];
    liia_error e;
    liia_error_clear(&e);
    if (!text) {
        sqlite3_result_null(cx);
        return;
    }
    q->internal = 1;
    int rc = liia_authority_resolve(sqlite3_context_db_handle(cx), text, gss, &e);
    q->internal = 0;
    if (rc) {
        q->bad_argument = 1;
        char msg[1024];
        snprintf(msg, sizeof msg, "la(): %s; %s", e.message, e.fix);
        sqlite3_result_error(cx, msg, -1);
    } else {
        sqlite3_result_text(cx, gss, -1, SQLITE_TRANSIENT);
    }
}

static int register_normalisers(sqlite3 *db, qctx *q, liia_error *e)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "period", 1, flags, q, sql_period, NULL, NULL) ||
        sqlite3_create_function(db, "la", 1, flags, q, sql_la, NULL, NULL))
        return liia_db_fail(e, db, "registering period() and la()");
    return 0;
}

int liia_engine_query_db(sqlite3 *db, const char *sql,
                         const liia_query_opts *opts, FILE *out, liia_error *e)
{
    qctx q;
    int rc;
    memset(&q, 0, sizeof q);
    q.opts = opts;
    q.sql = sql;
    if (clock_gettime(CLOCK_MONOTONIC, &q.deadline) != 0)
        return liia_fail(e, LIIA_E_IO, "cannot read the clock");
    q.deadline.tv_sec += opts->timeout_ms / 1000;
    q.deadline.tv_nsec += (long)(opts->timeout_ms % 1000) * 1000000L;
    if (q.deadline.tv_nsec >= 1000000000L) {
        q.deadline.tv_sec++;
        q.deadline.tv_nsec -= 1000000000L;
    }
    liia_buf_init(&q.stored);
    if (liia_engine_register_functions(db, e) || register_normalisers(db, &q, e) ||
        load_stored(db, &q, e) ||
        (opts->format == LIIA_QUERY_TABLE && qo_decimals_load(db, &q.dec, e))) {
        liia_buf_free(&q.stored);
        return -1;
    }
    if (sqlite3_set_authorizer(db, authorizer, &q) != SQLITE_OK) {
        liia_buf_free(&q.stored);
        return liia_db_fail(e, db, "installing the query authorizer");
    }
    /* Memory is bounded as well as time: one randomblob() can ask for
     * gigabytes in a single step, between two calls of the progress
     * handler.  The heap limit is process-wide, so the old one is put back. */
    int old_length = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, LIIA_QUERY_MAX_LENGTH);
    sqlite3_int64 old_heap = sqlite3_hard_heap_limit64(-1);
    if (old_heap == 0 || old_heap > LIIA_QUERY_HEAP_LIMIT)
        (void)sqlite3_hard_heap_limit64(LIIA_QUERY_HEAP_LIMIT);
    sqlite3_progress_handler(db, 1000, progress, &q);
    rc = run(db, sql, opts, &q, out, e);
    sqlite3_progress_handler(db, 0, NULL, NULL);
    (void)sqlite3_hard_heap_limit64(old_heap);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, old_length);
    sqlite3_set_authorizer(db, NULL, NULL);
    liia_buf_free(&q.stored);
    return rc;
}

int liia_engine_query(const char *db_path, const char *sql,
                      const liia_query_opts *opts, FILE *out, liia_error *e)
{
    sqlite3 *db = NULL;
    int rc;
    if (liia_store_open(db_path, LIIA_STORE_READONLY, &db, e))
        return -1;
    /* A lock held by a writer is waited on for the query's time, not the
     * store's usual minute. */
    if (opts->timeout_ms > 0 && sqlite3_busy_timeout(db, opts->timeout_ms) != SQLITE_OK) {
        liia_store_close(db);
        return liia_db_fail(e, db, "setting the busy timeout");
    }
    rc = liia_db_exec(db, "PRAGMA query_only = 1", e);
    if (rc == 0)
        rc = liia_engine_query_db(db, sql, opts, out, e);
    liia_store_close(db);
    return rc;
}
