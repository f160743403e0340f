-- What the ability page and the health report need without scanning every
-- observation: a per-ability count of published observations rating it, and
-- on each rating the day of its observation while that observation is
-- public (published, not deleted), so "newest public observations of this
-- ability" is one index range. Both are maintained in the transactions that
-- publish, re-level and delete observations (store::observations), so every
-- app server reads the same figures.

CREATE TABLE ability_stats (
    ability_id   TEXT PRIMARY KEY REFERENCES abilities (id),
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    observations BIGINT NOT NULL
);

INSERT INTO ability_stats (ability_id, org_id, observations)
SELECT r.ability_id, r.org_id, COUNT(*)
  FROM observation_ratings r JOIN observations o ON o.id = r.observation_id
 WHERE o.published_at IS NOT NULL AND o.deleted_at IS NULL
 GROUP BY r.ability_id, r.org_id;

ALTER TABLE observation_ratings ADD COLUMN public_observed_on BIGINT;

UPDATE observation_ratings SET public_observed_on = (
    SELECT o.observed_on FROM observations o
     WHERE o.id = observation_ratings.observation_id AND o.privacy = 'public'
       AND o.published_at IS NOT NULL AND o.deleted_at IS NULL);

CREATE INDEX observation_ratings_public ON observation_ratings (ability_id, public_observed_on, observation_id);

-- Achievers of an ability: live awards, counted from the index alone.
CREATE INDEX awards_ability_live ON awards (ability_id, revoked_at, recipient_id);
-- Both replaced by the wider indexes above (same leading column).
DROP INDEX awards_ability;
DROP INDEX observation_ratings_ability;
