/*
 * quarterly.c - the quarterly return through the pipeline: stream the file
 * row by row (memory is the measure catalogue, not the file), check every
 * cell, then the consistency rules (ops.open); its values are all the
 * lifecycle stages (ops.stage, in ingest.c's one transaction).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "quarterly_internal.h"

/* Beyond this a file is plainly not a quarterly return; the counts go on
 * so the summary stays true. */
#define Q_MAX_FINDINGS 1000

struct q_run {
    const struct q_schema *s;
    sqlite3 *db;
    const liia_ingest_options *o;
    liia_ingest_result *r;
    const struct ingest_job *job;
    const char *file;
    int field_of[Q_MAX_COLS];       /* schema column -> field index, -1 */
    int col_of_role[QR_NOTE + 1];   /* role -> schema column, -1 */
    size_t nfields;
    size_t nused;                   /* header fields up to the last named one */
    size_t empty_rows;              /* rows of empty cells (Excel leftovers) */
    int header_ok;                  /* every required column present */
    char la_text[64], period_text[32];
    long la_line, period_line;
    int two_la, two_periods;
    /* the last unusable authority/period: said once, not on every row */
    char bad_la[64], bad_period[32];
    struct q_values cur;
    char **notes;
    liia_error *fatal;              /* set when the run must stop */
};

/* One structural finding; placeholders {value} {column} {expected}
 * {first_line} {measure} ({name}: the same) of the check's message and fix are filled from
 * the arguments of the same names. */
static int report_m(struct q_run *q, enum q_check c, long line, long col,
                    const char *column, const char *value, const char *expected,
                    const char *first_line, const char *measure)
{
    liia_findings *f = &q->r->findings;
    if (f->count >= Q_MAX_FINDINGS) {
        if (q->s->checks[c].severity == LIIA_SEV_ERROR)
            f->errors++;
        else if (q->s->checks[c].severity == LIIA_SEV_WARNING)
            f->warnings++;
        return 0;
    }
    const char *keys[] = {"value", "column", "expected", "first_line", "measure", "name"};
    const char *vals[] = {value ? value : "", column ? column : "",
                          expected ? expected : "", first_line ? first_line : "",
                          measure ? measure : "", measure ? measure : ""};
    if (q_report(f, &q->s->checks[c], q->file, line, col, column, value, keys, vals, 6))
        return liia_fail(q->fatal, LIIA_E_NOMEM, "out of memory");
    return 0;
}

static int report(struct q_run *q, enum q_check c, long line, long col,
                  const char *column, const char *value, const char *expected,
                  const char *first_line)
{
    return report_m(q, c, line, col, column, value, expected, first_line, NULL);
}

/* A cell of the current record by role: trimmed, or NULL if no column. */
static int cell(const struct q_run *q, const liia_csv_record *rec, enum q_role role,
                const char **s, size_t *len, long *col)
{
    int c = q->col_of_role[role];
    if (c < 0 || q->field_of[c] < 0)
        return 0;
    *s = rec->fields[q->field_of[c]];
    *len = rec->lengths[q->field_of[c]];
    *col = q->field_of[c] + 1;
    q_trim(s, len);
    return 1;
}

static int unreadable(struct q_run *q, const liia_error *why);

static int blank_field(const char *s, size_t len)
{
    q_trim(&s, &len);
    return len == 0;
}

/* Fields from..nfields all empty: what Excel leaves in cleared cells. */
static int blank_from(const liia_csv_record *rec, size_t from)
{
    for (size_t i = from; i < rec->nfields; i++)
        if (!blank_field(rec->fields[i], rec->lengths[i]))
            return 0;
    return 1;
}

/* Why a first row that names none of our columns is not a header: another
 * delimiter, another return's table, or data with its header missing.
 * One finding for the whole row, not one "unknown column" per field. */
static void foreign_header(const struct q_run *q, const liia_csv_record *rec,
                           liia_error *why)
{
    const char *only = rec->nfields == 1 ? rec->fields[0] : "";
    const char *sep = strchr(only, ';') ? "semicolons (;)"
                      : strchr(only, '\t') ? "tabs" : NULL;
    if (sep) {
        snprintf(why->message, sizeof why->message,
                 "the fields are separated by %s, not commas", sep);
        liia_error_fix(why, "in Excel use File > Save As > \"CSV UTF-8 (Comma "
                            "delimited)\"; the header row must be %s",
                       q->s->expected_header);
        return;
    }
    liia_signature sig = {.format = "csv", .nnames = rec->nfields,
                          .names = (char **)rec->fields};
    const liia_return_info *other = q->job->recognise_other(&ingest_quarterly_ops, &sig);
    if (other) {
        snprintf(why->message, sizeof why->message,
                 "this is a table of the %s return (%s), not the quarterly return",
                 other->title, other->id);
        /* read on the command line and on the portal: both words */
        liia_error_fix(why, "send it as the %s return (--return %s; on the portal, "
                            "the return list) with its other tables, or send the "
                            "quarterly return file instead", other->title, other->id);
        return;
    }
    snprintf(why->message, sizeof why->message,
             "the first row is not the header row %s", q->s->expected_header);
    liia_error_fix(why, "add the header row %s as the first line, or check that "
                        "this is the quarterly return file", q->s->expected_header);
}

static int header(struct q_run *q, const liia_csv_record *rec)
{
    q->nfields = q->nused = rec->nfields;
    /* Excel leaves empty columns after the last used one: not columns. */
    while (q->nused > 1 && blank_field(rec->fields[q->nused - 1], rec->lengths[q->nused - 1]))
        q->nused--;
    int known = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        const char *name = rec->fields[i];
        size_t len = rec->lengths[i];
        q_trim(&name, &len);
        known += q_column_index(q->s, name, len) >= 0 ||
                 q_column_variant(q->s, name, len) >= 0;
    }
    if (!known) {
        liia_error why;
        liia_error_clear(&why);
        why.line = rec->line;
        foreign_header(q, rec, &why);
        return unreadable(q, &why);
    }
    for (size_t i = 0; i < q->nused; i++) {
        const char *name = rec->fields[i];
        size_t len = rec->lengths[i];
        q_trim(&name, &len);
        char shown[128];
        snprintf(shown, sizeof shown, "%.*s", (int)(len < 100 ? len : 100), name);
        int c = q_column_index(q->s, name, len);
        int rc = 0;
        if (c < 0 && (c = q_column_variant(q->s, name, len)) >= 0)
            rc = report(q, QC_COLUMN_VARIANT, rec->line, (long)i + 1, NULL, shown,
                        q->s->cols[c].name, q->s->expected_header);
        if (rc)
            return -1;
        if (c < 0)
            rc = report(q, QC_UNKNOWN_COLUMN, rec->line, (long)i + 1, NULL, shown,
                        q->s->expected_header, NULL);
        else if (q->field_of[c] >= 0)
            rc = report(q, QC_DUPLICATE_COLUMN, rec->line, (long)i + 1, NULL, shown, NULL, NULL);
        else
            q->field_of[c] = (int)i;
        if (rc)
            return -1;
    }
    q->header_ok = 1;
    for (size_t c = 0; c < q->s->ncols; c++) {
        if (q->field_of[c] >= 0 || q->s->cols[c].optional_column)
            continue;
        q->header_ok = 0;
        if (report_m(q, QC_MISSING_COLUMN, rec->line, 0, NULL, NULL,
                     q->s->expected_header, NULL, q->s->cols[c].name))
            return -1;
    }
    return 0;
}

static void text_of(char *out, size_t sz, const char *s, size_t len)
{
    snprintf(out, sz, "%.*s", (int)(len < sz - 1 ? len : sz - 1), s);
}

/* Authority and period: both must be the same on every row. */
static int check_authority(struct q_run *q, const liia_csv_record *rec)
{
    const char *s;
    size_t len;
    long col;
    char text[64], gss[10], first[24];
    if (!cell(q, rec, QR_AUTHORITY, &s, &len, &col))
        return 0;
    text_of(text, sizeof text, s, len);
    if (!len)
        return report(q, QC_BLANK_REQUIRED, rec->line, col, "la_code", "", NULL, NULL);
    if ((q->la_line && !strcasecmp(text, q->la_text)) || !strcmp(text, q->bad_la))
        return 0;
    liia_error ignored;
    liia_error_clear(&ignored);
    if (liia_authority_resolve(q->db, text, gss, &ignored)) {
        if (ignored.status != LIIA_E_USAGE) /* usage = not an authority */
            return liia_fail(q->fatal, ignored.status, "%s", ignored.message);
        liia_strlcpy(q->bad_la, text, sizeof q->bad_la);
        return report(q, QC_UNKNOWN_AUTHORITY, rec->line, col, "la_code", text, NULL, NULL);
    }
    if (!q->la_line) {
        q->la_line = rec->line;
        liia_strlcpy(q->la_text, text, sizeof q->la_text);
        liia_strlcpy(q->r->la_code, gss, sizeof q->r->la_code);
        return 0;
    }
    if (!strcmp(gss, q->r->la_code) || q->two_la)
        return 0;
    q->two_la = 1;
    snprintf(first, sizeof first, "%ld", q->la_line);
    return report(q, QC_TWO_AUTHORITIES, rec->line, col, "la_code", text, q->la_text, first);
}

static int check_period(struct q_run *q, const liia_csv_record *rec)
{
    const char *s;
    size_t len;
    long col;
    char text[32], canon[11], first[24];
    if (!cell(q, rec, QR_PERIOD, &s, &len, &col))
        return 0;
    text_of(text, sizeof text, s, len);
    if (!len)
        return report(q, QC_BLANK_REQUIRED, rec->line, col, "period", "", NULL, NULL);
    if (!strcmp(text, q->bad_period))
        return 0;
    liia_error ignored;
    liia_error_clear(&ignored);
    char why[96];
    int parsed = liia_period_parse(text, canon, &ignored) == 0;
    /* a real quarter end, but too early or too far ahead: its own message */
    if (liia_period_out_of_range(parsed ? canon : text, q->o->today, why, sizeof why)) {
        liia_strlcpy(q->bad_period, text, sizeof q->bad_period);
        return report(q, QC_PERIOD_RANGE, rec->line, col, "period", text, why, NULL);
    }
    if (!parsed) {
        liia_strlcpy(q->bad_period, text, sizeof q->bad_period);
        return report(q, QC_BAD_PERIOD, rec->line, col, "period", text, NULL, NULL);
    }
    if (!q->period_line) {
        q->period_line = rec->line;
        liia_strlcpy(q->period_text, text, sizeof q->period_text);
        liia_strlcpy(q->r->period, canon, sizeof q->r->period);
        return 0;
    }
    if (!strcmp(canon, q->r->period) || q->two_periods)
        return 0;
    q->two_periods = 1;
    snprintf(first, sizeof first, "%ld", q->period_line);
    return report(q, QC_TWO_PERIODS, rec->line, col, "period", text, q->period_text, first);
}

/* The value of measure m on this row, by the measure's unit. */
static int check_value(struct q_run *q, const liia_csv_record *rec, int m)
{
    const struct q_measure *qm = &q->s->measures[m];
    const char *s;
    size_t len;
    long col;
    char text[128], dp[8];
    if (!cell(q, rec, QR_VALUE, &s, &len, &col))
        return 0;
    text_of(text, sizeof text, s, len);
    if (!len)
        return report_m(q, QC_NOT_SUPPLIED, rec->line, col, "value", "", NULL, NULL, qm->id);
    if (q_suppression_mark(s, len))
        return report(q, QC_SUPPRESSED_VALUE, rec->line, col, "value", text, NULL, NULL);
    double v;
    snprintf(dp, sizeof dp, "%d", qm->max_dp);
    switch (q_parse_number(s, len, qm->max_dp, qm->min, &v)) {
    case QP_OK:
        q->cur.v[m] = v;
        q->cur.has[m] = 1;
        return 0;
    case QP_NEGATIVE:
        return report(q, QC_NEGATIVE_VALUE, rec->line, col, "value", text, NULL, NULL);
    case QP_TOO_MANY_DP:
        return report(q, QC_TOO_MANY_DECIMALS, rec->line, col, "value", text, dp, NULL);
    case QP_TOO_LARGE:
        return report(q, QC_VALUE_TOO_LARGE, rec->line, col, "value", text, NULL, NULL);
    case QP_MALFORMED:
        break;
    }
    return report(q, QC_MALFORMED_VALUE, rec->line, col, "value", text,
                  qm->max_dp ? "a number (FTE, at most 2 decimal places)"
                             : "a whole number", NULL);
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int keep_note(struct q_run *q, const liia_csv_record *rec, int m)
{
    const char *s;
    size_t len;
    long col;
    if (!cell(q, rec, QR_NOTE, &s, &len, &col) || !len)
        return 0;
    int max = q->s->cols[q->col_of_role[QR_NOTE]].max_length;
    if (max > 0 && utf8_chars(s, len) > (size_t)max) {
        char lim[16], text[64];
        snprintf(lim, sizeof lim, "%d", max);
        text_of(text, sizeof text, s, len);
        return report(q, QC_TOO_LONG, rec->line, col, "note", text, lim, NULL);
    }
    free(q->notes[m]);
    if (!(q->notes[m] = strndup(s, len)))
        return liia_fail(q->fatal, LIIA_E_NOMEM, "out of memory");
    return 0;
}

/* Unknown measure, with the nearest id in the catalogue when one is close. */
static int unknown_measure(struct q_run *q, const liia_csv_record *rec, long col,
                           const char *text)
{
    int near = q_measure_nearest(q->s, text, strlen(text));
    char hint[160] = "";
    if (near >= 0)
        snprintf(hint, sizeof hint, "; did you mean %s?", q->s->measures[near].id);
    const char *keys[] = {"value", "suggestion"};
    const char *vals[] = {text, hint};
    if (q_report(&q->r->findings, &q->s->checks[QC_UNKNOWN_MEASURE], q->file, rec->line,
                 col, "measure", text, keys, vals, 2))
        return liia_fail(q->fatal, LIIA_E_NOMEM, "out of memory");
    return 0;
}

static int check_measure(struct q_run *q, const liia_csv_record *rec)
{
    const char *s;
    size_t len;
    long col;
    char text[128], first[24];
    if (!cell(q, rec, QR_KEY, &s, &len, &col))
        return 0;
    text_of(text, sizeof text, s, len);
    if (!len)
        return report(q, QC_BLANK_REQUIRED, rec->line, col, "measure", "", NULL, NULL);
    int m = q_measure_index(q->s, s, len);
    if (m < 0 && (m = q_measure_variant(q->s, s, len)) >= 0 &&
        report(q, QC_MEASURE_VARIANT, rec->line, col, "measure", text,
               q->s->measures[m].id, NULL))
        return -1;
    if (m < 0)
        return unknown_measure(q, rec, col, text);
    if (q->cur.line[m]) {
        snprintf(first, sizeof first, "%ld", q->cur.line[m]);
        return report(q, QC_DUPLICATE_MEASURE, rec->line, col, "measure", text, NULL, first);
    }
    q->cur.line[m] = rec->line;
    return check_value(q, rec, m) || keep_note(q, rec, m);
}

static int on_record(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    struct q_run *q = ctx;
    (void)e;
    if (rec->record_no == 1)
        return header(q, rec);
    if (!q->header_ok)
        return 1; /* rows cannot be read without their columns */
    if (rec->nfields == 1 && rec->lengths[0] == 0)
        return 0; /* a blank line */
    if (blank_from(rec, 0)) {
        q->empty_rows++; /* a cleared row: ",,,," */
        return 0;
    }
    q->r->rows++;
    /* Cells past the last named column may be missing or empty. */
    if (rec->nfields != q->nfields &&
        !(q->nused < q->nfields && rec->nfields >= q->nused && blank_from(rec, q->nused))) {
        char got[24], want[24];
        snprintf(got, sizeof got, "%zu", rec->nfields);
        snprintf(want, sizeof want, "%zu", q->nfields);
        return report(q, QC_RAGGED_ROW, rec->line, 0, NULL, got, want, NULL);
    }
    return check_authority(q, rec) || check_period(q, rec) || check_measure(q, rec) ? -1 : 0;
}

/* The reader stopped on the file itself (not UTF-8, a spreadsheet, broken
 * quoting): a finding for the data lead, not a crash for the operator. */
static int unreadable(struct q_run *q, const liia_error *why)
{
    const char *keys[] = {"reason", "how"};
    const char *vals[] = {why->message, why->fix};
    if (q_report(&q->r->findings, &q->s->checks[QC_UNREADABLE], q->file, why->line,
                 why->column, NULL, NULL, keys, vals, 2))
        return liia_fail(q->fatal, LIIA_E_NOMEM, "out of memory");
    return 0;
}

/* One note for all of Excel's leftovers, so they are neither errors nor
 * silently dropped. */
static int leftovers(struct q_run *q)
{
    size_t cols = q->nfields - q->nused, rows = q->empty_rows;
    if (!cols && !rows)
        return 0;
    char c[64] = "", r[64] = "", what[140];
    if (cols)
        snprintf(c, sizeof c, "%zu empty column%s after the last named one", cols,
                 cols == 1 ? "" : "s");
    if (rows)
        snprintf(r, sizeof r, "%zu row%s with every cell empty", rows, rows == 1 ? "" : "s");
    snprintf(what, sizeof what, "%s%s%s", c, cols && rows ? " and " : "", r);
    return report(q, QC_IGNORED_EMPTY, 0, 0, NULL, NULL, what, NULL);
}

static int read_file(struct q_run *q, liia_error *e)
{
    liia_csv_info info = {0};
    liia_error why;
    liia_error_clear(&why);
    q->fatal = &why;
    int rc = liia_csv_read_file(q->file, LIIA_CSV_CONVERT_CP1252, on_record, q, &info, &why);
    q->fatal = e;
    if (rc && (why.status != LIIA_E_DATA || strcmp(why.rule_id, "CSV"))) {
        *e = why;
        return -1;
    }
    if (rc)
        return unreadable(q, &why);
    if (info.converted_cp1252 && report(q, QC_CONVERTED_CP1252, 0, 0, NULL, NULL, NULL, NULL))
        return -1;
    if (info.records == 0)
        return report(q, QC_EMPTY_FILE, 0, 0, NULL, NULL, NULL, NULL);
    if (leftovers(q))
        return -1;
    if (q->header_ok && q->r->rows == 0)
        return report(q, QC_NO_ROWS, 1, 0, NULL, NULL, NULL, NULL);
    return 0;
}

/* --la and --period, resolved before the file is read. */
static int resolve_wanted(struct q_run *q, char la[10], char period[11], liia_error *e)
{
    la[0] = period[0] = '\0';
    if (q->o->la && liia_authority_resolve(q->db, q->o->la, la, e)) {
        if (e->status == LIIA_E_DATA)
            e->status = LIIA_E_USAGE;
        return -1;
    }
    if (q->o->period && liia_period_parse(q->o->period, period, e)) {
        e->status = LIIA_E_USAGE;
        return -1;
    }
    return 0;
}

/* "Q3 2024-25 (Oct-Dec 2024)"-style names of the file's quarter and the
 * one --period gave, and how far apart they are ("one quarter before"),
 * so a data lead who picked last quarter's file sees it at once. */
static int period_mismatch(struct q_run *q, long col, const char *want)
{
    const char *got = q->r->period;
    char file_q[64], want_q[64], offset[48];
    liia_period_label(got, file_q, sizeof file_q);
    liia_period_label(want, want_q, sizeof want_q);
    int months = (atoi(want) - atoi(got)) * 12 + (atoi(want + 5) - atoi(got + 5));
    int n = (months < 0 ? -months : months) / 3;
    if (n != 1)
        snprintf(offset, sizeof offset, "%d quarters %s", n, months > 0 ? "before" : "after");
    else
        snprintf(offset, sizeof offset, "one quarter %s", months > 0 ? "before" : "after");
    const char *keys[] = {"value", "expected", "file_quarter", "wanted_quarter", "offset"};
    const char *vals[] = {got, want, file_q, want_q, offset};
    if (q_report(&q->r->findings, &q->s->checks[QC_PERIOD_MISMATCH], q->file, q->period_line,
                 col, "period", got, keys, vals, 5))
        return liia_fail(q->fatal, LIIA_E_NOMEM, "out of memory");
    return 0;
}

static int check_wanted(struct q_run *q, const char *la, const char *period)
{
    long col = q->col_of_role[QR_AUTHORITY] >= 0 ? q->field_of[q->col_of_role[QR_AUTHORITY]] + 1 : 0;
    if (la[0] && q->la_line && strcmp(la, q->r->la_code) &&
        report(q, QC_AUTHORITY_MISMATCH, q->la_line, col, "la_code", q->la_text, q->o->la, NULL))
        return -1;
    col = q->col_of_role[QR_PERIOD] >= 0 ? q->field_of[q->col_of_role[QR_PERIOD]] + 1 : 0;
    if (period[0] && q->period_line && strcmp(period, q->r->period))
        return period_mismatch(q, col, period);
    return 0;
}

static int not_supplied(struct q_run *q)
{
    if (!q->header_ok || q->r->rows == 0)
        return 0;
    for (size_t m = 0; m < q->s->nmeasures; m++)
        if (!q->cur.line[m] &&
            report_m(q, QC_NOT_SUPPLIED, 0, 0, NULL, NULL, NULL, NULL, q->s->measures[m].id))
            return -1;
    return 0;
}

/* The previous quarter's accepted values, for change and stock-flow rules. */
static int load_previous(struct q_run *q, struct q_values *prev, const char *prev_period,
                         liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(q->db, "SELECT v.measure, v.value FROM submission s JOIN "
                        "submission_value v ON v.submission_id = s.id WHERE "
                        "s.la_code = ?1 AND s.period = ?2 AND s.return_type = ?3 "
                        "AND s.status = 'accepted' AND v.value IS NOT NULL", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, q->r->la_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, prev_period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, q->r->return_type, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int m = q_measure_index(q->s, id, strlen(id));
        if (m >= 0) {
            prev->v[m] = sqlite3_column_double(st, 1);
            prev->has[m] = 1;
        }
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, q->db, "reading the previous quarter");
    return 0;
}

static int run_rules(struct q_run *q, liia_error *e)
{
    struct q_values prev = {0};
    char prev_period[11] = "";
    int have_prev = q->la_line && q->period_line && !q->two_la && !q->two_periods;
    if (have_prev) {
        liia_period_shift(q->r->period, 1, prev_period);
        if (q_values_alloc(&prev, q->s->nmeasures))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        if (load_previous(q, &prev, prev_period, e)) {
            q_values_free(&prev);
            return -1;
        }
    }
    long vcol = q->col_of_role[QR_VALUE] >= 0 ? q->field_of[q->col_of_role[QR_VALUE]] + 1 : 0;
    struct q_sink sink = {&q->r->findings, q->file, vcol};
    int rc = q_rules_check(q->s, &q->cur, have_prev ? &prev : NULL, prev_period, &sink);
    q_values_free(&prev);
    return rc ? liia_fail(e, LIIA_E_NOMEM, "out of memory") : 0;
}

static int insert_values(struct q_run *q, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(q->db, "INSERT INTO submission_value (submission_id, measure, "
                        "value, note, line) VALUES (?1, ?2, ?3, ?4, ?5)", &st, e))
        return -1;
    int rc = SQLITE_DONE;
    for (size_t m = 0; m < q->s->nmeasures && rc == SQLITE_DONE; m++) {
        if (!q->cur.line[m])
            continue;
        sqlite3_bind_int64(st, 1, q->r->submission_id);
        sqlite3_bind_text(st, 2, q->s->measures[m].id, -1, SQLITE_STATIC);
        if (q->cur.has[m])
            sqlite3_bind_double(st, 3, q->cur.v[m]);
        else
            sqlite3_bind_null(st, 3);
        sqlite3_bind_text(st, 4, q->notes[m], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, q->cur.line[m]);
        rc = sqlite3_step(st);
        if (sqlite3_reset(st) != SQLITE_OK && rc == SQLITE_DONE)
            rc = SQLITE_ERROR;
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, q->db, "storing the values");
    return 0;
}

static int map_columns(struct q_run *q, liia_error *e)
{
    for (size_t c = 0; c < Q_MAX_COLS; c++)
        q->field_of[c] = -1;
    for (size_t r = 0; r <= QR_NOTE; r++)
        q->col_of_role[r] = -1;
    for (size_t c = 0; c < q->s->ncols; c++)
        q->col_of_role[q->s->cols[c].role] = (int)c;
    if (q->col_of_role[QR_AUTHORITY] < 0 || q->col_of_role[QR_PERIOD] < 0 ||
        q->col_of_role[QR_KEY] < 0 || q->col_of_role[QR_VALUE] < 0) {
        liia_error_fix(e, "give quarterly.json columns with roles authority, "
                          "period, key and value");
        return liia_fail(e, LIIA_E_SCHEMA, "quarterly.json: a column role is missing");
    }
    return 0;
}

/* Everything up to the verdict, the store only read. */
static int judge(struct q_run *q, liia_error *e)
{
    char la[10], period[11];
    if (resolve_wanted(q, la, period, e) || read_file(q, e) || check_wanted(q, la, period) ||
        not_supplied(q) || run_rules(q, e))
        return -1;
    /* A rejected file is still filed under the authority and quarter it
     * was sent for, so history shows the attempt. */
    if (!q->r->la_code[0])
        liia_strlcpy(q->r->la_code, la, sizeof q->r->la_code);
    if (!q->r->period[0])
        liia_strlcpy(q->r->period, period, sizeof q->r->period);
    return 0;
}

struct q_state {
    struct q_schema s;
    struct q_run q;
};

static void quarterly_close(void *state)
{
    struct q_state *st = state;
    if (!st)
        return;
    for (size_t m = 0; st->q.notes && m < st->s.nmeasures; m++)
        free(st->q.notes[m]);
    free(st->q.notes);
    q_values_free(&st->q.cur);
    q_schema_free(&st->s);
    free(st);
}

/* The whole file is judged here: staging only writes its values. */
static int quarterly_open(struct ingest_job *job, void **state, liia_error *e)
{
    if (job->nfiles != 1)
        return liia_fail(e, LIIA_E_USAGE, "a quarterly return is one file");
    struct q_state *st = calloc(1, sizeof *st);
    if (!st)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    *state = st;
    if (q_schema_load(job->o->schema_dir, &st->s, e))
        return -1;
    struct q_run *q = &st->q;
    *q = (struct q_run){.s = &st->s, .db = job->db, .o = job->o, .r = job->r,
                        .job = job, .file = job->files[0], .fatal = e};
    if (map_columns(q, e))
        return -1;
    if (q_values_alloc(&q->cur, st->s.nmeasures) ||
        !(q->notes = calloc(st->s.nmeasures, sizeof *q->notes)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return judge(q, e);
}

static int quarterly_stage(void *state, struct ingest_job *job, liia_error *e)
{
    struct q_state *st = state;
    st->q.db = job->db;
    return insert_values(&st->q, e);
}

/* A header naming any of the schema's "recognise" columns is ours, so a
 * file with one misspelt column is still judged (and told) as quarterly. */
static int quarterly_recognise(const liia_signature *sig)
{
    const char *const *fields = (const char *const *)sig->names;
    size_t nfields = strcmp(sig->format, "csv") ? 0 : sig->nnames;
    struct q_schema s;
    liia_error ignored;
    liia_error_clear(&ignored);
    if (q_schema_load(NULL, &s, &ignored))
        return 0;
    int found = 0;
    for (size_t i = 0; i < nfields && !found; i++) {
        const char *f = fields[i];
        size_t len = strlen(f);
        q_trim(&f, &len);
        for (size_t k = 0; k < s.nrecognise && !found; k++)
            found = len == strlen(s.recognise[k]) && !strncasecmp(f, s.recognise[k], len);
    }
    q_schema_free(&s);
    return found;
}

const struct liia_return_ops ingest_quarterly_ops = {
    .info = {"quarterly", "Quarterly benchmarking return", "quarterly.json", 1, 1},
    .recognise = quarterly_recognise,
    .open = quarterly_open,
    .stage = quarterly_stage,
    .close = quarterly_close,
};
