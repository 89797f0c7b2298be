#!/usr/bin/env bash
# The main job, end to end: builds fwseal, then releases the example product in
# examples/acme-cam with one command, `fwseal pipeline run` (SBOM, package,
# signature inside a local SoftHSM2 token, fwseal-verify, reproducibility check,
# report), and checks the published package with the standalone verifier.
# The token and its Ed25519 key are created on first use.
# Everything it writes stays in out/demo/. Safe to run again: a second run
# rebuilds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The demo runs two programs: install what they need and build just those
# (the tests and their tools come with test.sh).
FWSEAL_PACKAGES=build FWSEAL_TARGETS="fwseal fwseal-verify" fwseal_setup

out=out/demo
fwseal=build/bin/fwseal
verify=build/bin/fwseal-verify
export FWSEAL_HOME=$PWD/$out/hsm
mkdir -p "$out" "$FWSEAL_HOME"
chmod 700 "$FWSEAL_HOME"

# PINs live in files readable only by this user (fwseal refuses others), never
# on a command line, and not beside the token: a copy or backup of
# $FWSEAL_HOME must not carry the PINs that unlock its keys.
pins=$PWD/$out/pins
mkdir -p "$pins" && chmod 700 "$pins"
for f in pin so-pin; do
  if [ ! -s "$pins/$f" ] && [ -s "$FWSEAL_HOME/$f" ]; then mv "$FWSEAL_HOME/$f" "$pins/$f"; fi  # from older demos
  [ -s "$pins/$f" ] || (umask 077 && openssl rand -hex 16 > "$pins/$f")
  chmod 600 "$pins/$f"
done
export FWSEAL_PIN_FILE=$pins/pin FWSEAL_SO_PIN_FILE=$pins/so-pin

key='pkcs11:token=acme-release;object=release-2026'
step() { printf '\n== %s\n' "$*"; }

if ! "$fwseal" hsm list --token acme-release >/dev/null 2>&1; then
  step "first run: SoftHSM2 token and an Ed25519 release key in $FWSEAL_HOME"
  "$fwseal" hsm init --token acme-release
  "$fwseal" hsm keygen --key "$key" --alg ed25519
fi

step "images (deterministic example content)"
examples/acme-cam/make-images.sh "$out/images"
ls -l "$out/images"

step "release: fwseal pipeline run examples/acme-cam/release.json"
# SBOM -> package -> licence policy -> sign in the HSM -> fwseal-verify -> provenance -> rebuild and
# compare -> report, published into out/demo/release/ (the release file's output directory).
"$fwseal" pipeline run examples/acme-cam/release.json

step "standalone verification of the published package, as the bootloader decides"
"$verify" "$out/release/acme-cam-1.4.2.fwpkg" --trust "$out/release/trust.json" --hw acme-cam-rev-b \
  --provenance "$out/release/acme-cam-1.4.2.fwpkg.intoto.jsonl"
echo "report: $out/release/report.html"

step "vulnerabilities of the release, from the inventory it was added to ($out/inventory.db)"
"$fwseal" inventory lifecycle examples/acme-cam/lifecycle.json --db "$out/inventory.db"  # support dates: the stage
"$fwseal" inventory scan --release acme-cam@1.4.2 --db "$out/inventory.db"
"$fwseal" inventory report --html -o "$out/inventory.html" --db "$out/inventory.db"
