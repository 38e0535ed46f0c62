#!/usr/bin/env bash
# Runs N concurrent uploads of a given size against a Release build of the server and reports the server's resident
# memory over idle, throughput and latency. Usage: bench/scripts/bench-upload-memory.sh [concurrency] [requests] [bytes]
set -euo pipefail
cd "$(dirname "$0")/../.."
concurrency=${1:-32}
requests=${2:-160}
bytes=${3:-5242880}
port=${PORT:-5081}
work=$(mktemp -d)

dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
Ccfs__Limits__MaxConcurrentUploads=${UPLOAD_LIMIT:-4} Ccfs__DataDir=$work/data dotnet src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
load() { dotnet src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll bench --endpoint "http://127.0.0.1:$port" --duration 10m "$@"; }

load --concurrency 2 --requests 4 --size "$bytes" >/dev/null   # JIT and pools warm
sleep 2
idle=$(rss)
peak=$idle
( while kill -0 $server 2>/dev/null; do rss; sleep 0.05; done ) >"$work/rss" &
sampler=$!
load --concurrency "$concurrency" --requests "$requests" --size "$bytes"
kill $sampler 2>/dev/null || true
peak=$(sort -n "$work/rss" | tail -1)
echo "upload limit ${UPLOAD_LIMIT:-4}: server RSS idle $((idle / 1024)) MiB, peak $((peak / 1024)) MiB, over idle $(((peak - idle) / 1024)) MiB"
