#!/bin/sh
# A throwaway PostgreSQL server for one test run, started and stopped by ctest
# (the postgres_server_start / postgres_server_stop fixtures in
# tests/CMakeLists.txt). It listens only on a Unix socket in DIR, keeps its
# data in DIR/data, trusts the local user "fwseal", and does not fsync: it
# holds nothing but test databases.
#   postgres_server.sh start DIR     (DIR is removed first if a stopped run left it)
#   postgres_server.sh stop DIR
set -eu
action=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "postgres_server.sh: no PostgreSQL server in /usr/lib/postgresql (install Debian's postgresql; scripts/setup.sh does)" >&2
  exit 3
fi
# initdb and the server refuse to run as root: as root they run as the
# "postgres" user that Debian's package creates.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}
case $action in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U fwseal -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses= -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres_server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
