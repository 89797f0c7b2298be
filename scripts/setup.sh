#!/usr/bin/env bash
# Shared set-up for demo.sh and test.sh: installs the Debian packages fwseal
# needs (only those missing; silent when everything is in place), then
# configures and builds with CMake + Ninja. Source it, don't run it.
#   FWSEAL_PRESET=default|debug|asan   which CMake preset to build (default: default)
#   FWSEAL_TARGETS="fwseal fwseal-verify"   build only these targets (default: everything)
#   FWSEAL_PACKAGES=build   install only what building and running need (default: also the test tools)

# What building fwseal and running it needs (the demo installs only these).
fwseal_build_packages=(
  g++ cmake ninja-build pkg-config make
  libssl-dev openssl libarchive-dev nlohmann-json3-dev libgtest-dev libgmock-dev libp11-kit-dev
  libcli11-dev   # argument parsing of fwseal and fwseal-verify (header-only: a build dependency only)
  libvalijson-dev libpcre2-dev   # `fwseal sbom validate`: the CycloneDX JSON schemas (their patterns with PCRE2)
  softhsm2 libsqlite3-dev libpq-dev
  # static archives for fwseal-verify-static (libssl-dev and libarchive-dev ship theirs)
  nettle-dev libxml2-dev libicu-dev liblzma-dev libbz2-dev zlib1g-dev
)
# What the test suite needs besides: independent tools the tests check
# fwseal against, and the PostgreSQL server test.sh starts for the run.
fwseal_test_packages=(
  opensc
  python3 python3-jsonschema
  tar file binutils
  sqlite3 postgresql
  ruby ruby-cvss-suite   # the CVSS tests' independent oracle
  # PKCS#11 modules besides SoftHSM2 that the HSM tests sign through: p11-kit's
  # proxy, tpm2-pkcs11 over a software TPM the suite starts itself, and
  # openCryptoki's soft token with its slot daemon (started by the suite too)
  p11-kit-modules swtpm libtpm2-pkcs11-1 libtss2-tcti-swtpm0 opencryptoki
  # the release report in a browser and printed to PDF (pipeline_report_test)
  chromium poppler-utils
)
fwseal_packages=("${fwseal_build_packages[@]}" "${fwseal_test_packages[@]}")

fwseal_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "fwseal: need root (or sudo) to install: ${missing[*]}" >&2; return 3; }
    sudo=(sudo)
  fi
  echo "fwseal: installing ${missing[*]}" >&2
  # apt-get update once per machine boot is enough; skip it when the lists are fresh.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -360 2>/dev/null | head -n1)" ]; then
    "${sudo[@]}" apt-get update -qq >/dev/null || return 3
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "fwseal: apt-get install failed for: ${missing[*]}" >&2; return 3; }
}

fwseal_build() {
  local preset=${FWSEAL_PRESET:-default}
  local dir=build
  [ "$preset" = default ] || dir=build-$preset
  if [ ! -f "$dir/build.ninja" ]; then
    echo "fwseal: configuring and building ($preset); the first build takes a few minutes" >&2
    cmake --preset "$preset" >/dev/null || return 1
  fi
  # Quiet when there is nothing to do; compiler errors still show.
  local log rc=0
  log=$(mktemp)
  local targets=()
  [ -n "${FWSEAL_TARGETS:-}" ] && read -r -a targets <<<"--target $FWSEAL_TARGETS"
  cmake --build --preset "$preset" "${targets[@]}" -- --quiet >"$log" 2>&1 || rc=$?
  grep -v '^ninja: no work to do' "$log" >&2 || true
  rm -f "$log"
  return $rc
}

# FWSEAL_PACKAGES=build installs only what building and running need.
fwseal_setup() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.." || return 1
  local packages=("${fwseal_packages[@]}")
  [ "${FWSEAL_PACKAGES:-all}" = build ] && packages=("${fwseal_build_packages[@]}")
  fwseal_install_missing "${packages[@]}" "$@" || return $?
  fwseal_build
}
