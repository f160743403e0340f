-- Editing observations: a published one keeps every version it replaced
-- (story and ratings), and says it was edited. Drafts are edited in place.
ALTER TABLE observations ADD COLUMN edited_at BIGINT;
CREATE TABLE observation_revisions (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL,
    observation_id TEXT NOT NULL REFERENCES observations (id),
    story          TEXT NOT NULL,
    -- The replaced version's ratings, one "ability-slug rating" per line.
    ratings        TEXT NOT NULL,
    replaced_at    BIGINT NOT NULL
);
CREATE INDEX observation_revisions_of ON observation_revisions (observation_id, replaced_at);
