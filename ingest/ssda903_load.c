/*
 * ssda903_load.c - recognising a table by its header row and streaming its
 * rows into the store: every cell checked, every row rule evaluated on the
 * values as received, identifiers pseudonymised before anything is bound
 * to a statement.  One prepared INSERT per table, rows bound and reset.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest_internal.h"
#include "reader.h"
#include "ssda903_child.h"
#include "ssda903_identity.h"
#include "ssda903_load.h"
#include "ssda903_upn.h"
#include "ssda903_writer.h"

/* ------------------------------------------------------------ identify */

/* The field names a file's reader declares (CSV: its header row). */
struct header_row {
    char **names;
    size_t n;
};

static int by_name(const void *a, const void *b)
{
    return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* A name given twice (any case) in *dup, NULL if none: a second DECOM
 * column would leave it to chance which one is read.  Sorted, not
 * compared pairwise: a hostile header may have a million fields. */
static int duplicate_name(const struct header_row *h, const char **dup)
{
    *dup = NULL;
    if (h->n < 2) /* an empty file has no header names at all (names NULL) */
        return 0;
    char **sorted = malloc(h->n * sizeof *sorted);
    if (!sorted)
        return -1;
    memcpy(sorted, h->names, h->n * sizeof *sorted);
    qsort(sorted, h->n, sizeof *sorted, by_name);
    for (size_t i = 1; i < h->n && !*dup; i++)
        if (sorted[i][0] && !strcasecmp(sorted[i], sorted[i - 1]))
            *dup = sorted[i];
    free(sorted);
    return 0;
}

static int field_of(const struct header_row *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (!strcasecmp(h->names[i], name))
            return (int)i;
    return -1;
}

/* The table whose columns the header covers best (share of its columns,
 * then count); CHILD alone does not identify a table. */
static int best_table(const struct s903_schema *s, const struct header_row *h)
{
    int best = -1;
    double best_share = 0;
    size_t best_count = 0;
    for (size_t t = 0; t < s->ntables; t++) {
        size_t count = 0;
        for (size_t c = 0; c < s->tables[t].ncols; c++)
            count += field_of(h, s->tables[t].cols[c].name) >= 0;
        double share = (double)count / (double)s->tables[t].ncols;
        if (count >= 2 && (share > best_share ||
                           (share == best_share && count > best_count))) {
            best = (int)t;
            best_share = share;
            best_count = count;
        }
    }
    return best;
}

static int reject(struct s903_run *run, const char *file, const char *table,
                  const char *column, const char *rule, const char *fix,
                  const char *msg)
{
    if (s903_add_finding(run, LIIA_SEV_ERROR, file, table, column ? 1 : 0,
                         0, column, NULL, 0, rule, fix, "%s", msg))
        return -1;
    return 1;
}

/* The file's signature through its reader: the names it declares. */
static int read_names(const char *path, liia_signature *sig, liia_error *e)
{
    liia_reader *r = liia_reader_open(path, e);
    if (!r)
        return -1;
    int rc = r->ops->signature(r, sig, e);
    liia_reader_free(r);
    return rc;
}

int s903_identify(struct s903_run *run, struct s903_input *in, liia_error *e)
{
    liia_signature sig = {0};
    liia_error ce;
    liia_error_clear(&ce);
    in->table = -1;
    if (read_names(in->path, &sig, &ce)) {
        liia_signature_free(&sig);
        if (ce.status == LIIA_E_NOMEM)
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        ce.severity = LIIA_SEV_ERROR;
        liia_strlcpy(ce.rule_id, "LIIA-903-FILE", sizeof ce.rule_id);
        int take = ingest_tally(run->counts, run->findings, "LIIA-903-FILE",
                                LIIA_SEV_ERROR);
        if (take < 0 || (take && liia_findings_add(run->findings, &ce)))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        return 1;
    }
    struct header_row h = {sig.names, sig.nnames};
    int t = best_table(run->s, &h);
    int rc = 0;
    const char *dup;
    if (duplicate_name(&h, &dup)) {
        liia_signature_free(&sig);
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    }
    if (dup) {
        char msg[160];
        snprintf(msg, sizeof msg, "column '%.60s' appears more than once in the header row",
                 dup);
        rc = reject(run, in->path, t >= 0 ? run->s->tables[t].name : NULL, dup,
                    "LIIA-903-COLUMN", "keep one column of each name", msg);
    } else if (t < 0) {
        char names[400] = "";
        for (size_t k = 0; k < run->s->ntables; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     k ? ", " : "", run->s->tables[k].name);
        char msg[480];
        snprintf(msg, sizeof msg, "cannot tell which SSDA903 table this file is: its "
                 "header row matches none of %s", names);
        rc = reject(run, in->path, NULL, NULL, "LIIA-903-TABLE",
                    "give each SSDA903 table as its own CSV file with its DfE header row",
                    msg);
    } else {
        const struct s903_table *tab = &run->s->tables[t];
        in->table = t;
        in->nfields = h.n;
        free(in->map);
        if (!(in->map = calloc(tab->ncols, sizeof *in->map))) {
            liia_signature_free(&sig);
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        }
        for (size_t c = 0; c < tab->ncols && rc == 0; c++) {
            in->map[c] = field_of(&h, tab->cols[c].name);
            if (in->map[c] < 0 && !tab->cols[c].optional_column) {
                char msg[160];
                snprintf(msg, sizeof msg, "the %s table has no %s column",
                         tab->name, tab->cols[c].name);
                rc = reject(run, in->path, tab->name, tab->cols[c].name,
                            "LIIA-903-COLUMN",
                            "export the table with every column of the DfE layout",
                            msg);
            }
        }
    }
    liia_signature_free(&sig);
    return rc;
}

/* ------------------------------------------------------------ loading */

struct s903_rowctx {
    struct s903_run *run;
    struct s903_input *in;
    const struct s903_table *tab;
    sqlite3_stmt *ins, *many;       /* one row; S903_WRITER_MANY rows */
    liia_buf cellbuf, flags;
    /* per column of the part, allocated once per file (row_arrays) */
    size_t *offs;
    struct s903_cell *cells;
    char (*store)[80];              /* pseudonymised values made here */
    int *bind_null;
    const char **val;               /* what is stored: store[c] or the cell */
    size_t *vlen;
    struct s903_cell *stored;       /* store[] as cells */
    const char **pvals;             /* the stored columns, packed */
    size_t *plens;
    int child_col;                  /* the CHILD column, -1 if none */
    int header, episodes, direct, ungrouped;
    liia_buf payload;
    struct s903_writer *writer;
    int part;                       /* its part in a writer of several, -1 */
    long record;                    /* the row's record number ("key": "record") */
    char line[24];                  /* its line as stored then */
};

static int upn_ok(const char *s, size_t n)
{
    if (n == 3 && s[0] == 'U' && s[1] == 'N' && s[2] >= '1' && s[2] <= '5')
        return 1;
    /* DfE 168: a capital letter other than I, O and S (the check letter
     * of a UPN is never one of them), then 12 digits or 11 and a letter. */
    if (n != 13 || s[0] < 'A' || s[0] > 'Z' || s[0] == 'I' || s[0] == 'O' || s[0] == 'S')
        return 0;
    for (size_t i = 1; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return (s[12] >= '0' && s[12] <= '9') || (s[12] >= 'A' && s[12] <= 'Z');
}

static const char *year_label(int y, char buf[16])
{
    snprintf(buf, 16, "%04d-%02d", y - 1, y % 100);
    return buf;
}

static int cell_finding(struct s903_rowctx *x, long line, size_t c, const char *fmt_kind)
{
    const struct s903_col *col = &x->tab->cols[c];
    const struct s903_cell *cell = &x->cells[c];
    if (s903_flag(&x->flags, col->rule))
        return -1;
    int take = ingest_tally(x->run->counts, x->run->findings, col->rule, LIIA_SEV_ERROR);
    if (take <= 0)
        return take;
    char yl[16];
    char fix[256] = "";
    char msg[200];
    if (cell->len == 0) {
        snprintf(msg, sizeof msg, "%s is blank", col->name);
        snprintf(fix, sizeof fix, "%s must be given for every row", col->name);
    } else if (col->type == S903_CODE) {
        snprintf(msg, sizeof msg, "'%.40s' is not a valid %s code for %s", cell->raw,
                 col->name, year_label(x->run->s->year, yl));
        size_t n = 0;
        n += (size_t)snprintf(fix, sizeof fix, "use one of:");
        for (size_t i = 0; i < col->codes.n && n + 8 < sizeof fix; i++)
            n += (size_t)snprintf(fix + n, sizeof fix - n, " %s", col->codes.codes[i]);
    } else {
        snprintf(msg, sizeof msg, "%s is not %s", col->name, fmt_kind);
    }
    if (!fix[0])
        snprintf(fix, sizeof fix, "enter %s as %s", col->name, fmt_kind);
    return s903_list_finding(x->run, LIIA_SEV_ERROR, x->in->path, x->tab->name,
                            line, x->in->map[c] + 1, col->name, cell->raw, cell->len,
                            col->rule, fix, "%s", msg);
}

/* An XML date (schema "dates": "iso"): yyyy-mm-dd, a time zone suffix
 * ignored; with_time, a 'T' and a time may follow instead (not checked). */
static int iso_date(const struct s903_cell *cell, int with_time, char iso[11])
{
    const char *v = cell->raw;
    size_t n = cell->len;
    if (n > 10 && (v[10] == 'Z' || v[10] == '+' || v[10] == '-' || (with_time && v[10] == 'T')))
        n = 10;
    return n == 10 && v[4] == '-' ? s903_parse_date(v, n, iso) : -1;
}

/* The further types of the XML returns: a date and time, a boolean (stored
 * 1 or 0), a whole number of at most 12 digits.  NULL when the cell is
 * valid, else what it should be. */
static const char *check_xml_type(struct s903_rowctx *x, size_t c)
{
    struct s903_cell *cell = &x->cells[c];
    const char *v = cell->raw;
    char iso[11];
    switch (x->tab->cols[c].type) {
    case S903_DATETIME:
        return iso_date(cell, 1, iso) ? "a date and time yyyy-mm-ddThh:mm:ss" : NULL;
    case S903_BOOL:
        if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
            return "true, false, 1 or 0";
        x->store[c][0] = v[0] == 't' || v[0] == '1' ? '1' : '0';
        x->store[c][1] = '\0';
        return NULL;
    case S903_INT:
        return cell->len > 12 || strspn(v, "0123456789") != cell->len ? "a whole number" : NULL;
    default:
        return NULL;
    }
}

/* Checks one cell and computes what will be stored for it. */
static int check_cell(struct s903_rowctx *x, long line, size_t c)
{
    const struct s903_col *col = &x->tab->cols[c];
    struct s903_cell *cell = &x->cells[c];
    x->bind_null[c] = 1;
    cell->ok = 0;
    cell->iso[0] = '\0';
    cell->ymd = 0;
    cell->code = 0;
    /* UPN is dropped: what rules 210, 442, 444 need is noted, not kept */
    if (col->type == S903_UPN && x->run->upn &&
        s903_upn_add(x->run->upn, line, cell->raw, cell->len, upn_ok(cell->raw, cell->len)))
        return -1;
    if (cell->len == 0)
        return col->required && !col->given ? cell_finding(x, line, c, "given") : 0;
    const char *kind = NULL;
    switch (col->type) {
    case S903_CHILD:
        if (liia_pseudo_child(x->run->ps, cell->raw, cell->len, x->store[c]))
            return -1;
        if (!x->episodes && x->run->kids)
            s903_kids_prefetch_slot(x->run->kids, x->store[c]);
        break;
    case S903_CODE:
        if (!(cell->code = s903_codes_index(&col->codes, cell->raw)))
            kind = "a valid code";
        break;
    case S903_DATE:
        if (x->run->s->iso_dates ? iso_date(cell, 0, cell->iso)
                                 : s903_parse_date(cell->raw, cell->len, cell->iso))
            kind = x->run->s->iso_dates ? "a real date yyyy-mm-dd" : "a valid date (dd/mm/yyyy)";
        else if ((cell->ymd = s903_ymd(cell->iso)), col->degrade_month)
            liia_pseudo_month(cell->iso, x->store[c]);
        else
            memcpy(x->store[c], cell->iso, 11);
        break;
    case S903_UPN:
        if (!upn_ok(cell->raw, cell->len) || (col->upn_no_unknown && cell->len != 13))
            kind = col->upn_no_unknown
                       ? "a valid UPN (a letter other than I, O or S and 12 characters)"
                       : "a valid UPN (a letter other than I, O or S and 12 characters, or UN1 to UN5)";
        break;
    case S903_POSTCODE:
        if (liia_pseudo_postcode_sector(cell->raw, x->store[c], sizeof x->store[c]))
            kind = "a valid postcode";
        break;
    case S903_TEXT:
        break;
    case S903_PDATE:
        /* stored as sent; not a date: the rules reading it see no date */
        if (s903_parse_pdate(cell->raw, cell->len, cell->iso))
            cell->iso[0] = '\0';
        break;
    default:
        kind = check_xml_type(x, c);
        break;
    }
    if (kind)
        return col->given ? 0 : cell_finding(x, line, c, kind);
    cell->ok = 1;
    x->bind_null[c] = 0;
    x->val[c] = x->store[c];
    const char *mapped = col->map && cell->code
                             ? json_string_value(json_object_get(col->map, cell->raw)) : NULL;
    if (mapped) {
        liia_strlcpy(x->store[c], mapped, sizeof x->store[c]);
    } else if (col->type == S903_CODE || col->type == S903_TEXT || col->type == S903_DATETIME ||
               col->type == S903_INT || col->type == S903_PDATE) {
        /* The cell itself (NUL-terminated by gather_cells), unless it is
         * longer than a stored value may be. */
        if (cell->len < sizeof x->store[c]) {
            x->val[c] = cell->raw;
            x->vlen[c] = cell->len;
            return 0;
        }
        liia_strlcpy(x->store[c], cell->raw, sizeof x->store[c]);
    }
    /* a pseudonym's and a date's lengths are known (strlen showed) */
    x->vlen[c] = col->type == S903_CHILD ? LIIA_PID_HEX
                 : col->type == S903_DATE ? 10 : strlen(x->store[c]);
    return 0;
}

/* The row's cells, trimmed and NUL-terminated: the reader's own fields
 * where no trailing blank had to go, copies in one buffer otherwise. */
static int gather_cells(struct s903_rowctx *x, const liia_record *rec)
{
    liia_buf_reset(&x->cellbuf);
    for (size_t c = 0; c < x->tab->ncols; c++) {
        int fi = x->in->map[c];
        const char *s = "";
        size_t n = 0;
        if (fi >= 0 && (size_t)fi < rec->nfields) {
            s = rec->values[fi] ? rec->values[fi] : "";
            n = rec->values[fi] ? rec->lengths[fi] : 0;
            while (n && (*s == ' ' || *s == '\t'))
                s++, n--;
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        }
        x->cells[c].len = n;
        x->cells[c].raw = s;
        x->offs[c] = SIZE_MAX;
        if (s[n] == '\0')
            continue;   /* the reader's field, NUL-terminated: no copy */
        x->offs[c] = x->cellbuf.len;
        if (liia_buf_append(&x->cellbuf, s, n) || liia_buf_append(&x->cellbuf, "", 1))
            return -1;
    }
    for (size_t c = 0; c < x->tab->ncols; c++)
        if (x->offs[c] != SIZE_MAX)
            x->cells[c].raw = x->cellbuf.data + x->offs[c];
    return 0;
}

struct row_hit {
    struct s903_rowctx *x;
    long line;
};

/* s903_hit_fn: a row rule the row breaks. */
static int row_rule_hit(void *ctx, const struct s903_rule *r)
{
    struct row_hit *h = ctx;
    struct s903_rowctx *x = h->x;
    const struct s903_cell *cell = &x->cells[r->col];
    return s903_flag(&x->flags, r->code) ||
           s903_add_finding(x->run, r->severity, x->in->path, x->tab->name,
                            h->line, x->in->map[r->col] + 1, x->tab->cols[r->col].name,
                            cell->raw, cell->len, r->code, r->fix, "%s", r->message)
               ? -1 : 0;
}

static int apply_row_rules(struct s903_rowctx *x, long line)
{
    struct s903_rows rows = {.row = {x->cells, NULL, NULL, NULL}, .exists = 0};
    struct row_hit h = {x, line};
    return s903_ruleset_run(x->tab->row_set, &rows, &x->run->dates, row_rule_hit, &h);
}

/* The row as the writer takes it (s903_writer_pack: its stored columns),
 * behind its length and followed by its flags: an episode waits in this
 * form for the rest of its child. */
/* The decimal digits of v >= 0 into out (NUL-terminated); their count.
 * A record's line, as text for its INTEGER column: snprintf's format
 * parsing was a percent of the census's ingest thread. */
static size_t format_line(char out[24], long v)
{
    char tmp[24];
    size_t t = 0, n = 0;
    unsigned long u = v < 0 ? 0 : (unsigned long)v;
    do
        tmp[t++] = (char)('0' + u % 10);
    while (u /= 10);
    while (t)
        out[n++] = tmp[--t];
    out[n] = '\0';
    return n;
}

static int pack_row(struct s903_rowctx *x, long line)
{
    const char **stored = x->pvals;
    size_t *lens = x->plens;
    uint64_t null = 0;
    size_t n = 0;
    if (x->run->s->key_record) {
        /* keyed by the record; its line is the first stored value */
        lens[n] = format_line(x->line, line);
        stored[n++] = x->line;
        line = x->record;
    }
    for (size_t c = 0; c < x->tab->ncols; c++) {
        if (!x->tab->cols[c].store)
            continue;
        null |= (uint64_t)(x->bind_null[c] != 0) << n;
        lens[n] = x->vlen[c];
        stored[n++] = x->val[c];
    }
    uint32_t len = 0;
    liia_buf_reset(&x->payload);
    if (liia_buf_append(&x->payload, &len, sizeof len) ||
        s903_writer_pack(&x->payload, line, null, stored, lens, n))
        return -1;
    len = (uint32_t)(x->payload.len - sizeof len);
    memcpy(x->payload.data, &len, sizeof len);
    return liia_buf_append(&x->payload, x->flags.data, x->flags.len + 1);
}

/* Queues a packed row with the cross-row flags it gathered. */
static int queue_packed(struct s903_rowctx *x, const char *payload, const char *xflags,
                        liia_error *e)
{
    uint32_t len;
    memcpy(&len, payload, sizeof len);
    const char *packed = payload + sizeof len;
    if (x->part >= 0)
        return s903_writer_row_part(x->writer, (uint32_t)x->part, packed, len, packed + len,
                                    xflags, e);
    return s903_writer_row(x->writer, packed, len, packed + len, xflags, e);
}

/* s903_emit_fn: stores an episode whose child is complete. */
static int emit_episode(void *ctx, long line, const char *xflags, const void *payload,
                        size_t len, liia_error *e)
{
    (void)line;
    (void)len;
    return queue_packed(ctx, payload, xflags, e);
}

/* What the child index and the measures see: the values as stored. */
static void stored_cells(struct s903_rowctx *x)
{
    for (size_t c = 0; c < x->tab->ncols; c++) {
        struct s903_cell *cell = &x->stored[c];
        int have = !x->bind_null[c] && x->tab->cols[c].store;
        cell->raw = have ? x->val[c] : "";
        cell->len = have ? x->vlen[c] : 0;
        cell->ok = have;
        cell->month = 0;
        cell->iso[0] = '\0';
        cell->ymd = 0;
        cell->code = have ? x->cells[c].code : 0;
        if (have && x->tab->cols[c].type == S903_DATE) {
            /* the child index, the terms and the child rules read it */
            memcpy(cell->iso, x->val[c], 11);
            cell->ymd = s903_ymd(cell->iso);
        } else if (have && x->tab->cols[c].type == S903_PDATE)
            memcpy(cell->iso, x->cells[c].iso, 11);
    }
}

/* Hands the row to the child index; stores it (now or with its child). */
static int store_row(struct s903_rowctx *x, long line, liia_error *e)
{
    stored_cells(x);
    const char *pid = x->child_col >= 0 && !x->bind_null[x->child_col]
                          ? x->val[x->child_col] : NULL;
    int rc = 0;
    if (x->header)
        rc = s903_kids_header(x->run->kids, pid, line, x->stored, &x->flags, e);
    else if (!x->episodes)
        rc = s903_kids_part(x->run->kids, x->in->table, pid, line, x->stored, &x->flags, e);
    if (rc == 0 && pack_row(x, line))
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    if (rc)
        return rc;
    if (x->episodes && pid && !x->direct)
        return s903_kids_episode(x->run->kids, pid, line, x->stored, x->payload.data,
                                 x->payload.len, emit_episode, x, e);
    return queue_packed(x, x->payload.data, "", e);
}

/* Every cell's check, then the row rules; the row is counted as read. */
static int check_row(struct s903_rowctx *x, long line, liia_error *e)
{
    for (size_t c = 0; c < x->tab->ncols; c++)
        if (check_cell(x, line, c))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory or HMAC failure");
    if (apply_row_rules(x, line))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    x->in->rows++;
    return 0;
}

/* Findings on the row name the child's own id (as the authority sent it:
 * shown back to it, never stored). */
static void set_child(struct s903_run *run, const struct s903_rowctx *x)
{
    if (x->child_col >= 0 && x->cells[x->child_col].len) {
        run->at.child = x->cells[x->child_col].raw;
        run->at.child_len = x->cells[x->child_col].len;
    }
}

/* A row whose field count is not the header row's: a stray or missing
 * comma shifts every cell after it, so a date of birth could land in SW_ID
 * (stored as given) or a postcode in URN, past pseudonymisation.  No cell
 * of it is checked, shown or stored, and no child is named (even CHILD's
 * field may be the shifted one): one LIIA-903-ROW error at its line, and
 * the row is left out of the store, the rules and the rows taken in. */
static int misaligned_row(struct s903_rowctx *x, const liia_record *rec, liia_error *e)
{
    x->in->misaligned++;
    if (s903_add_finding(x->run, LIIA_SEV_ERROR, x->in->path, x->tab->name, rec->line, 0,
                         NULL, NULL, 0, "LIIA-903-ROW",
                         "remove the stray comma (or add the missing one) on this line and "
                         "send the table again",
                         "row has %zu fields, the header row has %zu: the row is not "
                         "checked or stored", rec->nfields, x->in->nfields))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return 0;
}

static int on_row(void *ctx, const liia_record *rec, liia_error *e)
{
    struct s903_rowctx *x = ctx;
    if (rec->line > S903_MAX_LINE) {
        /* The stored key holds the line in 32 bits (S903_ROW_KEY). */
        liia_fail(e, LIIA_E_DATA, "table %s has more than %ld lines", x->tab->name,
                  (long)S903_MAX_LINE);
        liia_strlcpy(e->file, x->in->path, sizeof e->file);
        e->line = rec->line;
        liia_error_fix(e, "split the extract: no SSDA903 table is this long");
        return -1;
    }
    /* Findings on this row carry its record number and path. */
    x->run->at = (struct s903_where){rec->line, rec->record, rec->path, NULL, 0, NULL};
    if (rec->nfields != x->in->nfields)
        return misaligned_row(x, rec, e);
    liia_buf_reset(&x->flags);
    if (gather_cells(x, rec))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    set_child(x->run, x);
    if (check_row(x, rec->line, e) ||
        (x->tab->identifies && s903_identity_check(x->run, x->in->path, x->tab, x->cells,
                                                   x->in->map, rec->line, e)))
        return -1;
    int rc = store_row(x, rec->line, e);
    if (rc == S903_UNGROUPED) {
        x->ungrouped = 1;
        return 1;
    }
    return rc;
}

static const char *affinity(const struct s903_col *c);

/* INSERT INTO <store> (the row's key from submission and line, flags,
 * <stored columns>) VALUES for `rows` rows, built from the schema
 * (trusted data), quoted with %w: ?1 the submission, then each row's
 * line, flags and values.  wp: its stored, hex and INTEGER columns.
 *
 * OR FAIL, not the default OR ABORT: a failed INSERT fails the whole
 * ingest, rolled back with its transaction, so undoing the one statement
 * first is of no use, and SQLite pays for that undo on every statement
 * that can abort: each page the statement changes is first copied to a
 * statement journal, which outgrows memory into a temporary file (a 16 KB
 * write a page, 383,000 of them at 10^6 SSDA903 episodes). */
static char *insert_sql(const struct s903_rowctx *x, size_t rows, struct s903_writer_part *wp)
{
    sqlite3_str *q = sqlite3_str_new(x->run->db);
    sqlite3_str_appendf(q, "INSERT OR FAIL INTO \"%w\" (id, flags", x->tab->store);
    size_t *n = &wp->ncols;
    *n = 0;
    wp->hex_blob = wp->integer = 0;
    if (x->run->s->key_record) {
        sqlite3_str_appendall(q, ", line");
        wp->integer |= 1;
        ++*n;
    }
    for (size_t c = 0; c < x->tab->ncols; c++)
        if (x->tab->cols[c].store) {
            enum s903_type type = x->tab->cols[c].type;
            sqlite3_str_appendf(q, ", \"%w\"", x->tab->cols[c].store);
            wp->hex_blob |= (uint64_t)(type == S903_CHILD) << *n;
            wp->integer |= (uint64_t)(!strcmp(affinity(&x->tab->cols[c]), "INTEGER")) << *n;
            ++*n;
        }
    sqlite3_str_appendall(q, ") VALUES ");
    /* (SQLite's printf has no %zu: the numbers are a few thousand at most) */
    for (int r = 0, at = 2; r < (int)rows; r++) {
        sqlite3_str_appendf(q, "%s((?1 << 32) + ?%d), ?%d", r ? ", (" : "(", at, at + 1);
        for (int i = 0; i < (int)*n; i++)
            sqlite3_str_appendf(q, ", ?%d", at + 2 + i);
        sqlite3_str_appendall(q, ")");
        at += 2 + (int)*n;
    }
    return sqlite3_str_finish(q);
}

/* The part's INSERTs, one row and S903_WRITER_MANY rows; its writer
 * thread steps them. */
static int insert_for(struct s903_rowctx *x, struct s903_writer_part *wp, liia_error *e)
{
    char *one = insert_sql(x, 1, wp);
    char *many = insert_sql(x, S903_WRITER_MANY, wp);
    int rc = !one || !many ? liia_fail(e, LIIA_E_NOMEM, "out of memory")
           : liia_db_prepare(x->run->db, one, &x->ins, e) ||
             liia_db_prepare(x->run->db, many, &x->many, e);
    sqlite3_free(one);
    sqlite3_free(many);
    wp->ins = x->ins;
    wp->many = x->many;
    return rc ? -1 : 0;
}

static int prepare_insert(struct s903_rowctx *x, liia_error *e)
{
    struct s903_writer_part wp;
    if (insert_for(x, &wp, e))
        return -1;
    x->writer = s903_writer_start(x->run->db, &wp, x->run->sid, e);
    return x->writer ? 0 : -1;
}

/* The per-column arrays of a part's rows: allocated once per file, so a
 * row costs no allocation whatever the number of columns. */
static int row_arrays(struct s903_rowctx *x)
{
    size_t n = x->tab->ncols;
    x->offs = calloc(n, sizeof *x->offs);
    x->cells = calloc(n, sizeof *x->cells);
    x->store = calloc(n, sizeof *x->store);
    x->bind_null = calloc(n, sizeof *x->bind_null);
    x->val = calloc(n, sizeof *x->val);
    x->vlen = calloc(n, sizeof *x->vlen);
    x->stored = calloc(n, sizeof *x->stored);
    x->pvals = calloc(n + 1, sizeof *x->pvals);     /* and the line ("key": "record") */
    x->plens = calloc(n + 1, sizeof *x->plens);
    return x->offs && x->cells && x->store && x->bind_null && x->val && x->vlen &&
           x->stored && x->pvals && x->plens ? 0 : -1;
}

static void free_row_arrays(struct s903_rowctx *x)
{
    free(x->offs);
    free(x->cells);
    free(x->store);
    free(x->bind_null);
    free(x->val);
    free(x->vlen);
    free(x->stored);
    free(x->pvals);
    free(x->plens);
}

/* As the quarterly return's QBR-S008: a file Excel saved as "CSV (Comma
 * delimited)" is read as Windows-1252, and the authority is told, since
 * a character that is not in Windows-1252 did not survive that save. */
static int converted_warning(struct s903_rowctx *x)
{
    char rule[32];
    snprintf(rule, sizeof rule, "%s-ENCODING", x->run->s->rule_prefix);
    return s903_add_finding(x->run, LIIA_SEV_WARNING, x->in->path, x->tab->name, 0, 0,
                            NULL, NULL, 0, rule,
                            "next time save as \"CSV UTF-8 (Comma delimited)\" so accented "
                            "characters survive unchanged",
                            "the file was saved as Windows-1252 (Excel 'CSV (Comma "
                            "delimited)'), not UTF-8; it was converted");
}

int s903_load_table(struct s903_run *run, struct s903_input *in, int direct,
                    liia_error *e)
{
    struct s903_rowctx x;
    memset(&x, 0, sizeof x);
    x.run = run;
    x.in = in;
    x.tab = &run->s->tables[in->table];
    x.header = x.tab->role == ROLE_CHILD;
    x.episodes = x.tab->role == ROLE_ORDERED;
    x.direct = direct;
    x.part = -1;
    x.child_col = -1;
    run->in_year = 0;   /* counted afresh: an ungrouped table is read twice */
    for (size_t c = 0; c < x.tab->ncols; c++)
        if (x.tab->cols[c].type == S903_CHILD)
            x.child_col = (int)c;
    liia_buf_init(&x.cellbuf);
    liia_buf_init(&x.flags);
    liia_buf_init(&x.payload);
    liia_reader *reader = NULL;
    int rc = row_arrays(&x) ? liia_fail(e, LIIA_E_NOMEM, "out of memory")
                            : prepare_insert(&x, e);
    if (rc == 0 && !(reader = liia_reader_open(in->path, e)))
        rc = -1;
    if (rc == 0)
        rc = liia_reader_run(reader, on_row, &x, e);
    if (rc >= 0 && reader && reader->converted_cp1252 && converted_warning(&x))
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory");
    liia_reader_free(reader);
    run->at = (struct s903_where){0, 0, NULL, NULL, 0, NULL};
    if (rc == 0 && x.ungrouped)
        rc = S903_UNGROUPED;
    else if (rc == 0 && x.episodes && !direct)
        rc = s903_kids_end_episodes(run->kids, emit_episode, &x, e);
    /* The writer's own failure comes first: it is why a row was refused. */
    if (x.writer && s903_writer_finish(x.writer, rc != 0, rc ? &(liia_error){0} : e))
        rc = -1;
    if ((sqlite3_finalize(x.ins) != SQLITE_OK || sqlite3_finalize(x.many) != SQLITE_OK) &&
        rc == 0)
        rc = liia_db_fail(e, run->db, "storing SSDA903 rows");
    liia_buf_free(&x.cellbuf);
    liia_buf_free(&x.flags);
    liia_buf_free(&x.payload);
    free_row_arrays(&x);
    return rc;
}

/* ------------------------------------------------------------ store tables */

/* 1 when table has column col (PRAGMA table_info: no SQL from input, the
 * names are the schema's, checked when it loaded). */
static int has_column(sqlite3 *db, const char *table, const char *col, liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return liia_db_fail(e, db, "reading a store table's columns");
    return rc == SQLITE_ROW;
}

static int exec_free(sqlite3 *db, char *sql, liia_error *e)
{
    if (!sql)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_db_exec(db, sql, e);
    sqlite3_free(sql);
    return rc;
}

/* The affinity of a stored column: the pseudonym's bytes, text otherwise
 * (codes keep leading zeros, dates are ISO text). */
static const char *affinity(const struct s903_col *c)
{
    return c->type == S903_CHILD ? "BLOB"
           : c->type == S903_INT || c->type == S903_BOOL ? "INTEGER" : "TEXT";
}

/* CREATE TABLE IF NOT EXISTS for one part, keyed as migration 006 keys
 * cla_child/cla_episode/cla_uasc (id = submission << 32 | line, the two
 * readable as generated columns); a column the schema gained since the
 * table was made is added. */
static int store_table(sqlite3 *db, const struct s903_table *t, int key_record, liia_error *e)
{
    sqlite3_str *q = sqlite3_str_new(db);
    sqlite3_str_appendf(q, "CREATE TABLE IF NOT EXISTS \"%w\" (id INTEGER PRIMARY KEY, %s",
                        t->store, key_record
                            ? "line INTEGER NOT NULL"
                            : "submission_id INTEGER GENERATED ALWAYS AS (id >> 32) VIRTUAL, "
                              "line INTEGER GENERATED ALWAYS AS (id & 4294967295) VIRTUAL");
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].store)
            sqlite3_str_appendf(q, ", \"%w\" %s", t->cols[c].store, affinity(&t->cols[c]));
    sqlite3_str_appendall(q, ", flags TEXT)");
    if (exec_free(db, sqlite3_str_finish(q), e))
        return -1;
    for (size_t c = 0; c < t->ncols; c++) {
        if (!t->cols[c].store)
            continue;
        int has = has_column(db, t->store, t->cols[c].store, e);
        if (has < 0 || (!has && exec_free(db, sqlite3_mprintf(
                                    "ALTER TABLE \"%w\" ADD COLUMN \"%w\" %s", t->store,
                                    t->cols[c].store, affinity(&t->cols[c])), e)))
            return -1;
    }
    return 0;
}

int s903_store_tables(sqlite3 *db, const struct s903_schema *s, liia_error *e)
{
    for (size_t t = 0; t < s->ntables; t++)
        if (store_table(db, &s->tables[t], s->key_record, e))
            return -1;
    return 0;
}

/* ------------------------------------------------------------ one file, every part */

/* A file whose records are of every part, each child's records together
 * (an XML return: reader_xml.c pushes a Child, then its records): each
 * part's rows checked as s903_load_table checks them, each child held by
 * s903_group until its last record, its child rules run, then its rows
 * queued to one writer with the flags they earned. */
struct s903_grouped {
    struct s903_run *run;
    struct s903_rowctx *x;          /* one per part */
    struct s903_input *in;          /* the file, read as each part */
    const char **part_ptr;          /* the reader's name of each part */
    struct s903_group *g;
    struct s903_writer *writer;
    /* the held child's own id, for the findings of its child rules, which
     * run when the next child's record arrives (as typed: never stored) */
    char child[64];
    size_t child_len;
};

/* s903_group_fn: a child rule that holds, reported where its record is. */
static int grouped_hit(void *ctx, const struct s903_group_hit *h)
{
    struct s903_grouped *gr = ctx;
    const struct s903_rule *r = h->r;
    const struct s903_table *t = &gr->run->s->tables[r->table];
    gr->run->at = (struct s903_where){h->line, h->record, h->path, gr->child, gr->child_len, NULL};
    return s903_add_finding(gr->run, r->severity, gr->in[r->table].path, t->name, h->line,
                            r->col + 1, t->cols[r->col].name,
                            h->cell && h->cell->len ? h->cell->raw : NULL,
                            h->cell ? h->cell->len : 0, r->code, r->fix, "%s", r->message);
}

/* s903_group_emit_fn: a held record, stored with its child rules' codes. */
static int grouped_emit(void *ctx, int table, const void *payload, size_t len,
                        const char *xflags)
{
    struct s903_grouped *gr = ctx;
    liia_error e;
    (void)len;
    return queue_packed(&gr->x[table], payload, xflags, &e);
}

static int part_of(struct s903_grouped *gr, const char *name)
{
    const struct s903_schema *s = gr->run->s;
    for (size_t t = 0; t < s->ntables; t++)
        if (gr->part_ptr[t] == name)
            return (int)t;
    int t = name ? s903_table_index(s, name) : -1;
    if (t >= 0)
        gr->part_ptr[t] = name;
    return t;
}

static int on_grouped(void *ctx, const liia_record *rec, liia_error *e)
{
    struct s903_grouped *gr = ctx;
    int t = part_of(gr, rec->part);
    if (t < 0 || rec->nfields != gr->run->s->tables[t].ncols)
        return liia_fail(e, LIIA_E_SCHEMA, "the reader and the schema disagree");
    if (rec->record > S903_MAX_LINE)
        return liia_fail(e, LIIA_E_DATA, "more than %ld records of one part", S903_MAX_LINE);
    struct s903_rowctx *x = &gr->x[t];
    gr->run->at = (struct s903_where){rec->line, rec->record, rec->path, NULL, 0, NULL};
    liia_buf_reset(&x->flags);
    if (gather_cells(x, rec))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    set_child(gr->run, x);
    if (check_row(x, rec->line, e) ||
        (x->tab->identifies && s903_identity_check(gr->run, x->in->path, x->tab, x->cells,
                                                   x->in->map, rec->line, e)))
        return -1;
    /* a record of the child part: the child before it is complete.  Its
     * findings set run->at to their own records: this record's place (and
     * the new child's id, in its cells) is kept aside meanwhile. */
    if (t == gr->run->s->child_table) {
        struct s903_where here = gr->run->at;
        if (s903_group_end(gr->g, &gr->run->dates, grouped_hit, grouped_emit, gr))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory or a row not stored");
        gr->run->at = here;
        gr->child_len = here.child_len < sizeof gr->child ? here.child_len : 0;
        memcpy(gr->child, here.child ? here.child : "", gr->child_len);
        gr->run->at.child = gr->child;  /* the cells are reused: point at the copy */
    }
    stored_cells(x);
    for (size_t c = 0; c < x->tab->ncols; c++) {
        x->stored[c].month = x->tab->cols[c].degrade_month && x->stored[c].ok;
        /* a column dropped at the door (UPN) was given or not, and the
         * child's pass may ask only that (the schema compiler sees to it):
         * a mark, not the value */
        if (!x->tab->cols[c].store && x->cells[c].len)
            x->stored[c] = (struct s903_cell){.raw = "*", .len = 1};
    }
    x->record = rec->record;
    if (pack_row(x, rec->line))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    return s903_group_add(gr->g, t, x->stored, rec->line, rec->record, rec->path,
                          x->payload.data, x->payload.len, e);
}

static void grouped_free(struct s903_grouped *gr, size_t n)
{
    for (size_t t = 0; gr->x && t < n; t++) {
        struct s903_rowctx *x = &gr->x[t];
        sqlite3_finalize(x->ins);
        sqlite3_finalize(x->many);
        liia_buf_free(&x->cellbuf);
        liia_buf_free(&x->flags);
        liia_buf_free(&x->payload);
        free_row_arrays(x);
    }
    for (size_t t = 0; gr->in && t < n; t++)
        free(gr->in[t].map);
    free(gr->x);
    free(gr->in);
    free(gr->part_ptr);
    s903_group_free(gr->g);
}

/* Each part's row context, INSERT and identity field map; the writer. */
static int grouped_open(struct s903_grouped *gr, const char *path, liia_error *e)
{
    const struct s903_schema *s = gr->run->s;
    size_t n = s->ntables;
    struct s903_writer_part wp[S903_MAX_PARTS];
    if (!(gr->x = calloc(n, sizeof *gr->x)) || !(gr->in = calloc(n, sizeof *gr->in)) ||
        !(gr->part_ptr = calloc(n, sizeof *gr->part_ptr)))
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    for (size_t t = 0; t < n; t++) {
        struct s903_rowctx *x = &gr->x[t];
        const struct s903_table *tab = &s->tables[t];
        gr->in[t] = (struct s903_input){path, (int)t, calloc(tab->ncols, sizeof(int)),
                                        tab->ncols, 0, 0};
        *x = (struct s903_rowctx){.run = gr->run, .in = &gr->in[t], .tab = tab,
                                  .part = (int)t, .child_col = -1};
        for (size_t c = 0; c < tab->ncols; c++)
            if (tab->cols[c].type == S903_CHILD)
                x->child_col = (int)c;
        liia_buf_init(&x->cellbuf);
        liia_buf_init(&x->flags);
        liia_buf_init(&x->payload);
        if (!gr->in[t].map || row_arrays(x))
            return liia_fail(e, LIIA_E_NOMEM, "out of memory");
        for (size_t c = 0; c < tab->ncols; c++)
            gr->in[t].map[c] = (int)c;
        if (insert_for(x, &wp[t], e))
            return -1;
    }
    if (!(gr->g = s903_group_new(s, e)) ||
        s903_group_count(gr->g, gr->run->quarters, gr->run->nquarters, gr->run->mcounts, e) ||
        !(gr->writer = s903_writer_start_parts(gr->run->db, wp, n, gr->run->sid, e)))
        return -1;
    for (size_t t = 0; t < n; t++)
        gr->x[t].writer = gr->writer;
    return 0;
}

int s903_load_grouped(struct s903_run *run, const char *path, liia_reader *reader,
                      long *rows, liia_error *e)
{
    struct s903_grouped gr = {.run = run};
    int rc = grouped_open(&gr, path, e);
    if (rc == 0)
        rc = liia_reader_run(reader, on_grouped, &gr, e);
    if (rc == 0 && s903_group_end(gr.g, &run->dates, grouped_hit, grouped_emit, &gr))
        rc = liia_fail(e, LIIA_E_NOMEM, "out of memory or a row not stored");
    run->at = (struct s903_where){0, 0, NULL, NULL, 0, NULL};
    /* a required part (the header, the children) with no record: refused */
    for (size_t t = 0; rc == 0 && t < run->s->ntables; t++)
        rc = s903_required_rows(run, path, (int)t, gr.in[t].rows, 0, e);
    /* The writer's own failure comes first: it is why a row was refused. */
    if (gr.writer && s903_writer_finish(gr.writer, rc != 0, rc ? &(liia_error){0} : e))
        rc = -1;
    for (size_t t = 0; gr.in && t < run->s->ntables; t++)
        *rows += gr.in[t].rows;
    grouped_free(&gr, run->s->ntables);
    return rc;
}
