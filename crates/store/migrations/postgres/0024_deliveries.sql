-- Deliveries (crates/store/src/deliveries.rs): the outbox of messages
-- leaving cairn, an email to a person or a call to a webhook, written in
-- the transaction of what they tell. The worker inside every `cairn serve`
-- leases due rows (FOR UPDATE SKIP LOCKED here; SQLite's write lock),
-- sends them, and marks them sent; or retries later, or marks them failed
-- for the organization's admins to see. The id is the message's
-- Message-ID / Idempotency-Key.
CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY,
    org_id       TEXT REFERENCES organizations (id), -- NULL: an account's own mail
    channel      TEXT NOT NULL,   -- email | webhook
    kind         TEXT NOT NULL,   -- a notification kind, invitation, password_reset, digest
    recipient    TEXT NOT NULL,   -- an email address, or a webhook's id
    person_id    TEXT REFERENCES people (id),
    name         TEXT NOT NULL,   -- the recipient's display name ('' for a webhook)
    subject      TEXT NOT NULL,
    href         TEXT NOT NULL,   -- a path of the site the message leads to
    body         TEXT NOT NULL,   -- kind-specific: a digest's lines, a webhook's JSON
    secret       TEXT,            -- a one-time link's token, until sent or failed
    status       TEXT NOT NULL,   -- pending | sent | failed
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,
    leased_by    TEXT,
    leased_until BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE status = 'pending';
CREATE INDEX deliveries_of_org ON deliveries (org_id, status, created_at);

-- What a person wants to hear, per organization and kind; no row: the
-- kind's default (cairn_domain::notify::Channel::default_for).
CREATE TABLE notification_settings (
    org_id    TEXT NOT NULL REFERENCES organizations (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    kind      TEXT NOT NULL,   -- a notification kind, or digest
    channel   TEXT NOT NULL,   -- email | inbox | off
    PRIMARY KEY (org_id, person_id, kind)
);

-- When each person's weekly digest was last written (one writer wins).
CREATE TABLE digests (
    org_id    TEXT NOT NULL REFERENCES organizations (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    last_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id)
);

-- An organization's webhooks: where, which kinds, the signing secret.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    url        TEXT NOT NULL,
    kinds      TEXT NOT NULL,   -- space-separated notification kinds
    secret     TEXT NOT NULL,
    slack      INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX webhooks_of_org ON webhooks (org_id);

-- Password reset links: single use, an hour, kept hashed.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_of_person ON password_resets (person_id);

-- Keys of the instance (the unsubscribe links' signing key), made once.
CREATE TABLE instance_keys (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- An invitation may name the address it was emailed to.
ALTER TABLE invitations ADD COLUMN email TEXT;
