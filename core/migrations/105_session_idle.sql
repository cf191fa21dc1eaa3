-- 105: sessions also end when idle (server/app/session.c): the time of a
-- session's latest request, kept to the minute.  Sessions opened before
-- this migration count as last seen when they were opened.
ALTER TABLE app_session ADD COLUMN last_seen TEXT;
UPDATE app_session SET last_seen = created_at;
