-- "Draft and publish" (crates/store/src/framework/draft.rs): an
-- organization chooses how editors' changes reach readers. 'every_save'
-- (today's behaviour, the default) writes each save to the framework;
-- 'drafts' keeps saves in the organization's draft (the framework file,
-- JSON, format cairn/1) until an editor publishes it as the next version.
-- draft_visible: members (not only editors) may read the draft.
ALTER TABLE organizations ADD COLUMN publishing TEXT NOT NULL DEFAULT 'every_save';
ALTER TABLE organizations ADD COLUMN draft_visible BIGINT NOT NULL DEFAULT 0;
-- The licence its published framework is offered under (SPDX id, or
-- 'none': all rights reserved); cairn_domain::licence.
ALTER TABLE organizations ADD COLUMN licence TEXT NOT NULL DEFAULT 'none';

CREATE TABLE framework_drafts (
    org_id     TEXT PRIMARY KEY REFERENCES organizations (id),
    body       TEXT NOT NULL,
    -- One more with every save: a publish names the revision it read.
    revision   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT REFERENCES people (id)
);

-- A fork's lineage (crates/store/src/forks.rs): the framework it was
-- copied from (another organization here, or another instance's URL),
-- which version, under which licence, and the upstream's own lineage
-- (JSON, oldest first) so a fork of a fork names both. base is the
-- upstream file as forked: what a newer upstream version is compared with.
CREATE TABLE framework_forks (
    org_id           TEXT PRIMARY KEY REFERENCES organizations (id),
    upstream_name    TEXT NOT NULL,
    upstream_url     TEXT NOT NULL,
    upstream_org_id  TEXT,
    upstream_version BIGINT NOT NULL,
    licence          TEXT NOT NULL,
    lineage          TEXT NOT NULL,
    base             TEXT NOT NULL,
    forked_at        BIGINT NOT NULL,
    forked_by        TEXT REFERENCES people (id)
);
-- The attribution the upstream's licence requires, shown on every item
-- the fork copied ('' when none is required).
ALTER TABLE organizations ADD COLUMN attribution TEXT NOT NULL DEFAULT '';
