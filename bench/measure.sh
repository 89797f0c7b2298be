# Shared by the benchmarks (sourced): measure NAME CMD... with $work set.
# measure NAME CMD...: runs CMD 3 times, records median seconds and max RSS (KiB).
declare -A secs rss
measure() {
  local name=$1; shift
  local times=() mems=() i
  for i in 1 2 3; do
    [ -n "${BENCH_BEFORE:-}" ] && eval "$BENCH_BEFORE"
    sync  # earlier runs' writeback must not be billed to this one
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" > /dev/null 2> "$work/err.txt" ||
      { echo "FAILED: $name: $(tail -3 "$work/err.txt")" >&2; return 1; }
    read -r t m < "$work/time.txt"
    times+=("$t"); mems+=("$m")
  done
  secs[$name]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  rss[$name]=$(printf '%s\n' "${mems[@]}" | sort -n | tail -1)
  order+=("$name")
}
order=()
