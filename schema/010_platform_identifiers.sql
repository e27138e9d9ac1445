-- A person may be known by the id a tool gives them (NGP VAN's VANID), hashed with the tool's
-- name like an email or phone: an identifier of the kind 'platform'. The tombstones of forgotten
-- people keep that kind too.
CREATE TABLE person_identifier_new (
    hash      BLOB PRIMARY KEY CHECK (length(hash) = 16),
    kind      TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone' OR kind = 'platform'),
    person_id INTEGER NOT NULL REFERENCES person (id)
) STRICT, WITHOUT ROWID;
INSERT INTO person_identifier_new (hash, kind, person_id)
    SELECT hash, kind, person_id FROM person_identifier ORDER BY hash;
DROP TABLE person_identifier;
ALTER TABLE person_identifier_new RENAME TO person_identifier;

CREATE TABLE forgotten_new (
    hash         BLOB PRIMARY KEY CHECK (length(hash) = 16),
    kind         TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone' OR kind = 'platform'),
    forgotten_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO forgotten_new (hash, kind, forgotten_at)
    SELECT hash, kind, forgotten_at FROM forgotten ORDER BY hash;
DROP TABLE forgotten;
ALTER TABLE forgotten_new RENAME TO forgotten;
