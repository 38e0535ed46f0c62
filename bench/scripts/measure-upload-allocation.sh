#!/usr/bin/env bash
# Managed bytes a Release server allocates per upload, whole request included (Kestrel, auth, decode, validation,
# storage, SQLite, logging, audit, metrics), read from its dotnet_gc_allocated_bytes_total before and after a run of
# sequential uploads (--keep, so no delete is counted). The baseline in the same run is a GET /healthz.
# Usage: bench/scripts/measure-upload-allocation.sh [requests] [sizes...]
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-200}
shift || true
sizes=("${@:-100KB 1MB 5MB}")
read -r -a sizes <<<"${sizes[*]}"
port=${PORT:-5082}
work=$(mktemp -d)

dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
Ccfs__DataDir=$work/data Logging__LogLevel__Default=Warning \
  dotnet src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

allocated() { curl -sf "http://127.0.0.1:$port/metrics" | awk '/^dotnet_gc_allocated_bytes_total / {printf "%.0f", $2}'; }
uploads() { dotnet src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll bench --endpoint "http://127.0.0.1:$port" --keep --concurrency 1 "$@" >/dev/null; }
per_request() { echo $(( ($2 - $1) / requests )); }

# The scrape itself allocates; measure an empty interval and subtract it.
a=$(allocated); b=$(allocated); scrape=$((b - a))

for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; done
a=$(allocated)
for _ in $(seq 1 "$requests"); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; done
b=$(allocated)
health=$(per_request "$a" $((b - scrape)))
echo "GET /healthz: $health bytes per request (baseline)"

for size in "${sizes[@]}"; do
  uploads --size "$size" --requests 50   # JIT, pools and buffers warm for this size
  a=$(allocated)
  uploads --size "$size" --requests "$requests"
  b=$(allocated)
  upload=$(per_request "$a" $((b - scrape)))
  echo "upload $size: $upload bytes per upload, $(awk -v u="$upload" -v h="$health" 'BEGIN {printf "%.1f", u / h}')x the baseline"
done
