#!/usr/bin/env bash
# What events cost uploads, in one run: `ccfs bench` (signed 1 MiB uploads, 8 in flight, every answer checked) against a
# fresh Release server of each kind, in turn, ROUNDS times:
#   base   the server before events (BASE_COMMIT, by default where this branch left main): no outbox at all
#   none   this server, no subscription: every upload still writes its event (the outbox, the feed)
#   one    this server, one subscription to a local receiver (`ccfs events listen`, checking every signature)
# It prints each run's uploads/s, latency and the server's CPU time per upload (process_cpu_seconds_total over the
# measured run: steadier than throughput on a machine shared with other work), the ratios of the medians, and for the "one" runs
# the p99 of ccfs_event_delivery_lag_seconds (from the change's commit, which precedes the upload's answer, to the
# receiver's 2xx: an upper bound of the time from answer to delivery), read from the server's histogram.
#
#   bench/scripts/bench-events.sh                    # 1 MiB, 8 in flight, 15 s per run, 2 rounds: about 4 minutes
#   ROUNDS=3 DURATION=20s bench/scripts/bench-events.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/scratch.sh
size=${SIZE:-1MB}
concurrency=${CONCURRENCY:-8}
duration=${DURATION:-15s}
rounds=${ROUNDS:-2}
base_commit=${BASE_COMMIT:-$(git merge-base HEAD main 2>/dev/null || git rev-parse HEAD~1)}

dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
mkdir -p "$work/base-src"
git archive "$base_commit" | tar -x -C "$work/base-src"
dotnet build -c Release -v q -nologo "$work/base-src/src/Ccfs.Server" >/dev/null
declare -A servers=([base]="$work/base-src/src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll"
  [none]=src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll [one]=src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll)
cli=src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll
export Ccfs__Accounts__0__AccessKey=bench Ccfs__Accounts__0__SecretKey=bench-secret-for-the-measurement Ccfs__Accounts__0__VdnIds__0=1
export Ccfs__Accounts__0__Admin=true
export CCFS_ACCESS_KEY=bench CCFS_SECRET_KEY=bench-secret-for-the-measurement CCFS_VDN=1
port=59201
receiver_port=59202
endpoint=http://127.0.0.1:$port

p99_lag() { # the upper bound of the bucket that holds the 99th percentile of the delivery lag, in ms
  curl -sf "$endpoint/metrics" | awk '
    /^ccfs_event_delivery_lag_seconds_bucket/ { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n[++k] = le; c[k] = $NF }
    /^ccfs_event_delivery_lag_seconds_count/ { total = $NF }
    END { if (total == 0) { print "none"; exit } for (i = 1; i <= k; i++) if (c[i] >= 0.99 * total) { print (n[i] == "+Inf" ? "+Inf" : n[i] * 1000) " ms (" total " events)"; exit } }'
}

run() { # KIND ROUND
  local kind=$1
  rm -rf "$work/data"
  Ccfs__DataDir="$work/data" dotnet "${servers[$kind]}" --urls "$endpoint" >"$work/$kind-$2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do curl -sf "$endpoint/readyz" >/dev/null && break; sleep 0.2; done
  if [ "$kind" = one ]; then
    local created secret
    created=$(dotnet "$cli" admin POST /admin/api/subscriptions --endpoint "$endpoint" \
      --data "{\"url\": \"http://127.0.0.1:$receiver_port/\"}")
    secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])' <<<"$created")
    dotnet "$cli" events listen --port "$receiver_port" --secret "$secret" >"$work/received.log" 2>"$work/receiver.log" &
    pids+=($!)
    # No event may meet a receiver still starting (its first delivery would wait out a retry).
    for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$receiver_port/" && break; sleep 0.1; done
  fi
  dotnet "$cli" bench --endpoint "$endpoint" --size "$size" --concurrency "$concurrency" --duration 3s --keep >/dev/null 2>&1 || true
  local report cpu_before cpu_after
  cpu_before=$(cpu_seconds)
  report=$(dotnet "$cli" bench --endpoint "$endpoint" --size "$size" --concurrency "$concurrency" --duration "$duration" --keep 2>/dev/null) \
    || { echo "bench-events: $kind had uploads that did not answer 0:" >&2; echo "$report" >&2; }
  cpu_after=$(cpu_seconds)
  local rate stored cpu
  rate=$(grep -oE 'stored: [0-9.]+ uploads/s' <<<"$report" | grep -oE '[0-9.]+')
  stored=$(grep -oE ': [0-9]+ stored' <<<"$report" | grep -oE '[0-9]+')
  cpu=$(awk -v a="$cpu_before" -v b="$cpu_after" -v n="$stored" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }')
  rates[$kind]="${rates[$kind]:-} $rate"
  cpus[$kind]="${cpus[$kind]:-} $cpu"
  echo "#### $kind, round $2"
  echo '```text'
  echo "$report"
  echo "server CPU: $cpu ms per upload"
  if [ "$kind" = one ]; then
    sleep 2   # the last events of the run reach the receiver
    echo "delivery lag p99 <= $(p99_lag); $(grep -c 'signature valid' "$work/received.log") events received with a valid signature"
  fi
  echo '```'
  stop_started
}

cpu_seconds() { curl -sf "$endpoint/metrics" | awk '/^process_cpu_seconds_total/ { print $NF }'; }

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

declare -A rates cpus
echo "### Upload $size, $concurrency in flight, $duration per run, $rounds rounds ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git rev-parse --short HEAD), base $(git rev-parse --short "$base_commit"))"
echo
for round in $(seq 1 "$rounds"); do
  for kind in base none one; do
    run "$kind" "$round"
  done
done
base=$(median <<<"${rates[base]}")
none=$(median <<<"${rates[none]}")
one=$(median <<<"${rates[one]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo
echo "median uploads/s: base $base, none $none, one $one; one/none $(ratio "$one" "$none"), none/base $(ratio "$none" "$base")"
cpu_base=$(median <<<"${cpus[base]}")
cpu_none=$(median <<<"${cpus[none]}")
cpu_one=$(median <<<"${cpus[one]}")
echo "median server CPU ms per upload: base $cpu_base, none $cpu_none, one $cpu_one; one/none $(ratio "$cpu_one" "$cpu_none"), none/base $(ratio "$cpu_none" "$cpu_base")"
