#!/bin/sh
# Fixture of sbom_debian_test: real Debian packages, unpacked, for the
# accuracy, ownership and fingerprint tests. Nothing here is committed; the
# result is cached in OUT (the build directory) until the package list or the
# layout below changes.
#
#   fetch_debian_packages.sh OUT
#
# OUT/debs/             the .deb files (apt-get download)
# OUT/rootfs-bare/      every package's files (dpkg-deb -x), no package database
# OUT/rootfs-dpkg/      the same files (hard links) plus var/lib/dpkg/status
#                       composed from the packages' control files and
#                       var/lib/dpkg/info/PKG.list (PKG:ARCH.list for
#                       Multi-Arch: same) as dpkg writes them: "/." first, then
#                       every path of the package, directories included
# OUT/rootfs-dpkg.tar   rootfs-dpkg as a tar archive
# OUT/rootfs-opkg/      the same files plus usr/lib/opkg/status (opkg's
#                       format) and usr/lib/opkg/info/PKG.list (the package's
#                       files and symlinks, as opkg lists them: no directories)
# OUT/expected.tsv      Package<TAB>Version<TAB>Architecture of each package
# OUT/owners.tsv        /PATH<TAB>Package for every regular file of every package
#
# Exits non-zero (so the test that needs it fails) if any package cannot be had.
set -eu

out=${1:?usage: fetch_debian_packages.sh OUT}
arch=$(dpkg --print-architecture)
layout=2  # bump when the layout of OUT changes, so caches are rebuilt
# The fingerprinted software (kept from the first version of this test)...
packages="busybox-static libssl3 zlib1g dropbear-bin openssh-client libcurl4 curl lighttpd u-boot-tools u-boot-qemu"
# ... and a small embedded-style Debian 12 system around it: the C library and
# runtime, the libraries the tools above link, systemd's client libraries (not
# systemd itself), OpenSSH's server side, D-Bus, MQTT, TLS and iproute2.
packages="$packages base-files libc6 libc-bin libgcc-s1 libstdc++6 libcrypt1 libzstd1 liblzma5 libbz2-1.0
  libsystemd0 libudev1 libcap2 libcap-ng0 libselinux1 libpcre2-8-0 libaudit1 libpam0g libwrap0
  openssh-server openssh-sftp-server libsqlite3-0 libxml2 libexpat1 mosquitto libwebsockets17 libcjson1
  dbus libdbus-1-3 libblkid1 libmount1 libuuid1 libacl1 libattr1 iproute2 libmnl0 libelf1
  ca-certificates libgnutls30 libnettle8 libhogweed6 libgmp10 libtasn1-6 libidn2-0 libunistring2
  libp11-kit0 libffi8 libnghttp2-14 libbrotli1 libpsl5 libkeyutils1 libcom-err2"
packages=$(echo $packages)

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
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$layout $packages" ]; then
  exit 0
fi
# Keep the downloads of an earlier run: apt-get download skips nothing, so
# move them aside and back.
if [ -d "$out/debs" ]; then
  rm -rf "$out.debs"
  mv "$out/debs" "$out.debs"
fi
rm -rf "$out"
mkdir -p "$out/rootfs-bare"
if [ -d "$out.debs" ]; then mv "$out.debs" "$out/debs"; else mkdir "$out/debs"; fi
cd "$out/debs"
missing=""
for p in $packages; do
  ls "${p}"_*.deb >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086
  if ! apt-get download $missing >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    apt-get download $missing >&2 || { echo "fetch_debian_packages: apt-get download failed" >&2; exit 1; }
  fi
fi
# Only the packages of the list (an older list's extra downloads are dropped).
for deb in *.deb; do
  case " $packages " in *" ${deb%%_*} "*) ;; *) rm -f "$deb" ;; esac
done

status="$out/status"
opkg_status="$out/opkg-status"
lists="$out/lists"
mkdir -p "$lists/dpkg" "$lists/opkg"
: > "$status"
: > "$opkg_status"
: > "$out/expected.tsv"
: > "$out/owners.tsv"
for deb in "$out"/debs/*.deb; do
  dpkg-deb -x "$deb" "$out/rootfs-bare"
  name=$(dpkg-deb -f "$deb" Package)
  version=$(dpkg-deb -f "$deb" Version)
  debarch=$(dpkg-deb -f "$deb" Architecture)
  # A status paragraph is the control paragraph plus the Status field dpkg adds.
  dpkg-deb -f "$deb" | awk '{ print } /^Package:/ { print "Status: install ok installed" }' >> "$status"
  echo >> "$status"
  printf '%s\t%s\t%s\n' "$name" "$version" "$debarch" >> "$out/expected.tsv"
  # opkg's status keeps Package, Version, Depends, Provides, Status,
  # Architecture and Installed-Time of each package.
  {
    printf 'Package: %s\nVersion: %s\n' "$name" "$version"
    dpkg-deb -f "$deb" Depends | sed -n 's/^./Depends: &/p'
    dpkg-deb -f "$deb" Provides | sed -n 's/^./Provides: &/p'
    printf 'Status: install ok installed\nArchitecture: %s\nInstalled-Time: 1733300000\n\n' "$debarch"
  } >> "$opkg_status"
  list="$name"
  [ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ] && list="$name:$debarch"
  # dpkg-deb -c: MODE OWNER SIZE DATE TIME ./PATH [-> TARGET | link to ./PATH]
  dpkg-deb -c "$deb" | awk -v dpkg="$lists/dpkg/$list.list" -v opkg="$lists/opkg/$name.list" \
      -v owners="$out/owners.tsv" -v pkg="$name" '
    {
      line = substr($0, index($0, " ./") + 1)
      sub(/ -> .*$/, "", line)
      sub(/ link to .*$/, "", line)
      path = substr(line, 2)               # "./usr/bin/x" -> "/usr/bin/x"
      sub(/\/$/, "", path)
      if (path == "") path = "/."
      print path > dpkg
      type = substr($0, 1, 1)
      if (type != "d") print path > opkg
      if (type == "-" || type == "h") print path "\t" pkg >> owners
    }'
done
# No regular file may belong to two packages (dpkg would refuse the second).
dups=$(cut -f1 "$out/owners.tsv" | sort | uniq -d | head -n 5)
[ -z "$dups" ] || { echo "fetch_debian_packages: files in two packages: $dups" >&2; exit 1; }
sort -o "$out/owners.tsv" "$out/owners.tsv"

cp -al "$out/rootfs-bare" "$out/rootfs-dpkg"
mkdir -p "$out/rootfs-dpkg/var/lib/dpkg/info"
cp "$status" "$out/rootfs-dpkg/var/lib/dpkg/status"
cp "$lists"/dpkg/*.list "$out/rootfs-dpkg/var/lib/dpkg/info/"
tar -C "$out/rootfs-dpkg" -cf "$out/rootfs-dpkg.tar" .
cp -al "$out/rootfs-bare" "$out/rootfs-opkg"
mkdir -p "$out/rootfs-opkg/usr/lib/opkg/info"
cp "$opkg_status" "$out/rootfs-opkg/usr/lib/opkg/status"
cp "$lists"/opkg/*.list "$out/rootfs-opkg/usr/lib/opkg/info/"
echo "$layout $packages" > "$stamp"
