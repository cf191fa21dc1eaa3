-- 200: failed sign-ins are counted per name tried, whether or not an
-- account has that name (server/app/session.c), so that the lockout
-- answers an unknown name exactly as it answers an account: five failures
-- in a row (each within 15 minutes of the one before) lock the name for
-- 15 minutes.  Accounts keep their count in app_user; names without an
-- account in signin_failure, whose rows lapse with the window and are
-- capped in number (the oldest go first).
ALTER TABLE app_user ADD COLUMN last_failed TEXT;
CREATE TABLE signin_failure (
    name         TEXT PRIMARY KEY COLLATE NOCASE,
    failures     INTEGER NOT NULL,
    last_failed  TEXT NOT NULL,      -- UTC 'YYYY-MM-DD HH:MM:SS'
    locked_until TEXT
);
CREATE INDEX signin_failure_by_time ON signin_failure (last_failed);
