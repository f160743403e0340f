-- Published versions of a framework (crates/store/src/versions.rs): each
-- the framework file (JSON, format cairn/1) as it was published, with its
-- release notes. v1, v2, … per organization; one transaction publishes.
CREATE TABLE framework_versions (
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    number       BIGINT NOT NULL,
    notes        TEXT NOT NULL,
    snapshot     TEXT NOT NULL,
    published_by TEXT REFERENCES people (id),
    published_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, number)
);
