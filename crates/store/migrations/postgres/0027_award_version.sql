-- An award remembers the published version of the framework it was
-- awarded under (NULL: none was published yet).
ALTER TABLE awards ADD COLUMN published_version BIGINT;
