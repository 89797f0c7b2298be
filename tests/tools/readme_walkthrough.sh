#!/usr/bin/env bash
# Runs README's "A first release by hand" block exactly as written, in a
# throwaway HOME and FWSEAL_HOME, with build/bin first on PATH, and checks what
# a reader would see: the verifier's VALID line and the extracted images.
# /mnt/update is redirected into the throwaway directory, and the commit time
# (the block's SOURCE_DATE_EPOCH) is a fixed number, so the run needs no git.
#   readme_walkthrough.sh SOURCE_DIR BIN_DIR
set -euo pipefail
src=${1:?usage: readme_walkthrough.sh SOURCE_DIR BIN_DIR} bin=${2:?usage: readme_walkthrough.sh SOURCE_DIR BIN_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^### A first release by hand/ {f = 1} f && /^```sh$/ {g = 1; next} g && /^```$/ {exit} g' "$src/README.md" |
  sed -e "s#/mnt/update#$work/update#g" -e 's#\$(git log -1 --format=%ct)#1790000000#' > "$work/walkthrough.sh"
grep -q 'fwseal hsm init' "$work/walkthrough.sh" || { echo "README has no first-release block" >&2; exit 1; }
mkdir "$work/images"
head -c 65536 /dev/zero | tr '\0' 'b' > "$work/images/u-boot.bin"
head -c 99999 /dev/zero | tr '\0' 'k' > "$work/images/zImage"
out=$(cd "$work" && HOME=$work FWSEAL_HOME=$work/.fwseal PATH="$bin:$PATH" \
      env -u FWSEAL_PIN -u FWSEAL_PIN_FILE -u FWSEAL_SO_PIN -u FWSEAL_SO_PIN_FILE bash -e walkthrough.sh 2>&1) || {
  echo "$out"; echo "README's first release failed" >&2; exit 1; }
echo "$out"
grep -q '^VALID: cam 1.0.0 (security version 1), 1 of 1 signatures' <<<"$out" || { echo "no VALID verdict" >&2; exit 1; }
cmp -s "$work/images/u-boot.bin" "$work/update/bootloader" || { echo "bootloader not extracted intact" >&2; exit 1; }
cmp -s "$work/images/zImage" "$work/update/kernel" || { echo "kernel not extracted intact" >&2; exit 1; }
[ "$(stat -c %a "$work/.config/fwseal/pin")" = 600 ] || { echo "PIN file is not mode 0600" >&2; exit 1; }
echo "README walkthrough: OK"
