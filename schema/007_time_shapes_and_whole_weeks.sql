-- 007: the time shape of a file, and logged numbers that are a week's whole total.
--
-- A file's rows are dated events, a cumulative total (counts since the start, as of the day the
-- file was downloaded: CallPower's statistics) or a period total (counts over a range: GA4's
-- reports). Before this version every number was dated on one day, so a snapshot became a spike
-- and two snapshots of one counter added up.

-- What an import's file covers when its rows carry no dates of their own (NULL before 007:
-- events).
ALTER TABLE import ADD COLUMN shape TEXT CHECK (shape IN ('events', 'cumulative', 'period'));
ALTER TABLE import ADD COLUMN as_of TEXT;
ALTER TABLE import ADD COLUMN period_begin TEXT;
ALTER TABLE import ADD COLUMN period_end TEXT;

-- Every cumulative total read, one per counter and snapshot. A counter is what one row of a
-- snapshot counts: its campaign, channel, metric, source code and detail (a call target). The
-- counter's numbers in metric_value are the increases between the snapshots that were applied,
-- each dated on the newer snapshot's day; the first is everything counted up to its day.
CREATE TABLE snapshot_value (
    id          INTEGER PRIMARY KEY,
    import_id   INTEGER NOT NULL REFERENCES import (id),
    import_line INTEGER NOT NULL,
    campaign_id INTEGER REFERENCES campaign (id),
    channel     TEXT,
    metric      TEXT NOT NULL REFERENCES metric (name),
    source_code TEXT,
    detail      TEXT,
    as_of       TEXT NOT NULL,
    value       REAL NOT NULL,
    -- 1 when it was the counter's newest snapshot when imported, and so set its numbers; 0 for an
    -- older snapshot imported after a newer one: recorded, and counted nowhere.
    applied     INTEGER NOT NULL CHECK (applied IN (0, 1))
) STRICT;

CREATE INDEX snapshot_value_by_counter ON snapshot_value (
    metric, ifnull(campaign_id, 0), ifnull(channel, ''), ifnull(source_code, ''), ifnull(detail, ''), as_of
);
CREATE INDEX snapshot_value_by_import ON snapshot_value (import_id);

-- How much a number covers when it is more than its own day or week:
-- - period_end: a period total's last day (period_start is its first);
-- - since_start: a counter's first snapshot, everything counted up to period_start.
-- Totals count both on period_start; week-by-week numbers and paces leave them out and say so.
ALTER TABLE metric_value ADD COLUMN period_end TEXT;
ALTER TABLE metric_value ADD COLUMN since_start INTEGER NOT NULL DEFAULT 0 CHECK (since_start IN (0, 1));

-- A logged number that is its week's whole total (`turnout log --includes-imports`): reports
-- count it instead of the imported rows of its campaign, week and metric, which stay stored.
ALTER TABLE metric_value ADD COLUMN includes_imports INTEGER NOT NULL DEFAULT 0 CHECK (includes_imports IN (0, 1));
ALTER TABLE log_value ADD COLUMN includes_imports INTEGER NOT NULL DEFAULT 0 CHECK (includes_imports IN (0, 1));

-- Every number as imported or logged. `in_one_week` is 0 for a number that covers more than the
-- week it is dated in (`period_end`, `since_start` say how much).
DROP VIEW fact;
CREATE VIEW fact_as_stored AS
    SELECT mv.origin, mv.campaign_id, mv.effort_id, mv.channel, mv.metric, mv.period_start,
           mv.source_code, mv.detail, mv.value, mv.period_end, mv.since_start,
           CASE WHEN mv.since_start = 1
                  OR (mv.period_end IS NOT NULL AND mv.period_end > date(mv.period_start, 'weekday 0'))
                THEN 0 ELSE 1 END AS in_one_week
    FROM metric_value mv
UNION ALL
    SELECT 'import', af.campaign_id, NULL, af.channel, af.metric, af.period_start, af.source_code,
           NULL, af.value, NULL, 0, 1
    FROM action_fact af
UNION ALL
    SELECT 'import', e.campaign_id, tf.effort_id, e.channel, tf.metric, tf.period_start, NULL, NULL,
           tf.value, NULL, 0, 1
    FROM touch_fact tf
    JOIN effort e ON e.id = tf.effort_id
    WHERE NOT EXISTS (SELECT 1 FROM aggregate_presence p
                      WHERE p.platform = e.platform AND p.campaign_id = ifnull(e.campaign_id, 0)
                        AND p.metric = tf.metric);

-- Every number reports count, once: a week's imported numbers give way to a whole total logged
-- for its campaign, week and metric (they stay in fact_as_stored).
CREATE VIEW fact AS
    SELECT * FROM fact_as_stored s
    WHERE s.origin = 'log'
       OR NOT EXISTS (SELECT 1 FROM metric_value w
                      WHERE w.origin = 'log' AND w.includes_imports = 1
                        AND w.campaign_id = s.campaign_id AND w.metric = s.metric
                        AND w.period_start = date(s.period_start, '-6 days', 'weekday 1'));

-- CallPower's statistics imported before this version were dated totals, so two downloads added
-- up. They become what they are: snapshots of each counter, whose numbers are the increases
-- between them (the first, everything up to its day). The newest total of each counter is kept.
INSERT INTO snapshot_value (import_id, import_line, campaign_id, channel, metric, source_code,
                            detail, as_of, value, applied)
SELECT mv.import_id, ifnull(mv.import_line, 0), mv.campaign_id, mv.channel, mv.metric,
       mv.source_code, mv.detail, mv.period_start, mv.value, 1
FROM metric_value mv JOIN import i ON i.id = mv.import_id
WHERE mv.origin = 'import' AND i.profile = 'callpower-targets';

UPDATE metric_value AS mv
SET value = mv.value - ifnull(counter.previous, 0),
    since_start = (counter.previous IS NULL)
FROM (SELECT m.id,
             lag(m.value) OVER (PARTITION BY ifnull(m.campaign_id, 0), ifnull(m.channel, ''), m.metric,
                                             ifnull(m.source_code, ''), ifnull(m.detail, '')
                                ORDER BY m.period_start) AS previous
      FROM metric_value m JOIN import i ON i.id = m.import_id
      WHERE m.origin = 'import' AND i.profile = 'callpower-targets') AS counter
WHERE counter.id = mv.id;

UPDATE import
SET shape = 'cumulative',
    as_of = (SELECT max(period_start) FROM metric_value WHERE import_id = import.id)
WHERE profile = 'callpower-targets';
