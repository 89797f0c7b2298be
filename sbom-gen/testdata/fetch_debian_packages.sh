#!/bin/sh
# Fixture of sbom_debian_test: real Debian packages, unpacked, for the
# accuracy and fingerprint tests. Nothing here is committed; the result is
# cached in OUT (the build directory) until the package list changes.
#
#   fetch_debian_packages.sh OUT
#
# OUT/debs/             the .deb files (apt-get download)
# OUT/rootfs-bare/      every package's files (dpkg-deb -x), no package database
# OUT/rootfs-dpkg/      the same files (hard links) plus var/lib/dpkg/status
#                       composed from the packages' control files
# OUT/rootfs-dpkg.tar   rootfs-dpkg as a tar archive
# OUT/expected.tsv      Package<TAB>Version<TAB>Architecture of each package
#
# Exits non-zero (so the test that needs it fails) if any package cannot be had.
set -eu

out=${1:?usage: fetch_debian_packages.sh OUT}
arch=$(dpkg --print-architecture)
packages="busybox-static libssl3 zlib1g dropbear-bin openssh-client libcurl4 curl lighttpd u-boot-tools u-boot-qemu"

# The cloud kernel is the smallest linux-image package; name its current ABI.
kernel_of() {
  apt-cache depends "linux-image-cloud-$arch" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1
}
kernel=$(kernel_of)
if [ -z "$kernel" ]; then
  apt-get update -qq >/dev/null 2>&1 || true
  kernel=$(kernel_of)
fi
[ -n "$kernel" ] || { echo "fetch_debian_packages: cannot resolve linux-image-cloud-$arch" >&2; exit 1; }
packages="$packages $kernel"

stamp="$out/.complete"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ]; then
  exit 0
fi
rm -rf "$out"
mkdir -p "$out/debs" "$out/rootfs-bare"
cd "$out/debs"
# shellcheck disable=SC2086
if ! apt-get download $packages >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  apt-get download $packages >&2 || { echo "fetch_debian_packages: apt-get download failed" >&2; exit 1; }
fi

status="$out/status"
: > "$status"
: > "$out/expected.tsv"
for deb in "$out"/debs/*.deb; do
  dpkg-deb -x "$deb" "$out/rootfs-bare"
  # A status paragraph is the control paragraph plus the Status field dpkg adds.
  dpkg-deb -f "$deb" | awk '{ print } /^Package:/ { print "Status: install ok installed" }' >> "$status"
  echo >> "$status"
  printf '%s\t%s\t%s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" \
    "$(dpkg-deb -f "$deb" Architecture)" >> "$out/expected.tsv"
done
cp -al "$out/rootfs-bare" "$out/rootfs-dpkg"
mkdir -p "$out/rootfs-dpkg/var/lib/dpkg"
cp "$status" "$out/rootfs-dpkg/var/lib/dpkg/status"
tar -C "$out/rootfs-dpkg" -cf "$out/rootfs-dpkg.tar" .
echo "$packages" > "$stamp"
