/*
 * liia_core.h - what every layer of liia-bench shares: the one error type,
 * exit statuses, periods and authorities, the CSV reader and the store.
 *
 * Conventions (as in git and jansson): functions that can fail return 0 on
 * success and -1 on failure after filling the caller's liia_error; only main
 * prints.  Objects come in _open/_new and _close/_free pairs, and every _free
 * accepts NULL.
 */
#ifndef LIIA_CORE_H
#define LIIA_CORE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sqlite3.h>

#if defined(__GNUC__)
#define LIIA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LIIA_MUST_CHECK __attribute__((warn_unused_result))
#else
#define LIIA_PRINTF(f, a)
#define LIIA_MUST_CHECK
#endif

/* ---------------------------------------------------------------- errors */

/* The process exit codes of the brief; liia_status values map onto them. */
enum liia_exit {
    LIIA_EXIT_OK = 0,
    LIIA_EXIT_REJECTED = 1, /* data rejected by validation */
    LIIA_EXIT_USAGE = 2,
    LIIA_EXIT_RUNTIME = 3,  /* I/O, database */
};

typedef enum liia_status {
    LIIA_OK = 0,
    LIIA_E_USAGE,   /* bad command line or argument */
    LIIA_E_DATA,    /* the input breaks a rule: rejected */
    LIIA_E_IO,      /* cannot read or write a file */
    LIIA_E_DB,      /* SQLite failed */
    LIIA_E_SCHEMA,  /* schemas/ or reference data malformed */
    LIIA_E_NOMEM,
    LIIA_E_INTERRUPTED,
    LIIA_STATUS_COUNT
} liia_status;

typedef enum liia_severity {
    LIIA_SEV_ERROR = 0,
    LIIA_SEV_WARNING = 1,
    LIIA_SEV_INFO = 2,
} liia_severity;

/*
 * One error type for every layer.  A validation finding is the same struct:
 * where it happened (file, table, line, column), the offending value, the
 * rule that caught it, what is wrong in plain English and what to do.
 * Empty strings and zero line/column mean "not applicable".
 */
typedef struct liia_error {
    liia_status status;
    liia_severity severity;
    char file[256];
    char table[32];      /* for multi-table returns, e.g. "episodes" */
    long line;           /* 1-based physical line of the record's start */
    long column;         /* 1-based field number */
    char column_name[64];
    long record;         /* 1-based record number within its part, 0 = n/a */
    /* where inside a structured file: an XML element path such as
     * "/Message/Children/Child[12]/CINdetails[1]/Assessments[2]", or an
     * xlsx sheet and cell such as "Episodes!C14"; empty for CSV */
    char path[192];
    char value[128];     /* offending value, truncated with "..." if long */
    /* the child's own id as the sender wrote it (SSDA903 CHILD), when the
     * finding is about one child and the raw id was in memory: it goes
     * back to the sender only (terminal, --json, --report-dir, the portal's
     * answer to the upload) and is never stored (docs/ssda903.md) */
    char child_id[48];
    char rule_id[32];    /* stable id, e.g. QBR-R012 or DfE code 103 */
    char message[512];
    char fix[384];       /* what the user should do about it */
} liia_error;

/* Resets e to "no error". */
void liia_error_clear(liia_error *e);

/* Sets status and message (printf-style) and returns -1 so callers can write
 * `return liia_fail(e, LIIA_E_IO, "cannot open %s", path);`.  Location
 * fields already set on e are kept. */
int liia_fail(liia_error *e, liia_status status, const char *fmt, ...)
    LIIA_PRINTF(3, 4);

/* Fills the "what to do" part. printf-style. */
void liia_error_fix(liia_error *e, const char *fmt, ...) LIIA_PRINTF(2, 3);

/* Copies value into e->value, replacing control characters and truncating
 * long values with "..." so a 10 MB field never lands in a message. */
void liia_error_set_value(liia_error *e, const char *value, size_t len);
/* The same for e->child_id. */
void liia_error_set_child_id(liia_error *e, const char *id, size_t len);

const char *liia_status_name(liia_status s);
int liia_status_exit_code(liia_status s);

/* "file:line:col: error: message [rule] (value "x")\n  fix: ..." */
void liia_error_print(FILE *out, const liia_error *e);

/* A growable list of findings (errors and warnings) owned by the list. */
typedef struct liia_findings {
    liia_error *items;
    size_t count, cap;
    size_t errors, warnings;
} liia_findings;

void liia_findings_init(liia_findings *f);
void liia_findings_free(liia_findings *f);
/* Appends a copy; returns -1 only when out of memory. */
int liia_findings_add(liia_findings *f, const liia_error *e) LIIA_MUST_CHECK;

/* ---------------------------------------------------------------- strings */

/* Growable NUL-terminated buffer (git's strbuf): data is never NULL after
 * init; detach hands ownership to the caller. Appends return -1 on ENOMEM. */
typedef struct liia_buf {
    char *data;
    size_t len, cap;
} liia_buf;

void liia_buf_init(liia_buf *b);
void liia_buf_free(liia_buf *b);
void liia_buf_reset(liia_buf *b);
int liia_buf_append(liia_buf *b, const void *p, size_t n) LIIA_MUST_CHECK;
/* Makes the buffer n bytes longer (NUL-terminated after them) and returns
 * where those n bytes start, for the caller to fill: one growth check for
 * many small pieces.  NULL on ENOMEM (the buffer unchanged). */
char *liia_buf_extend(liia_buf *b, size_t n) LIIA_MUST_CHECK;
/* An array p of *cap elements of elem bytes with room for need: p itself
 * when it has, else p reallocated to twice (or first) as many until it
 * has (*cap updated); NULL when memory runs out (p is then unchanged). */
void *liia_grow_array(void *p, size_t *cap, size_t need, size_t elem, size_t first);
/* Appends n bytes and a NUL, the NUL counted in len: packs strings one
 * after another (a CSV record's fields). */
int liia_buf_append_z(liia_buf *b, const void *p, size_t n) LIIA_MUST_CHECK;
int liia_buf_appendf(liia_buf *b, const char *fmt, ...)
    LIIA_PRINTF(2, 3) LIIA_MUST_CHECK;
char *liia_buf_detach(liia_buf *b);
/* Appends s with every control character written as an escape (\n, \r,
 * \t, \xHH; C1 controls as \u00HH), so it cannot drive a terminal.  For
 * anything from outside (file names, cells) shown on a terminal. */
int liia_buf_append_printable(liia_buf *b, const char *s, size_t len) LIIA_MUST_CHECK;

/* Copies at most dstsz-1 bytes and always terminates. */
void liia_strlcpy(char *dst, const char *src, size_t dstsz);

/* ---------------------------------------------------------------- periods */

/* A period is a quarter, stored as its end date "YYYY-MM-DD".  Accepts the
 * end date itself or the financial-year form "2024-25Q4" (Q1 = Apr-Jun).
 * Writes the canonical end date into out (11 bytes). */
int liia_period_parse(const char *text, char out[11], liia_error *e);

/* The first quarter the platform holds (Q1 2000-01); liia_period_parse
 * refuses earlier quarter ends with a message of their own. */
#define LIIA_FIRST_PERIOD "2000-06-30"

/* 1 when text is a quarter's end date (either form, any year) the platform
 * cannot take: before LIIA_FIRST_PERIOD, after 2099-03-31, or, when today
 * ("YYYY-MM-DD") is given, more than one quarter (3 months) after today;
 * why then says which ("is more than one quarter after today
 * (2026-12-03)").  0 otherwise, including for text that is no date. */
int liia_period_out_of_range(const char *text, const char *today, char *why,
                             size_t whysz);
/* The same as an error for a canonical period: -1 with e filled (value,
 * message, fix), LIIA_E_DATA. */
int liia_period_check(const char *period, const char *today, liia_error *e);

/* "Q4 2024-25 (Jan-Mar 2025)" for a canonical period; out >= 32 bytes. */
void liia_period_label(const char *period, char *out, size_t outsz);
/* "2024-25Q4"; out >= 10 bytes. */
void liia_period_fy_form(const char *period, char *out, size_t outsz);
/* Quarter end date n quarters before (n > 0) or after (n < 0). */
void liia_period_shift(const char *period, int quarters_back, char out[11]);
/* The financial year's ending year: 2025-03-31 -> 2025, 2024-06-30 -> 2025. */
int liia_period_fy_end_year(const char *period);

/* ---------------------------------------------------------------- CSV */

/*
 * Streaming CSV reader over libcsv (strict mode).  Strips a UTF-8 BOM,
 * accepts CRLF, quoted fields with commas and newlines; detects text that
 * is not UTF-8 and either converts it from Windows-1252 (when
 * LIIA_CSV_CONVERT_CP1252 is set) or stops with a message saying how to
 * re-save as UTF-8.  Records are handed to the callback with the physical
 * line on which each starts.  Memory is flat in the file size.
 */
typedef struct liia_csv_record {
    size_t nfields;
    const char *const *fields; /* NUL-terminated, valid during the callback */
    const size_t *lengths;
    long line;                 /* physical line where the record starts */
    long record_no;            /* 1 = header */
} liia_csv_record;

/* Return 0 to continue, 1 to stop early (not an error), -1 to abort with e
 * filled in. */
typedef int (*liia_csv_cb)(const liia_csv_record *rec, void *ctx,
                           liia_error *e);

enum liia_csv_flags {
    LIIA_CSV_CONVERT_CP1252 = 1 << 0,
    /* parse on a second thread, a few batches ahead of the callback (which
     * runs on the caller's, in order): for the large files of an ingest */
    LIIA_CSV_THREAD = 1 << 1,
};

typedef struct liia_csv_info {
    int had_bom;
    int converted_cp1252;
    long records;
    long lines;
} liia_csv_info;

/* Reads path ("-" = stdin) through cb.  On failure e carries file/line. */
int liia_csv_read_file(const char *path, unsigned flags, liia_csv_cb cb,
                       void *ctx, liia_csv_info *info, liia_error *e);
/* Same, over a memory buffer (tests, fuzzing). name is used in messages. */
int liia_csv_read_mem(const char *name, const char *data, size_t len,
                      unsigned flags, liia_csv_cb cb, void *ctx,
                      liia_csv_info *info, liia_error *e);

/* Writes one CSV field, quoting as needed.  With excel_safe, a cell that
 * Excel would evaluate (leading = + - @, tab, CR) is prefixed with a quote
 * character so it is shown as text. */
int liia_csv_write_field(FILE *out, const char *s, int excel_safe);

/* ---------------------------------------------------------------- store */

/* Current store schema version (PRAGMA user_version). */
#define LIIA_STORE_VERSION_MAX 64

typedef enum liia_store_mode {
    LIIA_STORE_READWRITE = 0, /* must exist; migrate */
    LIIA_STORE_READONLY = 1,  /* must exist and be current */
    LIIA_STORE_CREATE = 2,    /* create if missing, migrate: init and demo only */
} liia_store_mode;

/* Opens (and for READWRITE/CREATE migrates) the store: WAL, foreign keys on,
 * busy_timeout so concurrent ingests wait instead of failing.  Only CREATE
 * makes a missing store, so a mistyped --db is "no store here" (LIIA_E_IO)
 * rather than a new empty store that silently takes the data.  New store
 * files are created with 0600 permissions. */
int liia_store_open(const char *path, liia_store_mode mode, sqlite3 **out,
                    liia_error *e);
void liia_store_close(sqlite3 *db);
/* Brings any connection (a file or ":memory:") to the latest schema. */
int liia_store_migrate(sqlite3 *db, liia_error *e);
int liia_store_version(sqlite3 *db);
int liia_store_latest_version(void);
/* store_meta (migration 007): facts about the store itself.  get: 1 and
 * out filled when name is set, 0 when not, -1 on error. */
int liia_store_meta_get(sqlite3 *db, const char *name, char *out, size_t outsz,
                        liia_error *e);
int liia_store_meta_set(sqlite3 *db, const char *name, const char *value,
                        liia_error *e);

/* Fills e from the connection's last SQLite error, with context. */
int liia_db_fail(liia_error *e, sqlite3 *db, const char *what);
/* Runs SQL with no results (BEGIN/COMMIT/DDL); -1 with e filled. */
int liia_db_exec(sqlite3 *db, const char *sql, liia_error *e);
int liia_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
                    liia_error *e);

/* BEGIN IMMEDIATE so writers queue on busy_timeout instead of deadlocking
 * on a lock upgrade. */
int liia_db_begin(sqlite3 *db, liia_error *e);
int liia_db_commit(sqlite3 *db, liia_error *e);
/* Best effort; never fails the caller (there is nothing more to do). */
void liia_db_rollback(sqlite3 *db);
/* Starts writing the store's WAL out to disk without waiting (Linux;
 * elsewhere nothing): a long transaction calls it while it still computes,
 * so the commit's own sync of the WAL finds less to write.  Best effort. */
void liia_db_start_writeback(sqlite3 *db);

/* ---------------------------------------------------------------- reference */

/* Loads schemas/reference/ (authorities, populations, neighbours,
 * groupings) and the catalogues into the store; idempotent.  groupings_path
 * replaces the bundled groupings when not NULL. */
int liia_reference_load(sqlite3 *db, const char *schema_dir,
                        const char *groupings_path, liia_error *e);

/* Adds the ONS 0-17 estimates imported with `liia-bench import` (the
 * published view, measure 'pop') to the population reference, for every
 * area; an imported figure replaces the bundled one.  Caller's transaction. */
int liia_reference_published_population(sqlite3 *db, liia_error *e);

/* Resolves an authority given as GSS code, DfE number, short code (any
 * case) or name ("Camden", "London Borough of Camden", "Royal Borough of
 * Kensington and Chelsea", "City of London", or the first words of one
 * name: "Kingston", "Richmond") to its GSS code via the store.  Unknown (including anything not
 * shaped like one, e.g. "../CAM") -> -1, status LIIA_E_USAGE, with a
 * message that lists the accepted forms. */
int liia_authority_resolve(sqlite3 *db, const char *text, char gss[10],
                           liia_error *e);

/* ---------------------------------------------------------------- paths */

/* The schemas directory: the one liia_schema_dir_set() named, else the one
 * this build was made from (compiled in, so tests and the binary work from
 * a build tree).  The libraries read no environment: the CLI decides
 * ($LIIA_SCHEMAS, or the copy installed beside the binary) and sets it
 * once at start-up, before any thread. */
const char *liia_schema_dir(void);
/* dir is borrowed for the life of the process; NULL or "" restores the
 * compiled-in default. */
void liia_schema_dir_set(const char *dir);
/* The compiled-in default (the source tree's schemas/ of this build). */
const char *liia_schema_dir_built_in(void);

/* Joins dir and name into a freshly allocated path; NULL on ENOMEM. */
char *liia_path_join(const char *dir, const char *name);

/* Reads a whole small file (schemas, keys).  Caller frees *out. */
int liia_read_file(const char *path, char **out, size_t *len, liia_error *e);

/* ---------------------------------------------------------------- output files */

/*
 * Every file the platform writes for a person (findings, packs, charts)
 * goes through one of these: created 0600 under a temporary name beside
 * the final one (".NAME.XXXXXX.tmp", O_CREAT | O_EXCL: nothing already
 * there, a planted link included, is opened), written, fsynced and renamed
 * over the final name.  A link at the final name is replaced, not followed;
 * a crash or a full disk leaves the previous file whole.
 *
 * Write through fd, through liia_outfile_stream, or (libraries that take a
 * file name) to tmp by name: commit checks the name still holds the file
 * this process created.
 */
typedef struct liia_outfile {
    char *path; /* final name */
    char *tmp;  /* temporary name beside it */
    int fd;
    FILE *fp;   /* set by liia_outfile_stream */
    int err;    /* errno of the first failed liia_outfile_write: commit
                   refuses the file even if the writer ignored the error */
} liia_outfile;

int liia_outfile_open(liia_outfile *o, const char *path, liia_error *e)
    LIIA_MUST_CHECK;
/* A stdio stream over the temporary (owned by o); NULL with e filled. */
FILE *liia_outfile_stream(liia_outfile *o, liia_error *e);
int liia_outfile_write(liia_outfile *o, const void *p, size_t n,
                       liia_error *e) LIIA_MUST_CHECK;
/* Flushes, fsyncs, closes and renames into place; on failure removes the
 * temporary.  o is released either way. */
int liia_outfile_commit(liia_outfile *o, liia_error *e) LIIA_MUST_CHECK;
/* Closes and removes the temporary; the final name is untouched. */
void liia_outfile_abort(liia_outfile *o);
/* After a writer returned rc: commit when rc is 0, else abort (naming the
 * final file in e rather than the temporary) and return -1. */
int liia_outfile_finish(liia_outfile *o, int rc, liia_error *e)
    LIIA_MUST_CHECK;

/* ---------------------------------------------------------------- key */

#define LIIA_KEY_BYTES 32
/* A stored child pseudonym: the first 16 bytes (128 bits) of its
 * HMAC-SHA256 (ingest/pseudo.h, migration 210).  A collision among even
 * 10^7 children has a chance of about 10^-25; the bytes are in every row
 * of every child-level table, so half the digest is a sixth of the store. */
#define LIIA_PID_BYTES 16

/* The key file the caller chose ($LIIA_KEY_FILE, read by the CLI), set
 * once at start-up; path is borrowed for the life of the process.  NULL
 * or "" restores the default beside the store. */
void liia_key_file_set(const char *path);
/* The platform key for pseudonymisation: the file liia_key_file_set()
 * named, else the store path with ".key" appended.  Caller frees. */
char *liia_key_path_for(const char *db_path);
/* Creates a random key file with 0600 permissions unless it exists. */
int liia_key_create(const char *path, int *created, liia_error *e);
/* Loads the key; refuses a file readable by group or others, one not
 * exactly LIIA_KEY_BYTES long, or one byte repeated (all zeros). */
int liia_key_load(const char *path, unsigned char key[LIIA_KEY_BYTES],
                  liia_error *e);

/* HMAC-SHA256 under the key of a fixed label, as hex: names a key in the
 * store without revealing it.  -1 on OpenSSL failure. */
#define LIIA_KEY_FINGERPRINT_HEX 64
int liia_key_fingerprint(const unsigned char key[LIIA_KEY_BYTES],
                         char out[LIIA_KEY_FINGERPRINT_HEX + 1]);
/* The fingerprint of the key file at path (checked as liia_key_load does),
 * so that an operator can tell which key a file holds without a store: the
 * wrong-key error quotes the start of the one the store wants. */
int liia_key_file_fingerprint(const char *path, char out[LIIA_KEY_FINGERPRINT_HEX + 1],
                              liia_error *e);

/* Loads the key to pseudonymise into db's store: refuses a key path that
 * is the store (or its -wal/-shm), a key whose fingerprint is not the one
 * the store recorded, and a missing key for a store that has a fingerprint
 * or pseudonyms (saying to restore it from backup, never to run init).
 * With record, a store with no fingerprint yet records this key's. */
int liia_key_load_for_store(sqlite3 *db, const char *path, int record,
                            unsigned char key[LIIA_KEY_BYTES], liia_error *e);
/* For init: creates the key when missing, unless the store already has a
 * fingerprint or pseudonyms; then checks and records it as above. */
int liia_key_init_for_store(sqlite3 *db, const char *path, int *created,
                            liia_error *e);

/* ---------------------------------------------------------------- progress */

/* Progress on stderr only when it is a terminal; a no-op otherwise. */
typedef struct liia_progress {
    int enabled;
    const char *label;
    long total, done;
} liia_progress;

void liia_progress_start(liia_progress *p, const char *label, long total);
void liia_progress_step(liia_progress *p, const char *item);
void liia_progress_end(liia_progress *p);

#endif /* LIIA_CORE_H */
