-- Insights (cairn_domain::insights::report) count only observations shared
-- with the whole organization: published, not deleted, at the Organization
-- or Public level. Each observee row and each rating carries its observer
-- (and a rating its day) while its observation is so shared, kept in the
-- transactions that keep public_observed_on (ability_stats::sync_copies),
-- so a period's counts are one range of a partial index.
ALTER TABLE observation_observees ADD COLUMN shared_by TEXT;
ALTER TABLE observation_ratings ADD COLUMN shared_by TEXT;
ALTER TABLE observation_ratings ADD COLUMN shared_on BIGINT;

UPDATE observation_observees SET shared_by = (
    SELECT o.observer_id FROM observations o
     WHERE o.id = observation_observees.observation_id AND o.privacy IN ('organization', 'public')
       AND o.published_at IS NOT NULL AND o.deleted_at IS NULL);
UPDATE observation_ratings SET shared_by = (
    SELECT o.observer_id FROM observations o
     WHERE o.id = observation_ratings.observation_id AND o.privacy IN ('organization', 'public')
       AND o.published_at IS NOT NULL AND o.deleted_at IS NULL);
UPDATE observation_ratings SET shared_on = (
    SELECT o.observed_on FROM observations o
     WHERE o.id = observation_ratings.observation_id AND o.privacy IN ('organization', 'public')
       AND o.published_at IS NOT NULL AND o.deleted_at IS NULL);

CREATE INDEX observation_observees_shared
    ON observation_observees (org_id, observed_on, person_id, shared_by, observation_id)
 WHERE shared_by IS NOT NULL;
CREATE INDEX observation_ratings_shared
    ON observation_ratings (org_id, shared_on, ability_id, rating, shared_by)
 WHERE shared_by IS NOT NULL;

-- Recency of milestones: on each award, the newest day an observation its
-- holder may read rated them Strong or Exceptional on its ability (NULL:
-- none), kept by the transactions that change observations and awards
-- (awards::refresh_evidence); and the last-evidenced day a stale nudge was
-- last sent for, so each crossing of the threshold is told once.
ALTER TABLE awards ADD COLUMN evidenced_on BIGINT;
ALTER TABLE awards ADD COLUMN stale_nudged_for BIGINT;
UPDATE awards SET evidenced_on = (
    SELECT MAX(e.observed_on)
      FROM observation_observees e
      JOIN observation_ratings r ON r.observation_id = e.observation_id AND r.ability_id = awards.ability_id
      JOIN observations o ON o.id = e.observation_id
     WHERE e.org_id = awards.org_id AND e.person_id = awards.recipient_id
       AND r.rating IN ('strong', 'exceptional')
       AND o.published_at IS NOT NULL AND o.deleted_at IS NULL
       AND o.privacy IN ('observees', 'observees_and_managers', 'organization', 'public'));

-- The settings: members with no observation in this many days are listed;
-- a milestone last evidenced this many months ago is stale.
ALTER TABLE organizations ADD COLUMN desert_days BIGINT NOT NULL DEFAULT 60;
ALTER TABLE organizations ADD COLUMN stale_months BIGINT NOT NULL DEFAULT 18;
