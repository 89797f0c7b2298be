#!/bin/sh
# A throwaway TPM for one test run, started and stopped by ctest (the
# swtpm_token_start / swtpm_token_stop fixtures in tests/CMakeLists.txt):
# swtpm, Debian's software TPM 2.0, with its state in DIR/state and its
# command and control channels on Unix sockets in DIR (nothing on the
# network), and tpm2-pkcs11's token store in DIR/store. The token "fwseal tpm"
# is initialised through the module itself (C_InitToken, C_InitPIN, done by
# OpenSC's pkcs11-tool), with the throwaway PINs in DIR/so-pin and DIR/pin.
# DIR/env holds what a process needs to reach the token through tpm2-pkcs11:
# TPM2_PKCS11_TCTI, TPM2_PKCS11_STORE and FWSEAL_TEST_TPM2_MODULE.
#   swtpm_token.sh start DIR     (DIR is removed first if a stopped run left it)
#   swtpm_token.sh stop DIR
set -eu
action=$1
dir=$2
module=
for m in /usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so /usr/lib/aarch64-linux-gnu/pkcs11/libtpm2_pkcs11.so \
         /usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1 /usr/lib/aarch64-linux-gnu/libtpm2_pkcs11.so.1; do
  [ -e "$m" ] && { module=$m; break; }
done
stop_tpm() {
  if [ -f "$dir/swtpm.pid" ]; then
    kill "$(cat "$dir/swtpm.pid")" 2>/dev/null || true
    rm -f "$dir/swtpm.pid"
  fi
}
case $action in
  start)
    if ! command -v swtpm >/dev/null || ! command -v pkcs11-tool >/dev/null || [ -z "$module" ]; then
      echo "swtpm_token.sh: needs swtpm, libtpm2-pkcs11-1 and opensc (scripts/setup.sh installs them)" >&2
      exit 3
    fi
    stop_tpm
    rm -rf "$dir"
    mkdir -p "$dir/state" "$dir/store"
    chmod 700 "$dir"
    printf 'tpm-user-2468\n' >"$dir/pin"
    printf 'tpm-so-1357\n' >"$dir/so-pin"
    chmod 600 "$dir/pin" "$dir/so-pin"
    swtpm socket --tpm2 --tpmstate "dir=$dir/state" \
      --server "type=unixio,path=$dir/tpm.sock" --ctrl "type=unixio,path=$dir/tpm.sock.ctrl" \
      --flags not-need-init,startup-clear --daemon --pid "file=$dir/swtpm.pid" --log "file=$dir/swtpm.log"
    i=0
    while [ ! -S "$dir/tpm.sock" ] || [ ! -f "$dir/swtpm.pid" ]; do
      i=$((i + 1))
      [ $i -gt 100 ] && { echo "swtpm_token.sh: swtpm did not start" >&2; cat "$dir/swtpm.log" >&2; exit 1; }
      sleep 0.1
    done
    cat >"$dir/env" <<EOF
TPM2_PKCS11_TCTI=swtpm:path=$dir/tpm.sock
TPM2_PKCS11_STORE=$dir/store
FWSEAL_TEST_TPM2_MODULE=$module
EOF
    # HOME too: tpm2-pkcs11 falls back to ~/.tpm2_pkcs11 when it finds no store.
    run() { env HOME="$dir" TPM2_PKCS11_TCTI="swtpm:path=$dir/tpm.sock" TPM2_PKCS11_STORE="$dir/store" \
              TSS2_LOG=all+none pkcs11-tool --module "$module" "$@" >>"$dir/init.log" 2>&1; }
    so=$(head -n1 "$dir/so-pin")
    user=$(head -n1 "$dir/pin")
    run --init-token --slot 1 --label "fwseal tpm" --so-pin "$so" \
      && run --token-label "fwseal tpm" --login --login-type so --so-pin "$so" --init-pin --pin "$user" \
      || { cat "$dir/init.log" >&2; stop_tpm; exit 1; }
    ;;
  stop)
    stop_tpm
    rm -rf "$dir"
    ;;
  *)
    echo "usage: swtpm_token.sh start|stop DIR" >&2
    exit 2
    ;;
esac
