-- Teams: a tree (a team may have a parent team). `parent_id` names a team
-- of the same organization; the store keeps the tree free of loops inside
-- its write transaction (no foreign key, so a restore may insert a child
-- before its parent). Belonging to a team is a tenure of kind 'team'.
CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    slug       TEXT NOT NULL,
    name       TEXT NOT NULL,
    parent_id  TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, slug)
);
CREATE UNIQUE INDEX tenures_one_team ON tenures (org_id, person_id)
    WHERE ended_on IS NULL AND kind = 'team';
