-- 008: a compact store. A touch was a row of text (its time, its day, a 32-character identity)
-- with three indexes: a million Mailchimp opens took 190 MB, four times the export.
--
-- A touch is now four integers, and what it is is its own key: one send (effort), one moment
-- (seconds since 1970, UTC), one person, one kind. The table is ordered by that key (WITHOUT
-- ROWID), so there is no identity column and no index beside it: an export read in time order
-- is appended at the end of its send's rows. The day of a touch is derived from its moment in
-- the organization's zone when the counts per day are made (`store::summaries`).
--
-- Kinds are numbered so that the commonest take no space (SQLite stores 0 and 1 in the record
-- header alone): 0 opened, 1 clicked, 2 sent, 3 delivered, 4 replied.
--
-- Two touches of one kind, by one person, of one send, in one second are one touch now: the
-- links of two clicks in the same second were part of their identity, and links are not stored.
-- No report changes: a send's report is the count of record for its clicks, and attribution
-- counts a person's first touch of a send.

CREATE TABLE touch_kind (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO touch_kind (code, name) VALUES
    (0, 'opened'), (1, 'clicked'), (2, 'sent'), (3, 'delivered'), (4, 'replied');

CREATE TABLE touch_new (
    effort_id INTEGER NOT NULL REFERENCES effort (id),
    at        INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES person (id),
    kind      INTEGER NOT NULL CHECK (kind >= 0 AND kind <= 4),
    PRIMARY KEY (effort_id, at, person_id, kind)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO touch_new (effort_id, at, person_id, kind)
    SELECT t.effort_id, unixepoch(t.at), t.person_id, k.code
    FROM touch t JOIN touch_kind k ON k.name = t.kind
    ORDER BY 1, 2, 3, 4;

-- Which sends each import wrote touches of, and how many: an unchanged file is recognised again
-- only while no later import has written touches of its sends (`import::reuse`). Filled from
-- the touches as they were: each names the import that last wrote or confirmed it.
CREATE TABLE import_effort (
    import_id INTEGER NOT NULL REFERENCES import (id) ON DELETE CASCADE,
    effort_id INTEGER NOT NULL REFERENCES effort (id),
    touches   INTEGER NOT NULL,
    PRIMARY KEY (effort_id, import_id)
) STRICT, WITHOUT ROWID;
INSERT INTO import_effort (import_id, effort_id, touches)
    SELECT import_id, effort_id, count(*) FROM touch WHERE import_id IS NOT NULL GROUP BY 1, 2;
-- What each import owns (`rows_owned`) no longer counts its touches.
UPDATE import SET rows_owned = rows_owned - ifnull((SELECT sum(touches) FROM import_effort
                                                   WHERE import_id = import.id), 0)
WHERE rows_owned IS NOT NULL;

DROP TABLE touch;
ALTER TABLE touch_new RENAME TO touch;

-- People as little as they can be: an identifier is the first 128 bits of its keyed hash, as 16
-- bytes (it was the whole hash as 64 hex characters, with an index beside the table), and the
-- table is ordered by it. A person is a number. The same hashes, shortened alike, in the
-- tombstones of forgotten people and in experiments.
CREATE TABLE person_identifier_new (
    hash      BLOB PRIMARY KEY CHECK (length(hash) = 16),
    kind      TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone'),
    person_id INTEGER NOT NULL REFERENCES person (id)
) STRICT, WITHOUT ROWID;
INSERT INTO person_identifier_new (hash, kind, person_id)
    SELECT unhex(substr(hash, 1, 32)), kind, person_id FROM person_identifier ORDER BY 1;
DROP TABLE person_identifier;
ALTER TABLE person_identifier_new RENAME TO person_identifier;

CREATE TABLE forgotten_new (
    hash         BLOB PRIMARY KEY CHECK (length(hash) = 16),
    kind         TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone'),
    forgotten_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO forgotten_new (hash, kind, forgotten_at)
    SELECT unhex(substr(hash, 1, 32)), kind, forgotten_at FROM forgotten ORDER BY 1;
DROP TABLE forgotten;
ALTER TABLE forgotten_new RENAME TO forgotten;

CREATE TABLE experiment_identifier_new (
    experiment_id INTEGER NOT NULL REFERENCES experiment (id) ON DELETE CASCADE,
    hash          BLOB NOT NULL CHECK (length(hash) = 16),
    kind          TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone'),
    member        INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, hash)
) STRICT, WITHOUT ROWID;
INSERT INTO experiment_identifier_new (experiment_id, hash, kind, member)
    SELECT experiment_id, unhex(substr(hash, 1, 32)), kind, member FROM experiment_identifier;
DROP TABLE experiment_identifier;
ALTER TABLE experiment_identifier_new RENAME TO experiment_identifier;
CREATE INDEX experiment_identifier_by_hash ON experiment_identifier (hash);

ALTER TABLE person DROP COLUMN created_at;
