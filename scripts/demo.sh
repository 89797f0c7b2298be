#!/usr/bin/env bash
# The main job, end to end: builds fwseal, then releases the example product in
# examples/acme-cam with a key inside a local SoftHSM2 token (created on first
# use), and checks the result with the standalone verifier.
# Everything it writes stays in out/demo/. Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
fwseal_setup

out=out/demo
fwseal=build/bin/fwseal
verify=build/bin/fwseal-verify
export FWSEAL_HOME=$PWD/$out/hsm
mkdir -p "$out" "$FWSEAL_HOME"
chmod 700 "$FWSEAL_HOME"

# PINs live in files readable only by this user; they are never on a command line.
for f in pin so-pin; do
  [ -s "$FWSEAL_HOME/$f" ] || (umask 077 && openssl rand -hex 16 > "$FWSEAL_HOME/$f")
done
export FWSEAL_PIN_FILE=$FWSEAL_HOME/pin FWSEAL_SO_PIN_FILE=$FWSEAL_HOME/so-pin

key='pkcs11:token=acme-release;object=release-2026'
step() { printf '\n== %s\n' "$*"; }

if ! "$fwseal" hsm list --token acme-release >/dev/null 2>&1; then
  step "first run: SoftHSM2 token and an Ed25519 release key in $FWSEAL_HOME"
  "$fwseal" hsm init --token acme-release
  "$fwseal" hsm keygen --key "$key" --alg ed25519
fi
"$fwseal" hsm pubkey --key "$key" -o "$out/release-2026.pub.pem"

step "images (deterministic example content)"
examples/acme-cam/make-images.sh "$out/images"
ls -l "$out/images"

step "package"
"$fwseal" package --spec examples/acme-cam/package.json -o "$out/acme-cam-1.4.2.fwpkg"

step "sign inside the HSM"
"$fwseal" sign "$out/acme-cam-1.4.2.fwpkg" --key "$key"

step "trust policy a device would hold"
"$fwseal" trust create -o "$out/trust.json" --pubkey "$out/release-2026.pub.pem" \
  --hw acme-cam-rev-b --hw acme-cam-rev-c --min-security-version 2

step "standalone verification, as the bootloader decides"
"$verify" "$out/acme-cam-1.4.2.fwpkg" --trust "$out/trust.json" --hw acme-cam-rev-b
