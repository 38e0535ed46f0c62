#!/usr/bin/env bash
# What a run-time parameter costs the upload path, in one Release server process: the same load of signed uploads with
# the global parameters OFF, then ON, alternating for several rounds; each run's server CPU per stored upload comes
# from the server's process_cpu_seconds_total. One process for both sides means one JIT, one heap and one disk, so
# the difference is the feature's, not the noise of two starts.
#
#   OFF='{"promptCheck":"off"}' ON='{"promptCheck":"warn"}' bench/scripts/bench-upload-feature.sh   # about 5 minutes
#   OFF='{}' ON='{"uploadSizeLimitMb":10}' SIZE=1MB CONCURRENCY=8 ROUNDS=3 bench/scripts/bench-upload-feature.sh
#
# Environment (defaults in brackets): OFF, ON (bodies of PUT /admin/api/parameters), SIZE [5MB], CONCURRENCY [1],
# DURATION [15s] per run, ROUNDS [4], PORT [59301]. It prints each run and the medians, and exits 1 if an upload of
# a measured run did not answer 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/scratch.sh
off=${OFF:?"OFF: the parameters without the feature, e.g. '{\"promptCheck\":\"off\"}'"}
on=${ON:?"ON: the parameters with the feature, e.g. '{\"promptCheck\":\"warn\"}'"}
size=${SIZE:-5MB}
concurrency=${CONCURRENCY:-1}
duration=${DURATION:-15s}
rounds=${ROUNDS:-4}
endpoint=http://127.0.0.1:${PORT:-59301}

dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
server=src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll
cli=src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll
export Ccfs__Accounts__0__AccessKey=bench Ccfs__Accounts__0__SecretKey=bench-secret-for-the-measurement Ccfs__Accounts__0__VdnIds__0=1
export Ccfs__Accounts__0__Admin=true Ccfs__Auth__IpLock__MaxFailures=100000000
export CCFS_ACCESS_KEY=bench CCFS_SECRET_KEY=bench-secret-for-the-measurement CCFS_VDN=1

# --ephemeral: a data dir of its own, and POST /admin/api/reset empties it between runs, outside the measurement.
dotnet "$server" --ephemeral --urls "$endpoint" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -sf "$endpoint/readyz" >/dev/null && break; sleep 0.2; done

cpu_seconds() { curl -sf "$endpoint/metrics" | awk '/^process_cpu_seconds_total/ { print $NF }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

declare -A rates cpus
failed=0
run() { # SIDE PARAMETERS
  dotnet "$cli" admin PUT /admin/api/parameters --endpoint "$endpoint" --data "$2" >/dev/null
  local before after report rate stored cpu
  before=$(cpu_seconds)
  report=$(dotnet "$cli" bench --endpoint "$endpoint" --size "$size" --concurrency "$concurrency" --duration "$duration" --keep 2>&1) \
    || failed=1
  after=$(cpu_seconds)
  dotnet "$cli" admin POST /admin/api/reset --endpoint "$endpoint" >/dev/null
  rate=$(grep -oE 'stored: [0-9.]+ uploads/s' <<<"$report" | grep -oE '[0-9.]+' || echo 0)
  stored=$(grep -oE ': [0-9]+ stored' <<<"$report" | grep -oE '[0-9]+' || echo 1)
  cpu=$(awk -v a="$before" -v b="$after" -v n="$stored" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }')
  rates[$1]="${rates[$1]:-} $rate"
  cpus[$1]="${cpus[$1]:-} $cpu"
  printf '%-3s %s: %7s uploads/s, %6s ms of server CPU per upload (%s stored)\n' \
    "$1" "$2" "$rate" "$cpu" "$stored"
}

echo "### Upload $size, $concurrency in flight, $duration per run, $rounds rounds" \
  "($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git rev-parse --short HEAD))"
dotnet "$cli" bench --endpoint "$endpoint" --size "$size" --concurrency "$concurrency" --duration 3s >/dev/null 2>&1 || true
for _ in $(seq 1 "$rounds"); do
  run off "$off"
  run on "$on"
done
rate_off=$(median <<<"${rates[off]}")
rate_on=$(median <<<"${rates[on]}")
cpu_off=$(median <<<"${cpus[off]}")
cpu_on=$(median <<<"${cpus[on]}")
echo "median uploads/s: off $rate_off, on $rate_on; on/off $(ratio "$rate_on" "$rate_off")"
echo "median server CPU ms per upload: off $cpu_off, on $cpu_on; on/off $(ratio "$cpu_on" "$cpu_off")"
exit $failed
