-- Observations: stories of people exhibiting abilities, with ratings per
-- ability and a privacy level. Never hard-deleted.

CREATE TABLE observations (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    observer_id  TEXT NOT NULL REFERENCES people (id),
    story        TEXT NOT NULL,
    observed_on  BIGINT NOT NULL,             -- unix ms, the day it happened
    privacy      TEXT NOT NULL,               -- journal | observees | managers | observees_and_managers | organization | public
    published_at BIGINT,                      -- NULL: a draft
    deleted_at   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX observations_org ON observations (org_id, published_at);
CREATE INDEX observations_observer ON observations (org_id, observer_id);

CREATE TABLE observation_observees (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    observation_id TEXT NOT NULL REFERENCES observations (id),
    person_id      TEXT NOT NULL REFERENCES people (id),
    PRIMARY KEY (observation_id, person_id)
);
CREATE INDEX observation_observees_person ON observation_observees (org_id, person_id);

CREATE TABLE observation_ratings (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    observation_id TEXT NOT NULL REFERENCES observations (id),
    ability_id     TEXT NOT NULL REFERENCES abilities (id),
    rating         TEXT NOT NULL,             -- exceptional | strong | n_a | misaligned | concerning
    PRIMARY KEY (observation_id, ability_id)
);
CREATE INDEX observation_ratings_ability ON observation_ratings (ability_id);
