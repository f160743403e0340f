-- Single sign-on (crates/store/src/sso.rs, cairn_domain::sso).
-- An identity at an OpenID provider is (issuer, subject), never the email.
CREATE TABLE identities (
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    person_id    TEXT NOT NULL REFERENCES people (id),
    provider     TEXT NOT NULL,   -- the configured provider's id
    email        TEXT NOT NULL,   -- what the provider said, when linked
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_of_person ON identities (person_id);

-- Sign-ins in flight: the state (hashed) names the PKCE verifier and
-- nonce; single use, ten minutes. `link_to`: started by a signed-in person
-- to link the identity to their account.
CREATE TABLE sso_logins (
    state_hash    TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next          TEXT NOT NULL,
    link_to       TEXT REFERENCES people (id),
    created_at    BIGINT NOT NULL,
    used_at       BIGINT
);

-- An identity waiting to be linked: its verified email matches an
-- account, whose holder must sign in to it once (ten minutes).
CREATE TABLE sso_pending_links (
    token_hash TEXT PRIMARY KEY,
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    provider   TEXT NOT NULL,
    email      TEXT NOT NULL,
    person_id  TEXT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Domains an organization claims, proved through a provider.
CREATE TABLE org_domains (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    domain     TEXT NOT NULL,
    provider   TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, domain)
);

-- Who may join by their domain: off | member | approval.
ALTER TABLE organizations ADD COLUMN domain_join TEXT NOT NULL DEFAULT 'off';
-- How a member joined: 'domain' through a verified domain (NULL: an
-- invitation, an import, the command line).
ALTER TABLE memberships ADD COLUMN joined_via TEXT;

-- Asking to join by domain, when an admin approves (domain_join =
-- 'approval'); one open request per person and organization.
CREATE TABLE join_requests (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    person_id  TEXT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT REFERENCES people (id),
    approved   INTEGER,
    PRIMARY KEY (org_id, person_id)
);
