#!/bin/sh
# One import of a large Mailchimp granular-opens export (default 10,000,000 rows, about 440 MB),
# paired with sqlite3's own `.import --csv` of the same file: wall time, peak memory and the size
# of each database. Usage: bench/import-big.sh [ROWS]   (run from the project root)
# Needs: sqlite3, python3, GNU time, about 2 GB of disk. Takes about 2 minutes at 10M rows.
set -eu
rows=${1:-10000000}
cargo build --release -q
bin=$(pwd)/target/release/turnout
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
csv="$dir/4829105_september-action-alert.csv"
python3 bench/gen_opens.py "$rows" "$csv" 42

measure() {
    /usr/bin/time -f "%e s, peak %M KiB" "$@" >/dev/null 2>"$dir/time.txt" || { cat "$dir/time.txt" >&2; exit 1; }
    tail -1 "$dir/time.txt"
}
echo "$rows Mailchimp opens, $(du -b "$csv" | cut -f1) bytes"
echo "sqlite3 .import --csv: $(measure sqlite3 "$dir/base.db" ".import --csv $csv opens"), $(du -b "$dir/base.db" | cut -f1) bytes"
echo "turnout import:        $(measure "$bin" --db "$dir/t.db" -q import "$csv"), $(du -b "$dir/t.db" | cut -f1) bytes"
echo "turnout import again:  $(measure "$bin" --db "$dir/t.db" -q import "$csv")"
