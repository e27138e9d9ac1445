-- Faster imports of large exports.

-- Recognising a file imported before, so importing it again costs a read of the file rather
-- than a walk through every row (see src/import/reuse.rs).
-- How many stored rows (touches, actions, numbers, plan items) the import wrote or confirmed.
-- While that many rows still name it, nothing has overwritten or removed its rows since.
ALTER TABLE import ADD COLUMN rows_owned INTEGER;
-- A hash of everything besides the file that decides how it is read: the turnout version, the
-- profile, the options, the campaigns, codes, metrics, settings and forgotten people.
ALTER TABLE import ADD COLUMN context TEXT;
-- For an import that found the file unchanged since an earlier one: that import, whose rows
-- these are.
ALTER TABLE import ADD COLUMN same_as INTEGER REFERENCES import (id);

-- Row identities of touches and actions keep the first 128 bits of their sha256 (32 hex
-- characters): as unique in practice, and half the size in the table and its unique index.
UPDATE touch SET source_key = substr(source_key, 1, 32) WHERE length(source_key) > 32;
UPDATE action SET source_key = substr(source_key, 1, 32) WHERE length(source_key) > 32;
