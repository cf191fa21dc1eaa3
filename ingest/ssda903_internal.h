/* ssda903_internal.h - the compiled SSDA903 schema, shared by the loader,
 * the rule evaluator and the ingest driver.  Strings point into the JSON
 * documents the schema keeps alive. */
#ifndef LIIA_SSDA903_INTERNAL_H
#define LIIA_SSDA903_INTERNAL_H

#include <regex.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include <jansson.h>
#include "liia_core.h"

/* S903_DATETIME (yyyy-mm-ddThh:mm:ss), S903_BOOL (true/false/1/0, stored
 * 1/0) and S903_INT (digits, stored as an integer): the XML returns'.
 * S903_PDATE: DfE's partial date (dd/mm/yyyy, ZZ for an unknown day or
 * month, ZZZZ for an unknown year), stored as sent, read by rules as the
 * date DfE's validator makes of it (s903_parse_pdate); never a cell
 * finding of its own: the rule that reads it says what is wrong. */
enum s903_type { S903_CHILD, S903_CODE, S903_DATE, S903_UPN, S903_POSTCODE, S903_TEXT,
                 S903_DATETIME, S903_BOOL, S903_INT, S903_PDATE };

/* A part's stored columns travel to the writer thread with a 64-bit null
 * mask (ssda903_writer.h); the exists bits of a child hold a bit per part. */
#define S903_MAX_STORED 64
#define S903_MAX_PARTS 27

/* A stored SSDA903 row's key is submission_id << 32 | line (migration
 * 006): the rows of submission ?1 are this key range, and row ?2 of
 * submission ?1 is this key. */
#define S903_ROWS_OF_SUBMISSION "id BETWEEN (?1 << 32) AND (?1 << 32) + 4294967295"
#define S903_ROW_KEY "((?1 << 32) + ?2)"
#define S903_MAX_LINE 4294967295L
/* PCRE2's match limit for a rule's "matches" (its backtracking steps on
 * one cell), past which glibc's matcher answers: s903_cond_eval_rows */
#define S903_PCRE2_LIMIT 100000

struct s903_codes {
    const char **codes;  /* sorted (messages list them in order) */
    size_t n;
    uint32_t *slots;     /* open-addressing set: index + 1 into codes */
    size_t nslots;       /* a power of two, at least 2n */
};

enum s903_pii { PII_NONE, PII_HMAC, PII_MONTH, PII_SECTOR, PII_DROP };

/* "identifies": a cell that says which authority or collection year the
 * whole file is for (the CIN header's LEA, Year, ReferenceDate): blank or
 * not --la's / --period's rejects the file (<rule_prefix>-LA, -YEAR).
 * "activity": a date column whose dates show the year (SSDA903's DECOM
 * and DEC): a table of S903_ACTIVITY_MIN_ROWS rows or more with none of
 * them in --period's collection year is another year's extract (-YEAR). */
enum s903_identifies { ID_NONE, ID_LA, ID_YEAR, ID_ACTIVITY };

/* Fewer rows than this may all lie outside the year in a real return (a
 * few children looked after all year without a move): not judged. */
#define S903_ACTIVITY_MIN_ROWS 50

struct s903_col {
    const char *name;
    enum s903_type type;
    int required;          /* blank is a finding */
    enum s903_pii pii;     /* how an identifying value is reduced; any
                            * mode masks the value in stored findings */
    int optional_column;   /* the column may be absent from the file */
    int degrade_month;     /* pii month: store the first of the month */
    const char *rule;      /* code reported when the cell is invalid */
    const char *store;     /* column of the store table, NULL = dropped */
    struct s903_codes codes;
    const json_t *map;     /* code -> stored code (codelists.json "maps":
                            * a list renamed across years), or NULL */
    int given;             /* the reader makes the value ("inherit",
                            * "ordinal"): checked, never reported (its
                            * source was) */
    int upn_no_unknown;    /* "un_codes": false: UN1-UN5 are not a UPN
                            * (the return has its own UPNunknown item) */
    enum s903_identifies identifies;  /* what the file says it is for */
};

/* Operand of a date comparison: a column, the collection year's start or
 * the period end, a fixed date, or (measures only) the quarter's first and
 * last day and the first day of the 12 months ending with the quarter. */
enum s903_opnd { OP_COL, OP_START, OP_END, OP_DATE, OP_QS, OP_QE, OP_Y1 };

enum s903_kind { C_ALL, C_ANY, C_NOT, C_PRESENT, C_BLANK, C_IN, C_EXISTS,
                 C_EQUALS, C_MATCHES, C_COUNT, C_DATED, C_EARLIER, C_WORKDAYS,
                 C_WEEKDAY, C_REPEATED, C_BEFORE, C_AFTER, C_SAME, C_ON_OR_BEFORE, C_ON_OR_AFTER };

/* Which record of the child a column reference reads (rules.md: "DEC",
 * "prev.DEC", "next.DECOM", "header.DOB"): the row itself, the child's
 * record before or after it in the same part (episodes: in DECOM order,
 * dated episodes only; header: in file order), the child's first
 * header record, and (episodes only) the record two before, the child's
 * first and last dated records ("prev2.", "first.", "last."). */
enum s903_ref { REF_CUR, REF_PREV, REF_NEXT, REF_HEADER, REF_PREV2, REF_FIRST, REF_LAST,
                REF_OUTER, REF_PFIRST, REF_PLAST, REF_COUNT };
/* REF_OUTER ("outer.COL"): inside an aggregate (over any part), the
 * record the rule is on (the counted record is the row).  REF_PFIRST,
 * REF_PLAST ("period_first.COL", "period_last.COL"): on a part with
 * "period_end", the first and last record of the record's period (its
 * run of dated records each starting on or before the previous one's
 * end); read in aggregates too. */

/* What {"exists": X} asks: bit REF_PREV/REF_NEXT/REF_HEADER as above, or
 * that the child has a record in the named part (EX_PART + part index). */
#define S903_EX_PART 8

/* The fields every evaluation reads come first, in one cache line: a
 * rule's condition is a tree of these walked for every row (perf showed
 * the walk waiting on its nodes' memory). */
struct s903_cond {
    enum s903_kind kind;
    int col;                       /* column index in its row's table */
    int ref;                       /* enum s903_ref of col */
    enum s903_opnd op;
    int op_col, op_ref;
    /* C_WEEKDAY: bit 0 Monday .. bit 6 Sunday.  C_IN on a code column of
     * at most 64 codes: bit i set when the
     * column's code i is in the list, so a checked cell (s903_cell.code)
     * is answered without looking its text up again */
    uint64_t code_bits;
    struct s903_cond *kids;        /* C_ALL, C_ANY, C_NOT; C_COUNT: where */
    uint32_t nkids;
    int exists;                    /* C_EXISTS: a bit number (above) */
    int32_t op_ymd;                /* op_date as yyyymmdd (OP_DATE) */
    unsigned char has_code_bits;
    unsigned char shifted;         /* op_years, op_months or op_days set */
    unsigned char quarterly;       /* it (or a condition in it) reads $qs,
                                    * $qe or $y1: s903_cond_mask_rows asks
                                    * it per quarter (set for measures) */
    /* C_COUNT ({"some"/"none"/"count": part, "where": C}): holds when the
     * number of the child's records in the part meeting kids[0] is within
     * [at_least, at_most]; part -1 is the rule's own part, else another
     * part's index (a cross rule) */
    int part;
    /* {"first" | "last": part, "where": C, "holds": C2} (C_COUNT, 1 first,
     * 2 last): the first or last of the child's records in the part's
     * order meeting kids[0] meets kids[1]; 0 for a count */
    int pick;
    /* C_WORKDAYS ({"working_days": [COL, COL2], "at_most"/"at_least": N}):
     * the working days after col up to and including op_col (England's,
     * s903_dates.cal) are within [at_least, at_most]; false when either
     * is not a date or the bank holidays do not cover its year */
    int op_years, op_months, op_days; /* added to the operand */
    int op_wdays;                  /* then England's working days (+Nwd: the
                                    * Nth working day after; -Nwd before) */
    long at_least, at_most;
    char op_date[11];
    /* C_MATCHES: the pattern (POSIX extended, anchored by the rule
     * writer) compiled by PCRE2 (JIT) and its match data, the evaluation's
     * scratch as seen is; by glibc too, for a cell on which PCRE2 would
     * backtrack past its limit (s903_cond_eval_rows) */
    pcre2_code *re;
    pcre2_match_data *md;
    pcre2_match_context *limit;
    regex_t *posix;
    /* C_REPEATED ({"repeated": COL}): the values of the column met so far
     * in the file, held for the one pass over it (an XML return's row
     * rules: each record is checked once, in file order) */
    struct s903_seen *seen;
    struct s903_codes codes;       /* C_IN */
};

/* When a rule runs.  ROW: on each row as it is read, values as received.
 * CHILD: in the per-child pass, values as stored (dates of birth to the
 * month), with the child's other records.  END: a header rule that asks
 * whether the child has records in a part read later; it sees no cells,
 * only what exists.  CROSS: a rule reading the child's records of
 * another part ("some": PART over another part) or, on a part streamed
 * before the others, asking what the child has in them: where a return's
 * parts come as separate files (SSDA903) it runs once every part is
 * read, in the cross-part pass over every child (ssda903_cross.c);
 * where a child's records come together (CIN) in the child's pass. */
enum s903_when { W_ROW, W_CHILD, W_END, W_CROSS, W_FILE };

/* A file rule's number ("scope": "file"): a constant, a count of the
 * file's records meeting a condition or of the distinct values of a
 * column among them (a term, counted in the child's pass: schema fterms),
 * a sum, or a share (the first over the second; 0 of 0 is 0). */
enum s903_fkind { F_NUM, F_TERM, F_SUM, F_SHARE };

struct s903_fnum {
    enum s903_fkind kind;
    double num;                    /* F_NUM */
    int term;                      /* F_TERM: index into schema fterms */
    struct s903_fnum *kids;        /* F_SUM, F_SHARE (two) */
    size_t nkids;
};

/* One comparison of a file rule: a op b (op: C_BEFORE less than,
 * C_ON_OR_BEFORE at most, C_AFTER more than, C_ON_OR_AFTER at least,
 * C_SAME equal). */
struct s903_fcmp {
    enum s903_kind op;
    struct s903_fnum ab[2];
};

/* A term of the file rules: {"count": PART, "where": C} or {"distinct":
 * "PART.COL", "where": C}, C a rule condition on PART's records as stored
 * (schema mrules, run in the child's pass).  The counts are the run's
 * (the schema is loaded for one submission). */
struct s903_fterm {
    int table;
    int col;                       /* distinct: the column; -1 a count */
    long count;
    struct s903_seen *seen;        /* distinct: the values met */
};

struct s903_rule {
    const char *code, *message, *fix;
    liia_severity severity;
    int table;                     /* index into schema tables */
    int col;                       /* reported column */
    enum s903_when when;
    struct s903_cond cond;         /* row and child rules */
    const char *sql;               /* SQL rules */
    int measure;                   /* a measure's condition (schema mrules):
                                    * the measure's index; a file term's:
                                    * -1 - the term's index */
    /* W_FILE ("scope": "file"): judged once the file is read: every
     * comparison holds */
    struct s903_fcmp *fcmps;
    size_t nfcmps;
    int needs;                     /* "needs": PART: runs only when that
                                    * part's file was sent, even with no
                                    * rows (DfE's "when the table is
                                    * given"), in the cross-part pass;
                                    * -1: always */
};

struct s903_ruleset;

/* What a part is to the per-child pass (tables.json "role"): the one
 * record a child has in the return's child part ("role": "child", what
 * rules call header.COL), the part whose records the pass holds per child
 * and orders ("order_by": COL), or any other part (rows seen one at a
 * time, known to the child's rules through 'exists'). */
enum s903_role { ROLE_PART, ROLE_CHILD, ROLE_ORDERED };

struct s903_table {
    const char *name, *store;
    const char *element;           /* XML: its element path, else NULL */
    int required;                  /* its file (CSV) given, and a row in it */
    int identifies;                /* a column "identifies" the file */
    enum s903_role role;
    int order_col;                 /* ROLE_ORDERED: the column it is ordered by */
    /* "cross_order_by": [COL, COL2]: a part of a return sent as several
     * files, ordered per child in the cross-part pass only: by COL, then
     * COL2 (dates, blank last), then line; every record has neighbours
     * (prev./next. in its cross rules).  -1: none */
    int cross_order[2];
    /* "period_end": COL (an ordered part's date column): its dated records
     * chain into periods (period_first., period_last.); -1: none */
    int period_col;
    struct s903_col *cols;         /* owned by the schema */
    size_t ncols;
    /* header columns the child rules read (header.COL): kept per child */
    int *hcols;
    size_t nhcols;
    /* the table's row rules and child rules (ssda903_rules.c), and its
     * cross rules */
    struct s903_ruleset *row_set, *child_set, *cross_set;
    /* the "count" measures' conditions on the part (NULL: none) */
    struct s903_ruleset *measure_set;
    /* the cross-part pass: whether it holds the table's records (a cross
     * rule is on it or counts them, or reads the child's record), and
     * which of its columns it keeps (bit per column; the reported
     * columns and those the cross rules read) */
    int cross_keep;
    uint64_t cross_cols;
};

/* A measure counts the children for whom every one of its terms holds.  A
 * term is a condition on one of the child's episode (or uasc) rows; it
 * holds when at least at_least of those rows meet it.  Identical terms of
 * different measures are one term, evaluated once per row and quarter. */
#define S903_MAX_TERMS 32
#define S903_MAX_QUARTERS 4

struct s903_term {
    int table;                     /* schema table index */
    struct s903_cond cond;
    json_t *json;                  /* the condition, to find duplicates */
};

struct s903_measure_term {
    int term;                      /* index into schema terms */
    int at_least;
};

/* A measure of a return whose child's records come together (the CIN
 * census) may instead count records ("count": "records") or children
 * ("count": "children") meeting the conditions of its "of" list, each a
 * rule condition on one part (schema mrules, run in the child's pass for
 * every quarter). */
enum s903_count { S903_COUNT_TERMS, S903_COUNT_RECORDS, S903_COUNT_CHILDREN };

struct s903_measure {
    const char *measure;
    enum s903_count count;
    int requires;                  /* a part whose file must be given, -1 none */
    struct s903_measure_term terms[8];
    size_t nterms;
};

struct s903_schema {
    json_t *docs[3];
    json_t **rule_docs;            /* one per file of rules/ */
    size_t nrule_docs;
    struct s903_table *tables;     /* owned, ntables of them */
    size_t ntables;
    size_t *load_order;            /* table indexes, "after" respected */
    int child_table, ordered_table;  /* -1 when the schema has none */
    struct s903_rule *rules;       /* row rules then SQL rules */
    size_t nrules;
    struct s903_measure *measures;
    size_t nmeasures;
    struct s903_term terms[S903_MAX_TERMS];
    size_t nterms;
    struct s903_rule *mrules;      /* the "count" measures' conditions, and
                                    * the file rules' terms' */
    size_t nmrules, capmrules;
    struct s903_fterm *fterms;     /* the file rules' terms */
    size_t nfterms, capfterms;
    int year;                      /* collection year's ending year */
    /* tables.json "dates": "iso": dates are yyyy-mm-dd only (an XML date,
     * a time zone suffix ignored), not also dd/mm/yyyy */
    int iso_dates;
    /* "key": "record": a stored row's key is the record's number within
     * its part (several records may share a line of an XML file) and its
     * line is a column; otherwise the key is the line (migration 006) */
    int key_record;
    /* "withhold_pii": a finding on an identifying column never shows its
     * value, not even to the authority's own output */
    int withhold_pii;
    /* "rule_prefix": the return's own structural rule ids are
     * <prefix>-EMPTY, -LA, -YEAR (default LIIA-903) */
    const char *rule_prefix;
    /* "format": "xml" (parts are elements of one file), else CSV tables */
    int xml;
};

/* Loads schemas/ssda903/ for the collection year ending in fy_end_year:
 * tables.json, codelists.json, every .json file of rules/ whose years include it,
 * measures.json.  fy_end_year 0: the tables' columns only (recognising a
 * file needs no year). */
int s903_schema_load(const char *dir, int fy_end_year, struct s903_schema *s,
                     liia_error *e);
/* The same for any child-level return: dir is its schema folder
 * (schemas/<return>, with tables.json, codelists.json, rules/,
 * measures.json); the engine knows nothing else of the return. */
int s903_schema_load_return(const char *dir, int fy_end_year, struct s903_schema *s,
                            liia_error *e);
void s903_schema_free(struct s903_schema *s);

struct liia_signature;
/* 1 when a file with this signature (reader.h) is one of the schema's:
 * an XML file whose root element and collection are the schema's
 * "signature"; a CSV header covering at least half of one part's columns,
 * its child identifier (the column of type child) among them. */
int s903_schema_recognises(const struct s903_schema *s, const struct liia_signature *sig);

/* ssda903_codes.c: builds the hash set over c->codes (sorted, n set). */
int s903_codes_build(struct s903_codes *c, liia_error *e);
int s903_codes_has(const struct s903_codes *c, const char *v);
/* Index + 1 of v in c->codes, 0 if it is not one of them. */
int s903_codes_index(const struct s903_codes *c, const char *v);
int s903_table_index(const struct s903_schema *s, const char *name);
int s903_col_index(const struct s903_table *t, const char *name);

/* A cell of the row being validated: raw (trimmed) text and, for a valid
 * date, its ISO form. */
struct s903_cell {
    const char *raw;
    size_t len;
    int ok;                        /* passed its cell check */
    int month;                     /* a date known to the month only (stored
                                    * as its first day): comparisons hold
                                    * only when they hold for every day */
    char iso[11];
    int32_t ymd;                   /* iso as yyyymmdd, read once: 0 when iso
                                    * is empty or was not converted (whoever
                                    * writes iso zeroes it; s903_cell_ymd) */
    int code;                      /* code columns: index + 1 in the column's
                                    * list, 0 when unknown or not looked up */
};

struct liia_calendar;

struct s903_dates {
    char start[11], end[11];       /* collection year start, period end */
    char qs[11], qe[11], y1[11];   /* a quarter's bounds (measures only) */
    int32_t qs_n, qe_n, y1_n;      /* the same as yyyymmdd, 0 = not set */
    int32_t start_n, end_n;
    const struct liia_calendar *cal;  /* working days (C_WORKDAYS); NULL: none known */
};

/* The records a child rule sees (NULL: no such record; its cells read
 * as blank) and the exists bits (S903_EX_PART + part: the child has a
 * record in that part). */
struct s903_part_recs {
    const struct s903_cell *const *rec;  /* in the part's order */
    size_t n;
    /* a part with "period_end": each record's period's first and last
     * record (indexes into rec; UINT32_MAX: undated, no period), else
     * NULL */
    const uint32_t *pfirst, *plast;
};

/* Fills pfirst/plast of recs (n records in order, the first ndated dated
 * by start_col): a record starts a new period when its start is after
 * the previous record's end_col (a blank end continues the period). */
void s903_periods(const struct s903_cell *const *rec, size_t n, size_t ndated,
                  int start_col, int end_col, uint32_t *pfirst, uint32_t *plast);

struct s903_rows {
    const struct s903_cell *row[REF_COUNT];
    uint32_t exists;
    const struct s903_cell *const *all;  /* every record of the child in the
                                          * part (C_COUNT), nall of them */
    size_t nall;
    const uint32_t *pfirst, *plast;      /* of all (struct s903_part_recs) */
    /* cross rules: the child's records of every part, by table index
     * (NULL outside the cross-part pass: no records) */
    const struct s903_part_recs *other;
    size_t at1;                          /* 1 + row[REF_CUR]'s index in all,
                                          * 0 when not among them */
    int earlier;                         /* inside an aggregate over the
                                          * rule's own part: the counted
                                          * record comes before the rule's */
};

/* 1 when the row breaks the rule's condition (a row rule: the row only). */
int s903_cond_eval(const struct s903_cond *c, const struct s903_cell *cells,
                   const struct s903_dates *d);
/* The same for a child rule. */
int s903_cond_eval_rows(const struct s903_cond *c, const struct s903_rows *rows,
                        const struct s903_dates *d);

/* A set of texts met in one pass over a file ({"repeated": COL}, a file
 * rule's distinct values, the children a measure counted): add answers 1
 * when v was added before, else adds it (0; also when memory runs out: a
 * repeat is then missed, never invented).  A set made with_values keeps a
 * number a text, 0 when new: s903_seen_value adds v if need be and points
 * at its number (until the next add), NULL when memory runs out.  The
 * texts are wiped on free: they may be identifiers (UPN, LAchildID). */
struct s903_seen *s903_seen_new(int with_values);
int s903_seen_add(struct s903_seen *s, const char *v, size_t n);
uint64_t *s903_seen_value(struct s903_seen *s, const char *v, size_t n);
void s903_seen_free(struct s903_seen *s);

/* A table's rules of one phase (W_ROW or W_CHILD), indexed by the codes
 * of the row itself that rule them out. */
struct s903_ruleset *s903_ruleset_new(const struct s903_schema *s, int table,
                                      enum s903_when when, liia_error *e);
/* The same over rules[0..n) on table, whatever their phase (the measures'
 * conditions, schema mrules). */
struct s903_ruleset *s903_ruleset_of(const struct s903_schema *s, int table,
                                     const struct s903_rule *rules, size_t n, liia_error *e);
void s903_ruleset_free(struct s903_ruleset *rs);
size_t s903_ruleset_size(const struct s903_ruleset *rs);
/* Calls fn for each rule of rs that holds for rows (row[REF_CUR] given),
 * in file order; -1 as soon as fn fails. */
typedef int (*s903_hit_fn)(void *ctx, const struct s903_rule *r);
int s903_ruleset_run(const struct s903_ruleset *rs, const struct s903_rows *rows,
                     const struct s903_dates *d, s903_hit_fn fn, void *ctx);

/* Bit q: the condition holds for rows with dates[q] (q < nq <= 32); a
 * condition not quarterly is evaluated once.  A rule set's rules that
 * hold in some quarter: fn(ctx, r, quarters) with their bits. */
uint32_t s903_cond_mask_rows(const struct s903_cond *c, const struct s903_rows *rows,
                             const struct s903_dates *dates, size_t nq);
typedef int (*s903_quarters_fn)(void *ctx, const struct s903_rule *r, uint32_t quarters);
int s903_ruleset_run_quarters(const struct s903_ruleset *rs, const struct s903_rows *rows,
                              const struct s903_dates *dates, size_t nq,
                              s903_quarters_fn fn, void *ctx);

/* Bit q: the condition holds with dates[q] (q < nq <= 32). */
uint32_t s903_cond_mask(const struct s903_cond *c, const struct s903_cell *cells,
                        const struct s903_dates *dates, size_t nq);

/* The ISO date of a yyyymmdd value (from s903_ymd). */
void s903_iso_of_ymd(int32_t ymd, char iso[11]);
/* yyyymmdd of an ISO date (no check: the date is already valid). */
int32_t s903_ymd(const char *iso);

/* A cell's date as yyyymmdd (0: none): converted where the cell was made
 * when that was cheap, else from its iso here. */
static inline int32_t s903_cell_ymd(const struct s903_cell *c)
{
    return c->ymd ? c->ymd : c->iso[0] ? s903_ymd(c->iso) : 0;
}

/* Parses dd/mm/yyyy or yyyy-mm-dd into ISO; -1 if not a real date. */
int s903_parse_date(const char *s, size_t len, char iso[11]);
/* Parses a partial date (S903_PDATE) into the ISO date it stands for;
 * -1 if it is not one. */
int s903_parse_pdate(const char *s, size_t len, char iso[11]);
/* yyyymmdd plus years, months (day clipped to the month's end: 29 Feb
 * + 1y = 28 Feb) and days; 0 when the result is out of range. */
int32_t s903_ymd_add(int32_t ymd, int years, int months, int days);
/* The day of the week of ymd: 0 Monday .. 6 Sunday. */
int s903_ymd_weekday(int32_t ymd);
/* The last day of ymd's month. */
int32_t s903_ymd_month_end(int32_t ymd);

#endif
