#!/usr/bin/env bash
# Upload throughput and latency of one node on each back-end and of two nodes behind haproxy, in one run, measured
# with `ccfs bench` (signed uploads of valid A-law WAVs, every answer checked):
#   sqlite          one node, SQLite catalog, disk location (the default)
#   postgres        one node, PostgreSQL catalog, disk location
#   postgres-s3     one node, PostgreSQL catalog, S3 location (Ceph RGW)
#   2x postgres-s3  two nodes on one PostgreSQL schema and one bucket, behind haproxy (deploy/haproxy.cfg)
#
#   bench/scripts/bench-backends.sh                     # 1 MiB uploads, 8 in flight, 15 s each
#   SIZE=100KB CONCURRENCY=1 DURATION=10s bench/scripts/bench-backends.sh
#
# CCFS_TEST_POSTGRES / CCFS_TEST_S3 name servers to use (as for the tests); without them a private PostgreSQL (port
# 59030) and RGW (59080, monitor 59000) are started and removed at the end. Everything runs on this machine, so the
# figures show what each back-end costs next to the others in one run, not what separate machines would give.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/postgres.sh
source scripts/lib/scratch.sh
size=${SIZE:-1MB}
concurrency=${CONCURRENCY:-8}
duration=${DURATION:-15s}
cleanup_more() {
  [ -z "${private_rgw:-}" ] || scripts/rgw-stop.sh "$work/rgw" --purge >/dev/null 2>&1
}
use_postgres "$work/pg" 59030
if [ -z "${CCFS_TEST_S3:-}" ]; then
  private_rgw=1
  CCFS_TEST_S3=$(RGW_PORT=59080 RGW_MON_PORT=59000 RGW_WATCH_PID=$$ scripts/rgw-start.sh "$work/rgw")
fi
IFS='|' read -r s3_url s3_ak s3_sk <<<"$CCFS_TEST_S3"
s3() { curl -sf --max-time 60 -X "$1" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$s3_ak:$s3_sk" "${s3_url%/}/$2"; }

dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
server=src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll
cli=src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll
key=$(head -c 32 /dev/urandom | base64)
export Ccfs__Accounts__0__AccessKey=bench Ccfs__Accounts__0__SecretKey=bench-secret-for-the-measurement Ccfs__Accounts__0__VdnIds__0=1
export CCFS_ACCESS_KEY=bench CCFS_SECRET_KEY=bench-secret-for-the-measurement CCFS_VDN=1

start_node() { # NAME PORT SETTINGS...: a server with its own data dir
  local name=$1 port=$2
  shift 2
  env "$@" Ccfs__DataDir="$work/$name" Ccfs__Node__Name="$name" Ccfs__Security__MasterKey="$key" \
    dotnet "$server" --urls "http://127.0.0.1:$port" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.2; done
  echo "bench-backends: $name did not become ready; its log:" >&2
  tail -20 "$work/$name.log" >&2
  exit 1
}
postgres_settings() { # SCHEMA: one setting per line
  pg_sql "CREATE SCHEMA $1;" >/dev/null
  printf '%s\n' Ccfs__Catalog__Provider=Postgres "Ccfs__Catalog__ConnectionString=$CCFS_TEST_POSTGRES;Search Path=$1"
}
s3_settings() { # BUCKET: one setting per line
  s3 PUT "$1" >/dev/null
  printf '%s\n' Ccfs__Locations__0__Id=0 Ccfs__Locations__0__Kind=S3 "Ccfs__Locations__0__S3__ServiceUrl=$s3_url" \
    "Ccfs__Locations__0__S3__Bucket=$1" "Ccfs__Locations__0__S3__AccessKey=$s3_ak" "Ccfs__Locations__0__S3__SecretKey=$s3_sk"
}
bench() { # LABEL ENDPOINT
  dotnet "$cli" bench --endpoint "$2" --size "$size" --concurrency "$concurrency" --duration 3s >/dev/null 2>&1 || true
  local report
  report=$(dotnet "$cli" bench --endpoint "$2" --size "$size" --concurrency "$concurrency" --duration "$duration" 2>/dev/null) \
    || { echo "bench-backends: $1 had uploads that did not answer 0:" >&2; echo "$report" >&2; }
  echo "### $1"
  echo '```text'
  echo "$report"
  echo '```'
}

suffix=$(date +%s)
echo "## Upload $size, $concurrency in flight, $duration per back-end ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git rev-parse --short HEAD))"
echo
start_node sqlite 59101
bench "one node: SQLite + disk" http://127.0.0.1:59101
stop_started

mapfile -t settings < <(postgres_settings "bench_disk_$suffix")
start_node postgres 59102 "${settings[@]}"
bench "one node: PostgreSQL + disk" http://127.0.0.1:59102
stop_started

mapfile -t settings < <(postgres_settings "bench_s3_$suffix"; s3_settings "bench-one-$suffix")
start_node postgres-s3 59103 "${settings[@]}"
bench "one node: PostgreSQL + S3" http://127.0.0.1:59103
stop_started

mapfile -t settings < <(postgres_settings "bench_two_$suffix"; s3_settings "bench-two-$suffix")
start_node node-a 59104 "${settings[@]}"
start_node node-b 59105 "${settings[@]}"
CCFS_LB_BIND=127.0.0.1:59106 CCFS_NODE_A=127.0.0.1:59104 CCFS_NODE_B=127.0.0.1:59105 haproxy -db -f deploy/haproxy.cfg >"$work/haproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:59106/readyz >/dev/null && break; sleep 0.2; done
sleep 4   # both nodes pass haproxy's health check (rise 2, every 2 s) before the load starts
bench "two nodes behind haproxy: PostgreSQL + S3" http://127.0.0.1:59106
