#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (preset `fuzz`: clang-14, ASan + UBSan,
# in build-fuzz/) and runs each for SECONDS. Exits non-zero on any crash,
# sanitizer report, broken invariant, timeout or memory limit. Prints one line
# per target.
#   ./scripts/fuzz.sh [SECONDS] [TARGET...]   SECONDS per target (default 15);
#                                             TARGET: manifest signature trust package decrypt (default: all)
#   FWSEAL_FUZZ_JOBS=2 ./scripts/fuzz.sh 600  two targets at a time (no more on 2 cores)
# Corpora grow in out/fuzz/corpus/TARGET/ and are kept between runs (out/ is
# not committed). Seeds are regenerated in out/fuzz/seeds/ by fuzz_make_seeds,
# plus tests/vectors/ when it exists. A failing input is saved in
# out/fuzz/crashes/TARGET/, the whole log is out/fuzz/logs/TARGET.log.
# Inputs in fuzz/regressions/TARGET/ are replayed before fuzzing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

all=(manifest signature trust package decrypt)
usage() { echo "usage: $0 [SECONDS] [TARGET...]   TARGET: ${all[*]}" >&2; exit 2; }
seconds=${1:-15}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || usage
done
jobs=${FWSEAL_FUZZ_JOBS:-1}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || usage

fwseal_install_missing "${fwseal_packages[@]}" clang-14 libclang-rt-14-dev
FWSEAL_PRESET=fuzz fwseal_build

bin=build-fuzz/fuzz
out=out/fuzz
mkdir -p "$out/logs"

# Seeds: deterministic, so regenerated every run.
rm -rf "$out/seeds"
"$bin/fuzz_make_seeds" "$out/seeds" >/dev/null
if [ -d tests/vectors ]; then
  while IFS= read -r -d '' f; do
    rel=${f#tests/vectors/}
    case "$f" in
      *.fwpkg)
        cp "$f" "$out/seeds/package/vectors-${rel//\//_}"
        # The manifests of the valid ones (encrypted images' members among them).
        case "$rel" in valid/*) tar -xOf "$f" manifest.json > "$out/seeds/manifest/vectors-${rel//\//_}.json" 2>/dev/null || true ;; esac ;;
      *trust*.json) cp "$f" "$out/seeds/trust/vectors-${rel//\//_}" ;;
    esac
  done < <(find tests/vectors -type f \( -name '*.fwpkg' -o -name '*trust*.json' \) -print0)
fi

max_len() {
  case $1 in
    manifest) echo 8192 ;;
    signature) echo 4096 ;;
    trust) echo 16384 ;;
    package) echo 40960 ;;
    decrypt) echo 20000 ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# A sanitizer report or broken invariant in a log, even if the exit code hid it.
report_in() { grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|fuzz invariant broken|SUMMARY: ' "$1"; }

# The lines of a report that say what and where: the error, the input, and
# the stack frames of fwseal's own code.
show_report() {
  grep -E 'ERROR:|runtime error:|invariant broken|SUMMARY:|Test unit written|Running: |^ *#[0-9]+ 0x' "$1" |
    grep -vE 'in fuzzer::|in __sanitizer|in __asan|in __ubsan|libc\.so|in _start|in main |__libc_start|in (raise|abort|__pthread_kill)' |
    head -n 25 | sed 's/ (BuildId: [0-9a-f]*)//; s/^/  /'
}

replay() {
  local t=$1 dir=fuzz/regressions/$1 log=$out/logs/$1.regressions.log
  [ -d "$dir" ] || return 0
  local files=()
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -maxdepth 1 -type f ! -name '*.md' -print0 | sort -z)
  [ ${#files[@]} -gt 0 ] || return 0
  if "$bin/fuzz_$t" -timeout=30 -rss_limit_mb=2048 "${files[@]}" >"$log" 2>&1 && ! report_in "$log"; then
    printf 'fuzz_%-9s %d regression inputs ok\n' "$t" "${#files[@]}"
  else
    printf 'fuzz_%-9s FAILED on a regression input in %s; see %s\n' "$t" "$dir" "$log"
    show_report "$log"
    return 1
  fi
}

run() {
  local t=$1
  local corpus=$out/corpus/$t crashes=$out/crashes/$t log=$out/logs/$t.log
  mkdir -p "$corpus" "$crashes"
  local before rc=0
  before=$(find "$corpus" -type f | wc -l)
  # -print_funcs=0: printing each new function makes libFuzzer start
  # llvm-symbolizer, whose two pipes the package target would count as
  # descriptors leaked by the verifier.
  local dict=()  # the text formats have one; ciphertext (decrypt) none
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  "$bin/fuzz_$t" "$corpus" "$out/seeds/$t" "${dict[@]}" -max_len="$(max_len "$t")" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -print_funcs=0 \
    -artifact_prefix="$crashes/" >"$log" 2>&1 || rc=$?
  local done_line execs rate cov ft corp
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  [ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")
  corp=$(find "$corpus" -type f | wc -l)
  if [ $rc -eq 0 ] && ! report_in "$log"; then
    printf 'fuzz_%-9s %5s s  %9s execs  %6s/s  cov %5s  ft %6s  corpus %5s (+%s)  ok\n' \
      "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$((corp - before))"
    return 0
  fi
  printf 'fuzz_%-9s FAILED (exit %s) after %s execs; input in %s, log %s\n' "$t" "$rc" "${execs:-?}" "$crashes/" "$log"
  show_report "$log"
  return 1
}

status=0
for t in "${targets[@]}"; do
  replay "$t" || status=1
done
[ $status -eq 0 ] || exit 1

if [ "$jobs" -eq 1 ]; then
  for t in "${targets[@]}"; do
    run "$t" || status=1
  done
else
  for t in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    rm -f "$out/logs/$t.status"
    (rc=0; run "$t" || rc=$?; echo $rc >"$out/logs/$t.status") &
  done
  wait
  for t in "${targets[@]}"; do
    [ "$(cat "$out/logs/$t.status" 2>/dev/null)" = 0 ] || status=1
  done
fi
exit $status
