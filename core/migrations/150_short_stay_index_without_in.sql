-- 150_short_stay_index_without_in.sql: migration 120's partial index, its
-- condition written as equalities joined by OR instead of IN (...).  SQLite
-- evaluates a partial index's WHERE on every INSERT into the table, and an
-- IN over more than two constants is coded as a temporary b-tree built
-- afresh each time the statement runs: for the writer's one-row INSERTs that
-- was a b-tree per episode, about 0.9 s of CPU at 10^6 episodes (a third of
-- the ingest's instructions).  The same rows are indexed; the rules of
-- 361-364/367 still pick it (their s.ls = 'L1' etc. implies one arm of the
-- OR).
DROP INDEX IF EXISTS cla_episode_short_stay;
CREATE INDEX cla_episode_short_stay ON cla_episode (id)
    WHERE ls = 'L1' OR ls = 'L2' OR ls = 'L3' OR ls = 'J2' OR ls = 'V3';
