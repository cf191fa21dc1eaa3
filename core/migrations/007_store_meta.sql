-- 007: facts about the store itself, one row each.
--   key_fingerprint  HMAC-SHA256 under the platform key of a fixed label
--                    (core/key.c): tells the key that made this store's
--                    pseudonyms from any other, and cannot give the key back.
--   created_by       'demo' for a store that `demo` created, so `demo`
--                    never touches a store it did not make.
CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
