#!/bin/sh
# Runs a command against a throwaway openCryptoki soft token (ctest's
# hsm_modules_opencryptoki_test, tests/CMakeLists.txt):
#   opencryptoki_token.sh run DIR COMMAND [ARG...]
# Debian's openCryptoki 3.8 has its paths built in: the slot daemon reads
# /etc/opencryptoki/opencryptoki.conf, listens on /run/pkcsslotd.socket and
# shares SysV memory keyed by /usr/sbin/pkcsslotd; the soft token keeps its
# store in /var/lib/opencryptoki/swtok, its locks in /run/lock/opencryptoki and
# its object cache in POSIX shared memory (/dev/shm). Nothing overrides them,
# so COMMAND runs in namespaces of its own (mount, IPC and PID, hence root):
# DIR/etc, DIR/lib and DIR/run are bind-mounted over /etc/opencryptoki,
# /var/lib/opencryptoki and /run, /dev/shm is a fresh tmpfs, and pkcsslotd
# runs there. The host's files and daemons are not touched. When this script
# is killed, even with SIGKILL, the PID namespace's processes die with it and
# its mounts go away; DIR, under /tmp, is removed by the next run.
# The token "fwseal ock" is initialised through the module (C_InitToken with
# the factory SO PIN 87654321, a new SO PIN, C_InitPIN, done by OpenSC's
# pkcs11-tool), with the throwaway PINs in DIR/so-pin and DIR/pin. COMMAND gets
# FWSEAL_TEST_OPENCRYPTOKI=DIR; DIR/env holds FWSEAL_TEST_OCK_MODULE.
set -eu
action=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: opencryptoki_token.sh run DIR COMMAND [ARG...]" >&2; exit 2; }
shift 2
module=
for m in /usr/lib/x86_64-linux-gnu/pkcs11/libopencryptoki.so /usr/lib/aarch64-linux-gnu/pkcs11/libopencryptoki.so \
         /usr/lib/x86_64-linux-gnu/opencryptoki/libopencryptoki.so.0 \
         /usr/lib/aarch64-linux-gnu/opencryptoki/libopencryptoki.so.0; do
  [ -e "$m" ] && { module=$m; break; }
done
case $action in
  run)
    if ! command -v pkcsslotd >/dev/null || ! command -v pkcs11-tool >/dev/null || [ -z "$module" ] \
       || ! getent group pkcs11 >/dev/null || [ ! -d /etc/opencryptoki ] || [ ! -d /var/lib/opencryptoki ]; then
      echo "opencryptoki_token.sh: needs opencryptoki and opensc (scripts/setup.sh installs them)" >&2
      exit 3
    fi
    if [ "$(id -u)" != 0 ]; then
      echo "opencryptoki_token.sh: must run as root: openCryptoki's paths are built in, and only root can" \
           "mount a private /etc/opencryptoki, /var/lib/opencryptoki and /run over them" >&2
      exit 1
    fi
    if ! err=$(unshare --mount --ipc --pid --fork --mount-proc --propagation private true 2>&1); then
      echo "opencryptoki_token.sh: cannot make mount, IPC and PID namespaces ($err): in a container, run it" \
           "with --privileged (Docker's default seccomp and AppArmor profiles refuse unshare and mount)" >&2
      exit 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 700 "$dir"
    # unshare in this process's place, so that ctest's timeout or a SIGKILL reaches it; --kill-child: its death
    # kills the namespace's first process, and with it every process of the namespace.
    exec unshare --mount --ipc --pid --fork --mount-proc --kill-child --propagation private "$0" inside "$dir" "$@"
    ;;
  inside)
    [ "$$" = 1 ] || { echo "opencryptoki_token.sh: 'inside' runs only in the namespace 'run' makes" >&2; exit 2; }
    mkdir -p "$dir/etc" "$dir/lib/swtok/TOK_OBJ" "$dir/run/lock/opencryptoki/swtok"
    chgrp -R pkcs11 "$dir/lib" "$dir/run/lock/opencryptoki"
    chmod -R 770 "$dir/lib" "$dir/run/lock/opencryptoki"
    chmod 755 "$dir/run" "$dir/run/lock"
    cat >"$dir/etc/opencryptoki.conf" <<'EOF'
version opencryptoki-3.1
slot 0
{
stdll = libpkcs11_sw.so
description = "fwseal test soft token"
}
EOF
    mount --bind "$dir/etc" /etc/opencryptoki
    mount --bind "$dir/lib" /var/lib/opencryptoki
    mount --bind "$dir/run" /run
    mount -t tmpfs -o mode=1777,size=64m fwseal-ock-shm /dev/shm
    pkcsslotd -f -l "$dir/pkcsslotd.log" >/dev/null 2>&1 &
    slotd=$!
    i=0
    while [ ! -S /run/pkcsslotd.socket ]; do
      i=$((i + 1))
      [ $i -gt 100 ] && { echo "opencryptoki_token.sh: pkcsslotd did not start" >&2; cat "$dir/pkcsslotd.log" >&2; exit 1; }
      sleep 0.1
    done
    # The soft token takes PINs of 4 to 8 characters.
    printf 'ock-2468\n' >"$dir/pin"
    printf 'ock-1357\n' >"$dir/so-pin"
    chmod 600 "$dir/pin" "$dir/so-pin"
    printf 'FWSEAL_TEST_OCK_MODULE=%s\n' "$module" >"$dir/env"
    tool() { pkcs11-tool --module "$module" "$@" >>"$dir/init.log" 2>&1; }
    so=$(head -n1 "$dir/so-pin")
    user=$(head -n1 "$dir/pin")
    tool --init-token --slot 0 --label "fwseal ock" --so-pin 87654321 \
      && tool --token-label "fwseal ock" --login --login-type so --so-pin 87654321 --change-pin --new-pin "$so" \
      && tool --token-label "fwseal ock" --login --login-type so --so-pin "$so" --init-pin --pin "$user" \
      || { cat "$dir/init.log" >&2; exit 1; }
    rc=0
    FWSEAL_TEST_OPENCRYPTOKI=$dir "$@" || rc=$?
    kill "$slotd" 2>/dev/null || true
    wait "$slotd" 2>/dev/null || true
    # The mounts end with the namespace; their sources can go before.
    if [ $rc -eq 0 ]; then rm -rf "$dir"; else echo "opencryptoki_token.sh: kept $dir" >&2; fi
    exit $rc
    ;;
  *)
    echo "usage: opencryptoki_token.sh run DIR COMMAND [ARG...]" >&2
    exit 2
    ;;
esac
