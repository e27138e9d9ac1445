#!/bin/sh
# The import benchmark (issues 9 and 18): turnout's import of a Mailchimp granular-opens export
# against sqlite3's own `.import --csv` of the same file (no validation at all: the floor), and
# the reports on a database of 1M touches and 1M actions. Each step runs 3 times; the table shows
# the median wall time, rows per second, peak memory (`/usr/bin/time -v`) and the ratio to the
# sqlite3 baseline measured in this run; then the sizes of the file and of both databases.
# For one run of 10M rows, see bench/import-big.sh.
# Usage: bench/import.sh [ROWS]   (default 1000000; run from the project root)
# Needs: sqlite3, python3, GNU time (/usr/bin/time). Takes about 10 minutes at 1M rows.
set -eu
rows=${1:-1000000}
double=$((rows * 2))
runs=3
cargo build --release -q
bin=$(pwd)/target/release/turnout
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
one="$dir/4829105_september-action-alert.csv"
two="$dir/4829106_september-action-alert-2x.csv"
python3 bench/gen_opens.py "$rows" "$one" 42
python3 bench/gen_opens.py "$double" "$two" 42
results="$dir/results"
: >"$results"

# Runs a command under /usr/bin/time -v; prints "seconds max_rss_kib".
measure() {
    /usr/bin/time -v "$@" >/dev/null 2>"$dir/time.txt" || { cat "$dir/time.txt" >&2; exit 1; }
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
                /Maximum resident set size/ { rss = $2 }
                END { printf "%.3f %d\n", s, rss }' "$dir/time.txt"
}

# step NAME ROWS SETUP COMMAND...: runs SETUP (a shell snippet) then the command, $runs times;
# records the median time and the largest peak memory.
step() {
    name=$1; n=$2; setup=$3; shift 3
    : >"$dir/runs"
    i=0
    while [ $i -lt $runs ]; do
        sh -c "$setup"
        measure "$@" >>"$dir/runs"
        i=$((i + 1))
    done
    median=$(sort -n "$dir/runs" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
    rss=$(sort -k2 -n "$dir/runs" | tail -1 | cut -d' ' -f2)
    printf '%s|%s|%s|%s\n' "$name" "$n" "$median" "$rss" >>"$results"
    printf '  %-34s %8s s\n' "$name" "$median" >&2
}

echo "Mailchimp granular opens: $rows and $double rows; $runs runs per step" >&2
step "sqlite3 .import --csv (1x)" "$rows" "rm -f $dir/base.db" \
    sqlite3 "$dir/base.db" ".import --csv $one opens"
step "turnout import, first (1x)" "$rows" "rm -f $dir/t1.db $dir/t1.db-wal $dir/t1.db-shm $dir/t1.db.key" \
    "$bin" --db "$dir/t1.db" -q import "$one"
step "turnout import, again (1x)" "$rows" "true" \
    "$bin" --db "$dir/t1.db" -q import "$one"
step "turnout import --rejects, first (1x)" "$rows" "rm -f $dir/t3.db $dir/t3.db-wal $dir/t3.db-shm $dir/t3.db.key" \
    "$bin" --db "$dir/t3.db" -q import "$one" --rejects "$dir/rejects.csv"
step "sqlite3 .import --csv (2x)" "$double" "rm -f $dir/base2.db" \
    sqlite3 "$dir/base2.db" ".import --csv $two opens"
step "turnout import, first (2x)" "$double" "rm -f $dir/t2.db $dir/t2.db-wal $dir/t2.db-shm $dir/t2.db.key" \
    "$bin" --db "$dir/t2.db" -q import "$two"

echo "Building the reports database (1M touches, 1M actions)..." >&2
bench/report-db.sh "$dir/reports.db" 1000000
for cmd in "report bench" "funnel bench" "digest --week 2026-W41" "drivers bench --outcome rsvps --model all"; do
    # shellcheck disable=SC2086
    step "$cmd" 1000000 "true" "$bin" --db "$dir/reports.db" --today 2026-10-15 $cmd --format json
done

baseline=$(awk -F'|' '$1 == "sqlite3 .import --csv (1x)" { print $3 }' "$results")
first=$(awk -F'|' '$1 == "turnout import, first (1x)" { print $3 }' "$results")
echo
echo "| step | rows | wall time (median of $runs) | rows/s | peak RSS | vs sqlite3 .import (1x) |"
echo "|---|---|---|---|---|---|"
awk -F'|' -v base="$baseline" -v first="$first" '{
    rate = ($3 > 0) ? $2 / $3 : 0
    extra = ($1 == "turnout import, first (2x)") ? sprintf(" (%.2fx the 1x import)", $3 / first) : ""
    ratio = ($1 ~ /import/) ? sprintf("%.2fx%s", $3 / base, extra) : "-"
    printf "| %s | %d | %.2f s | %d | %.0f MiB | %s |\n", $1, $2, $3, rate, $4 / 1024, ratio
}' "$results"

size() { du -b "$1" | cut -f1; }
csv_bytes=$(size "$one")
echo
echo "| file | bytes | vs the CSV |"
echo "|---|---|---|"
for f in "$one" "$dir/base.db" "$dir/t1.db"; do
    printf '| %s | %s | %.2fx |\n' "$(basename "$f")" "$(size "$f")" "$(echo "$(size "$f") / $csv_bytes" | bc -l)"
done
