-- 001: the first shape of a turnout database.
--
-- Migrations are append-only: once a file has shipped it is never edited; a change is a new
-- numbered file. The number of files applied is kept in PRAGMA user_version.
--
-- Conventions: dates are 'YYYY-MM-DD' in the organization's time zone (setting 'timezone');
-- instants are UTC RFC 3339 text; every table is STRICT so a wrong type is an error, not a guess.

-- Organization-wide settings: timezone, default_country, ...
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The metric vocabulary. Milestones are comms metrics (opens, clicks...), results are field
-- outcomes (calls, RSVPs...). Reports lead with results, so `position` orders them first.
CREATE TABLE metric (
    name        TEXT PRIMARY KEY,
    family      TEXT NOT NULL CHECK (family IN ('result', 'milestone')),
    unit        TEXT NOT NULL DEFAULT 'count' CHECK (unit IN ('count', 'amount')),
    description TEXT NOT NULL,
    builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    position    INTEGER NOT NULL
) STRICT;

INSERT INTO metric (name, family, unit, description, builtin, position) VALUES
    ('rsvps',           'result', 'count',  'People who signed up to attend an event (cancellations excluded)', 1, 1),
    ('attended',        'result', 'count',  'People recorded as having shown up at an event', 1, 2),
    ('no_shows',        'result', 'count',  'People with an RSVP recorded as not attending', 1, 3),
    ('calls',           'result', 'count',  'Completed calls to targets (elected officials, voters)', 1, 4),
    ('signups',         'result', 'count',  'People who signed up (to a list, a volunteer form, a campaign)', 1, 5),
    ('signatures',      'result', 'count',  'Petition signatures', 1, 6),
    ('shifts',          'result', 'count',  'Volunteer shifts completed', 1, 7),
    ('doors',           'result', 'count',  'Doors knocked', 1, 8),
    ('cards',           'result', 'count',  'Union or commitment cards signed', 1, 9),
    ('pledges',         'result', 'count',  'Pledges (to vote, to act)', 1, 10),
    ('votes',           'result', 'count',  'Votes cast by people the campaign turned out', 1, 11),
    ('donations',       'result', 'count',  'Number of donations (not their amount)', 1, 12),
    ('donation_amount', 'result', 'amount', 'Money donated, in the account currency', 1, 13),
    ('cancellations',   'result', 'count',  'RSVPs cancelled before the event (not counted as RSVPs)', 1, 14),
    ('sent',            'milestone', 'count', 'Messages sent (emails, texts) or posts published', 1, 101),
    ('delivered',       'milestone', 'count', 'Messages delivered (sent minus bounces)', 1, 102),
    ('bounces',         'milestone', 'count', 'Messages that bounced (hard and soft)', 1, 103),
    ('unique_opens',    'milestone', 'count', 'People who opened at least once (machine opens excluded where the export separates them)', 1, 104),
    ('opens',           'milestone', 'count', 'All opens, counting repeat opens by the same person', 1, 105),
    ('unique_clicks',   'milestone', 'count', 'People who clicked at least once', 1, 106),
    ('clicks',          'milestone', 'count', 'All clicks, counting repeat clicks by the same person', 1, 107),
    ('unsubscribes',    'milestone', 'count', 'People who unsubscribed', 1, 108),
    ('complaints',      'milestone', 'count', 'Spam or abuse complaints', 1, 109),
    ('impressions',     'milestone', 'count', 'Times a post or ad was shown, counting repeats', 1, 110),
    ('reach',           'milestone', 'count', 'People who saw a post or ad at least once', 1, 111),
    ('views',           'milestone', 'count', 'Views of a post, video or page', 1, 112),
    ('engagements',     'milestone', 'count', 'All interactions with a post, as the platform counts them', 1, 113),
    ('likes',           'milestone', 'count', 'Likes', 1, 114),
    ('reactions',       'milestone', 'count', 'Reactions (likes and the other reaction kinds)', 1, 115),
    ('comments',        'milestone', 'count', 'Comments', 1, 116),
    ('shares',          'milestone', 'count', 'Shares, reposts and retweets', 1, 117),
    ('follows',         'milestone', 'count', 'New followers', 1, 118),
    ('link_clicks',     'milestone', 'count', 'Clicks on a link in a post or ad', 1, 119),
    ('replies',         'milestone', 'count', 'Replies to a text or post', 1, 120),
    ('opt_outs',        'milestone', 'count', 'People who opted out of texts', 1, 121),
    ('sessions',        'milestone', 'count', 'Website sessions', 1, 122),
    ('responses',       'milestone', 'count', 'Answers to a poll or consultation', 1, 123);

CREATE TABLE campaign (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    team       TEXT,
    start_date TEXT,
    end_date   TEXT,
    created_at TEXT NOT NULL
) STRICT;

-- Source codes, UTM campaigns and refcodes a campaign claims: an exact value or a glob (* and ?).
CREATE TABLE campaign_code (
    campaign_id INTEGER NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    pattern     TEXT NOT NULL,
    PRIMARY KEY (campaign_id, pattern)
) STRICT;

-- One piece of outreach: an email send, a text campaign, a post, an ad, a poll.
CREATE TABLE effort (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES campaign (id),
    channel     TEXT NOT NULL
                CHECK (channel IN ('email', 'sms', 'social', 'web', 'ads', 'phone', 'field', 'poll', 'other')),
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    title       TEXT,
    audience    TEXT,
    sent_at     TEXT,
    UNIQUE (platform, external_id)
) STRICT;

-- The import ledger: one row per file read (dry runs and refused files leave no row).
CREATE TABLE import (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    file_path   TEXT,
    sha256      TEXT NOT NULL,
    profile     TEXT NOT NULL,
    campaign_id INTEGER REFERENCES campaign (id),
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    rows_read   INTEGER NOT NULL DEFAULT 0,
    inserted    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    -- What the import summary warned about (rates that disagree with their counts, numbers that
    -- another export gave differently), one per line, for `turnout check`.
    notes       TEXT
) STRICT;

CREATE INDEX import_by_sha256 ON import (sha256);

-- Rows an import did not take, each with its reason, so every row read is accounted for.
CREATE TABLE import_issue (
    import_id     INTEGER NOT NULL REFERENCES import (id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('rejected', 'skipped')),
    column_number INTEGER,
    column_name   TEXT,
    expected      TEXT,
    found         TEXT,
    reason        TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
) STRICT;

-- Numbers logged by hand for a campaign and week. Every `turnout log` is kept; the current value
-- lives in metric_value, and log_value.previous_value records what each entry replaced.
CREATE TABLE log_entry (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign (id),
    week_start  TEXT NOT NULL,
    channel     TEXT,
    note        TEXT,
    entered_at  TEXT NOT NULL
) STRICT;

CREATE TABLE log_value (
    log_entry_id   INTEGER NOT NULL REFERENCES log_entry (id),
    metric         TEXT NOT NULL REFERENCES metric (name),
    value          REAL NOT NULL,
    previous_value REAL,
    PRIMARY KEY (log_entry_id, metric)
) STRICT;

-- Aggregate numbers: per effort or per campaign, per day or per ISO week (period_start is the
-- day, or the Monday of the week). Each row remembers the import (and line) or log entry that
-- last wrote or confirmed it. Its identity is the unique index below: re-importing a row with the
-- same identity updates the value instead of adding to it.
CREATE TABLE metric_value (
    id           INTEGER PRIMARY KEY,
    origin       TEXT NOT NULL CHECK (origin IN ('import', 'log')),
    campaign_id  INTEGER REFERENCES campaign (id),
    effort_id    INTEGER REFERENCES effort (id),
    channel      TEXT CHECK (channel IN ('email', 'sms', 'social', 'web', 'ads', 'phone', 'field', 'poll', 'other')),
    metric       TEXT NOT NULL REFERENCES metric (name),
    grain        TEXT NOT NULL CHECK (grain IN ('day', 'week')),
    period_start TEXT NOT NULL,
    source_code  TEXT,
    -- A breakdown the export itself has, such as the call target of a CallPower row.
    detail       TEXT,
    value        REAL NOT NULL,
    import_id    INTEGER REFERENCES import (id),
    import_line  INTEGER,
    log_entry_id INTEGER REFERENCES log_entry (id)
) STRICT;

CREATE UNIQUE INDEX metric_value_identity ON metric_value (
    origin, ifnull(campaign_id, 0), ifnull(effort_id, 0), ifnull(channel, ''), metric, grain,
    period_start, ifnull(source_code, ''), ifnull(detail, '')
);
CREATE INDEX metric_value_by_campaign ON metric_value (campaign_id, metric, period_start);
-- Finds a number whatever campaign it was linked to, so re-imports can link it instead of
-- adding it again; also serves reports by effort.
CREATE INDEX metric_value_by_effort ON metric_value (ifnull(effort_id, 0), metric, period_start);
CREATE INDEX metric_value_by_import ON metric_value (import_id);

-- Measurable goals: one per campaign and metric ("800 calls by Oct 30").
CREATE TABLE goal (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign (id),
    metric      TEXT NOT NULL REFERENCES metric (name),
    target      REAL NOT NULL CHECK (target > 0),
    from_date   TEXT NOT NULL,
    by_date     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (campaign_id, metric)
) STRICT;

-- People exist only as keyed hashes (HMAC of a normalized email or phone; the key lives outside
-- the database). One person may carry several identifiers.
CREATE TABLE person (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE person_identifier (
    hash      TEXT PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    person_id INTEGER NOT NULL REFERENCES person (id)
) STRICT;

-- Events people can RSVP to and attend (a town hall, a canvass shift).
CREATE TABLE event (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES campaign (id),
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    title       TEXT,
    starts_at   TEXT,
    starts_local TEXT,
    UNIQUE (platform, external_id)
) STRICT;

-- A person's contact with one effort: sent, delivered, opened, clicked, replied...
CREATE TABLE touch (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES person (id),
    effort_id   INTEGER NOT NULL REFERENCES effort (id),
    kind        TEXT NOT NULL CHECK (kind IN ('sent', 'delivered', 'opened', 'clicked', 'replied')),
    at          TEXT NOT NULL,
    local_date  TEXT NOT NULL,
    -- A hash of what identifies the row in its export, so re-importing it finds it again.
    source_key  TEXT NOT NULL UNIQUE,
    import_id   INTEGER REFERENCES import (id),
    import_line INTEGER
) STRICT;

-- Each person's contact with each effort, in time order: attribution reads this whole index.
CREATE INDEX touch_by_person ON touch (person_id, effort_id, kind, at);
CREATE INDEX touch_by_effort ON touch (effort_id, kind);

-- Offline actions, one row per action, with or without a known person.
CREATE TABLE action (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES campaign (id),
    person_id   INTEGER REFERENCES person (id),
    metric      TEXT NOT NULL REFERENCES metric (name),
    at          TEXT NOT NULL,
    local_date  TEXT NOT NULL,
    amount      REAL NOT NULL DEFAULT 1,
    channel     TEXT CHECK (channel IN ('email', 'sms', 'social', 'web', 'ads', 'phone', 'field', 'poll', 'other')),
    source_code TEXT,
    event_id    INTEGER REFERENCES event (id),
    source_key  TEXT NOT NULL UNIQUE,
    import_id   INTEGER REFERENCES import (id),
    import_line INTEGER
) STRICT;

CREATE INDEX action_by_day ON action (ifnull(campaign_id, 0), local_date);
CREATE INDEX action_by_person ON action (person_id, at);
CREATE INDEX action_by_code ON action (source_code);
CREATE INDEX action_by_event ON action (event_id);

-- Actions summed per campaign, day, metric, channel and code, kept up to date by every import
-- that writes actions, so reports over a million actions read a few thousand rows.
CREATE TABLE action_fact (
    campaign_id  INTEGER,
    period_start TEXT NOT NULL,
    metric       TEXT NOT NULL,
    channel      TEXT,
    source_code  TEXT,
    value        REAL NOT NULL
) STRICT;

CREATE INDEX action_fact_by_day ON action_fact (ifnull(campaign_id, 0), period_start);

-- What a campaign spent: money, or staff time at an hourly rate (amount = hours x rate).
CREATE TABLE cost (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign (id),
    effort_id   INTEGER REFERENCES effort (id),
    date        TEXT NOT NULL,
    amount      REAL NOT NULL CHECK (amount >= 0),
    hours       REAL,
    rate        REAL,
    what        TEXT NOT NULL,
    entered_at  TEXT NOT NULL
) STRICT;

CREATE INDEX cost_by_campaign ON cost (campaign_id, date);

-- Counts from person-level touches, per effort and day, kept up to date by every import that
-- writes touches (reports read this, never the million touches themselves): `sent`,
-- `delivered`, `opens`, `clicks`, `replies` count events; `unique_opens` and `unique_clicks`
-- count each person once per effort, on the day of their first open or click.
CREATE TABLE touch_fact (
    effort_id    INTEGER NOT NULL REFERENCES effort (id),
    metric       TEXT NOT NULL,
    period_start TEXT NOT NULL,
    value        REAL NOT NULL,
    PRIMARY KEY (effort_id, metric, period_start)
) STRICT, WITHOUT ROWID;

-- Which tools gave their own aggregate of a metric for a campaign (rebuilt by imports). Where
-- one did, its report is the count of record, and touch counts of that tool are not added:
-- Mailchimp's campaigns report, not its granular files, whose sends are named differently;
-- Spoke has only the per-text file, so its touches count.
CREATE TABLE aggregate_presence (
    platform    TEXT NOT NULL,
    campaign_id INTEGER NOT NULL,
    metric      TEXT NOT NULL,
    PRIMARY KEY (platform, campaign_id, metric)
) STRICT, WITHOUT ROWID;

-- Every number reports sum, in one shape: aggregate and logged values; one per offline action;
-- and counts from touches where the same tool gave no aggregate for the campaign.
CREATE VIEW fact AS
    SELECT campaign_id, effort_id, channel, metric, period_start, source_code, detail, value
    FROM metric_value
UNION ALL
    SELECT campaign_id, NULL, channel, metric, period_start, source_code, NULL, value
    FROM action_fact
UNION ALL
    SELECT e.campaign_id, tf.effort_id, e.channel, tf.metric, tf.period_start, NULL, NULL, tf.value
    FROM touch_fact tf
    JOIN effort e ON e.id = tf.effort_id
    WHERE NOT EXISTS (SELECT 1 FROM aggregate_presence p
                      WHERE p.platform = e.platform AND p.campaign_id = ifnull(e.campaign_id, 0)
                        AND p.metric = tf.metric);
