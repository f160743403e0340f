-- The people list reads an organization's members by name a page at a
-- time: each membership carries its person's name, so the list walks one
-- index in order (organization, status, name) instead of joining every
-- member to sort them. Set when the membership is made; names do not
-- change after sign-up.
ALTER TABLE memberships ADD COLUMN person_name TEXT NOT NULL DEFAULT '';
UPDATE memberships SET person_name = (SELECT p.name FROM people p WHERE p.id = memberships.person_id);
CREATE INDEX memberships_by_name ON memberships (org_id, status, person_name, person_id);
