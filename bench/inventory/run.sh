#!/usr/bin/env bash
# The release inventory at scale, by hand (not part of ctest):
#
#   bench/inventory/run.sh [WORKDIR] [PRODUCTS VERSIONS COMPONENTS]
#
# Generates PRODUCTS x VERSIONS signed packages (default 100 x 100 = 10,000
# releases) of COMPONENTS components each (default 300, drawn from this
# machine's Debian packages), then measures, in one run:
#   add     `fwseal inventory add` of every package (verification included),
#           1,000 packages per command, on SQLite and on PostgreSQL (a
#           throwaway server, as the tests use): releases per second
#   query   100 different purl + vers: range queries through the library, on
#           both engines: p50 / p95 / max milliseconds; peak RSS and private memory of
#           `fwseal inventory query` at 1,000 and at all releases
#   size    the SQLite file
#   jq      the same question answered by jq over the SBOM files
# Goals (docs/BENCHMARKS.md): add >= 200 releases/s on SQLite; query p95 <=
# 50 ms on both engines; SQLite file <= 1 GiB; peak memory independent of the
# inventory's size.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
FWSEAL_TARGETS="fwseal fwseal-bench-inventory" fwseal_setup time jq

work=${1:-${TMPDIR:-/tmp}/fwseal-inventory-bench}
products=${2:-100}
versions=${3:-100}
components=${4:-300}
fwseal=$PWD/build/bin/fwseal
bench=$PWD/build/bench/fwseal-bench-inventory
mkdir -p "$work"
work=$(cd "$work" && pwd)

if [ ! -f "$work/generated-$products-$versions-$components" ]; then
  rm -rf "$work/data"
  "$bench" generate "$work/data" "$products" "$versions" "$components"
  touch "$work/generated-$products-$versions-$components"
fi
total=$((products * versions))
find "$work/data/pkgs" -name '*.fwpkg' | sort > "$work/packages.txt"

pg=/tmp/fwseal-pg-bench
tests/tools/postgres_server.sh start "$pg"
trap 'tests/tools/postgres_server.sh stop "$pg"' EXIT
pg_uri="postgresql:///postgres?host=$pg&user=fwseal"

# peak_private CMD...: runs CMD (output discarded) and prints the peak of its
# private resident memory in KiB (RssAnon, sampled every 10 ms): what the
# process allocated, without the database file's pages that SQLite's memory
# map touched (shared page cache, which /usr/bin/time's RSS counts).
peak_private() {
  "$@" >/dev/null &
  local pid=$! peak=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    if [ -n "$v" ] && [ "$v" -gt "$peak" ]; then peak=$v; fi
    sleep 0.01
  done
  wait "$pid"
  echo "$peak"
}

# add_all DB: every package, 1,000 per command; prints seconds and the
# private memory peak of the first and of the last command.
add_all() {
  local db=$1 start end first="" last=0
  start=$(date +%s.%N)
  while read -r batch; do
    # shellcheck disable=SC2086
    last=$(peak_private "$fwseal" inventory add $batch --trust "$work/data/trust.json" --db "$db")
    [ -z "$first" ] && first=$last
  done < <(xargs -n 1000 echo < "$work/packages.txt")
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $first $last"
}

rm -f "$work/inventory.db" "$work/inventory.db-wal" "$work/inventory.db-shm"
echo "adding $total releases to SQLite" >&2
read -r sqlite_secs sqlite_add_first sqlite_add_last < <(add_all "sqlite:$work/inventory.db")
echo "adding $total releases to PostgreSQL" >&2
read -r pg_secs pg_add_first pg_add_last < <(add_all "$pg_uri")

sqlite_q=$("$bench" query "sqlite:$work/inventory.db" "$work/data/queries.txt")
pg_q=$("$bench" query "$pg_uri" "$work/data/queries.txt")
size=$(stat -c %s "$work/inventory.db")

first=$(head -n1 "$work/data/queries.txt")
purl=${first%% *}
range=${first#* }
rss_all=$( { /usr/bin/time -f '%M' "$fwseal" inventory query --purl "$purl" --range "$range" --json \
  --db "sqlite:$work/inventory.db" >/dev/null; } 2>&1 | tail -n1)
# The same query on an inventory of the first 1,000 releases only.
rm -f "$work/small.db"*
sed -n 1,1000p "$work/packages.txt" |
  xargs "$fwseal" inventory add --trust "$work/data/trust.json" --db "sqlite:$work/small.db" >/dev/null
rss_small=$( { /usr/bin/time -f '%M' "$fwseal" inventory query --purl "$purl" --range "$range" --json \
  --db "sqlite:$work/small.db" >/dev/null; } 2>&1 | tail -n1)
private_all=$(peak_private "$fwseal" inventory query --purl "$purl" --range "$range" --json --db "sqlite:$work/inventory.db")
private_small=$(peak_private "$fwseal" inventory query --purl "$purl" --range "$range" --json --db "sqlite:$work/small.db")
cli_start=$(date +%s.%N)
"$fwseal" inventory query --purl "$purl" --range "$range" --json --db "sqlite:$work/inventory.db" >/dev/null
cli_end=$(date +%s.%N)

# jq: the releases whose SBOM holds that package (any version; jq has no
# Debian version order, so the range is not even attempted).
name=${purl#pkg:deb/debian/}
jq_start=$(date +%s.%N)
jq_hits=$(find "$work/data/sboms" -name '*.json' -print0 | xargs -0 jq -r --arg n "$name" \
  'select(any(.components[]; .name == $n)) | input_filename' | wc -l)
jq_end=$(date +%s.%N)

cat <<REPORT
| measure | figure |
| --- | --- |
| releases | $total ($products products x $versions versions, $components components each) |
| add, SQLite | $(echo "scale=1; $total / $sqlite_secs" | bc) releases/s ($sqlite_secs s), private memory peak first / last command $((sqlite_add_first / 1024)) / $((sqlite_add_last / 1024)) MiB |
| add, PostgreSQL | $(echo "scale=1; $total / $pg_secs" | bc) releases/s ($pg_secs s), private memory peak first / last command $((pg_add_first / 1024)) / $((pg_add_last / 1024)) MiB |
| query, SQLite (100 queries) | $sqlite_q |
| query, PostgreSQL (100 queries) | $pg_q |
| one query through the CLI, SQLite | $(echo "($cli_end - $cli_start) * 1000 / 1" | bc) ms wall |
| one query, 1,000 / $total releases: peak RSS | $((rss_small / 1024)) / $((rss_all / 1024)) MiB |
| one query, 1,000 / $total releases: private memory peak | $((private_small / 1024)) / $((private_all / 1024)) MiB |
| SQLite file | $((size / 1048576)) MiB |
| jq over $total SBOM files, name only | $(echo "($jq_end - $jq_start) * 1000 / 1" | bc) ms, $jq_hits files |
REPORT
