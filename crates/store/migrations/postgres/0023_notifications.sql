-- Notifications (cairn_domain::notify): what a person is told, written in
-- the same transaction as the change it tells of, to the people the
-- pages' rules let read it. The inbox reads them; the delivery of email
-- and webhooks will lease them from here.
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    person_id  TEXT NOT NULL REFERENCES people (id),
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,   -- the sentence the inbox shows
    href       TEXT NOT NULL,   -- where it happened, a path of the site
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_inbox ON notifications (person_id, created_at);
CREATE INDEX notifications_unread ON notifications (person_id) WHERE read_at IS NULL;
