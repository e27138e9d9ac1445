#!/bin/sh
# The floor under turnout's first import (issue 9): how long SQLite alone takes to store a million
# Mailchimp opens in a table that an import can be repeated into (a unique row identity) and that
# attribution can read by person, with every row already parsed, hashed and linked to its person,
# so nothing but SQLite's own work is timed. Compared with `sqlite3 .import --csv` of the same
# file into a table with no key and no index, in the same run.
# Usage: bench/floor.sh [ROWS]   (default 1000000; run from the project root)
# Needs: sqlite3, python3, GNU time. Takes about 3 minutes at 1M rows.
set -eu
rows=${1:-1000000}
runs=3
cargo build --release -q
bin=$(pwd)/target/release/turnout
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
csv="$dir/4829105_september-action-alert.csv"
python3 bench/gen_opens.py "$rows" "$csv" 42
# The rows as turnout resolves them (person, effort, time, day, identity), in file order, with
# integer forms of the time, the day and the identity for the compact layouts.
"$bin" --db "$dir/turnout.db" -q import "$csv" >/dev/null
python3 - "$dir/turnout.db" "$dir/rows.db" <<'PY'
import datetime, sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
dst.execute("""CREATE TABLE s (line INTEGER PRIMARY KEY, person_id INT, effort_id INT, kind TEXT,
               at TEXT, at_seconds INT, local_date TEXT, day INT, source_key TEXT, key64 INT,
               key_blob BLOB)""")
def rows():
    for person, effort, kind, at, day, key, line in src.execute(
            "SELECT person_id, effort_id, kind, at, local_date, source_key, import_line FROM touch"):
        seconds = int(datetime.datetime.fromisoformat(at).timestamp())
        raw = bytes.fromhex(key)
        yield (line, person, effort, kind, at, seconds, day,
               int(datetime.date.fromisoformat(day).toordinal()), key,
               int.from_bytes(raw[:8], "big", signed=True), raw)
dst.executemany("INSERT INTO s VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows())
dst.commit()
PY

# floor NAME SQL: runs SQL $runs times into a new database (WAL, the import's 8 MiB cache, one
# transaction, sorting on two threads as turnout does) with the resolved rows attached as `src.s`;
# prints the median wall time.
floor() {
    name=$1; sql=$2
    : >"$dir/runs"
    i=0
    while [ $i -lt $runs ]; do
        rm -f "$dir/f.db" "$dir/f.db-wal" "$dir/f.db-shm"
        printf 'PRAGMA journal_mode=WAL;\nPRAGMA cache_size=-8192;\nPRAGMA threads=2;\nATTACH %s AS src;\nBEGIN;\n%s\nCOMMIT;\n' \
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

floor "the same two columns, from resolved rows (no CSV to read)" \
    "CREATE TABLE t (a TEXT, b TEXT); INSERT INTO t SELECT at, local_date FROM src.s;"
floor "turnout's touch table, its three indexes built after the rows" \
    "CREATE TABLE t (id INTEGER PRIMARY KEY, person_id INT NOT NULL, effort_id INT NOT NULL,
                     kind TEXT NOT NULL, at TEXT NOT NULL, local_date TEXT NOT NULL,
                     source_key TEXT NOT NULL, import_id INT, import_line INT) STRICT;
     INSERT INTO t (person_id, effort_id, kind, at, local_date, source_key, import_id, import_line)
         SELECT person_id, effort_id, kind, at, local_date, source_key, 1, line FROM src.s;
     CREATE UNIQUE INDEX t_identity ON t (source_key);
     CREATE INDEX t_by_person ON t (person_id, effort_id, kind, at);
     CREATE INDEX t_by_effort ON t (effort_id, kind);"
floor "compact: integers only, a 16-byte identity index and the person index" \
    "CREATE TABLE t (id INTEGER PRIMARY KEY, person_id INT NOT NULL, effort_id INT NOT NULL,
                     kind INT NOT NULL, at INT NOT NULL, day INT NOT NULL, source_key BLOB NOT NULL,
                     import_id INT, import_line INT) STRICT;
     INSERT INTO t (person_id, effort_id, kind, at, day, source_key, import_id, import_line)
         SELECT person_id, effort_id, 2, at_seconds, day, key_blob, 1, line FROM src.s;
     CREATE UNIQUE INDEX t_identity ON t (source_key);
     CREATE INDEX t_by_person ON t (person_id, effort_id, kind, at);"
floor "most compact: a 64-bit identity as the row id (sorted), the person index" \
    "CREATE TABLE t (id INTEGER PRIMARY KEY, person_id INT NOT NULL, effort_id INT NOT NULL,
                     kind INT NOT NULL, at INT NOT NULL, day INT NOT NULL, import_id INT,
                     import_line INT) STRICT;
     INSERT INTO t SELECT key64, person_id, effort_id, 2, at_seconds, day, 1, line FROM src.s
         ORDER BY key64;
     CREATE INDEX t_by_person ON t (person_id, effort_id, kind, at);"

echo
echo "| what SQLite stores ($rows Mailchimp opens) | wall time (median of $runs) | database | vs sqlite3 .import |"
echo "|---|---|---|---|"
awk -F'|' -v base="$baseline" '{ printf "| %s | %.2f s | %d MB | %.2fx |\n", $1, $2, $3, $2 / base }' "$dir/results"
