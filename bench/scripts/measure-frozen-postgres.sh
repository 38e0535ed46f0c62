#!/usr/bin/env bash
# How long an upload waits for its answer while the PostgreSQL catalog is frozen rather than down (a stopped VM, a
# path that drops packets), against Ccfs:Catalog:WriteTimeout (docs/failure-behaviour.md). Starts a private cluster
# (or uses CCFS_TEST_POSTGRES), a Release server on it, stores one upload, stops the postmaster and its backends with
# SIGSTOP, times UPLOADS uploads one after another from the client, then thaws the cluster and checks that uploads
# are stored again.
#   bench/scripts/measure-frozen-postgres.sh   (UPLOADS 3, WRITE_TIMEOUT 00:00:05, PORT 5089, PG_PORT 5499; NO_BUILD=1 reuses the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
uploads=${UPLOADS:-3}
write_timeout=${WRITE_TIMEOUT:-00:00:05}
port=${PORT:-5089}
source scripts/lib/postgres.sh
source scripts/lib/scratch.sh

if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is taken; set PORT" >&2; exit 1; fi
[ -n "${NO_BUILD:-}" ] || dotnet build src/Ccfs.Server -c Release -v q -nologo >&2
[ -z "${CCFS_TEST_POSTGRES:-}" ] || { echo "set no CCFS_TEST_POSTGRES: the script freezes the cluster it starts" >&2; exit 1; }
use_postgres "$work/pg" "${PG_PORT:-5499}"
schema="frozen$$"
pg_sql "CREATE SCHEMA $schema;"
postmaster=$(head -1 "$private_pg_dir/data/postmaster.pid")
thaw() { kill -CONT "$postmaster" $(pgrep -P "$postmaster") 2>/dev/null || true; }
cleanup_more() { thaw; }

Ccfs__Catalog__Provider=Postgres Ccfs__Catalog__ConnectionString="$CCFS_TEST_POSTGRES;Search Path=$schema" \
  Ccfs__Catalog__WriteTimeout="$write_timeout" Ccfs__Security__MasterKey=$(head -c 32 /dev/urandom | base64) \
  Ccfs__DataDir="$work/data" dotnet src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll --urls "http://127.0.0.1:$port" \
  >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
export CCFS_ENDPOINT="http://127.0.0.1:$port" CCFS_MAX_TIME=120
prompt=test/data/audio/lint/prompt-nominal.wav
scripts/signed-request.sh upload "$prompt" >/dev/null

echo "PostgreSQL frozen; WriteTimeout $write_timeout"
kill -STOP "$postmaster" $(pgrep -P "$postmaster")
for i in $(seq 1 "$uploads"); do
  started=$(date +%s.%N)
  answer=$(scripts/signed-request.sh upload "$prompt" 2>/dev/null || true)
  printf 'upload %d: %.1f s, %s\n' "$i" "$(echo "$(date +%s.%N) - $started" | bc)" "$(grep -o '"resultCode":"[0-9]*"' <<<"$answer")"
done
thaw
for _ in $(seq 1 30); do scripts/signed-request.sh upload "$prompt" >/dev/null 2>&1 && { echo "thawed: uploads are stored again"; exit 0; }; sleep 1; done
echo "uploads were not stored again within 30 s of the thaw" >&2
exit 1
