-- 085: the CIN census (children in need, child-level XML; docs/cin.md).
-- One table per part of schemas/cin/tables.json, its columns the parts'
-- `store` names.  Only pseudonymised values are stored: child_pid is the
-- same HMAC-SHA256(authority, child id) as SSDA903's (32 bytes), so
-- cla_child and cin_child join on it; dates of birth, expected birth and
-- death are the first of the month; UPN and FormerUPN are checked and
-- dropped.  `id` is submission_id << 32 | the record's number within its
-- part (file order), so a submission's rows are one range; `line` is the
-- line of the record's element.  `flags` lists the rule codes the record
-- broke; a cell that failed its own check is stored as NULL.  Rows of a
-- superseded submission are deleted.

INSERT OR IGNORE INTO return_type (id, title)
VALUES ('cin', 'Children in need census (child-level)');

CREATE TABLE cin_header (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    collection TEXT, year INTEGER, reference_date TEXT, source_level TEXT,
    lea TEXT, software_code TEXT, release TEXT, serial_no INTEGER, date_time TEXT,
    flags TEXT
);
CREATE TABLE cin_child (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, upn_unknown TEXT, dob_month TEXT, expected_dob_month TEXT,
    sex TEXT, death_month TEXT, ethnicity TEXT,
    flags TEXT
);
CREATE TABLE cin_disability (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, disability TEXT,
    flags TEXT
);
CREATE TABLE cin_episode (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, episode INTEGER, referral_date TEXT, referral_source TEXT,
    primary_need TEXT, closure_date TEXT, closure_reason TEXT, icpc_date TEXT,
    referral_nfa INTEGER,
    flags TEXT
);
CREATE TABLE cin_assessment (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, episode INTEGER, referral_date TEXT, assessment INTEGER,
    start_date TEXT, review_date TEXT, authorised_date TEXT,
    flags TEXT
);
CREATE TABLE cin_assessment_factor (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, episode INTEGER, referral_date TEXT, assessment INTEGER,
    start_date TEXT, factor TEXT,
    flags TEXT
);
CREATE TABLE cin_plan (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, episode INTEGER, referral_date TEXT, start_date TEXT, end_date TEXT,
    flags TEXT
);
CREATE TABLE cin_s47 (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, episode INTEGER, referral_date TEXT, start_date TEXT,
    icpc_target TEXT, icpc_date TEXT, icpc_not_required INTEGER,
    flags TEXT
);
CREATE TABLE cin_cp_plan (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, episode INTEGER, referral_date TEXT, plan INTEGER,
    start_date TEXT, end_date TEXT, initial_category TEXT, latest_category TEXT,
    previous_plans INTEGER,
    flags TEXT
);
CREATE TABLE cin_cp_review (
    id INTEGER PRIMARY KEY, line INTEGER NOT NULL,
    child_pid BLOB, episode INTEGER, referral_date TEXT, plan INTEGER,
    plan_start_date TEXT, review_date TEXT,
    flags TEXT
);
