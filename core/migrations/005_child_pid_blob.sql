-- 005: pseudonyms stored as the 32 bytes of the HMAC, not 64 hex digits.
-- Half the key bytes in every SSDA903 row (the store of a 10^6-episode
-- extract shrinks by a fifth, and every ingest writes that much less).
-- Rows stored before keep linking: their hex becomes the same bytes.
UPDATE cla_child SET child_pid = liia_unhex(child_pid) WHERE typeof(child_pid) = 'text';
UPDATE cla_episode SET child_pid = liia_unhex(child_pid) WHERE typeof(child_pid) = 'text';
UPDATE cla_uasc SET child_pid = liia_unhex(child_pid) WHERE typeof(child_pid) = 'text';
