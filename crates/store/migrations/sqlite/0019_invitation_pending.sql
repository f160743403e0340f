-- Bulk onboarding: what an invitation made by a people import sets when
-- it is accepted (JSON: name, email, position, team, manager, since,
-- reports; see `people_import`). NULL for invitations made by hand.
ALTER TABLE invitations ADD COLUMN pending TEXT;
