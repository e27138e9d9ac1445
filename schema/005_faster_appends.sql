-- Faster appends of touches and actions (both tables are rebuilt; their columns and rows stay as
-- they were).
--
-- 1. The unique index of a touch's identity becomes a named index instead of a column
--    constraint, whose index SQLite will not let go of. A large first import can then drop it
--    like the other indexes, append its touches in file order, and build it once at the end (one
--    sorted pass, which also finds rows that repeat an earlier line) instead of filing every row
--    into it at a random place (see `Writer::append_touches`). Actions get the same named index.
-- 2. The checks of `kind` and `channel` compare with each allowed value in turn. The same check
--    written as `IN (...)` with more than two values makes SQLite build a small temporary table
--    for every row inserted, which cost 3 microseconds a row: 3 seconds of a million-row import.
CREATE TABLE touch_new (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES person (id),
    effort_id   INTEGER NOT NULL REFERENCES effort (id),
    kind        TEXT NOT NULL CHECK (kind = 'sent' OR kind = 'delivered' OR kind = 'opened'
                                     OR kind = 'clicked' OR kind = 'replied'),
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

CREATE TABLE action_new (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES campaign (id),
    person_id   INTEGER REFERENCES person (id),
    metric      TEXT NOT NULL REFERENCES metric (name),
    at          TEXT NOT NULL,
    local_date  TEXT NOT NULL,
    amount      REAL NOT NULL DEFAULT 1,
    channel     TEXT CHECK (channel = 'email' OR channel = 'sms' OR channel = 'social'
                            OR channel = 'web' OR channel = 'ads' OR channel = 'phone'
                            OR channel = 'field' OR channel = 'poll' OR channel = 'other'),
    source_code TEXT,
    event_id    INTEGER REFERENCES event (id),
    source_key  TEXT NOT NULL,
    import_id   INTEGER REFERENCES import (id),
    import_line INTEGER
) STRICT;
INSERT INTO action_new (id, campaign_id, person_id, metric, at, local_date, amount, channel,
                        source_code, event_id, source_key, import_id, import_line)
    SELECT id, campaign_id, person_id, metric, at, local_date, amount, channel,
           source_code, event_id, source_key, import_id, import_line FROM action;
DROP TABLE action;
ALTER TABLE action_new RENAME TO action;

-- One stored action per identity.
CREATE UNIQUE INDEX action_identity ON action (source_key);
CREATE INDEX action_by_day ON action (ifnull(campaign_id, 0), local_date);
CREATE INDEX action_by_person ON action (person_id, at);
CREATE INDEX action_by_code ON action (source_code);
CREATE INDEX action_by_event ON action (event_id);
