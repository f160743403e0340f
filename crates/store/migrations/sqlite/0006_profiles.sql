-- A member's choice to show a public profile: the awards they pick and
-- public observations of them. And who may award milestones.

ALTER TABLE memberships ADD COLUMN public_profile INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN awards_by TEXT NOT NULL DEFAULT 'both'; -- both | people_leads | managers
