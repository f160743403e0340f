-- Check-ins (cairn_domain::check_ins): a member and their manager take
-- stock against a position. Each side's ratings are rows until the
-- check-in is finalized; finalizing writes the snapshot (what it was
-- measured against, and every rating and note) and from then on triggers
-- refuse any change to the check-in and its ratings, as the audit log's
-- do. Acknowledging is a row of its own, written once.
ALTER TABLE organizations ADD COLUMN check_in_days BIGINT NOT NULL DEFAULT 90;
ALTER TABLE organizations ADD COLUMN admins_read_check_ins INTEGER NOT NULL DEFAULT 0;

CREATE TABLE check_ins (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES organizations (id),
    member_id            TEXT NOT NULL REFERENCES people (id),
    position_slug        TEXT NOT NULL,
    aiming               INTEGER NOT NULL DEFAULT 0,  -- 1: a position they aim for
    added                TEXT NOT NULL DEFAULT '',    -- abilities the member added, one slug per line
    opened_by            TEXT NOT NULL REFERENCES people (id),
    opened_at            BIGINT NOT NULL,
    member_completed_at  BIGINT,
    manager_completed_at BIGINT,
    manager_author       TEXT REFERENCES people (id), -- who wrote the manager side
    summary              TEXT NOT NULL DEFAULT '',
    overall              TEXT,
    finalized_at         BIGINT,
    finalized_by         TEXT REFERENCES people (id),
    snapshot             TEXT,                        -- JSON, written when finalized
    updated_at           BIGINT NOT NULL
);
-- One open check-in per member.
CREATE UNIQUE INDEX check_ins_one_open ON check_ins (org_id, member_id) WHERE finalized_at IS NULL;
CREATE INDEX check_ins_member ON check_ins (org_id, member_id, finalized_at);

CREATE TABLE check_in_ratings (
    check_in_id  TEXT NOT NULL REFERENCES check_ins (id),
    org_id       TEXT NOT NULL,
    side         TEXT NOT NULL,                       -- member, manager, agreed
    ability_slug TEXT NOT NULL,
    rating       TEXT,
    note         TEXT NOT NULL DEFAULT '',
    evidence     TEXT NOT NULL DEFAULT '',            -- observation ids, one per line (manager side)
    PRIMARY KEY (check_in_id, side, ability_slug)
);

CREATE TABLE check_in_acknowledgements (
    check_in_id     TEXT PRIMARY KEY REFERENCES check_ins (id),
    org_id          TEXT NOT NULL,
    acknowledged_at BIGINT NOT NULL,
    disagrees       INTEGER NOT NULL DEFAULT 0,
    comment         TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER check_ins_frozen_update BEFORE UPDATE ON check_ins
WHEN OLD.finalized_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a finalized check-in cannot change'); END;
CREATE TRIGGER check_ins_frozen_delete BEFORE DELETE ON check_ins
WHEN OLD.finalized_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a finalized check-in cannot change'); END;
CREATE TRIGGER check_in_ratings_frozen_update BEFORE UPDATE ON check_in_ratings
WHEN (SELECT finalized_at FROM check_ins WHERE id = OLD.check_in_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a finalized check-in cannot change'); END;
CREATE TRIGGER check_in_ratings_frozen_delete BEFORE DELETE ON check_in_ratings
WHEN (SELECT finalized_at FROM check_ins WHERE id = OLD.check_in_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a finalized check-in cannot change'); END;
CREATE TRIGGER check_in_acknowledgements_no_update BEFORE UPDATE ON check_in_acknowledgements
BEGIN SELECT RAISE(ABORT, 'an acknowledgement cannot change'); END;
CREATE TRIGGER check_in_acknowledgements_no_delete BEFORE DELETE ON check_in_acknowledgements
BEGIN SELECT RAISE(ABORT, 'an acknowledgement cannot change'); END;
