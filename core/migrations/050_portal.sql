-- 050: the portal (server/): accounts, sessions, the audit trail and the
-- quarter's workflow (due dates, explanations of warnings, sign-offs,
-- publications).  Nothing here is reachable from `query`: the analysts'
-- authorizer admits only the documented views.

-- Operator-managed accounts.  data_lead and dcs belong to one authority;
-- programme and analyst see across London and have none.
CREATE TABLE app_user (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role            TEXT NOT NULL CHECK (role IN ('data_lead', 'dcs', 'programme', 'analyst')),
    la_code         TEXT REFERENCES authority (gss_code),
    password_hash   TEXT,             -- Argon2id (libsodium crypto_pwhash_str); NULL = no password yet
    can_sign_off    INTEGER NOT NULL DEFAULT 0, -- a data lead the DCS has delegated sign-off to
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,             -- UTC 'YYYY-MM-DD HH:MM:SS'
    created_at      TEXT NOT NULL,
    CHECK ((role IN ('data_lead', 'dcs')) = (la_code IS NOT NULL))
);

-- Signed-in sessions: the cookie carries a random token, the store only
-- its SHA-256, so a copy of the store signs nobody in.
CREATE TABLE app_session (
    token_sha256 TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES app_user (id),
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    client       TEXT
);
CREATE INDEX app_session_by_user ON app_session (user_id);

-- Every action through the application layer: sign-in (also failed),
-- upload, note, sign-off, download, user change.  Never updated.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    role     TEXT,
    la_code  TEXT,
    action   TEXT NOT NULL,
    target   TEXT,
    outcome  TEXT NOT NULL,
    client   TEXT,
    detail   TEXT
);
CREATE INDEX audit_by_client ON audit (client, action, at);

-- The programme team's deadline per return and quarter.
CREATE TABLE due_date (
    return_type TEXT NOT NULL REFERENCES return_type (id),
    period      TEXT NOT NULL,
    due         TEXT NOT NULL,        -- 'YYYY-MM-DD'
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (return_type, period)
);

-- A note explaining one warning of a submission.
CREATE TABLE explanation (
    finding_id    INTEGER PRIMARY KEY REFERENCES finding (id),
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    note          TEXT NOT NULL,
    author        TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX explanation_by_submission ON explanation (submission_id);

-- The DCS's (or delegated data lead's) sign-off of one accepted version.
CREATE TABLE signoff (
    submission_id INTEGER PRIMARY KEY REFERENCES submission (id),
    signed_by     TEXT NOT NULL,
    role          TEXT NOT NULL,
    at            TEXT NOT NULL
);

-- Each publication of a quarter's packs; packs are kept per publication
-- under <store>.packs/<period>/<id>/.
CREATE TABLE publication (
    id           INTEGER PRIMARY KEY,
    period       TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    dir          TEXT NOT NULL
);
CREATE INDEX publication_by_period ON publication (period);
