/*
 * quarterly_internal.h - the quarterly return compiled from
 * schemas/quarterly.json, schemas/measures.json and schemas/rules/.  Every
 * string points into the JSON documents the schema keeps alive.
 */
#ifndef LIIA_QUARTERLY_INTERNAL_H
#define LIIA_QUARTERLY_INTERNAL_H

#include <jansson.h>
#include "ingest_internal.h"

/* ---------------------------------------------------------------- values */

enum q_type {
    QT_AUTHORITY, QT_PERIOD, QT_CODE, QT_INTEGER, QT_DECIMAL, QT_TEXT,
    QT_DATE, QT_POSTCODE, QT_UNIT, /* QT_UNIT: the measure's unit decides */
};

enum q_parse {
    QP_OK = 0, QP_MALFORMED, QP_NEGATIVE, QP_TOO_MANY_DP, QP_TOO_LARGE,
};

/* Numbers as the data lead types them: digits, optional sign and (for
 * decimals) a point; surrounding spaces are the caller's to trim. */
enum q_parse q_parse_number(const char *s, size_t len, int max_dp,
                            double min, double *out);
/* dd/mm/yyyy into ISO yyyy-mm-dd; -1 unless a real date. */
int q_parse_date(const char *s, size_t len, char iso[11]);
/* A UK postcode, normalised to upper case with one space; -1 if not one. */
int q_parse_postcode(const char *s, size_t len, char out[9]);
/* Leading/trailing blanks off: adjusts *s and *len. */
void q_trim(const char **s, size_t *len);

/* ---------------------------------------------------------------- schema */

/* Structural checks: the JSON keys of "checks", in this order. */
enum q_check {
    QC_EMPTY_FILE, QC_NO_ROWS, QC_UNKNOWN_COLUMN, QC_MISSING_COLUMN,
    QC_DUPLICATE_COLUMN, QC_RAGGED_ROW, QC_UNREADABLE, QC_CONVERTED_CP1252,
    QC_BLANK_REQUIRED, QC_UNKNOWN_AUTHORITY, QC_BAD_PERIOD,
    QC_TWO_AUTHORITIES, QC_TWO_PERIODS, QC_AUTHORITY_MISMATCH,
    QC_PERIOD_MISMATCH, QC_UNKNOWN_MEASURE, QC_DUPLICATE_MEASURE,
    QC_MALFORMED_VALUE, QC_NEGATIVE_VALUE, QC_TOO_MANY_DECIMALS,
    QC_NOT_SUPPLIED, QC_TOO_LONG, QC_VALUE_TOO_LARGE, QC_PERIOD_RANGE,
    QC_IGNORED_EMPTY, QC_MEASURE_VARIANT, QC_COLUMN_VARIANT,
    QC_SUPPRESSED_VALUE,
    QC_COUNT
};

extern const char *const q_check_names[QC_COUNT];

struct q_message {
    const char *id, *message, *fix;
    liia_severity severity;
};

enum q_role { QR_NONE, QR_AUTHORITY, QR_PERIOD, QR_KEY, QR_VALUE, QR_NOTE };

#define Q_MAX_COLS 16

struct q_column {
    const char *name;
    enum q_type type;
    enum q_role role;
    int required;          /* a blank cell is an error */
    int optional_column;   /* the column may be absent */
    int max_length;        /* text; 0 = no limit */
    int max_dp;            /* decimal */
};

struct q_measure {
    const char *id, *kind, *unit, *theme, *title, *definition;
    int parent;            /* index, -1 = none */
    enum q_type type;      /* integer or decimal, from the unit */
    int max_dp;
    double min;
};

enum q_rule_kind { QK_LE, QK_PARENT_LE, QK_IMPLAUSIBLE, QK_STOCK_FLOW };

#define Q_MAX_TERMS 8

struct q_rule {
    struct q_message msg;
    enum q_rule_kind kind;
    int left[Q_MAX_TERMS], right[Q_MAX_TERMS];
    size_t nleft, nright;
    const char *measure_kind;      /* implausible_change */
    double threshold, minimum;     /* implausible_change */
    int stock, inflow, outflow;    /* stock_flow */
    double relative, absolute;     /* stock_flow */
};

struct q_schema {
    json_t *doc, *measures_doc, *rules_doc;
    const char *id, *title;
    struct q_column cols[Q_MAX_COLS];
    size_t ncols;
    const char *recognise[4];
    size_t nrecognise;
    struct q_measure *measures;
    size_t nmeasures;
    struct q_rule *rules;
    size_t nrules;
    struct q_message checks[QC_COUNT];
    char expected_header[256];     /* "la_code,period,measure,value,note" */
};

/* Loads quarterly.json with the catalogue and rules it names.  Every
 * reference (measure ids, parents, check names) is resolved here, so a
 * typo in schemas/ fails loudly at load, not silently at ingest. */
int q_schema_load(const char *dir, struct q_schema *s, liia_error *e);
void q_schema_free(struct q_schema *s);
int q_measure_index(const struct q_schema *s, const char *id, size_t len);
int q_column_index(const struct q_schema *s, const char *name, size_t len);
/* The measure or column a variant spelling means: case, spaces, hyphens
 * and underscores ignored ("CLA AT END", "Contacts"; "LA Code"), and for
 * columns a plural ("Notes").  -1 if none. */
int q_measure_variant(const struct q_schema *s, const char *id, size_t len);
int q_column_variant(const struct q_schema *s, const char *name, size_t len);
/* The catalogue id nearest to id by edit distance (Damerau-Levenshtein,
 * case ignored), if near enough to be a likely typo; -1 otherwise. */
int q_measure_nearest(const struct q_schema *s, const char *id, size_t len);
/* 1 if the value is a mark used for suppressed cells (c, x, n/a, -, ..). */
int q_suppression_mark(const char *s, size_t len);

/* ---------------------------------------------------------------- rules */

/* The values of one file (or one stored quarter), indexed like
 * s->measures. */
struct q_values {
    double *v;
    unsigned char *has;    /* 1 = supplied */
    long *line;            /* line of the row; 0 = absent */
};

int q_values_alloc(struct q_values *qv, size_t n);
void q_values_free(struct q_values *qv);

/* Where a rule's findings go. */
struct q_sink {
    liia_findings *findings;
    const char *file;
    long value_col;        /* 1-based column of "value", for locations */
};

/* Checks every rule; prev (the previous quarter's accepted values) may be
 * NULL, and then rules that need it are skipped.  -1 only on ENOMEM. */
int q_rules_check(const struct q_schema *s, const struct q_values *cur,
                  const struct q_values *prev, const char *prev_period,
                  const struct q_sink *sink);

/* Fills {name} placeholders of tmpl from keys/vals; unknown names are
 * left as written. */
void q_expand(char *out, size_t outsz, const char *tmpl,
              const char *const *keys, const char *const *vals, size_t n);

/* Adds a finding for a schema message with placeholders expanded. */
int q_report(liia_findings *f, const struct q_message *m, const char *file,
             long line, long col, const char *column_name, const char *value,
             const char *const *keys, const char *const *vals, size_t n)
    LIIA_MUST_CHECK;

#endif /* LIIA_QUARTERLY_INTERNAL_H */
