-- 190_adoption_index_by_child.sql: migration 180's partial index, keyed by
-- child and its condition written as equalities joined by OR.
--
-- Keyed by (child_pid, id): the rules on AD1, placed for adoption and 199
-- ask it for one child's adoption episodes of one submission (EXISTS ...
-- e.child_pid = a.child_pid AND e.id BETWEEN ...).  Keyed by id alone, each
-- such lookup scanned every adoption episode of the submission: at 10^5
-- episodes with 9,600 AD1 rows, 331, 335, 521 and 602 took 16-39 s of CPU
-- each; by child, milliseconds.
--
-- ORs instead of IN (...): SQLite evaluates a partial index's WHERE on every
-- INSERT into cla_episode, and an IN over more than two constants builds a
-- temporary b-tree each time (migration 150).  The rules name the same
-- condition, word for word, so the planner can use the index.
DROP INDEX IF EXISTS cla_episode_adoption;
CREATE INDEX cla_episode_adoption ON cla_episode (child_pid, id)
    WHERE (rec = 'E1' OR rec = 'E11' OR rec = 'E12' OR place = 'A3' OR place = 'A4' OR
           place = 'A5' OR place = 'A6' OR ls = 'E1' OR ls = 'D1');
