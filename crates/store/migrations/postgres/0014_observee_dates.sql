-- A person's observations are read newest first a page at a time (the
-- journey): each observee row carries its observation's date, so the page
-- walks one index in date order and stops when it is full, instead of
-- deciding visibility for every observation of the person and sorting.
ALTER TABLE observation_observees ADD COLUMN observed_on BIGINT NOT NULL DEFAULT 0;
UPDATE observation_observees SET observed_on = (
    SELECT o.observed_on FROM observations o WHERE o.id = observation_observees.observation_id);
CREATE INDEX observation_observees_by_date
    ON observation_observees (org_id, person_id, observed_on, observation_id);
