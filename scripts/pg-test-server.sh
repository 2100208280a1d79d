#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print its DATABASE_URL.
# Usage: eval "$(scripts/pg-test-server.sh start DIR)"; ...; scripts/pg-test-server.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
port=${JICENG_PG_PORT:-54329}

as_pg() {
  # initdb refuses to run as root: run the server as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U jiceng -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_pg "$bin/initdb" -D "$dir/data" -U jiceng -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null
    echo "export DATABASE_URL=postgres://jiceng@127.0.0.1:$port/jiceng"
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U jiceng jiceng
    ;;
  stop)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
esac
