-- A row whose email or phone cannot be read still imports, counted as no one; the ledger now
-- lists it ('dropped', with the column, never the value) beside the rows rejected or skipped.
-- A row may list two (its email and its phone), so the row's line is no longer the entry's
-- key: entries are found by their import and line.
CREATE TABLE import_issue_new (
    import_id     INTEGER NOT NULL REFERENCES import (id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('rejected', 'skipped', 'dropped')),
    column_number INTEGER,
    column_name   TEXT,
    expected      TEXT,
    found         TEXT,
    reason        TEXT NOT NULL
) STRICT;
INSERT INTO import_issue_new (import_id, line, outcome, column_number, column_name, expected, found, reason)
    SELECT import_id, line, outcome, column_number, column_name, expected, found, reason
    FROM import_issue ORDER BY import_id, line;
DROP TABLE import_issue;
ALTER TABLE import_issue_new RENAME TO import_issue;
CREATE INDEX import_issue_by_line ON import_issue (import_id, line);

-- Canvass and phone-bank reports (NGP VAN's Contact History) say which attempts reached someone:
-- a conversation is a result of its own, beside the doors knocked and the calls made.
INSERT OR IGNORE INTO metric (name, family, unit, description, builtin, position) VALUES
    ('conversations', 'result', 'count', 'Conversations held: canvass or phone contacts that reached the person (VAN''s Canvassed)', 1, 15);
