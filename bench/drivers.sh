#!/bin/sh
# Times `turnout drivers --model all` over 1,000,000 touches and 100,000 actions (generated with
# SQL, so only attribution is timed). Usage: bench/drivers.sh   (needs sqlite3; run from the root)
set -eu
cargo build --release -q
bin=target/release/turnout
dir=$(mktemp -d)
db="$dir/bench.db"
$bin --db "$db" -q campaign add bench --name "Bench" >/dev/null
sqlite3 "$db" <<'SQL'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO effort (campaign_id, channel, platform, external_id)
SELECT 1, CASE i % 3 WHEN 0 THEN 'email' WHEN 1 THEN 'sms' ELSE 'social' END, 'bench', 'e' || i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO person (id) SELECT i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT OR IGNORE INTO touch (effort_id, at, person_id, kind)
SELECT 1 + (i * 31) % 300,
       unixepoch(datetime('2026-09-01', '+' || (i % 5000) || ' minutes', '+' || (i % 60) || ' days')),
       1 + (i * 7919) % 200000,
       CASE i % 3 WHEN 0 THEN 2 WHEN 1 THEN 0 ELSE 1 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO action (campaign_id, person_id, metric, at, local_date, amount, source_key)
SELECT 1, 1 + (i * 104729) % 200000, 'rsvps',
       datetime('2026-09-03', '+' || (i % 70) || ' days'), date('2026-09-03', '+' || (i % 70) || ' days'), 1, 'a' || i FROM n;
COMMIT;
ANALYZE;
SQL
for by in channel effort; do
    start=$(date +%s.%N)
    $bin --db "$db" drivers bench --outcome rsvps --model all --by $by --format json >/dev/null
    end=$(date +%s.%N)
    printf 'drivers --model all --by %-8s %6.2f s\n' "$by" "$(echo "$end - $start" | bc)"
done
rm -rf "$dir"
