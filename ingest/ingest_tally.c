/*
 * ingest_tally.c - findings bounded per rule: every finding is counted,
 * the first LIIA_FINDINGS_LISTED_PER_RULE of each rule are kept.  Memory
 * and stored rows stay flat however many cells of a file are wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"

void liia_rule_counts_free(liia_rule_counts *c)
{
    if (!c)
        return;
    free(c->items);
    memset(c, 0, sizeof *c);
}

/* The rule's entry: the one last used, then by pointer (a rule's code is
 * one string of its compiled schema), then by text; added when new. */
static liia_rule_count *entry(liia_rule_counts *c, const char *rule, liia_severity sev)
{
    if (c->last < c->n && c->items[c->last].key == rule && c->items[c->last].severity == sev)
        return &c->items[c->last];
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].key == rule && c->items[i].severity == sev)
            return &c->items[c->last = i];
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].severity == sev && !strcmp(c->items[i].rule_id, rule)) {
            c->items[i].key = rule;
            return &c->items[c->last = i];
        }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 32;
        liia_rule_count *items = realloc(c->items, cap * sizeof *items);
        if (!items)
            return NULL;
        c->items = items;
        c->cap = cap;
    }
    liia_rule_count *x = &c->items[c->last = c->n++];
    memset(x, 0, sizeof *x);
    liia_strlcpy(x->rule_id, rule, sizeof x->rule_id);
    x->severity = sev;
    x->key = rule;
    return x;
}

int ingest_tally(liia_rule_counts *c, liia_findings *f, const char *rule,
                 liia_severity sev)
{
    liia_rule_count *x = entry(c, rule, sev);
    if (!x)
        return -1;
    x->count++;
    if (x->listed < LIIA_FINDINGS_LISTED_PER_RULE) {
        x->listed++;
        return 1;
    }
    if (sev == LIIA_SEV_ERROR)
        f->errors++;
    else if (sev == LIIA_SEV_WARNING)
        f->warnings++;
    return 0;
}

int ingest_tally_mark(const liia_rule_counts *c, const liia_findings *f,
                      struct ingest_tally_mark *m)
{
    *m = (struct ingest_tally_mark){f->count, f->errors, f->warnings, NULL, c->n};
    if (!c->n)
        return 0;
    if (!(m->items = malloc(c->n * sizeof *m->items)))
        return -1;
    memcpy(m->items, c->items, c->n * sizeof *m->items);
    return 0;
}

void ingest_tally_restore(liia_rule_counts *c, liia_findings *f,
                          struct ingest_tally_mark *m)
{
    f->count = m->count;
    f->errors = m->errors;
    f->warnings = m->warnings;
    /* Entries added since the mark go; the others take their counts back
     * (c->n >= m->n: entries are only ever added). */
    if (m->n)
        memcpy(c->items, m->items, m->n * sizeof *m->items);
    c->n = m->n;
    c->last = 0;
}

void ingest_tally_mark_free(struct ingest_tally_mark *m)
{
    free(m->items);
    m->items = NULL;
}

int ingest_insert_rule_counts(sqlite3 *db, long long sid, const liia_rule_counts *c,
                              liia_error *e)
{
    static const char *const sev[] = {"error", "warning", "info"};
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "INSERT INTO finding_count (submission_id, rule_id, "
                        "severity, count, listed) VALUES (?1, ?2, ?3, ?4, ?5)", &st, e))
        return -1;
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < c->n && rc == SQLITE_DONE; i++) {
        const liia_rule_count *x = &c->items[i];
        sqlite3_bind_int64(st, 1, sid);
        sqlite3_bind_text(st, 2, x->rule_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sev[x->severity], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)x->count);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)x->listed);
        rc = sqlite3_step(st);
        if (sqlite3_reset(st) != SQLITE_OK && rc == SQLITE_DONE)
            rc = SQLITE_ERROR;
    }
    if ((rc != SQLITE_DONE) | (sqlite3_finalize(st) != SQLITE_OK))
        return liia_db_fail(e, db, "recording the findings' counts");
    return 0;
}
