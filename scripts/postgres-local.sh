#!/usr/bin/env bash
# A throwaway PostgreSQL server from Debian's packages (apt-get install -y postgresql), for the test
# suite and for trying the PostgreSQL learning store on one machine:
#   url=$(scripts/postgres-local.sh start /tmp/qc-pg)    # prints postgresql://quantcoder@127.0.0.1:<port>/postgres
#   QUANTCODER_DATABASE_URL=$url quantcoder db migrate
#   scripts/postgres-local.sh stop /tmp/qc-pg
# Listens on 127.0.0.1 only, trusts local connections, keeps everything in the given directory.
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` system user.
# Exit status 3 when PostgreSQL is not installed.
set -euo pipefail
action=${1:?usage: postgres-local.sh start|stop DIR}
dir=${2:?usage: postgres-local.sh start|stop DIR}

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do [ -x "$candidate/initdb" ] && bindir=$candidate; done
if [ -z "$bindir" ] && command -v pg_ctl >/dev/null 2>&1; then bindir=$(dirname "$(command -v pg_ctl)"); fi
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed (Debian: apt-get install -y postgresql)" >&2
  exit 3
fi

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        echo "the postgres user cannot reach $dir: use a directory whose parents it may traverse (e.g. under /tmp, mode 755)" >&2
        exit 1
      fi
    fi
    port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
    as_server_user "$bindir/initdb" -D "$dir/data" -U quantcoder --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync off: a throwaway server; max_connections for many workers and test files at once
    as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://quantcoder@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_server_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres-local.sh start|stop DIR" >&2
    exit 2
    ;;
esac
