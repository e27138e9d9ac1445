#!/bin/sh
# Times `turnout report`, `funnel`, `digest` and `totals` on a database holding ROWS person-level
# touches and ROWS actions (generated with SQL by bench/report-db.sh, so only the reports are
# timed). Usage: bench/reports.sh [ROWS]   (needs sqlite3; run from the project root)
set -eu
rows=${1:-1000000}
cargo build --release -q
bin=target/release/turnout
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="$dir/bench.db"
bench/report-db.sh "$db" "$rows"
for cmd in "report bench" "report bench --weekly" "funnel bench" "digest --week 2026-W41" "totals --campaign bench"; do
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $bin --db "$db" --today 2026-10-15 $cmd --format json >/dev/null
    end=$(date +%s.%N)
    printf '%-28s %6.2f s\n' "$cmd" "$(echo "$end - $start" | bc)"
done
