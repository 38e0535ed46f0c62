#!/usr/bin/env bash
# What each upload costs a PostgreSQL catalog: transactions committed, rows written and WAL bytes, read from
# pg_stat_database and pg_current_wal_lsn() around a `ccfs bench` of N uploads, at 1 and 8 uploads in flight (the
# group commit shares transactions between uploads that arrive together).
#   bench/scripts/measure-catalog-cost.sh [uploads] [size]        (defaults: 400, 100KB)
# CCFS_TEST_POSTGRES (an Npgsql connection string) names the PostgreSQL to use; without it a private cluster is started
# with scripts/postgres-start.sh on port 59020. Locations are on local disk unless Ccfs__Locations__0__* say otherwise.
# The counters are the whole database's, so run it on a PostgreSQL nothing else uses at the time. They include the
# server's reads and its background work in the window (a lease renewal every 5 s, the readiness probe when polled).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/postgres.sh
source scripts/lib/scratch.sh
uploads=${1:-400}
size=${2:-100KB}
use_postgres "$work/pg" 59020
schema=cost_$(date +%s%N)
pg_sql "CREATE SCHEMA $schema;" >/dev/null

dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
export Ccfs__Catalog__Provider=Postgres "Ccfs__Catalog__ConnectionString=$CCFS_TEST_POSTGRES;Search Path=$schema"
export Ccfs__Security__MasterKey=$(head -c 32 /dev/urandom | base64) Ccfs__DataDir=$work/data
export Ccfs__Accounts__0__AccessKey=bench Ccfs__Accounts__0__SecretKey=bench-secret-for-the-measurement Ccfs__Accounts__0__VdnIds__0=1
export CCFS_ACCESS_KEY=bench CCFS_SECRET_KEY=bench-secret-for-the-measurement CCFS_VDN=1 CCFS_ENDPOINT=http://127.0.0.1:59021
dotnet src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll --urls http://127.0.0.1:59021 >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:59021/readyz >/dev/null && break; sleep 0.2; done

counters() {
  pg_sql "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted, pg_current_wal_lsn() - '0/0'::pg_lsn
       FROM pg_stat_database WHERE datname = current_database();"
}
echo "| uploads in flight | uploads | transactions/upload | rows written/upload | WAL bytes/upload |"
echo "|---:|---:|---:|---:|---:|"
for concurrency in 1 8; do
  dotnet src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll bench --size "$size" --concurrency "$concurrency" --requests 20 >/dev/null
  sleep 3   # the warm-up's deferred writes (commits, audit, its deletes) land and are counted before the first reading
  IFS='|' read -r x0 r0 w0 <<<"$(counters)"
  dotnet src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll bench --size "$size" --concurrency "$concurrency" --requests "$uploads" --keep \
    >"$work/bench-$concurrency.txt"
  # Deferred writes land within a moment; pg_stat_database counts a backend's work when it reports (about every second).
  sleep 3
  IFS='|' read -r x1 r1 w1 <<<"$(counters)"
  awk -v c="$concurrency" -v n="$uploads" -v x=$((x1 - x0)) -v r=$((r1 - r0)) -v w=$((w1 - w0)) \
    'BEGIN { printf "| %d | %d | %.2f | %.2f | %.0f |\n", c, n, x / n, r / n, w / n }'
done
