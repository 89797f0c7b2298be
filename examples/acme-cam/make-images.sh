#!/usr/bin/env bash
# Writes the example product's firmware images into DIR, deterministically:
# the same bytes on every machine and every run (AES-CTR keystream over zeros,
# a fixed key per image), so the demo's package is reproducible end to end.
#   make-images.sh DIR
set -euo pipefail
dir=${1:?usage: make-images.sh DIR}
mkdir -p "$dir"
image() {  # name size-in-KiB key-byte
  local out=$dir/$1 size=$(( $2 * 1024 ))
  if [ -f "$out" ] && [ "$(stat -c %s "$out")" -eq "$size" ]; then return; fi
  head -c "$size" /dev/zero |
    openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$3")" -iv 00000000000000000000000000000000 > "$out.tmp"
  mv "$out.tmp" "$out"
}
image u-boot.bin 256 1
image zImage 3072 2
image rootfs.squashfs 4096 3
image app.bin 512 4
