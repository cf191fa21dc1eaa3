/*
 * ssda903_ops.c - the SSDA903 return type as the submission lifecycle
 * sees it (struct liia_return_ops, ingest_internal.h): recognised by its
 * header rows, opened and staged by ssda903.c, its identifying values
 * withheld and its findings ordered by the schema's tables.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ssda903_run.h"

/* Whether the file is one of the return's: tables.json decides
 * (s903_schema_recognises), for no particular year (the columns and the
 * XML root do not change with the code lists). */
static int recognise_return(const char *folder, const liia_signature *sig)
{
    struct s903_schema s;
    liia_error e;
    liia_error_clear(&e);
    char *dir = liia_path_join(liia_schema_dir(), folder);
    int rc = dir ? s903_schema_load_return(dir, 0, &s, &e) : -1;
    free(dir);
    if (rc)
        return 0;
    int found = s903_schema_recognises(&s, sig);
    s903_schema_free(&s);
    return found;
}

static int recognise(const liia_signature *sig)
{
    return recognise_return("ssda903", sig);
}

/* The schema says which columns identify a child ("pii"); a finding on
 * one of them, in any table of the return, is stored without its value.
 * A finding with no table (a structural one) is withheld if the column is
 * pii anywhere. */
static int withheld(const void *state, const liia_error *f)
{
    const struct s903_schema *s = s903_sub_schema(state);
    for (size_t t = 0; t < s->ntables; t++) {
        if (f->table[0] && strcmp(f->table, s->tables[t].name))
            continue;
        int c = s903_col_index(&s->tables[t], f->column_name);
        if (c >= 0 && s->tables[t].cols[c].pii)
            return 1;
    }
    return 0;
}

/* Findings by table in the schema's order (header, episodes, uasc). */
static int rank(const void *state, const liia_error *f)
{
    return s903_table_index(s903_sub_schema(state), f->table);
}

const struct liia_return_ops ingest_ssda903_ops = {
    .info = {"ssda903", "SSDA903 children looked after (child-level)",
             "ssda903/tables.json", 0, 0},
    .stage_checks = 1,
    .recognise = recognise,
    .open = s903_open,
    .stage = s903_stage,
    .discard = s903_discard,
    .withheld = withheld,
    .rank = rank,
    .close = s903_close,
};

/* The CIN census: the schema folder schemas/cin (one XML file, read by
 * reader_xml.c) through the same engine; nothing else of it is C. */
static int cin_recognise(const liia_signature *sig)
{
    return recognise_return("cin", sig);
}

static int cin_open(struct ingest_job *job, void **state, liia_error *e)
{
    return s903_open_return(job, "cin", state, e);
}

const struct liia_return_ops ingest_cin_ops = {
    .info = {"cin", "Children in need census (child-level)", "cin/tables.json", 1, 0},
    .stage_checks = 1,
    .recognise = cin_recognise,
    .open = cin_open,
    .stage = s903_stage,
    .discard = s903_discard,
    .withheld = withheld,
    .rank = rank,
    .close = s903_close,
};
