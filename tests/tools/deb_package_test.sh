#!/bin/sh
# ctest deb_package: `cpack -G DEB` makes a Debian package whose control data,
# contents and programs are right: Depends computed from the binaries, the two
# programs (and fwseal-verify-static), man pages, bash completion and docs;
# unpacked outside the build tree, fwseal and fwseal-verify run, and the
# unpacked fwseal-verify(-static) accept a valid conformance vector and refuse
# a tampered one. (Installing it on a fresh Debian 12 is shown in docs/USAGE.md.)
#   deb_package_test.sh BUILD_DIR SOURCE_DIR [STATIC]
# STATIC is 1 when the build makes fwseal-verify-static (FWSEAL_STATIC_VERIFIER,
# on in the default preset), 0 when it does not (the asan preset).
set -eu
build=${1:?usage: deb_package_test.sh BUILD_DIR SOURCE_DIR [STATIC]}
src=${2:?usage: deb_package_test.sh BUILD_DIR SOURCE_DIR [STATIC]}
static=${3:-1}
verifiers="fwseal-verify"
[ "$static" = 1 ] && verifiers="fwseal-verify fwseal-verify-static"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "deb_package_test: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log" >&2; fail "cpack -G DEB failed"; }
version=$(sed -n 's/^project(fwseal VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
deb="$tmp/out/fwseal_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "no $deb (made: $(ls "$tmp/out"))"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = fwseal ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected $version"
depends=$(field Depends)
for lib in libssl3 libarchive13 libsqlite3-0 libpq5 libp11-kit0 libc6; do
  case ", $depends," in *", $lib "*|*", $lib,"*) ;; *) fail "Depends lacks $lib: $depends" ;; esac
done
for bad in softhsm2 -dev; do
  case "$depends" in *"$bad"*) fail "Depends names $bad: $depends" ;; esac
done

dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/contents"
for f in ./usr/bin/fwseal $(for v in $verifiers; do echo "./usr/bin/$v"; done) \
         ./usr/share/man/man1/fwseal.1 ./usr/share/man/man1/fwseal-verify.1 \
         ./usr/share/bash-completion/completions/fwseal ./usr/share/bash-completion/completions/fwseal-verify \
         ./usr/share/doc/fwseal/README.md ./usr/share/doc/fwseal/FORMAT.md ./usr/share/doc/fwseal/USAGE.md; do
  grep -qx "$f" "$tmp/contents" || fail "the package lacks $f"
done
if [ "$static" = 0 ] && grep -qx ./usr/bin/fwseal-verify-static "$tmp/contents"; then
  fail "fwseal-verify-static is packaged, but the build does not make it"
fi
if grep -q "^./usr/lib\|^./usr/include\|_test$" "$tmp/contents"; then
  fail "the package holds libraries, headers or tests: $(grep "^./usr/lib\|^./usr/include\|_test$" "$tmp/contents" | head -3)"
fi

dpkg-deb -x "$deb" "$tmp/root"
bin="$tmp/root/usr/bin"
[ "$("$bin/fwseal" --version)" = "fwseal $version" ] || fail "fwseal --version: $("$bin/fwseal" --version)"
[ "$("$bin/fwseal-verify" --version)" = "fwseal-verify $version" ] || fail "fwseal-verify --version"
"$bin/fwseal" sign --help | grep -q "^usage: fwseal sign PKG \[--key URI\]" || fail "fwseal sign --help"
man1="$tmp/root/usr/share/man/man1"
# A section for every command and subcommand, with its options and their descriptions.
for section in sign 'hsm keygen' 'inventory vex export' 'ca issue' 'pipeline run' verify; do
  grep -q "^\.SS $section\$" "$man1/fwseal.1" || fail "fwseal.1 has no section for $section"
done
grep -q 'usage: fwseal sign PKG \[--key URI\]' "$man1/fwseal.1" || fail "fwseal.1 lacks sign's usage"
grep -q 'the signing key in its token' "$man1/fwseal.1" || fail "fwseal.1 lacks the description of sign --key"
grep -q 'the trust policy: trusted keys' "$man1/fwseal-verify.1" || fail "fwseal-verify.1 lacks --trust's description"

vectors="$src/tests/vectors"
for v in $verifiers; do
  "$bin/$v" "$vectors/valid/ed25519.fwpkg" --trust "$vectors/trust.json" >"$tmp/ok.out" 2>&1 \
    || fail "$v refused valid/ed25519.fwpkg: $(cat "$tmp/ok.out")"
  grep -q '^VALID: ' "$tmp/ok.out" || fail "$v said: $(cat "$tmp/ok.out")"
  cp "$vectors/valid/ed25519.fwpkg" "$tmp/bad.fwpkg"
  size=$(stat -c %s "$tmp/bad.fwpkg")
  printf 'X' | dd of="$tmp/bad.fwpkg" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
  rc=0
  "$bin/$v" "$tmp/bad.fwpkg" --trust "$vectors/trust.json" >"$tmp/bad.out" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "$v accepted a tampered package"
done

# The completion offers commands and a command's options from the program's help.
bash -c '
  . "$1/usr/share/bash-completion/completions/fwseal"
  PATH="$1/usr/bin:$PATH"
  COMP_WORDS=(fwseal si); COMP_CWORD=1; _fwseal
  [ "${COMPREPLY[*]}" = sign ] || { echo "fwseal si<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(fwseal sign pkg --au); COMP_CWORD=3; _fwseal
  [ "${COMPREPLY[*]}" = --audit-log ] || { echo "fwseal sign pkg --au<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(fwseal hsm ke); COMP_CWORD=2; _fwseal
  [ "${COMPREPLY[*]}" = keygen ] || { echo "fwseal hsm ke<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(fwseal hsm keygen --al); COMP_CWORD=3; _fwseal
  [ "${COMPREPLY[*]}" = --alg ] || { echo "fwseal hsm keygen --al<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(fwseal inventory vex ex); COMP_CWORD=3; _fwseal
  [ "${COMPREPLY[*]}" = export ] || { echo "fwseal inventory vex ex<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(fwseal help inv); COMP_CWORD=2; _fwseal
  [ "${COMPREPLY[*]}" = inventory ] || { echo "fwseal help inv<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(fwseal verify pkg --tr); COMP_CWORD=3; _fwseal
  [ "${COMPREPLY[*]}" = --trust ] || { echo "fwseal verify pkg --tr<TAB>: ${COMPREPLY[*]}"; exit 1; }
' _ "$tmp/root" || fail "bash completion"
echo "deb_package_test: $(basename "$deb"): $(stat -c %s "$deb") bytes, Depends: $depends"
