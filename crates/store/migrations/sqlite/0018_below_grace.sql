-- Health: how long a member may be below a requirement of what they hold
-- before the report says so (days; default 180).
ALTER TABLE organizations ADD COLUMN health_below_grace_days BIGINT NOT NULL DEFAULT 180;
