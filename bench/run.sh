#!/usr/bin/env bash
# fwseal's speed and memory against openssl, tar, RAUC and mender-artifact on
# the same random image in the same run. Run by hand (not part of ctest):
#   bench/run.sh [SIZE_MIB]        default 1024; writes out/bench/, prints a Markdown table
# Figures are medians of 3 runs with a warm page cache; ratios are to
# `openssl dgst -sha256` of the same image, the stable figure on shared machines.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
fwseal_setup time bc rauc mender-artifact squashfs-tools

size_mib=${1:-1024}
work=$PWD/out/bench
rm -rf "$work" && mkdir -p "$work"
fwseal=$PWD/build/bin/fwseal
verify=$PWD/build/bin/fwseal-verify
img=$work/rootfs.img

echo "generating a ${size_mib} MiB random image" >&2
head -c $((size_mib << 20)) /dev/zero |
  openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv 0 > "$img" 2>/dev/null
cat "$img" > /dev/null  # warm the page cache

source bench/measure.sh  # measure NAME CMD...: median seconds and max RSS of 3 runs

measure "openssl dgst -sha256" openssl dgst -sha256 "$img"
BENCH_BEFORE="rm -f '$work/img.tar'"
measure "tar cf" tar cf "$work/img.tar" -C "$work" rootfs.img

# fwseal: a SoftHSM2 token with an Ed25519 key.
export FWSEAL_HOME=$work/hsm FWSEAL_PIN_FILE=$work/pin FWSEAL_SO_PIN_FILE=$work/so-pin
mkdir -p "$FWSEAL_HOME"; echo bench-pin > "$FWSEAL_PIN_FILE"; echo bench-so > "$FWSEAL_SO_PIN_FILE"
"$fwseal" hsm init --token bench > /dev/null
"$fwseal" hsm keygen --key "pkcs11:token=bench;object=k1" --alg ed25519 > /dev/null
"$fwseal" hsm pubkey --key "pkcs11:token=bench;object=k1" -o "$work/k1.pem"
cat > "$work/spec.json" <<JSON
{"product":"bench","version":"1","security_version":1,"hardware":["hw"],"created":0,
 "images":[{"name":"rootfs","type":"rootfs","path":"rootfs.img"}]}
JSON
BENCH_BEFORE="rm -f '$work/p.fwpkg'"
measure "fwseal package" "$fwseal" package --quiet --spec "$work/spec.json" -o "$work/p.fwpkg"
BENCH_BEFORE=
rm -f "$work/img.tar"
cp "$work/p.fwpkg" "$work/unsigned.fwpkg"
# Each signing run starts from a fresh copy of the unsigned package (not timed).
BENCH_BEFORE='cp "$work/unsigned.fwpkg" "$work/s.fwpkg"'
measure "fwseal sign" "$fwseal" sign --quiet "$work/s.fwpkg" --key "pkcs11:token=bench;object=k1"
BENCH_BEFORE=
"$fwseal" trust create -o "$work/trust.json" --pubkey "$work/k1.pem"
measure "fwseal-verify" "$verify" "$work/s.fwpkg" --trust "$work/trust.json"
measure "fwseal-verify - (pipe)" bash -c "cat '$work/s.fwpkg' | '$verify' - --trust '$work/trust.json'"
rm -f "$work/unsigned.fwpkg" "$work/p.fwpkg"

# RAUC: plain and verity bundles, signed with a software key and a CA.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=bench-ca \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench-sign \
  -keyout "$work/sign.key" -out "$work/sign.csr" 2>/dev/null
openssl x509 -req -in "$work/sign.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 30 \
  -out "$work/sign.pem" 2>/dev/null
for fmt in plain verity; do
  mkdir -p "$work/rauc-$fmt"
  ln -f "$img" "$work/rauc-$fmt/rootfs.img"
  printf '[update]\ncompatible=bench\nversion=1\n[bundle]\nformat=%s\n[image.rootfs]\nfilename=rootfs.img\n' "$fmt" \
    > "$work/rauc-$fmt/manifest.raucm"
  BENCH_BEFORE="rm -f '$work/b-$fmt.raucb'"
  measure "rauc bundle ($fmt)" rauc bundle --cert="$work/sign.pem" --key="$work/sign.key" \
    --keyring="$work/ca.pem" "$work/rauc-$fmt" "$work/b-$fmt.raucb"
  BENCH_BEFORE=
done
measure "rauc info (plain, full check)" rauc info --keyring="$work/ca.pem" "$work/b-plain.raucb"
BENCH_BEFORE="rm -rf '$work/rauc-out'"
measure "rauc extract (verity, full check)" rauc extract --keyring="$work/ca.pem" "$work/b-verity.raucb" "$work/rauc-out"
BENCH_BEFORE=
rm -rf "$work"/b-*.raucb "$work/rauc-out"

# mender-artifact wants a SEC1 EC key.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/mender.key"
openssl ec -in "$work/mender.key" -pubout -out "$work/mender.pub" 2>/dev/null
BENCH_BEFORE="rm -f '$work/a.mender'"
measure "mender-artifact write" mender-artifact write rootfs-image -t bench -n bench -f "$img" \
  -k "$work/mender.key" -o "$work/a.mender" --compression none --no-progress
BENCH_BEFORE=
measure "mender-artifact validate" mender-artifact validate -k "$work/mender.pub" "$work/a.mender"
rm -f "$work/a.mender"

# Memory does not grow with the package: the same check on a 4x larger package.
if [ "${BENCH_LARGE:-1}" = 1 ]; then
  big=$work/big.img
  head -c $((size_mib * 4 << 20)) /dev/zero |
    openssl enc -aes-128-ctr -nosalt -K 0f0e0d0c0b0a09080706050403020100 -iv 0 > "$big" 2>/dev/null
  sed 's/rootfs.img/big.img/' "$work/spec.json" > "$work/big.json"
  "$fwseal" package --quiet --spec "$work/big.json" -o "$work/big.fwpkg"
  rm -f "$big"
  "$fwseal" sign --quiet "$work/big.fwpkg" --key "pkcs11:token=bench;object=k1"
  measure "fwseal-verify (4x package)" "$verify" "$work/big.fwpkg" --trust "$work/trust.json"
  rm -f "$work/big.fwpkg"
fi

base=${secs["openssl dgst -sha256"]}
printf '\n%s MiB random image, %s, %s cores; medians of 3, warm page cache\n\n' "$size_mib" "$(date -u +%Y-%m-%d)" "$(nproc)"
printf '| operation | seconds | x openssl dgst -sha256 | peak RSS MiB |\n|---|---|---|---|\n'
for name in "${order[@]}"; do
  printf '| %s | %.2f | %.2f | %.1f |\n' "$name" "${secs[$name]}" "$(echo "${secs[$name]} / $base" | bc -l)" \
    "$(echo "${rss[$name]} / 1024" | bc -l)"
done
