-- 003: people who asked to be forgotten. Only the keyed hashes of their identifiers are kept, so a
-- re-import of an old file skips their rows ("forgotten") instead of bringing them back.

CREATE TABLE forgotten (
    hash         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    forgotten_at TEXT NOT NULL
) STRICT;
