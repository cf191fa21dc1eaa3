-- 120_cla_episode_short_stays.sql: the SSDA903 rules that add up short
-- legal statuses (361-364: L1, L2, L3, J2; 367: V3 respite) first ask this
-- partial index whether the submission has any such episode at all.  It
-- holds only those rows (few, often none), so a clean extract costs no scan
-- of its episodes and an INSERT only the test of ls.
CREATE INDEX IF NOT EXISTS cla_episode_short_stay
    ON cla_episode (id) WHERE ls IN ('L1', 'L2', 'L3', 'J2', 'V3');
