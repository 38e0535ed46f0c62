#!/usr/bin/env bash
# What a quota costs uploads, in one run: `ccfs bench` (signed 1 MiB uploads, 8 in flight, every answer checked) against a
# fresh Release server of this build, alternately without a quota and with one (quotaMb and quotaFiles both set, far
# above what the run stores, so every upload takes the quota's path: the usage row locked and checked in the transaction
# that reserves its name), ROUNDS times each. It prints each run's uploads/s and the server's CPU time per upload
# (process_cpu_seconds_total over the measured run), then the ratios of the medians.
#
#   bench/scripts/bench-quota.sh                    # 1 MiB, 8 in flight, 15 s per run, 4 rounds: about 4 minutes
#   ROUNDS=5 DURATION=20s bench/scripts/bench-quota.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/scratch.sh
size=${SIZE:-1MB}
concurrency=${CONCURRENCY:-8}
duration=${DURATION:-15s}
rounds=${ROUNDS:-4}

dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
server=src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll
cli=src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll
export Ccfs__Accounts__0__AccessKey=bench Ccfs__Accounts__0__SecretKey=bench-secret-for-the-measurement Ccfs__Accounts__0__VdnIds__0=1
export Ccfs__Accounts__0__Admin=true
export CCFS_ACCESS_KEY=bench CCFS_SECRET_KEY=bench-secret-for-the-measurement CCFS_VDN=1
port=${PORT:-61201}
endpoint=http://127.0.0.1:$port

run() { # KIND ROUND
  local kind=$1
  rm -rf "$work/data"
  if [ "$kind" = quota ]; then
    Ccfs__DataDir="$work/data" Ccfs__Parameters__QuotaMb=1000000 Ccfs__Parameters__QuotaFiles=10000000 \
      dotnet "$server" --urls "$endpoint" >"$work/$kind-$2.log" 2>&1 &
  else
    Ccfs__DataDir="$work/data" dotnet "$server" --urls "$endpoint" >"$work/$kind-$2.log" 2>&1 &
  fi
  pids+=($!)
  for _ in $(seq 1 150); do curl -sf "$endpoint/readyz" >/dev/null && break; sleep 0.2; done
  dotnet "$cli" bench --endpoint "$endpoint" --size "$size" --concurrency "$concurrency" --duration 3s --keep >/dev/null 2>&1 || true
  local report cpu_before cpu_after
  cpu_before=$(cpu_seconds)
  report=$(dotnet "$cli" bench --endpoint "$endpoint" --size "$size" --concurrency "$concurrency" --duration "$duration" --keep 2>/dev/null) \
    || { echo "bench-quota: $kind had uploads that did not answer 0:" >&2; echo "$report" >&2; }
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
  if [ "$kind" = quota ]; then
    echo "quota gauges: $(curl -sf "$endpoint/metrics" | grep -E '^ccfs_vdn_(used|quota)_files' | tr '\n' ' ')"
  fi
  echo '```'
  stop_started
}

cpu_seconds() { curl -sf "$endpoint/metrics" | awk '/^process_cpu_seconds_total/ { print $NF }'; }

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

declare -A rates cpus
echo "### Upload $size, $concurrency in flight, $duration per run, $rounds rounds ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git rev-parse --short HEAD))"
echo
# The order alternates (none quota, quota none, ...) so that a machine slowing down or speeding up during the run,
# as a shared one does, weighs on both kinds alike; each round's pair gives a ratio too.
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then order="none quota"; else order="quota none"; fi
  for kind in $order; do
    run "$kind" "$round"
  done
  pair_ratios="${pair_ratios:-} $(awk -v q="${rates[quota]##* }" -v n="${rates[none]##* }" 'BEGIN { printf "%.3f", q / n }')"
done
none=$(median <<<"${rates[none]}")
quota=$(median <<<"${rates[quota]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo
echo "median uploads/s: none $none, quota $quota; quota/none $(ratio "$quota" "$none")"
echo "quota/none per round:$pair_ratios; median $(median <<<"$pair_ratios")"
cpu_none=$(median <<<"${cpus[none]}")
cpu_quota=$(median <<<"${cpus[quota]}")
echo "median server CPU ms per upload: none $cpu_none, quota $cpu_quota; quota/none $(ratio "$cpu_quota" "$cpu_none")"
