#!/bin/sh
# The floor under turnout's first import: how long SQLite alone takes to store a million Mailchimp
# opens in turnout's own tables (migration 008: touches as integers keyed by send, time, person
# and kind; people; their identifiers as 16-byte keyed hashes), with every row already read,
# checked, hashed and linked to its person, so nothing but SQLite's work is timed. Compared with
# `sqlite3 .import --csv` of the same file into a table with no key and no index, in the same run.
# Usage: bench/floor.sh [ROWS]   (default 1000000; run from the project root)
# Needs: sqlite3, python3, GNU time. Takes about 2 minutes at 1M rows.
set -eu
rows=${1:-1000000}
runs=3
cargo build --release -q
bin=$(pwd)/target/release/turnout
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
csv="$dir/4829105_september-action-alert.csv"
python3 bench/gen_opens.py "$rows" "$csv" 42
# The rows as turnout resolves them, in file order (by time), and each person's identifier in
# the order people are first met.
"$bin" --db "$dir/turnout.db" -q import "$csv" >/dev/null
sqlite3 "$dir/rows.db" <<SQL
ATTACH '$dir/turnout.db' AS t;
CREATE TABLE s AS SELECT effort_id, at, person_id, kind FROM t.touch ORDER BY at, person_id;
CREATE TABLE ids AS SELECT hash, kind, person_id FROM t.person_identifier ORDER BY person_id;
CREATE TABLE texts AS SELECT datetime(at, 'unixepoch') AS a, date(at, 'unixepoch') AS b FROM s;
SQL

# floor NAME SQL: runs SQL $runs times into a new database (WAL, the import's 8 MiB cache, one
# transaction) with the resolved rows attached as `src`; records the median wall time and size.
floor() {
    name=$1; sql=$2
    : >"$dir/runs"
    i=0
    while [ $i -lt $runs ]; do
        rm -f "$dir/f.db" "$dir/f.db-wal" "$dir/f.db-shm"
        printf 'PRAGMA journal_mode=WAL;\nPRAGMA cache_size=-8192;\nATTACH %s AS src;\nBEGIN;\n%s\nCOMMIT;\n' \
            "'$dir/rows.db'" "$sql" >"$dir/floor.sql"
        /usr/bin/time -f "%e" -o "$dir/time.txt" sqlite3 "$dir/f.db" <"$dir/floor.sql" >/dev/null
        cat "$dir/time.txt" >>"$dir/runs"
        i=$((i + 1))
    done
    median=$(sort -n "$dir/runs" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
    size=$(du -m "$dir/f.db" | cut -f1)
    printf '%s|%s|%s\n' "$name" "$median" "$size" >>"$dir/results"
    printf '  %-60s %6s s\n' "$name" "$median" >&2
}
: >"$dir/results"

: >"$dir/runs"
i=0
while [ $i -lt $runs ]; do
    rm -f "$dir/base.db"
    /usr/bin/time -f "%e" -o "$dir/time.txt" sqlite3 "$dir/base.db" ".import --csv $csv opens"
    cat "$dir/time.txt" >>"$dir/runs"
    i=$((i + 1))
done
baseline=$(sort -n "$dir/runs" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
printf '%s|%s|%s\n' "sqlite3 .import --csv: two text columns, no key, no index (the baseline)" "$baseline" "$(du -m "$dir/base.db" | cut -f1)" >>"$dir/results"

tables="CREATE TABLE person (id INTEGER PRIMARY KEY) STRICT;
     CREATE TABLE person_identifier (hash BLOB PRIMARY KEY, kind TEXT NOT NULL,
                                     person_id INTEGER NOT NULL) STRICT, WITHOUT ROWID;
     CREATE TABLE touch (effort_id INTEGER NOT NULL, at INTEGER NOT NULL,
                         person_id INTEGER NOT NULL, kind INTEGER NOT NULL,
                         PRIMARY KEY (effort_id, at, person_id, kind)) STRICT, WITHOUT ROWID;"
floor "the same two columns, from resolved rows (no CSV to read)" \
    "CREATE TABLE t (a TEXT, b TEXT); INSERT INTO t SELECT a, b FROM src.texts;"
floor "turnout's tables, touches only" \
    "$tables INSERT INTO touch SELECT * FROM src.s;"
floor "turnout's tables: touches, people and identifiers as met" \
    "$tables INSERT INTO person SELECT person_id FROM src.ids;
     INSERT INTO person_identifier SELECT * FROM src.ids;
     INSERT INTO touch SELECT * FROM src.s;"
floor "the same, identifiers sorted by hash first" \
    "$tables INSERT INTO person SELECT person_id FROM src.ids;
     INSERT INTO person_identifier SELECT * FROM src.ids ORDER BY hash;
     INSERT INTO touch SELECT * FROM src.s;"

echo
echo "| what SQLite stores ($rows Mailchimp opens) | wall time (median of $runs) | database | vs sqlite3 .import |"
echo "|---|---|---|---|"
awk -F'|' -v base="$baseline" '{ printf "| %s | %.2f s | %d MB | %.2fx |\n", $1, $2, $3, $2 / base }' "$dir/results"
