#!/usr/bin/env bash
# Speed of `fwseal pipeline run`, by hand (not part of ctest):
#   bench/pipeline.sh [TOTAL_MIB]     default 1024; writes out/bench-pipeline/, prints a Markdown table
#   FWSEAL_BIN=DIR bench/pipeline.sh  binaries from DIR instead of building build/ (default preset)
#
# 1. One release of three images totalling TOTAL_MIB (1/2, 1/4, 1/4), the
#    reproducibility check off, against `openssl dgst -sha256` over the same
#    images in the same run (target: at most 2x).
# 2. A 30-variant matrix (shared bootloader and kernel, one application image
#    per variant) with -j1 and with -j2 (target: -j2 at least 1.6x faster).
# Figures are medians of 3 runs with a warm page cache; every pipeline run
# starts from an empty output directory.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ -z "${FWSEAL_BIN:-}" ]; then fwseal_setup time bc; else fwseal_install_missing time bc; fi

total_mib=${1:-1024}
work=$PWD/out/bench-pipeline
rm -rf "$work" && mkdir -p "$work/img"
fwseal=${FWSEAL_BIN:-$PWD/build/bin}/fwseal

gen() {  # FILE MIB KEYBYTE: deterministic incompressible bytes
  head -c $(($2 << 20)) /dev/zero |
    openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$3")" -iv 0 > "$1" 2>/dev/null
}
echo "generating three images, $total_mib MiB in total" >&2
gen "$work/img/rootfs.img" $((total_mib / 2)) 1
gen "$work/img/kernel.img" $((total_mib / 4)) 2
gen "$work/img/app.img" $((total_mib / 4)) 3
cat "$work"/img/*.img > /dev/null  # warm the page cache

export FWSEAL_HOME=$work/hsm FWSEAL_PIN_FILE=$work/pin FWSEAL_SO_PIN_FILE=$work/so-pin
mkdir -p "$FWSEAL_HOME"; echo bench-pin > "$FWSEAL_PIN_FILE"; echo bench-so > "$FWSEAL_SO_PIN_FILE"
"$fwseal" hsm init --token bench > /dev/null
"$fwseal" hsm keygen --key "pkcs11:token=bench;object=k1" --alg ed25519 > /dev/null

# median3 CMD...: prints the median wall time of 3 runs (seconds); BEFORE runs first each time.
median3() {
  local t=() i
  for i in 1 2 3; do
    [ -n "${BEFORE:-}" ] && eval "$BEFORE"
    sync
    /usr/bin/time -f '%e' -o "$work/time.txt" "$@" > /dev/null 2> "$work/err.txt" ||
      { echo "FAILED: $*: $(tail -3 "$work/err.txt")" >&2; exit 1; }
    t+=("$(cat "$work/time.txt")")
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

cat > "$work/release.json" <<JSON
{"product": "bench", "version": "1", "security_version": 1, "created": 0, "hardware": ["hw"],
 "images": [{"name": "rootfs", "type": "rootfs", "path": "img/rootfs.img"},
            {"name": "kernel", "type": "kernel", "path": "img/kernel.img"},
            {"name": "app", "type": "application", "path": "img/app.img"}],
 "signing": {"keys": [{"uri": "pkcs11:token=bench;object=k1"}]},
 "reproducibility": {"check": false},
 "output": "out-single"}
JSON
dgst=$(BEFORE= median3 openssl dgst -sha256 "$work"/img/rootfs.img "$work"/img/kernel.img "$work"/img/app.img)
single=$(BEFORE="rm -rf '$work/out-single'" median3 "$fwseal" pipeline run "$work/release.json" --quiet)

# The matrix: 30 variants, each with its own 8 MiB application image.
variants=30
mkdir -p "$work/matrix"
gen "$work/matrix/boot.img" 4 10
gen "$work/matrix/kernel.img" 16 11
{
  echo '{"product": "bench-cam", "version": "1", "security_version": 1, "created": 0,'
  echo ' "images": [{"name": "boot", "type": "bootloader", "path": "boot.img"}, {"name": "kernel", "type": "kernel", "path": "kernel.img"}],'
  echo ' "signing": {"keys": [{"uri": "pkcs11:token=bench;object=k1"}]}, "output": "out", "variants": ['
  for i in $(seq 1 $variants); do
    gen "$work/matrix/app$i.img" 8 $((100 + i))
    printf '  {"name": "cam%02d", "hardware": ["cam%02d"], "images": [{"name": "app", "type": "application", "path": "app%d.img"}]}%s\n' \
      "$i" "$i" "$i" "$([ "$i" -lt $variants ] && echo ,)"
  done
  echo ']}'
} > "$work/matrix/release.json"
cat "$work"/matrix/*.img > /dev/null
j1=$(BEFORE="rm -rf '$work/matrix/out'" median3 "$fwseal" pipeline run "$work/matrix/release.json" --quiet -j 1)
j2=$(BEFORE="rm -rf '$work/matrix/out'" median3 "$fwseal" pipeline run "$work/matrix/release.json" --quiet -j 2)
again=$(BEFORE= median3 "$fwseal" pipeline run "$work/matrix/release.json" --quiet -j 2)

ratio() { echo "scale=2; $1 / $2" | bc; }
cat <<EOF2
| run | seconds | ratio |
| --- | ---: | ---: |
| openssl dgst -sha256, 3 images, $total_mib MiB | $dgst | 1.00 |
| fwseal pipeline run, same images, repro off | $single | $(ratio "$single" "$dgst") x openssl (target <= 2) |
| 30-variant matrix, -j1 | $j1 | |
| 30-variant matrix, -j2 | $j2 | $(ratio "$j1" "$j2") x faster than -j1 (target >= 1.6) |
| 30-variant matrix, re-run, nothing changed | $again | |
EOF2

# Where the last single-release run spent its time, step by step (ninja's log:
# start and end in ms of each edge).
echo
echo "last single-release run, by step (ms):"
# One line per edge: the package edge has two outputs (the stamp and the SBOM).
awk 'NR > 1 && !seen[$1 " " $2]++ { n = $4; sub(/.*\//, "", n); sub(/^unsigned.stamp$/, "package (+ sbom)", n)
  printf "  %-28s %6d\n", n, $2 - $1 }' "$work/out-single/.fwseal/.ninja_log"
