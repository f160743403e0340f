-- Every transaction that writes an organization's framework (items,
-- requirements, its name or miles scale) adds one, so a server keeps an
-- in-memory snapshot of the framework keyed by this number and knows from
-- the organization's row alone whether its snapshot is current.
ALTER TABLE organizations ADD COLUMN framework_version INTEGER NOT NULL DEFAULT 1;

-- Who reports to whom, directly or not (depth 1 = direct), kept in the
-- transaction that changes a manager: "is the reader a manager of this
-- observee" is one indexed probe instead of a recursive walk per request.
CREATE TABLE reports_to (
    org_id TEXT NOT NULL,
    manager_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    depth INTEGER NOT NULL,
    PRIMARY KEY (org_id, manager_id, person_id)
);
CREATE INDEX reports_to_person ON reports_to (org_id, person_id);

WITH RECURSIVE chain(org_id, manager_id, person_id, depth) AS (
    SELECT org_id, manager_id, person_id, 1 FROM memberships WHERE manager_id IS NOT NULL
    UNION
    SELECT c.org_id, c.manager_id, m.person_id, c.depth + 1
      FROM chain c JOIN memberships m ON m.org_id = c.org_id AND m.manager_id = c.person_id
     WHERE c.depth < 64
)
INSERT INTO reports_to (org_id, manager_id, person_id, depth)
SELECT org_id, manager_id, person_id, MIN(depth) FROM chain
 WHERE manager_id <> person_id
 GROUP BY org_id, manager_id, person_id;
