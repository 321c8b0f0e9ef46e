#!/usr/bin/env bash
# bench-vs-sqlite.sh: cieaudit's storage and export figures, each next to
# SQLite doing the same work in the same run, and their ratio.
#
#   scripts/bench-vs-sqlite.sh [ANSWERS]        # default 1000000
#   DB=big.db ONLY=export scripts/bench-vs-sqlite.sh
#                     # an existing database (not modified), export rows only
#
# Needs Go, sqlite3 (apt-get install -y sqlite3) and GNU time (/usr/bin/time).
# Writes its databases under ${BENCH_DIR:-$(mktemp -d)} (about 2 GB at one
# million answers) and removes them unless KEEP=1. Not run by CI.
#
# What is compared (BENCHMARKS.md explains the choices):
#   export   cieaudit export --all --format csv, CPU time and peak RSS, against
#            sqlite3 -csv selecting the same rows (the exported CSV imported
#            into SQLite tables, one per CSV table)
#   size     the cieaudit file against a VACUUMed SQLite file holding the same
#            answers, history and postazioni in keyed tables
#   list     cieaudit audit list over 10,000 audits against sqlite3 listing
#            the same 10,000 rows
#   commits  one committed answer (default mode) and 100 concurrent writers
#            on a held file (the jump host) against SQLite single-row commits
#            in WAL mode with synchronous=FULL
set -euo pipefail

ANSWERS=${1:-1000000}
LIST_AUDITS=${LIST_AUDITS:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$DIR"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$DIR"' EXIT
export GOMAXPROCS=${GOMAXPROCS:-$(nproc)}

for tool in sqlite3 /usr/bin/time go; do
	command -v "$tool" >/dev/null || { echo "bench-vs-sqlite: $tool is needed" >&2; exit 2; }
done

BIN=$DIR/cieaudit
(cd "$ROOT" && go build -o "$BIN" ./cmd/cieaudit)

echo "# cieaudit vs SQLite, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr), $(go version | cut -d' ' -f3), sqlite3 $(sqlite3 --version | cut -d' ' -f1), GOMAXPROCS=$GOMAXPROCS, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# measure OUT CMD...: runs CMD, stdout to OUT, and sets CPU (user+sys
# seconds), WALL (seconds) and RSS (peak KiB).
measure() {
	local out=$1
	shift
	/usr/bin/time -o "$DIR/time.txt" -f '%e %U %S %M' "$@" >"$out"
	read -r WALL user sys RSS <"$DIR/time.txt"
	CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }

row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }

# The databases: about 163 answers per synthetic audit.
AUDITS=$(((ANSWERS + 162) / 163))
GEN_WALL=–
if [ -n "${DB:-}" ]; then
	AUDITS=$("$BIN" --db "$DB" audit list --json | grep -c '"id"' || true)
else
	DB=$DIR/cieaudit.db
	measure /dev/null "$BIN" --db "$DB" demo --synthetic "$AUDITS"
	GEN_WALL=$WALL
fi
DOCTOR=$("$BIN" --db "$DB" doctor)
N_ANSWERS=$(echo "$DOCTOR" | awk -F': ' '/^Risposte/ { print $2 }')
N_HISTORY=$(echo "$DOCTOR" | awk -F': ' '/^Voci di storico/ { print $2 }')
echo "data: $AUDITS synthetic audits, $N_ANSWERS answers, $N_HISTORY history entries (demo --synthetic: ${GEN_WALL} s)"
echo

# The SQLite anchor: the exported tables, row for row.
CSV=$DIR/csv
"$BIN" --db "$DB" export --all --format csv --csv rfc4180 --out "$CSV" >/dev/null
ANCHOR=$DIR/anchor.sqlite
{
	echo ".mode csv"
	for t in risposte postazioni rischi azioni storico; do echo ".import $CSV/$t.csv $t"; done
} | sqlite3 "$ANCHOR"

echo "| what | cieaudit | SQLite | ratio |"
echo "|---|---|---|---|"

# Export: one table to standard output.
measure "$DIR/a.csv" "$BIN" --db "$DB" export --all --format csv --csv rfc4180 --table risposte --out -
C_CPU=$CPU C_WALL=$WALL C_RSS=$RSS
measure "$DIR/b.csv" sqlite3 -csv -header "$ANCHOR" "SELECT * FROM risposte"
row "export risposte ($N_ANSWERS rows) to stdout, CPU" "$C_CPU s (wall $C_WALL s)" "$CPU s (wall $WALL s)" "$(ratio "$C_CPU" "$CPU")"
row "same, peak RSS" "$((C_RSS / 1024)) MiB" "$((RSS / 1024)) MiB" "–"
[ "$(wc -l <"$DIR/a.csv")" = "$(wc -l <"$DIR/b.csv")" ] || echo "warning: the two exports have different row counts" >&2

# Export: all five tables into a folder (cieaudit syncs its files; SQLite's
# are synced too).
rm -rf "$DIR/all"
measure /dev/null "$BIN" --db "$DB" export --all --format csv --csv rfc4180 --out "$DIR/all"
C_CPU=$CPU C_WALL=$WALL C_RSS=$RSS
mkdir -p "$DIR/sq"
cat >"$DIR/sq.sh" <<EOF
for t in risposte postazioni rischi azioni storico; do sqlite3 -csv -header "$ANCHOR" "SELECT * FROM \$t" >"$DIR/sq/\$t.csv"; done
sync "$DIR"/sq/*.csv
EOF
measure /dev/null bash "$DIR/sq.sh"
row "export all 5 tables to a folder, CPU" "$C_CPU s (wall $C_WALL s)" "$CPU s (wall $WALL s)" "$(ratio "$C_CPU" "$CPU")"
row "same, peak RSS" "$((C_RSS / 1024)) MiB" "$((RSS / 1024)) MiB" "–"
[ "${ONLY:-}" = export ] && exit 0

# Size: the same answers, history and postazioni in keyed SQLite tables.
SIZED=$DIR/size.sqlite
sqlite3 "$SIZED" <<EOF
CREATE TABLE answers(audit_id TEXT, scope TEXT, item TEXT, value TEXT, note TEXT, author TEXT, at TEXT, rev INTEGER, PRIMARY KEY(audit_id, scope, item));
CREATE TABLE history(audit_id TEXT, seq INTEGER, at TEXT, author TEXT, kind TEXT, scope TEXT, item TEXT, old TEXT, new TEXT, reason TEXT, PRIMARY KEY(audit_id, seq));
ATTACH '$ANCHOR' AS a;
INSERT INTO answers SELECT audit_id, scope, item_id, value, note, author, answered_at, rev FROM a.risposte;
INSERT INTO history SELECT audit_id, seq, at, author, kind, scope, item, old, new, reason FROM a.storico;
CREATE TABLE postazioni AS SELECT * FROM a.postazioni;
DETACH a;
VACUUM;
EOF
C_SIZE=$(stat -c %s "$DB")
S_SIZE=$(stat -c %s "$SIZED")
row "database size" "$((C_SIZE / 1048576)) MiB, $((C_SIZE / N_ANSWERS)) B/answer" "$((S_SIZE / 1048576)) MiB, $((S_SIZE / N_ANSWERS)) B/answer" "$(ratio "$C_SIZE" "$S_SIZE")"

# Audit list over 10,000 audits.
LDB=$DIR/list.db
"$BIN" --db "$LDB" demo --synthetic "$LIST_AUDITS" >/dev/null
LANCHOR=$DIR/list.sqlite
"$BIN" --db "$LDB" audit list --json >"$DIR/list.json"
sqlite3 "$LANCHOR" <<EOF
CREATE TABLE audits AS SELECT value->>'id' AS id, value->>'ente' AS ente, value->>'year' AS year, value->>'status' AS status,
  value->>'answered' AS answered, value->>'total' AS total, value->>'catalogue' AS catalogue, value->>'updated_at' AS updated_at
  FROM json_each(readfile('$DIR/list.json'), '\$.audits');
EOF
best() { # best of five wall times, in ms
	local best=999999 t0 t1
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		best=$(awk -v a="$best" -v b="$(((t1 - t0) / 1000))" 'BEGIN { b /= 1000; print (b < a) ? b : a }')
	done
	echo "$best"
}
C_LIST=$(best "$BIN" --db "$LDB" audit list)
S_LIST=$(best sqlite3 -column -header "$LANCHOR" "SELECT id, ente, year, status, answered || '/' || total, catalogue FROM audits ORDER BY updated_at DESC, id")
row "audit list, $LIST_AUDITS audits (best of 5, whole process)" "$C_LIST ms" "$S_LIST ms" "$(ratio "$C_LIST" "$S_LIST")"

# The TUI's first frame on the same 10,000 audits (in process: new model,
# audit list read, first View); the target is absolute, not a ratio.
FF=$(cd "$ROOT" && go test -run '^$' -bench 'FirstFrame10000Audits/total' -benchtime 5x ./tui/ 2>/dev/null | awk '$1 ~ /FirstFrame/ { printf "%.1f", $3 / 1e6 }')
row "TUI first frame, 10,000 audits (in process)" "$FF ms" "–" "target 50 ms"

# Commits. SQLite: single-row transactions, WAL, synchronous=FULL.
COMMITS=2000
{
	echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	echo "CREATE TABLE answers(audit_id TEXT, scope TEXT, item TEXT, value TEXT, note TEXT, author TEXT, at TEXT, rev INTEGER, PRIMARY KEY(audit_id, scope, item));"
	for i in $(seq 1 $COMMITS); do
		echo "INSERT OR REPLACE INTO answers VALUES('a$((i % 100))', 'ente', 'ORG-01', 'si', '', 'bench', '2026-12-01T10:00:00Z', $i);"
	done
} >"$DIR/commits.sql"
# The disk is what both wait for, and a shared machine's fsync time varies
# by several times from one minute to the next: the two are measured in
# turn, three times, and the best of each is kept.
S_BEST=999999 LOCAL_NS=999999999999 GOB=""
for round in 1 2 3; do
	rm -f "$DIR/commits.sqlite"*
	measure /dev/null sqlite3 "$DIR/commits.sqlite" <"$DIR/commits.sql"
	S_BEST=$(awk -v a="$S_BEST" -v b="$WALL" 'BEGIN { print (b < a) ? b : a }')
	out=$(cd "$ROOT" && go test -run '^$' -bench 'SaveAnswer/default$' -benchtime 1000x ./storage/ 2>/dev/null)
	ns=$(echo "$out" | awk '$1 ~ /SaveAnswer\/default/ { print $3 }')
	LOCAL_NS=$(awk -v a="$LOCAL_NS" -v b="$ns" 'BEGIN { print (b < a) ? b : a }')
done
S_RATE=$(awk -v n="$COMMITS" -v w="$S_BEST" 'BEGIN { printf "%.0f", n / w }')
S_MEAN=$(awk -v n="$COMMITS" -v w="$S_BEST" 'BEGIN { printf "%.3f", w * 1000 / n }')
GOB=$(cd "$ROOT" && go test -run '^$' -bench 'ConcurrentSaves/grouped$|ConcurrentSaves/grouped-paced$' -benchtime 2s ./storage/ 2>/dev/null)
metric() { echo "$GOB" | awk -v b="$1" -v u="$2" '$1 ~ b { for (i = 2; i <= NF; i++) if ($(i) == u) print $(i-1) }' | head -1; }
LOCAL_MS=$(awk -v n="$LOCAL_NS" 'BEGIN { printf "%.3f", n / 1e6 }')
row "one committed answer, local mode (mean, best of 3)" "$LOCAL_MS ms" "$S_MEAN ms" "$(ratio "$LOCAL_MS" "$S_MEAN")"
G_RATE=$(metric 'ConcurrentSaves/grouped-' 'answers/s')
G_P99=$(metric 'ConcurrentSaves/grouped-' 'p99-ms')
row "jump host, 100 writers flat out: answers/s (p99)" "$G_RATE/s (p99 $G_P99 ms)" "$S_RATE/s single-row commits (best of 3)" "$(ratio "$G_RATE" "$S_RATE")"
P_P50=$(metric 'ConcurrentSaves/grouped-paced' 'p50-ms')
P_P99=$(metric 'ConcurrentSaves/grouped-paced' 'p99-ms')
row "jump host, 100 writers at 10 answers/s each: latency" "p50 $P_P50 ms, p99 $P_P99 ms" "mean commit $S_MEAN ms" "–"
