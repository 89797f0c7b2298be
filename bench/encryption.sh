#!/usr/bin/env bash
# Encrypted images (docs/FORMAT.md "Encrypted images"): packaging with
# encryption, fwseal-verify of the encrypted package without a key, and
# extract with decryption, against `openssl dgst -sha256` of the same image in
# the same run (and `openssl enc -aes-256-ctr` for reference). Run by hand:
#   bench/encryption.sh [SIZE_MIB...]     default 1024; writes out/bench-encryption/
# Figures are medians of 3 runs with a warm page cache; peak RSS in MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
fwseal_setup time bc

work=$PWD/out/bench-encryption
fwseal=$PWD/build/bin/fwseal
verify=$PWD/build/bin/fwseal-verify

source bench/measure.sh  # measure NAME CMD...: median seconds and max RSS (KiB) of 3 runs

for size_mib in "${@:-1024}"; do
  rm -rf "$work" && mkdir -p "$work"
  img=$work/rootfs.img
  head -c $((size_mib << 20)) /dev/zero |
    openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv 0 > "$img" 2>/dev/null
  cat "$img" > /dev/null
  order=()

  export FWSEAL_HOME=$work/hsm FWSEAL_PIN_FILE=$work/pin FWSEAL_SO_PIN_FILE=$work/so-pin
  mkdir -p "$FWSEAL_HOME"; (umask 077; echo bench-pin > "$FWSEAL_PIN_FILE"; echo bench-so > "$FWSEAL_SO_PIN_FILE")
  "$fwseal" hsm init --token bench > /dev/null
  "$fwseal" hsm keygen --key "pkcs11:token=bench;object=k1" --alg ed25519 > /dev/null
  "$fwseal" hsm pubkey --key "pkcs11:token=bench;object=k1" -o "$work/k1.pem"
  "$fwseal" trust create -o "$work/trust.json" --pubkey "$work/k1.pem" > /dev/null
  openssl genpkey -algorithm X25519 -out "$work/device.pem" 2> /dev/null
  openssl pkey -in "$work/device.pem" -pubout -out "$work/device.pub.pem"
  (umask 077; head -c 32 /dev/urandom > "$work/secret")
  for kind in plain encrypted; do
    enc=""
    [ $kind = encrypted ] && enc=', "encryption": {"recipients": ["device.pub.pem"]}'
    cat > "$work/$kind.json" <<JSON
{"product":"bench","version":"1","security_version":1,"hardware":["hw"],"created":0,
 "images":[{"name":"rootfs","type":"rootfs","path":"rootfs.img"$enc}]}
JSON
  done

  measure "openssl dgst -sha256" openssl dgst -sha256 "$img"
  measure "openssl enc -aes-256-ctr" openssl enc -aes-256-ctr -nosalt -K "$(printf '%064d' 0)" -iv 0 -in "$img" -out /dev/null
  BENCH_BEFORE="rm -f '$work/p.fwpkg'"
  measure "fwseal package" "$fwseal" package --quiet --spec "$work/plain.json" -o "$work/p.fwpkg"
  BENCH_BEFORE="rm -f '$work/e.fwpkg'"
  measure "fwseal package, encrypted" "$fwseal" package --quiet --spec "$work/encrypted.json" -o "$work/e.fwpkg" \
    --encryption-secret "$work/secret"
  BENCH_BEFORE=
  "$fwseal" sign --quiet "$work/p.fwpkg" --key "pkcs11:token=bench;object=k1"
  "$fwseal" sign --quiet "$work/e.fwpkg" --key "pkcs11:token=bench;object=k1"
  cat "$work/p.fwpkg" "$work/e.fwpkg" > /dev/null
  measure "fwseal-verify" "$verify" "$work/p.fwpkg" --trust "$work/trust.json"
  measure "fwseal-verify, encrypted, no key" "$verify" "$work/e.fwpkg" --trust "$work/trust.json"
  BENCH_BEFORE="rm -rf '$work/x' && mkdir '$work/x'"
  measure "fwseal extract" "$fwseal" extract --quiet "$work/p.fwpkg" -C "$work/x" --trust "$work/trust.json"
  measure "fwseal extract, decrypting" "$fwseal" extract --quiet "$work/e.fwpkg" -C "$work/x" \
    --trust "$work/trust.json" --decrypt-key "$work/device.pem"
  BENCH_BEFORE=
  cmp "$work/x/rootfs" "$img"

  base=${secs["openssl dgst -sha256"]}
  echo
  echo "### ${size_mib} MiB image"
  echo
  echo "| command | seconds | × openssl dgst -sha256 | peak RSS MiB |"
  echo "|---|---|---|---|"
  for name in "${order[@]}"; do
    echo "| $name | ${secs[$name]} | $(echo "scale=2; ${secs[$name]} / $base" | bc) | $(( ${rss[$name]} / 1024 )) |"
  done
  rm -rf "$work"
done
