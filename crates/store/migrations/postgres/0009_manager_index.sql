-- Who reports to whom is walked from the manager down (visibility of
-- observations to managers, award rights): index that direction.
CREATE INDEX memberships_manager ON memberships (org_id, manager_id);
