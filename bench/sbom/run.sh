#!/bin/sh
# SBOM generation speed and memory, by hand (not part of ctest):
#
#   bench/sbom/run.sh [WORKDIR]
#
# Builds fwseal_sbom in Release (build-bench/), writes a tree of 20,000 files
# totalling 1 GiB (and, for the memory check, a tree holding one 1 GiB file),
# then times on the same tree, page cache warm, median of 3 runs:
#   baseline: find DIR -type f -print0 | xargs -0 openssl dgst -sha256
#   fwseal:   an SBOM of DIR as a directory image (reads every byte once:
#             SHA-256 of each file for the image digest, ELF notes and
#             fingerprints in the same pass)
# Goal: fwseal <= 1.5 x baseline; peak RSS (GNU time -v) independent of file sizes.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=${1:-${TMPDIR:-/tmp}/fwseal-sbom-bench}
build="$src/build-bench"
files=20000
bytes=$((1024 * 1024 * 1024))

[ -x /usr/bin/time ] || { echo "run.sh: needs GNU time: apt-get install time" >&2; exit 2; }

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" fwseal_sbom >/dev/null
c++ -std=c++20 -O2 -I"$src/sbom-gen/include" -I"$src/format/include" "$here/sbom_bench.cpp" \
  "$build/sbom-gen/libfwseal_sbom.a" "$build/format/libfwseal_format.a" -larchive -lcrypto -o "$build/sbom_bench"

mkdir -p "$work"
if [ ! -f "$work/tree.done" ]; then
  rm -rf "$work/tree" "$work/big"
  python3 "$here/make_tree.py" "$work/tree" "$files" "$bytes"
  mkdir -p "$work/big"
  head -c "$bytes" /dev/urandom > "$work/big/one-file.bin"
  touch "$work/tree.done"
fi

# Prints the median wall-clock seconds of 3 runs of "$@" (output discarded).
median3() {
  for _ in 1 2 3; do
    /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1
  done | sort -n | sed -n 2p
}
baseline() { find "$1" -type f -print0 | xargs -0 openssl dgst -sha256 >/dev/null; }
fwseal() { "$build/sbom_bench" rootfs "$1" "$work/out.cdx.json" 2>/dev/null; }
peak_rss() { /usr/bin/time -v "$build/sbom_bench" rootfs "$1" "$work/out.cdx.json" 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p'; }

baseline "$work/tree"; fwseal "$work/tree"  # warm the page cache
b=$(median3 sh -c "find '$work/tree' -type f -print0 | xargs -0 openssl dgst -sha256")
f=$(median3 "$build/sbom_bench" rootfs "$work/tree" "$work/out.cdx.json")
rss_tree=$(peak_rss "$work/tree")
fwseal "$work/big"
rss_big=$(peak_rss "$work/big")
ratio=$(echo "$f $b" | awk '{ printf "%.2f", $1 / $2 }')
echo "tree: $files files, $bytes bytes ($(nproc) cores)"
echo "baseline (find | xargs openssl dgst -sha256): ${b} s"
echo "fwseal sbom (directory image):                ${f} s  = ${ratio} x baseline (goal <= 1.5)"
echo "peak RSS: ${rss_tree} KiB on the 20,000-file tree, ${rss_big} KiB on one 1 GiB file"
