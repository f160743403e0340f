-- A member's choice to show a public profile: the awards they pick and
-- public observations of them.

ALTER TABLE memberships ADD COLUMN public_profile INTEGER NOT NULL DEFAULT 0;
