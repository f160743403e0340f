-- Open Badges 3.0 credentials (crates/store/src/credentials.rs). Each
-- organization signs with Ed25519 keys, numbered; the newest unretired one
-- signs, and every key stays here so credentials it signed still verify.
-- private_key is the PKCS#8 key encrypted (AES-256-GCM) under the
-- server's credential_key setting; public_key the raw 32 bytes, base64url.
CREATE TABLE credential_keys (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    number      BIGINT NOT NULL,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT,
    PRIMARY KEY (org_id, number)
);

-- One credential per award, made only when its recipient asks. jws is the
-- signed credential (VC-JOSE compact JWS); status_index its bit in the
-- organization's revocation list, set while the award is revoked.
CREATE TABLE credentials (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    award_id     TEXT NOT NULL UNIQUE REFERENCES awards (id),
    recipient_id TEXT NOT NULL REFERENCES people (id),
    status_index BIGINT NOT NULL,
    key_number   BIGINT NOT NULL,
    jws          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (org_id, status_index)
);
