#!/usr/bin/env bash
# Starts two server processes on one data dir (one catalog, as nodes of a scaled-out deployment), changes the upload
# size limit on node A with `ccfs admin`, and reports how long node B takes to serve the new value.
# Usage: scripts/measure-parameter-propagation.sh [changes]
set -euo pipefail
cd "$(dirname "$0")/.."
changes=${1:-5}
work=$(mktemp -d)
dotnet build -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -v q -nologo src/Ccfs.Cli >/dev/null
server=src/Ccfs.Server/bin/Debug/net10.0/Ccfs.Server.dll
cli=src/Ccfs.Cli/bin/Debug/net10.0/ccfs.dll
export Ccfs__DataDir=$work/data Ccfs__Accounts__0__AccessKey=ops Ccfs__Accounts__0__SecretKey=ops-secret-for-the-measurement
export Ccfs__Accounts__0__VdnIds__0=1 Ccfs__Accounts__0__Admin=true
export CCFS_ACCESS_KEY=ops CCFS_SECRET_KEY=ops-secret-for-the-measurement
dotnet "$server" --urls http://127.0.0.1:59001 >"$work/a.log" 2>&1 &
a=$!
sleep 0.5   # node A creates the catalog and the master key; node B opens them
dotnet "$server" --urls http://127.0.0.1:59002 >"$work/b.log" 2>&1 &
b=$!
trap 'kill $a $b 2>/dev/null; wait $a $b 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:59001/healthz >/dev/null && curl -sf http://127.0.0.1:59002/healthz >/dev/null && break
  sleep 0.2
done

for n in $(seq 1 "$changes"); do
  value="$n.5"
  CCFS_ENDPOINT=http://127.0.0.1:59001 dotnet "$cli" admin PUT /admin/api/parameters -d "{\"uploadSizeLimitMb\":$value}" >/dev/null
  start=$(date +%s%N)
  # Each poll is one `ccfs admin` process (about 0.3 s), so figures are upper bounds at that resolution.
  for _ in $(seq 1 100); do
    seen=$(CCFS_ENDPOINT=http://127.0.0.1:59002 dotnet "$cli" admin GET /admin/api/parameters | tr -d ' \n')
    case "$seen" in *"\"global\":{\"overrides\":{\"uploadSizeLimitMb\":$value}"*) break ;; esac
    sleep 0.05
  done
  echo "change $n in force on node B after $(( ($(date +%s%N) - start) / 1000000 )) ms"
done
