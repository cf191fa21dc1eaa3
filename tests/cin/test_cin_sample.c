/*
 * test_cin_sample.c - every breach listed in sample-data/cin/<LA>_<period>_cin_planted.csv
 * is where the manifest says: a record of that part starts on that line
 * with that element path, and holds the planted value (so a test of the
 * findings can rely on the manifest).
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "reader_xml.h"
#include "unit.h"

struct planted {
    char part[32], path[256], rule[32];
    long line;
    int found;
};

struct manifest {
    struct planted items[64];
    size_t n;
};

static int manifest_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    (void)e;
    struct manifest *m = ctx;
    if (rec->record_no == 1 || rec->nfields != 4 || m->n == 64)
        return 0;
    struct planted *p = &m->items[m->n++];
    liia_strlcpy(p->part, rec->fields[0], sizeof p->part);
    p->line = atol(rec->fields[1]);
    liia_strlcpy(p->path, rec->fields[2], sizeof p->path);
    liia_strlcpy(p->rule, rec->fields[3], sizeof p->rule);
    p->found = 0;
    return 0;
}

/* The value each planted rule puts in the record. */
static const char *planted_value(const char *rule, const char **field)
{
    static const struct { const char *rule, *field, *value; } v[] = {
        {"8866", "ReferralSource", "1Z"}, {"4220", "Ethnicity", "XXXX"},
        {"4180", "Sex", "X"}, {"8650", "PrimaryNeedCode", "N11"},
        {"8617", "AssessmentFactors", "8A"}, {"8640", "ReasonForClosure", "RC0"},
        {"8898", "AssessmentFactors", NULL}, {"LIIA-CIN-DATE", "CINreferralDate", NULL},
        /* the assessment of the 8A factor: authorised, with a factor not valid */
        {"8897Q", "AssessmentAuthorisationDate", NULL},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!strcmp(v[i].rule, rule)) {
            *field = v[i].field;
            return v[i].value;
        }
    *field = NULL;
    return NULL;
}

static int match(void *ctx, const liia_record *rec, liia_error *e)
{
    (void)e;
    struct manifest *m = ctx;
    for (size_t i = 0; i < m->n; i++) {
        struct planted *p = &m->items[i];
        if (p->line != rec->line || strcmp(p->part, rec->part) || strcmp(p->path, rec->path))
            continue;
        const char *field, *want = planted_value(p->rule, &field);
        for (size_t f = 0; f < rec->nfields && field; f++)
            if (!strcmp(rec->names[f], field) && rec->values[f] &&
                (!want || !strcmp(rec->values[f], want)))
                p->found = 1;
    }
    return 0;
}

int main(void)
{
    liia_error e;
    liia_error_clear(&e);
    liia_xml_layout *l = liia_xml_layout_load(SCHEMA_DIR "/cin/tables.json", 2025, &e);
    CHECK(l != NULL);
    glob_t g;
    CHECK(glob(SAMPLE_DIR "/cin/*_cin.xml", 0, NULL, &g) == 0 && g.gl_pathc == 3);
    for (size_t i = 0; l && i < g.gl_pathc; i++) {
        char manifest_path[1024];
        snprintf(manifest_path, sizeof manifest_path, "%.*s_planted.csv",
                 (int)(strlen(g.gl_pathv[i]) - 4), g.gl_pathv[i]);
        struct manifest m = {.n = 0};
        CHECK(liia_csv_read_file(manifest_path, 0, manifest_row, &m, NULL, &e) == 0);
        CHECK(m.n >= 8);   /* every kind of breach at least once */
        liia_reader *r = liia_reader_xml_open(g.gl_pathv[i], l, &e);
        CHECK(r && liia_reader_run(r, match, &m, &e) == 0);
        for (size_t k = 0; k < m.n; k++) {
            if (!m.items[k].found)
                fprintf(stderr, "%s: planted %s at line %ld (%s) not found\n",
                        g.gl_pathv[i], m.items[k].rule, m.items[k].line, m.items[k].path);
            CHECK(m.items[k].found);
        }
        liia_reader_free(r);
    }
    globfree(&g);
    liia_xml_layout_free(l);
    return unit_result("test_cin_sample");
}
