#!/usr/bin/env bash
# Starts a private PostgreSQL 15 cluster on 127.0.0.1 for ccfs's tests and local runs; everything under one folder.
#   scripts/postgres-start.sh <folder> [port]      (default port 55432)
# Prints the Npgsql connection string of a database "ccfs" owned by a role "ccfs". Installs PostgreSQL from Debian
# when it is missing. Starting a cluster that already runs in <folder> prints its connection string again.
# fsync and full_page_writes are off: this cluster is for tests, never for anything described as durable across a power
# cut. synchronous_commit keeps PostgreSQL's default (on), as in production, so a killed PostgreSQL loses nothing it
# acknowledged (ccfs sets it on for its durable batches anyway: docs/deployment.md).
# Stop it with scripts/postgres-stop.sh <folder>.
#   PG_WATCH_PID   a process id: when it ends, the cluster is stopped and <folder> removed (a test run that is killed
#                  leaves no cluster behind).
#   PG_OPTIONS     more server settings, e.g. "-c synchronous_commit=off" to rehearse a server whose default loses commits.
set -euo pipefail
W=${1:?usage: postgres-start.sh <folder> [port]}
PORT=${2:-55432}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PASSWORD=ccfs-test-password

if [[ ! -x $PGBIN/initdb ]]; then
  echo "installing postgresql from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >/dev/null
fi

W=$(realpath -m "$W")
D=$W/data
mkdir -p "$W"
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$W"; fi

connection="Host=127.0.0.1;Port=$PORT;Username=ccfs;Password=$PASSWORD;Database=ccfs"
if [[ -f $D/postmaster.pid ]] && kill -0 "$(head -1 "$D/postmaster.pid")" 2>/dev/null; then
  echo "$connection"
  exit 0
fi

# Started before initdb and the cluster, so a failure below leaves nothing behind once the watched process ends.
if [[ -n ${PG_WATCH_PID:-} ]]; then
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done; [ -d "$2" ] && "$3" "$2" --remove' \
    pg-watch "$PG_WATCH_PID" "$W" "$(dirname "$(realpath "$0")")/postgres-stop.sh" </dev/null >/dev/null 2>&1 &
fi

if [[ ! -f $D/PG_VERSION ]]; then
  echo "postgres-superuser-password" >"$W/pwfile"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$W/pwfile"; fi
  chmod 600 "$W/pwfile"
  as_postgres "$PGBIN/initdb" -D "$D" -U postgres --auth-local=peer --auth-host=scram-sha-256 --pwfile="$W/pwfile" -E UTF8 \
    --locale=C.UTF-8 >"$W/initdb.log"
fi

as_postgres "$PGBIN/pg_ctl" -D "$D" -l "$W/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -c port=$PORT \
  -c unix_socket_directories=$W -c fsync=off -c full_page_writes=off -c max_connections=300 ${PG_OPTIONS:-}" start >/dev/null

if ! as_postgres psql -h "$W" -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'ccfs'" | grep -q 1; then
  as_postgres psql -h "$W" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE ccfs LOGIN PASSWORD '$PASSWORD' CREATEDB" -c "CREATE DATABASE ccfs OWNER ccfs"
fi

echo "$connection"
