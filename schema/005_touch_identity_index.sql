-- The unique index on a touch's identity becomes a named index instead of a column constraint,
-- whose index SQLite will not let go of. A large first import can then drop it like the other
-- indexes, append its touches in file order, and build it once at the end (one sorted pass, which
-- also finds rows that repeat an earlier line), instead of filing every row into it at a random
-- place (see `Writer::append_touches`). The columns and the rows stay as they were.
CREATE TABLE touch_new (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES person (id),
    effort_id   INTEGER NOT NULL REFERENCES effort (id),
    kind        TEXT NOT NULL CHECK (kind IN ('sent', 'delivered', 'opened', 'clicked', 'replied')),
    at          TEXT NOT NULL,
    local_date  TEXT NOT NULL,
    -- A hash of what identifies the row in its export, so re-importing it finds it again.
    source_key  TEXT NOT NULL,
    import_id   INTEGER REFERENCES import (id),
    import_line INTEGER
) STRICT;
INSERT INTO touch_new (id, person_id, effort_id, kind, at, local_date, source_key, import_id, import_line)
    SELECT id, person_id, effort_id, kind, at, local_date, source_key, import_id, import_line FROM touch;
DROP TABLE touch;
ALTER TABLE touch_new RENAME TO touch;

-- One stored touch per identity.
CREATE UNIQUE INDEX touch_identity ON touch (source_key);
-- Each person's contact with each effort, in time order: attribution reads this whole index.
CREATE INDEX touch_by_person ON touch (person_id, effort_id, kind, at);
CREATE INDEX touch_by_effort ON touch (effort_id, kind);
