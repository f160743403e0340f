-- People in their jobs: the positions and roles members hold, as tenures
-- over the half-open span [began_on, ended_on) of UTC days (unix ms at
-- midnight); ended_on NULL while held. The store keeps one member's
-- tenures from overlapping inside its write transaction; the partial
-- unique indexes make "one open position" and "one open tenure per role"
-- hold even against a bug.
CREATE TABLE tenures (
    id        TEXT PRIMARY KEY,
    org_id    TEXT NOT NULL REFERENCES organizations (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    kind      TEXT NOT NULL,            -- position | role
    item_id   TEXT NOT NULL,            -- positions.id or roles.id
    began_on  BIGINT NOT NULL,
    ended_on  BIGINT,
    set_by    TEXT NOT NULL REFERENCES people (id),
    set_at    BIGINT NOT NULL,
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tenures_person ON tenures (org_id, person_id, began_on);
CREATE INDEX tenures_held ON tenures (org_id, kind, item_id) WHERE ended_on IS NULL;
CREATE UNIQUE INDEX tenures_one_position ON tenures (org_id, person_id)
    WHERE ended_on IS NULL AND kind = 'position';
CREATE UNIQUE INDEX tenures_one_per_role ON tenures (org_id, person_id, item_id)
    WHERE ended_on IS NULL AND kind = 'role';

-- "Current positions visible to all members" (on by default): off, only
-- the member, their managers, admins and people leads see them.
ALTER TABLE organizations ADD COLUMN positions_visible BIGINT NOT NULL DEFAULT 1;
