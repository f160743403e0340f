-- Health thresholds per organization, conversations on framework items,
-- and the history of every change to an ability, role or position.

ALTER TABLE organizations ADD COLUMN health_stale_days BIGINT NOT NULL DEFAULT 183;
ALTER TABLE organizations ADD COLUMN health_critical_days BIGINT NOT NULL DEFAULT 365;

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations (id),
    subject_kind     TEXT NOT NULL,          -- ability | role | position
    subject_id       TEXT NOT NULL,
    title            TEXT NOT NULL,
    author_id        TEXT NOT NULL REFERENCES people (id),
    created_at       BIGINT NOT NULL,
    last_activity_at BIGINT NOT NULL,
    resolved_at      BIGINT,
    resolved_by      TEXT REFERENCES people (id)
);
CREATE INDEX conversations_subject ON conversations (org_id, subject_kind, subject_id);

CREATE TABLE comments (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    author_id       TEXT NOT NULL REFERENCES people (id),
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX comments_conversation ON comments (conversation_id, created_at);

CREATE TABLE history (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    item_kind  TEXT NOT NULL,                -- ability | role | position
    item_id    TEXT NOT NULL,
    actor_id   TEXT REFERENCES people (id),  -- NULL: an import from the command line
    at         BIGINT NOT NULL,
    change     TEXT NOT NULL,                -- created | updated | archived | restored
    before     TEXT,                         -- JSON snapshot
    after      TEXT
);
CREATE INDEX history_item ON history (org_id, item_kind, item_id, at);
