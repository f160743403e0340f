-- People, their sessions and tokens, memberships, invitations, and the
-- record of failed sign-ins used for throttling. Secrets (session cookies,
-- invitation links, API tokens) are stored only as SHA-256 hashes.

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,     -- lowercased
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,            -- argon2id PHC string
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,      -- shown and revoked by this id
    person_id    TEXT NOT NULL REFERENCES people (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_agent   TEXT NOT NULL,
    client_ip    TEXT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE memberships (
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    person_id    TEXT NOT NULL REFERENCES people (id),
    capabilities TEXT NOT NULL,             -- "admin,framework_editor"
    manager_id   TEXT REFERENCES people (id),
    status       TEXT NOT NULL,             -- active | departed
    joined_at    BIGINT NOT NULL,
    departed_at  BIGINT,
    PRIMARY KEY (org_id, person_id)
);
CREATE INDEX memberships_person ON memberships (person_id);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    token_hash  TEXT NOT NULL UNIQUE,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES people (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    used_by     TEXT REFERENCES people (id),
    revoked_at  BIGINT
);
CREATE INDEX invitations_org ON invitations (org_id);

CREATE TABLE sign_in_failures (
    throttle_key TEXT NOT NULL,             -- "email:…" or "ip:…"
    at           BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (throttle_key, at);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);
