#!/usr/bin/env bash
# Vulnerability scans at scale, by hand (not part of ctest):
#
#   bench/inventory/scan.sh [WORKDIR]
#
# Needs the 10,000-release inventory that bench/inventory/run.sh leaves in
# WORKDIR/inventory.db (run that first). On a copy of it, measures:
#   import   `fwseal inventory advisories import` of 50,000 generated OSV
#            records for Debian 12 (fwseal-bench-inventory advisories: 2% name a
#            source package the inventory carries, of those 1 in 5 affect it)
#   scan     `fwseal inventory scan --csv` of every release: seconds, peak
#            RSS, findings
#   new      after importing 100 more records: `scan --new --csv` (only what
#            the newest import added or changed)
# Goals (docs/BENCHMARKS.md): scan <= 30 s; incremental scan <= 2 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
FWSEAL_TARGETS="fwseal fwseal-bench-inventory" fwseal_setup time

work=${1:-${TMPDIR:-/tmp}/fwseal-inventory-bench}
work=$(cd "$work" && pwd)
fwseal=$PWD/build/bin/fwseal
bench=$PWD/build/bench/fwseal-bench-inventory
[ -f "$work/inventory.db" ] || { echo "no $work/inventory.db: run bench/inventory/run.sh first" >&2; exit 2; }

rm -rf "$work/advisories" "$work/advisories-new" "$work/scan.db"*
"$bench" advisories "$work/advisories" 50000 1 20
"$bench" advisories "$work/advisories-new" 100 900001 200
# A consistent copy (the inventory runs in WAL mode: the file alone may lag).
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
  "$work/inventory.db" "$work/scan.db"
db="sqlite:$work/scan.db"

measure() {  # LABEL COMMAND...: seconds and peak RSS (MiB); stdout counted in lines
  local label=$1 t lines
  shift
  lines=$( { /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" | wc -l; } )
  read -r t rss < "$work/time.txt"
  printf '%-8s %8.2f s  %6d MiB peak  %8d lines out\n' "$label" "$t" $((rss / 1024)) "$lines"
}
measure import "$fwseal" inventory advisories import "$work/advisories" --db "$db"
measure scan "$fwseal" inventory scan --csv --db "$db"
measure import+ "$fwseal" inventory advisories import "$work/advisories-new" --db "$db"
measure new "$fwseal" inventory scan --new --csv --db "$db"
