/*
 * reference.c - loads the CSV files in schemas/reference/ and the measure catalogue into
 * the store.  Idempotent: rows are upserted (authorities and measures are
 * referenced by submissions) or replaced (populations, neighbours,
 * groupings), all in one transaction.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "liia_core.h"

enum { MAX_COLS = 10 };

/* One CSV file mapped by header names onto the parameters of an INSERT. */
typedef struct ref_load {
    const char *file;
    const char *cols[MAX_COLS]; /* bound as ?1, ?2, ... in this order */
    int index[MAX_COLS];        /* column of each in the file */
    sqlite3 *db;
    sqlite3_stmt *insert;
    const char *unknown_hint;   /* message when the INSERT changes nothing */
} ref_load;

static int ref_header(ref_load *r, const liia_csv_record *rec, liia_error *e)
{
    for (int c = 0; c < MAX_COLS && r->cols[c]; c++) {
        r->index[c] = -1;
        for (size_t i = 0; i < rec->nfields; i++)
            if (!strcmp(rec->fields[i], r->cols[c]))
                r->index[c] = (int)i;
        if (r->index[c] < 0) {
            e->line = rec->line;
            liia_strlcpy(e->column_name, r->cols[c], sizeof e->column_name);
            liia_error_fix(e, "the header row must name every column of the "
                              "bundled file of the same name");
            return liia_fail(e, LIIA_E_SCHEMA, "required column is missing");
        }
    }
    return 0;
}

static int ref_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    ref_load *r = ctx;
    if (rec->record_no == 1)
        return ref_header(r, rec, e);
    sqlite3_reset(r->insert);
    for (int c = 0; c < MAX_COLS && r->cols[c]; c++) {
        size_t i = (size_t)r->index[c];
        const char *v = i < rec->nfields ? rec->fields[i] : "";
        if (sqlite3_bind_text(r->insert, c + 1, v, -1, SQLITE_TRANSIENT))
            return liia_db_fail(e, r->db, "loading reference data");
    }
    if (sqlite3_step(r->insert) != SQLITE_DONE) {
        e->line = rec->line;
        return liia_db_fail(e, r->db, "row rejected by the store");
    }
    if (r->unknown_hint && sqlite3_changes(r->db) == 0) {
        e->line = rec->line;
        liia_error_set_value(e, rec->fields[0], rec->lengths[0]);
        liia_error_fix(e, "%s", r->unknown_hint);
        return liia_fail(e, LIIA_E_SCHEMA, "row names an authority that is not "
                         "one of the 33 London authorities");
    }
    return 0;
}

static int load_csv(sqlite3 *db, const char *path, ref_load *r, const char *sql,
                    liia_error *e)
{
    r->db = db;
    r->file = path;
    if (liia_db_prepare(db, sql, &r->insert, e))
        return -1;
    int rc = liia_csv_read_file(path, 0, ref_row, r, NULL, e);
    sqlite3_finalize(r->insert);
    if (rc && !e->file[0])
        liia_strlcpy(e->file, path, sizeof e->file);
    return rc;
}

/* load_csv on dir/name. */
static int load_ref(sqlite3 *db, const char *dir, const char *name, ref_load *r,
                    const char *sql, liia_error *e)
{
    char *path = liia_path_join(dir, name);
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = load_csv(db, path, r, sql, e);
    free(path);
    return rc;
}

static int load_authorities(sqlite3 *db, const char *dir, liia_error *e)
{
    ref_load r = {.cols = {"gss_code", "dfe_la_number", "name", "short_code",
                           "inner_outer", "ics"}};
    return load_ref(db, dir, "reference/authorities.csv", &r,
        "INSERT INTO authority (gss_code, dfe_la_number, name, short_code, "
        "inner_outer, ics) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (gss_code) DO UPDATE SET dfe_la_number = excluded.dfe_la_number, "
        "name = excluded.name, short_code = excluded.short_code, "
        "inner_outer = excluded.inner_outer, ics = excluded.ics", e);
}

/* population_0_17.csv is wide (mid_2022, mid_2023, ...): one INSERT per
 * year column, so a new year needs no code change. */
typedef struct pop_load {
    sqlite3 *db;
    sqlite3_stmt *insert;
    int years[MAX_COLS * 4];
    size_t ncols;
} pop_load;

static int pop_row(const liia_csv_record *rec, void *ctx, liia_error *e)
{
    pop_load *p = ctx;
    if (rec->record_no == 1) {
        p->ncols = rec->nfields < MAX_COLS * 4 ? rec->nfields : MAX_COLS * 4;
        for (size_t i = 0; i < p->ncols; i++)
            p->years[i] = !strncmp(rec->fields[i], "mid_", 4)
                              ? atoi(rec->fields[i] + 4) : 0;
        if (p->ncols < 3 || strcmp(rec->fields[0], "area_code") ||
            strcmp(rec->fields[1], "area_name")) {
            e->line = rec->line;
            liia_error_fix(e, "the header must be area_code,area_name,mid_YYYY,...");
            return liia_fail(e, LIIA_E_SCHEMA, "unexpected population header");
        }
        return 0;
    }
    for (size_t i = 2; i < p->ncols && i < rec->nfields; i++) {
        if (!p->years[i] || !rec->lengths[i])
            continue;
        sqlite3_reset(p->insert);
        if (sqlite3_bind_text(p->insert, 1, rec->fields[0], -1, SQLITE_TRANSIENT) ||
            sqlite3_bind_text(p->insert, 2, rec->fields[1], -1, SQLITE_TRANSIENT) ||
            sqlite3_bind_int(p->insert, 3, p->years[i]) ||
            sqlite3_bind_text(p->insert, 4, rec->fields[i], -1, SQLITE_TRANSIENT) ||
            sqlite3_step(p->insert) != SQLITE_DONE) {
            e->line = rec->line;
            e->column = (long)i + 1;
            return liia_db_fail(e, p->db, "population row rejected");
        }
    }
    return 0;
}

static int load_population(sqlite3 *db, const char *dir, liia_error *e)
{
    pop_load p = {.db = db};
    char *path = liia_path_join(dir, "reference/population_0_17.csv");
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_db_exec(db, "DELETE FROM population", e) ||
             liia_db_prepare(db, "INSERT INTO population (area_code, area_name, "
                             "mid_year, count) VALUES (?1, ?2, ?3, CAST(?4 AS INTEGER))",
                             &p.insert, e);
    if (!rc)
        rc = liia_csv_read_file(path, 0, pop_row, &p, NULL, e);
    sqlite3_finalize(p.insert);
    free(path);
    return rc ? -1 : 0;
}

static int load_neighbours(sqlite3 *db, const char *dir, liia_error *e)
{
    ref_load r = {.cols = {"dfe_la_number", "rank", "neighbour_dfe_la_number",
                           "neighbour_name", "closeness"},
                  .unknown_hint = "dfe_la_number must be the DfE number of a "
                                  "London authority (201-213, 301-320)"};
    char *path = liia_path_join(dir, "reference/stat_neighbours_2025.csv");
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_db_exec(db, "DELETE FROM stat_neighbour", e) ||
        load_csv(db, path, &r,
        "INSERT INTO stat_neighbour (gss_code, rank, neighbour_dfe_la_number, "
        "neighbour_name, neighbour_gss_code, closeness) "
        "SELECT a.gss_code, CAST(?2 AS INTEGER), CAST(?3 AS INTEGER), ?4, "
        "(SELECT n.gss_code FROM authority n WHERE n.dfe_la_number = CAST(?3 AS INTEGER)), ?5 "
        "FROM authority a WHERE a.dfe_la_number = CAST(?1 AS INTEGER)", e);
    free(path);
    return rc ? -1 : 0;
}

static int load_groupings(sqlite3 *db, const char *dir, const char *user_path,
                          liia_error *e)
{
    ref_load r = {.cols = {"grouping", "group_code", "group_name", "gss_code"},
                  .unknown_hint = "gss_code must be the GSS code of a London "
                                  "authority (E09000001-E09000033), and each "
                                  "grouping, group_code and group_name non-empty"};
    char *path = user_path ? strdup(user_path)
                           : liia_path_join(dir, "reference/groupings.csv");
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_db_exec(db, "DELETE FROM grouping", e) ||
        load_csv(db, path, &r,
        "INSERT INTO grouping (grouping, group_code, group_name, gss_code) "
        "SELECT ?1, ?2, ?3, a.gss_code FROM authority a "
        "WHERE a.gss_code = ?4 AND ?1 <> '' AND ?2 <> '' AND ?3 <> ''", e);
    free(path);
    if (rc && strstr(e->message, "UNIQUE"))
        liia_error_fix(e, "an authority appears twice in the same grouping; "
                          "each authority belongs to exactly one group of each "
                          "grouping");
    return rc ? -1 : 0;
}

/* Services two authorities share (Kingston and Richmond's workforce): the
 * figures are reported once, by reported_by, for the theme's measures. */
static int load_shared_services(sqlite3 *db, const char *dir, liia_error *e)
{
    ref_load r = {.cols = {"gss_code", "reported_by_gss_code", "theme", "note"},
                  .unknown_hint = "both codes must be GSS codes of London "
                                  "authorities, and theme a measure theme"};
    char *path = liia_path_join(dir, "reference/shared_services.csv");
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    int rc = liia_db_exec(db, "DELETE FROM shared_service", e) ||
        load_csv(db, path, &r,
        "INSERT INTO shared_service (gss_code, reported_by, theme, note) "
        "SELECT a.gss_code, b.gss_code, ?3, ?4 FROM authority a, authority b "
        "WHERE a.gss_code = ?1 AND b.gss_code = ?2 AND a.gss_code <> b.gss_code "
        "AND ?3 <> ''", e);
    free(path);
    return rc ? -1 : 0;
}

/* England's bank holidays for working_days() (migration 090): replaced, so
 * a corrected file corrects the store. */
static int load_bank_holidays(sqlite3 *db, const char *dir, liia_error *e)
{
    ref_load r = {.cols = {"date", "title"}};
    if (liia_db_exec(db, "DELETE FROM bank_holiday", e))
        return -1;
    int rc = load_ref(db, dir, "reference/bank_holidays_england.csv", &r,
                      "INSERT INTO bank_holiday (date, title) VALUES (?1, ?2)", e);
    if (rc && e->line > 0)
        liia_error_fix(e, "each row is a bank holiday in England: a date "
                          "yyyy-mm-dd on a weekday (the substitute day when the "
                          "holiday falls at a weekend), given once, with its title");
    return rc;
}

/* Every English authority, region, Inner/Outer London and England
 * (migration 040): upserted, since imported figures name these codes. */
static int load_areas(sqlite3 *db, const char *dir, liia_error *e)
{
    ref_load r = {.cols = {"area_code", "dfe_la_number", "name", "area_type",
                           "region_code", "region_name", "inner_outer_code",
                           "first_year", "last_year"}};
    return load_ref(db, dir, "reference/areas.csv", &r,
        "INSERT INTO area (area_code, dfe_la_number, name, area_type, region_code, "
        "region_name, inner_outer_code, first_year, last_year) VALUES (?1, "
        "CAST(NULLIF(?2, '') AS INTEGER), ?3, ?4, NULLIF(?5, ''), NULLIF(?6, ''), "
        "NULLIF(?7, ''), CAST(NULLIF(?8, '') AS INTEGER), CAST(NULLIF(?9, '') AS "
        "INTEGER)) ON CONFLICT (area_code) DO UPDATE SET "
        "dfe_la_number = excluded.dfe_la_number, name = excluded.name, area_type = "
        "excluded.area_type, region_code = excluded.region_code, region_name = "
        "excluded.region_name, inner_outer_code = excluded.inner_outer_code, "
        "first_year = min(coalesce(area.first_year, 9999), excluded.first_year), "
        "last_year = max(coalesce(area.last_year, 0), excluded.last_year)", e);
}

/* The bundled London neighbours are the 2025 model until DfE's own model
 * file is imported (`liia-bench import`), which then takes precedence. */
static int load_sn_model(sqlite3 *db, liia_error *e)
{
    return liia_db_exec(db, "DELETE FROM sn_model WHERE file_id = 0; "
        "INSERT INTO sn_model (model_year, file_id, dfe_la_number, rank, "
        "neighbour_dfe_la_number, closeness) SELECT 2025, 0, a.dfe_la_number, "
        "s.rank, s.neighbour_dfe_la_number, s.closeness FROM stat_neighbour s "
        "JOIN authority a ON a.gss_code = s.gss_code", e);
}

int liia_reference_published_population(sqlite3 *db, liia_error *e)
{
    return liia_db_exec(db, "INSERT INTO population (area_code, area_name, mid_year, "
        "count) SELECT p.area_code, coalesce(p.area_name, p.area_code), p.year, "
        "CAST(round(p.value) AS INTEGER) FROM published p WHERE p.kind = 'measure' "
        "AND p.measure = 'pop' AND p.value IS NOT NULL AND p.joint_code IS NULL "
        "ON CONFLICT (area_code, mid_year) DO UPDATE SET count = excluded.count", e);
}

static const char *json_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int load_measures(sqlite3 *db, const char *dir, liia_error *e)
{
    char *path = liia_path_join(dir, "measures.json");
    if (!path)
        return liia_fail(e, LIIA_E_NOMEM, "out of memory");
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    json_t *list = json_object_get(doc, "measures");
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (!json_is_array(list)) {
        liia_strlcpy(e->file, path, sizeof e->file);
        e->line = doc ? 0 : je.line;
        e->column = doc ? 0 : je.column;
        rc = liia_fail(e, LIIA_E_SCHEMA, "%s", doc ? "no \"measures\" array" : je.text);
    } else {
        rc = liia_db_prepare(db,
            "INSERT INTO measure_def (id, kind, unit, theme, title, definition, "
            "parent, sort_order) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULLIF(?7, ''), ?8) "
            "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, unit = excluded.unit, "
            "theme = excluded.theme, title = excluded.title, definition = "
            "excluded.definition, parent = excluded.parent, sort_order = excluded.sort_order",
            &st, e);
    }
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m) {
        if (rc)
            break;
        static const char *const keys[] = {"id", "kind", "unit", "theme", "title",
                                           "definition", "parent"};
        sqlite3_reset(st);
        for (int k = 0; k < 7; k++)
            sqlite3_bind_text(st, k + 1, json_str(m, keys[k]), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 8, (int)i + 1);
        if (sqlite3_step(st) != SQLITE_DONE) {
            liia_strlcpy(e->file, path, sizeof e->file);
            liia_error_set_value(e, json_str(m, "id"), strlen(json_str(m, "id")));
            rc = liia_db_fail(e, db, "measure rejected (check kind is flow|stock "
                              "and unit is count|fte)");
        }
    }
    sqlite3_finalize(st);
    json_decref(doc);
    free(path);
    return rc;
}

int liia_reference_load(sqlite3 *db, const char *schema_dir,
                        const char *groupings_path, liia_error *e)
{
    if (liia_db_begin(db, e))
        return -1;
    if (load_authorities(db, schema_dir, e) || load_population(db, schema_dir, e) ||
        load_neighbours(db, schema_dir, e) ||
        load_groupings(db, schema_dir, groupings_path, e) ||
        load_shared_services(db, schema_dir, e) ||
        load_measures(db, schema_dir, e) || load_areas(db, schema_dir, e) ||
        load_bank_holidays(db, schema_dir, e) ||
        load_sn_model(db, e) || liia_reference_published_population(db, e)) {
        liia_db_rollback(db);
        return -1;
    }
    return liia_db_commit(db, e);
}

/* A name as people write it, reduced to the words that identify the
 * authority: lower case, '&' as "and", punctuation dropped, and the
 * style ("London Borough of", "Royal Borough of", "City of", "Council")
 * taken off.  "City of London" keeps its "city of": "London" alone is not
 * an authority. */
static void name_key(const char *text, char *out, size_t outsz)
{
    char buf[160];
    size_t n = 0;
    for (const char *p = text; *p && n + 5 < sizeof buf; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '&') {
            if (n && buf[n - 1] != ' ')
                buf[n++] = ' ';
            memcpy(buf + n, "and ", 4);
            n += 4;
        } else if (isalnum(c)) {
            buf[n++] = (char)tolower(c);
        } else if (n && buf[n - 1] != ' ') {
            buf[n++] = ' ';
        }
    }
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    static const char *const prefixes[] = {"the ", "london borough of ", "royal borough of ",
                                           "borough of ", "lb ", "rb "};
    static const char *const suffixes[] = {" council", " london borough", " borough"};
    const char *b = buf;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncmp(b, prefixes[i], strlen(prefixes[i])))
            b += strlen(prefixes[i]);
    if (!strncmp(b, "city of ", 8) && strcmp(b + 8, "london"))
        b += 8;
    liia_strlcpy(out, b, outsz);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t ol = strlen(out), sl = strlen(suffixes[i]);
        if (ol > sl && !strcmp(out + ol - sl, suffixes[i]))
            out[ol - sl] = '\0';
    }
}

/* By name: the same name key, or the first words of exactly one name
 * ("Kingston" for Kingston upon Thames, "Richmond", "Hammersmith"). */
static int resolve_name(sqlite3 *db, const char *text, char gss[10], liia_error *e)
{
    char want[160], have[160];
    name_key(text, want, sizeof want);
    size_t wl = strlen(want);
    if (wl < 3)
        return 1;
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT gss_code, name FROM authority ORDER BY gss_code", &st, e))
        return -1;
    int rc, exact = 0, prefixes = 0;
    char prefix_gss[10] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !exact) {
        name_key((const char *)sqlite3_column_text(st, 1), have, sizeof have);
        const char *code = (const char *)sqlite3_column_text(st, 0);
        if (!strcmp(want, have)) {
            exact = 1;
            liia_strlcpy(gss, code, 10);
        } else if (!strncmp(want, have, wl) && have[wl] == ' ') {
            prefixes++;
            liia_strlcpy(prefix_gss, code, sizeof prefix_gss);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return liia_db_fail(e, db, "looking up authority");
    if (exact)
        return 0;
    if (prefixes != 1)
        return 1;
    liia_strlcpy(gss, prefix_gss, 10);
    return 0;
}

int liia_authority_resolve(sqlite3 *db, const char *text, char gss[10],
                           liia_error *e)
{
    sqlite3_stmt *st;
    if (liia_db_prepare(db, "SELECT gss_code FROM authority WHERE "
                        "gss_code = upper(trim(?1)) OR short_code = upper(trim(?1)) "
                        "OR CAST(dfe_la_number AS TEXT) = trim(?1)", &st, e))
        return -1;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        liia_strlcpy(gss, (const char *)sqlite3_column_text(st, 0), 10);
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return liia_db_fail(e, db, "looking up authority");
    if ((rc = resolve_name(db, text, gss, e)) <= 0)
        return rc;
    /* The message quotes the sanitised value: the text may hold control
     * characters.  Usage: an authority is almost always an argument (--la);
     * a file's la_code cell turns this into its own finding. */
    liia_error_set_value(e, text, strlen(text));
    liia_error_fix(e, "give the authority as its GSS code (E09000007), DfE "
                      "number (202), 3-letter code (CAM) or name (Camden, London "
                      "Borough of Camden); 'liia-bench status' lists all 33");
    return liia_fail(e, LIIA_E_USAGE, "'%s' is not one of the 33 London authorities",
                     e->value);
}
