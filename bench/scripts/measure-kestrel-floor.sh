#!/usr/bin/env bash
# The least CPU a Kestrel endpoint spends on a ccfs-sized upload on this machine, to read ccfs's own figure against
# (docs/performance.md). bench/Ccfs.KestrelFloor receives a Base64 body of a SIZE-byte file and writes the file
# ("receive"), then also does the body-proportional work ccfs does ("full": the auth-v2 HMAC over the percent-encoded
# body, the Base64 decode, the file's SHA-256 and an fsync), each with Kestrel's 4 KiB pool blocks and with ccfs's
# larger ones (BLOCKS, default "4k 64k"; 16k and 32k also work). One wrk connection, DURATION seconds after a WARMUP.
#   bench/scripts/measure-kestrel-floor.sh [SIZE]        (default 5242880; DURATION 10, WARMUP 3, PORT 5087)
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-5242880}
duration=${DURATION:-10}
warmup=${WARMUP:-3}
port=${PORT:-5087}
source scripts/lib/scratch.sh

block_sizes=${BLOCKS:-4k 64k}
command -v wrk >/dev/null || { echo "installing wrk" >&2; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is taken; set PORT" >&2; exit 1; fi
dotnet build bench/Ccfs.KestrelFloor -c Release -v q -nologo >&2
head -c "$size" /dev/urandom | base64 -w0 >"$work/body"
cat >"$work/post.lua" <<LUA
local f = io.open("$work/body", "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
LUA

ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
echo "| work | pool blocks | requests/s | CPU ms/request |"
echo "|---|---|---:|---:|"
for work_kind in receive full; do
  for blocks in $block_sizes; do
    FLOOR_WORK=$work_kind FLOOR_BLOCKS=$blocks FLOOR_DIR="$work/files" \
      dotnet bench/Ccfs.KestrelFloor/bin/Release/net10.0/Ccfs.KestrelFloor.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
    pids+=($!)
    for attempt in $(seq 1 101); do
      curl -s -o /dev/null "http://127.0.0.1:$port/" && break
      [[ $attempt -lt 101 ]] || { echo "the floor server did not start" >&2; exit 1; }
      sleep 0.1
    done
    wrk -t1 -c1 -d"${warmup}s" -s "$work/post.lua" "http://127.0.0.1:$port/upload" >/dev/null
    before=$(ticks "${pids[-1]}")
    out=$(wrk -t1 -c1 -d"${duration}s" -s "$work/post.lua" "http://127.0.0.1:$port/upload")
    after=$(ticks "${pids[-1]}")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    if grep -qE "Non-2xx|Socket errors" <<<"$out" || [[ ${requests:-0} -eq 0 ]]; then echo "the floor server failed: $out" >&2; exit 1; fi
    awk -v w="$work_kind" -v b="$blocks" -v r="$requests" -v d="$duration" -v t="$((after - before))" -v hz="$hz" \
      'BEGIN { printf "| %s | %s | %.1f | %.1f |\n", w, b, r / d, t * 1000 / hz / r }'
    stop_started
    rm -rf "$work/files"
  done
done
