#!/usr/bin/env bash
# Runs `ccfs conformance --mode full` against a real server process on one back-end, as an integrator would run it
# against CC-FS, so the conformance checks pass on every back-end the server supports:
#
#   scripts/conformance-backends.sh BACKEND OUT.jsonl
#
#   BACKEND  sqlite       the default: SQLite catalog and a disk location in a fresh data dir
#            postgres     a PostgreSQL catalog (a schema of its own) and a disk location
#            postgres-s3  a PostgreSQL catalog and location 0 in an S3 bucket of its own
#   OUT.jsonl            the checks, one JSON line each; the server's log goes next to it (OUT-server.log)
#
# The exit code is the conformance's (0: every check passed), or 2 when the back-end could not be set up.
# Uses the server and CLI as built (dotnet build Ccfs.slnx, Debug), and no configured account, so the development
# account (loopback only) is the one conformance signs with.
#
# Environment (defaults in brackets):
#   CCFS_TEST_POSTGRES  an Npgsql connection string of a role that may create schemas; unset: a private PostgreSQL
#                       (scripts/postgres-start.sh) on CONFORMANCE_PG_PORT [28432], removed at the end
#   CCFS_TEST_S3        URL|ACCESS_KEY|SECRET_KEY of an S3 endpoint whose user may create buckets; unset: a private
#                       Ceph RGW (scripts/rgw-start.sh) on CONFORMANCE_RGW_PORT [28480] and CONFORMANCE_RGW_MON_PORT
#                       [28400], removed at the end
#   CONFORMANCE_PORT    [28443] the server's HTTP port on 127.0.0.1
# Whatever the script created (schema, bucket, data dir, private servers) is removed when it ends, even on failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
backend=${1:?usage: conformance-backends.sh sqlite|postgres|postgres-s3 OUT.jsonl}
out=${2:?usage: conformance-backends.sh sqlite|postgres|postgres-s3 OUT.jsonl}
port=${CONFORMANCE_PORT:-28443}
case $backend in
  sqlite | postgres | postgres-s3) ;;
  *) echo "conformance-backends: unknown back-end '$backend' (sqlite, postgres or postgres-s3)" >&2; exit 2 ;;
esac

out=$(realpath -m "$out")
mkdir -p "$(dirname "$out")"
server_log="${out%.jsonl}-server.log"
work=$(mktemp -d "${TMPDIR:-/tmp}/ccfs-conformance-XXXXXX")
chmod 755 "$work"
suffix=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
server=""
pg_started=""
rgw_started=""
schema=""
bucket=""
declare -a env=("Ccfs__DataDir=$work/data")

s3() { # METHOD PATH: one signed request to the S3 endpoint; prints the body
  curl -sf --max-time 60 -X "$1" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$s3_ak:$s3_sk" "${s3_url%/}/$2"
}

psql_run() { # SQL: runs it as the role of the connection string
  local host="" pgport="" user="" password="" database="" pair key value
  IFS=';' read -ra pairs <<<"$pg"
  for pair in "${pairs[@]}"; do
    key=$(tr -d ' ' <<<"${pair%%=*}" | tr '[:upper:]' '[:lower:]')
    value=${pair#*=}
    case $key in
      host | server) host=$value ;;
      port) pgport=$value ;;
      username | userid | user) user=$value ;;
      password) password=$value ;;
      database | db) database=$value ;;
    esac
  done
  PGPASSWORD=$password PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "${host:-127.0.0.1}" -p "${pgport:-5432}" -U "$user" \
    -d "${database:-$user}" -c "$1" >/dev/null
}

cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  if [ -n "$bucket" ] && [ -z "$rgw_started" ]; then
    # A shared endpoint keeps nothing of this run: every object, then the bucket (keys are ccfs's own, URL-safe).
    local keys
    keys=$(s3 GET "$bucket?list-type=2&max-keys=1000" | grep -o '<Key>[^<]*</Key>' | sed 's/<Key>\(.*\)<\/Key>/\1/')
    while IFS= read -r key; do
      [ -n "$key" ] && s3 DELETE "$bucket/$key" >/dev/null
    done <<<"$keys"
    s3 DELETE "$bucket" >/dev/null || echo "conformance-backends: could not remove bucket $bucket" >&2
  fi
  if [ -n "$schema" ] && [ -z "$pg_started" ]; then
    psql_run "DROP SCHEMA IF EXISTS $schema CASCADE;" || echo "conformance-backends: could not drop schema $schema" >&2
  fi
  [ -n "$rgw_started" ] && "$repo/scripts/rgw-stop.sh" "$work/rgw" --purge >/dev/null 2>&1
  [ -n "$pg_started" ] && "$repo/scripts/postgres-stop.sh" "$work/postgres" --remove >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$backend" != sqlite ]; then
  pg=${CCFS_TEST_POSTGRES:-}
  if [ -z "$pg" ]; then
    pg_started=1
    pg=$("$repo/scripts/postgres-start.sh" "$work/postgres" "${CONFORMANCE_PG_PORT:-28432}") \
      || { echo "conformance-backends: scripts/postgres-start.sh failed" >&2; exit 2; }
  fi
  schema="conformance_$suffix"
  psql_run "CREATE SCHEMA $schema;" || { echo "conformance-backends: could not create schema $schema" >&2; schema=""; exit 2; }
  env+=("Ccfs__Catalog__Provider=Postgres" "Ccfs__Catalog__ConnectionString=${pg%;};Search Path=$schema")
fi

if [ "$backend" = postgres-s3 ]; then
  endpoint=${CCFS_TEST_S3:-}
  if [ -z "$endpoint" ]; then
    rgw_started=1
    endpoint=$(RGW_PORT=${CONFORMANCE_RGW_PORT:-28480} RGW_MON_PORT=${CONFORMANCE_RGW_MON_PORT:-28400} RGW_WATCH_PID=$$ \
      "$repo/scripts/rgw-start.sh" "$work/rgw") || { echo "conformance-backends: scripts/rgw-start.sh failed" >&2; exit 2; }
  fi
  IFS='|' read -r s3_url s3_ak s3_sk <<<"$endpoint"
  bucket="ccfs-conformance-$suffix"
  s3 PUT "$bucket" >/dev/null || { echo "conformance-backends: could not create bucket $bucket at $s3_url" >&2; bucket=""; exit 2; }
  env+=("Ccfs__Locations__0__Id=0" "Ccfs__Locations__0__Kind=S3" "Ccfs__Locations__0__S3__ServiceUrl=$s3_url"
    "Ccfs__Locations__0__S3__Bucket=$bucket" "Ccfs__Locations__0__S3__AccessKey=$s3_ak" "Ccfs__Locations__0__S3__SecretKey=$s3_sk")
fi

env "${env[@]}" dotnet "$repo/src/Ccfs.Server/bin/Debug/net10.0/Ccfs.Server.dll" --urls "http://127.0.0.1:$port" \
  >"$server_log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "conformance-backends: the server stopped; see $server_log" >&2; server=""; exit 2; }
  sleep 0.2
done

dotnet "$repo/src/Ccfs.Cli/bin/Debug/net10.0/ccfs.dll" conformance --mode full --endpoint "http://127.0.0.1:$port" >"$out"
exit $?
