-- Indexes the benchmark asked for: newest observations of an organization.

CREATE INDEX observations_recent ON observations (org_id, observed_on);
