#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the bench: Debian's postgresql, a data folder
# under /tmp, listening on 127.0.0.1 only, with a role and a database the tests may use.
#
#   eval "$(scripts/test-postgres.sh start)"   # starts it (or finds it running), exports FEEDLOOM_TEST_PG_URL
#                                              # (and prints "# already running" when it was)
#   scripts/test-postgres.sh restart           # stops and starts it again (fast shutdown: every
#                                              # connection is cut, as a database failover would)
#   scripts/test-postgres.sh stop              # stops it and removes its folder
#
# FEEDLOOM_TEST_PG_PORT (default 54329) and FEEDLOOM_TEST_PG_DIR choose where it lives: a test that
# restarts its server starts its own on another port, never the shared one. As root
# (CI) the server runs as the postgres user, which Debian's package creates; PostgreSQL refuses root.
set -euo pipefail

action=${1:-start}
port=${FEEDLOOM_TEST_PG_PORT:-54329}
dir=${FEEDLOOM_TEST_PG_DIR:-/tmp/feedloom-test-pg-$port}
role=feedloom_test
url="postgres://$role:$role@127.0.0.1:$port/$role"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "test-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

is_running() {
  [ -f "$dir/data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

psql_admin() {
  as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"
}

case "$action" in
  start)
    if is_running; then
      echo "# already running"
    else
      mkdir -p "$dir"
      if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
      chmod 700 "$dir"
      if [ ! -f "$dir/data/PG_VERSION" ]; then
        # Local (socket) connections trust the owner only: the socket sits in a 0700 folder.
        # TCP needs the test role's password, md5-hashed: SCRAM costs each new connection 50 ms,
        # and the tests open hundreds.
        as_owner "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale \
          --auth-local=trust --auth-host=md5 >"$dir/initdb.log"
      fi
      # fsync off: a test cluster is thrown away, never recovered after a power cut.
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c password_encryption=md5" \
        start >/dev/null
    fi
    psql_admin <<SQL
SELECT 'CREATE ROLE $role LOGIN CREATEDB PASSWORD ''$role''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \gexec
SELECT 'CREATE DATABASE $role OWNER $role' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$role') \gexec
SQL
    echo "export FEEDLOOM_TEST_PG_URL=$url"
    ;;
  restart)
    if ! is_running; then
      echo "test-postgres: no server runs in $dir" >&2
      exit 1
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null
    ;;
  stop)
    if is_running; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|restart|stop" >&2
    exit 2
    ;;
esac
