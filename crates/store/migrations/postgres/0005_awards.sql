-- Awards of milestones, their evidence, and the organization's rules for
-- them. Revoking keeps the row.

ALTER TABLE organizations ADD COLUMN evidence_min_observations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN evidence_min_observers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN evidence_min_days BIGINT NOT NULL DEFAULT 0;

CREATE TABLE awards (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    recipient_id TEXT NOT NULL REFERENCES people (id),
    ability_id   TEXT NOT NULL REFERENCES abilities (id),
    level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    certifier_id TEXT NOT NULL REFERENCES people (id),
    awarded_at   BIGINT NOT NULL,
    note         TEXT NOT NULL,
    visibility   TEXT NOT NULL,              -- private | organization
    on_profile   INTEGER NOT NULL DEFAULT 0,
    revoked_at   BIGINT,
    revoked_by   TEXT REFERENCES people (id)
);
CREATE INDEX awards_recipient ON awards (org_id, recipient_id);
CREATE INDEX awards_ability ON awards (ability_id);

CREATE TABLE award_evidence (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    award_id       TEXT NOT NULL REFERENCES awards (id),
    observation_id TEXT NOT NULL REFERENCES observations (id),
    PRIMARY KEY (award_id, observation_id)
);
