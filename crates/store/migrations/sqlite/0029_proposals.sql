-- Change proposals (crates/store/src/proposals.rs): a conversation on an
-- item that carries an edit. base: the item as it was proposed against
-- (history snapshot JSON, to show what changed since); proposed: the edit
-- form as posted (JSON pairs), parsed again when shown or accepted, by
-- the same code that parses the editors' form. status: open | accepted |
-- declined; decided_at dates an acceptance for the release notes of the
-- version that published it.
CREATE TABLE proposals (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    base            TEXT NOT NULL,
    proposed        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open',
    decided_by      TEXT REFERENCES people (id),
    decided_at      BIGINT,
    reason          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proposals_decided ON proposals (org_id, status, decided_at);

CREATE TABLE proposal_supports (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    person_id       TEXT NOT NULL REFERENCES people (id),
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    at              BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, person_id)
);
