-- 006: the SSDA903 row tables keyed by one integer, submission_id << 32 | line.
-- As WITHOUT ROWID tables keyed (submission_id, line), every INSERT searched
-- an index B-tree comparing records, and pages filled in order split in
-- the middle: a 10^6-episode extract took a third more pages than its CSV.
-- Keyed by a rowid that only grows, an INSERT appends to the last page
-- and pages fill up.  submission_id and line stay readable as columns
-- computed from the key (stored nowhere).  A submission's rows are the key
-- range [submission_id << 32, (submission_id + 1) << 32): the ingest reads
-- and deletes them by that range.  The foreign key to submission goes: it
-- cost a lookup per row, and only the ingest writes these rows, under the
-- submission it has just created.

CREATE TABLE cla_child_006 (
    id            INTEGER PRIMARY KEY,      -- submission_id << 32 | line
    submission_id INTEGER GENERATED ALWAYS AS (id >> 32) VIRTUAL,
    line          INTEGER GENERATED ALWAYS AS (id & 4294967295) VIRTUAL,
    child_pid     BLOB,
    sex           TEXT,
    dob_month     TEXT,
    ethnic        TEXT,
    mother        INTEGER,
    mc_dob_month  TEXT,
    flags         TEXT
);
INSERT INTO cla_child_006 (id, child_pid, sex, dob_month, ethnic, mother, mc_dob_month, flags)
SELECT submission_id << 32 | line, child_pid, sex, dob_month, ethnic, mother, mc_dob_month, flags
FROM cla_child ORDER BY submission_id, line;
DROP TABLE cla_child;
ALTER TABLE cla_child_006 RENAME TO cla_child;

CREATE TABLE cla_episode_006 (
    id                  INTEGER PRIMARY KEY,      -- submission_id << 32 | line
    submission_id       INTEGER GENERATED ALWAYS AS (id >> 32) VIRTUAL,
    line                INTEGER GENERATED ALWAYS AS (id & 4294967295) VIRTUAL,
    child_pid           BLOB,
    decom               TEXT,
    rne                 TEXT,
    ls                  TEXT,
    cin                 TEXT,
    place               TEXT,
    place_provider      TEXT,
    dec                 TEXT,
    rec                 TEXT,
    reason_place_change TEXT,
    home_sector         TEXT,
    pl_sector           TEXT,
    urn                 TEXT,
    flags               TEXT
);
INSERT INTO cla_episode_006 (id, child_pid, decom, rne, ls, cin, place, place_provider,
                             dec, rec, reason_place_change, home_sector, pl_sector, urn, flags)
SELECT submission_id << 32 | line, child_pid, decom, rne, ls, cin, place, place_provider,
       dec, rec, reason_place_change, home_sector, pl_sector, urn, flags
FROM cla_episode ORDER BY submission_id, line;
DROP TABLE cla_episode;
ALTER TABLE cla_episode_006 RENAME TO cla_episode;

CREATE TABLE cla_uasc_006 (
    id            INTEGER PRIMARY KEY,      -- submission_id << 32 | line
    submission_id INTEGER GENERATED ALWAYS AS (id >> 32) VIRTUAL,
    line          INTEGER GENERATED ALWAYS AS (id & 4294967295) VIRTUAL,
    child_pid     BLOB,
    sex           TEXT,
    dob_month     TEXT,
    duc           TEXT,
    flags         TEXT
);
INSERT INTO cla_uasc_006 (id, child_pid, sex, dob_month, duc, flags)
SELECT submission_id << 32 | line, child_pid, sex, dob_month, duc, flags
FROM cla_uasc ORDER BY submission_id, line;
DROP TABLE cla_uasc;
ALTER TABLE cla_uasc_006 RENAME TO cla_uasc;
