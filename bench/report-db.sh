#!/bin/sh
# Builds a database for timing reports: 2,000 email sends, 200,000 people, ROWS person-level
# touches (sent, opened, clicked) and ROWS actions (RSVPs, attendance, no-shows, donations) over
# 60 days, generated with SQL (so only the reports are timed), with the summaries an import keeps.
# Usage: bench/report-db.sh DB [ROWS]   (needs sqlite3 and a built target/release/turnout)
set -eu
db=$1
rows=${2:-1000000}
bin=target/release/turnout
$bin --db "$db" -q campaign add bench --name "Bench" --start 2026-09-01 --end 2026-10-31 >/dev/null
$bin --db "$db" -q goal set bench rsvps 100000 --by 2026-10-31 --today 2026-10-15 >/dev/null
sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO effort (campaign_id, channel, platform, external_id, sent_at)
SELECT 1, 'email', 'bench', 'e' || i, date('2026-09-01', '+' || (i % 60) || ' days') || 'T17:00:00+00:00' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO person (id) SELECT i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT OR IGNORE INTO touch (effort_id, at, person_id, kind)
SELECT 1 + (i * 31) % 2000,
       unixepoch(date('2026-09-01', '+' || (i % 60) || ' days') || 'T18:00:00+00:00') + i % 3600,
       1 + (i * 7919) % 200000,
       CASE i % 3 WHEN 0 THEN 2 WHEN 1 THEN 0 ELSE 1 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO action (campaign_id, person_id, metric, at, local_date, amount, source_code, source_key)
SELECT 1, 1 + (i * 104729) % 200000,
       CASE i % 4 WHEN 0 THEN 'rsvps' WHEN 1 THEN 'attended' WHEN 2 THEN 'no_shows' ELSE 'donations' END,
       date('2026-09-01', '+' || (i % 60) || ' days') || 'T20:00:00+00:00',
       date('2026-09-01', '+' || (i % 60) || ' days'), 1, 'e' || (1 + i % 2000), 'a' || i FROM n;
-- What an import does after writing touches and actions: their sums per effort or campaign and day.
-- (Every touch is between 18:00 and 19:00 UTC, the same day in any zone west of UTC+5.)
INSERT INTO touch_fact (effort_id, metric, period_start, value)
SELECT effort_id, CASE kind WHEN 0 THEN 'opens' WHEN 1 THEN 'clicks' ELSE 'sent' END,
       date(at, 'unixepoch'), count(*) FROM touch GROUP BY effort_id, kind, date(at, 'unixepoch');
INSERT INTO touch_fact (effort_id, metric, period_start, value)
SELECT effort_id, metric, first_day, count(*) FROM (
    SELECT effort_id, CASE kind WHEN 0 THEN 'unique_opens' ELSE 'unique_clicks' END AS metric,
           date(min(at), 'unixepoch') AS first_day
    FROM touch WHERE kind IN (0, 1) GROUP BY effort_id, kind, person_id)
GROUP BY effort_id, metric, first_day;
INSERT INTO action_fact (campaign_id, period_start, metric, channel, source_code, value)
SELECT campaign_id, local_date, metric, channel, source_code, sum(amount) FROM action
GROUP BY campaign_id, local_date, metric, channel, source_code;
COMMIT;
ANALYZE;
SQL
