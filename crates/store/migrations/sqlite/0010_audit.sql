-- The audit log: who did what, when, from where. Append-only: cairn never
-- updates or deletes a row, and these triggers refuse it to anyone else.

CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    org_id    TEXT REFERENCES organizations (id),  -- NULL: not about one organization (sign-ins)
    at        BIGINT NOT NULL,
    actor_id  TEXT REFERENCES people (id),         -- NULL: nobody signed in, or an operator's command
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    client_ip TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
