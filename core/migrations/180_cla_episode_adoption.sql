-- 180_cla_episode_adoption.sql: the SSDA903 rules on adoption (AD1, placed
-- for adoption, 199: 331, 335, 521, 551-558, 601, 602) read only the
-- episodes of a placement for adoption, an adoption, or a placement or
-- freeing order.  They first ask this partial index, which holds only those
-- rows (a few in a hundred), so a submission without such an episode costs
-- no scan of its episodes and an INSERT only the test of rec, place and ls.
CREATE INDEX IF NOT EXISTS cla_episode_adoption
    ON cla_episode (id)
    WHERE (rec IN ('E1', 'E11', 'E12') OR place IN ('A3', 'A4', 'A5', 'A6') OR ls IN ('E1', 'D1'));
