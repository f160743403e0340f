-- A position's miles may be a band (`miles_rule = 'band'`): at least
-- `miles_value` and fewer than `miles_below` miles (Snowflake's titles).
ALTER TABLE positions ADD COLUMN miles_below BIGINT;
