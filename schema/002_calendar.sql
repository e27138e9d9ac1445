-- 002: the publishing calendar: what is planned to go out when, on which channel, to which
-- audience; and how the audience names tools export map to the organization's own.

CREATE TABLE plan_item (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES campaign (id),
    day         TEXT NOT NULL,
    -- Local time of day (HH:MM) in the organization's zone; none for "some time that day".
    time        TEXT,
    channel     TEXT NOT NULL
                CHECK (channel IN ('email', 'sms', 'social', 'web', 'ads', 'phone', 'field', 'poll', 'other')),
    audience    TEXT NOT NULL,
    title       TEXT NOT NULL,
    -- The metric it asks for; items whose goal is a result are "asks".
    goal        TEXT REFERENCES metric (name),
    owner       TEXT,
    -- Identifies an imported item, so re-importing a plan updates it rather than adding it again.
    source_key  TEXT UNIQUE,
    import_id   INTEGER REFERENCES import (id),
    import_line INTEGER,
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX plan_item_by_day ON plan_item (day);

-- "Eastside Tenants Union" (a Mailchimp audience) is the organization's "members".
CREATE TABLE audience_map (
    exported TEXT PRIMARY KEY COLLATE NOCASE,
    audience TEXT NOT NULL
) STRICT;
