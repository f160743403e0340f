-- Eligibility may ask for check-ins: the last N finalized check-ins
-- rated at least R (N = 0: no such rule, the default).
ALTER TABLE organizations ADD COLUMN check_in_rule_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN check_in_rule_min TEXT NOT NULL DEFAULT 'accomplished';
-- The organization's names for the six overall ratings, best first, one
-- per line ('' = the default scale: cairn_domain::check_ins::Scale).
ALTER TABLE organizations ADD COLUMN check_in_scale TEXT NOT NULL DEFAULT '';
