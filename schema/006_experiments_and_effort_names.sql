-- 006: randomised experiments, and the other names of efforts (at the end).
--
-- Randomised experiments. `turnout holdout draw` assigns every person of an audience file at
-- random, before the send, to be sent an effort or held out of it, and records the draw here, so
-- that `turnout lift --experiment` compares everyone assigned (intention to treat) rather than the
-- people who happened to open. People are kept only as the keyed hashes of their identifiers, as
-- everywhere else; `turnout forget` and `turnout key rotate` reach them here too.

CREATE TABLE experiment (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    campaign_id INTEGER REFERENCES campaign (id),
    -- The share of people held out, between 0 and 1.
    share       REAL NOT NULL CHECK (share > 0 AND share < 1),
    seed        INTEGER NOT NULL,
    -- The column of the audience file the draw was balanced within, if any.
    strata      TEXT,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_read   INTEGER NOT NULL,
    -- Rows with no readable email or phone: in neither group.
    unreadable  INTEGER NOT NULL,
    drawn_at    TEXT NOT NULL,
    -- The send that went to the send group, once known (`turnout holdout link`): the rules that
    -- share credit then count everyone in the send group as sent it, not only its openers.
    effort_id   INTEGER REFERENCES effort (id)
) STRICT;

-- One row per person drawn: the rows of the audience file that share an email or phone are one
-- person. `assigned` is the group the draw put them in, whatever happened at the send.
CREATE TABLE experiment_member (
    experiment_id INTEGER NOT NULL REFERENCES experiment (id) ON DELETE CASCADE,
    member        INTEGER NOT NULL,
    assigned      TEXT NOT NULL CHECK (assigned = 'send' OR assigned = 'holdout'),
    stratum       TEXT,
    PRIMARY KEY (experiment_id, member)
) STRICT, WITHOUT ROWID;

-- The keyed hashes of each member's emails and phones, to find them among imported people.
CREATE TABLE experiment_identifier (
    experiment_id INTEGER NOT NULL REFERENCES experiment (id) ON DELETE CASCADE,
    hash          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone'),
    member        INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX experiment_identifier_by_hash ON experiment_identifier (hash);

-- Another name an export gives an effort. Mailchimp names a send by its Unique Id in its reports
-- and in its links (mc_cid), and by its numeric web id in the file names of its granular activity;
-- a clicks file carries both, so the opens file of the same web id joins the same effort.
CREATE TABLE effort_alias (
    platform  TEXT NOT NULL,
    alias     TEXT NOT NULL,
    effort_id INTEGER NOT NULL REFERENCES effort (id) ON DELETE CASCADE,
    PRIMARY KEY (platform, alias)
) STRICT, WITHOUT ROWID;
