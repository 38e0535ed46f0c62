#!/usr/bin/env bash
# Starts two server processes on one PostgreSQL catalog (two nodes of a scaled-out deployment), changes the upload
# size limit on node A with `ccfs admin`, and reports how long node B takes to serve the new value.
#   bench/scripts/measure-parameter-propagation.sh [changes]
# CCFS_TEST_POSTGRES (an Npgsql connection string of a role that may create schemas) names the PostgreSQL to use;
# without it a private cluster is started with scripts/postgres-start.sh on port 59010 and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/postgres.sh
source scripts/lib/scratch.sh
changes=${1:-5}
use_postgres "$work/pg" 59010
schema=measure_$(date +%s%N)
pg_sql "CREATE SCHEMA $schema;" >/dev/null

dotnet build -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -v q -nologo src/Ccfs.Cli >/dev/null
server=src/Ccfs.Server/bin/Debug/net10.0/Ccfs.Server.dll
cli=src/Ccfs.Cli/bin/Debug/net10.0/ccfs.dll
export Ccfs__Catalog__Provider=Postgres "Ccfs__Catalog__ConnectionString=$CCFS_TEST_POSTGRES;Search Path=$schema"
export Ccfs__Security__MasterKey=$(head -c 32 /dev/urandom | base64)
export Ccfs__Accounts__0__AccessKey=ops Ccfs__Accounts__0__SecretKey=ops-secret-for-the-measurement
export Ccfs__Accounts__0__VdnIds__0=1 Ccfs__Accounts__0__Admin=true
export CCFS_ACCESS_KEY=ops CCFS_SECRET_KEY=ops-secret-for-the-measurement
for node in a b; do
  port=$([ $node = a ] && echo 59001 || echo 59002)
  Ccfs__DataDir=$work/$node Ccfs__Node__Name=$node dotnet "$server" --urls "http://127.0.0.1:$port" >"$work/$node.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 150); do
  curl -sf http://127.0.0.1:59001/readyz >/dev/null && curl -sf http://127.0.0.1:59002/readyz >/dev/null && break
  sleep 0.2
done

for n in $(seq 1 "$changes"); do
  value="$n.5"
  CCFS_ENDPOINT=http://127.0.0.1:59001 dotnet "$cli" admin PUT /admin/api/parameters -d "{\"uploadSizeLimitMb\":$value}" >/dev/null
  start=$(date +%s%N)
  # Each poll is one `ccfs admin` process, so figures are upper bounds at that resolution: "poll 1" means node B
  # already served the change when first asked.
  for poll in $(seq 1 100); do
    seen=$(CCFS_ENDPOINT=http://127.0.0.1:59002 dotnet "$cli" admin GET /admin/api/parameters | tr -d ' \n')
    case "$seen" in *"\"global\":{\"overrides\":{\"uploadSizeLimitMb\":$value}"*) break ;; esac
    sleep 0.05
  done
  echo "change $n in force on node B at poll $poll, $(( ($(date +%s%N) - start) / 1000000 )) ms after the PUT returned"
done
