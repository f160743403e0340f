-- Insights count the observations each member wrote in a period from the
-- observations themselves, one index entry each: before, the observee
-- rows were read with their observation's id and told apart in memory
-- (an observation with three observees is one written). The predicate is
-- ability_stats::shared_where's, term for term, so both planners use it.
CREATE INDEX observations_shared
    ON observations (org_id, observed_on, observer_id)
 WHERE privacy IN ('organization', 'public') AND published_at IS NOT NULL AND deleted_at IS NULL;
